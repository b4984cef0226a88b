/* test_jwt.c: RS256 JWT verification against keys made here, and base64url. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "base64.h"
#include "jwt.h"
#include "crypto.h"
#include "unit.h"

static EVP_PKEY *key, *other, *small, *key3072, *key4096;
static char certs[64], big_certs[80];
static struct dr_jwt_policy policy = { .audience = "aud-tag", .issuer = "https://team.cloudflareaccess.com",
				       .certs_file = certs, .common_name = "id.access" };
static char why[256];

static void b64url(const unsigned char *data, size_t len, char *out, size_t cap)
{
	char *eq;

	dr_base64url_encode(data, len, out, cap);
	if ((eq = strchr(out, '=')))
		*eq = '\0';
}

static void jwk_of(EVP_PKEY *k, const char *kid, char *out, size_t cap)
{
	BIGNUM *n = NULL, *e = NULL;
	unsigned char raw[1024];
	char nb[1400], eb[16];

	EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n);
	EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e);
	b64url(raw, (size_t)BN_bn2bin(n, raw), nb, sizeof nb);
	b64url(raw, (size_t)BN_bn2bin(e, raw), eb, sizeof eb);
	snprintf(out, cap, "{\"kid\": \"%s\", \"kty\": \"RSA\", \"n\": \"%s\", \"e\": \"%s\"}", kid, nb, eb);
	BN_free(n);
	BN_free(e);
}

/* A token of header and claims JSON signed by k. */
static char *token(EVP_PKEY *k, const char *header, const char *claims)
{
	static char out[8192];
	char h[1024], c[2048], sig64[1024];
	unsigned char sig[512];
	size_t siglen = sizeof sig, used;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	b64url((const unsigned char *)header, strlen(header), h, sizeof h);
	b64url((const unsigned char *)claims, strlen(claims), c, sizeof c);
	used = (size_t)snprintf(out, sizeof out, "%s.%s", h, c);
	EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k);
	EVP_DigestSign(md, sig, &siglen, (unsigned char *)out, used);
	EVP_MD_CTX_free(md);
	b64url(sig, siglen, sig64, sizeof sig64);
	snprintf(out + used, sizeof out - used, ".%s", sig64);
	return out;
}

static char *claims(const char *aud, const char *cn, long long iat, long long exp)
{
	static char out[1024];

	snprintf(out, sizeof out,
		 "{\"aud\": [\"%s\"], \"iss\": \"https://team.cloudflareaccess.com\", \"common_name\": \"%s\", "
		 "\"iat\": %lld, \"exp\": %lld}", aud, cn, iat, exp);
	return out;
}

static int verify(const char *t)
{
	return dr_jwt_verify(t, strlen(t), &policy, why, sizeof why);
}

#define H1 "{\"alg\": \"RS256\", \"kid\": \"k1\"}"

static void test_valid(void)
{
	CU_ASSERT_EQUAL(verify(token(key, H1, claims("aud-tag", "id.access", policy.now, policy.now + 300))), 0);
	CU_ASSERT_EQUAL(verify(token(key, H1, claims("aud-tag", "id.access", policy.now + 50, policy.now - 50))), 0);
}

static void test_claims(void)
{
	CU_ASSERT_EQUAL(verify(token(key, H1, claims("other", "id.access", policy.now, policy.now + 300))), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "aud"));
	CU_ASSERT_EQUAL(verify(token(key, H1, claims("aud-tag", "someone", policy.now, policy.now + 300))), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "common_name"));
	/* The read-only client's common_name, once one is configured. */
	CU_ASSERT_EQUAL(verify(token(key, H1, claims("aud-tag", "reader.access", policy.now, policy.now + 300))), -1);
	policy.reader_common_name = "reader.access";
	CU_ASSERT_EQUAL(verify(token(key, H1, claims("aud-tag", "reader.access", policy.now, policy.now + 300))), DR_JWT_READER);
	CU_ASSERT_EQUAL(verify(token(key, H1, claims("aud-tag", "id.access", policy.now, policy.now + 300))), 0);
	CU_ASSERT_EQUAL(verify(token(key, H1, claims("aud-tag", "someone", policy.now, policy.now + 300))), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "CF_ACCESS_READER_CLIENT_ID"));
	policy.reader_common_name = NULL;
	CU_ASSERT_EQUAL(verify(token(key, H1, claims("aud-tag", "id.access", policy.now - 900, policy.now - 100))), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "expired"));
	CU_ASSERT_EQUAL(verify(token(key, H1, claims("aud-tag", "id.access", policy.now + 100, policy.now + 900))), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "iat"));
}

