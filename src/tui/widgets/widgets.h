/* widgets.h - the widgets pages are built from. Each widget is a plain struct the page embeds in
 * its state; *_draw draws it into a WINDOW at a position (drawing never changes what the user
 * typed or chose); *_action takes one event and returns TUI_HANDLED (plus TUI_REDRAW) when it
 * consumed it, 0 when the page should handle it (e.g. Tab, Enter, or Up on the first item).
 * Widgets know nothing of the app or the pages: modal dialogs, which run the app's event loop,
 * are in modal.h. */
#ifndef CX_TUI_WIDGETS_H
#define CX_TUI_WIDGETS_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/widgets/geom.h"
#include "tui/widgets/keys.h"

/* ---- line editing (shared by text and masked fields; byte offsets, UTF-8 aware) ---- */
struct tui_line {
	char *buf; /* NUL-terminated; cap bytes including the NUL */
	size_t cap;
	size_t len; /* bytes */
	size_t cur; /* cursor, byte offset on a character boundary */
	size_t off; /* first byte shown (text field scrolling) */
};
/* Insert/backspace/delete/left/right/home/end/Ctrl-U. Returns 2 when the text changed, 1 when
 * only the cursor moved, 0 when the event is not an editing event. */
int tui_line_action(struct tui_line *l, const struct tui_event *ev);
/* Number of characters in the first n bytes of s. */
size_t tui_line_chars(const char *s, size_t n);

/* ---- text field: "Label:  [value______]" and an inline validation message under it ---- */
/* validate: returns true when value is acceptable, else writes a message (names the rule). */
typedef bool (*tui_validate_fn)(const char *value, char *msg, size_t msgsz, void *ctx);
struct tui_text {
	const char *label;
	int label_w; /* columns reserved for the label (default 22) */
	struct tui_line line;
	tui_validate_fn validate;
	void *vctx;
	char error[160];  /* "" when valid */
	const char *hint; /* dim text under the field when there is no error; optional */
};
/* cap: the most bytes accepted (the value is truncated to fit). initial may be NULL. */
void tui_text_init(struct tui_text *t, const char *label, size_t cap, const char *initial);
void tui_text_free(struct tui_text *t);
const char *tui_text_value(const struct tui_text *t); /* owned by the field */
void tui_text_set(struct tui_text *t, const char *value);
void tui_text_set_validator(struct tui_text *t, tui_validate_fn fn, void *ctx);
/* Runs the validator now (sets/clears the message); true when valid. */
bool tui_text_check(struct tui_text *t);
/* Draws at (y, x) in width columns: row y the label and field, row y+1 the message. A focused
 * field places the terminal cursor. Always uses 2 rows. */
void tui_text_draw(struct tui_text *t, WINDOW *w, int y, int x, int width, bool focused);
/* Editing events; validation runs after each change once the field has been checked or
 * edited (inline message). */
int tui_text_action(struct tui_text *t, const struct tui_event *ev);

/* ---- masked field: shows one '*' per character, never the text; the buffer is secure memory
 * (util/secmem.h), wiped on clear and free ---- */
struct tui_masked {
	const char *label;
	int label_w;
	struct tui_line line; /* line.buf is secmem */
	char error[160];
};
void tui_masked_init(struct tui_masked *m, const char *label, size_t cap);
void tui_masked_free(struct tui_masked *m);  /* wipes */
void tui_masked_clear(struct tui_masked *m); /* wipes the value, keeps the field */
/* The secret (secure memory owned by the field; valid until clear/free). Never log it. */
const char *tui_masked_value(const struct tui_masked *m);
size_t tui_masked_len(const struct tui_masked *m);
void tui_masked_set_error(struct tui_masked *m, const char *msg); /* NULL clears */
void tui_masked_draw(struct tui_masked *m, WINDOW *w, int y, int x, int width, bool focused);
int tui_masked_action(struct tui_masked *m, const struct tui_event *ev);
/* The live strength meter of a new passphrase (zxcvbn score 0-4 as a bar and a word; when the
 * score is below VAULT_STRENGTH_MIN, the estimator's hint under it, at most 3 rows). Returns
 * the rows drawn. */
