/* org_keys.c - the `organization` action's access keys and who owns them (issue 14's
 * ownership rules, as action connect and rotate follow them in core/plan.c ensure_key and
 * core/plan_rotate.c plan_add_new_key / plan_add_retire_old_key):
 *  - a key the wizard makes is described on its user as the IAM console does: a user tag
 *    whose key is the access key id (value OWNER_KEY_DESCRIPTION);
 *  - a key whose secret the vault lacks is deleted (with --yes) only when it carries that
 *    description AND no CerteroX data source uses it; every other key is left alone, and
 *    the run says why;
 *  - the management user's key that live data sources use but whose secret the vault lacks
 *    (a lost vault) is never deleted: a new key is made when IAM's two-key limit allows it,
 *    and each data source that used the old one is moved to it (PATCH with the whole config)
 *    only once the new key is proven (a data source created with it in this run, or
 *    CerteroX's own check, cloud_account_verify). With no room for a new key the run stops
 *    before any member, naming the keys, the data sources and the fix. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/iam.h"
#include "core/organs.h"
#include "core/owner.h"
#include "run/orgint.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/str.h"

/* The CerteroX data source (of r->dsl, from index from; its index in *at) whose config names
 * akid; NULL when none. */
const struct certerox_ds *orgi_key_user(const struct run *r, const char *akid, size_t from,
                                        size_t *at)
{
	for (size_t i = from; r->dsl && i < r->dsl->n; i++) {
		const struct certerox_ds *d = &r->dsl->items[i];
		if (d->has_config && str_eq(d->config.access_key_id, akid)) {
			if (at)
				*at = i;
			return d;
		}
	}
	return NULL;
}

/* "\"NAME\" (ID), ..." of every data source that uses akid; caller frees. */
char *orgi_key_users(const struct run *r, const char *akid)
{
	struct strv v = STRV_INIT;
	size_t at = 0;
	for (const struct certerox_ds *d = orgi_key_user(r, akid, 0, &at); d;
	     d = orgi_key_user(r, akid, at + 1, &at))
		strv_add(&v, "\"%s\" (%s, account %s)", d->name ? d->name : "", d->id,
		         d->account_id ? d->account_id : "?");
	char *s = strv_join(&v, ", ");
	strv_free(&v);
	return s;
}

bool orgi_key_is_ours(const struct iam_tag_list *tags, const char *akid)
{
	return owner_is_key_description(iam_tag_get(tags, akid));
}

/* Why a key of our user the vault lacks is kept (NULL: ours and unused: --yes may delete). */
const char *orgi_key_keep_reason(const struct run *r, const struct iam_tag_list *tags,
                                 const char *akid, char *buf, size_t n)
{
	buf[0] = '\0';
	char *users = orgi_key_users(r, akid);
	if (users[0])
		snprintf(buf, n, "CerteroX data source %s uses it", users);
	else if (!orgi_key_is_ours(tags, akid))
		snprintf(
		    buf, n,
		    "certerox-aws-setup did not make it (its user has no tag %s describing it)",
		    akid);
	free(users);
	return buf[0] ? buf : NULL;
}

