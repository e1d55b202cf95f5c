/* org_scan.c - the `organization` action's read-only part: the member accounts joined with
 * CerteroX's data sources (the TUI's checklist) and --dry-run's plan per account. See org.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aws/iam.h"
#include "aws/orgops.h"
#include "core/policy.h"
#include "core/owner.h"
#include "run/journal.h"
#include "run/orgint.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/str.h"

#define ASSUME_POLICY_NAME "CerteroXAssumeDiscover" /* as run/org.c names it */

bool org_member_selectable(const struct org_member *m)
{
	return m && !m->management && str_eq(m->status, "ACTIVE");
}

void org_scan_free(struct org_scan *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->n; i++) {
		struct org_member *m = &sc->items[i];
		free(m->id);
		free(m->name);
		free(m->email);
		free(m->status);
		free(m->ds_id);
		free(m->ds_name);
	}
	free(sc->items);
	free(sc->management);
	memset(sc, 0, sizeof(*sc));
}

enum cx_status org_scan(struct session *s, const char *role_name, struct org_scan *out,
                        struct cx_err *err)
{
	memset(out, 0, sizeof(*out));
	struct org_answers a;
	memset(&a, 0, sizeof(a));
	a.role_name = (char *)role_name;
	struct org_env env;
	memset(&env, 0, sizeof(env));
	env.s = s;
	env.answers = &a;
	struct run r;
	memset(&r, 0, sizeof(r));
	r.env = &env;
	r.a = &a;
	struct org_account_list list;
	memset(&list, 0, sizeof(list));
	struct certerox_ds_list dsl;
	memset(&dsl, 0, sizeof(dsl));
	enum cx_status st = orgi_check_management(&r, err);
	if (st == CX_OK)
		st = org_list_accounts(s->aws, &list, err);
	if (st == CX_OK && s->cx)
		st = certerox_list_ds(s->cx, s->org_id, &dsl, err);
	if (st == CX_OK && s->cx)
		st = orgi_has_assume_role(&r, &out->can_role, err);
	if (st != CX_OK)
		goto out;
	out->management = r.mgmt;
	r.mgmt = NULL;
	out->items = xcalloc(list.n ? list.n : 1, sizeof(*out->items));
	for (size_t i = 0; i < list.n; i++) {
		const struct org_account *o = &list.items[i];
		struct org_member *m = &out->items[out->n++];
		m->id = xstrdup(o->id);
		m->name = xstrdup(o->name ? o->name : "");
		m->email = xstrdup(o->email ? o->email : "");
		m->status = xstrdup(o->status ? o->status : "");
		m->management = str_eq(o->id, out->management);
		for (size_t k = 0; k < dsl.n && !m->ds_id; k++)
			if (str_eq(dsl.items[k].account_id, o->id) &&
			    str_eq(dsl.items[k].type, "aws_cnr")) {
				m->ds_id = xstrdup(dsl.items[k].id);
				m->ds_name = xstrdup(dsl.items[k].name ? dsl.items[k].name : "");
			}
	}
out:
	free(r.mgmt);
	org_account_list_free(&list);
	certerox_ds_list_free(&dsl);
	return st;
}

/* ---- --dry-run ---- */

static void step(cJSON *plan, const char *what, const char *detail)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "step", what);
	if (detail)
		cJSON_AddStringToObject(o, "detail", detail);
	cJSON_AddItemToArray(plan, o);
}

/* What the management account needs (access role): its user, the assume-role policy and a key,
 * from reads of what is there. */
static enum cx_status management_plan(struct session *s, const struct org_answers *a,
                                      const char *mgmt, cJSON *j, struct cx_err *err)
{
	cJSON *m = cJSON_AddObjectToObject(j, "management");
	cJSON_AddStringToObject(m, "account", mgmt);
	cJSON_AddStringToObject(m, "user", a->user);
	cJSON *plan = cJSON_AddArrayToObject(m, "plan");
	char *arn = xasprintf("arn:aws:iam::%s:user/%s", mgmt, a->user);
	struct iam_entity e;
	memset(&e, 0, sizeof(e));
	enum cx_status st =
	    iam_entity_run(s->aws, iam_get_user_tagged_op(a->user, ORG_TAG_KEY), &e, err);
	bool exists = st == CX_OK;
	if (st == CX_E_NOT_FOUND) {
		cx_err_clear(err);
		st = CX_OK;
		step(plan, "iam CreateUser", a->user);
	} else if (st != CX_OK) {
		free(arn);
		return st;
	} else if (!e.tagged) {
		cJSON_AddStringToObject(m, "refused",
		                        "the user exists without the tag " ORG_TAG_KEY
		                        ": the run stops before any write");
	}
	if (exists && e.arn) {
		free(arn);
		arn = xstrdup(e.arn);
	}
	iam_entity_free(&e);
	cJSON_AddStringToObject(m, "user_arn", arn);
	free(arn);
	cJSON *doc = org_assume_policy(a->role_name);
	bool same = false;
	if (exists) {
		char *have = NULL;
		st = iam_orgop_run(s->aws,
		                   iam_get_inline_policy_op(false, a->user, ASSUME_POLICY_NAME),
		                   &have, err);
		if (st == CX_OK) {
			cJSON *h = cJSON_Parse(have);
			same = h && policy_equal(h, doc);
			cJSON_Delete(h);
		} else if (st == CX_E_NOT_FOUND) {
			cx_err_clear(err);
			st = CX_OK;
		}
		free(have);
	}
	if (!same)
		step(plan, "iam PutUserPolicy",
		     ASSUME_POLICY_NAME " (only sts:AssumeRole on the role)");
	cJSON_AddItemToObject(m, "assume_role_policy", doc);
	size_t nkeys = 0;
	if (st == CX_OK && exists) {
		struct iam_access_key_list keys;
		memset(&keys, 0, sizeof(keys));
		st = iam_list_access_keys(s->aws, a->user, &keys, err);
		nkeys = keys.n;
		iam_access_key_list_free(&keys);
	}
	if (st != CX_OK)
		return st;
	if (nkeys)
		step(
		    plan, "iam CreateAccessKey",
		    "only when the vault lacks the secret of the user's key (saved in the vault); "
		    "a key the vault lacks is never deleted while a data source uses it, nor when "
		    "the wizard did not make it (--yes deletes only the wizard's unused keys); the "
		    "data sources on a key whose secret is lost are moved to the new key (PATCH) "
		    "once CerteroX accepts it");
	else
		step(plan, "iam CreateAccessKey", "saved in the vault at once");
	step(plan, "iam TagUser",
	     "the new key described on its user as the wizard's (tag key = the access key id)");
	return CX_OK;
}

