/* resolve.c - the data source a run acts on and what the wizard made for it. See resolve.h. */
#include "run/resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/bcm.h"
#include "aws/iam.h"
#include "aws/iam_life.h"
#include "aws/s3.h"
#include "core/owner.h"
#include "core/plan_life.h"
#include "core/policy.h"
#include "run/journal.h"
#include "run/keyintent.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/str.h"

/* The tag the wizard puts on what it creates (issue 14 item 1). */

static const char *target_id(const struct answers *a)
{
	switch (a->action) {
	case ANSWERS_ROTATE:
		return a->rotate.data_source_id;
	case ANSWERS_DISCONNECT:
		return a->disconnect.data_source_id;
	case ANSWERS_MIGRATE:
		return a->migrate.data_source_id;
	default:
		return NULL;
	}
}

static const struct plan_data_source_fact *find_ds(const struct plan_facts *f, const char *id)
{
	for (size_t i = 0; id && i < f->ndata_sources; i++)
		if (str_eq(f->data_sources[i].id, id))
			return &f->data_sources[i];
	return NULL;
}

/* connect: the data source that already connects the account with this connection kind. */
static const struct plan_data_source_fact *account_ds(const struct answers *a,
                                                      const struct plan_facts *f)
{
	for (size_t i = 0; i < f->ndata_sources; i++)
		if (str_eq(f->data_sources[i].account_id, f->account_id) &&
		    f->data_sources[i].linked == (a->connection == ANSWERS_LINKED))
			return &f->data_sources[i];
	return NULL;
}

/* A read that may find nothing or be refused: true to go on (err cleared), false to stop. */
static bool soft(enum cx_status st, struct cx_err *err, struct strv *w, const char *what)
{
	if (st == CX_OK)
		return true;
	if (st == CX_E_NOT_FOUND) {
		cx_err_clear(err);
		return true;
	}
	if (st == CX_E_DENIED) {
		strv_add(w, "%s was refused (%s): what it would tell is treated as unknown", what,
		         err->msg);
		cx_err_clear(err);
		return true;
	}
	return false;
}

/* Pending vault records whose key CerteroX holds become that data source's record. */
static void settle_pending(const struct resolve_opts *o, const struct plan_facts *f, struct strv *w)
{
	struct vault *v = o->vault;
	bool changed = false;
	for (size_t i = 0; v && i < vault_count(v); i++) {
		const struct vault_record *r = vault_get(v, i);
		if (!vault_record_pending(r) || !str_eq(r->aws_account_id, f->account_id))
			continue;
		for (size_t d = 0; d < f->ndata_sources; d++) {
			const struct plan_data_source_fact *ds = &f->data_sources[d];
			if (!ds->access_key_id || !str_eq(ds->access_key_id, r->access_key_id))
				continue;
			struct cx_err e;
			cx_err_clear(&e);
			const struct vault_record *other = vault_find_data_source(v, ds->id);
			if (other && !str_eq(other->access_key_id, r->access_key_id))
				vault_retire_key(v, other->access_key_id, "replaced in CerteroX",
				                 &e);
			struct vault_record u = *r;
			u.history = NULL;
			u.nhistory = 0;
			u.secret_access_key = NULL;
			u.data_source_id = ds->id;
			u.name = ds->name ? ds->name : r->name;
			char *key = xstrdup(r->access_key_id);
			struct vault_event ev = {NULL, (char *)"submitted",
			                         (char *)"found in CerteroX by its access key"};
			u.history = &ev;
			u.nhistory = 1;
			if (vault_upsert_data_source(v, &u, &e) == CX_OK) {
				strv_add(
				    w,
				    "vault: the pending record of access key %s is data source %s "
				    "(CerteroX holds that key)",
				    key, ds->id);
				changed = true;
			}
			free(key);
			break; /* r may have moved */
		}
	}
	if (changed && !o->dry_run) {
		struct cx_err e;
		cx_err_clear(&e);
		if (vault_save(v, &e) != CX_OK)
			strv_add(w, "vault: %s", e.msg);
	}
}

