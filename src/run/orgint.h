/* orgint.h - what run/org.c (the run: the Organization, the management account, the summary)
 * and run/org_member.c (each member's chain of asynchronous calls) share. Private to the two. */
#ifndef CX_RUN_ORGINT_H
#define CX_RUN_ORGINT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "aws/iam.h"
#include "core/strv.h"
#include "run/org.h"

struct acct {
	char *id, *name, *email, *status;
	enum org_outcome outcome;
	char *ds_id;
	char *ds_akid; /* already connected: the key its config names */
	char reason[1200];
	char fix[400];
	char warn[1200];
	long ms;
	bool wrote;
	/* already connected, and the journal does not say its Discover policy is the managed one
	 * (connected by an earlier release, with the inline policy): org_upgrade.c */
	bool upgrade;
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
	struct journal *jn;                 /* of the management account: each account's progress */
	const struct certerox_ds_list *dsl; /* CerteroX's data sources at the start */
	/* access role: keys of the management user that data sources use but whose secret the
	 * vault lacks (org_keys.c): kept, their data sources moved to r->akid once proven */
	struct strv stale;
	bool key_proven;   /* CerteroX accepted r->akid in this run */
	cJSON *moves;      /* [{data_source_id, account, from/to_access_key_id, outcome}] */
	int moves_failed;  /* data sources left on a stale key */
	struct strv mwarn; /* the management account's warnings (the summary's) */
};

/* ---- a member's customer managed Discover Resources policy (org_mpolicy.c) ----
 * As the guide does: the policy <answers policy> (the name action connect gives it), tagged
 * certerox-aws-setup, attached to the role (access role) or the user (access user). Every write
 * follows the read that shows it is needed:
 *   GetPolicy: missing -> CreatePolicy (tagged);
 *              ours (tagged), default version lacking a grant of the Discover document ->
 *              a new default version of the merge (never narrowed); ListPolicyVersions first,
 *              the oldest non-default version deleted only when 5 exist;
 *              not ours -> used when it grants every Discover action, else the member stops
 *              with a message naming the policy and what it lacks; never rewritten;
 *   attached unless ListAttached{Role,User}Policies shows it (skipped when the entity or
 *   the policy was just made, or AttachmentCount is 0);
 *   then, on a role/user an earlier run made, its inline policy of the same name (what
 *   earlier releases wrote) is deleted, after the attachment, when the managed policy grants
 *   all it does (else kept, with a warning). */
struct orgi_mpol;
typedef void (*orgi_mpol_cb)(struct orgi_mpol *m, enum cx_status st, void *ud);
struct orgi_mpol {
	struct run *r;
	struct acct *a;
	struct aws_client *c; /* the member's (the assumed member role's) client */
	bool role;
	const char *entity; /* the role's or user's name (the answers') */
	bool entity_made;   /* created by this run: nothing attached, no inline policy */
	const cJSON *ours;  /* the Discover document */
	cJSON *effective;   /* what the attached policy grants (the default version's document) */
	char *arn, *version;
	long attached; /* AttachmentCount */
	bool tagged;
	int state, creates;
	orgi_mpol_cb done;
	void *ud;
};
void orgi_mpol_start(struct orgi_mpol *m, struct run *r, struct acct *a, struct aws_client *c,
                     bool role, const char *entity, bool entity_made, const cJSON *ours,
                     orgi_mpol_cb done, void *ud);
void orgi_mpol_free(struct orgi_mpol *m);

/* An already connected member whose role/user has the inline Discover policy of an earlier
 * release (a->upgrade): AssumeRole into member_role, then the role role_name (else the user
 * `user`) if the wizard made it (tagged; anything else is left alone), then orgi_mpol with
 * entity_made false: the managed policy attached first, the inline one deleted after (only
 * when the managed one grants all it does). Its outcome stays ORG_OUT_ALREADY; what was done,
 * or why not, goes to a->warn. Counts in r->active like a member's job. */
void orgi_upgrade_start(struct run *r, struct acct *a);
/* Appends {"event": "org-policy", "account"}: the member's Discover policy is the managed one. */
void orgi_jpolicy(const struct run *r, const char *account);

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

/* ---- access keys and their ownership (org_keys.c) ---- */
/* The data source (from index from of r->dsl) whose config names akid; NULL when none. */
const struct certerox_ds *orgi_key_user(const struct run *r, const char *akid, size_t from,
                                        size_t *at);
/* "\"NAME\" (ID, account A), ..." of the data sources using akid ("" when none); free(). */
char *orgi_key_users(const struct run *r, const char *akid);
/* The key is described on its user as the wizard's (a user tag whose key is the key id). */
bool orgi_key_is_ours(const struct iam_tag_list *tags, const char *akid);
/* Why a key of our user the vault lacks must be kept (in buf), or NULL when --yes may delete
 * it (the wizard's and used by no data source). */
const char *orgi_key_keep_reason(const struct run *r, const struct iam_tag_list *tags,
                                 const char *akid, char *buf, size_t n);
/* A warning of the management account: r->mwarn and a line of progress. */
void orgi_mwarn(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The management user's key into r->akid / r->secret (the vault's, or a new one, saved then
 * described as the wizard's); keys the vault lacks handled by the rules above; r->stale set. */
enum cx_status orgi_mgmt_key(struct run *r, struct aws_client *c, const char *acct_id,
                             const char *user, bool *wrote, struct acct *a, struct cx_err *err);
/* Moves each data source of r->stale to r->akid (proven first), saving their vault records. */
void orgi_move_stale(struct run *r);
/* Upserts the vault record of a data source (account, iam_user, key) and marks it unsaved. */
void orgi_save_ds_record(struct run *r, const char *account, const char *user, const char *ds_id,
                         const char *akid, const char *secret);

#endif
