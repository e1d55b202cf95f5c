/* wizard.h - the wizard's page set (pages in page_*.c, shared context in wiz.h). */
#ifndef CX_TUI_WIZARD_H
#define CX_TUI_WIZARD_H

#include <stdbool.h>

struct cx_options;
struct tui_app;
struct wiz;

/* True: the wizard has its pages. */
bool wizard_available(void);
/* Creates the wizard's context (answers, session), installs its wait hook and adds the pages,
 * in the guide's order, to app. Free the context with wiz_free after tui_app_close. */
struct wiz *wizard_add_pages(struct tui_app *app, const struct cx_options *o);

#endif
