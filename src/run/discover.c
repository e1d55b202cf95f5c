/* discover.c - read-only discovery of the plan's facts (see discover.h). */
#include "run/discover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/bcm.h"
#include "aws/cur.h"
#include "aws/iam.h"
#include "aws/org.h"
#include "aws/s3.h"
#include "aws/sts.h"
#include "core/owner.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/str.h"

#define DEFAULT_PARALLEL  16
#define DELIVERY_LIST_MAX 100 /* keys looked at under <prefix>/<name>/ */
#define LIST_POLICIES_MAX 100 /* one page: more customer policies -> our policies by ARN */

enum rkind {
	R_STS = 0,
	R_ORG,
	R_HEAD_BUCKET,
	R_LOCATION,
	R_BUCKET_POLICY,
	R_LIST_EXPORTS,
	R_GET_EXPORT,
	R_REPORTS,
	R_DELIVERED,
	R_LIST_POLICIES,
	R_POLICY_VERSIONS,
	R_POLICY_DOC,
	R_USER_ATTACHED,
	R_USER_KEYS,
	R_USER_TAGS,
	R_CX_ORGS,
	R_CX_DS,
	R_CX_PROBE
};

enum rstate { RS_QUEUED = 0, RS_FLIGHT, RS_DONE };

struct rd {
	struct discover *d;
	enum rkind kind;
	enum rstate state;
	int id;
	size_t idx; /* policy, export or delivery index */
	char *subject;
	char *aux; /* version id (policy doc) */
	struct aws_op *op;
	struct certerox_call *call;
	long long t0;
	int depth; /* 1 + the depth of the read whose answer asked for this one */
};

struct delivery {
	char *bucket;
	char *key_prefix; /* "<prefix>/<name>/" */
	bool done, delivered;
};

struct discover {
	struct answers a;
	struct discover_opts o;
	discover_done_fn done;
	void *ud;
	struct plan_facts f;
	struct strv warnings;
	enum cx_status status;
	struct cx_err err;
	bool finished, failed, cancelled;
	struct rd **rds;
	size_t nrds;
	int inflight, started, nfinished;
	/* what to read */
	bool root; /* bucket and exports of a root connect */
	bool want_cur2, want_legacy;
	bool want_delivery; /* setup "existing": delivered files of the answered export */
	char *bucket;       /* the bucket whose facts are read (NULL = none yet) */
	bool bucket_started;
	bool identity_done; /* GetCallerIdentity answered (well or not) */
	bool held;          /* a read failed before it: its failure waits (held_*) */
	enum cx_status held_st;
	struct cx_err held_err;
	char *certerox_org;   /* the organization whose data sources are listed */
	bool certerox_listed; /* ... and they were */
	struct delivery *dlv;
	size_t ndlv;
	int answering; /* depth of the read whose answer is being handled (0: none) */
	/* our policies: a one-page listing sent with GetCallerIdentity tells which exist (and
	 * their default version) without the account id; unusable (denied, truncated): by ARN */
	enum { PL_FLIGHT = 0, PL_DONE, PL_UNUSABLE } plist;
	struct iam_policy_list listed;
	bool policies_named; /* after_identity has named them (ARNs known) */
	bool doc_queued[3];  /* GetPolicyVersion of policy i is queued */
	char *org_master;    /* DescribeOrganization's MasterAccountId, when sent before STS */
	bool org_answered;   /* ... it has answered, role pending on the account id */
	struct iam_tag_list user_tags; /* ListUserTags of the answers' user */
	bool tags_done, keys_done;     /* both known: ownership marked (mark_owned) */
};

/* ---------- small helpers ---------- */

static bool migrate(const struct discover *d)
{
	return d->a.action == ANSWERS_MIGRATE;
}

/* A rotate reads the policies of its data source's real user (run/resolve.c): ours are not
 * read here by name, they would be read twice. (The answers' user is still read in the first
 * wave: its connections are the ones the key check's parallel probes reuse.) */
static bool rotate(const struct discover *d)
{
	return d->a.action == ANSWERS_ROTATE;
}

static const char *rkind_service(enum rkind k)
{
	switch (k) {
	case R_STS:
		return "sts";
	case R_ORG:
		return "organizations";
	case R_HEAD_BUCKET:
	case R_LOCATION:
	case R_BUCKET_POLICY:
	case R_DELIVERED:
		return "s3";
	case R_LIST_EXPORTS:
	case R_GET_EXPORT:
		return "bcm-data-exports";
	case R_REPORTS:
		return "cur";
	case R_LIST_POLICIES:
	case R_POLICY_VERSIONS:
	case R_POLICY_DOC:
	case R_USER_ATTACHED:
	case R_USER_KEYS:
	case R_USER_TAGS:
		return "iam";
	case R_CX_ORGS:
	case R_CX_DS:
	case R_CX_PROBE:
		return "certerox";
	}
	return "?";
}

static const char *rkind_operation(enum rkind k)
{
	switch (k) {
	case R_STS:
		return "GetCallerIdentity";
	case R_ORG:
		return "DescribeOrganization";
	case R_HEAD_BUCKET:
		return "HeadBucket";
	case R_LOCATION:
		return "GetBucketLocation";
	case R_BUCKET_POLICY:
		return "GetBucketPolicy";
	case R_DELIVERED:
		return "ListObjectsV2";
	case R_LIST_EXPORTS:
		return "ListExports";
	case R_GET_EXPORT:
		return "GetExport";
	case R_REPORTS:
		return "DescribeReportDefinitions";
	case R_LIST_POLICIES:
		return "ListPolicies";
	case R_POLICY_VERSIONS:
		return "ListPolicyVersions";
	case R_POLICY_DOC:
		return "GetPolicyVersion";
	case R_USER_ATTACHED:
		return "ListAttachedUserPolicies";
	case R_USER_KEYS:
		return "ListAccessKeys";
	case R_USER_TAGS:
		return "ListUserTags";
	case R_CX_ORGS:
		return "GET /restapi/v2/organizations";
	case R_CX_DS:
		return "GET /restapi/v2/organizations/{id}/cloud_accounts";
	case R_CX_PROBE:
		return "POST /restapi/v2/cloud_account_verify";
	}
	return "?";
}

static void label_of(const struct rd *r, char *out, size_t n)
{
	snprintf(out, n, "%s %s%s%s", rkind_service(r->kind), rkind_operation(r->kind),
	         r->subject && *r->subject ? " " : "", r->subject ? r->subject : "");
}

static int nqueued(const struct discover *d)
{
	int q = 0;
	for (size_t i = 0; i < d->nrds; i++)
		q += d->rds[i]->state == RS_QUEUED;
	return q;
}

