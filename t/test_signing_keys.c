/* test_signing_keys.c: IMAGE_SIGNATURE_KEYS read strictly, and ECDSA P-256
 * verification through Nettle against a signature openssl made:
 *   openssl ecparam -name prime256v1 -genkey -noout -out k; openssl ec -in k -pubout
 *   printf dreichor | openssl dgst -sha256 -sign k | base64 -w0 */

#include <string.h>

#include "base64.h"
#include "signing_keys.h"
#include "unit.h"

static const char key_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAERYlA4jYhLOff2MnerUjC7ne0x1T3\n"
	"5agRLYswF5tTyvzbDRltvJqm1M49LLQCmJ5IeJsBYdqDA5980wBvxuyHtA==\n"
	"-----END PUBLIC KEY-----\n";
static const char key_fingerprint[] = "sha256:1b9d1a30c0d01df4db10549c9eb92e8f85bd015d09da3b129cfc046f4deeabd8";
static const char signature_b64[] =
	"MEUCIGyNpEYaTLXqGNrM56x2ns+qHmr7/LCIGM6TaCK3FYg/AiEAkGuhGyX8AIOBDebOn2GI9LhT3uCjMTCok/LwlTx14p8=";

static int parse(struct dr_signing_keys *keys, const char *text, char *why)
{
	return dr_signing_keys_parse(keys, text, strlen(text), why, 160);
}

static void test_key_and_fingerprint(void)
{
	static struct dr_signing_keys keys;
	char why[160], fp[DR_KEY_FINGERPRINT_LEN + 1];

	CU_ASSERT_EQUAL(parse(&keys, key_pem, why), 0);
	CU_ASSERT_EQUAL(keys.count, 1);
	dr_signing_key_fingerprint(&keys.key[0], fp);
	CU_ASSERT_STRING_EQUAL(fp, key_fingerprint);
}

static void test_verify(void)
{
	static struct dr_signing_keys keys;
	unsigned char sig[128], digest[DR_SHA256_LEN];
	char why[160];
	long n = dr_base64_decode(signature_b64, sig, sizeof sig);

	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL_FATAL(parse(&keys, key_pem, why), 0);
	dr_sha256("dreichor", 8, digest);
	CU_ASSERT_EQUAL(dr_ecdsa_verify_sha256(&keys.key[0], digest, sig, (size_t)n), 1);
	/* Other bytes, a flipped bit, a trailing byte after the DER, a cut DER: no. */
	dr_sha256("dreichoR", 8, digest);
	CU_ASSERT_EQUAL(dr_ecdsa_verify_sha256(&keys.key[0], digest, sig, (size_t)n), 0);
	dr_sha256("dreichor", 8, digest);
	sig[n - 1] ^= 1;
	CU_ASSERT_EQUAL(dr_ecdsa_verify_sha256(&keys.key[0], digest, sig, (size_t)n), 0);
	sig[n - 1] ^= 1;
	sig[n] = 0;
	CU_ASSERT_EQUAL(dr_ecdsa_verify_sha256(&keys.key[0], digest, sig, (size_t)n + 1), 0);
	CU_ASSERT_EQUAL(dr_ecdsa_verify_sha256(&keys.key[0], digest, sig, (size_t)n - 1), 0);
	CU_ASSERT_EQUAL(dr_ecdsa_verify_sha256(&keys.key[0], digest, sig, 0), 0);
}

static void test_refusals(void)
{
	static struct dr_signing_keys keys;
	char why[160], text[2048];

	CU_ASSERT_EQUAL(parse(&keys, "", why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no BEGIN PUBLIC KEY"));
	CU_ASSERT_EQUAL(parse(&keys, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "private key"));
	CU_ASSERT_EQUAL(parse(&keys, "-----BEGIN PUBLIC KEY-----\nMFkw\n", why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no END PUBLIC KEY"));
	CU_ASSERT_EQUAL(parse(&keys, "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n", why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not base64"));
	/* The point moved off the curve: the last byte of Y changed. */
	snprintf(text, sizeof text, "%s", key_pem);
	*strstr(text, "HtA==") = 'I';
	CU_ASSERT_EQUAL(parse(&keys, text, why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not on the P-256 curve"));
	/* Two keys (a rotation) with text around them, as openssl allows. */
	snprintf(text, sizeof text, "current\n%snext\n%s", key_pem, key_pem);
	CU_ASSERT_EQUAL(parse(&keys, text, why), 0);
	CU_ASSERT_EQUAL(keys.count, 2);
}

static const struct unit_case cases[] = {
	{ "a P-256 key and its SPKI fingerprint", test_key_and_fingerprint },
	{ "ECDSA verification of an openssl signature", test_verify },
	{ "private keys, truncation, bad base64, off-curve points, two keys", test_refusals },
	{ NULL, NULL },
};

int main(void)
{
	return unit_run("signing_keys", cases);
}
