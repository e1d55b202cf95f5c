/* Unit tests of src/aws/sigv4.c: every case of the AWS SigV4 test suite in
 * $CX_SHARED_DIR/vectors/sigv4 (canonical request, string to sign and Authorization compared
 * byte for byte), S3 mode with expectations produced by botocore's S3SigV4Auth, URI
 * encoding/decoding, and input validation. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/sigv4.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/secmem.h"
#include "util/str.h"

#define AKID   "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define DATE   "20150830T123600Z"

static char vecdir[4096];

/* ---- URI encoding ---- */

START_TEST(uri_encode_rules)
{
	char *e = sigv4_uri_encode("a b/c~d-e_f.g", 13, false);
	ck_assert_str_eq(e, "a%20b/c~d-e_f.g");
	free(e);
	e = sigv4_uri_encode("a b/c", 5, true);
	ck_assert_str_eq(e, "a%20b%2Fc");
	free(e);
	e = sigv4_uri_encode("=(+:)!*'$&,;@%", 14, true);
	ck_assert_str_eq(e, "%3D%28%2B%3A%29%21%2A%27%24%26%2C%3B%40%25");
	free(e);
	e = sigv4_uri_encode("\xe1\x88\xb4\xff", 4, false);
	ck_assert_str_eq(e, "%E1%88%B4%FF");
	free(e);
	e = sigv4_uri_encode("a\0b", 3, false); /* explicit length: NUL encoded */
	ck_assert_str_eq(e, "a%00b");
	free(e);
	e = sigv4_uri_encode("", 0, true);
	ck_assert_str_eq(e, "");
	free(e);
	e = sigv4_uri_encode("ABCXYZabcxyz0189", 16, true);
	ck_assert_str_eq(e, "ABCXYZabcxyz0189");
	free(e);
}
END_TEST

START_TEST(uri_decode_rules)
{
	char *d = sigv4_uri_decode("a%20b%2fc%2Fd+e", false);
	ck_assert_str_eq(d, "a b/c/d+e");
	free(d);
	d = sigv4_uri_decode("a%20b+c", true);
	ck_assert_str_eq(d, "a b c");
	free(d);
	d = sigv4_uri_decode("%E1%88%b4", false);
	ck_assert_str_eq(d, "\xe1\x88\xb4");
	free(d);
	/* malformed escapes are kept as they are */
	d = sigv4_uri_decode("100%%zz%4%", false);
	ck_assert_str_eq(d, "100%%zz%4%");
	free(d);
	d = sigv4_uri_decode("%41%", false);
	ck_assert_str_eq(d, "A%");
	free(d);
	/* round trip */
	const char *s = "cur/data exports/=(+:)/\xc3\xa9";
	char *e = sigv4_uri_encode(s, strlen(s), true);
	d = sigv4_uri_decode(e, false);
	ck_assert_str_eq(d, s);
	free(e);
	free(d);
}
END_TEST

START_TEST(sha256_and_date)
{
	char h[65];
	sigv4_sha256_hex("", 0, h);
	ck_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sigv4_sha256_hex(NULL, 0, h);
	ck_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sigv4_sha256_hex("abc", 3, h);
	ck_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	char d[17];
	sigv4_amz_date(1440938160, d);
	ck_assert_str_eq(d, DATE);
	sigv4_amz_date(0, d);
	ck_assert_str_eq(d, "19700101T000000Z");
}
END_TEST

/* ---- the AWS test suite ---- */

struct parsed_req {
	char *method;
	char *path;
	char *query;
	char **names;
	char **values;
	size_t n;
	char *body;
	size_t body_len;
};

static void preq_free(struct parsed_req *r)
{
	free(r->method);
	free(r->path);
	free(r->query);
	for (size_t i = 0; i < r->n; i++) {
		free(r->names[i]);
		free(r->values[i]);
	}
	free(r->names);
	free(r->values);
	free(r->body);
}

/* Parses the raw HTTP text of a .req file: request line, headers (folded continuation
 * lines joined with one space, repeated names kept in order), blank line, body. */
