/* owner.c - see owner.h. */
#include "core/owner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "util/mem.h"
#include "util/str.h"

bool owner_is_key_description(const char *value)
{
	return value && str_starts_with(value, OWNER_TAG_KEY);
}

const struct plan_data_source_fact *owner_account_data_source(const struct plan_facts *f)
{
	for (size_t i = 0; f->account_id && i < f->ndata_sources; i++)
		if (str_eq(f->data_sources[i].account_id, f->account_id))
			return &f->data_sources[i];
	return NULL;
}

const struct plan_data_source_fact *owner_key_data_source(const struct plan_facts *f,
                                                          const char *key_id)
{
	for (size_t i = 0; key_id && i < f->ndata_sources; i++)
		if (str_eq(f->data_sources[i].access_key_id, key_id))
			return &f->data_sources[i];
	return NULL;
}

static const struct plan_key_fact *key_fact(const struct plan_facts *f, const char *id)
{
	for (size_t i = 0; id && i < f->nkeys; i++)
		if (str_eq(f->keys[i].id, id))
			return &f->keys[i];
	return NULL;
}

char *owner_describe_data_source(const struct plan_facts *f, const struct plan_data_source_fact *ds)
{
	char exp[600] = "linked: billing data through its root account";
	if (!ds->linked) {
		if (ds->report_name && ds->bucket)
			snprintf(exp, sizeof(exp), "%s %s in s3://%s/%s",
			         ds->cur_version == 2 ? "export" : "legacy report", ds->report_name,
			         ds->bucket, ds->prefix ? ds->prefix : "");
		else
			snprintf(exp, sizeof(exp), "%s found by CerteroX (%s)",
			         ds->cur_version == 2 ? "export" : "legacy report",
			         ds->config_scheme ? ds->config_scheme : "find_report");
	}
	char key[300] = "access key unknown";
	if (ds->access_key_id) {
		const struct plan_key_fact *k = key_fact(f, ds->access_key_id);
		char age[64] = "";
		if (k && k->age_days >= 0)
			snprintf(age, sizeof(age), " created %d day%s ago", k->age_days,
			         k->age_days == 1 ? "" : "s");
		snprintf(key, sizeof(key), "access key %s%s, %s", ds->access_key_id, age,
		         f->vault_unknown   ? "the vault not unlocked yet"
		         : k && k->in_vault ? "the vault holds its secret"
		                            : "the vault does not hold its secret");
	}
	return xasprintf("\"%s\" (id %s, %s, %s)", ds->name ? ds->name : "", ds->id ? ds->id : "",
	                 exp, key);
}

/* The answers ask for the connection the data source already is. */
static bool same_connection(const struct answers *a, const struct plan_data_source_fact *ds)
{
	bool linked = a->connection == ANSWERS_LINKED;
	if (ds->linked != linked)
		return false;
	if (linked)
		return true;
	const struct answers_export *e = &a->export;
	if ((ds->cur_version == 2) != (e->type == ANSWERS_CUR2))
		return false;
	if (ds->report_name && e->name && !str_eq(ds->report_name, e->name))
		return false;
	if (ds->bucket && e->bucket && !str_eq(ds->bucket, e->bucket))
		return false;
	return true;
}

/* The vault holds the key the data source uses (or, when CerteroX does not say which key
 * it is, an active key of the answers' user). */
static bool key_held(const struct plan_facts *f, const struct plan_data_source_fact *ds)
{
	if (ds->access_key_id) {
		const struct plan_key_fact *k = key_fact(f, ds->access_key_id);
		return k && k->in_vault && str_eq(k->status, "Active");
	}
	for (size_t i = 0; i < f->nkeys; i++)
		if (f->keys[i].in_vault && str_eq(f->keys[i].status, "Active"))
			return true;
	return false;
}

enum cx_status owner_check_connected(const struct answers *a, const struct plan_facts *f,
                                     struct strv *warnings, struct cx_err *err)
{
	if (a->action != ANSWERS_CONNECT || !f->data_sources_known)
		return CX_OK;
	const struct plan_data_source_fact *ds = owner_account_data_source(f);
	if (!ds)
		return CX_OK;
	char *what = owner_describe_data_source(f, ds);
	enum cx_status st = CX_OK;
	bool same = same_connection(a, ds), held = f->vault_unknown || key_held(f, ds);
	if (same && held) {
		strv_add(warnings,
		         "connection: account %s is already connected by data source %s; this run "
		         "only makes sure what it uses is in place",
		         f->account_id, what);
	} else {
		st = cx_err_set(
		    err, CX_E_CONFLICT,
		    "connection: account %s is already connected by data source %s, and %s. A "
		    "connect would make another user and key that nothing uses, so nothing was "
		    "changed. Choose an action on that data source: \"rotate\" "
		    "({\"action\":\"rotate\",\"rotate\":{\"data_source_id\":\"%s\"}}) to give it a "
		    "new key whose secret the vault holds; \"migrate\" "
		    "({\"action\":\"migrate\",\"migrate\":{\"data_source_id\":\"%s\"}}) to move it "
		    "to a CUR 2.0 export; or update it in CerteroX (or delete it there) to connect "
		    "the account another way",
		    f->account_id, what,
		    !same ? "the answers ask for another connection (bucket, export or kind)"
		          : "the vault does not hold the secret of the key it uses",
		    ds->id ? ds->id : "", ds->id ? ds->id : "");
	}
	free(what);
	return st;
}

enum cx_status owner_check_policy_grants(const struct plan_facts *f, bool readonly,
                                         const char *name, const cJSON *current,
                                         const cJSON *proposed, struct cx_err *err)
{
	if (!current || !proposed)
		return CX_OK;
	enum cx_status st = CX_OK;
	for (size_t i = 0; st == CX_OK && i < f->ndata_sources; i++) {
		const struct plan_data_source_fact *ds = &f->data_sources[i];
		if (!str_eq(ds->account_id, f->account_id) ||
		    (readonly && (ds->linked || !ds->bucket)))
			continue;
		struct cx_err terr;
		cx_err_clear(&terr);
		cJSON *need =
		    readonly ? policy_readonly(ds->bucket, false, &terr) : policy_discover(&terr);
		if (!need)
			continue;
		struct strv had = STRV_INIT, lost = STRV_INIT, gone = STRV_INIT;
		policy_missing_actions(current, need, &had);
		policy_missing_actions(proposed, need, &lost);
		for (size_t k = 0; k < lost.n; k++)
			if (!strv_has(&had, lost.v[k]))
				strv_push(&gone, lost.v[k]);
		if (gone.n) {
			char *what = strv_join(&gone, ", ");
			st = cx_err_set(
			    err, CX_E_CONFLICT,
			    "iam: the new version of policy %s would no longer grant %s, "
			    "which data source \"%s\" (%s) uses; the change is refused "
			    "(a shared policy is never narrowed)",
			    name, what, ds->name ? ds->name : "", ds->id ? ds->id : "");
			free(what);
		}
		strv_free(&had);
		strv_free(&lost);
		strv_free(&gone);
		cJSON_Delete(need);
	}
	return st;
}
