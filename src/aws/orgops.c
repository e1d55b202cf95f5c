/* orgops.c - organizations ListAccounts, sts AssumeRole, IAM roles, inline policies and
 * tagged users. See orgops.h. Request and answer shapes: the botocore service models
 * (organizations 2016-11-28, sts 2011-06-15, iam 2010-05-08). */
#include "aws/orgops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/opkit.h"
#include "util/mem.h"
#include "util/secmem.h"

struct oo_st {
	const char *op; /* wire name, for messages */
	char *p[4];     /* parameters, by op */
	bool role;      /* inline policy ops: of a role (else of a user) */
	char *token;    /* ListAccounts NextToken */
	struct org_account_list accounts;
	struct aws_creds creds;
	bool have_creds;
	struct iam_entity entity;
	char *document;
};

static void st_free(void *p)
{
	struct oo_st *s = p;
	if (!s)
		return;
	for (size_t i = 0; i < 4; i++)
		free(s->p[i]);
	free(s->token);
	org_account_list_free(&s->accounts);
	if (s->have_creds)
		aws_creds_free(&s->creds);
	iam_entity_free(&s->entity);
	free(s->document);
	free(s);
}

static struct aws_op *op_new(const struct aws_op_def *def, const char *p0, const char *p1,
                             const char *p2, const char *p3)
{
	struct oo_st *s = xcalloc(1, sizeof(*s));
	s->op = def->name;
	s->p[0] = p0 ? xstrdup(p0) : NULL;
	s->p[1] = p1 ? xstrdup(p1) : NULL;
	s->p[2] = p2 ? xstrdup(p2) : NULL;
	s->p[3] = p3 ? xstrdup(p3) : NULL;
	struct aws_op *op = aws_op_new(def, s, st_free);
	if (p0)
		aws_op_set_detail(op, p0);
	return op;
}

void org_account_list_free(struct org_account_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].id);
		free(l->items[i].name);
		free(l->items[i].email);
		free(l->items[i].status);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void iam_entity_free(struct iam_entity *e)
{
	if (!e)
		return;
	free(e->arn);
	free(e->trust);
	memset(e, 0, sizeof(*e));
}

/* ---------- organizations ListAccounts ---------- */

static void list_accounts_build(void *stp, struct aws_req *rq)
{
	struct oo_st *s = stp;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "MaxResults", 20); /* the model's maximum */
	opkit_req_json_paged(rq, j, s->token);
}

static enum cx_status list_accounts_parse(void *stp, const struct http_response *r, bool *more,
                                          struct cx_err *err)
{
	struct oo_st *s = stp;
	*more = false;
	cJSON *j = aws_json_doc(r, err);
	if (!j)
		return err->status;
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "Accounts");
	const cJSON *a;
	cJSON_ArrayForEach(a, arr)
	{
		const char *id = json_str(a, "Id");
		if (!id)
			continue;
		s->accounts.items =
		    xrealloc(s->accounts.items, (s->accounts.n + 1) * sizeof(*s->accounts.items));
		struct org_account *o = &s->accounts.items[s->accounts.n++];
		o->id = xstrdup(id);
		o->name = xstrdup(json_str(a, "Name") ? json_str(a, "Name") : "");
		o->email = xstrdup(json_str(a, "Email") ? json_str(a, "Email") : "");
		o->status = xstrdup(json_str(a, "Status") ? json_str(a, "Status") : "ACTIVE");
	}
	opkit_json_next_token(j, &s->token, more);
	cJSON_Delete(j);
	return CX_OK;
}

static const struct aws_op_def list_accounts_def = {AWS_ORGANIZATIONS,   AWS_PROTO_JSON,
                                                    "ListAccounts",      list_accounts_build,
                                                    list_accounts_parse, NULL};

struct aws_op *org_list_accounts_op(void)
{
	return op_new(&list_accounts_def, NULL, NULL, NULL, NULL);
}

const struct org_account_list *org_list_accounts_result(const struct aws_op *op)
{
	return &((struct oo_st *)aws_op_state(op))->accounts;
}

enum cx_status org_list_accounts(struct aws_client *c, struct org_account_list *out,
                                 struct cx_err *err)
{
	struct aws_op *op = org_list_accounts_op();
	struct oo_st *s = aws_op_state(op);
	return opkit_run_move(c, op, &s->accounts, out, sizeof(*out), err);
}

/* ---------- sts AssumeRole ---------- */

static void assume_build(void *stp, struct aws_req *rq)
{
	struct oo_st *s = stp;
	aws_form_add(&rq->params, "RoleArn", s->p[0]);
	aws_form_add(&rq->params, "RoleSessionName", s->p[1]);
}