/* The account's journal when it exists (never created here). */
static struct journal *journal_if_any(const char *account)
{
	char *dir = paths_state_dir();
	if (!dir)
		return NULL;
	char *p = xasprintf("%s/journal-%s.jsonl", dir, account);
	struct journal *j = NULL;
	struct cx_err e;
	cx_err_clear(&e);
	if (access(p, F_OK) == 0 && journal_open(dir, account, &j, &e) != CX_OK)
		j = NULL;
	free(p);
	free(dir);
	return j;
}

static bool journal_has(struct journal *j, const char *event, const char *key, const char *value)
{
	if (!j || !value)
		return false;
	cJSON *x = journal_find_last(j, event, key, value);
	bool r = x != NULL;
	cJSON_Delete(x);
	return r;
}

/* A customer-managed policy the wizard made carries its tag (core/owner.h): known even when
 * the journal is lost. */
static bool policy_tagged(struct aws_client *aws, const char *arn, int *reads)
{
	struct iam_names tags;
	struct cx_err e;
	cx_err_clear(&e);
	++*reads;
	bool made = false;
	if (iam_list_policy_tags(aws, arn, &tags, &e) == CX_OK)
		for (size_t i = 0; i < tags.n && !made; i++)
			made = str_eq(tags.names[i], OWNER_TAG_KEY);
	iam_names_free(&tags);
	return made;
}

/* A key whose CreateAccessKey a killed run sent but never saw answered (a rotate killed with
 * the request in flight) has no description on the user yet: the journal's intent says the
 * wizard made it (run/keyintent.h). */
static void intent_keys(struct plan_life *l, const struct iam_access_key_list *keys)
{
	struct plan_facts tmp;
	memset(&tmp, 0, sizeof(tmp));
	tmp.account_id = l->account_id;
	tmp.keys = xcalloc(keys->n + 1, sizeof(*tmp.keys));
	tmp.nkeys = keys->n;
	for (size_t i = 0; i < keys->n; i++) { /* borrowed strings: only the array is freed */
		tmp.keys[i].id = keys->items[i].access_key_id;
		tmp.keys[i].create_date = keys->items[i].create_date;
	}
	if (keyintent_mark(&tmp, l->user, NULL))
		for (size_t i = 0; i < tmp.nkeys; i++)
			if (tmp.keys[i].owned && tmp.keys[i].id &&
			    !strv_has(&l->made_keys, tmp.keys[i].id))
				strv_push(&l->made_keys, tmp.keys[i].id);
	free(tmp.keys);
}

/* Reads that do not depend on each other go out together: a wave of ops on the run's
 * http_ctx, waited for as one round trip. */
struct wave {
	int pending;
	bool done;
};

static void wave_op_done(struct aws_op *op, void *ud)
{
	(void)op;
	struct wave *w = ud;
	if (--w->pending == 0)
		w->done = true;
}

static struct aws_op *wave_start(struct aws_client *aws, struct wave *w, struct aws_op *op)
{
	if (!op)
		return NULL;
	w->pending++;
	w->done = false;
	aws_op_start(aws, op, wave_op_done, w);
	return op;
}

static void wave_wait(struct aws_client *aws, struct wave *w)
{
	if (w->pending > 0)
		http_ctx_run_until(aws_client_ctx(aws), &w->done);
}

static enum cx_status op_status(const struct aws_op *op, struct cx_err *err)
{
	enum cx_status st = aws_op_status(op);
	if (st != CX_OK && err)
		*err = *aws_op_error(op);
	return st;
}

/* The attached policies' metadata and versions (one wave: GetPolicy and ListPolicyVersions of
 * each), then their default documents (a second: GetPolicyVersion of each). */
