/* modal.c - modal dialogs (confirm, message box, help overlay, line and masked prompts, text
 * viewer) and the text view's search: each runs a nested loop on the app's event source, so
 * they belong to the app layer, above the widgets they draw with. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "tui/modal.h"
#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"
#include "util/str.h"

#define CONTINUE INT_MIN

typedef void (*modal_draw_fn)(void *ctx);
typedef int (*modal_key_fn)(void *ctx, const struct tui_event *ev);

/* Nested loop on the app's event source; returns key()'s result, or -1 on an interrupt
 * (re-posted to the main loop). */
static int modal_run(struct tui_app *app, modal_draw_fn draw, modal_key_fn key, void *ctx)
{
	for (;;) {
		tui_app_draw(app);
		if (!tui_app_too_small(app)) {
			tui_cursor_reset();
			draw(ctx);
		}
		tui_app_flush(app);
		struct tui_event ev = tui_app_next_event(app);
		switch (ev.act) {
		case ACT_NONE:
		case ACT_RESIZE:
			continue;
		case ACT_TICK:
			tui_app_dispatch(app, &ev);
			continue;
		case ACT_INTERRUPT:
		case ACT_TERMINATE:
			tui_app_repost(app, ev.act);
			return -1;
		default:
			break;
		}
		if (tui_app_too_small(app))
			continue;
		int r = key(ctx, &ev);
		if (r != CONTINUE)
			return r;
	}
}

struct box {
	const char *title, *text;
	const char *buttons[2];
	int nbuttons, focus;
	const char *footer;
	int maxw;
};

static void box_draw(void *ctx)
{
	struct box *b = ctx;
	int bw = COLS - 4 < b->maxw ? COLS - 4 : b->maxw;
	struct tui_rect tr = {0, 0, 0, bw - 4};
	int th = tui_put_wrapped(stdscr, tr, b->text, A_NORMAL); /* h = 0: measures only */
	int extra = b->nbuttons || b->footer ? 4 : 2;
	int bh = th + extra;
	if (bh > LINES - 2)
		bh = LINES - 2;
	int y = (LINES - bh) / 2, x = (COLS - bw) / 2;
	attr_t da = theme_attr(ROLE_DIALOG);
	for (int i = 0; i < bh; i++)
		tui_fill(stdscr, y + i, x, bw, da);
	tui_box(stdscr, y, x, bh, bw, b->title, theme_attr(ROLE_LABEL));
	struct tui_rect in = {y + 1, x + 2, bh - extra, bw - 4};
	tui_put_wrapped(stdscr, in, b->text, da);
	if (b->footer)
		tui_put(stdscr, y + bh - 2, x + 2, bw - 4, b->footer, theme_attr(ROLE_DIM));
	int bx = x + bw / 2 - 9 * b->nbuttons / 2;
	for (int i = 0; i < b->nbuttons; i++) {
		char label[32];
		bool f = i == b->focus;
		/* focus is shown by markers as well as by colour */
		snprintf(label, sizeof(label), f ? "> %s <" : "  %s  ", b->buttons[i]);
		tui_put(stdscr, y + bh - 2, bx, 9, label, f ? theme_attr(ROLE_FOCUS) : A_NORMAL);
		if (f)
			tui_cursor_at(y + bh - 2, bx + 2);
		bx += 10;
	}
}

static int confirm_key(void *ctx, const struct tui_event *ev)
{
	struct box *b = ctx;
	if (ev->ch == 'y' || ev->ch == 'Y')
		return 1;
	if (ev->ch == 'n' || ev->ch == 'N')
		return 0;
	switch (ev->act) {
	case ACT_LEFT:
	case ACT_RIGHT:
	case ACT_NEXT:
	case ACT_PREV:
	case ACT_UP:
	case ACT_DOWN:
		b->focus = !b->focus;
		return CONTINUE;
	case ACT_ENTER:
	case ACT_TOGGLE:
		return b->focus == 0 ? 1 : 0;
	case ACT_BACK:
	case ACT_QUIT:
		return 0;
	default:
		return CONTINUE;
	}
}

