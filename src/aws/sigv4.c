/* sigv4.c - AWS Signature Version 4 (AWS4-HMAC-SHA256, header auth).
 *
 * Canonicalisation follows botocore's SigV4Auth / S3SigV4Auth for requests as a real client
 * sends them (percent-encoded path and query):
 *  - canonical URI: non-S3: RFC 3986 dot-segment removal plus collapsing of empty segments
 *    (botocore's remove_dot_segments), then one more percent-encoding ('%' becomes "%25");
 *    S3: no normalisation, the path is decoded and encoded once (identity for a path that
 *    is already encoded per byte; raw bytes such as a space or UTF-8 are encoded).
 *  - canonical query: each name and value decoded then encoded ('/' too), pairs sorted by
 *    name then value (byte order), "name=" for a missing value.
 *  - headers: names lower-cased, values trimmed with inner whitespace runs folded to one
 *    space, repeated names joined with ',' in order; expect, transfer-encoding, user-agent
 *    and x-amzn-trace-id are never signed (as botocore). */
#include "aws/sigv4.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/str.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

static const char hexdig[] = "0123456789ABCDEF";

static bool is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void encode_into(struct buf *b, const char *s, size_t n, bool encode_slash)
{
	buf_reserve(b, n * 3 + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_unreserved(c) || (c == '/' && !encode_slash)) {
			buf_putc(b, (char)c);
		} else {
			char e[3] = {'%', hexdig[c >> 4], hexdig[c & 15]};
			buf_append(b, e, 3);
		}
	}
}

char *sigv4_uri_encode(const char *s, size_t n, bool encode_slash)
{
	struct buf b = BUF_INIT;
	encode_into(&b, s ? s : "", s ? n : 0, encode_slash);
	buf_putc(&b, '\0');
	b.len--;
	return buf_steal(&b);
}

/* Decodes n bytes of s into a new buffer (may hold NUL bytes); *outlen gets its length.
 * A '%' not followed by two hex digits is kept as is. */
