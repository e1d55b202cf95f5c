/* Unit tests of src/certerox: config bodies per connection kind (exact keys), the error
 * envelope of every code of certerox-api.md section 8 (and garbage), base URL validation,
 * organization picking, Root detection, response parsers, token files, async completion. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "aws/http.h"
#include "certerox/certerox.h"
#include "util/err.h"
#include "util/json.h"
#include "util/log.h"
#include "util/secmem.h"
#include "util/str.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

/* Keys of the object, in order, joined with ','. */
static char *keys_of(const cJSON *o)
{
	static char out[512];
	out[0] = '\0';
	const cJSON *it;
	cJSON_ArrayForEach(it, o)
	{
		if (out[0])
			strcat(out, ",");
		strcat(out, it->string);
	}
	return out;
}

static cJSON *build(const struct certerox_config_in *in)
{
	char *s = certerox_config_build(in);
	ck_assert_ptr_nonnull(s);
	cJSON *j = cJSON_Parse(s);
	ck_assert_msg(j != NULL, "config is not JSON: %s", s);
	secmem_free(s);
	return j;
}

START_TEST(config_linked)
{
	struct certerox_config_in in = {.access_key_id = "AKIAEXAMPLE",
	                                .secret_access_key = SECRET,
	                                .linked = true,
	                                .cur_version = 2,
	                                .config_scheme = CERTEROX_SCHEME_CREATE_REPORT,
	                                .bucket_name = "b",
	                                .report_name = "r",
	                                .bucket_prefix = "p",
	                                .use_edp_discount = true};
	cJSON *j = build(&in);
	ck_assert_str_eq(keys_of(j), "access_key_id,secret_access_key,linked");
	ck_assert_str_eq(json_str(j, "access_key_id"), "AKIAEXAMPLE");
	ck_assert_str_eq(json_str(j, "secret_access_key"), SECRET);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "linked")));
	cJSON_Delete(j);
}
END_TEST

/* An older OptScale's OE0212 names the keys it does not know: they are left out (issue 13 B2). */
START_TEST(config_keys_an_older_server_refuses)
{
	struct cx_err e;
	memset(&e, 0, sizeof(e));
	snprintf(e.code, sizeof(e.code), "OE0212");
	snprintf(e.msg, sizeof(e.msg),
	         "Unexpected parameters: ['cur_version', 'use_edp_discount']");
	ck_assert_uint_eq(certerox_unsupported_keys(&e),
	                  CERTEROX_KEY_CUR_VERSION | CERTEROX_KEY_USE_EDP_DISCOUNT);
	snprintf(e.msg, sizeof(e.msg), "Unexpected parameters: ['use_edp_discount']");
	ck_assert_uint_eq(certerox_unsupported_keys(&e), CERTEROX_KEY_USE_EDP_DISCOUNT);
	/* the dummy key refused: every key is known */
	snprintf(e.code, sizeof(e.code), "OE0433");
	snprintf(e.msg, sizeof(e.msg), "Cloud error: An error occurred (InvalidClientTokenId) ...");
	ck_assert_uint_eq(certerox_unsupported_keys(&e), 0);
	ck_assert_uint_eq(certerox_unsupported_keys(NULL), 0);
	/* what the probe's answers say: OptScale's type check of access_key_id (after the check of
	 * unexpected keys) or, from a server that asked AWS, OE0433 */
	ck_assert(certerox_probe_all_known(CX_E_CREDENTIALS, &e));
	ck_assert(certerox_probe_asked_aws(CX_E_CREDENTIALS, &e));
	snprintf(e.code, sizeof(e.code), "OE0214");
	snprintf(e.msg, sizeof(e.msg), "access_key_id should be a string");
	ck_assert(certerox_probe_all_known(CX_E_INPUT, &e));
	ck_assert(!certerox_probe_asked_aws(CX_E_INPUT, &e));
	snprintf(e.msg, sizeof(e.msg), "bucket_name should be a string");
	ck_assert(!certerox_probe_all_known(CX_E_INPUT, &e));
	snprintf(e.code, sizeof(e.code), "OE0212");
	snprintf(e.msg, sizeof(e.msg), "Unexpected parameters: ['cur_version']");
	ck_assert(!certerox_probe_all_known(CX_E_INPUT, &e));
	ck_assert(!certerox_probe_all_known(CX_OK, NULL));
	struct certerox_config_in in;
	certerox_probe_config(&in);
	ck_assert(in.probe);
	in.omit_cur_version = in.omit_use_edp_discount = true;
	cJSON *j = build(&in);
	ck_assert_str_eq(keys_of(j), "access_key_id,secret_access_key,linked,config_scheme");
	/* not a string: the server stops at its type check, before it calls AWS */
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(j, "access_key_id")));
	cJSON_Delete(j);
	in.omit_cur_version = false;
	j = build(&in);
	ck_assert_str_eq(keys_of(j),
	                 "access_key_id,secret_access_key,linked,cur_version,config_scheme");
	ck_assert_int_eq(cJSON_GetObjectItem(j, "cur_version")->valueint, 2);
	cJSON_Delete(j);
}
END_TEST

