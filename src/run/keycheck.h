/* keycheck.h - the engine's "sts CheckKey" step: wait until AWS accepts the new access key,
 * then prove each permission CerteroX needs with it (run/probe does the work). */
#ifndef CX_RUN_KEYCHECK_H
#define CX_RUN_KEYCHECK_H

#include <stdbool.h>

#include "aws/client.h"
#include "util/err.h"

struct keycheck_opts {
	const char *access_key_id;
	const char *secret_access_key; /* secmem; copied */
	const char *user;              /* IAM user name, for messages */
	const char *account_id;        /* the key must act in this account (NULL = any) */
	const char *bucket;            /* NULL for linked */
	const char *prefix;
	bool legacy;
	bool linked;
	bool billing_only;           /* probe_opts.billing_only */
	const char *readonly_policy; /* policy names, for the fix in messages */
	const char *discover_policy;
	long wait_ms; /* 0 = 120 s */
};

struct keycheck;
typedef void (*keycheck_progress_fn)(void *ud, const char *what);
typedef void (*keycheck_done_fn)(struct keycheck *kc, void *ud);

/* Starts the check on admin's http ctx (the admin client lends its settings: endpoints, CA).
 * progress(ud, text) reports waiting and each permission proved; done runs once from
 * http_ctx_perform. */
struct keycheck *keycheck_start(struct aws_client *admin, const struct keycheck_opts *o,
                                keycheck_progress_fn progress, keycheck_done_fn done, void *ud);
enum cx_status keycheck_status(const struct keycheck *kc, struct cx_err *err);
void keycheck_cancel(struct keycheck *kc);
/* Frees (cancelling silently when running). NULL ok. */
void keycheck_free(struct keycheck *kc);

#endif
