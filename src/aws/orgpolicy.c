/* orgpolicy.c - GetPolicy with tags, Attach/ListAttached of a role or user, DeleteRolePolicy /
 * DeleteUserPolicy. See orgpolicy.h. Request and answer shapes: the botocore service model
 * iam 2010-05-08 (GetPolicyResponse Policy.Tags, ListAttachedRolePoliciesResponse
 * AttachedPolicies, IsTruncated, Marker). */
#include "aws/orgpolicy.h"

#include <stdlib.h>
#include <string.h>

#include "aws/opkit.h"
#include "util/mem.h"

struct op_st {
	const char *op; /* wire name */
	bool role;
	char *p[3]; /* by op: arn + tag key; entity + policy arn; entity + policy name */
	char *marker;
	struct orgpol_policy pol;
	bool has;
};

static void st_free(void *p)
{
	struct op_st *s = p;
	if (!s)
		return;
	for (size_t i = 0; i < 3; i++)
		free(s->p[i]);
	free(s->marker);
	free(s->pol.default_version_id);
	free(s);
}

static struct aws_op *op_new(const struct aws_op_def *def, bool role, const char *p0,
                             const char *p1)
{
	struct op_st *s = xcalloc(1, sizeof(*s));
	s->op = def->name;
	s->role = role;
	s->p[0] = p0 ? xstrdup(p0) : NULL;
	s->p[1] = p1 ? xstrdup(p1) : NULL;
	struct aws_op *op = aws_op_new(def, s, st_free);
	if (p0)
		aws_op_set_detail(op, p0);
	return op;
}

/* ---------- GetPolicy ---------- */

static void get_policy_build(void *stp, struct aws_req *rq)
{
	struct op_st *s = stp;
	aws_form_add(&rq->params, "PolicyArn", s->p[0]);
}

static enum cx_status get_policy_parse(void *stp, const struct http_response *r, bool *more,
                                       struct cx_err *err)
{
	struct op_st *s = stp;
	*more = false;
	xmlDoc *doc;
	xmlNode *res = opkit_xml_result(r, "GetPolicy", &doc, err);
	if (!res)
		return err->status;
	xmlNode *p = xml_child(res, "Policy");
	free(s->pol.default_version_id);
	s->pol.default_version_id = xml_path_text(p, "DefaultVersionId");
	s->pol.attachment_count = (long)xml_path_int(p, "AttachmentCount", 0);
	s->pol.tagged = false;
	for (xmlNode *m = xml_path(p, "Tags/member"); m && s->p[1]; m = xml_next(m, "member")) {
		char *k = xml_path_text(m, "Key");
		if (k && strcmp(k, s->p[1]) == 0)
			s->pol.tagged = true;
		free(k);
	}
	xml_free(doc);
	if (!s->pol.default_version_id)
		return cx_err_set(err, CX_E_PARSE, "GetPolicy answer without DefaultVersionId");
	return CX_OK;
}

static const struct aws_op_def get_policy_def = {AWS_IAM,          AWS_PROTO_QUERY,  "GetPolicy",
                                                 get_policy_build, get_policy_parse, NULL};

struct aws_op *orgpol_get_policy_op(const char *arn, const char *tag_key)
{
	return op_new(&get_policy_def, false, arn, tag_key);
}

const struct orgpol_policy *orgpol_get_policy_result(const struct aws_op *op)
{
	return &((struct op_st *)aws_op_state(op))->pol;
}

/* ---------- attached policies ---------- */

static void entity_param(const struct op_st *s, struct aws_req *rq)
{
	aws_form_add(&rq->params, s->role ? "RoleName" : "UserName", s->p[0]);
}

static void attach_build(void *stp, struct aws_req *rq)
{
	struct op_st *s = stp;
	entity_param(s, rq);
	aws_form_add(&rq->params, "PolicyArn", s->p[1]);
}

static const struct aws_op_def attach_role_def = {
    AWS_IAM, AWS_PROTO_QUERY, "AttachRolePolicy", attach_build, opkit_parse_nothing, NULL};
static const struct aws_op_def attach_user_def = {
    AWS_IAM, AWS_PROTO_QUERY, "AttachUserPolicy", attach_build, opkit_parse_nothing, NULL};

struct aws_op *orgpol_attach_op(bool role, const char *entity, const char *policy_arn)
{
	return op_new(role ? &attach_role_def : &attach_user_def, role, entity, policy_arn);
}

static void list_attached_build(void *stp, struct aws_req *rq)
{
	struct op_st *s = stp;
	entity_param(s, rq);
	if (s->marker)
		aws_form_add(&rq->params, "Marker", s->marker);
	aws_form_add(&rq->params, "MaxItems", "1000");
}

static enum cx_status list_attached_parse(void *stp, const struct http_response *r, bool *more,
                                          struct cx_err *err)
{
	struct op_st *s = stp;
	*more = false;
	xmlDoc *doc;
	xmlNode *res = opkit_xml_result(r, s->op, &doc, err);
	if (!res)
		return err->status;
	for (xmlNode *m = xml_path(res, "AttachedPolicies/member"); m; m = xml_next(m, "member")) {
		char *arn = xml_path_text(m, "PolicyArn");
		if (arn && strcmp(arn, s->p[1]) == 0)
			s->has = true;
		free(arn);
	}
	free(s->marker);
	s->marker = NULL;
	if (xml_path_bool(res, "IsTruncated", false)) {
		s->marker = xml_path_text(res, "Marker");
		*more = s->marker && *s->marker;
	}
	xml_free(doc);
	return CX_OK;
}

static const struct aws_op_def list_role_def = {
    AWS_IAM, AWS_PROTO_QUERY, "ListAttachedRolePolicies", list_attached_build, list_attached_parse,
    NULL};
static const struct aws_op_def list_user_def = {
    AWS_IAM, AWS_PROTO_QUERY, "ListAttachedUserPolicies", list_attached_build, list_attached_parse,
    NULL};

struct aws_op *orgpol_list_attached_op(bool role, const char *entity, const char *policy_arn)
{
	return op_new(role ? &list_role_def : &list_user_def, role, entity, policy_arn);
}

bool orgpol_list_attached_has(const struct aws_op *op)
{
	return ((const struct op_st *)aws_op_state(op))->has;
}

/* ---------- inline policy removal ---------- */

static void delete_inline_build(void *stp, struct aws_req *rq)
{
	struct op_st *s = stp;
	entity_param(s, rq);
	aws_form_add(&rq->params, "PolicyName", s->p[1]);
}

static const struct aws_op_def delete_role_policy_def = {
    AWS_IAM, AWS_PROTO_QUERY, "DeleteRolePolicy", delete_inline_build, opkit_parse_nothing, NULL};
static const struct aws_op_def delete_user_policy_def = {
    AWS_IAM, AWS_PROTO_QUERY, "DeleteUserPolicy", delete_inline_build, opkit_parse_nothing, NULL};

struct aws_op *orgpol_delete_inline_op(bool role, const char *entity, const char *policy)
{
	return op_new(role ? &delete_role_policy_def : &delete_user_policy_def, role, entity,
	              policy);
}
