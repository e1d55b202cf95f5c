/* cur.h - legacy Cost and Usage Report definitions (JSON 1.1, cur.us-east-1.amazonaws.com).
 * Sync and async forms as in client.h. DuplicateReportNameException and
 * ReportLimitReachedException = CX_E_CONFLICT; ValidationException = CX_E_INVALID. */
#ifndef CX_AWS_CUR_H
#define CX_AWS_CUR_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "aws/client.h"

struct cur_report {
	char *name;  /* ReportName */
	cJSON *json; /* the ReportDefinition object (owned) */
};
struct cur_report_list {
	struct cur_report *items;
	size_t n;
	cJSON *json; /* array of every ReportDefinitions[] entry (owned) */
};
void cur_report_list_free(struct cur_report_list *l);

/* DescribeReportDefinitions, every page (MaxResults 5, NextToken). */
struct aws_op *cur_describe_report_definitions_op(void);
const struct cur_report_list *cur_describe_report_definitions_result(const struct aws_op *op);
enum cx_status cur_describe_report_definitions(struct aws_client *c, struct cur_report_list *out,
                                               struct cx_err *err);

/* PutReportDefinition: request = {"ReportDefinition": {...}[, "Tags": [...]]}. */
struct aws_op *cur_put_report_definition_op(const cJSON *request);
enum cx_status cur_put_report_definition(struct aws_client *c, const cJSON *request,
                                         struct cx_err *err);

/* ModifyReportDefinition: request = {"ReportName": ..., "ReportDefinition": {...}}. */
struct aws_op *cur_modify_report_definition_op(const cJSON *request);
enum cx_status cur_modify_report_definition(struct aws_client *c, const cJSON *request,
                                            struct cx_err *err);

struct aws_op *cur_delete_report_definition_op(const char *name);
enum cx_status cur_delete_report_definition(struct aws_client *c, const char *name,
                                            struct cx_err *err);

#endif
