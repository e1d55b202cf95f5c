/* mem.h - allocation wrappers that abort on out-of-memory.
 * Everything returned is owned by the caller and released with free(). */
#ifndef CX_UTIL_MEM_H
#define CX_UTIL_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s); /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
