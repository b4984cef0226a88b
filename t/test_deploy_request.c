/* test_deploy_request.c: the deploy body parser and its refusals. */

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
	CU_ASSERT_EQUAL(parse("{\"image\": "), 400);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\"} {}"), 400);
	CU_ASSERT_EQUAL(parse("[\"image\"]"), 400);
	CU_ASSERT_EQUAL(parse("\"image\""), 400);
	CU_ASSERT_EQUAL(parse("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":1}}}}}}}}}"), 400); /* depth */
	CU_ASSERT_EQUAL(dr_deploy_request_parse(&req, "", 0, "dev", &err), 400);
	CU_ASSERT_EQUAL(dr_deploy_request_parse(&req, "{\"image\":\"a\"}\0x", 15, "dev", &err), 400);
}

static void test_fields(void)
{
	CU_ASSERT_EQUAL(parse("{}"), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "image is required"));
	CU_ASSERT_EQUAL(parse("{\"image\": 1}"), 400);
	CU_ASSERT_EQUAL(parse("{\"image\": null}"), 400);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\\u0000b\"}"), 400);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"container_name\": \"x\"}"), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "field container_name is not accepted"));
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"volumes\": []}"), 400);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"environment\": \"prod\"}"), 400);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"environment\": 1}"), 400);
}

static void test_env(void)
{
	struct dr_runtime_env rt = { { 0 } };
	char level[] = "info";

	rt.values[DR_RT_LOG_LEVEL] = level;
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"env\": []}"), 400);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"env\": {\"FOO\": \"x\"}}"), 400);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"env\": {\"LOG_LEVEL\": 3}}"), 400);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"env\": {\"LOG_LEVEL\": \"info\"}}"), 0);
	CU_ASSERT_EQUAL(dr_deploy_request_check_env(&req, &rt, &err), 0);
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"env\": {\"LOG_LEVEL\": \"debug\"}}"), 0);
	CU_ASSERT_EQUAL(dr_deploy_request_check_env(&req, &rt, &err), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "override of server-owned runtime variable LOG_LEVEL"));
	CU_ASSERT_EQUAL(parse("{\"image\": \"a\", \"env\": {\"SAFETY_MODE\": \"strict\"}}"), 0);
	CU_ASSERT_EQUAL(dr_deploy_request_check_env(&req, &rt, &err), 400); /* not in the server file */
}

static const struct unit_case cases[] = {
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
