#include "core/export.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/validate.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/str.h"

#define REASON "Invalid report configuration: "

void export_spec_from_answers(struct export_spec *spec, const struct answers *a,
                              const char *prefix_normalised, const char *region)
{
	memset(spec, 0, sizeof(*spec));
	spec->legacy = a->action == ANSWERS_CONNECT && a->export.type == ANSWERS_LEGACY;
	spec->name = answers_export_name(a);
	spec->bucket = a->export.bucket;
	spec->prefix = prefix_normalised;
	spec->region = region;
	spec->granularity = a->export.granularity;
	spec->format = a->export.format;
	/* the default (true) asks CUR 2.0 for the split_line_item_* columns; a legacy report
	 * gets SPLIT_COST_ALLOCATION_DATA only when the answers ask for it (see export.h) */
	spec->split_cost_allocation =
	    a->export.split_cost_allocation && (!spec->legacy || a->has_split);
}

bool export_legacy_split_asked(const struct answers *a)
{
	return a->action == ANSWERS_CONNECT && a->connection == ANSWERS_ROOT &&
	       a->export.type == ANSWERS_LEGACY && a->has_split && a->export.split_cost_allocation;
}

char *export_cur2_query(bool include_resources, bool include_split, struct cx_err *err)
{
	char *path = paths_data_file("cur2-columns.txt");
	char *text = paths_read_file(path, 256 * 1024, NULL);
	if (!text) {
		cx_err_set(err, CX_E_IO, "cannot read %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	free(path);
	struct buf b = BUF_INIT;
	buf_puts(&b, "SELECT ");
	size_t ncols = 0;
	char **lines = str_split(text, '\n', NULL);
	for (size_t i = 0; lines && lines[i]; i++) {
		char *c = str_trim(lines[i]);
		if (!*c || *c == '#')
			continue;
		if (!include_resources && strcmp(c, "line_item_resource_id") == 0)
			continue;
		if (!include_split && str_starts_with(c, "split_line_item_"))
			continue;
		if (ncols++)
			buf_puts(&b, ", ");
		buf_puts(&b, c);
	}
	str_list_free(lines);
	free(text);
	buf_puts(&b, " FROM " EXPORT_TABLE);
	return buf_steal(&b);
}

cJSON *export_cur2_definition(const struct export_spec *spec, struct cx_err *err)
{
	char *q = export_cur2_query(true, spec->split_cost_allocation, err);
	if (!q)
		return NULL;
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "Name", spec->name ? spec->name : "");
	cJSON_AddStringToObject(e, "Description", EXPORT_DESCRIPTION);
	cJSON *dq = cJSON_AddObjectToObject(e, "DataQuery");
	cJSON_AddStringToObject(dq, "QueryStatement", q);
	free(q);
	cJSON *tc = cJSON_AddObjectToObject(dq, "TableConfigurations");
	cJSON *t = cJSON_AddObjectToObject(tc, EXPORT_TABLE);
	cJSON_AddStringToObject(t, "TIME_GRANULARITY", answers_granularity_name(spec->granularity));
	cJSON_AddStringToObject(t, "INCLUDE_RESOURCES", "TRUE");
	cJSON_AddStringToObject(t, "INCLUDE_SPLIT_COST_ALLOCATION_DATA",
	                        spec->split_cost_allocation ? "TRUE" : "FALSE");
	cJSON_AddStringToObject(t, "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY", "FALSE");
	cJSON *dc = cJSON_AddObjectToObject(e, "DestinationConfigurations");
	cJSON *s3 = cJSON_AddObjectToObject(dc, "S3Destination");
	cJSON_AddStringToObject(s3, "S3Bucket", spec->bucket ? spec->bucket : "");
	cJSON_AddStringToObject(s3, "S3Prefix", spec->prefix ? spec->prefix : "");
	cJSON_AddStringToObject(s3, "S3Region", spec->region ? spec->region : "us-east-1");
	cJSON *oc = cJSON_AddObjectToObject(s3, "S3OutputConfigurations");
	bool pq = spec->format == ANSWERS_PARQUET;
	cJSON_AddStringToObject(oc, "OutputType", "CUSTOM");
	cJSON_AddStringToObject(oc, "Format", pq ? "PARQUET" : "TEXT_OR_CSV");
	cJSON_AddStringToObject(oc, "Compression", pq ? "PARQUET" : "GZIP");
	cJSON_AddStringToObject(oc, "Overwrite", "OVERWRITE_REPORT");
	cJSON *rc = cJSON_AddObjectToObject(e, "RefreshCadence");
	cJSON_AddStringToObject(rc, "Frequency", "SYNCHRONOUS");
	return e;
}

cJSON *export_legacy_definition(const struct export_spec *spec)
{
	bool pq = spec->format == ANSWERS_PARQUET;
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "ReportName", spec->name ? spec->name : "");
	cJSON_AddStringToObject(r, "TimeUnit", answers_granularity_name(spec->granularity));
	cJSON_AddStringToObject(r, "Format", pq ? "Parquet" : "textORcsv");
	cJSON_AddStringToObject(r, "Compression", pq ? "Parquet" : "ZIP");
	cJSON *ase = cJSON_AddArrayToObject(r, "AdditionalSchemaElements");
	cJSON_AddItemToArray(ase, cJSON_CreateString("RESOURCES"));
	if (spec->split_cost_allocation) /* botocore cur service-2.json, enum SchemaElement */
		cJSON_AddItemToArray(ase, cJSON_CreateString("SPLIT_COST_ALLOCATION_DATA"));
	cJSON_AddStringToObject(r, "S3Bucket", spec->bucket ? spec->bucket : "");
	cJSON_AddStringToObject(r, "S3Prefix", spec->prefix ? spec->prefix : "");
	cJSON_AddStringToObject(r, "S3Region", spec->region ? spec->region : "us-east-1");
	cJSON_AddBoolToObject(r, "RefreshClosedReports", true);
	cJSON_AddStringToObject(r, "ReportVersioning", "OVERWRITE_REPORT");
	return r;
}