static void read_policies(struct aws_client *aws, struct plan_life *l, struct journal *jn,
                          bool tags, int *depth)
{
	size_t n = l->npolicies;
	struct aws_op **gp = xcalloc(n + 1, sizeof(*gp));
	struct aws_op **lv = xcalloc(n + 1, sizeof(*lv));
	struct wave w = {0};
	for (size_t i = 0; i < n; i++) {
		struct plan_life_policy *p = &l->policies[i];
		p->local = strstr(p->arn, ":aws:policy/") == NULL;
		p->made = journal_has(jn, "created_policy", "arn", p->arn);
		p->attachment_count = 1;
		if (!p->local)
			continue;
		gp[i] = wave_start(aws, &w, iam_get_policy_op(p->arn));
		lv[i] = wave_start(aws, &w, iam_list_policy_versions_op(p->arn));
	}
	if (w.pending)
		++*depth;
	wave_wait(aws, &w);
	for (size_t i = 0; i < n; i++) {
		struct plan_life_policy *p = &l->policies[i];
		/* tags (disconnect): a policy the journal does not name is the wizard's when it
		 * carries the owner tag; one ListPolicyTags each, after the wave */
		if (tags && p->local && !p->made)
			p->made = policy_tagged(aws, p->arn, depth);
		if (gp[i] && aws_op_status(gp[i]) == CX_OK) {
			const struct iam_policy *pol = iam_get_policy_result(gp[i]);
			p->attachment_count = pol->attachment_count;
			p->default_version = xstrdup(pol->default_version_id);
		}
		if (lv[i] && aws_op_status(lv[i]) == CX_OK) {
			const struct iam_policy_version_list *vl =
			    iam_list_policy_versions_result(lv[i]);
			p->versions = (int)vl->n;
			const struct iam_policy_version *oldest = NULL;
			for (size_t k = 0; k < vl->n; k++) {
				const struct iam_policy_version *v = &vl->items[k];
				if (v->is_default) {
					if (!p->default_version)
						p->default_version = xstrdup(v->version_id);
					continue;
				}
				strv_push(&p->nondefault, v->version_id);
				if (!oldest ||
				    strcmp(v->create_date ? v->create_date : "",
				           oldest->create_date ? oldest->create_date : "") < 0)
					oldest = v;
			}
			if (oldest)
				p->oldest_nondefault = xstrdup(oldest->version_id);
		}
		aws_op_free(gp[i]);
		aws_op_free(lv[i]);
		gp[i] = NULL;
	}
	struct wave w2 = {0};
	for (size_t i = 0; i < n; i++)
		if (l->policies[i].local && l->policies[i].default_version)
			gp[i] = wave_start(aws, &w2,
			                   iam_get_policy_version_op(
			                       l->policies[i].arn, l->policies[i].default_version));
	if (w2.pending)
		++*depth;
	wave_wait(aws, &w2);
	for (size_t i = 0; i < n; i++) {
		if (!gp[i])
			continue;
		const struct iam_policy_version *v =
		    aws_op_status(gp[i]) == CX_OK ? iam_get_policy_version_result(gp[i]) : NULL;
		struct cx_err e;
		cx_err_clear(&e);
		if (v && v->document)
			l->policies[i].document = policy_parse(v->document, &e);
		aws_op_free(gp[i]);
	}
	free(gp);
	free(lv);
}

/* Discovery's answers about the user it read (f->user_read), as the lists the reads give:
 * its keys, its tag keys and its attached policies (the name is the ARN's last part). */
struct known_user {
	struct iam_access_key_list keys;
	struct iam_tag_list tags;
	struct iam_attached_list attached;
};

static void known_user_of(const struct plan_facts *f, struct known_user *k)
{
	k->keys.items = xcalloc(f->nkeys + 1, sizeof(*k->keys.items));
	for (size_t i = 0; i < f->nkeys; i++) { /* borrowed strings: only the arrays are freed */
		k->keys.items[i].access_key_id = f->keys[i].id;
		k->keys.items[i].status = f->keys[i].status;
		k->keys.items[i].create_date = f->keys[i].create_date;
	}
	k->keys.n = f->nkeys;
	k->tags.items = xcalloc(f->nuser_tag_keys + 1, sizeof(*k->tags.items));
	for (size_t i = 0; i < f->nuser_tag_keys; i++)
		k->tags.items[i].key = f->user_tag_keys[i];
	k->tags.n = f->nuser_tag_keys;
	k->attached.items = xcalloc(f->nattached + 1, sizeof(*k->attached.items));
	for (size_t i = 0; i < f->nattached; i++) {
		char *slash =
		    strrchr(f->attached[i], '/'); /* f->attached's strings are not const */
		k->attached.items[i].arn = f->attached[i];
		k->attached.items[i].name = slash ? slash + 1 : f->attached[i];
	}
	k->attached.n = f->nattached;
}

