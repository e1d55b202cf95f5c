/* Unit tests of the vault's defences (issue 17, Security 1-5 and 9): the vault directory
 * (mode 0700 on every open, another owner or write access for others refused, no fallback to
 * /tmp), symbolic links resolved before the lock and the save, Argon2id limits capped at the
 * sensitive level, FIFOs and devices refused without blocking and without a lock file beside
 * them, stale temporary files of an interrupted save removed, passphrase strength. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "util/err.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/secmem.h"
#include "vault/strength.h"
#include "vault/vault.h"

#define PASS "correct-Horse-battery-staple-91"

static char tmpdir[64];

static void setup(void)
{
	ck_assert_int_eq(secmem_init(), 0);
	vault_set_kdf_cap_for_testing(1, 8192); /* cheap Argon2id (valgrind, CK_FORK=no) */
	strcpy(tmpdir, "/tmp/cx_vault_safety.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	alarm(600); /* a test that blocks on a FIFO fails instead of hanging */
}

static void teardown(void)
{
	alarm(0);
	char *cmd = xasprintf("chmod -R u+rwx '%s'; rm -rf '%s'", tmpdir, tmpdir);
	int rc = system(cmd);
	(void)rc;
	free(cmd);
}

static char *tpath(const char *rel)
{
	return xasprintf("%s/%s", tmpdir, rel);
}

static unsigned mode_of(const char *p)
{
	struct stat sb;
	ck_assert_int_eq(stat(p, &sb), 0);
	return sb.st_mode & 07777;
}

static bool exists(const char *p)
{
	struct stat sb;
	return lstat(p, &sb) == 0;
}

static void make_vault(const char *path)
{
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_msg(vault_open(path, PASS, "interactive", &v, &err) == CX_OK, "%s", err.msg);
	struct vault_record r = {0};
	r.aws_account_id = (char *)"123456789012";
	r.iam_user = (char *)"certerox-billing";
	r.access_key_id = (char *)"AKIAIOSFODNN7EXAMPLE";
	r.secret_access_key = (char *)"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
	ck_assert_int_eq(vault_upsert_user(v, &r, &err), CX_OK);
	ck_assert_msg(vault_save(v, &err) == CX_OK, "%s", err.msg);
	vault_close(v);
}

