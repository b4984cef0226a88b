/* error.h: one failure, said in the library's own words (a fault), and a
 * list of configuration problems. Modules return a fault (0: none) and
 * never an HTTP status: dr_fault_status is the one place that turns a
 * fault into the status an endpoint answers. Plain structs on the
 * caller's stack; nothing to free. Reasons are written for a person and
 * never hold secret values. */
#ifndef DR_ERROR_H
#define DR_ERROR_H

#include <stddef.h>

#include "phase.h"

#define DR_REASON_MAX 1024
#define DR_PROBLEMS_MAX 32
#define DR_PROBLEM_MAX 256

/* What went wrong. The values are small and share no number with HTTP statuses. */
enum dr_fault {
	DR_OK = 0,
	DR_FAULT_BAD_REQUEST,      /* the request is malformed or asks for an override */
	DR_FAULT_UNAUTHENTICATED,  /* no credentials */
	DR_FAULT_FORBIDDEN,        /* credentials not accepted */
	DR_FAULT_TOO_SLOW,         /* the client did not send in time */
	DR_FAULT_CONFLICT,         /* the lock is held, or a tag's pin differs */
	DR_FAULT_PRECONDITION,     /* expect_current_digest does not match */
	DR_FAULT_TOO_LARGE,        /* a body over its limit */
	DR_FAULT_POLICY,           /* the image policy refuses the reference */
	DR_FAULT_INTERNAL,         /* configuration, state files, the agent itself */
	DR_FAULT_UPSTREAM,         /* the registry, or the engine's pull from it */
	DR_FAULT_UNAVAILABLE,      /* the Docker engine cannot be reached */
	DR_FAULT_NOT_FOUND,        /* no such deploy */
	DR_FAULT_KEY_REUSED,       /* an Idempotency-Key seen before with another body */
	DR_FAULT_INTERRUPTED,      /* SIGTERM ended the run */
	DR_FAULT_RATE_LIMITED,     /* the registry asks the agent to come back later */
	DR_FAULT_NO_SPACE,         /* the engine's data root is full */
	DR_FAULT_UNSIGNED,         /* no valid signature by a trusted key on the digest */
	/* Outcomes, not failures: the caller decides what they mean. */
	DR_FAULT_ABSENT,           /* no such object (inspect) */
	DR_FAULT_STILL_RUNNING,    /* no exit within the wait */
	DR_FAULT_SKIPPED,          /* a step that does not apply to this request */
	DR_FAULT_REPLAYED,         /* an earlier request's answer stands for this one */
	DR_ACCEPTED,               /* an asynchronous deploy, answered before it ends (202) */
	DR_FAULTS
};

struct dr_error {
	enum dr_fault fault;        /* DR_OK while none */
	enum dr_phase phase;        /* the step the failure happened in */
	char reason[DR_REASON_MAX]; /* what a person can act on */
};

struct dr_problems {
	int count;
	char text[DR_PROBLEMS_MAX][DR_PROBLEM_MAX];
};

/* Record fault and a formatted reason in err; returns fault. */
int dr_error_set(struct dr_error *err, enum dr_fault fault, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The HTTP status an endpoint answers for fault (500 for an outcome that reached it). */
int dr_fault_status(enum dr_fault fault);

/* Append one formatted problem line; extra problems past the cap are counted but dropped. */
void dr_problems_add(struct dr_problems *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Copy src into dst of size cap, always NUL-terminated; returns -1 when truncated. */
int dr_strlcpy(char *dst, const char *src, size_t cap);

#endif
