#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/str.h"

void cx_err_clear(struct cx_err *e)
{
	if (!e)
		return;
	memset(e, 0, sizeof(*e));
	e->status = CX_OK;
}

enum cx_status cx_err_set(struct cx_err *e, enum cx_status st, const char *fmt, ...)
{
	if (!e)
		return st;
	e->status = st;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	log_redact_inplace(e->msg, sizeof(e->msg));
	/* Messages quote values from servers and files: nothing in them may act on a terminal. */
	char *safe = str_safe(e->msg, sizeof(e->msg), STR_SAFE_KEEP_NL);
	str_copy(e->msg, sizeof(e->msg), safe);
	free(safe);
	return st;
}

void cx_err_code(struct cx_err *e, const char *code)
{
	if (e)
		str_copy(e->code, sizeof(e->code), code ? code : "");
}

void cx_err_where(struct cx_err *e, const char *fmt, ...)
{
	if (!e)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->where, sizeof(e->where), fmt, ap);
	va_end(ap);
	log_redact_inplace(e->where, sizeof(e->where));
}

const char *cx_err_format(const struct cx_err *e, char *out, size_t outsz)
{
	if (!out || outsz == 0)
		return out;
	out[0] = '\0';
	if (!e)
		return out;
	const char *msg = e->msg[0] ? e->msg : cx_status_msg(e->status);
	size_t n = 0;
	if (e->where[0])
		n = (size_t)snprintf(out, outsz, "%s: %s", e->where, msg);
	else
		n = (size_t)snprintf(out, outsz, "%s", msg);
	if (n < outsz && (e->code[0] || e->http_status || e->request_id[0])) {
		char extra[300];
		size_t m = 0;
		extra[0] = '\0';
		if (e->code[0])
			m += (size_t)snprintf(extra + m, sizeof(extra) - m, "%s", e->code);
		if (e->http_status && m < sizeof(extra))
			m += (size_t)snprintf(extra + m, sizeof(extra) - m, "%sHTTP %d",
			                      m ? ", " : "", e->http_status);
		if (e->request_id[0] && m < sizeof(extra))
			snprintf(extra + m, sizeof(extra) - m, "%srequest id %s", m ? ", " : "",
			         e->request_id);
		snprintf(out + n, outsz - n, " (%s)", extra);
	}
	return out;
}
