/* cxparse.c - CerteroX response parsers, error envelope classification, organization
 * picking and Root detection (no network; see certerox.h). */
#include "certerox/certerox.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

/* Text from CerteroX shown to the user: controls, C1, bidi controls and invalid UTF-8
 * escaped (util/str.h str_safe), at most max bytes. */
static char *shown(const char *s, size_t max)
{
	return str_safe(s, max, 0);
}

/* ---- freeing ---- */

void certerox_org_list_free(struct certerox_org_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].id);
		free(l->items[i].name);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void certerox_ds_free(struct certerox_ds *ds)
{
	if (!ds)
		return;
	free(ds->id);
	free(ds->name);
	free(ds->type);
	free(ds->organization_id);
	free(ds->account_id);
	free(ds->last_import_attempt_error);
	free(ds->config.access_key_id);
	free(ds->config.config_scheme);
	free(ds->config.bucket_name);
	free(ds->config.bucket_prefix);
	free(ds->config.report_name);
	free(ds->config.region_name);
	free(ds->config.assume_role_account_id);
	free(ds->config.assume_role_name);
	memset(ds, 0, sizeof(*ds));
}

void certerox_ds_list_free(struct certerox_ds_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		certerox_ds_free(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

/* ---- typed field readers ---- */

/* Optional string member: absent or null -> *out NULL. */
static enum cx_status get_str(const cJSON *obj, const char *what, const char *key, bool required,
                              char **out, struct cx_err *err)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!out)
		return CX_E_INTERNAL;
	*out = NULL;
	if (!it || cJSON_IsNull(it)) {
		if (required)
			return cx_err_set(err, CX_E_PARSE, "CerteroX %s lacks \"%s\"", what, key);
		return CX_OK;
	}
	if (!cJSON_IsString(it) || !it->valuestring)
		return cx_err_set(err, CX_E_PARSE, "CerteroX %s: \"%s\" is not a string", what,
		                  key);
	if (required && !it->valuestring[0])
		return cx_err_set(err, CX_E_PARSE, "CerteroX %s: \"%s\" is empty", what, key);
	*out = xstrdup(it->valuestring);
	return CX_OK;
}

static enum cx_status get_bool(const cJSON *obj, const char *what, const char *key, bool *out,
                               struct cx_err *err)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = false;
	if (!it || cJSON_IsNull(it))
		return CX_OK;
	if (!cJSON_IsBool(it))
		return cx_err_set(err, CX_E_PARSE, "CerteroX %s: \"%s\" is not true or false", what,
		                  key);
	*out = cJSON_IsTrue(it);
	return CX_OK;
}

static enum cx_status get_int(const cJSON *obj, const char *what, const char *key, double lo,
                              double hi, long long *out, struct cx_err *err)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = 0;
	if (!it || cJSON_IsNull(it))
		return CX_OK;
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < lo ||
	    it->valuedouble > hi)
		return cx_err_set(err, CX_E_PARSE, "CerteroX %s: \"%s\" is not a number in range",
		                  what, key);
	*out = (long long)it->valuedouble;
	return CX_OK;
}

static enum cx_status parse_config(const cJSON *cfg, struct certerox_config *out,
                                   struct cx_err *err)
{
	const char *w = "data source config";
	enum cx_status st;
	long long v = 0;
	if ((st = get_str(cfg, w, "access_key_id", false, &out->access_key_id, err)) ||
	    (st = get_bool(cfg, w, "linked", &out->linked, err)) ||
	    (st = get_int(cfg, w, "cur_version", -1e6, 1e6, &v, err)) ||
	    (st = get_str(cfg, w, "config_scheme", false, &out->config_scheme, err)) ||
	    (st = get_str(cfg, w, "bucket_name", false, &out->bucket_name, err)) ||
	    (st = get_str(cfg, w, "bucket_prefix", false, &out->bucket_prefix, err)) ||
	    (st = get_str(cfg, w, "report_name", false, &out->report_name, err)) ||
	    (st = get_str(cfg, w, "region_name", false, &out->region_name, err)) ||
	    (st = get_bool(cfg, w, "use_edp_discount", &out->use_edp_discount, err)) ||
	    (st = get_str(cfg, w, "assume_role_account_id", false, &out->assume_role_account_id,
	                  err)) ||
	    (st = get_str(cfg, w, "assume_role_name", false, &out->assume_role_name, err)))
		return st;
	out->cur_version = (int)v;
	return CX_OK;
}

