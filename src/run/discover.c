/* discover.c - read-only discovery of the plan's facts (see discover.h): the read scheduler
 * (queue, parallel starts, completion) and the public calls. Answers: discover_answers.c. */
#include "run/discover_int.h"

/* ---------- small helpers ---------- */

bool dsc_migrate(const struct discover *d)
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
	case R_LIST_BUCKETS:
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
	case R_LIST_BUCKETS:
		return "ListBuckets";
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

struct rd *dsc_enqueue(struct discover *d, enum rkind k, size_t idx, const char *subject)
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

bool dsc_data_file(const char *key)
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
	dsc_enqueue(d, R_DELIVERED, d->ndlv, subj);
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

/* A definition of the answered export (with opts.every_delivery: of any export) arrived: make
 * sure its destination gets listed. */
void dsc_export_known(struct discover *d, size_t i)
{
	const struct plan_export_fact *e = &d->f.exports[i];
	if (!(answered_export(d, e) || d->o.every_delivery) || !e->definition)
		return;
	const char *b, *p;
	export_destination(e, &b, &p);
	if (!b)
		return;
	char *k = delivery_prefix(p, e->name);
	delivery_ensure(d, b, k);
	free(k);
}

size_t dsc_export_add(struct discover *d, bool legacy, const char *name)
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
	case R_LIST_BUCKETS:
		r->op = s3_list_buckets_regions_op();
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
void dsc_bucket_reads(struct discover *d)
{
	if (d->bucket_started || !d->bucket)
		return;
	d->bucket_started = true;
	dsc_enqueue(d, R_HEAD_BUCKET, 0, d->bucket);
	dsc_enqueue(d, R_BUCKET_POLICY, 0, d->bucket);
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
		dsc_enqueue(d, R_CX_DS, 0, a->certerox.organization_id);
	} else {
		dsc_enqueue(d, R_CX_ORGS, 0, "");
	}
	/* which config keys this CerteroX accepts, before any write (a Root connection's
	 * create, and the PATCH of a migrate or rotate, send cur_version and use_edp_discount,
	 * which older OptScale releases refuse) */
	if (a->connection != ANSWERS_LINKED || dsc_migrate(d) || rotate(d))
		dsc_enqueue(d, R_CX_PROBE, 0, "");
}

/* The reads that need no account id go out with GetCallerIdentity: on a slow link their
 * connections are set up while it flies, and the wave after it is smaller. */
static void with_identity(struct discover *d)
{
	const struct answers *a = &d->a;
	dsc_enqueue(d, R_ORG, 0, "");
	dsc_enqueue(d, R_LIST_POLICIES, 0, "");
	dsc_bucket_reads(d);
	if (d->want_cur2)
		dsc_enqueue(d, R_LIST_EXPORTS, 0, "");
	if (d->want_legacy)
		dsc_enqueue(d, R_REPORTS, 0, "");
	if (d->o.list_buckets)
		dsc_enqueue(d, R_LIST_BUCKETS, 0, "");
	if (!dsc_migrate(d) && a->iam.user) {
		dsc_enqueue(d, R_USER_ATTACHED, 0, a->iam.user);
		dsc_enqueue(d, R_USER_KEYS, 0, a->iam.user);
		dsc_enqueue(d, R_USER_TAGS, 0, a->iam.user);
	}
}

/* Our policies, once both their ARNs (the account id) and the listing are known: those the
 * listing shows are read (versions and the default's document at once), the others are
 * absent; without a usable listing each is read by ARN (ListPolicyVersions, then the
 * default's document). */
