/* main.c - options, front-end choice, exit status. Nothing else exits. */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

#include "batch/batch.h"
#include "batch/org.h"
#include "batch/list.h"
#include "batch/status.h"
#include "options.h"
#include "tui/tui.h"
#include "vault/vault.h"
#include "util/log.h"
#include "util/secmem.h"
#include "util/status.h"

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	/* A closed stdout (`| head`) must not kill a run between CreateAccessKey and the vault
	 * save: writes fail with EPIPE instead, and the run goes on. */
	signal(SIGPIPE, SIG_IGN);
	secmem_no_core_dumps();
	/* A file-size limit (ulimit -f) makes write() fail with EFBIG (exit 74) instead of
	 * killing the process between the temporary file and the rename of a save. */
	signal(SIGXFSZ, SIG_IGN);
	if (secmem_init() < 0) {
		fputs("certerox-aws-setup: cannot initialise libsodium\n", stderr);
		return CX_EXIT_SOFTWARE;
	}
	struct cx_options o;
	int rc = options_parse(&o, argc, argv);
	if (rc)
		return rc;
	if (o.log_file && log_open(o.log_file, LOG_DEBUG) != 0) {
		fprintf(stderr, "certerox-aws-setup: --log %s: %s\n", o.log_file, strerror(errno));
		return CX_EXIT_USAGE;
	}
	log_info("certerox-aws-setup %s started", CX_VERSION);
	char *default_vault = NULL;
	if (o.mode != MODE_HELP && o.mode != MODE_VERSION && !o.vault_file) {
		/* Never a shared directory such as /tmp, where another user could come first. */
		default_vault = vault_default_path();
		if (!default_vault) {
			fputs("certerox-aws-setup: HOME and XDG_DATA_HOME are both unset, so there "
			      "is no private place for the vault: set HOME or give --vault FILE\n",
			      stderr);
			log_close();
			return CX_EXIT_USAGE;
		}
		o.vault_file = default_vault;
	}
	switch (o.mode) {
	case MODE_HELP:
		options_help(argv[0]);
		rc = CX_EXIT_OK;
		break;
	case MODE_VERSION:
		options_version();
		rc = CX_EXIT_OK;
		break;
	case MODE_LIST:
		rc = batch_list(&o);
		break;
	case MODE_BATCH:
		rc = batch_org_wanted(&o) ? batch_org_apply(&o) : batch_apply(&o);
		break;
	case MODE_DRY_RUN:
		rc = batch_org_wanted(&o) ? batch_org_apply(&o) : batch_dry_run(&o);
		break;
	case MODE_STATUS:
		rc = batch_status(&o);
		break;
	case MODE_TUI:
	default:
		if (batch_org_wanted(&o)) { /* the wizard's own pages choose the accounts */
			fputs("certerox-aws-setup: an answers file with action organization runs "
			      "with "
			      "--batch; in the wizard, choose \"Connect member accounts of this "
			      "Organization\" on the Welcome page\n",
			      stderr);
			rc = CX_EXIT_USAGE;
			break;
		}
		rc = tui_run(&o);
		break;
	}
	free(default_vault);
	log_info("exit status %d", rc);
	log_close();
	log_redact_clear();
	return rc;
}
