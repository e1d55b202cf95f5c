/* bcm.c - Data Exports operations. See bcm.h. */
#include "aws/bcm.h"

#include <stdlib.h>
#include <string.h>

#include "aws/opkit.h"
#include "util/mem.h"

struct bcm_st {
	cJSON *request; /* owned copy */
	char *arn;      /* input ARN, or result ARN */
	char *token;
	struct bcm_export exp;
	struct bcm_export_list list;
	cJSON *table;
};

void bcm_export_free(struct bcm_export *e)
{
	if (!e)
		return;
	cJSON_Delete(e->json);
	free(e->arn);
	free(e->name);
	free(e->status_code);
	free(e->status_reason);
	memset(e, 0, sizeof(*e));
}

void bcm_export_list_free(struct bcm_export_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].arn);
		free(l->items[i].name);
		free(l->items[i].status_code);
		free(l->items[i].status_reason);
	}
	free(l->items);
	cJSON_Delete(l->json);
	memset(l, 0, sizeof(*l));
}

static void st_free(void *p)
{
	struct bcm_st *s = p;
	if (!s)
		return;
	cJSON_Delete(s->request);
	free(s->arn);
	free(s->token);
	bcm_export_free(&s->exp);
	bcm_export_list_free(&s->list);
	cJSON_Delete(s->table);
	free(s);
}

static struct bcm_st *st_new(const cJSON *request, const char *arn)
{
	struct bcm_st *s = xcalloc(1, sizeof(*s));
	s->request = request ? cJSON_Duplicate(request, true) : NULL;
	s->arn = xstrdup(arn);
	return s;
}

static void request_build(void *stp, struct aws_req *rq)
{
	struct bcm_st *s = stp;
	if (s->request)
		aws_req_json(rq, s->request);
}

static enum cx_status arn_parse(void *stp, const struct http_response *r, bool *more,
                                struct cx_err *err)
{
	struct bcm_st *s = stp;
	*more = false;
	cJSON *j = aws_json_doc(r, err);
	if (!j)
		return err->status;
	const char *arn = json_str(j, "ExportArn");
	enum cx_status st = CX_OK;
	if (!arn) {
		st = cx_err_set(err, CX_E_PARSE, "answer without ExportArn");
	} else {
		free(s->arn);
		s->arn = xstrdup(arn);
	}
	cJSON_Delete(j);
	return st;
}

static char *dup_str(const cJSON *obj, const char *key)
{
	return xstrdup(json_str(obj, key));
}

/* ---------- Create / Update ---------- */

static const struct aws_op_def create_def = {AWS_BCM_DATA_EXPORTS, AWS_PROTO_JSON, "CreateExport",
                                             request_build,        arn_parse,      NULL};
static const struct aws_op_def update_def = {AWS_BCM_DATA_EXPORTS, AWS_PROTO_JSON, "UpdateExport",
                                             request_build,        arn_parse,      NULL};

static struct aws_op *request_op(const struct aws_op_def *def, const cJSON *request)
{
	struct aws_op *op = aws_op_new(def, st_new(request, NULL), st_free);
	const char *name = json_str(json_obj(request, "Export"), "Name");
	if (name)
		aws_op_set_detail(op, name);
	return op;
}

struct aws_op *bcm_create_export_op(const cJSON *request)
{
	return request_op(&create_def, request);
}

const char *bcm_create_export_result(const struct aws_op *op)
{
	return ((struct bcm_st *)aws_op_state(op))->arn;
}

static enum cx_status run_arn(struct aws_client *c, struct aws_op *op, char **arn_out,
                              struct cx_err *err)
{
	enum cx_status st = aws_op_run(c, op, err);
	if (arn_out) {
		struct bcm_st *s = aws_op_state(op);
		*arn_out = st == CX_OK ? s->arn : NULL;
		if (st == CX_OK)
			s->arn = NULL;
	}
	aws_op_free(op);
	return st;
}

enum cx_status bcm_create_export(struct aws_client *c, const cJSON *request, char **arn_out,
                                 struct cx_err *err)
{
	return run_arn(c, bcm_create_export_op(request), arn_out, err);
}

struct aws_op *bcm_update_export_op(const cJSON *request)
{
	return request_op(&update_def, request);
}

const char *bcm_update_export_result(const struct aws_op *op)
{
	return ((struct bcm_st *)aws_op_state(op))->arn;
}

