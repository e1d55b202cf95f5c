/* org_member.c - the `organization` action, one member account: a chain of asynchronous calls
 * on the shared http ctx (AssumeRole into member_role, the role or user, the customer managed
 * Discover Resources policy attached to it (org_mpolicy.c), the key (access user), CerteroX's
 * data source), at most max_parallel members in flight. See org.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam.h"
#include "aws/orgops.h"
#include "core/owner.h"
#include "core/policy.h"
#include "run/assumed.h"
#include "run/orgint.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/str.h"

/* ---- one member: a chain of asynchronous calls on the shared http ctx; at most
 * max_parallel members in flight ---- */

enum jstate {
	J_ASSUMED,     /* sts AssumeRole into member_role answered */
	J_ENTITY,      /* GetRole / GetUser answered */
	J_ENTITY_W,    /* CreateRole / UpdateAssumeRolePolicy / CreateUser answered */
	J_POLICY,      /* the managed Discover policy is attached (org_mpolicy.c) */
	J_KEYS,        /* ListAccessKeys answered (access user) */
	J_TAGS,        /* ListUserTags answered (which keys are the wizard's) */
	J_KEY_MADE,    /* CreateAccessKey answered */
	J_KEY_TAGGED,  /* TagUser (the new key described as the wizard's) answered */
	J_KEY_DELETED, /* DeleteAccessKey (a key the vault lacks, --yes) answered */
	J_CERTEROX     /* the data source's creation answered */
};

struct job {
	struct run *r;
	struct acct *a;
	enum jstate state;
	struct assumed role; /* the member role's client (run/assumed.h) */
	bool fresh; /* a key or role made by this run: CerteroX may see it before it propagates */
	char *akid, *secret;
	cJSON *doc; /* the Discover policy */
	long t0, until;
	bool entity_made;      /* the role / user was created by this run (nothing attached yet) */
	struct orgi_mpol mpol; /* the managed policy's chain (org_mpolicy.c) */
	struct strv keys;      /* access user: the user's key ids the vault lacks */
};

static void job_next(struct job *j, struct aws_op *op);

enum cx_status orgi_vault_flush(struct run *r, struct cx_err *err)
{
	if (!r->vault_dirty)
		return CX_OK;
	enum cx_status st = vault_save(r->env->vault, err);
	r->last_save = orgi_now_ms();
	if (st == CX_OK)
		r->vault_dirty = false;
	vault_prepare_save(r->env->vault);
	return st;
}
static void job_finish(struct job *j, enum cx_status st);

static void on_op(struct aws_op *op, void *ud)
{
	job_next(ud, op);
}

static void start(struct job *j, enum jstate next, struct aws_client *c, struct aws_op *op)
{
	j->state = next;
	aws_op_start(c, op, on_op, j);
}

static void cx_start(struct job *j);
static void cx_retry(void *ud);

static void on_cx(struct certerox_call *call, void *ud)
{
	struct job *j = ud;
	struct run *r = j->r;
	struct acct *a = j->a;
	struct cx_err err;
	cx_err_clear(&err);
	enum cx_status st = certerox_call_status(call, &err);
	if (st == CX_OK) {
		if (r->access == ORG_ACCESS_ROLE)
			r->key_proven = true; /* CerteroX checked the management key (org_keys.c) */
		a->ds_id = xstrdup(certerox_call_result(call)->ds.id);
		certerox_call_free(call);
		a->wrote = true;
		struct vault_record rec;
		memset(&rec, 0, sizeof(rec));
		char *dsname = xasprintf("AWS %s", a->id);
		rec.name = dsname;
		rec.aws_account_id = a->id;
		rec.iam_user = r->access == ORG_ACCESS_ROLE ? r->a->role_name : r->a->user;
		rec.connection = (char *)"linked";
		rec.access_key_id = j->akid;
		rec.secret_access_key = j->secret;
		rec.certerox_url = (char *)certerox_base_url(r->env->s->cx);
		rec.organization_id = r->env->s->org_id;
		rec.data_source_id = a->ds_id;
		st = vault_upsert_data_source(r->env->vault, &rec, &err);
		free(dsname);
		/* the record holds no new secret (a new key was saved at once): saves of these
		 * records are coalesced, at most one a second, and one at the end of the run */
		r->vault_dirty = true;
		if (st == CX_OK && orgi_now_ms() - r->last_save >= 1000)
			st = orgi_vault_flush(r, &err);
		if (st != CX_OK)
			orgi_fail(a, &err, "vault", NULL);
		job_finish(j, st);
		return;
	}
	certerox_call_free(call);
	if (str_eq(err.code, "OE0433") && orgi_now_ms() < j->until) {
		/* OptScale's own AWS check refused a key or role made moments ago */
		http_timer_add(r->env->s->http, 500, cx_retry, j);
		return;
	}
	job_finish(j, orgi_fail(a, &err, "CerteroX", NULL));
}

