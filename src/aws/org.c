/* org.c - Organizations operations. See org.h. */
#include "aws/org.h"

#include <stdlib.h>
#include <string.h>

#include "aws/opkit.h"
#include "util/mem.h"

struct org_st {
	char *account;
	struct org_info info;
};

const char *org_role_name(enum org_role r)
{
	switch (r) {
	case ORG_MANAGEMENT:
		return "management";
	case ORG_MEMBER:
		return "member";
	case ORG_STANDALONE:
		return "standalone";
	default:
		return "unknown";
	}
}

void org_info_free(struct org_info *o)
{
	if (!o)
		return;
	free(o->id);
	free(o->arn);
	free(o->feature_set);
	free(o->master_account_id);
	free(o->master_account_email);
	free(o->denied_message);
	memset(o, 0, sizeof(*o));
}

static void st_free(void *p)
{
	struct org_st *s = p;
	if (!s)
		return;
	free(s->account);
	org_info_free(&s->info);
	free(s);
}

static void describe_build(void *stp, struct aws_req *rq)
{
	(void)stp;
	buf_puts(&rq->body, "{}");
}

static enum cx_status describe_parse(void *stp, const struct http_response *r, bool *more,
                                     struct cx_err *err)
{
	struct org_st *s = stp;
	*more = false;
	cJSON *j = aws_json_doc(r, err);
	if (!j)
		return err->status;
	const cJSON *o = json_obj(j, "Organization");
	if (!o) {
		cJSON_Delete(j);
		return cx_err_set(err, CX_E_PARSE,
		                  "DescribeOrganization answer without Organization");
	}
	org_info_free(&s->info);
	s->info.id = xstrdup(json_str(o, "Id"));
	s->info.arn = xstrdup(json_str(o, "Arn"));
	s->info.feature_set = xstrdup(json_str(o, "FeatureSet"));
	s->info.master_account_id = xstrdup(json_str(o, "MasterAccountId"));
	s->info.master_account_email = xstrdup(json_str(o, "MasterAccountEmail"));
	if (!s->account || !s->info.master_account_id)
		s->info.role = ORG_UNKNOWN;
	else if (strcmp(s->account, s->info.master_account_id) == 0)
		s->info.role = ORG_MANAGEMENT;
	else
		s->info.role = ORG_MEMBER;
	cJSON_Delete(j);
	return CX_OK;
}

static bool describe_on_error(void *stp, const struct aws_error *e)
{
	struct org_st *s = stp;
	if (strcmp(e->code, "AWSOrganizationsNotInUseException") == 0) {
		org_info_free(&s->info);
		s->info.role = ORG_STANDALONE;
		return true;
	}
	if (strcmp(e->code, "AccessDeniedException") == 0 || strcmp(e->code, "AccessDenied") == 0) {
		org_info_free(&s->info);
		s->info.role = ORG_UNKNOWN;
		s->info.denied_message = xstrdup(e->message);
		return true;
	}
	return false;
}

static const struct aws_op_def describe_def = {AWS_ORGANIZATIONS,      AWS_PROTO_JSON,
                                               "DescribeOrganization", describe_build,
                                               describe_parse,         describe_on_error};

struct aws_op *org_describe_organization_op(const char *account_id)
{
	struct org_st *s = xcalloc(1, sizeof(*s));
	s->account = xstrdup(account_id);
	return aws_op_new(&describe_def, s, st_free);
}

const struct org_info *org_describe_organization_result(const struct aws_op *op)
{
	return &((struct org_st *)aws_op_state(op))->info;
}

enum cx_status org_describe_organization(struct aws_client *c, const char *account_id,
                                         struct org_info *out, struct cx_err *err)
{
	struct aws_op *op = org_describe_organization_op(account_id);
	struct org_st *s = aws_op_state(op);
	return opkit_run_move(c, op, &s->info, out, sizeof(*out), err);
}
