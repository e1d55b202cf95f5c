/* org.c - the `organization` action. See org.h.
 *
 * The assume-role data source follows OptScale's AWS adapter (hystax/optscale
 * tools/cloud_adapter/clouds/aws.py, Aws.get_session / validate_credentials after #772): the
 * server calls sts:AssumeRole with the data source's key into
 * arn:aws:iam::{assume_role_account_id}:role/{assume_role_name} (session name
 * assume_role_session_name, default "opt-session") and does everything else with the role's
 * credentials; the web UI's AwsAssumedRoleCredentials form sends those two keys beside the
 * key pair of a Linked account. The keys are accepted since ORG_ASSUME_ROLE_RELEASE (org.h:
 * #721, 2025-07); the web form (#772, 2025-11) came later. */
#include "run/org.h"
#include "run/orgint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/iam.h"
#include "aws/org.h"
#include "aws/orgops.h"
#include "aws/sts.h"
#include "core/policy.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/str.h"

#define ASSUME_POLICY_NAME "CerteroXAssumeDiscover"

const char *org_outcome_name(enum org_outcome o)
{
	static const char *const n[] = {"connected", "already_connected", "skipped", "failed",
	                                "left"};
	return (unsigned)o < 5 ? n[o] : "left";
}

long orgi_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

void orgi_line(const struct run *r, const char *fmt, ...)
{
	if (!r->env->on_line)
		return;
	char buf[1600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->env->on_line(r->env->ud, buf);
}

void orgi_progress(const struct run *r, const struct acct *a, bool running)
{
	if (!r->env->on_account)
		return;
	struct org_progress p = {.id = a->id,
	                         .running = running,
	                         .outcome = a->outcome,
	                         .ms = a->ms,
	                         .reason = a->reason,
	                         .fix = a->fix};
	r->env->on_account(r->env->ud, &p);
}

void orgi_jlog(const struct run *r, const char *account, const char *state, const char *ds)
{
	if (!r->jn)
		return;
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "account", account);
	cJSON_AddStringToObject(d, "state", state);
	if (ds)
		cJSON_AddStringToObject(d, "data_source_id", ds);
	struct cx_err e;
	cx_err_clear(&e);
	if (journal_append(r->jn, "org-account", d, &e) != CX_OK)
		log_warn("journal: %s", e.msg);
	cJSON_Delete(d);
}

enum cx_status orgi_fail(struct acct *a, const struct cx_err *e, const char *what, const char *fix)
{
	char buf[1100];
	snprintf(a->reason, sizeof(a->reason), "%s: %s", what, cx_err_format(e, buf, sizeof(buf)));
	snprintf(a->fix, sizeof(a->fix), "%s", fix ? fix : "");
	a->outcome = ORG_OUT_FAILED;
	return e->status != CX_OK ? e->status : CX_E_INTERNAL;
}

enum cx_status orgi_refuse(struct acct *a, const char *fix, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
	snprintf(a->fix, sizeof(a->fix), "%s", fix ? fix : "");
	a->outcome = ORG_OUT_FAILED;
	return CX_E_CONFLICT;
}

/* ---- reads-then-writes shared by both modes ---- */

/* The inline policy `policy` of the user/role `entity` equals doc, else it is put. */
static enum cx_status ensure_inline(struct aws_client *c, bool role, const char *entity,
                                    const char *policy, const cJSON *doc, bool *wrote,
                                    struct cx_err *err)
{
	char *have = NULL;
	enum cx_status st =
	    iam_orgop_run(c, iam_get_inline_policy_op(role, entity, policy), &have, err);
	if (st == CX_OK) {
		cJSON *h = cJSON_Parse(have);
		bool same = h && policy_equal(h, doc);
		cJSON_Delete(h);
		free(have);
		if (same)
			return CX_OK;
	} else if (st != CX_E_NOT_FOUND) {
		return st;
	}
	cx_err_clear(err);
	char *text = json_compact(doc);
	st = iam_orgop_run(c, iam_put_inline_policy_op(role, entity, policy, text), NULL, err);
	free(text);
	if (st == CX_OK)
		*wrote = true;
	return st;
}

