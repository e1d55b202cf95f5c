/* w_strength.c - the live strength meter of a new vault passphrase (vault/strength.h). */
#include <stdio.h>

#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"
#include "vault/strength.h"

#define METER_CELLS 20

int tui_strength_draw(WINDOW *w, int y, int x, int width, const char *pass)
{
	const int lw = 22; /* as the fields' labels */
	struct vault_strength s;
	vault_passphrase_strength(pass, &s);
	bool empty = !pass || !*pass;
	attr_t la = theme_attr(ROLE_LABEL);
	tui_put(w, y, x + 2, lw - 3, "Strength", la);
	int fx = x + lw;
	if (width - lw - 2 < METER_CELLS + 14)
		return 1;
	int filled = empty ? 0 : (s.score + 1) * METER_CELLS / 5;
	attr_t ba = theme_attr(s.score >= VAULT_STRENGTH_MIN ? ROLE_OK : ROLE_ERROR);
	char bar[METER_CELLS + 1];
	for (int i = 0; i < METER_CELLS; i++)
		bar[i] = i < filled ? '#' : '-';
	bar[METER_CELLS] = '\0';
	tui_put(w, y, fx - 1, 1, "[", A_NORMAL);
	tui_putn(w, y, fx, filled, bar, (size_t)filled, ba | A_BOLD);
	tui_put(w, y, fx + filled, METER_CELLS - filled, bar + filled, theme_attr(ROLE_DIM));
	tui_put(w, y, fx + METER_CELLS, 1, "]", A_NORMAL);
	char word[64];
	snprintf(word, sizeof(word), "%s", empty ? "type a passphrase" : s.label);
	tui_put(w, y, fx + METER_CELLS + 2, width - lw - METER_CELLS - 4, word,
	        empty ? theme_attr(ROLE_DIM) : ba);
	if (empty || s.score >= VAULT_STRENGTH_MIN)
		return 1;
	struct tui_rect r = {y + 1, fx, 3, width - lw - 2};
	return 1 + tui_put_wrapped(w, r, s.hint, theme_attr(ROLE_WARN));
}
