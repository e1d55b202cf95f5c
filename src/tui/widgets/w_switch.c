/* w_switch.c - on/off switch drawn as a checkbox ("[x]" on, "[ ]" off); Space toggles. */
#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"

void tui_switch_draw(const struct tui_switch *s, WINDOW *w, int y, int x, int width, bool focused)
{
	attr_t a = focused ? theme_attr(ROLE_FOCUS) : A_NORMAL;
	tui_put(w, y, x, 2, focused ? theme_sym(SYM_ARROW) : " ", theme_attr(ROLE_LABEL));
	int n = tui_put(w, y, x + 2, 4, s->on ? "[x] " : "[ ] ", a);
	tui_put(w, y, x + 2 + n, width - 2 - n, s->label, a); /* the box says on or off */
	if (focused)
		tui_cursor_at(y, x + 3);
}

int tui_switch_action(struct tui_switch *s, const struct tui_event *ev)
{
	if (ev->act != ACT_TOGGLE)
		return 0;
	s->on = !s->on;
	return TUI_HANDLED | TUI_REDRAW;
}
