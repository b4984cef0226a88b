/* test_runtime_env.c: every runtime variable rule (docs/configuration.md). */

#include <stdio.h>
#include <string.h>

#include "runtime_env.h"
#include "unit.h"

static const char *const valid_dev[DR_RUNTIME_VARS] = {
	"dreichor-dev-01", "monotonic", "paper", "paper_exchange", "relaxed", "filesystem", "every_100",
	"false", "postgres://u:pw@127.0.0.1:5432/dreichor_dev?sslmode=disable", "debug",
};

static struct dr_problems problems;

/* Validate the dev values with variable idx replaced (NULL: missing) for environment e. */
static int validate_with(enum dr_environment e, int idx, const char *value)
{
	char text[4096];
	size_t len = 0;
	struct dr_runtime_env env = { { 0 } };
	int i;

	memset(&problems, 0, sizeof problems);
	for (i = 0; i < DR_RUNTIME_VARS; i++) {
		const char *v = i == idx ? value : valid_dev[i];
		if (e == DR_ENV_PROD && i != idx) {
			if (i == DR_RT_SAFETY_MODE) v = "strict";
			if (i == DR_RT_ENABLE_AUDIT_LOGGING) v = "true";
			if (i == DR_RT_LOG_LEVEL) v = "info";
			if (i == DR_RT_DATABASE_URL) v = "postgres://u:pw@db/dreichor_prod";
		}
		if (v)
			len += (size_t)snprintf(text + len, sizeof text - len, "%s=%s\n", dr_runtime_var_names[i], v);
	}
	dr_runtime_env_parse(&env, text, len, &problems);
	dr_runtime_env_validate(&env, e, "paper", &problems);
	dr_runtime_env_free(&env);
	return problems.count;
}

static int problem_starts(const char *prefix)
{
	int i;

	for (i = 0; i < problems.count && i < DR_PROBLEMS_MAX; i++)
		if (!strncmp(problems.text[i], prefix, strlen(prefix)))
			return 1;
	return 0;
}

static void test_valid(void)
{
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, -1, NULL), 0);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_PROD, -1, NULL), 0);
}

static void test_each_missing(void)
{
	int i;

	for (i = 0; i < DR_RUNTIME_VARS; i++) {
		CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, i, NULL), 1);
		CU_ASSERT_TRUE(problem_starts(dr_runtime_var_names[i]));
	}
}

static void test_instance_id(void)
{
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_RUNTIME_INSTANCE_ID, "has space"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_RUNTIME_INSTANCE_ID, ""), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_RUNTIME_INSTANCE_ID,
				      "ab123456789012345678901234567890123456789012345678901234567890123"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_RUNTIME_INSTANCE_ID, "A.b_c-9"), 0);
}

static void test_fixed_values(void)
{
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_LOGICAL_TIME_SOURCE, "wallclock"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_EXECUTION_PLANE, "live"), 1);
	CU_ASSERT_TRUE(problem_starts("EXECUTION_PLANE: must equal ALLOW_EXECUTION_PLANE"));
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_PERSISTENCE_MODE, "memory"), 1);
}

static void test_identifiers(void)
{
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_EXCHANGE_PROVIDER, "Binance"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_SNAPSHOT_STRATEGY, "a b"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_SAFETY_MODE, ""), 1);
}

static void test_prod_rules(void)
{
	CU_ASSERT_EQUAL(validate_with(DR_ENV_PROD, DR_RT_SAFETY_MODE, "relaxed"), 1);
	CU_ASSERT_TRUE(problem_starts("SAFETY_MODE: must be strict in prod"));
	CU_ASSERT_EQUAL(validate_with(DR_ENV_PROD, DR_RT_ENABLE_AUDIT_LOGGING, "false"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_PROD, DR_RT_LOG_LEVEL, "debug"), 1);
	CU_ASSERT_TRUE(problem_starts("LOG_LEVEL: debug is not allowed in prod"));
}

static void test_booleans_and_levels(void)
{
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_ENABLE_AUDIT_LOGGING, "TRUE"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_ENABLE_AUDIT_LOGGING, "1"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_LOG_LEVEL, "trace"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_LOG_LEVEL, "warn"), 0);
}

