/* reason.c: a refusal's reason into the caller's buffer (reason.h). */
#include <stdarg.h>
#include <stdio.h>

#include "reason.h"

int dr_ss_fail(char *why, size_t why_cap, const char *fmt, ...)
{
	va_list ap;

	if (why && why_cap) {
		va_start(ap, fmt);
		vsnprintf(why, why_cap, fmt, ap);
		va_end(ap);
	}
	return -1;
}
