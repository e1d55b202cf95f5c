/* Export bodies (goldens), column filtering, every acceptance rule, comparison. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/export.h"
#include "core_test.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

static struct export_spec spec(bool legacy)
{
	struct export_spec s = {.legacy = legacy,
	                        .name = legacy ? "certerox-cur" : "certerox-cur2",
	                        .bucket = "acme-billing",
	                        .prefix = "reports",
	                        .region = "eu-west-1",
	                        .granularity = ANSWERS_DAILY,
	                        .format = ANSWERS_CSV,
	                        .split_cost_allocation = !legacy};
	return s;
}

static void body_golden(const char *name, const struct export_spec *s)
{
	struct cx_err e;
	cJSON *b = export_create_body(s, &e);
	ck_assert_ptr_nonnull(b);
	char *t = json_pretty(b);
	ct_golden(name, t);
	free(t);
	cJSON_Delete(b);
}

START_TEST(bodies)
{
	struct export_spec s = spec(false);
	body_golden("export-cur2-csv-daily.json", &s);
	s.format = ANSWERS_PARQUET;
	s.granularity = ANSWERS_HOURLY;
	s.split_cost_allocation = false;
	s.region = "us-east-1";
	body_golden("export-cur2-parquet-hourly.json", &s);
	s = spec(true);
	body_golden("export-legacy-csv.json", &s);
	s.format = ANSWERS_PARQUET;
	s.granularity = ANSWERS_HOURLY;
	body_golden("export-legacy-parquet.json", &s);
}
END_TEST

START_TEST(columns)
{
	struct cx_err e;
	char *all = export_cur2_query(true, true, &e);
	ck_assert(str_starts_with(all, "SELECT bill_bill_type, "));
	/* data/cur2-columns.txt has the split cost allocation columns of the CUR 2.0 table
	 * dictionary (the query selects them only when split data is on) */
	ck_assert(str_ends_with(all, ", split_line_item_unused_cost FROM COST_AND_USAGE_REPORT"));
	ck_assert_ptr_nonnull(strstr(all, ", line_item_resource_id, "));
	char *nosplit = export_cur2_query(true, false, &e);
	ck_assert(
	    str_ends_with(nosplit, ", savings_plan_used_commitment FROM COST_AND_USAGE_REPORT"));
	ck_assert_ptr_null(strstr(nosplit, "split_line_item_"));
	size_t nsplit = 0;
	for (const char *p = all; (p = strstr(p, "split_line_item_")) != NULL; p++)
		nsplit++;
	ck_assert_uint_eq(nsplit, 11);
	free(nosplit);
	char *nores = export_cur2_query(false, true, &e);
	ck_assert_ptr_null(strstr(nores, "line_item_resource_id"));
	ck_assert_uint_eq(strlen(all) - strlen(nores), strlen(", line_item_resource_id"));
	/* split_line_item_* only with INCLUDE_SPLIT_COST_ALLOCATION_DATA: use a data dir whose
	 * column list has them */
	char dir[] = "/tmp/cx-cols-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *path = xasprintf("%s/cur2-columns.txt", dir);
	FILE *f = fopen(path, "w");
	fputs("bill_bill_type\nline_item_resource_id\nsplit_line_item_split_cost\n"
	      "split_line_item_parent_resource_id\n",
	      f);
	fclose(f);
	char *old = xstrdup(getenv("CERTEROX_DATADIR"));
	setenv("CERTEROX_DATADIR", dir, 1);
	char *q1 = export_cur2_query(true, true, &e);
	char *q2 = export_cur2_query(true, false, &e);
	ck_assert_str_eq(
	    q1, "SELECT bill_bill_type, line_item_resource_id, split_line_item_split_cost, "
	        "split_line_item_parent_resource_id FROM COST_AND_USAGE_REPORT");
	ck_assert_str_eq(q2,
	                 "SELECT bill_bill_type, line_item_resource_id FROM COST_AND_USAGE_REPORT");
	if (old)
		setenv("CERTEROX_DATADIR", old, 1);
	else
		unsetenv("CERTEROX_DATADIR");
	unlink(path);
	rmdir(dir);
	free(old);
	free(path);
	free(q1);
	free(q2);
	free(all);
	free(nores);
}
END_TEST

static void set_path(cJSON *o, const char *const *keys, cJSON *v)
{
	for (size_t i = 0; keys[i + 1]; i++)
		o = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
	ck_assert_ptr_nonnull(o);
	const char *last = keys[0];
	for (size_t i = 0; keys[i]; i++)
		last = keys[i];
	if (v)
		cJSON_ReplaceItemInObjectCaseSensitive(o, last, v);
	else
		cJSON_DeleteItemFromObjectCaseSensitive(o, last);
}