static enum cx_status parse_ds_obj(const cJSON *o, struct certerox_ds *out, struct cx_err *err)
{
	const char *w = "data source";
	enum cx_status st;
	struct certerox_ds ds;
	memset(&ds, 0, sizeof(ds));
	if (!cJSON_IsObject(o)) {
		st = cx_err_set(err, CX_E_PARSE, "CerteroX data source is not a JSON object");
		goto out;
	}
	if ((st = get_str(o, w, "id", true, &ds.id, err)) ||
	    (st = get_str(o, w, "name", true, &ds.name, err)) ||
	    (st = get_str(o, w, "type", true, &ds.type, err)) ||
	    (st = get_str(o, w, "organization_id", false, &ds.organization_id, err)) ||
	    (st = get_str(o, w, "account_id", false, &ds.account_id, err)) ||
	    (st = get_str(o, w, "last_import_attempt_error", false, &ds.last_import_attempt_error,
	                  err)) ||
	    (st = get_int(o, w, "created_at", -1e15, 1e15, &ds.created_at, err)) ||
	    (st = get_int(o, w, "last_import_at", -1e15, 1e15, &ds.last_import_at, err)) ||
	    (st = get_int(o, w, "last_import_attempt_at", -1e15, 1e15, &ds.last_import_attempt_at,
	                  err)))
		goto out;
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(o, "config");
	if (cfg && !cJSON_IsNull(cfg)) {
		if (!cJSON_IsObject(cfg)) {
			st = cx_err_set(err, CX_E_PARSE,
			                "CerteroX data source: \"config\" is not an object");
			goto out;
		}
		ds.has_config = true;
		if ((st = parse_config(cfg, &ds.config, err)))
			goto out;
	}
	*out = ds;
	memset(&ds, 0, sizeof(ds));
	st = CX_OK;
out:
	certerox_ds_free(&ds);
	return st;
}

static cJSON *parse_body(const char *body, size_t n, const char *what, struct cx_err *err)
{
	if (!body || n == 0) {
		cx_err_set(err, CX_E_PARSE, "CerteroX sent an empty answer where %s was expected",
		           what);
		return NULL;
	}
	struct cx_err jerr;
	cx_err_clear(&jerr);
	cJSON *j = json_parse(body, n, &jerr);
	if (!j) {
		cx_err_set(err, CX_E_PARSE,
		           "CerteroX sent %zu bytes that are not JSON (%s) where %s "
		           "was expected",
		           n, jerr.msg, what);
		return NULL;
	}
	return j;
}

enum cx_status certerox_parse_ds(const char *body, size_t n, struct certerox_ds *out,
                                 struct cx_err *err)
{
	cJSON *j = parse_body(body, n, "a data source", err);
	if (!j)
		return CX_E_PARSE;
	enum cx_status st = parse_ds_obj(j, out, err);
	cJSON_Delete(j);
	return st;
}

enum cx_status certerox_parse_ds_list(const char *body, size_t n, struct certerox_ds_list *out,
                                      struct cx_err *err)
{
	enum cx_status st = CX_OK;
	struct certerox_ds_list l = {NULL, 0};
	cJSON *j = parse_body(body, n, "a data source list", err);
	if (!j)
		return CX_E_PARSE;
	const cJSON *arr =
	    cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "cloud_accounts") : NULL;
	if (!cJSON_IsArray(arr)) {
		st = cx_err_set(err, CX_E_PARSE,
		                "CerteroX data source list lacks the \"cloud_accounts\" array");
		goto out;
	}
	size_t cnt = (size_t)cJSON_GetArraySize(arr);
	l.items = xcalloc(cnt ? cnt : 1, sizeof(*l.items));
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		if ((st = parse_ds_obj(it, &l.items[l.n], err))) {
			if (err) {
				char tmp[sizeof(err->msg)];
				memcpy(tmp, err->msg, sizeof(tmp));
				cx_err_set(err, st, "%.900s (item %zu of \"cloud_accounts\")", tmp,
				           l.n);
			}
			goto out;
		}
		l.n++;
	}
	*out = l;
	memset(&l, 0, sizeof(l));