/* The customer managed Discover Resources policy and its attachment (run/org_mpolicy.c). */
static void policy_steps(cJSON *plan, const struct org_answers *a, const char *id, bool role,
                         const char *entity)
{
	char *what = xasprintf(
	    "arn:aws:iam::%s:policy/%s: the Discover Resources policy, tagged %s, when missing; "
	    "ours with an outdated document: a new default version (CreatePolicyVersion; the "
	    "oldest non-default version deleted when 5 exist); one certerox-aws-setup did not "
	    "make: used when it grants every Discover action, never rewritten",
	    id, a->policy, OWNER_TAG_KEY);
	step(plan, "iam CreatePolicy", what);
	free(what);
	what = xasprintf("%s %s: %s, unless attached (then the inline policy %s an earlier run put "
	                 "on it is deleted, when the managed one grants all it does)",
	                 role ? "role" : "user", entity, a->policy, a->policy);
	step(plan, role ? "iam AttachRolePolicy" : "iam AttachUserPolicy", what);
	free(what);
}

static void member_plan(const struct org_answers *a, enum org_access access, const char *id,
                        const char *user_arn, cJSON *plan)
{
	char *arn = org_role_arn(id, a->member_role);
	char *d = xasprintf("%s (read: the way in; nothing is written by it)", arn);
	step(plan, "sts AssumeRole", d);
	free(d);
	free(arn);
	char *what = NULL;
	if (access == ORG_ACCESS_ROLE) {
		what = xasprintf("%s trusting %s, tagged %s (when the role is ours and does not "
		                 "trust that user, UpdateAssumeRolePolicy adds it, keeping every "
		                 "other statement)",
		                 a->role_name, user_arn ? user_arn : "the management user",
		                 ORG_TAG_KEY);
		step(plan, "iam CreateRole", what);
		free(what);
		policy_steps(plan, a, id, true, a->role_name);
		what = xasprintf("\"AWS %s\": linked, the management user's key, "
		                 "assume_role_account_id %s, assume_role_name %s",
		                 id, id, a->role_name);
	} else {
		what = xasprintf("%s, tagged %s", a->user, ORG_TAG_KEY);
		step(plan, "iam CreateUser", what);
		free(what);
		policy_steps(plan, a, id, false, a->user);
		step(plan, "iam CreateAccessKey",
		     "unless the vault holds a key of the user; saved "
		     "in the vault at once");
		step(plan, "iam TagUser",
		     "the new key described on its user as the wizard's (tag key = the access "
		     "key id)");
		what = xasprintf("\"AWS %s\": linked, the member user's key", id);
	}
	step(plan, "certerox create data source", what);
	free(what);
}

/* The management account's journal when it exists (a dry run creates nothing), else NULL. */
static struct journal *journal_if_any(const char *management)
{
	char *dir = paths_state_dir();
	char *path = dir ? xasprintf("%s/journal-%s.jsonl", dir, management) : NULL;
	struct stat stt;
	struct journal *jn = NULL;
	struct cx_err e;
	cx_err_clear(&e);
	if (path && stat(path, &stt) == 0 && S_ISREG(stt.st_mode) &&
	    journal_open(NULL, management, &jn, &e) != CX_OK)
		jn = NULL;
	free(path);
	free(dir);
	return jn;
}

/* The journal records that the member's Discover policy is the managed one (org_upgrade.c). */
static bool policy_known(const struct journal *jn, const char *account)
{
	cJSON *e = jn ? journal_find_last(jn, "org-policy", "account", account) : NULL;
	bool yes = e != NULL;
	cJSON_Delete(e);
	return yes;
}

