/* iam_life.c - IAM operations of a data source's later life. See iam_life.h. Shapes from the
 * IAM API model (botocore data/iam/2010-05-08/service-2.json). */
#include "aws/iam_life.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/opkit.h"
#include "util/mem.h"

struct life_st {
	char *p1, *p2, *p3;
	char *marker;
	char *text; /* the document of GetUserPolicy */
	struct iam_names names;
};

void iam_names_free(struct iam_names *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->names[i]);
		if (l->values)
			free(l->values[i]);
	}
	free(l->names);
	free(l->values);
	memset(l, 0, sizeof(*l));
}

static void st_free(void *p)
{
	struct life_st *s = p;
	if (!s)
		return;
	free(s->p1);
	free(s->p2);
	free(s->p3);
	free(s->marker);
	free(s->text);
	iam_names_free(&s->names);
	free(s);
}

static struct aws_op *op_new(const struct aws_op_def *def, const char *p1, const char *p2,
                             const char *p3, const char *detail)
{
	struct life_st *s = xcalloc(1, sizeof(*s));
	s->p1 = xstrdup(p1);
	s->p2 = xstrdup(p2);
	s->p3 = xstrdup(p3);
	struct aws_op *op = aws_op_new(def, s, st_free);
	if (detail)
		aws_op_set_detail(op, detail);
	return op;
}

/* <OpResponse><OpResult> of an answer; NULL with err set. */
static xmlNode *open_result(const struct http_response *r, const char *op, xmlDoc **doc,
                            struct cx_err *err)
{
	char root[96], res[96];
	snprintf(root, sizeof(root), "%sResponse", op);
	snprintf(res, sizeof(res), "%sResult", op);
	xmlNode *n = opkit_xml_root(r, op, root, doc, err);
	if (!n)
		return NULL;
	xmlNode *x = xml_child(n, res);
	if (!x) {
		cx_err_set(err, CX_E_PARSE, "IAM %s answer without %s", op, res);
		xml_free(*doc);
		*doc = NULL;
	}
	return x;
}

static void paging(struct life_st *s, struct aws_req *rq)
{
	if (s->marker)
		aws_form_add(&rq->params, "Marker", s->marker);
	aws_form_add(&rq->params, "MaxItems", "1000");
}

static void next_marker(struct life_st *s, const xmlNode *res, bool *more)
{
	free(s->marker);
	s->marker = NULL;
	*more = false;
	if (xml_path_bool(res, "IsTruncated", false)) {
		s->marker = xml_path_text(res, "Marker");
		*more = s->marker && *s->marker;
	}
}

static void names_add(struct iam_names *l, char *name, char *value, bool pairs)
{
	l->names = xrealloc(l->names, (l->n + 1) * sizeof(char *));
	if (pairs)
		l->values = xrealloc(l->values, (l->n + 1) * sizeof(char *));
	l->names[l->n] = name ? name : xstrdup("");
	if (pairs)
		l->values[l->n] = value ? value : xstrdup("");
	else
		free(value);
	l->n++;
}

/* ---- builders ---- */

static void build_update_key(void *stp, struct aws_req *rq)
{
	struct life_st *s = stp;
	if (s->p1)
		aws_form_add(&rq->params, "UserName", s->p1);
	aws_form_add(&rq->params, "AccessKeyId", s->p2);
	aws_form_add(&rq->params, "Status", s->p3);
}

static void build_user(void *stp, struct aws_req *rq)
{
	struct life_st *s = stp;
	aws_form_add(&rq->params, "UserName", s->p1);
}

static void build_user_paged(void *stp, struct aws_req *rq)
{
	struct life_st *s = stp;
	aws_form_add(&rq->params, "UserName", s->p1);
	paging(s, rq);
}

static void build_user_arn(void *stp, struct aws_req *rq)
{
	struct life_st *s = stp;
	aws_form_add(&rq->params, "UserName", s->p1);
	aws_form_add(&rq->params, "PolicyArn", s->p2);
}

