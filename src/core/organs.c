/* organs.c - the `organization` action's answers and documents. See organs.h. */
#include "core/organs.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

#define MAX_ACCOUNTS 10000

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

const char *org_access_name(enum org_access a)
{
	return a == ORG_ACCESS_ROLE ? "role" : a == ORG_ACCESS_USER ? "user" : "auto";
}

void org_answers_free(struct org_answers *o)
{
	if (!o)
		return;
	strv_free(&o->accounts);
	free(o->member_role);
	free(o->role_name);
	free(o->user);
	free(o->policy);
	memset(o, 0, sizeof(*o));
}

static bool account_id_ok(const char *s)
{
	if (!s || strlen(s) != 12)
		return false;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* IAM role names: 1..64 of [A-Za-z0-9+=,.@_-] (the IAM API reference, CreateRole RoleName). */
static enum cx_status role_name(const char *key, const cJSON *v, char **out, struct cx_err *err)
{
	if (!v)
		return CX_OK;
	if (!cJSON_IsString(v) || !v->valuestring)
		return cx_err_set(err, CX_E_INPUT, "organization.%s: must be a string", key);
	const char *s = v->valuestring;
	size_t n = strlen(s);
	bool ok = n >= 1 && n <= 64;
	for (const char *p = s; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9') || strchr("+=,.@_-", *p);
	if (!ok) {
		char *pr = str_printable(s, 80);
		cx_err_set(err, CX_E_INPUT,
		           "organization.%s: \"%s\" is not an IAM role name (1 to 64 of "
		           "A-Z a-z 0-9 + = , . @ _ -)",
		           key, pr);
		free(pr);
		return CX_E_INPUT;
	}
	free(*out);
	*out = xstrdup(s);
	return CX_OK;
}

static enum cx_status parse_accounts(const cJSON *v, struct org_answers *o, struct cx_err *err)
{
	if (!v)
		return CX_OK;
	if (cJSON_IsString(v)) {
		if (!str_eq(v->valuestring, "all"))
			return cx_err_set(err, CX_E_INPUT,
			                  "organization.accounts: must be \"all\" or a list of "
			                  "12-digit account ids");
		o->all = true;
		return CX_OK;
	}
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
		return cx_err_set(err, CX_E_INPUT,
		                  "organization.accounts: must be \"all\" or a non-empty list of "
		                  "12-digit account ids");
	if (cJSON_GetArraySize(v) > MAX_ACCOUNTS)
		return cx_err_set(err, CX_E_INPUT, "organization.accounts: more than %d ids",
		                  MAX_ACCOUNTS);
	o->all = false;
	int i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v)
	{
		const char *s = cJSON_IsString(e) ? e->valuestring : NULL;
		if (!account_id_ok(s)) {
			char *pr = str_printable(s ? s : "(not a string)", 40);
			cx_err_set(
			    err, CX_E_INPUT,
			    "organization.accounts[%d]: \"%s\" is not a 12-digit AWS account id", i,
			    pr);
			free(pr);
			return CX_E_INPUT;
		}
		if (strv_has(&o->accounts, s))
			return cx_err_set(err, CX_E_INPUT,
			                  "organization.accounts[%d]: %s is listed twice", i, s);
		strv_push(&o->accounts, s);
		i++;
	}
	return CX_OK;
}

enum cx_status org_answers_parse(const cJSON *j, struct org_answers *out, struct cx_err *err)
{
	struct org_answers o;
	memset(&o, 0, sizeof(o));
	o.all = true;
	o.access = ORG_ACCESS_AUTO;
	o.member_role = xstrdup("OrganizationAccountAccessRole");
	o.role_name = xstrdup("CerteroXDiscover");
	o.user = xstrdup("certerox-discover");
	o.policy = xstrdup("CerteroXDiscoverResources");
	o.max_parallel = 8;
	enum cx_status st = CX_OK;
	static const char *const keys[] = {"accounts",  "access",       "member_role",
	                                   "role_name", "max_parallel", NULL};
	for (const cJSON *c = j ? j->child : NULL; c; c = c->next) {
		bool known = false;
		for (int i = 0; keys[i]; i++)
			known = known || str_eq(c->string, keys[i]);
		if (!known) {
			char *pr = str_printable(c->string ? c->string : "", 80);
			st = cx_err_set(err, CX_E_INPUT, "organization.%s: unknown key", pr);
			free(pr);
			goto fail;
		}
		for (const cJSON *d = c->next; d; d = d->next)
			if (str_eq(c->string, d->string)) {
				st = cx_err_set(err, CX_E_INPUT, "organization.%s: duplicate key",
				                c->string);
				goto fail;
			}
	}
	if ((st = parse_accounts(jget(j, "accounts"), &o, err)) != CX_OK)
		goto fail;
	const cJSON *acc = jget(j, "access");
	if (acc) {
		const char *s = cJSON_IsString(acc) ? acc->valuestring : "";
		if (str_eq(s, "role"))
			o.access = ORG_ACCESS_ROLE;
		else if (str_eq(s, "user"))
			o.access = ORG_ACCESS_USER;
		else {
			st = cx_err_set(err, CX_E_INPUT,
			                "organization.access: must be \"role\" or \"user\"");
			goto fail;
		}
	}
	if ((st = role_name("member_role", jget(j, "member_role"), &o.member_role, err)) != CX_OK ||
	    (st = role_name("role_name", jget(j, "role_name"), &o.role_name, err)) != CX_OK)
		goto fail;
	const cJSON *mp = jget(j, "max_parallel");
	if (mp) {
		double d = cJSON_IsNumber(mp) ? mp->valuedouble : -1;
		if (d < 1 || d > 64 || d != (int)d) {
			st = cx_err_set(
			    err, CX_E_INPUT,
			    "organization.max_parallel: must be a whole number from 1 to 64");
			goto fail;
		}
		o.max_parallel = (int)d;
	}
	*out = o;
	return CX_OK;
fail:
	org_answers_free(&o);
	return st;
}

cJSON *org_assume_policy(const char *role)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "Version", "2012-10-17");
	cJSON *s = cJSON_AddArrayToObject(d, "Statement");
	cJSON *st = cJSON_CreateObject();
	cJSON_AddStringToObject(st, "Sid", "CerteroXAssumeDiscover");
	cJSON_AddStringToObject(st, "Effect", "Allow");
	cJSON_AddStringToObject(st, "Action", "sts:AssumeRole");
	char *arn = xasprintf("arn:aws:iam::*:role/%s", role);
	cJSON_AddStringToObject(st, "Resource", arn);
	free(arn);
	cJSON_AddItemToArray(s, st);
	return d;
}

