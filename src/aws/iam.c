/* iam.c - IAM operations. See iam.h. */
#include "aws/iam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/opkit.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/str.h"

#define IAM_MAX_ITEMS "1000"

struct iam_st {
	char *p1, *p2, *p3, *p4;
	bool flag;
	char *marker;
	struct iam_user user;
	struct iam_user_list users;
	struct iam_policy policy;
	struct iam_policy_list policies;
	struct iam_policy_version version;
	struct iam_policy_version_list versions;
	struct iam_attached_list attached;
	struct iam_access_key key;
	struct iam_access_key_list keys;
	char *tag_key, *tag_value; /* one tag for CreateUser / CreatePolicy / TagUser */
	struct iam_tag_list tags;
};

/* ---------- free functions ---------- */

void iam_user_free(struct iam_user *u)
{
	if (!u)
		return;
	free(u->name);
	free(u->id);
	free(u->arn);
	free(u->path);
	free(u->create_date);
	memset(u, 0, sizeof(*u));
}

void iam_user_list_free(struct iam_user_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		iam_user_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void iam_policy_free(struct iam_policy *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->id);
	free(p->arn);
	free(p->path);
	free(p->default_version_id);
	free(p->description);
	free(p->create_date);
	free(p->update_date);
	memset(p, 0, sizeof(*p));
}

void iam_policy_version_free(struct iam_policy_version *v)
{
	if (!v)
		return;
	free(v->version_id);
	free(v->create_date);
	free(v->document);
	memset(v, 0, sizeof(*v));
}

