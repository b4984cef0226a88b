/* test_cgi.c: CGI variables, request ids, content types, body reads. */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgi.h"
#include "unit.h"

static void test_request_ids(void)
{
	char a[DR_REQUEST_ID_LEN + 1], b[DR_REQUEST_ID_LEN + 1];

	dr_request_id_new(a);
	dr_request_id_new(b);
	CU_ASSERT_TRUE(dr_request_id_valid(a));
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	CU_ASSERT_FALSE(dr_request_id_valid("0123"));
	CU_ASSERT_FALSE(dr_request_id_valid("0123456789ABCDEF0123456789abcdef"));
	CU_ASSERT_FALSE(dr_request_id_valid(""));
}

static void test_content_type(void)
{
	CU_ASSERT_TRUE(dr_content_type_is_json("application/json"));
	CU_ASSERT_TRUE(dr_content_type_is_json("Application/JSON; charset=utf-8"));
	CU_ASSERT_FALSE(dr_content_type_is_json("application/jsonx"));
	CU_ASSERT_FALSE(dr_content_type_is_json("text/plain"));
	CU_ASSERT_FALSE(dr_content_type_is_json(NULL));
}

static void test_load(void)
{
	struct dr_cgi cgi;
	struct dr_error err;

	setenv("REQUEST_METHOD", "POST", 1);
	setenv("PATH_INFO", "/v1/deploy", 1);
	setenv("CONTENT_LENGTH", "12", 1);
	setenv("DREICHOR_REQUEST_ID", "0123456789abcdef0123456789abcdef", 1);
	CU_ASSERT_EQUAL(dr_cgi_load(&cgi, &err), 0);
	CU_ASSERT_EQUAL(cgi.content_length, 12);
	CU_ASSERT_STRING_EQUAL(cgi.path, "/v1/deploy");
	setenv("CONTENT_LENGTH", "65537", 1);
	CU_ASSERT_EQUAL(dr_cgi_load(&cgi, &err), DR_FAULT_TOO_LARGE);
	setenv("CONTENT_LENGTH", "-1", 1);
	CU_ASSERT_EQUAL(dr_cgi_load(&cgi, &err), DR_FAULT_TOO_LARGE);
	setenv("CONTENT_LENGTH", "1", 1);
	setenv("DREICHOR_REQUEST_ID", "forged", 1);
	CU_ASSERT_EQUAL(dr_cgi_load(&cgi, &err), DR_FAULT_BAD_REQUEST);
}

static void test_body(void)
{
	struct dr_cgi cgi;
	struct dr_error err;
	char *body = NULL;
	int p[2];

	setenv("CONTENT_LENGTH", "5", 1);
	setenv("DREICHOR_REQUEST_ID", "0123456789abcdef0123456789abcdef", 1);
	CU_ASSERT_EQUAL_FATAL(dr_cgi_load(&cgi, &err), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	CU_ASSERT_EQUAL(write(p[1], "hello, and more", 15), 15);
	CU_ASSERT_EQUAL(dr_cgi_body_read(&cgi, p[0], &body, &err), 0);
	CU_ASSERT_STRING_EQUAL(body, "hello");
	free(body);
	close(p[1]);
	close(p[0]);
	/* Too short: the peer closes after 3 of 5 bytes. */
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	CU_ASSERT_EQUAL(write(p[1], "abc", 3), 3);
	close(p[1]);
	CU_ASSERT_EQUAL(dr_cgi_body_read(&cgi, p[0], &body, &err), DR_FAULT_BAD_REQUEST);
	CU_ASSERT_PTR_NULL(body);
	close(p[0]);
}

static const struct unit_case cases[] = {
	{ "request ids", test_request_ids },
	{ "JSON content types", test_content_type },
	{ "CGI variables and their limits", test_load },
	{ "body read: exact length, early close", test_body },
	{ NULL, NULL },
};

int main(void)
{
	return unit_run("cgi", cases);
}