int tui_confirm(struct tui_app *app, const char *title, const char *text, bool default_yes)
{
	struct box b = {title, text, {"Yes", "No"}, 2, default_yes ? 0 : 1, NULL, 64};
	return modal_run(app, box_draw, confirm_key, &b);
}

static int message_key(void *ctx, const struct tui_event *ev)
{
	(void)ctx;
	switch (ev->act) {
	case ACT_ENTER:
	case ACT_TOGGLE:
	case ACT_BACK:
	case ACT_QUIT:
		return 0;
	default:
		return CONTINUE;
	}
}

void tui_message(struct tui_app *app, const char *title, const char *text)
{
	struct box b = {title, text, {"OK", NULL}, 1, 0, NULL, 64};
	modal_run(app, box_draw, message_key, &b);
}

static int any_key(void *ctx, const struct tui_event *ev)
{
	(void)ctx;
	(void)ev;
	return 0;
}

void tui_help(struct tui_app *app, const char *title, const char *text)
{
	char t[96];
	snprintf(t, sizeof(t), "Help: %s", title ? title : "");
	struct box b = {t, text, {NULL, NULL}, 0, 0, "Press any key to close.", 76};
	modal_run(app, box_draw, any_key, &b);
}

struct prompt {
	const char *label;
	struct tui_line line;
};

static void prompt_draw(void *ctx)
{
	struct prompt *p = ctx;
	int y = LINES - 2;
	tui_fill(stdscr, y, 0, COLS, A_NORMAL);
	int n = tui_put(stdscr, y, 1, COLS - 2, p->label, theme_attr(ROLE_LABEL));
	int fw = COLS - 2 - n;
	size_t off = 0;
	while (off < p->line.cur && tui_width(p->line.buf + off, p->line.cur - off) > fw - 1)
		off++;
	tui_putn(stdscr, y, 1 + n, fw, p->line.buf + off, p->line.len - off, A_NORMAL);
	tui_cursor_at(y, 1 + n + tui_width(p->line.buf + off, p->line.cur - off));
}

static int prompt_key(void *ctx, const struct tui_event *ev)
{
	struct prompt *p = ctx;
	if (tui_line_action(&p->line, ev))
		return CONTINUE;
	if (ev->act == ACT_ENTER)
		return 1;
	if (ev->act == ACT_BACK)
		return 0;
	return CONTINUE;
}

bool tui_prompt(struct tui_app *app, const char *label, char *out, size_t outsz)
{
	char buf[256];
	memset(buf, 0, sizeof(buf));
	struct prompt p = {label, {buf, sizeof(buf), 0, 0, 0}};
	int r = modal_run(app, prompt_draw, prompt_key, &p);
	if (r == 1)
		str_copy(out, outsz, buf);
	else if (outsz)
		out[0] = '\0';
	return r == 1;
}

struct masked_prompt {
	const char *title, *text;
	struct tui_masked *m;
};

static void masked_prompt_draw(void *ctx)
{
	struct masked_prompt *p = ctx;
	int bw = COLS - 4 < 64 ? COLS - 4 : 64;
	struct tui_rect tr = {0, 0, 0, bw - 4};
	int th = tui_put_wrapped(stdscr, tr, p->text, A_NORMAL); /* h = 0: measures only */
	int bh = th + 6;                                         /* text, gap, field, error, keys */
	if (bh > LINES - 2)
		bh = LINES - 2;
	int y = (LINES - bh) / 2, x = (COLS - bw) / 2;
	attr_t da = theme_attr(ROLE_DIALOG);
	for (int i = 0; i < bh; i++)
		tui_fill(stdscr, y + i, x, bw, da);
	tui_box(stdscr, y, x, bh, bw, p->title, theme_attr(ROLE_LABEL));
	struct tui_rect in = {y + 1, x + 2, bh - 6, bw - 4};
	tui_put_wrapped(stdscr, in, p->text, da);
	tui_put(stdscr, y + bh - 2, x + 2, bw - 4, "Enter OK  Esc cancel", theme_attr(ROLE_DIM));
	/* drawn last: it places the cursor */
	tui_masked_draw(p->m, stdscr, y + bh - 4, x + 1, bw - 2, true);
}