/* CerteroX: the Linked data source (with the assume-role keys for access role). */
static void cx_start(struct job *j)
{
	struct run *r = j->r;
	struct certerox_config_in in;
	memset(&in, 0, sizeof(in));
	in.access_key_id = j->akid;
	in.secret_access_key = j->secret;
	in.linked = true;
	if (r->access == ORG_ACCESS_ROLE) {
		in.assume_role_account_id = j->a->id;
		in.assume_role_name = r->a->role_name;
	}
	char *name = xasprintf("AWS %s", j->a->id);
	j->state = J_CERTEROX;
	certerox_create_ds_start(r->env->s->cx, r->env->s->org_id, name, &in, on_cx, j);
	free(name);
}

static void cx_retry(void *ud)
{
	cx_start(ud);
}

static void after_policy(struct job *j)
{
	struct run *r = j->r;
	if (r->access == ORG_ACCESS_ROLE) {
		orgi_jlog(r, j->a->id, "role-ready", NULL);
		j->akid = xstrdup(r->akid);
		j->secret = secmem_strdup(r->secret);
		j->fresh = j->fresh || r->key_new;
		j->until = orgi_now_ms() + (j->fresh ? r->env->key_wait_ms : 0);
		cx_start(j);
		return;
	}
	start(j, J_KEYS, j->role.c, iam_list_access_keys_op(r->a->user));
}

static void policy_done(struct orgi_mpol *m, enum cx_status st, void *ud)
{
	(void)m;
	struct job *j = ud;
	if (st != CX_OK) {
		job_finish(j, st);
		return;
	}
	orgi_jpolicy(j->r, j->a->id);
	after_policy(j);
}

/* The customer managed Discover policy, attached to the role or user (org_mpolicy.c). */
static void get_policy(struct job *j)
{
	bool role = j->r->access == ORG_ACCESS_ROLE;
	j->state = J_POLICY;
	orgi_mpol_start(&j->mpol, j->r, j->a, j->role.c, role,
	                role ? j->r->a->role_name : j->r->a->user, j->entity_made, j->doc,
	                policy_done, j);
}

static char *trust_text(const struct run *r)
{
	cJSON *t = org_trust_policy(r->user_arn);
	char *s = json_compact(t);
	cJSON_Delete(t);
	return s;
}

