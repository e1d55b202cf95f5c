/* vault.c - file format, key derivation, locking, atomic save and the records. */
#include "vault/vault.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/secmem.h"
#include "util/str.h"

/* cx_err_set whose value is visibly the status, for the static analyser. */
#define VERR(e, st, ...) (cx_err_set((e), (st), __VA_ARGS__), (st))

#define SALT_LEN  16
#define NONCE_LEN 24
#define KEY_LEN   32
#define TAG_LEN   16
#define MAX_FILE  (64u * 1024 * 1024)
/* The strongest level the wizard creates (sensitive): a header asking for more is refused
 * before any derivation, so that a planted file cannot cost minutes and gigabytes. */
#define CAP_OPS       4ULL                        /* crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE */
#define CAP_MEM       (1ULL * 1024 * 1024 * 1024) /* crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE */
#define MAX_PLAINTEXT (64u * 1024 * 1024)

/* The key of the next save, derived ahead of time by a worker thread (Argon2id only: it
 * touches nothing but these fields and the passphrase), so that a save does not block the
 * event loop for the length of a key derivation. */
struct kdf_job {
	pthread_t thread;
	bool running;
	int rc;
	unsigned char salt[SALT_LEN];
	unsigned char *key; /* secmem */
	const char *passphrase;
	uint64_t opslimit, memlimit;
};

struct vault {
	char *path;
	char *lock_path;
	int lock_fd;
	char *passphrase; /* secmem */
	uint64_t opslimit;
	uint64_t memlimit;
	struct vault_record *recs;
	size_t n;
	size_t cap;
	struct kdf_job next; /* the key of the next save, when announced */
};

static uint64_t test_cap_ops, test_cap_mem;

void vault_set_kdf_cap_for_testing(uint64_t max_opslimit, uint64_t max_memlimit)
{
	test_cap_ops = max_opslimit;
	test_cap_mem = max_memlimit;
}

static uint64_t cap_ops(void)
{
	return test_cap_ops ? test_cap_ops : CAP_OPS;
}

static uint64_t cap_mem(void)
{
	uint64_t c = test_cap_mem ? test_cap_mem : CAP_MEM;
	return c > SIZE_MAX ? SIZE_MAX : c;
}

char *vault_default_path(void)
{
	char *d = paths_data_home();
	if (!d)
		return NULL;
	char *p = xasprintf("%s/credentials.vault", d);
	free(d);
	return p;
}

bool vault_kdf_level_valid(const char *level)
{
	return str_eq(level, "interactive") || str_eq(level, "moderate") ||
	       str_eq(level, "sensitive");
}

static void level_limits(const char *level, uint64_t *ops, uint64_t *mem)
{
	if (str_eq(level, "interactive")) {
		*ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
	} else if (str_eq(level, "sensitive")) {
		*ops = crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE;
	} else {
		*ops = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
	}
	if (*ops > cap_ops())
		*ops = cap_ops();
	if (*mem > cap_mem())
		*mem = cap_mem();
	if (*ops < crypto_pwhash_argon2id_OPSLIMIT_MIN)
		*ops = crypto_pwhash_argon2id_OPSLIMIT_MIN;
	if (*mem < crypto_pwhash_argon2id_MEMLIMIT_MIN)
		*mem = crypto_pwhash_argon2id_MEMLIMIT_MIN;
}

