/* certerox.c - CerteroX REST calls over the shared http ctx (see certerox.h). */
#include "certerox/certerox.h"
#include "certerox/cxint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/str.h"

struct certerox {
	struct http_ctx *http;
	char *base;  /* no trailing '/' */
	char *token; /* secmem; NULL when none */
	struct http_call_opts opts;
};

struct certerox_call {
	struct certerox *c;
	enum certerox_op op;
	certerox_done_fn done;
	void *ud;
	struct http_call *hc;
	unsigned long timer; /* early completion (invalid arguments) */
	bool finished;
	bool cancelled;
	bool refused; /* error text "CerteroX refused the data source: ..." */
	enum cx_status status;
	struct cx_err err;
	struct certerox_result res;
	char where[160];
};

/* ---- URL ---- */

static bool loopback_host(const char *h, size_t n)
{
	if ((n == 9 && strncmp(h, "localhost", 9) == 0) || (n == 5 && strncmp(h, "[::1]", 5) == 0))
		return true;
	/* 127.0.0.0/8 in dotted decimal */
	if (n < 9 || strncmp(h, "127.", 4) != 0)
		return false;
	int dots = 0;
	for (size_t i = 0; i < n; i++) {
		if (h[i] == '.')
			dots++;
		else if (h[i] < '0' || h[i] > '9')
			return false;
	}
	return dots == 3;
}

char *certerox_url_normalize(const char *base_url, struct cx_err *err)
{
	if (!base_url || !base_url[0]) {
		cx_err_set(err, CX_E_INPUT, "CerteroX URL is empty");
		return NULL;
	}
	size_t n = strlen(base_url);
	if (n > 1024 || !str_is_clean_utf8(base_url, n)) {
		cx_err_set(err, CX_E_INPUT, "CerteroX URL is too long or has control characters");
		return NULL;
	}
	char *pu = str_printable(base_url, 200);
	char *out = NULL;
	const char *rest;
	bool http = false;
	if (str_starts_with(base_url, "https://")) {
		rest = base_url + 8;
	} else if (str_starts_with(base_url, "http://")) {
		rest = base_url + 7;
		http = true;
	} else {
		cx_err_set(err, CX_E_INPUT, "CerteroX URL \"%s\" must start with https://", pu);
		goto out;
	}
	if (strpbrk(base_url, " \t?#")) {
		cx_err_set(
		    err, CX_E_INPUT,
		    "CerteroX URL \"%s\" must not contain spaces, a query (?) or a fragment (#)",
		    pu);
		goto out;
	}
	size_t alen = strcspn(rest, "/");
	if (alen == 0) {
		cx_err_set(err, CX_E_INPUT, "CerteroX URL \"%s\" has no host", pu);
		goto out;
	}
	if (memchr(rest, '@', alen)) {
		cx_err_set(err, CX_E_INPUT,
		           "CerteroX URL must not contain a user name or password");
		goto out;
	}
	/* host (and optional :port) */
	size_t hlen = alen;
	if (rest[0] == '[') {
		const char *close = memchr(rest, ']', alen);
		if (!close) {
			cx_err_set(err, CX_E_INPUT, "CerteroX URL \"%s\" has an invalid host", pu);
			goto out;
		}
		hlen = (size_t)(close - rest) + 1;
	} else {
		const char *colon = memchr(rest, ':', alen);
		if (colon)
			hlen = (size_t)(colon - rest);
	}
	if (hlen == 0) {
		cx_err_set(err, CX_E_INPUT, "CerteroX URL \"%s\" has no host", pu);
		goto out;
	}
	if (hlen < alen) {
		const char *port = rest + hlen;
		size_t plen = alen - hlen;
		bool ok = plen >= 2 && plen <= 6 && port[0] == ':';
		long pv = 0;
		for (size_t i = 1; ok && i < plen; i++) {
			if (port[i] < '0' || port[i] > '9')
				ok = false;
			else
				pv = pv * 10 + (port[i] - '0');
		}
		if (!ok || pv < 1 || pv > 65535) {
			cx_err_set(err, CX_E_INPUT, "CerteroX URL \"%s\" has an invalid port", pu);
			goto out;
		}
	}
	if (http && !loopback_host(rest, hlen)) {
		cx_err_set(err, CX_E_INPUT,
		           "CerteroX URL \"%s\": http:// is allowed only for a loopback host "
		           "(127.0.0.1, ::1, localhost); use https://",
		           pu);
		goto out;
	}
	out = xstrdup(base_url);
	size_t len = strlen(out);
	while (len > 0 && out[len - 1] == '/')
		out[--len] = '\0';
out:
	free(pu);
	return out;
}

