/* status.c - the read-only checks of --status, every data source in parallel on the shared
 * http ctx. See status.h. Each data source goes through two stages: (0) its AWS reads with
 * the administrator's credentials (key, export, bucket); (1) when they are over, the key
 * check with the data source's own key from the vault (needs the key to exist and be active
 * and the bucket to exist, else its failures would only repeat those problems). */
#include "run/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/bcm.h"
#include "aws/cur.h"
#include "aws/iam.h"
#include "aws/orgops.h"
#include "aws/s3.h"
#include "aws/sts.h"
#include "core/organs.h"
#include "core/policy.h"
#include "run/assumed.h"
#include "run/probe.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/str.h"
#include "vault/vault.h"

/* A listing shared by every data source that needs it (one ListExports, one
 * DescribeReportDefinitions per run). */
struct shared {
	struct aws_op *op;
	bool started, finished;
	size_t *waiters;
	size_t nwait;
};

struct status_run {
	struct status_opts o;
	char *only;
	status_done_fn done_fn;
	void *done_ud;
	struct status_ds *ds;
	size_t n;
	bool org_has_root;
	char admin[32];
	bool have_admin, have_list, sts_finished;
	bool vault_waiting; /* opts.vault_pending and status_set_vault not called yet */
	struct certerox_ds_list list;
	int pending;
	bool started_checks, finished, cancelled;
	enum cx_status st;
	struct cx_err err;
	struct shared exports, reports;
	struct shared accounts;  /* organizations ListAccounts: the members reachable by role */
	struct assumed *members; /* per data source: the member role's client (c NULL: none) */
	struct assumed *keys;    /* per data source: its own key's client (role access) */
	struct walk *walks;      /* per data source */
	struct probe **probes;   /* per data source, NULL when none */
	struct aws_op **ops;     /* every op in flight, for cancel/free */
	size_t nops;
	struct certerox_call *call;
	struct aws_op *sts_op;
};

enum kind {
	K_LAST_USED,
	K_LIST_KEYS,
	K_GET_EXPORT,
	K_LIST_EXEC,
	K_GET_EXEC,
	K_LOCATION,
	K_POLICY,
	K_LISTING,   /* every key under <prefix>/<report>/ when one page holds them */
	K_OBJECTS,   /* every key under a directory of the latest billing period */
	K_DIRS,      /* the directories (Delimiter "/") under the report's prefix, a level deeper */
	K_ASSUME,    /* sts AssumeRole into the member role (administrator's credentials) */
	K_EXPORTS,   /* bcm ListExports in a member account */
	K_REPORTS,   /* cur DescribeReportDefinitions in a member account */
	K_KEY_ASSUME /* role access: sts AssumeRole with the data source's own key */
};

#define SESSION_NAME        "certerox-aws-setup-status"
#define DEFAULT_MEMBER_ROLE "OrganizationAccountAccessRole"

struct opctx {
	struct status_run *r;
	size_t i;
	enum kind kind;
	int depth; /* K_DIRS: levels below <prefix>/<report>/ */
};

/* The walk to the latest billing period's directories of a data source (K_DIRS). */
struct walk {
	struct strv periods; /* directories named for a billing period */
	int pending;         /* K_DIRS in flight */
	bool failed;
};

/* Directory levels below <prefix>/<report>/ walked to reach a billing period's directory
 * (legacy Parquet: <report>/year=YYYY/month=M/). */
#define WALK_MAX_DEPTH 3
/* Up to this many keys under <prefix>/<report>/ are read in one listing (one page); more, and
 * the directories are walked instead. */
#define LIST_WHOLE_MAX 1000

static void ds_start_stage1(struct status_run *r, size_t i);
static void maybe_finish(struct status_run *r);

static void set(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

static void track(struct status_run *r, struct aws_op *op)
{
	r->ops = xrealloc(r->ops, (r->nops + 1) * sizeof(*r->ops));
	r->ops[r->nops++] = op;
}

static void untrack(struct status_run *r, struct aws_op *op)
{
	for (size_t k = 0; k < r->nops; k++)
		if (r->ops[k] == op) {
			r->ops[k] = r->ops[--r->nops];
			return;
		}
}

static void op_done(struct aws_op *op, void *ud);

static void start_op_on(struct status_run *r, size_t i, enum kind kind, struct aws_client *cl,
                        struct aws_op *op)
{
	struct opctx *c = xcalloc(1, sizeof(*c));
	c->r = r;
	c->i = i;
	c->kind = kind;
	r->pending++;
	r->ds[i].pending++;
	track(r, op);
	aws_op_start(cl, op, op_done, c);
}

/* The client that reaches data source i's account: the member role's, else the
 * administrator's. */
static struct aws_client *client_of(struct status_run *r, size_t i)
{
	return r->members && r->members[i].c ? r->members[i].c : r->o.session->aws;
}

static void start_op(struct status_run *r, size_t i, enum kind kind, struct aws_op *op)
{
	start_op_on(r, i, kind, client_of(r, i), op);
}

static void note_error(struct status_ds *d, const char *what, const struct cx_err *e)
{
	char buf[1400];
	strv_add(&d->errors, "%s: %s", what, cx_err_format(e, buf, sizeof(buf)));
}

/* The data source's checks of a stage ended. */
static void ds_settle(struct status_run *r, size_t i)
{
	struct status_ds *d = &r->ds[i];
	if (d->pending > 0)
		return;
	if (d->stage == 0 && r->vault_waiting) {
		d->stage = 2; /* status_set_vault goes on */
		return;
	}
	if (d->stage == 0 || d->stage == 2) {
		d->stage = 1;
		ds_start_stage1(r, i);
		if (d->pending > 0)
			return;
	}
	if (d->done)
		return;
	d->done = true;
	status_evaluate(d, r->org_has_root, r->o.now);
	if (r->o.progress)
		r->o.progress(r->o.progress_ud, r, i);
}

static void ds_release(struct status_run *r, size_t i)
{
	r->ds[i].pending--;
	r->pending--;
	ds_settle(r, i);
	maybe_finish(r);
}

/* ---- export ---- */

static const char *latest_execution(const cJSON *arr)
{
	const char *best = NULL;
	long long best_t = -2;
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		const cJSON *st = json_obj(e, "ExecutionStatus");
		long long t = status_parse_time(json_str(st, "CreatedAt"));
		if (t > best_t) {
			best_t = t;
			best = json_str(e, "ExecutionId");
		}
	}
	return best;
}

