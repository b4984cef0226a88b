/* test_mask.c: the chokepoint for outside text: mask, then cut, then make printable. */

#include <string.h>

#include "error.h"
#include "mask.h"
#include "unit.h"

static const char *clean_cut(const struct dr_mask *m, const char *text, size_t max)
{
	static struct dr_buf out;

	dr_buf_free(&out);
	dr_buf_init(&out, 8192);
	CU_ASSERT_EQUAL(dr_text_clean(m, text, strlen(text), max, 0, &out), 0);
	return dr_buf_str(&out);
}

static const char *masked(const struct dr_mask *m, const char *text)
{
	return clean_cut(m, text, 4096);
}

static void test_database_url(void)
{
	struct dr_mask m;

	dr_mask_init_database_url(&m, "postgres://app:s3cr%40t@db:5432/app?sslmode=require");
	CU_ASSERT_EQUAL(m.count, 4);
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
	CU_ASSERT_STRING_EQUAL(masked(NULL, "no mask at all"), "no mask at all");
	/* An @ in the password: the userinfo ends at the last @ before the path. */
	dr_mask_init_database_url(&m, "postgres://u:p@ss@db/app");
	CU_ASSERT_STRING_EQUAL(masked(&m, "pw p@ss"), "pw ***");
	dr_mask_free(&m);
}

/* The review's finding: a password that straddles the cut kept its prefix. */
static void test_mask_before_cut(void)
{
	struct dr_mask m;
	char text[400];

	dr_mask_init_database_url(&m, "postgres://app:Tr0ub4dor-and-3@db/app");
	memset(text, 'x', 250);
	memcpy(text + 250, "Tr0ub4dor-and-3 after", sizeof "Tr0ub4dor-and-3 after");
	CU_ASSERT_PTR_NULL(strstr(clean_cut(&m, text, 256), "Tr0ub"));
	CU_ASSERT_EQUAL(strlen(clean_cut(&m, text, 256)), 256);
	CU_ASSERT_STRING_EQUAL(clean_cut(&m, text, 256) + 250, "*** af");
	dr_mask_free(&m);
}

/* Other spellings of the same secret: hex digits in the other case, JSON escapes. */
static void test_spellings(void)
{
	struct dr_mask m;

	dr_mask_init_database_url(&m, "postgres://app:a%2Fb%22c@db/app");
	CU_ASSERT_STRING_EQUAL(masked(&m, "lower a%2fb%22c end"), "lower *** end");
	CU_ASSERT_STRING_EQUAL(masked(&m, "json a\\/b\\\"c end"), "json *** end");
	CU_ASSERT_STRING_EQUAL(masked(&m, "unicode a\\u002fb\\u0022c end"), "unicode *** end");
	CU_ASSERT_STRING_EQUAL(masked(&m, "mixed a%2F b"), "mixed a%2F b");
	CU_ASSERT_STRING_EQUAL(masked(&m, "url postgres:\\/\\/app:a%2fb%22c@db\\/app"), "url ***");
	dr_mask_free(&m);
}

static void test_printable_and_cut(void)
{
	struct dr_buf out;

	CU_ASSERT_STRING_EQUAL(masked(NULL, "ok \xc3\xa9 bad \xff\x80 ctl \x1b\r end\x7f"), "ok \xc3\xa9 bad ?? ctl ?? end?");
	/* A cut never splits a character. */
	CU_ASSERT_STRING_EQUAL(clean_cut(NULL, "ab\xc3\xa9", 3), "ab");
	CU_ASSERT_STRING_EQUAL(clean_cut(NULL, "line\nnext", 100), "line?next");
	dr_buf_init(&out, 100);
	CU_ASSERT_EQUAL(dr_text_clean(NULL, "line\nnext\ttab", 13, 100, 1, &out), 0);
	CU_ASSERT_STRING_EQUAL(dr_buf_str(&out), "line\nnext\ttab");
	dr_buf_free(&out);
	/* An embedded NUL is text of its length, made printable. */
	dr_buf_init(&out, 100);
	CU_ASSERT_EQUAL(dr_text_clean(NULL, "a\0b", 3, 100, 0, &out), 0);
	CU_ASSERT_STRING_EQUAL(dr_buf_str(&out), "a?b");
	dr_buf_free(&out);
	/* A full output buffer is an error, not a silent cut. */
	dr_buf_init(&out, 4);
	CU_ASSERT_EQUAL(dr_text_clean(NULL, "too long", 8, 100, 0, &out), -1);
	dr_buf_free(&out);
	masked(NULL, "");
}

/* Reasons pass the chokepoint too: a client's field with control characters, a long quote. */
static void test_reasons(void)
{
	struct dr_error err;
	char big[3000];

	CU_ASSERT_EQUAL(dr_error_set(&err, DR_FAULT_BAD_REQUEST, "env: %s must be a string", "KEY\n::error::x\x1b"),
			DR_FAULT_BAD_REQUEST);
	CU_ASSERT_STRING_EQUAL(err.reason, "env: KEY?::error::x? must be a string");
	memset(big, 'a', sizeof big);
	memcpy(big + DR_REASON_MAX - 12, "\xc3\xa9", 2); /* an é across the cut */
	big[sizeof big - 1] = '\0';
	dr_error_set(&err, DR_FAULT_INTERNAL, "0123456789%s", big);
	CU_ASSERT_EQUAL(strlen(err.reason), DR_REASON_MAX - 2);
}

static const struct unit_case cases[] = {
	{ "DATABASE_URL and its password", test_database_url },
	{ "URLs without a password, NULL, @ in the password", test_without_password },
	{ "masked before the cut", test_mask_before_cut },
	{ "percent-encoded in either case, JSON-escaped", test_spellings },
	{ "printable, cut at a character", test_printable_and_cut },
	{ "reasons: printable, cut at a character", test_reasons },
	{ NULL, NULL },
};

int main(void)
{
	return unit_run("mask", cases);
}