static char *decode_n(const char *s, size_t n, bool plus_is_space, size_t *outlen)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int h, l;
		if (c == '%' && i + 2 < n && (h = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)s[i + 2])) >= 0) {
			out[o++] = (char)(h * 16 + l);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			out[o++] = ' ';
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

char *sigv4_uri_decode(const char *s, bool plus_is_space)
{
	size_t len;
	if (!s)
		s = "";
	return decode_n(s, strlen(s), plus_is_space, &len);
}

void sigv4_sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(n ? data : "", n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		abort();
	str_hex(md, 32, out);
}

void sigv4_amz_date(time_t t, char out[17])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	if (strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
		out[0] = '\0';
}

void sigv4_result_free(struct sigv4_result *r)
{
	if (!r)
		return;
	/* the canonical request holds the session token when there is one */
	if (r->canonical_request)
		OPENSSL_cleanse(r->canonical_request, strlen(r->canonical_request));
	free(r->canonical_request);
	free(r->string_to_sign);
	free(r->authorization);
	r->canonical_request = r->string_to_sign = r->authorization = NULL;
}

/* botocore's normalize_url_path: dot segments and empty segments removed; leading '/'
 * kept; trailing '/' kept when some segment remains. */
static char *normalize_path(const char *path)
{
	size_t n = strlen(path);
	if (n == 0)
		return xstrdup("/");
	/* segment start offsets and lengths of the output */
	size_t *segs = xcalloc(n + 1, sizeof(*segs) * 2);
	size_t nseg = 0;
	size_t i = 0;
	while (i <= n) {
		size_t j = i;
		while (j < n && path[j] != '/')
			j++;
		size_t len = j - i;
		if (len == 0 || (len == 1 && path[i] == '.')) {
			/* skip */
		} else if (len == 2 && path[i] == '.' && path[i + 1] == '.') {
			if (nseg)
				nseg--;
		} else {
			segs[2 * nseg] = i;
			segs[2 * nseg + 1] = len;
			nseg++;
		}
		i = j + 1;
	}
	struct buf b = BUF_INIT;
	buf_reserve(&b, n + 2);
	if (path[0] == '/')
		buf_putc(&b, '/');
	for (size_t k = 0; k < nseg; k++) {
		if (k)
			buf_putc(&b, '/');
		buf_append(&b, path + segs[2 * k], segs[2 * k + 1]);
	}
	if (path[n - 1] == '/' && nseg)
		buf_putc(&b, '/');
	free(segs);
	buf_puts(&b, "");
	return buf_steal(&b);
}

static char *canonical_uri(const char *path, bool s3)
{
	struct buf b = BUF_INIT;
	if (s3) {
		size_t dlen;
		char *d = decode_n(path, strlen(path), false, &dlen);
		encode_into(&b, d, dlen, false);
		free(d);
	} else {
		char *norm = normalize_path(path);
		encode_into(&b, norm, strlen(norm), false);
		free(norm);
	}
	buf_puts(&b, "");
	return buf_steal(&b);
}

struct qpair {
	char *k;
	char *v;
};

static int qpair_cmp(const void *a, const void *b)
{
	const struct qpair *x = a, *y = b;
	int c = strcmp(x->k, y->k);
	return c ? c : strcmp(x->v, y->v);
}

static char *encode_component(const char *s, size_t n)
{
	size_t dlen;
	char *d = decode_n(s, n, false, &dlen);
	char *e = sigv4_uri_encode(d, dlen, true);
	free(d);
	return e;
}

static char *canonical_query(const char *q)
{
	if (!q || !*q)
		return xstrdup("");
	size_t cap = 1;
	for (const char *p = q; *p; p++)
		cap += *p == '&';
	struct qpair *pairs = xcalloc(cap, sizeof(*pairs));
	size_t np = 0;
	const char *p = q;
	for (;;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		pairs[np].k = encode_component(p, klen);
		pairs[np].v = eq ? encode_component(eq + 1, len - klen - 1) : xstrdup("");
		np++;
		if (!amp)
			break;
		p = amp + 1;
	}
	qsort(pairs, np, sizeof(*pairs), qpair_cmp);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < np; i++) {
		if (i)
			buf_putc(&b, '&');
		buf_puts(&b, pairs[i].k);
		buf_putc(&b, '=');
		buf_puts(&b, pairs[i].v);
		free(pairs[i].k);
		free(pairs[i].v);
	}
	free(pairs);
	buf_puts(&b, "");
	return buf_steal(&b);
}

struct hdr {
	char *name;  /* lower-case */
	char *value; /* trimmed, folded */
	size_t idx;  /* original position, for a stable sort */
};

