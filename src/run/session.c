#include "run/session.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/secmem.h"
#include "util/status.h"

static enum cx_status resolve_org(struct session *s, const char *wanted, struct cx_err *err)
{
	free(s->org_id);
	s->org_id = NULL;
	return certerox_pick_org(s->cx, wanted, &s->org_id, err);
}

enum cx_status session_certerox_client(struct session *s, const char *url, const char *token_file,
                                       bool *have_token, struct cx_err *err)
{
	*have_token = false;
	certerox_free(s->cx);
	s->cx = NULL;
	free(s->org_id);
	s->org_id = NULL;
	s->cx = certerox_new(s->http, url, err);
	if (!s->cx)
		return err && err->status ? err->status : CX_E_INPUT;
	char *token = NULL;
	if (token_file) {
		enum cx_status st = certerox_token_from_file(token_file, &token, err);
		if (st != CX_OK)
			return st;
	} else {
		const char *env_token = getenv("CERTEROX_TOKEN");
		if (env_token && *env_token)
			token = secmem_strdup(env_token);
	}
	if (token) {
		certerox_set_token(s->cx, token);
		secmem_free(token);
		*have_token = true;
	}
	return CX_OK;
}

enum cx_status session_open(struct session *s, const struct session_opts *o, struct cx_err *err)
{
	memset(s, 0, sizeof(*s));
	struct aws_config_opts ao = {o->profile, o->region, o->endpoint_url, o->ca_bundle};
	enum cx_status st = aws_config_load(&ao, &s->cfg, err);
	if (st != CX_OK)
		return st;
	struct http_opts ho;
	memset(&ho, 0, sizeof(ho));
	ho.ca_bundle = s->cfg.ca_bundle;
	ho.max_parallel = o->max_parallel;
	/* Test-only: a short per-attempt timeout so the fault tests can stall a request past
	 * it quickly (tests/integration/test_rel_*.py). Not documented for users. */
	const char *tmo = getenv("CX_TEST_HTTP_TIMEOUT_MS");
	if (tmo && atol(tmo) > 0)
		ho.total_timeout_ms = atol(tmo);
	s->http = http_ctx_new(&ho, err);
	if (!s->http)
		return err && err->status ? err->status : CX_E_INTERNAL;
	s->aws = aws_client_new(s->http, &s->cfg);
	if (!o->certerox_url || !*o->certerox_url) {
		if (o->certerox_required)
			return cx_err_set(err, CX_E_INPUT,
			                  "certerox.url: no CerteroX URL: give --certerox-url, "
			                  "CERTEROX_URL or \"certerox\": {\"url\"} in the answers");
		return CX_OK;
	}
	bool have_token = false;
	st = session_certerox_client(s, o->certerox_url, o->certerox_token_file, &have_token, err);
	if (st != CX_OK)
		return st;
	if (!have_token) {
		if (o->certerox_required)
			return cx_err_set(
			    err, CX_E_CREDENTIALS,
			    "no CerteroX token: give --certerox-token-file FILE or set "
			    "CERTEROX_TOKEN");
		return CX_OK;
	}
	if (o->defer_org)
		return CX_OK;
	return resolve_org(s, o->certerox_org, err);
}

enum cx_status session_resolve_org(struct session *s, const char *wanted, const char *found,
                                   struct cx_err *err)
{
	if (!s->cx)
		return cx_err_set(err, CX_E_INPUT, "no CerteroX URL");
	if (found && *found) {
		free(s->org_id);
		s->org_id = xstrdup(found);
		return CX_OK;
	}
	return resolve_org(s, wanted, err);
}

enum cx_status session_certerox_login(struct session *s, const char *email, const char *password,
                                      const char *org, struct cx_err *err)
{
	if (!s->cx)
		return cx_err_set(err, CX_E_INPUT, "no CerteroX URL");
	enum cx_status st = certerox_login(s->cx, email, password, err);
	if (st != CX_OK)
		return st;
	return resolve_org(s, org, err);
}

void session_close(struct session *s)
{
	certerox_free(s->cx);
	aws_client_free(s->aws);
	http_ctx_free(s->http);
	aws_config_free(&s->cfg);
	free(s->org_id);
	memset(s, 0, sizeof(*s));
}

int session_exit_status(enum cx_status st, bool partly_done)
{
	switch (st) {
	case CX_OK:
		return CX_EXIT_OK;
	case CX_E_DENIED:
	case CX_E_CREDENTIALS:
		return CX_EXIT_NOPERM;
	case CX_E_CANCELLED:
		return CX_EXIT_CANCELLED;
	case CX_E_INPUT:
	case CX_E_INVALID:
	case CX_E_PARSE:
	case CX_E_TOO_LARGE:
	case CX_E_CRYPTO:
		return CX_EXIT_DATAERR;
	case CX_E_USAGE:
		return CX_EXIT_USAGE;
	case CX_E_UNAVAILABLE:
	case CX_E_THROTTLED:
	case CX_E_SERVER:
	case CX_E_NETWORK:
	case CX_E_TIMEOUT:
	case CX_E_TLS:
	case CX_E_NOT_FOUND:
		return partly_done ? CX_EXIT_TEMPFAIL : CX_EXIT_UNAVAILABLE;
	case CX_E_PARTIAL:
	case CX_E_LOCKED:
	case CX_E_CONFLICT:
		return CX_EXIT_TEMPFAIL;
	default:
		return cx_status_exit(st);
	}
}
