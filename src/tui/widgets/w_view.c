/* w_view.c - scrolling text view with word wrapping, per-byte roles and search. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/modal.h"
#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"
#include "util/mem.h"
#include "util/str.h"

static void free_lines(struct tui_view *v)
{
	for (size_t i = 0; i < v->nlines; i++)
		free(v->lines[i]);
	free(v->lines);
	v->lines = NULL;
	v->nlines = 0;
	free(v->rows);
	v->rows = NULL;
	v->nrows = 0;
	v->width = 0;
}

void tui_view_init(struct tui_view *v, tui_style_fn style, const char *text)
{
	memset(v, 0, sizeof(*v));
	v->style = style;
	tui_view_set_text(v, text);
}

void tui_view_set_text(struct tui_view *v, const char *text)
{
	size_t keep = v->aline;
	free_lines(v);
	size_t count = 0;
	char **list = str_split(text ? text : "", '\n', &count);
	/* a trailing newline does not make an empty last line */
	if (count > 1 && list[count - 1][0] == '\0') {
		free(list[count - 1]);
		list[--count] = NULL;
	}
	v->lines = list;
	v->nlines = count;
	v->match = false;
	v->aline = keep < count ? keep : 0;
	v->aoff = 0;
	v->top = 0;
}

void tui_view_free(struct tui_view *v)
{
	free_lines(v);
}

/* Wraps every logical line for width columns; keeps the logical line at the top in view. */
static void layout(struct tui_view *v, int width)
{
	size_t top_line = v->aline, top_off = v->aoff;
	free(v->rows);
	v->rows = NULL;
	v->nrows = 0;
	size_t cap = 0;
	for (size_t i = 0; i < v->nlines; i++) {
		const char *s = v->lines[i];
		size_t len = strlen(s), pos = 0;
		do {
			size_t fit = tui_fit(s + pos, len - pos, width);
			if (fit == 0 && pos < len)
				fit = 1;
			if (pos + fit < len && s[pos + fit] != ' ') {
				/* never split a word: break after the last space that fits */
				size_t b = fit;
				while (b > 0 && s[pos + b - 1] != ' ')
					b--;
				if (b > 0)
					fit = b;
			}
			if (v->nrows == cap) {
				cap = cap ? cap * 2 : 64;
				v->rows = xrealloc(v->rows, cap * sizeof(*v->rows));
			}
			v->rows[v->nrows].line = i;
			v->rows[v->nrows].start = pos;
			v->rows[v->nrows].end = pos + fit;
			v->nrows++;
			pos += fit;
		} while (pos < len);
	}
	v->width = width;
	v->top = 0;
	for (size_t r = 0; r < v->nrows; r++) {
		if (v->rows[r].line == top_line && v->rows[r].start <= top_off)
			v->top = r;
		if (v->rows[r].line > top_line)
			break;
	}
}

static size_t max_top(const struct tui_view *v)
{
	return v->nrows > (size_t)v->height ? v->nrows - (size_t)v->height : 0;
}

static void clamp(struct tui_view *v)
{
	if (v->top > max_top(v))
		v->top = max_top(v);
}

/* ASCII case-insensitive search of needle in hay[from..len). */
static const char *find_ci(const char *hay, size_t from, const char *needle)
{
	size_t n = strlen(needle), len = strlen(hay);
	if (n == 0)
		return NULL;
	for (size_t i = from; i + n <= len; i++) {
		size_t k = 0;
		while (k < n &&
		       tolower((unsigned char)hay[i + k]) == tolower((unsigned char)needle[k]))
			k++;
		if (k == n)
			return hay + i;
	}
	return NULL;
}

void tui_view_draw(struct tui_view *v, WINDOW *w, struct tui_rect r)
{
	if (r.w <= 0 || r.h <= 0)
		return;
	if (v->width != r.w)
		layout(v, r.w);
	v->height = r.h;
	clamp(v);
	unsigned char *roles = NULL;
	size_t roles_line = (size_t)-1;
	for (int y = 0; y < r.h && v->top + (size_t)y < v->nrows; y++) {
		const struct tui_vrow *row = &v->rows[v->top + (size_t)y];
		const char *s = v->lines[row->line];
		size_t len = strlen(s);
		if (!roles || roles_line != row->line) {
			free(roles);
			roles = xcalloc(len + 1, 1);
			if (v->style)
				v->style(s, len, roles);
			/* search matches override the syntax roles */
			if (v->search[0]) {
				size_t n = strlen(v->search);
				const char *m = s;
				while ((m = find_ci(s, (size_t)(m - s), v->search)) != NULL) {
					memset(roles + (m - s), ROLE_MATCH, n);
					m += n;
				}
			}
			roles_line = row->line;
		}
		int x = 0;
		size_t i = row->start;
		while (i < row->end) {
			size_t j = i + 1;
			while (j < row->end && roles[j] == roles[i])
				j++;
			attr_t a = theme_attr((enum tui_role)roles[i]);
			x += tui_putn(w, r.y + y, r.x + x, r.w - x, s + i, j - i, a);
			i = j;
		}
	}
	free(roles);
}

