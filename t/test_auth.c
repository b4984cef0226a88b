/* test_auth.c: service-token checks. */

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "unit.h"

static struct dr_http_request req;
static struct dr_config cfg;
static char secret[] = "the-secret";
static char reader_secret[] = "the-reader-secret";
static enum dr_auth_role role;

static int check(const char *head)
{
	struct dr_error err;
	char detail[64];

	memset(&req, 0, sizeof req);
	req.head_len = strlen(head);
	memcpy(req.head, head, req.head_len);
	if (dr_http_head_parse(&req))
		return -1;
	return dr_auth_check(&req, &cfg, &role, &err, detail, sizeof detail);
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
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\n\r\n"), DR_FAULT_UNAUTHENTICATED);
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Id: id\r\n\r\n"), DR_FAULT_UNAUTHENTICATED);
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Secret: the-secret\r\n\r\n"), DR_FAULT_UNAUTHENTICATED);
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Id:\r\nCF-Access-Client-Secret: the-secret\r\n\r\n"), DR_FAULT_UNAUTHENTICATED);
}

static void test_wrong(void)
{
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Id: id\r\nCF-Access-Client-Secret: the-secreT\r\n\r\n"), DR_FAULT_FORBIDDEN);
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Id: other\r\nCF-Access-Client-Secret: the-secret\r\n\r\n"), DR_FAULT_FORBIDDEN);
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Id: id\r\nCF-Access-Client-Secret: the-secret-longer\r\n\r\n"), DR_FAULT_FORBIDDEN);
}

static void test_right(void)
{
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\ncf-access-client-id: id\r\ncf-access-client-secret: the-secret\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(role, DR_AUTH_DEPLOYER);
}

static void test_reader(void)
{
	const char *reader = "GET / HTTP/1.1\r\nCF-Access-Client-Id: reader\r\nCF-Access-Client-Secret: the-reader-secret\r\n\r\n";

	CU_ASSERT_EQUAL(check(reader), DR_FAULT_FORBIDDEN);  /* none configured */
	CU_ASSERT_EQUAL(role, DR_AUTH_NONE);
	cfg.reader_client_id = "reader";
	cfg.reader_client_secret = reader_secret;
	CU_ASSERT_EQUAL(check(reader), 0);
	CU_ASSERT_EQUAL(role, DR_AUTH_READER);
	/* One token's id with the other's secret is neither. */
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Id: reader\r\nCF-Access-Client-Secret: the-secret\r\n\r\n"), DR_FAULT_FORBIDDEN);
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Id: id\r\nCF-Access-Client-Secret: the-reader-secret\r\n\r\n"), DR_FAULT_FORBIDDEN);
	CU_ASSERT_EQUAL(check("GET / HTTP/1.1\r\nCF-Access-Client-Id: id\r\nCF-Access-Client-Secret: the-secret\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(role, DR_AUTH_DEPLOYER);
	cfg.reader_client_id = NULL;
	cfg.reader_client_secret = NULL;
}

/* The token of the last parsed head, copied out (the cookie's is not terminated). */
static const char *jwt_of(const char *head)
{
	static char out[64];
	const char *t;
	size_t len;

	if (check(head) < 0)
		return "unparsed";
	t = dr_auth_jwt_find(&req, &len);
	if (!t)
		return NULL;
	snprintf(out, sizeof out, "%.*s", (int)len, t);
	return out;
}

static void test_jwt_find(void)
{
	CU_ASSERT_STRING_EQUAL(jwt_of("GET / HTTP/1.1\r\nCf-Access-Jwt-Assertion: a.b.c\r\n\r\n"), "a.b.c");
	CU_ASSERT_STRING_EQUAL(jwt_of("GET / HTTP/1.1\r\nCookie: CF_Authorization=x.y.z\r\n\r\n"), "x.y.z");
	CU_ASSERT_STRING_EQUAL(jwt_of("GET / HTTP/1.1\r\nCookie: a=1; CF_Authorization=x.y.z; b=2\r\n\r\n"), "x.y.z");
	/* The header wins over the cookie. */
	CU_ASSERT_STRING_EQUAL(jwt_of("GET / HTTP/1.1\r\nCookie: CF_Authorization=x\r\nCf-Access-Jwt-Assertion: h\r\n\r\n"), "h");
	/* Only that exact cookie name, and not an empty value. */
	CU_ASSERT_PTR_NULL(jwt_of("GET / HTTP/1.1\r\nCookie: XCF_Authorization=x; cf_authorization=y\r\n\r\n"));
	CU_ASSERT_PTR_NULL(jwt_of("GET / HTTP/1.1\r\nCookie: CF_Authorization=\r\n\r\n"));
	CU_ASSERT_PTR_NULL(jwt_of("GET / HTTP/1.1\r\nCookie: CF_Authorization\r\n\r\n"));
	CU_ASSERT_PTR_NULL(jwt_of("GET / HTTP/1.1\r\n\r\n"));
}

static const struct unit_case cases[] = {
	{ "the Access JWT: header, else cookie", test_jwt_find },
	{ "constant-time equality", test_equal },
	{ "missing headers are 401", test_missing },
	{ "wrong credentials are 403", test_wrong },
	{ "right credentials pass", test_right },
	{ "the read-only token", test_reader },
	{ NULL, NULL },
};

int main(void)
{
	cfg.client_id = "id";
	cfg.client_secret = secret;
	return unit_run("auth", cases);
}