static enum cx_status try_open(const char *path, const char *level, struct cx_err *err)
{
	struct vault *v = NULL;
	cx_err_clear(err);
	enum cx_status st = vault_open_wait(path, PASS, level, 0, &v, err);
	if (st == CX_OK)
		vault_close(v);
	return st;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- 1. the vault directory ---- */

START_TEST(dir_mode_enforced_on_every_open)
{
	char *dir = tpath("d"), *path = tpath("d/v.vault");
	make_vault(path);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	struct cx_err err;
	/* an explicit path (every caller passes one) */
	ck_assert_msg(try_open(path, NULL, &err) == CX_OK, "%s", err.msg);
	ck_assert_uint_eq(mode_of(dir), 0700);
	/* group-writable: ours, so made private again */
	ck_assert_int_eq(chmod(dir, 0770), 0);
	ck_assert_msg(try_open(path, NULL, &err) == CX_OK, "%s", err.msg);
	ck_assert_uint_eq(mode_of(dir), 0700);
	free(path);
	free(dir);
}
END_TEST

START_TEST(dir_writable_by_others_refused)
{
	char *dir = tpath("w"), *path = tpath("w/v.vault"), *lock = tpath("w/v.vault.lock");
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(chmod(dir, 01777), 0); /* like /tmp */
	struct cx_err err;
	ck_assert_int_eq(try_open(path, "interactive", &err), CX_E_INPUT);
	ck_assert_msg(strstr(err.msg, "writable by other users (mode 1777)") != NULL, "%s",
	              err.msg);
	ck_assert(!exists(path));
	ck_assert(!exists(lock));
	ck_assert_uint_eq(mode_of(dir), 01777); /* refused, not repaired behind the user's back */
	free(lock);
	free(path);
	free(dir);
}
END_TEST

START_TEST(dir_of_another_user_refused)
{
	if (geteuid() != 0) /* only root can give a directory away */
		return;
	char *dir = tpath("o"), *path = tpath("o/v.vault");
	make_vault(path);
	ck_assert_int_eq(chown(dir, 65534, 65534), 0);
	struct cx_err err;
	ck_assert_int_eq(try_open(path, NULL, &err), CX_E_INPUT);
	ck_assert_msg(strstr(err.msg, "belongs to uid 65534, not to you (uid 0)") != NULL, "%s",
	              err.msg);
	free(path);
	free(dir);
}
END_TEST

START_TEST(no_home_no_tmp_fallback)
{
	char *home = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	char *xdg = getenv("XDG_DATA_HOME") ? xstrdup(getenv("XDG_DATA_HOME")) : NULL;
	unsetenv("HOME");
	unsetenv("XDG_DATA_HOME");
	ck_assert_ptr_null(vault_default_path());
	ck_assert_ptr_null(paths_data_home());
	ck_assert_ptr_null(paths_state_dir());
	struct cx_err err;
	ck_assert_int_eq(try_open(NULL, "interactive", &err), CX_E_USAGE);
	ck_assert_msg(strstr(err.msg, "HOME and XDG_DATA_HOME are both unset") != NULL, "%s",
	              err.msg);
	setenv("HOME", "relative/home", 1); /* not a usable home either */
	ck_assert_ptr_null(vault_default_path());
	if (home)
		setenv("HOME", home, 1);
	else
		unsetenv("HOME");
	if (xdg)
		setenv("XDG_DATA_HOME", xdg, 1);
	free(home);
	free(xdg);
}
END_TEST

/* ---- 2. symbolic links ---- */

START_TEST(symlink_resolved_before_lock_and_save)
{
	char *real = tpath("real.vault"), *link = tpath("link.vault");
	make_vault(real);
	ck_assert_int_eq(symlink("real.vault", link), 0);
	struct vault *v = NULL, *w = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_msg(vault_open(link, PASS, NULL, &v, &err) == CX_OK, "%s", err.msg);
	ck_assert_str_eq(vault_path(v), real);
	/* one lock per real file: the real name is locked out while the link is open */
	ck_assert_int_eq(vault_open_wait(real, PASS, NULL, 0, &w, &err), CX_E_LOCKED);
	char *link_lock = tpath("link.vault.lock");
	ck_assert(!exists(link_lock));
	struct vault_record r = {0};
	r.aws_account_id = (char *)"210987654321";
	r.iam_user = (char *)"second-user";
	ck_assert_int_eq(vault_upsert_user(v, &r, &err), CX_OK);
	ck_assert_msg(vault_save(v, &err) == CX_OK, "%s", err.msg);
	vault_close(v);
	/* the link is still a link, to the updated file */
	struct stat sb;
	ck_assert_int_eq(lstat(link, &sb), 0);
	ck_assert(S_ISLNK(sb.st_mode));
	v = NULL;
	ck_assert_msg(vault_open(real, PASS, NULL, &v, &err) == CX_OK, "%s", err.msg);
	ck_assert_uint_eq(vault_count(v), 2);
	vault_close(v);
	/* a link to nothing is refused, and nothing is created at its target */
	char *dangling = tpath("dangling.vault"), *target = tpath("nowhere.vault");
	ck_assert_int_eq(symlink("nowhere.vault", dangling), 0);
	ck_assert_int_eq(try_open(dangling, "interactive", &err), CX_E_INPUT);
	ck_assert_msg(strstr(err.msg, "symbolic link to a missing file") != NULL, "%s", err.msg);
	ck_assert(!exists(target));
	free(target);
	free(dangling);
	free(link_lock);
	free(link);
	free(real);
}
END_TEST

/* ---- 3. Argon2id limits ---- */

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

START_TEST(limits_capped_at_sensitive)
{
	char *path = tpath("v.vault");
	make_vault(path);
	vault_set_kdf_cap_for_testing(0, 0); /* the built-in caps */
	size_t n;
	unsigned char *d = (unsigned char *)paths_read_file(path, 1 << 20, &n);
	ck_assert_ptr_nonnull(d);
	static const struct {
		uint64_t ops, mem;
		const char *what;
	} cases[] = {
	    {crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE + 1, 64ULL << 20, "opslimit 5"},
	    {16, 64ULL << 20, "opslimit 16"}, /* accepted before: 69 s before "wrong passphrase" */
	    {2, crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE + 1, "memlimit 1073741825"},
	    {2, 4ULL << 30, "memlimit 4294967296"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put_le64(d + 9, cases[i].ops);
		put_le64(d + 17, cases[i].mem);
		int fd = open(path, O_WRONLY | O_TRUNC);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, d, n), (ssize_t)n);
		close(fd);
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		/* refused by vault_open_begin already: before any derivation starts */
		struct vault_opening *o = NULL;
		struct cx_err err;
		cx_err_clear(&err);
		ck_assert_int_eq(vault_open_begin(path, PASS, NULL, 0, &o, &err), CX_E_INPUT);
		ck_assert_ptr_null(o);
		ck_assert_msg(seconds_since(&t0) < 0.5, "case %zu took %.2f s", i,
		              seconds_since(&t0));
		ck_assert_msg(strstr(err.msg, cases[i].what) && strstr(err.msg, "accepted range"),
		              "case %zu: %s", i, err.msg);
	}
	/* the sensitive level itself is what a new vault may be made with: the cap allows it */
	put_le64(d + 9, crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE);
	put_le64(d + 17, crypto_pwhash_argon2id_MEMLIMIT_MIN); /* cheap, but not the file's */
	int fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(write(fd, d, n), (ssize_t)n);
	close(fd);
	struct cx_err err;
	ck_assert_int_eq(try_open(path, NULL, &err), CX_E_CRYPTO); /* derived, wrong key */
	free(d);
	free(path);
}
END_TEST