static void test_signatures(void)
{
	char *t = token(other, H1, claims("aud-tag", "id.access", policy.now, policy.now + 300));

	CU_ASSERT_EQUAL(verify(t), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "signature does not verify"));
	CU_ASSERT_EQUAL(verify(token(key, "{\"alg\": \"RS256\", \"kid\": \"nope\"}", claims("aud-tag", "id.access", policy.now, policy.now + 300))), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "kid nope"));
	CU_ASSERT_EQUAL(verify(token(key, "{\"alg\": \"HS256\", \"kid\": \"k1\"}", claims("aud-tag", "id.access", policy.now, policy.now + 300))), -1);
	CU_ASSERT_EQUAL(verify(token(small, "{\"alg\": \"RS256\", \"kid\": \"small\"}", claims("aud-tag", "id.access", policy.now, policy.now + 300))), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "2048"));
}

static void test_malformed(void)
{
	CU_ASSERT_EQUAL(verify("a.b"), -1);
	CU_ASSERT_EQUAL(verify("a.b.c.d"), -1);
	CU_ASSERT_EQUAL(verify("!!.??.**"), -1);
	CU_ASSERT_EQUAL(dr_jwt_verify("", 0, &policy, why, sizeof why), -1);
}

static void test_base64(void)
{
	unsigned char out[16];

	CU_ASSERT_EQUAL(dr_base64url_decode_n("aGk", 3, out, sizeof out), 2);
	CU_ASSERT_EQUAL(memcmp(out, "hi", 2), 0);
	CU_ASSERT_EQUAL(dr_base64url_decode_n("aGk=", 4, out, sizeof out), 2);
	CU_ASSERT_EQUAL(dr_base64url_decode_n("aG=k", 4, out, sizeof out), -1);
	CU_ASSERT_EQUAL(dr_base64url_decode_n("aGVsbG8gd29ybGQh", 16, out, 4), -1);
	/* Strict, as in a JWT: no padding, URL alphabet only, canonical trailing bits. */
	CU_ASSERT_EQUAL(dr_base64url_decode_strict("aGk", 3, out, sizeof out), 2);
	CU_ASSERT_EQUAL(dr_base64url_decode_strict("aGk=", 4, out, sizeof out), -1);
	CU_ASSERT_EQUAL(dr_base64url_decode_strict("aGl", 3, out, sizeof out), -1);   /* "hi" with a stray low bit */
	CU_ASSERT_EQUAL(dr_base64url_decode_strict("a+k", 3, out, sizeof out), -1);
	CU_ASSERT_EQUAL(dr_base64url_decode_strict("a/k", 3, out, sizeof out), -1);
	CU_ASSERT_EQUAL(dr_base64url_decode_strict("a-_A", 4, out, sizeof out), 3);
	CU_ASSERT_EQUAL(dr_base64url_decode_strict("aGkaa", 5, out, sizeof out), -1);  /* a length no encoder makes */
	CU_ASSERT_EQUAL(dr_base64url_decode_strict("aQ", 2, out, sizeof out), 1);      /* "i" */
	CU_ASSERT_EQUAL(dr_base64url_decode_strict("aR", 2, out, sizeof out), -1);     /* "i" with a stray low bit */
	CU_ASSERT_EQUAL(dr_base64url_decode_strict("aA", 2, out, sizeof out), 1);
}

