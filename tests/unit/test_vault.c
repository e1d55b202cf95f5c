/* Unit tests of src/vault: round trip, wrong passphrase, tampering (every byte flipped),
 * truncation, bad magic, unknown KDF id, absurd limits, fresh salt and nonce, modes whatever
 * the umask, atomic save, the lock, redaction, passphrase files and --list output.
 * New vaults use the interactive KDF level (or the test cap) for speed. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/secmem.h"
#include "util/str.h"
#include "vault/vault.h"

#define PASS   "correct-Horse-battery-staple-91"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"

static char tmpdir[64];

static void setup(void)
{
	ck_assert_int_eq(secmem_init(), 0);
	/* CK_FORK=no runs every test in one process: each starts from the same limits. Under
	 * valgrind (.ci/valgrind-units sets CX_TEST_KDF_CAP), one Argon2id pass at the
	 * interactive level (64 MiB) takes seconds, and libsodium's code is not what is checked
	 * there: the cheapest limits serve, but in round_trip, which checks that level itself. */
	if (getenv("CX_TEST_KDF_CAP"))
		vault_set_kdf_cap_for_testing(1, 8192);
	else
		vault_set_kdf_cap_for_testing(0, 0);
	strcpy(tmpdir, "/tmp/cx_vault_test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);
	(void)rc;
	free(cmd);
}

static char *tpath(const char *rel)
{
	return xasprintf("%s/%s", tmpdir, rel);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *d = (unsigned char *)paths_read_file(path, 1 << 24, len);
	ck_assert_msg(d != NULL, "cannot read %s", path);
	return d;
}

static void spit(const char *path, const void *d, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, d, len), (ssize_t)len);
	close(fd);
}

static struct vault_record sample(void)
{
	struct vault_record r = {0};
	r.name = (char *)"Production billing";
	r.certerox_url = (char *)"https://certerox.example";
	r.organization_id = (char *)"org-1";
	r.aws_account_id = (char *)"123456789012";
	r.connection = (char *)"root";
	r.export.type = (char *)"cur2";
	r.export.name = (char *)"certerox-cur2";
	r.export.bucket = (char *)"billing-bucket";
	r.export.prefix = (char *)"cur2";
	r.export.region = (char *)"us-east-1";
	r.export.arn =
	    (char *)"arn:aws:bcm-data-exports:us-east-1:123456789012:export/certerox-cur2";
	r.iam_user = (char *)"certerox-billing";
	r.access_key_id = (char *)"AKIAIOSFODNN7EXAMPLE";
	r.secret_access_key = (char *)SECRET;
	return r;
}

/* Creates a vault at path holding the sample record (pending). */
static void make_vault(const char *path, const char *level)
{
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_msg(vault_open(path, PASS, level, &v, &err) == CX_OK, "%s", err.msg);
	struct vault_record r = sample();
	ck_assert_int_eq(vault_upsert_user(v, &r, &err), CX_OK);
	ck_assert_msg(vault_save(v, &err) == CX_OK, "%s", err.msg);
	vault_close(v);
}

static enum cx_status try_open(const char *path, const char *pass, struct cx_err *err)
{
	struct vault *v = (struct vault *)1;
	cx_err_clear(err);
	enum cx_status st = vault_open_wait(path, pass, NULL, 0, &v, err);
	if (st == CX_OK)
		vault_close(v);
	else
		ck_assert_ptr_null(v);
	return st;
}

