#include "core/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/billdeny.h"
#include "core/cxrules.h"
#include "core/diff.h"
#include "core/export.h"
#include "core/plan_int.h"
#include "core/plan_life.h"
#include "core/owner.h"
#include "core/policy.h"
#include "core/validate.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

/* ---- names ---- */

const char *plan_kind_name(enum plan_kind k)
{
	static const char *const n[] = {"read", "create", "update", "delete", "skip"};
	return k <= PLAN_SKIP ? n[k] : "?";
}

const char *plan_org_role_name(enum plan_org_role r)
{
	static const char *const n[] = {"unknown", "management", "member", "standalone"};
	return r <= PLAN_ORG_STANDALONE ? n[r] : "unknown";
}

/* ---- facts ---- */

void plan_facts_free(struct plan_facts *f)
{
	if (!f)
		return;
	free(f->account_id);
	free(f->caller_arn);
	free(f->bucket_region);
	free(f->bucket_policy);
	for (size_t i = 0; i < f->nexports; i++) {
		struct plan_export_fact *e = &f->exports[i];
		free(e->name);
		free(e->arn);
		cJSON_Delete(e->definition);
		free(e->status);
	}
	free(f->exports);
	for (size_t i = 0; i < f->npolicies; i++) {
		struct plan_policy_fact *p = &f->policies[i];
		free(p->arn);
		free(p->default_version);
		cJSON_Delete(p->document);
		free(p->oldest_nondefault);
	}
	free(f->policies);
	for (size_t i = 0; i < f->nattached; i++)
		free(f->attached[i]);
	free(f->attached);
	free(f->user_read);
	for (size_t i = 0; i < f->nuser_tag_keys; i++)
		free(f->user_tag_keys[i]);
	free(f->user_tag_keys);
	for (size_t i = 0; i < f->nkeys; i++) {
		free(f->keys[i].id);
		free(f->keys[i].status);
		free(f->keys[i].create_date);
	}
	free(f->keys);
	for (size_t i = 0; i < f->ndata_sources; i++) {
		struct plan_data_source_fact *d = &f->data_sources[i];
		free(d->id);
		free(d->name);
		free(d->account_id);
		free(d->bucket);
		free(d->prefix);
		free(d->report_name);
		free(d->config_scheme);
		free(d->access_key_id);
	}
	free(f->data_sources);
	plan_life_free(f->life);
	memset(f, 0, sizeof(*f));
}

static char *jdup(const cJSON *o, const char *k)
{
	return xstrdup(json_str(o, k));
}

static enum cx_status bad(struct cx_err *err, const char *path)
{
	return cx_err_set(err, CX_E_INPUT, "facts.%s: wrong type", path);
}

enum cx_status plan_facts_from_json(struct plan_facts *f, const cJSON *j, struct cx_err *err)
{
	memset(f, 0, sizeof(*f));
	if (!cJSON_IsObject(j))
		return bad(err, "(root)");
	f->account_id = jdup(j, "account_id");
	f->caller_arn = jdup(j, "caller_arn");
	f->discovery_depth = (int)json_num(j, "discovery_depth", 0);
	double fp = json_num(j, "exports_first_page", 0);
	f->exports_first_page = fp > 0 ? (size_t)fp : 0;
	const char *role = json_str(j, "org_role");
	for (int r = 0; r <= PLAN_ORG_STANDALONE; r++)
		if (str_eq(role, plan_org_role_name((enum plan_org_role)r)))
			f->org_role = (enum plan_org_role)r;
	const cJSON *b = json_obj(j, "bucket");
	if (b) {
		f->bucket_exists = json_bool(b, "exists", false);
		f->bucket_region = jdup(b, "region");
		const cJSON *pol = cJSON_GetObjectItemCaseSensitive(b, "policy");
		if (cJSON_IsString(pol))
			f->bucket_policy = xstrdup(pol->valuestring);
		else if (pol && !cJSON_IsNull(pol))
			f->bucket_policy = json_compact(pol);
	}
	const cJSON *ex = json_arr(j, "exports");
	f->exports = xcalloc((size_t)cJSON_GetArraySize(ex) + 1, sizeof(*f->exports));
	for (const cJSON *x = ex ? ex->child : NULL; x; x = x->next) {
		if (!cJSON_IsObject(x))
			return bad(err, "exports[]");
		struct plan_export_fact *e = &f->exports[f->nexports++];
		e->legacy = json_bool(x, "legacy", false);
		e->name = jdup(x, "name");
		e->arn = jdup(x, "arn");
		const cJSON *d = json_obj(x, "definition");
		e->definition = d ? cJSON_Duplicate(d, 1) : NULL;
		e->status = jdup(x, "status");
		e->delivered = json_bool(x, "delivered", false);
	}
	const cJSON *pa = json_arr(j, "policies");
	f->policies = xcalloc((size_t)cJSON_GetArraySize(pa) + 1, sizeof(*f->policies));
	for (const cJSON *x = pa ? pa->child : NULL; x; x = x->next) {
		if (!cJSON_IsObject(x))
			return bad(err, "policies[]");
		struct plan_policy_fact *p = &f->policies[f->npolicies++];
		p->arn = jdup(x, "arn");
		p->exists = json_bool(x, "exists", true);
		p->default_version = jdup(x, "default_version");
		const cJSON *d = json_obj(x, "document");
		p->document = d ? cJSON_Duplicate(d, 1) : NULL;
		p->versions = (int)json_num(x, "versions", 1);
		p->oldest_nondefault = jdup(x, "oldest_nondefault");
	}
	const cJSON *u = json_obj(j, "user");
	if (u) {
		f->user_exists = json_bool(u, "exists", false);
		f->user_owned = json_bool(u, "owned", false);
		const cJSON *at = json_arr(u, "attached");
		f->attached = xcalloc((size_t)cJSON_GetArraySize(at) + 1, sizeof(char *));
		for (const cJSON *x = at ? at->child : NULL; x; x = x->next) {
			if (!cJSON_IsString(x))
				return bad(err, "user.attached[]");
			f->attached[f->nattached++] = xstrdup(x->valuestring);
		}
		const cJSON *ks = json_arr(u, "keys");
		f->keys = xcalloc((size_t)cJSON_GetArraySize(ks) + 1, sizeof(*f->keys));
		for (const cJSON *x = ks ? ks->child : NULL; x; x = x->next) {
			if (!cJSON_IsObject(x) || !json_str(x, "id"))
				return bad(err, "user.keys[]");
			struct plan_key_fact *k = &f->keys[f->nkeys++];
			k->id = jdup(x, "id");
			k->status =
			    xstrdup(json_str(x, "status") ? json_str(x, "status") : "Active");
			k->in_vault = json_bool(x, "in_vault", false);
			k->owned = json_bool(x, "owned", false);
			k->create_date = jdup(x, "create_date");
			k->age_days = (int)json_num(x, "age_days", -1);
		}
	}
	const cJSON *uk = json_arr(j, "certerox_unsupported_keys");
	for (const cJSON *x = uk ? uk->child : NULL; x; x = x->next) {
		if (cJSON_IsString(x) && str_eq(x->valuestring, "cur_version"))
			f->cx_unsupported |= PLAN_CX_NO_CUR_VERSION;
		else if (cJSON_IsString(x) && str_eq(x->valuestring, "use_edp_discount"))
			f->cx_unsupported |= PLAN_CX_NO_USE_EDP_DISCOUNT;
		else
			return bad(err, "certerox_unsupported_keys[]");
	}
	const cJSON *ds = json_arr(j, "data_sources");
	f->data_sources_known = ds != NULL;
	f->data_sources = xcalloc((size_t)cJSON_GetArraySize(ds) + 1, sizeof(*f->data_sources));
	for (const cJSON *x = ds ? ds->child : NULL; x; x = x->next) {
		if (!cJSON_IsObject(x))
			return bad(err, "data_sources[]");
		struct plan_data_source_fact *d = &f->data_sources[f->ndata_sources++];
		d->id = jdup(x, "id");
		d->name = jdup(x, "name");
		d->account_id = jdup(x, "account_id");
		d->linked = json_bool(x, "linked", false);
		d->cur_version = (int)json_num(x, "cur_version", 1);
		d->bucket = jdup(x, "bucket");
		d->prefix = jdup(x, "prefix");
		d->report_name = jdup(x, "report_name");
		d->config_scheme = jdup(x, "config_scheme");
		d->access_key_id = jdup(x, "access_key_id");
	}
	const cJSON *life = json_obj(j, "life");
	if (life && !(f->life = plan_life_from_json(life, err)))
		return CX_E_INPUT;
	return CX_OK;
}

