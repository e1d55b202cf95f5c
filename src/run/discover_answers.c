/* discover_answers.c - each discovery read's answer turned into plan facts, and the reads it
 * asks for next. */
#include "run/discover_int.h"

/* ---------- answers of reads ---------- */

/* Each returns CX_OK (outcome filled) or an error that stops discovery (err filled). */

/* A read that failed with st: its error detail into err; returns st. */
static enum cx_status op_failed(const struct rd *r, enum cx_status st, struct cx_err *err)
{
	*err = *aws_op_error(r->op);
	return st;
}

/* A read that found nothing (CX_E_NOT_FOUND): *exists = false, outcome "absent"; CX_OK. */
enum cx_status dsc_absent(bool *exists, char *outcome, size_t on)
{
	*exists = false;
	snprintf(outcome, on, "absent");
	return CX_OK;
}

enum cx_status dsc_on_sts(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
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
	dsc_after_identity(d);
	return CX_OK;
}

enum cx_status dsc_on_org(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
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
		dsc_org_role_of(d);
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

enum cx_status dsc_on_head(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                           size_t on, struct cx_err *err)
{
	if (st == CX_E_NOT_FOUND)
		return dsc_absent(&d->f.bucket_exists, outcome, on);
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
		dsc_enqueue(d, R_LOCATION, 0, r->subject);
		snprintf(outcome, on, "exists");
	}
	return CX_OK;
}

enum cx_status dsc_on_location(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                               size_t on, struct cx_err *err)
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

enum cx_status dsc_on_bucket_policy(struct discover *d, struct rd *r, enum cx_status st,
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

enum cx_status dsc_on_list_exports(struct discover *d, struct rd *r, enum cx_status st,
                                   char *outcome, size_t on, struct cx_err *err)
{
	if (st != CX_OK)
		return op_failed(r, st, err);
	const struct bcm_export_list *l = bcm_list_exports_result(r->op);
	d->f.exports_first_page = l->first_page; /* what CerteroX's listing reads */
	for (size_t i = 0; i < l->n; i++) {
		size_t k = dsc_export_add(d, false, l->items[i].name);
		struct plan_export_fact *e = &d->f.exports[k];
		e->arn = xstrdup(l->items[i].arn);
		e->status = xstrdup(l->items[i].status_code);
		if (e->arn)
			dsc_enqueue(d, R_GET_EXPORT, k, e->name);
	}
	snprintf(outcome, on, "%zu export%s", l->n, l->n == 1 ? "" : "s");
	return CX_OK;
}

enum cx_status dsc_on_get_export(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                                 size_t on, struct cx_err *err)
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
	dsc_export_known(d, r->idx);
	return CX_OK;
}

enum cx_status dsc_on_reports(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                              size_t on, struct cx_err *err)
{
	if (st != CX_OK)
		return op_failed(r, st, err);
	const struct cur_report_list *l = cur_describe_report_definitions_result(r->op);
	for (size_t i = 0; i < l->n; i++) {
		size_t k = dsc_export_add(d, true, l->items[i].name);
		struct plan_export_fact *e = &d->f.exports[k];
		e->definition = l->items[i].json ? cJSON_Duplicate(l->items[i].json, 1) : NULL;
		const char *ls = json_str(json_obj(e->definition, "ReportStatus"), "lastStatus");
		e->status = xstrdup(ls);
		dsc_export_known(d, k);
	}
	snprintf(outcome, on, "%zu report%s", l->n, l->n == 1 ? "" : "s");
	return CX_OK;
}

enum cx_status dsc_on_delivered(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                                size_t on)
{
	struct delivery *v = &d->dlv[r->idx];
	v->done = true;
	v->failed = st != CX_OK && st != CX_E_NOT_FOUND;
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
		v->delivered = dsc_data_file(l->objects[i].key);
	snprintf(outcome, on, "%s", v->delivered ? "files delivered" : "no data files");
	return CX_OK;
}

/* The listing is a shortcut, never an error: denied, failed or more than a page -> by ARN. */
enum cx_status dsc_on_list_policies(struct discover *d, struct rd *r, enum cx_status st,
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
	dsc_policy_reads(d);
	return CX_OK;
}

static int version_num(const char *v)
{
	return v && (v[0] == 'v' || v[0] == 'V') ? atoi(v + 1) : 0;
}

enum cx_status dsc_on_policy_versions(struct discover *d, struct rd *r, enum cx_status st,
                                      char *outcome, size_t on, struct cx_err *err)
{
	struct plan_policy_fact *p = &d->f.policies[r->idx];
	if (st == CX_E_NOT_FOUND)
		return dsc_absent(&p->exists, outcome, on);
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
		struct rd *n = dsc_enqueue(d, R_POLICY_DOC, r->idx, r->subject);
		n->aux = xstrdup(p->default_version);
		d->doc_queued[r->idx] = true;
	}
	snprintf(outcome, on, "%d version%s, default %s", p->versions, p->versions == 1 ? "" : "s",
	         p->default_version);
	return CX_OK;
}

