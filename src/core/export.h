/* export.h - CUR 2.0 export and legacy CUR report definitions, CerteroX's acceptance rules
 * (certerox-api.md section 5) and the comparison with an existing definition. */
#ifndef CX_CORE_EXPORT_H
#define CX_CORE_EXPORT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core/answers.h"
#include "core/strv.h"
#include "util/err.h"

#define EXPORT_TABLE       "COST_AND_USAGE_REPORT"
#define EXPORT_DESCRIPTION "CerteroX data export"

/* What we want (strings borrowed). */
struct export_spec {
	bool legacy;
	const char *name; /* Data Export name / report name */
	const char *bucket;
	const char *prefix; /* normalised: no trailing "/" */
	const char *region; /* the bucket's region */
	enum answers_granularity granularity;
	enum answers_format format;
	/* CUR 2.0: INCLUDE_SPLIT_COST_ALLOCATION_DATA and the split_line_item_* columns; legacy:
	 * SPLIT_COST_ALLOCATION_DATA beside RESOURCES in AdditionalSchemaElements, only when
	 * asked for explicitly (export_legacy_split_asked) */
	bool split_cost_allocation;
};

/* Fills spec from the answers' export section (name = answers_export_name) and region.
 * Pointers borrow from a, prefix_normalised and region. */
void export_spec_from_answers(struct export_spec *spec, const struct answers *a,
                              const char *prefix_normalised, const char *region);

/* A legacy report with split cost allocation data was asked for: connect, root, legacy, and
 * export.split_cost_allocation given as true (its default, true, is for CUR 2.0). OptScale
 * accepts such a report only with config_scheme "bucket_only": find_report and create_report
 * require AdditionalSchemaElements == ["RESOURCES"] exactly (tools/cloud_adapter/clouds/
 * aws.py AWS.check_report_definition, applied by _configure_find_report and
 * _configure_create_report to DescribeReportDefinitions' answer); bucket_only reads only the
 * bucket's files (AWS._configure_bucket_only). */
bool export_legacy_split_asked(const struct answers *a);

/* "SELECT c1, c2, ... FROM COST_AND_USAGE_REPORT" with the columns of data/cur2-columns.txt,
 * dropping line_item_resource_id unless include_resources and split_line_item_* unless
 * include_split (AWS rejects columns the table properties do not enable). Caller frees;
 * NULL + CX_E_IO when the file cannot be read. */
char *export_cur2_query(bool include_resources, bool include_split, struct cx_err *err);
/* The Export object of CreateExport/UpdateExport (Name, Description, DataQuery,
 * DestinationConfigurations, RefreshCadence). Caller frees. */
cJSON *export_cur2_definition(const struct export_spec *spec, struct cx_err *err);
/* The legacy ReportDefinition (ReportName, TimeUnit, Format, Compression,
 * AdditionalSchemaElements ["RESOURCES"] (+ "SPLIT_COST_ALLOCATION_DATA" with
 * split_cost_allocation), S3Bucket, S3Prefix, S3Region,
 * RefreshClosedReports true, ReportVersioning OVERWRITE_REPORT). Caller frees. */
cJSON *export_legacy_definition(const struct export_spec *spec);
/* Request bodies: {"Export": ...} / {"ReportDefinition": ...}. Caller frees. */
cJSON *export_create_body(const struct export_spec *spec, struct cx_err *err);

/* The legacy CUR API delivers only to a bucket in a region its S3Region enum lists (botocore
 * cur 2017-01-06 service-2.json, shape AWSRegion); newer regions (ca-west-1, il-central-1,
 * mx-central-1, ap-southeast-4/5/7, ap-east-2, ...) are refused with ValidationException. */
bool export_legacy_region_supported(const char *region);
/* The enum as one ", "-separated string (static). */
const char *export_legacy_regions(void);

/* CerteroX's acceptance rules for an existing Data Export (GetExport's Export object) or
 * legacy ReportDefinition. One reason per failed rule, appended to reasons (may be NULL) as
 * "Invalid report configuration: <Key> must be <value>". When dest is not NULL its bucket,
 * prefix and region must match too (what "create_report" checks for a same-name export).
 * Returns true when every rule passes. */
bool export_accept(const cJSON *existing, bool legacy, const struct export_spec *dest,
                   struct strv *reasons);

/* A legacy ReportDefinition whose AdditionalSchemaElements list SPLIT_COST_ALLOCATION_DATA. */
bool export_legacy_has_split(const cJSON *def);
/* export_accept of a legacy report with SPLIT_COST_ALLOCATION_DATA taken out of its
 * AdditionalSchemaElements: the rules bucket_only would still need when OptScale's equality on
 * ['RESOURCES'] is avoided (core/cxrules.h cx_legacy_split_scheme). */
bool export_accept_legacy_split(const cJSON *def, const struct export_spec *dest,
                                struct strv *reasons);

/* Compares an existing definition (theirs) with ours (from export_cur2_definition /
 * export_legacy_definition). Ignores ExportArn, Description, ReportStatus, BillingViewArn
 * and empty AdditionalArtifacts; lists compare as sets; the query compares as a column set.
 * A table property on one side only is equal when it has AWS's default value
 * (BILLING_VIEW_ARN of the primary billing view, which GetExport adds, included).
 * Appends "path: theirs -> ours" per difference to diffs (may be NULL). True when equal. */
bool export_compare(const cJSON *theirs, const cJSON *ours, struct strv *diffs);

#endif
