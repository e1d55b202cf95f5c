/* probe.c - the key check (see probe.h). */
#include "run/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/bcm.h"
#include "aws/cur.h"
#include "aws/ec2.h"
#include "aws/iam.h"
#include "aws/s3.h"
#include "aws/sts.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/str.h"

#define DEF_WAIT_MAX  120000
#define DEF_POLL_MIN  150
#define DEF_POLL_MAX  2000
#define DEF_POLL_FAST 15000
#define DEF_DENIED    15000
#define RETRY_BASE_MS 500
#define RETRY_CAP_MS  2000

enum check_id { C_LIST_BUCKET = 0, C_LOCATION, C_EXPORTS, C_EC2, C_BUCKETS, C_USERS, C_N };

struct check {
	struct probe *p;
	enum check_id id;
	const char *action;
	char *resource;
	bool readonly; /* granted by the ReadOnly policy (else Discover Resources) */
	bool enabled;
	bool deferred; /* sent before AWS accepted the key and rejected: sent again once it does */
	struct aws_op *op;
	unsigned long timer;
	int attempt;
	bool finished;
	enum cx_status st;
	struct cx_err err;
};

struct probe {
	struct http_ctx *ctx;
	struct aws_config cfg;
	struct aws_client *c;
	char *akid, *user, *account, *bucket, *prefix, *region, *ro, *disc;
	bool linked, legacy, billing_only;
	long wait_max, poll_min, poll_max, poll_fast, denied_retry;
	probe_progress_fn progress;
	void *progress_ud;
	probe_done_fn done;
	void *ud;
	long long t0, attempt_t0, valid_at;
	long interval;
	int attempts;
	struct aws_op *sts;
	unsigned long timer;
	struct check checks[C_N];
	int pending;
	bool finished, stopping;
	enum cx_status status;
	struct cx_err err;
};

static long elapsed(const struct probe *p)
{
	return (long)(http_now_ms() - p->t0);
}

static void emit(struct probe *p, enum probe_phase ph, int attempt, const struct check *c,
                 const char *detail, long delay)
{
	if (!p->progress)
		return;
	struct probe_event ev = {.phase = ph,
	                         .attempt = attempt,
	                         .elapsed_ms = elapsed(p),
	                         .check = c ? c->action : "",
	                         .detail = detail ? detail : "",
	                         .policy = c ? (c->readonly ? p->ro : p->disc) : "",
	                         .delay_ms = delay};
	p->progress(p->progress_ud, &ev);
}

static void finish(struct probe *p, enum cx_status st, const struct cx_err *err)
{
	if (p->finished)
		return;
	p->finished = true;
	p->status = st;
	if (err)
		p->err = *err;
	else
		cx_err_clear(&p->err);
	p->err.status = st;
	if (st != CX_OK && !p->err.msg[0])
		cx_err_set(&p->err, st, "%s", cx_status_msg(st));
	if (st != CX_OK && !p->err.where[0])
		cx_err_where(&p->err, "key check %s", p->akid);
	log_debug("probe %s: %s (%ld ms)", p->akid, cx_status_name(st), elapsed(p));
	if (p->done)
		p->done(p, p->ud);
}

/* Stops everything in flight (no callbacks of ours run afterwards). */
static void stop_all(struct probe *p)
{
	p->stopping = true;
	aws_op_free(p->sts);
	p->sts = NULL;
	if (p->timer)
		http_timer_cancel(p->ctx, p->timer);
	p->timer = 0;
	for (int i = 0; i < C_N; i++) {
		struct check *c = &p->checks[i];
		aws_op_free(c->op);
		c->op = NULL;
		if (c->timer)
			http_timer_cancel(p->ctx, c->timer);
		c->timer = 0;
	}
}

/* ---------- permission checks ---------- */

static void check_send(struct check *c);
static void checks_finished(struct probe *p);

static void check_timer(void *ud)
{
	struct check *c = ud;
	c->timer = 0;
	check_send(c);
}