void dsc_policy_reads(struct discover *d)
{
	if (!d->policies_named || d->plist == PL_FLIGHT || rotate(d))
		return;
	for (size_t i = 0; i < d->f.npolicies; i++) {
		struct plan_policy_fact *p = &d->f.policies[i];
		const char *name = strrchr(p->arn, '/') + 1;
		if (d->plist == PL_UNUSABLE) {
			dsc_enqueue(d, R_POLICY_VERSIONS, i, name);
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
		dsc_enqueue(d, R_POLICY_VERSIONS, i, name);
		struct rd *n = dsc_enqueue(d, R_POLICY_DOC, i, name);
		n->aux = xstrdup(p->default_version);
		d->doc_queued[i] = true;
	}
}

void dsc_org_role_of(struct discover *d)
{
	if (!d->org_answered || !d->f.account_id)
		return;
	d->f.org_role =
	    str_eq(d->org_master, d->f.account_id) ? PLAN_ORG_MANAGEMENT : PLAN_ORG_MEMBER;
	d->org_answered = false;
}

/* Everything that needs the account id: our policies' ARNs, the organization role. */
void dsc_after_identity(struct discover *d)
{
	const struct answers *a = &d->a;
	dsc_org_role_of(d);
	/* our policies */
	const char *names[2] = {NULL, NULL};
	if (dsc_migrate(d)) {
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
	dsc_policy_reads(d);
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
			res = dsc_on_sts(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_ORG:
			res = dsc_on_org(d, r, st, outcome, sizeof(outcome));
			break;
		case R_HEAD_BUCKET:
			res = dsc_on_head(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_LOCATION:
			res = dsc_on_location(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_BUCKET_POLICY:
			res = dsc_on_bucket_policy(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_LIST_EXPORTS:
			res = dsc_on_list_exports(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_GET_EXPORT:
			res = dsc_on_get_export(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_REPORTS:
			res = dsc_on_reports(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_DELIVERED:
			res = dsc_on_delivered(d, r, st, outcome, sizeof(outcome));
			break;
		case R_LIST_BUCKETS:
			res = dsc_on_buckets(d, r, st, outcome, sizeof(outcome));
			break;
		case R_LIST_POLICIES:
			res = dsc_on_list_policies(d, r, st, outcome, sizeof(outcome));
			break;
		case R_POLICY_VERSIONS:
			res = dsc_on_policy_versions(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_POLICY_DOC:
			res = dsc_on_policy_doc(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_USER_ATTACHED:
			res = dsc_on_user_attached(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_USER_KEYS:
			res = dsc_on_user_keys(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_USER_TAGS:
			res = dsc_on_user_tags(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_CX_ORGS:
			res = dsc_on_cx_orgs(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_CX_DS:
			res = dsc_on_cx_ds(d, r, st, outcome, sizeof(outcome), &err);
			break;
		case R_CX_PROBE:
			res = dsc_on_cx_probe(d, r, st, outcome, sizeof(outcome));
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
	bool root = !dsc_migrate(d) && d->a.connection == ANSWERS_ROOT;
	bool legacy = d->a.export.type == ANSWERS_LEGACY;
	if (root) {
		d->want_cur2 = !legacy;
		d->want_legacy = legacy;
		d->want_delivery = d->a.export.setup == ANSWERS_EXISTING && d->a.export.bucket;
		d->bucket = xstrdup(d->a.export.bucket);
	} else if (dsc_migrate(d)) {
		d->want_cur2 = true;
		d->want_legacy = d->a.migrate.delete_legacy_report;
		d->bucket = d->a.has_export ? xstrdup(d->a.export.bucket) : NULL;
	}
	if (!d->o.aws) {
		d->finished = true;
		cx_err_set(&d->err, CX_E_INTERNAL, "discovery needs an AWS client");
		return d;
	}
	dsc_enqueue(d, R_STS, 0, "");
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

enum discover_delivery discover_export_delivery(const struct discover *d, size_t i)
{
	if (i >= d->f.nexports || !d->f.exports[i].definition)
		return DISCOVER_DELIVERY_UNREAD;
	const struct plan_export_fact *e = &d->f.exports[i];
	const char *b, *p;
	export_destination(e, &b, &p);
	if (!b)
		return DISCOVER_DELIVERY_UNREAD;
	char *k = delivery_prefix(p, e->name);
	enum discover_delivery st = DISCOVER_DELIVERY_UNREAD;
	for (size_t j = 0; j < d->ndlv; j++) {
		const struct delivery *v = &d->dlv[j];
		if (!str_eq(v->bucket, b) || !str_eq(v->key_prefix, k))
			continue;
		st = !v->done       ? DISCOVER_DELIVERY_READING
		     : v->failed    ? DISCOVER_DELIVERY_UNKNOWN
		     : v->delivered ? DISCOVER_DELIVERY_FILES
		                    : DISCOVER_DELIVERY_NONE;
	}
	free(k);
	return st;
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
	s3_bucket_list_free(&d->buckets);
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
