/* Unit tests of src/util: status table, buffers, strings, JSON helpers, redaction,
 * secure memory and core-dump hardening. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/secmem.h"
#include "util/status.h"
#include "util/str.h"

START_TEST(status_exit_codes)
{
	ck_assert_int_eq(cx_status_exit(CX_OK), 0);
	ck_assert_int_eq(cx_status_exit(CX_E_USAGE), 64);
	ck_assert_int_eq(cx_status_exit(CX_E_INPUT), 65);
	ck_assert_int_eq(cx_status_exit(CX_E_UNAVAILABLE), 69);
	ck_assert_int_eq(cx_status_exit(CX_E_INTERNAL), 70);
	ck_assert_int_eq(cx_status_exit(CX_E_PARTIAL), 75);
	ck_assert_int_eq(cx_status_exit(CX_E_DENIED), 77);
	ck_assert_int_eq(cx_status_exit(CX_E_CANCELLED), 130);
	ck_assert_str_eq(cx_status_name(CX_E_DENIED), "CX_E_DENIED");
	ck_assert_str_eq(cx_status_msg(CX_E_NOT_IMPLEMENTED), "not implemented yet");
	ck_assert_str_eq(cx_status_msg((enum cx_status)9999), "unknown status");
}
END_TEST

START_TEST(err_format)
{
	struct cx_err e;
	cx_err_clear(&e);
	ck_assert_int_eq(cx_err_set(&e, CX_E_DENIED, "no %s", "way"), CX_E_DENIED);
	cx_err_code(&e, "AccessDenied");
	cx_err_where(&e, "iam %s", "CreateUser");
	e.http_status = 403;
	char out[512];
	ck_assert_str_eq(cx_err_format(&e, out, sizeof(out)),
	                 "iam CreateUser: no way (AccessDenied, HTTP 403)");
}
END_TEST

START_TEST(buf_grows)
{
	struct buf b = BUF_INIT;
	ck_assert_str_eq(buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	ck_assert(str_starts_with(buf_str(&b), "0,1,2,"));
	ck_assert(str_ends_with(buf_str(&b), "998,999,"));
	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	buf_append(&b, "a\0b", 3);
	ck_assert_uint_eq(b.len, 3);
	char *s = buf_steal(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_int_eq(s[2], 'b');
	free(s);
}
END_TEST

START_TEST(str_helpers)
{
	char t[] = "  \thello world \n";
	ck_assert_str_eq(str_trim(t), "hello world");
	char small[4];
	ck_assert_uint_eq(str_copy(small, sizeof(small), "abcdef"), 6);
	ck_assert_str_eq(small, "abc");
	ck_assert(str_case_eq("ABC", "abc"));
	ck_assert(!str_case_eq("ABC", "abd"));
	ck_assert(str_is_utf8("h\xc3\xa9", 3));
	ck_assert(!str_is_utf8("\xc3", 1));
	ck_assert(!str_is_utf8("\xed\xa0\x80", 3)); /* surrogate */
	ck_assert(!str_is_clean_utf8("a\nb", 3));
	ck_assert(!str_is_clean_utf8("a\xc2\x85", 3)); /* C1 NEL */
	ck_assert(str_is_clean_utf8("caf\xc3\xa9", 5));
	size_t n;
	char **parts = str_split("a,,b", ',', &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(parts[1], "");
	ck_assert_str_eq(parts[2], "b");
	ck_assert_ptr_null(parts[3]);
	str_list_free(parts);
	char *p = str_printable("a\x01z", 10);
	ck_assert_str_eq(p, "a\\x01z");
	free(p);
	char hex[7];
	str_hex((const unsigned char *)"\x01\xab\xff", 3, hex);
	ck_assert_str_eq(hex, "01abff");
}
END_TEST

START_TEST(json_pretty_two_spaces)
{
	struct cx_err e;
	cx_err_clear(&e);
	const char *src = "{\"b\":1,\"a\":[\"x\",{\"k\":true}],\"e\":{},\"s\":\"q\\\"/\"}";
	cJSON *j = json_parse(src, strlen(src), &e);
	ck_assert_ptr_nonnull(j);
	char *p = json_pretty(j);
	ck_assert_str_eq(
	    p, "{\n  \"b\": 1,\n  \"a\": [\n    \"x\",\n    {\n      \"k\": true\n    }\n  "
	       "],\n  \"e\": {},\n  \"s\": \"q\\\"/\"\n}\n");
	free(p);
	char *c = json_compact(j);
	ck_assert_str_eq(c, "{\"b\":1,\"a\":[\"x\",{\"k\":true}],\"e\":{},\"s\":\"q\\\"/\"}");
	free(c);
	ck_assert_int_eq((int)json_num(j, "b", 0), 1);
	ck_assert_ptr_null(json_str(j, "b"));
	ck_assert_str_eq(json_str(j, "s"), "q\"/");
	cJSON_Delete(j);
	ck_assert_ptr_null(json_parse("{\"a\":1} x", 9, &e));
	ck_assert_int_eq(e.status, CX_E_PARSE);
	ck_assert_ptr_null(json_parse("{\"a\":", 5, &e));
}
END_TEST