START_TEST(round_trip)
{
	vault_set_kdf_cap_for_testing(0, 0); /* the interactive level, checked below */
	char *path = tpath("sub/dir/v.vault");
	make_vault(path, "interactive");
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_msg(vault_open(path, PASS, NULL, &v, &err) == CX_OK, "%s", err.msg);
	ck_assert_str_eq(vault_path(v), path);
	uint64_t ops, mem;
	vault_kdf_limits(v, &ops, &mem);
	ck_assert_uint_eq(ops, crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
	ck_assert_uint_eq(mem, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
	ck_assert_uint_eq(vault_count(v), 1);
	const struct vault_record *r = vault_get(v, 0);
	ck_assert(vault_record_pending(r));
	ck_assert_str_eq(r->name, "Production billing");
	ck_assert_str_eq(r->export.arn,
	                 "arn:aws:bcm-data-exports:us-east-1:123456789012:export/certerox-cur2");
	ck_assert_str_eq(r->secret_access_key, SECRET);
	ck_assert_str_eq(r->data_source_id, "");
	ck_assert_uint_eq(strlen(r->created_at), 20);
	ck_assert(str_ends_with(r->updated_at, "Z"));
	ck_assert_ptr_eq(vault_find_user(v, "123456789012", "certerox-billing"), r);
	ck_assert_ptr_null(vault_find_user(v, "123456789012", "someone-else"));

	/* submit: the pending record becomes data source ds-1, history appended */
	struct vault_event ev = {NULL, (char *)"submitted", (char *)"POST /data_sources"};
	struct vault_record s = {0};
	s.aws_account_id = (char *)"123456789012";
	s.iam_user = (char *)"certerox-billing";
	s.data_source_id = (char *)"ds-1";
	s.history = &ev;
	s.nhistory = 1;
	ck_assert_int_eq(vault_upsert_data_source(v, &s, &err), CX_OK);
	ck_assert_uint_eq(vault_count(v), 1);
	r = vault_find_data_source(v, "ds-1");
	ck_assert_ptr_nonnull(r);
	ck_assert(!vault_record_pending(r));
	ck_assert_str_eq(r->secret_access_key, SECRET);
	ck_assert_str_eq(r->name, "Production billing");
	ck_assert_uint_eq(r->nhistory, 1);
	ck_assert_str_eq(r->history[0].event, "submitted");
	/* a new key for the same user is a new pending record; the data source keeps its own */
	struct vault_record k = sample();
	k.access_key_id = (char *)"AKIANEWKEY0000000000";
	k.secret_access_key = (char *)"newSecretKeyValue0123456789abcdefABCDEFGH";
	ck_assert_int_eq(vault_upsert_user(v, &k, &err), CX_OK);
	ck_assert_uint_eq(vault_count(v), 2);
	ck_assert_str_eq(vault_find_user(v, "123456789012", "certerox-billing")->access_key_id,
	                 "AKIANEWKEY0000000000");
	ck_assert_str_eq(vault_find_data_source(v, "ds-1")->access_key_id, "AKIAIOSFODNN7EXAMPLE");
	/* a copy of a stored record, changed and upserted: the aliasing strings are safe */
	struct vault_record copy = *vault_find_data_source(v, "ds-1");
	copy.name = (char *)"Renamed";
	ck_assert_int_eq(vault_upsert_data_source(v, &copy, &err), CX_OK);
	ck_assert_str_eq(vault_find_data_source(v, "ds-1")->name, "Renamed");
	ck_assert_str_eq(vault_find_data_source(v, "ds-1")->secret_access_key, SECRET);
	ck_assert_uint_eq(vault_find_data_source(v, "ds-1")->nhistory, 1);
	ck_assert_int_eq(vault_history_add(v, vault_find_data_source(v, "ds-1"), "cur2-switch",
	                                   "CUR to CUR 2.0", &err),
	                 CX_OK);
	ck_assert_msg(vault_save(v, &err) == CX_OK, "%s", err.msg);
	vault_close(v);

	v = NULL;
	ck_assert_msg(vault_open(path, PASS, NULL, &v, &err) == CX_OK, "%s", err.msg);
	ck_assert_uint_eq(vault_count(v), 2);
	ck_assert_str_eq(vault_record_state(vault_find_data_source(v, "ds-1")), "live");
	ck_assert_str_eq(vault_record_state(vault_find_user(v, "123456789012", "certerox-billing")),
	                 "pending");
	r = vault_find_data_source(v, "ds-1");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->nhistory, 2);
	ck_assert_str_eq(r->history[1].event, "cur2-switch");
	ck_assert_str_eq(r->history[1].detail, "CUR to CUR 2.0");
	ck_assert_int_eq(vault_remove_user(v, "123456789012", "certerox-billing", &err), CX_OK);
	ck_assert_uint_eq(vault_count(v), 1); /* the pending one went first */
	ck_assert_int_eq(vault_remove_data_source(v, "ds-2", &err), CX_E_NOT_FOUND);
	ck_assert_int_eq(vault_remove_data_source(v, "ds-1", &err), CX_OK);
	ck_assert_uint_eq(vault_count(v), 0);
	struct vault_record bad = {0};
	ck_assert_int_ne(vault_upsert_user(v, &bad, &err), CX_OK);
	vault_close(v);
	free(path);
}
END_TEST

/* rotate: the data source's old key is retired, the pending new key becomes the data source;
 * lookups skip retired records; "retired" survives a save; --list shows the states. */
START_TEST(retire_key_states)
{
	char *path = tpath("retire.vault");
	make_vault(path, "interactive");
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_int_eq(vault_open(path, PASS, NULL, &v, &err), CX_OK);
	struct vault_record d = sample();
	d.data_source_id = (char *)"ds-1";
	ck_assert_int_eq(vault_upsert_data_source(v, &d, &err), CX_OK);
	struct vault_record k = sample();
	k.access_key_id = (char *)"AKIANEWKEY0000000000";
	k.secret_access_key = (char *)"newSecretKeyValue0123456789abcdefABCDEFGH";
	ck_assert_int_eq(vault_upsert_user(v, &k, &err), CX_OK);
	ck_assert_int_eq(vault_retire_key(v, "AKIAIOSFODNN7EXAMPLE", "replaced", &err), CX_OK);
	ck_assert_ptr_null(vault_find_data_source(v, "ds-1"));
	ck_assert_int_eq(vault_retire_key(v, "AKIAIOSFODNN7EXAMPLE", NULL, &err), CX_E_NOT_FOUND);
	k.data_source_id = (char *)"ds-1";
	ck_assert_int_eq(vault_upsert_data_source(v, &k, &err), CX_OK);
	ck_assert_uint_eq(vault_count(v), 2);
	ck_assert_str_eq(vault_find_data_source(v, "ds-1")->access_key_id, "AKIANEWKEY0000000000");
	ck_assert_str_eq(vault_find_user(v, "123456789012", "certerox-billing")->access_key_id,
	                 "AKIANEWKEY0000000000");
	ck_assert_msg(vault_save(v, &err) == CX_OK, "%s", err.msg);
	vault_close(v);
	v = NULL;
	ck_assert_int_eq(vault_open(path, PASS, NULL, &v, &err), CX_OK);
	size_t retired = 0, live = 0;
	for (size_t i = 0; i < vault_count(v); i++) {
		const struct vault_record *r = vault_get(v, i);
		retired += r->retired;
		live += strcmp(vault_record_state(r), "live") == 0;
		ck_assert(!vault_record_pending(r));
	}
	ck_assert_uint_eq(retired, 1);
	ck_assert_uint_eq(live, 1);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	vault_list_print(v, f, VAULT_FORMAT_TABLE);
	vault_list_print(v, f, VAULT_FORMAT_JSON);
	fclose(f);
	ck_assert(strstr(buf, "STATE") != NULL);
	ck_assert(strstr(buf, "retired") != NULL);
	ck_assert(strstr(buf, "\"state\": \"live\"") != NULL);
	ck_assert(strstr(buf, SECRET) == NULL);
	free(buf);
	vault_close(v);
	free(path);
}
END_TEST

START_TEST(missing_vault)
{
	char *path = tpath("none/v.vault");
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_int_eq(vault_open(path, PASS, NULL, &v, &err), CX_E_NOT_FOUND);
	ck_assert_ptr_null(v);
	ck_assert(strstr(err.msg, "no vault at") != NULL);
	struct stat sb;
	ck_assert_int_ne(stat(tmpdir, &sb), -1);
	char *dir = tpath("none");
	ck_assert_int_eq(stat(dir, &sb), -1); /* nothing created */
	ck_assert_int_eq(vault_open(path, PASS, "fast", &v, &err), CX_E_USAGE);
	ck_assert_int_eq(vault_open(path, "", "interactive", &v, &err), CX_E_INPUT);
	free(dir);
	free(path);
}
END_TEST

START_TEST(wrong_passphrase)
{
	char *path = tpath("v.vault");
	make_vault(path, "interactive");
	size_t n1, n2;
	unsigned char *before = slurp(path, &n1);
	struct cx_err err;
	ck_assert_int_eq(try_open(path, "not the passphrase", &err), CX_E_CRYPTO);
	char *want =
	    xasprintf("cannot open vault %s: wrong passphrase or the file is damaged", path);
	ck_assert_str_eq(err.msg, want);
	unsigned char *after = slurp(path, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert(memcmp(before, after, n1) == 0);
	free(want);
	free(before);
	free(after);
	free(path);
}
END_TEST

START_TEST(every_byte_flip_detected)
{
	vault_set_kdf_cap_for_testing(1, 8192); /* cheap Argon2id: one open per flipped byte */
	char *path = tpath("v.vault");
	char *flip = tpath("flip.vault");
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_int_eq(vault_open(path, PASS, "interactive", &v, &err), CX_OK);
	vault_close(v);
	size_t n;
	unsigned char *orig = slurp(path, &n);
	ck_assert_uint_gt(n, VAULT_HEADER_LEN + 16);
	ck_assert_int_eq(try_open(path, PASS, &err), CX_OK);
	size_t detected = 0;
	static const unsigned char masks[] = {0x01, 0x80, 0xff};
	for (size_t i = 0; i < n; i++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			orig[i] ^= masks[m];
			spit(flip, orig, n);
			enum cx_status st = try_open(flip, PASS, &err);
			ck_assert_msg(st != CX_OK, "flip of byte %zu (mask %02x) not detected", i,
			              masks[m]);
			ck_assert_msg(st == CX_E_CRYPTO || st == CX_E_INPUT, "byte %zu: %s", i,
			              cx_status_name(st));
			ck_assert(err.msg[0]);
			size_t n2;
			unsigned char *after = slurp(flip, &n2);
			ck_assert_msg(n2 == n && memcmp(after, orig, n) == 0,
			              "file changed after a failed open (byte %zu)", i);
			free(after);
			orig[i] ^= masks[m];
			detected++;
		}
	}
	ck_assert_uint_eq(detected, n * sizeof(masks));
	vault_set_kdf_cap_for_testing(0, 0);
	free(orig);
	free(flip);
	free(path);
}
END_TEST

START_TEST(truncated_files)
{
	vault_set_kdf_cap_for_testing(1, 8192);
	char *path = tpath("v.vault");
	char *cut = tpath("cut.vault");
	make_vault(path, "interactive");
	size_t n;
	unsigned char *orig = slurp(path, &n);
	struct cx_err err;
	for (size_t len = 0; len < n; len++) {
		spit(cut, orig, len);
		enum cx_status st = try_open(cut, PASS, &err);
		ck_assert_msg(st != CX_OK, "truncation to %zu bytes not detected", len);
		if (len >= 8 && len < VAULT_HEADER_LEN + 16)
			ck_assert_msg(strstr(err.msg, "truncated") != NULL, "%zu: %s", len,
			              err.msg);
		if (len >= VAULT_HEADER_LEN + 16)
			ck_assert_int_eq(st, CX_E_CRYPTO);
	}
	free(orig);
	free(cut);
	free(path);
}
END_TEST

START_TEST(bad_magic_and_kdf)
{
	vault_set_kdf_cap_for_testing(1, 8192);
	char *path = tpath("v.vault");
	make_vault(path, "interactive");
	size_t n;
	unsigned char *d = slurp(path, &n);
	struct cx_err err;
	d[7] = '2'; /* CXVAULT2 */
	spit(path, d, n);
	ck_assert_int_eq(try_open(path, PASS, &err), CX_E_INPUT);
	ck_assert_msg(strstr(err.msg, "is not a certerox-aws-setup vault") != NULL, "%s", err.msg);
	d[7] = '1';
	d[8] = 1; /* Argon2i */
	spit(path, d, n);
	ck_assert_int_eq(try_open(path, PASS, &err), CX_E_INPUT);
	ck_assert_msg(strstr(err.msg, "unknown KDF id 1") != NULL, "%s", err.msg);
	spit(path, "{\"version\":1}", 13);
	ck_assert_int_eq(try_open(path, PASS, &err), CX_E_INPUT);
	ck_assert_msg(strstr(err.msg, "is not a certerox-aws-setup vault") != NULL, "%s", err.msg);
	spit(path, "", 0);
	ck_assert_int_eq(try_open(path, PASS, &err), CX_E_INPUT);
	char *dir = tpath("adir");
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(try_open(dir, PASS, &err), CX_E_INPUT);
	free(dir);
	free(d);
	free(path);
}
END_TEST

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

START_TEST(absurd_limits_refused)
{
	vault_set_kdf_cap_for_testing(0, 0); /* the accepted range without a test cap */
	char *path = tpath("v.vault");
	make_vault(path, "interactive");
	size_t n;
	unsigned char *d = slurp(path, &n);
	struct cx_err err;
	static const struct {
		uint64_t ops, mem;
		const char *what;
	} cases[] = {
	    {2, 1ULL << 62, "memlimit"},           /* 4 EiB */
	    {2, (1ULL << 30) + 1, "memlimit"},     /* just above the 1 GiB cap */
	    {2, 1024, "memlimit"},                 /* below Argon2id's minimum */
	    {1ULL << 40, 64ULL << 20, "opslimit"}, /* days of work */
	    {0, 64ULL << 20, "opslimit"},
	    {17, 64ULL << 20, "opslimit"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put_le64(d + 9, cases[i].ops);
		put_le64(d + 17, cases[i].mem);
		spit(path, d, n);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ck_assert_int_eq(try_open(path, PASS, &err), CX_E_INPUT);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/* refused by the header check, not by a failed derivation */
		ck_assert_msg(strstr(err.msg, cases[i].what) && strstr(err.msg, "accepted range"),
		              "case %zu: %s", i, err.msg);
		ck_assert_msg(t1.tv_sec - t0.tv_sec < 2, "case %zu took too long", i);
	}
	/* the test cap lowers what is accepted */
	vault_set_kdf_cap_for_testing(1, 8192);
	put_le64(d + 9, 2);
	put_le64(d + 17, 64ULL << 20);
	spit(path, d, n);
	ck_assert_int_eq(try_open(path, PASS, &err), CX_E_INPUT);
	ck_assert(strstr(err.msg, "opslimit 2") != NULL);
	free(d);
	free(path);
}
END_TEST

START_TEST(new_salt_and_nonce_every_save)
{
	char *path = tpath("v.vault");
	make_vault(path, "interactive");
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_int_eq(vault_open(path, PASS, NULL, &v, &err), CX_OK);
	size_t n1, n2;
	unsigned char *a = slurp(path, &n1);
	ck_assert_int_eq(vault_save(v, &err), CX_OK);
	unsigned char *b = slurp(path, &n2);
	vault_close(v);
	ck_assert_uint_eq(n1, n2);
	ck_assert(memcmp(a, b, 25) == 0);           /* magic, KDF id, limits */
	ck_assert(memcmp(a + 25, b + 25, 16) != 0); /* salt */
	ck_assert(memcmp(a + 41, b + 41, 24) != 0); /* nonce */
	size_t same = 0;
	for (size_t i = 25; i < n1; i++)
		same += a[i] == b[i];
	/* independent random bytes agree at 1/256 of the positions */
	ck_assert_msg(same < (n1 - 25) / 16, "%zu of %zu bytes equal", same, n1 - 25);
	free(a);
	free(b);
	free(path);
}
END_TEST

/* With vault_prepare_save the key of each save is derived ahead by a worker thread: every save
 * still has its own salt and nonce, and every file opens with the passphrase. */
START_TEST(prepared_saves_keep_fresh_salts)
{
	char *path = tpath("p.vault");
	make_vault(path, "interactive");
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_int_eq(vault_open(path, PASS, NULL, &v, &err), CX_OK);
	vault_prepare_save(v);
	unsigned char *prev = slurp(path, NULL);
	for (int i = 0; i < 3; i++) {
		struct vault_record r = sample();
		char user[16];
		snprintf(user, sizeof(user), "user-%d", i);
		r.iam_user = user;
		ck_assert_msg(vault_upsert_user(v, &r, &err) == CX_OK, "%s", err.msg);
		ck_assert_msg(vault_save(v, &err) == CX_OK, "%s", err.msg);
		unsigned char *cur = slurp(path, NULL);
		ck_assert(memcmp(prev + 25, cur + 25, 16) != 0); /* salt */
		ck_assert(memcmp(prev + 41, cur + 41, 24) != 0); /* nonce */
		free(prev);
		prev = cur;
		struct vault *w = NULL;
		vault_close(v);
		ck_assert_msg(vault_open(path, PASS, NULL, &w, &err) == CX_OK, "%s", err.msg);
		ck_assert_uint_eq(vault_count(w), (size_t)i + 2); /* + the sample of make_vault */
		v = w;
		vault_prepare_save(v);
	}
	free(prev);
	vault_close(v); /* joins a derivation still running */
	free(path);
}
END_TEST

static mode_t mode_of(const char *p)
{
	struct stat sb;
	ck_assert_int_eq(stat(p, &sb), 0);
	return sb.st_mode & 07777;
}

START_TEST(modes_whatever_the_umask)
{
	static const mode_t masks[] = {0, 022, 077, 0277, 0777};
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "u%zu/data", i);
		char *parent = tpath(rel);
		ck_assert_int_eq(paths_mkdir_p(parent, 0755), 0); /* only the last level is ours */
		snprintf(rel, sizeof(rel), "u%zu/data/certerox-aws-setup", i);
		char *dir = tpath(rel);
		char *path = xasprintf("%s/credentials.vault", dir);
		char *lock = xasprintf("%s.lock", path);
		mode_t old = umask(masks[i]);
		make_vault(path, "interactive");
		umask(old);
		ck_assert_msg(mode_of(path) == 0600, "umask %03o: vault %03o", masks[i],
		              mode_of(path));
		ck_assert_msg(mode_of(dir) == 0700, "umask %03o: dir %03o", masks[i], mode_of(dir));
		ck_assert_msg(mode_of(lock) == 0600, "umask %03o: lock %03o", masks[i],
		              mode_of(lock));
		free(lock);
		free(path);
		free(dir);
		free(parent);
	}
}
END_TEST