cJSON *export_create_body(const struct export_spec *spec, struct cx_err *err)
{
	cJSON *def =
	    spec->legacy ? export_legacy_definition(spec) : export_cur2_definition(spec, err);
	if (!def)
		return NULL;
	cJSON *body = cJSON_CreateObject();
	cJSON_AddItemToObject(body, spec->legacy ? "ReportDefinition" : "Export", def);
	return body;
}

/* ---- legacy CUR regions ---- */

/* botocore data/cur/2017-01-06/service-2.json, shape AWSRegion (PutReportDefinition's
 * ReportDefinition.S3Region), in the model's order */
static const char *const cur_regions[] = {"af-south-1",
                                          "ap-east-1",
                                          "ap-south-1",
                                          "ap-south-2",
                                          "ap-southeast-1",
                                          "ap-southeast-2",
                                          "ap-southeast-3",
                                          "ap-northeast-1",
                                          "ap-northeast-2",
                                          "ap-northeast-3",
                                          "ca-central-1",
                                          "eu-central-1",
                                          "eu-central-2",
                                          "eu-west-1",
                                          "eu-west-2",
                                          "eu-west-3",
                                          "eu-north-1",
                                          "eu-south-1",
                                          "eu-south-2",
                                          "me-central-1",
                                          "me-south-1",
                                          "sa-east-1",
                                          "us-east-1",
                                          "us-east-2",
                                          "us-west-1",
                                          "us-west-2",
                                          "cn-north-1",
                                          "cn-northwest-1",
                                          NULL};

bool export_legacy_region_supported(const char *region)
{
	for (size_t i = 0; region && cur_regions[i]; i++)
		if (strcmp(region, cur_regions[i]) == 0)
			return true;
	return false;
}

const char *export_legacy_regions(void)
{
	static char all[512];
	if (!all[0])
		for (size_t i = 0; cur_regions[i]; i++) {
			size_t l = strlen(all);
			snprintf(all + l, sizeof(all) - l, "%s%s", i ? ", " : "", cur_regions[i]);
		}
	return all;
}

/* ---- acceptance ---- */

static const cJSON *path_get(const cJSON *o, const char *const *keys)
{
	for (size_t i = 0; keys[i] && o; i++)
		o = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
	return o;
}

static bool str_in(const cJSON *v, const char *const *allowed)
{
	if (!cJSON_IsString(v))
		return false;
	for (size_t i = 0; allowed[i]; i++)
		if (strcmp(v->valuestring, allowed[i]) == 0)
			return true;
	return false;
}