enum cx_status bcm_update_export(struct aws_client *c, const cJSON *request, char **arn_out,
                                 struct cx_err *err)
{
	return run_arn(c, bcm_update_export_op(request), arn_out, err);
}

/* ---------- Get / Delete ---------- */

static void arn_build(void *stp, struct aws_req *rq)
{
	struct bcm_st *s = stp;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "ExportArn", s->arn ? s->arn : "");
	aws_req_json(rq, j);
	cJSON_Delete(j);
}

static enum cx_status get_parse(void *stp, const struct http_response *r, bool *more,
                                struct cx_err *err)
{
	struct bcm_st *s = stp;
	*more = false;
	cJSON *j = aws_json_doc(r, err);
	if (!j)
		return err->status;
	const cJSON *e = json_obj(j, "Export");
	if (!e) {
		cJSON_Delete(j);
		return cx_err_set(err, CX_E_PARSE, "GetExport answer without Export");
	}
	bcm_export_free(&s->exp);
	s->exp.arn = dup_str(e, "ExportArn");
	if (!s->exp.arn)
		s->exp.arn = xstrdup(s->arn);
	s->exp.name = dup_str(e, "Name");
	const cJSON *status = json_obj(j, "ExportStatus");
	s->exp.status_code = dup_str(status, "StatusCode");
	s->exp.status_reason = dup_str(status, "StatusReason");
	s->exp.json = j;
	return CX_OK;
}

static const struct aws_op_def get_def = {
    AWS_BCM_DATA_EXPORTS, AWS_PROTO_JSON, "GetExport", arn_build, get_parse, NULL};
static const struct aws_op_def delete_def = {
    AWS_BCM_DATA_EXPORTS, AWS_PROTO_JSON, "DeleteExport", arn_build, opkit_parse_nothing, NULL};

struct aws_op *bcm_get_export_op(const char *arn)
{
	struct aws_op *op = aws_op_new(&get_def, st_new(NULL, arn), st_free);
	aws_op_set_detail(op, arn);
	return op;
}

const struct bcm_export *bcm_get_export_result(const struct aws_op *op)
{
	return &((struct bcm_st *)aws_op_state(op))->exp;
}

enum cx_status bcm_get_export(struct aws_client *c, const char *arn, struct bcm_export *out,
                              struct cx_err *err)
{
	struct aws_op *op = bcm_get_export_op(arn);
	struct bcm_st *s = aws_op_state(op);
	return opkit_run_move(c, op, &s->exp, out, sizeof(*out), err);
}

struct aws_op *bcm_delete_export_op(const char *arn)
{
	struct aws_op *op = aws_op_new(&delete_def, st_new(NULL, arn), st_free);
	aws_op_set_detail(op, arn);
	return op;
}

enum cx_status bcm_delete_export(struct aws_client *c, const char *arn, struct cx_err *err)
{
	return opkit_run_free(c, bcm_delete_export_op(arn), err);
}

/* ---------- List ---------- */

static void list_build(void *stp, struct aws_req *rq)
{
	struct bcm_st *s = stp;
	opkit_req_json_paged(rq, cJSON_CreateObject(), s->token);
}

static enum cx_status list_parse(void *stp, const struct http_response *r, bool *more,
                                 struct cx_err *err)
{
	struct bcm_st *s = stp;
	*more = false;
	cJSON *j = aws_json_doc(r, err);
	if (!j)
		return err->status;
	bool first = !s->list.json;
	if (!s->list.json)
		s->list.json = cJSON_CreateArray();
	const cJSON *arr = json_arr(j, "Exports");
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		if (!cJSON_IsObject(e))
			continue;
		s->list.items = xrealloc(s->list.items, (s->list.n + 1) * sizeof(*s->list.items));
		struct bcm_export_summary *it = &s->list.items[s->list.n++];
		it->arn = dup_str(e, "ExportArn");
		it->name = dup_str(e, "ExportName");
		const cJSON *status = json_obj(e, "ExportStatus");
		it->status_code = dup_str(status, "StatusCode");
		it->status_reason = dup_str(status, "StatusReason");
		cJSON_AddItemToArray(s->list.json, cJSON_Duplicate(e, true));
	}
	opkit_json_next_token(j, &s->token, more);
	if (first && *more)
		s->list.first_page = s->list.n;
	cJSON_Delete(j);
	return CX_OK;
}

static const struct aws_op_def list_def = {AWS_BCM_DATA_EXPORTS, AWS_PROTO_JSON, "ListExports",
                                           list_build,           list_parse,     NULL};