START_TEST(default_path_is_xdg)
{
	char *xdg = tpath("xdgdata");
	setenv("XDG_DATA_HOME", xdg, 1);
	char *p = vault_default_path();
	char *want = xasprintf("%s/certerox-aws-setup/credentials.vault", xdg);
	ck_assert_str_eq(p, want);
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_int_eq(vault_open(NULL, PASS, "interactive", &v, &err), CX_OK);
	ck_assert_str_eq(vault_path(v), want);
	vault_close(v);
	ck_assert_uint_eq(mode_of(want), 0600);
	/* the default directory is made private again when found open */
	char *dir = xasprintf("%s/certerox-aws-setup", xdg);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	v = NULL;
	ck_assert_int_eq(vault_open(NULL, PASS, NULL, &v, &err), CX_OK);
	vault_close(v);
	ck_assert_uint_eq(mode_of(dir), 0700);
	free(dir);
	free(want);
	free(p);
	free(xdg);
}
END_TEST

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

START_TEST(atomic_save_leaves_nothing_behind)
{
	char *dir = tpath("a");
	char *path = tpath("a/v.vault");
	make_vault(path, "interactive");
	ck_assert_uint_eq(count_entries(dir), 2); /* the vault and its lock file */
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_int_eq(vault_open(path, PASS, NULL, &v, &err), CX_OK);
	/* make the rename fail: the vault path is now a non-empty directory */
	char *moved = tpath("a/moved");
	ck_assert_int_eq(rename(path, moved), 0);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	char *inside = tpath("a/v.vault/x");
	spit(inside, "x", 1);
	ck_assert_int_eq(vault_save(v, &err), CX_E_IO);
	ck_assert(strstr(err.msg, "cannot replace") != NULL);
	ck_assert_uint_eq(count_entries(dir), 3); /* moved, v.vault/, lock: no temporary file */
	ck_assert_uint_eq(count_entries(path), 1);
	vault_close(v);
	free(inside);
	free(moved);
	free(path);
	free(dir);
}
END_TEST

