/* w_wrap.c - word wrapping of paragraphs into a rectangle. */
#include <string.h>

#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"

int tui_put_wrapped(WINDOW *w, struct tui_rect r, const char *text, attr_t a)
{
	int row = 0;
	const char *p = text ? text : "";
	if (r.w <= 0)
		return 0;
	while (*p) {
		size_t para = strcspn(p, "\n");
		size_t i = 0;
		if (para == 0)
			row++;
		while (i < para) {
			size_t fit = tui_fit(p + i, para - i, r.w);
			size_t take = fit;
			if (i + fit < para) {
				/* break at the last space that fits, if any */
				size_t b = fit;
				while (b > 0 && p[i + b] != ' ')
					b--;
				if (b > 0)
					take = b;
				if (take == 0)
					take = 1;
			}
			if (row < r.h)
				tui_putn(w, r.y + row, r.x, r.w, p + i, take, a);
			row++;
			i += take;
			while (i < para && p[i] == ' ')
				i++;
		}
		p += para;
		if (*p == '\n')
			p++;
	}
	return row;
}