static void export_found(struct status_run *r, size_t i, const char *arn)
{
	struct status_ds *d = &r->ds[i];
	d->export_exists = STATUS_YES;
	set(&d->export_arn, arn);
	start_op(r, i, K_GET_EXPORT, bcm_get_export_op(arn));
	start_op(r, i, K_LIST_EXEC, bcm_list_executions_op(arn));
}

static void reports_listed(struct status_ds *d, const struct cur_report_list *l)
{
	d->export_exists = STATUS_NO;
	for (size_t k = 0; k < l->n; k++) {
		if (!str_eq(l->items[k].name, d->report))
			continue;
		d->export_exists = STATUS_YES;
		const cJSON *rs = json_obj(l->items[k].json, "ReportStatus");
		set(&d->report_last_delivery, json_str(rs, "lastDelivery"));
		set(&d->report_last_status, json_str(rs, "lastStatus"));
	}
}

static void exports_listed(struct status_run *r, size_t i, const struct bcm_export_list *l)
{
	r->ds[i].export_exists = STATUS_NO;
	for (size_t k = 0; k < l->n; k++)
		if (str_eq(l->items[k].name, r->ds[i].report)) {
			export_found(r, i, l->items[k].arn);
			break;
		}
}

/* A read shared by data sources (one listing of an account's exports or reports, one of the
 * Organization's accounts) has answered and its waiters took their part: each waiter's
 * count goes down and settles; the op is freed. */
static void shared_release(struct status_run *r, struct shared *sh, struct aws_op *op, size_t *ws,
                           size_t nw)
{
	r->pending--; /* the shared op itself */
	for (size_t w = 0; w < nw; w++) {
		r->ds[ws[w]].pending--;
		ds_settle(r, ws[w]);
	}
	free(ws);
	aws_op_free(op);
	sh->op = NULL;
	maybe_finish(r);
}

static void shared_done(struct aws_op *op, void *ud)
{
	struct status_run *r = ud;
	bool legacy = op == r->reports.op;
	struct shared *sh = legacy ? &r->reports : &r->exports;
	sh->finished = true;
	untrack(r, op);
	enum cx_status st = aws_op_status(op);
	for (size_t w = 0; w < sh->nwait; w++) {
		size_t i = sh->waiters[w];
		struct status_ds *d = &r->ds[i];
		if (st != CX_OK) {
			if (st != CX_E_CANCELLED)
				note_error(
				    d, legacy ? "cur DescribeReportDefinitions" : "bcm ListExports",
				    aws_op_error(op));
		} else if (legacy) {
			reports_listed(d, cur_describe_report_definitions_result(op));
		} else {
			exports_listed(r, i, bcm_list_exports_result(op));
		}
	}
	size_t nw = sh->nwait;
	size_t *ws = sh->waiters;
	sh->waiters = NULL;
	sh->nwait = 0;
	shared_release(r, sh, op, ws, nw);
}

static void wait_shared(struct status_run *r, size_t i, bool legacy)
{
	struct shared *sh = legacy ? &r->reports : &r->exports;
	sh->waiters = xrealloc(sh->waiters, (sh->nwait + 1) * sizeof(*sh->waiters));
	sh->waiters[sh->nwait++] = i;
	r->ds[i].pending++;
	if (!sh->started) {
		sh->started = true;
		sh->op = legacy ? cur_describe_report_definitions_op() : bcm_list_exports_op();
		r->pending++;
		track(r, sh->op);
		aws_op_start(r->o.session->aws, sh->op, shared_done, r);
	}
}

/* ---- bucket ---- */

static bool data_file(const char *key)
{
	return str_ends_with(key, ".csv.gz") || str_ends_with(key, ".csv.zip") ||
	       str_ends_with(key, ".snappy.parquet");
}

/* The billing period a delivered key belongs to, as AWS lays them out (CUR 2.0
 * BILLING_PERIOD=YYYY-MM, legacy CSV YYYYMMDD-YYYYMMDD, legacy Parquet year=YYYY/month=M);
 * the same groups as OptScale tools/cloud_adapter/clouds/aws.py GROUP_DATES_PATTERNS. */
