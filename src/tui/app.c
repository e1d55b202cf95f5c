/* app.c - the event loop, the frame (title, body, status, key bar) and page navigation. */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "options.h"
#include "tui/modal.h"
#include "tui/app.h"
#include "tui/term.h"
#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"
#include "util/mem.h"
#include "util/status.h"
#include "util/str.h"

#define MIN_COLS    80
#define MIN_ROWS    24
#define TICK_MS     100
#define HOOK_MAX_MS 500

struct tui_app {
	struct tui_term term;
	struct tui_io io;
	struct tui_page **pages;
	int npages;
	int cur;
	int busy;
	unsigned int tick;
	struct timespec next_tick;
	bool applied;
	bool running;
	int exit_done, exit_quit; /* statuses for DONE and QUIT */
	int result;
	char *summary;
	char status[256];
	int status_role;
	const char *status_field; /* tui_app_status_field: the field's live error */
	enum tui_action pending;
	const char *modal_keys; /* tui_app_set_modal_keys: the open modal's keys */
	bool too_small;
	bool wake;
	struct tui_page
	    *enter_kept; /* an Enter pressed while this page loaded (page_ops.loading) */
};

static void update_size(struct tui_app *app)
{
	app->too_small = LINES < MIN_ROWS || COLS < MIN_COLS;
}

struct tui_app *tui_app_open(const struct cx_options *o)
{
	struct tui_app *app = xcalloc(1, sizeof(*app));
	if (!term_open(&app->term)) {
		free(app);
		return NULL;
	}
	app->exit_done = CX_EXIT_OK;
	app->exit_quit = CX_EXIT_CANCELLED;
	app->result = CX_EXIT_CANCELLED;
	theme_init(!o->no_color, o->ascii || !term_has_glyphs());
	update_size(app);
	return app;
}

int tui_app_close(struct tui_app *app)
{
	if (!app)
		return CX_EXIT_SOFTWARE;
	int rc = app->result;
	term_close(&app->term);
	for (int i = 0; i < app->npages; i++) {
		struct tui_page *pg = app->pages[i];
		if (pg->inited && pg->ops->destroy)
			pg->ops->destroy(pg);
		free(pg);
	}
	free(app->pages);
	if (app->summary) {
		fputs(app->summary, stdout);
		if (*app->summary && app->summary[strlen(app->summary) - 1] != '\n')
			putchar('\n');
		fflush(stdout);
		free(app->summary);
	}
	free(app);
	return rc;
}

void tui_app_set_io(struct tui_app *app, const struct tui_io *io)
{
	if (io)
		app->io = *io;
	else
		memset(&app->io, 0, sizeof(app->io));
}

struct tui_page *tui_app_add_page(struct tui_app *app, const struct page_ops *ops, void *ctx)
{
	app->pages = xrealloc(app->pages, sizeof(*app->pages) * (size_t)(app->npages + 1));
	struct tui_page *pg = xcalloc(1, sizeof(*pg));
	pg->ops = ops;
	pg->ctx = ctx;
	pg->app = app;
	app->pages[app->npages++] = pg;
	return pg;
}

static struct timespec now_plus(long ms)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static long ms_until(struct timespec t)
{
	struct timespec n;
	clock_gettime(CLOCK_MONOTONIC, &n);
	long ms = (long)(t.tv_sec - n.tv_sec) * 1000 + (t.tv_nsec - n.tv_nsec) / 1000000L;
	return ms < 0 ? 0 : ms;
}

void tui_app_set_busy(struct tui_app *app, bool busy)
{
	if (busy) {
		if (app->busy++ == 0)
			app->next_tick = now_plus(TICK_MS);
	} else if (app->busy > 0) {
		app->busy--;
	}
}

unsigned int tui_app_tick(const struct tui_app *app)
{
	return app->tick;
}

void tui_app_set_applied(struct tui_app *app, bool applied)
{
	app->applied = applied;
}

void tui_app_set_exit(struct tui_app *app, int status)
{
	app->exit_done = status;
	app->exit_quit = status;
}

void tui_app_set_summary(struct tui_app *app, const char *text)
{
	free(app->summary);
	app->summary = xstrdup(text);
}

bool tui_app_has_summary(const struct tui_app *app)
{
	return app->summary != NULL;
}

void tui_app_status(struct tui_app *app, int role, const char *fmt, ...)
{
	app->status[0] = '\0';
	app->status_field = NULL;
	app->status_role = role;
	if (!fmt)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(app->status, sizeof(app->status), fmt, ap);
	va_end(ap);
}

void tui_app_status_clear(struct tui_app *app)
{
	app->status[0] = '\0';
	app->status_field = NULL;
}

