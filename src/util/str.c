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

bool str_is_clean_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		if (p[i] < 0x20 || p[i] == 0x7F)
			return false;
		/* C1 controls U+0080..U+009F are encoded as C2 80..C2 9F */
		if (p[i] == 0xC2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F)
			return false;
		size_t l = utf8_seq(p + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

char *str_printable(const char *s, size_t max)
{
	struct buf b = BUF_INIT;
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && n < max; p++, n++) {
		if (*p < 0x20 || *p == 0x7F || *p == '\\')
			buf_printf(&b, "\\x%02x", *p);
		else
			buf_putc(&b, (char)*p);
	}
	if (s[n])
		buf_puts(&b, "...");
	return buf_steal(&b);
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
