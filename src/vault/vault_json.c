/* vault_json.c - the JSON document inside the encryption: records to JSON and back, with
 * secrets wiped from cJSON's copies. */
#include "vault/vault_int.h"

#include <stdlib.h>
#include <string.h>

/* Wipes every string value of a cJSON tree (cJSON copies strings into malloc memory). */
static void json_wipe(cJSON *j)
{
	for (; j; j = j->next) {
		if (j->valuestring)
			sodium_memzero(j->valuestring, strlen(j->valuestring));
		json_wipe(j->child);
	}
}

static char *jstr(const cJSON *o, const char *key)
{
	return dup_or_empty(json_str(o, key));
}

static void record_from_json(const cJSON *o, struct vault_record *r)
{
	r->name = jstr(o, "name");
	r->certerox_url = jstr(o, "certerox_url");
	r->organization_id = jstr(o, "organization_id");
	r->data_source_id = jstr(o, "data_source_id");
	r->aws_account_id = jstr(o, "aws_account_id");
	r->connection = jstr(o, "connection");
	const cJSON *x = json_obj(o, "export");
	r->export.type = jstr(x, "type");
	r->export.name = jstr(x, "name");
	r->export.bucket = jstr(x, "bucket");
	r->export.prefix = jstr(x, "prefix");
	r->export.region = jstr(x, "region");
	r->export.arn = jstr(x, "arn");
	r->iam_user = jstr(o, "iam_user");
	r->access_key_id = jstr(o, "access_key_id");
	const char *sec = json_str(o, "secret_access_key");
	r->secret_access_key = secmem_strdup(sec ? sec : "");
	log_redact_add(r->secret_access_key);
	r->created_at = jstr(o, "created_at");
	r->updated_at = jstr(o, "updated_at");
	r->retired = json_bool(o, "retired", false);
	const cJSON *h = json_arr(o, "history"), *e;
	cJSON_ArrayForEach(e, h)
	{
		if (cJSON_IsObject(e))
			vi_history_append(r, json_str(e, "at"), json_str(e, "event"),
			                  json_str(e, "detail"));
	}
}

cJSON *vi_record_to_json(const struct vault_record *r, bool with_secret)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "certerox_url", r->certerox_url);
	cJSON_AddStringToObject(o, "organization_id", r->organization_id);
	cJSON_AddStringToObject(o, "data_source_id", r->data_source_id);
	cJSON_AddStringToObject(o, "aws_account_id", r->aws_account_id);
	cJSON_AddStringToObject(o, "connection", r->connection);
	cJSON *x = cJSON_AddObjectToObject(o, "export");
	cJSON_AddStringToObject(x, "type", r->export.type);
	cJSON_AddStringToObject(x, "name", r->export.name);
	cJSON_AddStringToObject(x, "bucket", r->export.bucket);
	cJSON_AddStringToObject(x, "prefix", r->export.prefix);
	cJSON_AddStringToObject(x, "region", r->export.region);
	cJSON_AddStringToObject(x, "arn", r->export.arn);
	cJSON_AddStringToObject(o, "iam_user", r->iam_user);
	cJSON_AddStringToObject(o, "access_key_id", r->access_key_id);
	if (with_secret)
		cJSON_AddStringToObject(o, "secret_access_key", r->secret_access_key);
	cJSON_AddStringToObject(o, "created_at", r->created_at);
	cJSON_AddStringToObject(o, "updated_at", r->updated_at);
	if (r->retired)
		cJSON_AddBoolToObject(o, "retired", true);
	cJSON *h = cJSON_AddArrayToObject(o, "history");
	for (size_t i = 0; i < r->nhistory; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "at", r->history[i].at);
		cJSON_AddStringToObject(e, "event", r->history[i].event);
		cJSON_AddStringToObject(e, "detail", r->history[i].detail);
		cJSON_AddItemToArray(h, e);
	}
	return o;
}

/* The plaintext document, in secure memory (secmem_free); *len its length. NULL when it
 * would exceed MAX_PLAINTEXT. */
char *vi_document_print(const struct vault *v, size_t *len)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "version", 1);
	cJSON *ds = cJSON_AddArrayToObject(doc, "data_sources");
	cJSON *pend = cJSON_AddArrayToObject(doc, "pending");
	for (size_t i = 0; i < v->n; i++)
		cJSON_AddItemToArray(vault_record_pending(&v->recs[i]) ? pend : ds,
		                     vi_record_to_json(&v->recs[i], true));
	char *out = NULL;
	for (size_t sz = 4096; sz <= MAX_PLAINTEXT; sz *= 2) {
		out = secmem_alloc(sz);
		if (cJSON_PrintPreallocated(doc, out, (int)sz, 0))
			break;
		secmem_free(out);
		out = NULL;
	}
	json_wipe(doc);
	cJSON_Delete(doc);
	*len = out ? strlen(out) : 0;
	return out;
}

enum cx_status vi_document_load(struct vault *v, const char *text, size_t len, struct cx_err *err)
{
	enum cx_status st = CX_OK;
	struct cx_err perr;
	cx_err_clear(&perr);
	cJSON *doc = json_parse(text, len, &perr);
	if (!doc) {
		st = VERR(err, CX_E_INPUT, "vault %s: the decrypted document is not JSON (%s)",
		          v->path, perr.msg);
		goto out;
	}
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "version");
	if (!cJSON_IsObject(doc) || !cJSON_IsNumber(ver)) {
		st = VERR(err, CX_E_INPUT, "vault %s: the document has no version", v->path);
		goto out;
	}
	if (ver->valuedouble != 1) {
		st = VERR(err, CX_E_INPUT,
		          "vault %s: document version %g is not supported (this program "
		          "reads version 1)",
		          v->path, ver->valuedouble);
		goto out;
	}
	const char *lists[] = {"data_sources", "pending"};
	for (size_t l = 0; l < 2; l++) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, lists[l]), *e;
		if (arr && !cJSON_IsArray(arr)) {
			st = VERR(err, CX_E_INPUT, "vault %s: %s is not an array", v->path,
			          lists[l]);
			goto out;
		}
		cJSON_ArrayForEach(e, arr)
		{
			if (!cJSON_IsObject(e)) {
				st = VERR(err, CX_E_INPUT,
				          "vault %s: an entry of %s is not an object", v->path,
				          lists[l]);
				goto out;
			}
			record_from_json(e, vi_record_new(v));
		}
	}
out:
	if (doc) {
		json_wipe(doc);
		cJSON_Delete(doc);
	}
	return st;
}
