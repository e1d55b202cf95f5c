/* cxtool - drives the CerteroX client (src/certerox) from scripts, for the integration tests.
 *
 *   cxtool [options] COMMAND < request.json > answer.json
 *
 * Options (never secrets): --url URL (default $CERTEROX_URL), --ca-bundle FILE (default
 * $AWS_CA_BUNDLE), --attempts N (retry attempts per call), --connect-timeout-ms N,
 * --timeout-ms N, --token-file FILE (token from a file, certerox_token_from_file), --async
 * (use the asynchronous API with an own poll loop instead of the synchronous one).
 *
 * The request on stdin is a JSON object; secrets travel only there: "token" (or "email" and
 * "password" to log in first), "org", "id", "name", "config" (access_key_id,
 * secret_access_key, linked, cur_version, config_scheme, bucket_name, bucket_prefix,
 * report_name, use_edp_discount).
 *
 * Commands: login (logs in, then lists organizations), orgs, pick (wanted = "org"), list,
 * get, create, patch, delete, verify; raw-create posts "body" as is (bypassing the config
 * builder, to provoke server-side validation errors) and parses the answer with the
 * library's error parser.
 *
 * stdout: {"status": "CX_...", "exit": N, "error": {...}, "result": ...}; never a secret.
 * Exit status: 0, or cx_status_exit of the failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "aws/http.h"
#include "certerox/certerox.h"
#include "util/json.h"
#include "util/log.h"
#include "util/secmem.h"
#include "util/str.h"

static bool use_async;

/* ---- stdin ---- */

static cJSON *read_request(struct cx_err *err)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = secmem_alloc(cap + 1);
	for (;;) {
		ssize_t r = read(0, buf + len, cap - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == cap)
			break;
	}
	buf[len] = '\0';
	cJSON *j = len ? json_parse(buf, len, err) : cJSON_CreateObject();
	secmem_free(buf);
	return j;
}

/* Wipes every string of j (the request carries secrets). */
static void wipe_json(cJSON *j)
{
	for (cJSON *it = j; it; it = it->next) {
		if (cJSON_IsString(it) && it->valuestring)
			secmem_wipe(it->valuestring, strlen(it->valuestring));
		if (it->child)
			wipe_json(it->child);
	}
}

/* ---- output ---- */

static cJSON *ds_json(const struct certerox_ds *d)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", d->id);
	cJSON_AddStringToObject(o, "name", d->name);
	cJSON_AddStringToObject(o, "type", d->type);
	if (d->organization_id)
		cJSON_AddStringToObject(o, "organization_id", d->organization_id);
	if (d->account_id)
		cJSON_AddStringToObject(o, "account_id", d->account_id);
	if (d->has_config) {
		const struct certerox_config *c = &d->config;
		cJSON *cfg = cJSON_AddObjectToObject(o, "config");
		if (c->access_key_id)
			cJSON_AddStringToObject(cfg, "access_key_id", c->access_key_id);
		cJSON_AddBoolToObject(cfg, "linked", c->linked);
		cJSON_AddNumberToObject(cfg, "cur_version", c->cur_version);
		const char *k[] = {"config_scheme", "bucket_name", "bucket_prefix", "report_name",
		                   "region_name"};
		const char *v[] = {c->config_scheme, c->bucket_name, c->bucket_prefix,
		                   c->report_name, c->region_name};
		for (size_t i = 0; i < 5; i++)
			if (v[i])
				cJSON_AddStringToObject(cfg, k[i], v[i]);
		cJSON_AddBoolToObject(cfg, "use_edp_discount", c->use_edp_discount);
	}
	return o;
}

