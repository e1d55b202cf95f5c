/* fuzz_certerox - the CerteroX response parsers (data source objects, lists, organization
 * lists, error envelopes) over random bodies. The first byte picks the HTTP status of the
 * error envelope parse; the rest is the body. Seed corpus: tests/fuzz/corpus/certerox. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "certerox/certerox.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_failure(enum cx_status st, const struct cx_err *err)
{
	if (st != CX_OK && (st != CX_E_PARSE || !err->msg[0]))
		abort(); /* a failure is a parse error that says why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = {400, 401, 403, 404, 409, 429, 500, 502, 503, 418, 302};
	long http = size ? statuses[data[0] % (sizeof(statuses) / sizeof(statuses[0]))] : 400;
	const char *body = size ? (const char *)data + 1 : "";
	size_t n = size ? size - 1 : 0;
	struct cx_err err;

	struct certerox_ds ds;
	memset(&ds, 0, sizeof(ds));
	cx_err_clear(&err);
	enum cx_status st = certerox_parse_ds(body, n, &ds, &err);
	check_failure(st, &err);
	if (st == CX_OK && (!ds.id || !ds.name || !ds.type))
		abort();
	certerox_ds_free(&ds);

	struct certerox_ds_list l = {NULL, 0};
	cx_err_clear(&err);
	st = certerox_parse_ds_list(body, n, &l, &err);
	check_failure(st, &err);
	(void)certerox_has_root_aws(&l);
	certerox_ds_list_free(&l);

	struct certerox_org_list o = {NULL, 0};
	cx_err_clear(&err);
	st = certerox_parse_orgs(body, n, &o, &err);
	check_failure(st, &err);
	if (st == CX_OK) {
		char *id = NULL;
		struct cx_err e2;
		cx_err_clear(&e2);
		if (certerox_org_pick(&o, NULL, &id, &e2) == CX_OK ? !id : !e2.msg[0])
			abort();
		free(id);
	}
	certerox_org_list_free(&o);

	cx_err_clear(&err);
	st = certerox_parse_error(http, body, n, size && (data[0] & 0x80), &err);
	if (st == CX_OK || err.status != st || !err.msg[0] || err.http_status != http ||
	    memchr(err.msg, '\n', strlen(err.msg)))
		abort(); /* an error answer is never success, always explained, on one line */
	return 0;
}
