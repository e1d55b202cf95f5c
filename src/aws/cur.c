/* cur.c - CUR operations. See cur.h. */
#include "aws/cur.h"

#include <stdlib.h>
#include <string.h>

#include "aws/opkit.h"
#include "util/mem.h"

struct cur_st {
	cJSON *request;
	char *token;
	struct cur_report_list list;
};

void cur_report_list_free(struct cur_report_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		cJSON_Delete(l->items[i].json);
	}
	free(l->items);
	cJSON_Delete(l->json);
	memset(l, 0, sizeof(*l));
}

static void st_free(void *p)
{
	struct cur_st *s = p;
	if (!s)
		return;
	cJSON_Delete(s->request);
	free(s->token);
	cur_report_list_free(&s->list);
	free(s);
}

static void request_build(void *stp, struct aws_req *rq)
{
	struct cur_st *s = stp;
	if (s->request)
		aws_req_json(rq, s->request);
}

static void describe_build(void *stp, struct aws_req *rq)
{
	struct cur_st *s = stp;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "MaxResults", 5); /* the model allows exactly 5 */
	opkit_req_json_paged(rq, j, s->token);
}

static enum cx_status describe_parse(void *stp, const struct http_response *r, bool *more,
                                     struct cx_err *err)
{
	struct cur_st *s = stp;
	*more = false;
	cJSON *j = aws_json_doc(r, err);
	if (!j)
		return err->status;
	if (!s->list.json)
		s->list.json = cJSON_CreateArray();
	const cJSON *d;
	cJSON_ArrayForEach(d, json_arr(j, "ReportDefinitions"))
	{
		if (!cJSON_IsObject(d))
			continue;
		s->list.items = xrealloc(s->list.items, (s->list.n + 1) * sizeof(*s->list.items));
		struct cur_report *it = &s->list.items[s->list.n++];
		it->name = xstrdup(json_str(d, "ReportName"));
		it->json = cJSON_Duplicate(d, true);
		cJSON_AddItemToArray(s->list.json, cJSON_Duplicate(d, true));
	}
	opkit_json_next_token(j, &s->token, more);
	cJSON_Delete(j);
	return CX_OK;
}

static const struct aws_op_def describe_def = {
    AWS_CUR, AWS_PROTO_JSON, "DescribeReportDefinitions", describe_build, describe_parse, NULL};
static const struct aws_op_def put_def = {AWS_CUR,       AWS_PROTO_JSON,      "PutReportDefinition",
                                          request_build, opkit_parse_nothing, NULL};
static const struct aws_op_def modify_def = {
    AWS_CUR, AWS_PROTO_JSON, "ModifyReportDefinition", request_build, opkit_parse_nothing, NULL};
static const struct aws_op_def delete_def = {
    AWS_CUR, AWS_PROTO_JSON, "DeleteReportDefinition", request_build, opkit_parse_nothing, NULL};

struct aws_op *cur_describe_report_definitions_op(void)
{
	return aws_op_new(&describe_def, xcalloc(1, sizeof(struct cur_st)), st_free);
}

const struct cur_report_list *cur_describe_report_definitions_result(const struct aws_op *op)
{
	return &((struct cur_st *)aws_op_state(op))->list;
}

enum cx_status cur_describe_report_definitions(struct aws_client *c, struct cur_report_list *out,
                                               struct cx_err *err)
{
	struct aws_op *op = cur_describe_report_definitions_op();
	struct cur_st *s = aws_op_state(op);
	enum cx_status st = opkit_run_move(c, op, &s->list, out, sizeof(*out), err);
	if (st == CX_OK && !out->json)
		out->json = cJSON_CreateArray();
	return st;
}

static struct aws_op *request_op(const struct aws_op_def *def, cJSON *request, const char *name)
{
	struct cur_st *s = xcalloc(1, sizeof(*s));
	s->request = request;
	struct aws_op *op = aws_op_new(def, s, st_free);
	if (name)
		aws_op_set_detail(op, name);
	return op;
}

static const char *request_name(const cJSON *request)
{
	const char *n = json_str(request, "ReportName");
	return n ? n : json_str(json_obj(request, "ReportDefinition"), "ReportName");
}

struct aws_op *cur_put_report_definition_op(const cJSON *request)
{
	return request_op(&put_def, cJSON_Duplicate(request, true), request_name(request));
}

enum cx_status cur_put_report_definition(struct aws_client *c, const cJSON *request,
                                         struct cx_err *err)
{
	return opkit_run_free(c, cur_put_report_definition_op(request), err);
}

struct aws_op *cur_modify_report_definition_op(const cJSON *request)
{
	return request_op(&modify_def, cJSON_Duplicate(request, true), request_name(request));
}

enum cx_status cur_modify_report_definition(struct aws_client *c, const cJSON *request,
                                            struct cx_err *err)
{
	return opkit_run_free(c, cur_modify_report_definition_op(request), err);
}

struct aws_op *cur_delete_report_definition_op(const char *name)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "ReportName", name ? name : "");
	return request_op(&delete_def, j, name);
}

enum cx_status cur_delete_report_definition(struct aws_client *c, const char *name,
                                            struct cx_err *err)
{
	return opkit_run_free(c, cur_delete_report_definition_op(name), err);
}