static void emit(struct discover *d, const struct rd *r, enum discover_phase ph,
                 const char *outcome, const struct cx_err *err)
{
	char label[512];
	label_of(r, label, sizeof(label));
	long ms = ph == DISCOVER_STARTED ? 0 : (long)(http_now_ms() - r->t0);
	if (ph != DISCOVER_STARTED)
		log_debug("discover %s: %s (%ld ms)", label,
		          ph == DISCOVER_DONE ? (outcome ? outcome : "done")
		                              : (err ? err->msg : "failed"),
		          ms);
	if (!d->o.progress)
		return;
	struct discover_event ev = {.phase = ph,
	                            .id = r->id,
	                            .service = rkind_service(r->kind),
	                            .operation = rkind_operation(r->kind),
	                            .subject = r->subject ? r->subject : "",
	                            .label = label,
	                            .outcome = outcome ? outcome : "",
	                            .ms = ms,
	                            .started = d->started,
	                            .finished = d->nfinished,
	                            .queued = nqueued(d),
	                            .err = err};
	d->o.progress(d->o.progress_ud, &ev);
}

static struct rd *enqueue(struct discover *d, enum rkind k, size_t idx, const char *subject)
{
	struct rd *r = xcalloc(1, sizeof(*r));
	r->d = d;
	r->kind = k;
	r->idx = idx;
	r->subject = xstrdup(subject ? subject : "");
	r->depth = d->answering + 1;
	d->rds = xrealloc(d->rds, (d->nrds + 1) * sizeof(*d->rds));
	d->rds[d->nrds++] = r;
	return r;
}

static void rd_free(struct rd *r)
{
	if (!r)
		return;
	aws_op_free(r->op);
	certerox_call_free(r->call);
	free(r->subject);
	free(r->aux);
	free(r);
}

static void fail(struct discover *d, enum cx_status st, const struct cx_err *err)
{
	if (d->failed || d->cancelled)
		return;
	d->failed = true;
	d->status = st;
	if (err)
		d->err = *err;
	d->err.status = st;
	if (!d->err.msg[0])
		cx_err_set(&d->err, st, "%s", cx_status_msg(st));
	/* the queue is dropped and what flies is cancelled */
	for (size_t i = 0; i < d->nrds; i++) {
		struct rd *r = d->rds[i];
		if (r->state == RS_QUEUED) {
			r->state = RS_DONE;
		} else if (r->state == RS_FLIGHT) {
			if (r->op)
				aws_op_cancel(r->op);
			if (r->call)
				certerox_call_cancel(r->call);
		}
	}
}

/* ---------- fact helpers ---------- */

static char *policy_arn(const struct discover *d, const char *name)
{
	return xasprintf("arn:aws:iam::%s:policy/%s", d->f.account_id, name);
}

static bool data_file(const char *key)
{
	return str_ends_with(key, ".csv.gz") || str_ends_with(key, ".csv.zip") ||
	       str_ends_with(key, ".snappy.parquet");
}

/* "<prefix>/<name>/" with the prefix's trailing '/' dropped. */
static char *delivery_prefix(const char *prefix, const char *name)
{
	char *p = xstrdup(prefix ? prefix : "");
	size_t n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		p[--n] = '\0';
	char *k = n ? xasprintf("%s/%s/", p, name) : xasprintf("%s/", name);
	free(p);
	return k;
}

/* The delivery entry of (bucket, key prefix), created and its listing queued when new. */
static size_t delivery_ensure(struct discover *d, const char *bucket, const char *key_prefix)
{
	for (size_t i = 0; i < d->ndlv; i++)
		if (str_eq(d->dlv[i].bucket, bucket) && str_eq(d->dlv[i].key_prefix, key_prefix))
			return i;
	d->dlv = xrealloc(d->dlv, (d->ndlv + 1) * sizeof(*d->dlv));
	struct delivery *v = &d->dlv[d->ndlv];
	memset(v, 0, sizeof(*v));
	v->bucket = xstrdup(bucket);
	v->key_prefix = xstrdup(key_prefix);
	char *subj = xasprintf("%s/%s", bucket, key_prefix);
	enqueue(d, R_DELIVERED, d->ndlv, subj);
	free(subj);
	return d->ndlv++;
}

static bool answered_export(const struct discover *d, const struct plan_export_fact *e)
{
	return d->want_delivery && e->legacy == (d->a.export.type == ANSWERS_LEGACY) &&
	       str_eq(e->name, answers_export_name(&d->a));
}

/* Destination (bucket, prefix) of an export's definition. */
static void export_destination(const struct plan_export_fact *e, const char **bucket,
                               const char **prefix)
{
	const cJSON *s3 = e->legacy ? e->definition
	                            : json_obj(json_obj(e->definition, "DestinationConfigurations"),
	                                       "S3Destination");
	*bucket = json_str(s3, "S3Bucket");
	*prefix = json_str(s3, "S3Prefix");
}

/* A definition of the answered export arrived: make sure its destination gets listed. */
static void export_known(struct discover *d, size_t i)
{
	const struct plan_export_fact *e = &d->f.exports[i];
	if (!answered_export(d, e) || !e->definition)
		return;
	const char *b, *p;
	export_destination(e, &b, &p);
	if (!b)
		return;
	char *k = delivery_prefix(p, e->name);
	delivery_ensure(d, b, k);
	free(k);
}

static size_t export_add(struct discover *d, bool legacy, const char *name)
{
	d->f.exports = xrealloc(d->f.exports, (d->f.nexports + 1) * sizeof(*d->f.exports));
	struct plan_export_fact *e = &d->f.exports[d->f.nexports];
	memset(e, 0, sizeof(*e));
	e->legacy = legacy;
	e->name = xstrdup(name);
	return d->f.nexports++;
}

/* ---------- starting reads ---------- */

static void op_done(struct aws_op *op, void *ud);
static void call_done(struct certerox_call *call, void *ud);

static void start_rd(struct discover *d, struct rd *r)
{
	const char *s = r->subject;
	switch (r->kind) {
	case R_STS:
		r->op = sts_get_caller_identity_op();
		break;
	case R_ORG:
		r->op = org_describe_organization_op(d->f.account_id);
		break;
	case R_LIST_POLICIES:
		r->op = iam_list_local_policies_op(LIST_POLICIES_MAX);
		break;
	case R_HEAD_BUCKET:
		r->op = s3_head_bucket_op(s);
		break;
	case R_LOCATION:
		r->op = s3_get_bucket_location_op(s);
		break;
	case R_BUCKET_POLICY:
		r->op = s3_get_bucket_policy_op(s);
		break;
	case R_LIST_EXPORTS:
		r->op = bcm_list_exports_op();
		break;
	case R_GET_EXPORT:
		r->op = bcm_get_export_op(d->f.exports[r->idx].arn);
		break;
	case R_REPORTS:
		r->op = cur_describe_report_definitions_op();
		break;
	case R_DELIVERED:
		r->op = s3_list_objects_op(d->dlv[r->idx].bucket, d->dlv[r->idx].key_prefix, NULL,
		                           DELIVERY_LIST_MAX);
		break;
	case R_POLICY_VERSIONS:
		r->op = iam_list_policy_versions_op(d->f.policies[r->idx].arn);
		break;
	case R_POLICY_DOC:
		r->op = iam_get_policy_version_op(d->f.policies[r->idx].arn, r->aux);
		break;
	case R_USER_ATTACHED:
		r->op = iam_list_attached_user_policies_op(s);
		break;
	case R_USER_KEYS:
		r->op = iam_list_access_keys_op(s);
		break;
	case R_USER_TAGS:
		r->op = iam_list_user_tags_op(s);
		break;
	case R_CX_ORGS:
		r->call = certerox_list_orgs_start(d->o.certerox, call_done, r);
		return;
	case R_CX_DS:
		r->call = certerox_list_ds_start(d->o.certerox, s, call_done, r);
		return;
	case R_CX_PROBE: {
		struct certerox_config_in probe;
		certerox_probe_config(&probe);
		r->call = certerox_verify_config_start(d->o.certerox, &probe, call_done, r);
		return;
	}
	}
	aws_op_start(d->o.aws, r->op, op_done, r);
}