START_TEST(json_equal_loose)
{
	cJSON *a = cJSON_Parse("{\"Action\":\"s3:GetObject\",\"R\":[\"x\",\"y\"]}");
	cJSON *b = cJSON_Parse("{\"R\":[\"y\",\"x\"],\"Action\":[\"s3:GetObject\"]}");
	cJSON *c = cJSON_Parse("{\"R\":[\"y\"],\"Action\":[\"s3:GetObject\"]}");
	ck_assert(json_equal(a, b, true));
	ck_assert(!json_equal(a, b, false));
	ck_assert(!json_equal(a, c, true));
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
}
END_TEST

static char *slurp(const char *path)
{
	return paths_read_file(path, 1 << 20, NULL);
}

START_TEST(log_never_writes_a_registered_secret)
{
	char path[] = "/tmp/cx-log-test-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	const char *secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	ck_assert_int_eq(log_open(path, LOG_DEBUG), 0);
	log_redact_add(secret);
	log_info("alone: %s", secret);
	log_info("in a url: https://h/?X-Amz-Credential=a&Secret=%s&x=1",
	         "wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYEXAMPLEKEY");
	log_info("lower-case url: %s", "wJalrXUtnFEMI%2fK7MDENG%2bbPxRfiCYEXAMPLEKEY");
	log_info("in json: {\"secret_access_key\":\"%s\"}",
	         "wJalrXUtnFEMI\\/K7MDENG+bPxRfiCYEXAMPLEKEY");
	log_debug(
	    "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, "
	    "SignedHeaders=host, Signature=deadbeefcafe");
	log_debug("header authorization: Bearer tok-123456789");
	log_close();
	char *text = slurp(path);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_null(strstr(text, "wJalrXUtnFEMI"));
	ck_assert_ptr_null(strstr(text, "deadbeefcafe"));
	ck_assert_ptr_null(strstr(text, "tok-123456789"));
	ck_assert_ptr_nonnull(strstr(text, "alone: [REDACTED]"));
	ck_assert_ptr_nonnull(strstr(text, "in json: {\"secret_access_key\":\"[REDACTED]\"}"));
	free(text);
	/* errors pass through the redactor too */
	struct cx_err e;
	cx_err_set(&e, CX_E_INPUT, "bad key %s", secret);
	ck_assert_ptr_null(strstr(e.msg, "wJalr"));
	log_redact_clear();
	char *r = log_redact(secret);
	ck_assert_str_eq(r, secret);
	free(r);
	unlink(path);
}
END_TEST

START_TEST(secmem_roundtrip_and_core_dumps_off)
{
	char *s = secmem_strdup("passphrase");
	ck_assert_str_eq(s, "passphrase");
	secmem_wipe(s, 4);
	ck_assert_int_eq(s[0], 0);
	ck_assert_str_eq(s + 4, "phrase");
	secmem_free(s);
	ck_assert_int_eq(secmem_no_core_dumps(), 0);
	struct rlimit rl;
	ck_assert_int_eq(getrlimit(RLIMIT_CORE, &rl), 0);
	ck_assert_uint_eq(rl.rlim_cur, 0);
}
END_TEST

