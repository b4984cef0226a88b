/* libFuzzer harness: what a registry and an operator hand the signature check.
 * The input is read twice: as the text of IMAGE_SIGNATURE_KEYS (PEM) and as
 * a DER ECDSA signature from a registry, verified with a fixed valid key.
 * No input but the one real signature of "dreichor" by that key (the seed
 * corpus holds it, for the fuzzer to mutate) may verify. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signing_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char key_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAERYlA4jYhLOff2MnerUjC7ne0x1T3\n"
	"5agRLYswF5tTyvzbDRltvJqm1M49LLQCmJ5IeJsBYdqDA5980wBvxuyHtA==\n"
	"-----END PUBLIC KEY-----\n";

/* base64 -d of MEUCIGyNpEYaTLXqGNrM56x2ns+qHmr7/LCIGM6TaCK3FYg/AiEAkGuhGyX8AIOBDebOn2GI9LhT3uCjMTCok/LwlTx14p8= */
static const unsigned char real_signature[] = {
	0x30, 0x45, 0x02, 0x20, 0x6c, 0x8d, 0xa4, 0x46, 0x1a, 0x4c, 0xb5, 0xea, 0x18, 0xda, 0xcc, 0xe7, 0xac, 0x76,
	0x9e, 0xcf, 0xaa, 0x1e, 0x6a, 0xfb, 0xfc, 0xb0, 0x88, 0x18, 0xce, 0x93, 0x68, 0x22, 0xb7, 0x15, 0x88, 0x3f,
	0x02, 0x21, 0x00, 0x90, 0x6b, 0xa1, 0x1b, 0x25, 0xfc, 0x00, 0x83, 0x81, 0x0d, 0xe6, 0xce, 0x9f, 0x61, 0x88,
	0xf4, 0xb8, 0x53, 0xde, 0xe0, 0xa3, 0x31, 0x30, 0xa8, 0x93, 0xf2, 0xf0, 0x95, 0x3c, 0x75, 0xe2, 0x9f,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dr_signing_keys keys, fixed;
	unsigned char digest[DR_SHA256_LEN];
	char why[160] = "";

	if (!fixed.count && dr_signing_keys_parse(&fixed, key_pem, sizeof key_pem - 1, why, sizeof why))
		abort();
	dr_signing_keys_parse(&keys, (const char *)data, size, why, sizeof why);
	if (memchr(why, '\0', sizeof why) == NULL)
		abort();
	dr_sha256("dreichor", 8, digest);
	if (dr_ecdsa_verify_sha256(&fixed.key[0], digest, data, size) !=
	    (size == sizeof real_signature && !memcmp(data, real_signature, size)))
		abort();
	return 0;
}