void tui_app_status_field(struct tui_app *app, const char *error)
{
	tui_app_status(app, ROLE_ERROR, "%s", error ? error : "");
	app->status_field = error && *error ? error : NULL;
}

int tui_app_page_index(const struct tui_app *app)
{
	return app->cur;
}

struct tui_rect tui_app_body(const struct tui_app *app)
{
	(void)app;
	struct tui_rect r = {1, 1, LINES - 3, COLS - 2};
	return r;
}

bool tui_app_too_small(const struct tui_app *app)
{
	return app->too_small;
}

void tui_app_wake(struct tui_app *app)
{
	app->wake = true;
}

void tui_app_repost(struct tui_app *app, enum tui_action act)
{
	app->pending = act;
}

static bool page_applies(struct tui_page *pg)
{
	return !pg->ops->applies || pg->ops->applies(pg);
}

static int find_page(struct tui_app *app, int from, int dir)
{
	for (int i = from + dir; i >= 0 && i < app->npages; i += dir)
		if (page_applies(app->pages[i]))
			return i;
	return -1;
}

static void enter_page(struct tui_app *app, int idx, int how)
{
	struct tui_page *pg = app->pages[idx];
	app->cur = idx;
	app->enter_kept = NULL; /* a kept Enter belongs to the page it was pressed on */
	app->status[0] = '\0';
	app->status_field = NULL;
	if (!pg->inited) {
		pg->inited = true;
		if (pg->ops->init)
			pg->ops->init(pg);
	}
	if (pg->ops->resize && !app->too_small)
		pg->ops->resize(pg, tui_app_body(app));
	if (pg->ops->enter)
		pg->ops->enter(pg, how);
}

static struct tui_page *cur_page(struct tui_app *app)
{
	if (app->cur < 0 || app->cur >= app->npages)
		return NULL;
	return app->pages[app->cur];
}

/* The page's keys ("Tab move  Enter continue  Esc back": items two spaces apart) in width
 * columns: the rightmost other items go first, so "Enter ..." and "Esc ..." stay. */
static void key_bar_fit(const char *keys, int width, char *out, size_t n)
{
	str_copy(out, n, keys);
	while (tui_width(out, strlen(out)) > width) {
		char *drop = NULL; /* start of the item to drop */
		for (char *p = out; p; p = strstr(p, "  ")) {
			while (*p == ' ')
				p++;
			if (!*p)
				break;
			if (strncmp(p, "Enter", 5) != 0 && strncmp(p, "Esc", 3) != 0)
				drop = p;
		}
		if (!drop)
			return; /* only Enter and Esc: tui_put clips */
		char *end = strstr(drop, "  ");
		if (end)
			memmove(drop, end + 2, strlen(end + 2) + 1);
		else if (drop > out + 1)
			drop[-2] = '\0'; /* the last item, with its separator */
		else
			return;
	}
}

void tui_app_draw(struct tui_app *app)
{
	tui_cursor_reset();
	werase(stdscr);
	if (app->too_small) {
		char msg[96];
		snprintf(msg, sizeof(msg), "terminal too small (need %dx%d, have %dx%d)", MIN_COLS,
		         MIN_ROWS, COLS, LINES);
		int len = (int)strlen(msg);
		int x = COLS > len ? (COLS - len) / 2 : 0;
		tui_put(stdscr, LINES / 2, x, COLS, msg, theme_attr(ROLE_ERROR));
		const char *hint = "enlarge the window, or press F10 to quit";
		len = (int)strlen(hint);
		x = COLS > len ? (COLS - len) / 2 : 0;
		if (LINES > 2)
			tui_put(stdscr, LINES / 2 + 1, x, COLS, hint, A_NORMAL);
		return;
	}
	struct tui_page *pg = cur_page(app);
	/* title bar */
	attr_t ta = theme_attr(ROLE_TITLE);
	tui_fill(stdscr, 0, 0, COLS, ta);
	if (pg) {
		int n = 0, i = 0;
		for (int k = 0; k < app->npages; k++) {
			if (page_applies(app->pages[k]) || k == app->cur) {
				n++;
				if (k <= app->cur)
					i = n;
			}
		}
		char title[160];
		snprintf(title, sizeof(title), " Page %d of %d: %s", i, n,
		         pg->ops->title ? pg->ops->title : "");
		tui_put(stdscr, 0, 0, COLS - 24, title, ta);
	}
	const char *name = "certerox-aws-setup ";
	tui_put(stdscr, 0, COLS - (int)strlen(name), (int)strlen(name), name, ta);
	if (app->busy)
		tui_put(stdscr, 0, COLS - (int)strlen(name) - 2, 1, theme_spinner(app->tick), ta);
	/* body */
	if (pg && pg->ops->draw)
		pg->ops->draw(pg, stdscr, tui_app_body(app));
	/* status line: a message longer than the line takes up to 3 rows above the key bar */
	if (app->status_field) {
		str_copy(app->status, sizeof(app->status), app->status_field);
		if (!app->status[0])
			app->status_field = NULL;
	}
	if (app->status[0]) {
		attr_t sa = theme_attr((enum tui_role)app->status_role);
		struct tui_rect r = {0, 1, 0, COLS - 2};
		int rows = tui_put_wrapped(stdscr, r, app->status, sa); /* height 0: measures */
		if (rows <= 1) {
			tui_put(stdscr, LINES - 2, 1, COLS - 2, app->status, sa);
		} else {
			r.h = rows < 3 ? rows : 3;
			r.y = LINES - 1 - r.h;
			for (int i = 0; i < r.h; i++)
				tui_fill(stdscr, r.y + i, 0, COLS, A_NORMAL);
			tui_put_wrapped(stdscr, r, app->status, sa);
		}
	}
	/* key bar */
	attr_t ba = theme_attr(ROLE_BAR);
	tui_fill(stdscr, LINES - 1, 0, COLS, ba);
	if (app->modal_keys) { /* one key bar: the modal's, in place of the page's */
		char fit[256];
		key_bar_fit(app->modal_keys, COLS - 2, fit, sizeof(fit));
		tui_put(stdscr, LINES - 1, 1, COLS - 2, fit, ba);
		return;
	}
	const char *keys = pg ? (pg->keys ? pg->keys : pg->ops->keys) : NULL;
	static const char app_keys[] = "? help  q/F10 quit ";
	int ax = COLS - (int)strlen(app_keys);
	tui_put(stdscr, LINES - 1, ax, (int)strlen(app_keys), app_keys, ba);
	if (keys && *keys) {
		char fit[256];
		key_bar_fit(keys, ax - 3, fit, sizeof(fit));
		tui_put(stdscr, LINES - 1, 1, ax - 3, fit, ba);
	}
}

