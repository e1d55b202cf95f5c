/* sigv4_oracle_helper: signs requests read as JSON lines on stdin with src/aws/sigv4.c and
 * prints one JSON line per request: {"authz": "...", "creq": "..."} or {"error": "..."}.
 * Used by tests/unit/test_sigv4_oracle.py, which compares with botocore.
 *
 * Input object: method, path, query (raw, may be absent), headers ([[name, value], ...]),
 * body_hex, access_key, secret_key, token (optional; sent as X-Amz-Security-Token),
 * region, service, amz_date, s3 (bool). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/secmem.h"

static int hexv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void print_obj(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	puts(s);
	free(s);
	cJSON_Delete(o);
}

static void sign_line(const char *line, size_t len)
{
	struct cx_err err;
	cJSON *in = json_parse(line, len, &err);
	cJSON *out = cJSON_CreateObject();
	struct sigv4_header *hs = NULL;
	unsigned char *body = NULL;
	char *secret = NULL;
	if (!in) {
		cJSON_AddStringToObject(out, "error", err.msg);
		goto out;
	}
	const cJSON *harr = json_arr(in, "headers");
	size_t nh = (size_t)cJSON_GetArraySize(harr);
	hs = xcalloc(nh + 1, sizeof(*hs));
	size_t n = 0;
	const cJSON *h;
	cJSON_ArrayForEach(h, harr)
	{
		hs[n].name = cJSON_GetStringValue(cJSON_GetArrayItem(h, 0));
		hs[n].value = cJSON_GetStringValue(cJSON_GetArrayItem(h, 1));
		n++;
	}
	const char *tok = json_str(in, "token");
	if (tok) {
		hs[n].name = "X-Amz-Security-Token";
		hs[n].value = tok;
		n++;
	}
	const char *bh = json_str(in, "body_hex");
	size_t blen = bh ? strlen(bh) / 2 : 0;
	body = xmalloc(blen + 1);
	for (size_t i = 0; i < blen; i++)
		body[i] = (unsigned char)(hexv(bh[2 * i]) * 16 + hexv(bh[2 * i + 1]));
	secret = secmem_strdup(json_str(in, "secret_key"));
	struct sigv4_request rq = {.method = json_str(in, "method"),
	                           .path = json_str(in, "path"),
	                           .query = json_str(in, "query"),
	                           .headers = hs,
	                           .nheaders = n,
	                           .body = body,
	                           .body_len = blen};
	struct sigv4_params p = {.access_key_id = json_str(in, "access_key"),
	                         .secret_access_key = secret,
	                         .region = json_str(in, "region"),
	                         .service = json_str(in, "service"),
	                         .amz_date = json_str(in, "amz_date"),
	                         .s3 = json_bool(in, "s3", false)};
	struct sigv4_result r;
	if (sigv4_sign(&rq, &p, &r, &err) != CX_OK) {
		cJSON_AddStringToObject(out, "error", err.msg);
		goto out;
	}
	cJSON_AddStringToObject(out, "authz", r.authorization);
	cJSON_AddStringToObject(out, "creq", r.canonical_request);
	sigv4_result_free(&r);
out:
	print_obj(out);
	cJSON_Delete(in);
	free(hs);
	free(body);
	secmem_free(secret);
}

int main(void)
{
	if (secmem_init() < 0)
		return 70;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len)
			sign_line(line, (size_t)len);
		fflush(stdout);
	}
	free(line);
	return 0;
}
