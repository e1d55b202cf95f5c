/* theme.h - colours (with a monochrome form), ASCII/Unicode symbols and small drawing helpers.
 * One terminal per process, so the theme is process-wide state set once by the app.
 * Colour is never the only signal: every role has attributes that work without colour, and
 * status is always spelled out in words as well. */
#ifndef CX_TUI_THEME_H
#define CX_TUI_THEME_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

enum tui_role {
	ROLE_NORMAL = 0,
	ROLE_TITLE, /* title bar */
	ROLE_BAR,   /* bottom key bar */
	ROLE_KEY,   /* a key name inside the bar */
	ROLE_FOCUS, /* focused field / selected item */
	ROLE_FIELD, /* an input field's background */
	ROLE_LABEL, /* field labels, headings */
	ROLE_DIM,   /* secondary text */
	ROLE_OK,    /* success */
	ROLE_WARN,  /* warnings, retrying */
	ROLE_ERROR, /* errors, failed, validation messages */
	ROLE_MATCH, /* search match */
	ROLE_JSON_KEY,
	ROLE_JSON_STR,
	ROLE_JSON_NUM,
	ROLE_JSON_LIT, /* true/false/null */
	ROLE_JSON_PUNCT,
	ROLE_DIFF_ADD,
	ROLE_DIFF_DEL,
	ROLE_DIFF_HUNK,
	ROLE_DIFF_FILE,
	ROLE_DIALOG,  /* dialog box body */
	ROLE_UNKNOWN, /* not known / not reachable: magenta (dim without colour) */
	ROLE_COUNT
};

enum tui_sym {
	SYM_OK = 0,   /* done:     "✔"  / "[ok]" */
	SYM_RUN,      /* running:  spinner / "[..]" */
	SYM_FAIL,     /* failed:   "✘"  / "[!!]" */
	SYM_SKIP,     /* skipped:  "–"  / "[--]" */
	SYM_WAIT,     /* pending:  "·"  / "[  ]" */
	SYM_RETRY,    /* retrying: "↻"  / "[..]" */
	SYM_WARN,     /* warning:  "⚠"  / "[!]" */
	SYM_ARROW,    /* pointer:  "▸"  / ">" */
	SYM_ELLIPSIS, /* clipped:  "…"  / "~" */
	SYM_TO,       /* from/to:  "→"  / "->" */
	SYM_COUNT
};

/* Sets the mode once after newterm: colour (start_color + use_default_colors + pairs) unless
 * no_color; ascii draws only 7-bit characters (no ACS line characters, no Unicode symbols). */
void theme_init(bool color, bool ascii);
bool theme_color(void);
bool theme_ascii(void);
/* Attributes for a role: a colour pair plus attributes, or attributes only when monochrome. */
attr_t theme_attr(enum tui_role r);
/* A status symbol (static string). */
const char *theme_sym(enum tui_sym s);
/* The spinner frame for a tick (static string, one column). */
const char *theme_spinner(unsigned int tick);

/* Display width of the first n bytes of s (UTF-8 aware in a UTF-8 locale; invalid bytes and
 * control characters count 1, as they are drawn as '?'). */
int tui_width(const char *s, size_t n);
/* Bytes of s (length n) that fit in cols columns. */
size_t tui_fit(const char *s, size_t n, int cols);
/* Draws n bytes of s at (y, x) clipped to maxw columns with attributes a; non-printable
 * characters (and, in ASCII mode or a non-UTF-8 locale, any non-ASCII byte) are drawn as '?'.
 * Returns the columns used. */
int tui_putn(WINDOW *w, int y, int x, int maxw, const char *s, size_t n, attr_t a);
int tui_put(WINDOW *w, int y, int x, int maxw, const char *s, attr_t a);
/* tui_put, but a text wider than maxw ends with SYM_ELLIPSIS where it is cut. */
int tui_put_clipped(WINDOW *w, int y, int x, int maxw, const char *s, attr_t a);
/* Fills cols columns at (y, x) with spaces in attributes a. */
void tui_fill(WINDOW *w, int y, int x, int cols, attr_t a);
/* Draws a box (ACS lines, or + - | in ASCII mode) with an optional title in the top edge. */
void tui_box(WINDOW *w, int y, int x, int h, int wd, const char *title, attr_t a);
/* Horizontal line of cols columns. */
void tui_hline(WINDOW *w, int y, int x, int cols, attr_t a);
/* Asks for the hardware cursor at (y, x) after this frame (a focused text field calls it). */
void tui_cursor_at(int y, int x);
/* Forgets the cursor request (the app calls it before each frame). */
void tui_cursor_reset(void);
/* The pending cursor request; false when none. */
bool tui_cursor_get(int *y, int *x);

#endif
