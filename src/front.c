/* front.c - the installed command. It answers `--version` alone by itself and hands every other
 * command line, unchanged (argv[0] included), to the wizard proper, certerox-aws-setup-main,
 * with execv: the same process, so signals, exit statuses and /proc/PID stay the caller's.
 *
 * Why: the wizard links libcurl and libxml2, which bring some forty shared objects (GnuTLS,
 * Kerberos, LDAP, ICU, libstdc++...) whose loading and relocation take about 7 ms before main()
 * runs; this program links libc only (and util/paths for the data directory), so that
 * `--version` answers in about a millisecond. The library versions it prints are those of the
 * headers it was built with (Debian's library packages keep a built program compatible only
 * with releases of the same or a later version).
 *
 * The wizard is looked for next to this program (the build tree), then in
 * ../libexec/certerox-aws-setup/ relative to it (an installed tree, relocated or staged with
 * DESTDIR), then in $(pkglibexecdir). */
#include <curl/curlver.h>
#include <errno.h>
#include <stdbool.h>
#include <ncurses.h>
#include <openssl/opensslv.h>
#include <sodium/version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libxml/xmlversion.h>

#include "util/mem.h"
#include "util/paths.h"
#include "util/status.h"

#ifndef CX_PKGLIBEXECDIR
#define CX_PKGLIBEXECDIR "/usr/local/libexec/certerox-aws-setup"
#endif

#define MAIN_NAME "certerox-aws-setup-main"

static void version(void)
{
	printf("certerox-aws-setup %s\n", CX_VERSION);
	char *data = paths_datadir();
	printf("data directory %s\n", data);
	free(data);
	puts("built with:");
	printf("libcurl %s\n", LIBCURL_VERSION);
	printf("%s\n", OPENSSL_VERSION_TEXT);
	printf("cJSON %d.%d.%d\n", CJSON_VERSION_MAJOR, CJSON_VERSION_MINOR, CJSON_VERSION_PATCH);
	printf("libsodium %s\n", SODIUM_VERSION_STRING);
	printf("libxml2 %s\n", LIBXML_DOTTED_VERSION);
	printf("ncurses %s.%d\n", NCURSES_VERSION, NCURSES_VERSION_PATCH);
}

/* The directory of this executable ("" when unknown). Caller frees. */
static char *exe_dir(void)
{
	char *exe = paths_self_exe();
	if (!exe)
		return xstrdup("");
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	return exe;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		version();
		return CX_EXIT_OK;
	}
	char *dir = exe_dir();
	char *candidates[3] = {
	    xasprintf("%s/%s", dir, MAIN_NAME),
	    xasprintf("%s/../libexec/certerox-aws-setup/%s", dir, MAIN_NAME),
	    xasprintf("%s/%s", CX_PKGLIBEXECDIR, MAIN_NAME),
	};
	free(dir);
	bool found = false;
	for (size_t i = 0; i < 3 && !found; i++) {
		if (access(candidates[i], X_OK) == 0) {
			found = true;
			execv(candidates[i], argv);
			/* it exists but did not start: say so */
			fprintf(stderr, "certerox-aws-setup: cannot run %s: %s\n", candidates[i],
			        strerror(errno));
		}
	}
	if (!found)
		fprintf(
		    stderr,
		    "certerox-aws-setup: cannot find %s (looked in the directory of this program, "
		    "in ../libexec/certerox-aws-setup next to it and in %s); reinstall the "
		    "package\n",
		    MAIN_NAME, CX_PKGLIBEXECDIR);
	for (size_t i = 0; i < 3; i++)
		free(candidates[i]);
	return CX_EXIT_SOFTWARE;
}
