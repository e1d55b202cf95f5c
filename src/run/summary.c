/* summary.c - the JSON summary of a run (batch and wizard). */
#include "run/summary.h"

#include "util/str.h"

cJSON *run_summary(const struct answers *a, const struct plan_facts *facts, const struct plan *plan,
                   const struct strv *warnings, const struct engine *e, const char *vault_path,
                   enum cx_status st, const struct cx_err *err)
{
	const struct engine_result *r = engine_result(e);
	const struct plan_target *t = &plan->target;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "status", st == CX_OK ? "done" : "failed");
	if (st != CX_OK) {
		char buf[1400];
		cJSON_AddStringToObject(j, "error", cx_err_format(err, buf, sizeof(buf)));
	}
	const char *ds_id = r->data_source_id;
	for (size_t i = 0; !ds_id && i < facts->ndata_sources; i++)
		if (str_eq(facts->data_sources[i].account_id, t->account_id))
			ds_id = facts->data_sources[i].id;
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