static void expect_reason(bool legacy, const char *const *keys, cJSON *v,
                          const struct export_spec *dest, const char *reason)
{
	struct export_spec s = spec(legacy);
	struct cx_err e;
	cJSON *d = legacy ? export_legacy_definition(&s) : export_cur2_definition(&s, &e);
	ck_assert(export_accept(d, legacy, &s, NULL));
	set_path(d, keys, v);
	struct strv r = STRV_INIT;
	ck_assert(!export_accept(d, legacy, dest, &r));
	ck_assert_uint_eq(r.n, 1);
	ck_assert_str_eq(r.v[0], reason);
	strv_free(&r);
	cJSON_Delete(d);
}

#define K(...) ((const char *const[]){__VA_ARGS__, NULL})

START_TEST(accept_cur2)
{
	struct export_spec dest = spec(false);
	expect_reason(
	    false,
	    K("DataQuery", "TableConfigurations", "COST_AND_USAGE_REPORT", "TIME_GRANULARITY"),
	    cJSON_CreateString("MONTHLY"), NULL,
	    "Invalid report configuration: TIME_GRANULARITY must be DAILY or HOURLY");
	expect_reason(
	    false,
	    K("DestinationConfigurations", "S3Destination", "S3OutputConfigurations", "Format"),
	    cJSON_CreateString("CSV"), NULL,
	    "Invalid report configuration: Format must be TEXT_OR_CSV or PARQUET");
	expect_reason(
	    false,
	    K("DestinationConfigurations", "S3Destination", "S3OutputConfigurations", "Overwrite"),
	    cJSON_CreateString("CREATE_NEW_REPORT"), NULL,
	    "Invalid report configuration: Overwrite must be OVERWRITE_REPORT");
	expect_reason(false, K("DataQuery", "QueryStatement"),
	              cJSON_CreateString("SELECT a FROM CARBON_EMISSIONS"), NULL,
	              "Invalid report configuration: table must be COST_AND_USAGE_REPORT");
	expect_reason(false, K("DestinationConfigurations", "S3Destination", "S3Bucket"),
	              cJSON_CreateString("other"), &dest,
	              "Invalid report configuration: S3Bucket must be acme-billing");
	expect_reason(false, K("DestinationConfigurations", "S3Destination", "S3Prefix"),
	              cJSON_CreateString("cur"), &dest,
	              "Invalid report configuration: S3Prefix must be reports");
	expect_reason(false, K("DestinationConfigurations", "S3Destination", "S3Region"),
	              cJSON_CreateString("us-east-1"), &dest,
	              "Invalid report configuration: S3Region must be eu-west-1");
	/* trailing "/" does not matter; without dest the destination is not checked */
	struct export_spec s = spec(false);
	struct cx_err e;
	cJSON *d = export_cur2_definition(&s, &e);
	set_path(d, K("DestinationConfigurations", "S3Destination", "S3Prefix"),
	         cJSON_CreateString("reports/"));
	ck_assert(export_accept(d, false, &dest, NULL));
	set_path(d, K("DestinationConfigurations", "S3Destination", "S3Bucket"),
	         cJSON_CreateString("zzz"));
	ck_assert(export_accept(d, false, NULL, NULL));
	/* several failures: one reason each */
	set_path(d,
	         K("DataQuery", "TableConfigurations", "COST_AND_USAGE_REPORT", "TIME_GRANULARITY"),
	         cJSON_CreateString("MONTHLY"));
	set_path(
	    d,
	    K("DestinationConfigurations", "S3Destination", "S3OutputConfigurations", "Overwrite"),
	    cJSON_CreateString("CREATE_NEW_REPORT"));
	struct strv r = STRV_INIT;
	ck_assert(!export_accept(d, false, &dest, &r));
	ck_assert_uint_eq(r.n, 3);
	strv_free(&r);
	cJSON_Delete(d);
}
END_TEST

