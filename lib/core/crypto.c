/* crypto.c: Nettle's SHA-256, RSA and ECDSA P-256, behind the few calls the agent makes. */

#include <string.h>

#include <nettle/asn1.h>
#include <nettle/bignum.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/rsa.h>
#include <nettle/sha2.h>

#include "crypto.h"

void dr_sha256(const void *data, size_t len, unsigned char out[DR_SHA256_LEN])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, DR_SHA256_LEN, out);
}

void dr_hex_encode(const unsigned char *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 15];
	}
	out[2 * len] = '\0';
}

void dr_sha256_to_hex(const unsigned char digest[DR_SHA256_LEN], char out[DR_SHA256_HEX_LEN + 1])
{
	dr_hex_encode(digest, DR_SHA256_LEN, out);
}

void dr_sha256_hex(const void *data, size_t len, char out[DR_SHA256_HEX_LEN + 1])
{
	unsigned char digest[DR_SHA256_LEN];

	dr_sha256(data, len, digest);
	dr_sha256_to_hex(digest, out);
}

/* Skip leading zero bytes. */
static const unsigned char *crypto_strip(const unsigned char *p, size_t *len)
{
	while (*len && !*p) {
		p++;
		(*len)--;
	}
	return p;
}

/* The bit length of a big-endian number without leading zero bytes. */
static size_t crypto_bits(const unsigned char *p, size_t len)
{
	size_t bits = len * 8;

	for (unsigned char top = len ? p[0] : 0x80; !(top & 0x80); top <<= 1)
		bits--;
	return bits;
}

int dr_rsa_key_load(struct dr_rsa_key *k, const unsigned char *n, size_t n_len, const unsigned char *e,
		    size_t e_len, const char **why)
{
	size_t bits;

	n = crypto_strip(n, &n_len);
	e = crypto_strip(e, &e_len);
	bits = n_len ? crypto_bits(n, n_len) : 0;
	if (bits < DR_RSA_MIN_BITS || bits > DR_RSA_MAX_BITS) {
		*why = "RSA key modulus must have 2048 to 4096 bits";
		return -1;
	}
	if (!(n[n_len - 1] & 1)) {
		*why = "RSA key modulus is even";
		return -1;
	}
	if (e_len == 0 || e_len > sizeof k->e || !(e[e_len - 1] & 1) || (e_len == 1 && e[0] < 3)) {
		*why = "RSA key exponent must be odd, from 3 to 2^32-1";
		return -1;
	}
	memcpy(k->n, n, n_len);
	k->n_len = n_len;
	memcpy(k->e, e, e_len);
	k->e_len = e_len;
	return 0;
}

int dr_rsa_verify_sha256(const struct dr_rsa_key *k, const unsigned char *sig, size_t sig_len,
			 const unsigned char digest[DR_SHA256_LEN])
{
	struct rsa_public_key pub;
	mpz_t s;
	int ok = 0;

	rsa_public_key_init(&pub);
	mpz_init(s);
	nettle_mpz_set_str_256_u(pub.n, k->n_len, k->n);
	nettle_mpz_set_str_256_u(pub.e, k->e_len, k->e);
	/* RFC 8017 8.2.2: a signature is exactly as long as the modulus. */
	if (rsa_public_key_prepare(&pub) && sig_len == pub.size) {
		nettle_mpz_set_str_256_u(s, sig_len, sig);
		ok = rsa_sha256_verify_digest(&pub, digest, s);
	}
	mpz_clear(s);
	rsa_public_key_clear(&pub);
	return ok;
}

/* id-ecPublicKey (1.2.840.10045.2.1) and prime256v1 (1.2.840.10045.3.1.7), as DER contents. */
static const unsigned char crypto_oid_ec_public_key[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const unsigned char crypto_oid_p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };

/* 1 when the iterator's current object is the object identifier oid. */
static int crypto_is_oid(const struct asn1_der_iterator *i, const unsigned char *oid, size_t len)
{
	return i->type == ASN1_IDENTIFIER && i->length == len && !memcmp(i->data, oid, len);
}

