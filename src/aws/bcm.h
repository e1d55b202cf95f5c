/* bcm.h - AWS Billing and Cost Management Data Exports (JSON 1.1,
 * bcm-data-exports.us-east-1.api.aws). Request documents are built by the caller (core
 * module) as cJSON; answers are returned parsed as cJSON plus the key fields as C strings.
 * Sync and async forms as in client.h. Errors: ValidationException = CX_E_INVALID (message
 * includes the Fields), ResourceNotFoundException = CX_E_NOT_FOUND,
 * ServiceQuotaExceededException = CX_E_CONFLICT, AccessDeniedException = CX_E_DENIED. */
#ifndef CX_AWS_BCM_H
#define CX_AWS_BCM_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "aws/client.h"

/* One export as GetExport returns it. */
struct bcm_export {
	cJSON *json; /* the whole answer {"Export": {...}, "ExportStatus": {...}} (owned) */
	char *arn, *name;
	char *status_code;   /* HEALTHY | UNHEALTHY, or NULL */
	char *status_reason; /* INSUFFICIENT_PERMISSION | ... or NULL */
};
void bcm_export_free(struct bcm_export *e);

struct bcm_export_summary {
	char *arn, *name, *status_code, *status_reason;
};
struct bcm_export_list {
	struct bcm_export_summary *items;
	size_t n;
	cJSON *json; /* array of every Exports[] entry of every page (owned) */
	/* items on the first page when another page followed (0: all on one page). The request
	 * has no MaxResults, as OptScale's, so this is the page its listing reads. */
	size_t first_page;
};
void bcm_export_list_free(struct bcm_export_list *l);

/* CreateExport: request is the whole request document ({"Export": {...}, ...}); the ARN of
 * the new export in *arn_out (caller frees). */
struct aws_op *bcm_create_export_op(const cJSON *request);
const char *bcm_create_export_result(const struct aws_op *op); /* the ARN */
enum cx_status bcm_create_export(struct aws_client *c, const cJSON *request, char **arn_out,
                                 struct cx_err *err);

/* UpdateExport: request = {"ExportArn": ..., "Export": {...}}. */
struct aws_op *bcm_update_export_op(const cJSON *request);
const char *bcm_update_export_result(const struct aws_op *op);
enum cx_status bcm_update_export(struct aws_client *c, const cJSON *request, char **arn_out,
                                 struct cx_err *err);

struct aws_op *bcm_get_export_op(const char *arn);
const struct bcm_export *bcm_get_export_result(const struct aws_op *op);
enum cx_status bcm_get_export(struct aws_client *c, const char *arn, struct bcm_export *out,
                              struct cx_err *err);

/* ListExports, every page (NextToken). */
struct aws_op *bcm_list_exports_op(void);
const struct bcm_export_list *bcm_list_exports_result(const struct aws_op *op);
enum cx_status bcm_list_exports(struct aws_client *c, struct bcm_export_list *out,
                                struct cx_err *err);

struct aws_op *bcm_delete_export_op(const char *arn);
enum cx_status bcm_delete_export(struct aws_client *c, const char *arn, struct cx_err *err);

/* GetTable: properties is a JSON object of table properties or NULL. *out = the whole
 * answer ({"TableName", "Schema": [{Name, Type}...], ...}); caller cJSON_Deletes it. */
struct aws_op *bcm_get_table_op(const char *table, const cJSON *properties);
const cJSON *bcm_get_table_result(const struct aws_op *op);
enum cx_status bcm_get_table(struct aws_client *c, const char *table, const cJSON *properties,
                             cJSON **out, struct cx_err *err);

/* ListExecutions of an export, every page: the ExecutionReference objects
 * ({"ExecutionId", "ExecutionStatus": {StatusCode, StatusReason, CreatedAt, CompletedAt,
 * LastUpdatedAt}}) in AWS's order. Result: a cJSON array owned by the op; sync *out is the
 * caller's (cJSON_Delete). */
struct aws_op *bcm_list_executions_op(const char *arn);
const cJSON *bcm_list_executions_result(const struct aws_op *op);
enum cx_status bcm_list_executions(struct aws_client *c, const char *arn, cJSON **out,
                                   struct cx_err *err);
/* GetExecution: the whole answer {"ExecutionId", "Export", "ExecutionStatus"}. */
struct aws_op *bcm_get_execution_op(const char *arn, const char *execution_id);
const cJSON *bcm_get_execution_result(const struct aws_op *op);
enum cx_status bcm_get_execution(struct aws_client *c, const char *arn, const char *execution_id,
                                 cJSON **out, struct cx_err *err);

#endif
