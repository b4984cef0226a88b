/* buf.c: capped growable buffer. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void dr_buf_init(struct dr_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->overflow = 0;
}

static int buf_fail(struct dr_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->overflow = 1;
	return -1;
}

int dr_buf_add(struct dr_buf *b, const void *p, size_t n)
{
	size_t want;
	char *grown;

	if (b->overflow || n > b->max - b->len)
		return buf_fail(b);
	want = b->len + n + 1;
	if (want > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < want)
			cap *= 2;
		if (cap > b->max + 1)
			cap = b->max + 1;
		grown = realloc(b->data, cap);
		if (!grown)
			return buf_fail(b);
		b->data = grown;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int dr_buf_adds(struct dr_buf *b, const char *s)
{
	return dr_buf_add(b, s, strlen(s));
}

int dr_buf_addf(struct dr_buf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return buf_fail(b);
	if ((size_t)n < sizeof small)
		return dr_buf_add(b, small, (size_t)n);
	{
		char *big = malloc((size_t)n + 1);
		int rc;
		if (!big)
			return buf_fail(b);
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		rc = dr_buf_add(b, big, (size_t)n);
		free(big);
		return rc;
	}
}

void dr_buf_reset(struct dr_buf *b)
{
	b->len = 0;
	b->overflow = 0;
	if (b->data)
		b->data[0] = '\0';
}

void dr_buf_free(struct dr_buf *b)
{
	if (!b)
		return;
	free(b->data);
	dr_buf_init(b, b->max);
}

const char *dr_buf_str(const struct dr_buf *b)
{
	return b->data ? b->data : "";
}