/* ---- little helpers ---- */

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void now_iso(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char *dup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

static bool empty(const char *s)
{
	return !s || !*s;
}

/* ---- records ---- */

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

static void record_free(struct vault_record *r)
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

static void history_append(struct vault_record *r, const char *at, const char *event,
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
			history_append(dst, src->history[i].at, src->history[i].event,
			               src->history[i].detail);
	char now[32];
	now_iso(now);
	if (empty(dst->created_at))
		set_field(&dst->created_at, now);
	set_field(&dst->updated_at, now);
	record_fill(dst);
}

static struct vault_record *record_new(struct vault *v)
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
		dst = record_new(v);
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
		dst = record_new(v);
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
	history_append(r, NULL, event, detail);
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
		history_append(r, NULL, "retired", detail);
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
	record_free(&v->recs[i]);
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

/* ---- JSON <-> records ---- */

/* Wipes every string value of a cJSON tree (cJSON copies strings into malloc memory). */
static void json_wipe(cJSON *j)
{
	for (; j; j = j->next) {
		if (j->valuestring)
			sodium_memzero(j->valuestring, strlen(j->valuestring));
		json_wipe(j->child);
	}
}

static char *jstr(const cJSON *o, const char *key)
{
	return dup_or_empty(json_str(o, key));
}

static void record_from_json(const cJSON *o, struct vault_record *r)
{
	r->name = jstr(o, "name");
	r->certerox_url = jstr(o, "certerox_url");
	r->organization_id = jstr(o, "organization_id");
	r->data_source_id = jstr(o, "data_source_id");
	r->aws_account_id = jstr(o, "aws_account_id");
	r->connection = jstr(o, "connection");
	const cJSON *x = json_obj(o, "export");
	r->export.type = jstr(x, "type");
	r->export.name = jstr(x, "name");
	r->export.bucket = jstr(x, "bucket");
	r->export.prefix = jstr(x, "prefix");
	r->export.region = jstr(x, "region");
	r->export.arn = jstr(x, "arn");
	r->iam_user = jstr(o, "iam_user");
	r->access_key_id = jstr(o, "access_key_id");
	const char *sec = json_str(o, "secret_access_key");
	r->secret_access_key = secmem_strdup(sec ? sec : "");
	log_redact_add(r->secret_access_key);
	r->created_at = jstr(o, "created_at");
	r->updated_at = jstr(o, "updated_at");
	r->retired = json_bool(o, "retired", false);
	const cJSON *h = json_arr(o, "history"), *e;
	cJSON_ArrayForEach(e, h)
	{
		if (cJSON_IsObject(e))
			history_append(r, json_str(e, "at"), json_str(e, "event"),
			               json_str(e, "detail"));
	}
}

static cJSON *record_to_json(const struct vault_record *r, bool with_secret)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "certerox_url", r->certerox_url);
	cJSON_AddStringToObject(o, "organization_id", r->organization_id);
	cJSON_AddStringToObject(o, "data_source_id", r->data_source_id);
	cJSON_AddStringToObject(o, "aws_account_id", r->aws_account_id);
	cJSON_AddStringToObject(o, "connection", r->connection);
	cJSON *x = cJSON_AddObjectToObject(o, "export");
	cJSON_AddStringToObject(x, "type", r->export.type);
	cJSON_AddStringToObject(x, "name", r->export.name);
	cJSON_AddStringToObject(x, "bucket", r->export.bucket);
	cJSON_AddStringToObject(x, "prefix", r->export.prefix);
	cJSON_AddStringToObject(x, "region", r->export.region);
	cJSON_AddStringToObject(x, "arn", r->export.arn);
	cJSON_AddStringToObject(o, "iam_user", r->iam_user);
	cJSON_AddStringToObject(o, "access_key_id", r->access_key_id);
	if (with_secret)
		cJSON_AddStringToObject(o, "secret_access_key", r->secret_access_key);
	cJSON_AddStringToObject(o, "created_at", r->created_at);
	cJSON_AddStringToObject(o, "updated_at", r->updated_at);
	if (r->retired)
		cJSON_AddBoolToObject(o, "retired", true);
	cJSON *h = cJSON_AddArrayToObject(o, "history");
	for (size_t i = 0; i < r->nhistory; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "at", r->history[i].at);
		cJSON_AddStringToObject(e, "event", r->history[i].event);
		cJSON_AddStringToObject(e, "detail", r->history[i].detail);
		cJSON_AddItemToArray(h, e);
	}
	return o;
}

/* The plaintext document, in secure memory (secmem_free); *len its length. NULL when it
 * would exceed MAX_PLAINTEXT. */
static char *document_print(const struct vault *v, size_t *len)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "version", 1);
	cJSON *ds = cJSON_AddArrayToObject(doc, "data_sources");
	cJSON *pend = cJSON_AddArrayToObject(doc, "pending");
	for (size_t i = 0; i < v->n; i++)
		cJSON_AddItemToArray(vault_record_pending(&v->recs[i]) ? pend : ds,
		                     record_to_json(&v->recs[i], true));
	char *out = NULL;
	for (size_t sz = 4096; sz <= MAX_PLAINTEXT; sz *= 2) {
		out = secmem_alloc(sz);
		if (cJSON_PrintPreallocated(doc, out, (int)sz, 0))
			break;
		secmem_free(out);
		out = NULL;
	}
	json_wipe(doc);
	cJSON_Delete(doc);
	*len = out ? strlen(out) : 0;
	return out;
}

static enum cx_status document_load(struct vault *v, const char *text, size_t len,
                                    struct cx_err *err)
{
	enum cx_status st = CX_OK;
	struct cx_err perr;
	cx_err_clear(&perr);
	cJSON *doc = json_parse(text, len, &perr);
	if (!doc) {
		st = VERR(err, CX_E_INPUT, "vault %s: the decrypted document is not JSON (%s)",
		          v->path, perr.msg);
		goto out;
	}
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "version");
	if (!cJSON_IsObject(doc) || !cJSON_IsNumber(ver)) {
		st = VERR(err, CX_E_INPUT, "vault %s: the document has no version", v->path);
		goto out;
	}
	if (ver->valuedouble != 1) {
		st = VERR(err, CX_E_INPUT,
		          "vault %s: document version %g is not supported (this program "
		          "reads version 1)",
		          v->path, ver->valuedouble);
		goto out;
	}
	const char *lists[] = {"data_sources", "pending"};
	for (size_t l = 0; l < 2; l++) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, lists[l]), *e;
		if (arr && !cJSON_IsArray(arr)) {
			st = VERR(err, CX_E_INPUT, "vault %s: %s is not an array", v->path,
			          lists[l]);
			goto out;
		}
		cJSON_ArrayForEach(e, arr)
		{
			if (!cJSON_IsObject(e)) {
				st = VERR(err, CX_E_INPUT,
				          "vault %s: an entry of %s is not an object", v->path,
				          lists[l]);
				goto out;
			}
			record_from_json(e, record_new(v));
		}
	}