START_TEST(text_made_safe)
{
	static const struct {
		const char *in, *out;
		unsigned flags;
	} cases[] = {
	    {"plain text, caf\xc3\xa9 \xe2\x86\x92 ok", "plain text, caf\xc3\xa9 \xe2\x86\x92 ok",
	     0},
	    {"bell\a esc\x1b[2J del\x7f", "bell\\x07 esc\\x1b[2J del\\x7f", 0},
	    {"line\nnext\ttab", "line\\x0anext\\x09tab", 0},
	    {"line\nnext\ttab", "line\nnext\ttab", STR_SAFE_KEEP_NL},
	    /* C1 controls: as UTF-8 (U+009B CSI) and as raw bytes (invalid UTF-8) */
	    {"csi\xc2\x9b"
	     "2J",
	     "csi\\u009b2J", 0},
	    {"raw\x9b"
	     "2J\x80",
	     "raw\\x9b2J\\x80", 0},
	    /* bidi overrides and isolates */
	    {"abc\xe2\x80\xae"
	     "cba",
	     "abc\\u202ecba", 0},
	    {"\xe2\x80\xaa\xe2\x81\xa6x\xe2\x81\xa9", "\\u202a\\u2066x\\u2069", 0},
	    /* invalid UTF-8: overlong, surrogate, truncated */
	    {"\xc0\xaf\xed\xa0\x80\xe2\x82", "\\xc0\\xaf\\xed\\xa0\\x80\\xe2\\x82", 0},
	    {"back\\slash", "back\\slash", 0},
	    {"back\\slash", "back\\x5cslash", STR_SAFE_BACKSLASH},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = str_safe(cases[i].in, 1000, cases[i].flags);
		ck_assert_msg(strcmp(got, cases[i].out) == 0, "case %zu: %s", i, got);
		free(got);
	}
	char *p = str_printable("\xe2\x80\xae\x1b", 100);
	ck_assert_str_eq(p, "\\u202e\\x1b");
	free(p);
	p = str_safe("abcdef", 3, 0);
	ck_assert_str_eq(p, "abc...");
	free(p);
	/* answers values and names: bidi controls and C1 are not clean */
	ck_assert(str_is_clean_utf8("caf\xc3\xa9", 5));
	ck_assert(!str_is_clean_utf8("a\xe2\x80\xae"
	                             "b",
	                             5));
	ck_assert(!str_is_clean_utf8("a\xe2\x81\xa7"
	                             "b",
	                             5));
	ck_assert(!str_is_clean_utf8("a\xc2\x85"
	                             "b",
	                             4));
	ck_assert(!str_is_clean_utf8("a\x85"
	                             "b",
	                             3));
	ck_assert(str_has_bidi("a\xe2\x81\xa9", 4));
	ck_assert(!str_has_bidi("a\xe2\x80\xa9", 4)); /* U+2029 is not a bidi control */
	/* error messages and log lines */
	struct cx_err e;
	cx_err_clear(&e);
	cx_err_set(&e, CX_E_INPUT, "server said \"%s\"", "ok\x1b]0;pwned\a\xc2\x9b\xe2\x80\xae");
	ck_assert_str_eq(e.msg, "server said \"ok\\x1b]0;pwned\\x07\\u009b\\u202e\"");
	char path[] = "/tmp/cx-log-safe-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(log_open(path, LOG_DEBUG), 0);
	log_info("name %s", "x\n2026-01-01T00:00:00.000Z ERROR forged\xe2\x80\xae");
	log_close();
	char *text = paths_read_file(path, 4096, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(strstr(text, "name x\\x0a2026-01-01T00:00:00.000Z ERROR forged\\u202e\n"),
	              "%s", text);
	ck_assert_ptr_null(strchr(strchr(text, '\n') + 1, '\n')); /* one line */
	free(text);
	unlink(path);
}
END_TEST

START_TEST(paths_xdg)
{
	setenv("XDG_STATE_HOME", "/x/state", 1);
	char *s = paths_state_dir();
	ck_assert_str_eq(s, "/x/state/certerox-aws-setup");
	free(s);
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/home/u", 1);
	s = paths_state_dir();
	ck_assert_str_eq(s, "/home/u/.local/state/certerox-aws-setup");
	free(s);
	setenv("XDG_DATA_HOME", "relative", 1); /* relative values are ignored per XDG */
	s = paths_data_home();
	ck_assert_str_eq(s, "/home/u/.local/share/certerox-aws-setup");
	free(s);
	setenv("CERTEROX_DATADIR", "/opt/d", 1);
	s = paths_data_file("policies/readonly.json");
	ck_assert_str_eq(s, "/opt/d/policies/readonly.json");
	free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");
	tcase_add_test(tc, status_exit_codes);
	tcase_add_test(tc, err_format);
	tcase_add_test(tc, buf_grows);
	tcase_add_test(tc, str_helpers);
	tcase_add_test(tc, json_pretty_two_spaces);
	tcase_add_test(tc, json_equal_loose);
	tcase_add_test(tc, log_never_writes_a_registered_secret);
	tcase_add_test(tc, secmem_roundtrip_and_core_dumps_off);
	tcase_add_test(tc, paths_xdg);
	tcase_add_test(tc, text_made_safe);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