START_TEST(config_find_report)
{
	struct certerox_config_in in = {.access_key_id = "AKIAEXAMPLE",
	                                .secret_access_key = SECRET,
	                                .cur_version = 2,
	                                .config_scheme = CERTEROX_SCHEME_FIND_REPORT,
	                                .bucket_name = "ignored"};
	cJSON *j = build(&in);
	ck_assert_str_eq(keys_of(j), "access_key_id,secret_access_key,linked,use_edp_discount,"
	                             "cur_version,config_scheme");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "linked")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "use_edp_discount")));
	ck_assert_int_eq(cJSON_GetObjectItem(j, "cur_version")->valueint, 2);
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(j, "cur_version")));
	ck_assert_str_eq(json_str(j, "config_scheme"), "find_report");
	cJSON_Delete(j);
}
END_TEST

START_TEST(config_create_report_and_bucket_only)
{
	struct certerox_config_in in = {.access_key_id = "AKIAEXAMPLE",
	                                .secret_access_key = SECRET,
	                                .cur_version = 1,
	                                .config_scheme = CERTEROX_SCHEME_CREATE_REPORT,
	                                .bucket_name = "billing-bucket",
	                                .bucket_prefix = "",
	                                .report_name = "certerox \"x\"\\",
	                                .use_edp_discount = true};
	cJSON *j = build(&in);
	ck_assert_str_eq(keys_of(j), "access_key_id,secret_access_key,linked,use_edp_discount,"
	                             "cur_version,config_scheme,bucket_name,bucket_prefix,"
	                             "report_name");
	ck_assert_str_eq(json_str(j, "config_scheme"), "create_report");
	ck_assert_int_eq(cJSON_GetObjectItem(j, "cur_version")->valueint, 1);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "use_edp_discount")));
	ck_assert_str_eq(json_str(j, "bucket_prefix"), "");
	ck_assert_str_eq(json_str(j, "report_name"), "certerox \"x\"\\");
	cJSON_Delete(j);

	in.config_scheme = CERTEROX_SCHEME_BUCKET_ONLY;
	in.cur_version = 0; /* legacy: 1 is sent */
	in.report_name = "r";
	j = build(&in);
	ck_assert_str_eq(keys_of(j), "access_key_id,secret_access_key,linked,use_edp_discount,"
	                             "cur_version,config_scheme,bucket_name,bucket_prefix,"
	                             "report_name");
	ck_assert_str_eq(json_str(j, "config_scheme"), "bucket_only");
	ck_assert_int_eq(cJSON_GetObjectItem(j, "cur_version")->valueint, 1);
	cJSON_Delete(j);

	/* control characters are escaped, the JSON stays valid */
	in.report_name = "a\x01\nb";
	j = build(&in);
	ck_assert_str_eq(json_str(j, "report_name"), "a\x01\nb");
	cJSON_Delete(j);
}
END_TEST

START_TEST(config_check_rules)
{
	struct cx_err e;
	struct certerox_config_in in = {.access_key_id = "AKIAEXAMPLE",
	                                .secret_access_key = SECRET,
	                                .config_scheme = CERTEROX_SCHEME_BUCKET_ONLY,
	                                .bucket_name = "b",
	                                .bucket_prefix = ""};
	cx_err_clear(&e);
	ck_assert_int_eq(certerox_config_check(&in, &e), CX_E_INPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "report_name"));
	in.report_name = "r";
	ck_assert_int_eq(certerox_config_check(&in, &e), CX_OK);
	in.bucket_name = "   ";
	ck_assert_int_eq(certerox_config_check(&in, &e), CX_E_INPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "bucket_name"));
	in.bucket_name = NULL;
	in.config_scheme = CERTEROX_SCHEME_FIND_REPORT;
	ck_assert_int_eq(certerox_config_check(&in, &e), CX_OK);
	in.secret_access_key = "";
	ck_assert_int_eq(certerox_config_check(&in, &e), CX_E_INPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "secret_access_key"));
	in.secret_access_key = SECRET;
	in.linked = true;
	in.access_key_id = NULL;
	ck_assert_int_eq(certerox_config_check(&in, &e), CX_E_INPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "access_key_id"));

	enum certerox_scheme sc;
	ck_assert(certerox_scheme_parse("bucket_only", &sc));
	ck_assert_int_eq(sc, CERTEROX_SCHEME_BUCKET_ONLY);
	ck_assert(!certerox_scheme_parse("nope", &sc));
	ck_assert_str_eq(certerox_scheme_name(CERTEROX_SCHEME_CREATE_REPORT), "create_report");
}
END_TEST

