/* plan_life.c - the facts of an existing data source: memory and JSON. See plan_life.h. */
#include "core/plan_life.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

void plan_life_free(struct plan_life *l)
{
	if (!l)
		return;
	free(l->data_source_id);
	free(l->account_id);
	free(l->access_key_id);
	free(l->region_name);
	free(l->user);
	free(l->user_source);
	for (size_t i = 0; i < l->nkeys; i++) {
		free(l->keys[i].id);
		free(l->keys[i].status);
	}
	free(l->keys);
	strv_free(&l->made_keys);
	for (size_t i = 0; i < l->npolicies; i++) {
		struct plan_life_policy *p = &l->policies[i];
		free(p->arn);
		free(p->name);
		cJSON_Delete(p->document);
		free(p->default_version);
		free(p->oldest_nondefault);
		strv_free(&p->nondefault);
	}
	free(l->policies);
	strv_free(&l->inline_names);
	cJSON_Delete(l->inline_docs);
	free(l->export_arn);
	free(l);
}

static char *jdup(const cJSON *o, const char *k)
{
	return xstrdup(json_str(o, k));
}

static bool strings(const cJSON *arr, struct strv *out)
{
	for (const cJSON *x = arr ? arr->child : NULL; x; x = x->next) {
		if (!cJSON_IsString(x))
			return false;
		strv_push(out, x->valuestring);
	}
	return true;
}

struct plan_life *plan_life_from_json(const cJSON *j, struct cx_err *err)
{
	if (!cJSON_IsObject(j)) {
		cx_err_set(err, CX_E_INPUT, "facts.life: wrong type");
		return NULL;
	}
	struct plan_life *l = xcalloc(1, sizeof(*l));
	l->data_source_id = jdup(j, "data_source_id");
	l->access_key_id = jdup(j, "access_key_id");
	l->use_edp_discount = json_bool(j, "use_edp_discount", false);
	l->region_name = jdup(j, "region_name");
	l->user = jdup(j, "user");
	l->user_source = jdup(j, "user_source");
	l->user_exists = json_bool(j, "user_exists", l->user != NULL);
	l->user_made = json_bool(j, "user_made", false);
	l->key_in_vault = json_bool(j, "key_in_vault", false);
	l->export_made = json_bool(j, "export_made", false);
	l->export_arn = jdup(j, "export_arn");
	l->bucket_shared = json_bool(j, "bucket_shared", false);
	l->export_shared = json_bool(j, "export_shared", false);
	const cJSON *ks = json_arr(j, "keys");
	l->keys = xcalloc((size_t)cJSON_GetArraySize(ks) + 1, sizeof(*l->keys));
	for (const cJSON *x = ks ? ks->child : NULL; x; x = x->next) {
		if (!json_str(x, "id"))
			goto bad;
		l->keys[l->nkeys].id = jdup(x, "id");
		l->keys[l->nkeys].status =
		    xstrdup(json_str(x, "status") ? json_str(x, "status") : "Active");
		l->nkeys++;
	}
	if (!strings(json_arr(j, "made_keys"), &l->made_keys))
		goto bad;
	const cJSON *ps = json_arr(j, "policies");
	l->policies = xcalloc((size_t)cJSON_GetArraySize(ps) + 1, sizeof(*l->policies));
	for (const cJSON *x = ps ? ps->child : NULL; x; x = x->next) {
		if (!cJSON_IsObject(x) || !json_str(x, "arn"))
			goto bad;
		struct plan_life_policy *p = &l->policies[l->npolicies++];
		p->arn = jdup(x, "arn");
		p->name = jdup(x, "name");
		p->local = json_bool(x, "local", true);
		const cJSON *d = json_obj(x, "document");
		p->document = d ? cJSON_Duplicate(d, 1) : NULL;
		p->default_version = jdup(x, "default_version");
		p->versions = (int)json_num(x, "versions", 1);
		p->oldest_nondefault = jdup(x, "oldest_nondefault");
		if (!strings(json_arr(x, "nondefault"), &p->nondefault))
			goto bad;
		p->attachment_count = (long)json_num(x, "attachment_count", 1);
		p->made = json_bool(x, "made", false);
	}
	l->inline_docs = cJSON_CreateArray();
	const cJSON *in = json_arr(j, "inline");
	for (const cJSON *x = in ? in->child : NULL; x; x = x->next) {
		if (!json_str(x, "name"))
			goto bad;
		strv_push(&l->inline_names, json_str(x, "name"));
		const cJSON *d = json_obj(x, "document");
		cJSON_AddItemToArray(l->inline_docs,
		                     d ? cJSON_Duplicate(d, 1) : cJSON_CreateObject());
	}
	return l;
bad:
	plan_life_free(l);
	cx_err_set(err, CX_E_INPUT, "facts.life: wrong type");
	return NULL;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
}