/* ---- client ---- */

struct certerox *certerox_new(struct http_ctx *http, const char *base_url, struct cx_err *err)
{
	if (!http) {
		cx_err_set(err, CX_E_INTERNAL, "certerox_new: no http context");
		return NULL;
	}
	char *base = certerox_url_normalize(base_url, err);
	if (!base)
		return NULL;
	struct certerox *c = xcalloc(1, sizeof(*c));
	c->http = http;
	c->base = base;
	return c;
}

void certerox_free(struct certerox *c)
{
	if (!c)
		return;
	secmem_free(c->token);
	free(c->base);
	free(c);
}

const char *certerox_base_url(const struct certerox *c)
{
	return c->base;
}

void certerox_set_call_opts(struct certerox *c, const struct http_call_opts *opts)
{
	if (opts)
		c->opts = *opts;
	else
		memset(&c->opts, 0, sizeof(c->opts));
}

void certerox_set_token(struct certerox *c, const char *token)
{
	secmem_free(c->token);
	c->token = NULL;
	if (token && token[0]) {
		c->token = secmem_strdup(token);
		log_redact_add(token);
	}
}

bool certerox_has_token(const struct certerox *c)
{
	return c && c->token != NULL;
}

enum cx_status certerox_token_from_file(const char *path, char **out_secmem, struct cx_err *err)
{
	enum cx_status st = CX_OK;
	const size_t max = 64 * 1024;
	char *buf = NULL;
	size_t len = 0;
	*out_secmem = NULL;
	int fd =
	    open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK); /* a FIFO must not hang */
	if (fd < 0) {
		st = cx_err_set(err, CX_E_IO, "cannot open the CerteroX token file %s: %s", path,
		                strerror(errno));
		goto out;
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		st = cx_err_set(err, CX_E_INPUT, "the CerteroX token file %s is not a regular file",
		                path);
		goto out;
	}
	if ((size_t)sb.st_size > max) {
		st = cx_err_set(err, CX_E_INPUT, "the CerteroX token file %s is larger than 64 KiB",
		                path);
		goto out;
	}
	buf = secmem_alloc(max + 1);
	for (;;) {
		ssize_t r = read(fd, buf + len, max - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			st = cx_err_set(err, CX_E_IO, "cannot read the CerteroX token file %s: %s",
			                path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == max) {
			st = cx_err_set(err, CX_E_INPUT,
			                "the CerteroX token file %s is larger than 64 KiB", path);
			goto out;
		}
	}
	buf[len] = '\0';
	size_t line = strcspn(buf, "\n");
	buf[line] = '\0';
	char *tok = str_trim(buf);
	if (!tok[0]) {
		st = cx_err_set(err, CX_E_INPUT,
		                "the CerteroX token file %s: the first line is empty", path);
		goto out;
	}
	for (const unsigned char *p = (const unsigned char *)tok; *p; p++)
		if (*p < 0x21 || *p == 0x7F) {
			st = cx_err_set(
			    err, CX_E_INPUT,
			    "the CerteroX token file %s: the token has spaces or control "
			    "characters",
			    path);
			goto out;
		}
	*out_secmem = secmem_strdup(tok);
	log_redact_add(tok);
out:
	if (fd >= 0)
		close(fd);
	secmem_free(buf);
	return st;
}

/* ---- calls ---- */

