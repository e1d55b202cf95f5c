/* plan_rotate.c - rotate a data source's key, reconcile CerteroX by key, and migrate's grants
 * for the data source's real IAM user (plan_int.h).
 *
 * A data source's key is replaced in this order, so that CerteroX never holds a key that does
 * not work: a new key for the data source's user (saved in the vault the moment AWS returns
 * it), the key check, the PATCH with the whole config and the new key, and only then the old
 * key: deleted when the wizard made it, else deactivated (with --yes) and never deleted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diff.h"
#include "core/owner.h"
#include "core/cxrules.h"
#include "core/plan_int.h"
#include "core/plan_life.h"
#include "core/policy.h"
#include "core/validate.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

static cJSON *strs(const char *k1, const char *v1, const char *k2, const char *v2)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, k1, v1 ? v1 : "");
	if (k2)
		cJSON_AddStringToObject(o, k2, v2 ? v2 : "");
	return o;
}

static const char *ds_label(const struct plan_data_source_fact *ds)
{
	return ds->name ? ds->name : ds->id;
}

/* True when a data source of the facts other than skip uses this key in CerteroX. */
static bool key_used_elsewhere(const struct plan_facts *f, const char *id, const char *skip_ds)
{
	for (size_t i = 0; i < f->ndata_sources; i++)
		if (!str_eq(f->data_sources[i].id, skip_ds) &&
		    str_eq(f->data_sources[i].access_key_id, id))
			return true;
	return false;
}

bool plan_add_new_key(struct builder *b, const struct plan_data_source_fact *ds)
{
	const struct plan_life *l = b->f->life;
	const char *user = l->user;
	/* AWS allows two keys per user: make room with a key the wizard made that nothing uses */
	if (l->nkeys >= 2) {
		const char *spare = NULL;
		for (size_t i = 0; i < l->nkeys && !spare; i++)
			if (!str_eq(l->keys[i].id, l->access_key_id) &&
			    plan_life_made_key(l, l->keys[i].id) &&
			    !key_used_elsewhere(b->f, l->keys[i].id, NULL))
				spare = l->keys[i].id;
		if (!spare) {
			const char *why = plan_life_key_live(l) ? "a rotate asks for one"
			                  : !plan_life_key_status(l, l->access_key_id)
			                      ? "its key is not a key in AWS"
			                  : !l->key_in_vault
			                      ? "the vault does not hold the secret of its key"
			                      : "its key is inactive";
			cx_err_set(
			    b->err, CX_E_CONFLICT,
			    "iam.user: data source \"%s\" needs a new key (\"rotate\"): %s %s; but "
			    "user \"%s\" already "
			    "has two access keys (%s, %s) and AWS allows no third; the one "
			    "CerteroX "
			    "does not use was not made by certerox-aws-setup, so it is not "
			    "touched: "
			    "delete or choose one yourself (aws iam delete-access-key "
			    "--user-name %s --access-key-id ID) and run again",
			    ds->id, why, l->access_key_id ? l->access_key_id : "(none)", user,
			    l->keys[0].id, l->keys[1].id, user);
			return false;
		}
		char id[160];
		snprintf(id, sizeof(id), "key-delete-%s", spare);
		char subj[300];
		snprintf(subj, sizeof(subj), "%s %s", user, spare);
		struct plan_step *s = planb_add(b, id, "iam", "DeleteAccessKey", PLAN_DELETE,
		                                strs("UserName", user, "AccessKeyId", spare), subj);
		s->destructive = true;
		strv_add(
		    &b->p->warnings,
		    "iam: user %s has two access keys; %s, made by certerox-aws-setup and used "
		    "by no data source, is deleted to make room for the new key (needs --yes)",
		    user, spare);
	}
	struct plan_step *s = planb_add(b, "key", "iam", "CreateAccessKey", PLAN_CREATE,
	                                strs("UserName", user, NULL, NULL), user);
	for (size_t i = 0; i < b->p->n; i++)
		if (str_starts_with(b->p->steps[i].id, "key-delete-"))
			planb_depend(b, s, b->p->steps[i].id);
	/* the new key described on its user as the wizard's (core/owner.h), as connect does */
	cJSON *treq = strs("UserName", user, NULL, NULL);
	cJSON_AddNullToObject(treq, "Key"); /* the id of step "key"'s new key */
	cJSON_AddStringToObject(treq, "Value", OWNER_KEY_DESCRIPTION);
	struct plan_step *t = planb_add(b, "key-tag", "iam", "TagUser", PLAN_UPDATE, treq, user);
	planb_depend(b, t, "key");
	return true;
}

