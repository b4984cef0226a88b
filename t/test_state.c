/* test_state.c: digest pins and atomic state files. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "unit.h"

#define DIGEST_A "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DIGEST_B "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static char dir[64];

static void test_pin_first_then_same(void)
{
	struct dr_error err = { 0 };
	char path[128], text[128] = "";
	FILE *f;

	CU_ASSERT_EQUAL(dr_state_pin_check(dir, "1.0.0", DIGEST_A, &err), 0);
	snprintf(path, sizeof path, "%s/pins/1.0.0", dir);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(text, sizeof text, f));
	fclose(f);
	CU_ASSERT_STRING_EQUAL(text, DIGEST_A "\n");
	CU_ASSERT_EQUAL(dr_state_pin_check(dir, "1.0.0", DIGEST_A, &err), 0);
}

static void test_pin_mismatch(void)
{
	struct dr_error err = { 0 };

	CU_ASSERT_EQUAL(dr_state_pin_check(dir, "1.0.0", DIGEST_B, &err), DR_FAULT_CONFLICT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "now resolves to " DIGEST_B));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "first pulled as " DIGEST_A));
	CU_ASSERT_EQUAL(dr_state_pin_check(dir, "2.0.0", DIGEST_B, &err), 0);
}

static void test_pin_corrupt(void)
{
	struct dr_error err = { 0 };
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/pins/3.0.0", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("not a digest\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(dr_state_pin_check(dir, "3.0.0", DIGEST_A, &err), DR_FAULT_INTERNAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "corrupt"));
}

static void test_atomic_record(void)
{
	struct dr_error err = { 0 };
	char *text;

	CU_ASSERT_EQUAL(dr_state_write_atomic(dir, DR_STATE_RECORD, "{\"a\":1}", 7, &err), 0);
	CU_ASSERT_EQUAL(dr_state_write_atomic(dir, DR_STATE_RECORD, "{\"b\":2}", 7, &err), 0);
	text = dr_state_read_record(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(text, "{\"b\":2}");
	free(text);
	CU_ASSERT_PTR_NULL(dr_state_read_record("/nonexistent/state"));
	CU_ASSERT_EQUAL(dr_state_write_atomic("/nonexistent/state", DR_STATE_RECORD, "x", 1, &err), DR_FAULT_INTERNAL);
}

static const struct unit_case cases[] = {
	{ "first pin written, same digest accepted", test_pin_first_then_same },
	{ "different digest is 409 naming both", test_pin_mismatch },
	{ "corrupt pin is 500", test_pin_corrupt },
	{ "atomic record replace and read", test_atomic_record },
	{ NULL, NULL },
};

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/dr-unit-state.XXXXXX");
	return unit_run_in_tmpdir("state", cases, dir);
}