static char *envelope(int status, const char *code, const char *reason)
{
	static char b[1024];
	snprintf(b, sizeof(b),
	         "{\"error\": {\"status_code\": %d, \"error_code\": \"%s\", \"reason\": \"%s\", "
	         "\"params\": []}}",
	         status, code, reason);
	return b;
}

START_TEST(error_envelope_codes)
{
	static const struct {
		int http;
		const char *code;
		const char *reason;
		enum cx_status st;
	} cases[] = {
	    {400, "OE0216", "access_key_id is not provided", CX_E_INVALID},
	    {400, "OE0212", "Unexpected parameters: ['region_name']", CX_E_INVALID},
	    {400, "OE0214", "bucket_name should be a string", CX_E_INVALID},
	    {400, "OE0215", "report_name should contain 1-255 characters", CX_E_INVALID},
	    {400, "OE0416", "bucket_name should not contain only whitespaces", CX_E_INVALID},
	    {400, "OE0223", "cur_version should be integer", CX_E_INVALID},
	    {400, "OE0226", "linked should be True or False", CX_E_INVALID},
	    {400, "OE0233", "Incorrect request body received", CX_E_INVALID},
	    {400, "OE0371", "Unable to configure billing report: Bucket b not found", CX_E_INVALID},
	    {400, "OA0039", "email is not provided", CX_E_INVALID},
	    {401, "OE0235", "Unauthorized", CX_E_CREDENTIALS},
	    {401, "OE0237", "This resource requires authorization", CX_E_CREDENTIALS},
	    {403, "OA0037", "Email or password is invalid", CX_E_CREDENTIALS},
	    {403, "OE0433", "Cloud error: The security token included in the request is invalid",
	     CX_E_CREDENTIALS},
	    {403, "OE0234", "Forbidden", CX_E_DENIED},
	    {404, "OE0002", "Cloudaccount 123 not found", CX_E_NOT_FOUND},
	    {409, "OE0402", "Cloud account for this account already exist", CX_E_CONFLICT},
	    {409, "OE0404", "Cloud account x already exists for organization o", CX_E_CONFLICT},
	    {500, "OE0000", "Internal server error", CX_E_UNAVAILABLE},
	    {503, "OE0000", "Service unavailable", CX_E_UNAVAILABLE},
	    {429, "OE0000", "Too many requests", CX_E_UNAVAILABLE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cx_err e;
		cx_err_clear(&e);
		const char *b = envelope(cases[i].http, cases[i].code, cases[i].reason);
		enum cx_status st = certerox_parse_error(cases[i].http, b, strlen(b), false, &e);
		ck_assert_msg(st == cases[i].st, "%s: got %s", cases[i].code, cx_status_name(st));
		ck_assert_int_eq(e.status, cases[i].st);
		ck_assert_str_eq(e.code, cases[i].code);
		ck_assert_int_eq(e.http_status, cases[i].http);
		if (st == CX_E_UNAVAILABLE)
			ck_assert_ptr_nonnull(strstr(e.msg, cases[i].reason));
		else
			ck_assert_str_eq(e.msg, cases[i].reason);
		/* create/patch wording */
		cx_err_clear(&e);
		st = certerox_parse_error(cases[i].http, b, strlen(b), true, &e);
		ck_assert_int_eq(st, cases[i].st);
		if (st != CX_E_UNAVAILABLE) {
			char want[1024];
			snprintf(want, sizeof(want), "CerteroX refused the data source: %s (%s)",
			         cases[i].reason, cases[i].code);
			ck_assert_str_eq(e.msg, want);
		}
	}
}
END_TEST

START_TEST(error_envelope_garbage)
{
	struct cx_err e;
	static const char *const bad[] = {
	    "<html><body>502 Bad Gateway</body></html>",
	    "{\"error\": {\"status_code\": 400, \"error_code\": \"OE02",
	    "{\"detail\": \"nope\"}",
	    "[]",
	    "{\"error\": \"text\"}",
	    "{\"error\": {\"error_code\": 5, \"reason\": null}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cx_err_clear(&e);
		enum cx_status st = certerox_parse_error(400, bad[i], strlen(bad[i]), true, &e);
		ck_assert_msg(st == CX_E_PARSE, "case %zu: %s", i, cx_status_name(st));
		ck_assert_int_eq(e.http_status, 400);
		ck_assert_msg(strstr(e.msg, "HTTP 400") != NULL, "case %zu: %s", i, e.msg);
	}
	cx_err_clear(&e);
	ck_assert_int_eq(certerox_parse_error(404, NULL, 0, false, &e), CX_E_PARSE);
	ck_assert_ptr_nonnull(strstr(e.msg, "empty"));
	/* a 5xx without an envelope is still "unavailable" */
	cx_err_clear(&e);
	ck_assert_int_eq(certerox_parse_error(502, bad[0], strlen(bad[0]), false, &e),
	                 CX_E_UNAVAILABLE);
	/* a reason with a control character is shown escaped */
	cx_err_clear(&e);
	const char *b = "{\"error\":{\"error_code\":\"OE0212\",\"reason\":\"a\\u001bb\"}}";
	ck_assert_int_eq(certerox_parse_error(400, b, strlen(b), false, &e), CX_E_INVALID);
	ck_assert_str_eq(e.msg, "a\\x1bb");
}
END_TEST

START_TEST(url_validation)
{
	struct cx_err e;
	static const struct {
		const char *in, *out;
	} good[] = {
	    {"https://certerox.example.com", "https://certerox.example.com"},
	    {"https://certerox.example.com/", "https://certerox.example.com"},
	    {"https://certerox.example.com:8443/base//", "https://certerox.example.com:8443/base"},
	    {"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
	    {"http://localhost:1", "http://localhost:1"},
	    {"http://[::1]:9000", "http://[::1]:9000"},
	    {"https://[2001:db8::1]:443", "https://[2001:db8::1]:443"},
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cx_err_clear(&e);
		char *n = certerox_url_normalize(good[i].in, &e);
		ck_assert_msg(n != NULL, "%s refused: %s", good[i].in, e.msg);
		ck_assert_str_eq(n, good[i].out);
		free(n);
	}
	static const char *const bad[] = {
	    "",
	    "certerox.example.com",
	    "ftp://x",
	    "http://certerox.example.com",
	    "http://127.0.0.1.evil.com",
	    "http://10.0.0.1",
	    "http://localhost.evil.com",
	    "https://",
	    "https:///path",
	    "https://user:pw@host",
	    "https://host?x=1",
	    "https://host#f",
	    "https://host:0",
	    "https://host:99999",
	    "https://host:abc",
	    "https://ho st",
	    "https://host\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cx_err_clear(&e);
		char *n = certerox_url_normalize(bad[i], &e);
		ck_assert_msg(n == NULL, "accepted %s", bad[i]);
		ck_assert_int_eq(e.status, CX_E_INPUT);
		ck_assert(e.msg[0] != '\0');
	}
	/* the password of a URL is never echoed */
	cx_err_clear(&e);
	ck_assert_ptr_null(certerox_url_normalize("https://u:hunter22@host", &e));
	ck_assert_ptr_null(strstr(e.msg, "hunter22"));
	/* certerox_new applies the same rules */
	ck_assert_ptr_null(certerox_new(NULL, "https://x", &e));
}
END_TEST

static void orgs_fill(struct certerox_org_list *l, size_t n)
{
	static const char *const ids[] = {"11111111-aaaa", "22222222-bbbb", "33333333-cccc"};
	static const char *const names[] = {"Acme", "Beta", "Acme"};
	l->n = n;
	l->items = calloc(n, sizeof(*l->items));
	for (size_t i = 0; i < n; i++) {
		l->items[i].id = strdup(ids[i]);
		l->items[i].name = strdup(names[i]);
	}
}

START_TEST(org_picking)
{
	struct cx_err e;
	struct certerox_org_list l;
	char *id = NULL;
	/* none */
	orgs_fill(&l, 0);
	cx_err_clear(&e);
	ck_assert_int_eq(certerox_org_pick(&l, NULL, &id, &e), CX_E_INPUT);
	ck_assert_ptr_null(id);
	ck_assert_ptr_nonnull(strstr(e.msg, "no organization"));
	certerox_org_list_free(&l);
	/* the only one */
	orgs_fill(&l, 1);
	ck_assert_int_eq(certerox_org_pick(&l, NULL, &id, &e), CX_OK);
	ck_assert_str_eq(id, "11111111-aaaa");
	free(id);
	ck_assert_int_eq(certerox_org_pick(&l, "", &id, &e), CX_OK);
	free(id);
	/* the wanted one must exist, even when there is only one */
	cx_err_clear(&e);
	ck_assert_int_eq(certerox_org_pick(&l, "99999999", &id, &e), CX_E_INPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "\"99999999\" not found"));
	ck_assert_ptr_nonnull(strstr(e.msg, "Acme (11111111-aaaa)"));
	certerox_org_list_free(&l);
	/* several: must choose */
	orgs_fill(&l, 3);
	cx_err_clear(&e);
	ck_assert_int_eq(certerox_org_pick(&l, NULL, &id, &e), CX_E_INPUT);
	ck_assert_str_eq(e.msg, "the token sees 3 organizations: Acme (11111111-aaaa), Beta "
	                        "(22222222-bbbb), Acme (33333333-cccc): choose one with "
	                        "--certerox-org");
	ck_assert_int_eq(certerox_org_pick(&l, "22222222-bbbb", &id, &e), CX_OK);
	ck_assert_str_eq(id, "22222222-bbbb");
	free(id);
	/* by a unique name; an ambiguous name is refused */
	ck_assert_int_eq(certerox_org_pick(&l, "Beta", &id, &e), CX_OK);
	ck_assert_str_eq(id, "22222222-bbbb");
	free(id);
	cx_err_clear(&e);
	ck_assert_int_eq(certerox_org_pick(&l, "Acme", &id, &e), CX_E_INPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "2 organizations are named"));
	certerox_org_list_free(&l);
}
END_TEST

