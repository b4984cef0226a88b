/* crypto.c: Nettle's SHA-256 and RSA, behind the few calls the agent makes. */

#include <string.h>

#include <nettle/bignum.h>
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