static cJSON *orgs_json(const struct certerox_org_list *l)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < l->n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", l->items[i].id);
		cJSON_AddStringToObject(o, "name", l->items[i].name);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *list_json(const struct certerox_ds_list *l)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *a = cJSON_AddArrayToObject(o, "cloud_accounts");
	for (size_t i = 0; i < l->n; i++)
		cJSON_AddItemToArray(a, ds_json(&l->items[i]));
	bool root = certerox_has_root_aws(l);
	cJSON_AddBoolToObject(o, "has_root_aws", root);
	bool linked = false;
	for (size_t i = 0; i < l->n; i++)
		if (str_eq(l->items[i].type, "aws_cnr") && l->items[i].config.linked)
			linked = true;
	if (linked && !root)
		cJSON_AddStringToObject(o, "warning", CERTEROX_NO_ROOT_WARNING);
	return o;
}

/* ---- config from the request ---- */

static enum cx_status config_from(const cJSON *req, struct certerox_config_in *in,
                                  struct cx_err *err)
{
	const cJSON *c = json_obj(req, "config");
	memset(in, 0, sizeof(*in));
	if (!c)
		return cx_err_set(err, CX_E_USAGE, "the request has no \"config\" object");
	in->access_key_id = json_str(c, "access_key_id");
	in->secret_access_key = json_str(c, "secret_access_key");
	in->linked = json_bool(c, "linked", false);
	in->cur_version = (int)json_num(c, "cur_version", 2);
	const char *sc = json_str(c, "config_scheme");
	if (sc && !certerox_scheme_parse(sc, &in->config_scheme))
		return cx_err_set(err, CX_E_USAGE, "unknown config_scheme");
	in->bucket_name = json_str(c, "bucket_name");
	in->bucket_prefix = json_str(c, "bucket_prefix");
	in->report_name = json_str(c, "report_name");
	in->use_edp_discount = json_bool(c, "use_edp_discount", false);
	if (in->secret_access_key)
		log_redact_add(in->secret_access_key);
	return CX_OK;
}

/* ---- async driver ---- */

static void on_done(struct certerox_call *call, void *ud)
{
	(void)call;
	*(int *)ud += 1;
}

/* Runs the poll loop (as the TUI does) until the call's callback ran. */
static enum cx_status wait_call(struct http_ctx *h, struct certerox_call *k, int *calls,
                                struct cx_err *err)
{
	while (*calls == 0 && http_ctx_busy(h)) {
		http_ctx_poll(h, 50, NULL, 0);
		http_ctx_perform(h);
	}
	if (*calls != 1)
		return cx_err_set(err, CX_E_INTERNAL, "callback ran %d times", *calls);
	return certerox_call_status(k, err);
}

/* POST {"body"} to the organization's cloud_accounts with the request's token. */
static enum cx_status raw_create(struct http_ctx *h, struct certerox *c, const cJSON *req,
                                 struct cx_err *err)
{
	const cJSON *body = json_obj(req, "body");
	const char *org = json_str(req, "org"), *token = json_str(req, "token");
	if (!body || !org || !token)
		return cx_err_set(err, CX_E_USAGE, "raw-create needs \"body\", \"org\", \"token\"");
	char *text = json_compact(body);
	char url[1024], authz[1024];
	snprintf(url, sizeof(url), "%s/restapi/v2/organizations/%s/cloud_accounts",
	         certerox_base_url(c), org);
	snprintf(authz, sizeof(authz), "Authorization: Bearer %s", token);
	const char *hdrs[] = {"Content-Type: application/json", authz};
	struct http_request rq = {.method = "POST",
	                          .url = url,
	                          .headers = hdrs,
	                          .nheaders = 2,
	                          .body = text,
	                          .body_len = strlen(text),
	                          .label = "raw-create"};
	struct http_response resp;
	enum cx_status st = http_request_sync(h, &rq, NULL, &resp, err);
	if (st == CX_OK && resp.status >= 300)
		st = certerox_parse_error(resp.status, resp.body.data, resp.body.len, true, err);
	http_response_free(&resp);
	secmem_wipe(authz, sizeof(authz));
	secmem_wipe(text, strlen(text));
	free(text);
	return st;
}

