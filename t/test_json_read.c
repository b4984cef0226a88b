/* test_json_read.c: reading members, elements, strings and integers out of checked JSON. */

#include <string.h>

#include "json_read.h"
#include "json_strict.h"
#include "unit.h"

static struct dr_json_value root;

/* Check text as the callers do, then read its root. */
static int load(const char *text)
{
	char why[160];

	if (dr_json_strict_check(text, strlen(text), 8, NULL, why, sizeof why))
		return -1;
	return dr_json_root(text, strlen(text), &root);
}

static const char *string_of(const char *key)
{
	static char out[64];
	struct dr_json_value v;

	if (dr_json_get(&root, key, &v) || dr_json_string(&v, out, sizeof out))
		return NULL;
	return out;
}

static void test_members(void)
{
	struct dr_json_value v;

	CU_ASSERT_EQUAL_FATAL(load(" {\"a\": {\"b\": [1, {\"c\": \"}\"}]}, \"k\\u0065y\": \"v\", \"n\": null} "), 0);
	CU_ASSERT_EQUAL(root.type, DR_JSON_OBJECT);
	CU_ASSERT_STRING_EQUAL(string_of("key"), "v");   /* an escaped name matches */
	CU_ASSERT_PTR_NULL(string_of("b"));              /* only members of this object */
	CU_ASSERT_PTR_NULL(string_of("n"));              /* null is not a string */
	CU_ASSERT_EQUAL(dr_json_get(&root, "a", &v), 0);
	CU_ASSERT_EQUAL(v.type, DR_JSON_OBJECT);
	CU_ASSERT_EQUAL(dr_json_get(&root, "missing", &v), -1);
}

static void test_arrays(void)
{
	struct dr_json_value arr, el;
	size_t pos = 0;
	int count = 0;

	CU_ASSERT_EQUAL_FATAL(load("{\"x\": [\"a\", [1, 2], {\"y\": \"]\"}, 3], \"e\": []}"), 0);
	CU_ASSERT_EQUAL_FATAL(dr_json_get(&root, "x", &arr), 0);
	while (dr_json_next(&arr, &pos, &el))
		count++;
	CU_ASSERT_EQUAL(count, 4);
	CU_ASSERT_EQUAL(el.type, DR_JSON_NUMBER);
	CU_ASSERT_EQUAL_FATAL(dr_json_get(&root, "e", &arr), 0);
	pos = 0;
	CU_ASSERT_EQUAL(dr_json_next(&arr, &pos, &el), 0);
}

static void test_strings(void)
{
	CU_ASSERT_EQUAL_FATAL(load("{\"s\": \"a\\\"b\\\\c\\/d\\n\", \"u\": \"\\u00e9\\ud83d\\ude00\", \"z\": \"x\\u0000y\", "
				   "\"lone\": \"\\udc00\", \"long\": \"0123456789012345678901234567890123456789012345678901234567890123456789\"}"), 0);
	CU_ASSERT_STRING_EQUAL(string_of("s"), "a\"b\\c/d\n");
	CU_ASSERT_STRING_EQUAL(string_of("u"), "\xc3\xa9\xf0\x9f\x98\x80");
	CU_ASSERT_PTR_NULL(string_of("z"));    /* a NUL would cut the string short */
	CU_ASSERT_PTR_NULL(string_of("lone")); /* a lone low surrogate */
	CU_ASSERT_PTR_NULL(string_of("long")); /* does not fit */
}

