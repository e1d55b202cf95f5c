/* options.h - the command line and its environment equivalents. */
#ifndef CX_OPTIONS_H
#define CX_OPTIONS_H

#include <stdbool.h>

enum cx_mode {
	MODE_TUI = 0,
	MODE_BATCH,
	MODE_DRY_RUN,
	MODE_LIST,
	MODE_HELP,
	MODE_VERSION,
	MODE_STATUS
};
enum cx_format { FORMAT_DEFAULT = 0, FORMAT_JSON, FORMAT_AWSCLI, FORMAT_TABLE, FORMAT_TEXT };

struct cx_options {
	enum cx_mode mode;
	enum cx_format format;
	const char *answers_file;
	const char *profile;
	const char *region;
	const char *endpoint_url;
	const char *ca_bundle;
	const char *certerox_url;        /* --certerox-url, else $CERTEROX_URL */
	const char *certerox_token_file; /* the token itself only ever comes from a file or env */
	const char *certerox_org;        /* --certerox-org, else $CERTEROX_ORGANIZATION_ID */
	const char *vault_file;
	const char *passphrase_file;
	const char *vault_kdf; /* interactive|moderate|sensitive */
	const char *log_file;
	bool no_color; /* --no-color or $NO_COLOR */
	bool ascii;
	bool yes;
	bool batch; /* --batch given (with --dry-run too) */
	bool dry_run;
	bool list;
	bool status;             /* --status */
	const char *data_source; /* --status --data-source ID */
	/* which options were given on the command line, by long name, for "not implemented" */
	const char *given[32];
	int ngiven;
};

/* Parses argv into o (environment equivalents applied). On a usage error prints the
 * message and a hint to stderr and returns 64; 0 otherwise. */
int options_parse(struct cx_options *o, int argc, char **argv);
/* Prints --help to stdout. */
void options_help(const char *argv0);
/* Prints --version to stdout (name, version, linked library versions). */
void options_version(void);

#endif
