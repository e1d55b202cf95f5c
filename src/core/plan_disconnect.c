/* plan_disconnect.c - disconnect a data source (plan_int.h).
 *
 * The data source is deleted in CerteroX first (destructive: --yes or the TUI's confirmation).
 * With disconnect.delete_aws_resources, what the wizard made for it goes afterwards: its key
 * (and the user's other keys the wizard made that no data source uses), the user (detached
 * first) when the wizard made it and nothing foreign remains on it, each policy the wizard made
 * that no one else has attached (non-default versions first), its own statement of the bucket
 * policy (every other statement kept; the policy deleted when ours was the only one) unless
 * another data source uses the bucket, and its export or report unless another data source
 * uses it. Everything else is a skipped step whose reason says why it is kept. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diff.h"
#include "core/plan_int.h"
#include "core/plan_life.h"
#include "core/policy.h"
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

/* A step that is only listed: kept, with the reason. */
static void kept(struct builder *b, const char *id, const char *service, const char *op, cJSON *req,
                 const char *subject, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void kept(struct builder *b, const char *id, const char *service, const char *op, cJSON *req,
                 const char *subject, const char *fmt, ...)
{
	char why[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	struct plan_step *s = planb_add(b, id, service, op, PLAN_SKIP, req, subject);
	planb_skip(s, why);
}

static struct plan_step *removal(struct builder *b, const char *id, const char *service,
                                 const char *op, cJSON *req, const char *subject)
{
	struct plan_step *s = planb_add(b, id, service, op, PLAN_DELETE, req, subject);
	planb_depend(b, s, "certerox");
	return s;
}

static bool key_used_by_other(const struct plan_facts *f, const char *id, const char *ds)
{
	for (size_t i = 0; i < f->ndata_sources; i++)
		if (!str_eq(f->data_sources[i].id, ds) &&
		    str_eq(f->data_sources[i].access_key_id, id))
			return true;
	return false;
}

/* Keys; returns true when every key of the user goes (so the user may go). */
static bool plan_keys(struct builder *b, const struct plan_data_source_fact *ds)
{
	const struct plan_life *l = b->f->life;
	bool all = true;
	for (size_t i = 0; i < l->nkeys; i++) {
		const char *k = l->keys[i].id;
		char id[160], subj[300];
		snprintf(id, sizeof(id), "key-delete-%s", k);
		snprintf(subj, sizeof(subj), "%s %s", l->user, k);
		cJSON *req = strs("UserName", l->user, "AccessKeyId", k);
		if (key_used_by_other(b->f, k, ds->id)) {
			kept(b, id, "iam", "DeleteAccessKey", req, subj,
			     "access key %s is used by another data source", k);
			all = false;
		} else if (!plan_life_made_key(l, k)) {
			kept(b, id, "iam", "DeleteAccessKey", req, subj,
			     "access key %s of user %s was not made by certerox-aws-setup", k,
			     l->user);
			all = false;
		} else {
			removal(b, id, "iam", "DeleteAccessKey", req, subj);
		}
	}
	return all;
}

static void plan_user_and_policies(struct builder *b, bool keys_gone)
{
	const struct plan_life *l = b->f->life;
	const char *user = l->user;
	cJSON *ureq = strs("UserName", user, NULL, NULL);
	const char *why = !l->user_made       ? "it was not made by certerox-aws-setup"
	                  : !keys_gone        ? "it keeps access keys that are not removed"
	                  : l->inline_names.n ? "it has inline policies the wizard does not make"
	                                      : NULL;
	if (why) {
		kept(b, "user-delete", "iam", "DeleteUser", ureq, user, "user %s is kept: %s", user,
		     why);
		for (size_t i = 0; i < l->npolicies; i++) {
			char id[200];
			snprintf(id, sizeof(id), "policy-delete-%s", l->policies[i].name);
			kept(b, id, "iam", "DeletePolicy",
			     strs("PolicyArn", l->policies[i].arn, NULL, NULL), l->policies[i].name,
			     "policy %s stays attached to user %s, which is kept",
			     l->policies[i].name, user);
		}
		return;
	}
	for (size_t i = 0; i < l->npolicies; i++) {
		const struct plan_life_policy *p = &l->policies[i];
		char id[200], subj[300];
		snprintf(id, sizeof(id), "detach-%s", p->name);
		snprintf(subj, sizeof(subj), "%s %s", user, p->name);
		removal(b, id, "iam", "DetachUserPolicy",
		        strs("UserName", user, "PolicyArn", p->arn), subj);
	}
	struct plan_step *u = removal(b, "user-delete", "iam", "DeleteUser", ureq, user);
	for (size_t i = 0; i < b->p->n; i++)
		if (str_starts_with(b->p->steps[i].id, "key-delete-") ||
		    str_starts_with(b->p->steps[i].id, "detach-"))
			planb_depend(b, u, b->p->steps[i].id);
	for (size_t i = 0; i < l->npolicies; i++) {
		const struct plan_life_policy *p = &l->policies[i];
		char id[200], did[200];
		snprintf(id, sizeof(id), "policy-delete-%s", p->name);
		snprintf(did, sizeof(did), "detach-%s", p->name);
		cJSON *req = strs("PolicyArn", p->arn, NULL, NULL);
		if (!p->local) {
			kept(b, id, "iam", "DeletePolicy", req, p->name, "policy %s is AWS managed",
			     p->name);
			continue;
		}
		if (!p->made) {
			kept(b, id, "iam", "DeletePolicy", req, p->name,
			     "policy %s was not made by certerox-aws-setup", p->name);
			continue;
		}
		if (p->attachment_count > 1) {
			kept(b, id, "iam", "DeletePolicy", req, p->name,
			     "policy %s is attached to %ld other users, groups or roles", p->name,
			     p->attachment_count - 1);
			continue;
		}
		struct plan_step *d = removal(b, id, "iam", "DeletePolicy", req, p->name);
		planb_depend(b, d, did);
		for (size_t v = 0; v < p->nondefault.n; v++) {
			char vid[260], vsubj[300];
			snprintf(vid, sizeof(vid), "policy-delete-%s-%s", p->name,
			         p->nondefault.v[v]);
			snprintf(vsubj, sizeof(vsubj), "%s %s", p->name, p->nondefault.v[v]);
			struct plan_step *pv = removal(
			    b, vid, "iam", "DeletePolicyVersion",
			    strs("PolicyArn", p->arn, "VersionId", p->nondefault.v[v]), vsubj);
			(void)pv;
			/* the policy's own step must come after its versions: re-add it last */
		}
		if (p->nondefault.n) {
			/* move the DeletePolicy step behind its versions (steps stay topological)
			 */
			struct plan *pl = b->p;
			size_t at = 0;
			for (size_t k = 0; k < pl->n; k++)
				if (str_eq(pl->steps[k].id, id))
					at = k;
			struct plan_step tmp = pl->steps[at];
			memmove(&pl->steps[at], &pl->steps[at + 1],
			        (pl->n - at - 1) * sizeof(pl->steps[0]));
			pl->steps[pl->n - 1] = tmp;
			for (size_t v = 0; v < p->nondefault.n; v++) {
				char vid[260];
				snprintf(vid, sizeof(vid), "policy-delete-%s-%s", p->name,
				         p->nondefault.v[v]);
				planb_depend(b, &pl->steps[pl->n - 1], vid);
			}
		}
	}
}

static void plan_bucket(struct builder *b, const struct plan_data_source_fact *ds)
{
	const struct plan_life *l = b->f->life;
	const struct plan_facts *f = b->f;
	if (!ds->bucket || ds->linked)
		return;
	const char *region = f->bucket_region && *f->bucket_region ? f->bucket_region : "us-east-1";
	cJSON *req = strs("Bucket", ds->bucket, "Region", region);
	if (l->bucket_shared) {
		kept(b, "bucket-policy", "s3", "PutBucketPolicy", req, ds->bucket,
		     "the bucket policy of %s is kept: another data source uses the bucket",
		     ds->bucket);
		return;
	}
	struct cx_err e;
	cx_err_clear(&e);
	cJSON *doc = f->bucket_policy ? policy_parse(f->bucket_policy, &e) : NULL;
	cJSON *st = doc ? cJSON_GetObjectItemCaseSensitive(doc, "Statement") : NULL;
	cJSON *ours = NULL;
	size_t others = 0;
	for (cJSON *x = st && cJSON_IsArray(st) ? st->child : NULL; x; x = x->next) {
		if (str_eq(json_str(x, "Sid"), POLICY_BUCKET_SID))
			ours = x;
		else
			others++;
	}
	if (cJSON_IsObject(st) && str_eq(json_str(st, "Sid"), POLICY_BUCKET_SID))
		ours = st;
	if (!ours) {
		kept(b, "bucket-policy", "s3", "PutBucketPolicy", req, ds->bucket,
		     "the bucket policy of %s has no statement %s", ds->bucket, POLICY_BUCKET_SID);
		cJSON_Delete(doc);
		return;
	}
	char *old = json_pretty(doc);
	if (others == 0) {
		cJSON_Delete(req);
		struct plan_step *s =
		    removal(b, "bucket-policy", "s3", "DeleteBucketPolicy",
		            strs("Bucket", ds->bucket, "Region", region), ds->bucket);
		s->diff =
		    diff_unified(old, "", "bucket policy (current)", "bucket policy (deleted)");
	} else {
		cJSON_DetachItemViaPointer(st, ours);
		cJSON_Delete(ours);
		char *nw = json_pretty(doc);
		cJSON_AddItemToObject(req, "Policy", doc);
		doc = NULL;
		struct plan_step *s = planb_add(b, "bucket-policy", "s3", "PutBucketPolicy",
		                                PLAN_UPDATE, req, ds->bucket);
		planb_depend(b, s, "certerox");
		s->diff = diff_unified(old, nw, "bucket policy (current)", "bucket policy (new)");
		free(nw);
	}
	free(old);
	cJSON_Delete(doc);
}

static void plan_export(struct builder *b, const struct plan_data_source_fact *ds)
{
	const struct plan_life *l = b->f->life;
	if (ds->linked || !ds->report_name)
		return;
	bool legacy = ds->cur_version != 2;
	const char *svc = legacy ? "cur" : "bcm-data-exports";
	const char *op = legacy ? "DeleteReportDefinition" : "DeleteExport";
	cJSON *req = legacy ? strs("ReportName", ds->report_name, NULL, NULL)
	                    : strs("ExportArn", l->export_arn, NULL, NULL);
	const char *kind = legacy ? "report" : "export";
	if (!legacy && !l->export_arn)
		kept(b, "export-delete", svc, op, req, ds->report_name, "export %s does not exist",
		     ds->report_name);
	else if (l->export_shared)
		kept(b, "export-delete", svc, op, req, ds->report_name,
		     "%s %s is used by another data source", kind, ds->report_name);
	else if (!l->export_made)
		kept(b, "export-delete", svc, op, req, ds->report_name,
		     "%s %s was not made by certerox-aws-setup", kind, ds->report_name);
	else
		removal(b, "export-delete", svc, op, req, ds->report_name);
}

enum cx_status plan_build_disconnect(struct builder *b)
{
	const struct plan_facts *f = b->f;
	const struct plan_life *l = f->life;
	const char *want = b->a->disconnect.data_source_id;
	const struct plan_data_source_fact *ds = NULL;
	for (size_t i = 0; i < f->ndata_sources; i++)
		if (str_eq(f->data_sources[i].id, want))
			ds = &f->data_sources[i];
	if (!ds && !f->data_sources_known)
		return cx_err_set(
		    b->err, CX_E_UNAVAILABLE,
		    "disconnect.data_source_id: the data sources of the CerteroX "
		    "organization could not be listed (see the warnings); nothing was "
		    "changed");
	if (!ds)
		return cx_err_set(
		    b->err, CX_E_INPUT,
		    "disconnect.data_source_id: data source \"%s\" was not found in the "
		    "CerteroX organization",
		    want);
	bool aws = b->a->disconnect.delete_aws_resources;
	if (aws && ds->account_id && !str_eq(ds->account_id, f->account_id))
		return cx_err_set(b->err, CX_E_INPUT,
		                  "disconnect.delete_aws_resources: data source \"%s\" connects "
		                  "account %s, but the AWS credentials are of account %s",
		                  ds->id, ds->account_id, f->account_id);
	struct plan_step *s =
	    planb_add(b, "certerox", "certerox", "DeleteDataSource", PLAN_DELETE,
	              strs("data_source_id", ds->id, NULL, NULL), ds->name ? ds->name : ds->id);
	s->destructive = true;
	if (!aws) {
		kept(b, "aws-resources", "iam", "DeleteUser", cJSON_CreateObject(), "-",
		     "the AWS resources of data source %s (key, user, policies, bucket policy, "
		     "export) are kept: disconnect.delete_aws_resources is false",
		     ds->id);
		return CX_OK;
	}
	if (!l || !l->user) {
		kept(b, "aws-resources", "iam", "DeleteUser", cJSON_CreateObject(), "-",
		     "the IAM user of data source %s is unknown (AWS does not know its key %s and "
		     "the vault has no record of it): no IAM resource is removed",
		     ds->id, l && l->access_key_id ? l->access_key_id : "(none)");
	} else if (!l->user_exists) {
		kept(b, "user-delete", "iam", "DeleteUser", strs("UserName", l->user, NULL, NULL),
		     l->user, "user %s does not exist", l->user);
	} else {
		bool all = plan_keys(b, ds);
		plan_user_and_policies(b, all);
	}
	if (l)
		plan_bucket(b, ds);
	if (l)
		plan_export(b, ds);
	return CX_OK;
}