static void test_integers(void)
{
	struct dr_json_value v;
	long long n = 0;

	CU_ASSERT_EQUAL_FATAL(load("{\"a\": 1700000000, \"b\": -5, \"c\": 17.9, \"d\": 1e9, \"e\": 1234567890123456789, \"f\": \"1\"}"), 0);
	CU_ASSERT_EQUAL(dr_json_get(&root, "a", &v) || dr_json_integer(&v, &n), 0);
	CU_ASSERT_EQUAL(n, 1700000000);
	CU_ASSERT_EQUAL(dr_json_get(&root, "b", &v) || dr_json_integer(&v, &n), 0);
	CU_ASSERT_EQUAL(n, -5);
	CU_ASSERT_EQUAL(dr_json_get(&root, "c", &v) || dr_json_integer(&v, &n), 0);
	CU_ASSERT_EQUAL(n, 17);
	CU_ASSERT_EQUAL(dr_json_get(&root, "d", &v) || dr_json_integer(&v, &n), 1);
	CU_ASSERT_EQUAL(dr_json_get(&root, "e", &v) || dr_json_integer(&v, &n), 1);
	CU_ASSERT_EQUAL(dr_json_get(&root, "f", &v) || dr_json_integer(&v, &n), 1);
}

/* Text that was not checked may give wrong answers but is never read out of bounds. */
static void test_unchecked(void)
{
	static const char *bad[] = { "{\"a", "{\"a\":", "[", "{\"a\": \"\\", "{\"a\": \"\\u12", "\"", "{\"a\" 1}", "{,}" };
	struct dr_json_value v;
	char out[16];
	size_t pos;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		CU_ASSERT_EQUAL(dr_json_root(bad[i], strlen(bad[i]), &root), 0);
		dr_json_get(&root, "a", &v);
		dr_json_string(&root, out, sizeof out);
		pos = 0;
		while (dr_json_next(&root, &pos, &v))
			;
	}
	CU_ASSERT_EQUAL(dr_json_root("  ", 2, &root), -1);
}

static int for_go(const char *text)
{
	char why[160];

	return dr_json_strict_check_for_go(text, strlen(text), 8, why, sizeof why) == 0;
}

/* JSON for the Docker engine: names with one spelling, no control characters. */
static void test_for_go(void)
{
	CU_ASSERT(for_go("{\"HostConfig\":{\"Binds\":[\"a:b\"]},\"Env\":[\"A=\\\"q\\\" \\u00e9 \\ud83d\\ude00\"]}"));
	CU_ASSERT(for_go("{\"a\":\"x\\/y\"}"));
	CU_ASSERT(!for_go("{\"HostConfig\\u0000\":1}"));
	CU_ASSERT(!for_go("{\"HostConfi\\u0067\":1}"));
	CU_ASSERT(!for_go("{\"a\\\"b\":1}"));
	CU_ASSERT(!for_go("{\"Ho\xc5\xbftConfig\":1}"));
	CU_ASSERT(!for_go("{\"a b\":1,\"A B\":2}"));
	CU_ASSERT(for_go("{\"a b\":1,\"a c\":2}"));
	CU_ASSERT(!for_go("{\"HostConfig\":1,\"hostconfig\":2}"));
	CU_ASSERT(!for_go("{\"x\":{\"Binds\":1,\"BINDS\":2}}"));
	CU_ASSERT(for_go("{\"x\":{\"Binds\":1},\"y\":{\"binds\":2}}"));
	CU_ASSERT(!for_go("{\"a_\":1,\"A\x7f\":2}"));
	CU_ASSERT(!for_go("[\"a\\u0000\"]"));
	CU_ASSERT(!for_go("[\"a\\u001f\"]"));
	CU_ASSERT(!for_go("[\"a\\u007f\"]"));
	CU_ASSERT(!for_go("[\"a\x7f\"]"));
	CU_ASSERT(!for_go("[\"a\\n\"]"));
	CU_ASSERT(!for_go("[\"a\\t\"]"));
	CU_ASSERT(!for_go("[\"\\ud800\"]"));
	CU_ASSERT(!for_go("[\"\\ud800x\"]"));
	CU_ASSERT(!for_go("[\"\\ud800\\u0041\"]"));
	CU_ASSERT(!for_go("[\"\\udc00\\ud800\"]"));
	CU_ASSERT(!for_go("{\"a\":1,\"a\":2}"));
	/* The ordinary check keeps its rules: case variants and escaped names pass there. */
	{
		const char *text = "{\"a\":1,\"A\":2,\"\\u0062\":[\"\\n\"]}";
		char why[160];
		CU_ASSERT_EQUAL(dr_json_strict_check(text, strlen(text), 8, NULL, why, sizeof why), 0);
	}
}

