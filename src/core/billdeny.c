#include "core/billdeny.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/str.h"

bool billdeny_glob(const char *p, const char *v, bool nocase)
{
	const char *star = NULL, *back = NULL;
	while (*v) {
		if (*p == '*') {
			star = ++p;
			back = v;
		} else if (*p && (*p == '?' ||
		                  (nocase ? tolower((unsigned char)*p) == tolower((unsigned char)*v)
		                          : *p == *v))) {
			p++;
			v++;
		} else if (star) {
			p = star;
			v = ++back;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

/* The request context of a delivery: lower-case key -> value. */
struct ctx {
	const char *keys[5];
	const char *vals[5];
};

static const char *ctx_get(const struct ctx *c, const char *key)
{
	for (size_t i = 0; i < 5 && c->keys[i]; i++)
		if (str_case_eq(c->keys[i], key))
			return c->vals[i];
	return NULL;
}

static bool any_string(const cJSON *v, bool (*fn)(const char *, const void *), const void *ud)
{
	if (cJSON_IsString(v))
		return fn(v->valuestring, ud);
	if (cJSON_IsBool(v))
		return fn(cJSON_IsTrue(v) ? "true" : "false", ud);
	for (const cJSON *x = cJSON_IsArray(v) ? v->child : NULL; x; x = x->next)
		if (any_string(x, fn, ud))
			return true;
	return false;
}

struct match {
	const char *have;
	const char *op; /* the positive operator */
};

static bool value_matches(const char *want, const void *ud)
{
	const struct match *m = ud;
	const char *op = m->op;
	if (str_eq(op, "StringEquals") || str_eq(op, "ArnEquals"))
		return strcmp(m->have, want) == 0;
	if (str_eq(op, "StringEqualsIgnoreCase") || str_eq(op, "Bool"))
		return str_case_eq(m->have, want);
	if (str_eq(op, "StringLike") || str_eq(op, "ArnLike"))
		return billdeny_glob(want, m->have, false);
	return false;
}

static bool principal_lists(const cJSON *p, const char *svc)
{
	if (cJSON_IsString(p))
		return str_eq(p->valuestring, "*");
	if (!cJSON_IsObject(p))
		return false;
	for (const cJSON *kind = p->child; kind; kind = kind->next) {
		bool aws = str_eq(kind->string, "AWS"), service = str_eq(kind->string, "Service");
		const cJSON *v = kind;
		for (const cJSON *x = cJSON_IsArray(v) ? v->child : v; x;
		     x = cJSON_IsArray(v) ? x->next : NULL) {
			if (!cJSON_IsString(x))
				continue;
			if (aws && str_eq(x->valuestring, "*"))
				return true;
			if (service && str_eq(x->valuestring, svc))
				return true;
		}
	}
	return false;
}

static bool principal_applies(const cJSON *st, const char *svc)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(st, "Principal");
	if (p)
		return principal_lists(p, svc);
	p = cJSON_GetObjectItemCaseSensitive(st, "NotPrincipal");
	if (p)
		return !principal_lists(p, svc);
	return false;
}

static bool glob_any(const cJSON *v, const char *value, bool nocase)
{
	if (cJSON_IsString(v))
		return billdeny_glob(v->valuestring, value, nocase);
	for (const cJSON *x = cJSON_IsArray(v) ? v->child : NULL; x; x = x->next)
		if (cJSON_IsString(x) && billdeny_glob(x->valuestring, value, nocase))
			return true;
	return false;
}

static bool element_covers(const cJSON *st, const char *key, const char *notkey, const char *value,
                           bool nocase)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, key);
	if (v)
		return glob_any(v, value, nocase);
	v = cJSON_GetObjectItemCaseSensitive(st, notkey);
	if (v)
		return !glob_any(v, value, nocase);
	return false;
}

static const char *const negated[][2] = {
    {"StringNotEquals", "StringEquals"}, {"StringNotEqualsIgnoreCase", "StringEqualsIgnoreCase"},
    {"StringNotLike", "StringLike"},     {"ArnNotEquals", "ArnEquals"},
    {"ArnNotLike", "ArnLike"},           {"NumericNotEquals", "NumericEquals"},
    {"NotIpAddress", "IpAddress"}};