static void pump(struct discover *d)
{
	int max = d->o.max_parallel > 0 ? d->o.max_parallel : DEFAULT_PARALLEL;
	for (size_t i = 0; i < d->nrds && d->inflight < max && !d->failed && !d->cancelled; i++) {
		struct rd *r = d->rds[i];
		if (r->state != RS_QUEUED)
			continue;
		r->state = RS_FLIGHT;
		r->id = ++d->started;
		r->t0 = http_now_ms();
		d->inflight++;
		emit(d, r, DISCOVER_STARTED, NULL, NULL);
		start_rd(d, r);
	}
}

static void finish(struct discover *d)
{
	d->finished = true;
	if (!d->failed && !d->cancelled) {
		d->status = CX_OK;
		for (size_t i = 0; i < d->f.nexports; i++) {
			struct plan_export_fact *e = &d->f.exports[i];
			if (!answered_export(d, e) || !e->definition)
				continue;
			const char *b, *p;
			export_destination(e, &b, &p);
			char *k = b ? delivery_prefix(p, e->name) : NULL;
			for (size_t j = 0; k && j < d->ndlv; j++)
				if (str_eq(d->dlv[j].bucket, b) && str_eq(d->dlv[j].key_prefix, k))
					e->delivered = d->dlv[j].delivered;
			free(k);
		}
		if (log_enabled(LOG_DEBUG)) {
			cJSON *j = discover_facts_to_json(&d->f);
			char *t = json_compact(j);
			log_debug("discover facts (%d reads): %s", d->started, t);
			free(t);
			cJSON_Delete(j);
		}
	}
	if (d->done)
		d->done(d, d->ud);
}

/* Queues the bucket reads once the bucket is known. */
static void bucket_reads(struct discover *d)
{
	if (d->bucket_started || !d->bucket)
		return;
	d->bucket_started = true;
	enqueue(d, R_HEAD_BUCKET, 0, d->bucket);
	enqueue(d, R_BUCKET_POLICY, 0, d->bucket);
	if (d->want_delivery) {
		char *k = delivery_prefix(d->a.export.prefix, answers_export_name(&d->a));
		delivery_ensure(d, d->bucket, k);
		free(k);
	}
}

/* CerteroX's side does not depend on the AWS account: it starts with GetCallerIdentity. */
static void certerox_reads(struct discover *d)
{
	const struct answers *a = &d->a;
	if (!d->o.certerox)
		return;
	if (a->certerox.organization_id && *a->certerox.organization_id) {
		d->certerox_org = xstrdup(a->certerox.organization_id);
		enqueue(d, R_CX_DS, 0, a->certerox.organization_id);
	} else {
		enqueue(d, R_CX_ORGS, 0, "");
	}
	/* which config keys this CerteroX accepts, before any write (a Root connection sends
	 * cur_version and use_edp_discount, which older OptScale releases refuse) */
	if (a->connection != ANSWERS_LINKED && !migrate(d))
		enqueue(d, R_CX_PROBE, 0, "");
}

/* The reads that need no account id go out with GetCallerIdentity: on a slow link their
 * connections are set up while it flies, and the wave after it is smaller. */
static void with_identity(struct discover *d)
{
	const struct answers *a = &d->a;
	enqueue(d, R_ORG, 0, "");
	enqueue(d, R_LIST_POLICIES, 0, "");
	bucket_reads(d);
	if (d->want_cur2)
		enqueue(d, R_LIST_EXPORTS, 0, "");
	if (d->want_legacy)
		enqueue(d, R_REPORTS, 0, "");
	if (!migrate(d) && a->iam.user) {
		enqueue(d, R_USER_ATTACHED, 0, a->iam.user);
		enqueue(d, R_USER_KEYS, 0, a->iam.user);
		enqueue(d, R_USER_TAGS, 0, a->iam.user);
	}
}

/* Our policies, once both their ARNs (the account id) and the listing are known: those the
 * listing shows are read (versions and the default's document at once), the others are
 * absent; without a usable listing each is read by ARN (ListPolicyVersions, then the
 * default's document). */
static void policy_reads(struct discover *d)
{
	if (!d->policies_named || d->plist == PL_FLIGHT || rotate(d))
		return;
	for (size_t i = 0; i < d->f.npolicies; i++) {
		struct plan_policy_fact *p = &d->f.policies[i];
		const char *name = strrchr(p->arn, '/') + 1;
		if (d->plist == PL_UNUSABLE) {
			enqueue(d, R_POLICY_VERSIONS, i, name);
			continue;
		}
		const struct iam_policy *l = NULL;
		for (size_t k = 0; k < d->listed.n && !l; k++)
			if (str_eq(d->listed.items[k].arn, p->arn))
				l = &d->listed.items[k];
		p->exists = l && l->default_version_id;
		if (!p->exists)
			continue;
		p->default_version = xstrdup(l->default_version_id);
		enqueue(d, R_POLICY_VERSIONS, i, name);
		struct rd *n = enqueue(d, R_POLICY_DOC, i, name);
		n->aux = xstrdup(p->default_version);
		d->doc_queued[i] = true;
	}
}

static void org_role_of(struct discover *d)
{
	if (!d->org_answered || !d->f.account_id)
		return;
	d->f.org_role =
	    str_eq(d->org_master, d->f.account_id) ? PLAN_ORG_MANAGEMENT : PLAN_ORG_MEMBER;
	d->org_answered = false;
}

/* Everything that needs the account id: our policies' ARNs, the organization role. */
static void after_identity(struct discover *d)
{
	const struct answers *a = &d->a;
	org_role_of(d);
	/* our policies */
	const char *names[2] = {NULL, NULL};
	if (migrate(d)) {
		names[0] = a->iam.readonly_policy;
	} else if (a->connection == ANSWERS_LINKED) {
		names[0] = a->iam.discover_policy;
	} else {
		names[0] = a->iam.readonly_policy;
		names[1] = a->iam.discover_policy;
	}
	d->f.policies = xcalloc(3, sizeof(*d->f.policies));
	for (int i = 0; i < 2; i++) {
		if (!names[i] || (i == 1 && str_eq(names[1], names[0])))
			continue;
		d->f.policies[d->f.npolicies++].arn = policy_arn(d, names[i]);
	}
	d->policies_named = true;
	policy_reads(d);
}

/* ---------- answers of reads ---------- */

/* Each returns CX_OK (outcome filled) or an error that stops discovery (err filled). */

/* A read that failed with st: its error detail into err; returns st. */
static enum cx_status op_failed(const struct rd *r, enum cx_status st, struct cx_err *err)
{
	*err = *aws_op_error(r->op);
	return st;
}