out:
	certerox_ds_list_free(&l);
	cJSON_Delete(j);
	return st;
}

enum cx_status certerox_parse_orgs(const char *body, size_t n, struct certerox_org_list *out,
                                   struct cx_err *err)
{
	enum cx_status st = CX_OK;
	struct certerox_org_list l = {NULL, 0};
	cJSON *j = parse_body(body, n, "the organization list", err);
	if (!j)
		return CX_E_PARSE;
	const cJSON *arr =
	    cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "organizations") : NULL;
	if (!cJSON_IsArray(arr)) {
		st = cx_err_set(err, CX_E_PARSE,
		                "CerteroX organization list lacks the \"organizations\" array");
		goto out;
	}
	size_t cnt = (size_t)cJSON_GetArraySize(arr);
	l.items = xcalloc(cnt ? cnt : 1, sizeof(*l.items));
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsObject(it)) {
			st = cx_err_set(err, CX_E_PARSE,
			                "CerteroX organization %zu is not an object", l.n);
			goto out;
		}
		struct certerox_org *o = &l.items[l.n];
		if ((st = get_str(it, "organization", "id", true, &o->id, err)) ||
		    (st = get_str(it, "organization", "name", false, &o->name, err))) {
			free(o->id);
			o->id = NULL;
			goto out;
		}
		if (!o->name)
			o->name = xstrdup("");
		l.n++;
	}
	*out = l;
	memset(&l, 0, sizeof(l));
out:
	certerox_org_list_free(&l);
	cJSON_Delete(j);
	return st;
}

/* ---- error envelope ---- */

static enum cx_status classify(long http, const char *code)
{
	if (http == 401)
		return CX_E_CREDENTIALS;
	if (http == 403) {
		if (str_eq(code, "OE0433") || str_eq(code, "OA0037") || str_eq(code, "OE0235") ||
		    str_eq(code, "OE0237"))
			return CX_E_CREDENTIALS;
		return CX_E_DENIED;
	}
	if (http == 404)
		return CX_E_NOT_FOUND;
	if (http == 409)
		return CX_E_CONFLICT;
	if (http == 429 || http >= 500)
		return CX_E_UNAVAILABLE;
	if (http >= 400)
		return CX_E_INVALID;
	return CX_E_SERVER;
}

enum cx_status certerox_parse_error(long http_status, const char *body, size_t n, bool refused,
                                    struct cx_err *err)
{
	enum cx_status st;
	char *reason = NULL, *code = NULL;
	cJSON *j = NULL;
	struct cx_err jerr;
	cx_err_clear(&jerr);
	if (body && n > 0)
		j = json_parse(body, n, &jerr);
	const cJSON *env = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "error") : NULL;
	const cJSON *jc =
	    cJSON_IsObject(env) ? cJSON_GetObjectItemCaseSensitive(env, "error_code") : NULL;
	const cJSON *jr =
	    cJSON_IsObject(env) ? cJSON_GetObjectItemCaseSensitive(env, "reason") : NULL;
	if (jc && cJSON_IsString(jc) && jc->valuestring && jc->valuestring[0])
		code = shown(jc->valuestring, 80);
	if (jr && cJSON_IsString(jr) && jr->valuestring)
		reason = shown(jr->valuestring, 800);
	st = classify(http_status, code);
	if (err) {
		err->http_status = (int)http_status;
		cx_err_code(err, code ? code : "");
	}
	if (!code && !reason) {
		/* No CerteroX error envelope: a proxy page, a truncated body, ... */
		if (st == CX_E_UNAVAILABLE)
			cx_err_set(err, st,
			           "CerteroX is unavailable: HTTP %ld without error details",
			           http_status);
		else if (!body || n == 0)
			cx_err_set(
			    err, (st = CX_E_PARSE),
			    "CerteroX answered HTTP %ld with an empty body (no error envelope)",
			    http_status);
		else if (!j)
			cx_err_set(
			    err, (st = CX_E_PARSE),
			    "CerteroX answered HTTP %ld with %zu bytes that are not JSON (%s)",
			    http_status, n, jerr.msg);
		else
			cx_err_set(
			    err, (st = CX_E_PARSE),
			    "CerteroX answered HTTP %ld without the {\"error\": {...}} envelope",
			    http_status);
		goto out;
	}
	const char *r = reason && reason[0] ? reason : "(no reason given)";
	if (st == CX_E_UNAVAILABLE)
		cx_err_set(err, st, "CerteroX is unavailable: HTTP %ld: %s%s%s%s", http_status, r,
		           code ? " (" : "", code ? code : "", code ? ")" : "");
	else if (refused)
		cx_err_set(err, st, "CerteroX refused the data source: %s%s%s%s", r,
		           code ? " (" : "", code ? code : "", code ? ")" : "");
	else
		cx_err_set(err, st, "%s", r);
