/* wizard.h - the wizard's page set (the real pages, page_*.c, are added here). */
#ifndef CX_TUI_WIZARD_H
#define CX_TUI_WIZARD_H

#include <stdbool.h>

struct cx_options;
struct tui_app;

/* True once the wizard has pages (until then tui_run says "not implemented yet"). */
bool wizard_available(void);
/* Adds the wizard's pages, in the guide's order, to app. */
void wizard_add_pages(struct tui_app *app, const struct cx_options *o);

#endif
