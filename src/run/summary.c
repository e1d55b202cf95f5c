/* summary.c - the JSON summary of a run (batch and wizard). */
#include "run/summary.h"

#include "core/plan_life.h"
#include "util/str.h"

/* rotate / a key replaced: the key CerteroX held before; disconnect: what was removed and
 * what was kept (with the reason). */
static void summary_life(cJSON *j, const struct answers *a, const struct plan_facts *facts,
                         const struct plan *plan, const struct engine *e)
{
	const struct plan_life *l = facts->life;
	const struct plan_step *key = plan_find(plan, "key");
	if (l && l->access_key_id &&
	    (a->action == ANSWERS_ROTATE || (key && key->kind != PLAN_SKIP)))
		cJSON_AddStringToObject(j, "previous_access_key_id", l->access_key_id);
	if (a->action != ANSWERS_DISCONNECT)
		return;
	cJSON *rm = cJSON_AddArrayToObject(j, "removed");
	cJSON *kept = cJSON_AddArrayToObject(j, "kept");
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_step *s = &plan->steps[i];
		const char *state = engine_step_state(e, i, NULL);
		if (s->kind == PLAN_SKIP)
			cJSON_AddItemToArray(kept, cJSON_CreateString(s->skip_reason));
		else if (s->kind != PLAN_READ && str_eq(state, "done"))
			cJSON_AddItemToArray(rm, cJSON_CreateString(s->title));
	}
}

cJSON *run_summary(const struct answers *a, const struct plan_facts *facts, const struct plan *plan,
                   const struct strv *warnings, const struct engine *e, const char *vault_path,
                   enum cx_status st, const struct cx_err *err)
{
	const struct engine_result *r = engine_result(e);
	const struct plan_target *t = &plan->target;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "status",
	                        st == CX_OK            ? "done"
	                        : st == CX_E_CANCELLED ? "cancelled"
	                                               : "failed");
	if (st != CX_OK) {
		char buf[1400];
		cJSON_AddStringToObject(j, "error", cx_err_format(err, buf, sizeof(buf)));
	}
	const char *ds_id = r->data_source_id;
	for (size_t i = 0; !ds_id && i < facts->ndata_sources; i++)
		if (str_eq(facts->data_sources[i].account_id, t->account_id))
			ds_id = facts->data_sources[i].id;
	if (facts->life && facts->life->data_source_id)
		ds_id = facts->life->data_source_id;
	if (a->action == ANSWERS_MIGRATE && !ds_id)
		ds_id = a->migrate.data_source_id;
	if (ds_id)
		cJSON_AddStringToObject(j, "data_source_id", ds_id);
	else
		cJSON_AddNullToObject(j, "data_source_id");
	cJSON_AddStringToObject(j, "account_id", t->account_id ? t->account_id : "");
	cJSON_AddStringToObject(j, "action", answers_action_name(a->action));
	cJSON_AddStringToObject(j, "connection", answers_connection_name(a->connection));
	if (t->export_name) {
		cJSON *ex = cJSON_AddObjectToObject(j, "export");
		cJSON_AddStringToObject(ex, "type", t->legacy ? "legacy" : "cur2");
		cJSON_AddStringToObject(ex, "name", t->export_name);
		if (r->export_arn)
			cJSON_AddStringToObject(ex, "arn", r->export_arn);
		if (t->bucket)
			cJSON_AddStringToObject(ex, "bucket", t->bucket);
		cJSON_AddStringToObject(ex, "prefix", t->prefix ? t->prefix : "");
		if (t->region)
			cJSON_AddStringToObject(ex, "region", t->region);
		if (t->config_scheme)
			cJSON_AddStringToObject(ex, "config_scheme", t->config_scheme);
	}
	/* the user whose key CerteroX gets: the one the run made the key for or read from the
	 * vault; migrate without either knows no user */
	const char *user =
	    r->iam_user ? r->iam_user : (a->action == ANSWERS_MIGRATE ? NULL : a->iam.user);
	if (user)
		cJSON_AddStringToObject(j, "iam_user", user);
	else
		cJSON_AddNullToObject(j, "iam_user");
	if (r->access_key_id)
		cJSON_AddStringToObject(j, "access_key_id", r->access_key_id);
	summary_life(j, a, facts, plan, e);
	if (vault_path)
		cJSON_AddStringToObject(j, "vault", vault_path);
	cJSON *w = cJSON_AddArrayToObject(j, "warnings");
	for (size_t i = 0; warnings && i < warnings->n; i++)
		cJSON_AddItemToArray(w, cJSON_CreateString(warnings->v[i]));
	for (size_t i = 0; i < plan->warnings.n; i++)
		cJSON_AddItemToArray(w, cJSON_CreateString(plan->warnings.v[i]));
	cJSON *steps = cJSON_AddArrayToObject(j, "steps");
	for (size_t i = 0; i < plan->n; i++) {
		long ms = 0;
		const char *state = engine_step_state(e, i, &ms);
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "id", plan->steps[i].id);
		cJSON_AddStringToObject(s, "title", plan->steps[i].title);
		cJSON_AddStringToObject(s, "status", state);
		cJSON_AddNumberToObject(s, "ms", (double)ms);
		cJSON_AddItemToArray(steps, s);
	}
	return j;
}