/* A read that found nothing (CX_E_NOT_FOUND): *exists = false, outcome "absent"; CX_OK. */
static enum cx_status absent(bool *exists, char *outcome, size_t on)
{
	*exists = false;
	snprintf(outcome, on, "absent");
	return CX_OK;
}

static enum cx_status on_sts(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                             size_t on, struct cx_err *err)
{
	if (st != CX_OK)
		return op_failed(r, st, err);
	const struct sts_identity *id = sts_get_caller_identity_result(r->op);
	d->f.account_id = xstrdup(id->account);
	d->f.caller_arn = xstrdup(id->arn);
	snprintf(outcome, on, "account %s", id->account ? id->account : "?");
	if (!d->f.account_id)
		return cx_err_set(err, CX_E_PARSE, "GetCallerIdentity answered no account id");
	after_identity(d);
	return CX_OK;
}

static enum cx_status on_org(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                             size_t on)
{
	if (st != CX_OK) {
		const struct cx_err *e = aws_op_error(r->op);
		strv_add(&d->warnings,
		         "organizations DescribeOrganization failed (%s); the account's role in an "
		         "organization is unknown",
		         e->msg);
		d->f.org_role = PLAN_ORG_UNKNOWN;
		snprintf(outcome, on, "unknown");
		return CX_OK;
	}
	const struct org_info *o = org_describe_organization_result(r->op);
	if (o->role == ORG_UNKNOWN && o->master_account_id && !o->denied_message) {
		/* sent before GetCallerIdentity answered: compared with the account id */
		free(d->org_master);
		d->org_master = xstrdup(o->master_account_id);
		d->org_answered = true;
		org_role_of(d);
		snprintf(outcome, on, "organization %s, managed by %s", o->id ? o->id : "?",
		         o->master_account_id);
		return CX_OK;
	}
	switch (o->role) {
	case ORG_MANAGEMENT:
		d->f.org_role = PLAN_ORG_MANAGEMENT;
		break;
	case ORG_MEMBER:
		d->f.org_role = PLAN_ORG_MEMBER;
		break;
	case ORG_STANDALONE:
		d->f.org_role = PLAN_ORG_STANDALONE;
		break;
	default:
		d->f.org_role = PLAN_ORG_UNKNOWN;
		if (o->denied_message)
			strv_add(&d->warnings,
			         "organizations:DescribeOrganization was denied (%s); the "
			         "account's role "
			         "in an organization is unknown",
			         o->denied_message);
		break;
	}
	snprintf(outcome, on, "%s", plan_org_role_name(d->f.org_role));
	return CX_OK;
}

static enum cx_status on_head(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                              size_t on, struct cx_err *err)
{
	if (st == CX_E_NOT_FOUND)
		return absent(&d->f.bucket_exists, outcome, on);
	if (st == CX_E_DENIED) {
		*err = *aws_op_error(r->op);
		return cx_err_set(
		    err, CX_E_DENIED,
		    "bucket \"%s\" exists but these credentials cannot use it: it belongs "
		    "to another account, or s3:ListBucket on it is denied",
		    r->subject);
	}
	if (st != CX_OK)
		return op_failed(r, st, err);
	d->f.bucket_exists = true;
	const char *reg = s3_head_bucket_result(r->op);
	if (!reg || !*reg)
		reg = aws_client_bucket_region(d->o.aws, r->subject);
	if (reg && *reg) {
		free(d->f.bucket_region);
		d->f.bucket_region = xstrdup(reg);
		aws_client_set_bucket_region(d->o.aws, r->subject, reg);
		snprintf(outcome, on, "exists in %s", reg);
	} else {
		enqueue(d, R_LOCATION, 0, r->subject);
		snprintf(outcome, on, "exists");
	}
	return CX_OK;
}

static enum cx_status on_location(struct discover *d, struct rd *r, enum cx_status st,
                                  char *outcome, size_t on, struct cx_err *err)
{
	if (st != CX_OK)
		return op_failed(r, st, err);
	const char *reg = s3_get_bucket_location_result(r->op);
	free(d->f.bucket_region);
	d->f.bucket_region = xstrdup(reg && *reg ? reg : "us-east-1");
	aws_client_set_bucket_region(d->o.aws, r->subject, d->f.bucket_region);
	snprintf(outcome, on, "%s", d->f.bucket_region);
	return CX_OK;
}

static enum cx_status on_bucket_policy(struct discover *d, struct rd *r, enum cx_status st,
                                       char *outcome, size_t on, struct cx_err *err)
{
	if (st == CX_E_NOT_FOUND) {
		snprintf(outcome, on, "none");
		return CX_OK;
	}
	if (st == CX_E_DENIED) { /* may answer before HeadBucket does */
		*err = *aws_op_error(r->op);
		return cx_err_set(
		    err, CX_E_DENIED,
		    "bucket \"%s\" cannot be reached with these credentials: it belongs "
		    "to another account, or s3:GetBucketPolicy on it is denied",
		    r->subject);
	}
	if (st != CX_OK)
		return op_failed(r, st, err);
	const char *t = s3_get_bucket_policy_result(r->op);
	free(d->f.bucket_policy);
	d->f.bucket_policy = xstrdup(t ? t : "");
	snprintf(outcome, on, "%zu bytes", strlen(d->f.bucket_policy));
	return CX_OK;
}

static enum cx_status on_list_exports(struct discover *d, struct rd *r, enum cx_status st,
                                      char *outcome, size_t on, struct cx_err *err)
{
	if (st != CX_OK)
		return op_failed(r, st, err);
	const struct bcm_export_list *l = bcm_list_exports_result(r->op);
	d->f.exports_first_page = l->first_page; /* what CerteroX's listing reads */
	for (size_t i = 0; i < l->n; i++) {
		size_t k = export_add(d, false, l->items[i].name);
		struct plan_export_fact *e = &d->f.exports[k];
		e->arn = xstrdup(l->items[i].arn);
		e->status = xstrdup(l->items[i].status_code);
		if (e->arn)
			enqueue(d, R_GET_EXPORT, k, e->name);
	}
	snprintf(outcome, on, "%zu export%s", l->n, l->n == 1 ? "" : "s");
	return CX_OK;
}

static enum cx_status on_get_export(struct discover *d, struct rd *r, enum cx_status st,
                                    char *outcome, size_t on, struct cx_err *err)
{
	if (st == CX_E_NOT_FOUND) { /* deleted since the listing */
		snprintf(outcome, on, "gone");
		return CX_OK;
	}
	if (st != CX_OK)
		return op_failed(r, st, err);
	const struct bcm_export *x = bcm_get_export_result(r->op);
	struct plan_export_fact *e = &d->f.exports[r->idx];
	const cJSON *ex = json_obj(x->json, "Export");
	cJSON_Delete(e->definition);
	e->definition = ex ? cJSON_Duplicate(ex, 1) : NULL;
	if (x->status_code) {
		free(e->status);
		e->status = xstrdup(x->status_code);
	}
	snprintf(outcome, on, "%s", e->status ? e->status : "ok");
	export_known(d, r->idx);
	return CX_OK;
}