static int hdr_cmp(const void *a, const void *b)
{
	const struct hdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Python's str.split() whitespace for ASCII. */
static bool is_ws(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static char *trimall(const char *v)
{
	struct buf b = BUF_INIT;
	bool pending = false;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (is_ws(*p)) {
			pending = b.len > 0;
			continue;
		}
		if (pending)
			buf_putc(&b, ' ');
		pending = false;
		buf_putc(&b, (char)*p);
	}
	buf_puts(&b, "");
	return buf_steal(&b);
}

static bool is_tchar(unsigned char c)
{
	return (c > 0x20 && c < 0x7f) && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

static bool never_signed(const char *lname)
{
	return !strcmp(lname, "expect") || !strcmp(lname, "transfer-encoding") ||
	       !strcmp(lname, "user-agent") || !strcmp(lname, "x-amzn-trace-id") ||
	       !strcmp(lname, "authorization");
}

static bool valid_payload_hash(const char *h)
{
	if (str_starts_with(h, "UNSIGNED-PAYLOAD") || str_starts_with(h, "STREAMING-"))
		return strlen(h) < 65 && !strpbrk(h, "\r\n");
	if (strlen(h) != 64)
		return false;
	for (const char *p = h; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static bool valid_amz_date(const char *d)
{
	if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
		return false;
	for (int i = 0; i < 15; i++)
		if (i != 8 && !isdigit((unsigned char)d[i]))
			return false;
	return true;
}

static bool valid_scope_part(const char *s)
{
	if (!s || !*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

/* HMAC-SHA256(key, msg) into out[32]. */
static bool hmac256(const void *key, size_t klen, const void *msg, size_t mlen,
                    unsigned char out[32])
{
	unsigned int len = 0;
	if (!HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &len) || len != 32)
		return false;
	return true;
}

/* Signature = hex(HMAC(kSigning, sts)); every intermediate key is wiped. */
static bool compute_signature(const char *secret, const char *date8, const char *region,
                              const char *service, const char *sts, char sig_hex[65])
{
	bool ok = false;
	size_t slen = strlen(secret);
	unsigned char *ksecret = secmem_alloc(slen + 5);
	unsigned char k1[32], k2[32];
	memcpy(ksecret, "AWS4", 4);
	memcpy(ksecret + 4, secret, slen);
	if (!hmac256(ksecret, slen + 4, date8, 8, k1))
		goto out;
	if (!hmac256(k1, 32, region, strlen(region), k2))
		goto out;
	if (!hmac256(k2, 32, service, strlen(service), k1))
		goto out;
	if (!hmac256(k1, 32, "aws4_request", 12, k2))
		goto out;
	if (!hmac256(k2, 32, sts, strlen(sts), k1))
		goto out;
	str_hex(k1, 32, sig_hex);
	ok = true;
out:
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	secmem_free(ksecret);
	return ok;
}

enum cx_status sigv4_sign(const struct sigv4_request *req, const struct sigv4_params *p,
                          struct sigv4_result *out, struct cx_err *err)
{
	enum cx_status st = CX_E_INVALID;
	struct hdr *hs = NULL;
	size_t nh = 0;
	char *curi = NULL, *cquery = NULL;
	struct buf creq = BUF_INIT, sts = BUF_INIT, signed_list = BUF_INIT, auth = BUF_INIT;
	char date8[9];

	memset(out, 0, sizeof(*out));
	if (!req || !p || !req->method || !*req->method || !req->path || req->path[0] != '/') {
		cx_err_set(err, st, "sigv4: request needs a method and a path starting with '/'");
		goto out;
	}
	for (const char *m = req->method; *m; m++) {
		if (!is_tchar((unsigned char)*m)) {
			cx_err_set(err, st, "sigv4: invalid HTTP method");
			goto out;
		}
	}
	if (!p->access_key_id || !*p->access_key_id || strpbrk(p->access_key_id, "/ ,\r\n") ||
	    !p->secret_access_key || !*p->secret_access_key) {
		cx_err_set(err, st, "sigv4: missing or malformed access key id or secret key");
		goto out;
	}
	if (!valid_scope_part(p->region) || !valid_scope_part(p->service)) {
		cx_err_set(err, st, "sigv4: invalid signing region or service name");
		goto out;
	}
	if (!valid_amz_date(p->amz_date)) {
		cx_err_set(err, st, "sigv4: amz_date must be YYYYMMDDTHHMMSSZ");
		goto out;
	}
	if (req->body_len && !req->body) {
		cx_err_set(err, st, "sigv4: body_len without a body");
		goto out;
	}
	memcpy(date8, p->amz_date, 8);
	date8[8] = '\0';

	/* Headers. */
	hs = xcalloc(req->nheaders + 1, sizeof(*hs));
	bool have_host = false, have_sha = false;
	const char *sha_hdr = NULL;
	for (size_t i = 0; i < req->nheaders; i++) {
		const struct sigv4_header *h = &req->headers[i];
		if (!h->name || !*h->name) {
			cx_err_set(err, st, "sigv4: empty header name");
			goto out;
		}
		char *lname = xstrdup(h->name);
		for (char *c = lname; *c; c++) {
			if (!is_tchar((unsigned char)*c)) {
				free(lname);
				cx_err_set(err, st, "sigv4: invalid header name");
				goto out;
			}
			*c = (char)tolower((unsigned char)*c);
		}
		if (never_signed(lname)) {
			free(lname);
			continue;
		}
		const char *v = h->value ? h->value : "";
		if (strpbrk(v, "\r\n")) {
			free(lname);
			cx_err_set(err, st, "sigv4: header %s has a line break in its value",
			           h->name);
			goto out;
		}
		if (!strcmp(lname, "host"))
			have_host = true;
		if (!strcmp(lname, "x-amz-date")) {
			char *t = trimall(v);
			bool same = !strcmp(t, p->amz_date);
			free(t);
			if (!same) {
				free(lname);
				cx_err_set(err, st,
				           "sigv4: x-amz-date header differs from amz_date");
				goto out;
			}
		}
		if (!strcmp(lname, "x-amz-content-sha256")) {
			have_sha = true;
			sha_hdr = v;
		}
		hs[nh].name = lname;
		hs[nh].value = trimall(v);
		hs[nh].idx = i;
		nh++;
	}
	if (!have_host) {
		cx_err_set(err, st, "sigv4: the host header must be signed");
		goto out;
	}

	/* Payload hash. */
	if (req->payload_hash && *req->payload_hash) {
		if (!valid_payload_hash(req->payload_hash)) {
			cx_err_set(err, st, "sigv4: payload_hash is not a hex SHA-256");
			goto out;
		}
		str_copy(out->payload_hash, sizeof(out->payload_hash), req->payload_hash);
	} else if (have_sha) {
		char *t = trimall(sha_hdr);
		bool ok = valid_payload_hash(t);
		if (ok)
			str_copy(out->payload_hash, sizeof(out->payload_hash), t);
		free(t);
		if (!ok) {
			cx_err_set(err, st, "sigv4: x-amz-content-sha256 is not a hex SHA-256");
			goto out;
		}
	} else {
		sigv4_sha256_hex(req->body, req->body_len, out->payload_hash);
	}
	if (p->s3 && !have_sha) {
		hs[nh].name = xstrdup("x-amz-content-sha256");
		hs[nh].value = xstrdup(out->payload_hash);
		hs[nh].idx = req->nheaders;
		nh++;
	}
	qsort(hs, nh, sizeof(*hs), hdr_cmp);

	curi = canonical_uri(req->path, p->s3);
	cquery = canonical_query(req->query);

	/* Canonical request. */
	for (const char *m = req->method; *m; m++)
		buf_putc(&creq, (char)toupper((unsigned char)*m));
	buf_printf(&creq, "\n%s\n%s\n", curi, cquery);
	for (size_t i = 0; i < nh; i++) {
		bool first = i == 0 || strcmp(hs[i].name, hs[i - 1].name) != 0;
		if (first) {
			if (i)
				buf_putc(&creq, '\n');
			buf_printf(&creq, "%s:%s", hs[i].name, hs[i].value);
			if (signed_list.len)
				buf_putc(&signed_list, ';');
			buf_puts(&signed_list, hs[i].name);
		} else {
			buf_printf(&creq, ",%s", hs[i].value);
		}
	}
	buf_printf(&creq, "\n\n%s\n%s", buf_str(&signed_list), out->payload_hash);

	/* String to sign. */
	char creq_hash[65];
	sigv4_sha256_hex(buf_str(&creq), creq.len, creq_hash);
	buf_printf(&sts, ALGORITHM "\n%s\n%s/%s/%s/aws4_request\n%s", p->amz_date, date8, p->region,
	           p->service, creq_hash);

	char sig[65];
	if (!compute_signature(p->secret_access_key, date8, p->region, p->service, buf_str(&sts),
	                       sig)) {
		st = cx_err_set(err, CX_E_INTERNAL, "sigv4: HMAC-SHA256 failed");
		goto out;
	}
	buf_printf(&auth,
	           ALGORITHM " Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, "
	                     "Signature=%s",
	           p->access_key_id, date8, p->region, p->service, buf_str(&signed_list), sig);
	OPENSSL_cleanse(sig, sizeof(sig));
	out->canonical_request = buf_steal(&creq);
	out->string_to_sign = buf_steal(&sts);
	out->authorization = buf_steal(&auth);
	st = CX_OK;
out:
	if (st != CX_OK)
		sigv4_result_free(out);
	for (size_t i = 0; i < nh; i++) {
		free(hs[i].name);
		free(hs[i].value);
	}
	free(hs);
	free(curi);
	free(cquery);
	if (creq.data)
		OPENSSL_cleanse(creq.data, creq.len);
	buf_free(&creq);
	buf_free(&sts);
	buf_free(&signed_list);
	buf_free(&auth);
	return st;
}
