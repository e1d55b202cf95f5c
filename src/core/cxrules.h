/* cxrules.h - what OptScale's export listing does with the account's exports, and the
 * config_scheme that works despite it (issue 13 B4). The server (tools/cloud_adapter/clouds/
 * aws.py, Aws.find_reports) reads only the first page of DescribeReportDefinitions (5
 * reports) and of ListExports, and indexes parts of each Data Export without a check: an
 * export without them fails the whole submission with HTTP 500. bucket_only lists no export. */
#ifndef CX_CORE_CXRULES_H
#define CX_CORE_CXRULES_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/plan.h"
#include "core/strv.h"
#include "util/err.h"

/* Reports / exports the server sees: the first page of its listing. DescribeReportDefinitions
 * pages are 5 (botocore cur service-2.json: MaxResults min = max = 5), and an account holds at
 * most 5 reports (ReportLimitReachedException: "This account already has five reports"), so
 * every report is on it. ListExports' page without MaxResults is not documented (the model
 * allows 1 to 300): the page discovery saw (plan_facts.exports_first_page, its own ListExports
 * sent without MaxResults as OptScale's) is the one CerteroX sees; CX_EXPORTS_PAGE when
 * everything was on one page (the account's Data Exports quotas, 5 CUR 2.0 and 2 for each other
 * table, stay below it). */
#define CX_LEGACY_PAGE  5
#define CX_EXPORTS_PAGE 20

/* The part of a Data Export (GetExport's Export object) whose absence makes OptScale's
 * listing fail (aws.py Aws._find_exports): "DataQuery.TableConfigurations", a non-empty
 * COST_AND_USAGE_REPORT entry without "TIME_GRANULARITY", or one of the S3 destination's
 * fields; NULL when the listing copes with it. */
const char *cx_export_breaks_listing(const cJSON *def);

/* The page of Data Exports CerteroX's listing reads in the account of f. */
long cx_exports_page(const struct plan_facts *f);

/* The config_scheme for a Root connection, given the facts. *scheme ("find_report",
 * "create_report" or "bucket_only") may change to "bucket_only" when the listing cannot
 * work (an export it fails on, or ours beyond its first page) and bucket_only will: our
 * export has delivered files, or the prefix sent has no '/' (OptScale then accepts a
 * bucket without files yet). A warning names why. When nothing works: CX_E_INPUT naming
 * the export, the rule and the fix. name: the export the data source uses (NULL for
 * find_report without a candidate); ours: it is created by this run (not in the facts). */
enum cx_status cx_pick_scheme(const struct plan_facts *f, bool legacy, const char *name, bool ours,
                              const char *prefix_sent, bool delivered, const char **scheme,
                              struct strv *warnings, struct cx_err *err);

/* A legacy report the wizard makes with SPLIT_COST_ALLOCATION_DATA (issue 13 C8): OptScale's
 * find_report and create_report compare AdditionalSchemaElements with ['RESOURCES'] for
 * equality (tools/cloud_adapter/clouds/aws.py AWS.check_report_definition, applied to
 * DescribeReportDefinitions' answer by _configure_find_report and _configure_create_report),
 * so *scheme becomes "bucket_only", which reads only the bucket (AWS._configure_bucket_only),
 * with a warning saying why. Before the first delivery (delivered false) bucket_only accepts
 * only a prefix without '/'; any other: CX_E_INPUT naming export.split_cost_allocation, the
 * prefix and the fixes. name: the report; prefix: the one CerteroX is sent. */
enum cx_status cx_legacy_split_scheme(bool delivered, const char *name, const char *prefix,
                                      const char **scheme, struct strv *warnings,
                                      struct cx_err *err);

#endif
