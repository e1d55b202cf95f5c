/* cxconfig.c - the data source config as the web UI sends it, built in secmem. */
#include "certerox/certerox.h"
#include "certerox/cxint.h"

#include <stdio.h>
#include <string.h>

#include "util/secmem.h"
#include "util/str.h"

/* ---- secmem JSON writer ---- */

void sjson_init(struct sjson *s)
{
	s->cap = 256;
	s->p = secmem_alloc(s->cap);
	s->len = 0;
	s->p[0] = '\0';
	s->need_comma = false;
}

static void put(struct sjson *s, const char *d, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap;
		while (s->len + n + 1 > cap)
			cap *= 2;
		char *p = secmem_alloc(cap);
		memcpy(p, s->p, s->len);
		secmem_free(s->p);
		s->p = p;
		s->cap = cap;
	}
	memcpy(s->p + s->len, d, n);
	s->len += n;
	s->p[s->len] = '\0';
}

void sjson_raw(struct sjson *s, const char *text)
{
	put(s, text, strlen(text));
}

static void put_string(struct sjson *s, const char *v)
{
	put(s, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put(s, esc, 2);
		} else if (*p < 0x20 || *p == 0x7F) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put(s, esc, 6);
		} else {
			put(s, (const char *)p, 1);
		}
	}
	put(s, "\"", 1);
}

void sjson_open(struct sjson *s)
{
	put(s, "{", 1);
	s->need_comma = false;
}

void sjson_close(struct sjson *s)
{
	put(s, "}", 1);
	s->need_comma = true;
}

void sjson_key(struct sjson *s, const char *key)
{
	if (s->need_comma)
		put(s, ",", 1);
	put_string(s, key);
	put(s, ":", 1);
	s->need_comma = true;
}

void sjson_str(struct sjson *s, const char *key, const char *value)
{
	sjson_key(s, key);
	put_string(s, value ? value : "");
}

void sjson_bool(struct sjson *s, const char *key, bool value)
{
	sjson_key(s, key);
	sjson_raw(s, value ? "true" : "false");
}

void sjson_int(struct sjson *s, const char *key, long value)
{
	char n[32];
	snprintf(n, sizeof(n), "%ld", value);
	sjson_key(s, key);
	sjson_raw(s, n);
}

void sjson_json(struct sjson *s, const char *key, const char *text)
{
	sjson_key(s, key);
	sjson_raw(s, text);
}

char *sjson_steal(struct sjson *s)
{
	char *p = s->p;
	s->p = NULL;
	s->len = s->cap = 0;
	return p;
}

void sjson_free(struct sjson *s)
{
	secmem_free(s->p); /* wipes */
	s->p = NULL;
	s->len = s->cap = 0;
}

/* ---- config ---- */

unsigned certerox_unsupported_keys(const struct cx_err *err)
{
	unsigned m = 0;
	if (!err || !str_eq(err->code, "OE0212"))
		return 0;
	if (strstr(err->msg, "'cur_version'"))
		m |= CERTEROX_KEY_CUR_VERSION;
	if (strstr(err->msg, "'use_edp_discount'"))
		m |= CERTEROX_KEY_USE_EDP_DISCOUNT;
	if (strstr(err->msg, "'assume_role_account_id'") || strstr(err->msg, "'assume_role_name'"))
		m |= CERTEROX_KEY_ASSUME_ROLE;
	return m;
}

bool certerox_probe_all_known(enum cx_status st, const struct cx_err *err)
{
	if (st == CX_OK || !err)
		return false; /* a number accepted as a key id: not an OptScale we know */
	if (str_eq(err->code, "OE0214"))
		return strstr(err->msg, "access_key_id") != NULL;
	return str_eq(err->code, "OE0433");
}

bool certerox_probe_asked_aws(enum cx_status st, const struct cx_err *err)
{
	return st != CX_OK && err && str_eq(err->code, "OE0433");
}

void certerox_probe_config(struct certerox_config_in *out)
{
	memset(out, 0, sizeof(*out));
	out->probe = true;
	/* not a credential: the server stops at the key id's type (OE0214) before it reads it */
	out->secret_access_key = "certerox-aws-setup-config-key-probe";
	out->cur_version = 2;
	out->config_scheme = CERTEROX_SCHEME_FIND_REPORT;
}

static const char *const scheme_names[] = {"find_report", "create_report", "bucket_only"};

const char *certerox_scheme_name(enum certerox_scheme s)
{
	if ((unsigned)s < sizeof(scheme_names) / sizeof(scheme_names[0]))
		return scheme_names[s];
	return "find_report";
}

