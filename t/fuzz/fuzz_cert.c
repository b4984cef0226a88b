/* libFuzzer harness: the DER decoders of the Sigstore verifier, on what a
 * bundle carries. The first byte chooses what the rest is:
 *   even: a signing certificate (DER), read by dr_ss_cert_spki,
 *         dr_ss_cert_signer, dr_ss_cert_tbs_without (the precertificate TBS),
 *         dr_ss_cert_valid_at, the embedded SCT list (dr_ss_sct_verify,
 *         against the certificate authority that issued it, else the first)
 *         and dr_ss_cert_chain_verify at the certificate's notBefore;
 *   odd:  two bytes n (big-endian), n bytes of the signature a timestamp is
 *         over, then an RFC 3161 TimeStampResp or token (dr_ss_timestamp_verify).
 * All against the fixed trusted root of fuzz_bundle (t/fuzz/trusted_root.json).
 * Every refusal must leave one NUL-terminated reason; the SubjectPublicKeyInfo
 * returned must be bytes of the input, the signer's fields NUL-terminated, a
 * verified timestamp's time positive. Seeds: t/fuzz/run.sh takes them from the
 * conformance bundles' leaf certificates and timestamps. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/x509.h>

#include "cert.h"
#include "sct.h"
#include "trusted_root.h"
#include "tsa.h"

#define FUZZ_CHAIN_AT 1735689600 /* 2025-01-01T00:00:00Z, when the certificate's own notBefore is unreadable */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dr_ss_trusted_root root;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char why[DR_SS_REASON_MAX];

	(void)argc;
	(void)argv;
	if (dr_ss_trusted_root_load(FUZZ_TRUSTED_ROOT, &root, why, sizeof why) || !root.ca_count || !root.tsa_count)
		abort();
	return 0;
}

/* abort unless why holds a NUL (filled with 'x' before the call); with FUZZ_VERBOSE set in the
 * environment (running single inputs), the reason goes to stderr. */
static void fuzz_reason(const char *why, size_t cap)
{
	if (!memchr(why, '\0', cap))
		abort();
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "refused: %s\n", why);
}

/* abort unless [p, p + n) lies inside [in, in + len) or is a copy of bytes that do. */
static void fuzz_inside(const struct dr_ss_bytes *out, const unsigned char *in, size_t len)
{
	if (out->len > len)
		abort();
	for (size_t i = 0; i + out->len <= len; i++)
		if (!memcmp(in + i, out->data, out->len))
			return;
	abort();
}

/* The certificate's notBefore as GnuTLS reads it, else FUZZ_CHAIN_AT: the time its path is
 * checked at, so that a real certificate's path verifies whole. */
static time_t fuzz_not_before(const struct dr_ss_bytes *cert)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d = { cert->data, (unsigned)cert->len };
	time_t at = FUZZ_CHAIN_AT;

	if (gnutls_x509_crt_init(&crt) < 0)
		return at;
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) == 0) {
		time_t t = gnutls_x509_crt_get_activation_time(crt);

		if (t > 0)
			at = t;
	}
	gnutls_x509_crt_deinit(crt);
	return at;
}

static void fuzz_certificate(const unsigned char *der, size_t len)
{
	static struct dr_ss_bundle b;
	struct dr_ss_bytes leaf = { (unsigned char *)der, len }, spki = { 0 }, tbs = { 0 };
	const struct dr_ss_bytes *issuer = NULL;
	struct dr_ss_signer signer;
	char why[DR_SS_REASON_MAX];
	time_t at;

	memset(why, 'x', sizeof why);
	if (dr_ss_cert_spki(&leaf, &spki, why, sizeof why))
		fuzz_reason(why, sizeof why);
	else
		fuzz_inside(&spki, der, len);
	free(spki.data);
	memset(why, 'x', sizeof why);
	memset(&signer, 0, sizeof signer);
	if (dr_ss_cert_signer(&leaf, &signer, why, sizeof why))
		fuzz_reason(why, sizeof why);
	else if (!signer.identity[0] || !memchr(signer.identity, '\0', sizeof signer.identity) ||
		 !memchr(signer.issuer, '\0', sizeof signer.issuer) ||
		 !memchr(signer.run_url, '\0', sizeof signer.run_url))
		abort();
	memset(why, 'x', sizeof why);
	if (dr_ss_cert_tbs_without(&leaf, DR_SS_SCT_OID, &tbs, why, sizeof why))
		fuzz_reason(why, sizeof why);
	else if (tbs.len > len + 16) /* re-encoded: a length may grow by a few bytes */
		abort();
	free(tbs.data);
	at = fuzz_not_before(&leaf);
	(void)dr_ss_cert_valid_at(&leaf, at);
	for (size_t i = 0; i < root.ca_count && !issuer; i++)
		issuer = dr_ss_cert_issuer_of(&leaf, &root.cas[i]);
	memset(why, 'x', sizeof why);
	if (dr_ss_sct_verify(&leaf, issuer ? issuer : &root.cas[0].certs[0], &root, why, sizeof why))
		fuzz_reason(why, sizeof why);
	b.certs[0] = leaf;
	b.cert_count = 1;
	memset(why, 'x', sizeof why);
	if (dr_ss_cert_chain_verify(&b, &root, at, NULL, why, sizeof why))
		fuzz_reason(why, sizeof why);
	else if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "chain verified at %lld\n", (long long)at);
}

static void fuzz_timestamp(const unsigned char *p, size_t len)
{
	struct dr_ss_bytes token;
	char why[DR_SS_REASON_MAX];
	size_t n;
	time_t at = 0;

	if (len < 2)
		return;
	n = (size_t)p[0] << 8 | p[1];
	if (n > len - 2)
		return;
	token.data = (unsigned char *)p + 2 + n;
	token.len = len - 2 - n;
	memset(why, 'x', sizeof why);
	if (dr_ss_timestamp_verify(&token, p + 2, n, &root, &at, why, sizeof why))
		fuzz_reason(why, sizeof why);
	else if (at <= 0)
		abort();
	else if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "timestamp verified: %lld\n", (long long)at);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] % 2 == 0)
		fuzz_certificate(data + 1, size - 1);
	else
		fuzz_timestamp(data + 1, size - 1);
	return 0;
}
