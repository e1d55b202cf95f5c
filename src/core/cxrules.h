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

/* Reports / exports the server sees: the first page of its listing. */
#define CX_LEGACY_PAGE  5
#define CX_EXPORTS_PAGE 20

/* The part of a Data Export (GetExport's Export object) whose absence makes OptScale's
 * listing fail (aws.py Aws._find_exports): "DataQuery.TableConfigurations", a non-empty
 * COST_AND_USAGE_REPORT entry without "TIME_GRANULARITY", or one of the S3 destination's
 * fields; NULL when the listing copes with it. */
const char *cx_export_breaks_listing(const cJSON *def);

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

#endif