static void finish(struct certerox_call *k, enum cx_status st)
{
	if (k->cancelled && st == CX_OK)
		st = cx_err_set(&k->err, CX_E_CANCELLED, "cancelled");
	k->status = st;
	k->err.status = st;
	if (st != CX_OK && k->where[0] && !k->err.where[0])
		cx_err_where(&k->err, "%s", k->where);
	k->finished = true;
	if (k->done)
		k->done(k, k->ud);
}

static void on_timer(void *ud)
{
	struct certerox_call *k = ud;
	k->timer = 0;
	finish(k, k->err.status);
}

/* Completes k with st (err already set) from the next http_ctx_perform. */
static struct certerox_call *fail_later(struct certerox_call *k)
{
	k->timer = http_timer_add(k->c->http, 0, on_timer, k);
	return k;
}

static struct certerox_call *call_new(struct certerox *c, enum certerox_op op,
                                      certerox_done_fn done, void *ud)
{
	struct certerox_call *k = xcalloc(1, sizeof(*k));
	k->c = c;
	k->op = op;
	k->res.op = op;
	k->done = done;
	k->ud = ud;
	cx_err_clear(&k->err);
	return k;
}

/* Ids go into URL paths: a conservative character set. */
static bool id_ok(const char *id)
{
	if (!id || !id[0] || strlen(id) > 128)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~'))
			return false;
	return !str_eq(id, ".") && !str_eq(id, "..");
}

static enum cx_status transport_error(struct certerox_call *k, enum cx_status st,
                                      const struct cx_err *e, int attempts)
{
	switch (st) {
	case CX_E_NETWORK:
	case CX_E_TIMEOUT:
	case CX_E_THROTTLED:
	case CX_E_SERVER:
		return cx_err_set(&k->err, CX_E_UNAVAILABLE,
		                  "CerteroX is unreachable after %d attempt%s: %s", attempts,
		                  attempts == 1 ? "" : "s", e->msg[0] ? e->msg : cx_status_msg(st));
	default:
		return cx_err_set(&k->err, st, "%s", e->msg[0] ? e->msg : cx_status_msg(st));
	}
}

static enum cx_status take_token(struct certerox_call *k, struct http_response *r)
{
	enum cx_status st = CX_OK;
	struct cx_err jerr;
	cx_err_clear(&jerr);
	cJSON *j = json_parse(r->body.data ? r->body.data : "", r->body.len, &jerr);
	const cJSON *t = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "token") : NULL;
	if (!j) {
		st = cx_err_set(&k->err, CX_E_PARSE,
		                "CerteroX sent %zu bytes that are not JSON (%s) where a token was "
		                "expected",
		                r->body.len, jerr.msg);
	} else if (!t || !cJSON_IsString(t) || !t->valuestring || !t->valuestring[0]) {
		st = cx_err_set(&k->err, CX_E_PARSE, "CerteroX login answer lacks \"token\"");
	} else {
		bool bad = false;
		for (const unsigned char *p = (const unsigned char *)t->valuestring; *p; p++)
			if (*p < 0x21 || *p == 0x7F)
				bad = true;
		if (bad)
			st = cx_err_set(&k->err, CX_E_PARSE,
			                "CerteroX login answer: the token has control characters");
		else
			certerox_set_token(k->c, t->valuestring);
	}
	if (t && cJSON_IsString(t) && t->valuestring)
		secmem_wipe(t->valuestring, strlen(t->valuestring));
	cJSON_Delete(j);
	return st;
}