static enum cx_status on_reports(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                                 size_t on, struct cx_err *err)
{
	if (st != CX_OK)
		return op_failed(r, st, err);
	const struct cur_report_list *l = cur_describe_report_definitions_result(r->op);
	for (size_t i = 0; i < l->n; i++) {
		size_t k = export_add(d, true, l->items[i].name);
		struct plan_export_fact *e = &d->f.exports[k];
		e->definition = l->items[i].json ? cJSON_Duplicate(l->items[i].json, 1) : NULL;
		const char *ls = json_str(json_obj(e->definition, "ReportStatus"), "lastStatus");
		e->status = xstrdup(ls);
		export_known(d, k);
	}
	snprintf(outcome, on, "%zu report%s", l->n, l->n == 1 ? "" : "s");
	return CX_OK;
}

static enum cx_status on_delivered(struct discover *d, struct rd *r, enum cx_status st,
                                   char *outcome, size_t on)
{
	struct delivery *v = &d->dlv[r->idx];
	v->done = true;
	if (st != CX_OK) {
		const struct cx_err *e = aws_op_error(r->op);
		if (st != CX_E_NOT_FOUND)
			strv_add(&d->warnings,
			         "could not list s3://%s/%s (%s): delivered files unknown",
			         v->bucket, v->key_prefix, e->msg);
		snprintf(outcome, on, "unknown");
		return CX_OK;
	}
	const struct s3_listing *l = s3_list_objects_result(r->op);
	for (size_t i = 0; i < l->nobjects && !v->delivered; i++)
		v->delivered = data_file(l->objects[i].key);
	snprintf(outcome, on, "%s", v->delivered ? "files delivered" : "no data files");
	return CX_OK;
}

/* The listing is a shortcut, never an error: denied, failed or more than a page -> by ARN. */
static enum cx_status on_list_policies(struct discover *d, struct rd *r, enum cx_status st,
                                       char *outcome, size_t on)
{
	const struct iam_policy_list *l =
	    st == CX_OK ? iam_list_local_policies_result(r->op) : NULL;
	if (!l || l->truncated) {
		d->plist = PL_UNUSABLE;
		snprintf(outcome, on, "%s: our policies are read by ARN",
		         l ? "more than one page" : aws_op_error(r->op)->msg);
	} else {
		d->plist = PL_DONE;
		d->listed.items = xcalloc(l->n + 1, sizeof(*d->listed.items));
		for (size_t i = 0; i < l->n; i++) {
			d->listed.items[i].arn = xstrdup(l->items[i].arn);
			d->listed.items[i].default_version_id =
			    xstrdup(l->items[i].default_version_id);
		}
		d->listed.n = l->n;
		snprintf(outcome, on, "%zu customer polic%s", d->listed.n,
		         d->listed.n == 1 ? "y" : "ies");
	}
	policy_reads(d);
	return CX_OK;
}

static int version_num(const char *v)
{
	return v && (v[0] == 'v' || v[0] == 'V') ? atoi(v + 1) : 0;
}

static enum cx_status on_policy_versions(struct discover *d, struct rd *r, enum cx_status st,
                                         char *outcome, size_t on, struct cx_err *err)
{
	struct plan_policy_fact *p = &d->f.policies[r->idx];
	if (st == CX_E_NOT_FOUND)
		return absent(&p->exists, outcome, on);
	if (st != CX_OK)
		return op_failed(r, st, err);
	const struct iam_policy_version_list *l = iam_list_policy_versions_result(r->op);
	p->exists = true;
	p->versions = (int)l->n;
	const struct iam_policy_version *old = NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct iam_policy_version *v = &l->items[i];
		if (v->is_default) {
			free(p->default_version);
			p->default_version = xstrdup(v->version_id);
			continue;
		}
		if (!old) {
			old = v;
			continue;
		}
		int c = strcmp(v->create_date ? v->create_date : "",
		               old->create_date ? old->create_date : "");
		if (c < 0 || (c == 0 && version_num(v->version_id) < version_num(old->version_id)))
			old = v;
	}
	p->oldest_nondefault = old ? xstrdup(old->version_id) : NULL;
	if (!p->default_version)
		return cx_err_set(err, CX_E_PARSE,
		                  "policy %s: ListPolicyVersions names no default "
		                  "version",
		                  p->arn);
	if (!d->doc_queued[r->idx]) {
		struct rd *n = enqueue(d, R_POLICY_DOC, r->idx, r->subject);
		n->aux = xstrdup(p->default_version);
		d->doc_queued[r->idx] = true;
	}
	snprintf(outcome, on, "%d version%s, default %s", p->versions, p->versions == 1 ? "" : "s",
	         p->default_version);
	return CX_OK;
}

static enum cx_status on_policy_doc(struct discover *d, struct rd *r, enum cx_status st,
                                    char *outcome, size_t on, struct cx_err *err)
{
	struct plan_policy_fact *p = &d->f.policies[r->idx];
	if (st == CX_E_NOT_FOUND) { /* deleted since the listing */
		free(p->default_version);
		p->default_version = NULL;
		return absent(&p->exists, outcome, on);
	}
	if (st != CX_OK)
		return op_failed(r, st, err);
	const struct iam_policy_version *v = iam_get_policy_version_result(r->op);
	const char *doc = v && v->document ? v->document : "";
	cJSON_Delete(p->document);
	p->document = json_parse(doc, strlen(doc), err);
	if (!p->document) {
		cx_err_where(err, "iam GetPolicyVersion %s %s", p->arn, r->aux);
		return CX_E_PARSE;
	}
	snprintf(outcome, on, "document of %s", r->aux);
	return CX_OK;
}

static enum cx_status on_user_attached(struct discover *d, struct rd *r, enum cx_status st,
                                       char *outcome, size_t on, struct cx_err *err)
{
	if (st == CX_E_NOT_FOUND)
		return absent(&d->f.user_exists, outcome, on);
	if (st != CX_OK)
		return op_failed(r, st, err);
	const struct iam_attached_list *l = iam_list_attached_user_policies_result(r->op);
	d->f.user_exists = true;
	d->f.attached = xcalloc(l->n + 1, sizeof(char *));
	for (size_t i = 0; i < l->n; i++)
		d->f.attached[d->f.nattached++] = xstrdup(l->items[i].arn);
	snprintf(outcome, on, "%zu attached", l->n);
	return CX_OK;
}

static bool key_in_vault(const struct vault *v, const char *id)
{
	if (!v || !id)
		return false;
	for (size_t i = 0; i < vault_count(v); i++) {
		const struct vault_record *vr = vault_get(v, i);
		if (vr && str_eq(vr->access_key_id, id))
			return true;
	}
	return false;
}

size_t discover_mark_vault_keys(struct plan_facts *f, const struct vault *v)
{
	size_t nv = 0;
	for (size_t i = 0; i < f->nkeys; i++) {
		f->keys[i].in_vault = key_in_vault(v, f->keys[i].id);
		nv += f->keys[i].in_vault;
	}
	return nv;
}