out:
	if (doc) {
		json_wipe(doc);
		cJSON_Delete(doc);
	}
	return st;
}

/* ---- crypto ---- */

/* Derives the key (secure memory, secmem_free) from the vault's passphrase and salt; NULL (and
 * err set) when Argon2id fails. */
static unsigned char *derive(const struct vault *v, const unsigned char *salt, uint64_t ops,
                             uint64_t mem, struct cx_err *err)
{
	unsigned char *key = secmem_alloc(KEY_LEN);
	if (!v->passphrase || crypto_pwhash(key, KEY_LEN, v->passphrase, strlen(v->passphrase),
	                                    salt, (unsigned long long)ops, (size_t)mem,
	                                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		secmem_free(key);
		cx_err_set(err, CX_E_INTERNAL,
		           "vault %s: cannot derive the key with Argon2id (opslimit %" PRIu64
		           ", memlimit %" PRIu64 " bytes): out of memory?",
		           v->path, ops, mem);
		return NULL;
	}
	return key;
}

/* The derivations in worker threads are background work: at the lowest priority (Linux sets
 * it per thread), so that on a small machine the event loop's signing, TLS and parsing are
 * not kept waiting for a CPU (a derivation of 64 MiB also zeroes 16k pages). */
static void background_priority(void)
{
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), 19) != 0)
		log_debug("vault: cannot lower the priority of the key derivation: %s",
		          strerror(errno));
}

static void *kdf_thread(void *arg)
{
	struct kdf_job *j = arg;
	background_priority();
	j->rc = crypto_pwhash(j->key, KEY_LEN, j->passphrase, strlen(j->passphrase), j->salt,
	                      (unsigned long long)j->opslimit, (size_t)j->memlimit,
	                      crypto_pwhash_ALG_ARGON2ID13);
	return NULL;
}

/* Starts deriving the key of the next save (new salt) in the background. */
static void prefetch_start(struct vault *v)
{
	if (v->next.running || !v->passphrase)
		return;
	struct kdf_job *j = &v->next;
	randombytes_buf(j->salt, SALT_LEN);
	j->key = secmem_alloc(KEY_LEN);
	j->passphrase = v->passphrase;
	j->opslimit = v->opslimit;
	j->memlimit = v->memlimit;
	j->rc = -1;
	if (pthread_create(&j->thread, NULL, kdf_thread, j) == 0) {
		j->running = true;
	} else {
		secmem_free(j->key);
		j->key = NULL;
	}
}

/* Waits for the background derivation; on success hands over its salt and key. */
static bool prefetch_take(struct vault *v, unsigned char *salt, unsigned char **key)
{
	struct kdf_job *j = &v->next;
	if (!j->running)
		return false;
	pthread_join(j->thread, NULL);
	j->running = false;
	bool ok = j->rc == 0 && j->opslimit == v->opslimit && j->memlimit == v->memlimit;
	if (ok) {
		memcpy(salt, j->salt, SALT_LEN);
		*key = j->key;
	} else {
		secmem_free(j->key);
	}
	j->key = NULL;
	sodium_memzero(j->salt, SALT_LEN);
	return ok;
}

void vault_prepare_save(struct vault *v)
{
	if (v)
		prefetch_start(v);
}

