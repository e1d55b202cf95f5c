#include "core/policy.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diff.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/str.h"

#define TEMPLATE_MAX (64 * 1024)
static const char *const billing_principals[] = {"billingreports.amazonaws.com",
                                                 "bcm-data-exports.amazonaws.com", NULL};

/* ---- templates ---- */

static void put_escaped(struct buf *b, const char *v)
{
	cJSON *s = cJSON_CreateString(v ? v : "");
	char *t = cJSON_PrintUnformatted(s);
	size_t n = t ? strlen(t) : 0;
	if (n >= 2)
		buf_append(b, t + 1, n - 2); /* without the quotes */
	cJSON_free(t);
	cJSON_Delete(s);
}

cJSON *policy_template(const char *rel, const char *bucket, const char *account_id,
                       struct cx_err *err)
{
	char *path = paths_data_file(rel);
	cJSON *doc = NULL;
	size_t n = 0;
	char *text = paths_read_file(path, TEMPLATE_MAX, &n);
	if (!text) {
		cx_err_set(err, CX_E_IO, "cannot read policy template %s: %s", path,
		           strerror(errno));
		goto out;
	}
	struct buf b = BUF_INIT;
	for (const char *p = text; *p;) {
		if (strncmp(p, "${BUCKET}", 9) == 0) {
			put_escaped(&b, bucket);
			p += 9;
		} else if (strncmp(p, "${ACCOUNT_ID}", 13) == 0) {
			put_escaped(&b, account_id);
			p += 13;
		} else {
			buf_putc(&b, *p++);
		}
	}
	doc = json_parse(buf_str(&b), b.len, err);
	if (!doc)
		cx_err_where(err, "policy template %s", path);
	buf_free(&b);
out:
	free(text);
	free(path);
	return doc;
}

cJSON *policy_bucket_statement(const char *bucket, const char *account_id, struct cx_err *err)
{
	return policy_template("policies/bucket-statement.json", bucket, account_id, err);
}

cJSON *policy_bucket_document(const char *bucket, const char *account_id, struct cx_err *err)
{
	cJSON *st = policy_bucket_statement(bucket, account_id, err);
	if (!st)
		return NULL;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "Version", "2012-10-17");
	cJSON *arr = cJSON_AddArrayToObject(doc, "Statement");
	cJSON_AddItemToArray(arr, st);
	return doc;
}

cJSON *policy_readonly(const char *bucket, bool legacy_create, struct cx_err *err)
{
	cJSON *doc = policy_template("policies/readonly.json", bucket, NULL, err);
	if (!doc || !legacy_create)
		return doc;
	cJSON *extra = policy_template("policies/readonly-legacy-create.json", bucket, NULL, err);
	if (!extra) {
		cJSON_Delete(doc);
		return NULL;
	}
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
	cJSON_AddItemToArray(arr, extra);
	return doc;
}

cJSON *policy_discover(struct cx_err *err)
{
	return policy_template("policies/discover.json", NULL, NULL, err);
}

bool policy_equal(const cJSON *a, const cJSON *b)
{
	return json_equal(a, b, true);
}

cJSON *policy_parse(const char *text, struct cx_err *err)
{
	if (!text)
		return NULL;
	return json_parse(text, strlen(text), err);
}

/* ---- matching ---- */

static bool glob(const char *pat, const char *s, bool ci)
{
	const char *star = NULL, *ss = NULL;
	while (*s) {
		char pc = ci ? (char)tolower((unsigned char)*pat) : *pat;
		char sc = ci ? (char)tolower((unsigned char)*s) : *s;
		if (*pat == '*') {
			star = pat++;
			ss = s;
		} else if (*pat && (*pat == '?' || pc == sc)) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++ss;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* v is a string or an array of strings; does some pattern match s? */
static bool any_match(const cJSON *v, const char *s, bool ci)
{
	if (cJSON_IsString(v))
		return glob(v->valuestring, s, ci);
	if (cJSON_IsArray(v))
		for (const cJSON *x = v->child; x; x = x->next)
			if (cJSON_IsString(x) && glob(x->valuestring, s, ci))
				return true;
	return false;
}

static bool covers(const cJSON *st, const char *key, const char *notkey, const char *s, bool ci)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, key);
	if (v)
		return any_match(v, s, ci);
	v = cJSON_GetObjectItemCaseSensitive(st, notkey);
	if (v)
		return !any_match(v, s, ci);
	return false;
}