/* Days since an IAM date ("2026-12-01T10:00:00Z"), -1 when unknown. */
static int age_days(const char *date)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!date || sscanf(date, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	time_t now = time(NULL);
	if (t == (time_t)-1 || now < t)
		return t == (time_t)-1 ? -1 : 0;
	return (int)((now - t) / 86400);
}

/* The user's tags say what the wizard made: the user (tag certerox-aws-setup) and each key
 * (a tag whose key is its id, value our description; core/owner.h). */
static void mark_owned(struct discover *d)
{
	if (!d->tags_done || !d->keys_done)
		return;
	d->f.user_owned = iam_tag_get(&d->user_tags, OWNER_TAG_KEY) != NULL;
	for (size_t i = 0; i < d->f.nkeys; i++)
		d->f.keys[i].owned =
		    owner_is_key_description(iam_tag_get(&d->user_tags, d->f.keys[i].id));
}

static enum cx_status on_user_tags(struct discover *d, struct rd *r, enum cx_status st,
                                   char *outcome, size_t on, struct cx_err *err)
{
	if (st == CX_E_NOT_FOUND)
		return absent(&d->f.user_exists, outcome, on);
	if (st != CX_OK)
		return op_failed(r, st, err);
	const struct iam_tag_list *l = iam_list_user_tags_result(r->op);
	iam_tag_list_free(&d->user_tags);
	d->user_tags.items = xcalloc(l->n + 1, sizeof(*l->items));
	for (size_t i = 0; i < l->n; i++) {
		d->user_tags.items[i].key = xstrdup(l->items[i].key);
		d->user_tags.items[i].value = xstrdup(l->items[i].value);
	}
	d->user_tags.n = l->n;
	d->tags_done = true;
	mark_owned(d);
	snprintf(outcome, on, "%zu tag%s%s", l->n, l->n == 1 ? "" : "s",
	         iam_tag_get(l, OWNER_TAG_KEY) ? ", made by certerox-aws-setup" : "");
	return CX_OK;
}

static enum cx_status on_user_keys(struct discover *d, struct rd *r, enum cx_status st,
                                   char *outcome, size_t on, struct cx_err *err)
{
	if (st == CX_E_NOT_FOUND)
		return absent(&d->f.user_exists, outcome, on);
	if (st != CX_OK)
		return op_failed(r, st, err);
	const struct iam_access_key_list *l = iam_list_access_keys_result(r->op);
	d->f.user_exists = true;
	d->f.keys = xcalloc(l->n + 1, sizeof(*d->f.keys));
	for (size_t i = 0; i < l->n; i++) {
		struct plan_key_fact *k = &d->f.keys[d->f.nkeys++];
		k->id = xstrdup(l->items[i].access_key_id);
		k->status = xstrdup(l->items[i].status ? l->items[i].status : "Active");
		k->create_date = xstrdup(l->items[i].create_date);
		k->age_days = age_days(k->create_date);
	}
	d->keys_done = true;
	mark_owned(d);
	size_t nv = discover_mark_vault_keys(&d->f, d->o.vault);
	snprintf(outcome, on, "%zu key%s, %zu in the vault", l->n, l->n == 1 ? "" : "s", nv);
	return CX_OK;
}

static enum cx_status cx_failed(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                                size_t on, struct cx_err *err)
{
	certerox_call_status(r->call, err);
	if (migrate(d)) {
		if (!err->where[0])
			cx_err_where(err, "certerox list data sources");
		return st;
	}
	strv_add(&d->warnings,
	         "CerteroX could not list the organization's data sources (%s); continuing without "
	         "them",
	         err->msg);
	cx_err_clear(err);
	snprintf(outcome, on, "unknown");
	return CX_OK;
}

/* The key probe: OE0212 names the keys this OptScale does not know; OE0433 (the dummy key
 * refused) means it knows them all. Anything else leaves the keys as they are (sent). */
static enum cx_status on_cx_probe(struct discover *d, struct rd *r, enum cx_status st,
                                  char *outcome, size_t on)
{
	struct cx_err e;
	cx_err_clear(&e);
	certerox_call_status(r->call, &e);
	unsigned m = st == CX_OK ? 0 : certerox_unsupported_keys(&e);
	if (m & CERTEROX_KEY_CUR_VERSION)
		d->f.cx_unsupported |= PLAN_CX_NO_CUR_VERSION;
	if (m & CERTEROX_KEY_USE_EDP_DISCOUNT)
		d->f.cx_unsupported |= PLAN_CX_NO_USE_EDP_DISCOUNT;
	if (m)
		snprintf(outcome, on, "refuses%s%s",
		         (m & CERTEROX_KEY_CUR_VERSION) ? " cur_version" : "",
		         (m & CERTEROX_KEY_USE_EDP_DISCOUNT) ? " use_edp_discount" : "");
	else if (st == CX_OK || str_eq(e.code, "OE0433"))
		snprintf(outcome, on, "accepts every config key");
	/* The keys passed: CerteroX then checked the probe's key with AWS (sts GetCallerIdentity;
	 * OptScale controllers/cloud_account.py handle_config -> validate_credentials) before it
	 * answered: one more round trip this read waited for. */
	if (!m && (st == CX_OK || str_eq(e.code, "OE0433")) && r->depth + 1 > d->f.discovery_depth)
		d->f.discovery_depth = r->depth + 1;
	else
		snprintf(outcome, on, "unknown (%s)", e.code[0] ? e.code : cx_status_msg(st));
	return CX_OK;
}

static enum cx_status on_cx_orgs(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                                 size_t on, struct cx_err *err)
{
	if (st != CX_OK)
		return cx_failed(d, r, st, outcome, on, err);
	struct certerox_result *res = certerox_call_result(r->call);
	char *id = NULL;
	st = certerox_org_pick(&res->orgs, NULL, &id, err);
	if (st != CX_OK) {
		cx_err_where(err, "certerox choose the organization");
		if (migrate(d))
			return st;
		strv_add(&d->warnings, "%s", err->msg);
		cx_err_clear(err);
		snprintf(outcome, on, "no single organization");
		return CX_OK;
	}
	enqueue(d, R_CX_DS, 0, id);
	snprintf(outcome, on, "organization %s", id);
	free(d->certerox_org);
	d->certerox_org = id;
	return CX_OK;
}

