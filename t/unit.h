/* unit.h: the CUnit runner shared by the unit test programs. Each test
 * file defines its suite table and calls unit_run from main. */
#ifndef DR_UNIT_H
#define DR_UNIT_H

#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
};

/* The recorded engine answer t/data/docker/NAME, read whole (NUL-terminated; *len, when not
 * NULL, without it); the caller frees. */
static inline char *unit_recorded(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[1024], *text;
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/t/data/docker/%s", top ? top : ".", name);
	f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	CU_ASSERT_EQUAL_FATAL(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	if (len)
		*len = (size_t)n;
	return text;
}

/* Run every case of one suite; exit status is 1 when any assertion failed
 * (CU_basic_run_tests alone reports success even then). */
static inline int unit_run(const char *suite_name, const struct unit_case *cases)
{
	CU_pSuite suite;
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	suite = CU_add_suite(suite_name, NULL, NULL);
	for (; suite && cases->name; cases++)
		if (!CU_add_test(suite, cases->name, cases->fn))
			return 99;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}

/* Create the directory named by the mkdtemp template dir (rewritten in place),
 * run the suite, then remove the directory; 99 when that fails. */
static inline int unit_run_in_tmpdir(const char *suite_name, const struct unit_case *cases, char *dir)
{
	char cmd[256];
	int rc;

	if (!mkdtemp(dir))
		return 99;
	rc = unit_run(suite_name, cases);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) ? 99 : rc;
}

#endif
