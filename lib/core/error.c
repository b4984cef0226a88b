/* error.c: failure records shared by every module. */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "mask.h"

int dr_error_set(struct dr_error *err, enum dr_fault fault, const char *fmt, ...)
{
	char text[DR_REASON_MAX * 4];
	struct dr_buf clean;
	va_list ap;
	int n;

	err->fault = fault;
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	/* A reason may quote a client's field or the engine's words: it passes the chokepoint too,
	 * so that every reason is printable and cut at a character. */
	dr_buf_init(&clean, DR_REASON_MAX);
	if (n < 0 || dr_text_clean(NULL, text, strnlen(text, sizeof text), DR_REASON_MAX - 1, 0, &clean))
		snprintf(err->reason, sizeof err->reason, "(a reason that could not be written)");
	else
		snprintf(err->reason, sizeof err->reason, "%s", dr_buf_str(&clean));
	dr_buf_free(&clean);
	return fault;
}

/* The one fault-to-status table. */
static const int fault_statuses[DR_FAULTS] = {
	[DR_OK] = 200,
	[DR_FAULT_BAD_REQUEST] = 400,
	[DR_FAULT_UNAUTHENTICATED] = 401,
	[DR_FAULT_FORBIDDEN] = 403,
	[DR_FAULT_TOO_SLOW] = 408,
	[DR_FAULT_CONFLICT] = 409,
	[DR_FAULT_PRECONDITION] = 412,
	[DR_FAULT_TOO_LARGE] = 413,
	[DR_FAULT_POLICY] = 422,
	[DR_FAULT_INTERNAL] = 500,
	[DR_FAULT_UPSTREAM] = 502,
	[DR_FAULT_UNAVAILABLE] = 503,
	[DR_FAULT_NOT_FOUND] = 404,
	[DR_FAULT_KEY_REUSED] = 422,
	[DR_FAULT_INTERRUPTED] = 500,
	[DR_FAULT_RATE_LIMITED] = 503,
	[DR_FAULT_NO_SPACE] = 507,
	[DR_FAULT_UNSIGNED] = 422,
	[DR_FAULT_ABSENT] = 500,
	[DR_FAULT_STILL_RUNNING] = 500,
	[DR_FAULT_SKIPPED] = 500,
	[DR_FAULT_REPLAYED] = 500,
	[DR_ACCEPTED] = 202,
};

int dr_fault_status(enum dr_fault fault)
{
	if ((unsigned)fault >= DR_FAULTS)
		return 500;
	return fault_statuses[fault];
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