/* ---- 4. FIFOs and devices ---- */

START_TEST(fifo_and_device_refused_without_blocking)
{
	char *fifo = tpath("f.vault"), *fifo_lock = tpath("f.vault.lock");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct cx_err err;
	ck_assert_int_eq(try_open(fifo, "interactive", &err), CX_E_INPUT);
	ck_assert_msg(strstr(err.msg, "a FIFO, not a regular file") != NULL, "%s", err.msg);
	ck_assert(!exists(fifo_lock));
	ck_assert_int_eq(try_open("/dev/zero", NULL, &err), CX_E_INPUT);
	ck_assert_msg(strstr(err.msg, "a character device") != NULL, "%s", err.msg);
	ck_assert(!exists("/dev/zero.lock"));
	ck_assert_uint_ne(mode_of("/dev"), 0700); /* its directory was not touched */
	/* the passphrase file */
	char *pass = NULL;
	cx_err_clear(&err);
	ck_assert_int_eq(vault_read_passphrase_file(fifo, &pass, &err), CX_E_INPUT);
	ck_assert_ptr_null(pass);
	ck_assert_msg(strstr(err.msg, "is a FIFO, not a regular file") != NULL, "%s", err.msg);
	ck_assert_int_eq(vault_read_passphrase_file("/dev/zero", &pass, &err), CX_E_INPUT);
	/* any file read whole (answers files) */
	errno = 0;
	ck_assert_ptr_null(paths_read_file(fifo, 1024, NULL));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(seconds_since(&t0) < 2, "took %.2f s", seconds_since(&t0));
	free(fifo_lock);
	free(fifo);
}
END_TEST

/* ---- 5. interrupted saves ---- */

