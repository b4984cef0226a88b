/* test_mask.c: secrets of a DATABASE_URL masked in container output. */

#include <string.h>

#include "mask.h"
#include "unit.h"

static const char *masked(const struct dr_mask *m, const char *line)
{
	static struct dr_buf out;

	dr_buf_free(&out);
	dr_buf_init(&out, 4096);
	CU_ASSERT_EQUAL(dr_mask_line(m, line, &out), 0);
	return dr_buf_str(&out);
}

static void test_database_url(void)
{
	struct dr_mask m;

	dr_mask_init_database_url(&m, "postgres://app:s3cr%40t@db:5432/app?sslmode=require");
	CU_ASSERT_EQUAL(m.count, 3);
	CU_ASSERT_STRING_EQUAL(masked(&m, "url postgres://app:s3cr%40t@db:5432/app?sslmode=require end"), "url *** end");
	CU_ASSERT_STRING_EQUAL(masked(&m, "password s3cr%40t"), "password ***");
	CU_ASSERT_STRING_EQUAL(masked(&m, "decoded s3cr@t and s3cr@t"), "decoded *** and ***");
	CU_ASSERT_STRING_EQUAL(masked(&m, "nothing secret here"), "nothing secret here");
	CU_ASSERT_STRING_EQUAL(masked(&m, ""), "");
	dr_mask_free(&m);
	CU_ASSERT_EQUAL(m.count, 0);
}

static void test_without_password(void)
{
	struct dr_mask m;

	dr_mask_init_database_url(&m, "postgres://db/app");
	CU_ASSERT_EQUAL(m.count, 1);
	CU_ASSERT_STRING_EQUAL(masked(&m, "postgres://db/app"), "***");
	dr_mask_free(&m);
	dr_mask_init_database_url(&m, NULL);
	CU_ASSERT_EQUAL(m.count, 0);
	CU_ASSERT_STRING_EQUAL(masked(&m, "x"), "x");
	/* An @ in the password: the userinfo ends at the last @ before the path. */
	dr_mask_init_database_url(&m, "postgres://u:p@ss@db/app");
	CU_ASSERT_STRING_EQUAL(masked(&m, "pw p@ss"), "pw ***");
	dr_mask_free(&m);
	masked(&m, "");
}

static const struct unit_case cases[] = {
	{ "DATABASE_URL and its password", test_database_url },
	{ "URLs without a password, NULL, @ in the password", test_without_password },
	{ NULL, NULL },
};

int main(void)
{
	return unit_run("mask", cases);
}