/* The user `name` exists with our tag (made when missing); its ARN in *arn. */
static enum cx_status ensure_user(struct aws_client *c, const char *name, char **arn, bool *wrote,
                                  struct acct *a, const char *acct_id, struct cx_err *err)
{
	struct iam_entity e;
	memset(&e, 0, sizeof(e));
	enum cx_status st = iam_entity_run(c, iam_get_user_tagged_op(name, ORG_TAG_KEY), &e, err);
	if (st == CX_E_NOT_FOUND) {
		cx_err_clear(err);
		st = iam_entity_run(c, iam_create_user_tagged_op(name, ORG_TAG_KEY, "organization"),
		                    &e, err);
		if (st == CX_OK)
			*wrote = true;
	}
	if (st != CX_OK)
		return orgi_fail(a, err, "IAM user", NULL);
	if (!e.tagged) {
		iam_entity_free(&e);
		return orgi_refuse(
		    a, "choose another user name, or tag the user if it is yours",
		    "the IAM user %s in account %s was not made by certerox-aws-setup (no "
		    "tag %s); it is left untouched",
		    name, acct_id, ORG_TAG_KEY);
	}
	*arn = e.arn;
	e.arn = NULL;
	iam_entity_free(&e);
	return CX_OK;
}

/* A key of `user` the vault holds and IAM still has; else a new one, saved in the vault
 * before anything else happens. */
/* The vault's key of (acct_id, user) when IAM still lists it (keys: the user's key ids). */
bool orgi_vault_key(const struct run *r, const char *acct_id, const char *user,
                    const struct iam_access_key_list *keys, char **akid, char **secret)
{
	const struct vault_record *vr = vault_find_user(r->env->vault, acct_id, user);
	for (size_t i = 0; vr && vr->secret_access_key && i < keys->n; i++)
		if (str_eq(keys->items[i].access_key_id, vr->access_key_id)) {
			*akid = xstrdup(vr->access_key_id);
			*secret = secmem_strdup(vr->secret_access_key);
			return true;
		}
	return false;
}

/* A new key is saved at once: a key whose secret is lost is useless. */
enum cx_status orgi_save_key(const struct run *r, const char *acct_id, const char *user,
                             const char *akid, const char *secret, struct cx_err *err)
{
	struct vault_record rec;
	memset(&rec, 0, sizeof(rec));
	rec.aws_account_id = (char *)acct_id;
	rec.iam_user = (char *)user;
	rec.connection = (char *)"linked";
	rec.access_key_id = (char *)akid;
	rec.secret_access_key = (char *)secret;
	rec.certerox_url = (char *)certerox_base_url(r->env->s->cx);
	rec.organization_id = r->env->s->org_id;
	rec.data_source_id = (char *)"";
	enum cx_status st = vault_upsert_user(r->env->vault, &rec, err);
	if (st == CX_OK)
		st = vault_save(r->env->vault, err);
	vault_prepare_save(r->env->vault);
	return st;
}

/* ---- the management account ---- */