static void known_user_free(struct known_user *k)
{
	free(k->keys.items);
	free(k->tags.items);
	free(k->attached.items);
}

/* The user's keys and tags, and (not for a connect) its attached and inline policies: one
 * wave; then the policies (read_policies) and the inline documents, together. When discovery
 * read this user already (f->user_read), its keys, tags and attached policies are not read
 * again: the inline policies' listing goes out with the policies' first wave. */
static enum cx_status read_user(const struct resolve_opts *o, const struct answers *a,
                                const struct plan_facts *f, struct plan_life *l, struct journal *jn,
                                struct strv *w, int *depth, struct cx_err *err)
{
	struct aws_client *aws = o->aws;
	bool more = a->action != ANSWERS_CONNECT;
	bool known = f->user_read && str_eq(f->user_read, l->user);
	struct known_user ku;
	memset(&ku, 0, sizeof(ku));
	struct wave wv = {0};
	struct aws_op *ko = NULL, *to = NULL, *ao = NULL, *io = NULL;
	if (known) {
		known_user_of(f, &ku);
		log_debug("resolve: user %s as discovery read it (keys, tags, attached policies)",
		          l->user);
	} else {
		ko = wave_start(aws, &wv, iam_list_access_keys_op(l->user));
		to = wave_start(aws, &wv, iam_list_user_tags_op(l->user));
		ao =
		    more ? wave_start(aws, &wv, iam_list_attached_user_policies_op(l->user)) : NULL;
	}
	struct wave wu = {0}; /* the inline listing: with the wave above, or with the policies' */
	io = more ? wave_start(aws, known ? &wu : &wv, iam_list_user_policies_op(l->user)) : NULL;
	if (!known) {
		++*depth;
		wave_wait(aws, &wv);
	}
	enum cx_status st = known ? CX_OK : op_status(ko, err);
	if (st == CX_E_NOT_FOUND) {
		cx_err_clear(err);
		l->user_exists = false;
		st = CX_OK;
		goto out;
	}
	if (!soft(st, err, w, "iam ListAccessKeys"))
		goto out;
	l->user_exists = true;
	const struct iam_access_key_list *keys = known ? &ku.keys : iam_list_access_keys_result(ko);
	l->keys = xcalloc(keys->n + 1, sizeof(*l->keys));
	for (size_t i = 0; i < keys->n; i++) {
		l->keys[l->nkeys].id = xstrdup(keys->items[i].access_key_id);
		l->keys[l->nkeys].status =
		    xstrdup(keys->items[i].status ? keys->items[i].status : "Active");
		l->nkeys++;
	}
	intent_keys(l, keys);

	/* what the wizard made: user tags (key = access key id, or the owner tag) */
	st = known ? CX_OK : op_status(to, err);
	if (!soft(st, err, w, "iam ListUserTags"))
		goto out;
	st = CX_OK;
	const struct iam_tag_list *tags = known ? &ku.tags
	                                  : aws_op_status(to) == CX_OK
	                                      ? iam_list_user_tags_result(to)
	                                      : NULL;
	for (size_t i = 0; tags && i < tags->n; i++) {
		if (str_eq(tags->items[i].key, OWNER_TAG_KEY))
			l->user_made = true;
		for (size_t k = 0; k < l->nkeys; k++)
			if (str_eq(tags->items[i].key, l->keys[k].id) &&
			    !strv_has(&l->made_keys, l->keys[k].id))
				strv_push(&l->made_keys, l->keys[k].id);
	}
	/* ... and keys the vault holds or held, or the journal names as created */
	for (size_t i = 0; o->vault && i < vault_count(o->vault); i++) {
		const struct vault_record *r = vault_get(o->vault, i);
		if (str_eq(r->iam_user, l->user) && str_eq(r->aws_account_id, l->account_id) &&
		    r->access_key_id && *r->access_key_id &&
		    !strv_has(&l->made_keys, r->access_key_id))
			strv_push(&l->made_keys, r->access_key_id);
	}
	for (size_t k = 0; k < l->nkeys; k++)
		if (journal_has(jn, "created_access_key", "access_key_id", l->keys[k].id) &&
		    !strv_has(&l->made_keys, l->keys[k].id))
			strv_push(&l->made_keys, l->keys[k].id);
	if (!l->user_made && journal_has(jn, "created_access_key", "user", l->user) &&
	    journal_has(jn, "applied", "step", "user"))
		l->user_made = true;

