/* theme.c - colour pairs and their monochrome form, symbols, clipped UTF-8 drawing. */
#include <string.h>
#include <wchar.h>

#include "tui/widgets/theme.h"

#include "util/str.h"

struct role_style {
	short fg, bg; /* colour form; -1 = terminal default */
	attr_t cattr; /* attributes added in the colour form */
	attr_t mattr; /* the monochrome form: attributes only */
};

static const struct role_style styles[ROLE_COUNT] = {
    [ROLE_NORMAL] = {-1, -1, 0, 0},
    [ROLE_TITLE] = {COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD},
    [ROLE_BAR] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
    [ROLE_KEY] = {COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE | A_BOLD},
    [ROLE_FOCUS] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
    [ROLE_FIELD] = {-1, -1, A_UNDERLINE, A_UNDERLINE},
    [ROLE_LABEL] = {-1, -1, A_BOLD, A_BOLD},
    [ROLE_DIM] = {-1, -1, A_DIM, A_DIM},
    [ROLE_OK] = {COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [ROLE_WARN] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    [ROLE_ERROR] = {COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [ROLE_MATCH] = {COLOR_BLACK, COLOR_YELLOW, 0, A_REVERSE},
    [ROLE_JSON_KEY] = {COLOR_BLUE, -1, A_BOLD, A_BOLD},
    [ROLE_JSON_STR] = {COLOR_GREEN, -1, 0, 0},
    [ROLE_JSON_NUM] = {COLOR_MAGENTA, -1, 0, 0},
    [ROLE_JSON_LIT] = {COLOR_CYAN, -1, 0, A_UNDERLINE},
    [ROLE_JSON_PUNCT] = {-1, -1, A_DIM, A_DIM},
    [ROLE_DIFF_ADD] = {COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [ROLE_DIFF_DEL] = {COLOR_RED, -1, 0, A_DIM},
    [ROLE_DIFF_HUNK] = {COLOR_CYAN, -1, 0, A_UNDERLINE},
    [ROLE_DIFF_FILE] = {-1, -1, A_BOLD, A_BOLD},
    [ROLE_DIALOG] = {-1, -1, 0, 0},
    [ROLE_UNKNOWN] = {COLOR_MAGENTA, -1, 0, A_DIM},
};

static bool use_color;
static bool use_ascii;
static int cur_y = -1, cur_x = -1;

void theme_init(bool color, bool ascii)
{
	use_ascii = ascii;
	use_color = color && has_colors();
	if (!use_color)
		return;
	start_color();
	use_default_colors();
	for (int r = 1; r < ROLE_COUNT; r++)
		init_pair((short)r, styles[r].fg, styles[r].bg);
}

bool theme_color(void)
{
	return use_color;
}

bool theme_ascii(void)
{
	return use_ascii;
}

attr_t theme_attr(enum tui_role r)
{
	if ((int)r < 0 || r >= ROLE_COUNT)
		return A_NORMAL;
	if (!use_color)
		return styles[r].mattr;
	if (r == ROLE_NORMAL)
		return A_NORMAL;
	return COLOR_PAIR(r) | styles[r].cattr;
}

static const char *const sym_utf8[SYM_COUNT] = {
    [SYM_OK] = "\u2714",   [SYM_RUN] = "\u280b",   [SYM_FAIL] = "\u2718",
    [SYM_SKIP] = "\u2013", [SYM_WAIT] = "\u00b7",  [SYM_RETRY] = "\u21bb",
    [SYM_WARN] = "!",      [SYM_ARROW] = "\u25b8", [SYM_ELLIPSIS] = "\u2026",
    [SYM_TO] = "\u2192",
};
static const char *const sym_ascii[SYM_COUNT] = {
    [SYM_OK] = "[ok]",    [SYM_RUN] = "[..]",   [SYM_FAIL] = "[!!]", [SYM_SKIP] = "[--]",
    [SYM_WAIT] = "[  ]",  [SYM_RETRY] = "[..]", [SYM_WARN] = "[!]",  [SYM_ARROW] = ">",
    [SYM_ELLIPSIS] = "~", [SYM_TO] = "->",
};

const char *theme_sym(enum tui_sym s)
{
	if ((int)s < 0 || s >= SYM_COUNT)
		return "?";
	return use_ascii ? sym_ascii[s] : sym_utf8[s];
}

const char *theme_spinner(unsigned int tick)
{
	static const char *const utf8[] = {"\u280b", "\u2819", "\u2839", "\u2838", "\u283c",
	                                   "\u2834", "\u2826", "\u2827", "\u2807", "\u280f"};
	static const char *const ascii[] = {"|", "/", "-", "\\"};
	if (use_ascii)
		return ascii[tick % 4];
	return utf8[tick % 10];
}

/* Decodes one character at s[0..n): sets *cols (display width, '?' = 1) and *bad when it must
 * be drawn as '?'. Returns its length in bytes (>= 1). */
static size_t next_char(const char *s, size_t n, int *cols, bool *bad)
{
	unsigned char c = (unsigned char)s[0];
	*bad = false;
	*cols = 1;
	if (c < 0x80) {
		*bad = c < 0x20 || c == 0x7f;
		return 1;
	}
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	wchar_t wc;
	size_t k = mbrtowc(&wc, s, n, &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*bad = true;
		return 1;
	}
	int w = wcwidth(wc);
	/* C1 controls and bidi overrides/isolates are drawn as '?' whatever the locale says. */
	if (w < 0 || use_ascii || (wc >= 0x80 && wc <= 0x9F) || str_is_bidi_control((unsigned)wc)) {
		*bad = true;
		return k;
	}
	*cols = w;
	return k;
}

int tui_width(const char *s, size_t n)
{
	int total = 0;
	size_t i = 0;
	while (i < n && s[i]) {
		int cw;
		bool bad;
		i += next_char(s + i, n - i, &cw, &bad);
		total += cw;
	}
	return total;
}

size_t tui_fit(const char *s, size_t n, int cols)
{
	int used = 0;
	size_t i = 0;
	while (i < n && s[i]) {
		int cw;
		bool bad;
		size_t k = next_char(s + i, n - i, &cw, &bad);
		if (used + cw > cols)
			break;
		used += cw;
		i += k;
	}
	return i;
}

int tui_putn(WINDOW *w, int y, int x, int maxw, const char *s, size_t n, attr_t a)
{
	int used = 0;
	size_t i = 0;
	if (maxw <= 0 || !s)
		return 0;
	wattrset(w, a);
	wmove(w, y, x);
	while (i < n && s[i]) {
		int cw;
		bool bad;
		size_t k = next_char(s + i, n - i, &cw, &bad);
		if (used + cw > maxw)
			break;
		if (bad)
			waddch(w, '?');
		else
			waddnstr(w, s + i, (int)k);
		used += cw;
		i += k;
	}
	wattrset(w, A_NORMAL);
	return used;
}

int tui_put(WINDOW *w, int y, int x, int maxw, const char *s, attr_t a)
{
	return tui_putn(w, y, x, maxw, s, s ? strlen(s) : 0, a);
}

int tui_put_clipped(WINDOW *w, int y, int x, int maxw, const char *s, attr_t a)
{
	size_t n = s ? strlen(s) : 0;
	const char *e = theme_sym(SYM_ELLIPSIS);
	int ew = tui_width(e, strlen(e));
	if (tui_width(s, n) <= maxw || maxw <= ew)
		return tui_putn(w, y, x, maxw, s, n, a);
	int used = tui_putn(w, y, x, maxw - ew, s, tui_fit(s, n, maxw - ew), a);
	return used + tui_put(w, y, x + used, ew, e, a);
}

void tui_fill(WINDOW *w, int y, int x, int cols, attr_t a)
{
	if (cols <= 0)
		return;
	wattrset(w, a);
	mvwhline(w, y, x, ' ', cols);
	wattrset(w, A_NORMAL);
}

void tui_hline(WINDOW *w, int y, int x, int cols, attr_t a)
{
	for (int i = 0; i < cols; i++)
		tui_put(w, y, x + i, 1, use_ascii ? "-" : "\u2500", a);
}

void tui_box(WINDOW *w, int y, int x, int h, int wd, const char *title, attr_t a)
{
	const char *hz = use_ascii ? "-" : "\u2500", *vt = use_ascii ? "|" : "\u2502";
	const char *tl = use_ascii ? "+" : "\u250c", *tr = use_ascii ? "+" : "\u2510";
	const char *bl = use_ascii ? "+" : "\u2514", *br = use_ascii ? "+" : "\u2518";
	if (h < 2 || wd < 2)
		return;
	tui_put(w, y, x, 1, tl, a);
	tui_put(w, y, x + wd - 1, 1, tr, a);
	tui_put(w, y + h - 1, x, 1, bl, a);
	tui_put(w, y + h - 1, x + wd - 1, 1, br, a);
	for (int i = 1; i < wd - 1; i++) {
		tui_put(w, y, x + i, 1, hz, a);
		tui_put(w, y + h - 1, x + i, 1, hz, a);
	}
	for (int j = 1; j < h - 1; j++) {
		tui_put(w, y + j, x, 1, vt, a);
		tui_put(w, y + j, x + wd - 1, 1, vt, a);
	}
	if (title && *title) {
		tui_put(w, y, x + 2, 1, " ", a);
		int n = tui_put(w, y, x + 3, wd - 6, title, a | A_BOLD);
		tui_put(w, y, x + 3 + n, 1, " ", a);
	}
}

void tui_cursor_at(int y, int x)
{
	cur_y = y;
	cur_x = x;
}

void tui_cursor_reset(void)
{
	cur_y = cur_x = -1;
}

bool tui_cursor_get(int *y, int *x)
{
	if (cur_y < 0)
		return false;
	*y = cur_y;
	*x = cur_x;
	return true;
}