static enum cx_status handle_answer(struct certerox_call *k, struct http_response *r)
{
	const char *body = r->body.data ? r->body.data : "";
	size_t n = r->body.len;
	k->err.http_status = (int)r->status;
	if (r->status < 200 || (r->status >= 300 && r->status < 400))
		return cx_err_set(&k->err, CX_E_SERVER,
		                  "CerteroX answered HTTP %ld (check the CerteroX URL)", r->status);
	if (r->status >= 400)
		return certerox_parse_error(r->status, body, n, k->refused, &k->err);
	switch (k->op) {
	case CERTEROX_OP_LOGIN:
		return take_token(k, r);
	case CERTEROX_OP_LIST_ORGS:
		return certerox_parse_orgs(body, n, &k->res.orgs, &k->err);
	case CERTEROX_OP_LIST_DS:
		return certerox_parse_ds_list(body, n, &k->res.list, &k->err);
	case CERTEROX_OP_GET_DS:
	case CERTEROX_OP_CREATE_DS:
	case CERTEROX_OP_PATCH_DS:
		return certerox_parse_ds(body, n, &k->res.ds, &k->err);
	case CERTEROX_OP_DELETE_DS:
	case CERTEROX_OP_VERIFY:
		return CX_OK;
	}
	return cx_err_set(&k->err, CX_E_INTERNAL, "unknown CerteroX operation");
}

static void on_http_done(struct http_call *hc, void *ud)
{
	struct certerox_call *k = ud;
	struct cx_err e;
	cx_err_clear(&e);
	enum cx_status st = http_call_status(hc, &e);
	struct http_response *r = http_call_response(hc);
	if (st == CX_OK && r) {
		st = handle_answer(k, r);
		int n = http_call_attempts(hc);
		if (st == CX_E_UNAVAILABLE && n > 1) {
			char tmp[sizeof(k->err.msg)];
			memcpy(tmp, k->err.msg, sizeof(tmp));
			cx_err_set(&k->err, st, "%.900s (after %d attempts)", tmp, n);
		}
	} else if (st != CX_OK)
		st = transport_error(k, st, &e, http_call_attempts(hc));
	else
		st = cx_err_set(&k->err, CX_E_INTERNAL, "no answer");
	if (r && r->body.data && k->op == CERTEROX_OP_LOGIN)
		secmem_wipe(r->body.data, r->body.len);
	http_call_free(hc);
	k->hc = NULL;
	finish(k, st);
}

/* Starts method path with body (secmem JSON, wiped and freed here; may be NULL). */
static struct certerox_call *send_req(struct certerox_call *k, const char *method, const char *path,
                                      char *body, bool auth)
{
	struct certerox *c = k->c;
	char *url = xasprintf("%s%s", c->base, path);
	char *label = xasprintf("certerox %s %s", method, path);
	char *authz = NULL;
	const char *hdrs[3];
	size_t nh = 0;
	hdrs[nh++] = "Accept: application/json";
	if (body)
		hdrs[nh++] = "Content-Type: application/json";
	if (auth) {
		if (!c->token) {
			cx_err_set(
			    &k->err, CX_E_CREDENTIALS,
			    "no CerteroX token: give --certerox-token-file, CERTEROX_TOKEN, or "
			    "log in with email and password");
			fail_later(k);
			goto out;
		}
		for (const unsigned char *p = (const unsigned char *)c->token; *p; p++)
			if (*p < 0x21 || *p == 0x7F) {
				cx_err_set(&k->err, CX_E_INPUT,
				           "the CerteroX token has spaces or control characters");
				fail_later(k);
				goto out;
			}
		size_t an = strlen(c->token) + 32;
		authz = secmem_alloc(an);
		snprintf(authz, an, "Authorization: Bearer %s", c->token);
		hdrs[nh++] = authz;
	}
	struct http_request rq = {.method = method,
	                          .url = url,
	                          .headers = hdrs,
	                          .nheaders = nh,
	                          .body = body,
	                          .body_len = body ? strlen(body) : 0,
	                          .label = label};
	k->hc = http_call_start(c->http, &rq, &c->opts, on_http_done, k);
out:
	secmem_free(authz);
	secmem_free(body);
	free(url);
	free(label);
	return k;
}