static enum cx_status check_header(const char *path, const unsigned char *d, size_t len,
                                   struct cx_err *err)
{
	size_t ml = strlen(VAULT_MAGIC);
	bool magic_ok = d && len > 0 && memcmp(d, VAULT_MAGIC, len < ml ? len : ml) == 0;
	if (!magic_ok)
		return VERR(err, CX_E_INPUT,
		            "%s is not a certerox-aws-setup vault (it does not start with "
		            "%s)",
		            path, VAULT_MAGIC);
	if (len < VAULT_HEADER_LEN)
		return VERR(err, CX_E_INPUT,
		            "vault %s is truncated: %zu bytes, shorter than its %d-byte header",
		            path, len, VAULT_HEADER_LEN);
	if (d[8] != VAULT_KDF_ARGON2ID13)
		return VERR(err, CX_E_INPUT,
		            "vault %s uses the unknown KDF id %u (this program knows 2 = "
		            "Argon2id v1.3)",
		            path, d[8]);
	uint64_t ops = get_le64(d + 9), mem = get_le64(d + 17);
	if (ops < crypto_pwhash_argon2id_OPSLIMIT_MIN || ops > cap_ops())
		return VERR(err, CX_E_INPUT,
		            "vault %s: its Argon2id opslimit %" PRIu64
		            " is out of the accepted range %llu..%" PRIu64,
		            path, ops, (unsigned long long)crypto_pwhash_argon2id_OPSLIMIT_MIN,
		            cap_ops());
	if (mem < crypto_pwhash_argon2id_MEMLIMIT_MIN || mem > cap_mem())
		return VERR(err, CX_E_INPUT,
		            "vault %s: its Argon2id memlimit %" PRIu64
		            " bytes is out of the accepted range %zu..%" PRIu64,
		            path, mem, (size_t)crypto_pwhash_argon2id_MEMLIMIT_MIN, cap_mem());
	if (len < VAULT_HEADER_LEN + TAG_LEN)
		return VERR(err, CX_E_INPUT,
		            "vault %s is truncated: %zu bytes, at least %d are needed", path, len,
		            VAULT_HEADER_LEN + TAG_LEN);
	return CX_OK;
}

static enum cx_status decrypt_file(struct vault *v, const unsigned char *d, size_t len,
                                   struct cx_err *err)
{
	enum cx_status st = check_header(v->path, d, len, err);
	if (st)
		return st;
	v->opslimit = get_le64(d + 9);
	v->memlimit = get_le64(d + 17);
	unsigned char *key = NULL;
	size_t clen = len - VAULT_HEADER_LEN;
	char *plain = NULL;
	unsigned long long plen = 0;
	key = derive(v, d + 25, v->opslimit, v->memlimit, err);
	if (!key) {
		st = CX_E_INTERNAL;
		goto out;
	}
	if (clen - TAG_LEN > MAX_PLAINTEXT) {
		st = VERR(err, CX_E_INPUT, "vault %s is too large", v->path);
		goto out;
	}
	plain = secmem_alloc(clen - TAG_LEN + 1);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain, &plen, NULL,
	                                               d + VAULT_HEADER_LEN, clen, d,
	                                               VAULT_HEADER_LEN, d + 41, key) != 0) {
		st = VERR(err, CX_E_CRYPTO,
		          "cannot open vault %s: wrong passphrase or the file is damaged", v->path);
		goto out;
	}
	plain[plen] = '\0';
	st = document_load(v, plain, (size_t)plen, err);
out:
	secmem_free(key);
	secmem_free(plain);
	return st;
}

/* ---- files ---- */

static enum cx_status write_all(int fd, const unsigned char *p, size_t n, const char *what,
                                struct cx_err *err)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return VERR(err, CX_E_IO, "cannot write %s: %s", what,
			            w < 0 ? strerror(errno) : "short write");
		p += w;
		n -= (size_t)w;
	}
	return CX_OK;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

enum cx_status vault_save(struct vault *v, struct cx_err *err)
{
	enum cx_status st = CX_OK;
	double t0 = now_ms(), t_key;
	unsigned char *key = NULL, *file = NULL;
	char *plain = NULL, *dir = dir_of(v->path), *tmp = NULL;
	size_t plen = 0;
	int fd = -1;

