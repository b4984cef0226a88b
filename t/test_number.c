/* test_number.c: the strict number parsers (lib/core/number.c). */

#include <limits.h>
#include <string.h>

#include "number.h"
#include "unit.h"

static void test_parse_long(void)
{
	long v = 0;

	CU_ASSERT_EQUAL(dr_parse_long("42", 0, 100, &v), 0);
	CU_ASSERT_EQUAL(v, 42);
	CU_ASSERT_EQUAL(dr_parse_long("101", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_long("", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_long(NULL, 0, 100, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_long("99999999999999999999999", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_long(" 1", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_long("1 ", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_long("-1", -5, 100, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_long("+1", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_long("0x10", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(v, 42);
}

static void test_parse_unsigned(void)
{
	unsigned long long v = 7;

	CU_ASSERT_EQUAL(dr_parse_unsigned("fd", 2, 16, UINT_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, 0xfd);
	CU_ASSERT_EQUAL(dr_parse_unsigned("0A", 2, 16, UINT_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, 10);
	/* A span of a longer text: only len bytes are read. */
	CU_ASSERT_EQUAL(dr_parse_unsigned("103:01:5678", 3, 16, UINT_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, 0x103);
	CU_ASSERT_EQUAL(dr_parse_unsigned("5678 0 EOF", 4, 10, ULLONG_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, 5678);
	/* The whole range of an inode number, and one past it. */
	CU_ASSERT_EQUAL(dr_parse_unsigned("18446744073709551615", 20, 10, ULLONG_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, ULLONG_MAX);
	CU_ASSERT_EQUAL(dr_parse_unsigned("18446744073709551616", 20, 10, ULLONG_MAX, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_unsigned("ffffffffffffffff0", 17, 16, ULLONG_MAX, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_unsigned("100", 3, 10, 99, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_unsigned("9", 1, 10, 5, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_unsigned("99", 2, 10, 99, &v), 0);
	CU_ASSERT_EQUAL(v, 99);
	/* Digits only, in the base asked for. */
	CU_ASSERT_EQUAL(dr_parse_unsigned("fd", 2, 10, ULLONG_MAX, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_unsigned("0x1f", 4, 16, ULLONG_MAX, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_unsigned("-1", 2, 10, ULLONG_MAX, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_unsigned(" 1", 2, 10, ULLONG_MAX, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_unsigned("1", 0, 10, ULLONG_MAX, &v), -1);
	CU_ASSERT_EQUAL(dr_parse_unsigned("1", 1, 8, ULLONG_MAX, &v), -1);
	CU_ASSERT_EQUAL(v, 99);
}

static void test_parse_version(void)
{
	long major = -1, minor = -1;

	CU_ASSERT_EQUAL(dr_parse_version("1.41", &major, &minor), 0);
	CU_ASSERT_EQUAL(major, 1);
	CU_ASSERT_EQUAL(minor, 41);
	CU_ASSERT_EQUAL(dr_parse_version("2.0", &major, &minor), 0);
	CU_ASSERT_EQUAL(major, 2);
	CU_ASSERT_EQUAL(minor, 0);
	CU_ASSERT_EQUAL(dr_parse_version("1", &major, &minor), -1);
	CU_ASSERT_EQUAL(dr_parse_version("1.", &major, &minor), -1);
	CU_ASSERT_EQUAL(dr_parse_version(".41", &major, &minor), -1);
	CU_ASSERT_EQUAL(dr_parse_version("1.41.2", &major, &minor), -1);
	CU_ASSERT_EQUAL(dr_parse_version("v1.41", &major, &minor), -1);
	CU_ASSERT_EQUAL(dr_parse_version("1.4a", &major, &minor), -1);
	CU_ASSERT_EQUAL(dr_parse_version("1.-4", &major, &minor), -1);
	CU_ASSERT_EQUAL(dr_parse_version("1.100000", &major, &minor), -1);
	CU_ASSERT_EQUAL(dr_parse_version("", &major, &minor), -1);
	CU_ASSERT_EQUAL(dr_parse_version(NULL, &major, &minor), -1);
	CU_ASSERT_EQUAL(major, 2);
	CU_ASSERT_EQUAL(minor, 0);
}

static void test_hex_digit(void)
{
	CU_ASSERT_EQUAL(dr_hex_digit('0'), 0);
	CU_ASSERT_EQUAL(dr_hex_digit('9'), 9);
	CU_ASSERT_EQUAL(dr_hex_digit('a'), 10);
	CU_ASSERT_EQUAL(dr_hex_digit('F'), 15);
	CU_ASSERT_EQUAL(dr_hex_digit('g'), -1);
	CU_ASSERT_EQUAL(dr_hex_digit(':'), -1);
}

static const struct unit_case cases[] = {
	{ "range-checked decimal numbers", test_parse_long },
	{ "decimal and hexadecimal spans", test_parse_unsigned },
	{ "MAJOR.MINOR versions", test_parse_version },
	{ "hexadecimal digits", test_hex_digit },
	{ NULL, NULL },
};

int main(void)
{
	return unit_run("number", cases);
}