struct certerox_call *certerox_login_start(struct certerox *c, const char *email,
                                           const char *password, certerox_done_fn done, void *ud)
{
	struct certerox_call *k = call_new(c, CERTEROX_OP_LOGIN, done, ud);
	str_copy(k->where, sizeof(k->where), "certerox login");
	if (!email || !email[0] || !password || !password[0]) {
		cx_err_set(&k->err, CX_E_INPUT, "CerteroX login needs an email and a password");
		return fail_later(k);
	}
	log_redact_add(password);
	struct sjson s;
	sjson_init(&s);
	sjson_open(&s);
	sjson_str(&s, "email", email);
	sjson_str(&s, "password", password);
	sjson_close(&s);
	return send_req(k, "POST", "/auth/v2/tokens", sjson_steal(&s), false);
}

struct certerox_call *certerox_list_orgs_start(struct certerox *c, certerox_done_fn done, void *ud)
{
	struct certerox_call *k = call_new(c, CERTEROX_OP_LIST_ORGS, done, ud);
	str_copy(k->where, sizeof(k->where), "certerox list organizations");
	return send_req(k, "GET", "/restapi/v2/organizations", NULL, true);
}

/* send_req (authenticated) to the data sources of organization org_id. Takes body. */
static struct certerox_call *send_org_ds(struct certerox_call *k, const char *method,
                                         const char *org_id, char *body)
{
	char *path = xasprintf("/restapi/v2/organizations/%s/cloud_accounts", org_id);
	send_req(k, method, path, body, true);
	free(path);
	return k;
}

/* send_req (authenticated) to data source id. Takes body. */
static struct certerox_call *send_ds(struct certerox_call *k, const char *method, const char *id,
                                     char *body)
{
	char *path = xasprintf("/restapi/v2/cloud_accounts/%s", id);
	send_req(k, method, path, body, true);
	free(path);
	return k;
}

static bool bad_id(struct certerox_call *k, const char *what, const char *id)
{
	if (id_ok(id))
		return false;
	char *p = str_printable(id ? id : "", 80);
	cx_err_set(&k->err, CX_E_INPUT, "invalid CerteroX %s \"%s\"", what, p);
	free(p);
	fail_later(k);
	return true;
}

struct certerox_call *certerox_list_ds_start(struct certerox *c, const char *org_id,
                                             certerox_done_fn done, void *ud)
{
	struct certerox_call *k = call_new(c, CERTEROX_OP_LIST_DS, done, ud);
	if (bad_id(k, "organization id", org_id))
		return k;
	snprintf(k->where, sizeof(k->where), "certerox list data sources of organization %s",
	         org_id);
	return send_org_ds(k, "GET", org_id, NULL);
}

struct certerox_call *certerox_get_ds_start(struct certerox *c, const char *id,
                                            certerox_done_fn done, void *ud)
{
	struct certerox_call *k = call_new(c, CERTEROX_OP_GET_DS, done, ud);
	if (bad_id(k, "data source id", id))
		return k;
	snprintf(k->where, sizeof(k->where), "certerox get data source %s", id);
	return send_ds(k, "GET", id, NULL);
}

/* The JSON body {"name": name, "type": type, "config": <cfg>}, name and type left out when
 * NULL. The caller owns the result (secmem: it holds the secret key). */
static char *config_body(const struct certerox_config_in *cfg, const char *name, const char *type)
{
	char *conf = certerox_config_build(cfg);
	struct sjson s;
	sjson_init(&s);
	sjson_open(&s);
	if (name)
		sjson_str(&s, "name", name);
	if (type)
		sjson_str(&s, "type", type);
	sjson_json(&s, "config", conf);
	sjson_close(&s);
	secmem_free(conf);
	return sjson_steal(&s);
}

/* probe_ok: the config may be the key probe's (certerox_probe_config): verify only, never a
 * create or an update. */
static bool bad_config(struct certerox_call *k, const struct certerox_config_in *cfg, bool probe_ok)
{
	if (!cfg) {
		cx_err_set(&k->err, CX_E_INPUT, "CerteroX config: missing");
	} else if (cfg->probe && !probe_ok) {
		cx_err_set(&k->err, CX_E_INTERNAL,
		           "CerteroX config: the key probe's config is for verify only");
	} else if (certerox_config_check(cfg, &k->err) == CX_OK) {
		log_redact_add(cfg->secret_access_key);
		return false;
	}
	fail_later(k);
	return true;
}