static bool query_uses_table(const char *q)
{
	/* "... FROM COST_AND_USAGE_REPORT" (case-insensitive FROM, any whitespace) */
	if (!q)
		return false;
	const char *p = q;
	while ((p = strstr(p, EXPORT_TABLE)) != NULL) {
		const char *b = p;
		while (b > q && isspace((unsigned char)b[-1]))
			b--;
		if (b - q >= 4 && strncasecmp(b - 4, "from", 4) == 0)
			return true;
		p += strlen(EXPORT_TABLE);
	}
	return false;
}

static void dest_rules(const cJSON *bucket, const cJSON *prefix, const cJSON *region,
                       const struct export_spec *dest, struct strv *r, bool *ok)
{
	if (!dest)
		return;
	if (!cJSON_IsString(bucket) || !str_eq(bucket->valuestring, dest->bucket)) {
		*ok = false;
		if (r)
			strv_add(r, REASON "S3Bucket must be %s", dest->bucket ? dest->bucket : "");
	}
	char *have = validate_prefix_normalize(cJSON_IsString(prefix) ? prefix->valuestring : "");
	char *want = validate_prefix_normalize(dest->prefix ? dest->prefix : "");
	if (!str_eq(have, want)) {
		*ok = false;
		if (r)
			strv_add(r, REASON "S3Prefix must be %s", want);
	}
	free(have);
	free(want);
	const char *reg =
	    cJSON_IsString(region) && *region->valuestring ? region->valuestring : "us-east-1";
	const char *wreg = dest->region ? dest->region : "us-east-1";
	if (strcmp(reg, wreg) != 0) {
		*ok = false;
		if (r)
			strv_add(r, REASON "S3Region must be %s", wreg);
	}
}

bool export_accept(const cJSON *x, bool legacy, const struct export_spec *dest, struct strv *r)
{
	bool ok = true;
#define RULE(cond, ...)                                                                            \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			ok = false;                                                                \
			if (r)                                                                     \
				strv_add(r, REASON __VA_ARGS__);                                   \
		}                                                                                  \
	} while (0)
	if (legacy) {
		static const char *const tu[] = {"DAILY", "HOURLY", NULL};
		static const char *const fm[] = {"textORcsv", "Parquet", NULL};
		static const char *const cp[] = {"ZIP", "GZIP", "Parquet", NULL};
		RULE(str_in(cJSON_GetObjectItemCaseSensitive(x, "TimeUnit"), tu),
		     "TimeUnit must be DAILY or HOURLY");
		RULE(str_in(cJSON_GetObjectItemCaseSensitive(x, "Format"), fm),
		     "Format must be textORcsv or Parquet");
		RULE(str_in(cJSON_GetObjectItemCaseSensitive(x, "Compression"), cp),
		     "Compression must be ZIP, GZIP or Parquet");
		const cJSON *ase = cJSON_GetObjectItemCaseSensitive(x, "AdditionalSchemaElements");
		RULE(cJSON_IsArray(ase) && cJSON_GetArraySize(ase) == 1 &&
		         cJSON_IsString(ase->child) &&
		         strcmp(ase->child->valuestring, "RESOURCES") == 0,
		     "AdditionalSchemaElements must be [\"RESOURCES\"]");
		RULE(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "RefreshClosedReports")),
		     "RefreshClosedReports must be true");
		RULE(str_eq(json_str(x, "ReportVersioning"), "OVERWRITE_REPORT"),
		     "ReportVersioning must be OVERWRITE_REPORT");
		dest_rules(cJSON_GetObjectItemCaseSensitive(x, "S3Bucket"),
		           cJSON_GetObjectItemCaseSensitive(x, "S3Prefix"),
		           cJSON_GetObjectItemCaseSensitive(x, "S3Region"), dest, r, &ok);
		return ok;
	}
	static const char *const k_tc[] = {"DataQuery", "TableConfigurations", EXPORT_TABLE, NULL};
	static const char *const k_q[] = {"DataQuery", "QueryStatement", NULL};
	static const char *const k_s3[] = {"DestinationConfigurations", "S3Destination", NULL};
	const cJSON *tc = path_get(x, k_tc);
	const cJSON *q = path_get(x, k_q);
	const cJSON *s3 = path_get(x, k_s3);
	const cJSON *oc = cJSON_GetObjectItemCaseSensitive(s3, "S3OutputConfigurations");
	static const char *const gr[] = {"DAILY", "HOURLY", NULL};
	static const char *const fm[] = {"TEXT_OR_CSV", "PARQUET", NULL};
	RULE(cJSON_IsObject(tc) && cJSON_IsString(q) && query_uses_table(q->valuestring),
	     "table must be " EXPORT_TABLE);
	RULE(str_in(cJSON_GetObjectItemCaseSensitive(tc, "TIME_GRANULARITY"), gr),
	     "TIME_GRANULARITY must be DAILY or HOURLY");
	RULE(str_in(cJSON_GetObjectItemCaseSensitive(oc, "Format"), fm),
	     "Format must be TEXT_OR_CSV or PARQUET");
	RULE(str_eq(json_str(oc, "Overwrite"), "OVERWRITE_REPORT"),
	     "Overwrite must be OVERWRITE_REPORT");
