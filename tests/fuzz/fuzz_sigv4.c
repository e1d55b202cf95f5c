/* libFuzzer target: SigV4 canonicalisation of random requests (sigv4_sign), plus the URI
 * encode/decode round trip.
 *
 * Input layout: byte 0 = flags (bit 0: S3 mode, bit 1: precomputed payload hash), then
 * lines: method, path, query, then "name:value" header lines up to an empty line; the rest
 * is the body. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "util/mem.h"
#include "util/secmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXH 32

static char *next_line(const char **p, const char *end)
{
	if (*p >= end)
		return NULL;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *le = nl ? nl : end;
	char *s = xstrndup(*p, (size_t)(le - *p));
	*p = nl ? nl + 1 : end;
	return s;
}

static bool canon_char(unsigned char c, bool query)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	if (strchr("-._~%", c))
		return true;
	return query ? (c == '=' || c == '&') : c == '/';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *secret;
	if (!secret) {
		if (secmem_init() < 0)
			abort();
		secret = secmem_strdup("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
	}
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	const char *p = (const char *)data + 1, *end = (const char *)data + size;

	/* encode/decode round trip over the raw input */
	char *enc = sigv4_uri_encode(p, (size_t)(end - p), (flags & 4) != 0);
	for (const char *c = enc; *c; c++)
		if (!canon_char((unsigned char)*c, false) || ((flags & 4) && *c == '/'))
			abort();
	char *dec = sigv4_uri_decode(enc, false);
	size_t plen = strnlen(p, (size_t)(end - p));
	if (strlen(dec) != plen || memcmp(dec, p, plen) != 0)
		abort();
	free(enc);
	free(dec);

	char *method = next_line(&p, end);
	char *path = next_line(&p, end);
	char *query = next_line(&p, end);
	struct sigv4_header hs[MAXH];
	char *names[MAXH] = {0};
	size_t nh = 0;
	char *line;
	while (nh < MAXH && (line = next_line(&p, end)) != NULL) {
		if (!*line) {
			free(line);
			break;
		}
		char *colon = strchr(line, ':');
		if (colon)
			*colon = '\0';
		hs[nh].name = line;
		hs[nh].value = colon ? colon + 1 : "";
		names[nh] = line;
		nh++;
	}
	struct sigv4_request rq = {.method = method ? method : "GET",
	                           .path = path ? path : "/",
	                           .query = query,
	                           .headers = hs,
	                           .nheaders = nh,
	                           .body = p,
	                           .body_len = (size_t)(end - p),
	                           .payload_hash = (flags & 2) ? "UNSIGNED-PAYLOAD" : NULL};
	struct sigv4_params prm = {.access_key_id = "AKIDEXAMPLE",
	                           .secret_access_key = secret,
	                           .region = "us-east-1",
	                           .service = (flags & 1) ? "s3" : "service",
	                           .amz_date = "20150830T123600Z",
	                           .s3 = (flags & 1) != 0};
	struct sigv4_result res;
	struct cx_err err;
	if (sigv4_sign(&rq, &prm, &res, &err) == CX_OK) {
		/* canonical URI and query hold only unreserved bytes and escapes */
		const char *l1 = strchr(res.canonical_request, '\n');
		const char *l2 = strchr(l1 + 1, '\n');
		const char *l3 = strchr(l2 + 1, '\n');
		if (!l1 || !l2 || !l3)
			abort();
		for (const char *c = l1 + 1; c < l2; c++)
			if (!canon_char((unsigned char)*c, false))
				abort();
		for (const char *c = l2 + 1; c < l3; c++)
			if (!canon_char((unsigned char)*c, true))
				abort();
		if (strlen(res.authorization) < 100 || strstr(res.authorization, "EXAMPLEKEY"))
			abort();
		sigv4_result_free(&res);
	} else if (err.status != CX_E_INVALID) {
		abort();
	}
	for (size_t i = 0; i < nh; i++)
		free(names[i]);
	free(method);
	free(path);
	free(query);
	return 0;
}