static cJSON *strv_json(const struct strv *s)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < s->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(s->v[i]));
	return a;
}

cJSON *plan_life_to_json(const struct plan_life *l)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "data_source_id", l->data_source_id);
	add_str(o, "access_key_id", l->access_key_id);
	cJSON_AddBoolToObject(o, "use_edp_discount", l->use_edp_discount);
	add_str(o, "region_name", l->region_name);
	add_str(o, "user", l->user);
	add_str(o, "user_source", l->user_source);
	cJSON_AddBoolToObject(o, "user_exists", l->user_exists);
	cJSON_AddBoolToObject(o, "user_made", l->user_made);
	cJSON *ks = cJSON_AddArrayToObject(o, "keys");
	for (size_t i = 0; i < l->nkeys; i++) {
		cJSON *k = cJSON_CreateObject();
		add_str(k, "id", l->keys[i].id);
		add_str(k, "status", l->keys[i].status);
		cJSON_AddItemToArray(ks, k);
	}
	cJSON_AddBoolToObject(o, "key_in_vault", l->key_in_vault);
	cJSON_AddItemToObject(o, "made_keys", strv_json(&l->made_keys));
	cJSON *ps = cJSON_AddArrayToObject(o, "policies");
	for (size_t i = 0; i < l->npolicies; i++) {
		const struct plan_life_policy *p = &l->policies[i];
		cJSON *x = cJSON_CreateObject();
		add_str(x, "arn", p->arn);
		add_str(x, "name", p->name);
		cJSON_AddBoolToObject(x, "local", p->local);
		if (p->document)
			cJSON_AddItemToObject(x, "document", cJSON_Duplicate(p->document, 1));
		add_str(x, "default_version", p->default_version);
		cJSON_AddNumberToObject(x, "versions", p->versions);
		add_str(x, "oldest_nondefault", p->oldest_nondefault);
		cJSON_AddItemToObject(x, "nondefault", strv_json(&p->nondefault));
		cJSON_AddNumberToObject(x, "attachment_count", (double)p->attachment_count);
		cJSON_AddBoolToObject(x, "made", p->made);
		cJSON_AddItemToArray(ps, x);
	}
	cJSON *in = cJSON_AddArrayToObject(o, "inline");
	for (size_t i = 0; i < l->inline_names.n; i++) {
		cJSON *x = cJSON_CreateObject();
		add_str(x, "name", l->inline_names.v[i]);
		const cJSON *d = cJSON_GetArrayItem(l->inline_docs, (int)i);
		if (d)
			cJSON_AddItemToObject(x, "document", cJSON_Duplicate(d, 1));
		cJSON_AddItemToArray(in, x);
	}
	cJSON_AddBoolToObject(o, "export_made", l->export_made);
	add_str(o, "export_arn", l->export_arn);
	cJSON_AddBoolToObject(o, "bucket_shared", l->bucket_shared);
	cJSON_AddBoolToObject(o, "export_shared", l->export_shared);
	return o;
}

const char *plan_life_key_status(const struct plan_life *l, const char *id)
{
	for (size_t i = 0; l && id && i < l->nkeys; i++)
		if (str_eq(l->keys[i].id, id))
			return l->keys[i].status;
	return NULL;
}

bool plan_life_key_live(const struct plan_life *l)
{
	return l && l->access_key_id && l->key_in_vault &&
	       str_eq(plan_life_key_status(l, l->access_key_id), "Active");
}

bool plan_life_made_key(const struct plan_life *l, const char *id)
{
	return l && id && strv_has(&l->made_keys, id);
}
