/* rsa.h: RSASSA-PKCS1-v1_5 signature verification with SHA-256 (RFC 8017
 * section 8.2.2), the RS256 of JWT, so that the dispatcher checks Access
 * tokens without loading a crypto library. Public keys and public data
 * only: nothing secret passes through here, so plain (not constant-time)
 * arithmetic is fine. The key lives in the caller's struct; nothing to free. */
#ifndef DR_RSA_H
#define DR_RSA_H

#include <stddef.h>
#include <stdint.h>

#define DR_RSA_MIN_BITS 2048
#define DR_RSA_MAX_BITS 4096
#define DR_RSA_LIMBS (DR_RSA_MAX_BITS / 32)

struct dr_rsa_key {
	uint32_t n[DR_RSA_LIMBS]; /* modulus, little-endian 32-bit limbs */
	size_t limbs;             /* limbs in use */
	size_t bytes;             /* byte length of the modulus: the signature's length */
	uint32_t e;               /* public exponent */
};

/* Load a public key from big-endian n and e (leading zeros allowed); 0, or -1 with *why set
 * (modulus shorter than 2048 or longer than 4096 bits, even modulus, exponent not odd 3..2^32-1). */
int dr_rsa_key_load(struct dr_rsa_key *k, const unsigned char *n, size_t n_len, const unsigned char *e,
		    size_t e_len, const char **why);

/* 1 when sig (sig_len bytes) is k's PKCS#1 v1.5 signature of the SHA-256 digest, else 0. */
int dr_rsa_verify_sha256(const struct dr_rsa_key *k, const unsigned char *sig, size_t sig_len,
			 const unsigned char digest[32]);

#endif
