/* tui.h - the interactive front end (ncurses). The entry point called by main for MODE_TUI.
 * The framework for pages and widgets is in app.h, keys.h, theme.h and widgets.h. */
#ifndef CX_TUI_TUI_H
#define CX_TUI_TUI_H

struct cx_options;

/* Runs the interactive wizard and returns the process exit status (sysexits, DESIGN section 3):
 * 64 when there is no terminal, 130 when the user quits or the wizard is interrupted, 0 when the
 * flow completed. With CX_TUI_GALLERY=1 in the environment it shows the widget gallery (tests).
 * Restores the terminal before returning; prints the final summary (if any) after endwin. */
int tui_run(const struct cx_options *o);

#endif
