/* Validators (good and bad values with exact messages), cross-field rules, and the answers
 * loader / saver. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/answers.h"
#include "core/validate.h"
#include "core_test.h"
#include "util/mem.h"

typedef enum cx_status (*vfn)(const char *, const char *, struct cx_err *);

static void good(vfn f, const char *v)
{
	struct cx_err e;
	cx_err_clear(&e);
	ck_assert_msg(f(NULL, v, &e) == CX_OK, "\"%s\" refused: %s", v, e.msg);
}

static void bad(vfn f, const char *v, const char *msg)
{
	struct cx_err e;
	cx_err_clear(&e);
	ck_assert_msg(f(NULL, v, &e) == CX_E_INPUT, "\"%s\" accepted", v);
	ck_assert_str_eq(e.msg, msg);
}

START_TEST(account_id)
{
	good(validate_account_id, "123456789012");
	bad(validate_account_id, "12345678901",
	    "account_id: \"12345678901\" must be a 12-digit AWS account id (digits only)");
	bad(validate_account_id, "1234-5678-9012",
	    "account_id: \"1234-5678-9012\" must be a 12-digit AWS account id (digits only)");
	bad(validate_account_id, NULL, "account_id: is required");
}
END_TEST

START_TEST(bucket)
{
	good(validate_bucket, "acme-billing");
	good(validate_bucket, "a.b-c1");
	good(validate_bucket, "abc");
	bad(validate_bucket, "ab",
	    "export.bucket: \"ab\" must be 3 to 63 characters long (S3 bucket naming rules)");
	char longname[70];
	memset(longname, 'a', 64);
	longname[64] = '\0';
	struct cx_err e;
	ck_assert_int_eq(validate_bucket(NULL, longname, &e), CX_E_INPUT);
	bad(validate_bucket, "Acme",
	    "export.bucket: \"Acme\" may contain only lowercase letters, digits, dots and hyphens "
	    "(S3 bucket naming rules)");
	bad(validate_bucket, "acme_billing",
	    "export.bucket: \"acme_billing\" may contain only lowercase letters, digits, dots and "
	    "hyphens (S3 bucket naming rules)");
	bad(validate_bucket, "-acme",
	    "export.bucket: \"-acme\" must begin and end with a letter or digit (S3 bucket naming "
	    "rules)");
	bad(validate_bucket, "acme.",
	    "export.bucket: \"acme.\" must begin and end with a letter or digit (S3 bucket naming "
	    "rules)");
	bad(validate_bucket, "a..b",
	    "export.bucket: \"a..b\" must not contain two adjacent dots (S3 bucket naming rules)");
	bad(validate_bucket, "192.168.5.4",
	    "export.bucket: \"192.168.5.4\" must not be formatted as an IP address (S3 bucket "
	    "naming rules)");
	bad(validate_bucket, "xn--acme",
	    "export.bucket: \"xn--acme\" must not begin with \"xn--\" (S3 bucket naming rules)");
	bad(validate_bucket, "acme-s3alias",
	    "export.bucket: \"acme-s3alias\" must not end with \"-s3alias\" (S3 bucket naming "
	    "rules)");
	bad(validate_bucket, "acme--ol-s3",
	    "export.bucket: \"acme--ol-s3\" must not end with \"--ol-s3\" (S3 bucket naming "
	    "rules)");
	bad(validate_bucket, "ac\x01me",
	    "export.bucket: \"ac\\x01me\" may contain only lowercase letters, digits, dots and "
	    "hyphens (S3 bucket naming rules)");
}
END_TEST

static enum cx_status prefix_cur2(const char *f, const char *v, struct cx_err *e)
{
	return validate_prefix(f, v, false, e);
}
static enum cx_status prefix_legacy(const char *f, const char *v, struct cx_err *e)
{
	return validate_prefix(f, v, true, e);
}

START_TEST(prefix)
{
	good(prefix_cur2, "");
	good(prefix_cur2, "reports");
	good(prefix_cur2, "a/b/");
	good(prefix_cur2, "x:y;z<=>?@[\\_|+,");
	bad(prefix_cur2, "/reports", "export.prefix: \"/reports\" must not begin with \"/\"");
	bad(prefix_cur2, "my reports",
	    "export.prefix: \"my reports\" may contain only ASCII letters, digits and ! ' ( ) * + "
	    ", - . / : ; < = > ? @ [ \\ _ | (CerteroX prefix format)");
	good(prefix_legacy, "reports/cur/");
	good(prefix_legacy, "a!b-c_d.e*f'g(h)");
	bad(prefix_legacy, "a:b",
	    "export.prefix: \"a:b\" may contain only ASCII letters, digits and ! - _ . * ' ( ) / "
	    "(legacy CUR S3Prefix pattern)");
	char *n = validate_prefix_normalize("reports//");
	ck_assert_str_eq(n, "reports");
	free(n);
	char lp[300];
	memset(lp, 'a', 257);
	lp[257] = '\0';
	struct cx_err e;
	ck_assert_int_eq(validate_prefix(NULL, lp, true, &e), CX_E_INPUT);
	ck_assert_msg(strstr(e.msg, "must be at most 256 characters long") != NULL, "%s", e.msg);
	ck_assert_int_eq(validate_prefix(NULL, lp, false, &e), CX_OK);
}
END_TEST

START_TEST(names)
{
	good(validate_export_name, "certerox-cur2");
	good(validate_export_name, "A_b-9");
	bad(validate_export_name, "cur.2",
	    "export.name: \"cur.2\" must be 1 to 128 ASCII letters, digits, hyphens and "
	    "underscores "
	    "(Data Export name rules)");
	bad(validate_export_name, "",
	    "export.name: \"\" must be 1 to 128 ASCII letters, digits, hyphens and underscores "
	    "(Data "
	    "Export name rules)");
	good(validate_report_name, "certerox-cur");
	good(validate_report_name, "a!b.c*(d)'");
	bad(validate_report_name, "my report",
	    "export.name: \"my report\" must be 1 to 256 ASCII letters, digits and ! - _ . * ' ( ) "
	    "(legacy CUR report name rules)");
	good(validate_iam_user, "certerox+billing=x,y.z@w_-");
	bad(validate_iam_user, "certerox billing",
	    "iam.user: \"certerox billing\" must be 1 to 64 ASCII letters, digits and + = , . @ _ "
	    "- "
	    "(IAM user name rules)");
	char u65[70];
	memset(u65, 'u', 65);
	u65[65] = '\0';
	struct cx_err e;
	ck_assert_int_eq(validate_iam_user(NULL, u65, &e), CX_E_INPUT);
	u65[64] = '\0';
	ck_assert_int_eq(validate_iam_user(NULL, u65, &e), CX_OK);
	good(validate_iam_policy, "CerteroXReadOnly");
	bad(validate_iam_policy, "Read/Only",
	    "iam.readonly_policy: \"Read/Only\" must be 1 to 128 ASCII letters, digits and + = , . "
	    "@ _ - (IAM policy name rules)");
	good(validate_data_source_name, "AWS 123456789012");
	bad(validate_data_source_name, "   ",
	    "data_source.name: \"   \" must not be only whitespace");
	bad(validate_data_source_name, "",
	    "data_source.name: \"\" must be 1 to 255 characters long");
	bad(validate_data_source_name, "a\tb",
	    "data_source.name: \"a\\x09b\" must not contain control characters or invalid UTF-8");
}
END_TEST

START_TEST(region_and_url)
{
	good(validate_region, "us-east-1");
	good(validate_region, "eu-central-2");
	good(validate_region, "ap-southeast-5");
	bad(validate_region, "us-east-9",
	    "export.bucket_region: \"us-east-9\" is not a known AWS commercial region (e.g. "
	    "\"us-east-1\")");
	good(validate_certerox_url, "https://certerox.example.com");
	good(validate_certerox_url, "https://certerox.example.com:8443/x");
	good(validate_certerox_url, "http://127.0.0.1:8080");
	good(validate_certerox_url, "http://localhost:9/");
	good(validate_certerox_url, "http://[::1]:9");
	bad(validate_certerox_url, "http://certerox.example.com",
	    "certerox.url: \"http://certerox.example.com\" must start with https:// (http:// is "
	    "allowed only for a loopback address)");
	bad(validate_certerox_url, "http://127.evil.com",
	    "certerox.url: \"http://127.evil.com\" must start with https:// (http:// is allowed "
	    "only for a loopback address)");
	bad(validate_certerox_url, "ftp://x", "certerox.url: \"ftp://x\" must start with https://");
	bad(validate_certerox_url, "https://", "certerox.url: \"https://\" has no host name");
	bad(validate_certerox_url, "https://u:p@host",
	    "certerox.url: \"https://u:p@host\" must not contain user information (\"user@\")");
}
END_TEST

static enum cx_status load(struct answers *a, const char *text, struct cx_err *e)
{
	answers_init(a);
	cx_err_clear(e);
	return answers_load_text(a, text, strlen(text), e);
}

static void load_bad(const char *text, const char *msg)
{
	struct answers a;
	struct cx_err e;
	ck_assert_msg(load(&a, text, &e) == CX_E_INPUT, "accepted: %s", text);
	ck_assert_str_eq(e.msg, msg);
	/* a is unchanged (defaults) */
	ck_assert_str_eq(a.iam.user, "certerox-billing");
	answers_free(&a);
}