static enum cx_status management_user(struct run *r, struct cx_err *err)
{
	struct acct m;
	memset(&m, 0, sizeof(m));
	bool wrote = false;
	enum cx_status st =
	    ensure_user(r->env->s->aws, r->a->user, &r->user_arn, &wrote, &m, r->mgmt, err);
	cJSON *doc = st == CX_OK ? org_assume_policy(r->a->role_name) : NULL;
	if (st == CX_OK && (st = ensure_inline(r->env->s->aws, false, r->a->user,
	                                       ASSUME_POLICY_NAME, doc, &wrote, err)) != CX_OK)
		orgi_fail(&m, err, "IAM PutUserPolicy", NULL);
	cJSON_Delete(doc);
	if (st == CX_OK) /* org_keys.c */
		st = orgi_mgmt_key(r, r->env->s->aws, r->mgmt, r->a->user, &wrote, &m, err);
	if (st != CX_OK) {
		cx_err_set(err, st, "management account %s: %s%s%s", r->mgmt, m.reason,
		           m.fix[0] ? "; fix: " : "", m.fix);
		return st;
	}
	orgi_line(r, "management account %s: user %s, assume-role policy and key %s", r->mgmt,
	          r->a->user, wrote ? "made" : "in place");
	orgi_jlog(r, r->mgmt, "management-user-ready", NULL);
	return CX_OK;
}

/* Whether CerteroX accepts the assume-role keys: the config-key probe (certerox_probe_config:
 * OE0212 names the keys an older release does not know; its type check, OE0214, says every
 * key is known). */
enum cx_status orgi_has_assume_role(const struct run *r, bool *yes, struct cx_err *err)
{
	struct certerox_config_in in;
	certerox_probe_config(&in);
	in.linked = true;
	in.assume_role_account_id = "000000000000";
	in.assume_role_name = r->a->role_name;
	struct cx_err e;
	cx_err_clear(&e);
	enum cx_status st = certerox_verify_config(r->env->s->cx, &in, &e);
	*yes = false;
	if (certerox_probe_all_known(st, &e)) {
		*yes = true;
		return CX_OK;
	}
	if (st != CX_OK && str_eq(e.code, "OE0212")) { /* names the keys it does not know */
		*yes = (certerox_unsupported_keys(&e) & CERTEROX_KEY_ASSUME_ROLE) == 0;
		return CX_OK;
	}
	if (st == CX_OK)
		return cx_err_set(err, CX_E_INTERNAL,
		                  "CerteroX accepted the config-key probe's placeholder key");
	*err = e;
	return st;
}

enum cx_status orgi_check_management(struct run *r, struct cx_err *err)
{
	struct sts_identity id;
	memset(&id, 0, sizeof(id));
	enum cx_status st = sts_get_caller_identity(r->env->s->aws, &id, err);
	if (st != CX_OK)
		return st;
	r->mgmt = xstrdup(id.account);
	sts_identity_free(&id);
	struct org_info oi;
	memset(&oi, 0, sizeof(oi));
	st = org_describe_organization(r->env->s->aws, r->mgmt, &oi, err);
	if (st != CX_OK)
		return st;
	switch (oi.role) {
	case ORG_MANAGEMENT:
		break;
	case ORG_MEMBER:
		st = cx_err_set(
		    err, CX_E_INPUT,
		    "action organization: account %s is a member of organization %s, "
		    "managed by %s; run it with credentials of the management account %s",
		    r->mgmt, oi.id ? oi.id : "?", oi.master_account_id ? oi.master_account_id : "?",
		    oi.master_account_id ? oi.master_account_id : "?");
		break;
	case ORG_STANDALONE:
		st = cx_err_set(
		    err, CX_E_INPUT,
		    "action organization: account %s is in no AWS Organization "
		    "(AWSOrganizationsNotInUseException); connect it with action connect",
		    r->mgmt);
		break;
	default:
		st = cx_err_set(err, CX_E_DENIED,
		                "action organization: cannot tell whether account %s manages an "
		                "Organization (%s); allow organizations:DescribeOrganization and "
		                "organizations:ListAccounts",
		                r->mgmt, oi.denied_message ? oi.denied_message : "unknown");
		break;
	}
	org_info_free(&oi);
	return st;
}

/* A data source this action made whose vault record a killed run did not save (records are
 * saved in batches): an already-connected account whose config names the key the vault
 * holds for it (the management user's, or the member's own user's) gets its record back. No
 * network. */