START_TEST(accept_legacy)
{
	struct export_spec dest = spec(true);
	expect_reason(true, K("TimeUnit"), cJSON_CreateString("MONTHLY"), NULL,
	              "Invalid report configuration: TimeUnit must be DAILY or HOURLY");
	expect_reason(true, K("Format"), cJSON_CreateString("csv"), NULL,
	              "Invalid report configuration: Format must be textORcsv or Parquet");
	expect_reason(true, K("Compression"), cJSON_CreateString("BZIP2"), NULL,
	              "Invalid report configuration: Compression must be ZIP, GZIP or Parquet");
	expect_reason(
	    true, K("AdditionalSchemaElements"), cJSON_CreateArray(), NULL,
	    "Invalid report configuration: AdditionalSchemaElements must be [\"RESOURCES\"]");
	expect_reason(true, K("RefreshClosedReports"), cJSON_CreateFalse(), NULL,
	              "Invalid report configuration: RefreshClosedReports must be true");
	expect_reason(true, K("RefreshClosedReports"), NULL, NULL,
	              "Invalid report configuration: RefreshClosedReports must be true");
	expect_reason(true, K("ReportVersioning"), cJSON_CreateString("CREATE_NEW_REPORT"), NULL,
	              "Invalid report configuration: ReportVersioning must be OVERWRITE_REPORT");
	expect_reason(true, K("S3Bucket"), cJSON_CreateString("x"), &dest,
	              "Invalid report configuration: S3Bucket must be acme-billing");
	expect_reason(true, K("S3Prefix"), cJSON_CreateString(""), &dest,
	              "Invalid report configuration: S3Prefix must be reports");
	expect_reason(true, K("S3Region"), cJSON_CreateString("eu-west-2"), &dest,
	              "Invalid report configuration: S3Region must be eu-west-1");
	/* GZIP is accepted too */
	struct export_spec s = spec(true);
	cJSON *d = export_legacy_definition(&s);
	set_path(d, K("Compression"), cJSON_CreateString("GZIP"));
	ck_assert(export_accept(d, true, &dest, NULL));
	cJSON_Delete(d);
	/* split data on a legacy report: SPLIT_COST_ALLOCATION_DATA beside RESOURCES, which
	 * OptScale's equality on ['RESOURCES'] refuses (issue 13 C8) */
	s.split_cost_allocation = true;
	d = export_legacy_definition(&s);
	char *ase = json_compact(cJSON_GetObjectItem(d, "AdditionalSchemaElements"));
	ck_assert_str_eq(ase, "[\"RESOURCES\",\"SPLIT_COST_ALLOCATION_DATA\"]");
	free(ase);
	struct strv r = STRV_INIT;
	ck_assert(!export_accept(d, true, &dest, &r));
	ck_assert_uint_eq(r.n, 1);
	ck_assert_str_eq(
	    r.v[0],
	    "Invalid report configuration: AdditionalSchemaElements must be [\"RESOURCES\"]");
	strv_free(&r);
	cJSON_Delete(d);
}
END_TEST

/* The default (true) is for CUR 2.0; a legacy report gets split data only when asked for. */
START_TEST(split_default)
{
	struct answers a;
	struct export_spec s;
	struct cx_err e;
	answers_init(&a);
	a.export.type = ANSWERS_LEGACY;
	export_spec_from_answers(&s, &a, "reports", "us-east-1");
	ck_assert(!s.split_cost_allocation);
	ck_assert(!export_legacy_split_asked(&a));
	answers_free(&a);
	answers_init(&a);
	const char *t = "{\"export\": {\"type\": \"legacy\", \"split_cost_allocation\": true}}";
	ck_assert_int_eq(answers_load_text(&a, t, strlen(t), &e), CX_OK);
	export_spec_from_answers(&s, &a, "reports", "us-east-1");
	ck_assert(s.split_cost_allocation);
	ck_assert(export_legacy_split_asked(&a));
	/* the saved answers keep it asked for; a default is not written, so stays a default */
	char *saved = answers_to_text(&a);
	ck_assert_ptr_nonnull(strstr(saved, "\"split_cost_allocation\": true"));
	free(saved);
	answers_free(&a);
	answers_init(&a);
	a.export.type = ANSWERS_LEGACY;
	saved = answers_to_text(&a);
	ck_assert_ptr_null(strstr(saved, "split_cost_allocation"));
	free(saved);
	answers_free(&a);
	answers_init(&a);
	export_spec_from_answers(&s, &a, "reports", "us-east-1");
	ck_assert(s.split_cost_allocation); /* CUR 2.0: on by default */
	answers_free(&a);
}
END_TEST