static enum cx_status on_cx_ds(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                               size_t on, struct cx_err *err)
{
	if (st != CX_OK)
		return cx_failed(d, r, st, outcome, on, err);
	struct certerox_result *res = certerox_call_result(r->call);
	const struct certerox_ds_list *l = &res->list;
	d->f.data_sources_known = true;
	d->certerox_listed = true;
	d->f.data_sources = xcalloc(l->n + 1, sizeof(*d->f.data_sources));
	for (size_t i = 0; i < l->n; i++) {
		const struct certerox_ds *s = &l->items[i];
		if (!str_eq(s->type, "aws_cnr"))
			continue;
		struct plan_data_source_fact *x = &d->f.data_sources[d->f.ndata_sources++];
		x->id = xstrdup(s->id);
		x->name = xstrdup(s->name);
		x->account_id = xstrdup(s->account_id);
		x->linked = s->has_config && s->config.linked;
		x->cur_version = s->has_config && s->config.cur_version == 2 ? 2 : 1;
		struct cx_err verr;
		cx_err_clear(&verr);
		if (s->has_config && certerox_read_config_check(&s->config, &verr) != CX_OK) {
			/* checked like answers: a migrate of it stops, others are listed without */
			if (migrate(d) && str_eq(s->id, d->a.migrate.data_source_id)) {
				*err = verr;
				cx_err_where(err, "CerteroX data source %s", s->id);
				return CX_E_INPUT;
			}
			log_warn("discover: CerteroX data source %s: %s", s->id, verr.msg);
		} else if (s->has_config) {
			x->bucket = xstrdup(s->config.bucket_name);
			x->prefix = xstrdup(s->config.bucket_prefix);
			x->report_name = xstrdup(s->config.report_name);
			x->config_scheme = xstrdup(s->config.config_scheme);
			x->access_key_id = xstrdup(s->config.access_key_id);
		}
	}
	/* migrate: the bucket of the data source, when the answers did not give one */
	if (migrate(d) && !d->bucket) {
		for (size_t i = 0; i < d->f.ndata_sources; i++)
			if (str_eq(d->f.data_sources[i].id, d->a.migrate.data_source_id) &&
			    d->f.data_sources[i].bucket)
				d->bucket = xstrdup(d->f.data_sources[i].bucket);
		bucket_reads(d);
	}
	snprintf(outcome, on, "%zu AWS data source%s", d->f.ndata_sources,
	         d->f.ndata_sources == 1 ? "" : "s");
	return CX_OK;
}