void tui_app_set_modal_keys(struct tui_app *app, const char *keys)
{
	app->modal_keys = keys;
}

void tui_app_flush(struct tui_app *app)
{
	(void)app;
	int y, x;
	if (tui_cursor_get(&y, &x)) {
		wmove(stdscr, y, x);
		curs_set(1);
	} else {
		curs_set(0);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

static void wait_input(struct tui_app *app, int timeout)
{
	if (app->io.wait) {
		if (timeout < 0 || timeout > HOOK_MAX_MS)
			timeout = HOOK_MAX_MS;
		app->io.wait(app->io.ctx, app->term.fd, timeout);
		return;
	}
	struct pollfd p[2] = {{app->term.fd, POLLIN, 0}, {term_wake_fd(), POLLIN, 0}};
	poll(p, term_wake_fd() >= 0 ? 2 : 1, timeout);
}

struct tui_event tui_app_next_event(struct tui_app *app)
{
	struct tui_event ev = {ACT_NONE, 0};
	for (;;) {
		term_drain_wake();
		if (app->pending != ACT_NONE) {
			ev.act = app->pending;
			app->pending = ACT_NONE;
			return ev;
		}
		if (term_sigterm()) {
			ev.act = ACT_TERMINATE;
			return ev;
		}
		if (term_take_sigint()) {
			ev.act = ACT_INTERRUPT;
			return ev;
		}
		if (app->wake) {
			app->wake = false;
			ev.act = ACT_TICK;
			return ev;
		}
		wint_t wc;
		int r = wget_wch(stdscr, &wc);
		if (r != ERR) {
			ev = keys_map(r == KEY_CODE_YES, (unsigned int)wc);
			if (ev.act == ACT_RESIZE) {
				update_size(app);
				/* the terminal may have dropped what it showed: repaint it all */
				clearok(curscr, TRUE);
				struct tui_page *pg = cur_page(app);
				if (pg && pg->inited && pg->ops->resize && !app->too_small)
					pg->ops->resize(pg, tui_app_body(app));
			}
			if (ev.act != ACT_NONE)
				return ev;
			continue;
		}
		int timeout = -1;
		if (app->busy) {
			long ms = ms_until(app->next_tick);
			if (ms == 0) {
				app->tick++;
				app->next_tick = now_plus(TICK_MS);
				ev.act = ACT_TICK;
				return ev;
			}
			timeout = (int)ms;
		}
		wait_input(app, timeout);
	}
}

static void finish(struct tui_app *app, int how)
{
	struct tui_page *pg = cur_page(app);
	if (pg && pg->ops->leave)
		pg->ops->leave(pg, how);
	app->running = false;
	app->result = how == TUI_DONE ? app->exit_done : app->exit_quit;
}

static void request_quit(struct tui_app *app, bool force)
{
	if (!force && app->applied) {
		int yes = tui_confirm(app, "Quit?",
		                      "Some changes have already been applied. They stay in place; "
		                      "run the wizard again to continue where you left off.\n\n"
		                      "Quit now?",
		                      false);
		if (yes == 0)
			return;
		app->pending = ACT_NONE; /* an interrupt inside the question means: quit */
	}
	finish(app, TUI_QUIT);
}

static void go(struct tui_app *app, int dir)
{
	int n = find_page(app, app->cur, dir);
	struct tui_page *pg = cur_page(app);
	if (n < 0) {
		if (dir > 0)
			finish(app, TUI_DONE);
		else if (tui_confirm(app, "Quit?", "This is the first page. Quit the wizard?",
		                     false) == 1)
			request_quit(app, true);
		else
			tui_app_status(app, ROLE_NORMAL, "This is the first page.");
		return;
	}
	if (pg && pg->ops->leave)
		pg->ops->leave(pg, dir > 0 ? TUI_NEXT : TUI_BACK);
	enter_page(app, n, dir > 0 ? TUI_NEXT : TUI_BACK);
}

/* An Enter while the page loads is kept (page_ops.loading), and given to the page once it is
 * ready; another key drops it (what Enter would take may change). */
static bool keep_enter(struct tui_app *app, struct tui_page *pg, const struct tui_event *ev)
{
	if (ev->act == ACT_TICK)
		return false;
	app->enter_kept = NULL;
	const char *why =
	    ev->act == ACT_ENTER && pg && pg->ops->loading ? pg->ops->loading(pg) : NULL;
	if (!why)
		return false;
	app->enter_kept = pg;
	tui_app_status(app, ROLE_NORMAL, "%s", why);
	return true;
}

/* After a tick: the kept Enter, when its page is still shown and now ready. */
static int kept_enter_due(struct tui_app *app, int f)
{
	struct tui_page *pg = cur_page(app);
	if (!app->enter_kept || app->enter_kept != pg || !app->running ||
	    (f & (TUI_NEXT | TUI_BACK | TUI_DONE | TUI_QUIT)) || pg->ops->loading(pg))
		return f;
	app->enter_kept = NULL;
	tui_app_status_clear(app);
	const struct tui_event enter = {ACT_ENTER, 0};
	return tui_app_dispatch(app, &enter) | TUI_REDRAW;
}

int tui_app_dispatch(struct tui_app *app, const struct tui_event *ev)
{
	struct tui_page *pg = cur_page(app);
	int f = 0;
	if (ev->act == ACT_RESIZE || ev->act == ACT_NONE)
		return TUI_REDRAW;
	if (app->too_small && ev->act != ACT_TICK && ev->act != ACT_INTERRUPT &&
	    ev->act != ACT_TERMINATE && !(ev->act == ACT_QUIT && ev->ch == 0))
		return 0;
	if (keep_enter(app, pg, ev))
		return TUI_HANDLED | TUI_REDRAW;
	if (pg && pg->ops->on_action)
		f = pg->ops->on_action(pg, ev);
	if (ev->act == ACT_TICK && !(f & (TUI_NEXT | TUI_BACK | TUI_DONE | TUI_QUIT)))
		return kept_enter_due(app, f);
	if (ev->act == ACT_TERMINATE) {
		finish(app, TUI_QUIT);
		return f;
	}
	if (f & TUI_DONE) {
		finish(app, TUI_DONE);
	} else if (f & TUI_QUIT) {
		request_quit(app, false);
	} else if (f & TUI_NEXT) {
		go(app, 1);
	} else if (f & TUI_BACK) {
		go(app, -1);
	} else if (!(f & TUI_HANDLED)) {
		switch (ev->act) {
		case ACT_HELP:
			tui_help(app, pg && pg->ops->title ? pg->ops->title : "Help",
			         pg && pg->ops->help ? pg->ops->help : "No help for this page.");
			break;
		case ACT_BACK:
			go(app, -1);
			break;
		case ACT_QUIT:
		case ACT_INTERRUPT:
			request_quit(app, false);
			break;
		default:
			break;
		}
	}
	return f;
}

int tui_app_run(struct tui_app *app)
{
	int first = find_page(app, -1, 1);
	if (first < 0)
		return app->exit_done;
	enter_page(app, first, TUI_NEXT);
	app->running = true;
	while (app->running) {
		tui_app_draw(app);
		tui_app_flush(app);
		struct tui_event ev = tui_app_next_event(app);
		tui_app_dispatch(app, &ev);
	}
	return app->result;
}

int tui_app_run_editor(struct tui_app *app, const char *path)
{
	int status = term_run_editor(&app->term, path);
	tui_app_draw(app);
	tui_app_flush(app);
	return status;
}
