/* modal.h - modal dialogs and the text view's search: each runs a nested loop on the app's
 * event source (app layer; the widgets below know nothing of the app). */
#ifndef CX_TUI_MODAL_H
#define CX_TUI_MODAL_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/app.h"
#include "tui/widgets/widgets.h"

/* ---- modal dialogs (nested loop) ---- */
/* Yes/No question. Returns 1 yes, 0 no (also Esc), -1 interrupted (Ctrl-C, SIGTERM, SIGHUP:
 * the interrupt is re-posted to the main loop). */
int tui_confirm(struct tui_app *app, const char *title, const char *text, bool default_yes);
/* Message box with an OK button (Enter/Esc/Space close). */
void tui_message(struct tui_app *app, const char *title, const char *text);
/* Help overlay: the page's help text; any key closes. */
void tui_help(struct tui_app *app, const char *title, const char *text);
/* One-line prompt on the status line ("Search: "). Returns true with the text in out on Enter,
 * false on Esc or interrupt. */
bool tui_prompt(struct tui_app *app, const char *label, char *out, size_t outsz);
/* Masked (secret) input in a box: title, text (wrapped), the field m (caller-owned, made with
 * tui_masked_init; its label and error line are shown, never its value) and the keys. Returns
 * true on Enter with the value left in m (the caller uses it, then tui_masked_clear/free);
 * false on Esc or an interrupt (re-posted), with the value wiped. */
bool tui_prompt_masked(struct tui_app *app, const char *title, const char *text,
                       struct tui_masked *m);
/* Scrollable text in a box over the screen (a plain tui_view: Up/Down, PgUp/PgDn, Home/End,
 * `/` search, `n` next); Enter, Esc or q closes. text is copied. */
void tui_show_text(struct tui_app *app, const char *title, const char *text);

/* A list to pick one row from, in a box: text (wrapped; may be NULL) above the rows; rows[i]
 * one line each, those with marked[i] (marked may be NULL) in the warning colour; the cursor
 * starts on sel; with n == 0 the line empty stands in their place. Up/Down, PgUp/PgDn,
 * Home/End move; Enter picks. Returns the row picked, -2 on Esc (nothing picked), -1 when
 * interrupted (re-posted to the main loop). */
int tui_pick(struct tui_app *app, const char *title, const char *text, const char *const *rows,
             const bool *marked, int n, int sel, const char *empty);

/* A view's keys: scrolling (tui_view_scroll), and `/` search and `n` next with the prompt on
 * the status line and the result as a status message. */
int tui_view_action(struct tui_view *v, struct tui_app *app, const struct tui_event *ev);

#endif