static int masked_prompt_key(void *ctx, const struct tui_event *ev)
{
	struct masked_prompt *p = ctx;
	if (tui_masked_action(p->m, ev))
		return CONTINUE;
	if (ev->act == ACT_ENTER)
		return 1;
	if (ev->act == ACT_BACK)
		return 0;
	return CONTINUE;
}

bool tui_prompt_masked(struct tui_app *app, const char *title, const char *text,
                       struct tui_masked *m)
{
	struct masked_prompt p = {title, text, m};
	int r = modal_run(app, masked_prompt_draw, masked_prompt_key, &p);
	if (r != 1)
		tui_masked_clear(m);
	return r == 1;
}

struct show_text {
	const char *title;
	struct tui_view v;
	struct tui_app *app;
};

static void show_text_draw(void *ctx)
{
	struct show_text *t = ctx;
	struct tui_rect r = {1, 1, LINES - 3, COLS - 2}; /* between the title and status lines */
	for (int i = 0; i < r.h; i++)
		tui_fill(stdscr, r.y + i, r.x, r.w, A_NORMAL);
	tui_view_draw_boxed(&t->v, stdscr, r, t->title, true);
}

static int show_text_key(void *ctx, const struct tui_event *ev)
{
	struct show_text *t = ctx;
	switch (ev->act) {
	case ACT_ENTER:
	case ACT_BACK:
	case ACT_QUIT:
		return 0;
	default:
		tui_view_action(&t->v, t->app, ev);
		return CONTINUE;
	}
}

void tui_show_text(struct tui_app *app, const char *title, const char *text)
{
	struct show_text t = {title, {0}, app};
	tui_view_init(&t.v, NULL, text);
	/* its keys in the key bar (the page's keys do not apply under it) */
	tui_app_set_modal_keys(app, "Up/Down PgUp/PgDn scroll  / search  Enter or Esc close");
	modal_run(app, show_text_draw, show_text_key, &t);
	tui_app_set_modal_keys(app, NULL);
	tui_view_free(&t.v);
}

struct pick {
	const char *title, *text, *empty;
	const char *const *rows;
	const bool *marked;
	int n, cur, top, page;
};

static void pick_draw(void *ctx)
{
	struct pick *p = ctx;
	int bw = COLS - 4 < 76 ? COLS - 4 : 76;
	struct tui_rect tr = {0, 0, 0, bw - 4};
	int th = p->text ? tui_put_wrapped(stdscr, tr, p->text, A_NORMAL) + 1 : 0;
	int want = p->n ? p->n : 1;
	int room = LINES - 5 - th; /* borders, the position row, the status and key rows */
	p->page = want < room ? want : (room > 1 ? room : 1);
	int bh = th + p->page + 3; /* the last inner row: "1-13 of 52" when it scrolls */
	int y = (LINES - bh) / 2, x = (COLS - bw) / 2;
	attr_t da = theme_attr(ROLE_DIALOG);
	for (int i = 0; i < bh; i++)
		tui_fill(stdscr, y + i, x, bw, da);
	tui_box(stdscr, y, x, bh, bw, p->title, theme_attr(ROLE_LABEL));
	if (p->text) {
		struct tui_rect in = {y + 1, x + 2, th - 1, bw - 4};
		tui_put_wrapped(stdscr, in, p->text, da);
	}
	int ly = y + 1 + th;
	if (!p->n) {
		tui_put(stdscr, ly, x + 2, bw - 4, p->empty ? p->empty : "(none)",
		        theme_attr(ROLE_DIM));
		return;
	}
	if (p->cur < p->top)
		p->top = p->cur;
	if (p->cur >= p->top + p->page)
		p->top = p->cur - p->page + 1;
	for (int i = 0; i < p->page && p->top + i < p->n; i++) {
		int k = p->top + i;
		bool f = k == p->cur;
		char line[300];
		snprintf(line, sizeof(line), "%s %s", f ? ">" : " ", p->rows[k]);
		attr_t a = f                           ? theme_attr(ROLE_FOCUS)
		           : p->marked && p->marked[k] ? theme_attr(ROLE_WARN)
		                                       : da;
		tui_put(stdscr, ly + i, x + 2, bw - 4, line, a);
		if (f)
			tui_cursor_at(ly + i, x + 2);
	}
	if (p->n > p->page) {
		char pos[48];
		snprintf(pos, sizeof(pos), "%d-%d of %d", p->top + 1,
		         p->top + p->page < p->n ? p->top + p->page : p->n, p->n);
		tui_put(stdscr, y + bh - 2, x + bw - 2 - (int)strlen(pos), (int)strlen(pos), pos,
		        theme_attr(ROLE_DIM));
	}
}