static void check_done(struct aws_op *op, void *ud)
{
	struct check *c = ud;
	struct probe *p = c->p;
	enum cx_status st = aws_op_status(op);
	struct cx_err e = *aws_op_error(op);
	aws_op_free(op);
	c->op = NULL;
	if ((st == CX_E_DENIED || st == CX_E_CREDENTIALS) && p->valid_at < 0) {
		/* sent along with the first GetCallerIdentity, before the key was known to be
		 * valid: this says nothing yet; sts_done sends it again */
		c->deferred = true;
		return;
	}
	if (st == CX_OK) {
		c->finished = true;
		c->st = CX_OK;
		emit(p, PROBE_CHECK_OK, c->attempt, c, c->resource, 0);
	} else if ((st == CX_E_DENIED || st == CX_E_CREDENTIALS) && p->denied_retry >= 0 &&
	           http_now_ms() - p->valid_at < p->denied_retry) {
		long d = RETRY_BASE_MS << (c->attempt > 3 ? 2 : c->attempt - 1);
		if (d > RETRY_CAP_MS)
			d = RETRY_CAP_MS;
		long left = p->denied_retry - (long)(http_now_ms() - p->valid_at);
		if (d > left)
			d = left > 0 ? left : 0;
		emit(p, PROBE_CHECK_RETRY, c->attempt, c, e.code[0] ? e.code : e.msg, d);
		c->timer = http_timer_add(p->ctx, d, check_timer, c);
		return;
	} else {
		c->finished = true;
		c->st = st;
		c->err = e;
		if (st == CX_E_DENIED)
			emit(p, PROBE_CHECK_DENIED, c->attempt, c, e.msg, 0);
		else
			emit(p, PROBE_CHECK_DENIED, c->attempt, c,
			     e.msg[0] ? e.msg : cx_status_msg(st), 0);
	}
	p->pending--;
	if (p->pending == 0 && p->valid_at >= 0)
		checks_finished(p); /* may free p */
}

static void check_send(struct check *c)
{
	struct probe *p = c->p;
	c->attempt++;
	switch (c->id) {
	case C_LIST_BUCKET: {
		char *pre = NULL;
		if (p->prefix && *p->prefix)
			pre = xasprintf("%s/", p->prefix);
		c->op = s3_list_objects_op(p->bucket, pre, NULL, 1);
		free(pre);
		break;
	}
	case C_LOCATION:
		c->op = s3_get_bucket_location_op(p->bucket);
		break;
	case C_EXPORTS:
		c->op = p->legacy ? cur_describe_report_definitions_op() : bcm_list_exports_op();
		break;
	case C_EC2:
		c->op = ec2_describe_regions_op(false, true);
		break;
	case C_BUCKETS:
		c->op = s3_list_buckets_op();
		break;
	case C_USERS:
		c->op = iam_list_users_op();
		break;
	case C_N:
		return;
	}
	if (c->attempt == 1)
		emit(p, PROBE_CHECK_STARTED, 1, c, c->resource, 0);
	aws_op_start(p->c, c->op, check_done, c);
}