void plan_add_retire_old_key(struct builder *b)
{
	const struct plan_life *l = b->f->life;
	const char *old = l->access_key_id;
	const char *status = plan_life_key_status(l, old);
	const char *user = l->user;
	if (!old)
		return;
	if (!status) {
		strv_add(&b->p->warnings,
		         "access key %s that CerteroX held is no longer a key of user %s in AWS: "
		         "nothing old to remove",
		         old, user);
		return;
	}
	char subj[300];
	snprintf(subj, sizeof(subj), "%s %s", user, old);
	struct plan_step *s;
	if (plan_life_made_key(l, old)) {
		s = planb_add(b, "key-retire", "iam", "DeleteAccessKey", PLAN_DELETE,
		              strs("UserName", user, "AccessKeyId", old), subj);
	} else {
		cJSON *req = strs("UserName", user, "AccessKeyId", old);
		cJSON_AddStringToObject(req, "Status", "Inactive");
		s = planb_add(b, "key-retire", "iam", "UpdateAccessKey", PLAN_UPDATE, req, subj);
		s->destructive = true;
		char why[600];
		if (str_eq(status, "Inactive")) {
			snprintf(why, sizeof(why), "access key %s is already inactive", old);
			planb_skip(s, why);
		} else if (!b->opt.delete_unknown_keys) {
			snprintf(
			    why, sizeof(why),
			    "access key %s was not made by certerox-aws-setup: it stays active "
			    "(run with --yes to deactivate it; it is never deleted)",
			    old);
			planb_skip(s, why);
		} else {
			strv_add(
			    &b->p->warnings,
			    "access key %s of user %s was not made by certerox-aws-setup: it is "
			    "only deactivated, not deleted",
			    old, user);
		}
	}
	planb_depend(b, s, "certerox");
}

/* The AWS calls CerteroX makes one after another before it answers the PATCH: a new key
 * changes the config, so it checks the config it is sent as for a create, by the
 * config_scheme the PATCH carries (find_report when none) (OptScale
 * rest_api_server/controllers/cloud_account.py CloudAccountController.edit: handle_config,
 * then _configure_report when the config changed; tools/cloud_adapter/clouds/aws.py
 * Aws.configure_report). The data source imports from its bucket: it exists. */
static int patch_server_chain(const struct plan_facts *f, const struct plan_data_source_fact *ds,
                              bool legacy)
{
	if (ds->linked)
		return plan_server_chain(true, NULL, legacy, 0, false, true, false);
	const char *scheme =
	    ds->config_scheme && *ds->config_scheme ? ds->config_scheme : "find_report";
	size_t exports = 0;
	for (size_t i = 0; i < f->nexports; i++)
		exports += f->exports[i].legacy == legacy;
	/* CerteroX's listing gets GetExport of its first page only */
	if (!legacy && exports > (size_t)cx_exports_page(f))
		exports = (size_t)cx_exports_page(f);
	const struct plan_export_fact *ex =
	    ds->report_name ? plan_facts_export(f, ds->report_name, legacy) : NULL;
	return plan_server_chain(false, scheme, legacy, exports, ex != NULL, true,
	                         ex && ex->delivered);
}