static const char DS_LIST[] =
    "{\"cloud_accounts\": ["
    "{\"id\": \"a1\", \"name\": \"linked one\", \"type\": \"aws_cnr\", \"account_id\": "
    "\"234567890123\", \"organization_id\": \"o1\", \"created_at\": 1700000000, "
    "\"last_import_at\": 0, \"last_import_attempt_error\": null, "
    "\"config\": {\"access_key_id\": \"AKIA1\", \"linked\": true}},"
    "{\"id\": \"a2\", \"name\": \"azure\", \"type\": \"azure_cnr\", \"config\": {}},"
    "{\"id\": \"a3\", \"name\": \"root\", \"type\": \"aws_cnr\", \"account_id\": \"123456789012\", "
    "\"config\": {\"access_key_id\": \"AKIA2\", \"linked\": false, \"cur_version\": 2, "
    "\"config_scheme\": \"create_report\", \"bucket_name\": \"b\", \"bucket_prefix\": \"\", "
    "\"report_name\": \"r\", \"region_name\": \"eu-central-1\", \"use_edp_discount\": false}}"
    "]}";

START_TEST(parse_and_root_detection)
{
	struct cx_err e;
	struct certerox_ds_list l;
	cx_err_clear(&e);
	ck_assert_int_eq(certerox_parse_ds_list(DS_LIST, strlen(DS_LIST), &l, &e), CX_OK);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.items[0].id, "a1");
	ck_assert_str_eq(l.items[0].account_id, "234567890123");
	ck_assert(l.items[0].config.linked);
	ck_assert_int_eq(l.items[0].created_at, 1700000000);
	ck_assert_ptr_null(l.items[0].last_import_attempt_error);
	ck_assert_str_eq(l.items[2].config.config_scheme, "create_report");
	ck_assert_str_eq(l.items[2].config.bucket_prefix, "");
	ck_assert_str_eq(l.items[2].config.region_name, "eu-central-1");
	ck_assert_int_eq(l.items[2].config.cur_version, 2);
	ck_assert(certerox_has_root_aws(&l));
	/* without the Root: only Linked and a non-AWS source */
	certerox_ds_free(&l.items[2]);
	l.n = 2;
	ck_assert(!certerox_has_root_aws(&l));
	l.n = 3;
	certerox_ds_list_free(&l);
	struct certerox_ds_list empty = {NULL, 0};
	ck_assert(!certerox_has_root_aws(&empty));
	ck_assert(!certerox_has_root_aws(NULL));

	/* a single object */
	struct certerox_ds ds;
	const char *one = "{\"id\":\"x\",\"name\":\"n\",\"type\":\"aws_cnr\"}";
	ck_assert_int_eq(certerox_parse_ds(one, strlen(one), &ds, &e), CX_OK);
	ck_assert(!ds.has_config);
	certerox_ds_free(&ds);

	/* malformed ones name the field */
	static const struct {
		const char *body, *needle;
	} bad[] = {
	    {"{\"name\":\"n\",\"type\":\"aws_cnr\"}", "\"id\""},
	    {"{\"id\":5,\"name\":\"n\",\"type\":\"aws_cnr\"}", "\"id\" is not a string"},
	    {"{\"id\":\"x\",\"name\":\"n\",\"type\":\"aws_cnr\",\"config\":[]}", "\"config\""},
	    {"{\"id\":\"x\",\"name\":\"n\",\"type\":\"aws_cnr\",\"config\":{\"linked\":\"yes\"}}",
	     "\"linked\""},
	    {"{\"id\":\"x\",\"name\":\"n\",\"type\":\"aws_cnr\",\"config\":{\"cur_version\":1e300}"
	     "}",
	     "\"cur_version\""},
	    {"{\"id\":\"x\",\"name\":\"n\",\"type\":\"aws", "not JSON"},
	    {"", "empty"},
	    {"[1,2]", "not a JSON object"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cx_err_clear(&e);
		memset(&ds, 0, sizeof(ds));
		ck_assert_int_eq(certerox_parse_ds(bad[i].body, strlen(bad[i].body), &ds, &e),
		                 CX_E_PARSE);
		ck_assert_msg(strstr(e.msg, bad[i].needle) != NULL, "case %zu: %s", i, e.msg);
		ck_assert_ptr_null(ds.id);
	}
	cx_err_clear(&e);
	const char *nolist = "{\"accounts\": []}";
	ck_assert_int_eq(certerox_parse_ds_list(nolist, strlen(nolist), &l, &e), CX_E_PARSE);
	ck_assert_ptr_nonnull(strstr(e.msg, "cloud_accounts"));
	const char *baditem =
	    "{\"cloud_accounts\": [{\"id\":\"a\",\"name\":\"n\",\"type\":\"t\"}, 3]}";
	ck_assert_int_eq(certerox_parse_ds_list(baditem, strlen(baditem), &l, &e), CX_E_PARSE);
	ck_assert_ptr_nonnull(strstr(e.msg, "item 1"));

	struct certerox_org_list o;
	const char *orgs = "{\"organizations\": [{\"id\": \"o1\", \"name\": \"Acme\", \"x\": 1}, "
	                   "{\"id\": \"o2\"}]}";
	ck_assert_int_eq(certerox_parse_orgs(orgs, strlen(orgs), &o, &e), CX_OK);
	ck_assert_uint_eq(o.n, 2);
	ck_assert_str_eq(o.items[0].name, "Acme");
	ck_assert_str_eq(o.items[1].name, "");
	certerox_org_list_free(&o);
	const char *badorgs = "{\"organizations\": [{\"name\": \"Acme\"}]}";
	ck_assert_int_eq(certerox_parse_orgs(badorgs, strlen(badorgs), &o, &e), CX_E_PARSE);
	ck_assert_ptr_nonnull(strstr(e.msg, "\"id\""));
}
END_TEST

