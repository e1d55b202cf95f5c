/* session.h - what every front end sets up before it can discover, plan and apply: the
 * administrator's AWS settings and credentials, the shared http ctx and AWS client, and the
 * CerteroX client with its token and organization. */
#ifndef CX_RUN_SESSION_H
#define CX_RUN_SESSION_H

#include <stdbool.h>

#include "aws/client.h"
#include "aws/config.h"
#include "certerox/certerox.h"
#include "util/err.h"

struct session_opts {
	const char *profile, *region, *endpoint_url, *ca_bundle; /* AWS (NULL = not given) */
	const char *certerox_url;                                /* NULL: no CerteroX client */
	const char *certerox_token_file;                         /* else $CERTEROX_TOKEN */
	const char *certerox_org; /* NULL: the only organization the token sees */
	bool certerox_required;   /* a missing URL or token is an error */
	int max_parallel; /* transfers in flight (http_opts.max_parallel); 0 = its default */
	bool defer_org;   /* leave org_id NULL instead of asking CerteroX now: discovery lists
	                   * the organization's data sources beside its AWS reads, then
	                   * session_resolve_org */
};

struct session {
	struct aws_config cfg;
	struct http_ctx *http;
	struct aws_client *aws;
	struct certerox *cx; /* NULL when no URL was given */
	char *org_id;        /* NULL until session_certerox_login/org resolved */
};

/* Loads the AWS settings and credentials, creates the http ctx and the AWS client, and,
 * when a CerteroX URL is given, the CerteroX client with the token (file or environment)
 * and its organization. Errors: CX_E_CREDENTIALS (no AWS credentials, or no CerteroX token
 * when required), CX_E_INPUT (bad URL or file), CerteroX errors. */
enum cx_status session_open(struct session *s, const struct session_opts *o, struct cx_err *err);
/* (Re)creates the CerteroX client of s for url on s->http (the previous client and org_id are
 * dropped) and sets the token from token_file, else $CERTEROX_TOKEN; *have_token tells
 * whether one was found. Does not contact CerteroX (the TUI lists the organizations
 * asynchronously). Used by session_open. */
enum cx_status session_certerox_client(struct session *s, const char *url, const char *token_file,
                                       bool *have_token, struct cx_err *err);
/* Logs in to CerteroX with e-mail and password (the TUI asks) and resolves the
 * organization. */
enum cx_status session_certerox_login(struct session *s, const char *email, const char *password,
                                      const char *org, struct cx_err *err);
/* Sets s->org_id: to found when given (the organization discovery picked), else asks
 * CerteroX for the organization `wanted` (NULL: the only one the token sees). */
enum cx_status session_resolve_org(struct session *s, const char *wanted, const char *found,
                                   struct cx_err *err);
void session_close(struct session *s);
/* Maps a failure to the process exit status (DESIGN section 3). partly_done: something was
 * written, so a re-run continues (75) where the failure is transient. */
int session_exit_status(enum cx_status st, bool partly_done);

#endif
