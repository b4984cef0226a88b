/* dreichor-jwt-verify: the dispatcher's Access JWT check, by hand. Reads
 * one Cf-Access-Jwt-Assertion token from stdin and checks it against the
 * policy in its environment (CF_ACCESS_AUD, CF_ACCESS_ISSUER,
 * CF_ACCESS_CERTS_FILE, CF_ACCESS_CLIENT_ID), as dreichor-agent does for
 * every request when the JWT check is configured. Prints "ok" or why not.
 * Exit codes: 0 valid, 1 refused, 2 the certs file cannot be read or
 * parsed, 100 usage, 111 system. */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "http.h"
#include "jwt.h"
#include "config.h"

#define JWT_EXIT_USAGE 100

int main(void)
{
	static char token[DR_JWT_MAX + 1];
	struct dr_jwt_policy policy;
	char why[256] = "";
	size_t len = 0;
	ssize_t n;
	int rc;

	policy.audience = dr_env("CF_ACCESS_AUD");
	policy.issuer = dr_env("CF_ACCESS_ISSUER");
	policy.certs_file = dr_env("CF_ACCESS_CERTS_FILE");
	policy.common_name = dr_env("CF_ACCESS_CLIENT_ID");
	policy.reader_common_name = dr_env("CF_ACCESS_READER_CLIENT_ID");
	policy.now = (long long)time(NULL);
	if (!policy.audience || !policy.issuer || !policy.certs_file || !policy.common_name) {
		printf("verifier started without its policy variables\n");
		return JWT_EXIT_USAGE;
	}
	while (len <= DR_JWT_MAX && (n = read(STDIN_FILENO, token + len, DR_JWT_MAX + 1 - len)) > 0)
		len += (size_t)n;
	rc = dr_jwt_verify(token, len, &policy, why, sizeof why);
	if (rc < 0) {
		printf("%s\n", why);
		return rc == DR_JWT_CERTS_BROKEN ? 2 : 1;
	}
	printf(rc == DR_JWT_READER ? "ok (the read-only client)\n" : "ok\n");
	return 0;
}
