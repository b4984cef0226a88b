/* test_buf.c: capped buffers and JSON string escaping. */

#include <string.h>

#include "buf.h"
#include "jsonstr.h"
#include "unit.h"

static void test_cap(void)
{
	struct dr_buf b;

	dr_buf_init(&b, 8);
	CU_ASSERT_EQUAL(dr_buf_adds(&b, "12345678"), 0);
	CU_ASSERT_STRING_EQUAL(dr_buf_str(&b), "12345678");
	CU_ASSERT_EQUAL(dr_buf_adds(&b, "9"), -1);
	CU_ASSERT_TRUE(b.overflow);
	CU_ASSERT_PTR_NULL(b.data);
	CU_ASSERT_EQUAL(dr_buf_adds(&b, ""), -1);
	dr_buf_free(&b);
}

static void test_addf_large(void)
{
	struct dr_buf b;
	char big[2000];

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	dr_buf_init(&b, 4096);
	CU_ASSERT_EQUAL(dr_buf_addf(&b, "<%s>", big), 0);
	CU_ASSERT_EQUAL(b.len, sizeof big + 1);
	dr_buf_free(&b);
}

static void test_json_escape(void)
{
	struct dr_buf b;

	dr_buf_init(&b, 1024);
	CU_ASSERT_EQUAL(dr_json_add_string(&b, "a\"b\\c\n\x01\xc3\xa9\xff"), 0);
	CU_ASSERT_STRING_EQUAL(dr_buf_str(&b), "\"a\\\"b\\\\c\\u000a\\u0001\xc3\xa9\\ufffd\"");
	dr_buf_free(&b);
}

static const struct unit_case cases[] = {
	{ "cap frees and refuses", test_cap },
	{ "formatted append beyond the stack buffer", test_addf_large },
	{ "JSON escaping", test_json_escape },
	{ NULL, NULL },
};

int main(void)
{
	return unit_run("buf", cases);
}