/* Appends a warning to the account's (several may happen: a key deleted, another kept). */
static void warn_add(struct acct *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn_add(struct acct *a, const char *fmt, ...)
{
	size_t n = strlen(a->warn);
	if (n && n + 2 < sizeof(a->warn)) {
		memcpy(a->warn + n, "; ", 3);
		n += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->warn + n, sizeof(a->warn) - n, fmt, ap);
	va_end(ap);
}

static void make_key(struct job *j)
{
	struct aws_op *kop = iam_create_access_key_op(j->r->a->user);
	aws_op_set_transport_retry(kop, false);
	start(j, J_KEY_MADE, j->role.c, kop);
}

static void job_next(struct job *j, struct aws_op *op)
{
	struct run *r = j->r;
	struct acct *a = j->a;
	bool role = r->access == ORG_ACCESS_ROLE;
	enum cx_status st = aws_op_status(op);
	struct cx_err err = *aws_op_error(op);
	switch (j->state) {
	case J_ASSUMED: {
		if (st != CX_OK) {
			char fix[300];
			snprintf(
			    fix, sizeof(fix),
			    "give the management account a role %s in %s that it may assume, or "
			    "set organization.member_role",
			    r->a->member_role, a->id);
			aws_op_free(op);
			job_finish(j, orgi_fail(a, &err, "cannot reach the account", fix));
			return;
		}
		bool got = assumed_from_role(&j->role, r->env->s->http, &r->env->s->cfg, op,
		                             "assumed member role");
		aws_op_free(op);
		if (!got) { /* an answer without credentials */
			cx_err_set(&err, CX_E_PARSE, "sts AssumeRole answered without credentials");
			job_finish(j, orgi_fail(a, &err, "cannot reach the account", NULL));
			return;
		}
		if (role)
			start(j, J_ENTITY, j->role.c,
			      iam_get_role_op(r->a->role_name, ORG_TAG_KEY));
		else
			start(j, J_ENTITY, j->role.c,
			      iam_get_user_tagged_op(r->a->user, ORG_TAG_KEY));
		return;
	}
	case J_ENTITY: {
		const struct iam_entity *e = iam_entity_result(op);
		bool tagged = e->tagged;
		bool trusts = role && org_trust_allows(e->trust, r->user_arn);
		/* ours but not trusting this management user (an earlier one, or someone added
		 * principals): our statement is added, every other one kept (never narrowed) */
		char *merged = role && !trusts && st == CX_OK && tagged
		                   ? org_trust_merge(e->trust, r->user_arn)
		                   : NULL;
		aws_op_free(op);
		if (st == CX_E_NOT_FOUND) {
			char *t = role ? trust_text(r) : NULL;
			j->entity_made = true; /* nothing is attached to it, no inline policy */
			if (role)
				start(j, J_ENTITY_W, j->role.c,
				      iam_create_role_op(r->a->role_name, t, ORG_TAG_KEY,
				                         "organization"));
			else
				start(j, J_ENTITY_W, j->role.c,
				      iam_create_user_tagged_op(r->a->user, ORG_TAG_KEY,
				                                "organization"));
			free(t);
			return;
		}
		if (st != CX_OK) {
			job_finish(j,
			           orgi_fail(a, &err, role ? "IAM GetRole" : "IAM GetUser", NULL));
			return;
		}
		if (!tagged) {
			job_finish(j,
			           orgi_refuse(
			               a,
			               role ? "set organization.role_name to another name"
			                    : "remove or rename that user",
			               "the %s %s in account %s was not made by certerox-aws-setup "
			               "(no tag %s); it is left untouched",
			               role ? "role" : "IAM user",
			               role ? r->a->role_name : r->a->user, a->id, ORG_TAG_KEY));
			return;
		}
		if (role && !trusts && !merged) {
			job_finish(j,
			           orgi_refuse(a, "fix the role's trust policy by hand",
			                       "the trust policy of role %s in account %s is not a "
			                       "JSON policy; it is left untouched",
			                       r->a->role_name, a->id));
			return;
		}
		if (role && !trusts) {
			start(j, J_ENTITY_W, j->role.c,
			      iam_update_trust_op(r->a->role_name, merged));
			free(merged);
			return;
		}
		get_policy(j);
		return;
	}
	case J_ENTITY_W:
		aws_op_free(op);
		if (st != CX_OK) {
			job_finish(j, orgi_fail(a, &err, role ? "IAM role" : "IAM user", NULL));
			return;
		}
		a->wrote = j->fresh = true;
		get_policy(j);
		return;
	case J_POLICY:
		aws_op_free(op); /* not reached: the policy's calls end in policy_done */
		return;
	case J_KEYS: {
		if (st != CX_OK) {
			aws_op_free(op);
			job_finish(j, orgi_fail(a, &err, "IAM ListAccessKeys", NULL));
			return;
		}
		const struct iam_access_key_list *keys = iam_list_access_keys_result(op);
		bool have = orgi_vault_key(r, a->id, r->a->user, keys, &j->akid, &j->secret);
		strv_free(&j->keys);
		for (size_t i = 0; !have && i < keys->n; i++)
			strv_push(&j->keys, keys->items[i].access_key_id);
		aws_op_free(op);
		if (have) {
			orgi_jlog(r, a->id, "user-ready", NULL);
			j->until = orgi_now_ms() + (j->fresh ? r->env->key_wait_ms : 0);
			cx_start(j);
		} else if (j->keys.n) { /* which of them the wizard made: its user's tags */
			start(j, J_TAGS, j->role.c, iam_list_user_tags_op(r->a->user));
		} else {
			make_key(j);
		}
		return;
	}
	case J_TAGS: {
		if (st != CX_OK) {
			aws_op_free(op);
			job_finish(j, orgi_fail(a, &err, "IAM ListUserTags", NULL));
			return;
		}
		/* keys of our user the vault lacks: deleted with --yes only when the wizard made
		 * them (described on the user) and no CerteroX data source uses them; one at a
		 * time, then the list is read again. The others are kept, and the summary says
		 * why (core/plan.c ensure_key does the same for action connect). */
		const struct iam_tag_list *tags = iam_list_user_tags_result(op);
		const char *del = NULL;
		struct strv kept = STRV_INIT;
		for (size_t i = 0; i < j->keys.n; i++) {
			char why[1200];
			const char *keep =
			    orgi_key_keep_reason(r, tags, j->keys.v[i], why, sizeof(why));
			if (keep)
				strv_add(&kept, "%s (%s)", j->keys.v[i], keep);
			else if (r->env->yes && !del)
				del = j->keys.v[i];
			else
				strv_add(&kept,
				         "%s (made by certerox-aws-setup and unused: --yes "
				         "deletes it)",
				         j->keys.v[i]);
		}
		aws_op_free(op);
		char *k = strv_join(&kept, "; ");
		if (del) {
			a->wrote = true;
			warn_add(
			    a,
			    "deleted the access key %s of %s: made by certerox-aws-setup, not in "
			    "the vault, used by no data source (--yes)",
			    del, r->a->user);
			start(j, J_KEY_DELETED, j->role.c,
			      iam_delete_access_key_op(r->a->user, del));
		} else if (j->keys.n >= 2) {
			job_finish(j,
			           orgi_refuse(a,
			                       "delete one of the user's keys that no data source "
			                       "uses, or run again with --yes to delete those the "
			                       "wizard made",
			                       "the IAM user %s in account %s has %zu access keys "
			                       "and the vault holds neither secret (IAM allows 2); "
			                       "kept: %s",
			                       r->a->user, a->id, j->keys.n, k));
		} else {
			warn_add(
			    a,
			    "the access key %s of %s is not in the vault; it is left in place: %s",
			    j->keys.v[0], r->a->user, k);
			make_key(j);
		}
		free(k);
		strv_free(&kept);
		return;
	}
	case J_KEY_DELETED:
		aws_op_free(op);
		if (st != CX_OK && st != CX_E_NOT_FOUND) {
			job_finish(j, orgi_fail(a, &err, "IAM DeleteAccessKey", NULL));
			return;
		}
		start(j, J_KEYS, j->role.c, iam_list_access_keys_op(r->a->user));
		return;
	case J_KEY_MADE: {
		if (st != CX_OK) {
			aws_op_free(op);
			job_finish(j, orgi_fail(a, &err, "IAM CreateAccessKey", NULL));
			return;
		}
		const struct iam_access_key *k = iam_create_access_key_result(op);
		j->akid = xstrdup(k->access_key_id);
		j->secret = secmem_strdup(k->secret_access_key);
		aws_op_free(op);
		a->wrote = j->fresh = true;
		struct cx_err verr;
		cx_err_clear(&verr);
		if (orgi_save_key(r, a->id, r->a->user, j->akid, j->secret, &verr) != CX_OK) {
			job_finish(j, orgi_fail(a, &verr, "vault", NULL));
			return;
		}
		/* the secret saved, the key is described on its user as the wizard's */
		start(j, J_KEY_TAGGED, j->role.c,
		      iam_tag_user_op(r->a->user, j->akid, OWNER_KEY_DESCRIPTION));
		return;
	}
	case J_KEY_TAGGED:
		aws_op_free(op);
		if (st != CX_OK) /* not fatal: the key is then never deleted by a later --yes */
			warn_add(a,
			         "could not describe access key %s on user %s as the wizard's "
			         "(TagUser: %s); a later --yes will not delete it",
			         j->akid, r->a->user, err.msg);
		orgi_jlog(r, a->id, "user-ready", NULL);
		j->until = orgi_now_ms() + r->env->key_wait_ms;
		cx_start(j);
		return;
	case J_CERTEROX:
		aws_op_free(op); /* not reached: CerteroX calls end in on_cx */
		return;
	}
}

static void job_finish(struct job *j, enum cx_status st)
{
	struct run *r = j->r;
	struct acct *a = j->a;
	a->ms = orgi_now_ms() - j->t0;
	if (st == CX_OK) {
		a->outcome = ORG_OUT_CONNECTED;
		orgi_jlog(r, a->id, "connected", a->ds_id);
	} else {
		if (a->outcome != ORG_OUT_FAILED)
			a->outcome = ORG_OUT_FAILED;
		orgi_jlog(r, a->id, "failed", NULL);
	}
	r->done++;
	orgi_progress(r, a, false);
	orgi_line(r, "[%d/%zu] %s %s: %s (%ld ms)%s%s", r->done, r->todo, a->id, a->name,
	          org_outcome_name(a->outcome), a->ms, a->reason[0] ? ": " : "", a->reason);
	if (a->fix[0])
		orgi_line(r, "        fix: %s", a->fix);
	if (a->warn[0])
		orgi_line(r, "        warning: %s", a->warn);
	orgi_mpol_free(&j->mpol);
	assumed_free(&j->role);
	free(j->akid);
	secmem_free(j->secret);
	cJSON_Delete(j->doc);
	strv_free(&j->keys);
	free(j);
	r->active--;
	orgi_launch(r);
}

/* Starts members until max_parallel are in flight; r->all_done once none is left. */
void orgi_launch(struct run *r)
{
	while (r->active < r->a->max_parallel && r->next < r->n &&
	       !(r->env->stop && __atomic_load_n(r->env->stop, __ATOMIC_RELAXED))) {
		struct acct *a = &r->acc[r->next++];
		if (a->outcome == ORG_OUT_ALREADY && a->upgrade) {
			r->active++;
			orgi_upgrade_start(r, a);
			continue;
		}
		if (a->outcome != ORG_OUT_LEFT)
			continue;
		struct job *j = xcalloc(1, sizeof(*j));
		j->r = r;
		j->a = a;
		j->t0 = orgi_now_ms();
		orgi_progress(r, a, true);
		struct cx_err err;
		cx_err_clear(&err);
		j->doc = policy_discover(&err);
		r->active++;
		if (!j->doc) {
			job_finish(j, orgi_fail(a, &err, "Discover policy", NULL));
			continue;
		}
		char *arn = org_role_arn(a->id, r->a->member_role);
		start(j, J_ASSUMED, r->env->s->aws, sts_assume_role_op(arn, "certerox-aws-setup"));
		free(arn);
	}
	if (r->active == 0 &&
	    (r->next >= r->n || (r->env->stop && __atomic_load_n(r->env->stop, __ATOMIC_RELAXED))))
		r->all_done = true;
}