#undef RULE
	dest_rules(cJSON_GetObjectItemCaseSensitive(s3, "S3Bucket"),
	           cJSON_GetObjectItemCaseSensitive(s3, "S3Prefix"),
	           cJSON_GetObjectItemCaseSensitive(s3, "S3Region"), dest, r, &ok);
	return ok;
}

bool export_legacy_has_split(const cJSON *def)
{
	const cJSON *v;
	cJSON_ArrayForEach(
	    v, cJSON_GetObjectItemCaseSensitive(
	           def, "AdditionalSchemaElements")) if (cJSON_IsString(v) &&
	                                                 strcmp(v->valuestring,
	                                                        "SPLIT_COST_ALLOCATION_DATA") ==
	                                                     0) return true;
	return false;
}

bool export_accept_legacy_split(const cJSON *def, const struct export_spec *dest,
                                struct strv *reasons)
{
	cJSON *c = cJSON_Duplicate(def, true);
	cJSON *ase = cJSON_GetObjectItemCaseSensitive(c, "AdditionalSchemaElements");
	for (int i = cJSON_GetArraySize(ase) - 1; i >= 0; i--) {
		const cJSON *v = cJSON_GetArrayItem(ase, i);
		if (cJSON_IsString(v) && strcmp(v->valuestring, "SPLIT_COST_ALLOCATION_DATA") == 0)
			cJSON_DeleteItemFromArray(ase, i);
	}
	bool ok = export_accept(c, true, dest, reasons);
	cJSON_Delete(c);
	return ok;
}

/* ---- comparison ---- */

static bool ignored_key(const char *k)
{
	return str_eq(k, "ExportArn") || str_eq(k, "Description") || str_eq(k, "ReportStatus") ||
	       str_eq(k, "BillingViewArn");
}

/* A table property that AWS adds, or leaves out, when it has its default value: GetExport
 * answers with BILLING_VIEW_ARN (the account's primary billing view) although CreateExport
 * never sent it (terraform-provider-aws #43978), and a property at its default means the same
 * whether it is written or not. Such a property on one side only is no difference. Defaults:
 * ListTables' DefaultValue of each property of COST_AND_USAGE_REPORT. */
static bool aws_default_property(const char *path, const cJSON *prop)
{
	if (!str_eq(path, "DataQuery.TableConfigurations." EXPORT_TABLE) || !prop ||
	    !cJSON_IsString(prop) || !prop->string)
		return false;
	const char *k = prop->string, *v = prop->valuestring;
	if (str_eq(k, "BILLING_VIEW_ARN")) {
		/* arn:aws:billing::<12 digits>:billingview/primary (aws-cn, aws-us-gov too) */
		const char *p = strstr(v, ":billing::");
		if (!str_starts_with(v, "arn:") || !p)
			return false;
		p += strlen(":billing::");
		for (int i = 0; i < 12; i++, p++)
			if (!isdigit((unsigned char)*p))
				return false;
		return str_eq(p, ":billingview/primary");
	}
	static const char *const defaults[][2] = {
	    {"TIME_GRANULARITY", "HOURLY"},
	    {"INCLUDE_RESOURCES", "FALSE"},
	    {"INCLUDE_SPLIT_COST_ALLOCATION_DATA", "FALSE"},
	    {"INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY", "FALSE"}};
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (str_eq(k, defaults[i][0]))
			return str_eq(v, defaults[i][1]);
	return false;
}

static char *show(const cJSON *v)
{
	if (!v)
		return xstrdup("(absent)");
	if (cJSON_IsString(v))
		return str_printable(v->valuestring, 200);
	char *c = json_compact(v);
	char *p = str_printable(c, 200);
	free(c);
	return p;
}

