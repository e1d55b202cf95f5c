#include "util/str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

size_t str_copy(char *dst, size_t dstsz, const char *src)
{
	size_t n = strlen(src);
	if (dstsz) {
		size_t c = n < dstsz - 1 ? n : dstsz - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

bool str_starts_with(const char *s, const char *prefix)
{
	return s && prefix && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends_with(const char *s, const char *suffix)
{
	if (!s || !suffix)
		return false;
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool str_case_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return *a == *b;
}

char *str_trim(char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	size_t i = 0;
	while (s[i] && isspace((unsigned char)s[i]))
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
	return s;
}

void str_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Length of the UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0) {
		len = 2;
		cp = c & 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3;
		cp = c & 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

bool str_is_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t l = utf8_seq(p + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

/* Decodes the UTF-8 sequence at s: its length (0 when invalid) and *cp. */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t l = utf8_seq(s, n);
	*cp = s[0];
	if (l > 1) {
		unsigned v = s[0] & (l == 2 ? 0x1F : l == 3 ? 0x0F : 0x07);
		for (size_t i = 1; i < l; i++)
			v = (v << 6) | (s[i] & 0x3F);
		*cp = v;
	}
	return l;
}

bool str_is_bidi_control(unsigned cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool str_has_bidi(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t l = utf8_next(p + i, n - i, &cp);
		if (l && str_is_bidi_control(cp))
			return true;
		i += l ? l : 1;
	}
	return false;
}

bool str_is_clean_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned cp;
		size_t l = utf8_next(p + i, n - i, &cp);
		if (!l || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || str_is_bidi_control(cp))
			return false;
		i += l;
	}
	return true;
}

/* Appends s[0..n) (at most max bytes of it) with whatever could act on a terminal or forge a
 * log line escaped: C0 controls and DEL as \xNN (but "\n" and "\t" with STR_SAFE_KEEP_NL),
 * C1 controls (U+0080..U+009F) and bidi overrides and isolates as \uNNNN, bytes that are
 * not valid UTF-8 (raw 0x80..0xFF among them) as \xNN, and "\" as \x5c with
 * STR_SAFE_BACKSLASH. */
static void safe_append(struct buf *b, const char *s, size_t max, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	while (i < n && i < max) {
		unsigned cp;
		size_t l = utf8_next(p + i, n - i, &cp);
		if (!l) {
			buf_printf(b, "\\x%02x", p[i]);
			i++;
			continue;
		}
		if (cp < 0x80) {
			bool keep = (flags & STR_SAFE_KEEP_NL) && (cp == '\n' || cp == '\t');
			if ((cp < 0x20 && !keep) || cp == 0x7F ||
			    (cp == '\\' && (flags & STR_SAFE_BACKSLASH)))
				buf_printf(b, "\\x%02x", cp);
			else
				buf_putc(b, (char)cp);
		} else if (cp <= 0x9F || str_is_bidi_control(cp)) {
			buf_printf(b, "\\u%04x", cp);
		} else {
			buf_append(b, s + i, l);
		}
		i += l;
	}
	if (i < n)
		buf_puts(b, "...");
}

char *str_safe(const char *s, size_t max, unsigned flags)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "");
	safe_append(&b, s ? s : "", max, flags);
	return buf_steal(&b);
}

char *str_printable(const char *s, size_t max)
{
	return str_safe(s, max, STR_SAFE_BACKSLASH);
}

char **str_split(const char *s, char sep, size_t *count)
{
	size_t n = 1;
	for (const char *p = s; *p; p++)
		if (*p == sep)
			n++;
	char **out = xcalloc(n + 1, sizeof(char *));
	size_t i = 0;
	const char *start = s;
	for (const char *p = s;; p++) {
		if (*p == sep || *p == '\0') {
			out[i++] = xstrndup(start, (size_t)(p - start));
			if (*p == '\0')
				break;
			start = p + 1;
		}
	}
	if (count)
		*count = i;
	return out;
}

void str_list_free(char **list)
{
	if (!list)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}