int tui_strength_draw(WINDOW *w, int y, int x, int width, const char *pass);

/* ---- radio list: "(*) label" / "( ) label", an optional dim note under each item ---- */
struct tui_radio_item {
	const char *label;
	const char *note; /* optional explanation, drawn under the label */
};
struct tui_radio {
	const struct tui_radio_item *items; /* not owned */
	int n;
	int selected; /* chosen item */
	int cursor;   /* item under the cursor */
};
void tui_radio_init(struct tui_radio *r, const struct tui_radio_item *items, int n, int selected);
/* Draws at (y, x); returns the rows used (items plus note rows, wrapped to width). */
int tui_radio_draw(struct tui_radio *r, WINDOW *w, int y, int x, int width, bool focused);
/* Up/Down/Home/End move the cursor and the (*) mark with it (0 at the ends, so the page can
 * move focus); Space selects the cursor item; Enter selects it and returns 0 (the page
 * continues). */
int tui_radio_action(struct tui_radio *r, const struct tui_event *ev);

/* ---- switch (checkbox): "[x] label" / "[ ] label"; Space toggles ---- */
struct tui_switch {
	const char *label;
	bool on;
};
void tui_switch_draw(const struct tui_switch *s, WINDOW *w, int y, int x, int width, bool focused);
int tui_switch_action(struct tui_switch *s, const struct tui_event *ev);

/* ---- choice: "Label:  < value >" on one row; Left/Right/Space cycle through the items (a
 * compact radio list for forms) ---- */
struct tui_choice {
	const char *label;
	int label_w;              /* default 22 */
	const char *const *items; /* not owned */
	int n;
	int sel;
};
void tui_choice_init(struct tui_choice *c, const char *label, const char *const *items, int n,
                     int sel);
void tui_choice_draw(const struct tui_choice *c, WINDOW *w, int y, int x, int width, bool focused);
int tui_choice_action(struct tui_choice *c, const struct tui_event *ev);

/* ---- scrolling text view (base of the JSON and diff viewers): long lines wrapped, Up/Down,
 * PgUp/PgDn, Home/End, `/` search (prompt on the status line), `n` next match ---- */
/* style: fills roles[0..len) with an enum tui_role per byte of a logical line */
typedef void (*tui_style_fn)(const char *line, size_t len, unsigned char *roles);
struct tui_vrow {
	size_t line, start, end; /* logical line and its byte range */
};
struct tui_view {
	char **lines; /* owned */
	size_t nlines;
	tui_style_fn style;
	struct tui_vrow *rows; /* wrapped rows for `width` */
	size_t nrows;
	int width, height;  /* of the last draw */
	size_t top;         /* first row shown */
	size_t aline, aoff; /* anchor: the text at the top as the user left it (kept on resize) */
	char search[128];
	size_t mline, moff; /* current match */
	bool match;
};
/* style may be NULL (plain text). text is copied. */
void tui_view_init(struct tui_view *v, tui_style_fn style, const char *text);
void tui_view_set_text(struct tui_view *v, const char *text); /* keeps the position if it can */
void tui_view_free(struct tui_view *v);
/* Draws the text in r (no border). */
void tui_view_draw(struct tui_view *v, WINDOW *w, struct tui_rect r);
/* Draws a box with title around r and the position ("lines 1-18 of 40") in its bottom edge;
 * the text goes inside. */
void tui_view_draw_boxed(struct tui_view *v, WINDOW *w, struct tui_rect r, const char *title,
                         bool focused);
/* Scrolling keys (Up/Down, PgUp/PgDn, Home/End); returns TUI_* flags, 0 for other keys.
 * Search needs a prompt and the status line: the app layer's tui_view_action (modal.h). */
int tui_view_scroll(struct tui_view *v, const struct tui_event *ev);
/* Keeps the position in range and remembered for a re-wrap (after tui_view_find). */
void tui_view_settle(struct tui_view *v);
/* Finds term (ASCII case-insensitive) from the current match (next=true: after it) or from the
 * top, wrapping around; scrolls to it. Returns false when there is no match. */