static enum cx_status assume_parse(void *stp, const struct http_response *r, bool *more,
                                   struct cx_err *err)
{
	struct oo_st *s = stp;
	*more = false;
	xmlDoc *doc;
	xmlNode *res = opkit_xml_result(r, "AssumeRole", &doc, err);
	if (!res)
		return err->status;
	xmlNode *cr = xml_child(res, "Credentials");
	char *akid = xml_path_text(cr, "AccessKeyId");
	char *secret = xml_path_text(cr, "SecretAccessKey");
	char *token = xml_path_text(cr, "SessionToken");
	enum cx_status rc = CX_OK;
	if (!akid || !secret || !token) {
		rc = cx_err_set(err, CX_E_PARSE, "AssumeRole answer without Credentials");
	} else {
		if (s->have_creds)
			aws_creds_free(&s->creds);
		aws_creds_set(&s->creds, akid, secret, token, "sts AssumeRole");
		s->have_creds = true;
	}
	free(akid);
	if (secret)
		secmem_wipe(secret, strlen(secret));
	free(secret);
	if (token)
		secmem_wipe(token, strlen(token));
	free(token);
	xml_free(doc);
	return rc;
}

static const struct aws_op_def assume_def = {AWS_STS,      AWS_PROTO_QUERY, "AssumeRole",
                                             assume_build, assume_parse,    NULL};

struct aws_op *sts_assume_role_op(const char *role_arn, const char *session_name)
{
	return op_new(&assume_def, role_arn, session_name, NULL, NULL);
}

bool sts_assume_role_take(struct aws_op *op, struct aws_creds *out)
{
	struct oo_st *s = aws_op_state(op);
	if (!s->have_creds)
		return false;
	*out = s->creds; /* moved */
	s->have_creds = false;
	return true;
}

enum cx_status sts_assume_role(struct aws_client *c, const char *role_arn, const char *session_name,
                               struct aws_creds *out, struct cx_err *err)
{
	struct aws_op *op = sts_assume_role_op(role_arn, session_name);
	struct oo_st *s = aws_op_state(op);
	enum cx_status st = aws_op_run(c, op, err);
	if (st == CX_OK) {
		*out = s->creds; /* moved */
		s->have_creds = false;
	}
	aws_op_free(op);
	return st;
}

/* ---------- IAM users and roles with tags ---------- */

static void create_user_build(void *stp, struct aws_req *rq)
{
	struct oo_st *s = stp;
	aws_form_add(&rq->params, "UserName", s->p[0]);
	aws_form_add(&rq->params, "Tags.member.1.Key", s->p[1]);
	aws_form_add(&rq->params, "Tags.member.1.Value", s->p[2]);
}

static void create_role_build(void *stp, struct aws_req *rq)
{
	struct oo_st *s = stp;
	aws_form_add(&rq->params, "RoleName", s->p[0]);
	aws_form_add(&rq->params, "AssumeRolePolicyDocument", s->p[3]);
	aws_form_add(&rq->params, "Description",
	             "CerteroX resource discovery (certerox-aws-setup)");
	aws_form_add(&rq->params, "Tags.member.1.Key", s->p[1]);
	aws_form_add(&rq->params, "Tags.member.1.Value", s->p[2]);
}

static void name_build(void *stp, struct aws_req *rq)
{
	struct oo_st *s = stp;
	aws_form_add(&rq->params, strstr(s->op, "Role") ? "RoleName" : "UserName", s->p[0]);
}

/* CreateUser/CreateRole/GetUser/GetRole: <User>|<Role> with Arn, AssumeRolePolicyDocument
 * (URL-encoded), Tags/member/{Key,Value}. */
static enum cx_status entity_parse(void *stp, const struct http_response *r, bool *more,
                                   struct cx_err *err)
{
	struct oo_st *s = stp;
	*more = false;
	xmlDoc *doc;
	xmlNode *res = opkit_xml_result(r, s->op, &doc, err);
	if (!res)
		return err->status;
	bool role = strstr(s->op, "Role") != NULL;
	xmlNode *e = xml_child(res, role ? "Role" : "User");
	iam_entity_free(&s->entity);
	s->entity.arn = xml_path_text(e, "Arn");
	char *trust = role ? xml_path_text(e, "AssumeRolePolicyDocument") : NULL;
	if (trust) {
		s->entity.trust = aws_url_decode(trust, false);
		free(trust);
	}
	/* the tag key: p[1] */
	for (xmlNode *m = xml_path(e, "Tags/member"); m && s->p[1]; m = xml_next(m, "member")) {
		char *k = xml_path_text(m, "Key");
		if (k && strcmp(k, s->p[1]) == 0)
			s->entity.tagged = true;
		free(k);
	}
	if (strncmp(s->op, "Create", 6) == 0)
		s->entity.tagged = true; /* made with the tag */
	xml_free(doc);
	if (!s->entity.arn)
		return cx_err_set(err, CX_E_PARSE, "%s answer without Arn", s->op);
	return CX_OK;
}

static const struct aws_op_def create_user_def = {AWS_IAM,           AWS_PROTO_QUERY, "CreateUser",
                                                  create_user_build, entity_parse,    NULL};
static const struct aws_op_def create_role_def = {AWS_IAM,           AWS_PROTO_QUERY, "CreateRole",
                                                  create_role_build, entity_parse,    NULL};
static const struct aws_op_def get_user_def = {AWS_IAM,    AWS_PROTO_QUERY, "GetUser",
                                               name_build, entity_parse,    NULL};
