/* libFuzzer harness: the JWT parser and verifier (split, base64url, JSON
 * header and payload, key lookup, signature and claims), and the check of
 * a downloaded certs document on the same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jwt.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char certs_path[64];

/* A JWKS with one 2048-bit RSA key (kid "k1"), written once. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char n[400];
	FILE *f;
	int fd, i;

	(void)argc;
	(void)argv;
	snprintf(certs_path, sizeof certs_path, "/tmp/dr-fuzz-jwks.XXXXXX");
	fd = mkstemp(certs_path);
	if (fd < 0)
		abort();
	f = fdopen(fd, "w");
	for (i = 0; i < 342; i++)
		n[i] = i == 0 ? 'w' : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[(i * 7 + 3) % 64];
	n[342] = '\0';
	fprintf(f, "{\"keys\": [{\"kid\": \"k1\", \"kty\": \"RSA\", \"n\": \"%s\", \"e\": \"AQAB\"}]}\n", n);
	fclose(f);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dr_jwt_policy p = { .audience = "aud", .issuer = "https://team.cloudflareaccess.com",
				   .certs_file = certs_path, .common_name = "id.access", .now = 1700000000 };
	char why[256];

	if (dr_jwt_verify((const char *)data, size, &p, why, sizeof why) == 0)
		__builtin_trap(); /* nothing the fuzzer makes can carry a valid signature */
	dr_jwt_certs_check((const char *)data, size, why, sizeof why);
	return 0;
}
