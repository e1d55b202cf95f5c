/* buf.h - growable byte buffer, always NUL-terminated. */
#ifndef CX_UTIL_BUF_H
#define CX_UTIL_BUF_H

#include <stddef.h>

struct buf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void buf_init(struct buf *b);
void buf_free(struct buf *b);  /* wipes nothing; see secmem for secrets */
void buf_reset(struct buf *b); /* len = 0, keeps memory */
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the contents ("" when empty); the buffer keeps ownership. */
const char *buf_str(const struct buf *b);
/* Hands the contents to the caller (free()); the buffer becomes empty. */
char *buf_steal(struct buf *b);

#endif
