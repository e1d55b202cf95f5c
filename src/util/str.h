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
/* True when s is valid UTF-8 without control characters (C0, DEL, C1 U+0080..U+009F) and
 * without bidi overrides or isolates. */
bool str_is_clean_utf8(const char *s, size_t n);
/* True for the bidi overrides and isolates U+202A..U+202E and U+2066..U+2069, which can make
 * text read differently from what it is ("Trojan Source"). */
bool str_is_bidi_control(unsigned cp);
/* True when s[0..n) holds one of them. */
bool str_has_bidi(const char *s, size_t n);
/* True when s is valid UTF-8 (control characters allowed). */
bool str_is_utf8(const char *s, size_t n);
/* Text from servers and files made safe for a terminal or a log line (new string; at most max
 * bytes of s, then "..."): C0 controls and DEL as \xNN, C1 controls (U+0080..U+009F) and bidi
 * overrides/isolates as \uNNNN, invalid UTF-8 bytes (raw 0x80..0x9F among them) as \xNN. */
#define STR_SAFE_KEEP_NL   1u /* keep "\n" and "\t" */
#define STR_SAFE_BACKSLASH 2u /* also "\" as \x5c, so that every escape is unambiguous */
char *str_safe(const char *s, size_t max, unsigned flags);
/* str_safe(s, max, STR_SAFE_BACKSLASH): a value quoted in error text. */
char *str_printable(const char *s, size_t max);
/* Splits s on sep into a NULL-terminated array of new strings (free with str_list_free). */
char **str_split(const char *s, char sep, size_t *count);
void str_list_free(char **list);

#endif
