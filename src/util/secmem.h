/* secmem.h - memory for secrets (guarded, locked where the OS allows, wiped on free),
 * and process hardening. Backed by libsodium; callers never include sodium.h. */
#ifndef CX_UTIL_SECMEM_H
#define CX_UTIL_SECMEM_H

#include <stddef.h>

/* Initialises the crypto library; call once at start. Returns 0 or -1. */
int secmem_init(void);
/* Zeroed secure allocation; aborts on failure. Free with secmem_free. */
void *secmem_alloc(size_t n);
char *secmem_strdup(const char *s); /* NULL in, NULL out */
char *secmem_strndup(const char *s, size_t n);
void secmem_free(void *p);           /* NULL allowed; wipes */
void secmem_wipe(void *p, size_t n); /* zeroes in a way the compiler keeps */
/* Disables core dumps (RLIMIT_CORE 0, not dumpable). Returns 0 or -1. */
int secmem_no_core_dumps(void);

#endif
