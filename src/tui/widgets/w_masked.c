/* w_masked.c - masked (secret) field: '*' per character; the value lives in secure memory. */
#include <string.h>

#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"
#include "util/secmem.h"
#include "util/str.h"

void tui_masked_init(struct tui_masked *m, const char *label, size_t cap)
{
	memset(m, 0, sizeof(*m));
	m->label = label;
	m->label_w = 22;
	m->line.cap = cap + 1;
	m->line.buf = secmem_alloc(m->line.cap);
}

void tui_masked_free(struct tui_masked *m)
{
	secmem_free(m->line.buf); /* wipes */
	m->line.buf = NULL;
	m->line.len = m->line.cur = 0;
}

void tui_masked_clear(struct tui_masked *m)
{
	secmem_wipe(m->line.buf, m->line.cap);
	m->line.len = m->line.cur = m->line.off = 0;
}

const char *tui_masked_value(const struct tui_masked *m)
{
	return m->line.buf;
}

size_t tui_masked_len(const struct tui_masked *m)
{
	return m->line.len;
}

void tui_masked_set_error(struct tui_masked *m, const char *msg)
{
	str_copy(m->error, sizeof(m->error), msg ? msg : "");
}

void tui_masked_draw(struct tui_masked *m, WINDOW *w, int y, int x, int width, bool focused)
{
	int lw = m->label_w;
	attr_t la = theme_attr(ROLE_LABEL);
	if (focused)
		tui_put(w, y, x, 2, theme_sym(SYM_ARROW), la);
	tui_put(w, y, x + 2, lw - 3, m->label, la);
	int fx = x + lw, fw = width - lw - 2;
	if (fw < 2)
		return;
	attr_t fa = focused ? theme_attr(ROLE_FOCUS) : theme_attr(ROLE_FIELD);
	tui_put(w, y, fx - 1, 1, "[", A_NORMAL);
	tui_fill(w, y, fx, fw, fa);
	tui_put(w, y, fx + fw, 1, "]", A_NORMAL);
	size_t total = tui_line_chars(m->line.buf, m->line.len);
	size_t before = tui_line_chars(m->line.buf, m->line.cur);
	size_t start = before >= (size_t)fw ? before - (size_t)fw + 1 : 0;
	size_t shown = total - start < (size_t)fw ? total - start : (size_t)fw;
	wattrset(w, fa);
	for (size_t i = 0; i < shown; i++)
		mvwaddch(w, y, fx + (int)i, '*');
	wattrset(w, A_NORMAL);
	if (m->error[0])
		tui_put_clipped(w, y + 1, fx, fw, m->error, theme_attr(ROLE_ERROR));
	if (focused)
		tui_cursor_at(y, fx + (int)(before - start));
}

int tui_masked_action(struct tui_masked *m, const struct tui_event *ev)
{
	int r = tui_line_action(&m->line, ev);
	if (r == 0)
		return 0;
	if (r == 2)
		m->error[0] = '\0';
	return TUI_HANDLED | TUI_REDRAW;
}
