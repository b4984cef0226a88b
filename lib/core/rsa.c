/* rsa.c: the RSA public-key operation by Montgomery multiplication over
 * 32-bit limbs, and the PKCS#1 v1.5 encoding check: the expected encoded
 * message is built whole and compared, never parsed. */

#include <string.h>

#include "rsa.h"

/* DigestInfo for SHA-256 (RFC 8017 section 9.2, note 1). */
static const unsigned char rsa_sha256_prefix[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
};

/* Big-endian bytes (at most limbs * 4 after leading zeros) into little-endian limbs. */
static void rsa_from_bytes(uint32_t *out, size_t limbs, const unsigned char *in, size_t len)
{
	size_t i;

	memset(out, 0, limbs * sizeof *out);
	for (i = 0; i < len; i++)
		out[i / 4] |= (uint32_t)in[len - 1 - i] << (8 * (i % 4));
}

static void rsa_to_bytes(unsigned char *out, size_t len, const uint32_t *in)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[len - 1 - i] = (unsigned char)(in[i / 4] >> (8 * (i % 4)));
}

/* a >= b, both of limbs limbs. */
static int rsa_geq(const uint32_t *a, const uint32_t *b, size_t limbs)
{
	size_t i = limbs;

	while (i-- > 0)
		if (a[i] != b[i])
			return a[i] > b[i];
	return 1;
}

/* a -= b, returning the borrow. */
static uint32_t rsa_sub(uint32_t *a, const uint32_t *b, size_t limbs)
{
	uint64_t borrow = 0;
	size_t i;

	for (i = 0; i < limbs; i++) {
		uint64_t d = (uint64_t)a[i] - b[i] - borrow;
		a[i] = (uint32_t)d;
		borrow = (d >> 32) & 1;
	}
	return (uint32_t)borrow;
}

/* -n^-1 mod 2^32, by Newton's iteration (n odd). */
static uint32_t rsa_n0_inverse(uint32_t n0)
{
	uint32_t x = n0;
	int i;

	for (i = 0; i < 5; i++)
		x *= 2 - n0 * x;
	return (uint32_t)(0 - x);
}

/* out = a * b * R^-1 mod n (R = 2^(32 * limbs)); a, b < n; out may be a or b. */
static void rsa_mont_mul(uint32_t *out, const uint32_t *a, const uint32_t *b, const struct dr_rsa_key *k, uint32_t n0inv)
{
	uint32_t t[DR_RSA_LIMBS + 2] = { 0 };
	size_t L = k->limbs, i, j;

	for (i = 0; i < L; i++) {
		uint64_t c = 0, s;
		uint32_t m;
		for (j = 0; j < L; j++) {
			s = (uint64_t)t[j] + (uint64_t)a[j] * b[i] + c;
			t[j] = (uint32_t)s;
			c = s >> 32;
		}
		s = (uint64_t)t[L] + c;
		t[L] = (uint32_t)s;
		t[L + 1] = (uint32_t)(s >> 32);
		m = t[0] * n0inv;
		c = ((uint64_t)t[0] + (uint64_t)m * k->n[0]) >> 32;
		for (j = 1; j < L; j++) {
			s = (uint64_t)t[j] + (uint64_t)m * k->n[j] + c;
			t[j - 1] = (uint32_t)s;
			c = s >> 32;
		}
		s = (uint64_t)t[L] + c;
		t[L - 1] = (uint32_t)s;
		t[L] = t[L + 1] + (uint32_t)(s >> 32);
	}
	if (t[L] || rsa_geq(t, k->n, L))
		rsa_sub(t, k->n, L);
	memcpy(out, t, L * sizeof *out);
}