START_TEST(token_file)
{
	char dir[] = "/tmp/test_certerox.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/token", dir);
	struct cx_err e;
	char *tok = NULL;

	FILE *f = fopen(path, "w");
	fputs("  tok-3f1e2d-secret \r\nsecond line\n", f);
	fclose(f);
	cx_err_clear(&e);
	ck_assert_int_eq(certerox_token_from_file(path, &tok, &e), CX_OK);
	ck_assert_str_eq(tok, "tok-3f1e2d-secret");
	/* registered for redaction */
	char *red = log_redact("token=tok-3f1e2d-secret");
	ck_assert_ptr_null(strstr(red, "tok-3f1e2d-secret"));
	free(red);
	secmem_free(tok);

	f = fopen(path, "w");
	fputs("\n\ntoken on line 3\n", f);
	fclose(f);
	cx_err_clear(&e);
	tok = NULL;
	ck_assert_int_eq(certerox_token_from_file(path, &tok, &e), CX_E_INPUT);
	ck_assert_ptr_null(tok);
	ck_assert_ptr_nonnull(strstr(e.msg, "empty"));

	f = fopen(path, "w");
	fclose(f);
	ck_assert_int_eq(certerox_token_from_file(path, &tok, &e), CX_E_INPUT);

	unlink(path);
	cx_err_clear(&e);
	ck_assert_int_eq(certerox_token_from_file(path, &tok, &e), CX_E_IO);
	ck_assert_ptr_nonnull(strstr(e.msg, path));
	rmdir(dir);
}
END_TEST

