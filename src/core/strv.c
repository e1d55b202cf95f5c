#include "core/strv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/str.h"

void strv_push(struct strv *s, const char *str)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = xstrdup(str ? str : "");
}

void strv_add(struct strv *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	char *str = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	vsnprintf(str, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
	va_end(ap);
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = str;
}

bool strv_has(const struct strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (str_eq(s->v[i], str))
			return true;
	return false;
}

char *strv_join(const struct strv *s, const char *sep)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			buf_puts(&b, sep);
		buf_puts(&b, s->v[i]);
	}
	if (!b.data)
		return xstrdup("");
	return buf_steal(&b);
}

void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
