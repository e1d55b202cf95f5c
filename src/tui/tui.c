/* tui.c - the entry point: the gallery (CX_TUI_GALLERY=1) or the wizard's pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "run/summary_text.h"
#include "tui/app.h"
#include "tui/gallery.h"
#include "tui/tui.h"
#include "tui/wiz.h"
#include "tui/wizard.h"
#include "util/status.h"

int tui_run(const struct cx_options *o)
{
	const char *g = getenv("CX_TUI_GALLERY");
	bool gallery = g && strcmp(g, "1") == 0;
	if (!gallery && !wizard_available()) {
		fputs("certerox-aws-setup: the interactive wizard: not implemented yet\n", stderr);
		return cx_status_exit(CX_E_NOT_IMPLEMENTED);
	}
	struct tui_app *app = tui_app_open(o);
	if (!app)
		return CX_EXIT_USAGE;
	struct wiz *w = NULL;
	if (gallery)
		gallery_add_pages(app);
	else
		w = wizard_add_pages(app, o);
	int run = tui_app_run(app);
	if (w && run == CX_EXIT_CANCELLED && !tui_app_has_summary(app) &&
	    run_summary_as_text(o->format == FORMAT_JSON))
		tui_app_set_summary(app,
		                    "certerox-aws-setup: cancelled before anything was applied; "
		                    "nothing was changed.\n");
	int rc = tui_app_close(app);
	wiz_free(w);
	return rc;
}