	if (!more)
		goto out;
	st = known ? CX_OK : op_status(ao, err);
	if (!soft(st, err, w, "iam ListAttachedUserPolicies"))
		goto out;
	const struct iam_attached_list *at = known ? &ku.attached
	                                     : aws_op_status(ao) == CX_OK
	                                         ? iam_list_attached_user_policies_result(ao)
	                                         : NULL;
	size_t nat = at ? at->n : 0;
	l->policies = xcalloc(nat + 1, sizeof(*l->policies));
	for (size_t i = 0; i < nat; i++) {
		struct plan_life_policy *p = &l->policies[l->npolicies++];
		p->arn = xstrdup(at->items[i].arn);
		p->name = xstrdup(at->items[i].name);
	}
	int before = *depth;
	if (known) {
		/* the inline listing flies with the policies' waves; the documents follow it */
		read_policies(aws, l, jn, a->action == ANSWERS_DISCONNECT, depth);
		if (*depth == before)
			++*depth; /* no policy wave carried the listing */
		wave_wait(aws, &wu);
	}
	st = op_status(io, err);
	if (!soft(st, err, w, "iam ListUserPolicies"))
		goto out;
	st = CX_OK;
	/* the inline documents go out with the policies' first wave (after them when the user
	 * was known) */
	const struct iam_names *in =
	    aws_op_status(io) == CX_OK ? iam_list_user_policies_result(io) : NULL;
	size_t nin = in ? in->n : 0;
	struct aws_op **go = xcalloc(nin + 1, sizeof(*go));
	struct wave wi = {0};
	for (size_t i = 0; i < nin; i++) {
		strv_push(&l->inline_names, in->names[i]);
		go[i] = wave_start(aws, &wi, iam_get_user_policy_op(l->user, in->names[i]));
	}
	if (!known) {
		read_policies(aws, l, jn, a->action == ANSWERS_DISCONNECT, depth);
		if (nin && *depth == before)
			++*depth; /* no policy wave carried them */
	} else if (nin) {
		++*depth;
	}
	wave_wait(aws, &wi);
	for (size_t i = 0; i < nin; i++) {
		struct cx_err e;
		cx_err_clear(&e);
		const char *doc =
		    aws_op_status(go[i]) == CX_OK ? iam_get_user_policy_result(go[i]) : NULL;
		cJSON *d = doc ? policy_parse(doc, &e) : NULL;
		cJSON_AddItemToArray(l->inline_docs, d ? d : cJSON_CreateObject());
		aws_op_free(go[i]);
	}
	free(go);
out:
	wave_wait(aws, &wu); /* an early exit in the known case: the listing may still fly */
	aws_op_free(ko);
	aws_op_free(to);
	aws_op_free(ao);
	aws_op_free(io);
	known_user_free(&ku);
	return st;
}

/* disconnect: the export / report of the data source and whether the wizard made it; the
 * bucket policy. */
