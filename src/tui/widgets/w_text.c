/* w_text.c - text field with an inline validation message. */
#include <stdlib.h>
#include <string.h>

#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"
#include "util/mem.h"
#include "util/str.h"

#define LABEL_W 22

void tui_text_init(struct tui_text *t, const char *label, size_t cap, const char *initial)
{
	memset(t, 0, sizeof(*t));
	t->label = label;
	t->label_w = LABEL_W;
	t->line.cap = cap + 1;
	t->line.buf = xcalloc(1, t->line.cap);
	tui_text_set(t, initial);
}

void tui_text_free(struct tui_text *t)
{
	free(t->line.buf);
	t->line.buf = NULL;
}

const char *tui_text_value(const struct tui_text *t)
{
	return t->line.buf;
}

void tui_text_set(struct tui_text *t, const char *value)
{
	memset(t->line.buf, 0, t->line.cap);
	str_copy(t->line.buf, t->line.cap, value ? value : "");
	t->line.len = strlen(t->line.buf);
	/* never leave half a UTF-8 character after truncation */
	while (t->line.len > 0 && ((unsigned char)t->line.buf[t->line.len - 1] & 0x80) &&
	       !str_is_utf8(t->line.buf, t->line.len))
		t->line.buf[--t->line.len] = '\0';
	t->line.cur = t->line.len;
	t->line.off = 0;
	t->error[0] = '\0';
}

void tui_text_set_validator(struct tui_text *t, tui_validate_fn fn, void *ctx)
{
	t->validate = fn;
	t->vctx = ctx;
}

bool tui_text_check(struct tui_text *t)
{
	t->error[0] = '\0';
	if (!t->validate)
		return true;
	if (t->validate(t->line.buf, t->error, sizeof(t->error), t->vctx))
		return true;
	if (!t->error[0])
		str_copy(t->error, sizeof(t->error), "invalid value");
	return false;
}

/* Scrolls line->off so the cursor is visible in fw columns. */
static void scroll_to_cursor(struct tui_line *l, int fw)
{
	if (l->cur < l->off)
		l->off = l->cur;
	while (l->off < l->cur && tui_width(l->buf + l->off, l->cur - l->off) > fw - 1) {
		size_t k = 1;
		while (l->off + k < l->len && ((unsigned char)l->buf[l->off + k] & 0xC0) == 0x80)
			k++;
		l->off += k;
	}
}

void tui_text_draw(struct tui_text *t, WINDOW *w, int y, int x, int width, bool focused)
{
	int lw = t->label_w;
	attr_t la = theme_attr(ROLE_LABEL);
	if (focused)
		tui_put(w, y, x, 2, theme_sym(SYM_ARROW), la);
	tui_put(w, y, x + 2, lw - 3, t->label, la);
	int fx = x + lw, fw = width - lw;
	if (fw < 4)
		return;
	attr_t fa = focused ? theme_attr(ROLE_FOCUS) : theme_attr(ROLE_FIELD);
	tui_put(w, y, fx - 1, 1, "[", A_NORMAL);
	tui_fill(w, y, fx, fw - 2, fa);
	tui_put(w, y, fx + fw - 2, 1, "]", A_NORMAL);
	scroll_to_cursor(&t->line, fw - 2);
	tui_putn(w, y, fx, fw - 2, t->line.buf + t->line.off, t->line.len - t->line.off, fa);
	if (t->error[0]) {
		tui_put(w, y + 1, fx, fw, theme_sym(SYM_WARN), theme_attr(ROLE_ERROR));
		int n = tui_width(theme_sym(SYM_WARN), strlen(theme_sym(SYM_WARN)));
		tui_put_clipped(w, y + 1, fx + n + 1, fw - n - 1, t->error, theme_attr(ROLE_ERROR));
	} else if (t->hint) {
		tui_put(w, y + 1, fx, fw, t->hint, theme_attr(ROLE_DIM));
	}
	if (focused)
		tui_cursor_at(y,
		              fx + tui_width(t->line.buf + t->line.off, t->line.cur - t->line.off));
}

int tui_text_action(struct tui_text *t, const struct tui_event *ev)
{
	int r = tui_line_action(&t->line, ev);
	if (r == 0)
		return 0;
	if (r == 2)
		tui_text_check(t);
	return TUI_HANDLED | TUI_REDRAW;
}
