/* cxrules.c - OptScale's export listing and the config_scheme that works (see cxrules.h). */
#include "core/cxrules.h"

#include <stdio.h>
#include <string.h>

#include "util/json.h"
#include "util/str.h"

const char *cx_export_breaks_listing(const cJSON *def)
{
	/* aws.py Aws._find_exports: export['DestinationConfigurations']['S3Destination'],
	 * its 'S3OutputConfigurations' (Format, Compression, Overwrite), S3Bucket/Prefix/Region,
	 * export['DataQuery']['TableConfigurations'], then, for a non-empty
	 * COST_AND_USAGE_REPORT entry, ['TIME_GRANULARITY'] */
	const cJSON *s3 = json_obj(json_obj(def, "DestinationConfigurations"), "S3Destination");
	const cJSON *oc = json_obj(s3, "S3OutputConfigurations");
	if (!def)
		return NULL;
	if (!s3)
		return "DestinationConfigurations.S3Destination";
	if (!oc)
		return "S3OutputConfigurations";
	const cJSON *tc = json_obj(json_obj(def, "DataQuery"), "TableConfigurations");
	if (!tc)
		return "DataQuery.TableConfigurations";
	const cJSON *cur = json_obj(tc, "COST_AND_USAGE_REPORT");
	if (!cur || !cur->child) /* another table, or no properties: skipped */
		return NULL;
	static const char *const keys[] = {"TIME_GRANULARITY", "Format",   "Compression",
	                                   "S3Bucket",         "S3Prefix", "S3Region",
	                                   "Overwrite",        NULL};
	for (int i = 0; keys[i]; i++) {
		const cJSON *in = i == 0 ? cur : (i <= 2 || i == 6) ? oc : s3;
		if (!cJSON_HasObjectItem(in, keys[i]))
			return keys[i];
	}
	return NULL;
}

long cx_exports_page(const struct plan_facts *f)
{
	return f->exports_first_page ? (long)f->exports_first_page : CX_EXPORTS_PAGE;
}

/* The position of name among the account's exports of the kind (listing order), or -1. */
static long position(const struct plan_facts *f, bool legacy, const char *name)
{
	long n = 0;
	for (size_t i = 0; i < f->nexports; i++) {
		if (f->exports[i].legacy != legacy)
			continue;
		if (name && str_eq(f->exports[i].name, name))
			return n;
		n++;
	}
	return -1;
}

enum cx_status cx_pick_scheme(const struct plan_facts *f, bool legacy, const char *name, bool ours,
                              const char *prefix_sent, bool delivered, const char **scheme,
                              struct strv *warnings, struct cx_err *err)
{
	if (str_eq(*scheme, "bucket_only"))
		return CX_OK;
	const char *kind = legacy ? "legacy CUR report" : "Data Export";
	long page = legacy ? CX_LEGACY_PAGE : cx_exports_page(f);
	char why[512] = "";
	/* an export the listing fails on (CUR 2.0 only: legacy definitions are returned whole) */
	for (size_t i = 0, n = 0; !legacy && i < f->nexports && (long)n < page; i++) {
		if (f->exports[i].legacy)
			continue;
		n++;
		const char *part = cx_export_breaks_listing(f->exports[i].definition);
		if (part) {
			snprintf(
			    why, sizeof(why),
			    "Data Export %s has no %s, and CerteroX's listing of the account's "
			    "exports fails on it (HTTP 500; OptScale aws.py _find_exports)",
			    f->exports[i].name ? f->exports[i].name : "?", part);
			break;
		}
	}
	long pos = name ? position(f, legacy, name) : -1;
	if (!why[0] && pos >= page)
		snprintf(
		    why, sizeof(why),
		    "%s %s is number %ld of the account's listing, and CerteroX reads only the "
		    "first %ld",
		    kind, name, pos + 1, page);
	/* one this run creates: on the first page only if that page has room (AWS lists the
	 * account's exports in an order it does not document) */
	long count = 0;
	for (size_t i = 0; i < f->nexports; i++)
		count += f->exports[i].legacy == legacy;
	if (!why[0] && name && ours && pos < 0 && count >= page)
		snprintf(why, sizeof(why),
		         "the account's listing already fills the first page of %ld %ss that "
		         "CerteroX reads, so the new %s %s may not be on it",
		         page, kind, kind, name);
	if (!why[0])
		return CX_OK;
	bool flat = prefix_sent && !strchr(prefix_sent, '/');
	if (name && (delivered || flat)) {
		strv_add(warnings,
		         "export: %s; CerteroX is asked to read bucket files instead "
		         "(\"bucket_only\"%s)",
		         why, delivered ? "" : ": it accepts the prefix before the first delivery");
		*scheme = "bucket_only";
		return CX_OK;
	}
	return cx_err_set(
	    err, CX_E_INPUT,
	    "export: %s; no config_scheme can work: fix or delete that export, or use "
	    "a prefix without '/' (export.prefix) so that CerteroX can read the "
	    "bucket before the first delivery",
	    why);
}

enum cx_status cx_legacy_split_scheme(bool delivered, const char *name, const char *prefix,
                                      const char **scheme, struct strv *warnings,
                                      struct cx_err *err)
{
	if (!delivered && prefix && strchr(prefix, '/'))
		return cx_err_set(
		    err, CX_E_INPUT,
		    "export.split_cost_allocation: the legacy CUR report %s has "
		    "AdditionalSchemaElements [\"RESOURCES\", \"SPLIT_COST_ALLOCATION_DATA\"], "
		    "which CerteroX reads only with config_scheme \"bucket_only\" (OptScale aws.py "
		    "AWS.check_report_definition requires [\"RESOURCES\"] exactly), and "
		    "bucket_only "
		    "accepts export.prefix \"%s\" (it has a '/') only after AWS's first delivery: "
		    "use a prefix without '/', export.type \"cur2\" (its split columns), or "
		    "split_cost_allocation false",
		    name ? name : "", prefix);
	*scheme = "bucket_only";
	strv_add(warnings,
	         "export.split_cost_allocation: the legacy CUR report %s has "
	         "AdditionalSchemaElements [\"RESOURCES\", \"SPLIT_COST_ALLOCATION_DATA\"]; "
	         "CerteroX's find_report and create_report accept only [\"RESOURCES\"] (OptScale "
	         "aws.py AWS.check_report_definition), so CerteroX is asked to read the bucket's "
	         "files instead (\"bucket_only\"%s)",
	         name ? name : "",
	         delivered ? "" : ": it accepts the prefix before the first delivery");
	return CX_OK;
}
