/* w_line.c - single-line editing on a fixed buffer, by characters (UTF-8 aware). */
#include <limits.h>
#include <string.h>
#include <wchar.h>

#include "tui/widgets/widgets.h"
#include "util/secmem.h"

static size_t char_len(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if ((unsigned char)s[0] < 0x80)
		return 1;
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	size_t k = mbrtowc(NULL, s, n, &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
		return 1;
	return k;
}

static size_t prev_pos(const struct tui_line *l, size_t pos)
{
	if (pos == 0)
		return 0;
	size_t p = pos - 1;
	while (p > 0 && ((unsigned char)l->buf[p] & 0xC0) == 0x80)
		p--;
	return p;
}

size_t tui_line_chars(const char *s, size_t n)
{
	size_t i = 0, c = 0;
	while (i < n) {
		i += char_len(s + i, n - i);
		c++;
	}
	return c;
}

static int insert(struct tui_line *l, wchar_t wc)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	size_t k = wcrtomb(mb, wc, &st);
	if (k == (size_t)-1 || k == 0 || l->len + k + 1 > l->cap)
		return 1; /* not representable, or full: consumed without change */
	memmove(l->buf + l->cur + k, l->buf + l->cur, l->len - l->cur + 1);
	memcpy(l->buf + l->cur, mb, k);
	secmem_wipe(mb, sizeof(mb)); /* the character may belong to a secret */
	l->len += k;
	l->cur += k;
	return 2;
}

int tui_line_action(struct tui_line *l, const struct tui_event *ev)
{
	if (ev->ch)
		return insert(l, ev->ch);
	switch (ev->act) {
	case ACT_LEFT:
		l->cur = prev_pos(l, l->cur);
		return 1;
	case ACT_RIGHT:
		l->cur += char_len(l->buf + l->cur, l->len - l->cur);
		return 1;
	case ACT_HOME:
		l->cur = 0;
		return 1;
	case ACT_END:
		l->cur = l->len;
		return 1;
	case ACT_BACKSPACE: {
		if (l->cur == 0)
			return 1;
		size_t p = prev_pos(l, l->cur);
		memmove(l->buf + p, l->buf + l->cur, l->len - l->cur + 1);
		l->len -= l->cur - p;
		l->cur = p;
		memset(l->buf + l->len, 0, l->cap - l->len);
		return 2;
	}
	case ACT_DELETE: {
		if (l->cur >= l->len)
			return 1;
		size_t k = char_len(l->buf + l->cur, l->len - l->cur);
		memmove(l->buf + l->cur, l->buf + l->cur + k, l->len - l->cur - k + 1);
		l->len -= k;
		memset(l->buf + l->len, 0, l->cap - l->len);
		return 2;
	}
	case ACT_KILL_LINE:
		memset(l->buf, 0, l->cap);
		l->len = l->cur = l->off = 0;
		return 2;
	default:
		return 0;
	}
}
