/* test_deploy_request.c: the deploy body parser and its refusals. */

#include <stdio.h>
#include <string.h>

#include "deploy_request.h"
#include "unit.h"

static struct dr_deploy_request req;
static struct dr_error err;

static int parse(const char *body)
{
	dr_deploy_request_free(&req);
	memset(&err, 0, sizeof err);
	return dr_deploy_request_parse(&req, body, strlen(body), "dev", &err);
}

static void test_valid(void)
{
	CU_ASSERT_EQUAL(parse("{\"image\": \"r:1.0.0\", \"environment\": \"dev\", \"env\": {\"LOG_LEVEL\": \"info\"}}"), 0);
	CU_ASSERT_STRING_EQUAL(req.image, "r:1.0.0");
	CU_ASSERT_PTR_NOT_NULL(req.env);
	CU_ASSERT_EQUAL(parse(" {\"image\":\"r:1.0.0\"}\r\n"), 0);
	CU_ASSERT_PTR_NULL(req.env);
}

static void test_malformed(void)
{
	CU_ASSERT_EQUAL(parse("{\"image\": "), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\"} {}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("[\"image\"]"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("\"image\""), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":1}}}}}}}}}"), DR_FAULT_BAD_REQUEST); /* depth */
	CU_ASSERT_EQUAL(dr_deploy_request_parse(&req, "", 0, "dev", &err), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(dr_deploy_request_parse(&req, "{\"image\":\"a\"}\0x", 15, "dev", &err), DR_FAULT_BAD_REQUEST);
}

static void test_fields(void)
{
	CU_ASSERT_EQUAL(parse("{}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "image is required"));
	CU_ASSERT_EQUAL(parse("{\"image\": 1}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("{\"image\": null}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\\u0000b\"}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"container_name\": \"x\"}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "field container_name is not accepted"));
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"volumes\": []}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"environment\": \"prod\"}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"environment\": 1}"), DR_FAULT_BAD_REQUEST);
}

static void test_env(void)
{
	struct dr_runtime_env rt = { { 0 } };
	char level[] = "info";

	rt.values[DR_RT_LOG_LEVEL] = level;
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"env\": []}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"env\": {\"FOO\": \"x\"}}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"env\": {\"LOG_LEVEL\": 3}}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"env\": {\"LOG_LEVEL\": \"info\"}}"), 0);
	CU_ASSERT_EQUAL(dr_deploy_request_check_env(&req, &rt, &err), 0);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"env\": {\"LOG_LEVEL\": \"debug\"}}"), 0);
	CU_ASSERT_EQUAL(dr_deploy_request_check_env(&req, &rt, &err), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "override of server-owned runtime variable LOG_LEVEL"));
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"env\": {\"SAFETY_MODE\": \"strict\"}}"), 0);
	CU_ASSERT_EQUAL(dr_deploy_request_check_env(&req, &rt, &err), DR_FAULT_BAD_REQUEST); /* not in the server file */
}

/* RFC 8259 only: each refusal names its problem. */
static void test_strict(void)
{
	static const struct {
		const char *body, *reason;
	} refused[] = {
		{ "{\"image\": \"a\",}", "a trailing comma" },
		{ "{\"image\": [\"a\",]}", "a trailing comma" },
		{ "{'image': 'a'}", "single quotes" },
		{ "{\"image\": \"a\"} // deploy", "a comment" },
		{ "{\"image\": /* x */ \"a\"}", "a comment" },
		{ "{\"image\": \"a\", \"environment\": \"dev\", \"environment\": \"dev\"}", "the key \"environment\" appears twice" },
		{ "{\"image\": \"a\", \"env\": {\"LOG_LEVEL\": \"info\", \"LOG_LEVEL\": \"info\"}}", "appears twice" },
		{ "{\"image\": \"a\", \"\\u0069mage\": \"b\"}", "appears twice" },
		{ "{\"image\": NaN}", "an unexpected character" },
		{ "{\"image\": 01}", "a leading zero" },
		{ "{\"image\": \"a\tb\"}", "a control character" },
		{ "{\"image\": \"\\x41\"}", "an invalid escape" },
		{ "{\"image\": \"\xc3\x28\"}", "invalid UTF-8" },
		{ "{\"image\": \"\xed\xa0\x80\"}", "invalid UTF-8" },
		{ "{\"image\": \"a\"} x", "text after the JSON value" },
		{ "{\"image\": tru}", "an unexpected character" },
		{ "{\"image\": \"a}", "an unterminated string" },
	};
	size_t i;

	for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		CU_ASSERT_EQUAL(parse(refused[i].body), DR_FAULT_BAD_REQUEST);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "not one well-formed JSON object (RFC 8259)"));
		if (!strstr(err.reason, refused[i].reason))
			fprintf(stderr, "body %s: reason '%s' lacks '%s'\n", refused[i].body, err.reason, refused[i].reason);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, refused[i].reason));
	}
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\\u00e9\\n\", \"env\": {}, \"environment\": \"dev\"}"), 0);
	CU_ASSERT_EQUAL(parse("{\"image\": \"caf\xc3\xa9\"}"), 0);
}

static void test_expect(void)
{
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"expect_current_digest\": \"none\"}"), 0);
	CU_ASSERT_STRING_EQUAL(req.expect_current_digest, "none");
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"expect_current_digest\": \"sha256:"
			      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}"), 0);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"expect_current_digest\": \"sha256:0123\"}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"expect_current_digest\": \"None\"}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"expect_current_digest\": null}"), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "expect_current_digest must be"));
}

static const struct unit_case cases[] = {
	{ "strict JSON", test_strict },
	{ "expect_current_digest", test_expect },
	{ "valid bodies", test_valid },
	{ "malformed bodies", test_malformed },
	{ "fields and overrides", test_fields },
	{ "env reconciliation", test_env },
	{ NULL, NULL },
};

int main(void)
{
	int rc = unit_run("deploy_request", cases);

	dr_deploy_request_free(&req);
	return rc;
}