static void adopt_records(struct run *r)
{
	const char *mgmt_user = r->a->user;
	for (size_t i = 0; i < r->n; i++) {
		struct acct *a = &r->acc[i];
		if (a->outcome != ORG_OUT_ALREADY || !a->ds_akid ||
		    vault_find_data_source(r->env->vault, a->ds_id))
			continue;
		const struct vault_record *k = vault_find_user(r->env->vault, r->mgmt, mgmt_user);
		const char *user = r->a->role_name;
		if (!k || !str_eq(k->access_key_id, a->ds_akid)) {
			k = vault_find_user(r->env->vault, a->id, r->a->user);
			user = r->a->user;
		}
		if (!k || !str_eq(k->access_key_id, a->ds_akid) || !k->secret_access_key)
			continue;
		orgi_save_ds_record(r, a->id, user, a->ds_id, a->ds_akid, k->secret_access_key);
	}
}

void orgi_save_ds_record(struct run *r, const char *account, const char *user, const char *ds_id,
                         const char *akid, const char *secret)
{
	struct vault_record rec;
	memset(&rec, 0, sizeof(rec));
	char *name = xasprintf("AWS %s", account);
	rec.name = name;
	rec.aws_account_id = (char *)account;
	rec.iam_user = (char *)user;
	rec.connection = (char *)"linked";
	rec.access_key_id = (char *)akid;
	rec.certerox_url = (char *)certerox_base_url(r->env->s->cx);
	rec.organization_id = r->env->s->org_id;
	rec.data_source_id = (char *)ds_id;
	struct cx_err e;
	cx_err_clear(&e);
	char *sec = secmem_strdup(secret); /* the vault's own copy moves on upsert */
	rec.secret_access_key = sec;
	if (vault_upsert_data_source(r->env->vault, &rec, &e) == CX_OK)
		r->vault_dirty = true;
	secmem_free(sec);
	free(name);
}

static cJSON *summary(const struct run *r)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "action", "organization");
	cJSON_AddStringToObject(j, "management_account", r->mgmt ? r->mgmt : "");
	cJSON_AddStringToObject(j, "access", org_access_name(r->access));
	if (r->access == ORG_ACCESS_ROLE) {
		cJSON_AddStringToObject(j, "user", r->a->user);
		cJSON_AddStringToObject(j, "role_name", r->a->role_name);
		if (r->akid)
			cJSON_AddStringToObject(j, "access_key_id", r->akid);
		if (r->moves)
			cJSON_AddItemToObject(j, "key_moves", cJSON_Duplicate(r->moves, 1));
	}
	if (r->mwarn.n) {
		cJSON *w = cJSON_AddArrayToObject(j, "management_warnings");
		for (size_t i = 0; i < r->mwarn.n; i++)
			cJSON_AddItemToArray(w, cJSON_CreateString(r->mwarn.v[i]));
	}
	cJSON *arr = cJSON_AddArrayToObject(j, "accounts");
	int tot[5] = {0};
	for (size_t i = 0; i < r->n; i++) {
		const struct acct *a = &r->acc[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", a->id);
		cJSON_AddStringToObject(o, "name", a->name);
		cJSON_AddStringToObject(o, "email", a->email);
		cJSON_AddStringToObject(o, "status", a->status);
		cJSON_AddStringToObject(o, "outcome", org_outcome_name(a->outcome));
		if (a->ds_id)
			cJSON_AddStringToObject(o, "data_source_id", a->ds_id);
		if (a->reason[0])
			cJSON_AddStringToObject(o, "reason", a->reason);
		if (a->fix[0])
			cJSON_AddStringToObject(o, "fix", a->fix);
		if (a->warn[0])
			cJSON_AddStringToObject(o, "warning", a->warn);
		cJSON_AddBoolToObject(o, "wrote", a->wrote);
		cJSON_AddNumberToObject(o, "ms", (double)a->ms);
		cJSON_AddItemToArray(arr, o);
		tot[a->outcome]++;
	}
	cJSON *t = cJSON_AddObjectToObject(j, "totals");
	for (int i = 0; i < 5; i++)
		cJSON_AddNumberToObject(t, org_outcome_name((enum org_outcome)i), tot[i]);
	return j;
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->acc[i].id);
		free(r->acc[i].name);
		free(r->acc[i].email);
		free(r->acc[i].status);
		free(r->acc[i].ds_id);
		free(r->acc[i].ds_akid);
	}
	free(r->acc);
	journal_close(r->jn);
	free(r->mgmt);
	free(r->user_arn);
	free(r->akid);
	secmem_free(r->secret);
	strv_free(&r->stale);
	strv_free(&r->mwarn);
	cJSON_Delete(r->moves);
}