const struct plan_policy_fact *plan_facts_policy(const struct plan_facts *f, const char *arn)
{
	for (size_t i = 0; i < f->npolicies; i++)
		if (str_eq(f->policies[i].arn, arn) && f->policies[i].exists)
			return &f->policies[i];
	return NULL;
}

const struct plan_export_fact *plan_facts_export(const struct plan_facts *f, const char *name,
                                                 bool legacy)
{
	for (size_t i = 0; i < f->nexports; i++)
		if (f->exports[i].legacy == legacy && str_eq(f->exports[i].name, name))
			return &f->exports[i];
	return NULL;
}

static bool attached(const struct plan_facts *f, const char *arn)
{
	for (size_t i = 0; i < f->nattached; i++)
		if (str_eq(f->attached[i], arn))
			return true;
	return false;
}

/* ---- plan building ---- */

static struct plan_step *add_step(struct builder *b, const char *id, const char *service,
                                  const char *op, enum plan_kind kind, cJSON *req,
                                  const char *title_fmt, ...) __attribute__((format(printf, 7, 8)));

static struct plan_step *add_step(struct builder *b, const char *id, const char *service,
                                  const char *op, enum plan_kind kind, cJSON *req,
                                  const char *title_fmt, ...)
{
	struct plan *p = b->p;
	p->steps = xrealloc(p->steps, (p->n + 1) * sizeof(*p->steps));
	struct plan_step *s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	s->id = xstrdup(id);
	s->service = service;
	s->operation = op;
	s->kind = kind;
	s->request = req;
	s->requests = kind == PLAN_SKIP ? 0 : 1;
	va_list ap;
	va_start(ap, title_fmt);
	char buf[512];
	vsnprintf(buf, sizeof(buf), title_fmt, ap);
	va_end(ap);
	s->title = xasprintf("%s %s %s", service, op, buf);
	return s;
}

static void skip(struct plan_step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void skip(struct plan_step *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->kind = PLAN_SKIP;
	s->requests = 0;
	s->server_requests = 0;
	free(s->skip_reason);
	s->skip_reason = xstrdup(buf);
}

static bool has_step(const struct plan *p, const char *id)
{
	return plan_find(p, id) != NULL;
}

/* Adds deps that exist (NULL-terminated list). */
static void depend(struct builder *b, struct plan_step *s, ...)
{
	va_list ap;
	va_start(ap, s);
	const char *d;
	while ((d = va_arg(ap, const char *)) != NULL) {
		if (!has_step(b->p, d))
			continue;
		s->deps = xrealloc(s->deps, (s->ndeps + 1) * sizeof(char *));
		s->deps[s->ndeps++] = xstrdup(d);
	}
	va_end(ap);
}

static void depend_prefix(struct builder *b, struct plan_step *s, const char *prefix)
{
	size_t n = b->p->n;
	for (size_t i = 0; i < n; i++) {
		const char *id = b->p->steps[i].id;
		if (&b->p->steps[i] != s && str_starts_with(id, prefix)) {
			s->deps = xrealloc(s->deps, (s->ndeps + 1) * sizeof(char *));
			s->deps[s->ndeps++] = xstrdup(id);
		}
	}
}

static cJSON *obj_strs(const char *k1, const char *v1, const char *k2, const char *v2)
{
	cJSON *o = cJSON_CreateObject();
	if (k1)
		cJSON_AddStringToObject(o, k1, v1 ? v1 : "");
	if (k2)
		cJSON_AddStringToObject(o, k2, v2 ? v2 : "");
	return o;
}

/* [{"Key": OWNER_TAG_KEY, "Value": OWNER_TAG_VALUE}]: the tag of what the wizard creates. */
static cJSON *owner_tags(void)
{
	cJSON *arr = cJSON_CreateArray();
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "Key", OWNER_TAG_KEY);
	cJSON_AddStringToObject(t, "Value", OWNER_TAG_VALUE);
	cJSON_AddItemToArray(arr, t);
	return arr;
}

static char *policy_arn(const struct builder *b, const char *name)
{
	return xasprintf("arn:aws:iam::%s:policy/%s", b->f->account_id, name);
}

/* ensure policy: create, skip when equal, or a new default version (pruning first). */
static enum cx_status ensure_policy(struct builder *b, const char *tag, const char *name,
                                    cJSON *doc, bool upgrade_only_if_lacking_exports)
{
	enum cx_status st = CX_OK;
	char *arn = policy_arn(b, name);
	char id[64], prune[80];
	snprintf(id, sizeof(id), "policy-%s", tag);
	snprintf(prune, sizeof(prune), "policy-%s-prune", tag);
	const struct plan_policy_fact *pf = plan_facts_policy(b->f, arn);
	if (!pf) {
		if (upgrade_only_if_lacking_exports) {
			strv_add(
			    &b->p->warnings,
			    "iam: policy %s does not exist; the data source's user must be allowed "
			    "bcm-data-exports:ListExports, GetExport and CreateExport for CUR 2.0",
			    arn);
			cJSON_Delete(doc);
			goto out;
		}
		cJSON *req = cJSON_CreateObject();
		cJSON_AddStringToObject(req, "PolicyName", name);
		cJSON_AddItemToObject(req, "PolicyDocument", doc);
		cJSON_AddItemToObject(req, "Tags", owner_tags());
		add_step(b, id, "iam", "CreatePolicy", PLAN_CREATE, req, "%s", name);
		goto out;
	}
	if (pf->document) {
		/* shared: never narrowed (every grant of the current version stays) */
		cJSON *merged = policy_merge_grants(pf->document, doc);
		cJSON_Delete(doc);
		doc = merged;
		st = owner_check_policy_grants(b->f, str_eq(tag, "readonly"), name, pf->document,
		                               doc, b->err);
		if (st != CX_OK) {
			cJSON_Delete(doc);
			goto out;
		}
	}
	bool same = pf->document && policy_equal(pf->document, doc);
	bool lacking = !upgrade_only_if_lacking_exports || policy_lacks_data_exports(pf->document);
	if (same || !lacking) {
		cJSON *req = cJSON_CreateObject();
		cJSON_AddStringToObject(req, "PolicyArn", arn);
		cJSON_AddItemToObject(req, "PolicyDocument", doc);
		cJSON_AddBoolToObject(req, "SetAsDefault", true);
		struct plan_step *s =
		    add_step(b, id, "iam", "CreatePolicyVersion", PLAN_SKIP, req, "%s", name);
		if (same)
			skip(s, "policy %s exists and its default version %s has the same document",
			     name, pf->default_version ? pf->default_version : "");
		else
			skip(s, "policy %s already grants the Data Exports actions", name);
		goto out;
	}
	if (pf->versions >= 5 && pf->oldest_nondefault) {
		cJSON *req = obj_strs("PolicyArn", arn, "VersionId", pf->oldest_nondefault);
		add_step(b, prune, "iam", "DeletePolicyVersion", PLAN_DELETE, req, "%s %s", name,
		         pf->oldest_nondefault);
	}
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "PolicyArn", arn);
	cJSON_AddItemToObject(req, "PolicyDocument", doc);
	cJSON_AddBoolToObject(req, "SetAsDefault", true);
	struct plan_step *s =
	    add_step(b, id, "iam", "CreatePolicyVersion", PLAN_UPDATE, req, "%s", name);
	depend(b, s, prune, (const char *)NULL);
	char *old = pf->document ? json_pretty(pf->document) : xstrdup("");
	char *nw = json_pretty(doc);
	s->diff = diff_unified(old, nw, "policy (current default version)", "policy (new version)");
	free(old);
	free(nw);
out:
	free(arn);
	return st;
}

/* Bucket creation and the bucket policy. Returns CX_OK or an error in b->err. */
static enum cx_status refuse_billing_deny(struct builder *b, const char *bucket, const char *prefix,
                                          const char *name, bool legacy);

/* Refusals before any write (issue 13):
 *  C5: a legacy report that CerteroX or we create must deliver to a region the CUR API's
 *      S3Region enum lists (else PutReportDefinition fails after the user, key and policies);
 *  C3: a Deny of the bucket policy that applies to the billing delivery service (evaluated
 *      with AWS's rules, billdeny.h): AWS refuses the export ("Failed to verify customer
 *      bucket permission") and never delivers. */
