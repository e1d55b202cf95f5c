/* vault.h - the libsodium-encrypted credential store.
 *
 * File layout (documented in the man page, FILES):
 *   "CXVAULT1" | kdf id (1 byte, 2 = Argon2id v1.3) | opslimit (8 bytes LE) |
 *   memlimit (8 bytes LE) | salt (16) | nonce (24) |
 *   crypto_aead_xchacha20poly1305_ietf ciphertext of a UTF-8 JSON document,
 *   with the 65 header bytes above as additional data.
 * The key is crypto_pwhash(ALG_ARGON2ID13) over the passphrase and the salt with the header's
 * limits. A new salt and nonce are drawn on every save.
 *
 * JSON document:
 *   {"version":1,"data_sources":[record...],"pending":[record...]}
 * A record is a data source known to CerteroX ("data_sources", data_source_id set) or an access
 * key saved the moment CreateAccessKey returned, before the data source was submitted
 * ("pending", data_source_id ""). Both have the fields of struct vault_record.
 *
 * While a vault is open, an exclusive lock (flock on "<path>.lock", which holds the owner's
 * pid) keeps every other certerox-aws-setup out. Secrets (the secret access keys, the
 * passphrase, the derived key, the plaintext) live only in secure memory (util/secmem.h), are
 * registered with log_redact_add and are wiped after use. */
#ifndef CX_VAULT_VAULT_H
#define CX_VAULT_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

#define VAULT_MAGIC             "CXVAULT1"
#define VAULT_KDF_ARGON2ID13    2
#define VAULT_HEADER_LEN        65   /* 8 + 1 + 8 + 8 + 16 + 24 */
#define VAULT_LOCK_WAIT_DEFAULT 10   /* seconds vault_open waits for another holder */
#define VAULT_PASSPHRASE_MAX    4094 /* bytes: the longest first line of a passphrase file */

struct vault;

struct vault_export {
	char *type; /* "cur2" | "legacy" */
	char *name;
	char *bucket;
	char *prefix;
	char *region;
	char *arn;
};

struct vault_event {
	char *at;     /* ISO 8601 UTC; NULL on input = now */
	char *event;  /* "created", "submitted", "cur2-switch", ... */
	char *detail; /* free text, never a secret; may be NULL */
};

/* One saved data source (or pending key). In records owned by the vault every string is
 * non-NULL ("" when unknown) and secret_access_key is in secure memory. As input to an upsert
 * a NULL field means "keep the stored value" (or "" for a new record). */
struct vault_record {
	char *name;
	char *certerox_url;
	char *organization_id;
	char *data_source_id; /* "" while pending */
	char *aws_account_id;
	char *connection; /* "root" | "linked" */
	struct vault_export export;
	char *iam_user;
	char *access_key_id;
	char *secret_access_key; /* the secret: never printed */
	char *created_at;        /* ISO 8601 UTC, set by the vault when NULL */
	char *updated_at;        /* set by the vault on every upsert */
	struct vault_event *history;
	size_t nhistory;
	bool retired; /* the key was replaced (rotate) or its data source disconnected: kept for the
	                 record, never used again (JSON "retired": true; absent = false) */
};

enum vault_format { VAULT_FORMAT_TABLE = 0, VAULT_FORMAT_JSON };

/* The default vault path: $XDG_DATA_HOME/certerox-aws-setup/credentials.vault, else under
 * $HOME/.local/share; NULL when neither is set (no fallback to a shared directory such as
 * /tmp). Caller frees. */
char *vault_default_path(void);

/* True when level is NULL-safe one of "interactive", "moderate", "sensitive". */
bool vault_kdf_level_valid(const char *level);