int main(int argc, char **argv)
{
	const char *url = getenv("CERTEROX_URL"), *ca = getenv("AWS_CA_BUNDLE");
	const char *token_file = NULL;
	long attempts = 0, cto = 0, tto = 0;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (str_eq(a, "--async")) {
			use_async = true;
			continue;
		}
		if (!v)
			break;
		if (str_eq(a, "--url"))
			url = v;
		else if (str_eq(a, "--ca-bundle"))
			ca = v;
		else if (str_eq(a, "--attempts"))
			attempts = atol(v);
		else if (str_eq(a, "--connect-timeout-ms"))
			cto = atol(v);
		else if (str_eq(a, "--timeout-ms"))
			tto = atol(v);
		else if (str_eq(a, "--token-file"))
			token_file = v;
		else
			break;
		i++;
	}
	if (i != argc - 1) {
		fputs("usage: cxtool [--url U] [--ca-bundle F] [--attempts N] "
		      "[--connect-timeout-ms N] "
		      "[--timeout-ms N] [--token-file F] [--async] "
		      "login|orgs|pick|list|get|create|patch|delete|verify < request.json\n",
		      stderr);
		return 64;
	}
	const char *cmd = argv[i];
	if (secmem_init() < 0)
		return 70;

	enum cx_status st = CX_OK;
	struct cx_err err;
	cx_err_clear(&err);
	struct http_ctx *h = NULL;
	struct certerox *c = NULL;
	cJSON *result = NULL;
	char *tok = NULL;
	cJSON *req = read_request(&err);
	if (!req) {
		st = CX_E_USAGE;
		goto out;
	}
	struct http_opts ho = {.connect_timeout_ms = cto,
	                       .total_timeout_ms = tto,
	                       .ca_bundle = ca && ca[0] ? ca : NULL};
	h = http_ctx_new(&ho, &err);
	if (!h) {
		st = err.status;
		goto out;
	}
	c = certerox_new(h, url, &err);
	if (!c) {
		st = err.status;
		goto out;
	}
	if (attempts > 0) {
		struct http_call_opts co = {.max_attempts = (int)attempts};
		certerox_set_call_opts(c, &co);
	}
	if (token_file) {
		if ((st = certerox_token_from_file(token_file, &tok, &err)))
			goto out;
		certerox_set_token(c, tok);
	} else if (json_str(req, "token")) {
		certerox_set_token(c, json_str(req, "token"));
	}
	const char *email = json_str(req, "email"), *password = json_str(req, "password");
	if (str_eq(cmd, "login") || (email && password)) {
		if (use_async) {
			int calls = 0;
			struct certerox_call *k =
			    certerox_login_start(c, email, password, on_done, &calls);
			st = wait_call(h, k, &calls, &err);
			certerox_call_free(k);
		} else {
			st = certerox_login(c, email, password, &err);
		}
		if (st)
			goto out;
		if (str_eq(cmd, "login"))
			cmd = "orgs";
	}

	struct certerox_config_in cfg;
	const char *org = json_str(req, "org"), *id = json_str(req, "id");
	if (use_async) {
		int calls = 0;
		struct certerox_call *k = NULL;
		if (str_eq(cmd, "orgs")) {
			k = certerox_list_orgs_start(c, on_done, &calls);
		} else if (str_eq(cmd, "list")) {
			k = certerox_list_ds_start(c, org, on_done, &calls);
		} else if (str_eq(cmd, "get")) {
			k = certerox_get_ds_start(c, id, on_done, &calls);
		} else if (str_eq(cmd, "delete")) {
			k = certerox_delete_ds_start(c, id, on_done, &calls);
		} else if (str_eq(cmd, "create") || str_eq(cmd, "patch") || str_eq(cmd, "verify")) {
			if ((st = config_from(req, &cfg, &err)))
				goto out;
			if (str_eq(cmd, "create"))
				k = certerox_create_ds_start(c, org, json_str(req, "name"), &cfg,
				                             on_done, &calls);
			else if (str_eq(cmd, "patch"))
				k = certerox_patch_ds_start(c, id, &cfg, on_done, &calls);
			else
				k = certerox_verify_config_start(c, &cfg, on_done, &calls);
		} else {
			st = cx_err_set(&err, CX_E_USAGE, "unknown or synchronous-only command %s",
			                cmd);
			goto out;
		}
		if (calls != 0) {
			st = cx_err_set(&err, CX_E_INTERNAL,
			                "callback ran inside the start function");
			certerox_call_free(k);
			goto out;
		}
		st = wait_call(h, k, &calls, &err);
		struct certerox_result *r = certerox_call_result(k);
		if (st == CX_OK) {
			if (r->op == CERTEROX_OP_LIST_ORGS)
				result = orgs_json(&r->orgs);
			else if (r->op == CERTEROX_OP_LIST_DS)
				result = list_json(&r->list);
			else if (r->op == CERTEROX_OP_DELETE_DS || r->op == CERTEROX_OP_VERIFY)
				result = cJSON_CreateTrue();
			else
				result = ds_json(&r->ds);
		}
		certerox_call_free(k);
		goto out;
	}

	if (str_eq(cmd, "raw-create")) {
		st = raw_create(h, c, req, &err);
		if (st == CX_OK)
			result = cJSON_CreateTrue();
	} else if (str_eq(cmd, "orgs")) {
		struct certerox_org_list l;
		if ((st = certerox_list_orgs(c, &l, &err)) == CX_OK)
			result = orgs_json(&l);
		certerox_org_list_free(&l);
	} else if (str_eq(cmd, "pick")) {
		char *picked = NULL;
		if ((st = certerox_pick_org(c, org, &picked, &err)) == CX_OK)
			result = cJSON_CreateString(picked);
		free(picked);
	} else if (str_eq(cmd, "list")) {
		struct certerox_ds_list l;
		if ((st = certerox_list_ds(c, org, &l, &err)) == CX_OK)
			result = list_json(&l);
		certerox_ds_list_free(&l);
	} else if (str_eq(cmd, "get") || str_eq(cmd, "create") || str_eq(cmd, "patch")) {
		struct certerox_ds ds;
		memset(&ds, 0, sizeof(ds));
		if (str_eq(cmd, "get")) {
			st = certerox_get_ds(c, id, &ds, &err);
		} else {
			if ((st = config_from(req, &cfg, &err)))
				goto out;
			if (str_eq(cmd, "create"))
				st = certerox_create_ds(c, org, json_str(req, "name"), &cfg, &ds,
				                        &err);
			else
				st = certerox_patch_ds(c, id, &cfg, &ds, &err);
		}
		if (st == CX_OK)
			result = ds_json(&ds);
		certerox_ds_free(&ds);
	} else if (str_eq(cmd, "delete")) {
		if ((st = certerox_delete_ds(c, id, &err)) == CX_OK)
			result = cJSON_CreateTrue();
	} else if (str_eq(cmd, "verify")) {
		if ((st = config_from(req, &cfg, &err)) == CX_OK &&
		    (st = certerox_verify_config(c, &cfg, &err)) == CX_OK)
			result = cJSON_CreateTrue();
	} else {
		st = cx_err_set(&err, CX_E_USAGE, "unknown command %s", cmd);
	}
out:;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", cx_status_name(st));
	cJSON_AddNumberToObject(o, "exit", cx_status_exit(st));
	if (st != CX_OK) {
		cJSON *e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "code", err.code);
		cJSON_AddNumberToObject(e, "http_status", err.http_status);
		cJSON_AddStringToObject(e, "msg", err.msg);
		cJSON_AddStringToObject(e, "where", err.where);
		char line[1600];
		fprintf(stderr, "cxtool: %s\n", cx_err_format(&err, line, sizeof(line)));
	}
	if (result)
		cJSON_AddItemToObject(o, "result", result);
	char *text = json_pretty(o);
	fputs(text, stdout); /* not redacted here: the tests check that no secret is in it */
	free(text);
	cJSON_Delete(o);
	if (req) {
		wipe_json(req);
		cJSON_Delete(req);
	}
	secmem_free(tok);
	certerox_free(c);
	http_ctx_free(h);
	return st == CX_OK ? 0 : cx_status_exit(st);
}