START_TEST(answers_loader)
{
	struct answers a;
	struct cx_err e;
	ck_assert_int_eq(load(&a, "{}", &e), CX_OK);
	ck_assert_int_eq(a.action, ANSWERS_CONNECT);
	ck_assert_str_eq(a.export.name, "certerox-cur2");
	ck_assert_str_eq(a.export.prefix, "reports");
	ck_assert(a.export.split_cost_allocation);
	ck_assert_ptr_null(a.data_source.name);
	answers_fill_defaults(&a, "123456789012", "eu-west-1");
	ck_assert_str_eq(a.data_source.name, "AWS 123456789012");
	ck_assert_str_eq(a.export.bucket_region, "eu-west-1");
	answers_free(&a);

	ck_assert_int_eq(load(&a, "{\"export\": {\"type\": \"legacy\"}}", &e), CX_OK);
	ck_assert_str_eq(a.export.name, "certerox-cur");
	answers_free(&a);

	load_bad("[]", "answers: must be a JSON object");
	load_bad("{\"colour\": 1}", "colour: unknown key");
	load_bad("{\"export\": {\"colour\": 1}}", "export.colour: unknown key");
	load_bad("{\"export\": {\"bucket\": 5}}", "export.bucket: must be a string");
	load_bad("{\"export\": {\"bucket\": null}}", "export.bucket: must be a string");
	load_bad("{\"export\": {\"create_bucket\": \"yes\"}}",
	         "export.create_bucket: must be true or false");
	load_bad("{\"export\": {\"type\": \"cur3\"}}",
	         "export.type: must be \"cur2\" or \"legacy\"");
	load_bad("{\"export\": {\"setup\": \"x\"}}",
	         "export.setup: must be \"wizard\", \"certerox\", \"existing\" or \"detect\"");
	load_bad("{\"export\": []}", "export: must be an object");
	load_bad("{\"action\": \"connect\", \"action\": \"migrate\"}", "action: duplicate key");
	load_bad("{\"iam\": {\"user\": \"a\\u0001b\"}}",
	         "iam.user: contains control characters or invalid UTF-8");
	load_bad("{\"iam\": {\"user\": \"\xff\"}}", "answers: not valid UTF-8");
	load_bad("{\"iam\": ", "answers: invalid JSON near byte 7");
	char *big = xmalloc(2000);
	memset(big, 'a', 1999);
	big[1999] = '\0';
	char *doc = xasprintf("{\"data_source\": {\"name\": \"%s\"}}", big);
	load_bad(doc, "data_source.name: longer than 1024 bytes");
	free(doc);
	free(big);
	char *huge = xmalloc(70000);
	memset(huge, ' ', 69999);
	huge[0] = '{';
	huge[69997] = '}';
	huge[69998] = '\0';
	struct answers h;
	answers_init(&h);
	ck_assert_int_eq(answers_load_text(&h, huge, 69998, &e), CX_E_INPUT);
	ck_assert_str_eq(e.msg, "answers: larger than 65536 bytes");
	answers_free(&h);
	free(huge);
}
END_TEST