/* Opens the vault at path (NULL = vault_default_path()) with the passphrase (NUL-terminated,
 * the caller keeps ownership; the vault keeps its own secure copy for saving).
 * When the file is missing: with create_level ("interactive" | "moderate" | "sensitive") a new
 * empty vault is written (directory created 0700, file 0600); with NULL, CX_E_NOT_FOUND.
 * Before anything is created beside it (the lock file included): a symbolic link is resolved
 * (the lock and the saves act on the real file; vault_path() is that file); the vault, when it
 * exists, must be a regular file (a FIFO or device: CX_E_INPUT, never waited on); its
 * directory must belong to the user and not be writable by others (CX_E_INPUT) and is set to
 * 0700. path NULL without HOME and XDG_DATA_HOME: CX_E_USAGE. Temporary files of an
 * interrupted save are removed once the lock is held; a header above the sensitive Argon2id
 * level is refused (CX_E_INPUT) before any derivation, by vault_open_begin already.
 * Waits up to lock_wait_seconds for another holder of the lock, then CX_E_LOCKED.
 * Errors: CX_E_CRYPTO wrong passphrase or damaged file (the file is never rewritten);
 * CX_E_INPUT not a vault (bad magic, truncated, unknown KDF id, absurd limits, bad JSON);
 * CX_E_IO. On success *out is the open vault (vault_close). */
enum cx_status vault_open_wait(const char *path, const char *passphrase, const char *create_level,
                               int lock_wait_seconds, struct vault **out, struct cx_err *err);
/* vault_open_wait with VAULT_LOCK_WAIT_DEFAULT. */
enum cx_status vault_open(const char *path, const char *passphrase, const char *create_level,
                          struct vault **out, struct cx_err *err);
/* vault_open in three calls, so that the key derivation (Argon2id: from 0.1 s to seconds)
 * runs in a worker thread while the caller reads the network.
 * vault_open_begin does everything before the derivation, the lock included (waiting up to
 * lock_wait_seconds as vault_open_wait does): once it returns CX_OK no other run holds the
 * vault, so what the caller reads next cannot change under another run's hands. Its errors
 * are vault_open's (nothing to finish then). The arguments are copied (the passphrase into
 * secure memory).
 * vault_open_derive starts the derivation in a worker thread (NULL and repeats ignored);
 * vault_open_ready tells, without waiting, whether it has ended (a front end polls it).
 * vault_open_finish derives here when vault_open_derive was not called, waits, frees the
 * opening, and returns what vault_open would have (*out, err). */
struct vault_opening;
enum cx_status vault_open_begin(const char *path, const char *passphrase, const char *create_level,
                                int lock_wait_seconds, struct vault_opening **out,
                                struct cx_err *err);
void vault_open_derive(struct vault_opening *o);
/* A run that will save: once the vault is open, the worker goes on to derive the next save's
 * key (vault_prepare_save), so that the first save after discovery finds it ready. Call
 * before vault_open_derive. NULL allowed. */
void vault_open_prepare_save(struct vault_opening *o);
bool vault_open_ready(const struct vault_opening *o);
enum cx_status vault_open_finish(struct vault_opening *o, struct vault **out, struct cx_err *err);
/* Writes the vault atomically (temporary file 0600 in the same directory, fsync, rename, fsync
 * of the directory) with a new salt and nonce. */
enum cx_status vault_save(struct vault *v, struct cx_err *err);
/* Derives the key of the next save (Argon2id over a new salt) now, in a worker thread, so that
 * vault_save itself takes no derivation time; nothing when one is being derived or ready.
 * vault_close waits for a derivation still running. NULL allowed. */
void vault_prepare_save(struct vault *v);
/* Releases the lock and wipes every secret. Does not save. NULL allowed. */
void vault_close(struct vault *v);

/* The path of the open vault (owned by the vault). */
const char *vault_path(const struct vault *v);
/* Argon2id limits of the vault (from its header, or those it was created with). */
void vault_kdf_limits(const struct vault *v, uint64_t *opslimit, uint64_t *memlimit);

/* Records: index 0..vault_count()-1; the pointer is owned by the vault and valid until the
 * next upsert/remove/close. */
size_t vault_count(const struct vault *v);
const struct vault_record *vault_get(const struct vault *v, size_t i);
/* True when the record has no data source id yet. */
bool vault_record_pending(const struct vault_record *r);

/* The record of (aws_account_id, iam_user): a pending one first, else the most recently
 * updated data source; NULL when none. */
