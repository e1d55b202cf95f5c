/* app.h - the terminal, the one event loop, and pages as a vtable.
 *
 * Screen layout (rows): 0 = title bar "Page 3 of 12: Export type"; 1 .. rows-3 = the page body
 * (struct tui_rect given to draw/resize); rows-2 = status line (tui_app_status messages);
 * rows-1 = key bar (the page's keys + "F1 help  F10 quit"). Below 80x24 only a
 * "terminal too small (need 80x24, have WxH)" screen is drawn; page state is kept and the
 * page comes back when the terminal grows again.
 *
 * The loop sleeps in poll() (or in the external wait hook) on the tty; it never spins. While
 * the app is busy (tui_app_set_busy) pages get an ACT_TICK about every 100 ms for spinners. */
#ifndef CX_TUI_APP_H
#define CX_TUI_APP_H

#include <curses.h>
#include <stdbool.h>

#include "tui/widgets/geom.h"
#include "tui/widgets/keys.h"

struct cx_options;
struct tui_app;
struct tui_page;

/* External wait hook (the engine provides it): waits up to timeout_ms (-1: no limit) for
 * activity on its own sockets or on tty_fd (readable), dispatches finished transfers, and
 * returns >= 0 (or -1 with errno; EINTR is fine). It must return when tty_fd becomes
 * readable and should return on EINTR (signals). The app bounds timeout_ms to 500 ms so
 * signals are noticed even if the hook restarts its wait. No curl types cross this line. */
struct tui_io {
	int (*wait)(void *ctx, int tty_fd, int timeout_ms);
	void *ctx;
};

struct page_ops {
	const char *title; /* title bar text after "Page i of n: " */
	const char
	    *keys; /* key bar text, e.g. "Tab move  Space select  Enter continue  Esc back" */
	const char *help; /* help overlay text (F1 / ?); lines separated by '\n' */
	/* First entry into the page: allocate pg->state (owned by the page, freed in destroy). */
	void (*init)(struct tui_page *pg);
	/* Every entry into the page (after init and resize); how = TUI_NEXT or TUI_BACK (the
	 * direction the user came from; TUI_NEXT for the first page). Optional. */
	void (*enter)(struct tui_page *pg, int how);
	/* Draws the body into w (stdscr) inside body. Called for every frame. */
	void (*draw)(struct tui_page *pg, WINDOW *w, struct tui_rect body);
	/* Handles one action; returns TUI_* flags (0 = not handled: the app's default applies:
	 * HELP shows ops->help, BACK goes back, QUIT/INTERRUPT quit, TERMINATE leaves). */
	int (*on_action)(struct tui_page *pg, const struct tui_event *ev);
	/* The body size changed (also called on every entry with the current size). Optional. */
	void (*resize)(struct tui_page *pg, struct tui_rect body);
	/* The page is being left; how = TUI_NEXT, TUI_BACK or TUI_QUIT. Optional. */
	void (*leave)(struct tui_page *pg, int how);
	/* Whether the page applies now (flow); NULL = always. Evaluated when navigating and for
	 * the "Page i of n" count. */
	bool (*applies)(struct tui_page *pg);
	/* Frees pg->state at the end. Optional. */
	void (*destroy)(struct tui_page *pg);
	/* Whether Enter must wait: NULL when the page can act on it now, else the status line
	 * to show (e.g. "Still reading the account; the wizard goes on when it is read.") while
	 * the page loads. An Enter pressed then is kept by the app and given to the page on the
	 * first tick after which this returns NULL; any other key, or leaving the page, drops it.
	 * Optional (NULL: Enter is never kept). */
	const char *(*loading)(struct tui_page *pg);
};

struct tui_page {
	const struct page_ops *ops;
	struct tui_app *app; /* set by tui_app_add_page */
	void *ctx;           /* shared context of the page set (answers, plan, ...); not owned */
	void *state;         /* page-owned state */
	const char *keys;    /* if set, overrides ops->keys in the key bar (e.g. per focus) */
	bool inited;
};

/* Opens /dev/tty with newterm (cbreak, noecho, keypad, escdelay 25, no mouse), installs the
 * signal handlers and the atexit restore. colour = !o->no_color; ASCII when o->ascii or the
 * locale's codeset is not UTF-8. Returns NULL when there is no terminal (after printing
 * "the wizard needs a terminal; use --batch --answers FILE" to stderr): exit 64. */