static char *period_of(const char *key)
{
	const char *p = strstr(key, "BILLING_PERIOD=");
	if (p && strlen(p) >= 22)
		return xasprintf("%.4s-%.2s", p + 15, p + 20);
	p = strstr(key, "year=");
	const char *m = p ? strstr(p, "/month=") : NULL;
	if (p && m) {
		int mo = atoi(m + 7);
		return xasprintf("%.4s-%02d", p + 5, mo);
	}
	for (const char *s = key; *s; s++) {
		if (s[0] != '/')
			continue;
		size_t k = 1;
		while (k <= 8 && s[k] >= '0' && s[k] <= '9')
			k++;
		if (k == 9 && s[9] == '-')
			return xasprintf("%.4s-%.2s", s + 1, s + 5);
	}
	return NULL;
}

/* The keys of one of the latest period's directories: its data files and manifest. */
static void objects_done(struct status_ds *d, const struct s3_listing *l)
{
	d->listed = STATUS_YES;
	for (size_t k = 0; d->latest_period && k < l->nobjects; k++) {
		const struct s3_object_info *o = &l->objects[k];
		char *p = period_of(o->key);
		bool in = p && str_eq(p, d->latest_period);
		free(p);
		if (!in)
			continue;
		if (data_file(o->key)) {
			d->files++;
			if (o->last_modified &&
			    (!d->last_delivery || strcmp(o->last_modified, d->last_delivery) > 0))
				set(&d->last_delivery, o->last_modified);
		} else if (str_ends_with(o->key, "-Manifest.json")) {
			set(&d->manifest, o->key);
		}
	}
}

static void start_dirs(struct status_run *r, size_t i, const char *prefix, int depth);

/* The walk of the directories is over: only the latest period's are listed in full (a bucket
 * that holds years of reports has far more keys than one listing page, and ListObjectsV2
 * returns them oldest period first). */
/* The later of two billing periods as period_of gives them ("YYYY-MM": they sort by time);
 * takes both, frees the other (either may be NULL). */
static char *later_period(char *latest, char *p)
{
	if (p && (!latest || strcmp(p, latest) > 0)) {
		free(latest);
		return p;
	}
	free(p);
	return latest;
}

static void walk_over(struct status_run *r, size_t i)
{
	struct status_ds *d = &r->ds[i];
	struct walk *w = &r->walks[i];
	if (w->failed)
		return;
	char *latest = NULL;
	for (size_t k = 0; k < w->periods.n; k++)
		latest = later_period(latest, period_of(w->periods.v[k]));
	d->files = 0;
	free(d->latest_period);
	d->latest_period = latest;
	if (!latest) {
		d->listed = STATUS_YES; /* no billing period delivered */
		return;
	}
	for (size_t k = 0; k < w->periods.n; k++) {
		char *p = period_of(w->periods.v[k]);
		if (str_eq(p, latest))
			start_op(r, i, K_OBJECTS,
			         s3_list_objects_op(d->bucket, w->periods.v[k], NULL, 0));
		free(p);
	}
}

static void start_dirs(struct status_run *r, size_t i, const char *prefix, int depth)
{
	struct opctx *c = xcalloc(1, sizeof(*c));
	struct aws_op *op = s3_list_objects_op(r->ds[i].bucket, prefix, "/", 0);
	c->r = r;
	c->i = i;
	c->kind = K_DIRS;
	c->depth = depth;
	r->walks[i].pending++;
	r->pending++;
	r->ds[i].pending++;
	track(r, op);
	aws_op_start(client_of(r, i), op, op_done, c);
}

static char *listing_prefix(const struct status_ds *d);

/* The first listing of <prefix>/<report>/: every key when they fit in one page (the latest
 * period found among them), else the walk of the directories. */
static void listing_done(struct status_run *r, size_t i, const struct s3_listing *l)
{
	struct status_ds *d = &r->ds[i];
	if (l->nobjects > LIST_WHOLE_MAX) {
		char *pfx = listing_prefix(d);
		start_dirs(r, i, pfx, 0);
		free(pfx);
		return;
	}
	char *latest = NULL;
	for (size_t k = 0; k < l->nobjects; k++)
		latest = later_period(
		    latest, data_file(l->objects[k].key) ? period_of(l->objects[k].key) : NULL);
	d->files = 0;
	free(d->latest_period);
	d->latest_period = latest;
	objects_done(d, l);
}

static void dirs_done(struct status_run *r, size_t i, int depth, const struct s3_listing *l)
{
	struct walk *w = &r->walks[i];
	for (size_t k = 0; k < l->nprefixes; k++) {
		char *p = period_of(l->prefixes[k]);
		if (p)
			strv_add(&w->periods, "%s", l->prefixes[k]);
		else if (depth + 1 < WALK_MAX_DEPTH)
			start_dirs(r, i, l->prefixes[k], depth + 1);
		free(p);
	}
}

