/* pubkey.c: one signature checked with one public key, through GnuTLS's
 * abstract public keys; the scheme comes from Sigstore's key details or,
 * without them, from the key. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "pubkey.h"
#include "reason.h"

/* A signature scheme: the key's algorithm and curve (or RSA size), the hash, PSS or not. */
struct pubkey_scheme {
	const char *name;
	gnutls_pk_algorithm_t pk;
	gnutls_ecc_curve_t curve;         /* GNUTLS_ECC_CURVE_INVALID: any (RSA, Ed25519) */
	unsigned rsa_bits;                /* 0: any size from DR_SS_RSA_MIN_BITS */
	gnutls_digest_algorithm_t hash;   /* GNUTLS_DIG_UNKNOWN: pure EdDSA */
	int pss;
	int pkcs1;                        /* the key may be a bare PKCS#1 RSAPublicKey */
};

#define PUBKEY_RSA_MIN_BITS 2048

/* Sigstore's PublicKeyDetails names this verifier knows (protobuf-specs common.proto). */
static const struct pubkey_scheme pubkey_schemes[] = {
	{ "PKIX_ECDSA_P256_SHA_256", GNUTLS_PK_EC, GNUTLS_ECC_CURVE_SECP256R1, 0, GNUTLS_DIG_SHA256, 0, 0 },
	{ "PKIX_ECDSA_P384_SHA_384", GNUTLS_PK_EC, GNUTLS_ECC_CURVE_SECP384R1, 0, GNUTLS_DIG_SHA384, 0, 0 },
	{ "PKIX_ECDSA_P521_SHA_512", GNUTLS_PK_EC, GNUTLS_ECC_CURVE_SECP521R1, 0, GNUTLS_DIG_SHA512, 0, 0 },
	{ "PKIX_ED25519", GNUTLS_PK_EDDSA_ED25519, GNUTLS_ECC_CURVE_INVALID, 0, GNUTLS_DIG_UNKNOWN, 0, 0 },
	{ "PKCS1_RSA_PKCS1V5", GNUTLS_PK_RSA, GNUTLS_ECC_CURVE_INVALID, 0, GNUTLS_DIG_SHA256, 0, 1 },
	{ "PKCS1_RSA_PSS", GNUTLS_PK_RSA, GNUTLS_ECC_CURVE_INVALID, 0, GNUTLS_DIG_SHA256, 1, 1 },
	{ "PKIX_RSA_PKCS1V5", GNUTLS_PK_RSA, GNUTLS_ECC_CURVE_INVALID, 0, GNUTLS_DIG_SHA256, 0, 0 },
	{ "PKIX_RSA_PSS", GNUTLS_PK_RSA, GNUTLS_ECC_CURVE_INVALID, 0, GNUTLS_DIG_SHA256, 1, 0 },
	{ "PKIX_RSA_PKCS1V15_2048_SHA256", GNUTLS_PK_RSA, GNUTLS_ECC_CURVE_INVALID, 2048, GNUTLS_DIG_SHA256, 0, 0 },
	{ "PKIX_RSA_PKCS1V15_3072_SHA256", GNUTLS_PK_RSA, GNUTLS_ECC_CURVE_INVALID, 3072, GNUTLS_DIG_SHA256, 0, 0 },
	{ "PKIX_RSA_PKCS1V15_4096_SHA256", GNUTLS_PK_RSA, GNUTLS_ECC_CURVE_INVALID, 4096, GNUTLS_DIG_SHA256, 0, 0 },
	{ "PKIX_RSA_PSS_2048_SHA256", GNUTLS_PK_RSA, GNUTLS_ECC_CURVE_INVALID, 2048, GNUTLS_DIG_SHA256, 1, 0 },
	{ "PKIX_RSA_PSS_3072_SHA256", GNUTLS_PK_RSA, GNUTLS_ECC_CURVE_INVALID, 3072, GNUTLS_DIG_SHA256, 1, 0 },
	{ "PKIX_RSA_PSS_4096_SHA256", GNUTLS_PK_RSA, GNUTLS_ECC_CURVE_INVALID, 4096, GNUTLS_DIG_SHA256, 1, 0 },
};