struct done_rec {
	int calls;
	enum cx_status st;
	struct cx_err err;
};

static void on_done(struct certerox_call *call, void *ud)
{
	struct done_rec *r = ud;
	r->calls++;
	r->st = certerox_call_status(call, &r->err);
}

/* A loopback port with nothing listening. */
static int closed_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t len = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s);
	return ntohs(a.sin_port);
}

START_TEST(async_completion_and_unreachable)
{
	struct cx_err e;
	cx_err_clear(&e);
	struct http_opts ho = {.connect_timeout_ms = 2000, .total_timeout_ms = 3000};
	struct http_ctx *h = http_ctx_new(&ho, &e);
	ck_assert_msg(h != NULL, "%s", e.msg);
	char url[64];
	int port = closed_port();
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	char withslash[80];
	snprintf(withslash, sizeof(withslash), "%s/", url);
	struct certerox *c = certerox_new(h, withslash, &e);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(certerox_base_url(c), url);

	/* no token: fails without a request, and never inside the start function */
	struct done_rec r = {0};
	struct certerox_call *k = certerox_list_orgs_start(c, on_done, &r);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(r.calls, 0);
	ck_assert(!certerox_call_done(k));
	while (!certerox_call_done(k) && http_ctx_busy(h)) {
		http_ctx_poll(h, 100, NULL, 0);
		http_ctx_perform(h);
	}
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.st, CX_E_CREDENTIALS);
	ck_assert_str_eq(r.err.where, "certerox list organizations");
	certerox_call_free(k);

	/* an id that cannot go into a URL path */
	memset(&r, 0, sizeof(r));
	k = certerox_get_ds_start(c, "../admin", on_done, &r);
	ck_assert_int_eq(r.calls, 0);
	while (!certerox_call_done(k) && http_ctx_busy(h)) {
		http_ctx_poll(h, 100, NULL, 0);
		http_ctx_perform(h);
	}
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.st, CX_E_INPUT);
	certerox_call_free(k);

	/* unreachable: CX_E_UNAVAILABLE after the configured attempts, token never shown */
	certerox_set_token(c, "tok-unit-9d8c7b6a");
	ck_assert(certerox_has_token(c));
	struct http_call_opts co = {.max_attempts = 2};
	certerox_set_call_opts(c, &co);
	struct certerox_org_list orgs;
	long long t0 = http_now_ms();
	cx_err_clear(&e);
	ck_assert_int_eq(certerox_list_orgs(c, &orgs, &e), CX_E_UNAVAILABLE);
	ck_assert_int_lt(http_now_ms() - t0, 10000);
	ck_assert_msg(strstr(e.msg, "2 attempts") != NULL, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, "127.0.0.1") != NULL, "%s", e.msg);
	ck_assert_ptr_null(strstr(e.msg, "tok-unit-9d8c7b6a"));
	ck_assert_uint_eq(orgs.n, 0);

	/* cancel: the callback runs with CX_E_CANCELLED */
	memset(&r, 0, sizeof(r));
	k = certerox_list_ds_start(c, "org-1", on_done, &r);
	certerox_call_cancel(k);
	ck_assert_int_eq(r.calls, 0);
	while (!certerox_call_done(k) && http_ctx_busy(h)) {
		http_ctx_poll(h, 100, NULL, 0);
		http_ctx_perform(h);
	}
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.st, CX_E_CANCELLED);
	certerox_call_free(k);

	/* freeing a running call is silent */
	memset(&r, 0, sizeof(r));
	k = certerox_delete_ds_start(c, "ds-1", on_done, &r);
	certerox_call_free(k);
	while (http_ctx_busy(h)) {
		http_ctx_poll(h, 100, NULL, 0);
		http_ctx_perform(h);
	}
	ck_assert_int_eq(r.calls, 0);

	certerox_free(c);
	http_ctx_free(h);
}
END_TEST