cJSON *org_trust_policy(const char *user_arn)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "Version", "2012-10-17");
	cJSON *s = cJSON_AddArrayToObject(d, "Statement");
	cJSON *st = cJSON_CreateObject();
	cJSON_AddStringToObject(st, "Effect", "Allow");
	cJSON *p = cJSON_AddObjectToObject(st, "Principal");
	cJSON_AddStringToObject(p, "AWS", user_arn);
	cJSON_AddStringToObject(st, "Action", "sts:AssumeRole");
	cJSON_AddItemToArray(s, st);
	return d;
}

static bool names(const cJSON *v, const char *want)
{
	if (cJSON_IsString(v))
		return str_eq(v->valuestring, want);
	const cJSON *e;
	cJSON_ArrayForEach(e, v)
	{
		if (cJSON_IsString(e) && str_eq(e->valuestring, want))
			return true;
	}
	return false;
}

bool org_trust_allows(const char *trust_text, const char *user_arn)
{
	if (!trust_text)
		return false;
	cJSON *d = cJSON_Parse(trust_text);
	bool ok = false;
	const cJSON *stm = d ? jget(d, "Statement") : NULL;
	const cJSON *one;
	if (cJSON_IsObject(stm))
		ok = str_eq(json_str(stm, "Effect"), "Allow") &&
		     names(jget(stm, "Action"), "sts:AssumeRole") &&
		     names(jget(jget(stm, "Principal"), "AWS"), user_arn);
	else
		cJSON_ArrayForEach(one, stm)
		{
			if (str_eq(json_str(one, "Effect"), "Allow") &&
			    names(jget(one, "Action"), "sts:AssumeRole") &&
			    names(jget(jget(one, "Principal"), "AWS"), user_arn))
				ok = true;
		}
	cJSON_Delete(d);
	return ok;
}

char *org_trust_merge(const char *trust_text, const char *user_arn)
{
	cJSON *d = trust_text ? cJSON_Parse(trust_text) : NULL;
	if (!cJSON_IsObject(d)) {
		cJSON_Delete(d);
		return NULL;
	}
	cJSON *stm = cJSON_GetObjectItemCaseSensitive(d, "Statement");
	if (cJSON_IsObject(stm)) { /* one statement object: the same, as a list of one */
		cJSON *arr = cJSON_CreateArray();
		cJSON_AddItemToArray(arr, cJSON_DetachItemViaPointer(d, stm));
		cJSON_AddItemToObject(d, "Statement", arr);
		stm = arr;
	} else if (!stm) {
		stm = cJSON_AddArrayToObject(d, "Statement");
	} else if (!cJSON_IsArray(stm)) {
		cJSON_Delete(d);
		return NULL;
	}
	if (!cJSON_GetObjectItemCaseSensitive(d, "Version"))
		cJSON_AddStringToObject(d, "Version", "2012-10-17");
	cJSON *ours = org_trust_policy(user_arn);
	cJSON *st = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ours, "Statement"), 0);
	cJSON_AddItemToArray(stm, cJSON_Duplicate(st, 1));
	cJSON_Delete(ours);
	char *out = json_compact(d);
	cJSON_Delete(d);
	return out;
}

char *org_role_arn(const char *account, const char *name)
{
	return xasprintf("arn:aws:iam::%s:role/%s", account, name);
}