static void query_columns(const char *q, struct strv *cols)
{
	if (!q)
		return;
	const char *s = q;
	while (isspace((unsigned char)*s))
		s++;
	if (strncasecmp(s, "select", 6) == 0)
		s += 6;
	const char *end = s + strlen(s);
	const char *f = s;
	while ((f = strstr(f, EXPORT_TABLE)) != NULL) {
		const char *b = f;
		while (b > s && isspace((unsigned char)b[-1]))
			b--;
		if (b - s >= 4 && strncasecmp(b - 4, "from", 4) == 0) {
			end = b - 4;
			break;
		}
		f += strlen(EXPORT_TABLE);
	}
	char *list = xstrndup(s, (size_t)(end - s));
	char **parts = str_split(list, ',', NULL);
	for (size_t i = 0; parts && parts[i]; i++) {
		char *c = str_trim(parts[i]);
		if (*c)
			strv_push(cols, c);
	}
	str_list_free(parts);
	free(list);
}

static bool compare_query(const char *path, const cJSON *a, const cJSON *b, struct strv *d)
{
	struct strv ca = STRV_INIT, cb = STRV_INIT, miss = STRV_INIT, extra = STRV_INIT;
	query_columns(a && cJSON_IsString(a) ? a->valuestring : NULL, &ca);
	query_columns(b && cJSON_IsString(b) ? b->valuestring : NULL, &cb);
	for (size_t i = 0; i < cb.n; i++)
		if (!strv_has(&ca, cb.v[i]))
			strv_push(&miss, cb.v[i]);
	for (size_t i = 0; i < ca.n; i++)
		if (!strv_has(&cb, ca.v[i]))
			strv_push(&extra, ca.v[i]);
	bool eq = !miss.n && !extra.n && cJSON_IsString(a) == cJSON_IsString(b) &&
	          query_uses_table(a && cJSON_IsString(a) ? a->valuestring : NULL);
	if (!eq && d) {
		for (struct strv *l = &miss; l; l = l == &miss ? &extra : NULL)
			if (l->n > 8) {
				size_t more = l->n - 6;
				for (size_t i = 6; i < l->n; i++)
					free(l->v[i]);
				l->n = 6;
				strv_add(l, "... %zu more", more);
			}
		char *m = strv_join(&miss, ", "), *x = strv_join(&extra, ", ");
		strv_add(d, "%s: %zu columns -> %zu columns (to add: %s; to remove: %s)", path,
		         ca.n, cb.n, miss.n ? m : "none", extra.n ? x : "none");
		free(m);
		free(x);
	}
	strv_free(&ca);
	strv_free(&cb);
	strv_free(&miss);
	strv_free(&extra);
	return eq;
}

static bool cmp(const char *path, const cJSON *a, const cJSON *b, struct strv *d)
{
	if (str_ends_with(path, "QueryStatement"))
		return compare_query(path, a, b, d);
	if (a && b && cJSON_IsObject(a) && cJSON_IsObject(b)) {
		bool eq = true;
		for (const cJSON *y = b->child; y; y = y->next) {
			if (ignored_key(y->string))
				continue;
			if (!cJSON_GetObjectItemCaseSensitive(a, y->string) &&
			    aws_default_property(path, y))
				continue;
			char *p = *path ? xasprintf("%s.%s", path, y->string) : xstrdup(y->string);
			if (!cmp(p, cJSON_GetObjectItemCaseSensitive(a, y->string), y, d))
				eq = false;
			free(p);
		}
		for (const cJSON *x = a->child; x; x = x->next) {
			if (ignored_key(x->string) ||
			    cJSON_GetObjectItemCaseSensitive(b, x->string))
				continue;
			if (str_eq(x->string, "AdditionalArtifacts") && cJSON_GetArraySize(x) == 0)
				continue;
			if (aws_default_property(path, x))
				continue;
			char *p = *path ? xasprintf("%s.%s", path, x->string) : xstrdup(x->string);
			if (!cmp(p, x, NULL, d))
				eq = false;
			free(p);
		}
		return eq;
	}
	if (a && b && json_equal(a, b, true))
		return true;
	if (d) {
		char *sa = show(a), *sb = show(b);
		strv_add(d, "%s: %s -> %s", path, sa, sb);
		free(sa);
		free(sb);
	}
	return false;
}

bool export_compare(const cJSON *theirs, const cJSON *ours, struct strv *diffs)
{
	return cmp("", theirs, ours, diffs);
}