struct aws_op *bcm_list_exports_op(void)
{
	return aws_op_new(&list_def, st_new(NULL, NULL), st_free);
}

const struct bcm_export_list *bcm_list_exports_result(const struct aws_op *op)
{
	return &((struct bcm_st *)aws_op_state(op))->list;
}

enum cx_status bcm_list_exports(struct aws_client *c, struct bcm_export_list *out,
                                struct cx_err *err)
{
	struct aws_op *op = bcm_list_exports_op();
	struct bcm_st *s = aws_op_state(op);
	enum cx_status st = opkit_run_move(c, op, &s->list, out, sizeof(*out), err);
	if (st == CX_OK && !out->json)
		out->json = cJSON_CreateArray();
	return st;
}

/* ---------- GetTable ---------- */

static enum cx_status table_parse(void *stp, const struct http_response *r, bool *more,
                                  struct cx_err *err)
{
	struct bcm_st *s = stp;
	*more = false;
	cJSON *j = aws_json_doc(r, err);
	if (!j)
		return err->status;
	if (!json_arr(j, "Schema")) {
		cJSON_Delete(j);
		return cx_err_set(err, CX_E_PARSE, "GetTable answer without Schema");
	}
	cJSON_Delete(s->table);
	s->table = j;
	return CX_OK;
}

static const struct aws_op_def table_def = {AWS_BCM_DATA_EXPORTS, AWS_PROTO_JSON, "GetTable",
                                            request_build,        table_parse,    NULL};

struct aws_op *bcm_get_table_op(const char *table, const cJSON *properties)
{
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "TableName", table ? table : "");
	if (properties)
		cJSON_AddItemToObject(req, "TableProperties", cJSON_Duplicate(properties, true));
	struct bcm_st *s = st_new(NULL, NULL);
	s->request = req;
	struct aws_op *op = aws_op_new(&table_def, s, st_free);
	if (table)
		aws_op_set_detail(op, table);
	return op;
}

const cJSON *bcm_get_table_result(const struct aws_op *op)
{
	return ((struct bcm_st *)aws_op_state(op))->table;
}

enum cx_status bcm_get_table(struct aws_client *c, const char *table, const cJSON *properties,
                             cJSON **out, struct cx_err *err)
{
	struct aws_op *op = bcm_get_table_op(table, properties);
	enum cx_status st = aws_op_run(c, op, err);
	if (out) {
		struct bcm_st *s = aws_op_state(op);
		*out = st == CX_OK ? s->table : NULL;
		if (st == CX_OK)
			s->table = NULL;
	}
	aws_op_free(op);
	return st;
}

/* ---------- ListExecutions / GetExecution ---------- */

struct exec_st {
	char *arn, *id, *token;
	cJSON *out; /* ListExecutions: array of ExecutionReference; GetExecution: the answer */
};

static void exec_st_free(void *p)
{
	struct exec_st *s = p;
	if (!s)
		return;
	free(s->arn);
	free(s->id);
	free(s->token);
	cJSON_Delete(s->out);
	free(s);
}

static struct aws_op *exec_op(const struct aws_op_def *def, const char *arn, const char *id)
{
	struct exec_st *s = xcalloc(1, sizeof(*s));
	s->arn = xstrdup(arn ? arn : "");
	s->id = id ? xstrdup(id) : NULL;
	struct aws_op *op = aws_op_new(def, s, exec_st_free);
	aws_op_set_detail(op, s->arn);
	return op;
}

/* A paged listing of one resource: {arn_key: ARN, "NextToken"}. */
static void arn_paged_build(struct exec_st *s, struct aws_req *rq, const char *arn_key)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, arn_key, s->arn);
	opkit_req_json_paged(rq, j, s->token);
}

/* One page of such a listing: the objects of array `list` that have `key`, added to s->out. */
static enum cx_status arn_paged_collect(struct exec_st *s, const struct http_response *r,
                                        bool *more, const char *list, const char *key,
                                        struct cx_err *err)
{
	*more = false;
	cJSON *j = aws_json_doc(r, err);
	if (!j)
		return err->status;
	if (!s->out)
		s->out = cJSON_CreateArray();
	const cJSON *e;
	cJSON_ArrayForEach(e, json_arr(j, list))
	{
		if (cJSON_IsObject(e) && json_str(e, key))
			cJSON_AddItemToArray(s->out, cJSON_Duplicate(e, true));
	}
	opkit_json_next_token(j, &s->token, more);
	cJSON_Delete(j);
	return CX_OK;
}

