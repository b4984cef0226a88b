/* steps.c: the one runner of step tables. */

#include <signal.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "steps.h"

static volatile sig_atomic_t steps_sigterm;

static void steps_on_sigterm(int sig)
{
	(void)sig;
	steps_sigterm = 1;
}

void dr_steps_catch_sigterm(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = steps_on_sigterm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
}

int dr_steps_interrupted(void)
{
	return steps_sigterm != 0;
}

/* Hold SIGTERM off (block) or let a pending one in (unblock). */
static void steps_hold_sigterm(int hold)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/* Plan: a step runs only when the step its 'after' names ran and passed. */
static int steps_prerequisite_met(const struct dr_run *run, const struct dr_step *step)
{
	const struct dr_step_mark *before;

	if (run->mode != DR_RUN_PLAN || !step->after)
		return 1;
	before = dr_run_mark(run, step->after);
	return before && before->fault == DR_OK;
}

/* Begin a mark for step: the phase is set before the step runs, so a kill mid-step names it. */
static struct dr_step_mark *steps_begin(struct dr_run *run, const struct dr_step *step, void *ctx)
{
	struct dr_step_mark *m = &run->marks[run->count++];

	m->name = step->name;
	m->phase = step->phase;
	m->listed = !(step->flags & DR_STEP_UNLISTED);
	m->at_ms = dr_wall_ms();
	m->fault = DR_OK;
	m->reason[0] = '\0';
	run->phase = step->phase;
	run->step = step->name;
	if (run->on_step)
		run->on_step(run, step, ctx);
	return m;
}

/* Close the mark with the step's outcome; plan counts a listed refusal. */
static void steps_end(struct dr_run *run, struct dr_step_mark *m, long long began, int rc, const struct dr_error *e)
{
	m->duration_ms = dr_now_ms() - began;
	m->fault = rc;
	if (rc && rc != DR_FAULT_SKIPPED) {
		dr_strlcpy(m->reason, e->reason, sizeof m->reason);
		if (run->mode == DR_RUN_PLAN && m->listed)
			run->refusals++;
	}
}

/* SIGTERM arrived: the run ends in the step it was in (or about to begin); the caller words it. */
static int steps_interrupted(struct dr_run *run, const struct dr_step *step, struct dr_error *err)
{
	steps_hold_sigterm(0);
	err->phase = step->phase;
	run->phase = step->phase;
	run->step = step->name;
	return dr_error_set(err, DR_FAULT_INTERRUPTED, "interrupted (SIGTERM) in step %s", step->name);
}

int dr_steps_run(struct dr_run *run, const struct dr_step *steps, size_t n, void *ctx, struct dr_error *err)
{
	struct dr_step_mark *m;
	struct dr_error note;
	long long began;
	size_t i;
	int rc;

	if (n > DR_STEPS_MAX)
		return dr_error_set(err, DR_FAULT_INTERNAL, "a table of %zu steps is longer than the runner takes (%d)", n,
				    DR_STEPS_MAX);
	for (i = 0; i < n; i++) {
		const struct dr_step *step = &steps[i];
		/* Deploy: the step's failure is the request's. Plan: a listed check's is only noted. */
		int ends_run = run->mode == DR_RUN_DEPLOY || (step->flags & DR_STEP_ESSENTIAL);
		struct dr_error *into = ends_run ? err : &note;

		if ((run->mode == DR_RUN_PLAN && (step->kind == DR_STEP_ACT || (step->flags & DR_STEP_DEPLOY_ONLY))) ||
		    !steps_prerequisite_met(run, step))
			continue;
		if (step->flags & DR_STEP_HOLDS_SIGTERM)
			steps_hold_sigterm(1);
		if (run->mode == DR_RUN_DEPLOY && steps_sigterm)
			return steps_interrupted(run, step, err);
		m = steps_begin(run, step, ctx);
		began = dr_now_ms();
		note.fault = DR_OK;
		note.reason[0] = '\0';
		rc = step->run(ctx, run->mode, into);
		steps_end(run, m, began, rc, into);
		if (!(step->flags & DR_STEP_HOLDS_SIGTERM) || i + 1 == n || !(steps[i + 1].flags & DR_STEP_HOLDS_SIGTERM))
			steps_hold_sigterm(0);
		if (rc && rc != DR_FAULT_SKIPPED && ends_run) {
			/* An engine call cut short by SIGTERM fails too: name the cause. */
			if (run->mode == DR_RUN_DEPLOY && steps_sigterm)
				return steps_interrupted(run, step, err);
			err->phase = step->phase;
			return rc;
		}
	}
	return DR_OK;
}

const struct dr_step_mark *dr_run_mark(const struct dr_run *run, const char *name)
{
	int i;

	for (i = run->count - 1; i >= 0; i--)
		if (!strcmp(run->marks[i].name, name))
			return &run->marks[i];
	return NULL;
}