static int pick_key(void *ctx, const struct tui_event *ev)
{
	struct pick *p = ctx;
	int last = p->n - 1;
	switch (ev->act) {
	case ACT_UP:
		p->cur = p->cur > 0 ? p->cur - 1 : 0;
		return CONTINUE;
	case ACT_DOWN:
		p->cur = p->cur < last ? p->cur + 1 : last;
		return CONTINUE;
	case ACT_PGUP:
		p->cur = p->cur > p->page ? p->cur - p->page : 0;
		return CONTINUE;
	case ACT_PGDN:
		p->cur = p->cur + p->page < last ? p->cur + p->page : last;
		return CONTINUE;
	case ACT_HOME:
		p->cur = 0;
		return CONTINUE;
	case ACT_END:
		p->cur = last;
		return CONTINUE;
	case ACT_ENTER:
		return p->n ? p->cur : -2;
	case ACT_BACK:
	case ACT_QUIT:
		return -2;
	default:
		return CONTINUE;
	}
}

int tui_pick(struct tui_app *app, const char *title, const char *text, const char *const *rows,
             const bool *marked, int n, int sel, const char *empty)
{
	struct pick p = {title, text, empty, rows, marked, n, sel >= 0 && sel < n ? sel : 0, 0, 1};
	tui_app_set_modal_keys(app, n ? "Up/Down choose  Enter pick  Esc close" : "Esc close");
	int r = modal_run(app, pick_draw, pick_key, &p);
	tui_app_set_modal_keys(app, NULL);
	return r;
}

int tui_view_action(struct tui_view *v, struct tui_app *app, const struct tui_event *ev)
{
	if (ev->act != ACT_SEARCH && ev->act != ACT_SEARCH_NEXT)
		return tui_view_scroll(v, ev);
	if (ev->act == ACT_SEARCH) {
		char term[128];
		if (!tui_prompt(app, "Search: ", term, sizeof(term)) || !term[0])
			return TUI_HANDLED | TUI_REDRAW;
		if (tui_view_find(v, term, false))
			tui_app_status(app, ROLE_NORMAL, "found \"%s\" on line %zu (n: next)",
			               v->search, v->mline + 1);
		else
			tui_app_status(app, ROLE_WARN, "no match for \"%s\"", v->search);
	} else if (!v->search[0]) {
		tui_app_status(app, ROLE_NORMAL, "no search yet; / searches");
	} else if (tui_view_find(v, v->search, true)) {
		tui_app_status(app, ROLE_NORMAL, "found \"%s\" on line %zu (n: next)", v->search,
		               v->mline + 1);
	} else {
		tui_app_status(app, ROLE_WARN, "no match for \"%s\"", v->search);
	}
	tui_view_settle(v);
	return TUI_HANDLED | TUI_REDRAW;
}
