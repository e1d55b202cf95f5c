/* vault_int.h - what the vault's own files share: the file layout's sizes, struct vault and
 * the internal calls between vault.c (key derivation, opening), vault_file.c (the file on
 * disk: place, lock, atomic save), vault_records.c (the record set) and vault_json.c (the
 * document inside the encryption). Nothing outside src/vault includes it. */
#ifndef CX_VAULT_INT_H
#define CX_VAULT_INT_H

#include "vault/vault.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

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
	bool prepare_save; /* then derive the next save's key (vault_open_prepare_save) */
	enum cx_status st;
	struct cx_err err;
};

/* ---- little helpers ---- */

static inline void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline void now_iso(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static inline char *dup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

static inline bool empty(const char *s)
{
	return !s || !*s;
}

void vi_record_free(struct vault_record *r);
void vi_history_append(struct vault_record *r, const char *at, const char *event,
                       const char *detail);
struct vault_record *vi_record_new(struct vault *v);
cJSON *vi_record_to_json(const struct vault_record *r, bool with_secret);
char *vi_document_print(const struct vault *v, size_t *len);
enum cx_status vi_document_load(struct vault *v, const char *text, size_t len, struct cx_err *err);
unsigned char *vi_derive(const struct vault *v, const unsigned char *salt, uint64_t ops,
                         uint64_t mem, struct cx_err *err);
bool vi_prefetch_take(struct vault *v, unsigned char *salt, unsigned char **key);
enum cx_status vi_read_vault_file(const char *path, unsigned char **data, size_t *len,
                                  bool *missing, struct cx_err *err);
enum cx_status vi_take_lock(struct vault *v, int wait_seconds, struct cx_err *err);
enum cx_status vi_resolve_path(struct vault *v, struct cx_err *err);
enum cx_status vi_check_place(struct vault *v, bool create, struct cx_err *err);
void vi_remove_stale_temporaries(const struct vault *v);

#endif