out:
	free(reason);
	free(code);
	cJSON_Delete(j);
	return st;
}

/* ---- organizations, Root detection ---- */

static void org_listing(struct buf *b, const struct certerox_org_list *orgs)
{
	for (size_t i = 0; i < orgs->n; i++) {
		char *name = shown(orgs->items[i].name, 100), *id = shown(orgs->items[i].id, 100);
		buf_printf(b, "%s%s (%s)", i ? ", " : "", name, id);
		free(name);
		free(id);
	}
}

enum cx_status certerox_org_pick(const struct certerox_org_list *orgs, const char *wanted,
                                 char **out_id, struct cx_err *err)
{
	enum cx_status st = CX_OK;
	struct buf b = BUF_INIT;
	*out_id = NULL;
	if (wanted && wanted[0]) {
		for (size_t i = 0; i < orgs->n; i++)
			if (str_eq(orgs->items[i].id, wanted)) {
				*out_id = xstrdup(orgs->items[i].id);
				goto out;
			}
		const struct certerox_org *byname = NULL;
		size_t named = 0;
		for (size_t i = 0; i < orgs->n; i++)
			if (str_eq(orgs->items[i].name, wanted)) {
				byname = &orgs->items[i];
				named++;
			}
		if (named == 1) {
			*out_id = xstrdup(byname->id);
			goto out;
		}
		char *w = shown(wanted, 100);
		if (named > 1) {
			buf_printf(&b, "%zu organizations are named \"%s\": ", named, w);
		} else if (orgs->n == 0) {
			buf_printf(
			    &b, "organization \"%s\" not found: the token sees no organization", w);
		} else {
			buf_printf(&b, "organization \"%s\" not found: the token sees %zu: ", w,
			           orgs->n);
		}
		free(w);
		if (orgs->n)
			org_listing(&b, orgs);
		if (named > 1)
			buf_puts(&b, ": choose one by id with --certerox-org");
		st = cx_err_set(err, CX_E_INPUT, "%s", buf_str(&b));
		goto out;
	}
	if (orgs->n == 1) {
		*out_id = xstrdup(orgs->items[0].id);
		goto out;
	}
	if (orgs->n == 0) {
		st = cx_err_set(err, CX_E_INPUT, "the token sees no organization");
		goto out;
	}
	buf_printf(&b, "the token sees %zu organizations: ", orgs->n);
	org_listing(&b, orgs);
	buf_puts(&b, ": choose one with --certerox-org");
	st = cx_err_set(err, CX_E_INPUT, "%s", buf_str(&b));
out:
	buf_free(&b);
	return st;
}

bool certerox_has_root_aws(const struct certerox_ds_list *list)
{
	if (!list)
		return false;
	for (size_t i = 0; i < list->n; i++)
		if (str_eq(list->items[i].type, "aws_cnr") && !list->items[i].config.linked)
			return true;
	return false;
}
