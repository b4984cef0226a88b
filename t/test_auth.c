/* test_auth.c: service-token checks. */

#include <string.h>

#include "auth.h"
#include "unit.h"

static struct dr_http_request req;
static struct dr_config cfg;
static char secret[] = "the-secret";

static int check(const char *head)
{
	struct dr_error err;

	memset(&req, 0, sizeof req);
	req.head_len = strlen(head);
	memcpy(req.head, head, req.head_len);
	if (dr_http_head_parse(&req))
		return -1;
	return dr_auth_check(&req, &cfg, &err);
}

static void test_equal(void)
{
	CU_ASSERT_TRUE(dr_auth_equal("abc", 3, "abc", 3));
	CU_ASSERT_FALSE(dr_auth_equal("abc", 3, "abd", 3));
	CU_ASSERT_FALSE(dr_auth_equal("abc", 3, "abcd", 4));
	CU_ASSERT_FALSE(dr_auth_equal("", 0, "a", 1));
	CU_ASSERT_TRUE(dr_auth_equal("", 0, "", 0));
	/* A prefix padded with NULs must not match. */
	CU_ASSERT_FALSE(dr_auth_equal("ab\0", 3, "ab", 2));
}

static void test_missing(void)
{
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\n\r\n"), 401);
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Id: id\r\n\r\n"), 401);
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Secret: the-secret\r\n\r\n"), 401);
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Id:\r\nCF-Access-Client-Secret: the-secret\r\n\r\n"), 401);
}

static void test_wrong(void)
{
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Id: id\r\nCF-Access-Client-Secret: the-secreT\r\n\r\n"), 403);
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Id: other\r\nCF-Access-Client-Secret: the-secret\r\n\r\n"), 403);
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Id: id\r\nCF-Access-Client-Secret: the-secret-longer\r\n\r\n"), 403);
}

static void test_right(void)
{
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\ncf-access-client-id: id\r\ncf-access-client-secret: the-secret\r\n\r\n"), 0);
}

static const struct unit_case cases[] = {
	{ "constant-time equality", test_equal },
	{ "missing headers are 401", test_missing },
	{ "wrong credentials are 403", test_wrong },
	{ "right credentials pass", test_right },
	{ NULL, NULL },
};

int main(void)
{
	cfg.client_id = "id";
	cfg.client_secret = secret;
	return unit_run("auth", cases);
}