static void checks_finished(struct probe *p)
{
	/* the first denial (in check order) decides; other failures next */
	const struct check *denied = NULL, *other = NULL;
	size_t ndenied = 0;
	char list[256] = "";
	for (int i = 0; i < C_N; i++) {
		const struct check *c = &p->checks[i];
		if (!c->enabled || c->st == CX_OK)
			continue;
		if (c->st == CX_E_DENIED) {
			if (!denied)
				denied = c;
			size_t l = strlen(list);
			snprintf(list + l, sizeof(list) - l, "%s%s", ndenied ? ", " : "",
			         c->action);
			ndenied++;
		} else if (!other) {
			other = c;
		}
	}
	if (!denied && !other) {
		finish(p, CX_OK, NULL);
		return;
	}
	struct cx_err e;
	cx_err_clear(&e);
	if (denied) {
		const char *pol = denied->readonly ? p->ro : p->disc;
		const char *user = p->user ? p->user : "the user";
		cx_err_code(&e, denied->err.code[0] ? denied->err.code : "AccessDenied");
		e.http_status = denied->err.http_status;
		str_copy(e.request_id, sizeof(e.request_id), denied->err.request_id);
		cx_err_set(
		    &e, CX_E_DENIED,
		    "the new access key %s of user %s may not perform %s on %s (denied: %s): "
		    "attach the policy %s, which grants %s, to user %s (or add the action to "
		    "it) and run again; AWS said: %s",
		    p->akid, user, denied->action, denied->resource, list, pol, denied->action,
		    user, denied->err.msg);
		cx_err_where(&e, "key check %s %s", p->akid, denied->action);
		finish(p, CX_E_DENIED, &e);
		return;
	}
	e = other->err;
	if (!e.where[0])
		cx_err_where(&e, "key check %s %s", p->akid, other->action);
	finish(p, other->st, &e);
}

static void setup_check(struct probe *p, enum check_id id, const char *action, char *resource,
                        bool readonly)
{
	struct check *c = &p->checks[id];
	c->p = p;
	c->id = id;
	c->action = action;
	c->resource = resource;
	c->readonly = readonly;
	c->enabled = true;
}

/* Sets up the checks of this connection; check_send starts each. */
static void setup_checks(struct probe *p)
{
	/* no bucket: one CerteroX has yet to create (setup "certerox"), nothing to probe there */
	if (!p->linked && p->bucket && *p->bucket) {
		setup_check(p, C_LIST_BUCKET, "s3:ListBucket",
		            p->prefix && *p->prefix
		                ? xasprintf("arn:aws:s3:::%s (prefix %s/)", p->bucket, p->prefix)
		                : xasprintf("arn:aws:s3:::%s", p->bucket),
		            true);
		setup_check(p, C_LOCATION, "s3:GetBucketLocation",
		            xasprintf("arn:aws:s3:::%s", p->bucket), true);
	}
	if (!p->linked) {
		setup_check(p, C_EXPORTS,
		            p->legacy ? "cur:DescribeReportDefinitions"
		                      : "bcm-data-exports:ListExports",
		            xstrdup("*"), true);
	}
	if (!p->billing_only) {
		setup_check(p, C_EC2, "ec2:DescribeRegions", xstrdup("* (DryRun)"), false);
		setup_check(p, C_BUCKETS, "s3:ListAllMyBuckets", xstrdup("*"), false);
		setup_check(p, C_USERS, "iam:ListUsers", xstrdup("*"), false);
	}
	p->pending = 0;
	for (int i = 0; i < C_N; i++)
		p->pending += p->checks[i].enabled;
}

/* The key is valid: the checks it rejected before are sent again; when every check has
 * its answer already, the probe ends. */
static void key_valid_checks(struct probe *p)
{
	for (int i = 0; i < C_N; i++) {
		struct check *c = &p->checks[i];
		if (c->enabled && c->deferred) {
			c->deferred = false;
			check_send(c);
		}
	}
	if (p->pending == 0)
		checks_finished(p); /* may free p */
}

/* ---------- waiting for the key ---------- */

static void attempt_start(struct probe *p);

static void attempt_timer(void *ud)
{
	struct probe *p = ud;
	p->timer = 0;
	attempt_start(p);
}