START_TEST(answers_roundtrip_and_override)
{
	struct answers a, b;
	struct cx_err e;
	const char *text =
	    "{\"action\": \"connect\", \"connection\": \"root\", \"data_source\": {\"name\": "
	    "\"Acme\", "
	    "\"use_edp_discount\": true}, \"export\": {\"type\": \"legacy\", \"setup\": "
	    "\"existing\", \"name\": \"r1\", \"bucket\": \"acme-billing\", \"prefix\": \"p\", "
	    "\"create_bucket\": true, \"bucket_region\": \"eu-west-1\", \"granularity\": "
	    "\"HOURLY\", \"format\": \"parquet\", \"split_cost_allocation\": false}, \"iam\": "
	    "{\"user\": \"u\"}, \"certerox\": {\"url\": \"https://c.example\"}}";
	ck_assert_int_eq(load(&a, text, &e), CX_OK);
	answers_override(&a, NULL, "org-9");
	char *saved = answers_to_text(&a);
	ct_golden("answers-roundtrip.json", saved);
	ck_assert_int_eq(load(&b, saved, &e), CX_OK);
	char *again = answers_to_text(&b);
	ck_assert_str_eq(saved, again);
	ck_assert_str_eq(b.certerox.organization_id, "org-9");
	ck_assert_int_eq(b.export.format, ANSWERS_PARQUET);
	ck_assert_int_eq(b.export.granularity, ANSWERS_HOURLY);
	free(saved);
	free(again);
	answers_free(&a);
	answers_free(&b);
}
END_TEST