static bool principal_has(const cJSON *p, const char *svc)
{
	if (cJSON_IsString(p))
		return strcmp(p->valuestring, "*") == 0;
	if (!cJSON_IsObject(p))
		return false;
	const cJSON *aws = cJSON_GetObjectItemCaseSensitive(p, "AWS");
	if (aws && any_match(aws, "*", false) && (cJSON_IsString(aws) || cJSON_IsArray(aws))) {
		/* only a literal "*" means everyone */
		if (cJSON_IsString(aws) && strcmp(aws->valuestring, "*") == 0)
			return true;
		for (const cJSON *x = cJSON_IsArray(aws) ? aws->child : NULL; x; x = x->next)
			if (cJSON_IsString(x) && strcmp(x->valuestring, "*") == 0)
				return true;
	}
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(p, "Service");
	if (cJSON_IsString(sv))
		return strcmp(sv->valuestring, svc) == 0 || strcmp(sv->valuestring, "*") == 0;
	for (const cJSON *x = cJSON_IsArray(sv) ? sv->child : NULL; x; x = x->next)
		if (cJSON_IsString(x) &&
		    (strcmp(x->valuestring, svc) == 0 || strcmp(x->valuestring, "*") == 0))
			return true;
	return false;
}

static bool principal_covers(const cJSON *st, const char *svc)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(st, "Principal");
	if (p)
		return principal_has(p, svc);
	p = cJSON_GetObjectItemCaseSensitive(st, "NotPrincipal");
	if (p)
		return !principal_has(p, svc);
	return false;
}

static bool effect_is(const cJSON *st, const char *e)
{
	return str_eq(json_str(st, "Effect"), e);
}

/* Calls fn for each statement object (Statement as array or single object). */
#define FOR_STATEMENTS(doc, st, idx)                                                               \
	for (const cJSON *stmts_ = cJSON_GetObjectItemCaseSensitive(doc, "Statement"),             \
	                 *st = cJSON_IsArray(stmts_) ? stmts_->child : stmts_;                     \
	     st; st = cJSON_IsArray(stmts_) ? st->next : NULL, idx++)

static bool grants(const cJSON *doc, const char *svc, const char *action, const char *resource)
{
	bool allowed = false;
	size_t i = 0;
	FOR_STATEMENTS(doc, st, i)
	{
		if (!cJSON_IsObject(st))
			continue;
		if (svc && !principal_covers(st, svc))
			continue;
		if (!covers(st, "Action", "NotAction", action, true) ||
		    !covers(st, "Resource", "NotResource", resource, false))
			continue;
		if (effect_is(st, "Deny"))
			return false;
		if (effect_is(st, "Allow"))
			allowed = true;
	}
	return allowed;
}

static void each_string(const cJSON *v, struct strv *out)
{
	if (cJSON_IsString(v))
		strv_push(out, v->valuestring);
	for (const cJSON *x = cJSON_IsArray(v) ? v->child : NULL; x; x = x->next)
		if (cJSON_IsString(x))
			strv_push(out, x->valuestring);
}

bool policy_missing_actions(const cJSON *doc, const cJSON *required, struct strv *missing)
{
	bool ok = true;
	size_t i = 0;
	FOR_STATEMENTS(required, st, i)
	{
		if (!effect_is(st, "Allow"))
			continue;
		struct strv acts = STRV_INIT, res = STRV_INIT;
		each_string(cJSON_GetObjectItemCaseSensitive(st, "Action"), &acts);
		each_string(cJSON_GetObjectItemCaseSensitive(st, "Resource"), &res);
		for (size_t a = 0; a < acts.n; a++)
			for (size_t r = 0; r < res.n; r++)
				if (!doc || !grants(doc, NULL, acts.v[a], res.v[r])) {
					ok = false;
					if (missing) {
						char *m =
						    xasprintf("%s on %s", acts.v[a], res.v[r]);
						if (!strv_has(missing, m))
							strv_push(missing, m);
						free(m);
					}
				}
		strv_free(&acts);
		strv_free(&res);
	}
	return ok;
}

