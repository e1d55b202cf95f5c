/* str.h - small string helpers. */
#ifndef CX_UTIL_STR_H
#define CX_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>

/* strlcpy semantics: always NUL-terminates when dstsz > 0; returns strlen(src). */
size_t str_copy(char *dst, size_t dstsz, const char *src);
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
bool str_eq(const char *a, const char *b);      /* NULL-safe */
bool str_case_eq(const char *a, const char *b); /* ASCII, NULL-safe */
/* Trims ASCII whitespace in place; returns s. */
char *str_trim(char *s);
/* Hex of n bytes, lowercase, into out (2n+1 bytes). */
void str_hex(const unsigned char *in, size_t n, char *out);
/* True when every byte is printable ASCII or valid UTF-8 without control characters. */
bool str_is_clean_utf8(const char *s, size_t n);
/* True when s is valid UTF-8 (control characters allowed). */
bool str_is_utf8(const char *s, size_t n);
/* Copies s into a new string with control characters shown as \xNN (for error text). */
char *str_printable(const char *s, size_t max);
/* Splits s on sep into a NULL-terminated array of new strings (free with str_list_free). */
char **str_split(const char *s, char sep, size_t *count);
void str_list_free(char **list);

#endif
