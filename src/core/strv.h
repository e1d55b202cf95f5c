/* strv.h - a growable list of owned strings (warnings, reasons, differences). */
#ifndef CX_CORE_STRV_H
#define CX_CORE_STRV_H

#include <stdbool.h>
#include <stddef.h>

struct strv {
	char **v; /* v[0..n-1], each owned; v itself owned; NULL when empty */
	size_t n;
};

#define STRV_INIT                                                                                  \
	{                                                                                          \
		NULL, 0                                                                            \
	}

/* Appends a printf-formatted copy. */
void strv_add(struct strv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a copy of str. */
void strv_push(struct strv *s, const char *str);
/* True when an element equals str. */
bool strv_has(const struct strv *s, const char *str);
/* Joins with sep into a new string (free()); "" when empty. */
char *strv_join(const struct strv *s, const char *sep);
/* Frees every element; s becomes empty. */
void strv_free(struct strv *s);

#endif