bool policy_bucket_permits_delivery(const cJSON *doc, const char *bucket, bool legacy, bool cur2)
{
	if (!doc || !bucket)
		return false;
	char *obj = xasprintf("arn:aws:s3:::%s/*", bucket);
	char *bkt = xasprintf("arn:aws:s3:::%s", bucket);
	bool ok = true;
	for (int k = 0; k < 2 && ok; k++) {
		if ((k == 0 && !legacy) || (k == 1 && !cur2))
			continue;
		const char *svc = billing_principals[k];
		ok = grants(doc, svc, "s3:PutObject", obj) &&
		     grants(doc, svc, "s3:GetBucketPolicy", bkt);
	}
	free(obj);
	free(bkt);
	return ok;
}

bool policy_lacks_data_exports(const cJSON *readonly_doc)
{
	static const char *const acts[] = {"bcm-data-exports:ListExports",
	                                   "bcm-data-exports:GetExport",
	                                   "bcm-data-exports:CreateExport", NULL};
	for (size_t i = 0; acts[i]; i++)
		if (!readonly_doc || !grants(readonly_doc, NULL, acts[i], "*"))
			return true;
	return false;
}

/* ---- lint ---- */

static char *stmt_name(const cJSON *st, size_t idx)
{
	const char *sid = json_str(st, "Sid");
	if (sid && *sid) {
		char *p = str_printable(sid, 80);
		char *r = xasprintf("\"%s\"", p);
		free(p);
		return r;
	}
	return xasprintf("#%zu", idx + 1);
}

static void lint_source_arn(const cJSON *st, size_t idx, struct strv *w)
{
	const cJSON *cond = cJSON_GetObjectItemCaseSensitive(st, "Condition");
	if (!cJSON_IsObject(cond))
		return;
	for (const cJSON *op = cond->child; op; op = op->next) {
		if (!cJSON_IsObject(op))
			continue;
		for (const cJSON *k = op->child; k; k = k->next) {
			if (!k->string || !str_case_eq(k->string, "aws:SourceArn"))
				continue;
			struct strv vals = STRV_INIT;
			each_string(k, &vals);
			for (size_t i = 0; i < vals.n; i++) {
				char **parts = str_split(vals.v[i], ':', NULL);
				size_t np = 0;
				while (parts && parts[np])
					np++;
				if (np >= 4 && strcmp(parts[0], "arn") == 0 && parts[3][0] &&
				    strcmp(parts[3], "us-east-1") != 0 && !strchr(parts[3], '*')) {
					char *name = stmt_name(st, idx);
					char *v = str_printable(vals.v[i], 200);
					char *r = str_printable(parts[3], 40);
					strv_add(w,
					         "bucket policy statement %s: aws:SourceArn \"%s\" "
					         "names "
					         "region %s, but CUR and Data Exports deliver from "
					         "us-east-1, "
					         "so this condition never matches their deliveries",
					         name, v, r);
					free(name);
					free(v);
					free(r);
				}
				str_list_free(parts);
			}
			strv_free(&vals);
		}
	}
}

/* A Deny limited to plain-HTTP requests ({"Bool": {"aws:SecureTransport": "false"}}) never
 * applies to the delivery services, which use TLS. */
static bool only_insecure_transport(const cJSON *st)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(st, "Condition");
	if (!cJSON_IsObject(c) || cJSON_GetArraySize(c) != 1)
		return false;
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(c, "Bool");
	if (!cJSON_IsObject(b) || cJSON_GetArraySize(b) != 1 || !b->child->string ||
	    !str_case_eq(b->child->string, "aws:SecureTransport"))
		return false;
	const cJSON *v = b->child;
	if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 1)
		v = v->child;
	return (cJSON_IsString(v) && str_case_eq(v->valuestring, "false")) || cJSON_IsFalse(v);
}

