/* test_registry_auth.c: X-Registry-Auth from a config.json-format file. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "registry_auth.h"
#include "unit.h"

static char path[64];

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* Decode a header value back into its JSON text. */
static void decode(const char *value, char *out, size_t cap)
{
	long n = dr_base64_decode(value, (unsigned char *)out, cap - 1);

	out[n > 0 ? n : 0] = '\0';
}

static void test_auth_field(void)
{
	char *value = NULL, json[512];
	struct dr_error err;

	/* dXNlcjpwYXNz is base64 of user:pass */
	write_file("{\"auths\": {\"127.0.0.1:5000\": {\"auth\": \"dXNlcjpwYXNz\"}}}");
	CU_ASSERT_EQUAL(dr_registry_auth_build(path, "127.0.0.1:5000", &value, &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(value);
	decode(value, json, sizeof json);
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"username\":\"user\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"password\":\"pass\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"serveraddress\":\"127.0.0.1:5000\""));
	dr_registry_auth_free(value);
}

static void test_username_password_and_prefix(void)
{
	char *value = NULL, json[512];
	struct dr_error err;

	write_file("{\"auths\": {\"https://ghcr.io\": {\"username\": \"u\", \"password\": \"p:w\"}}}");
	CU_ASSERT_EQUAL(dr_registry_auth_build(path, "ghcr.io", &value, &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(value);
	decode(value, json, sizeof json);
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"password\":\"p:w\""));
	dr_registry_auth_free(value);
}

static void test_no_entry_and_errors(void)
{
	char *value = NULL;
	struct dr_error err;

	write_file("{\"auths\": {\"other.io\": {\"auth\": \"dXNlcjpwYXNz\"}}}");
	CU_ASSERT_EQUAL(dr_registry_auth_build(path, "ghcr.io", &value, &err), 0);
	CU_ASSERT_PTR_NULL(value);
	write_file("not json");
	CU_ASSERT_EQUAL(dr_registry_auth_build(path, "ghcr.io", &value, &err), DR_FAULT_INTERNAL);
	write_file("{\"auths\": {\"ghcr.io\": {\"auth\": \"bm9jb2xvbg==\"}}}");
	CU_ASSERT_EQUAL(dr_registry_auth_build(path, "ghcr.io", &value, &err), DR_FAULT_INTERNAL);
	CU_ASSERT_PTR_NULL(strstr(err.reason, "nocolon"));
	/* null and other non-strings are a clear error, never read as strings. */
	write_file("{\"auths\": {\"ghcr.io\": {\"auth\": null}}}");
	CU_ASSERT_EQUAL(dr_registry_auth_build(path, "ghcr.io", &value, &err), DR_FAULT_INTERNAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "must be a string"));
	write_file("{\"auths\": {\"ghcr.io\": {\"auth\": 7}}}");
	CU_ASSERT_EQUAL(dr_registry_auth_build(path, "ghcr.io", &value, &err), DR_FAULT_INTERNAL);
	write_file("{\"auths\": {\"ghcr.io\": {\"username\": null, \"password\": \"p\"}}}");
	CU_ASSERT_EQUAL(dr_registry_auth_build(path, "ghcr.io", &value, &err), DR_FAULT_INTERNAL);
	CU_ASSERT_PTR_NULL(value);
}

static void test_base64(void)
{
	char out[64];
	unsigned char raw[64];

	CU_ASSERT_EQUAL(dr_base64url_encode((const unsigned char *)"\xfb\xff", 2, out, sizeof out), 0);
	CU_ASSERT_STRING_EQUAL(out, "-_8=");
	CU_ASSERT_EQUAL(dr_base64_decode("-_8=", raw, sizeof raw), 2);
	CU_ASSERT_EQUAL(raw[0], 0xfb);
	CU_ASSERT_EQUAL(dr_base64_decode("a*b", raw, sizeof raw), -1);
	CU_ASSERT_EQUAL(dr_base64url_encode((const unsigned char *)"abc", 3, out, 4), -1);
}

static const struct unit_case cases[] = {
	{ "auth field decoded and re-encoded", test_auth_field },
	{ "username/password and https:// keys", test_username_password_and_prefix },
	{ "missing entries and malformed files", test_no_entry_and_errors },
	{ "base64 both ways", test_base64 },
	{ NULL, NULL },
};

int main(void)
{
	int fd, rc;

	snprintf(path, sizeof path, "/tmp/dr-unit-auth.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return 99;
	close(fd);
	rc = unit_run("registry_auth", cases);
	unlink(path);
	return rc;
}