	plain = document_print(v, &plen);
	if (!plain) {
		st = VERR(err, CX_E_INTERNAL, "vault %s: too many records to save", v->path);
		goto out;
	}
	size_t flen = VAULT_HEADER_LEN + plen + TAG_LEN;
	file = xmalloc(flen);
	memcpy(file, VAULT_MAGIC, 8);
	file[8] = VAULT_KDF_ARGON2ID13;
	put_le64(file + 9, v->opslimit);
	put_le64(file + 17, v->memlimit);
	randombytes_buf(file + 41, NONCE_LEN);
	bool prefetched = prefetch_take(v, file + 25, &key);
	if (!prefetched) {
		randombytes_buf(file + 25, SALT_LEN);
		key = derive(v, file + 25, v->opslimit, v->memlimit, err);
	}
	t_key = now_ms();
	if (!key) {
		st = CX_E_INTERNAL;
		goto out;
	}
	unsigned long long clen = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(file + VAULT_HEADER_LEN, &clen,
	                                           (const unsigned char *)plain, plen, file,
	                                           VAULT_HEADER_LEN, NULL, file + 41, key);
	const char *slash = strrchr(v->path, '/');
	tmp = xasprintf("%s/.%s.tmp.XXXXXX", dir, slash ? slash + 1 : v->path);
	fd = mkostemp(tmp, O_CLOEXEC); /* O_EXCL, mode 0600 */
	if (fd < 0) {
		st = VERR(err, CX_E_IO, "cannot create a temporary file in %s: %s", dir,
		          strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(fd, 0600) != 0) {
		st = VERR(err, CX_E_IO, "cannot set mode 0600 on %s: %s", tmp, strerror(errno));
		goto out;
	}
	st = write_all(fd, file, VAULT_HEADER_LEN + (size_t)clen, tmp, err);
	if (st)
		goto out;
	if (fsync(fd) != 0) {
		st = VERR(err, CX_E_IO, "cannot sync %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		st = VERR(err, CX_E_IO, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, v->path) != 0) {
		st = VERR(err, CX_E_IO, "cannot replace %s: %s", v->path, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd) != 0)
			log_warn("vault: cannot sync directory %s: %s", dir, strerror(errno));
		close(dfd);
	}
	log_debug("vault: saved %s (%zu records) in %.1f ms, %.1f ms of them for the key (%s)",
	          v->path, v->n, now_ms() - t0, t_key - t0,
	          prefetched ? "derived ahead" : "derived here");
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	secmem_free(key);
	secmem_free(plain);
	free(file);
	free(dir);
	return st;
}

/* Reads the whole vault file; NULL with *missing when it does not exist. */
static enum cx_status read_vault_file(const char *path, unsigned char **data, size_t *len,
                                      bool *missing, struct cx_err *err)
{
	*data = NULL;
	*len = 0;
	*missing = false;
	struct stat sb;
	memset(&sb, 0, sizeof(sb));
	int fd = paths_open_regular(path, &sb); /* O_NONBLOCK: a FIFO must not hang */
	if (fd < 0) {
		if (errno == ENOENT) {
			*missing = true;
			return CX_OK;
		}
		if (errno == EINVAL)
			return VERR(err, CX_E_INPUT,
			            "%s is not a certerox-aws-setup vault (%s, not a regular file)",
			            path, paths_file_kind(sb.st_mode));
		return VERR(err, CX_E_IO, "cannot open vault %s: %s", path, strerror(errno));
	}
	enum cx_status st = CX_OK;
	if ((uint64_t)sb.st_size > MAX_FILE) {
		st = VERR(err, CX_E_INPUT,
		          "%s is not a certerox-aws-setup vault (larger than %u bytes)", path,
		          MAX_FILE);
		goto out;
	}
	size_t cap = (size_t)sb.st_size + 1, n = 0;
	unsigned char *p = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap > MAX_FILE) {
				free(p);
				st = VERR(err, CX_E_INPUT,
				          "%s is not a certerox-aws-setup vault (too large)", path);
				goto out;
			}
			cap *= 2;
			p = xrealloc(p, cap);
		}
		ssize_t r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(p);
			st = VERR(err, CX_E_IO, "cannot read vault %s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*data = p;
	*len = n;
out:
	close(fd);
	return st;
}

static long lock_owner(int fd)
{
	char buf[32];
	ssize_t r = pread(fd, buf, sizeof(buf) - 1, 0);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	return strtol(buf, NULL, 10);
}

static enum cx_status take_lock(struct vault *v, int wait_seconds, struct cx_err *err)
{
	enum cx_status st = CX_OK;
	v->lock_fd = open(v->lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (v->lock_fd < 0)
		return VERR(err, CX_E_IO, "cannot open the lock file %s: %s", v->lock_path,
		            strerror(errno));
	struct stat sb;
	if (fstat(v->lock_fd, &sb) == 0 && sb.st_uid == geteuid() && (sb.st_mode & 0777) != 0600)
		(void)fchmod(v->lock_fd, 0600);
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flock(v->lock_fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			st =
			    VERR(err, CX_E_IO, "cannot lock %s: %s", v->lock_path, strerror(errno));
			goto fail;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		double waited = (double)(now.tv_sec - start.tv_sec) +
		                (double)(now.tv_nsec - start.tv_nsec) / 1e9;
		if (waited >= wait_seconds) {
			long pid = lock_owner(v->lock_fd);
			if (pid > 0)
				st = VERR(err, CX_E_LOCKED,
				          "vault %s is in use by another certerox-aws-setup "
				          "(pid %ld)",
				          v->path, pid);
			else
				st = VERR(err, CX_E_LOCKED,
				          "vault %s is in use by another certerox-aws-setup",
				          v->path);
			goto fail;
		}
		struct timespec nap = {0, 50 * 1000 * 1000};
		nanosleep(&nap, NULL);
	}
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(v->lock_fd, 0) == 0)
		(void)!pwrite(v->lock_fd, pid, (size_t)n, 0);
	return CX_OK;
fail:
	close(v->lock_fd); /* never held: leave the holder's pid in place */
	v->lock_fd = -1;
	return st;
}