static const struct aws_op_def get_role_def = {AWS_IAM,    AWS_PROTO_QUERY, "GetRole",
                                               name_build, entity_parse,    NULL};

struct aws_op *iam_create_user_tagged_op(const char *name, const char *tag_key,
                                         const char *tag_value)
{
	return op_new(&create_user_def, name, tag_key, tag_value, NULL);
}

struct aws_op *iam_create_role_op(const char *name, const char *trust, const char *tag_key,
                                  const char *tag_value)
{
	return op_new(&create_role_def, name, tag_key, tag_value, trust);
}

struct aws_op *iam_get_user_tagged_op(const char *name, const char *tag_key)
{
	return op_new(&get_user_def, name, tag_key, NULL, NULL);
}

struct aws_op *iam_get_role_op(const char *name, const char *tag_key)
{
	return op_new(&get_role_def, name, tag_key, NULL, NULL);
}

const struct iam_entity *iam_entity_result(const struct aws_op *op)
{
	return &((struct oo_st *)aws_op_state(op))->entity;
}

enum cx_status iam_entity_run(struct aws_client *c, struct aws_op *op, struct iam_entity *out,
                              struct cx_err *err)
{
	struct oo_st *s = aws_op_state(op);
	return opkit_run_move(c, op, &s->entity, out, sizeof(*out), err);
}

/* ---------- trust and inline policies ---------- */

static void trust_build(void *stp, struct aws_req *rq)
{
	struct oo_st *s = stp;
	aws_form_add(&rq->params, "RoleName", s->p[0]);
	aws_form_add(&rq->params, "PolicyDocument", s->p[1]);
}

static const struct aws_op_def trust_def = {
    AWS_IAM, AWS_PROTO_QUERY, "UpdateAssumeRolePolicy", trust_build, opkit_parse_nothing, NULL};

struct aws_op *iam_update_trust_op(const char *role, const char *trust)
{
	return op_new(&trust_def, role, trust, NULL, NULL);
}

static void inline_build(void *stp, struct aws_req *rq)
{
	struct oo_st *s = stp;
	aws_form_add(&rq->params, s->role ? "RoleName" : "UserName", s->p[0]);
	aws_form_add(&rq->params, "PolicyName", s->p[1]);
	if (s->p[2])
		aws_form_add(&rq->params, "PolicyDocument", s->p[2]);
}

static enum cx_status inline_get_parse(void *stp, const struct http_response *r, bool *more,
                                       struct cx_err *err)
{
	struct oo_st *s = stp;
	*more = false;
	xmlDoc *doc;
	xmlNode *res = opkit_xml_result(r, s->op, &doc, err);
	if (!res)
		return err->status;
	char *d = xml_path_text(res, "PolicyDocument");
	free(s->document);
	s->document = d ? aws_url_decode(d, false) : NULL;
	free(d);
	xml_free(doc);
	if (!s->document)
		return cx_err_set(err, CX_E_PARSE, "%s answer without PolicyDocument", s->op);
	return CX_OK;
}

static const struct aws_op_def put_user_policy_def = {
    AWS_IAM, AWS_PROTO_QUERY, "PutUserPolicy", inline_build, opkit_parse_nothing, NULL};
static const struct aws_op_def put_role_policy_def = {
    AWS_IAM, AWS_PROTO_QUERY, "PutRolePolicy", inline_build, opkit_parse_nothing, NULL};
static const struct aws_op_def get_user_policy_def = {
    AWS_IAM, AWS_PROTO_QUERY, "GetUserPolicy", inline_build, inline_get_parse, NULL};
static const struct aws_op_def get_role_policy_def = {
    AWS_IAM, AWS_PROTO_QUERY, "GetRolePolicy", inline_build, inline_get_parse, NULL};

struct aws_op *iam_put_inline_policy_op(bool role, const char *entity, const char *policy,
                                        const char *document)
{
	struct aws_op *op = op_new(role ? &put_role_policy_def : &put_user_policy_def, entity,
	                           policy, document, NULL);
	((struct oo_st *)aws_op_state(op))->role = role;
	return op;
}

struct aws_op *iam_get_inline_policy_op(bool role, const char *entity, const char *policy)
{
	struct aws_op *op =
	    op_new(role ? &get_role_policy_def : &get_user_policy_def, entity, policy, NULL, NULL);
	((struct oo_st *)aws_op_state(op))->role = role;
	return op;
}

const char *iam_inline_policy_result(const struct aws_op *op)
{
	return ((struct oo_st *)aws_op_state(op))->document;
}

enum cx_status iam_orgop_run(struct aws_client *c, struct aws_op *op, char **doc_out,
                             struct cx_err *err)
{
	struct oo_st *s = aws_op_state(op);
	enum cx_status st = aws_op_run(c, op, err);
	if (doc_out) {
		*doc_out = st == CX_OK ? s->document : NULL;
		if (st == CX_OK)
			s->document = NULL;
	}
	aws_op_free(op);
	return st;
}