/* The PATCH of ds with its whole config (the engine adds the key pair). */
static struct plan_step *patch_whole(struct builder *b, const struct plan_data_source_fact *ds)
{
	const struct plan_life *l = b->f->life;
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "data_source_id", ds->id);
	cJSON *body = cJSON_AddObjectToObject(req, "body");
	cJSON *cfg = cJSON_AddObjectToObject(body, "config");
	cJSON_AddBoolToObject(cfg, "linked", ds->linked);
	bool legacy = ds->cur_version != 2;
	if (!ds->linked) {
		/* the whole config as the server stores it: a key this CerteroX does not know
		 * (an older OptScale release) is not sent */
		planb_cx_version_keys(b, cfg, l->use_edp_discount, legacy ? 1 : 2);
		if (ds->config_scheme)
			cJSON_AddStringToObject(cfg, "config_scheme", ds->config_scheme);
		if (ds->bucket)
			cJSON_AddStringToObject(cfg, "bucket_name", ds->bucket);
		if (ds->bucket)
			cJSON_AddStringToObject(cfg, "bucket_prefix", ds->prefix ? ds->prefix : "");
		if (ds->report_name)
			cJSON_AddStringToObject(cfg, "report_name", ds->report_name);
	}
	struct plan_step *s = planb_add(b, "certerox", "certerox", "UpdateDataSource", PLAN_UPDATE,
	                                req, ds_label(ds));
	s->server_requests = patch_server_chain(b->f, ds, legacy);
	planb_depend(b, s, "key-check");
	return s;
}

enum cx_status plan_build_rotate(struct builder *b, const struct plan_data_source_fact *ds,
                                 bool reconcile)
{
	const struct plan_facts *f = b->f;
	const struct plan_life *l = f->life;
	const char *field = reconcile ? "data_source" : "rotate.data_source_id";
	if (!ds && !f->data_sources_known)
		return cx_err_set(b->err, CX_E_UNAVAILABLE,
		                  "%s: the data sources of the CerteroX organization could not be "
		                  "listed (see the warnings); nothing was changed",
		                  field);
	if (!ds)
		return cx_err_set(
		    b->err, CX_E_INPUT,
		    "%s: data source \"%s\" was not found in the CerteroX organization", field,
		    reconcile ? (l && l->data_source_id ? l->data_source_id : "")
		              : b->a->rotate.data_source_id);
	if (ds->account_id && !str_eq(ds->account_id, f->account_id))
		return cx_err_set(b->err, CX_E_INPUT,
		                  "%s: data source \"%s\" connects account %s, but the AWS "
		                  "credentials are of account %s",
		                  field, ds->id, ds->account_id, f->account_id);
	if (!l || !l->user)
		return cx_err_set(
		    b->err, CX_E_INPUT,
		    "%s: the IAM user of data source \"%s\" is unknown: AWS does not know its "
		    "access key %s (iam GetAccessKeyLastUsed) and the vault has no record of it; "
		    "disconnect it, or connect the account again",
		    field, ds->id, l && l->access_key_id ? l->access_key_id : "(none)");
	if (!l->user_exists)
		return cx_err_set(
		    b->err, CX_E_INPUT,
		    "%s: user \"%s\" of data source \"%s\" (from %s) does not exist in "
		    "account %s",
		    field, l->user, ds->id, l->user_source ? l->user_source : "?", f->account_id);
	if (reconcile)
		strv_add(&b->p->warnings,
		         "data source \"%s\" (%s) already connects account %s with access key %s, "
		         "which is %s: it gets a new key of user %s",
		         ds_label(ds), ds->id, f->account_id,
		         l->access_key_id ? l->access_key_id : "(none)",
		         !plan_life_key_status(l, l->access_key_id) ? "not a key in AWS"
		         : !l->key_in_vault                         ? "not in the vault"
		                                                    : "inactive",
		         l->user);
	if (!plan_add_new_key(b, ds))
		return b->err->status;
	bool legacy = ds->cur_version != 2;
	bool find = str_eq(ds->config_scheme, "find_report");
	struct plan_step *kc = planb_key_check(b, l->user, ds->linked || find ? NULL : ds->bucket,
	                                       ds->prefix, legacy, ds->linked);
	if (!reconcile)
		cJSON_AddBoolToObject(kc->request, "Discover",
		                      plan_life_grants(l, "ec2:DescribeRegions"));
	patch_whole(b, ds);
	plan_add_retire_old_key(b);
	struct plan_target *t = &b->p->target;
	t->legacy = legacy;
	if (!ds->linked) {
		t->bucket = xstrdup(ds->bucket);
		t->prefix = xstrdup(ds->prefix ? ds->prefix : "");
		t->region = xstrdup(l->region_name     ? l->region_name
		                    : f->bucket_region ? f->bucket_region
		                                       : "us-east-1");
		t->export_name = xstrdup(ds->report_name);
		t->config_scheme = xstrdup(ds->config_scheme);
	}
	return CX_OK;
}