static int strict_ok(const char *text)
{
	char why[160];

	return dr_json_strict_check(text, strlen(text), 8, NULL, why, sizeof why) == 0;
}

/* Names are compared as every decoder reads them: a name spelled twice, once with escapes, is a
 * name twice (json-c keeps the last, lib/core/json_read.c the first); a name holding NUL is what
 * json-c's C-string keys cut it to, so it is refused. */
static void test_decoded_names(void)
{
	CU_ASSERT(!strict_ok("{\"a\":1,\"\\u0061\":2}"));
	CU_ASSERT(!strict_ok("{\"version\":1,\"versio\\u006e\":2}"));
	CU_ASSERT(!strict_ok("{\"\\u00e9\":1,\"\xc3\xa9\":2}"));
	CU_ASSERT(!strict_ok("{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}"));
	CU_ASSERT(!strict_ok("{\"a/b\":1,\"a\\/b\":2}"));
	CU_ASSERT(!strict_ok("{\"a\\n\":1,\"a\\u000a\":2}"));
	CU_ASSERT(!strict_ok("{\"k\\u0000\":1}"));
	CU_ASSERT(!strict_ok("{\"version\":1,\"version\\u0000\":2}"));
	CU_ASSERT(strict_ok("{\"a\":1,\"b\":2,\"\\u0061b\":3,\"ab\\u0000x\":[]}") == 0);
	CU_ASSERT(strict_ok("{\"a\":1,\"b\":2,\"\\u0061b\":3}"));
	CU_ASSERT(strict_ok("{\"\\u00e9\":1,\"\xc3\xa8\":2,\"\\ud83d\\ude01\":3,\"\xf0\x9f\x98\x80\":4}"));
	CU_ASSERT(strict_ok("[\"a\\u0000\"]")); /* a value may hold NUL: json-c keeps its length */
	CU_ASSERT(!strict_ok("{\"\\ud800\":1,\"\\udc00\":2}")); /* json-c: U+FFFD twice */
	CU_ASSERT(!strict_ok("{\"a\\udbff\":1}"));
	CU_ASSERT(!strict_ok("{\"\\ud800x\":1}"));
	CU_ASSERT(strict_ok("[\"\\ud800\"]")); /* a value: no lookup by it */
}

/* A bound on values, whatever the size in bytes. */
static void test_values_bound(void)
{
	char why[160];
	const char *five = "[{},[],\"s\",1]", *nested = "{\"a\":{\"b\":null}}";

	CU_ASSERT_EQUAL(dr_json_strict_check_values(five, strlen(five), 8, 5, why, sizeof why), 0);
	CU_ASSERT_EQUAL(dr_json_strict_check_values(five, strlen(five), 8, 4, why, sizeof why), -1);
	CU_ASSERT(strstr(why, "too many values") != NULL);
	CU_ASSERT_EQUAL(dr_json_strict_check_values(nested, strlen(nested), 8, 3, why, sizeof why), 0);
	CU_ASSERT_EQUAL(dr_json_strict_check_values(nested, strlen(nested), 8, 2, why, sizeof why), -1);
}

static const struct unit_case cases[] = {
	{ "JSON for the Docker engine (Go's rules)", test_for_go },
	{ "names compared decoded, NUL in a name refused", test_decoded_names },
	{ "a bound on values", test_values_bound },
	{ "object members, escaped names", test_members },
	{ "array elements", test_arrays },
	{ "string escapes, surrogates, NUL, size", test_strings },
	{ "integers and NumericDates", test_integers },
	{ "unchecked text stays in bounds", test_unchecked },
	{ NULL, NULL },
};

int main(void)
{
	return unit_run("json_read", cases);
}