static void read_export(const struct resolve_opts *o, const struct plan_data_source_fact *ds,
                        struct plan_facts *f, struct plan_life *l, struct journal *jn, int *reads)
{
	struct cx_err e;
	cx_err_clear(&e);
	const struct vault_record *r = o->vault ? vault_find_data_source(o->vault, ds->id) : NULL;
	if (ds->cur_version == 2 && ds->report_name) {
		struct bcm_export_list xl;
		memset(&xl, 0, sizeof(xl));
		++*reads;
		if (bcm_list_exports(o->aws, &xl, &e) == CX_OK)
			for (size_t i = 0; i < xl.n; i++)
				if (str_eq(xl.items[i].name, ds->report_name))
					l->export_arn = xstrdup(xl.items[i].arn);
		bcm_export_list_free(&xl);
		l->export_made = l->export_arn &&
		                 ((r && str_eq(r->export.arn, l->export_arn)) ||
		                  journal_has(jn, "created_export", "export_arn", l->export_arn));
		if (l->export_arn && !l->export_made) {
			/* the journal lost: the export's ResourceTags say the wizard made it */
			cJSON *tags = NULL;
			++*reads;
			if (bcm_list_tags(o->aws, l->export_arn, &tags, &e) == CX_OK) {
				const cJSON *t;
				cJSON_ArrayForEach(t, tags)
				{
					if (str_eq(json_str(t, "Key"), OWNER_TAG_KEY))
						l->export_made = true;
				}
			}
			cJSON_Delete(tags);
		}
	} else if (ds->report_name) {
		/* a legacy report the vault's record says the run made (PutReportDefinition) */
		l->export_made = r && str_eq(r->export.name, ds->report_name) &&
		                 str_eq(r->export.type, "legacy") &&
		                 journal_has(jn, "applied", "step", "export");
	}
	for (size_t i = 0; i < f->ndata_sources; i++) {
		const struct plan_data_source_fact *x = &f->data_sources[i];
		if (str_eq(x->id, ds->id) || !x->bucket || !str_eq(x->bucket, ds->bucket))
			continue;
		l->bucket_shared = true;
		if (str_eq(x->report_name, ds->report_name))
			l->export_shared = true;
	}
	if (ds->bucket && !f->bucket_policy) {
		char *region = NULL;
		*reads += 2; /* HeadBucket, GetBucketPolicy */
		if (s3_head_bucket(o->aws, ds->bucket, &region, &e) == CX_OK) {
			f->bucket_exists = true;
			free(f->bucket_region);
			f->bucket_region = region;
			region = NULL;
			char *pol = NULL;
			cx_err_clear(&e);
			if (s3_get_bucket_policy(o->aws, ds->bucket, &pol, &e) == CX_OK)
				f->bucket_policy = pol;
		}
		free(region);
	}
}

enum cx_status resolve_life(const struct resolve_opts *o, struct answers *a, struct plan_facts *f,
                            struct strv *warnings, struct cx_err *err)
{
	if (!o->certerox || !f->data_sources_known)
		return CX_OK;
	settle_pending(o, f, warnings);
	const char *want = target_id(a);
	const struct plan_data_source_fact *ds = want                           ? find_ds(f, want)
	                                         : a->action == ANSWERS_CONNECT ? account_ds(a, f)
	                                                                        : NULL;
	if (!ds)
		return CX_OK;
	/* a connect whose data source's key is a live key of the answers' user in the vault has
	 * nothing to reconcile: no further read */
	for (size_t i = 0; a->action == ANSWERS_CONNECT && ds->access_key_id && i < f->nkeys; i++)
		if (str_eq(f->keys[i].id, ds->access_key_id) && f->keys[i].in_vault &&
		    str_eq(f->keys[i].status, "Active"))
			return CX_OK;
	struct plan_life *l = xcalloc(1, sizeof(*l));
	l->inline_docs = cJSON_CreateArray();
	f->life = l;
	l->data_source_id = xstrdup(ds->id);
	l->account_id = xstrdup(f->account_id);
	l->access_key_id = xstrdup(ds->access_key_id);
	int reads = 0; /* round trips of the reads below, one after another */
	struct cx_err e;
	cx_err_clear(&e);
	bool here = !ds->account_id || str_eq(ds->account_id, f->account_id);
	/* the key's owner in AWS goes out with CerteroX's read of the data source */
	struct wave w0 = {0};
	struct aws_op *luo =
	    l->access_key_id && here
	        ? wave_start(o->aws, &w0, iam_get_access_key_last_used_op(l->access_key_id))
	        : NULL;
	if (luo)
		reads = 1;
	if (a->action == ANSWERS_CONNECT) {
		/* a connect reconciled by key keeps the answers' settings (the listing has the
		 * rest) */
		l->use_edp_discount = a->data_source.use_edp_discount;
	} else {
		struct certerox_ds full;
		memset(&full, 0, sizeof(full));
		reads = 1;
		if (certerox_get_ds(o->certerox, ds->id, &full, &e) == CX_OK && full.has_config) {
			l->use_edp_discount = full.config.use_edp_discount;
			l->region_name = xstrdup(full.config.region_name);
		}
		certerox_ds_free(&full);
	}
	wave_wait(o->aws, &w0);