/* ---- migrate: the Data Exports grants of the data source's real user ---- */

static const char *const data_exports_actions[] = {"bcm-data-exports:ListExports",
                                                   "bcm-data-exports:GetExport",
                                                   "bcm-data-exports:CreateExport", NULL};

static bool grants_all(const cJSON *doc, const char *const *acts)
{
	cJSON *req = cJSON_CreateObject();
	cJSON *st = cJSON_AddArrayToObject(req, "Statement");
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "Effect", "Allow");
	cJSON *a = cJSON_AddArrayToObject(s, "Action");
	for (size_t i = 0; acts[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(acts[i]));
	cJSON_AddStringToObject(s, "Resource", "*");
	cJSON_AddItemToArray(st, s);
	bool ok = doc && policy_missing_actions(doc, req, NULL);
	cJSON_Delete(req);
	return ok;
}

/* doc plus a statement with the Data Exports actions (a Sid no statement of doc has). */
static cJSON *with_data_exports(const cJSON *doc)
{
	cJSON *d = cJSON_Duplicate(doc, 1);
	cJSON *st = cJSON_GetObjectItemCaseSensitive(d, "Statement");
	if (cJSON_IsObject(st)) {
		cJSON *one = cJSON_DetachItemViaPointer(d, st);
		st = cJSON_AddArrayToObject(d, "Statement");
		cJSON_AddItemToArray(st, one);
	} else if (!cJSON_IsArray(st)) {
		cJSON_DeleteItemFromObjectCaseSensitive(d, "Statement");
		st = cJSON_AddArrayToObject(d, "Statement");
	}
	char sid[64] = "CerteroXDataExports";
	for (int n = 2;; n++) {
		bool taken = false;
		for (const cJSON *x = st->child; x; x = x->next)
			taken |= str_eq(json_str(x, "Sid"), sid);
		if (!taken)
			break;
		snprintf(sid, sizeof(sid), "CerteroXDataExports%d", n);
	}
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "Sid", sid);
	cJSON_AddStringToObject(s, "Effect", "Allow");
	cJSON *a = cJSON_AddArrayToObject(s, "Action");
	for (size_t i = 0; data_exports_actions[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(data_exports_actions[i]));
	cJSON_AddStringToObject(s, "Resource", "*");
	cJSON_AddItemToArray(st, s);
	return d;
}

bool plan_life_grants(const struct plan_life *l, const char *action)
{
	const char *acts[2] = {action, NULL};
	for (size_t i = 0; i < l->npolicies; i++)
		if (grants_all(l->policies[i].document, acts))
			return true;
	for (size_t i = 0; i < l->inline_names.n; i++)
		if (grants_all(cJSON_GetArrayItem(l->inline_docs, (int)i), acts))
			return true;
	return false;
}

