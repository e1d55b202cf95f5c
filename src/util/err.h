/* err.h - caller-owned error detail that travels with an enum cx_status. */
#ifndef CX_UTIL_ERR_H
#define CX_UTIL_ERR_H

#include <stddef.h>

#include "util/status.h"

struct cx_err {
	enum cx_status status;
	int http_status;      /* 0 when no HTTP answer */
	char code[96];        /* service error code ("AccessDenied", "OE0371") */
	char request_id[128]; /* service request id, "" when none */
	char where[160];      /* what was being done ("iam CreateUser certerox-billing") */
	char msg[1024];       /* human text, never a secret */
};

/* Resets to CX_OK with every field empty. */
void cx_err_clear(struct cx_err *e);
/* Sets status and a printf-style message; returns st for `return cx_err_set(...)`.
 * e may be NULL. The message passes through the log redactor. */
enum cx_status cx_err_set(struct cx_err *e, enum cx_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets the service error code (truncated to fit). */
void cx_err_code(struct cx_err *e, const char *code);
/* Sets the "where" context (printf-style). */
void cx_err_where(struct cx_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes "where: msg (code, HTTP n, request id r)" into out; returns out. */
const char *cx_err_format(const struct cx_err *e, char *out, size_t outsz);

#endif
