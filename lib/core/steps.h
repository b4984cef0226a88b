/* steps.h: a pipeline as a table of steps, and the one runner that walks
 * it. Deploy runs every step and stops at the first failure; plan runs the
 * checks only, through the same table, noting each outcome and going on,
 * so the order lives in one place and a plan lists what a deploy would
 * refuse, in the deploy's order. The runner sets the phase before each
 * step, records when it began and how long it took, and attributes a
 * failure to it: no step and no endpoint records a phase by hand.
 * libc only. The caller owns the run (a plain struct); nothing to free. */
#ifndef DR_STEPS_H
#define DR_STEPS_H

#include <stddef.h>

#include "error.h"
#include "phase.h"

enum dr_run_mode {
	DR_RUN_DEPLOY,  /* every step; the first failure ends the run */
	DR_RUN_PLAN,    /* the checks only; each outcome is noted */
};

enum dr_step_kind {
	DR_STEP_CHECK,  /* reads only in plan (its deploy form may act: take the lock, say) */
	DR_STEP_ACT,    /* changes the environment: deploy only */
};

#define DR_STEP_ESSENTIAL 1u  /* plan: without it there is no plan; its failure is the answer */
#define DR_STEP_UNLISTED 2u   /* plan: its outcome is not one of the listed checks */
#define DR_STEP_DEPLOY_ONLY 4u /* a check plan leaves out (the idempotency key) */
#define DR_STEP_ACCEPTS 8u    /* an asynchronous deploy is answered 202 before this step begins */
#define DR_STEP_HOLDS_SIGTERM 16u /* SIGTERM waits until the step (and the next ones with the flag) end */
#define DR_STEP_LOCAL 32u     /* waits on nothing outside the process (local files only): no progress record as it begins */

/* One step. run returns 0, DR_FAULT_SKIPPED (does not apply to this request), or a fault with err set. */
struct dr_step {
	const char *name;     /* its own name, once per table: the timeline's entry, what after names */
	enum dr_phase phase;  /* what a failure in it is attributed to (the answer's and the audit's phase) */
	enum dr_step_kind kind;
	unsigned flags;
	const char *after;    /* plan: runs only when the step of this name ran and passed (NULL: always) */
	int (*run)(void *ctx, enum dr_run_mode mode, struct dr_error *err);
};

#define DR_STEPS_MAX 24

/* After each table: a table longer than the runner takes fails the build (t/structure.sh checks
 * that every table has it). */
#define DR_STEPS_FIT(table) \
	_Static_assert(sizeof(table) / sizeof((table)[0]) <= DR_STEPS_MAX, #table " is longer than DR_STEPS_MAX")

/* What the runner recorded of one step that ran. */
struct dr_step_mark {
	const char *name;            /* the step's */
	enum dr_phase phase;
	int listed;                  /* plan lists it among the checks */
	long long at_ms;             /* wall clock (Unix ms) when it began */
	long long duration_ms;
	enum dr_fault fault;         /* DR_OK, DR_FAULT_SKIPPED or the failure */
	char reason[DR_REASON_MAX];  /* the failure's reason */
};

struct dr_run {
	enum dr_run_mode mode;
	enum dr_phase phase;         /* the phase of the step running now, or of the last one run */
	const char *step;            /* that step's name (NULL before the first) */
	int count;
	int refusals;                /* plan: listed checks that failed */
	struct dr_step_mark marks[DR_STEPS_MAX];
	/* Called as each step begins, its mark set (may be NULL): a progress record, say. */
	void (*on_step)(const struct dr_run *run, const struct dr_step *step, void *ctx);
};

/* From now on SIGTERM ends the run at the next step boundary (or sooner: see
 * dr_steps_interrupted) with DR_FAULT_INTERRUPTED, instead of killing the process. */
void dr_steps_catch_sigterm(void);

/* 1 once SIGTERM arrived: long waits (engine calls, polls) give up when they see it. */
int dr_steps_interrupted(void);

/* Run steps[0..n) over ctx in run->mode. Deploy: stops at the first failure with err set and
 * err->phase the step's; a SIGTERM caught meanwhile is that failure (DR_FAULT_INTERRUPTED).
 * Plan: stops only when an essential step fails. Returns DR_OK (a plan with refusals too: see
 * run->refusals) or the fault of the failure that ended the run; DR_FAULT_INTERNAL, before any
 * step runs, for a table longer than DR_STEPS_MAX. */
int dr_steps_run(struct dr_run *run, const struct dr_step *steps, size_t n, void *ctx, struct dr_error *err);

/* The mark of the step called name in run, or NULL when it did not run. */
const struct dr_step_mark *dr_run_mark(const struct dr_run *run, const char *name);

#endif
