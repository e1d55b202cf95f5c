/* orgint.h - what run/org.c (the run: the Organization, the management account, the summary)
 * and run/org_member.c (each member's chain of asynchronous calls) share. Private to the two. */
#ifndef CX_RUN_ORGINT_H
#define CX_RUN_ORGINT_H

#include <stdbool.h>

#include "aws/iam.h"
#include "run/org.h"

struct acct {
	char *id, *name, *email, *status;
	enum org_outcome outcome;
	char *ds_id;
	char *ds_akid; /* already connected: the key its config names */
	char reason[1200];
	char fix[400];
	char warn[300];
	long ms;
	bool wrote;
};

struct run {
	const struct org_env *env;
	const struct org_answers *a;
	char *mgmt; /* management account id */
	enum org_access access;
	/* access role: the management user's key */
	char *user_arn;
	char *akid;
	char *secret; /* secmem */
	bool key_new; /* made by this run: CerteroX's check may see it before it propagates */
	struct acct *acc;
	size_t n;
	int done;
	size_t todo;      /* accounts to connect in this run */
	size_t next;      /* the next account job_launch looks at */
	bool vault_dirty; /* data source records not saved yet */
	long last_save;
	int active; /* members in flight */
	bool all_done;
	struct journal *jn; /* of the management account: each account's progress */
};

long orgi_now_ms(void);
/* A line of progress through env->on_line. */
void orgi_line(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends {"event": "org-account", "account", "state"[, "data_source_id"]} to the journal. */
void orgi_jlog(const struct run *r, const char *account, const char *state, const char *ds);
/* Marks a failed: reason "<what>: <error>", fix; returns the error's status. */
enum cx_status orgi_fail(struct acct *a, const struct cx_err *e, const char *what, const char *fix);
/* Marks a failed with a reason of ours (CX_E_CONFLICT). */
enum cx_status orgi_refuse(struct acct *a, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The vault's key of (acct_id, user) when IAM still lists it; new copies in *akid, *secret. */
bool orgi_vault_key(const struct run *r, const char *acct_id, const char *user,
                    const struct iam_access_key_list *keys, char **akid, char **secret);
enum cx_status orgi_too_many_keys(struct acct *a, const char *acct_id, const char *user, size_t n);
/* Saves a new key in the vault at once (a pending record of (acct_id, user)). */
enum cx_status orgi_save_key(const struct run *r, const char *acct_id, const char *user,
                             const char *akid, const char *secret, struct cx_err *err);
/* Saves the vault when data source records wait (org_member.c). */
enum cx_status orgi_vault_flush(struct run *r, struct cx_err *err);
/* Starts members until max_parallel are in flight; r->all_done once none is left. */
void orgi_launch(struct run *r);
/* env->on_account of a (running: started; else its outcome). */
void orgi_progress(const struct run *r, const struct acct *a, bool running);
/* Sets r->mgmt; CX_OK only when the account manages an Organization (else why not). */
enum cx_status orgi_check_management(struct run *r, struct cx_err *err);
/* Whether CerteroX accepts the assume-role keys (the config-key probe). */
enum cx_status orgi_has_assume_role(const struct run *r, bool *yes, struct cx_err *err);

#endif