struct tui_app *tui_app_open(const struct cx_options *o);
/* Restores the terminal (endwin), frees the app and its pages (destroy), then prints the
 * summary (if set) to stdout. Returns the exit status chosen by the loop. NULL allowed. */
int tui_app_close(struct tui_app *app);

/* Installs the external wait hook (copied); NULL io = plain poll() on the tty. */
void tui_app_set_io(struct tui_app *app, const struct tui_io *io);
/* Adds a page (the struct is copied into the app; the page keeps ctx). Returns it. */
struct tui_page *tui_app_add_page(struct tui_app *app, const struct page_ops *ops, void *ctx);
/* Runs the loop from the first applicable page until done or quit. Returns the exit status:
 * 0 done, 130 quit/interrupted/terminated (or what tui_app_set_exit chose). */
int tui_app_run(struct tui_app *app);

/* Busy: ACT_TICK every ~100 ms to the current page and a spinner in the title bar. Nested
 * calls count (busy while count > 0). */
void tui_app_set_busy(struct tui_app *app, bool busy);
unsigned int tui_app_tick(const struct tui_app *app); /* increments once per tick */
/* Keys of an open full-screen modal (NULL: none): the key bar shows them alone, in place of
 * the page's keys and "? help  q/F10 quit", so the screen has one key bar. */
void tui_app_set_modal_keys(struct tui_app *app, const char *keys);
/* Something was written (AWS/CerteroX/vault): quitting now asks first. */
void tui_app_set_applied(struct tui_app *app, bool applied);
/* Exit status to use when the loop ends with TUI_DONE or TUI_QUIT (default 0 / 130). */
void tui_app_set_exit(struct tui_app *app, int status);
/* Text printed to stdout after endwin (the final summary; kept in the scrollback). */
void tui_app_set_summary(struct tui_app *app, const char *text);
bool tui_app_has_summary(const struct tui_app *app);
/* Message on the status line (until the next page change or message; a message wider than
 * the line is wrapped over up to 3 rows above the key bar).
 * role: ROLE_NORMAL, ROLE_WARN, ROLE_ERROR, ... (theme.h). */
void tui_app_status(struct tui_app *app, int role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tui_app_status_clear(struct tui_app *app);
/* Shows a field's error message, live: error is the field's own buffer (it must live as
 * long as the page); the status line follows it as the user edits and goes when it is
 * empty. A page change or another status replaces it. */
void tui_app_status_field(struct tui_app *app, const char *error);
/* Current page index (0-based over all pages) and the body rectangle. */
int tui_app_page_index(const struct tui_app *app);
struct tui_rect tui_app_body(const struct tui_app *app);
/* True while the terminal is smaller than 80x24. */
bool tui_app_too_small(const struct tui_app *app);

/* Feeds one event as if typed (tests, scripts, --answers replays): page first, then the
 * defaults. Returns the flags. */
int tui_app_dispatch(struct tui_app *app, const struct tui_event *ev);
/* Draws the whole frame (title, page, status, key bar) into the virtual screen; modals call it
 * before drawing themselves. Does not refresh. */
void tui_app_draw(struct tui_app *app);
/* Refreshes the physical screen (doupdate) and places the cursor. */
void tui_app_flush(struct tui_app *app);
/* Waits for the next event (keys, resize, ticks, signals), running the external hook. Handles
 * ACT_RESIZE itself (the current page gets resize()) but still returns it. Modals use it. */
struct tui_event tui_app_next_event(struct tui_app *app);
/* Something changed outside the tty (an asynchronous call finished): the loop returns an
 * ACT_TICK to the current page (which may act on it, e.g. return TUI_NEXT) and redraws. Safe
 * to call from http completion callbacks run inside the wait hook. */
void tui_app_wake(struct tui_app *app);
/* A modal was ended by an interrupt/terminate: the main loop will act on it next. */
void tui_app_repost(struct tui_app *app, enum tui_action act);

/* Runs $VISUAL/$EDITOR (else vi) on path with the terminal handed over, then restores the
 * screen. Returns the editor's exit status, or -1 if it could not be run. */
int tui_app_run_editor(struct tui_app *app, const char *path);

#endif