static enum cx_status refuse_undeliverable(struct builder *b, const char *bucket,
                                           const char *prefix, const char *region, bool legacy)
{
	const struct answers_export *e = &b->a->export;
	const struct plan_facts *f = b->f;
	bool creates = e->setup == ANSWERS_WIZARD || e->setup == ANSWERS_SETUP_CERTEROX;
	if (legacy && creates && (f->bucket_exists || e->create_bucket) &&
	    !export_legacy_region_supported(region))
		return cx_err_set(b->err, CX_E_INPUT,
		                  "export.bucket: bucket \"%s\" is in region %s, where legacy CUR "
		                  "reports cannot be delivered (the CUR API's S3Region accepts "
		                  "only %s); use CUR 2.0 (export.type \"cur2\"), whose Data "
		                  "Exports deliver there, or a bucket in one of those regions",
		                  bucket, region, export_legacy_regions());
	return refuse_billing_deny(b, bucket, prefix, answers_export_name(b->a), legacy);
}

static enum cx_status refuse_billing_deny(struct builder *b, const char *bucket, const char *prefix,
                                          const char *name, bool legacy)
{
	const struct plan_facts *f = b->f;
	if (!f->bucket_exists || !f->bucket_policy || !*f->bucket_policy)
		return CX_OK;
	cJSON *doc = cJSON_Parse(f->bucket_policy);
	char *deny = billdeny_find(doc, bucket, prefix, name ? name : "", f->account_id, legacy);
	cJSON_Delete(doc);
	if (!deny)
		return CX_OK;
	cx_err_set(b->err, CX_E_INPUT,
	           "export.bucket: %s of the policy of bucket \"%s\" applies to %s, which "
	           "delivers %s \"%s\": AWS would refuse it (\"Failed to verify customer "
	           "bucket permission\") and deliver nothing; exclude the service from that "
	           "statement (for example with \"BoolIfExists\": "
	           "{\"aws:PrincipalIsAWSService\": \"false\"}) and run again",
	           deny, bucket,
	           legacy ? "billingreports.amazonaws.com" : "bcm-data-exports.amazonaws.com",
	           legacy ? "legacy CUR report" : "Data Export", name ? name : "");
	free(deny);
	return CX_E_INPUT;
}

static enum cx_status ensure_bucket(struct builder *b, const char *bucket, const char *region,
                                    bool may_create, bool certerox_creates)
{
	const struct plan_facts *f = b->f;
	bool created = false;
	if (!f->bucket_exists) {
		if (may_create) {
			cJSON *req = cJSON_CreateObject();
			cJSON_AddStringToObject(req, "Bucket", bucket);
			cJSON_AddStringToObject(req, "Region", region);
			if (strcmp(region, "us-east-1") != 0) {
				cJSON *c =
				    cJSON_AddObjectToObject(req, "CreateBucketConfiguration");
				cJSON_AddStringToObject(c, "LocationConstraint", region);
			}
			add_step(b, "bucket", "s3", "CreateBucket", PLAN_CREATE, req, "%s (%s)",
			         bucket, region);
			created = true;
		} else if (certerox_creates) {
			cJSON *req = obj_strs("Bucket", bucket, "Region", "eu-central-1");
			struct plan_step *s = add_step(b, "bucket-policy", "s3", "PutBucketPolicy",
			                               PLAN_SKIP, req, "%s", bucket);
			skip(s,
			     "bucket %s does not exist: CerteroX creates it (in eu-central-1) with "
			     "the "
			     "delivery statement when it creates the export",
			     bucket);
			return CX_OK;
		} else {
			return cx_err_set(
			    b->err, CX_E_INPUT,
			    "export.bucket: bucket \"%s\" does not exist in account %s; set "
			    "export.create_bucket to true to have it created",
			    bucket, f->account_id);
		}
	}
	cJSON *stmt = policy_bucket_statement(bucket, f->account_id, b->err);
	if (!stmt)
		return b->err ? b->err->status : CX_E_IO;
	struct policy_merge m;
	enum cx_status st =
	    policy_merge_bucket(created ? NULL : f->bucket_policy, stmt, bucket, &m, b->err);
	cJSON_Delete(stmt);
	if (st != CX_OK) {
		cx_err_where(b->err, "s3 PutBucketPolicy %s", bucket);
		policy_merge_free(&m);
		return st;
	}
	for (size_t i = 0; i < m.warnings.n; i++)
		strv_push(&b->p->warnings, m.warnings.v[i]);
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "Bucket", bucket);
	cJSON_AddStringToObject(req, "Region", region);
	cJSON_AddItemToObject(req, "Policy", m.document);
	m.document = NULL;
	struct plan_step *s =
	    add_step(b, "bucket-policy", "s3", "PutBucketPolicy", PLAN_UPDATE, req, "%s", bucket);
	depend(b, s, "bucket", (const char *)NULL);
	if (m.action == POLICY_MERGE_PRESENT)
		skip(s, "the bucket policy already has statement %s with the same content",
		     POLICY_BUCKET_SID);
	else if (m.action == POLICY_MERGE_EQUIVALENT)
		skip(s, "the bucket policy already has an equivalent statement (%s)",
		     m.equivalent_sid);
	else {
		if (m.action == POLICY_MERGE_NEW)
			s->kind = PLAN_CREATE;
		s->diff = m.diff;
		m.diff = NULL;
	}
	policy_merge_free(&m);
	return CX_OK;
}

static enum cx_status ensure_user_and_key(struct builder *b, bool readonly)
{
	const struct answers *a = b->a;
	const struct plan_facts *f = b->f;
	const char *user = a->iam.user;
	if (f->user_exists && !f->user_owned && a->iam.existing_user != ANSWERS_EXISTING_USER_USE)
		return cx_err_set(
		    b->err, CX_E_CONFLICT,
		    "iam.user: user \"%s\" exists in account %s and certerox-aws-setup did not "
		    "create it (it has no tag %s); the wizard changes only what it made. To use "
		    "it anyway answer \"iam\": {\"user\": \"%s\", \"existing_user\": \"use\"} "
		    "(its other access keys are never touched), or choose another iam.user",
		    user, f->account_id, OWNER_TAG_KEY, user);
	cJSON *ureq = obj_strs("UserName", user, NULL, NULL);
	cJSON_AddItemToObject(ureq, "Tags", owner_tags());
	struct plan_step *s =
	    add_step(b, "user", "iam", "CreateUser", PLAN_CREATE, ureq, "%s", user);
	if (f->user_exists)
		skip(s, "user %s exists%s", user,
		     f->user_owned ? "" : " (not made by certerox-aws-setup: used as answered)");
	const char *tags[2] = {"readonly", "discover"};
	const char *names[2] = {a->iam.readonly_policy, a->iam.discover_policy};
	for (int i = 0; i < 2; i++) {
		if (i == 0 && !readonly)
			continue;
		char *arn = policy_arn(b, names[i]);
		char id[64], pid[64];
		snprintf(id, sizeof(id), "attach-%s", tags[i]);
		snprintf(pid, sizeof(pid), "policy-%s", tags[i]);
		s = add_step(b, id, "iam", "AttachUserPolicy", PLAN_CREATE,
		             obj_strs("UserName", user, "PolicyArn", arn), "%s %s", user, names[i]);
		depend(b, s, "user", pid, (const char *)NULL);
		if (f->user_exists && attached(f, arn))
			skip(s, "policy %s is attached to user %s", names[i], user);
		free(arn);
	}
	return CX_OK;
}

/* Why a key of the user the vault lacks may not be deleted (NULL: the wizard made it and no
 * data source uses it). */
static const char *key_keep_reason(const struct builder *b, const struct plan_key_fact *k,
                                   char *buf, size_t n)
{
	const struct plan_data_source_fact *ds = owner_key_data_source(b->f, k->id);
	if (ds)
		snprintf(buf, n, "data source \"%s\" (%s) uses it", ds->name ? ds->name : "",
		         ds->id ? ds->id : "");
	else if (!k->owned)
		snprintf(buf, n, "certerox-aws-setup did not make it");
	else if (!b->f->data_sources_known)
		snprintf(buf, n, "CerteroX's data sources are unknown, so it may be in use");
	else
		return NULL;
	return buf;
}