/* Returns true when the statement denies delivery with no Condition (so it always applies). */
static bool lint_deny(const cJSON *st, size_t idx, const char *bucket, struct strv *w)
{
	if (!effect_is(st, "Deny") || !bucket || only_insecure_transport(st))
		return false;
	char *obj = xasprintf("arn:aws:s3:::%s/%s", bucket, "report-object");
	char *bkt = xasprintf("arn:aws:s3:::%s", bucket);
	struct strv hits = STRV_INIT;
	for (size_t k = 0; billing_principals[k]; k++) {
		if (!principal_covers(st, billing_principals[k]))
			continue;
		if (covers(st, "Action", "NotAction", "s3:PutObject", true) &&
		    covers(st, "Resource", "NotResource", obj, false) &&
		    !strv_has(&hits, "s3:PutObject"))
			strv_push(&hits, "s3:PutObject");
		if (covers(st, "Action", "NotAction", "s3:GetBucketPolicy", true) &&
		    covers(st, "Resource", "NotResource", bkt, false) &&
		    !strv_has(&hits, "s3:GetBucketPolicy"))
			strv_push(&hits, "s3:GetBucketPolicy");
	}
	if (hits.n) {
		char *name = stmt_name(st, idx);
		char *acts = strv_join(&hits, " and ");
		strv_add(w,
		         "bucket policy statement %s denies %s to the billing delivery services "
		         "(billingreports.amazonaws.com, bcm-data-exports.amazonaws.com) on bucket "
		         "%s%s; "
		         "AWS cannot deliver reports while it applies",
		         name, acts, bucket,
		         cJSON_GetObjectItemCaseSensitive(st, "Condition")
		             ? " (unless its Condition excludes them)"
		             : "");
		free(name);
		free(acts);
	}
	bool blocks = hits.n && !cJSON_GetObjectItemCaseSensitive(st, "Condition");
	strv_free(&hits);
	free(obj);
	free(bkt);
	return blocks;
}

/* The name of the first statement that always denies delivery ("Sid" or "#N"), NULL when
 * none. Caller frees. */
static char *blocking_deny(const cJSON *doc, const char *bucket)
{
	size_t i = 0;
	struct strv ignored = STRV_INIT;
	char *name = NULL;
	FOR_STATEMENTS(doc, st, i)
	{
		if (!name && cJSON_IsObject(st) && lint_deny(st, i, bucket, &ignored))
			name = stmt_name(st, i);
	}
	strv_free(&ignored);
	return name;
}

void policy_lint_bucket(const cJSON *doc, const char *bucket, struct strv *warnings)
{
	size_t i = 0;
	FOR_STATEMENTS(doc, st, i)
	{
		if (!cJSON_IsObject(st))
			continue;
		lint_deny(st, i, bucket, warnings);
		lint_source_arn(st, i, warnings);
	}
}

/* ---- IAM policy merge (never narrows) ---- */

static bool has_string(const cJSON *v, const char *str)
{
	if (cJSON_IsString(v))
		return strcmp(v->valuestring, str) == 0;
	for (const cJSON *c = cJSON_IsArray(v) ? v->child : NULL; c; c = c->next)
		if (cJSON_IsString(c) && strcmp(c->valuestring, str) == 0)
			return true;
	return false;
}

/* Adds to stmt[key] (a string or an array; made an array only when something is added) each
 * string of from that it lacks. */
static void union_strings(cJSON *stmt, const char *key, const cJSON *from)
{
	cJSON *cur = cJSON_GetObjectItemCaseSensitive(stmt, key);
	if (!cur || !from || !(cJSON_IsString(cur) || cJSON_IsArray(cur)))
		return;
	cJSON *single = cJSON_IsString(from) ? cJSON_CreateString(from->valuestring) : NULL;
	for (const cJSON *one = single ? single : from->child; one;
	     one = one == single ? NULL : one->next) {
		if (!cJSON_IsString(one) || has_string(cur, one->valuestring))
			continue;
		if (cJSON_IsString(cur)) {
			cJSON *arr = cJSON_CreateArray();
			cJSON_AddItemToArray(arr, cJSON_CreateString(cur->valuestring));
			cJSON_ReplaceItemInObjectCaseSensitive(stmt, key, arr);
			cur = arr;
		}
		cJSON_AddItemToArray(cur, cJSON_CreateString(one->valuestring));
	}
	cJSON_Delete(single);
}

static bool same_member(const cJSON *a, const cJSON *b, const char *k)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, k);
	const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, k);
	return (!x && !y) || (x && y && json_equal(x, y, true));
}