/* Resolves symbolic links in v->path (the file itself or its directories), so that the lock
 * and the atomic save act on the real file: a link keeps pointing at the updated vault, and
 * two names of one file share one lock. A link to a missing file is refused. */
static enum cx_status resolve_path(struct vault *v, struct cx_err *err)
{
	char *real = realpath(v->path, NULL);
	if (real) {
		free(v->path);
		v->path = real;
		return CX_OK;
	}
	if (errno != ENOENT)
		return VERR(err, CX_E_IO, "cannot resolve the vault path %s: %s", v->path,
		            strerror(errno));
	struct stat sb;
	if (lstat(v->path, &sb) == 0)
		return VERR(err, CX_E_INPUT,
		            "vault %s is a symbolic link to a missing file: give the real path",
		            v->path);
	/* A new vault: resolve its directory when it exists. */
	char *dir = dir_of(v->path), *rdir = realpath(dir, NULL);
	if (rdir) {
		const char *slash = strrchr(v->path, '/');
		char *joined =
		    xasprintf("%s/%s", str_eq(rdir, "/") ? "" : rdir, slash ? slash + 1 : v->path);
		free(v->path);
		v->path = joined;
	}
	free(rdir);
	free(dir);
	return CX_OK;
}

/* Checks the vault file and its directory before anything is created beside them (the lock
 * file included): the vault, when it exists, is a regular file; the directory belongs to us,
 * is not writable by others, and gets mode 0700 (created so when missing and create). */
static enum cx_status check_place(struct vault *v, bool create, struct cx_err *err)
{
	enum cx_status st = CX_OK;
	char *dir = dir_of(v->path);
	struct stat sb;
	if (lstat(v->path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		st = VERR(err, CX_E_INPUT,
		          "%s is not a certerox-aws-setup vault (%s, not a regular file)", v->path,
		          paths_file_kind(sb.st_mode));
		goto out;
	}
	bool file_exists = lstat(v->path, &sb) == 0;
	if (stat(dir, &sb) != 0) {
		if (!create || file_exists) {
			st = VERR(err, CX_E_NOT_FOUND, "no vault at %s", v->path);
			goto out;
		}
		if (paths_mkdir_p(dir, 0700) != 0 || chmod(dir, 0700) != 0) {
			st = VERR(err, CX_E_IO, "cannot create the vault directory %s: %s", dir,
			          strerror(errno));
			goto out;
		}
		goto out;
	}
	if (!file_exists && !create) {
		st = VERR(err, CX_E_NOT_FOUND, "no vault at %s", v->path);
		goto out;
	}
	if (!S_ISDIR(sb.st_mode)) {
		st = VERR(err, CX_E_INPUT, "the vault directory %s is %s, not a directory", dir,
		          paths_file_kind(sb.st_mode));
		goto out;
	}
	if (sb.st_uid != geteuid()) {
		st = VERR(err, CX_E_INPUT,
		          "the vault directory %s belongs to uid %ld, not to you (uid %ld): "
		          "another user could replace the vault; use a directory of your own",
		          dir, (long)sb.st_uid, (long)geteuid());
		goto out;
	}
	if (sb.st_mode & S_IWOTH) {
		st = VERR(err, CX_E_INPUT,
		          "the vault directory %s is writable by other users (mode %04o): "
		          "another user could replace the vault; use a directory of your own",
		          dir, (unsigned)(sb.st_mode & 07777));
		goto out;
	}
	if ((sb.st_mode & 077) != 0) {
		if (chmod(dir, 0700) != 0) {
			st =
			    VERR(err, CX_E_IO, "cannot set mode 0700 on the vault directory %s: %s",
			         dir, strerror(errno));
			goto out;
		}
		log_info("vault: the directory %s had mode %04o; now 0700", dir,
		         (unsigned)(sb.st_mode & 07777));
	}
out:
	free(dir);
	return st;
}

/* Removes the temporary files of a save that was interrupted (".<name>.tmp.XXXXXX", ours,
 * regular). Runs with the lock held, so no save of another run is under way. */
static void remove_stale_temporaries(const struct vault *v)
{
	char *dir = dir_of(v->path);
	const char *slash = strrchr(v->path, '/');
	char *prefix = xasprintf(".%s.tmp.", slash ? slash + 1 : v->path);
	size_t pl = strlen(prefix);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		struct stat sb;
		if (strncmp(e->d_name, prefix, pl) != 0 || strlen(e->d_name) != pl + 6 ||
		    fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(sb.st_mode) || sb.st_uid != geteuid())
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			log_info("vault: removed %s/%s, left by an interrupted save", dir,
			         e->d_name);
		else
			log_warn("vault: cannot remove %s/%s: %s", dir, e->d_name, strerror(errno));
	}
	if (d)
		closedir(d);
	free(prefix);
	free(dir);
}