/* One "Operator": {"key": values, ...} block. */
static bool block_holds(const char *opname, const cJSON *kv, const struct ctx *c)
{
	if (!cJSON_IsObject(kv))
		return false;
	const char *colon = strrchr(opname, ':');
	const char *base0 = colon ? colon + 1 : opname;
	char base[64];
	str_copy(base, sizeof(base), base0);
	size_t bl = strlen(base);
	bool if_exists = bl > 8 && strcmp(base + bl - 8, "IfExists") == 0;
	if (if_exists)
		base[bl - 8] = '\0';
	const char *pos = base;
	bool neg = false;
	for (size_t i = 0; i < sizeof(negated) / sizeof(negated[0]); i++)
		if (str_eq(base, negated[i][0])) {
			pos = negated[i][1];
			neg = true;
		}
	for (const cJSON *k = kv->child; k; k = k->next) {
		const char *have = ctx_get(c, k->string);
		if (str_eq(base, "Null")) {
			/* "true": the key must be missing */
			bool want_missing =
			    cJSON_IsTrue(k) ||
			    (cJSON_IsString(k) && str_case_eq(k->valuestring, "true"));
			if (want_missing != (have == NULL))
				return false;
			continue;
		}
		if (!have) {
			if (if_exists || neg)
				continue; /* missing key: ...IfExists and negated operators hold */
			return false;
		}
		struct match m = {have, pos};
		bool hit = any_string(k, value_matches, &m);
		if (neg ? hit : !hit)
			return false;
	}
	return true;
}

static bool conditions_hold(const cJSON *st, const struct ctx *c)
{
	const cJSON *cond = cJSON_GetObjectItemCaseSensitive(st, "Condition");
	if (!cond)
		return true;
	if (!cJSON_IsObject(cond))
		return false;
	for (const cJSON *op = cond->child; op; op = op->next)
		if (!block_holds(op->string, op, c))
			return false;
	return true;
}

char *billdeny_find(const cJSON *doc, const char *bucket, const char *prefix, const char *name,
                    const char *account_id, bool legacy)
{
	if (!cJSON_IsObject(doc) || !bucket)
		return NULL;
	const char *svc =
	    legacy ? "billingreports.amazonaws.com" : "bcm-data-exports.amazonaws.com";
	char *arn = legacy ? xasprintf("arn:aws:cur:us-east-1:%s:definition/%s", account_id, name)
	                   : xasprintf("arn:aws:bcm-data-exports:us-east-1:%s:export/%s-"
	                               "00000000-0000-4000-8000-000000000000",
	                               account_id, name);
	struct ctx c = {{"aws:SourceAccount", "aws:SourceArn", "aws:SecureTransport",
	                 "aws:PrincipalIsAWSService", "aws:PrincipalServiceName"},
	                {account_id, arn, "true", "true", svc}};
	char *obj = xasprintf("arn:aws:s3:::%s/%s%s%s/delivery-check", bucket,
	                      prefix && *prefix ? prefix : "", prefix && *prefix ? "/" : "", name);
	char *bkt = xasprintf("arn:aws:s3:::%s", bucket);
	const char *actions[2][2] = {{"s3:PutObject", obj}, {"s3:GetBucketPolicy", bkt}};
	char *out = NULL;
	const cJSON *stmts = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
	size_t idx = 0;
	for (const cJSON *st = cJSON_IsArray(stmts) ? stmts->child : stmts; st && !out;
	     st = cJSON_IsArray(stmts) ? st->next : NULL, idx++) {
		if (!cJSON_IsObject(st) ||
		    !str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "Effect")),
		            "Deny"))
			continue;
		if (!principal_applies(st, svc) || !conditions_hold(st, &c))
			continue;
		for (size_t a = 0; a < 2 && !out; a++)
			if (element_covers(st, "Action", "NotAction", actions[a][0], true) &&
			    element_covers(st, "Resource", "NotResource", actions[a][1], false)) {
				const char *sid = cJSON_GetStringValue(
				    cJSON_GetObjectItemCaseSensitive(st, "Sid"));
				out = sid && *sid ? xasprintf("statement \"%s\" (Deny %s)", sid,
				                              actions[a][0])
				                  : xasprintf("statement #%zu (Deny %s)", idx + 1,
				                              actions[a][0]);
			}
	}
	free(arn);
	free(obj);
	free(bkt);
	return out;
}