static void build_arn(void *stp, struct aws_req *rq)
{
	struct life_st *s = stp;
	aws_form_add(&rq->params, "PolicyArn", s->p1);
}

static void build_arn_paged(void *stp, struct aws_req *rq)
{
	struct life_st *s = stp;
	aws_form_add(&rq->params, "PolicyArn", s->p1);
	paging(s, rq);
}

static void build_user_policy(void *stp, struct aws_req *rq)
{
	struct life_st *s = stp;
	aws_form_add(&rq->params, "UserName", s->p1);
	aws_form_add(&rq->params, "PolicyName", s->p2);
}

/* ---- parsers ---- */

static enum cx_status parse_user_policies(void *stp, const struct http_response *r, bool *more,
                                          struct cx_err *err)
{
	struct life_st *s = stp;
	xmlDoc *doc = NULL;
	*more = false;
	xmlNode *res = open_result(r, "ListUserPolicies", &doc, err);
	if (!res)
		return err->status;
	for (xmlNode *m = xml_path(res, "PolicyNames/member"); m; m = xml_next(m, "member"))
		names_add(&s->names, xml_text(m), NULL, false);
	next_marker(s, res, more);
	xml_free(doc);
	return CX_OK;
}

static enum cx_status parse_user_policy(void *stp, const struct http_response *r, bool *more,
                                        struct cx_err *err)
{
	struct life_st *s = stp;
	xmlDoc *doc = NULL;
	*more = false;
	xmlNode *res = open_result(r, "GetUserPolicy", &doc, err);
	if (!res)
		return err->status;
	char *d = xml_path_text(res, "PolicyDocument");
	free(s->text);
	s->text = d ? aws_url_decode(d, false) : NULL;
	free(d);
	xml_free(doc);
	if (!s->text)
		return cx_err_set(err, CX_E_PARSE, "GetUserPolicy answer without PolicyDocument");
	return CX_OK;
}

/* ListPolicyTags: Tags/member (Key, Value), paged by Marker (botocore ListPolicyTagsResponse) */
static enum cx_status parse_policy_tags(void *stp, const struct http_response *r, bool *more,
                                        struct cx_err *err)
{
	struct life_st *s = stp;
	xmlDoc *doc = NULL;
	*more = false;
	xmlNode *res = open_result(r, "ListPolicyTags", &doc, err);
	if (!res)
		return err->status;
	for (xmlNode *m = xml_path(res, "Tags/member"); m; m = xml_next(m, "member"))
		names_add(&s->names, xml_path_text(m, "Key"), xml_path_text(m, "Value"), true);
	next_marker(s, res, more);
	xml_free(doc);
	return CX_OK;
}

/* ---- definitions ---- */

static const struct aws_op_def update_key_def = {
    AWS_IAM, AWS_PROTO_QUERY, "UpdateAccessKey", build_update_key, opkit_parse_nothing, NULL};
static const struct aws_op_def delete_user_def = {AWS_IAM,    AWS_PROTO_QUERY,     "DeleteUser",
                                                  build_user, opkit_parse_nothing, NULL};
static const struct aws_op_def detach_def = {
    AWS_IAM, AWS_PROTO_QUERY, "DetachUserPolicy", build_user_arn, opkit_parse_nothing, NULL};
static const struct aws_op_def delete_policy_def = {AWS_IAM,   AWS_PROTO_QUERY,     "DeletePolicy",
                                                    build_arn, opkit_parse_nothing, NULL};
static const struct aws_op_def user_policies_def = {
    AWS_IAM, AWS_PROTO_QUERY, "ListUserPolicies", build_user_paged, parse_user_policies, NULL};
static const struct aws_op_def policy_tags_def = {
    AWS_IAM, AWS_PROTO_QUERY, "ListPolicyTags", build_arn_paged, parse_policy_tags, NULL};
static const struct aws_op_def user_policy_def = {
    AWS_IAM, AWS_PROTO_QUERY, "GetUserPolicy", build_user_policy, parse_user_policy, NULL};