static char *listing_prefix(const struct status_ds *d)
{
	char *p = xstrdup(d->prefix ? d->prefix : "");
	size_t n = strlen(p);
	while (n && p[n - 1] == '/')
		p[--n] = '\0';
	const char *q = p;
	while (*q == '/')
		q++;
	char *out = *q ? xasprintf("%s/%s/", q, d->report) : xasprintf("%s/", d->report);
	free(p);
	return out;
}

/* ---- completion of a data source's op ---- */

static void key_age(struct status_run *r, struct status_ds *d)
{
	long long t = status_parse_time(d->key_created_at);
	if (t >= 0)
		d->key_age_days = (long)((r->o.now - t) / 86400);
}

/* The reads of data source i in its account (client_of): the key; for a Root one its export
 * and bucket. key_only: role access, whose key is the management account's. */
static void stage0_reads(struct status_run *r, size_t i, bool key_only)
{
	struct status_ds *d = &r->ds[i];
	if (d->access_key_id)
		start_op(r, i, K_LAST_USED, iam_get_access_key_last_used_op(d->access_key_id));
	if (key_only || d->linked)
		return;
	if (d->report) {
		if (r->members && r->members[i].c)
			start_op(r, i, d->legacy ? K_REPORTS : K_EXPORTS,
			         d->legacy ? cur_describe_report_definitions_op()
			                   : bcm_list_exports_op());
		else
			wait_shared(r, i, d->legacy);
	}
	if (d->bucket)
		start_op(r, i, K_LOCATION, s3_get_bucket_location_op(d->bucket));
}

static const char *member_role(const struct status_run *r)
{
	return r->o.member_role && *r->o.member_role ? r->o.member_role : DEFAULT_MEMBER_ROLE;
}