void plan_migrate_grants(struct builder *b, const char *bucket)
{
	const struct plan_life *l = b->f->life;
	const char *user = l->user;
	/* already granted by an attached or inline policy: nothing to change */
	const char *granted = NULL;
	for (size_t i = 0; i < l->npolicies && !granted; i++)
		if (grants_all(l->policies[i].document, data_exports_actions))
			granted = l->policies[i].name;
	for (size_t i = 0; i < l->inline_names.n && !granted; i++)
		if (grants_all(cJSON_GetArrayItem(l->inline_docs, (int)i), data_exports_actions))
			granted = l->inline_names.v[i];
	if (granted) {
		struct plan_step *s =
		    planb_add(b, "policy-readonly", "iam", "CreatePolicyVersion", PLAN_SKIP,
		              strs("PolicyArn", "", NULL, NULL), granted);
		char why[400];
		snprintf(why, sizeof(why),
		         "policy %s of user %s already grants the Data Exports actions", granted,
		         user);
		planb_skip(s, why);
		return;
	}
	/* the customer-managed policy that grants the legacy CUR listing gets a new version */
	static const char *const cur_act[] = {"cur:DescribeReportDefinitions", NULL};
	const struct plan_life_policy *pol = NULL;
	for (size_t i = 0; i < l->npolicies && !pol; i++)
		if (l->policies[i].local && grants_all(l->policies[i].document, cur_act))
			pol = &l->policies[i];
	if (pol) {
		if (pol->versions >= 5 && pol->oldest_nondefault) {
			char subj[300];
			snprintf(subj, sizeof(subj), "%s %s", pol->name, pol->oldest_nondefault);
			struct plan_step *p = planb_add(
			    b, "policy-readonly-prune", "iam", "DeletePolicyVersion", PLAN_DELETE,
			    strs("PolicyArn", pol->arn, "VersionId", pol->oldest_nondefault), subj);
			p->destructive = true;
			strv_add(&b->p->warnings,
			         "iam: policy %s has 5 versions, the most IAM keeps: its oldest "
			         "non-default version %s is deleted first (needs --yes)",
			         pol->name, pol->oldest_nondefault);
		}
		cJSON *doc = with_data_exports(pol->document);
		cJSON *req = cJSON_CreateObject();
		cJSON_AddStringToObject(req, "PolicyArn", pol->arn);
		cJSON_AddItemToObject(req, "PolicyDocument", doc);
		cJSON_AddBoolToObject(req, "SetAsDefault", true);
		struct plan_step *s = planb_add(b, "policy-readonly", "iam", "CreatePolicyVersion",
		                                PLAN_UPDATE, req, pol->name);
		planb_depend(b, s, "policy-readonly-prune");
		char *old = json_pretty(pol->document);
		char *nw = json_pretty(doc);
		s->diff = diff_unified(old, nw, "policy (current default version)",
		                       "policy (new version)");
		free(old);
		free(nw);
		return;
	}
	/* else the ReadOnly policy, attached to the user */
	struct cx_err e;
	cx_err_clear(&e);
	cJSON *ro = policy_readonly(bucket, false, &e);
	if (!ro)
		return;
	const char *name = b->a->iam.readonly_policy;
	planb_ensure_policy(b, "readonly", name, ro);
	char *arn = xasprintf("arn:aws:iam::%s:policy/%s", b->f->account_id, name);
	bool att = false;
	for (size_t i = 0; i < l->npolicies; i++)
		att |= str_eq(l->policies[i].arn, arn);
	char subj[300];
	snprintf(subj, sizeof(subj), "%s %s", user, name);
	struct plan_step *s =
	    planb_add(b, "attach-readonly", "iam", "AttachUserPolicy", PLAN_CREATE,
	              strs("UserName", user, "PolicyArn", arn), subj);
	planb_depend(b, s, "policy-readonly");
	if (att) {
		char why[300];
		snprintf(why, sizeof(why), "policy %s is attached to user %s", name, user);
		planb_skip(s, why);
	}
	free(arn);
}
