/* error.c: failure records shared by every module. */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

int dr_error_set(struct dr_error *err, int status, const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof err->reason, fmt, ap);
	va_end(ap);
	return status;
}

void dr_problems_add(struct dr_problems *p, const char *fmt, ...)
{
	va_list ap;

	if (p->count < DR_PROBLEMS_MAX) {
		va_start(ap, fmt);
		vsnprintf(p->text[p->count], DR_PROBLEM_MAX, fmt, ap);
		va_end(ap);
	}
	p->count++;
}

int dr_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t n = strnlen(src, cap);

	if (cap == 0)
		return -1;
	if (n == cap) {
		memcpy(dst, src, cap - 1);
		dst[cap - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}
