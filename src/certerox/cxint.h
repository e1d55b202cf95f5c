/* cxint.h - internal to src/certerox (not an interface): a JSON writer whose buffer lives in
 * secmem, for request bodies that carry secrets (password, secret access key). */
#ifndef CX_CERTEROX_CXINT_H
#define CX_CERTEROX_CXINT_H

#include <stdbool.h>
#include <stddef.h>

struct sjson {
	char *p; /* secmem, NUL-terminated */
	size_t len;
	size_t cap;
	bool need_comma;
};

void sjson_init(struct sjson *s);
void sjson_raw(struct sjson *s, const char *text);
void sjson_open(struct sjson *s);  /* "{" */
void sjson_close(struct sjson *s); /* "}" */
void sjson_key(struct sjson *s, const char *key);
void sjson_str(struct sjson *s, const char *key, const char *value);
void sjson_bool(struct sjson *s, const char *key, bool value);
void sjson_int(struct sjson *s, const char *key, long value);
/* "key": text, where text is already JSON. */
void sjson_json(struct sjson *s, const char *key, const char *text);
/* Hands the secmem string to the caller (secmem_free); s becomes empty. */
char *sjson_steal(struct sjson *s);
/* Wipes and frees. */
void sjson_free(struct sjson *s);

#endif