/* A forked child reports through a pipe and then replaces itself with /bin/true, so that
 * neither valgrind nor LeakSanitizer counts the parent's memory it inherited as a leak. */
static void child_report(int fd, int ok)
{
	char c = ok ? 'y' : 'n';
	ssize_t w = write(fd, &c, 1);
	(void)w;
	execl("/bin/true", "true", (char *)NULL);
	_exit(0);
}

static int child_result(int fd, pid_t pid)
{
	char c = 0;
	ssize_t r = read(fd, &c, 1);
	close(fd);
	int status;
	waitpid(pid, &status, 0);
	return r == 1 && c == 'y';
}

START_TEST(second_opener_gets_locked)
{
	char *path = tpath("v.vault");
	make_vault(path, "interactive");
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_int_eq(vault_open(path, PASS, NULL, &v, &err), CX_OK);
	pid_t parent = getpid();
	int pfd[2];
	ck_assert_int_eq(pipe(pfd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct vault *w = NULL;
		struct cx_err e;
		cx_err_clear(&e);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		enum cx_status st = vault_open_wait(path, PASS, NULL, 1, &w, &e);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		char want[512];
		snprintf(want, sizeof(want),
		         "vault %s is in use by another certerox-aws-setup (pid %ld)", path,
		         (long)parent);
		int ok = st == CX_E_LOCKED && w == NULL && strcmp(e.msg, want) == 0 &&
		         t1.tv_sec - t0.tv_sec >= 1;
		if (!ok)
			fprintf(stderr, "child: %s / %s\n", cx_status_name(st), e.msg);
		child_report(pfd[1], ok);
	}
	close(pfd[1]);
	ck_assert(child_result(pfd[0], pid));
	/* the failed opener did not disturb the holder's pid */
	char *lock = xasprintf("%s.lock", path);
	size_t n;
	char *txt = paths_read_file(lock, 100, &n);
	ck_assert_int_eq(atol(txt), (long)parent);
	free(txt);
	free(lock);
	vault_close(v);
	free(path);
}
END_TEST

/* vault_open_begin/derive/finish: the lock is held when begin returns (before the key
 * derivation in the worker thread), and the outcome is that of vault_open. */
static enum cx_status open_3(const char *path, const char *pass, const char *level, bool derive,
                             struct vault **v, struct cx_err *err)
{
	struct vault_opening *o = NULL;
	*v = NULL;
	enum cx_status st = vault_open_begin(path, pass, level, 0, &o, err);
	if (st != CX_OK) {
		ck_assert_ptr_null(o);
		return st;
	}
	if (derive)
		vault_open_derive(o);
	return vault_open_finish(o, v, err);
}

START_TEST(opening_in_a_worker)
{
	char *path = tpath("v.vault");
	make_vault(path, "interactive");
	struct vault_opening *o = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_int_eq(vault_open_begin(path, PASS, NULL, 0, &o, &err), CX_OK);
	ck_assert_msg(try_open(path, PASS, &err) == CX_E_LOCKED,
	              "another opener got the vault while its opening was under way");
	vault_open_derive(o);
	vault_open_derive(o);                                    /* a repeat is ignored */
	for (int i = 0; i < 120000 && !vault_open_ready(o); i++) /* polled, as the TUI does */
		usleep(1000);
	ck_assert(vault_open_ready(o));
	struct vault *v = NULL;
	ck_assert_msg(vault_open_finish(o, &v, &err) == CX_OK, "%s", err.msg);
	ck_assert_uint_eq(vault_count(v), 1);
	ck_assert_str_eq(vault_get(v, 0)->secret_access_key, SECRET);
	vault_close(v);

	/* a wrong passphrase, with and without the worker: vault_open's message, no vault */
	char *want =
	    xasprintf("cannot open vault %s: wrong passphrase or the file is damaged", path);
	for (int derive = 0; derive < 2; derive++) {
		cx_err_clear(&err);
		ck_assert_int_eq(open_3(path, "wrong one", NULL, derive, &v, &err), CX_E_CRYPTO);
		ck_assert_ptr_null(v);
		ck_assert_str_eq(err.msg, want);
		/* the failed opening released the lock */
		ck_assert_int_eq(try_open(path, PASS, &err), CX_OK);
	}
	free(want);

	/* missing without a level: not found at begin; with one: created, and it opens */
	char *fresh = tpath("new/f.vault");
	cx_err_clear(&err);
	ck_assert_int_eq(open_3(fresh, PASS, NULL, true, &v, &err), CX_E_NOT_FOUND);
	ck_assert_msg(open_3(fresh, PASS, "interactive", true, &v, &err) == CX_OK, "%s", err.msg);
	ck_assert_uint_eq(vault_count(v), 0);
	vault_close(v);
	ck_assert_int_eq(try_open(fresh, PASS, &err), CX_OK);
	free(fresh);
	free(path);
}
END_TEST

START_TEST(second_opener_waits)
{
	char *path = tpath("v.vault");
	make_vault(path, "interactive");
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_int_eq(vault_open(path, PASS, NULL, &v, &err), CX_OK);
	int pfd[2];
	ck_assert_int_eq(pipe(pfd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct vault *w = NULL;
		struct cx_err e;
		cx_err_clear(&e);
		enum cx_status st = vault_open_wait(path, PASS, NULL, 10, &w, &e);
		int ok = st == CX_OK && vault_count(w) == 1;
		vault_close(w);
		child_report(pfd[1], ok);
	}
	close(pfd[1]);
	struct timespec nap = {0, 400 * 1000 * 1000};
	nanosleep(&nap, NULL);
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0); /* still waiting */
	vault_close(v);
	ck_assert(child_result(pfd[0], pid));
	free(path);
}
END_TEST

START_TEST(secrets_registered_for_redaction)
{
	char *path = tpath("v.vault");
	make_vault(path, "interactive");
	log_redact_clear();
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_int_eq(vault_open(path, PASS, NULL, &v, &err), CX_OK);
	char *r = log_redact("key " SECRET " pass " PASS " end");
	ck_assert_str_eq(r, "key [REDACTED] pass [REDACTED] end");
	free(r);
	/* a secret added by an upsert is registered too */
	struct vault_record k = sample();
	k.secret_access_key = (char *)"anotherSecretKeyValue/0123456789abcdefXYZ";
	ck_assert_int_eq(vault_upsert_user(v, &k, &err), CX_OK);
	r = log_redact("x anotherSecretKeyValue/0123456789abcdefXYZ y");
	ck_assert_str_eq(r, "x [REDACTED] y");
	free(r);
	/* the --list output never holds a secret */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	vault_list_print(v, f, VAULT_FORMAT_TABLE);
	vault_list_print(v, f, VAULT_FORMAT_JSON);
	fclose(f);
	ck_assert(strstr(buf, "AKIAIOSFODNN7EXAMPLE") != NULL);
	ck_assert(strstr(buf, "Production billing") != NULL);
	ck_assert(strstr(buf, SECRET) == NULL);
	ck_assert(strstr(buf, "anotherSecretKeyValue") == NULL);
	ck_assert(strstr(buf, "secret_access_key") == NULL);
	free(buf);
	vault_close(v);
	free(path);
}
END_TEST

START_TEST(list_print_empty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	vault_list_print(NULL, f, VAULT_FORMAT_JSON);
	fclose(f);
	ck_assert_str_eq(buf, "[]\n");
	free(buf);
	f = open_memstream(&buf, &len);
	vault_list_print(NULL, f, VAULT_FORMAT_TABLE);
	fclose(f);
	ck_assert(str_starts_with(buf, "NAME "));
	ck_assert_ptr_eq(strchr(buf, '\n'), buf + len - 1); /* the header alone */
	free(buf);
}
END_TEST

/* Encrypts doc as a vault with the documented layout, independently of src/vault. */
static void write_raw_vault(const char *path, const char *doc)
{
	size_t m = strlen(doc);
	unsigned char *d = xmalloc(VAULT_HEADER_LEN + m + 16);
	memcpy(d, "CXVAULT1", 8);
	d[8] = 2;
	put_le64(d + 9, 1);
	put_le64(d + 17, 8192);
	randombytes_buf(d + 25, 16 + 24);
	unsigned char key[32];
	ck_assert_int_eq(crypto_pwhash(key, 32, PASS, strlen(PASS), d + 25, 1, 8192,
	                               crypto_pwhash_ALG_ARGON2ID13),
	                 0);
	unsigned long long clen;
	crypto_aead_xchacha20poly1305_ietf_encrypt(d + VAULT_HEADER_LEN, &clen,
	                                           (const unsigned char *)doc, m, d,
	                                           VAULT_HEADER_LEN, NULL, d + 41, key);
	spit(path, d, VAULT_HEADER_LEN + (size_t)clen);
	free(d);
}

START_TEST(independent_encryption_and_bad_documents)
{
	char *path = tpath("raw.vault");
	struct cx_err err;
	write_raw_vault(path,
	                "{\"version\":1,\"data_sources\":[{\"name\":\"raw\",\"data_source_id\":"
	                "\"ds-9\",\"aws_account_id\":\"1\",\"iam_user\":\"u\","
	                "\"secret_access_key\":\"rawSecretValue\"}]}");
	struct vault *v = NULL;
	cx_err_clear(&err);
	ck_assert_msg(vault_open_wait(path, PASS, NULL, 0, &v, &err) == CX_OK, "%s", err.msg);
	ck_assert_uint_eq(vault_count(v), 1);
	ck_assert_str_eq(vault_find_data_source(v, "ds-9")->secret_access_key, "rawSecretValue");
	ck_assert_str_eq(vault_get(v, 0)->connection, ""); /* missing fields are empty */
	vault_close(v);
	write_raw_vault(path, "this is not json");
	ck_assert_int_eq(try_open(path, PASS, &err), CX_E_INPUT);
	ck_assert(strstr(err.msg, "not JSON") != NULL);
	write_raw_vault(path, "{\"version\":2}");
	ck_assert_int_eq(try_open(path, PASS, &err), CX_E_INPUT);
	ck_assert(strstr(err.msg, "version 2 is not supported") != NULL);
	write_raw_vault(path, "{\"version\":1,\"pending\":{}}");
	ck_assert_int_eq(try_open(path, PASS, &err), CX_E_INPUT);
	write_raw_vault(path, "[1,2]");
	ck_assert_int_eq(try_open(path, PASS, &err), CX_E_INPUT);
	free(path);
}
END_TEST

START_TEST(passphrase_file)
{
	char *p = tpath("pass");
	char *out = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	spit(p, "s3cret phrase\nsecond line\n", 26);
	chmod(p, 0600);
	ck_assert_int_eq(vault_read_passphrase_file(p, &out, &err), CX_OK);
	ck_assert_str_eq(out, "s3cret phrase");
	ck_assert_str_eq(err.msg, "");
	secmem_free(out);
	spit(p, "crlf phrase\r\n", 13);
	ck_assert_int_eq(vault_read_passphrase_file(p, &out, &err), CX_OK);
	ck_assert_str_eq(out, "crlf phrase");
	secmem_free(out);
	spit(p, "no newline", 10);
	chmod(p, 0644);
	ck_assert_int_eq(vault_read_passphrase_file(p, &out, &err), CX_OK);
	ck_assert_str_eq(out, "no newline");
	ck_assert_msg(strstr(err.msg, "readable by other users") != NULL, "%s", err.msg);
	ck_assert(strstr(err.msg, "no newline") == NULL);
	secmem_free(out);
	spit(p, "\nafter empty\n", 13);
	ck_assert_int_eq(vault_read_passphrase_file(p, &out, &err), CX_E_INPUT);
	ck_assert_ptr_null(out);
	ck_assert(strstr(err.msg, "empty") != NULL);
	spit(p, "", 0);
	ck_assert_int_eq(vault_read_passphrase_file(p, &out, &err), CX_E_INPUT);
	char *missing = tpath("nope");
	ck_assert_int_eq(vault_read_passphrase_file(missing, &out, &err), CX_E_INPUT);
	free(missing);
	free(p);
}
END_TEST

START_TEST(prompt_without_tty)
{
	/* a new session has no controlling terminal: /dev/tty cannot be opened. Check makes
	 * each test a process group leader, so the new session is made in a grandchild. */
	int pfd[2];
	ck_assert_int_eq(pipe(pfd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setsid() < 0)
			child_report(pfd[1], 0);
		char *out = NULL;
		struct cx_err err;
		cx_err_clear(&err);
		enum cx_status st = vault_prompt_passphrase("Vault passphrase: ", true, &out, &err);
		child_report(pfd[1],
		             st == CX_E_USAGE && !out && strstr(err.msg, "--passphrase-file"));
	}
	close(pfd[1]);
	ck_assert(child_result(pfd[0], pid));
}
END_TEST

static Suite *vault_suite(void)
{
	Suite *s = suite_create("vault");
	TCase *tc = tcase_create("vault");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, retire_key_states);
	tcase_add_test(tc, missing_vault);
	tcase_add_test(tc, wrong_passphrase);
	tcase_add_test(tc, every_byte_flip_detected);
	tcase_add_test(tc, truncated_files);
	tcase_add_test(tc, bad_magic_and_kdf);
	tcase_add_test(tc, absurd_limits_refused);
	tcase_add_test(tc, new_salt_and_nonce_every_save);
	tcase_add_test(tc, prepared_saves_keep_fresh_salts);
	tcase_add_test(tc, modes_whatever_the_umask);
	tcase_add_test(tc, default_path_is_xdg);
	tcase_add_test(tc, atomic_save_leaves_nothing_behind);
	tcase_add_test(tc, second_opener_gets_locked);
	tcase_add_test(tc, second_opener_waits);
	tcase_add_test(tc, opening_in_a_worker);
	tcase_add_test(tc, secrets_registered_for_redaction);
	tcase_add_test(tc, list_print_empty);
	tcase_add_test(tc, independent_encryption_and_bad_documents);
	tcase_add_test(tc, passphrase_file);
	tcase_add_test(tc, prompt_without_tty);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vault_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