	/* the user: the key's owner in AWS, else the vault's record */
	enum cx_status st = CX_OK;
	if (!here)
		strv_add(
		    warnings,
		    "data source %s connects account %s, not %s (the AWS credentials' account): "
		    "nothing of it is read in AWS",
		    ds->id, ds->account_id, f->account_id);
	if (luo) {
		cx_err_clear(&e);
		st = op_status(luo, &e);
		const struct iam_key_last_used *lu =
		    st == CX_OK ? iam_get_access_key_last_used_result(luo) : NULL;
		if (lu && lu->user_name && *lu->user_name) {
			l->user = xstrdup(lu->user_name);
			l->user_source = xstrdup("iam GetAccessKeyLastUsed");
		} else {
			if (st != CX_OK && st != CX_E_NOT_FOUND && st != CX_E_DENIED &&
			    st != CX_E_CREDENTIALS && st != CX_E_INVALID) {
				aws_op_free(luo);
				*err = e;
				return st;
			}
			strv_add(warnings,
			         "iam GetAccessKeyLastUsed %s: %s; the data source's user is taken "
			         "from the vault",
			         l->access_key_id, st == CX_OK ? "no user named" : e.msg);
		}
		aws_op_free(luo);
	}
	const struct vault_record *vr = o->vault ? vault_find_data_source(o->vault, ds->id) : NULL;
	if (!l->user && vr && vr->iam_user && *vr->iam_user) {
		l->user = xstrdup(vr->iam_user);
		l->user_source = xstrdup("vault");
	}
	for (size_t i = 0; o->vault && l->access_key_id && i < vault_count(o->vault); i++) {
		const struct vault_record *r = vault_get(o->vault, i);
		if (!r->retired && str_eq(r->access_key_id, l->access_key_id) &&
		    r->secret_access_key && *r->secret_access_key)
			l->key_in_vault = true;
	}
	if (!o->vault && l->access_key_id && f->vault_unknown) {
		/* --dry-run without the passphrase (or the TUI before its vault page): what the
		 * vault holds is unknown; without any vault file, it holds nothing */
		l->key_in_vault = true;
		strv_add(warnings,
		         "the vault is not open: access key %s of data source %s is assumed to be "
		         "in it",
		         l->access_key_id, ds->id);
	}
	if (!l->user || !here) {
		f->discovery_depth += reads;
		return CX_OK;
	}
	struct journal *jn = journal_if_any(f->account_id);
	cx_err_clear(err);
	st = read_user(o, a, f, l, jn, warnings, &reads, err);
	if (st == CX_OK && a->action == ANSWERS_DISCONNECT)
		read_export(o, ds, f, l, jn, &reads);
	journal_close(jn);
	/* these reads' waves came one after another, after discovery's */
	f->discovery_depth += reads;
	if (st != CX_OK)
		return st;
	answers_set(&a->iam.user, l->user);
	if (a->action != ANSWERS_CONNECT) /* the vault record and the summary name its kind */
		a->connection = ds->linked ? ANSWERS_LINKED : ANSWERS_ROOT;
	log_debug("resolve: data source %s, key %s, user %s (%s), %zu keys, key in vault %d",
	          l->data_source_id, l->access_key_id ? l->access_key_id : "-", l->user,
	          l->user_source, l->nkeys, l->key_in_vault);
	return CX_OK;
}