static enum cx_status ensure_key(struct builder *b)
{
	const struct plan_facts *f = b->f;
	const char *user = b->a->iam.user;
	const char *known = NULL;
	struct strv ours = STRV_INIT; /* the wizard's keys the vault lacks and nothing uses */
	struct strv kept = STRV_INIT; /* "ID (why)" of keys never touched */
	for (size_t i = 0; f->user_exists && i < f->nkeys; i++) {
		const struct plan_key_fact *k = &f->keys[i];
		/* a vault not opened (--dry-run without the passphrase, the TUI before its vault
		 * page): the key a data source of this account uses is taken to be in it, as
		 * run/resolve.c does, so no refusal is built on what the vault may hold */
		const struct plan_data_source_fact *uses = owner_key_data_source(f, k->id);
		bool held = k->in_vault ||
		            (f->vault_unknown && uses && str_eq(uses->account_id, f->account_id));
		if (held && str_eq(k->status, "Active") && !known)
			known = k->id;
		if (held)
			continue;
		char why[300];
		const char *r = key_keep_reason(b, k, why, sizeof(why));
		if (r)
			strv_add(&kept, "%s (%s)", k->id, r);
		else
			strv_push(&ours, k->id);
	}
	bool del = ours.n && b->opt.delete_unknown_keys;
	if (del) {
		for (size_t i = 0; i < ours.n; i++) {
			char id[160];
			snprintf(id, sizeof(id), "key-delete-%s", ours.v[i]);
			struct plan_step *s =
			    add_step(b, id, "iam", "DeleteAccessKey", PLAN_DELETE,
			             obj_strs("UserName", user, "AccessKeyId", ours.v[i]), "%s %s",
			             user, ours.v[i]);
			s->destructive = true;
			depend(b, s, "user", (const char *)NULL);
		}
	} else {
		for (size_t i = 0; i < ours.n; i++)
			strv_add(
			    &b->p->warnings,
			    "iam: access key %s of user %s was made by certerox-aws-setup but the "
			    "vault does not hold it and no data source uses it (left over from an "
			    "earlier run?); run with --yes to delete it",
			    ours.v[i], user);
	}
	for (size_t i = 0; i < kept.n; i++)
		strv_add(&b->p->warnings,
		         "iam: access key %s of user %s is not in the vault; it is left alone",
		         kept.v[i], user);
	size_t left = f->user_exists ? f->nkeys - (del ? ours.n : 0) : 0;
	if (!known && left >= 2) {
		char *k = strv_join(&kept, ", ");
		char *o = strv_join(&ours, ", ");
		cx_err_set(
		    b->err, CX_E_CONFLICT,
		    "iam.user: user \"%s\" already has two access keys and the vault holds "
		    "the secret of neither; AWS allows two keys per user. %s%s%s%s%s%sChoose: "
		    "%sdelete one yourself (aws iam delete-access-key --user-name %s "
		    "--access-key-id ID), or choose another iam.user",
		    user, kept.n ? "Never touched: " : "", k, kept.n ? ". " : "",
		    ours.n ? "Made by certerox-aws-setup and unused: " : "", o, ours.n ? ". " : "",
		    ours.n ? "run again with --yes to let the wizard delete the keys it made, "
		           : "",
		    user);
		free(k);
		free(o);
		strv_free(&ours);
		strv_free(&kept);
		return CX_E_CONFLICT;
	}
	strv_free(&ours);
	strv_free(&kept);
	struct plan_step *s = add_step(b, "key", "iam", "CreateAccessKey", PLAN_CREATE,
	                               obj_strs("UserName", user, NULL, NULL), "%s", user);
	depend(b, s, "user", (const char *)NULL);
	depend_prefix(b, s, "key-delete-");
	if (known)
		skip(s, "the vault holds access key %s of user %s", known, user);
	/* the key described on its user, as the IAM console does (tag key = key id): the new
	 * one, or the vault's when it lacks the description (a run stopped before it) */
	bool described = false;
	for (size_t i = 0; known && i < f->nkeys; i++)
		if (str_eq(f->keys[i].id, known))
			described = f->keys[i].owned;
	cJSON *treq = obj_strs("UserName", user, NULL, NULL);
	if (known)
		cJSON_AddStringToObject(treq, "Key", known);
	else
		cJSON_AddNullToObject(treq, "Key"); /* the id of step "key"'s new key */
	cJSON_AddStringToObject(treq, "Value", OWNER_KEY_DESCRIPTION);
	struct plan_step *t = add_step(b, "key-tag", "iam", "TagUser", PLAN_UPDATE, treq, "%s (%s)",
	                               user, known ? known : "new key");
	depend(b, t, "key", (const char *)NULL);
	if (known && described)
		skip(t, "access key %s is described as the wizard's", known);
	return CX_OK;
}

static void key_check(struct builder *b, const char *key_id, const char *bucket, const char *prefix,
                      bool legacy, bool linked)
{
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "UserName", b->a->iam.user);
	if (key_id)
		cJSON_AddStringToObject(req, "AccessKeyId", key_id);
	else
		cJSON_AddNullToObject(req, "AccessKeyId");
	cJSON_AddStringToObject(req, "KeySource",
	                        b->a->action == ANSWERS_MIGRATE ? "vault" : "created");
	if (bucket) {
		cJSON_AddStringToObject(req, "Bucket", bucket);
		cJSON_AddStringToObject(req, "Prefix", prefix ? prefix : "");
	}
	cJSON_AddBoolToObject(req, "Legacy", legacy);
	cJSON_AddBoolToObject(req, "Linked", linked);
	struct plan_step *s =
	    add_step(b, "key-check", "sts", "CheckKey", PLAN_READ, req, "%s", b->a->iam.user);
	s->requests = 1; /* the proofs go with the first GetCallerIdentity (src/run/probe.h): one
	                  * round trip when AWS already accepts the key, more while it propagates */
	depend(b, s, "key", "attach-readonly", "attach-discover", "policy-readonly",
	       "policy-discover", (const char *)NULL);
}

/* The export step for wizard/migrate: create, skip when equal, else update (destructive). */
static enum cx_status ensure_export(struct builder *b, const struct export_spec *spec)
{
	const struct plan_export_fact *ex = plan_facts_export(b->f, spec->name, spec->legacy);
	cJSON *def =
	    spec->legacy ? export_legacy_definition(spec) : export_cur2_definition(spec, b->err);
	if (!def)
		return b->err ? b->err->status : CX_E_IO;
	const char *svc = spec->legacy ? "cur" : "bcm-data-exports";
	struct plan_step *s;
	if (!ex) {
		cJSON *req = cJSON_CreateObject();
		cJSON_AddItemToObject(req, spec->legacy ? "ReportDefinition" : "Export", def);
		cJSON_AddItemToObject(req, spec->legacy ? "Tags" : "ResourceTags", owner_tags());
		s = add_step(b, "export", svc,
		             spec->legacy ? "PutReportDefinition" : "CreateExport", PLAN_CREATE,
		             req, "%s", spec->name);
	} else {
		struct strv d = STRV_INIT;
		bool eq = ex->definition && export_compare(ex->definition, def, &d);
		cJSON *req = cJSON_CreateObject();
		if (spec->legacy)
			cJSON_AddStringToObject(req, "ReportName", spec->name);
		else
			cJSON_AddStringToObject(req, "ExportArn", ex->arn ? ex->arn : "");
		cJSON_AddItemToObject(req, spec->legacy ? "ReportDefinition" : "Export", def);
		s = add_step(b, "export", svc,
		             spec->legacy ? "ModifyReportDefinition" : "UpdateExport", PLAN_UPDATE,
		             req, "%s", spec->name);
		if (eq) {
			skip(s, "%s %s exists with the same definition",
			     spec->legacy ? "report" : "export", spec->name);
		} else {
			s->destructive = true;
			s->differences = d;
			d.n = 0;
			d.v = NULL;
			strv_add(&b->p->warnings,
			         "%s %s exists with a different definition; applying replaces it "
			         "(needs --yes)",
			         spec->legacy ? "report" : "export", spec->name);
		}
		strv_free(&d);
	}
	depend(b, s, "bucket", "bucket-policy", (const char *)NULL);
	return CX_OK;
}

static const struct plan_data_source_fact *ds_for_account(const struct plan_facts *f)
{
	for (size_t i = 0; i < f->ndata_sources; i++)
		if (str_eq(f->data_sources[i].account_id, f->account_id))
			return &f->data_sources[i];
	return NULL;
}