/* A token whose segments are padded or non-canonical, a crit header, an oversized certs file. */
static void test_strict_token(void)
{
	char t[8192], *dot;
	FILE *f;

	snprintf(t, sizeof t, "%s", token(key, H1, claims("aud-tag", "id.access", policy.now, policy.now + 300)));
	CU_ASSERT_EQUAL(verify(t), 0);
	dot = strchr(t, '.');
	memmove(dot + 1, dot, strlen(dot) + 1);
	*dot = '=';
	CU_ASSERT_EQUAL(verify(t), -1); /* padding in the header segment */
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "base64url"));
	CU_ASSERT_EQUAL(verify(token(key, "{\"alg\": \"RS256\", \"kid\": \"k1\", \"crit\": [\"exp\"]}",
				     claims("aud-tag", "id.access", policy.now, policy.now + 300))), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "crit"));
	f = fopen(big_certs, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"keys\": [], \"pad\": \"", f);
	for (int i = 0; i < DR_JWT_CERTS_MAX; i++)
		fputc('x', f);
	fputs("\"}", f);
	fclose(f);
	policy.certs_file = big_certs;
	CU_ASSERT_EQUAL(verify(token(key, H1, claims("aud-tag", "id.access", policy.now, policy.now + 300))), DR_JWT_CERTS_BROKEN);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "larger than"));
	f = fopen(big_certs, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"keys\": [", f);
	fclose(f);
	CU_ASSERT_EQUAL(verify(token(key, H1, claims("aud-tag", "id.access", policy.now, policy.now + 300))), DR_JWT_CERTS_BROKEN);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not a JWKS document"));
	unlink(big_certs);
	CU_ASSERT_EQUAL(verify(token(key, H1, claims("aud-tag", "id.access", policy.now, policy.now + 300))), DR_JWT_CERTS_BROKEN);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "cannot be read"));
	policy.certs_file = certs;
}

static int certs_check(const char *text)
{
	return dr_jwt_certs_check(text, strlen(text), why, sizeof why);
}