static void sts_done(struct aws_op *op, void *ud)
{
	struct probe *p = ud;
	enum cx_status st = aws_op_status(op);
	struct cx_err e = *aws_op_error(op);
	char *account = NULL;
	if (st == CX_OK) {
		const struct sts_identity *id = sts_get_caller_identity_result(op);
		account = xstrdup(id && id->account ? id->account : "");
	}
	aws_op_free(op);
	p->sts = NULL;
	long long now = http_now_ms();
	if (st == CX_OK) {
		p->valid_at = now;
		emit(p, PROBE_KEY_VALID, p->attempts, NULL, account, 0);
		log_debug("probe %s: key accepted after %d attempts, %ld ms", p->akid, p->attempts,
		          elapsed(p));
		if (p->account && !str_eq(account, p->account)) {
			cx_err_clear(&e);
			cx_err_set(&e, CX_E_CREDENTIALS,
			           "the new access key %s acts in AWS account %s, not in %s",
			           p->akid, account, p->account);
			free(account);
			finish(p, CX_E_CREDENTIALS, &e);
			return;
		}
		free(account);
		key_valid_checks(p);
		return;
	}
	if (st != CX_E_CREDENTIALS) {
		finish(p, st, &e);
		return;
	}
	long long deadline = p->t0 + p->wait_max;
	if (now >= deadline) {
		struct cx_err t;
		cx_err_clear(&t);
		cx_err_code(&t, e.code);
		cx_err_set(
		    &t, CX_E_TIMEOUT,
		    "AWS still rejects the new access key %s after %ld s (%s, %d attempts); it "
		    "may take longer to propagate: run again to continue",
		    p->akid, p->wait_max / 1000, e.code[0] ? e.code : e.msg, p->attempts);
		finish(p, CX_E_TIMEOUT, &t);
		return;
	}
	/* start-to-start interval: poll_min for the fast period, then doubling to poll_max */
	if (p->attempt_t0 - p->t0 >= p->poll_fast) {
		p->interval *= 2;
		if (p->interval > p->poll_max)
			p->interval = p->poll_max;
	}
	long delay = (long)(p->attempt_t0 + p->interval - now);
	if (delay < 0)
		delay = 0;
	if (now + delay > deadline)
		delay = (long)(deadline - now);
	emit(p, PROBE_WAITING, p->attempts, NULL, e.code[0] ? e.code : e.msg, delay);
	p->timer = http_timer_add(p->ctx, delay, attempt_timer, p);
}

static void attempt_start(struct probe *p)
{
	p->attempts++;
	p->attempt_t0 = http_now_ms();
	p->sts = sts_get_caller_identity_op();
	aws_op_start(p->c, p->sts, sts_done, p);
}

static void deliver_timer(void *ud)
{
	struct probe *p = ud;
	p->timer = 0;
	struct cx_err e = p->err;
	finish(p, p->status, &e);
}

/* Finishes from the next http_ctx_perform (never from inside a public call). */
static void finish_deferred(struct probe *p, enum cx_status st, const char *msg)
{
	stop_all(p);
	p->status = st;
	cx_err_clear(&p->err);
	cx_err_set(&p->err, st, "%s", msg);
	p->timer = http_timer_add(p->ctx, 0, deliver_timer, p);
}

/* ---------- public ---------- */

static long dflt(long v, long d)
{
	return v == 0 ? d : v;
}