int plan_server_chain(bool linked, const char *scheme, bool legacy, size_t exports, bool named,
                      bool bucket_exists, bool delivered)
{
	int n = 1; /* sts GetCallerIdentity */
	if (linked || !scheme)
		return n;
	/* the listing, its first page only (OptScale aws.py find_reports): one
	 * DescribeReportDefinitions; ListExports, then GetExport of each (20 a page at most) */
	int listing = legacy ? 1 : 1 + (int)(exports < 20 ? exports : 20);
	int download = delivered ? 2 : 0; /* boto3 download_fileobj: HeadObject, GetObject */
	if (str_eq(scheme, "find_report"))
		return n + listing + 1 + download;
	n += 1;                            /* s3 GetBucketLocation */
	if (str_eq(scheme, "bucket_only")) /* GetBucketLocation again, the listing by folder */
		return n + 2 + (delivered ? (legacy ? 1 : 2) + download : 0);
	if (!bucket_exists)
		n += 3; /* CreateBucket, GetCallerIdentity, PutBucketPolicy */
	return n + listing + (named ? 0 : 1) + 1 + download;
}

/* plan_server_chain with what the account will hold when CerteroX checks it: the exports of
 * the kind in the facts, plus the one the plan creates; the bucket as the plan leaves it. */
static int server_chain(const struct builder *b, bool linked, const char *scheme, bool legacy,
                        const char *report)
{
	const struct plan_facts *f = b->f;
	size_t exports = 0;
	for (size_t i = 0; i < f->nexports; i++)
		exports += f->exports[i].legacy == legacy;
	const struct plan_export_fact *ex = report ? plan_facts_export(f, report, legacy) : NULL;
	const struct plan_step *create = plan_find(b->p, "export");
	bool created = create && create->kind == PLAN_CREATE;
	const struct plan_step *bk = plan_find(b->p, "bucket");
	bool bucket = f->bucket_exists || (bk && bk->kind == PLAN_CREATE);
	/* CerteroX's listing gets GetExport of its first page only (the page discovery saw) */
	if (!legacy && exports + (created ? 1 : 0) > (size_t)cx_exports_page(f))
		exports = (size_t)cx_exports_page(f) - (created ? 1 : 0);
	return plan_server_chain(linked, scheme, legacy, exports + (created ? 1 : 0),
	                         ex != NULL || created, bucket, ex && ex->delivered);
}

static void certerox_create(struct builder *b, const char *scheme, const char *bucket,
                            const char *prefix, const char *report, bool legacy)
{
	const struct answers *a = b->a;
	bool linked = a->connection == ANSWERS_LINKED;
	cJSON *req = cJSON_CreateObject();
	if (a->certerox.organization_id)
		cJSON_AddStringToObject(req, "organization_id", a->certerox.organization_id);
	else
		cJSON_AddNullToObject(req, "organization_id");
	cJSON *body = cJSON_AddObjectToObject(req, "body");
	cJSON_AddStringToObject(body, "name", a->data_source.name ? a->data_source.name : "");
	cJSON_AddStringToObject(body, "type", "aws_cnr");
	cJSON *cfg = cJSON_AddObjectToObject(body, "config");
	cJSON_AddBoolToObject(cfg, "linked", linked);
	if (!linked) {
		if (planb_cx_version_keys(b, cfg, a->data_source.use_edp_discount, legacy ? 1 : 2))
			strv_add(
			    &b->p->warnings,
			    "data_source.use_edp_discount: this CerteroX does not accept the key "
			    "(OptScale before 2024-10); the data source is connected without it");
		cJSON_AddStringToObject(cfg, "config_scheme", scheme);
		if (!str_eq(scheme, "find_report")) {
			cJSON_AddStringToObject(cfg, "bucket_name", bucket);
			cJSON_AddStringToObject(cfg, "bucket_prefix", prefix ? prefix : "");
			cJSON_AddStringToObject(cfg, "report_name", report);
		}
	}
	struct plan_step *s = add_step(b, "certerox", "certerox", "CreateDataSource", PLAN_CREATE,
	                               req, "%s", a->data_source.name ? a->data_source.name : "");
	s->server_requests = server_chain(b, linked, scheme, legacy, report);
	depend(b, s, "key-check", "export", "bucket-policy", (const char *)NULL);
	const struct plan_data_source_fact *ds = ds_for_account(b->f);
	if (ds)
		skip(s, "data source \"%s\" (%s) already connects account %s",
		     ds->name ? ds->name : "", ds->id ? ds->id : "", b->f->account_id);
}

static enum cx_status build_root(struct builder *b)
{
	const struct answers *a = b->a;
	const struct plan_facts *f = b->f;
	const struct answers_export *e = &a->export;
	bool legacy = e->type == ANSWERS_LEGACY;
	enum cx_status st = owner_check_connected(a, f, &b->p->warnings, b->err);
	if (st != CX_OK)
		return st;
	char *bucket = xstrdup(e->bucket);
	char *prefix = validate_prefix_normalize(e->prefix ? e->prefix : "");
	char *region = NULL;
	/* the prefix CerteroX is sent: an existing export's S3Prefix verbatim, as AWS stores it
	 * (OptScale's create_report compares it exactly, trailing '/' included) */
	char *cx_prefix = NULL;
	const struct plan_export_fact *detected = NULL; /* detect: the export CerteroX will find */
	const char *scheme = "create_report";
	const char *kind = legacy ? "legacy CUR report" : "Data Export";
	const struct plan_export_fact *ex = plan_facts_export(f, e->name, legacy);