static void preq_parse(const char *text, size_t len, struct parsed_req *r)
{
	memset(r, 0, sizeof(*r));
	const char *end = text + len;
	const char *sep = NULL;
	for (const char *p = text; p + 1 < end; p++) {
		if (p[0] == '\n' && p[1] == '\n') {
			sep = p;
			break;
		}
	}
	const char *hend = sep ? sep : end;
	if (sep) {
		r->body_len = (size_t)(end - (sep + 2));
		r->body = xstrndup(sep + 2, r->body_len);
	} else {
		r->body = xstrdup("");
	}
	const char *nl = memchr(text, '\n', (size_t)(hend - text));
	const char *lend = nl ? nl : hend;
	/* request line: METHOD SP target SP version; the target may hold spaces */
	const char *sp1 = memchr(text, ' ', (size_t)(lend - text));
	const char *sp2 = lend;
	while (sp2 > sp1 && *sp2 != ' ')
		sp2--;
	ck_assert_ptr_nonnull(sp1);
	ck_assert_ptr_ne(sp1, sp2);
	r->method = xstrndup(text, (size_t)(sp1 - text));
	char *target = xstrndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	char *q = strchr(target, '?');
	if (q) {
		*q = '\0';
		r->query = xstrdup(q + 1);
	}
	r->path = xstrdup(target);
	free(target);
	r->names = xcalloc(64, sizeof(char *));
	r->values = xcalloc(64, sizeof(char *));
	const char *p = nl ? nl + 1 : hend;
	while (p < hend) {
		const char *e = memchr(p, '\n', (size_t)(hend - p));
		if (!e)
			e = hend;
		char *line = xstrndup(p, (size_t)(e - p));
		if ((line[0] == ' ' || line[0] == '\t') && r->n) {
			char *old = r->values[r->n - 1];
			r->values[r->n - 1] = xasprintf("%s %s", old, str_trim(line));
			free(old);
		} else if (line[0]) {
			char *colon = strchr(line, ':');
			ck_assert_ptr_nonnull(colon);
			ck_assert_uint_lt(r->n, 63);
			r->names[r->n] = xstrndup(line, (size_t)(colon - line));
			r->values[r->n] = xstrdup(colon + 1);
			r->n++;
		}
		free(line);
		p = e + 1;
	}
}

static char *slurp(const char *dir, const char *name, const char *ext, size_t *len)
{
	char *path = xasprintf("%s/%s.%s", dir, name, ext);
	char *t = paths_read_file(path, 1 << 20, len);
	if (!t)
		ck_abort_msg("cannot read %s", path);
	free(path);
	return t;
}

/* Signs one suite case; returns 1 when it was checked, 0 when skipped. */
static int run_case(const char *dir, const char *name)
{
	if (!strcmp(name, "post-sts-header-after")) {
		printf("SKIP post-sts-header-after: the token is added after signing, so it is not "
		       "signed; AWS services need it signed and this signer always signs it\n");
		return 0;
	}
	size_t len;
	char *req_text = slurp(dir, name, "req", &len);
	char *creq = slurp(dir, name, "creq", NULL);
	char *sts = slurp(dir, name, "sts", NULL);
	char *authz = slurp(dir, name, "authz", NULL);
	struct parsed_req r;
	preq_parse(req_text, len, &r);

	/* The session-token case has the token only in the .creq. */
	const char *tok = strstr(creq, "\nx-amz-security-token:");
	bool has_tok_hdr = false;
	for (size_t i = 0; i < r.n; i++)
		has_tok_hdr |= str_case_eq(r.names[i], "x-amz-security-token");
	if (tok && !has_tok_hdr) {
		tok += strlen("\nx-amz-security-token:");
		const char *te = strchr(tok, '\n');
		r.names[r.n] = xstrdup("X-Amz-Security-Token");
		r.values[r.n] = xstrndup(tok, (size_t)(te - tok));
		r.n++;
	}
	struct sigv4_header hs[64];
	for (size_t i = 0; i < r.n; i++) {
		hs[i].name = r.names[i];
		hs[i].value = r.values[i];
	}
	struct sigv4_request rq = {.method = r.method,
	                           .path = r.path,
	                           .query = r.query,
	                           .headers = hs,
	                           .nheaders = r.n,
	                           .body = r.body,
	                           .body_len = r.body_len};
	char *secret = secmem_strdup(SECRET);
	struct sigv4_params prm = {.access_key_id = AKID,
	                           .secret_access_key = secret,
	                           .region = "us-east-1",
	                           .service = "service",
	                           .amz_date = DATE,
	                           .s3 = false};
	struct sigv4_result res;
	struct cx_err err;
	cx_err_clear(&err);
	enum cx_status st = sigv4_sign(&rq, &prm, &res, &err);
	ck_assert_msg(st == CX_OK, "%s: %s", name, err.msg);
	ck_assert_msg(!strcmp(res.canonical_request, creq),
	              "%s: canonical request\n%s\n--- want\n%s", name, res.canonical_request, creq);
	ck_assert_msg(!strcmp(res.string_to_sign, sts), "%s: string to sign\n%s\n--- want\n%s",
	              name, res.string_to_sign, sts);
	ck_assert_msg(!strcmp(res.authorization, authz), "%s: authorization\n%s\n--- want\n%s",
	              name, res.authorization, authz);
	sigv4_result_free(&res);
	secmem_free(secret);
	preq_free(&r);
	free(req_text);
	free(creq);
	free(sts);
	free(authz);
	return 1;
}

