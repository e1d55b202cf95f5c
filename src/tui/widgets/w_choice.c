/* w_choice.c - one-row choice field: "Label  < value >"; Left/Right/Space cycle. */
#include <string.h>

#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"

void tui_choice_init(struct tui_choice *c, const char *label, const char *const *items, int n,
                     int sel)
{
	c->label = label;
	c->label_w = 22;
	c->items = items;
	c->n = n;
	c->sel = sel >= 0 && sel < n ? sel : 0;
}

void tui_choice_draw(const struct tui_choice *c, WINDOW *w, int y, int x, int width, bool focused)
{
	int lw = c->label_w;
	attr_t la = theme_attr(ROLE_LABEL);
	if (focused)
		tui_put(w, y, x, 2, theme_sym(SYM_ARROW), la);
	tui_put(w, y, x + 2, lw - 3, c->label, la);
	int fx = x + lw - 1, fw = width - lw + 1;
	if (fw < 6 || c->n <= 0)
		return;
	attr_t fa = focused ? theme_attr(ROLE_FOCUS) : A_NORMAL;
	int n = tui_put(w, y, fx, fw, "< ", fa);
	n += tui_put(w, y, fx + n, fw - n - 2, c->items[c->sel], fa);
	tui_put(w, y, fx + n, fw - n, " >", fa);
	if (c->n > 1)
		tui_put(w, y, fx + n + 3, fw - n - 3, focused ? "(Left/Right change)" : "",
		        theme_attr(ROLE_DIM));
	if (focused)
		tui_cursor_at(y, fx + 2);
}

int tui_choice_action(struct tui_choice *c, const struct tui_event *ev)
{
	if (c->n <= 0)
		return 0;
	switch (ev->act) {
	case ACT_RIGHT:
	case ACT_TOGGLE:
		c->sel = (c->sel + 1) % c->n;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_LEFT:
		c->sel = (c->sel + c->n - 1) % c->n;
		return TUI_HANDLED | TUI_REDRAW;
	default:
		return 0;
	}
}