START_TEST(compare)
{
	struct export_spec s = spec(false);
	struct cx_err e;
	cJSON *ours = export_cur2_definition(&s, &e);
	cJSON *theirs = cJSON_Duplicate(ours, 1);
	cJSON_AddStringToObject(theirs, "ExportArn", "arn:x");
	set_path(theirs, K("Description"), cJSON_CreateString("by hand"));
	struct strv d = STRV_INIT;
	ck_assert(export_compare(theirs, ours, &d));
	/* GetExport adds BILLING_VIEW_ARN (the primary view) that was never sent: equal; another
	 * billing view, or a non-default property on one side only, is a difference */
	cJSON *ttc = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(theirs, "DataQuery"),
	                                     "TableConfigurations"),
	    "COST_AND_USAGE_REPORT");
	cJSON *otc = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ours, "DataQuery"),
	                                     "TableConfigurations"),
	    "COST_AND_USAGE_REPORT");
	cJSON_AddStringToObject(ttc, "BILLING_VIEW_ARN",
	                        "arn:aws:billing::123456789012:billingview/primary");
	ck_assert(export_compare(theirs, ours, &d));
	ck_assert_uint_eq(d.n, 0);
	cJSON_ReplaceItemInObjectCaseSensitive(
	    ttc, "BILLING_VIEW_ARN",
	    cJSON_CreateString("arn:aws:billing::123456789012:billingview/custom-1a2b"));
	ck_assert(!export_compare(theirs, ours, &d));
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.v[0],
	                 "DataQuery.TableConfigurations.COST_AND_USAGE_REPORT.BILLING_VIEW_ARN: "
	                 "arn:aws:billing::123456789012:billingview/custom-1a2b -> (absent)");
	strv_free(&d);
	cJSON_ReplaceItemInObjectCaseSensitive(
	    ttc, "BILLING_VIEW_ARN",
	    cJSON_CreateString("arn:aws:billing::123456789012:billingview/primary"));
	/* ours without a property whose default theirs has: equal; with a non-default: not */
	cJSON *manual = cJSON_DetachItemFromObject(otc, "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY");
	ck_assert(export_compare(theirs, ours, &d));
	cJSON_ReplaceItemInObjectCaseSensitive(ttc, "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY",
	                                       cJSON_CreateString("TRUE"));
	ck_assert(!export_compare(theirs, ours, &d));
	strv_free(&d);
	cJSON_AddItemToObject(otc, "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY", manual);
	cJSON_ReplaceItemInObjectCaseSensitive(ttc, "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY",
	                                       cJSON_CreateString("FALSE"));
	ck_assert(export_compare(theirs, ours, &d));
	/* column order and spacing do not matter */
	set_path(theirs, K("DataQuery", "QueryStatement"),
	         cJSON_CreateString(json_str(json_obj(ours, "DataQuery"), "QueryStatement")));
	ck_assert(export_compare(theirs, ours, &d));
	set_path(theirs,
	         K("DataQuery", "TableConfigurations", "COST_AND_USAGE_REPORT", "TIME_GRANULARITY"),
	         cJSON_CreateString("HOURLY"));
	set_path(theirs, K("DestinationConfigurations", "S3Destination", "S3Prefix"),
	         cJSON_CreateString("old"));
	set_path(theirs, K("DataQuery", "QueryStatement"),
	         cJSON_CreateString("SELECT bill_bill_type, extra_col FROM COST_AND_USAGE_REPORT"));
	ck_assert(!export_compare(theirs, ours, &d));
	char *j = strv_join(&d, "\n");
	ct_golden("export-compare.txt", j);
	free(j);
	strv_free(&d);
	cJSON_Delete(theirs);
	cJSON_Delete(ours);
	/* legacy: ReportStatus and empty AdditionalArtifacts ignored */
	s = spec(true);
	ours = export_legacy_definition(&s);
	theirs = cJSON_Duplicate(ours, 1);
	cJSON_AddItemToObject(theirs, "AdditionalArtifacts", cJSON_CreateArray());
	cJSON_AddItemToObject(theirs, "ReportStatus", cJSON_CreateObject());
	ck_assert(export_compare(theirs, ours, NULL));
	set_path(theirs, K("Compression"), cJSON_CreateString("GZIP"));
	ck_assert(!export_compare(theirs, ours, &d));
	ck_assert_str_eq(d.v[0], "Compression: GZIP -> ZIP");
	strv_free(&d);
	cJSON_Delete(theirs);
	cJSON_Delete(ours);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("core_export");
	TCase *t = tcase_create("export");
	tcase_add_test(t, bodies);
	tcase_add_test(t, columns);
	tcase_add_test(t, accept_cur2);
	tcase_add_test(t, split_default);
	tcase_add_test(t, accept_legacy);
	tcase_add_test(t, compare);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