struct certerox_call *certerox_create_ds_start(struct certerox *c, const char *org_id,
                                               const char *name,
                                               const struct certerox_config_in *cfg,
                                               certerox_done_fn done, void *ud)
{
	struct certerox_call *k = call_new(c, CERTEROX_OP_CREATE_DS, done, ud);
	k->refused = true;
	if (bad_id(k, "organization id", org_id))
		return k;
	char *pn = str_printable(name ? name : "", 100);
	snprintf(k->where, sizeof(k->where), "certerox create data source \"%s\"", pn);
	free(pn);
	size_t nl = name ? strlen(name) : 0;
	if (nl == 0 || nl > 255 || strspn(name, " \t\r\n\f\v") == nl ||
	    !str_is_clean_utf8(name, nl)) {
		cx_err_set(&k->err, CX_E_INPUT,
		           "data source name must have 1-255 characters, not only whitespace, and "
		           "no control characters");
		return fail_later(k);
	}
	if (bad_config(k, cfg, false))
		return k;
	return send_org_ds(k, "POST", org_id, config_body(cfg, name, "aws_cnr"));
}

struct certerox_call *certerox_patch_ds_start(struct certerox *c, const char *id,
                                              const struct certerox_config_in *cfg,
                                              certerox_done_fn done, void *ud)
{
	struct certerox_call *k = call_new(c, CERTEROX_OP_PATCH_DS, done, ud);
	k->refused = true;
	if (bad_id(k, "data source id", id))
		return k;
	snprintf(k->where, sizeof(k->where), "certerox update data source %s", id);
	if (bad_config(k, cfg, false))
		return k;
	return send_ds(k, "PATCH", id, config_body(cfg, NULL, NULL));
}

struct certerox_call *certerox_delete_ds_start(struct certerox *c, const char *id,
                                               certerox_done_fn done, void *ud)
{
	struct certerox_call *k = call_new(c, CERTEROX_OP_DELETE_DS, done, ud);
	if (bad_id(k, "data source id", id))
		return k;
	snprintf(k->where, sizeof(k->where), "certerox delete data source %s", id);
	return send_ds(k, "DELETE", id, NULL);
}

struct certerox_call *certerox_verify_config_start(struct certerox *c,
                                                   const struct certerox_config_in *cfg,
                                                   certerox_done_fn done, void *ud)
{
	struct certerox_call *k = call_new(c, CERTEROX_OP_VERIFY, done, ud);
	k->refused = true;
	str_copy(k->where, sizeof(k->where), "certerox verify data source credentials");
	if (bad_config(k, cfg, true))
		return k;
	return send_req(k, "POST", "/restapi/v2/cloud_account_verify",
	                config_body(cfg, NULL, "aws_cnr"), true);
}

enum cx_status certerox_call_status(const struct certerox_call *k, struct cx_err *err)
{
	if (!k->finished)
		return cx_err_set(err, CX_E_INTERNAL, "CerteroX call still running");
	if (err)
		*err = k->err;
	return k->status;
}

struct certerox_result *certerox_call_result(struct certerox_call *k)
{
	return &k->res;
}

bool certerox_call_done(const struct certerox_call *k)
{
	return k->finished;
}

enum certerox_op certerox_call_op(const struct certerox_call *k)
{
	return k->op;
}

void certerox_call_cancel(struct certerox_call *k)
{
	if (!k || k->finished)
		return;
	k->cancelled = true;
	if (k->hc) {
		http_call_cancel(k->hc);
	} else if (k->timer) {
		cx_err_set(&k->err, CX_E_CANCELLED, "cancelled");
	}
}

void certerox_call_free(struct certerox_call *k)
{
	if (!k)
		return;
	if (k->hc)
		http_call_free(k->hc);
	if (k->timer)
		http_timer_cancel(k->c->http, k->timer);
	certerox_org_list_free(&k->res.orgs);
	certerox_ds_list_free(&k->res.list);
	certerox_ds_free(&k->res.ds);
	free(k);
}