cJSON *policy_merge_grants(const cJSON *current, const cJSON *ours)
{
	cJSON *doc = cJSON_Duplicate(ours, 1);
	cJSON *stmts = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
	const cJSON *old = cJSON_GetObjectItemCaseSensitive(current, "Statement");
	if (!cJSON_IsArray(stmts) || !old)
		return doc;
	const cJSON *o = cJSON_IsObject(old) ? old : old->child;
	for (; o; o = cJSON_IsObject(old) ? NULL : o->next) {
		if (!cJSON_IsObject(o))
			continue;
		const char *sid = json_str(o, "Sid");
		cJSON *mine = NULL;
		bool covered = false;
		for (cJSON *c = stmts->child; c; c = c->next) {
			if (json_equal(c, o, true))
				covered = true;
			else if (sid && *sid && str_eq(json_str(c, "Sid"), sid))
				mine = c;
		}
		if (covered) {
			/* nothing to add */
		} else if (mine && same_member(mine, o, "Effect") &&
		           same_member(mine, o, "Condition") && same_member(mine, o, "Principal") &&
		           !cJSON_GetObjectItemCaseSensitive(o, "NotAction") &&
		           !cJSON_GetObjectItemCaseSensitive(o, "NotResource")) {
			union_strings(mine, "Action",
			              cJSON_GetObjectItemCaseSensitive(o, "Action"));
			union_strings(mine, "Resource",
			              cJSON_GetObjectItemCaseSensitive(o, "Resource"));
		} else {
			cJSON *keep = cJSON_Duplicate(o, 1);
			if (mine) {
				char *k = xasprintf("%sKept", sid);
				cJSON_ReplaceItemInObjectCaseSensitive(keep, "Sid",
				                                       cJSON_CreateString(k));
				free(k);
			}
			cJSON_AddItemToArray(stmts, keep);
		}
		if (cJSON_IsObject(old))
			break;
	}
	return doc;
}

/* ---- merge ---- */