enum cx_status org_dry_run(struct session *s, const struct org_answers *a, cJSON **out,
                           struct cx_err *err)
{
	*out = NULL;
	struct org_scan sc;
	enum cx_status st = org_scan(s, a->role_name, &sc, err);
	if (st != CX_OK)
		return st;
	enum org_access access = a->access;
	if (access == ORG_ACCESS_AUTO)
		access = sc.can_role ? ORG_ACCESS_ROLE : ORG_ACCESS_USER;
	else if (access == ORG_ACCESS_ROLE && !sc.can_role) {
		org_scan_free(&sc);
		return cx_err_set(
		    err, CX_E_INPUT,
		    "organization.access: \"role\" needs a CerteroX that accepts the "
		    "config keys assume_role_account_id and assume_role_name (OptScale "
		    "%s and later); this one does not: use \"user\"",
		    ORG_ASSUME_ROLE_RELEASE);
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "action", "organization");
	cJSON_AddBoolToObject(j, "dry_run", true);
	cJSON_AddStringToObject(j, "management_account", sc.management);
	cJSON_AddStringToObject(j, "access", org_access_name(access));
	size_t todo = 0;
	for (size_t i = 0; i < sc.n; i++)
		todo += org_member_selectable(&sc.items[i]) && !sc.items[i].ds_id &&
		        (a->all || strv_has(&a->accounts, sc.items[i].id));
	if (todo && access == ORG_ACCESS_ROLE) {
		st = management_plan(s, a, sc.management, j, err);
		if (st != CX_OK) {
			cJSON_Delete(j);
			org_scan_free(&sc);
			return st;
		}
	}
	const char *user_arn =
	    json_str(cJSON_GetObjectItemCaseSensitive(j, "management"), "user_arn");
	struct journal *jn = journal_if_any(sc.management);
	cJSON *arr = cJSON_AddArrayToObject(j, "accounts");
	int would = 0, already = 0, skipped = 0, unknown = 0;
	for (size_t i = 0; i < sc.n; i++) {
		const struct org_member *m = &sc.items[i];
		if (!a->all && !strv_has(&a->accounts, m->id))
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", m->id);
		cJSON_AddStringToObject(o, "name", m->name);
		cJSON_AddStringToObject(o, "email", m->email);
		cJSON_AddStringToObject(o, "status", m->status);
		if (m->management) {
			cJSON_AddStringToObject(o, "outcome", "skipped");
			cJSON_AddStringToObject(o, "reason",
			                        "the management account itself (connect "
			                        "it with action connect)");
			skipped++;
		} else if (!str_eq(m->status, "ACTIVE")) {
			char *why = xasprintf("status %s (only ACTIVE accounts)", m->status);
			cJSON_AddStringToObject(o, "outcome", "skipped");
			cJSON_AddStringToObject(o, "reason", why);
			free(why);
			skipped++;
		} else if (m->ds_id) {
			char *why =
			    xasprintf("already connected in CerteroX as \"%s\"", m->ds_name);
			cJSON_AddStringToObject(o, "outcome", "already_connected");
			cJSON_AddStringToObject(o, "data_source_id", m->ds_id);
			cJSON_AddStringToObject(o, "reason", why);
			free(why);
			if (!policy_known(jn, m->id)) {
				char *u = xasprintf(
				    "the journal does not say its Discover policy is the managed "
				    "one: "
				    "if the role %s (or the user %s) certerox-aws-setup made there "
				    "holds the inline policy %s of an earlier release, the run "
				    "attaches the managed policy %s first, then deletes the inline "
				    "one; the data source is not changed",
				    a->role_name, a->user, a->policy, a->policy);
				cJSON_AddStringToObject(o, "policy_upgrade", u);
				free(u);
			}
			already++;
		} else {
			cJSON_AddStringToObject(o, "outcome", "would_connect");
			member_plan(a, access, m->id, user_arn, cJSON_AddArrayToObject(o, "plan"));
			would++;
		}
		cJSON_AddItemToArray(arr, o);
	}
	for (size_t i = 0; !a->all && i < a->accounts.n; i++) {
		bool found = false;
		for (size_t k = 0; k < sc.n && !found; k++)
			found = str_eq(sc.items[k].id, a->accounts.v[i]);
		if (found)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", a->accounts.v[i]);
		cJSON_AddStringToObject(o, "outcome", "not_found");
		cJSON_AddStringToObject(o, "reason",
		                        "organization.accounts: not an account of this "
		                        "Organization");
		cJSON_AddItemToArray(arr, o);
		unknown++;
	}
	cJSON *t = cJSON_AddObjectToObject(j, "totals");
	cJSON_AddNumberToObject(t, "would_connect", would);
	cJSON_AddNumberToObject(t, "already_connected", already);
	cJSON_AddNumberToObject(t, "skipped", skipped);
	cJSON_AddNumberToObject(t, "not_found", unknown);
	journal_close(jn);
	org_scan_free(&sc);
	*out = j;
	return CX_OK;
}