/* ---- synchronous forms ---- */

static enum cx_status run_sync(struct certerox_call *k, struct cx_err *err)
{
	http_ctx_run_until(k->c->http, &k->finished);
	if (!k->finished)
		return cx_err_set(err, CX_E_INTERNAL, "CerteroX call did not complete");
	return certerox_call_status(k, err);
}

enum cx_status certerox_login(struct certerox *c, const char *email, const char *password,
                              struct cx_err *err)
{
	struct certerox_call *k = certerox_login_start(c, email, password, NULL, NULL);
	enum cx_status st = run_sync(k, err);
	certerox_call_free(k);
	return st;
}

enum cx_status certerox_list_orgs(struct certerox *c, struct certerox_org_list *out,
                                  struct cx_err *err)
{
	out->items = NULL;
	out->n = 0;
	struct certerox_call *k = certerox_list_orgs_start(c, NULL, NULL);
	enum cx_status st = run_sync(k, err);
	if (st == CX_OK) {
		*out = k->res.orgs;
		memset(&k->res.orgs, 0, sizeof(k->res.orgs));
	}
	certerox_call_free(k);
	return st;
}

enum cx_status certerox_pick_org(struct certerox *c, const char *wanted, char **out_id,
                                 struct cx_err *err)
{
	struct certerox_org_list l;
	*out_id = NULL;
	enum cx_status st = certerox_list_orgs(c, &l, err);
	if (st != CX_OK)
		return st;
	st = certerox_org_pick(&l, wanted, out_id, err);
	if (st != CX_OK && err)
		cx_err_where(err, "certerox choose the organization");
	certerox_org_list_free(&l);
	return st;
}

enum cx_status certerox_list_ds(struct certerox *c, const char *org_id,
                                struct certerox_ds_list *out, struct cx_err *err)
{
	out->items = NULL;
	out->n = 0;
	struct certerox_call *k = certerox_list_ds_start(c, org_id, NULL, NULL);
	enum cx_status st = run_sync(k, err);
	if (st == CX_OK) {
		*out = k->res.list;
		memset(&k->res.list, 0, sizeof(k->res.list));
	}
	certerox_call_free(k);
	return st;
}

static enum cx_status sync_ds(struct certerox_call *k, struct certerox_ds *out, struct cx_err *err)
{
	if (out)
		memset(out, 0, sizeof(*out));
	enum cx_status st = run_sync(k, err);
	if (st == CX_OK && out) {
		*out = k->res.ds;
		memset(&k->res.ds, 0, sizeof(k->res.ds));
	}
	certerox_call_free(k);
	return st;
}

enum cx_status certerox_get_ds(struct certerox *c, const char *id, struct certerox_ds *out,
                               struct cx_err *err)
{
	return sync_ds(certerox_get_ds_start(c, id, NULL, NULL), out, err);
}

enum cx_status certerox_create_ds(struct certerox *c, const char *org_id, const char *name,
                                  const struct certerox_config_in *cfg, struct certerox_ds *out,
                                  struct cx_err *err)
{
	return sync_ds(certerox_create_ds_start(c, org_id, name, cfg, NULL, NULL), out, err);
}

enum cx_status certerox_patch_ds(struct certerox *c, const char *id,
                                 const struct certerox_config_in *cfg, struct certerox_ds *out,
                                 struct cx_err *err)
{
	return sync_ds(certerox_patch_ds_start(c, id, cfg, NULL, NULL), out, err);
}

enum cx_status certerox_delete_ds(struct certerox *c, const char *id, struct cx_err *err)
{
	return sync_ds(certerox_delete_ds_start(c, id, NULL, NULL), NULL, err);
}

enum cx_status certerox_verify_config(struct certerox *c, const struct certerox_config_in *cfg,
                                      struct cx_err *err)
{
	return sync_ds(certerox_verify_config_start(c, cfg, NULL, NULL), NULL, err);
}