void iam_policy_list_free(struct iam_policy_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		iam_policy_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void iam_policy_version_list_free(struct iam_policy_version_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		iam_policy_version_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void iam_attached_list_free(struct iam_attached_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].arn);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void iam_access_key_free(struct iam_access_key *k)
{
	if (!k)
		return;
	free(k->user_name);
	free(k->access_key_id);
	free(k->status);
	free(k->create_date);
	secmem_free(k->secret_access_key);
	memset(k, 0, sizeof(*k));
}

void iam_access_key_list_free(struct iam_access_key_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		iam_access_key_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void iam_tag_list_free(struct iam_tag_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

const char *iam_tag_get(const struct iam_tag_list *l, const char *key)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (str_eq(l->items[i].key, key))
			return l->items[i].value ? l->items[i].value : "";
	return NULL;
}

static void st_free(void *p)
{
	struct iam_st *s = p;
	if (!s)
		return;
	free(s->p1);
	free(s->p2);
	if (s->p3) {
		secmem_wipe(s->p3, strlen(s->p3));
		free(s->p3);
	}
	free(s->p4);
	free(s->marker);
	iam_user_free(&s->user);
	iam_user_list_free(&s->users);
	iam_policy_free(&s->policy);
	iam_policy_list_free(&s->policies);
	iam_policy_version_free(&s->version);
	iam_policy_version_list_free(&s->versions);
	iam_attached_list_free(&s->attached);
	iam_access_key_free(&s->key);
	iam_access_key_list_free(&s->keys);
	free(s->tag_key);
	free(s->tag_value);
	iam_tag_list_free(&s->tags);
	free(s);
}

static struct iam_st *st_new(const char *p1, const char *p2, const char *p3, const char *p4)
{
	struct iam_st *s = xcalloc(1, sizeof(*s));
	s->p1 = xstrdup(p1);
	s->p2 = xstrdup(p2);
	s->p3 = xstrdup(p3);
	s->p4 = xstrdup(p4);
	return s;
}

static struct aws_op *op_new(const struct aws_op_def *def, struct iam_st *s, const char *detail)
{
	struct aws_op *op = aws_op_new(def, s, st_free);
	if (detail)
		aws_op_set_detail(op, detail);
	return op;
}

/* ---------- parsing helpers ---------- */

static void parse_user(const xmlNode *n, struct iam_user *u)
{
	iam_user_free(u);
	u->name = xml_path_text(n, "UserName");
	u->id = xml_path_text(n, "UserId");
	u->arn = xml_path_text(n, "Arn");
	u->path = xml_path_text(n, "Path");
	u->create_date = xml_path_text(n, "CreateDate");
}

static void parse_policy(const xmlNode *n, struct iam_policy *p)
{
	iam_policy_free(p);
	p->name = xml_path_text(n, "PolicyName");
	p->id = xml_path_text(n, "PolicyId");
	p->arn = xml_path_text(n, "Arn");
	p->path = xml_path_text(n, "Path");
	p->default_version_id = xml_path_text(n, "DefaultVersionId");
	p->description = xml_path_text(n, "Description");
	p->create_date = xml_path_text(n, "CreateDate");
	p->update_date = xml_path_text(n, "UpdateDate");
	p->attachment_count = (long)xml_path_int(n, "AttachmentCount", 0);
}

static void parse_version(const xmlNode *n, struct iam_policy_version *v)
{
	iam_policy_version_free(v);
	v->version_id = xml_path_text(n, "VersionId");
	v->is_default = xml_path_bool(n, "IsDefaultVersion", false);
	v->create_date = xml_path_text(n, "CreateDate");
	char *doc = xml_path_text(n, "Document");
	if (doc) {
		/* IAM returns the document URL-encoded (RFC 3986, '+' is a literal plus) */
		v->document = aws_url_decode(doc, false);
		free(doc);
	}
}

static void parse_key(const xmlNode *n, struct iam_access_key *k)
{
	iam_access_key_free(k);
	k->user_name = xml_path_text(n, "UserName");
	k->access_key_id = xml_path_text(n, "AccessKeyId");
	k->status = xml_path_text(n, "Status");
	k->create_date = xml_path_text(n, "CreateDate");
	char *sec = xml_path_text(n, "SecretAccessKey");
	if (sec) {
		log_redact_add(sec);
		k->secret_access_key = secmem_strdup(sec);
		secmem_wipe(sec, strlen(sec));
		free(sec);
	}
}

static void next_marker(struct iam_st *s, const xmlNode *res, bool *more)
{
	free(s->marker);
	s->marker = NULL;
	*more = false;
	if (xml_path_bool(res, "IsTruncated", false)) {
		s->marker = xml_path_text(res, "Marker");
		if (s->marker && *s->marker)
			*more = true;
	}
}

static void add_paging(struct iam_st *s, struct aws_req *rq)
{
	if (s->marker)
		aws_form_add(&rq->params, "Marker", s->marker);
	aws_form_add(&rq->params, "MaxItems", IAM_MAX_ITEMS);
}

static void add_tag(const struct iam_st *s, struct aws_req *rq)
{
	if (!s->tag_key)
		return;
	aws_form_add(&rq->params, "Tags.member.1.Key", s->tag_key);
	aws_form_add(&rq->params, "Tags.member.1.Value", s->tag_value ? s->tag_value : "");
}

void iam_op_set_tag(struct aws_op *op, const char *key, const char *value)
{
	struct iam_st *s = aws_op_state(op);
	free(s->tag_key);
	free(s->tag_value);
	s->tag_key = xstrdup(key);
	s->tag_value = xstrdup(value);
}

#define PARSE_FN(fname, opname, body)                                                              \
	static enum cx_status fname(void *stp, const struct http_response *r, bool *more,          \
	                            struct cx_err *err)                                            \
	{                                                                                          \
		struct iam_st *s = stp;                                                            \
		xmlDoc *doc = NULL;                                                                \
		*more = false;                                                                     \
		xmlNode *res = opkit_xml_result(r, opname, &doc, err);                             \
		if (!res)                                                                          \
			return err->status;                                                        \
		enum cx_status rc = CX_OK;                                                         \
		body;                                                                              \
		xml_free(doc);                                                                     \
		return rc;                                                                         \
	}

/* ---------- CreatePolicy / GetPolicy ---------- */

static void create_policy_build(void *stp, struct aws_req *rq)
{
	struct iam_st *s = stp;
	aws_form_add(&rq->params, "PolicyName", s->p1);
	aws_form_add(&rq->params, "PolicyDocument", s->p3);
	if (s->p2)
		aws_form_add(&rq->params, "Path", s->p2);
	if (s->p4)
		aws_form_add(&rq->params, "Description", s->p4);
	add_tag(s, rq);
}

PARSE_FN(create_policy_parse, "CreatePolicy", {
	parse_policy(xml_child(res, "Policy"), &s->policy);
	if (!s->policy.arn)
		rc = cx_err_set(err, CX_E_PARSE, "CreatePolicy answer without Policy/Arn");
})

static const struct aws_op_def create_policy_def = {
    AWS_IAM, AWS_PROTO_QUERY, "CreatePolicy", create_policy_build, create_policy_parse, NULL};

struct aws_op *iam_create_policy_op(const char *name, const char *document, const char *path,
                                    const char *description)
{
	return op_new(&create_policy_def, st_new(name, path, document, description), name);
}

const struct iam_policy *iam_create_policy_result(const struct aws_op *op)
{
	return &((struct iam_st *)aws_op_state(op))->policy;
}

#define SYNC_BODY(opexpr, field)                                                                   \
	struct aws_op *op = (opexpr);                                                              \
	struct iam_st *s_ = aws_op_state(op);                                                      \
	return opkit_run_move(c, op, &s_->field, out, sizeof(*(out)), err)

#define SYNC_NORESULT(opexpr) return opkit_run_free(c, (opexpr), err)

enum cx_status iam_create_policy(struct aws_client *c, const char *name, const char *document,
                                 const char *path, const char *description, struct iam_policy *out,
                                 struct cx_err *err)
{
	SYNC_BODY(iam_create_policy_op(name, document, path, description), policy);
}

static void arn_build(void *stp, struct aws_req *rq)
{
	struct iam_st *s = stp;
	aws_form_add(&rq->params, "PolicyArn", s->p1);
}

PARSE_FN(get_policy_parse, "GetPolicy", {
	parse_policy(xml_child(res, "Policy"), &s->policy);
	if (!s->policy.arn)
		rc = cx_err_set(err, CX_E_PARSE, "GetPolicy answer without Policy/Arn");
})

static const struct aws_op_def get_policy_def = {AWS_IAM,   AWS_PROTO_QUERY,  "GetPolicy",
                                                 arn_build, get_policy_parse, NULL};

struct aws_op *iam_get_policy_op(const char *arn)
{
	return op_new(&get_policy_def, st_new(arn, NULL, NULL, NULL), arn);
}

const struct iam_policy *iam_get_policy_result(const struct aws_op *op)
{
	return &((struct iam_st *)aws_op_state(op))->policy;
}

enum cx_status iam_get_policy(struct aws_client *c, const char *arn, struct iam_policy *out,
                              struct cx_err *err)
{
	SYNC_BODY(iam_get_policy_op(arn), policy);
}

/* ---------- policy versions ---------- */

static void arn_version_build(void *stp, struct aws_req *rq)
{
	struct iam_st *s = stp;
	aws_form_add(&rq->params, "PolicyArn", s->p1);
	aws_form_add(&rq->params, "VersionId", s->p2);
}

PARSE_FN(get_version_parse, "GetPolicyVersion", {
	parse_version(xml_child(res, "PolicyVersion"), &s->version);
	if (!s->version.version_id)
		rc = cx_err_set(err, CX_E_PARSE, "GetPolicyVersion answer without VersionId");
})

static const struct aws_op_def get_version_def = {
    AWS_IAM, AWS_PROTO_QUERY, "GetPolicyVersion", arn_version_build, get_version_parse, NULL};

struct aws_op *iam_get_policy_version_op(const char *arn, const char *version_id)
{
	return op_new(&get_version_def, st_new(arn, version_id, NULL, NULL), arn);
}

const struct iam_policy_version *iam_get_policy_version_result(const struct aws_op *op)
{
	return &((struct iam_st *)aws_op_state(op))->version;
}

enum cx_status iam_get_policy_version(struct aws_client *c, const char *arn, const char *version_id,
                                      struct iam_policy_version *out, struct cx_err *err)
{
	SYNC_BODY(iam_get_policy_version_op(arn, version_id), version);
}

static void list_local_build(void *stp, struct aws_req *rq)
{
	struct iam_st *s = stp;
	aws_form_add(&rq->params, "Scope", "Local");
	aws_form_add(&rq->params, "MaxItems", s->p1);
}

PARSE_FN(list_local_parse, "ListPolicies", {
	for (xmlNode *m = xml_path(res, "Policies/member"); m; m = xml_next(m, "member")) {
		s->policies.items =
		    xrealloc(s->policies.items, (s->policies.n + 1) * sizeof(*s->policies.items));
		memset(&s->policies.items[s->policies.n], 0, sizeof(*s->policies.items));
		parse_policy(m, &s->policies.items[s->policies.n++]);
	}
	s->policies.truncated = xml_path_bool(res, "IsTruncated", false);
})

static const struct aws_op_def list_local_def = {AWS_IAM,          AWS_PROTO_QUERY,  "ListPolicies",
                                                 list_local_build, list_local_parse, NULL};

struct aws_op *iam_list_local_policies_op(int max_items)
{
	char n[16];
	snprintf(n, sizeof(n), "%d", max_items < 1 ? 1 : max_items > 1000 ? 1000 : max_items);
	return op_new(&list_local_def, st_new(n, NULL, NULL, NULL), "Scope=Local");
}

const struct iam_policy_list *iam_list_local_policies_result(const struct aws_op *op)
{
	return &((struct iam_st *)aws_op_state(op))->policies;
}

static void list_versions_build(void *stp, struct aws_req *rq)
{
	struct iam_st *s = stp;
	aws_form_add(&rq->params, "PolicyArn", s->p1);
	add_paging(s, rq);
}

PARSE_FN(list_versions_parse, "ListPolicyVersions", {
	for (xmlNode *m = xml_path(res, "Versions/member"); m; m = xml_next(m, "member")) {
		s->versions.items =
		    xrealloc(s->versions.items, (s->versions.n + 1) * sizeof(*s->versions.items));
		memset(&s->versions.items[s->versions.n], 0, sizeof(*s->versions.items));
		parse_version(m, &s->versions.items[s->versions.n++]);
	}
	next_marker(s, res, more);
})

static const struct aws_op_def list_versions_def = {
    AWS_IAM, AWS_PROTO_QUERY, "ListPolicyVersions", list_versions_build, list_versions_parse, NULL};

struct aws_op *iam_list_policy_versions_op(const char *arn)
{
	return op_new(&list_versions_def, st_new(arn, NULL, NULL, NULL), arn);
}

const struct iam_policy_version_list *iam_list_policy_versions_result(const struct aws_op *op)
{
	return &((struct iam_st *)aws_op_state(op))->versions;
}

enum cx_status iam_list_policy_versions(struct aws_client *c, const char *arn,
                                        struct iam_policy_version_list *out, struct cx_err *err)
{
	SYNC_BODY(iam_list_policy_versions_op(arn), versions);
}

static void create_version_build(void *stp, struct aws_req *rq)
{
	struct iam_st *s = stp;
	aws_form_add(&rq->params, "PolicyArn", s->p1);
	aws_form_add(&rq->params, "PolicyDocument", s->p3);
	aws_form_add(&rq->params, "SetAsDefault", s->flag ? "true" : "false");
}

PARSE_FN(create_version_parse, "CreatePolicyVersion", {
	parse_version(xml_child(res, "PolicyVersion"), &s->version);
	if (!s->version.version_id)
		rc = cx_err_set(err, CX_E_PARSE, "CreatePolicyVersion answer without VersionId");
})

static const struct aws_op_def create_version_def = {
    AWS_IAM, AWS_PROTO_QUERY, "CreatePolicyVersion", create_version_build, create_version_parse,
    NULL};

struct aws_op *iam_create_policy_version_op(const char *arn, const char *document, bool set_default)
{
	struct iam_st *s = st_new(arn, NULL, document, NULL);
	s->flag = set_default;
	return op_new(&create_version_def, s, arn);
}

const struct iam_policy_version *iam_create_policy_version_result(const struct aws_op *op)
{
	return &((struct iam_st *)aws_op_state(op))->version;
}

enum cx_status iam_create_policy_version(struct aws_client *c, const char *arn,
                                         const char *document, bool set_default,
                                         struct iam_policy_version *out, struct cx_err *err)
{
	SYNC_BODY(iam_create_policy_version_op(arn, document, set_default), version);
}

static const struct aws_op_def delete_version_def = {
    AWS_IAM, AWS_PROTO_QUERY, "DeletePolicyVersion", arn_version_build, opkit_parse_nothing, NULL};

struct aws_op *iam_delete_policy_version_op(const char *arn, const char *version_id)
{
	return op_new(&delete_version_def, st_new(arn, version_id, NULL, NULL), version_id);
}

enum cx_status iam_delete_policy_version(struct aws_client *c, const char *arn,
                                         const char *version_id, struct cx_err *err)
{
	SYNC_NORESULT(iam_delete_policy_version_op(arn, version_id));
}

/* ---------- users ---------- */

static void create_user_build(void *stp, struct aws_req *rq)
{
	struct iam_st *s = stp;
	aws_form_add(&rq->params, "UserName", s->p1);
	if (s->p2)
		aws_form_add(&rq->params, "Path", s->p2);
	add_tag(s, rq);
}

PARSE_FN(create_user_parse, "CreateUser", {
	parse_user(xml_child(res, "User"), &s->user);
	if (!s->user.arn)
		rc = cx_err_set(err, CX_E_PARSE, "CreateUser answer without User/Arn");
})

static const struct aws_op_def create_user_def = {
    AWS_IAM, AWS_PROTO_QUERY, "CreateUser", create_user_build, create_user_parse, NULL};

struct aws_op *iam_create_user_op(const char *name, const char *path)
{
	return op_new(&create_user_def, st_new(name, path, NULL, NULL), name);
}

const struct iam_user *iam_create_user_result(const struct aws_op *op)
{
	return &((struct iam_st *)aws_op_state(op))->user;
}

enum cx_status iam_create_user(struct aws_client *c, const char *name, const char *path,
                               struct iam_user *out, struct cx_err *err)
{
	SYNC_BODY(iam_create_user_op(name, path), user);
}

static void opt_user_build(void *stp, struct aws_req *rq)
{
	struct iam_st *s = stp;
	if (s->p1)
		aws_form_add(&rq->params, "UserName", s->p1);
}

PARSE_FN(get_user_parse, "GetUser", {
	parse_user(xml_child(res, "User"), &s->user);
	if (!s->user.arn)
		rc = cx_err_set(err, CX_E_PARSE, "GetUser answer without User/Arn");
})

static const struct aws_op_def get_user_def = {AWS_IAM,        AWS_PROTO_QUERY, "GetUser",
                                               opt_user_build, get_user_parse,  NULL};

struct aws_op *iam_get_user_op(const char *name)
{
	return op_new(&get_user_def, st_new(name, NULL, NULL, NULL), name);
}

const struct iam_user *iam_get_user_result(const struct aws_op *op)
{
	return &((struct iam_st *)aws_op_state(op))->user;
}

enum cx_status iam_get_user(struct aws_client *c, const char *name, struct iam_user *out,
                            struct cx_err *err)
{
	SYNC_BODY(iam_get_user_op(name), user);
}

static void list_users_build(void *stp, struct aws_req *rq)
{
	add_paging(stp, rq);
}

PARSE_FN(list_users_parse, "ListUsers", {
	for (xmlNode *m = xml_path(res, "Users/member"); m; m = xml_next(m, "member")) {
		s->users.items =
		    xrealloc(s->users.items, (s->users.n + 1) * sizeof(*s->users.items));
		memset(&s->users.items[s->users.n], 0, sizeof(*s->users.items));
		parse_user(m, &s->users.items[s->users.n++]);
	}
	next_marker(s, res, more);
})

static const struct aws_op_def list_users_def = {AWS_IAM,          AWS_PROTO_QUERY,  "ListUsers",
                                                 list_users_build, list_users_parse, NULL};

struct aws_op *iam_list_users_op(void)
{
	return op_new(&list_users_def, st_new(NULL, NULL, NULL, NULL), NULL);
}

const struct iam_user_list *iam_list_users_result(const struct aws_op *op)
{
	return &((struct iam_st *)aws_op_state(op))->users;
}

enum cx_status iam_list_users(struct aws_client *c, struct iam_user_list *out, struct cx_err *err)
{
	SYNC_BODY(iam_list_users_op(), users);
}

/* ---------- attached policies ---------- */

static void attach_build(void *stp, struct aws_req *rq)
{
	struct iam_st *s = stp;
	aws_form_add(&rq->params, "UserName", s->p1);
	aws_form_add(&rq->params, "PolicyArn", s->p2);
}

static const struct aws_op_def attach_def = {AWS_IAM,      AWS_PROTO_QUERY,     "AttachUserPolicy",
                                             attach_build, opkit_parse_nothing, NULL};

struct aws_op *iam_attach_user_policy_op(const char *user, const char *policy_arn)
{
	return op_new(&attach_def, st_new(user, policy_arn, NULL, NULL), user);
}

enum cx_status iam_attach_user_policy(struct aws_client *c, const char *user,
                                      const char *policy_arn, struct cx_err *err)
{
	SYNC_NORESULT(iam_attach_user_policy_op(user, policy_arn));
}

static void list_attached_build(void *stp, struct aws_req *rq)
{
	struct iam_st *s = stp;
	aws_form_add(&rq->params, "UserName", s->p1);
	add_paging(s, rq);
}

PARSE_FN(list_attached_parse, "ListAttachedUserPolicies", {
	for (xmlNode *m = xml_path(res, "AttachedPolicies/member"); m; m = xml_next(m, "member")) {
		s->attached.items =
		    xrealloc(s->attached.items, (s->attached.n + 1) * sizeof(*s->attached.items));
		s->attached.items[s->attached.n].name = xml_path_text(m, "PolicyName");
		s->attached.items[s->attached.n].arn = xml_path_text(m, "PolicyArn");
		s->attached.n++;
	}
	next_marker(s, res, more);
})

static const struct aws_op_def list_attached_def = {
    AWS_IAM, AWS_PROTO_QUERY, "ListAttachedUserPolicies", list_attached_build, list_attached_parse,
    NULL};

struct aws_op *iam_list_attached_user_policies_op(const char *user)
{
	return op_new(&list_attached_def, st_new(user, NULL, NULL, NULL), user);
}

const struct iam_attached_list *iam_list_attached_user_policies_result(const struct aws_op *op)
{
	return &((struct iam_st *)aws_op_state(op))->attached;
}

enum cx_status iam_list_attached_user_policies(struct aws_client *c, const char *user,
                                               struct iam_attached_list *out, struct cx_err *err)
{
	SYNC_BODY(iam_list_attached_user_policies_op(user), attached);
}

/* ---------- access keys ---------- */

PARSE_FN(create_key_parse, "CreateAccessKey", {
	parse_key(xml_child(res, "AccessKey"), &s->key);
	if (!s->key.access_key_id || !s->key.secret_access_key)
		rc = cx_err_set(err, CX_E_PARSE,
		                "CreateAccessKey answer without AccessKeyId/SecretAccessKey");
})

static const struct aws_op_def create_key_def = {
    AWS_IAM, AWS_PROTO_QUERY, "CreateAccessKey", opt_user_build, create_key_parse, NULL};

struct aws_op *iam_create_access_key_op(const char *user)
{
	return op_new(&create_key_def, st_new(user, NULL, NULL, NULL), user);
}

const struct iam_access_key *iam_create_access_key_result(const struct aws_op *op)
{
	return &((struct iam_st *)aws_op_state(op))->key;
}

enum cx_status iam_create_access_key(struct aws_client *c, const char *user,
                                     struct iam_access_key *out, struct cx_err *err)
{
	SYNC_BODY(iam_create_access_key_op(user), key);
}

static void list_keys_build(void *stp, struct aws_req *rq)
{
	opt_user_build(stp, rq);
	add_paging(stp, rq);
}

PARSE_FN(list_keys_parse, "ListAccessKeys", {
	for (xmlNode *m = xml_path(res, "AccessKeyMetadata/member"); m; m = xml_next(m, "member")) {
		s->keys.items = xrealloc(s->keys.items, (s->keys.n + 1) * sizeof(*s->keys.items));
		memset(&s->keys.items[s->keys.n], 0, sizeof(*s->keys.items));
		parse_key(m, &s->keys.items[s->keys.n++]);
	}
	next_marker(s, res, more);
})

static const struct aws_op_def list_keys_def = {AWS_IAM,         AWS_PROTO_QUERY, "ListAccessKeys",
                                                list_keys_build, list_keys_parse, NULL};

struct aws_op *iam_list_access_keys_op(const char *user)
{
	return op_new(&list_keys_def, st_new(user, NULL, NULL, NULL), user);
}

const struct iam_access_key_list *iam_list_access_keys_result(const struct aws_op *op)
{
	return &((struct iam_st *)aws_op_state(op))->keys;
}

enum cx_status iam_list_access_keys(struct aws_client *c, const char *user,
                                    struct iam_access_key_list *out, struct cx_err *err)
{
	SYNC_BODY(iam_list_access_keys_op(user), keys);
}

static void delete_key_build(void *stp, struct aws_req *rq)
{
	struct iam_st *s = stp;
	if (s->p1)
		aws_form_add(&rq->params, "UserName", s->p1);
	aws_form_add(&rq->params, "AccessKeyId", s->p2);
}

static const struct aws_op_def delete_key_def = {
    AWS_IAM, AWS_PROTO_QUERY, "DeleteAccessKey", delete_key_build, opkit_parse_nothing, NULL};

struct aws_op *iam_delete_access_key_op(const char *user, const char *access_key_id)
{
	return op_new(&delete_key_def, st_new(user, access_key_id, NULL, NULL), access_key_id);
}

enum cx_status iam_delete_access_key(struct aws_client *c, const char *user,
                                     const char *access_key_id, struct cx_err *err)
{
	SYNC_NORESULT(iam_delete_access_key_op(user, access_key_id));
}

/* ---------- GetAccessKeyLastUsed ---------- */

void iam_key_last_used_free(struct iam_key_last_used *u)
{
	if (!u)
		return;
	free(u->user_name);
	free(u->last_used_date);
	free(u->service_name);
	free(u->region);
	memset(u, 0, sizeof(*u));
}

struct last_used_st {
	char *access_key_id;
	struct iam_key_last_used out;
};

static void last_used_st_free(void *p)
{
	struct last_used_st *s = p;
	if (!s)
		return;
	free(s->access_key_id);
	iam_key_last_used_free(&s->out);
	free(s);
}

static void last_used_build(void *stp, struct aws_req *rq)
{
	struct last_used_st *s = stp;
	aws_form_add(&rq->params, "AccessKeyId", s->access_key_id);
}

static enum cx_status last_used_parse(void *stp, const struct http_response *r, bool *more,
                                      struct cx_err *err)
{
	struct last_used_st *s = stp;
	xmlDoc *doc = NULL;
	*more = false;
	xmlNode *res = opkit_xml_result(r, "GetAccessKeyLastUsed", &doc, err);
	if (!res)
		return err->status;
	iam_key_last_used_free(&s->out);
	s->out.user_name = xml_path_text(res, "UserName");
	/* LastUsedDate is absent for a key never used; ServiceName/Region are "N/A" then */
	s->out.last_used_date = xml_path_text(res, "AccessKeyLastUsed/LastUsedDate");
	s->out.service_name = xml_path_text(res, "AccessKeyLastUsed/ServiceName");
	s->out.region = xml_path_text(res, "AccessKeyLastUsed/Region");
	xml_free(doc);
	return CX_OK;
}

static const struct aws_op_def last_used_def = {
    AWS_IAM, AWS_PROTO_QUERY, "GetAccessKeyLastUsed", last_used_build, last_used_parse, NULL};

struct aws_op *iam_get_access_key_last_used_op(const char *access_key_id)
{
	struct last_used_st *s = xcalloc(1, sizeof(*s));
	s->access_key_id = xstrdup(access_key_id ? access_key_id : "");
	struct aws_op *op = aws_op_new(&last_used_def, s, last_used_st_free);
	aws_op_set_detail(op, s->access_key_id);
	return op;
}

const struct iam_key_last_used *iam_get_access_key_last_used_result(const struct aws_op *op)
{
	return &((struct last_used_st *)aws_op_state(op))->out;
}

enum cx_status iam_get_access_key_last_used(struct aws_client *c, const char *access_key_id,
                                            struct iam_key_last_used *out, struct cx_err *err)
{
	struct aws_op *op = iam_get_access_key_last_used_op(access_key_id);
	struct last_used_st *s = aws_op_state(op);
	return opkit_run_move(c, op, &s->out, out, sizeof(*out), err);
}

/* ---------- user tags ---------- */

static void tag_user_build(void *stp, struct aws_req *rq)
{
	struct iam_st *s = stp;
	aws_form_add(&rq->params, "UserName", s->p1);
	add_tag(s, rq);
}

static const struct aws_op_def tag_user_def = {AWS_IAM,        AWS_PROTO_QUERY,     "TagUser",
                                               tag_user_build, opkit_parse_nothing, NULL};

struct aws_op *iam_tag_user_op(const char *user, const char *key, const char *value)
{
	struct iam_st *s = st_new(user, NULL, NULL, NULL);
	s->tag_key = xstrdup(key);
	s->tag_value = xstrdup(value);
	return op_new(&tag_user_def, s, user);
}

enum cx_status iam_tag_user(struct aws_client *c, const char *user, const char *key,
                            const char *value, struct cx_err *err)
{
	SYNC_NORESULT(iam_tag_user_op(user, key, value));
}

static void list_user_tags_build(void *stp, struct aws_req *rq)
{
	struct iam_st *s = stp;
	aws_form_add(&rq->params, "UserName", s->p1);
	add_paging(s, rq);
}

PARSE_FN(list_user_tags_parse, "ListUserTags", {
	for (xmlNode *m = xml_path(res, "Tags/member"); m; m = xml_next(m, "member")) {
		s->tags.items = xrealloc(s->tags.items, (s->tags.n + 1) * sizeof(*s->tags.items));
		struct iam_tag *t = &s->tags.items[s->tags.n++];
		t->key = xml_path_text(m, "Key");
		t->value = xml_path_text(m, "Value");
	}
	next_marker(s, res, more);
})

static const struct aws_op_def list_user_tags_def = {
    AWS_IAM, AWS_PROTO_QUERY, "ListUserTags", list_user_tags_build, list_user_tags_parse, NULL};

struct aws_op *iam_list_user_tags_op(const char *user)
{
	return op_new(&list_user_tags_def, st_new(user, NULL, NULL, NULL), user);
}

const struct iam_tag_list *iam_list_user_tags_result(const struct aws_op *op)
{
	return &((struct iam_st *)aws_op_state(op))->tags;
}

enum cx_status iam_list_user_tags(struct aws_client *c, const char *user, struct iam_tag_list *out,
                                  struct cx_err *err)
{
	SYNC_BODY(iam_list_user_tags_op(user), tags);
}