/* The point (x, y) of an uncompressed P-256 encoding, checked to lie on the curve. */
static int crypto_p256_point(struct ecc_point *pub, const unsigned char point[DR_ECDSA_P256_POINT_LEN])
{
	mpz_t x, y;
	int ok;

	mpz_init(x);
	mpz_init(y);
	nettle_mpz_set_str_256_u(x, 32, point + 1);
	nettle_mpz_set_str_256_u(y, 32, point + 33);
	ok = ecc_point_set(pub, x, y);
	mpz_clear(x);
	mpz_clear(y);
	return ok;
}

int dr_ecdsa_key_from_spki(struct dr_ecdsa_key *k, const unsigned char *der, size_t len, const char **why)
{
	struct asn1_der_iterator top, alg;
	struct ecc_point pub;
	int on_curve;

	*why = "not a DER SubjectPublicKeyInfo";
	if (asn1_der_iterator_first(&top, len, der) != ASN1_ITERATOR_CONSTRUCTED || top.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed_last(&top) != ASN1_ITERATOR_CONSTRUCTED || top.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed(&top, &alg) != ASN1_ITERATOR_PRIMITIVE)
		return -1;
	*why = "not an ECDSA P-256 key (cosign's default; RSA and other curves are not accepted)";
	if (!crypto_is_oid(&alg, crypto_oid_ec_public_key, sizeof crypto_oid_ec_public_key) ||
	    asn1_der_iterator_next(&alg) != ASN1_ITERATOR_PRIMITIVE ||
	    !crypto_is_oid(&alg, crypto_oid_p256, sizeof crypto_oid_p256) || asn1_der_iterator_next(&alg) != ASN1_ITERATOR_END)
		return -1;
	*why = "not a DER SubjectPublicKeyInfo";
	if (asn1_der_iterator_next(&top) != ASN1_ITERATOR_PRIMITIVE || top.type != ASN1_BITSTRING ||
	    asn1_der_iterator_next(&top) != ASN1_ITERATOR_END)
		return -1;
	*why = "the public key is not an uncompressed P-256 point";
	if (top.length != 1 + DR_ECDSA_P256_POINT_LEN || top.data[0] != 0 || top.data[1] != 0x04)
		return -1;
	ecc_point_init(&pub, nettle_get_secp_256r1());
	on_curve = crypto_p256_point(&pub, top.data + 1);
	ecc_point_clear(&pub);
	if (!on_curve) {
		*why = "the public key's point is not on the P-256 curve";
		return -1;
	}
	memcpy(k->point, top.data + 1, DR_ECDSA_P256_POINT_LEN);
	dr_sha256(der, len, k->fingerprint);
	return 0;
}

/* r and s from a DER signature: one SEQUENCE of two INTEGERs, nothing after it. */
static int crypto_ecdsa_signature(struct dsa_signature *sig, const unsigned char *der, size_t len)
{
	struct asn1_der_iterator i;

	return asn1_der_iterator_first(&i, len, der) == ASN1_ITERATOR_CONSTRUCTED && i.type == ASN1_SEQUENCE &&
	       asn1_der_decode_constructed_last(&i) == ASN1_ITERATOR_PRIMITIVE && i.type == ASN1_INTEGER &&
	       asn1_der_get_bignum(&i, sig->r, 256) && mpz_sgn(sig->r) > 0 &&
	       asn1_der_iterator_next(&i) == ASN1_ITERATOR_PRIMITIVE && i.type == ASN1_INTEGER &&
	       asn1_der_get_bignum(&i, sig->s, 256) && mpz_sgn(sig->s) > 0 &&
	       asn1_der_iterator_next(&i) == ASN1_ITERATOR_END;
}

int dr_ecdsa_verify_sha256(const struct dr_ecdsa_key *k, const unsigned char digest[DR_SHA256_LEN],
			   const unsigned char *sig, size_t sig_len)
{
	struct ecc_point pub;
	struct dsa_signature rs;
	int ok = 0;

	ecc_point_init(&pub, nettle_get_secp_256r1());
	dsa_signature_init(&rs);
	if (crypto_p256_point(&pub, k->point) && crypto_ecdsa_signature(&rs, sig, sig_len))
		ok = ecdsa_verify(&pub, DR_SHA256_LEN, digest, &rs);
	dsa_signature_clear(&rs);
	ecc_point_clear(&pub);
	return ok;
}