/* R^2 mod n, by doubling 1 modulo n 2 * 32 * limbs times. */
static void rsa_r_squared(uint32_t *out, const struct dr_rsa_key *k)
{
	size_t L = k->limbs, i, j;

	memset(out, 0, L * sizeof *out);
	out[0] = 1;
	for (i = 0; i < 64 * L; i++) {
		uint32_t carry = 0;
		for (j = 0; j < L; j++) {
			uint32_t next = out[j] >> 31;
			out[j] = out[j] << 1 | carry;
			carry = next;
		}
		if (carry || rsa_geq(out, k->n, L))
			rsa_sub(out, k->n, L);
	}
}

int dr_rsa_key_load(struct dr_rsa_key *k, const unsigned char *n, size_t n_len, const unsigned char *e,
		    size_t e_len, const char **why)
{
	size_t bits, i;
	uint64_t exponent = 0;

	while (n_len && !n[0]) {
		n++;
		n_len--;
	}
	while (e_len && !e[0]) {
		e++;
		e_len--;
	}
	bits = n_len * 8;
	for (i = 0x80; n_len && !(n[0] & i); i >>= 1)
		bits--;
	if (bits < DR_RSA_MIN_BITS) {
		*why = "RSA key in CF_ACCESS_CERTS_FILE is shorter than 2048 bits";
		return -1;
	}
	if (bits > DR_RSA_MAX_BITS) {
		*why = "RSA key in CF_ACCESS_CERTS_FILE is longer than 4096 bits";
		return -1;
	}
	for (i = 0; i < e_len && i < 5; i++)
		exponent = exponent << 8 | e[i];
	if (!(n[n_len - 1] & 1) || e_len > 4 || exponent < 3 || !(exponent & 1)) {
		*why = "key in CF_ACCESS_CERTS_FILE is not a usable RSA key";
		return -1;
	}
	k->bytes = n_len;
	k->limbs = (n_len + 3) / 4;
	k->e = (uint32_t)exponent;
	rsa_from_bytes(k->n, k->limbs, n, n_len);
	return 0;
}

int dr_rsa_verify_sha256(const struct dr_rsa_key *k, const unsigned char *sig, size_t sig_len,
			 const unsigned char digest[32])
{
	uint32_t s[DR_RSA_LIMBS], x[DR_RSA_LIMBS], r2[DR_RSA_LIMBS], one[DR_RSA_LIMBS] = { 1 };
	unsigned char em[DR_RSA_MAX_BITS / 8], want[DR_RSA_MAX_BITS / 8];
	uint32_t n0inv = rsa_n0_inverse(k->n[0]);
	size_t L = k->limbs, pad;
	int bit;

	/* RFC 8017 8.2.2 step 1 and 5.2.2 step 1: exactly k bytes, and less than n. */
	if (sig_len != k->bytes)
		return 0;
	rsa_from_bytes(s, L, sig, sig_len);
	if (rsa_geq(s, k->n, L))
		return 0;
	/* s^e mod n: into Montgomery form, square and multiply over e's bits, back out. */
	rsa_r_squared(r2, k);
	rsa_mont_mul(s, s, r2, k, n0inv);
	memcpy(x, s, L * sizeof *x);
	for (bit = 31; bit >= 0 && !(k->e >> bit & 1); bit--)
		;
	while (--bit >= 0) {
		rsa_mont_mul(x, x, x, k, n0inv);
		if (k->e >> bit & 1)
			rsa_mont_mul(x, x, s, k, n0inv);
	}
	rsa_mont_mul(x, x, one, k, n0inv);
	rsa_to_bytes(em, k->bytes, x);
	/* EM = 0x00 0x01 PS(0xff, at least 8) 0x00 DigestInfo digest. */
	pad = k->bytes - 3 - sizeof rsa_sha256_prefix - 32;
	want[0] = 0x00;
	want[1] = 0x01;
	memset(want + 2, 0xff, pad);
	want[2 + pad] = 0x00;
	memcpy(want + 3 + pad, rsa_sha256_prefix, sizeof rsa_sha256_prefix);
	memcpy(want + 3 + pad + sizeof rsa_sha256_prefix, digest, 32);
	return !memcmp(em, want, k->bytes);
}
