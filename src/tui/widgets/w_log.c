/* w_log.c - log pane: ring buffer of lines, newest at the bottom. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"
#include "util/mem.h"

void tui_log_init(struct tui_log *l, size_t cap)
{
	memset(l, 0, sizeof(*l));
	l->cap = cap ? cap : 500;
	l->ring = xcalloc(l->cap, sizeof(*l->ring));
}

void tui_log_free(struct tui_log *l)
{
	for (size_t i = 0; i < l->cap && l->ring; i++)
		free(l->ring[i]);
	free(l->ring);
	memset(l, 0, sizeof(*l));
}

void tui_log_add(struct tui_log *l, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t slot = (l->head + l->count) % l->cap;
	if (l->count == l->cap) {
		slot = l->head;
		l->head = (l->head + 1) % l->cap;
	} else {
		l->count++;
	}
	free(l->ring[slot]);
	l->ring[slot] = xstrdup(buf);
	if (l->back && l->back < l->count)
		l->back++; /* keep the scrolled-back view still */
}

const char *tui_log_line(const struct tui_log *l, size_t i)
{
	if (i >= l->count)
		return NULL;
	return l->ring[(l->head + i) % l->cap];
}

void tui_log_draw(struct tui_log *l, WINDOW *w, struct tui_rect r)
{
	if (r.h <= 0)
		return;
	if (l->back > l->count)
		l->back = l->count;
	size_t end = l->count - l->back;
	size_t start = end > (size_t)r.h ? end - (size_t)r.h : 0;
	for (size_t i = start; i < end; i++)
		tui_put_clipped(w, r.y + (int)(i - start), r.x, r.w, tui_log_line(l, i), A_NORMAL);
}

int tui_log_action(struct tui_log *l, const struct tui_event *ev)
{
	switch (ev->act) {
	case ACT_UP:
		l->back++;
		break;
	case ACT_DOWN:
		if (l->back)
			l->back--;
		break;
	case ACT_PGUP:
		l->back += 10;
		break;
	case ACT_PGDN:
		l->back = l->back > 10 ? l->back - 10 : 0;
		break;
	case ACT_HOME:
		l->back = l->count;
		break;
	case ACT_END:
		l->back = 0;
		break;
	default:
		return 0;
	}
	if (l->back > l->count)
		l->back = l->count;
	return TUI_HANDLED | TUI_REDRAW;
}