/* ---- public ---- */

/* Runs op, moves the text result to *out (when out). */
static enum cx_status run_text(struct aws_client *c, struct aws_op *op, char **out,
                               struct cx_err *err)
{
	struct life_st *s = aws_op_state(op);
	return opkit_run_move(c, op, &s->text, out, sizeof(*out), err);
}

static enum cx_status run_names(struct aws_client *c, struct aws_op *op, struct iam_names *out,
                                struct cx_err *err)
{
	struct life_st *s = aws_op_state(op);
	return opkit_run_move(c, op, &s->names, out, sizeof(*out), err);
}

struct aws_op *iam_update_access_key_op(const char *user, const char *access_key_id,
                                        const char *status)
{
	return op_new(&update_key_def, user, access_key_id, status, access_key_id);
}

enum cx_status iam_update_access_key(struct aws_client *c, const char *user,
                                     const char *access_key_id, const char *status,
                                     struct cx_err *err)
{
	return opkit_run_free(c, iam_update_access_key_op(user, access_key_id, status), err);
}

struct aws_op *iam_delete_user_op(const char *user)
{
	return op_new(&delete_user_def, user, NULL, NULL, user);
}

enum cx_status iam_delete_user(struct aws_client *c, const char *user, struct cx_err *err)
{
	return opkit_run_free(c, iam_delete_user_op(user), err);
}

struct aws_op *iam_detach_user_policy_op(const char *user, const char *policy_arn)
{
	return op_new(&detach_def, user, policy_arn, NULL, user);
}

enum cx_status iam_detach_user_policy(struct aws_client *c, const char *user,
                                      const char *policy_arn, struct cx_err *err)
{
	return opkit_run_free(c, iam_detach_user_policy_op(user, policy_arn), err);
}

struct aws_op *iam_delete_policy_op(const char *policy_arn)
{
	return op_new(&delete_policy_def, policy_arn, NULL, NULL, policy_arn);
}

enum cx_status iam_delete_policy(struct aws_client *c, const char *policy_arn, struct cx_err *err)
{
	return opkit_run_free(c, iam_delete_policy_op(policy_arn), err);
}

struct aws_op *iam_list_user_policies_op(const char *user)
{
	return op_new(&user_policies_def, user, NULL, NULL, user);
}

const struct iam_names *iam_list_user_policies_result(const struct aws_op *op)
{
	return &((const struct life_st *)aws_op_state(op))->names;
}

enum cx_status iam_list_user_policies(struct aws_client *c, const char *user, struct iam_names *out,
                                      struct cx_err *err)
{
	memset(out, 0, sizeof(*out));
	return run_names(c, iam_list_user_policies_op(user), out, err);
}

struct aws_op *iam_get_user_policy_op(const char *user, const char *policy_name)
{
	return op_new(&user_policy_def, user, policy_name, NULL, policy_name);
}

const char *iam_get_user_policy_result(const struct aws_op *op)
{
	return ((const struct life_st *)aws_op_state(op))->text;
}

enum cx_status iam_get_user_policy(struct aws_client *c, const char *user, const char *policy_name,
                                   char **out_document, struct cx_err *err)
{
	*out_document = NULL;
	return run_text(c, iam_get_user_policy_op(user, policy_name), out_document, err);
}

struct aws_op *iam_list_policy_tags_op(const char *policy_arn)
{
	return op_new(&policy_tags_def, policy_arn, NULL, NULL, policy_arn);
}

const struct iam_names *iam_list_policy_tags_result(const struct aws_op *op)
{
	return &((const struct life_st *)aws_op_state(op))->names;
}

enum cx_status iam_list_policy_tags(struct aws_client *c, const char *policy_arn,
                                    struct iam_names *out, struct cx_err *err)
{
	memset(out, 0, sizeof(*out));
	return run_names(c, iam_list_policy_tags_op(policy_arn), out, err);
}