static void list_exec_build(void *stp, struct aws_req *rq)
{
	arn_paged_build(stp, rq, "ExportArn");
}

static enum cx_status list_exec_parse(void *stp, const struct http_response *r, bool *more,
                                      struct cx_err *err)
{
	return arn_paged_collect(stp, r, more, "Executions", "ExecutionId", err);
}

static const struct aws_op_def list_exec_def = {
    AWS_BCM_DATA_EXPORTS, AWS_PROTO_JSON, "ListExecutions", list_exec_build, list_exec_parse, NULL};

struct aws_op *bcm_list_executions_op(const char *arn)
{
	return exec_op(&list_exec_def, arn, NULL);
}

const cJSON *bcm_list_executions_result(const struct aws_op *op)
{
	return ((struct exec_st *)aws_op_state(op))->out;
}

static enum cx_status exec_run(struct aws_client *c, struct aws_op *op, cJSON **out,
                               struct cx_err *err)
{
	struct exec_st *s = aws_op_state(op);
	enum cx_status st = aws_op_run(c, op, err);
	*out = NULL;
	if (st == CX_OK) {
		*out = s->out ? s->out : cJSON_CreateArray();
		s->out = NULL;
	}
	aws_op_free(op);
	return st;
}

enum cx_status bcm_list_executions(struct aws_client *c, const char *arn, cJSON **out,
                                   struct cx_err *err)
{
	return exec_run(c, bcm_list_executions_op(arn), out, err);
}

static void get_exec_build(void *stp, struct aws_req *rq)
{
	struct exec_st *s = stp;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "ExportArn", s->arn);
	cJSON_AddStringToObject(j, "ExecutionId", s->id ? s->id : "");
	aws_req_json(rq, j);
	cJSON_Delete(j);
}

static enum cx_status get_exec_parse(void *stp, const struct http_response *r, bool *more,
                                     struct cx_err *err)
{
	struct exec_st *s = stp;
	*more = false;
	cJSON *j = aws_json_doc(r, err);
	if (!j)
		return err->status;
	if (!json_obj(j, "ExecutionStatus")) {
		cJSON_Delete(j);
		return cx_err_set(err, CX_E_PARSE, "GetExecution answer without ExecutionStatus");
	}
	cJSON_Delete(s->out);
	s->out = j;
	return CX_OK;
}

static const struct aws_op_def get_exec_def = {AWS_BCM_DATA_EXPORTS, AWS_PROTO_JSON, "GetExecution",
                                               get_exec_build,       get_exec_parse, NULL};

struct aws_op *bcm_get_execution_op(const char *arn, const char *execution_id)
{
	return exec_op(&get_exec_def, arn, execution_id ? execution_id : "");
}

const cJSON *bcm_get_execution_result(const struct aws_op *op)
{
	return ((struct exec_st *)aws_op_state(op))->out;
}

enum cx_status bcm_get_execution(struct aws_client *c, const char *arn, const char *execution_id,
                                 cJSON **out, struct cx_err *err)
{
	return exec_run(c, bcm_get_execution_op(arn, execution_id), out, err);
}

/* ListTagsForResource: {"ResourceArn", "NextToken", "MaxResults"} -> {"ResourceTags": [{Key,
 * Value}], "NextToken"} (botocore bcm-data-exports ListTagsForResourceRequest/Response). */
static void list_tags_build(void *stp, struct aws_req *rq)
{
	arn_paged_build(stp, rq, "ResourceArn");
}

static enum cx_status list_tags_parse(void *stp, const struct http_response *r, bool *more,
                                      struct cx_err *err)
{
	return arn_paged_collect(stp, r, more, "ResourceTags", "Key", err);
}

static const struct aws_op_def list_tags_def = {AWS_BCM_DATA_EXPORTS,  AWS_PROTO_JSON,
                                                "ListTagsForResource", list_tags_build,
                                                list_tags_parse,       NULL};

struct aws_op *bcm_list_tags_op(const char *arn)
{
	return exec_op(&list_tags_def, arn, NULL);
}

const cJSON *bcm_list_tags_result(const struct aws_op *op)
{
	return ((struct exec_st *)aws_op_state(op))->out;
}

enum cx_status bcm_list_tags(struct aws_client *c, const char *arn, cJSON **out, struct cx_err *err)
{
	return exec_run(c, bcm_list_tags_op(arn), out, err);
}