/* The scheme named key_details, or NULL. */
static const struct pubkey_scheme *pubkey_scheme_find(const char *key_details)
{
	for (size_t i = 0; i < sizeof pubkey_schemes / sizeof pubkey_schemes[0]; i++)
		if (!strcmp(pubkey_schemes[i].name, key_details))
			return &pubkey_schemes[i];
	return NULL;
}

/* The DER length octets of n into out (at least 4 bytes); returns how many. */
static size_t pubkey_der_len(size_t n, unsigned char *out)
{
	if (n < 0x80) {
		out[0] = (unsigned char)n;
		return 1;
	}
	if (n < 0x100) {
		out[0] = 0x81;
		out[1] = (unsigned char)n;
		return 2;
	}
	out[0] = 0x82;
	out[1] = (unsigned char)(n >> 8);
	out[2] = (unsigned char)n;
	return 3;
}

/* Wrap a PKCS#1 RSAPublicKey into a SubjectPublicKeyInfo (rsaEncryption, NULL parameters) in
 * out (cap bytes); returns its length or 0 when it does not fit. */
static size_t pubkey_wrap_pkcs1(const unsigned char *pkcs1, size_t len, unsigned char *out, size_t cap)
{
	static const unsigned char alg[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
					     0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };
	unsigned char bit_len[4], seq_len[4];
	size_t nb, ns, inner;

	if (len > 0xfff0)
		return 0;
	nb = pubkey_der_len(len + 1, bit_len);
	inner = sizeof alg + 1 + nb + 1 + len;
	ns = pubkey_der_len(inner, seq_len);
	if (1 + ns + inner > cap)
		return 0;
	out[0] = 0x30;
	memcpy(out + 1, seq_len, ns);
	memcpy(out + 1 + ns, alg, sizeof alg);
	out[1 + ns + sizeof alg] = 0x03;
	memcpy(out + 2 + ns + sizeof alg, bit_len, nb);
	out[2 + ns + sizeof alg + nb] = 0x00;
	memcpy(out + 3 + ns + sizeof alg + nb, pkcs1, len);
	return 1 + ns + inner;
}

/* Import spki (or, when pkcs1_ok, a bare PKCS#1 RSA key) into *key; 0 or -1. */
static int pubkey_import(gnutls_pubkey_t *key, const unsigned char *spki, size_t spki_len, int pkcs1_ok,
			 char *why, size_t why_cap)
{
	unsigned char wrapped[DR_SS_KEY_MAX + 32];
	gnutls_datum_t d;
	size_t n;

	if (!spki || spki_len == 0 || spki_len > DR_SS_KEY_MAX)
		return dr_ss_fail(why, why_cap, "public key is empty or longer than %u bytes", DR_SS_KEY_MAX);
	if (gnutls_pubkey_init(key) < 0)
		return dr_ss_fail(why, why_cap, "out of memory for a public key");
	d.data = (unsigned char *)spki;
	d.size = (unsigned)spki_len;
	if (gnutls_pubkey_import(*key, &d, GNUTLS_X509_FMT_DER) == 0)
		return 0;
	if (pkcs1_ok && (n = pubkey_wrap_pkcs1(spki, spki_len, wrapped, sizeof wrapped)) > 0) {
		d.data = wrapped;
		d.size = (unsigned)n;
		if (gnutls_pubkey_import(*key, &d, GNUTLS_X509_FMT_DER) == 0)
			return 0;
	}
	gnutls_pubkey_deinit(*key);
	*key = NULL;
	return dr_ss_fail(why, why_cap, "public key is not a DER SubjectPublicKeyInfo%s",
			   pkcs1_ok ? " or PKCS#1 RSA key" : "");
}

