/* term.h - the terminal itself: /dev/tty + newterm, modes, signals, restore on every exit path.
 * Process-wide (one terminal); used by app.c only. */
#ifndef CX_TUI_TERM_H
#define CX_TUI_TERM_H

#include <curses.h>
#include <stdbool.h>
#include <stdio.h>

struct tui_term {
	SCREEN *scr;
	FILE *in, *out;
	int fd; /* the tty (input fd for poll) */
};

/* Opens /dev/tty, installs the SIGINT/SIGTERM/SIGHUP flag handlers, the fatal-signal restore
 * and the atexit restore, then newterm with cbreak, noecho, nonl, keypad, nodelay, escdelay 25,
 * mouse off, cursor hidden. On failure prints why (and "use --batch --answers FILE") to stderr
 * and returns false: no terminal, unknown terminal type, no cursor addressing. */
bool term_open(struct tui_term *t);
/* endwin, delscreen, default signal handlers, closes the tty. */
void term_close(struct tui_term *t);
/* True when the locale's codeset is UTF-8. */
bool term_locale_utf8(void);
/* The terminal can show the UTF-8 glyphs: the locale's codeset is UTF-8, the terminal is not a
 * console known to lack them (TERM=linux, vt100, ...) and its terminfo describes line drawing
 * (acsc). Call after term_open. */
bool term_has_glyphs(void);
/* Signal flags set by the handlers. SIGINT is taken (cleared) once; SIGTERM/SIGHUP stay set. */
bool term_take_sigint(void);
bool term_sigterm(void);
/* The read end of the self-pipe the handlers write to (poll it with the tty), and its drain. */
int term_wake_fd(void);
void term_drain_wake(void);
/* Hands the terminal to sh -c "$VISUAL/$EDITOR/vi path" and takes it back (the caller then
 * redraws). Returns the editor's exit status or -1. */
int term_run_editor(struct tui_term *t, const char *path);

#endif