START_TEST(cross_field)
{
	struct answers a;
	struct cx_err e;
	struct strv w = STRV_INIT;
	ck_assert_int_eq(load(&a, "{}", &e), CX_OK);
	ck_assert_int_eq(validate_answers(&a, &w, &e), CX_E_INPUT);
	ck_assert_str_eq(e.msg, "export.bucket: is required");
	answers_free(&a);
	ck_assert_int_eq(load(&a, "{\"export\": {\"setup\": \"detect\"}}", &e), CX_OK);
	ck_assert_int_eq(validate_answers(&a, &w, &e), CX_OK);
	answers_free(&a);
	ck_assert_int_eq(load(&a, "{\"connection\": \"linked\", \"export\": {}}", &e), CX_OK);
	ck_assert_int_eq(validate_answers(&a, &w, &e), CX_E_INPUT);
	ck_assert_str_eq(e.msg, "export: must be absent for a linked connection (a linked "
	                        "account's billing data comes through its root account's export)");
	answers_free(&a);
	/* a legacy report with split data: only setup wizard makes it (issue 13 C8) */
	ck_assert_int_eq(load(&a,
	                      "{\"export\": {\"type\": \"legacy\", \"setup\": \"certerox\", "
	                      "\"bucket\": \"acme-billing\", \"split_cost_allocation\": true}}",
	                      &e),
	                 CX_OK);
	ck_assert_int_eq(validate_answers(&a, &w, &e), CX_E_INPUT);
	ck_assert_str_eq(
	    e.msg,
	    "export.split_cost_allocation: true asks for a legacy CUR report with "
	    "SPLIT_COST_ALLOCATION_DATA, and with export.setup \"certerox\" CerteroX creates "
	    "the report with AdditionalSchemaElements [\"RESOURCES\"] only (OptScale aws.py "
	    "AWS.get_report_definition); use setup \"wizard\" (the wizard makes the report, "
	    "CerteroX reads its files), export.type \"cur2\" (its split columns), or "
	    "split_cost_allocation false");
	a.export.setup = ANSWERS_DETECT;
	ck_assert_int_eq(validate_answers(&a, &w, &e), CX_E_INPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "AWS.check_report_definition"));
	a.export.setup = ANSWERS_WIZARD;
	ck_assert_int_eq(validate_answers(&a, &w, &e), CX_OK);
	a.export.setup = ANSWERS_SETUP_CERTEROX;
	a.has_split = false; /* the default (true) is for CUR 2.0 */
	ck_assert_int_eq(validate_answers(&a, &w, &e), CX_OK);
	answers_free(&a);
	ck_assert_int_eq(load(&a, "{\"action\": \"migrate\"}", &e), CX_OK);
	ck_assert_int_eq(validate_answers(&a, &w, &e), CX_E_INPUT);
	ck_assert_str_eq(e.msg, "migrate.data_source_id: is required");
	answers_free(&a);
	ck_assert_int_eq(load(&a, "{\"action\": \"rotate\"}", &e), CX_OK);
	ck_assert_int_eq(validate_answers(&a, &w, &e), CX_E_INPUT);
	ck_assert_str_eq(e.msg, "rotate.data_source_id: is required");
	answers_free(&a);
	ck_assert_int_eq(load(&a, "{\"action\": \"disconnect\", \"disconnect\": {}}", &e), CX_OK);
	ck_assert_int_eq(validate_answers(&a, &w, &e), CX_E_INPUT);
	ck_assert_str_eq(e.msg, "disconnect.data_source_id: is required");
	answers_free(&a);
	/* rotate / disconnect load, validate and round-trip */
	ck_assert_int_eq(load(&a,
	                      "{\"action\": \"disconnect\", \"disconnect\": {\"data_source_id\": "
	                      "\"ds-1\", \"delete_aws_resources\": true}}",
	                      &e),
	                 CX_OK);
	ck_assert_int_eq(validate_answers(&a, &w, &e), CX_OK);
	ck_assert(a.action == ANSWERS_DISCONNECT && a.disconnect.delete_aws_resources);
	char *text = answers_to_text(&a);
	struct answers b;
	answers_init(&b);
	ck_assert_int_eq(answers_load_text(&b, text, strlen(text), &e), CX_OK);
	ck_assert_str_eq(b.disconnect.data_source_id, "ds-1");
	ck_assert(b.disconnect.delete_aws_resources);
	free(text);
	answers_free(&b);
	answers_free(&a);
	ck_assert_int_eq(load(&a, "{\"action\": \"rotate\", \"rotate\": {\"id\": \"x\"}}", &e),
	                 CX_E_INPUT);
	ck_assert_str_eq(e.msg, "rotate.id: unknown key");
	answers_free(&a);
	ck_assert_int_eq(
	    load(&a, "{\"export\": {\"bucket\": \"acme-billing\", \"granularity\": \"MONTHLY\"}}",
	         &e),
	    CX_OK);
	ck_assert_int_eq(validate_answers(&a, &w, &e), CX_E_INPUT);
	ck_assert_str_eq(e.msg, "export.granularity: \"MONTHLY\" is refused: CerteroX imports only "
	                        "DAILY or HOURLY exports");
	answers_free(&a);
	ck_assert_int_eq(load(&a,
	                      "{\"export\": {\"bucket\": \"acme-billing\", \"type\": \"legacy\", "
	                      "\"setup\": \"certerox\"}}",
	                      &e),
	                 CX_OK);
	ck_assert_int_eq(validate_answers(&a, &w, &e), CX_OK);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_str_eq(w.v[0], validate_legacy_create_warning);
	answers_free(&a);
	ck_assert_int_eq(load(&a,
	                      "{\"export\": {\"bucket\": \"acme-billing\", \"type\": \"legacy\", "
	                      "\"prefix\": \"a:b\"}}",
	                      &e),
	                 CX_OK);
	ck_assert_int_eq(validate_answers(&a, NULL, &e), CX_E_INPUT);
	ck_assert_str_eq(e.msg, "export.prefix: \"a:b\" may contain only ASCII letters, digits and "
	                        "! - _ . * ' ( ) / (legacy CUR S3Prefix pattern)");
	answers_free(&a);
	ck_assert_int_eq(
	    load(&a,
	         "{\"export\": {\"bucket\": \"acme-billing\"}, \"certerox\": {\"url\": "
	         "\"http://certerox.example\"}}",
	         &e),
	    CX_OK);
	ck_assert_int_eq(validate_answers(&a, NULL, &e), CX_E_INPUT);
	answers_free(&a);
	strv_free(&w);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("core_validate");
	TCase *t = tcase_create("validate");
	tcase_add_test(t, account_id);
	tcase_add_test(t, bucket);
	tcase_add_test(t, prefix);
	tcase_add_test(t, names);
	tcase_add_test(t, region_and_url);
	tcase_add_test(t, answers_loader);
	tcase_add_test(t, answers_roundtrip_and_override);
	tcase_add_test(t, cross_field);
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