static void rd_finished(struct discover *d, struct rd *r, enum cx_status st)
{
	char outcome[256] = "";
	struct cx_err err;
	cx_err_clear(&err);
	enum cx_status res = CX_OK;
	if (d->failed || d->cancelled) {
		res = CX_E_CANCELLED;
	} else if (st == CX_E_CANCELLED) { /* e.g. http_ctx_cancel_all by the front end */
		cx_err_set(&err, CX_E_CANCELLED, "discovery cancelled");
		res = CX_E_CANCELLED;
	} else {
		d->answering = r->depth;
		if (r->depth > d->f.discovery_depth)
			d->f.discovery_depth = r->depth;
		switch (r->kind) {
		case R_STS:
			res = on_sts(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_ORG:
			res = on_org(d, r, st, outcome, sizeof(outcome));
			break;
		case R_HEAD_BUCKET:
			res = on_head(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_LOCATION:
			res = on_location(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_BUCKET_POLICY:
			res = on_bucket_policy(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_LIST_EXPORTS:
			res = on_list_exports(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_GET_EXPORT:
			res = on_get_export(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_REPORTS:
			res = on_reports(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_DELIVERED:
			res = on_delivered(d, r, st, outcome, sizeof(outcome));
			break;
		case R_LIST_POLICIES:
			res = on_list_policies(d, r, st, outcome, sizeof(outcome));
			break;
		case R_POLICY_VERSIONS:
			res = on_policy_versions(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_POLICY_DOC:
			res = on_policy_doc(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_USER_ATTACHED:
			res = on_user_attached(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_USER_KEYS:
			res = on_user_keys(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_USER_TAGS:
			res = on_user_tags(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_CX_ORGS:
			res = on_cx_orgs(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_CX_DS:
			res = on_cx_ds(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_CX_PROBE:
			res = on_cx_probe(d, r, st, outcome, sizeof(outcome));
			break;
		}
		d->answering = 0;
	}
	r->state = RS_DONE;
	d->inflight--;
	d->nfinished++;
	bool hold = false;
	if (r->kind == R_STS) {
		d->identity_done = true;
	} else if (res != CX_OK && res != CX_E_CANCELLED && !d->identity_done) {
		/* GetCallerIdentity's own failure (bad credentials) says it best: this one waits
		 * for its answer */
		hold = true;
	}
	/* a failure of this read (not the echo of an earlier one): named after the read */
	bool own = res != CX_OK && (res != CX_E_CANCELLED || (!d->failed && !d->cancelled));
	if (own) {
		if (!err.where[0]) {
			char label[512];
			label_of(r, label, sizeof(label));
			cx_err_where(&err, "%s", label);
		}
		err.status = res;
	}
	if (res == CX_OK) {
		emit(d, r, DISCOVER_DONE, outcome, NULL);
	} else if (!own) {
		emit(d, r, DISCOVER_FAILED, NULL, d->cancelled ? &d->err : &err);
	} else {
		emit(d, r, DISCOVER_FAILED, NULL, &err);
		if (!hold) {
			fail(d, res, &err);
		} else if (!d->held) {
			d->held = true;
			d->held_st = res;
			d->held_err = err;
		}
	}
	if (r->kind == R_STS && res == CX_OK && d->held)
		fail(d, d->held_st, &d->held_err);
	/* the op/call is released now; r itself stays (ids, labels) until discover_free */
	aws_op_free(r->op);
	r->op = NULL;
	certerox_call_free(r->call);
	r->call = NULL;
	pump(d);
	if (d->inflight == 0 && nqueued(d) == 0 && !d->finished)
		finish(d); /* may free d */
}

static void op_done(struct aws_op *op, void *ud)
{
	struct rd *r = ud;
	rd_finished(r->d, r, aws_op_status(op));
}

static void call_done(struct certerox_call *call, void *ud)
{
	struct rd *r = ud;
	rd_finished(r->d, r, certerox_call_status(call, NULL));
}

/* ---------- public ---------- */

struct discover *discover_start(const struct answers *a, const struct discover_opts *opts,
                                discover_done_fn done, void *ud)
{
	struct discover *d = xcalloc(1, sizeof(*d));
	answers_copy(&d->a, a);
	d->o = *opts;
	d->done = done;
	d->ud = ud;
	cx_err_clear(&d->err);
	d->status = CX_E_INTERNAL;
	bool root = !migrate(d) && d->a.connection == ANSWERS_ROOT;
	bool legacy = d->a.export.type == ANSWERS_LEGACY;
	if (root) {
		d->want_cur2 = !legacy;
		d->want_legacy = legacy;
		d->want_delivery = d->a.export.setup == ANSWERS_EXISTING && d->a.export.bucket;
		d->bucket = xstrdup(d->a.export.bucket);
	} else if (migrate(d)) {
		d->want_cur2 = true;
		d->want_legacy = d->a.migrate.delete_legacy_report;
		d->bucket = d->a.has_export ? xstrdup(d->a.export.bucket) : NULL;
	}
	if (!d->o.aws) {
		d->finished = true;
		cx_err_set(&d->err, CX_E_INTERNAL, "discovery needs an AWS client");
		return d;
	}
	enqueue(d, R_STS, 0, "");
	certerox_reads(d);
	with_identity(d);
	pump(d);
	return d;
}

void discover_cancel(struct discover *d)
{
	if (!d || d->finished || d->failed || d->cancelled)
		return;
	struct cx_err e;
	cx_err_clear(&e);
	cx_err_set(&e, CX_E_CANCELLED, "discovery cancelled");
	fail(d, CX_E_CANCELLED, &e);
	d->cancelled = true;
}

bool discover_done(const struct discover *d)
{
	return d->finished;
}

enum cx_status discover_status(const struct discover *d, struct cx_err *err)
{
	if (err)
		*err = d->err;
	return d->finished ? d->status : CX_E_INTERNAL;
}

const struct plan_facts *discover_facts(const struct discover *d)
{
	return &d->f;
}

void discover_take_facts(struct discover *d, struct plan_facts *out)
{
	*out = d->f;
	memset(&d->f, 0, sizeof(d->f));
}

const struct strv *discover_warnings(const struct discover *d)
{
	return &d->warnings;
}

const char *discover_certerox_org(const struct discover *d)
{
	return d->certerox_listed ? d->certerox_org : NULL;
}

int discover_reads(const struct discover *d)
{
	return d->started;
}

void discover_free(struct discover *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nrds; i++)
		rd_free(d->rds[i]);
	free(d->rds);
	for (size_t i = 0; i < d->ndlv; i++) {
		free(d->dlv[i].bucket);
		free(d->dlv[i].key_prefix);
	}
	free(d->dlv);
	free(d->bucket);
	free(d->certerox_org);
	iam_policy_list_free(&d->listed);
	iam_tag_list_free(&d->user_tags);
	free(d->org_master);
	plan_facts_free(&d->f);
	strv_free(&d->warnings);
	answers_free(&d->a);
	free(d);
}

static void run_done(struct discover *d, void *ud)
{
	(void)d;
	*(bool *)ud = true;
}

enum cx_status discover_run(const struct answers *a, const struct discover_opts *opts,
                            struct plan_facts *out, struct strv *warnings, struct cx_err *err)
{
	memset(out, 0, sizeof(*out));
	bool done = false;
	struct discover *d = discover_start(a, opts, run_done, &done);
	if (!d->finished)
		http_ctx_run_until(aws_client_ctx(opts->aws), &done);
	if (!d->finished) {
		discover_free(d);
		return cx_err_set(err, CX_E_INTERNAL, "discovery did not complete");
	}
	enum cx_status st = discover_status(d, err);
	if (st == CX_OK)
		discover_take_facts(d, out);
	for (size_t i = 0; warnings && i < d->warnings.n; i++)
		strv_push(warnings, d->warnings.v[i]);
	discover_free(d);
	return st;
}

/* ---------- JSON ---------- */

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
}

cJSON *discover_facts_to_json(const struct plan_facts *f)
{
	cJSON *j = cJSON_CreateObject();
	add_str(j, "account_id", f->account_id);
	add_str(j, "caller_arn", f->caller_arn);
	if (f->discovery_depth)
		cJSON_AddNumberToObject(j, "discovery_depth", f->discovery_depth);
	if (f->exports_first_page)
		cJSON_AddNumberToObject(j, "exports_first_page", (double)f->exports_first_page);
	cJSON_AddStringToObject(j, "org_role", plan_org_role_name(f->org_role));
	cJSON *b = cJSON_AddObjectToObject(j, "bucket");
	cJSON_AddBoolToObject(b, "exists", f->bucket_exists);
	add_str(b, "region", f->bucket_region);
	if (f->bucket_policy)
		cJSON_AddStringToObject(b, "policy", f->bucket_policy);
	else
		cJSON_AddNullToObject(b, "policy");
	cJSON *ex = cJSON_AddArrayToObject(j, "exports");
	for (size_t i = 0; i < f->nexports; i++) {
		const struct plan_export_fact *e = &f->exports[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "legacy", e->legacy);
		add_str(o, "name", e->name);
		add_str(o, "arn", e->arn);
		if (e->definition)
			cJSON_AddItemToObject(o, "definition", cJSON_Duplicate(e->definition, 1));
		add_str(o, "status", e->status);
		cJSON_AddBoolToObject(o, "delivered", e->delivered);
		cJSON_AddItemToArray(ex, o);
	}
	cJSON *pa = cJSON_AddArrayToObject(j, "policies");
	for (size_t i = 0; i < f->npolicies; i++) {
		const struct plan_policy_fact *p = &f->policies[i];
		cJSON *o = cJSON_CreateObject();
		add_str(o, "arn", p->arn);
		cJSON_AddBoolToObject(o, "exists", p->exists);
		if (p->exists) {
			add_str(o, "default_version", p->default_version);
			if (p->document)
				cJSON_AddItemToObject(o, "document",
				                      cJSON_Duplicate(p->document, 1));
			cJSON_AddNumberToObject(o, "versions", p->versions);
			add_str(o, "oldest_nondefault", p->oldest_nondefault);
		}
		cJSON_AddItemToArray(pa, o);
	}
	cJSON *u = cJSON_AddObjectToObject(j, "user");
	cJSON_AddBoolToObject(u, "exists", f->user_exists);
	cJSON_AddBoolToObject(u, "owned", f->user_owned);
	cJSON *at = cJSON_AddArrayToObject(u, "attached");
	for (size_t i = 0; i < f->nattached; i++)
		cJSON_AddItemToArray(at, cJSON_CreateString(f->attached[i]));
	cJSON *ks = cJSON_AddArrayToObject(u, "keys");
	for (size_t i = 0; i < f->nkeys; i++) {
		cJSON *o = cJSON_CreateObject();
		add_str(o, "id", f->keys[i].id);
		add_str(o, "status", f->keys[i].status);
		cJSON_AddBoolToObject(o, "in_vault", f->keys[i].in_vault);
		cJSON_AddBoolToObject(o, "owned", f->keys[i].owned);
		add_str(o, "create_date", f->keys[i].create_date);
		cJSON_AddNumberToObject(o, "age_days", f->keys[i].age_days);
		cJSON_AddItemToArray(ks, o);
	}
	if (f->cx_unsupported) {
		cJSON *uk = cJSON_AddArrayToObject(j, "certerox_unsupported_keys");
		if (f->cx_unsupported & PLAN_CX_NO_CUR_VERSION)
			cJSON_AddItemToArray(uk, cJSON_CreateString("cur_version"));
		if (f->cx_unsupported & PLAN_CX_NO_USE_EDP_DISCOUNT)
			cJSON_AddItemToArray(uk, cJSON_CreateString("use_edp_discount"));
	}
	if (f->data_sources_known) {
		cJSON *ds = cJSON_AddArrayToObject(j, "data_sources");
		for (size_t i = 0; i < f->ndata_sources; i++) {
			const struct plan_data_source_fact *x = &f->data_sources[i];
			cJSON *o = cJSON_CreateObject();
			add_str(o, "id", x->id);
			add_str(o, "name", x->name);
			add_str(o, "account_id", x->account_id);
			cJSON_AddBoolToObject(o, "linked", x->linked);
			cJSON_AddNumberToObject(o, "cur_version", x->cur_version);
			add_str(o, "bucket", x->bucket);
			add_str(o, "prefix", x->prefix);
			add_str(o, "report_name", x->report_name);
			add_str(o, "config_scheme", x->config_scheme);
			add_str(o, "access_key_id", x->access_key_id);
			cJSON_AddItemToArray(ds, o);
		}
	}
	return j;
}
