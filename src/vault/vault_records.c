/* vault_records.c - the record set held in memory: data sources, users, their keys and
 * histories; lookups, upserts, retirement and removal. */
#include "vault/vault_int.h"

#include <stdlib.h>
#include <string.h>

static void export_free(struct vault_export *x)
{
	free(x->type);
	free(x->name);
	free(x->bucket);
	free(x->prefix);
	free(x->region);
	free(x->arn);
	memset(x, 0, sizeof(*x));
}

void vi_record_free(struct vault_record *r)
{
	free(r->name);
	free(r->certerox_url);
	free(r->organization_id);
	free(r->data_source_id);
	free(r->aws_account_id);
	free(r->connection);
	export_free(&r->export);
	free(r->iam_user);
	free(r->access_key_id);
	secmem_free(r->secret_access_key);
	free(r->created_at);
	free(r->updated_at);
	for (size_t i = 0; i < r->nhistory; i++) {
		free(r->history[i].at);
		free(r->history[i].event);
		free(r->history[i].detail);
	}
	free(r->history);
	memset(r, 0, sizeof(*r));
}

/* Gives every string of a stored record a value. */
static void record_fill(struct vault_record *r)
{
	char **plain[] = {
	    &r->name,           &r->certerox_url,  &r->organization_id, &r->data_source_id,
	    &r->aws_account_id, &r->connection,    &r->export.type,     &r->export.name,
	    &r->export.bucket,  &r->export.prefix, &r->export.region,   &r->export.arn,
	    &r->iam_user,       &r->access_key_id, &r->created_at,      &r->updated_at};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!*plain[i])
			*plain[i] = xstrdup("");
	if (!r->secret_access_key)
		r->secret_access_key = secmem_strdup("");
}

static void set_field(char **dst, const char *src)
{
	if (!src || src == *dst) /* the caller may pass strings of a stored record */
		return;
	free(*dst);
	*dst = xstrdup(src);
}

void vi_history_append(struct vault_record *r, const char *at, const char *event,
                       const char *detail)
{
	char now[32];
	now_iso(now);
	r->history = xrealloc(r->history, (r->nhistory + 1) * sizeof(r->history[0]));
	struct vault_event *e = &r->history[r->nhistory++];
	e->at = xstrdup(empty(at) ? now : at);
	e->event = dup_or_empty(event);
	e->detail = dup_or_empty(detail);
}

/* Copies the non-NULL fields of src into dst (a stored record). */
static void record_merge(struct vault_record *dst, const struct vault_record *src)
{
	set_field(&dst->name, src->name);
	set_field(&dst->certerox_url, src->certerox_url);
	set_field(&dst->organization_id, src->organization_id);
	set_field(&dst->data_source_id, src->data_source_id);
	set_field(&dst->aws_account_id, src->aws_account_id);
	set_field(&dst->connection, src->connection);
	set_field(&dst->export.type, src->export.type);
	set_field(&dst->export.name, src->export.name);
	set_field(&dst->export.bucket, src->export.bucket);
	set_field(&dst->export.prefix, src->export.prefix);
	set_field(&dst->export.region, src->export.region);
	set_field(&dst->export.arn, src->export.arn);
	set_field(&dst->iam_user, src->iam_user);
	set_field(&dst->access_key_id, src->access_key_id);
	if (src->secret_access_key && src->secret_access_key != dst->secret_access_key) {
		secmem_free(dst->secret_access_key);
		dst->secret_access_key = secmem_strdup(src->secret_access_key);
		log_redact_add(dst->secret_access_key);
	}
	set_field(&dst->created_at, src->created_at);
	if (src->history != dst->history) /* else src is a copy of dst: nothing new */
		for (size_t i = 0; i < src->nhistory; i++)
			vi_history_append(dst, src->history[i].at, src->history[i].event,
			                  src->history[i].detail);
	char now[32];
	now_iso(now);
	if (empty(dst->created_at))
		set_field(&dst->created_at, now);
	set_field(&dst->updated_at, now);
	record_fill(dst);
}