enum cx_status dsc_on_policy_doc(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                                 size_t on, struct cx_err *err)
{
	struct plan_policy_fact *p = &d->f.policies[r->idx];
	if (st == CX_E_NOT_FOUND) { /* deleted since the listing */
		free(p->default_version);
		p->default_version = NULL;
		return dsc_absent(&p->exists, outcome, on);
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

static void mark_owned(struct discover *d);

enum cx_status dsc_on_user_attached(struct discover *d, struct rd *r, enum cx_status st,
                                    char *outcome, size_t on, struct cx_err *err)
{
	if (st == CX_E_NOT_FOUND)
		return dsc_absent(&d->f.user_exists, outcome, on);
	if (st != CX_OK)
		return op_failed(r, st, err);
	const struct iam_attached_list *l = iam_list_attached_user_policies_result(r->op);
	d->f.user_exists = true;
	d->f.attached = xcalloc(l->n + 1, sizeof(char *));
	for (size_t i = 0; i < l->n; i++)
		d->f.attached[d->f.nattached++] = xstrdup(l->items[i].arn);
	d->attached_done = true;
	if (!d->f.user_read && d->tags_done && d->keys_done)
		mark_owned(d);
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
int dsc_age_days(const char *date)
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
	if (d->attached_done && !d->f.user_read && d->a.iam.user) {
		/* the user's three reads answered: resolve (run/resolve.c) reuses them */
		d->f.user_read = xstrdup(d->a.iam.user);
		d->f.user_tag_keys = xcalloc(d->user_tags.n + 1, sizeof(char *));
		for (size_t i = 0; i < d->user_tags.n; i++)
			d->f.user_tag_keys[d->f.nuser_tag_keys++] =
			    xstrdup(d->user_tags.items[i].key);
	}
	d->f.user_owned = iam_tag_get(&d->user_tags, OWNER_TAG_KEY) != NULL;
	for (size_t i = 0; i < d->f.nkeys; i++)
		d->f.keys[i].owned =
		    owner_is_key_description(iam_tag_get(&d->user_tags, d->f.keys[i].id));
}

enum cx_status dsc_on_user_tags(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                                size_t on, struct cx_err *err)
{
	if (st == CX_E_NOT_FOUND)
		return dsc_absent(&d->f.user_exists, outcome, on);
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

enum cx_status dsc_on_user_keys(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                                size_t on, struct cx_err *err)
{
	if (st == CX_E_NOT_FOUND)
		return dsc_absent(&d->f.user_exists, outcome, on);
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
		k->age_days = dsc_age_days(k->create_date);
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
	if (dsc_migrate(d)) {
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

/* The key probe (certerox_probe_config): OE0212 names the keys this OptScale does not know;
 * OE0214 on access_key_id (its type check, which follows the check of unexpected keys) means it
 * knows them all. Anything else leaves the keys as they are (sent). */
enum cx_status dsc_on_cx_probe(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                               size_t on)
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
	else if (certerox_probe_all_known(st, &e))
		snprintf(outcome, on, "accepts every config key");
	else
		snprintf(outcome, on, "unknown (%s)", e.code[0] ? e.code : cx_status_msg(st));
	/* A server that answered OE0433 checked the key with AWS (sts GetCallerIdentity; OptScale
	 * controllers/cloud_account.py handle_config -> validate_credentials) before it answered:
	 * one more round trip this read waited for. Its type check (OE0214) answers at once. */
	if (certerox_probe_asked_aws(st, &e) && r->depth + 1 > d->f.discovery_depth)
		d->f.discovery_depth = r->depth + 1;
	return CX_OK;
}

enum cx_status dsc_on_cx_orgs(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                              size_t on, struct cx_err *err)
{
	if (st != CX_OK)
		return cx_failed(d, r, st, outcome, on, err);
	struct certerox_result *res = certerox_call_result(r->call);
	char *id = NULL;
	st = certerox_org_pick(&res->orgs, NULL, &id, err);
	if (st != CX_OK) {
		cx_err_where(err, "certerox choose the organization");
		if (dsc_migrate(d))
			return st;
		strv_add(&d->warnings, "%s", err->msg);
		cx_err_clear(err);
		snprintf(outcome, on, "no single organization");
		return CX_OK;
	}
	dsc_enqueue(d, R_CX_DS, 0, id);
	snprintf(outcome, on, "organization %s", id);
	free(d->certerox_org);
	d->certerox_org = id;
	return CX_OK;
}

enum cx_status dsc_on_cx_ds(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
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
			if (dsc_migrate(d) && str_eq(s->id, d->a.migrate.data_source_id)) {
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
	if (dsc_migrate(d) && !d->bucket) {
		for (size_t i = 0; i < d->f.ndata_sources; i++)
			if (str_eq(d->f.data_sources[i].id, d->a.migrate.data_source_id) &&
			    d->f.data_sources[i].bucket)
				d->bucket = xstrdup(d->f.data_sources[i].bucket);
		dsc_bucket_reads(d);
	}
	snprintf(outcome, on, "%zu AWS data source%s", d->f.ndata_sources,
	         d->f.ndata_sources == 1 ? "" : "s");
	return CX_OK;
}