static bool equal_ignoring_sid(const cJSON *a, const cJSON *b)
{
	cJSON *x = cJSON_Duplicate(a, 1), *y = cJSON_Duplicate(b, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(x, "Sid");
	cJSON_DeleteItemFromObjectCaseSensitive(y, "Sid");
	bool eq = json_equal(x, y, true);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return eq;
}

void policy_merge_free(struct policy_merge *m)
{
	if (!m)
		return;
	cJSON_Delete(m->document);
	free(m->old_text);
	free(m->new_text);
	free(m->diff);
	free(m->equivalent_sid);
	strv_free(&m->warnings);
	memset(m, 0, sizeof(*m));
}

static enum cx_status not_policy(struct cx_err *err, const char *why)
{
	return cx_err_set(err, CX_E_INPUT,
	                  "the bucket's current policy %s; the current policy is left unchanged "
	                  "(fix or remove it by hand, then run again)",
	                  why);
}

enum cx_status policy_merge_bucket(const char *existing, const cJSON *statement, const char *bucket,
                                   struct policy_merge *out, struct cx_err *err)
{
	memset(out, 0, sizeof(*out));
	const char *sid = json_str(statement, "Sid");
	cJSON *old = NULL;
	enum cx_status st = CX_OK;
	bool had = existing && existing[strspn(existing, " \t\r\n")];
	if (had) {
		struct cx_err perr;
		cx_err_clear(&perr);
		old = json_parse(existing, strlen(existing), &perr);
		if (!old) {
			char *why = xasprintf("is not valid JSON (%s)", perr.msg);
			st = not_policy(err, why);
			free(why);
			return st;
		}
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(old, "Statement");
		if (!cJSON_IsObject(old) || (s && !cJSON_IsArray(s) && !cJSON_IsObject(s))) {
			cJSON_Delete(old);
			return not_policy(err,
			                  "is not a policy document (an object whose Statement is "
			                  "an array or an object)");
		}
	}
	out->old_text = old ? json_pretty(old) : xstrdup("");
	cJSON *doc;
	if (!old) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "Version", "2012-10-17");
		cJSON_AddItemToObject(doc, "Statement", cJSON_CreateArray());
	} else {
		doc = cJSON_Duplicate(old, 1);
	}
	cJSON *stmts = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
	if (!stmts) {
		stmts = cJSON_CreateArray();
		cJSON_AddItemToObject(doc, "Statement", stmts);
	} else if (cJSON_IsObject(stmts)) {
		/* keep the key's position (and any later duplicate key) as it was */
		cJSON *arr = cJSON_CreateArray();
		cJSON_AddItemToArray(arr, cJSON_Duplicate(stmts, 1));
		cJSON_ReplaceItemInObjectCaseSensitive(doc, "Statement", arr);
		stmts = arr;
	}
	/* 1. our Sid */
	int idx = 0, found = -1, equiv = -1;
	for (cJSON *c = stmts->child; c; c = c->next, idx++) {
		if (found < 0 && sid && str_eq(json_str(c, "Sid"), sid))
			found = idx;
		if (equiv < 0 && cJSON_IsObject(c) && equal_ignoring_sid(c, statement))
			equiv = idx;
	}
	if (found >= 0) {
		cJSON *cur = cJSON_GetArrayItem(stmts, found);
		if (json_equal(cur, statement, true)) {
			out->action = POLICY_MERGE_PRESENT;
		} else if (equiv < 0) {
			/* Not ours to rewrite: their statement stays, ours gets its own Sid. */
			char *own = NULL;
			for (int n = 2; !own; n++) {
				char *c = xasprintf("%s%d", sid, n);
				bool taken = false;
				for (const cJSON *x = stmts->child; x; x = x->next)
					taken = taken || str_eq(json_str(x, "Sid"), c);
				if (taken)
					free(c);
				else
					own = c;
			}
			cJSON *mine = cJSON_Duplicate(statement, 1);
			cJSON_ReplaceItemInObjectCaseSensitive(mine, "Sid",
			                                       cJSON_CreateString(own));
			cJSON_AddItemToArray(stmts, mine);
			strv_add(
			    &out->warnings,
			    "bucket policy statement %s has other content; it is kept, and the "
			    "wizard's statement is added as %s",
			    sid, own);
			free(own);
			out->action = POLICY_MERGE_SID_TAKEN;
		}
	}
	if (out->action == POLICY_MERGE_PRESENT || out->action == POLICY_MERGE_SID_TAKEN) {
		/* decided above */
	} else if (equiv >= 0) {
		out->action = POLICY_MERGE_EQUIVALENT;
		cJSON *e = cJSON_GetArrayItem(stmts, equiv);
		const char *esid = json_str(e, "Sid");
		out->equivalent_sid = esid ? xstrdup(esid) : xasprintf("#%d", equiv + 1);
	} else {
		cJSON_AddItemToArray(stmts, cJSON_Duplicate(statement, 1));
		out->action = old ? POLICY_MERGE_ADDED : POLICY_MERGE_NEW;
	}
	out->changed = out->action == POLICY_MERGE_NEW || out->action == POLICY_MERGE_ADDED ||
	               out->action == POLICY_MERGE_SID_TAKEN;
	if (!out->changed) {
		/* keep the existing document exactly */
		cJSON_Delete(doc);
		doc = cJSON_Duplicate(old, 1);
	}
	out->document = doc;
	out->new_text = json_pretty(doc);
	out->diff = diff_unified(out->old_text, out->new_text, "bucket-policy (current)",
	                         "bucket-policy (new)");
	char *compact = json_compact(doc);
	out->size = strlen(compact);
	free(compact);
	policy_lint_bucket(doc, bucket, &out->warnings);
	char *deny = blocking_deny(doc, bucket);
	if (deny)
		st = cx_err_set(
		    err, CX_E_INPUT,
		    "bucket policy statement %s of bucket %s denies the billing delivery "
		    "services (billingreports.amazonaws.com, bcm-data-exports.amazonaws.com) "
		    "what they need to deliver; the plan stops: narrow or remove statement "
		    "%s, then run again",
		    deny, bucket, deny);
	else if (out->size > POLICY_BUCKET_LIMIT)
		st = cx_err_set(
		    err, CX_E_INPUT,
		    "the merged bucket policy would be %zu bytes, over the S3 bucket "
		    "policy limit of %d bytes (20 KB); shorten the existing policy first",
		    out->size, POLICY_BUCKET_LIMIT);
	free(deny);
	cJSON_Delete(old);
	return st;
}
