/* main.c - options, front-end choice, exit status. Nothing else exits. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "batch/batch.h"
#include "batch/list.h"
#include "options.h"
#include "tui/tui.h"
#include "util/log.h"
#include "util/secmem.h"
#include "util/status.h"

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	secmem_no_core_dumps();
	if (secmem_init() < 0) {
		fputs("certerox-aws-setup: cannot initialise libsodium\n", stderr);
		return CX_EXIT_SOFTWARE;
	}
	struct cx_options o;
	int rc = options_parse(&o, argc, argv);
	if (rc)
		return rc;
	switch (o.mode) {
	case MODE_HELP:
		options_help(argv[0]);
		return CX_EXIT_OK;
	case MODE_VERSION:
		options_version();
		return CX_EXIT_OK;
	case MODE_LIST:
		return batch_list(&o);
	case MODE_BATCH:
		return batch_apply(&o);
	case MODE_DRY_RUN:
		return batch_dry_run(&o);
	case MODE_TUI:
		return tui_run(&o);
	default:
		break;
	}
	if (o.ngiven > 0)
		fprintf(stderr, "certerox-aws-setup: --%s: not implemented yet\n", o.given[0]);
	else
		fputs("certerox-aws-setup: the interactive wizard: not implemented yet\n", stderr);
	return cx_status_exit(CX_E_NOT_IMPLEMENTED);
}