bool certerox_scheme_parse(const char *name, enum certerox_scheme *out)
{
	for (unsigned i = 0; i < sizeof(scheme_names) / sizeof(scheme_names[0]); i++)
		if (str_eq(name, scheme_names[i])) {
			*out = (enum certerox_scheme)i;
			return true;
		}
	return false;
}

char *certerox_config_build(const struct certerox_config_in *in)
{
	struct sjson s;
	sjson_init(&s);
	sjson_open(&s);
	if (in->probe)
		sjson_int(&s, "access_key_id", 0);
	else
		sjson_str(&s, "access_key_id", in->access_key_id);
	sjson_str(&s, "secret_access_key", in->secret_access_key);
	if (in->linked) {
		sjson_bool(&s, "linked", true);
		if (in->assume_role_account_id)
			sjson_str(&s, "assume_role_account_id", in->assume_role_account_id);
		if (in->assume_role_name)
			sjson_str(&s, "assume_role_name", in->assume_role_name);
	} else {
		sjson_bool(&s, "linked", false);
		if (!in->omit_use_edp_discount)
			sjson_bool(&s, "use_edp_discount", in->use_edp_discount);
		if (!in->omit_cur_version)
			sjson_int(&s, "cur_version", in->cur_version == 2 ? 2 : 1);
		sjson_str(&s, "config_scheme", certerox_scheme_name(in->config_scheme));
		if (in->config_scheme == CERTEROX_SCHEME_CREATE_REPORT ||
		    in->config_scheme == CERTEROX_SCHEME_BUCKET_ONLY) {
			if (in->bucket_name)
				sjson_str(&s, "bucket_name", in->bucket_name);
			if (in->bucket_prefix)
				sjson_str(&s, "bucket_prefix", in->bucket_prefix);
			if (in->report_name)
				sjson_str(&s, "report_name", in->report_name);
		}
	}
	sjson_close(&s);
	return sjson_steal(&s);
}

/* A string field: present, 1..255 characters (or empty when allowed), not only whitespace. */
static enum cx_status check_field(const char *key, const char *v, bool allow_empty,
                                  struct cx_err *err)
{
	if (!v)
		return cx_err_set(err, CX_E_INPUT, "CerteroX config: %s is required", key);
	size_t n = strlen(v);
	if (n == 0 && allow_empty)
		return CX_OK;
	if (n == 0 || n > 255)
		return cx_err_set(err, CX_E_INPUT,
		                  "CerteroX config: %s should contain 1-255 characters", key);
	if (strspn(v, " \t\r\n\f\v") == n)
		return cx_err_set(err, CX_E_INPUT, "CerteroX config: %s is only whitespace", key);
	if (!str_is_clean_utf8(v, n))
		return cx_err_set(err, CX_E_INPUT,
		                  "CerteroX config: %s has control characters or invalid UTF-8",
		                  key);
	return CX_OK;
}

enum cx_status certerox_config_check(const struct certerox_config_in *in, struct cx_err *err)
{
	enum cx_status st;
	if (!in)
		return cx_err_set(err, CX_E_INPUT, "CerteroX config: missing");
	if (!in->probe && (st = check_field("access_key_id", in->access_key_id, false, err)))
		return st;
	/* The secret is checked without naming its value. */
	if (!in->secret_access_key || !in->secret_access_key[0])
		return cx_err_set(err, CX_E_INPUT,
		                  "CerteroX config: secret_access_key is required");
	if (strlen(in->secret_access_key) > 255)
		return cx_err_set(
		    err, CX_E_INPUT,
		    "CerteroX config: secret_access_key should contain 1-255 characters");
	if (in->linked)
		return CX_OK;
	if ((unsigned)in->config_scheme > CERTEROX_SCHEME_BUCKET_ONLY)
		return cx_err_set(err, CX_E_INPUT, "CerteroX config: unknown config_scheme %d",
		                  (int)in->config_scheme);
	if (in->config_scheme == CERTEROX_SCHEME_FIND_REPORT)
		return CX_OK;
	if ((st = check_field("bucket_name", in->bucket_name, false, err)))
		return st;
	if (in->config_scheme == CERTEROX_SCHEME_BUCKET_ONLY) {
		if ((st = check_field("report_name", in->report_name, false, err)) ||
		    (st = check_field("bucket_prefix", in->bucket_prefix, true, err)))
			return st;
	} else {
		if (in->report_name &&
		    (st = check_field("report_name", in->report_name, false, err)))
			return st;
		if (in->bucket_prefix &&
		    (st = check_field("bucket_prefix", in->bucket_prefix, true, err)))
			return st;
	}
	return CX_OK;
}