static void test_database_url(void)
{
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgresql://u@h/dreichor_dev"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgres://u:topsecret@h/dreichor_prod"), 1);
	CU_ASSERT_TRUE(problem_starts("DATABASE_URL: database must be dreichor_dev"));
	CU_ASSERT_PTR_NULL(strstr(problems.text[0], "topsecret"));
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgres://u@h"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgres://u@h/dreichor_devx"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgres://h:5432/dreichor_dev"), 0);
	/* A query that points libpq elsewhere. */
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgres://u:pw@h/dreichor_dev?sslmode=require&application_name=x"), 0);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgres://u:pw@h/dreichor_dev?dbname=dreichor_prod"), 1);
	CU_ASSERT_TRUE(problem_starts("DATABASE_URL: the query may not set dbname"));
	CU_ASSERT_PTR_NULL(strstr(problems.text[0], "pw@"));
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgres://u@h/dreichor_dev?sslmode=disable&host=prod-db"), 1);
	CU_ASSERT_TRUE(problem_starts("DATABASE_URL: the query may not set host"));
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgres://u@h/dreichor_dev?service=prod"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgres://u@h/dreichor_dev?hostaddr=10.0.0.9"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgres://u@h/dreichor_dev?port=6432"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgres://u@h/dreichor_dev?%64bname=dreichor_prod"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgres://u@h/dreichor_dev?DBNAME=x"), 1);
	CU_ASSERT_EQUAL(validate_with(DR_ENV_DEV, DR_RT_DATABASE_URL, "postgres://u@h/dreichor_dev?servicefile=/tmp/x"), 1);
}

static void test_syntax(void)
{
	static const char text[] = "# comment\n\nFOO=bar\nLOG_LEVEL=info\nLOG_LEVEL=warn\nnot a line\n lower=x\n";
	struct dr_runtime_env env = { { 0 } };

	memset(&problems, 0, sizeof problems);
	dr_runtime_env_parse(&env, text, sizeof text - 1, &problems);
	CU_ASSERT_EQUAL(problems.count, 4);
	CU_ASSERT_TRUE(problem_starts("FOO: unknown runtime variable"));
	CU_ASSERT_TRUE(problem_starts("LOG_LEVEL: set more than once"));
	CU_ASSERT_STRING_EQUAL(env.values[DR_RT_LOG_LEVEL], "info");
	dr_runtime_env_free(&env);
}

static void test_crlf_and_empty_value(void)
{
	static const char text[] = "LOG_LEVEL=info\r\nSAFETY_MODE=\r\n";
	struct dr_runtime_env env = { { 0 } };

	memset(&problems, 0, sizeof problems);
	dr_runtime_env_parse(&env, text, sizeof text - 1, &problems);
	CU_ASSERT_EQUAL(problems.count, 0);
	CU_ASSERT_STRING_EQUAL(env.values[DR_RT_LOG_LEVEL], "info");
	CU_ASSERT_STRING_EQUAL(env.values[DR_RT_SAFETY_MODE], "");
	dr_runtime_env_free(&env);
}

static void test_load_missing_file(void)
{
	struct dr_runtime_env env;

	memset(&problems, 0, sizeof problems);
	CU_ASSERT_EQUAL(dr_runtime_env_load(&env, "/nonexistent/runtime.env", DR_ENV_DEV, "paper", &problems), 1);
	CU_ASSERT_TRUE(problem_starts("RUNTIME_ENV_FILE: cannot open"));
	dr_runtime_env_free(&env);
}

static const struct unit_case cases[] = {
	{ "valid dev and prod files", test_valid },
	{ "each variable missing", test_each_missing },
	{ "RUNTIME_INSTANCE_ID", test_instance_id },
	{ "fixed values", test_fixed_values },
	{ "identifiers", test_identifiers },
	{ "prod-only rules", test_prod_rules },
	{ "booleans and log levels", test_booleans_and_levels },
	{ "DATABASE_URL", test_database_url },
	{ "syntax, unknown and duplicate keys", test_syntax },
	{ "CRLF line ends and empty values", test_crlf_and_empty_value },
	{ "missing file", test_load_missing_file },
	{ NULL, NULL },
};

int main(void)
{
	return unit_run("runtime_env", cases);
}
