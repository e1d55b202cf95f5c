/* w_radio.c - radio list: one choice among items, each with an optional note. The (*) mark
 * follows the cursor, so what Enter takes is what is marked. */
#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"

void tui_radio_init(struct tui_radio *r, const struct tui_radio_item *items, int n, int selected)
{
	r->items = items;
	r->n = n;
	r->selected = selected >= 0 && selected < n ? selected : 0;
	r->cursor = r->selected;
}

int tui_radio_draw(struct tui_radio *r, WINDOW *w, int y, int x, int width, bool focused)
{
	int row = 0;
	for (int i = 0; i < r->n; i++) {
		bool cur = focused && i == r->cursor;
		attr_t a = cur ? theme_attr(ROLE_FOCUS) : A_NORMAL;
		tui_put(w, y + row, x, 2, cur ? theme_sym(SYM_ARROW) : " ", theme_attr(ROLE_LABEL));
		int n = tui_put(w, y + row, x + 2, 4, i == r->selected ? "(*) " : "( ) ", a);
		tui_put(w, y + row, x + 2 + n, width - 2 - n, r->items[i].label, a);
		if (cur)
			tui_cursor_at(y + row, x + 3);
		row++;
		if (r->items[i].note && *r->items[i].note) {
			struct tui_rect nr = {y + row, x + 6, 4, width - 6};
			row += tui_put_wrapped(w, nr, r->items[i].note, theme_attr(ROLE_DIM));
		}
	}
	return row;
}

int tui_radio_action(struct tui_radio *r, const struct tui_event *ev)
{
	switch (ev->act) {
	case ACT_UP:
		if (r->cursor == 0)
			return 0;
		r->selected = --r->cursor;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_DOWN:
		if (r->cursor >= r->n - 1)
			return 0;
		r->selected = ++r->cursor;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_HOME:
		r->selected = r->cursor = 0;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_END:
		r->selected = r->cursor = r->n - 1;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_TOGGLE:
		r->selected = r->cursor;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_ENTER:
		r->selected = r->cursor;
		return 0;
	default:
		return 0;
	}
}