/* An opening in two phases: the first (checks, directory, lock, reading the file) runs where
 * it is called, so that the lock is held before the caller reads anything the vault guards;
 * the second (Argon2id, then decrypting or creating) may run in a worker thread. */
struct vault_opening {
	pthread_t thread;
	bool started;
	struct vault *v;
	char *create_level;
	unsigned char *data;
	size_t len;
	bool missing;
	bool done;         /* open_complete ran without a thread */
	atomic_bool ready; /* the worker has finished (vault_open_ready) */
	enum cx_status st;
	struct cx_err err;
};

static enum cx_status open_prepare(struct vault_opening *o, const char *path,
                                   const char *passphrase, int lock_wait_seconds,
                                   struct cx_err *err)
{
	enum cx_status st = CX_OK;
	const char *create_level = o->create_level;
	if (secmem_init() < 0)
		return VERR(err, CX_E_INTERNAL, "cannot initialise libsodium");
	struct vault *v = o->v = xcalloc(1, sizeof(*v));
	v->lock_fd = -1;
	v->path = path ? xstrdup(path) : vault_default_path();
	if (!v->path) {
		v->path = xstrdup("");
		return VERR(
		    err, CX_E_USAGE,
		    "HOME and XDG_DATA_HOME are both unset: give the vault with --vault FILE");
	}
	st = resolve_path(v, err);
	if (st)
		return st;
	v->lock_path = xasprintf("%s.lock", v->path);
	if (!passphrase || !*passphrase) {
		st = VERR(err, CX_E_INPUT, "vault %s: the passphrase is empty", v->path);
		goto out;
	}
	if (create_level && !vault_kdf_level_valid(create_level)) {
		st = VERR(err, CX_E_USAGE,
		          "vault KDF level must be interactive, moderate or sensitive, not '%s'",
		          create_level);
		goto out;
	}
	v->passphrase = secmem_strdup(passphrase);
	log_redact_add(v->passphrase);
	st = check_place(v, create_level != NULL, err);
	if (st)
		goto out;
	st = take_lock(v, lock_wait_seconds, err);
	if (st)
		goto out;
	remove_stale_temporaries(v);
	st = read_vault_file(v->path, &o->data, &o->len, &o->missing, err);
	if (st)
		goto out;
	if (o->missing && !create_level)
		st = VERR(err, CX_E_NOT_FOUND, "no vault at %s", v->path);
	else if (!o->missing) /* absurd limits are refused now, before any derivation */
		st = check_header(v->path, o->data, o->len, err);
out:
	return st;
}

/* The second phase: the key derivation and what needs it. */
static enum cx_status open_complete(struct vault_opening *o, struct cx_err *err)
{
	struct vault *v = o->v;
	enum cx_status st;
	if (o->missing) {
		level_limits(o->create_level, &v->opslimit, &v->memlimit);
		st = vault_save(v, err);
		if (st == CX_OK)
			log_info("vault: created %s (Argon2id opslimit %" PRIu64
			         ", memlimit %" PRIu64 ")",
			         v->path, v->opslimit, v->memlimit);
	} else {
		st = decrypt_file(v, o->data, o->len, err);
		if (st == CX_OK)
			log_info("vault: opened %s (%zu records)", v->path, v->n);
	}
	return st;
}

static void *open_thread(void *arg)
{
	struct vault_opening *o = arg;
	background_priority();
	o->st = open_complete(o, &o->err);
	atomic_store(&o->ready, true);
	return NULL;
}

static struct vault_opening *opening_new(const char *create_level)
{
	struct vault_opening *o = xcalloc(1, sizeof(*o));
	cx_err_clear(&o->err);
	o->create_level = create_level ? xstrdup(create_level) : NULL;
	return o;
}

/* Frees o; hands over its vault when the opening succeeded, else closes it. */
static enum cx_status opening_end(struct vault_opening *o, struct vault **out, struct cx_err *err)
{
	enum cx_status st = o->st;
	if (st == CX_OK)
		*out = o->v;
	else
		vault_close(o->v);
	if (st != CX_OK && err)
		*err = o->err;
	free(o->data);
	free(o->create_level);
	free(o);
	return st;
}

enum cx_status vault_open_wait(const char *path, const char *passphrase, const char *create_level,
                               int lock_wait_seconds, struct vault **out, struct cx_err *err)
{
	*out = NULL;
	struct vault_opening *o = opening_new(create_level);
	o->st = open_prepare(o, path, passphrase, lock_wait_seconds, &o->err);
	if (o->st == CX_OK)
		o->st = open_complete(o, &o->err);
	return opening_end(o, out, err);
}

enum cx_status vault_open(const char *path, const char *passphrase, const char *create_level,
                          struct vault **out, struct cx_err *err)
{
	return vault_open_wait(path, passphrase, create_level, VAULT_LOCK_WAIT_DEFAULT, out, err);
}

