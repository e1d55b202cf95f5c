/* org.h - the `organization` action: every chosen member account of the AWS Organization
 * the session's credentials manage becomes a Linked data source in CerteroX.
 *
 * access role: the management account gets ONE IAM user (tagged certerox-aws-setup) whose
 * inline policy allows only sts:AssumeRole on arn:aws:iam::*:role/<role_name>, and one key,
 * saved in the vault at once; each member, reached by sts:AssumeRole into member_role, gets
 * the role <role_name> (tagged) trusting that user, with the Discover Resources policy
 * attached; CerteroX gets per member {access_key_id, secret_access_key, linked: true,
 * assume_role_account_id: <member>, assume_role_name: <role_name>}.
 * access user: each member gets a tagged IAM user with the Discover policy attached and a key
 * (saved in the vault at once); CerteroX gets a plain Linked data source.
 * The Discover policy is the guide's customer managed policy (CerteroXDiscoverResources,
 * tagged; rules in orgint.h, run/org_mpolicy.c), no longer an inline policy.
 *
 * Every write is preceded by the read that shows whether it is needed, so a re-run writes
 * nothing for what is done; an account already connected in CerteroX is marked and left
 * alone; an entity of the same name without the tag is never changed (the account fails,
 * naming it). A failed account does not stop the others. Each key it makes is described on
 * its user as the wizard's; keys, lost secrets and the data sources moved off them follow
 * run/org_keys.c. The wizard's role that does not trust this management user gets it added
 * to its trust policy, every other statement kept (core/organs.c org_trust_merge). */
#ifndef CX_RUN_ORG_H
#define CX_RUN_ORG_H

#include <cjson/cJSON.h>

#include "core/organs.h"
#include "run/journal.h"
#include "run/session.h"
#include "vault/vault.h"

/* The first OptScale release whose REST API and AWS cloud adapter accept the config keys
 * assume_role_account_id / assume_role_name / assume_role_session_name: hystax/optscale
 * #721 "Pull request update/250728" (merged 2025-07-28), commit 97c8d209 "OSN-962: AWS cross
 * account (#1623)". The web form (#772, 2025-11) came later and is not what the API accepts.
 * (The local mirror ends at 2024-10-18, so `git log -S assume_role_account_id` finds nothing
 * there; the date is that of the release pull request, as tests/sim/cxreport.py dates it.) */
#define ORG_ASSUME_ROLE_RELEASE "2025-07"

enum org_outcome {
	ORG_OUT_CONNECTED = 0, /* connected by this run */
	ORG_OUT_ALREADY,       /* already a data source in CerteroX */
	ORG_OUT_SKIPPED,       /* not ACTIVE, or the management account itself */
	ORG_OUT_FAILED,        /* something failed: reason and fix */
	ORG_OUT_LEFT           /* not reached (the run stopped before it) */
};
const char *org_outcome_name(enum org_outcome o);

struct org_progress {
	const char *id;
	bool running; /* started; else finished (or known before the start) with outcome */
	enum org_outcome outcome;
	long ms;
	const char *reason, *fix; /* "" when none */
};

struct org_env {
	struct session *s; /* AWS (management account's credentials), CerteroX, org_id */
	struct vault *vault;
	const char *state_dir; /* of the journal (journal-<management account>.jsonl); NULL =
	                        * the default */
	const struct org_answers *answers;
	bool yes; /* --yes: keys of our users that the vault lacks may be deleted, only those the
	           * wizard made (described on the user) that no data source uses (org_keys.c) */
	long key_wait_ms; /* how long CerteroX's check may refuse a new key or role (propagation) */
	/* a line of progress (stderr of --batch); NULL = quiet */
	void (*on_line)(void *ud, const char *line);
	void *ud;
	/* each account's progress (the TUI's apply page): when it starts (running) and when its
	 * outcome is known; called on the thread that runs org_run, with ud. NULL = none. */
	void (*on_account)(void *ud, const struct org_progress *p);
	/* set (from any thread) to start no further account; those in flight finish and the
	 * others are left (a re-run continues). NULL = never. */
	const int *stop;
};

/* Runs the action. *summary gets the JSON summary (caller frees): management account,
 * access, one object per account {id, name, email, status, outcome, data_source_id, reason,
 * fix, warning, wrote, ms}, totals; access role: user, role_name, access_key_id, key_moves
 * (data sources moved off a key whose secret the vault lacks); management_warnings. Returns CX_OK
 * when no account failed or is left; the first failure's status otherwise (err filled); a refusal
 * (not the management account, CerteroX without the assume-role keys for access role) before any
 * write. *left = accounts failed or left. */
enum cx_status org_run(const struct org_env *env, cJSON **summary, int *left, struct cx_err *err);

/* ---- what the TUI's checklist and --dry-run read first (read-only) ---- */

struct org_member {
	char *id, *name, *email, *status;
	bool management;       /* the management account itself (connected with action connect) */
	char *ds_id, *ds_name; /* already a Linked data source in CerteroX; NULL when not */
};
struct org_scan {
	char *management; /* the management account's id */
	struct org_member *items;
	size_t n;
	bool can_role; /* CerteroX accepts the assume-role keys (the config-key probe) */
};
/* The session's account must manage an Organization (refused as org_run does, naming why);
 * lists its accounts (every page) joined with CerteroX's AWS data sources, and probes CerteroX
 * for the assume-role keys (role_name: the role name the probe sends). No write. */
enum cx_status org_scan(struct session *s, const char *role_name, struct org_scan *out,
                        struct cx_err *err);
void org_scan_free(struct org_scan *sc);
/* Whether the member may be chosen: ACTIVE and not the management account. */
bool org_member_selectable(const struct org_member *m);

/* --dry-run: the scan, then per account what a run would make (nothing is written):
 * {"action": "organization", "management_account", "access", "management": {...},
 *  "accounts": [{"id", "name", "email", "status", "outcome": "would_connect" |
 *  "already_connected" | "skipped" | "not_found", "reason", "plan": [...]}], "totals"}.
 * The management user is read (GetUser, its inline policy and keys) to say what it lacks. */
enum cx_status org_dry_run(struct session *s, const struct org_answers *a, cJSON **plan,
                           struct cx_err *err);

#endif
