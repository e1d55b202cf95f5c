/* paths.h - where the program's files live. Every returned string is owned by the
 * caller (free()). */
#ifndef CX_UTIL_PATHS_H
#define CX_UTIL_PATHS_H

#include <sys/types.h>

/* Data directory (policy templates, cur2-columns.txt): $CERTEROX_DATADIR, else the
 * source tree's data/ when running from the build tree, else the installed
 * $(pkgdatadir). */
char *paths_datadir(void);
/* The path of the running executable (/proc/self/exe), NULL when unknown. Caller frees. */
char *paths_self_exe(void);
/* Full path of a data file ("policies/readonly.json"). */
char *paths_data_file(const char *rel);
/* $XDG_STATE_HOME/certerox-aws-setup (default ~/.local/state/certerox-aws-setup). */
char *paths_state_dir(void);
/* $XDG_DATA_HOME/certerox-aws-setup (default ~/.local/share/certerox-aws-setup). */
char *paths_data_home(void);
/* Creates dir and its parents; the last component gets mode. 0 or -1 (errno). */
int paths_mkdir_p(const char *dir, mode_t mode);
/* Reads a whole file (at most max bytes) into a new NUL-terminated string; NULL on error
 * (errno set; EFBIG when larger). *len gets the length when len != NULL. */
char *paths_read_file(const char *path, size_t max, size_t *len);

#endif