void tui_view_draw_boxed(struct tui_view *v, WINDOW *w, struct tui_rect r, const char *title,
                         bool focused)
{
	attr_t ba = focused ? theme_attr(ROLE_LABEL) : theme_attr(ROLE_DIM);
	tui_box(w, r.y, r.x, r.h, r.w, title, ba);
	struct tui_rect in = {r.y + 1, r.x + 2, r.h - 2, r.w - 3};
	tui_view_draw(v, w, in);
	char pos[64];
	size_t last = v->top + (size_t)v->height;
	if (last > v->nrows)
		last = v->nrows;
	snprintf(pos, sizeof(pos), " lines %zu-%zu of %zu ", v->nrows ? v->top + 1 : 0, last,
	         v->nrows);
	int len = (int)strlen(pos);
	if (r.w > len + 4)
		tui_put(w, r.y + r.h - 1, r.x + r.w - len - 2, len, pos, ba);
}

/* The user moved: remember the text at the top for later layouts. */
static void set_anchor(struct tui_view *v)
{
	if (v->top < v->nrows) {
		v->aline = v->rows[v->top].line;
		v->aoff = v->rows[v->top].start;
	}
}

static void scroll_to_match(struct tui_view *v)
{
	if (v->width <= 0)
		return;
	for (size_t r = 0; r < v->nrows; r++) {
		if (v->rows[r].line == v->mline && v->moff >= v->rows[r].start &&
		    (v->moff < v->rows[r].end || v->rows[r].end == v->rows[r].start)) {
			if (r < v->top || r >= v->top + (size_t)v->height)
				v->top = r > 2 ? r - 2 : 0;
			clamp(v);
			set_anchor(v);
			return;
		}
	}
}

bool tui_view_find(struct tui_view *v, const char *term, bool next)
{
	if (term != v->search)
		str_copy(v->search, sizeof(v->search), term);
	if (!v->search[0] || v->nlines == 0)
		return false;
	size_t line, off;
	if (next && v->match) {
		line = v->mline;
		off = v->moff + 1;
	} else {
		line = v->nrows ? v->rows[v->top < v->nrows ? v->top : 0].line : 0;
		off = 0;
	}
	for (size_t k = 0; k <= v->nlines; k++) {
		size_t l = (line + k) % v->nlines;
		const char *m = find_ci(v->lines[l], k == 0 ? off : 0, v->search);
		if (m) {
			v->mline = l;
			v->moff = (size_t)(m - v->lines[l]);
			v->match = true;
			scroll_to_match(v);
			return true;
		}
	}
	v->match = false;
	return false;
}

/* Scrolling keys; search (ACT_SEARCH, ACT_SEARCH_NEXT) needs a prompt and the status line,
 * so the app layer handles it (modal.c tui_view_action) and calls this for the rest. */
int tui_view_scroll(struct tui_view *v, const struct tui_event *ev)
{
	size_t page = v->height > 1 ? (size_t)v->height - 1 : 1;
	switch (ev->act) {
	case ACT_UP:
		if (v->top > 0)
			v->top--;
		break;
	case ACT_DOWN:
		v->top++;
		break;
	case ACT_PGUP:
		v->top = v->top > page ? v->top - page : 0;
		break;
	case ACT_PGDN:
		v->top += page;
		break;
	case ACT_HOME:
		v->top = 0;
		break;
	case ACT_END:
		v->top = max_top(v);
		break;
	default:
		return 0;
	}
	clamp(v);
	set_anchor(v);
	return TUI_HANDLED | TUI_REDRAW;
}

void tui_view_settle(struct tui_view *v)
{
	clamp(v);
	set_anchor(v);
}
