/* vault_file.c - the vault file on disk: its directory's safety, the path's resolution, the
 * lock, reading, and the atomic save with its stale temporaries. */
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

	plain = vi_document_print(v, &plen);
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
	bool prefetched = vi_prefetch_take(v, file + 25, &key);
	if (!prefetched) {
		randombytes_buf(file + 25, SALT_LEN);
		key = vi_derive(v, file + 25, v->opslimit, v->memlimit, err);
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
enum cx_status vi_read_vault_file(const char *path, unsigned char **data, size_t *len,
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

enum cx_status vi_take_lock(struct vault *v, int wait_seconds, struct cx_err *err)
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
enum cx_status vi_resolve_path(struct vault *v, struct cx_err *err)
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
enum cx_status vi_check_place(struct vault *v, bool create, struct cx_err *err)
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
void vi_remove_stale_temporaries(const struct vault *v)
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
