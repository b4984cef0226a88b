/* error.h: one failure with the HTTP status to answer, and a list of
 * configuration problems. Plain structs on the caller's stack; nothing to
 * free. Reasons are written for a person and never hold secret values. */
#ifndef DR_ERROR_H
#define DR_ERROR_H

#include <stddef.h>

#include "phase.h"

#define DR_REASON_MAX 1024
#define DR_PROBLEMS_MAX 32
#define DR_PROBLEM_MAX 256

struct dr_error {
	int status;                 /* HTTP status to answer, 0 while none */
	enum dr_phase phase;        /* the step the failure happened in */
	char reason[DR_REASON_MAX]; /* what a person can act on */
};

struct dr_problems {
	int count;
	char text[DR_PROBLEMS_MAX][DR_PROBLEM_MAX];
};

/* Record status and a formatted reason in err; returns status. */
int dr_error_set(struct dr_error *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append one formatted problem line; extra problems past the cap are counted but dropped. */
void dr_problems_add(struct dr_problems *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Copy src into dst of size cap, always NUL-terminated; returns -1 when truncated. */
int dr_strlcpy(char *dst, const char *src, size_t cap);

#endif