void orgi_mwarn(struct run *r, const char *fmt, ...)
{
	char buf[1600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	strv_push(&r->mwarn, buf);
	orgi_line(r, "        warning: %s", buf);
}

/* A new key is described on its user as the wizard's; a failure only warns (the key is then
 * never deleted by a later --yes, which is the safe side). */
static void describe_key(struct run *r, struct aws_client *c, const char *user, const char *akid)
{
	struct cx_err e;
	cx_err_clear(&e);
	if (iam_tag_user(c, user, akid, OWNER_KEY_DESCRIPTION, &e) != CX_OK)
		orgi_mwarn(r,
		           "could not describe access key %s on user %s as the wizard's (TagUser: "
		           "%s); a later --yes will not delete it",
		           akid, user, e.msg);
}

enum cx_status orgi_mgmt_key(struct run *r, struct aws_client *c, const char *acct_id,
                             const char *user, bool *wrote, struct acct *a, struct cx_err *err)
{
	struct iam_access_key_list keys;
	memset(&keys, 0, sizeof(keys));
	struct iam_tag_list tags;
	memset(&tags, 0, sizeof(tags));
	enum cx_status st = iam_list_access_keys(c, user, &keys, err);
	if (st != CX_OK)
		return orgi_fail(a, err, "IAM ListAccessKeys", NULL);
	bool have = orgi_vault_key(r, acct_id, user, &keys, &r->akid, &r->secret);
	/* which keys the wizard made: the user's tags (also whether the vault's key is described,
	 * which a run stopped between the save and TagUser left undone) */
	if (keys.n && iam_list_user_tags(c, user, &tags, err) != CX_OK) {
		iam_access_key_list_free(&keys);
		return orgi_fail(a, err, "IAM ListUserTags", NULL);
	}
	size_t nkeys = keys.n;
	struct strv kept = STRV_INIT;
	for (size_t i = 0; i < keys.n; i++) {
		const char *id = keys.items[i].access_key_id;
		if (str_eq(id, r->akid))
			continue;
		if (orgi_key_user(r, id, 0, NULL)) /* live in CerteroX: moved to our key later */
			strv_push(&r->stale, id);
		char why[1200] = "";
		const char *keep = orgi_key_keep_reason(r, &tags, id, why, sizeof(why));
		if (keep) {
			strv_add(&kept, "%s (%s)", id, keep);
			orgi_mwarn(r,
			           "access key %s of user %s is not in the vault; it is kept: %s",
			           id, user, keep);
			continue;
		}
		if (have || !r->env->yes) {
			/* ours and unused; with a working key nothing needs the room */
			orgi_mwarn(
			    r,
			    "access key %s of user %s was made by certerox-aws-setup, the vault "
			    "lacks it and no data source uses it; %s",
			    id, user, have ? "left in place" : "run with --yes to delete it");
			strv_add(&kept,
			         "%s (made by certerox-aws-setup and unused: --yes deletes it)",
			         id);
			continue;
		}
		st = iam_delete_access_key(c, user, id, err);
		if (st != CX_OK && st != CX_E_NOT_FOUND) {
			iam_access_key_list_free(&keys);
			iam_tag_list_free(&tags);
			strv_free(&kept);
			return orgi_fail(a, err, "IAM DeleteAccessKey", NULL);
		}
		cx_err_clear(err);
		orgi_mwarn(
		    r,
		    "deleted access key %s of user %s: made by certerox-aws-setup, not in the "
		    "vault, used by no data source (--yes)",
		    id, user);
		*wrote = true;
		nkeys--;
	}
	iam_access_key_list_free(&keys);
	bool described = have && orgi_key_is_ours(&tags, r->akid);
	iam_tag_list_free(&tags);
	if (have) {
		strv_free(&kept);
		r->key_new = false;
		if (!described) { /* the vault's key: the wizard made it (as connect does) */
			describe_key(r, c, user, r->akid);
			*wrote = true;
		}
		return CX_OK;
	}
	if (nkeys >= 2) {
		char *k = strv_join(&kept, "; ");
		snprintf(a->reason, sizeof(a->reason),
		         "user %s has two access keys and the vault holds the secret of neither "
		         "(IAM allows 2); none is deleted: %s",
		         user, k);
		if (r->stale.n >= 2) /* both in use: no key can go while its data sources live */
			snprintf(
			    a->fix, sizeof(a->fix),
			    "disconnect the data sources of one key (action disconnect; rotate "
			    "needs room for a key as well), delete that key (aws iam "
			    "delete-access-key --user-name %s --access-key-id ID), then run "
			    "again: a new key is made, the other key's data sources are moved "
			    "to it and the disconnected accounts are connected anew",
			    user);
		else
			snprintf(
			    a->fix, sizeof(a->fix),
			    "free one key: delete the key no data source uses (aws iam "
			    "delete-access-key --user-name %s --access-key-id ID, or --yes when "
			    "the wizard made it), then run again: a new key is made and the data "
			    "sources of the other are moved to it (action rotate does the same "
			    "for one data source)",
			    user);
		a->outcome = ORG_OUT_FAILED;
		free(k);
		strv_free(&kept);
		return CX_E_CONFLICT;
	}
	strv_free(&kept);
	struct aws_op *op = iam_create_access_key_op(user);
	aws_op_set_transport_retry(op, false);
	st = aws_op_run(c, op, err);
	if (st != CX_OK) {
		aws_op_free(op);
		return orgi_fail(a, err, "IAM CreateAccessKey", NULL);
	}
	const struct iam_access_key *k = iam_create_access_key_result(op);
	r->akid = xstrdup(k->access_key_id);
	r->secret = secmem_strdup(k->secret_access_key);
	aws_op_free(op);
	r->key_new = *wrote = true;
	st = orgi_save_key(r, acct_id, user, r->akid, r->secret, err); /* the secret first */
	if (st != CX_OK)
		return orgi_fail(a, err, "vault", NULL);
	describe_key(r, c, user, r->akid);
	return CX_OK;
}

/* ---- moving data sources off a key whose secret is lost ---- */

static enum cx_status cx_retrying(struct run *r, const struct certerox_ds *d, bool patch,
                                  struct cx_err *err)
{
	struct certerox_config_in in;
	memset(&in, 0, sizeof(in));
	in.access_key_id = r->akid;
	in.secret_access_key = r->secret;
	in.linked = true;
	/* the management user may assume only role_name (its inline policy, org_assume_policy),
	 * so a data source that works with its key assumes that role in its own account */
	in.assume_role_account_id = d->account_id;
	in.assume_role_name = r->a->role_name;
	long until = orgi_now_ms() + (r->key_new ? r->env->key_wait_ms : 0);
	for (;;) {
		cx_err_clear(err);
		enum cx_status st = patch ? certerox_patch_ds(r->env->s->cx, d->id, &in, NULL, err)
		                          : certerox_verify_config(r->env->s->cx, &in, err);
		if (st == CX_OK || !str_eq(err->code, "OE0433") || orgi_now_ms() >= until)
			return st;
		struct timespec ts = {0, 500 * 1000000L}; /* a key made moments ago propagates */
		nanosleep(&ts, NULL);
	}
}

void orgi_move_stale(struct run *r)
{
	if (!r->akid || !r->stale.n)
		return;
	r->moves = cJSON_CreateArray();
	for (size_t s = 0; s < r->stale.n; s++) {
		const char *old = r->stale.v[s];
		size_t at = 0;
		for (const struct certerox_ds *d = orgi_key_user(r, old, 0, &at); d;
		     d = orgi_key_user(r, old, at + 1, &at)) {
			if (!str_eq(d->type, "aws_cnr") || !d->account_id) {
				orgi_mwarn(
				    r,
				    "data source %s uses access key %s but is not an AWS data "
				    "source with an account id: it is left as it is",
				    d->id, old);
				continue;
			}
			struct cx_err e;
			cx_err_clear(&e);
			enum cx_status st = CX_OK;
			if (!r->key_proven && (st = cx_retrying(r, d, false, &e)) == CX_OK)
				r->key_proven = true;
			if (st == CX_OK)
				st = cx_retrying(r, d, true, &e);
			cJSON *m = cJSON_CreateObject();
			cJSON_AddStringToObject(m, "data_source_id", d->id);
			cJSON_AddStringToObject(m, "account", d->account_id);
			cJSON_AddStringToObject(m, "from_access_key_id", old);
			cJSON_AddStringToObject(m, "to_access_key_id", r->akid);
			cJSON_AddStringToObject(m, "outcome", st == CX_OK ? "moved" : "failed");
			cJSON_AddItemToArray(r->moves, m);
			if (st != CX_OK) {
				char buf[1100];
				cJSON_AddStringToObject(m, "reason",
				                        cx_err_format(&e, buf, sizeof(buf)));
				r->moves_failed++;
				orgi_mwarn(
				    r,
				    "data source %s still uses access key %s (its secret is "
				    "not in the vault; the key is kept): moving it to %s failed: "
				    "%s",
				    d->id, old, r->akid, buf);
				continue;
			}
			orgi_save_ds_record(r, d->account_id, r->a->role_name, d->id, r->akid,
			                    r->secret);
			for (size_t i = 0; i < r->n; i++)
				if (str_eq(r->acc[i].ds_id, d->id)) {
					free(r->acc[i].ds_akid);
					r->acc[i].ds_akid = xstrdup(r->akid);
				}
			orgi_mwarn(
			    r,
			    "data source %s (account %s) used access key %s, whose secret the "
			    "vault lacks: moved to %s (PATCH); %s is kept (a later run with "
			    "--yes deletes it once nothing uses it)",
			    d->id, d->account_id ? d->account_id : "?", old, r->akid, old);
		}
	}
}