	if (!legacy && (f->cx_unsupported & PLAN_CX_NO_CUR_VERSION)) {
		st = cx_err_set(
		    b->err, CX_E_INPUT,
		    "export.type: \"cur2\" needs a CerteroX that accepts config.cur_version, "
		    "and this one refuses it (OE0212: an OptScale release before 2024-08, "
		    "without CUR 2.0); choose export.type \"legacy\" (a legacy CUR report), "
		    "or upgrade CerteroX");
		goto out;
	}
	if (e->setup == ANSWERS_EXISTING) {
		if (!ex) {
			st = cx_err_set(
			    b->err, CX_E_INPUT,
			    "export.name: \"%s\" is not an existing %s of account %s; use "
			    "export.setup \"wizard\" to create it",
			    e->name, kind, f->account_id);
			goto out;
		}
		struct strv r = STRV_INIT;
		/* a legacy report with split data: CerteroX can read it with bucket_only (C8) */
		bool split = legacy && export_legacy_has_split(ex->definition);
		if (ex->definition && !(split ? export_accept_legacy_split(ex->definition, NULL, &r)
		                              : export_accept(ex->definition, legacy, NULL, &r))) {
			char *why = strv_join(&r, "; ");
			st = cx_err_set(b->err, CX_E_INPUT,
			                "export.name: CerteroX cannot import %s \"%s\": %s", kind,
			                e->name, why);
			free(why);
			strv_free(&r);
			goto out;
		}
		strv_free(&r);
		/* bucket and prefix come from the export itself */
		const cJSON *d = ex->definition;
		const cJSON *s3 =
		    legacy ? d
		           : json_obj(json_obj(d, "DestinationConfigurations"), "S3Destination");
		const char *xb = json_str(s3, "S3Bucket"), *xp = json_str(s3, "S3Prefix");
		if (xb && bucket && strcmp(xb, bucket) != 0)
			strv_add(&b->p->warnings,
			         "export.bucket: %s %s delivers to bucket %s, not %s; using %s",
			         kind, e->name, xb, bucket, xb);
		if (xb) {
			free(bucket);
			bucket = xstrdup(xb);
		}
		if (xp) {
			free(prefix);
			prefix = validate_prefix_normalize(xp);
			cx_prefix = xstrdup(xp);
		}
		if (export_legacy_split_asked(a) && !split) {
			st = cx_err_set(
			    b->err, CX_E_INPUT,
			    "export.split_cost_allocation: true, and the existing legacy CUR "
			    "report "
			    "\"%s\" has no SPLIT_COST_ALLOCATION_DATA; the wizard does not change "
			    "an "
			    "existing report: use setup \"wizard\", or split_cost_allocation false",
			    e->name);
			goto out;
		}
		scheme = ex->delivered ? "bucket_only" : "create_report";
		if (split) {
			if ((st = cx_legacy_split_scheme(ex->delivered, e->name,
			                                 cx_prefix ? cx_prefix : prefix, &scheme,
			                                 &b->p->warnings, b->err)) != CX_OK)
				goto out;
		} else if (!ex->delivered)
			strv_add(
			    &b->p->warnings,
			    "%s %s has not delivered files yet: CerteroX is asked to use it with "
			    "\"create_report\" (\"bucket_only\" would fail until the first "
			    "delivery, "
			    "up to 24 hours)",
			    kind, e->name);
	} else if (e->setup == ANSWERS_DETECT) {
		scheme = "find_report";
		const struct plan_export_fact *first = NULL;
		size_t nkind = 0;
		for (size_t i = 0; i < f->nexports; i++) {
			if (f->exports[i].legacy != legacy)
				continue;
			nkind++;
			if (!first && f->exports[i].definition &&
			    export_accept(f->exports[i].definition, legacy, NULL, NULL))
				first = &f->exports[i];
		}
		detected = first;
		if (!first)
			strv_add(
			    &b->p->warnings,
			    "export.setup: no existing %s of account %s passes CerteroX's rules "
			    "(%zu "
			    "found); CerteroX will answer \"Unable to find report with required "
			    "configuration\"",
			    kind, f->account_id, nkind);
		if (!bucket && first) {
			const cJSON *d = first->definition;
			const cJSON *s3 = legacy
			                      ? d
			                      : json_obj(json_obj(d, "DestinationConfigurations"),
			                                 "S3Destination");
			bucket = xstrdup(json_str(s3, "S3Bucket"));
			if (json_str(s3, "S3Prefix")) {
				free(prefix);
				prefix = validate_prefix_normalize(json_str(s3, "S3Prefix"));
			}
		}
		if (!bucket) {
			st = cx_err_set(
			    b->err, CX_E_INPUT,
			    "export.bucket: is required: the ReadOnly policy names the bucket "
			    "and no existing %s to take it from was found",
			    kind);
			goto out;
		}
	} else if (e->setup == ANSWERS_SETUP_CERTEROX && ex) {
		struct export_spec dest;
		export_spec_from_answers(&dest, a, prefix,
		                         f->bucket_exists && f->bucket_region ? f->bucket_region
		                                                              : e->bucket_region);
		dest.bucket = bucket;
		struct strv r = STRV_INIT;
		if (ex->definition && !export_accept(ex->definition, legacy, &dest, &r)) {
			char *why = strv_join(&r, "; ");
			st = cx_err_set(
			    b->err, CX_E_INPUT,
			    "export.name: a %s named \"%s\" exists and CerteroX would refuse "
			    "it: %s",
			    kind, e->name, why);
			free(why);
			strv_free(&r);
			goto out;
		}
		strv_free(&r);
		const cJSON *s3 =
		    legacy ? ex->definition
		           : json_obj(json_obj(ex->definition, "DestinationConfigurations"),
		                      "S3Destination");
		if (json_str(s3, "S3Prefix"))
			cx_prefix = xstrdup(json_str(s3, "S3Prefix"));
	}
	if (!bucket) {
		st = cx_err_set(b->err, CX_E_INPUT, "export.bucket: is required");
		goto out;
	}
	/* issue 13 C8: a legacy report with split data passes none of OptScale's report checks */
	if (e->setup == ANSWERS_WIZARD && export_legacy_split_asked(a) &&
	    (st = cx_legacy_split_scheme(ex && ex->delivered, e->name, prefix, &scheme,
	                                 &b->p->warnings, b->err)) != CX_OK)
		goto out;
	/* a scheme that copes with OptScale's listing (first page only, HTTP 500 on odd exports) */
	if (e->setup == ANSWERS_DETECT) {
		if (detected) {
			free(cx_prefix);
			const cJSON *d = detected->definition;
			const cJSON *s3 = legacy
			                      ? d
			                      : json_obj(json_obj(d, "DestinationConfigurations"),
			                                 "S3Destination");
			if (json_str(s3, "S3Prefix"))
				cx_prefix = xstrdup(json_str(s3, "S3Prefix"));
		}
		st = cx_pick_scheme(f, legacy, detected ? detected->name : NULL, false, cx_prefix,
		                    detected && detected->delivered, &scheme, &b->p->warnings,
		                    b->err);
	} else {
		bool cx_creates = e->setup == ANSWERS_SETUP_CERTEROX && !ex;
		st = cx_pick_scheme(f, legacy, cx_creates ? NULL : e->name,
		                    e->setup == ANSWERS_WIZARD, cx_prefix ? cx_prefix : prefix,
		                    ex && ex->delivered, &scheme, &b->p->warnings, b->err);
	}
	if (st != CX_OK)
		goto out;
	region = xstrdup(f->bucket_exists && f->bucket_region && *f->bucket_region
	                     ? f->bucket_region
	                     : (e->bucket_region ? e->bucket_region : "us-east-1"));

	/* issue 13 C5, C3: what AWS would refuse part-way, refused before any write */
	if ((st = refuse_undeliverable(b, bucket, prefix, region, legacy)) != CX_OK)
		goto out;

	/* 1. bucket + bucket policy */
	bool may_create =
	    e->create_bucket && e->setup != ANSWERS_EXISTING && e->setup != ANSWERS_DETECT;
	if ((st = ensure_bucket(b, bucket, region, may_create,
	                        e->setup == ANSWERS_SETUP_CERTEROX)) != CX_OK)
		goto out;
	if (!f->bucket_exists && !may_create)
		free(region), region = xstrdup("eu-central-1");

	/* 2. IAM policies */
	/* CerteroX creating the export needs cur:PutReportDefinition: legacy reports are made
	 * with it, and it is a dependent action of bcm-data-exports:CreateExport for the
	 * COST_AND_USAGE_REPORT table (Service Authorization Reference, Data Exports: the
	 * CreateExport operation authorizes cur:PutReportDefinition) (issue 13 C9) */
	bool legacy_create = e->setup == ANSWERS_SETUP_CERTEROX;
	/* and a bucket it is to create, s3:CreateBucket and s3:PutBucketPolicy on it (OptScale
	 * tools/cloud_adapter/clouds/aws.py AWS.create_bucket_for_report, with the key) (C6) */
	bool bucket_create = e->setup == ANSWERS_SETUP_CERTEROX && !f->bucket_exists && !may_create;
	cJSON *ro = policy_readonly(bucket, legacy_create, b->err);
	cJSON *extra = ro && bucket_create ? policy_template("policies/readonly-create-bucket.json",
	                                                     bucket, NULL, b->err)
	                                   : NULL;
	cJSON *disc = ro && (extra || !bucket_create) ? policy_discover(b->err) : NULL;
	if (!ro || !disc) {
		cJSON_Delete(ro);
		cJSON_Delete(extra);
		st = b->err ? b->err->status : CX_E_IO;
		goto out;
	}
	if (extra)
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(ro, "Statement"), extra);
	if (legacy_create)
		strv_push(&b->p->warnings,
		          legacy
		              ? validate_legacy_create_warning
		              : "export.setup: CerteroX creates the Data Export with "
		                "bcm-data-exports:CreateExport, whose dependent action "
		                "cur:PutReportDefinition (AWS Service Authorization Reference) the "
		                "guide's ReadOnly policy does not grant; the plan adds a statement "
		                "allowing cur:PutReportDefinition to the ReadOnly policy");
	if (bucket_create)
		strv_add(&b->p->warnings,
		         "export.bucket: CerteroX creates bucket %s with the data source's key, "
		         "which needs s3:CreateBucket and s3:PutBucketPolicy on it; the guide's "
		         "ReadOnly policy does not grant them, the plan adds statement "
		         "CerteroXCreateBucket",
		         bucket);
	if ((st = ensure_policy(b, "readonly", a->iam.readonly_policy, ro, false)) != CX_OK) {
		cJSON_Delete(disc);
		goto out;
	}
	if ((st = ensure_policy(b, "discover", a->iam.discover_policy, disc, false)) != CX_OK)
		goto out;

	/* 3. user, attachments, key */
	if ((st = ensure_user_and_key(b, true)) != CX_OK || (st = ensure_key(b)) != CX_OK)
		goto out;

	/* 4. export (wizard only) */
	if (e->setup == ANSWERS_WIZARD) {
		struct export_spec spec;
		export_spec_from_answers(&spec, a, prefix, region);
		spec.bucket = bucket;
		if ((st = ensure_export(b, &spec)) != CX_OK)
			goto out;
	}
	/* a bucket CerteroX has yet to create cannot be probed (issue 13 C6) */
	key_check(b, NULL,
	          e->setup == ANSWERS_SETUP_CERTEROX && !f->bucket_exists && !may_create ? NULL
	                                                                                 : bucket,
	          prefix, legacy, false);

	/* 5. CerteroX */
	certerox_create(b, scheme, bucket, cx_prefix ? cx_prefix : prefix,
	                detected ? detected->name : e->name, legacy);

	if (f->org_role == PLAN_ORG_MEMBER)
		strv_add(
		    &b->p->warnings,
		    "connection: account %s is a member of an AWS organization; its billing data "
		    "normally comes through the management account: consider a linked connection",
		    f->account_id);
	b->p->target.legacy = legacy;
	b->p->target.bucket = bucket;
	b->p->target.prefix = prefix;
	b->p->target.region = region;
	b->p->target.export_name = xstrdup(e->name);
	b->p->target.config_scheme = xstrdup(scheme);
	bucket = prefix = region = NULL;