static void add_acct(struct run *r, const char *id, const char *name, const char *email,
                     const char *status)
{
	r->acc = xrealloc(r->acc, (r->n + 1) * sizeof(*r->acc));
	struct acct *a = &r->acc[r->n++];
	memset(a, 0, sizeof(*a));
	a->id = xstrdup(id);
	a->name = xstrdup(name ? name : "");
	a->email = xstrdup(email ? email : "");
	a->status = xstrdup(status ? status : "");
	a->outcome = ORG_OUT_LEFT;
}

enum cx_status org_run(const struct org_env *env, cJSON **sum, int *left, struct cx_err *err)
{
	struct run r;
	memset(&r, 0, sizeof(r));
	r.env = env;
	r.a = env->answers;
	r.access = env->answers->access;
	*sum = NULL;
	*left = 0;
	enum cx_status st = orgi_check_management(&r, err);
	struct org_account_list list;
	memset(&list, 0, sizeof(list));
	struct certerox_ds_list dsl;
	memset(&dsl, 0, sizeof(dsl));
	if (st == CX_OK && journal_open(env->state_dir, r.mgmt, &r.jn, err) != CX_OK)
		st = err->status;
	if (st == CX_OK)
		st = org_list_accounts(env->s->aws, &list, err);
	if (st == CX_OK)
		st = certerox_list_ds(env->s->cx, env->s->org_id, &dsl, err);
	if (st != CX_OK)
		goto out;
	r.dsl = &dsl;
	/* the accounts chosen, in the Organization's order; ids not in it fail */
	for (size_t i = 0; i < list.n; i++) {
		const struct org_account *o = &list.items[i];
		if (!r.a->all && !strv_has(&r.a->accounts, o->id))
			continue;
		add_acct(&r, o->id, o->name, o->email, o->status);
		struct acct *a = &r.acc[r.n - 1];
		if (str_eq(o->id, r.mgmt)) {
			a->outcome = ORG_OUT_SKIPPED;
			snprintf(a->reason, sizeof(a->reason),
			         "the management account itself (connect it with action connect)");
		} else if (!str_eq(o->status, "ACTIVE")) {
			a->outcome = ORG_OUT_SKIPPED;
			snprintf(a->reason, sizeof(a->reason), "status %s (only ACTIVE accounts)",
			         o->status);
		}
		for (size_t k = 0; k < dsl.n && a->outcome == ORG_OUT_LEFT; k++)
			if (str_eq(dsl.items[k].account_id, o->id) &&
			    str_eq(dsl.items[k].type, "aws_cnr")) {
				a->outcome = ORG_OUT_ALREADY;
				a->ds_id = xstrdup(dsl.items[k].id);
				if (dsl.items[k].has_config && dsl.items[k].config.access_key_id)
					a->ds_akid = xstrdup(dsl.items[k].config.access_key_id);
				snprintf(a->reason, sizeof(a->reason),
				         "already connected in CerteroX as \"%s\"",
				         dsl.items[k].name ? dsl.items[k].name : "");
			}
	}
	for (size_t i = 0; !r.a->all && i < r.a->accounts.n; i++) {
		bool found = false;
		for (size_t k = 0; k < list.n; k++)
			found = found || str_eq(list.items[k].id, r.a->accounts.v[i]);
		if (!found) {
			add_acct(&r, r.a->accounts.v[i], "", "", "");
			struct acct *a = &r.acc[r.n - 1];
			orgi_refuse(
			    a, "choose among organizations ListAccounts",
			    "organization.accounts: %s is not an account of this Organization",
			    a->id);
		}
	}
	size_t todo = 0;
	for (size_t i = 0; i < r.n; i++) {
		if (r.acc[i].outcome == ORG_OUT_LEFT)
			r.todo = ++todo;
		if (r.acc[i].outcome == ORG_OUT_ALREADY) {
			orgi_jlog(&r, r.acc[i].id, "already-connected", r.acc[i].ds_id);
			/* connected by an earlier release (inline Discover policy): org_upgrade.c
			 */
			cJSON *pe =
			    r.jn ? journal_find_last(r.jn, "org-policy", "account", r.acc[i].id)
			         : NULL;
			r.acc[i].upgrade = !pe;
			cJSON_Delete(pe);
		}
		if (r.acc[i].outcome != ORG_OUT_LEFT)
			orgi_progress(&r, &r.acc[i], false);
		if (r.acc[i].outcome != ORG_OUT_LEFT)
			orgi_line(&r, "%s %s: %s%s%s", r.acc[i].id, r.acc[i].name,
			          org_outcome_name(r.acc[i].outcome),
			          r.acc[i].reason[0] ? ": " : "", r.acc[i].reason);
	}
	/* the access mode: role when CerteroX knows the assume-role keys */
	bool can_role = true;
	if (todo && (st = orgi_has_assume_role(&r, &can_role, err)) != CX_OK)
		goto out;
	if (r.access == ORG_ACCESS_AUTO)
		r.access = can_role ? ORG_ACCESS_ROLE : ORG_ACCESS_USER;
	else if (r.access == ORG_ACCESS_ROLE && !can_role) {
		st = cx_err_set(err, CX_E_INPUT,
		                "organization.access: \"role\" needs a CerteroX that accepts the "
		                "config keys assume_role_account_id and assume_role_name (OptScale "
		                "%s and later); this one does not: use \"user\"",
		                ORG_ASSUME_ROLE_RELEASE);
		goto out;
	}
	orgi_line(&r, "Organization of %s: %zu accounts, %zu to connect, access %s", r.mgmt, r.n,
	          todo, org_access_name(r.access));
	if (todo && r.access == ORG_ACCESS_ROLE) {
		st = management_user(&r, err);
		if (st != CX_OK)
			goto out;
	}
	orgi_launch(&r);
	if (!r.all_done)
		http_ctx_run_until(env->s->http, &r.all_done);
	orgi_move_stale(&r); /* data sources on a key whose secret is lost (org_keys.c) */
	adopt_records(&r);
	if (orgi_vault_flush(&r, err) != CX_OK) {
		st = err->status;
		goto out;
	}
	st = CX_OK;
	const struct acct *first = NULL;
	for (size_t i = 0; i < r.n; i++)
		if (r.acc[i].outcome == ORG_OUT_FAILED || r.acc[i].outcome == ORG_OUT_LEFT) {
			(*left)++;
			first = first ? first : &r.acc[i];
		}
	*left += r.moves_failed;
	if (!first && r.moves_failed)
		st = cx_err_set(err, CX_E_PARTIAL,
		                "%d data sources still use an access key whose secret the vault "
		                "lacks; see the summary's key_moves",
		                r.moves_failed);
	if (first)
		st = cx_err_set(err, CX_E_PARTIAL,
		                "%d of %zu accounts are not connected (the first, %s: %s); see the "
		                "summary",
		                *left, r.n, first->id, first->reason);
out:
	*sum = summary(&r);
	org_account_list_free(&list);
	certerox_ds_list_free(&dsl);
	run_free(&r);
	return st;
}