/* The scheme a key implies when no key details are given. */
static int pubkey_scheme_of_key(gnutls_pubkey_t key, struct pubkey_scheme *s, char *why, size_t why_cap)
{
	unsigned bits = 0;
	int pk = gnutls_pubkey_get_pk_algorithm(key, &bits);
	gnutls_ecc_curve_t curve;

	memset(s, 0, sizeof *s);
	s->name = "the key's default";
	s->pk = (gnutls_pk_algorithm_t)pk;
	s->curve = GNUTLS_ECC_CURVE_INVALID;
	switch (pk) {
	case GNUTLS_PK_EC:
		if (gnutls_pubkey_export_ecc_raw2(key, &curve, NULL, NULL, 0) < 0)
			return dr_ss_fail(why, why_cap, "EC public key without a known curve");
		s->curve = curve;
		if (curve == GNUTLS_ECC_CURVE_SECP256R1)
			s->hash = GNUTLS_DIG_SHA256;
		else if (curve == GNUTLS_ECC_CURVE_SECP384R1)
			s->hash = GNUTLS_DIG_SHA384;
		else if (curve == GNUTLS_ECC_CURVE_SECP521R1)
			s->hash = GNUTLS_DIG_SHA512;
		else
			return dr_ss_fail(why, why_cap, "EC public key on an unsupported curve");
		return 0;
	case GNUTLS_PK_EDDSA_ED25519:
		s->hash = GNUTLS_DIG_UNKNOWN;
		return 0;
	case GNUTLS_PK_RSA:
		s->hash = GNUTLS_DIG_SHA256;
		return 0;
	default:
		return dr_ss_fail(why, why_cap, "unsupported public key algorithm");
	}
}

/* Check that key is what scheme s requires. */
static int pubkey_check_key(gnutls_pubkey_t key, const struct pubkey_scheme *s, char *why, size_t why_cap)
{
	unsigned bits = 0;
	int pk = gnutls_pubkey_get_pk_algorithm(key, &bits);
	gnutls_ecc_curve_t curve;

	if (pk != (int)s->pk && !(s->pk == GNUTLS_PK_RSA && pk == GNUTLS_PK_RSA_PSS && s->pss))
		return dr_ss_fail(why, why_cap, "public key is not of the kind %s names", s->name);
	if (s->curve != GNUTLS_ECC_CURVE_INVALID) {
		if (gnutls_pubkey_export_ecc_raw2(key, &curve, NULL, NULL, 0) < 0 || curve != s->curve)
			return dr_ss_fail(why, why_cap, "EC public key is not on the curve %s names", s->name);
	}
	if (pk == GNUTLS_PK_RSA || pk == GNUTLS_PK_RSA_PSS) {
		if (bits < PUBKEY_RSA_MIN_BITS)
			return dr_ss_fail(why, why_cap, "RSA public key shorter than %u bits", PUBKEY_RSA_MIN_BITS);
		if (s->rsa_bits && bits != s->rsa_bits)
			return dr_ss_fail(why, why_cap, "RSA public key is not of the size %s names", s->name);
	}
	return 0;
}

/* The GnuTLS signature algorithm of scheme s for key. */
static gnutls_sign_algorithm_t pubkey_sign_algorithm(gnutls_pubkey_t key, const struct pubkey_scheme *s)
{
	int pk = gnutls_pubkey_get_pk_algorithm(key, NULL);

	if (s->pk == GNUTLS_PK_EDDSA_ED25519)
		return GNUTLS_SIGN_EDDSA_ED25519;
	if (s->pss && pk == GNUTLS_PK_RSA) {
		switch (s->hash) {
		case GNUTLS_DIG_SHA256:
			return GNUTLS_SIGN_RSA_PSS_RSAE_SHA256;
		case GNUTLS_DIG_SHA384:
			return GNUTLS_SIGN_RSA_PSS_RSAE_SHA384;
		case GNUTLS_DIG_SHA512:
			return GNUTLS_SIGN_RSA_PSS_RSAE_SHA512;
		default:
			return GNUTLS_SIGN_UNKNOWN;
		}
	}
	return gnutls_pk_to_sign((gnutls_pk_algorithm_t)pk, s->hash);
}

enum pubkey_input { PUBKEY_DATA, PUBKEY_DIGEST };

/* The shared body: import, choose and check the scheme (force_sha256: SHA-256 whatever the
 * key), verify data or a digest. */