out:
	free(bucket);
	free(prefix);
	free(cx_prefix);
	free(region);
	return st;
}

static enum cx_status build_linked(struct builder *b)
{
	const struct plan_facts *f = b->f;
	enum cx_status cst = owner_check_connected(b->a, f, &b->p->warnings, b->err);
	if (cst != CX_OK)
		return cst;
	cJSON *disc = policy_discover(b->err);
	if (!disc)
		return b->err ? b->err->status : CX_E_IO;
	enum cx_status st = ensure_policy(b, "discover", b->a->iam.discover_policy, disc, false);
	if (st == CX_OK)
		st = ensure_user_and_key(b, false);
	if (st == CX_OK)
		st = ensure_key(b);
	if (st != CX_OK)
		return st;
	key_check(b, NULL, NULL, NULL, false, true);
	certerox_create(b, NULL, NULL, NULL, NULL, false);
	if (f->data_sources_known) {
		bool root = false;
		for (size_t i = 0; i < f->ndata_sources; i++)
			if (!f->data_sources[i].linked)
				root = true;
		if (!root)
			strv_push(&b->p->warnings,
			          "AWS Root Account is missing. AWS Linked Account relies "
			          "on billing data from its AWS Root Account.");
	}
	if (f->org_role == PLAN_ORG_MANAGEMENT || f->org_role == PLAN_ORG_STANDALONE)
		strv_add(
		    &b->p->warnings,
		    "connection: account %s is %s; it pays its own bills, so a root connection "
		    "is usually what you want",
		    f->account_id,
		    f->org_role == PLAN_ORG_MANAGEMENT ? "an organization's management account"
		                                       : "not in an organization");
	return CX_OK;
}

bool planb_cx_version_keys(const struct builder *b, cJSON *cfg, bool use_edp_discount,
                           int cur_version)
{
	if (!(b->f->cx_unsupported & PLAN_CX_NO_USE_EDP_DISCOUNT))
		cJSON_AddBoolToObject(cfg, "use_edp_discount", use_edp_discount);
	if (!(b->f->cx_unsupported & PLAN_CX_NO_CUR_VERSION))
		cJSON_AddNumberToObject(cfg, "cur_version", cur_version);
	return use_edp_discount && (b->f->cx_unsupported & PLAN_CX_NO_USE_EDP_DISCOUNT);
}

static enum cx_status build_migrate(struct builder *b)
{
	const struct answers *a = b->a;
	const struct plan_facts *f = b->f;
	const struct plan_data_source_fact *ds = NULL;
	for (size_t i = 0; i < f->ndata_sources; i++)
		if (str_eq(f->data_sources[i].id, a->migrate.data_source_id))
			ds = &f->data_sources[i];
	if (!ds)
		return cx_err_set(b->err, CX_E_INPUT,
		                  "migrate.data_source_id: data source \"%s\" was not found in the "
		                  "CerteroX organization",
		                  a->migrate.data_source_id);
	if (ds->linked)
		return cx_err_set(
		    b->err, CX_E_INPUT,
		    "migrate.data_source_id: data source \"%s\" is a linked connection; "
		    "only a root connection has an export to migrate",
		    a->migrate.data_source_id);
	if (f->cx_unsupported & PLAN_CX_NO_CUR_VERSION)
		return cx_err_set(
		    b->err, CX_E_INPUT,
		    "action: \"migrate\" needs a CerteroX that accepts config.cur_version, and "
		    "this one refuses it (OE0212: an OptScale release before 2024-08, without "
		    "CUR 2.0); data source \"%s\" stays on its legacy CUR report: upgrade "
		    "CerteroX, then migrate",
		    a->migrate.data_source_id);
	if (ds->account_id && !str_eq(ds->account_id, f->account_id))
		return cx_err_set(
		    b->err, CX_E_INPUT,
		    "migrate.data_source_id: data source \"%s\" connects account %s, but "
		    "the AWS credentials are of account %s",
		    a->migrate.data_source_id, ds->account_id, f->account_id);
	const char *bk = a->has_export && a->export.bucket ? a->export.bucket : ds->bucket;
	if (!bk)
		return cx_err_set(b->err, CX_E_INPUT,
		                  "export.bucket: is required: data source \"%s\" names no bucket",
		                  a->migrate.data_source_id);
	enum cx_status st;
	char *bucket = xstrdup(bk);
	char *prefix = validate_prefix_normalize(
	    a->has_export && a->export.prefix ? a->export.prefix : (ds->prefix ? ds->prefix : ""));
	char *region =
	    xstrdup(f->bucket_region && *f->bucket_region ? f->bucket_region : "us-east-1");
	const char *name = a->migrate.export_name;
	bool done = ds->cur_version == 2 && str_eq(ds->report_name, name);

	/* bucket policy: only when it lacks the Data Exports principal */
	struct cx_err perr;
	cx_err_clear(&perr);
	cJSON *cur = f->bucket_policy ? policy_parse(f->bucket_policy, &perr) : NULL;
	bool permits = cur && policy_bucket_permits_delivery(cur, bucket, false, true);
	cJSON_Delete(cur);
	if (!f->bucket_exists) {
		st = cx_err_set(b->err, CX_E_INPUT,
		                "export.bucket: bucket \"%s\" does not exist in account %s", bucket,
		                f->account_id);
		goto out;
	}
	if ((st = refuse_billing_deny(b, bucket, prefix, name, false)) != CX_OK)
		goto out;
	if (permits) {
		cJSON *req = obj_strs("Bucket", bucket, "Region", region);
		struct plan_step *s = add_step(b, "bucket-policy", "s3", "PutBucketPolicy",
		                               PLAN_SKIP, req, "%s", bucket);
		skip(s, "the bucket policy already lets bcm-data-exports.amazonaws.com deliver");
	} else if ((st = ensure_bucket(b, bucket, region, false, false)) != CX_OK) {
		goto out;
	}
	cJSON *ro = policy_readonly(bucket, false, b->err);
	if (!ro) {
		st = b->err ? b->err->status : CX_E_IO;
		goto out;
	}
	const struct plan_life *life = f->life && f->life->user ? f->life : NULL;
	if (life) {
		cJSON_Delete(ro);
		plan_migrate_grants(b, bucket); /* plan_rotate.c: the data source's real user */
	} else if ((st = ensure_policy(b, "readonly", a->iam.readonly_policy, ro, true)) != CX_OK) {
		goto out;
	}
	bool new_key = life && !plan_life_key_live(life);
	if (new_key && !plan_add_new_key(b, ds)) {
		st = b->err->status;
		goto out;
	}