/* What a downloaded certs document must be before it replaces the file. */
static void test_certs_check(void)
{
	char doc[8192], a[2000], c[2000];

	jwk_of(key, "k1", a, sizeof a);
	jwk_of(small, "small", c, sizeof c);
	snprintf(doc, sizeof doc, "{\"keys\": [%s, {\"kty\": \"EC\", \"kid\": \"e\"}], \"public_cert\": {}}", a);
	CU_ASSERT_EQUAL(certs_check(doc), 0);
	CU_ASSERT_EQUAL(certs_check("{\"keys\": []}"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no RSA signing key"));
	CU_ASSERT_EQUAL(certs_check("<html>502 Bad Gateway</html>"), -1);
	CU_ASSERT_EQUAL(certs_check("{\"keys\": {}}"), -1);
	snprintf(doc, sizeof doc, "{\"keys\": [%s]} trailing", a);
	CU_ASSERT_EQUAL(certs_check(doc), -1);
	snprintf(doc, sizeof doc, "{\"keys\": [%s, %s]}", a, c);
	CU_ASSERT_EQUAL(certs_check(doc), -1); /* one weak key spoils the document */
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "2048"));
	CU_ASSERT_EQUAL(certs_check("{\"keys\": [{\"kty\": \"RSA\", \"n\": \"AQAB\", \"e\": \"AQAB\"}]}"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no kid"));
	CU_ASSERT_EQUAL(dr_jwt_certs_check("{\"keys\": []}\0", 13, why, sizeof why), -1);
}

/* FIPS 180-4 examples, and the padding edges against a second computation in OpenSSL. */
static void test_sha256(void)
{
	static const char *abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	static const char *two_blocks = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
	unsigned char d[DR_SHA256_LEN], ref[DR_SHA256_LEN], data[200];
	char hex[65];
	unsigned int ref_len;
	size_t len;

	dr_sha256("abc", 3, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	CU_ASSERT_STRING_EQUAL(hex, abc);
	dr_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	CU_ASSERT_STRING_EQUAL(hex, two_blocks);
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 7 + 1);
	for (len = 0; len <= sizeof data; len++) {
		dr_sha256(data, len, d);
		EVP_Digest(data, len, ref, &ref_len, EVP_sha256(), NULL);
		CU_ASSERT_EQUAL(memcmp(d, ref, sizeof d), 0);
	}
}

/* 3072- and 4096-bit keys verify; a flipped signature byte and a short signature do not. */
static void test_key_sizes(void)
{
	char t[8192], *sig;

	CU_ASSERT_EQUAL(verify(token(key3072, "{\"alg\": \"RS256\", \"kid\": \"k3072\"}",
				     claims("aud-tag", "id.access", policy.now, policy.now + 300))), 0);
	CU_ASSERT_EQUAL(verify(token(key4096, "{\"alg\": \"RS256\", \"kid\": \"k4096\"}",
				     claims("aud-tag", "id.access", policy.now, policy.now + 300))), 0);
	snprintf(t, sizeof t, "%s", token(key, H1, claims("aud-tag", "id.access", policy.now, policy.now + 300)));
	sig = strrchr(t, '.') + 1;
	sig[10] = sig[10] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(verify(t), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "signature does not verify"));
	snprintf(t, sizeof t, "%s", token(key, H1, claims("aud-tag", "id.access", policy.now, policy.now + 300)));
	snprintf(strrchr(t, '.') + 1, 5, "AAAA"); /* three bytes, not the key's 256 */
	CU_ASSERT_EQUAL(verify(t), -1);
}

/* Claims as JSON allows them: escaped strings, aud as a string, a NumericDate with a fraction. */
static void test_claim_forms(void)
{
	char c[512];

	snprintf(c, sizeof c, "{\"aud\": \"aud-tag\", \"iss\": \"https:\\/\\/team.cloudflareaccess.com\", "
		 "\"common_name\": \"id\\u002eaccess\", \"iat\": %lld.5, \"exp\": %lld.25}", policy.now, policy.now + 300);
	CU_ASSERT_EQUAL(verify(token(key, H1, c)), 0);
	snprintf(c, sizeof c, "{\"aud\": \"aud-tag\", \"iss\": \"https://team.cloudflareaccess.com\", "
		 "\"common_name\": \"id.access\", \"iat\": %lld, \"exp\": 1.7e12}", policy.now);
	CU_ASSERT_EQUAL(verify(token(key, H1, c)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no exp"));
	/* A duplicate claim is not JSON this verifier reads: the token is malformed. */
	snprintf(c, sizeof c, "{\"aud\": \"x\", \"aud\": \"aud-tag\", \"iss\": \"https://team.cloudflareaccess.com\", "
		 "\"common_name\": \"id.access\", \"iat\": %lld, \"exp\": %lld}", policy.now, policy.now + 300);
	CU_ASSERT_EQUAL(verify(token(key, H1, c)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not base64url JSON"));
	/* A NUL inside a claim cannot shorten it into a match. */
	snprintf(c, sizeof c, "{\"aud\": \"aud-tag\", \"iss\": \"https://team.cloudflareaccess.com\", "
		 "\"common_name\": \"id.access\\u0000x\", \"iat\": %lld, \"exp\": %lld}", policy.now, policy.now + 300);
	CU_ASSERT_EQUAL(verify(token(key, H1, c)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "common_name"));
}

static const struct unit_case cases[] = {
	{ "SHA-256", test_sha256 },
	{ "3072- and 4096-bit keys, damaged signatures", test_key_sizes },
	{ "claims with escapes, a fraction, duplicates, NUL", test_claim_forms },
	{ "valid token, within clock skew", test_valid },
	{ "aud, common_name, exp, iat refused", test_claims },
	{ "signature, kid, alg and key size refused", test_signatures },
	{ "malformed tokens refused", test_malformed },
	{ "base64url", test_base64 },
	{ "strict segments, crit, certs file size and damage", test_strict_token },
	{ "a downloaded certs document", test_certs_check },
	{ NULL, NULL },
};

int main(void)
{
	char a[2000], b[2000], c[2000], d[2000], e[2000];
	FILE *f;
	int fd, rc;

	key = EVP_RSA_gen(2048);
	other = EVP_RSA_gen(2048);
	small = EVP_RSA_gen(1024);
	key3072 = EVP_RSA_gen(3072);
	key4096 = EVP_RSA_gen(4096);
	snprintf(certs, sizeof certs, "/tmp/dr-unit-jwks.XXXXXX");
	if (!key || !other || !small || (fd = mkstemp(certs)) < 0)
		return 99;
	jwk_of(key, "k1", a, sizeof a);
	jwk_of(other, "k2", b, sizeof b);
	jwk_of(small, "small", c, sizeof c);
	jwk_of(key3072, "k3072", d, sizeof d);
	jwk_of(key4096, "k4096", e, sizeof e);
	f = fdopen(fd, "w");
	fprintf(f, "{\"keys\": [%s, %s, %s, %s, %s]}\n", a, b, c, d, e);
	fclose(f);
	policy.now = (long long)time(NULL);
	snprintf(big_certs, sizeof big_certs, "%s.big", certs);
	rc = unit_run("jwt", cases);
	unlink(certs);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	EVP_PKEY_free(small);
	EVP_PKEY_free(key3072);
	EVP_PKEY_free(key4096);
	return rc;
}