/* Walks dir; a directory D holding D.req is a case. */
static void walk(const char *dir, int *checked, int *skipped, int depth)
{
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		char *sub = xasprintf("%s/%s", dir, names[i]);
		struct stat sb;
		if (stat(sub, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			char *req = xasprintf("%s/%s.req", sub, names[i]);
			if (access(req, R_OK) == 0) {
				if (run_case(sub, names[i]))
					(*checked)++;
				else
					(*skipped)++;
			} else if (depth < 3) {
				walk(sub, checked, skipped, depth + 1);
			}
			free(req);
		}
		free(sub);
		free(names[i]);
	}
	free(names);
}

START_TEST(aws_suite)
{
	int checked = 0, skipped = 0;
	walk(vecdir, &checked, &skipped, 0);
	printf("sigv4 suite: %d cases checked, %d skipped\n", checked, skipped);
	/* 34 cases in the suite; only post-sts-header-after may be skipped */
	ck_assert_int_eq(checked, 33);
	ck_assert_int_eq(skipped, 1);
}
END_TEST

/* ---- S3 mode ---- */

struct s3case {
	const char *method, *path, *query, *body;
	const char *curi; /* expected canonical URI */
	const char *authz;
};

/* Expectations produced by botocore 1.43.11 S3SigV4Auth (frozen clock 20150830T123600Z,
 * host example.amazonaws.com, service "s3", region us-east-1, the suite's key) for the
 * path as sent on the wire; where the suite path has raw bytes, the wire form is the
 * per-byte encoding a client sends. */
