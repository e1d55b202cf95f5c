/* status.h - the health of the CerteroX organization's AWS data sources (`--status` and the
 * TUI's "Check connected data sources"). Read-only: every request is a read.
 *
 * For each AWS data source (CerteroX type aws_cnr) of the organization, on the shared http
 * ctx, every data source's checks in parallel:
 *   export:   CUR 2.0: ListExports (once per run), GetExport (ExportStatus), ListExecutions
 *             and GetExecution of the latest one; legacy: DescribeReportDefinitions (once per
 *             run) and its ReportStatus.
 *   bucket:   GetBucketLocation (exists), GetBucketPolicy (core/policy.h
 *             policy_bucket_permits_delivery, the plan's evaluation), ListObjectsV2 of
 *             <prefix>/<report>/ (data files of the latest billing period, manifest).
 *   key:      GetAccessKeyLastUsed (owner, last use), ListAccessKeys of its owner (status,
 *             age); with a vault: whether it holds the key, and then the key check of
 *             run/probe.h with the data source's own key (each permission proved).
 *   CerteroX: last_import_at, last_import_attempt_at, last_import_attempt_error.
 * The administrator's credentials act in one account (sts GetCallerIdentity). A data source of
 * another account is checked there when that account is a member of the Organization the
 * administrator's account manages (organizations ListAccounts, once per run): through the
 * member role (opts.member_role, as action organization assumes it: sts AssumeRole with the
 * administrator's credentials). Else, or when AssumeRole is refused, account_unreachable says
 * why (its key is still checked with the vault's copy).
 * A data source of action organization's role access (config assume_role_account_id and
 * assume_role_name) has the management account's key: the key is checked there, and with the
 * vault the key itself must be able to sts AssumeRole into that role (else permission_missing).
 * Problems carry a stable code (status_codes below), one sentence, the fix and the wizard
 * action that repairs it. */
#ifndef CX_RUN_STATUS_H
#define CX_RUN_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "run/session.h"
#include "util/err.h"
#include "core/strv.h"

struct vault;

/* The problem codes, in report order. */
#define STATUS_CODE_LIST(X)                                                                        \
	X(export_missing)                                                                          \
	X(export_unhealthy)                                                                        \
	X(no_delivery_yet)                                                                         \
	X(bucket_missing)                                                                          \
	X(bucket_policy_blocks_delivery)                                                           \
	X(key_missing)                                                                             \
	X(key_inactive)                                                                            \
	X(key_old)                                                                                 \
	X(key_not_in_vault)                                                                        \
	X(permission_missing)                                                                      \
	X(import_failed)                                                                           \
	X(linked_without_root)                                                                     \
	X(account_unreachable)

#define STATUS_KEY_MAX_AGE_DAYS 90

enum status_tri { STATUS_UNKNOWN = 0, STATUS_NO, STATUS_YES };

struct status_problem {
	char *code;    /* "key_old" */
	char *message; /* one sentence */
	char *fix;     /* what to do: the wizard action or the exact command */
	char *action;  /* "rotate" | "migrate" | "connect" | "wait" | "command" */
};

/* One data source and what its checks found. Strings NULL = unknown. */
struct status_ds {
	char *id, *name, *account_id, *access_key_id;
	bool linked, legacy;
	char *bucket, *prefix, *report;
	long long last_import_at, last_import_attempt_at;
	char *last_import_attempt_error;
	bool reachable; /* its account was checked with the administrator's credentials (its
	                 * key's account for role access) */
	char *via_role; /* the member role assumed to reach it; NULL: own account */
	char *unreachable_reason; /* !reachable: why (NULL while unknown) */
	char *assume_role_arn;    /* role access: the role the data source's key assumes */
	/* export */
	enum status_tri export_exists;
	char *export_arn, *export_status, *export_reason, *export_refreshed_at;
	char *exec_id, *exec_status, *exec_reason, *exec_at;
	char *report_last_delivery, *report_last_status; /* legacy ReportStatus */
	/* bucket */
	enum status_tri bucket_exists, policy_permits, listed;
	char *bucket_region;
	size_t files; /* data files of the latest billing period */
	char *latest_period, *manifest, *last_delivery;
	/* key */
	enum status_tri key_exists;
	char *key_user, *key_status, *key_created_at, *key_last_used_at, *key_last_used_service;
	long key_age_days;           /* -1 unknown */
	enum status_tri in_vault;    /* UNKNOWN: no vault opened */
	enum status_tri permissions; /* YES: every permission proved with the key itself */
	char *permission_error;
	struct strv errors; /* checks that could not be made: "<check>: <error>" */
	struct status_problem *problems;
	size_t nproblems;
	bool done;
	/* private to status.c */
	int pending;
	int stage;
};

struct status_run;
typedef void (*status_progress_fn)(void *ud, const struct status_run *r, size_t index);
typedef void (*status_done_fn)(struct status_run *r, void *ud);

struct status_opts {
	struct session *session; /* AWS client, http ctx and CerteroX client with org_id set */
	struct vault *vault;     /* NULL: key_not_in_vault and the key check are not done */
	bool vault_pending; /* the vault comes later (status_set_vault): its key derivation runs
	                     * while the AWS reads are out; the key checks wait for it */
	const char *data_source;     /* NULL: every AWS data source; else only this id */
	const char *member_role;     /* NULL: OrganizationAccountAccessRole */
	time_t now;                  /* 0 = time(NULL) (ages, key_old) */
	status_progress_fn progress; /* a data source's checks ended (index into status_ds) */
	void *progress_ud;
};

/* Starts the checks; done(r, ud) runs once from http_ctx_perform (never from here). The
 * caller drives the session's ctx, then status_free. Never NULL. */
struct status_run *status_start(const struct status_opts *o, status_done_fn done, void *ud);
/* The vault of opts.vault_pending (NULL: it could not be opened; the vault checks are not
 * done). Borrowed; it must outlive r. */
void status_set_vault(struct status_run *r, struct vault *v);
bool status_done(const struct status_run *r);
/* CX_OK once the data sources were listed (problems are not errors); else why not (CerteroX
 * unreachable, no such --data-source: CX_E_INPUT, ...). */
enum cx_status status_result(const struct status_run *r, struct cx_err *err);
/* The data sources (known once CerteroX answered; their facts fill in as checks end). */
size_t status_count(const struct status_run *r);
const struct status_ds *status_get(const struct status_run *r, size_t i);
/* The account the administrator's credentials act in ("" until known). */
const char *status_admin_account(const struct status_run *r);
size_t status_problem_count(const struct status_run *r);
void status_cancel(struct status_run *r);
void status_free(struct status_run *r);

/* Synchronous form: runs until done. */
struct status_run *status_run_sync(const struct status_opts *o);

/* ---- pure parts (status_eval.c; unit-tested) ---- */

/* Derives d's problems from its facts (replacing earlier ones). org_has_root: the
 * organization has a Root (not linked) AWS data source. */
void status_evaluate(struct status_ds *d, bool org_has_root, time_t now);
void status_ds_free(struct status_ds *d);
/* "YYYY-MM-DDTHH:MM:SS[.fff][Z|+00:00]" -> epoch seconds; -1 when not a timestamp. */
long long status_parse_time(const char *iso);
/* The JSON document of --status --format json (see the man page). */
cJSON *status_to_json(const struct status_run *r);
/* The text form: one line per data source (symbol, name, id, account, export, state),
 * problems indented with their fixes. ascii: no UTF-8 symbols. */
void status_print_text(const struct status_run *r, FILE *f, bool ascii);

#endif
