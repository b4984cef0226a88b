/* test_steps.c: the step runner. Deploy stops at the first failure and
 * names its phase; plan runs only the checks, notes each refusal and goes
 * on, skips a check whose prerequisite failed, and stops at an essential
 * one. Every step that ran has a mark with its start. */

#include <string.h>

#include "steps.h"
#include "unit.h"

struct trace {
	char ran[64];       /* one letter per step run, in order */
	enum dr_fault fail[8];
	int begun;          /* on_step calls */
};

#define STEP(letter, index)                                                            \
	static int step_##letter(void *ctx, enum dr_run_mode mode, struct dr_error *err) \
	{                                                                                \
		struct trace *t = ctx;                                                   \
		(void)mode;                                                              \
		strncat(t->ran, #letter, sizeof t->ran - strlen(t->ran) - 1);            \
		if (t->fail[index] && t->fail[index] != DR_FAULT_SKIPPED)                \
			return dr_error_set(err, t->fail[index], "step " #letter " refused"); \
		return t->fail[index];                                                   \
	}
STEP(a, 0)
STEP(b, 1)
STEP(c, 2)
STEP(d, 3)
STEP(e, 4)

/* a: essential check; b: check; c: check after b; d: act; e: check. */
static const struct dr_step table[] = {
	{ "a", DR_PHASE_REQUEST, DR_STEP_CHECK, DR_STEP_ESSENTIAL | DR_STEP_UNLISTED, NULL, step_a },
	{ "b", DR_PHASE_IMAGE_POLICY, DR_STEP_CHECK, 0, NULL, step_b },
	{ "c", DR_PHASE_PULL, DR_STEP_CHECK, 0, "b", step_c },
	{ "d", DR_PHASE_CREATE, DR_STEP_ACT, 0, NULL, step_d },
	{ "e", DR_PHASE_RECORD, DR_STEP_CHECK, 0, NULL, step_e },
};
DR_STEPS_FIT(table);
#define TABLE_LEN (sizeof table / sizeof *table)

static void count_begins(const struct dr_run *run, const struct dr_step *step, void *ctx)
{
	(void)run;
	(void)step;
	((struct trace *)ctx)->begun++;
}

static int run_table(struct dr_run *run, enum dr_run_mode mode, struct trace *t, struct dr_error *err)
{
	memset(run, 0, sizeof *run);
	memset(err, 0, sizeof *err);
	run->mode = mode;
	run->on_step = count_begins;
	return dr_steps_run(run, table, TABLE_LEN, t, err);
}

static void test_deploy_runs_all(void)
{
	static struct dr_run run;
	struct trace t = { 0 };
	struct dr_error err;

	CU_ASSERT_EQUAL(run_table(&run, DR_RUN_DEPLOY, &t, &err), DR_OK);
	CU_ASSERT_STRING_EQUAL(t.ran, "abcde");
	CU_ASSERT_EQUAL(run.count, 5);
	CU_ASSERT_EQUAL(t.begun, 5);
	CU_ASSERT_EQUAL(run.phase, DR_PHASE_RECORD);
	CU_ASSERT_STRING_EQUAL(run.step, "e");
	CU_ASSERT_STRING_EQUAL(run.marks[2].name, "c");
	CU_ASSERT_TRUE(run.marks[0].at_ms > 0);
	CU_ASSERT_TRUE(run.marks[4].at_ms >= run.marks[0].at_ms);
}

static void test_deploy_stops_at_failure(void)
{
	static struct dr_run run;
	struct trace t = { .fail = { [1] = DR_FAULT_POLICY } };
	struct dr_error err;

	CU_ASSERT_EQUAL(run_table(&run, DR_RUN_DEPLOY, &t, &err), DR_FAULT_POLICY);
	CU_ASSERT_STRING_EQUAL(t.ran, "ab");
	CU_ASSERT_EQUAL(err.phase, DR_PHASE_IMAGE_POLICY);
	CU_ASSERT_STRING_EQUAL(err.reason, "step b refused");
	CU_ASSERT_EQUAL(dr_fault_status(err.fault), 422);
}

static void test_deploy_skipped_goes_on(void)
{
	static struct dr_run run;
	struct trace t = { .fail = { [2] = DR_FAULT_SKIPPED } };
	struct dr_error err;

	CU_ASSERT_EQUAL(run_table(&run, DR_RUN_DEPLOY, &t, &err), DR_OK);
	CU_ASSERT_STRING_EQUAL(t.ran, "abcde");
	CU_ASSERT_EQUAL(run.marks[2].fault, DR_FAULT_SKIPPED);
}

static void test_plan_checks_only(void)
{
	static struct dr_run run;
	struct trace t = { 0 };
	struct dr_error err;

	CU_ASSERT_EQUAL(run_table(&run, DR_RUN_PLAN, &t, &err), DR_OK);
	CU_ASSERT_STRING_EQUAL(t.ran, "abce");
	CU_ASSERT_EQUAL(run.refusals, 0);
	CU_ASSERT_PTR_NULL(dr_run_mark(&run, "d"));
	CU_ASSERT_FALSE(run.marks[0].listed);
	CU_ASSERT_TRUE(run.marks[1].listed);
}

static void test_plan_notes_and_goes_on(void)
{
	static struct dr_run run;
	struct trace t = { .fail = { [1] = DR_FAULT_POLICY, [4] = DR_FAULT_CONFLICT } };
	struct dr_error err;
	const struct dr_step_mark *m;

	CU_ASSERT_EQUAL(run_table(&run, DR_RUN_PLAN, &t, &err), DR_OK);
	CU_ASSERT_STRING_EQUAL(t.ran, "abe");  /* c needs b */
	CU_ASSERT_EQUAL(run.refusals, 2);
	m = dr_run_mark(&run, "b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fault, DR_FAULT_POLICY);
	CU_ASSERT_STRING_EQUAL(m->reason, "step b refused");
	CU_ASSERT_EQUAL(err.fault, DR_OK);     /* a noted refusal is not the plan's failure */
}

static void test_plan_essential_ends(void)
{
	static struct dr_run run;
	struct trace t = { .fail = { [0] = DR_FAULT_BAD_REQUEST } };
	struct dr_error err;

	CU_ASSERT_EQUAL(run_table(&run, DR_RUN_PLAN, &t, &err), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_STRING_EQUAL(t.ran, "a");
	CU_ASSERT_EQUAL(err.phase, DR_PHASE_REQUEST);
}

/* A table longer than the runner takes runs nothing and says so (DR_STEPS_FIT stops it at build time). */
static void test_table_too_long(void)
{
	static struct dr_step many[DR_STEPS_MAX + 1];
	static struct dr_run run;
	struct trace t = { 0 };
	struct dr_error err = { 0 };
	size_t i;

	for (i = 0; i < DR_STEPS_MAX + 1; i++)
		many[i] = table[1];
	run.mode = DR_RUN_DEPLOY;
	CU_ASSERT_EQUAL(dr_steps_run(&run, many, DR_STEPS_MAX + 1, &t, &err), DR_FAULT_INTERNAL);
	CU_ASSERT_STRING_EQUAL(t.ran, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "longer than the runner takes"));
}

static void test_fault_statuses(void)
{
	CU_ASSERT_EQUAL(dr_fault_status(DR_FAULT_BAD_REQUEST), 400);
	CU_ASSERT_EQUAL(dr_fault_status(DR_FAULT_CONFLICT), 409);
	CU_ASSERT_EQUAL(dr_fault_status(DR_FAULT_PRECONDITION), 412);
	CU_ASSERT_EQUAL(dr_fault_status(DR_FAULT_POLICY), 422);
	CU_ASSERT_EQUAL(dr_fault_status(DR_FAULT_UPSTREAM), 502);
	CU_ASSERT_EQUAL(dr_fault_status(DR_FAULT_UNAVAILABLE), 503);
	/* An outcome that reaches an answer is the agent's own failure. */
	CU_ASSERT_EQUAL(dr_fault_status(DR_FAULT_ABSENT), 500);
	CU_ASSERT_EQUAL(dr_fault_status((enum dr_fault)999), 500);
	/* The outcomes that are answers: ok and accepted. */
	CU_ASSERT_EQUAL(dr_fault_status(DR_OK), 200);
	CU_ASSERT_EQUAL(dr_fault_status(DR_ACCEPTED), 202);
	/* Faults share no number with HTTP statuses. */
	CU_ASSERT_TRUE(DR_FAULTS < 100);
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "deploy runs every step, marking each", test_deploy_runs_all },
		{ "deploy stops at the first failure, naming its phase", test_deploy_stops_at_failure },
		{ "a skipped step does not stop a deploy", test_deploy_skipped_goes_on },
		{ "plan runs the checks only", test_plan_checks_only },
		{ "plan notes refusals and skips what needs them", test_plan_notes_and_goes_on },
		{ "plan ends at an essential failure", test_plan_essential_ends },
		{ "a table longer than the runner takes runs nothing", test_table_too_long },
		{ "one fault-to-status table", test_fault_statuses },
		{ NULL, NULL },
	};

	return unit_run("steps", cases);
}