const struct vault_record *vault_find_user(const struct vault *v, const char *aws_account_id,
                                           const char *iam_user);
/* The record with this (non-empty) data source id, NULL when none. */
const struct vault_record *vault_find_data_source(const struct vault *v,
                                                  const char *data_source_id);

/* Saves the key of (r->aws_account_id, r->iam_user), both required, as a pending record: the
 * pending record of that pair is updated, else a new one is added (an existing data source of
 * the pair keeps its own key until the pending one is submitted). When r->data_source_id is
 * non-empty this is vault_upsert_data_source. Non-NULL fields of r replace the stored ones;
 * r's history entries are appended; updated_at becomes now. Everything is copied (the secret
 * into secure memory, registered with log_redact_add). In memory only: call vault_save. */
enum cx_status vault_upsert_user(struct vault *v, const struct vault_record *r, struct cx_err *err);
/* Inserts or updates the record keyed by r->data_source_id (required): the record with that
 * id, else the pending record of (r->aws_account_id, r->iam_user) which thereby becomes a
 * data source, else a new record. Same copy rules as vault_upsert_user. */
enum cx_status vault_upsert_data_source(struct vault *v, const struct vault_record *r,
                                        struct cx_err *err);
/* Appends an event (at = now) to `which`: a record of the vault itself (vault_get/find), else
 * the record with which->data_source_id, else the pending record of (aws_account_id,
 * iam_user); CX_E_NOT_FOUND when there is none. */
enum cx_status vault_history_add(struct vault *v, const struct vault_record *which,
                                 const char *event, const char *detail, struct cx_err *err);
/* Removes the pending record of (aws_account_id, iam_user), else every record of that pair;
 * CX_E_NOT_FOUND when none. */
enum cx_status vault_remove_user(struct vault *v, const char *aws_account_id, const char *iam_user,
                                 struct cx_err *err);
/* Marks the record holding access_key_id (of any state but retired) retired, with a history
 * event "retired" (detail may be NULL); lookups skip retired records. CX_E_NOT_FOUND when
 * none. In memory only. */
enum cx_status vault_retire_key(struct vault *v, const char *access_key_id, const char *detail,
                                struct cx_err *err);
/* The state --list shows: "retired", "pending" (no data source id yet) or "live". */
const char *vault_record_state(const struct vault_record *r);
/* Removes the record with that data source id; CX_E_NOT_FOUND when none. */
enum cx_status vault_remove_data_source(struct vault *v, const char *data_source_id,
                                        struct cx_err *err);

/* Prints the records for --list: a table (one line per record, a header line first) or a
 * JSON array (2-space pretty; each object has the record's fields but secret_access_key, plus
 * "pending": true|false). Never prints a secret access key; the access key id is shown.
 * v NULL prints an empty list ("[]" in JSON, the header alone as a table). */
void vault_list_print(const struct vault *v, FILE *f, enum vault_format fmt);

/* Reads the passphrase from the first line of path (trailing "\n" / "\r\n" stripped) into
 * secure memory (*out_secmem, secmem_free) and registers it for redaction. An empty first line
 * is refused (CX_E_INPUT). On CX_OK, err->msg holds a warning ("" when none) when the file is
 * readable by group or others. */
enum cx_status vault_read_passphrase_file(const char *path, char **out_secmem, struct cx_err *err);
/* Asks on /dev/tty with echo off (twice when confirm is true; the two must match).
 * *out_secmem as above. CX_E_USAGE when there is no terminal; CX_E_INPUT when empty or the
 * two differ; CX_E_CANCELLED on end of input. */
enum cx_status vault_prompt_passphrase(const char *prompt, bool confirm, char **out_secmem,
                                       struct cx_err *err);

/* Test hook: lowers the largest limits accepted from a file and used for new vaults (0 = the
 * built-in caps of the sensitive level, 4 passes / 1 GiB). Lets fuzzers and byte-flip tests derive
 * keys cheaply. */
void vault_set_kdf_cap_for_testing(uint64_t max_opslimit, uint64_t max_memlimit);

#endif