static int pubkey_verify_any(const unsigned char *spki, size_t spki_len, const char *key_details, int force_sha256,
			     enum pubkey_input input, const unsigned char *data, size_t len, const unsigned char *sig,
			     size_t sig_len, char *why, size_t why_cap)
{
	const struct pubkey_scheme *named = NULL;
	struct pubkey_scheme s;
	gnutls_pubkey_t key = NULL;
	gnutls_sign_algorithm_t algo;
	gnutls_datum_t d, sd;
	int rc = -1, ret;

	if (key_details && !(named = pubkey_scheme_find(key_details)))
		return dr_ss_fail(why, why_cap, "unsupported key details %.64s", key_details);
	if (!sig || sig_len == 0 || sig_len > DR_SS_SIG_MAX)
		return dr_ss_fail(why, why_cap, "signature is empty or longer than %u bytes", DR_SS_SIG_MAX);
	if (!data && len)
		return dr_ss_fail(why, why_cap, "nothing to verify");
	if (len > 0xffffffffu)
		return dr_ss_fail(why, why_cap, "signed data too long");
	if (pubkey_import(&key, spki, spki_len, named ? named->pkcs1 : 1, why, why_cap) < 0)
		return -1;
	if (named)
		s = *named;
	else if (pubkey_scheme_of_key(key, &s, why, why_cap) < 0)
		goto done;
	if (pubkey_check_key(key, &s, why, why_cap) < 0)
		goto done;
	if (force_sha256) {
		if (s.pk == GNUTLS_PK_EDDSA_ED25519) {
			dr_ss_fail(why, why_cap, "an Ed25519 key cannot sign with SHA-256");
			goto done;
		}
		s.hash = GNUTLS_DIG_SHA256;
	}
	if (input == PUBKEY_DIGEST) {
		if (s.hash == GNUTLS_DIG_UNKNOWN) {
			dr_ss_fail(why, why_cap, "an Ed25519 key signs messages, not digests");
			goto done;
		}
		if (len != gnutls_hash_get_len(s.hash)) {
			dr_ss_fail(why, why_cap, "digest is %zu bytes, the scheme's hash has %u", len,
				    gnutls_hash_get_len(s.hash));
			goto done;
		}
	}
	algo = pubkey_sign_algorithm(key, &s);
	if (algo == GNUTLS_SIGN_UNKNOWN) {
		dr_ss_fail(why, why_cap, "no signature algorithm for %s", s.name);
		goto done;
	}
	d.data = (unsigned char *)(data ? data : (const unsigned char *)"");
	d.size = (unsigned)len;
	sd.data = (unsigned char *)sig;
	sd.size = (unsigned)sig_len;
	if (input == PUBKEY_DIGEST)
		ret = gnutls_pubkey_verify_hash2(key, algo, 0, &d, &sd);
	else
		ret = gnutls_pubkey_verify_data2(key, algo, 0, &d, &sd);
	if (ret < 0) {
		dr_ss_fail(why, why_cap, "signature does not verify with the public key (%s)", gnutls_strerror(ret));
		goto done;
	}
	rc = 0;
done:
	gnutls_pubkey_deinit(key);
	return rc;
}

int dr_ss_pubkey_verify(const unsigned char *spki, size_t spki_len, const char *key_details,
			const unsigned char *data, size_t len, const unsigned char *sig, size_t sig_len,
			char *why, size_t why_cap)
{
	return pubkey_verify_any(spki, spki_len, key_details, 0, PUBKEY_DATA, data, len, sig, sig_len, why, why_cap);
}

int dr_ss_pubkey_verify_digest(const unsigned char *spki, size_t spki_len, const char *key_details,
			       const unsigned char *digest, size_t digest_len, const unsigned char *sig,
			       size_t sig_len, char *why, size_t why_cap)
{
	return pubkey_verify_any(spki, spki_len, key_details, 0, PUBKEY_DIGEST, digest, digest_len, sig, sig_len,
				 why, why_cap);
}

int dr_ss_pubkey_verify_sha256(const unsigned char *spki, size_t spki_len, const char *key_details,
			       const unsigned char *data, size_t len, const unsigned char *sig,
			       size_t sig_len, char *why, size_t why_cap)
{
	return pubkey_verify_any(spki, spki_len, key_details, 1, PUBKEY_DATA, data, len, sig, sig_len, why, why_cap);
}
