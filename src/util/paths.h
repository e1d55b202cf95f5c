/* paths.h - where the program's files live. Every returned string is owned by the
 * caller (free()). */
#ifndef CX_UTIL_PATHS_H
#define CX_UTIL_PATHS_H

#include <sys/stat.h>
#include <sys/types.h>

/* Data directory (policy templates, cur2-columns.txt): $CERTEROX_DATADIR, else the
 * source tree's data/ when running from the build tree, else the installed
 * $(pkgdatadir). */
char *paths_datadir(void);
/* The path of the running executable (/proc/self/exe), NULL when unknown. Caller frees. */
char *paths_self_exe(void);
/* Full path of a data file ("policies/readonly.json"). */
char *paths_data_file(const char *rel);
/* $XDG_STATE_HOME/certerox-aws-setup (default ~/.local/state/certerox-aws-setup); NULL when
 * neither XDG_STATE_HOME nor HOME is an absolute path (no fallback to a shared directory). */
char *paths_state_dir(void);
/* $XDG_DATA_HOME/certerox-aws-setup (default ~/.local/share/certerox-aws-setup); NULL as
 * paths_state_dir. */
char *paths_data_home(void);
/* Creates dir and its parents; the last component gets mode. 0 or -1 (errno). */
int paths_mkdir_p(const char *dir, mode_t mode);
/* Opens path read-only without blocking (O_NONBLOCK, so that a FIFO or a device never
 * hangs), fstat()s it into *sb (may be NULL) and keeps it only when it is a regular file
 * (O_NONBLOCK then cleared). Returns the fd, or -1 with errno (EINVAL: not a regular file,
 * *sb then tells what it is, see paths_file_kind). */
int paths_open_regular(const char *path, struct stat *sb);
/* "a FIFO", "a character device", "a directory", ... for error messages. */
const char *paths_file_kind(mode_t mode);
/* Reads a whole regular file (at most max bytes; paths_open_regular) into a new
 * NUL-terminated string; NULL on error (errno set; EFBIG when larger, EINVAL when not a
 * regular file). *len gets the length when len != NULL. */
char *paths_read_file(const char *path, size_t max, size_t *len);

#endif