static const struct s3case s3cases[] = {
    {"GET", "/example/..", NULL, "", "/example/..",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=4abf580f5c6a905879f38a26455777c5592f1d75fd15bc1eb3a8325e0d718779"},
    {"GET", "/example1/example2/../..", NULL, "", "/example1/example2/../..",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=46486be126e3eec7e0058d47356056c4c66f4f90ad356e6856a542ad318b3e7a"},
    {"GET", "//", NULL, "", "//",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=34a8761dc5ca8817dfae43a7ab2168052a55c3771ccfb593614ce97256d894a3"},
    {"GET", "//example//", NULL, "", "//example//",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=ccf66f85d435f4de17e87b203e475e6d13a69cf8cc1a6bd27de199198168c938"},
    {"GET", "/./", NULL, "", "/./",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=7d0e7191d3268f24977f99e587ac2fa84e799ead0cdb4f79451746a148c339b1"},
    {"GET", "/./example", NULL, "", "/./example",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=ea9fc5c68ba3df7f75d917f34cf8e3bb88733d0bf3e58cb50864ab4f3deaf34e"},
    {"GET", "/example%20space/", NULL, "", "/example%20space/",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=4cb8bf8499585972f853e84c89b348898c3db771ff522aa635b803aaaf2fb1a2"},
    {"GET", "/example/%24delete", NULL, "", "/example/%24delete",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=6c42473e2eaeeb6f75d0fd10b6216150fe7d844913568a76cdc404979c760c4e"},
    {"GET", "/%E1%88%B4", NULL, "", "/%E1%88%B4",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=2d8724728b412b4d130ccf7f94fbec1c0aa1433b90d284cc99c0a0380ed094e1"},
    {"GET", "/my-object//example//photo.user", NULL, "", "/my-object//example//photo.user",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=5833488f7eacc112646f994151ac59f6b4ce896e03da76f90bb04db7bd779fb5"},
    {"GET", "/bucket/cur/data%20exports/%3D%28%2B%3A%29/%C3%A9", NULL, "",
     "/bucket/cur/data%20exports/%3D%28%2B%3A%29/%C3%A9",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=994e3ed5a4deed0e88ad460c9e636ec69e339d7aaeca99a58893d5a5618a993b"},
    {"GET", "/", "list-type=2&prefix=a%2Fb%20c&delimiter=%2F&encoding-type=url", "", "/",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=95e369eac0e17d4b654119d8dcc7e48268f6d366850999cb69d10507b7fba0b1"},
    {"GET", "/bucket", "location=", "", "/bucket",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=d73f767274a4fbc4f019a5d6ddc0096c042eac5871162d5e2657ff4e48c22f70"},
    {"PUT", "/bucket", "policy=", "{\"Version\":\"2012-10-17\"}", "/bucket",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=22b678116a3899761e781bacb35f92ae50ede09f049d865be82c5b6cd1a56732"},
    {"POST", "/", "Param1=value2&Param1=Value1&empty=", "Param1=value1", "/",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature=1fb6538414bd718018072ce3d9ff3225d865ac78a6ea54b024aaba14eeeaecdd"},
};

START_TEST(s3_mode)
{
	char *secret = secmem_strdup(SECRET);
	for (size_t i = 0; i < sizeof(s3cases) / sizeof(s3cases[0]); i++) {
		const struct s3case *c = &s3cases[i];
		struct sigv4_header hs[] = {{"Host", "example.amazonaws.com"},
		                            {"X-Amz-Date", DATE}};
		struct sigv4_request rq = {.method = c->method,
		                           .path = c->path,
		                           .query = c->query,
		                           .headers = hs,
		                           .nheaders = 2,
		                           .body = c->body,
		                           .body_len = strlen(c->body)};
		struct sigv4_params prm = {AKID, secret, "us-east-1", "s3", DATE, true};
		struct sigv4_result res;
		struct cx_err err;
		ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, &err), CX_OK);
		const char *nl = strchr(res.canonical_request, '\n');
		const char *nl2 = strchr(nl + 1, '\n');
		ck_assert_msg((size_t)(nl2 - nl - 1) == strlen(c->curi) &&
		                  !strncmp(nl + 1, c->curi, strlen(c->curi)),
		              "%s: canonical uri in\n%s", c->path, res.canonical_request);
		ck_assert_msg(!strcmp(res.authorization, c->authz), "%s %s:\n%s\n--- want\n%s",
		              c->method, c->path, res.authorization, c->authz);
		/* S3 mode signs x-amz-content-sha256 (added when the caller did not) */
		ck_assert_ptr_nonnull(strstr(res.canonical_request, "\nx-amz-content-sha256:"));
		char h[65];
		sigv4_sha256_hex(c->body, strlen(c->body), h);
		ck_assert_str_eq(res.payload_hash, h);
		sigv4_result_free(&res);
	}
	secmem_free(secret);
}
END_TEST

START_TEST(s3_raw_equals_encoded)
{
	/* a raw space or UTF-8 byte in an S3 path is encoded once, like its wire form;
	 * an encoded path is never encoded again */
	const char *pairs[][2] = {{"/example space/", "/example%20space/"},
	                          {"/\xe1\x88\xb4", "/%E1%88%B4"},
	                          {"/b/a%2fb", "/b/a/b"},
	                          {"/b/%7e%41", "/b/~A"}};
	char *secret = secmem_strdup(SECRET);
	for (size_t i = 0; i < 4; i++) {
		char *a[2];
		for (int k = 0; k < 2; k++) {
			struct sigv4_header hs[] = {{"host", "b.s3.amazonaws.com"},
			                            {"x-amz-date", DATE}};
			struct sigv4_request rq = {"GET", pairs[i][k], NULL, hs, 2, NULL, 0, NULL};
			struct sigv4_params prm = {AKID, secret, "eu-west-1", "s3", DATE, true};
			struct sigv4_result res;
			ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, NULL), CX_OK);
			a[k] = xstrdup(res.authorization);
			sigv4_result_free(&res);
		}
		ck_assert_str_eq(a[0], a[1]);
		free(a[0]);
		free(a[1]);
	}
	secmem_free(secret);
}
END_TEST

START_TEST(s3_given_content_sha)
{
	/* a caller-supplied x-amz-content-sha256 (UNSIGNED-PAYLOAD) is the payload hash */
	char *secret = secmem_strdup(SECRET);
	struct sigv4_header hs[] = {{"host", "b.s3.amazonaws.com"},
	                            {"x-amz-date", DATE},
	                            {"X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"}};
	struct sigv4_request rq = {"PUT", "/k", NULL, hs, 3, "data", 4, NULL};
	struct sigv4_params prm = {AKID, secret, "us-east-1", "s3", DATE, true};
	struct sigv4_result res;
	ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, NULL), CX_OK);
	ck_assert_str_eq(res.payload_hash, "UNSIGNED-PAYLOAD");
	ck_assert(str_ends_with(res.canonical_request,
	                        "\nhost;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD"));
	sigv4_result_free(&res);
	/* and a precomputed payload_hash wins over hashing the body */
	rq.nheaders = 2;
	rq.payload_hash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, NULL), CX_OK);
	ck_assert(
	    str_ends_with(res.canonical_request,
	                  "\n"
	                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	ck_assert_ptr_nonnull(strstr(res.canonical_request, "\nx-amz-content-sha256:ba7816bf"));
	sigv4_result_free(&res);
	secmem_free(secret);
}
END_TEST

START_TEST(never_signed_headers)
{
	char *secret = secmem_strdup(SECRET);
	struct sigv4_header hs[] = {{"host", "h"},
	                            {"User-Agent", "x"},
	                            {"Expect", "100"},
	                            {"x-amz-date", DATE},
	                            {"Transfer-Encoding", "chunked"},
	                            {"X-Amzn-Trace-Id", "t"}};
	struct sigv4_request rq = {"GET", "/", "", hs, 6, NULL, 0, NULL};
	struct sigv4_params prm = {AKID, secret, "us-east-1", "iam", DATE, false};
	struct sigv4_result res;
	ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, NULL), CX_OK);
	ck_assert_ptr_nonnull(strstr(res.authorization, "SignedHeaders=host;x-amz-date, "));
	sigv4_result_free(&res);
	secmem_free(secret);
}
END_TEST

START_TEST(invalid_requests)
{
	char *secret = secmem_strdup(SECRET);
	struct sigv4_header ok[] = {{"host", "h"}, {"x-amz-date", DATE}};
	struct sigv4_header nohost[] = {{"x-amz-date", DATE}};
	struct sigv4_header baddate[] = {{"host", "h"}, {"x-amz-date", "20150830T123601Z"}};
	struct sigv4_header badname[] = {{"host", "h"}, {"a b", "x"}};
	struct sigv4_header crlf[] = {{"host", "h"}, {"x-a", "x\r\nInjected: 1"}};
	struct sigv4_params prm = {AKID, secret, "us-east-1", "iam", DATE, false};
	struct sigv4_result res;
	struct cx_err err;
	struct sigv4_request rq = {"GET", "/", NULL, ok, 2, NULL, 0, NULL};
	ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, &err), CX_OK);
	sigv4_result_free(&res);

	rq.path = "noslash";
	ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, &err), CX_E_INVALID);
	ck_assert_ptr_null(res.authorization);
	rq.path = "/";
	rq.headers = nohost;
	rq.nheaders = 1;
	ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, &err), CX_E_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "host"));
	rq.headers = baddate;
	rq.nheaders = 2;
	ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, &err), CX_E_INVALID);
	rq.headers = badname;
	ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, &err), CX_E_INVALID);
	rq.headers = crlf;
	ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, &err), CX_E_INVALID);
	rq.headers = ok;
	rq.payload_hash = "nothex";
	ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, &err), CX_E_INVALID);
	rq.payload_hash = NULL;
	prm.amz_date = "2015-08-30";
	ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, &err), CX_E_INVALID);
	prm.amz_date = DATE;
	prm.region = "us east";
	ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, &err), CX_E_INVALID);
	prm.region = "us-east-1";
	prm.secret_access_key = "";
	ck_assert_int_eq(sigv4_sign(&rq, &prm, &res, &err), CX_E_INVALID);
	/* the secret never shows in an error message */
	ck_assert_ptr_null(strstr(err.msg, "EXAMPLEKEY"));
	secmem_free(secret);
}
END_TEST

int main(void)
{
	const char *shared = getenv("CX_SHARED_DIR");
	if (!shared || !*shared) {
		printf("SKIP: CX_SHARED_DIR is not set (needs ../shared/vectors/sigv4)\n");
		return 77;
	}
	snprintf(vecdir, sizeof(vecdir), "%s/vectors/sigv4", shared);
	struct stat sb;
	if (stat(vecdir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		printf("SKIP: %s is missing (the SigV4 test suite lives in ../shared)\n", vecdir);
		return 77;
	}
	if (secmem_init() < 0)
		return 99;
	Suite *s = suite_create("sigv4");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, uri_encode_rules);
	tcase_add_test(tc, uri_decode_rules);
	tcase_add_test(tc, sha256_and_date);
	tcase_add_test(tc, aws_suite);
	tcase_add_test(tc, s3_mode);
	tcase_add_test(tc, s3_raw_equals_encoded);
	tcase_add_test(tc, s3_given_content_sha);
	tcase_add_test(tc, never_signed_headers);
	tcase_add_test(tc, invalid_requests);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
