#include "util/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/str.h"

#ifndef CX_PKGDATADIR
#define CX_PKGDATADIR "/usr/local/share/certerox-aws-setup"
#endif
#ifndef CX_SRC_DATADIR
#define CX_SRC_DATADIR ""
#endif
#ifndef CX_BUILDDIR
#define CX_BUILDDIR ""
#endif

static const char builddir[] = CX_BUILDDIR;
static const char src_datadir[] = CX_SRC_DATADIR;

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *paths_self_exe(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	return xstrdup(exe);
}

char *paths_datadir(void)
{
	const char *env = getenv("CERTEROX_DATADIR");
	if (env && *env)
		return xstrdup(env);
	/* Running from the build tree: the executable sits in $(abs_top_builddir)/src. */
	char *exe = paths_self_exe();
	if (exe && strlen(builddir) > 0) {
		char *want = xasprintf("%s/", builddir);
		int in_build = str_starts_with(exe, want);
		free(want);
		if (in_build && is_dir(src_datadir)) {
			free(exe);
			return xstrdup(src_datadir);
		}
	}
	free(exe);
	if (is_dir(CX_PKGDATADIR))
		return xstrdup(CX_PKGDATADIR);
	if (strlen(src_datadir) > 0 && is_dir(src_datadir))
		return xstrdup(src_datadir);
	return xstrdup(CX_PKGDATADIR);
}

char *paths_data_file(const char *rel)
{
	char *d = paths_datadir();
	char *p = xasprintf("%s/%s", d, rel);
	free(d);
	return p;
}

static char *xdg_dir(const char *var, const char *dflt)
{
	const char *v = getenv(var);
	if (v && v[0] == '/')
		return xasprintf("%s/certerox-aws-setup", v);
	/* No fallback to a shared directory such as /tmp: another user could make it first. */
	const char *home = getenv("HOME");
	if (!home || home[0] != '/')
		return NULL;
	return xasprintf("%s/%s/certerox-aws-setup", home, dflt);
}

char *paths_state_dir(void)
{
	return xdg_dir("XDG_STATE_HOME", ".local/state");
}

char *paths_data_home(void)
{
	return xdg_dir("XDG_DATA_HOME", ".local/share");
}

int paths_mkdir_p(const char *dir, mode_t mode)
{
	char *p = xstrdup(dir);
	size_t n = strlen(p);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] == '/' || p[i] == '\0') {
			char save = p[i];
			p[i] = '\0';
			int last = save == '\0';
			if (mkdir(p, last ? mode : 0755) != 0 && errno != EEXIST) {
				int e = errno;
				free(p);
				errno = e;
				return -1;
			}
			p[i] = save;
		}
	}
	free(p);
	return 0;
}

const char *paths_file_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "not a regular file";
}

int paths_open_regular(const char *path, struct stat *sb)
{
	/* O_NONBLOCK: opening a FIFO without a writer, or a tty, must not wait. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	struct stat local;
	struct stat *st = sb ? sb : &local;
	int e = 0;
	if (fstat(fd, st) != 0)
		e = errno;
	else if (!S_ISREG(st->st_mode))
		e = EINVAL;
	if (e) {
		close(fd);
		errno = e;
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

char *paths_read_file(const char *path, size_t max, size_t *len)
{
	struct stat sb;
	memset(&sb, 0, sizeof(sb));
	int fd = paths_open_regular(path, &sb);
	if (fd < 0)
		return NULL;
	struct buf b = BUF_INIT;
	char chunk[8192];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof(chunk))) > 0) {
		if (b.len + (size_t)r > max) {
			close(fd);
			buf_free(&b);
			errno = EFBIG;
			return NULL;
		}
		buf_append(&b, chunk, (size_t)r);
	}
	int e = errno;
	close(fd);
	if (r < 0) {
		buf_free(&b);
		errno = e;
		return NULL;
	}
	if (len)
		*len = b.len;
	return buf_steal(&b);
}