START_TEST(secrets_stay_out_of_logs_and_errors)
{
	char dir[] = "/tmp/test_certerox_log.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char logpath[256];
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	ck_assert_int_eq(log_open(logpath, LOG_DEBUG), 0);
	struct cx_err e;
	cx_err_clear(&e);
	struct http_opts ho = {.connect_timeout_ms = 2000, .total_timeout_ms = 3000};
	struct http_ctx *h = http_ctx_new(&ho, &e);
	ck_assert_ptr_nonnull(h);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", closed_port());
	struct certerox *c = certerox_new(h, url, &e);
	ck_assert_ptr_nonnull(c);
	struct http_call_opts co = {.max_attempts = 2};
	certerox_set_call_opts(c, &co);
	certerox_set_token(c, "tok-log-5e4d3c2b1a");
	struct certerox_config_in in = {.access_key_id = "AKIAEXAMPLE",
	                                .secret_access_key = "sec/ret+Key-7f6e5d4c3b2a",
	                                .linked = true};
	ck_assert_int_eq(certerox_create_ds(c, "org-1", "n", &in, NULL, &e), CX_E_UNAVAILABLE);
	ck_assert_str_eq(e.where, "certerox create data source \"n\"");
	ck_assert_int_eq(certerox_login(c, "a@b.c", "pass-word-9a8b7c", &e), CX_E_UNAVAILABLE);
	log_close();
	char buf[65536];
	FILE *f = fopen(logpath, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_msg(strstr(buf, "create") || strstr(buf, "cloud_accounts"), "nothing logged: %s",
	              buf);
	ck_assert_ptr_null(strstr(buf, "tok-log-5e4d3c2b1a"));
	ck_assert_ptr_null(strstr(buf, "sec/ret+Key-7f6e5d4c3b2a"));
	ck_assert_ptr_null(strstr(buf, "pass-word-9a8b7c"));
	ck_assert_ptr_null(strstr(e.msg, "pass-word-9a8b7c"));
	/* all three are registered for redaction */
	char *red = log_redact("tok-log-5e4d3c2b1a sec/ret+Key-7f6e5d4c3b2a pass-word-9a8b7c");
	ck_assert_ptr_null(strstr(red, "tok-log"));
	ck_assert_ptr_null(strstr(red, "7f6e5d4c3b2a"));
	ck_assert_ptr_null(strstr(red, "9a8b7c"));
	free(red);
	certerox_free(c);
	http_ctx_free(h);
	unlink(logpath);
	rmdir(dir);
}
END_TEST

/* Issue 17: a data source's bucket, prefix and report name read from CerteroX are checked with
 * the answers' rules before the migrate flow uses them. */
START_TEST(values_read_are_checked_like_answers)
{
	struct cx_err err;
	struct certerox_config c = {0};
	c.cur_version = 1;
	c.bucket_name = (char *)"acme-billing";
	c.bucket_prefix = (char *)"cur";
	c.report_name = (char *)"certerox-cur";
	cx_err_clear(&err);
	ck_assert_int_eq(certerox_read_config_check(&c, &err), CX_OK);
	c.bucket_prefix = (char *)"";
	ck_assert_int_eq(certerox_read_config_check(&c, &err), CX_OK); /* no prefix */
	static const struct {
		const char *bucket, *prefix, *report, *want;
		int cur;
	} bad[] = {
	    {"Acme_Billing", "cur", "r", "CerteroX config.bucket_name: \"Acme_Billing\"", 1},
	    {"acme/../x", "cur", "r", "CerteroX config.bucket_name", 1},
	    {"acme-billing", "/etc", "r", "CerteroX config.bucket_prefix: \"/etc\"", 1},
	    {"acme-billing", "cur\x1b[2J", "r", "CerteroX config.bucket_prefix: \"cur\\x1b[2J\"",
	     1},
	    {"acme-billing", "cur",
	     "r\xe2\x80\xae"
	     "gpj",
	     "CerteroX config.report_name", 1},
	    {"acme-billing", "cur", "name with spaces", "CerteroX config.report_name", 2},
	    {"acme-billing", "cur", "a.b", "Data Export name rules", 2},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c.bucket_name = (char *)bad[i].bucket;
		c.bucket_prefix = (char *)bad[i].prefix;
		c.report_name = (char *)bad[i].report;
		c.cur_version = bad[i].cur;
		cx_err_clear(&err);
		ck_assert_int_eq(certerox_read_config_check(&c, &err), CX_E_INPUT);
		ck_assert_msg(strstr(err.msg, bad[i].want) != NULL, "case %zu: %s", i, err.msg);
	}
}
END_TEST

int main(void)
{
	secmem_init();
	Suite *s = suite_create("certerox");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, config_linked);
	tcase_add_test(tc, config_find_report);
	tcase_add_test(tc, config_keys_an_older_server_refuses);
	tcase_add_test(tc, config_create_report_and_bucket_only);
	tcase_add_test(tc, config_check_rules);
	tcase_add_test(tc, error_envelope_codes);
	tcase_add_test(tc, error_envelope_garbage);
	tcase_add_test(tc, url_validation);
	tcase_add_test(tc, org_picking);
	tcase_add_test(tc, parse_and_root_detection);
	tcase_add_test(tc, token_file);
	tcase_add_test(tc, async_completion_and_unreachable);
	tcase_add_test(tc, secrets_stay_out_of_logs_and_errors);
	tcase_add_test(tc, values_read_are_checked_like_answers);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