bool tui_view_find(struct tui_view *v, const char *term, bool next);

/* ---- JSON viewer: a view with syntax roles (keys, strings, numbers, literals, punctuation);
 * the monochrome form is bold keys, underlined literals, dim punctuation ---- */
void tui_json_init(struct tui_view *v, const char *json_text);
void tui_json_style(const char *line, size_t len, unsigned char *roles);

/* ---- diff viewer: a view over unified diff text: "+" lines added (green / bold), "-" lines
 * removed (red / dim), "@@" hunks (cyan / underlined), "---"/"+++" headers bold ---- */
void tui_diff_init(struct tui_view *v, const char *diff_text);
void tui_diff_style(const char *line, size_t len, unsigned char *roles);

/* ---- progress pane: one line per step: symbol + status word + label + time; a running step
 * shows a spinner and its elapsed ms, a retrying step its attempt and reason, a failed step its
 * code, message and fix on the lines under it ---- */
enum tui_step_state {
	STEP_PENDING = 0,
	STEP_RUNNING,
	STEP_RETRYING,
	STEP_DONE,
	STEP_SKIPPED,
	STEP_FAILED,
	STEP_NOTRUN,   /* will not run (cancelled, or a step it needs failed) */
	STEP_CANCELLED /* stopped by Esc/Ctrl-C while it ran (not a failure) */
};
struct tui_step {
	char *label;
	enum tui_step_state state;
	long ms;                    /* elapsed when done/failed */
	int retries;                /* attempts retried so far */
	char *reason;               /* retry or skip reason */
	char *code, *message, *fix; /* failure */
	long started_ms;            /* monotonic ms when started */
	const char *word;           /* static status word shown instead of the state's; NULL */
};
struct tui_progress {
	struct tui_step *steps;
	int n;
	int top;     /* first step shown (scrolling) */
	bool follow; /* keep the running step visible */
};
void tui_progress_init(struct tui_progress *p);
void tui_progress_free(struct tui_progress *p);
/* Adds a pending step; returns its index. label is copied. */
int tui_progress_add(struct tui_progress *p, const char *label);
void tui_progress_start(struct tui_progress *p, int i);
void tui_progress_retry(struct tui_progress *p, int i, const char *reason);
void tui_progress_done(struct tui_progress *p, int i, long ms);
void tui_progress_skip(struct tui_progress *p, int i, const char *reason);
/* Skipped, with its own status word (static, at most 9 columns), e.g. "already". */
void tui_progress_skip_as(struct tui_progress *p, int i, const char *word, const char *reason);
void tui_progress_fail(struct tui_progress *p, int i, const char *code, const char *message,
                       const char *fix);
/* The step was stopped by a cancel while it ran: "cancelled", dim, no error code. */
void tui_progress_cancel(struct tui_progress *p, int i);
/* Status word for a state ("waiting", "running", "retrying", "done", "skipped", "failed",
 * "not run", "cancelled"). */
const char *tui_step_word(enum tui_step_state s);
void tui_progress_draw(struct tui_progress *p, WINDOW *w, struct tui_rect r, unsigned int tick);
int tui_progress_action(struct tui_progress *p, const struct tui_event *ev);

/* ---- log pane: a ring buffer of the last `cap` lines, follows the end unless scrolled ---- */
struct tui_log {
	char **ring;
	size_t cap, head, count;
	size_t back; /* rows scrolled back from the end (0 = follow) */
};
void tui_log_init(struct tui_log *l, size_t cap);
void tui_log_free(struct tui_log *l);
void tui_log_add(struct tui_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Line i (0 = oldest kept). */
const char *tui_log_line(const struct tui_log *l, size_t i);
void tui_log_draw(struct tui_log *l, WINDOW *w, struct tui_rect r);
int tui_log_action(struct tui_log *l, const struct tui_event *ev);

/* ---- drawing helper: word-wraps text (with '\n' breaks) into r.w columns from row r.y;
 * draws at most r.h rows; returns the rows the whole text needs. ---- */
int tui_put_wrapped(WINDOW *w, struct tui_rect r, const char *text, attr_t a);

#endif