enum cx_status vault_open_begin(const char *path, const char *passphrase, const char *create_level,
                                int lock_wait_seconds, struct vault_opening **out,
                                struct cx_err *err)
{
	struct vault_opening *o = opening_new(create_level);
	*out = NULL;
	o->st = open_prepare(o, path, passphrase, lock_wait_seconds, &o->err);
	if (o->st != CX_OK) {
		struct vault *none = NULL;
		return opening_end(o, &none, err);
	}
	*out = o;
	return CX_OK;
}

void vault_open_derive(struct vault_opening *o)
{
	if (!o || o->started || o->done)
		return;
	if (pthread_create(&o->thread, NULL, open_thread, o) == 0) {
		o->started = true;
	} else {
		o->st = open_complete(o, &o->err); /* no thread: here */
		o->done = true;
	}
}

bool vault_open_ready(const struct vault_opening *o)
{
	return !o || o->done || (o->started && atomic_load(&o->ready));
}

enum cx_status vault_open_finish(struct vault_opening *o, struct vault **out, struct cx_err *err)
{
	*out = NULL;
	if (o->started)
		pthread_join(o->thread, NULL);
	else if (!o->done)
		o->st = open_complete(o, &o->err);
	return opening_end(o, out, err);
}

void vault_close(struct vault *v)
{
	if (!v)
		return;
	unsigned char salt[SALT_LEN], *key = NULL;
	if (prefetch_take(v, salt, &key))
		secmem_free(key);
	for (size_t i = 0; i < v->n; i++)
		record_free(&v->recs[i]);
	free(v->recs);
	secmem_free(v->passphrase);
	if (v->lock_fd >= 0) {
		/* Leave the file: removing it would race with a waiting opener. */
		if (ftruncate(v->lock_fd, 0) != 0)
			log_debug("vault: cannot clear %s", v->lock_path);
		flock(v->lock_fd, LOCK_UN);
		close(v->lock_fd);
	}
	free(v->lock_path);
	free(v->path);
	free(v);
}

/* ---- --list ---- */

static const char *or_dash(const char *s)
{
	return empty(s) ? "-" : s;
}

static void put_cell(FILE *f, const char *s, size_t width, bool last)
{
	if (last)
		fprintf(f, "%s\n", s);
	else
		fprintf(f, "%-*s  ", (int)width, s);
}

void vault_list_print(const struct vault *v, FILE *f, enum vault_format fmt)
{
	size_t n = vault_count(v);
	if (fmt == VAULT_FORMAT_JSON) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			const struct vault_record *r = vault_get(v, i);
			cJSON *o = record_to_json(r, false);
			cJSON_AddBoolToObject(o, "pending", vault_record_pending(r));
			cJSON_AddStringToObject(o, "state", vault_record_state(r));
			cJSON_AddItemToArray(arr, o);
		}
		char *s = json_pretty(arr);
		fputs(s, f);
		free(s);
		cJSON_Delete(arr);
		return;
	}
	const char *hdr[] = {"NAME",     "DATA SOURCE", "ACCOUNT", "CONNECTION", "EXPORT",
	                     "IAM USER", "ACCESS KEY",  "STATE",   "UPDATED"};
	enum { NCOL = 9 };
	size_t w[NCOL];
	for (int c = 0; c < NCOL; c++)
		w[c] = strlen(hdr[c]);
	char *cells[NCOL];
	/* two passes: widths, then lines */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			for (int c = 0; c < NCOL; c++)
				put_cell(f, hdr[c], w[c], c == NCOL - 1);
		}
		for (size_t i = 0; i < n; i++) {
			const struct vault_record *r = vault_get(v, i);
			cells[0] = xstrdup(or_dash(r->name));
			cells[1] = xstrdup(vault_record_pending(r) ? "(pending)"
			                                           : or_dash(r->data_source_id));
			cells[2] = xstrdup(or_dash(r->aws_account_id));
			cells[3] = xstrdup(or_dash(r->connection));
			if (empty(r->export.type) && empty(r->export.name))
				cells[4] = xstrdup("-");
			else
				cells[4] = xasprintf("%s %s", or_dash(r->export.type),
				                     or_dash(r->export.name));
			cells[5] = xstrdup(or_dash(r->iam_user));
			cells[6] = xstrdup(or_dash(r->access_key_id));
			cells[7] = xstrdup(vault_record_state(r));
			cells[8] = xstrdup(or_dash(r->updated_at));
			for (int c = 0; c < NCOL; c++) {
				char *p = str_printable(cells[c], 200);
				free(cells[c]);
				cells[c] = p;
				if (pass == 0 && strlen(p) > w[c])
					w[c] = strlen(p);
				if (pass == 1)
					put_cell(f, p, w[c], c == NCOL - 1);
				free(cells[c]);
			}
		}
	}
}