struct vault_record *vi_record_new(struct vault *v)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->recs = xrealloc(v->recs, v->cap * sizeof(v->recs[0]));
	}
	struct vault_record *r = &v->recs[v->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

bool vault_record_pending(const struct vault_record *r)
{
	return r && !r->retired && empty(r->data_source_id);
}

const char *vault_record_state(const struct vault_record *r)
{
	return r->retired ? "retired" : empty(r->data_source_id) ? "pending" : "live";
}

size_t vault_count(const struct vault *v)
{
	return v ? v->n : 0;
}

const struct vault_record *vault_get(const struct vault *v, size_t i)
{
	return v && i < v->n ? &v->recs[i] : NULL;
}

const char *vault_path(const struct vault *v)
{
	return v->path;
}

void vault_kdf_limits(const struct vault *v, uint64_t *opslimit, uint64_t *memlimit)
{
	if (opslimit)
		*opslimit = v->opslimit;
	if (memlimit)
		*memlimit = v->memlimit;
}

static struct vault_record *find_pending(const struct vault *v, const char *acct, const char *user)
{
	for (size_t i = 0; i < v->n; i++)
		if (vault_record_pending(&v->recs[i]) && str_eq(v->recs[i].aws_account_id, acct) &&
		    str_eq(v->recs[i].iam_user, user))
			return &v->recs[i];
	return NULL;
}

static struct vault_record *find_ds(const struct vault *v, const char *id)
{
	if (empty(id))
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (!v->recs[i].retired && str_eq(v->recs[i].data_source_id, id))
			return &v->recs[i];
	return NULL;
}

const struct vault_record *vault_find_user(const struct vault *v, const char *aws_account_id,
                                           const char *iam_user)
{
	const struct vault_record *best = find_pending(v, aws_account_id, iam_user);
	if (best)
		return best;
	for (size_t i = 0; i < v->n; i++) {
		const struct vault_record *r = &v->recs[i];
		if (!r->retired && str_eq(r->aws_account_id, aws_account_id) &&
		    str_eq(r->iam_user, iam_user) &&
		    (!best || strcmp(r->updated_at, best->updated_at) >= 0))
			best = r;
	}
	return best;
}

const struct vault_record *vault_find_data_source(const struct vault *v, const char *data_source_id)
{
	return find_ds(v, data_source_id);
}

enum cx_status vault_upsert_data_source(struct vault *v, const struct vault_record *r,
                                        struct cx_err *err)
{
	if (empty(r->data_source_id))
		return VERR(err, CX_E_INTERNAL, "vault: a data source needs its id");
	struct vault_record *dst = find_ds(v, r->data_source_id);
	if (!dst && !empty(r->aws_account_id) && !empty(r->iam_user))
		dst = find_pending(v, r->aws_account_id, r->iam_user);
	if (!dst) {
		if (empty(r->aws_account_id))
			return VERR(err, CX_E_INTERNAL,
			            "vault: data source %s needs its AWS account id",
			            r->data_source_id);
		dst = vi_record_new(v);
	}
	record_merge(dst, r);
	return CX_OK;
}

enum cx_status vault_upsert_user(struct vault *v, const struct vault_record *r, struct cx_err *err)
{
	if (!empty(r->data_source_id))
		return vault_upsert_data_source(v, r, err);
	if (empty(r->aws_account_id) || empty(r->iam_user))
		return VERR(err, CX_E_INTERNAL,
		            "vault: a key needs its AWS account id and IAM user name");
	struct vault_record *dst = find_pending(v, r->aws_account_id, r->iam_user);
	if (!dst)
		dst = vi_record_new(v);
	record_merge(dst, r);
	return CX_OK;
}

enum cx_status vault_history_add(struct vault *v, const struct vault_record *which,
                                 const char *event, const char *detail, struct cx_err *err)
{
	struct vault_record *r = NULL;
	if (which >= v->recs && which < v->recs + v->n)
		r = &v->recs[which - v->recs];
	else if (!empty(which->data_source_id))
		r = find_ds(v, which->data_source_id);
	else
		r = find_pending(v, which->aws_account_id, which->iam_user);
	if (!r)
		return VERR(err, CX_E_NOT_FOUND, "vault: no record to add the event %s to",
		            event ? event : "");
	vi_history_append(r, NULL, event, detail);
	char now[32];
	now_iso(now);
	set_field(&r->updated_at, now);
	return CX_OK;
}

enum cx_status vault_retire_key(struct vault *v, const char *access_key_id, const char *detail,
                                struct cx_err *err)
{
	for (size_t i = 0; !empty(access_key_id) && i < v->n; i++) {
		struct vault_record *r = &v->recs[i];
		if (r->retired || !str_eq(r->access_key_id, access_key_id))
			continue;
		r->retired = true;
		vi_history_append(r, NULL, "retired", detail);
		char now[32];
		now_iso(now);
		set_field(&r->updated_at, now);
		return CX_OK;
	}
	return VERR(err, CX_E_NOT_FOUND, "vault: no record holds access key %s",
	            access_key_id ? access_key_id : "");
}

static void remove_at(struct vault *v, size_t i)
{
	vi_record_free(&v->recs[i]);
	memmove(&v->recs[i], &v->recs[i + 1], (v->n - i - 1) * sizeof(v->recs[0]));
	v->n--;
}

enum cx_status vault_remove_user(struct vault *v, const char *aws_account_id, const char *iam_user,
                                 struct cx_err *err)
{
	struct vault_record *p = find_pending(v, aws_account_id, iam_user);
	if (p) {
		remove_at(v, (size_t)(p - v->recs));
		return CX_OK;
	}
	size_t removed = 0;
	for (size_t i = v->n; i-- > 0;)
		if (str_eq(v->recs[i].aws_account_id, aws_account_id) &&
		    str_eq(v->recs[i].iam_user, iam_user)) {
			remove_at(v, i);
			removed++;
		}
	if (!removed)
		return VERR(err, CX_E_NOT_FOUND, "vault %s holds no key of %s in account %s",
		            v->path, iam_user ? iam_user : "",
		            aws_account_id ? aws_account_id : "");
	return CX_OK;
}

enum cx_status vault_remove_data_source(struct vault *v, const char *data_source_id,
                                        struct cx_err *err)
{
	struct vault_record *r = find_ds(v, data_source_id);
	if (!r)
		return VERR(err, CX_E_NOT_FOUND, "vault %s holds no data source %s", v->path,
		            data_source_id ? data_source_id : "");
	remove_at(v, (size_t)(r - v->recs));
	return CX_OK;
}
