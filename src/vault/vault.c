/* vault.c - the vault's key derivation (Argon2id limits, the next save's key derived ahead),
 * the encrypted header, and opening and closing a vault. */
#include "vault/vault_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ---- crypto ---- */

/* Derives the key (secure memory, secmem_free) from the vault's passphrase and salt; NULL (and
 * err set) when Argon2id fails. */
unsigned char *vi_derive(const struct vault *v, const unsigned char *salt, uint64_t ops,
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
bool vi_prefetch_take(struct vault *v, unsigned char *salt, unsigned char **key)
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
	key = vi_derive(v, d + 25, v->opslimit, v->memlimit, err);
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
	st = vi_document_load(v, plain, (size_t)plen, err);
out:
	secmem_free(key);
	secmem_free(plain);
	return st;
}

/* ---- opening ---- */

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
	st = vi_resolve_path(v, err);
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
	st = vi_check_place(v, create_level != NULL, err);
	if (st)
		goto out;
	st = vi_take_lock(v, lock_wait_seconds, err);
	if (st)
		goto out;
	vi_remove_stale_temporaries(v);
	st = vi_read_vault_file(v->path, &o->data, &o->len, &o->missing, err);
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
	if (o->st == CX_OK && o->prepare_save) {
		log_debug("vault: deriving the next save's key ahead, after the opening");
		prefetch_start(o->v); /* its own thread; joined by the save or vault_close */
	}
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

void vault_open_prepare_save(struct vault_opening *o)
{
	if (o)
		o->prepare_save = true;
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
	if (o->started) {
		pthread_join(o->thread, NULL);
	} else if (!o->done) {
		o->st = open_complete(o, &o->err);
		if (o->st == CX_OK && o->prepare_save) {
			log_debug("vault: deriving the next save's key ahead, after the opening");
			prefetch_start(o->v);
		}
	}
	return opening_end(o, out, err);
}

void vault_close(struct vault *v)
{
	if (!v)
		return;
	unsigned char salt[SALT_LEN], *key = NULL;
	if (vi_prefetch_take(v, salt, &key))
		secmem_free(key);
	for (size_t i = 0; i < v->n; i++)
		vi_record_free(&v->recs[i]);
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