struct probe *probe_start(struct http_ctx *ctx, const struct aws_config *base,
                          const struct probe_opts *o, probe_done_fn done, void *ud)
{
	struct probe *p = xcalloc(1, sizeof(*p));
	p->ctx = ctx;
	p->done = done;
	p->ud = ud;
	p->t0 = http_now_ms();
	p->valid_at = -1;
	cx_err_clear(&p->err);
	p->status = CX_E_INTERNAL;
	p->akid = xstrdup(o->access_key_id ? o->access_key_id : "");
	p->user = xstrdup(o->user);
	p->account = xstrdup(o->account_id);
	p->bucket = xstrdup(o->bucket);
	p->prefix = xstrdup(o->prefix ? o->prefix : "");
	for (size_t n = strlen(p->prefix); n > 0 && p->prefix[n - 1] == '/'; n--)
		p->prefix[n - 1] = '\0';
	p->region = xstrdup(o->bucket_region);
	p->ro = xstrdup(o->readonly_policy ? o->readonly_policy : "CerteroXReadOnly");
	p->disc = xstrdup(o->discover_policy ? o->discover_policy : "CerteroXDiscoverResources");
	p->linked = o->linked;
	p->billing_only = o->billing_only && !o->linked;
	p->legacy = o->legacy;
	p->wait_max = dflt(o->wait_max_ms, DEF_WAIT_MAX);
	p->poll_min = dflt(o->poll_min_ms, DEF_POLL_MIN);
	p->poll_max = dflt(o->poll_max_ms, DEF_POLL_MAX);
	p->poll_fast = dflt(o->poll_fast_ms, DEF_POLL_FAST);
	p->denied_retry = dflt(o->denied_retry_ms, DEF_DENIED);
	if (p->poll_max < p->poll_min)
		p->poll_max = p->poll_min;
	p->interval = p->poll_min;
	p->progress = o->progress;
	p->progress_ud = o->progress_ud;

	/* the new key's client: the administrator's settings, the new credentials */
	p->cfg.profile = xstrdup(base->profile);
	p->cfg.region = xstrdup(base->region ? base->region : "us-east-1");
	p->cfg.ca_bundle = xstrdup(base->ca_bundle);
	p->cfg.endpoint_url = xstrdup(base->endpoint_url);
	p->cfg.endpoint_url_is_option = base->endpoint_url_is_option;
	p->cfg.ignore_configured_endpoints = base->ignore_configured_endpoints;
	aws_creds_set(&p->cfg.creds, p->akid, o->secret_access_key, NULL, "the new access key");
	p->c = aws_client_new(ctx, &p->cfg);
	if (p->bucket && p->region)
		aws_client_set_bucket_region(p->c, p->bucket, p->region);

	if (!*p->akid || !o->secret_access_key || !*o->secret_access_key)
		finish_deferred(p, CX_E_INPUT,
		                "the key check needs the new access key id and secret");
	else {
		/* Optimistic: the checks go out with the first GetCallerIdentity, so that a key AWS
		 * already accepts costs one round trip; a rejection before the key is known to be
		 * valid only defers the check (see check_done). */
		setup_checks(p);
		attempt_start(p);
		for (int i = 0; i < C_N; i++)
			if (p->checks[i].enabled)
				check_send(&p->checks[i]);
	}
	return p;
}

void probe_cancel(struct probe *p)
{
	if (!p || p->finished || p->stopping)
		return;
	finish_deferred(p, CX_E_CANCELLED, "key check cancelled");
}

bool probe_done(const struct probe *p)
{
	return p->finished;
}

enum cx_status probe_status(const struct probe *p, struct cx_err *err)
{
	if (err)
		*err = p->err;
	return p->finished ? p->status : CX_E_INTERNAL;
}

long probe_key_valid_ms(const struct probe *p)
{
	return p->valid_at < 0 ? -1 : (long)(p->valid_at - p->t0);
}

int probe_attempts(const struct probe *p)
{
	return p->attempts;
}

void probe_free(struct probe *p)
{
	if (!p)
		return;
	stop_all(p);
	for (int i = 0; i < C_N; i++)
		free(p->checks[i].resource);
	aws_client_free(p->c);
	aws_config_free(&p->cfg); /* wipes the secret (secmem) */
	free(p->akid);
	free(p->user);
	free(p->account);
	free(p->bucket);
	free(p->prefix);
	free(p->region);
	free(p->ro);
	free(p->disc);
	free(p);
}

static void run_done(struct probe *p, void *ud)
{
	(void)p;
	*(bool *)ud = true;
}

enum cx_status probe_run(struct http_ctx *ctx, const struct aws_config *base,
                         const struct probe_opts *opts, long *key_valid_ms, struct cx_err *err)
{
	bool done = false;
	struct probe *p = probe_start(ctx, base, opts, run_done, &done);
	http_ctx_run_until(ctx, &done);
	enum cx_status st;
	if (!done) {
		st = cx_err_set(err, CX_E_INTERNAL, "key check did not complete");
	} else {
		st = probe_status(p, err);
	}
	if (key_valid_ms)
		*key_valid_ms = probe_key_valid_ms(p);
	probe_free(p);
	return st;
}
