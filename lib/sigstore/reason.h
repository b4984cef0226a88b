/* reason.h: how lib/sigstore and its callers refuse: one line for a
 * person, written into the caller's buffer (char *why, size_t why_cap),
 * never holding a secret. Nothing to free. */
#ifndef DR_SS_REASON_H
#define DR_SS_REASON_H

#include <stddef.h>

/* Format the reason into why (always NUL-terminated; nothing written when why is NULL or why_cap
 * is 0) and return -1, so that a check refuses with `return dr_ss_fail(why, why_cap, ...)`. */
int dr_ss_fail(char *why, size_t why_cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
