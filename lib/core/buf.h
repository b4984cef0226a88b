/* buf.h: a growable byte buffer with a hard cap (after curl's dynbuf).
 * The data is always NUL-terminated. The owner calls dr_buf_free; a buffer
 * that would pass its cap frees itself and refuses further data. */
#ifndef DR_BUF_H
#define DR_BUF_H

#include <stddef.h>

struct dr_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;   /* hard limit on len */
	int overflow; /* set once the cap was hit */
};

/* Prepare an empty buffer that may hold at most max bytes. */
void dr_buf_init(struct dr_buf *b, size_t max);

/* Append n bytes; returns -1 (and frees the data) when the cap would be passed or memory ran out. */
int dr_buf_add(struct dr_buf *b, const void *p, size_t n);

/* Append a NUL-terminated string. */
int dr_buf_adds(struct dr_buf *b, const char *s);

/* Append a formatted string. */
int dr_buf_addf(struct dr_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Empty the buffer but keep its memory. */
void dr_buf_reset(struct dr_buf *b);

/* Release the memory; accepts a buffer that was never used. */
void dr_buf_free(struct dr_buf *b);

/* The contents as a C string, "" when empty. */
const char *dr_buf_str(const struct dr_buf *b);

#endif
