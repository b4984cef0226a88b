/* crypto.h: the project's cryptography, all of it from Nettle (GnuTLS's
 * crypto library, security-supported in Debian): SHA-256, RSA PKCS#1 v1.5
 * verification (RS256 of the Access JWT), ECDSA P-256 verification (cosign
 * image signatures) with its public keys read from SubjectPublicKeyInfo
 * DER by Nettle's DER iterator. Public keys and public data only. Keys live in the caller's struct as bytes; nothing to free. */
#ifndef DR_CRYPTO_H
#define DR_CRYPTO_H

#include <stddef.h>

#define DR_SHA256_LEN 32
#define DR_SHA256_HEX_LEN (2 * DR_SHA256_LEN)
#define DR_RSA_MIN_BITS 2048
#define DR_RSA_MAX_BITS 4096

struct dr_rsa_key {
	unsigned char n[DR_RSA_MAX_BITS / 8]; /* modulus, big-endian, no leading zero */
	size_t n_len;
	unsigned char e[4];                   /* public exponent, big-endian */
	size_t e_len;
};

/* The SHA-256 digest of len bytes of data into out. */
void dr_sha256(const void *data, size_t len, unsigned char out[DR_SHA256_LEN]);

/* Lower-case hex of len bytes into out, which holds 2 * len + 1 (NUL-terminated). */
void dr_hex_encode(const unsigned char *data, size_t len, char *out);

/* Lower-case hex of a SHA-256 digest into out (NUL-terminated). */
void dr_sha256_to_hex(const unsigned char digest[DR_SHA256_LEN], char out[DR_SHA256_HEX_LEN + 1]);

/* The same of len bytes of data: their SHA-256, as hex. */
void dr_sha256_hex(const void *data, size_t len, char out[DR_SHA256_HEX_LEN + 1]);

/* Load a public key from big-endian n and e (leading zeros allowed); 0, or -1 with *why set
 * (modulus shorter than 2048 or longer than 4096 bits, even modulus, exponent not odd 3..2^32-1). */
int dr_rsa_key_load(struct dr_rsa_key *k, const unsigned char *n, size_t n_len, const unsigned char *e,
		    size_t e_len, const char **why);

/* 1 when sig (sig_len bytes, the modulus's length) is k's PKCS#1 v1.5 signature of the SHA-256
 * digest, else 0. */
int dr_rsa_verify_sha256(const struct dr_rsa_key *k, const unsigned char *sig, size_t sig_len,
			 const unsigned char digest[DR_SHA256_LEN]);

#define DR_ECDSA_P256_POINT_LEN 65   /* 0x04, X, Y */

struct dr_ecdsa_key {
	unsigned char point[DR_ECDSA_P256_POINT_LEN];
	unsigned char fingerprint[DR_SHA256_LEN]; /* SHA-256 of the SubjectPublicKeyInfo DER */
};

/* Load an ECDSA P-256 public key from its SubjectPublicKeyInfo DER (a PEM "PUBLIC KEY" decoded);
 * 0, or -1 with *why set (not DER, another algorithm or curve, a compressed or off-curve point). */
int dr_ecdsa_key_from_spki(struct dr_ecdsa_key *k, const unsigned char *der, size_t len, const char **why);

/* 1 when sig (DER SEQUENCE of r and s, nothing after it) is k's ECDSA signature of the SHA-256
 * digest, else 0. */
int dr_ecdsa_verify_sha256(const struct dr_ecdsa_key *k, const unsigned char digest[DR_SHA256_LEN],
			   const unsigned char *sig, size_t sig_len);

#endif