START_TEST(stale_temporaries_removed_on_open)
{
	char *path = tpath("v.vault");
	make_vault(path);
	char *stale = tpath(".v.vault.tmp.a1B2c3"), *other = tpath(".v.vault.tmp.toolong7"),
	     *foreign = tpath(".w.vault.tmp.a1B2c3");
	const char *files[] = {stale, other, foreign};
	for (size_t i = 0; i < 3; i++) {
		int fd = open(files[i], O_WRONLY | O_CREAT, 0600);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	struct cx_err err;
	ck_assert_msg(try_open(path, NULL, &err) == CX_OK, "%s", err.msg);
	ck_assert(!exists(stale));
	ck_assert(exists(other));   /* not a name our saves make */
	ck_assert(exists(foreign)); /* another vault's */
	free(foreign);
	free(other);
	free(stale);
	free(path);
}
END_TEST

START_TEST(sigxfsz_makes_a_save_fail_not_die)
{
	/* main() ignores SIGXFSZ; with it ignored, a save past RLIMIT_FSIZE is an I/O error and
	 * the old vault stays whole. */
	char *path = tpath("v.vault");
	make_vault(path);
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_int_eq(vault_open(path, PASS, NULL, &v, &err), CX_OK);
	void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl, small = {100, RLIM_INFINITY};
	getrlimit(RLIMIT_FSIZE, &rl);
	small.rlim_max = rl.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	enum cx_status st = vault_save(v, &err);
	setrlimit(RLIMIT_FSIZE, &rl);
	signal(SIGXFSZ, old);
	ck_assert_int_eq(st, CX_E_IO);
	ck_assert_int_eq(cx_status_exit(st), 74);
	ck_assert_msg(strstr(err.msg, "File too large") != NULL, "%s", err.msg);
	vault_close(v);
	ck_assert_int_eq(try_open(path, NULL, &err), CX_OK);
	free(path);
}
END_TEST

/* ---- 9. passphrase strength ---- */

START_TEST(strength_scores)
{
	static const struct {
		const char *pass;
		int min, max;
		const char *hint;
	} cases[] = {
	    {"", 0, 0, "empty"},
	    {"password123", 0, 1, "common words"},
	    {"qwertyuiop", 0, 1, NULL},
	    {"aaaaaaaaaaaaaaaa", 0, 1, NULL},
	    {"hunter2hunter2", 0, 2, NULL},
	    {"certerox2024", 0, 2, NULL},
	    {PASS, 4, 4, NULL},
	    {"correct horse battery staple", 3, 4, NULL},
	    {"vN7#qL2!xR9@", 3, 4, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vault_strength s;
		vault_passphrase_strength(cases[i].pass, &s);
		ck_assert_msg(s.score >= cases[i].min && s.score <= cases[i].max,
		              "'%s': score %d (10^%.1f guesses)", cases[i].pass, s.score,
		              s.guesses_log10);
		if (s.score < VAULT_STRENGTH_MIN)
			ck_assert_msg(s.hint[0] != '\0', "'%s' has no hint", cases[i].pass);
		else
			ck_assert_str_eq(s.hint, "");
		if (cases[i].hint)
			ck_assert_msg(strstr(s.hint, cases[i].hint) != NULL, "'%s': %s",
			              cases[i].pass, s.hint);
	}
	/* a 4094-byte passphrase (the longest a passphrase file holds) is estimated quickly */
	char *longp = xmalloc(VAULT_PASSPHRASE_MAX + 1);
	for (size_t i = 0; i < VAULT_PASSPHRASE_MAX; i++)
		longp[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7 + i / 36) % 36];
	longp[VAULT_PASSPHRASE_MAX] = '\0';
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct vault_strength s;
	vault_passphrase_strength(longp, &s);
	ck_assert_msg(seconds_since(&t0) < 1.0, "%.2f s", seconds_since(&t0));
	free(longp);
}
END_TEST

static Suite *safety_suite(void)
{
	Suite *s = suite_create("vault_safety");
	TCase *tc = tcase_create("vault_safety");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, dir_mode_enforced_on_every_open);
	tcase_add_test(tc, dir_writable_by_others_refused);
	tcase_add_test(tc, dir_of_another_user_refused);
	tcase_add_test(tc, no_home_no_tmp_fallback);
	tcase_add_test(tc, symlink_resolved_before_lock_and_save);
	tcase_add_test(tc, limits_capped_at_sensitive);
	tcase_add_test(tc, fifo_and_device_refused_without_blocking);
	tcase_add_test(tc, stale_temporaries_removed_on_open);
	tcase_add_test(tc, sigxfsz_makes_a_save_fail_not_die);
	tcase_add_test(tc, strength_scores);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(safety_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
