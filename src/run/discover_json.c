/* discover_json.c - the discovered facts as JSON (--dry-run, the journal, tests). */
#include "run/discover_int.h"

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