static void unreachable(struct status_ds *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void unreachable(struct status_ds *d, const char *fmt, ...)
{
	char buf[1600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d->reachable = false;
	set(&d->unreachable_reason, buf);
}

/* sts AssumeRole into the member role answered (K_ASSUME): the account's checks go on with
 * the role's credentials, as action organization reaches a member (run/org_member.c). */
static void member_assumed(struct status_run *r, size_t i, struct aws_op *op)
{
	struct status_ds *d = &r->ds[i];
	enum cx_status st = aws_op_status(op);
	char buf[1400];
	char *arn = org_role_arn(d->account_id, member_role(r));
	if (st == CX_OK && assumed_from_role(&r->members[i], r->o.session->http, &r->o.session->cfg,
	                                     op, "assumed member role")) {
		d->reachable = true;
		set(&d->via_role, arn);
		stage0_reads(r, i, false);
	} else if (st != CX_E_CANCELLED) {
		unreachable(d,
		            "account %s is a member of the Organization of account %s, but the "
		            "administrator's credentials cannot assume %s: %s",
		            d->account_id, r->admin, arn,
		            st == CX_OK ? "the answer has no credentials"
		                        : cx_err_format(aws_op_error(op), buf, sizeof(buf)));
	}
	free(arn);
}

/* Role access, vault open: sts AssumeRole with the data source's own key answered. */
static void key_assumed(struct status_run *r, size_t i, struct aws_op *op)
{
	struct status_ds *d = &r->ds[i];
	enum cx_status st = aws_op_status(op);
	const struct cx_err *e = aws_op_error(op);
	if (st == CX_OK) {
		struct aws_creds tmp;
		memset(&tmp, 0, sizeof(tmp));
		if (sts_assume_role_take(op, &tmp))
			aws_creds_free(&tmp);
		d->permissions = STATUS_YES;
	} else if (st == CX_E_DENIED || str_eq(e->code, "AccessDenied")) {
		char buf[1800];
		snprintf(
		    buf, sizeof(buf),
		    "access key %s%s%s may not perform sts:AssumeRole on %s (%s): the role must "
		    "exist and trust the key's user, and the user needs the %s policy",
		    d->access_key_id, d->key_user ? " of user " : "",
		    d->key_user ? d->key_user : "", d->assume_role_arn,
		    e->msg[0] ? e->msg : e->code, "CerteroXAssumeDiscover");
		d->permissions = STATUS_NO;
		set(&d->permission_error, buf);
	} else if (st != CX_E_CANCELLED) {
		note_error(d, "key check sts AssumeRole", e);
	}
}

static void op_done(struct aws_op *op, void *ud)
{
	struct opctx *c = ud;
	struct status_run *r = c->r;
	size_t i = c->i;
	struct status_ds *d = &r->ds[i];
	enum cx_status st = aws_op_status(op);
	const struct cx_err *e = aws_op_error(op);
	untrack(r, op);
	if (st == CX_E_CANCELLED) {
		/* nothing */
	} else if (c->kind == K_LAST_USED) {
		if (st == CX_OK) {
			const struct iam_key_last_used *u = iam_get_access_key_last_used_result(op);
			set(&d->key_user, u->user_name);
			set(&d->key_last_used_at, u->last_used_date);
			set(&d->key_last_used_service, u->last_used_date ? u->service_name : NULL);
			if (u->user_name)
				start_op(r, i, K_LIST_KEYS, iam_list_access_keys_op(u->user_name));
		} else if (st == CX_E_NOT_FOUND) {
			d->key_exists = STATUS_NO;
		} else {
			note_error(d, "iam GetAccessKeyLastUsed", e);
		}
	} else if (c->kind == K_LIST_KEYS) {
		if (st == CX_OK) {
			const struct iam_access_key_list *l = iam_list_access_keys_result(op);
			d->key_exists = STATUS_NO;
			for (size_t k = 0; k < l->n; k++)
				if (str_eq(l->items[k].access_key_id, d->access_key_id)) {
					d->key_exists = STATUS_YES;
					set(&d->key_status, l->items[k].status);
					set(&d->key_created_at, l->items[k].create_date);
					key_age(r, d);
				}
		} else if (st == CX_E_NOT_FOUND) {
			d->key_exists = STATUS_NO;
		} else {
			note_error(d, "iam ListAccessKeys", e);
		}
	} else if (c->kind == K_GET_EXPORT) {
		if (st == CX_OK) {
			const struct bcm_export *x = bcm_get_export_result(op);
			set(&d->export_status, x->status_code);
			set(&d->export_reason, x->status_reason);
			set(&d->export_refreshed_at,
			    json_str(json_obj(x->json, "ExportStatus"), "LastRefreshedAt"));
		} else if (st == CX_E_NOT_FOUND) {
			d->export_exists = STATUS_NO;
		} else {
			note_error(d, "bcm GetExport", e);
		}
	} else if (c->kind == K_LIST_EXEC) {
		if (st == CX_OK) {
			const char *id = latest_execution(bcm_list_executions_result(op));
			if (id) {
				set(&d->exec_id, id);
				start_op(r, i, K_GET_EXEC, bcm_get_execution_op(d->export_arn, id));
			}
		} else if (st != CX_E_NOT_FOUND) {
			note_error(d, "bcm ListExecutions", e);
		}
	} else if (c->kind == K_GET_EXEC) {
		if (st == CX_OK) {
			const cJSON *xs = json_obj(bcm_get_execution_result(op), "ExecutionStatus");
			set(&d->exec_status, json_str(xs, "StatusCode"));
			set(&d->exec_reason, json_str(xs, "StatusReason"));
			const char *at = json_str(xs, "CompletedAt");
			set(&d->exec_at, at ? at : json_str(xs, "LastUpdatedAt"));
		} else if (st != CX_E_NOT_FOUND) {
			note_error(d, "bcm GetExecution", e);
		}
	} else if (c->kind == K_LOCATION) {
		if (st == CX_OK) {
			d->bucket_exists = STATUS_YES;
			const char *reg = s3_get_bucket_location_result(op);
			set(&d->bucket_region, reg && *reg ? reg : "us-east-1");
			aws_client_set_bucket_region(client_of(r, i), d->bucket, d->bucket_region);
			start_op(r, i, K_POLICY, s3_get_bucket_policy_op(d->bucket));
			char *pfx = listing_prefix(d);
			start_op(r, i, K_LISTING,
			         s3_list_objects_op(d->bucket, pfx, NULL, LIST_WHOLE_MAX + 1));
			free(pfx);
		} else if (st == CX_E_NOT_FOUND || str_eq(e->code, "NoSuchBucket")) {
			d->bucket_exists = STATUS_NO;
		} else {
			note_error(d, "s3 GetBucketLocation", e);
		}
	} else if (c->kind == K_POLICY) {
		if (st == CX_OK) {
			struct cx_err perr;
			cx_err_clear(&perr);
			cJSON *doc = policy_parse(s3_get_bucket_policy_result(op), &perr);
			d->policy_permits = doc && policy_bucket_permits_delivery(
			                               doc, d->bucket, d->legacy, !d->legacy)
			                        ? STATUS_YES
			                        : STATUS_NO;
			cJSON_Delete(doc);
		} else if (str_eq(e->code, "NoSuchBucketPolicy")) {
			d->policy_permits = STATUS_NO;
		} else {
			note_error(d, "s3 GetBucketPolicy", e);
		}
	} else if (c->kind == K_OBJECTS) {
		if (st == CX_OK)
			objects_done(d, s3_list_objects_result(op));
		else if (st != CX_E_CANCELLED)
			note_error(d, "s3 ListObjectsV2", e);
	} else if (c->kind == K_LISTING) {
		if (st == CX_OK)
			listing_done(r, i, s3_list_objects_result(op));
		else if (st != CX_E_CANCELLED)
			note_error(d, "s3 ListObjectsV2", e);
	} else if (c->kind == K_DIRS) {
		struct walk *w = &r->walks[i];
		w->pending--;
		if (st == CX_OK) {
			dirs_done(r, i, c->depth, s3_list_objects_result(op));
		} else {
			w->failed = true;
			note_error(d, "s3 ListObjectsV2", e);
		}
		if (w->pending == 0)
			walk_over(r, i);
	} else if (c->kind == K_EXPORTS) {
		if (st == CX_OK)
			exports_listed(r, i, bcm_list_exports_result(op));
		else
			note_error(d, "bcm ListExports", e);
	} else if (c->kind == K_REPORTS) {
		if (st == CX_OK)
			reports_listed(d, cur_describe_report_definitions_result(op));
		else
			note_error(d, "cur DescribeReportDefinitions", e);
	} else if (c->kind == K_ASSUME) {
		member_assumed(r, i, op);
	} else if (c->kind == K_KEY_ASSUME) {
		key_assumed(r, i, op);
	}
	free(c);
	aws_op_free(op);
	ds_release(r, i);
}

/* ---- stage 1: the key check with the data source's own key ---- */

static void probe_finished(struct probe *p, void *ud)
{
	struct opctx *c = ud;
	struct status_run *r = c->r;
	size_t i = c->i;
	struct status_ds *d = &r->ds[i];
	struct cx_err e;
	cx_err_clear(&e);
	enum cx_status st = probe_status(p, &e);
	if (st == CX_OK) {
		d->permissions = STATUS_YES;
	} else if (st == CX_E_DENIED) {
		d->permissions = STATUS_NO;
		set(&d->permission_error, e.msg);
	} else if (st != CX_E_CANCELLED) {
		note_error(d, "key check", &e);
	}
	r->probes[i] = NULL;
	probe_free(p);
	free(c);
	ds_release(r, i);
}

static const struct vault_record *vault_key(const struct vault *v, const struct status_ds *d)
{
	const struct vault_record *rec = vault_find_data_source(v, d->id);
	if (rec && str_eq(rec->access_key_id, d->access_key_id))
		return rec;
	for (size_t k = 0; k < vault_count(v); k++) {
		rec = vault_get(v, k);
		if (str_eq(rec->access_key_id, d->access_key_id))
			return rec;
	}
	return NULL;
}

static void ds_start_stage1(struct status_run *r, size_t i)
{
	struct status_ds *d = &r->ds[i];
	if (!r->o.vault || r->cancelled || !d->access_key_id)
		return;
	const struct vault_record *rec = vault_key(r->o.vault, d);
	d->in_vault =
	    rec && rec->secret_access_key && *rec->secret_access_key ? STATUS_YES : STATUS_NO;
	if (d->in_vault != STATUS_YES)
		return;
	if (d->reachable && (d->key_exists != STATUS_YES || !str_eq(d->key_status, "Active")))
		return;           /* key_missing / key_inactive say it */
	if (d->assume_role_arn) { /* role access: the key must reach the role */
		assumed_from_key(&r->keys[i], aws_client_ctx(r->o.session->aws), &r->o.session->cfg,
		                 d->access_key_id, rec->secret_access_key, "data source key");
		start_op_on(r, i, K_KEY_ASSUME, r->keys[i].c,
		            sts_assume_role_op(d->assume_role_arn, SESSION_NAME));
		return;
	}
	if (!d->linked && d->reachable && d->bucket_exists != STATUS_YES)
		return; /* bucket_missing says it */
	if (!d->linked && !d->bucket)
		return;
	struct probe_opts po = {
	    .access_key_id = d->access_key_id,
	    .secret_access_key = rec->secret_access_key,
	    .user = d->key_user ? d->key_user : rec->iam_user,
	    .account_id = d->account_id,
	    .linked = d->linked,
	    .legacy = d->legacy,
	    .bucket = d->bucket,
	    .prefix = d->prefix,
	    .bucket_region = d->bucket_region,
	    .wait_max_ms = 5000,
	    .denied_retry_ms = -1,
	};
	struct opctx *c = xcalloc(1, sizeof(*c));
	c->r = r;
	c->i = i;
	r->pending++;
	d->pending++;
	r->probes[i] = probe_start(aws_client_ctx(r->o.session->aws), &r->o.session->cfg, &po,
	                           probe_finished, c);
}

/* ---- stage 0 ---- */

/* organizations ListAccounts answered: the data sources of other accounts that wait on it. */
static void accounts_done(struct aws_op *op, void *ud)
{
	struct status_run *r = ud;
	struct shared *sh = &r->accounts;
	sh->finished = true;
	untrack(r, op);
	enum cx_status st = aws_op_status(op);
	char buf[1400];
	const char *why = st == CX_OK || st == CX_E_CANCELLED
	                      ? NULL
	                      : cx_err_format(aws_op_error(op), buf, sizeof(buf));
	const struct org_account_list *l = st == CX_OK ? org_list_accounts_result(op) : NULL;
	size_t nw = sh->nwait;
	size_t *ws = sh->waiters;
	sh->waiters = NULL;
	sh->nwait = 0;
	for (size_t w = 0; w < nw; w++) {
		size_t i = ws[w];
		struct status_ds *d = &r->ds[i];
		if (st == CX_E_CANCELLED)
			continue;
		if (!l && d->assume_role_arn) {
			unreachable(d,
			            "its key (role access to %s) is the Organization's management "
			            "account's, and account %s does not manage an Organization "
			            "(organizations ListAccounts: %s)",
			            d->assume_role_arn, r->admin, why);
			continue;
		}
		if (!l) {
			unreachable(
			    d,
			    "account %s is not the administrator's (%s), and account %s does not "
			    "manage an Organization whose members it could reach (organizations "
			    "ListAccounts: %s)",
			    d->account_id, r->admin, r->admin, why);
			continue;
		}
		if (d->assume_role_arn) { /* the key is the management account's: checked here */
			d->reachable = true;
			stage0_reads(r, i, true);
			continue;
		}
		const struct org_account *m = NULL;
		for (size_t k = 0; k < l->n; k++)
			if (str_eq(l->items[k].id, d->account_id))
				m = &l->items[k];
		if (!m) {
			unreachable(
			    d,
			    "account %s is not the administrator's (%s) and not a member of the "
			    "Organization that account %s manages",
			    d->account_id, r->admin, r->admin);
		} else if (m->status && !str_eq(m->status, "ACTIVE")) {
			unreachable(d, "account %s is %s in the Organization of account %s",
			            d->account_id, m->status, r->admin);
		} else {
			char *arn = org_role_arn(d->account_id, member_role(r));
			start_op_on(r, i, K_ASSUME, r->o.session->aws,
			            sts_assume_role_op(arn, SESSION_NAME));
			free(arn);
		}
	}
	shared_release(r, sh, op, ws, nw);
}

static void wait_accounts(struct status_run *r, size_t i)
{
	struct shared *sh = &r->accounts;
	sh->waiters = xrealloc(sh->waiters, (sh->nwait + 1) * sizeof(*sh->waiters));
	sh->waiters[sh->nwait++] = i;
	r->ds[i].pending++;
	if (!sh->started) {
		sh->started = true;
		sh->op = org_list_accounts_op();
		r->pending++;
		track(r, sh->op);
		aws_op_start(r->o.session->aws, sh->op, accounts_done, r);
	}
}

static void ds_start(struct status_run *r, size_t i)
{
	struct status_ds *d = &r->ds[i];
	d->pending++; /* held while starting */
	bool own = d->account_id && r->have_admin && str_eq(d->account_id, r->admin);
	if (!r->have_admin) {
		unreachable(d, "the administrator's AWS credentials were refused (sts "
		               "GetCallerIdentity)");
	} else if (own && !d->assume_role_arn) {
		d->reachable = true;
		stage0_reads(r, i, false);
	} else if (d->account_id) {
		wait_accounts(r, i);
	} else {
		unreachable(d, "CerteroX names no account for it");
	}
	d->pending--;
	ds_settle(r, i);
}

static void begin_checks(struct status_run *r)
{
	r->started_checks = true;
	const struct certerox_ds_list *l = &r->list;
	size_t found = 0;
	for (size_t k = 0; k < l->n; k++) {
		const struct certerox_ds *c = &l->items[k];
		if (!str_eq(c->type, "aws_cnr"))
			continue;
		if (c->has_config && !c->config.linked)
			r->org_has_root = true;
		if (r->only && !str_eq(r->only, c->id))
			continue;
		found++;
	}
	if (r->only && !found) {
		r->st = cx_err_set(&r->err, CX_E_INPUT,
		                   "--data-source %s: the organization has no AWS data source with "
		                   "this id",
		                   r->only);
		return;
	}
	r->ds = xcalloc(found ? found : 1, sizeof(*r->ds));
	r->probes = xcalloc(found ? found : 1, sizeof(*r->probes));
	r->members = xcalloc(found ? found : 1, sizeof(*r->members));
	r->keys = xcalloc(found ? found : 1, sizeof(*r->keys));
	r->walks = xcalloc(found ? found : 1, sizeof(*r->walks));
	for (size_t k = 0; k < l->n; k++) {
		const struct certerox_ds *c = &l->items[k];
		if (!str_eq(c->type, "aws_cnr") || (r->only && !str_eq(r->only, c->id)))
			continue;
		struct status_ds *d = &r->ds[r->n++];
		d->key_age_days = -1;
		d->id = xstrdup(c->id);
		d->name = xstrdup(c->name);
		d->account_id = xstrdup(c->account_id);
		d->last_import_at = c->last_import_at;
		d->last_import_attempt_at = c->last_import_attempt_at;
		d->last_import_attempt_error = xstrdup(c->last_import_attempt_error);
		if (c->has_config) {
			d->linked = c->config.linked;
			d->legacy = c->config.cur_version != 2;
			d->access_key_id = xstrdup(c->config.access_key_id);
			d->bucket = xstrdup(c->config.bucket_name);
			d->prefix = xstrdup(c->config.bucket_prefix);
			d->report = xstrdup(c->config.report_name);
			if (c->config.assume_role_account_id && c->config.assume_role_name)
				d->assume_role_arn = org_role_arn(c->config.assume_role_account_id,
				                                  c->config.assume_role_name);
		}
	}
	for (size_t i = 0; i < r->n; i++)
		ds_start(r, i);
}

/* Both the caller's account and the list are known: the checks start. */
static void setup_step(struct status_run *r)
{
	if (!r->started_checks && r->st == CX_OK && r->have_list && r->sts_finished &&
	    !r->cancelled)
		begin_checks(r);
}

void status_set_vault(struct status_run *r, struct vault *v)
{
	if (!r->vault_waiting)
		return;
	r->vault_waiting = false;
	r->o.vault = v;
	for (size_t i = 0; i < r->n; i++)
		if (r->ds[i].stage == 2)
			ds_settle(r, i);
	r->pending--; /* the hold of status_start */
	maybe_finish(r);
}

static void maybe_finish(struct status_run *r)
{
	if (r->finished || r->pending > 0)
		return;
	r->finished = true;
	if (r->cancelled && r->st == CX_OK)
		r->st = cx_err_set(&r->err, CX_E_CANCELLED, "the checks were cancelled");
	if (r->done_fn)
		r->done_fn(r, r->done_ud);
}

static void sts_done(struct aws_op *op, void *ud)
{
	struct status_run *r = ud;
	untrack(r, op);
	r->sts_op = NULL;
	if (aws_op_status(op) == CX_OK) {
		const struct sts_identity *id = sts_get_caller_identity_result(op);
		snprintf(r->admin, sizeof(r->admin), "%s", id->account ? id->account : "");
		r->have_admin = true;
	} else {
		/* no reachable account: every data source gets account_unreachable */
		char buf[1400];
		log_warn("status: the administrator's AWS credentials: %s",
		         cx_err_format(aws_op_error(op), buf, sizeof(buf)));
	}
	aws_op_free(op);
	r->sts_finished = true;
	setup_step(r);
	r->pending--;
	maybe_finish(r);
}

static void list_done(struct certerox_call *call, void *ud)
{
	struct status_run *r = ud;
	struct cx_err e;
	cx_err_clear(&e);
	enum cx_status st = certerox_call_status(call, &e);
	if (st == CX_OK) {
		struct certerox_result *res = certerox_call_result(call);
		r->list = res->list;
		memset(&res->list, 0, sizeof(res->list));
		r->have_list = true;
	} else if (r->st == CX_OK) {
		r->st = st;
		r->err = e;
	}
	certerox_call_free(call);
	r->call = NULL;
	setup_step(r);
	r->pending--;
	maybe_finish(r);
}

static void kick(void *ud)
{
	struct status_run *r = ud;
	r->pending--;
	maybe_finish(r);
}

struct status_run *status_start(const struct status_opts *o, status_done_fn done, void *ud)
{
	struct status_run *r = xcalloc(1, sizeof(*r));
	r->o = *o;
	r->only = xstrdup(o->data_source);
	r->o.data_source = r->only;
	if (!r->o.now)
		r->o.now = time(NULL);
	r->done_fn = done;
	r->done_ud = ud;
	cx_err_clear(&r->err);
	struct session *s = o->session;
	struct http_ctx *ctx = aws_client_ctx(s->aws);
	r->pending++; /* kick: done never runs from here */
	http_timer_add(ctx, 0, kick, r);
	if (o->vault_pending) {
		r->vault_waiting = true;
		r->pending++; /* held until status_set_vault */
	}
	if (!s->cx || !s->org_id) {
		r->st = cx_err_set(&r->err, CX_E_INPUT,
		                   "--status needs CerteroX: --certerox-url (or CERTEROX_URL), a "
		                   "token and the organization");
		return r;
	}
	r->sts_op = sts_get_caller_identity_op();
	r->pending++;
	track(r, r->sts_op);
	aws_op_start(s->aws, r->sts_op, sts_done, r);
	r->pending++;
	r->call = certerox_list_ds_start(s->cx, s->org_id, list_done, r);
	return r;
}

bool status_done(const struct status_run *r)
{
	return r->finished;
}

enum cx_status status_result(const struct status_run *r, struct cx_err *err)
{
	if (err)
		*err = r->err;
	return r->st;
}

size_t status_count(const struct status_run *r)
{
	return r->n;
}

const struct status_ds *status_get(const struct status_run *r, size_t i)
{
	return i < r->n ? &r->ds[i] : NULL;
}

const char *status_admin_account(const struct status_run *r)
{
	return r->admin;
}

size_t status_problem_count(const struct status_run *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->ds[i].nproblems;
	return n;
}

void status_cancel(struct status_run *r)
{
	if (r->finished)
		return;
	r->cancelled = true;
	status_set_vault(r, NULL);
	for (size_t k = 0; k < r->nops; k++)
		aws_op_cancel(r->ops[k]);
	for (size_t i = 0; i < r->n; i++)
		if (r->probes[i])
			probe_cancel(r->probes[i]);
	if (r->call)
		certerox_call_cancel(r->call);
}

void status_free(struct status_run *r)
{
	if (!r)
		return;
	for (size_t k = 0; k < r->nops; k++)
		aws_op_free(r->ops[k]);
	free(r->ops);
	for (size_t i = 0; i < r->n; i++) {
		if (r->probes && r->probes[i])
			probe_free(r->probes[i]);
		status_ds_free(&r->ds[i]);
		if (r->members)
			assumed_free(&r->members[i]);
		if (r->keys)
			assumed_free(&r->keys[i]);
		if (r->walks)
			strv_free(&r->walks[i].periods);
	}
	free(r->walks);
	free(r->members);
	free(r->keys);
	free(r->accounts.waiters);
	certerox_call_free(r->call);
	free(r->probes);
	free(r->ds);
	free(r->exports.waiters);
	free(r->reports.waiters);
	certerox_ds_list_free(&r->list);
	free(r->only);
	free(r);
}

static void sync_done(struct status_run *r, void *ud)
{
	(void)r;
	*(bool *)ud = true;
}

struct status_run *status_run_sync(const struct status_opts *o)
{
	static bool done; /* one synchronous run at a time (front ends) */
	done = false;
	struct status_run *r = status_start(o, sync_done, &done);
	http_ctx_run_until(aws_client_ctx(o->session->aws), &done);
	return r;
}