	struct export_spec spec;
	export_spec_from_answers(&spec, a, prefix, region);
	spec.legacy = false;
	spec.bucket = bucket;
	if ((st = ensure_export(b, &spec)) != CX_OK)
		goto out;
	key_check(b, NULL, bucket, prefix, false, false);
	struct plan_step *kc = (struct plan_step *)plan_find(b->p, "key-check");
	if (kc && life) {
		cJSON_ReplaceItemInObjectCaseSensitive(kc->request, "UserName",
		                                       cJSON_CreateString(life->user));
		cJSON_ReplaceItemInObjectCaseSensitive(
		    kc->request, "KeySource", cJSON_CreateString(new_key ? "created" : "vault"));
		free(kc->title);
		kc->title = xasprintf("sts CheckKey %s", life->user);
		cJSON_AddBoolToObject(kc->request, "Discover",
		                      plan_life_grants(life, "ec2:DescribeRegions"));
	} else if (kc) {
		cJSON_ReplaceItemInObjectCaseSensitive(kc->request, "UserName", cJSON_CreateNull());
	}

	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "data_source_id", ds->id);
	cJSON *body = cJSON_AddObjectToObject(req, "body");
	cJSON *cfg = cJSON_AddObjectToObject(body, "config");
	cJSON_AddBoolToObject(cfg, "linked", false);
	if (planb_cx_version_keys(b, cfg, a->data_source.use_edp_discount, 2))
		strv_add(&b->p->warnings,
		         "data_source.use_edp_discount: this CerteroX does not accept the key "
		         "(OptScale before 2024-10); the data source is updated without it");
	cJSON_AddStringToObject(cfg, "config_scheme", "create_report");
	cJSON_AddStringToObject(cfg, "bucket_name", bucket);
	cJSON_AddStringToObject(cfg, "bucket_prefix", prefix);
	cJSON_AddStringToObject(cfg, "report_name", name);
	struct plan_step *s = add_step(b, "certerox", "certerox", "UpdateDataSource", PLAN_UPDATE,
	                               req, "%s", ds->name ? ds->name : ds->id);
	s->server_requests = server_chain(b, false, "create_report", false, name);
	depend(b, s, "key-check", "export", "bucket-policy", "policy-readonly", (const char *)NULL);
	if (done && !new_key)
		skip(s, "data source \"%s\" already uses CUR 2.0 export %s",
		     ds->name ? ds->name : ds->id, name);
	if (new_key)
		plan_add_retire_old_key(b);

	if (a->migrate.delete_legacy_report && ds->report_name && ds->cur_version != 2) {
		const struct plan_export_fact *old = plan_facts_export(f, ds->report_name, true);
		s = add_step(b, "legacy-delete", "cur", "DeleteReportDefinition", PLAN_DELETE,
		             obj_strs("ReportName", ds->report_name, NULL, NULL), "%s",
		             ds->report_name);
		s->destructive = true;
		depend(b, s, "certerox", (const char *)NULL);
		if (!old)
			skip(s, "legacy report %s does not exist", ds->report_name);
	}
	b->p->target.legacy = false;
	b->p->target.bucket = bucket;
	b->p->target.prefix = prefix;
	b->p->target.region = region;
	b->p->target.export_name = xstrdup(name);
	b->p->target.config_scheme = xstrdup("create_report");
	bucket = prefix = region = NULL;
	st = CX_OK;
out:
	free(bucket);
	free(prefix);
	free(region);
	return st;
}

/* The new key's description (step "key-tag") goes out after the key check, not beside it: the
 * check's first calls may wait long on AWS (and, in the sim, on moto's first use of EC2), and a
 * write that waits behind them is retried for nothing. Nothing depends on "key-tag", so moving
 * it right behind "key-check" keeps the steps in a topological order; the critical path is
 * unchanged (it runs beside the CerteroX step). */
static void tag_after_check(struct builder *b)
{
	struct plan *p = b->p;
	size_t t = p->n, c = p->n;
	for (size_t i = 0; i < p->n; i++) {
		if (str_eq(p->steps[i].id, "key-tag"))
			t = i;
		else if (str_eq(p->steps[i].id, "key-check"))
			c = i;
	}
	if (t >= c || c == p->n)
		return;
	struct plan_step tag = p->steps[t];
	memmove(&p->steps[t], &p->steps[t + 1], (c - t) * sizeof(*p->steps));
	p->steps[c] = tag;
	depend(b, &p->steps[c], "key-check", (const char *)NULL);
}

enum cx_status plan_build(struct plan *p, const struct answers *a, const struct plan_facts *f,
                          const struct plan_options *opt, struct cx_err *err)
{
	memset(p, 0, sizeof(*p));
	if (!f->account_id || validate_account_id("facts.account_id", f->account_id, err) != CX_OK)
		return f->account_id ? CX_E_INPUT
		                     : cx_err_set(err, CX_E_INPUT, "facts.account_id: is required");
	struct builder b = {.p = p, .a = a, .f = f, .err = err};
	if (opt)
		b.opt = *opt;
	p->target.account_id = xstrdup(f->account_id);
	enum cx_status st;
	const char *life_ds = f->life ? f->life->data_source_id : NULL;
	const struct plan_data_source_fact *lds = NULL;
	for (size_t i = 0; life_ds && i < f->ndata_sources; i++)
		if (str_eq(f->data_sources[i].id, life_ds))
			lds = &f->data_sources[i];
	if (a->action == ANSWERS_ROTATE)
		st = plan_build_rotate(&b, lds, false);
	else if (a->action == ANSWERS_DISCONNECT)
		st = plan_build_disconnect(&b);
	else if (a->action == ANSWERS_CONNECT && lds && !plan_life_key_live(f->life))
		st = plan_build_rotate(&b, lds, true); /* CerteroX reconciled by key */
	else if (a->action == ANSWERS_MIGRATE)
		st = build_migrate(&b);
	else if (a->connection == ANSWERS_LINKED)
		st = build_linked(&b);
	else
		st = build_root(&b);
	if (st != CX_OK) {
		plan_free(p);
		return st;
	}
	tag_after_check(&b);
	p->discovery_depth = f->discovery_depth;
	p->depth = plan_depth(p);
	return CX_OK;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct plan_step *s = &p->steps[i];
		free(s->id);
		free(s->title);
		cJSON_Delete(s->request);
		for (size_t d = 0; d < s->ndeps; d++)
			free(s->deps[d]);
		free(s->deps);
		free(s->skip_reason);
		free(s->diff);
		strv_free(&s->differences);
	}
	free(p->steps);
	free(p->target.account_id);
	free(p->target.bucket);
	free(p->target.prefix);
	free(p->target.region);
	free(p->target.export_name);
	free(p->target.config_scheme);
	strv_free(&p->warnings);
	memset(p, 0, sizeof(*p));
}

const struct plan_step *plan_find(const struct plan *p, const char *id)
{
	for (size_t i = 0; i < p->n; i++)
		if (str_eq(p->steps[i].id, id))
			return &p->steps[i];
	return NULL;
}

void plan_critical_path(const struct plan *p, struct plan_path *out)
{
	memset(out, 0, sizeof(*out));
	out->discovery = p->discovery_depth;
	/* per step: the chain ending with it (steps are in a topological order: every dep
	 * precedes its dependant) */
	struct plan_path *at = xcalloc(p->n + 1, sizeof(*at));
	struct plan_path best = {0};
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_step *s = &p->steps[i];
		struct plan_path start = {0};
		for (size_t d = 0; d < s->ndeps; d++)
			for (size_t j = 0; j < i; j++)
				if (str_eq(p->steps[j].id, s->deps[d]) && at[j].total > start.total)
					start = at[j];
		at[i] = start;
		at[i].requests += s->requests;
		at[i].server += s->server_requests;
		at[i].total += s->requests + s->server_requests;
		if (at[i].total > best.total)
			best = at[i];
	}
	free(at);
	out->requests = best.requests;
	out->server = best.server;
	out->total = out->discovery + best.total;
}

int plan_depth(const struct plan *p)
{
	struct plan_path path;
	plan_critical_path(p, &path);
	return path.total;
}

size_t plan_writes(const struct plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].kind == PLAN_CREATE || p->steps[i].kind == PLAN_UPDATE ||
		    p->steps[i].kind == PLAN_DELETE)
			n++;
	return n;
}

bool plan_needs_confirmation(const struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].destructive && p->steps[i].kind != PLAN_SKIP)
			return true;
	return false;
}

/* ---- for the builders in other files (plan_int.h) ---- */

struct plan_step *planb_add(struct builder *b, const char *id, const char *service, const char *op,
                            enum plan_kind kind, cJSON *req, const char *subject)
{
	return add_step(b, id, service, op, kind, req, "%s", subject ? subject : "");
}

void planb_skip(struct plan_step *s, const char *reason)
{
	skip(s, "%s", reason);
}

void planb_depend(struct builder *b, struct plan_step *s, const char *dep)
{
	depend(b, s, dep, (const char *)NULL);
}

struct plan_step *planb_key_check(struct builder *b, const char *user, const char *bucket,
                                  const char *prefix, bool legacy, bool linked)
{
	key_check(b, NULL, bucket, prefix, legacy, linked);
	struct plan_step *kc = (struct plan_step *)plan_find(b->p, "key-check");
	cJSON_ReplaceItemInObjectCaseSensitive(kc->request, "UserName", cJSON_CreateString(user));
	cJSON_ReplaceItemInObjectCaseSensitive(kc->request, "KeySource",
	                                       cJSON_CreateString("created"));
	free(kc->title);
	kc->title = xasprintf("sts CheckKey %s", user);
	return kc;
}

int planb_server_chain(const struct builder *b, bool linked, const char *scheme, bool legacy,
                       const char *report)
{
	return server_chain(b, linked, scheme, legacy, report);
}

void planb_ensure_policy(struct builder *b, const char *tag, const char *name, cJSON *doc)
{
	ensure_policy(b, tag, name, doc, false);
}
