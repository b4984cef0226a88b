/* test_ss_x509.c: keys, certificates, SCTs and timestamps of Sigstore bundles (lib/sigstore:
 * pubkey.c, cert.c, sct.c, tsa.c). Keys of every scheme are made here with GnuTLS; the
 * certificates, SCTs and timestamps are the conformance suite's, read from its copy next to
 * the tree ($top_srcdir/t/data/sigstore-conformance, or SIGSTORE_CONFORMANCE_DIR) with the
 * bundle and trusted root decoders; the cases that need it pass without asserting when it is
 * absent. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libtasn1.h>

#include "base64.h"
#include "bundle.h"
#include "cert.h"
#include "decode.h"
#include "pubkey.h"
#include "sct.h"
#include "trusted_root.h"
#include "tsa.h"
#include "unit.h"

#define X509_PUBLIC_GOOD "trusted_root.public-good.json"
#define X509_BEACON_REPO "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon"
#define X509_BEACON_ID X509_BEACON_REPO "/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
#define X509_GITHUB_ISSUER "https://token.actions.githubusercontent.com"

/* --- Helpers: the suite's files, and keys made on the spot. --- */

/* The path of a suite file (case_name NULL: the suite's top); NULL when there is no such file. */
static const char *x509_path(const char *case_name, const char *file, char *buf, size_t cap)
{
	const char *dir = getenv("SIGSTORE_CONFORMANCE_DIR");
	const char *top = getenv("top_srcdir");
	char base[512];
	FILE *f;
	int n;

	if (dir)
		snprintf(base, sizeof base, "%s", dir);
	else
		snprintf(base, sizeof base, "%s/t/data/sigstore-conformance", top ? top : ".");
	n = case_name ? snprintf(buf, cap, "%s/bundle-verify/%s/%s", base, case_name, file)
		      : snprintf(buf, cap, "%s/%s", base, file);
	if (n < 0 || (size_t)n >= cap)
		return NULL;
	f = fopen(buf, "rb");
	if (!f)
		return NULL;
	fclose(f);
	return buf;
}

/* 1 when the conformance copy is there; a failed assertion when it is not. */
static int x509_suite(void)
{
	char path[1024];
	int present = x509_path(NULL, X509_PUBLIC_GOOD, path, sizeof path) != NULL;

	if (!present) /* part of the tree: its absence fails the test, never skips it */
		CU_FAIL("the conformance copy (t/data/sigstore-conformance) is missing");
	return present;
}

/* Load a case's bundle and its trusted root (its own, else the public-good one). */
static void x509_load(const char *case_name, struct dr_ss_bundle *b, struct dr_ss_trusted_root *r)
{
	char path[1024], why[DR_SS_REASON_MAX] = "";

	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x509_path(case_name, "bundle.sigstore.json", path, sizeof path));
	rc = dr_ss_bundle_load(path, b, why, sizeof why);
	if (rc)
		fprintf(stderr, "%s: %s\n", case_name, why);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	if (!x509_path(case_name, "trusted_root.json", path, sizeof path))
		CU_ASSERT_PTR_NOT_NULL_FATAL(x509_path(NULL, X509_PUBLIC_GOOD, path, sizeof path));
	rc = dr_ss_trusted_root_load(path, r, why, sizeof why);
	if (rc)
		fprintf(stderr, "%s: %s\n", case_name, why);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
}

static void x509_unload(struct dr_ss_bundle *b, struct dr_ss_trusted_root *r)
{
	dr_ss_bundle_free(b);
	dr_ss_trusted_root_free(r);
}

/* A whole suite file into *out (the caller frees out->data). */
static void x509_slurp(const char *case_name, const char *file, struct dr_ss_bytes *out)
{
	char path[1024], why[DR_SS_REASON_MAX], *text = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x509_path(case_name, file, path, sizeof path));
	CU_ASSERT_EQUAL_FATAL(dr_ss_read_file(path, DR_SS_BUNDLE_MAX, &text, &out->len, why, sizeof why), 0);
	out->data = (unsigned char *)text;
}

/* The DER of a case's PEM public key (key.pub) into *out (the caller frees out->data); 0, or -1
 * when its base64 is not. */
static int x509_pem_key(const char *case_name, struct dr_ss_bytes *out)
{
	struct dr_ss_bytes pem;
	char b64[4096];
	size_t n = 0;
	long len;
	int inside = 0;

	x509_slurp(case_name, "key.pub", &pem);
	for (size_t i = 0; i < pem.len; i++) {
		if (pem.data[i] == '-') {
			inside = !inside && n == 0; /* the BEGIN line opens, the END line closes */
			while (i < pem.len && pem.data[i] != '\n')
				i++;
			continue;
		}
		if (inside && pem.data[i] != '\n' && pem.data[i] != '\r' && n + 1 < sizeof b64)
			b64[n++] = (char)pem.data[i];
	}
	b64[n] = '\0';
	free(pem.data);
	out->data = malloc(DR_SS_KEY_MAX);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out->data);
	len = dr_base64_decode(b64, out->data, DR_SS_KEY_MAX);
	out->len = len > 0 ? (size_t)len : 0;
	return len > 0 ? 0 : -1;
}

/* A fresh key pair; its SPKI DER in *spki (gnutls_free it), the private key returned. */
static gnutls_privkey_t x509_keypair(gnutls_pk_algorithm_t pk, unsigned bits, gnutls_datum_t *spki)
{
	gnutls_privkey_t priv;
	gnutls_pubkey_t pub;

	CU_ASSERT_EQUAL_FATAL(gnutls_privkey_init(&priv), 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_privkey_generate(priv, pk, bits, 0), 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_pubkey_init(&pub), 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_pubkey_import_privkey(pub, priv, 0, 0), 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, spki), 0);
	gnutls_pubkey_deinit(pub);
	return priv;
}

/* priv's signature of data with algo into *sig (gnutls_free it). */
static void x509_sign(gnutls_privkey_t priv, gnutls_sign_algorithm_t algo, const char *data, gnutls_datum_t *sig)
{
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)strlen(data) };

	CU_ASSERT_EQUAL_FATAL(gnutls_privkey_sign_data2(priv, algo, 0, &d, sig), 0);
}

/* dr_ss_pubkey_verify over a C string. */
static int x509_verify(const gnutls_datum_t *spki, const char *details, const char *data, const gnutls_datum_t *sig)
{
	char why[DR_SS_REASON_MAX] = "";
	int rc = dr_ss_pubkey_verify(spki->data, spki->size, details, (const unsigned char *)data, strlen(data),
				     sig->data, sig->size, why, sizeof why);

	CU_ASSERT(rc == 0 || why[0]);
	return rc;
}

/* --- pubkey.c --- */

static void test_pubkey_ecdsa(void)
{
	gnutls_datum_t spki, sig;
	gnutls_privkey_t priv = x509_keypair(GNUTLS_PK_EC, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), &spki);
	unsigned char digest[48];
	char why[DR_SS_REASON_MAX];

	x509_sign(priv, GNUTLS_SIGN_ECDSA_SHA384, "payload", &sig);
	CU_ASSERT_EQUAL(x509_verify(&spki, NULL, "payload", &sig), 0);
	CU_ASSERT_EQUAL(x509_verify(&spki, "PKIX_ECDSA_P384_SHA_384", "payload", &sig), 0);
	CU_ASSERT_EQUAL(x509_verify(&spki, "PKIX_ECDSA_P384_SHA_384", "payloae", &sig), -1);
	/* The details name the curve: a P-384 key is not a P-256 one. */
	CU_ASSERT_EQUAL(x509_verify(&spki, "PKIX_ECDSA_P256_SHA_256", "payload", &sig), -1);
	CU_ASSERT_EQUAL(x509_verify(&spki, "PKIX_ED25519", "payload", &sig), -1);
	CU_ASSERT_EQUAL(x509_verify(&spki, "NO_SUCH_SCHEME", "payload", &sig), -1);
	CU_ASSERT_EQUAL(gnutls_hash_fast(GNUTLS_DIG_SHA384, "payload", 7, digest), 0);
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify_digest(spki.data, spki.size, NULL, digest, sizeof digest, sig.data,
						   sig.size, why, sizeof why),
			0);
	/* A digest of the wrong length for the scheme is refused before any check. */
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify_digest(spki.data, spki.size, NULL, digest, 32, sig.data, sig.size, why,
						   sizeof why),
			-1);
	gnutls_free(sig.data);
	/* RFC 6962 fixes SHA-256 whatever the curve. */
	x509_sign(priv, GNUTLS_SIGN_ECDSA_SHA256, "entry", &sig);
	CU_ASSERT_EQUAL(x509_verify(&spki, NULL, "entry", &sig), -1);
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify_sha256(spki.data, spki.size, NULL, (const unsigned char *)"entry", 5,
						   sig.data, sig.size, why, sizeof why),
			0);
	gnutls_free(sig.data);
	gnutls_free(spki.data);
	gnutls_privkey_deinit(priv);
}

static void test_pubkey_ed25519(void)
{
	gnutls_datum_t spki, sig;
	gnutls_privkey_t priv =
		x509_keypair(GNUTLS_PK_EDDSA_ED25519, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519), &spki);
	unsigned char digest[32] = { 0 };
	char why[DR_SS_REASON_MAX];

	x509_sign(priv, GNUTLS_SIGN_EDDSA_ED25519, "checkpoint", &sig);
	CU_ASSERT_EQUAL(x509_verify(&spki, NULL, "checkpoint", &sig), 0);
	CU_ASSERT_EQUAL(x509_verify(&spki, "PKIX_ED25519", "checkpoint", &sig), 0);
	CU_ASSERT_EQUAL(x509_verify(&spki, "PKIX_ED25519", "checkpoinT", &sig), -1);
	CU_ASSERT_EQUAL(x509_verify(&spki, "PKIX_ECDSA_P256_SHA_256", "checkpoint", &sig), -1);
	/* Pure Ed25519 signs messages: digests and forced SHA-256 are refused. */
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify_digest(spki.data, spki.size, NULL, digest, sizeof digest, sig.data,
						   sig.size, why, sizeof why),
			-1);
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify_sha256(spki.data, spki.size, NULL, (const unsigned char *)"checkpoint",
						   10, sig.data, sig.size, why, sizeof why),
			-1);
	gnutls_free(sig.data);
	gnutls_free(spki.data);
	gnutls_privkey_deinit(priv);
}

/* The RSAPublicKey inside an RSA SPKI: the BIT STRING after the 15-byte AlgorithmIdentifier. */
static gnutls_datum_t x509_pkcs1_of(const gnutls_datum_t *spki)
{
	gnutls_datum_t out = { NULL, 0 };
	int ll = 0, bl = 0;
	long body = asn1_get_length_der(spki->data + 1, (int)spki->size - 1, &ll);
	const unsigned char *bit = spki->data + 1 + ll + 15;
	long bit_len;

	CU_ASSERT_FATAL(body > 0 && bit[0] == 0x03);
	bit_len = asn1_get_length_der(bit + 1, (int)(spki->data + spki->size - bit - 1), &bl);
	CU_ASSERT_FATAL(bit_len > 1 && bit[1 + bl] == 0x00);
	out.data = (unsigned char *)bit + 2 + bl;
	out.size = (unsigned)bit_len - 1;
	return out;
}

static void test_pubkey_rsa(void)
{
	gnutls_datum_t spki, sig, pss, pkcs1, small_spki, small_sig;
	gnutls_privkey_t priv = x509_keypair(GNUTLS_PK_RSA, 2048, &spki), small;

	x509_sign(priv, GNUTLS_SIGN_RSA_SHA256, "artifact", &sig);
	x509_sign(priv, GNUTLS_SIGN_RSA_PSS_RSAE_SHA256, "artifact", &pss);
	CU_ASSERT_EQUAL(x509_verify(&spki, NULL, "artifact", &sig), 0);
	CU_ASSERT_EQUAL(x509_verify(&spki, "PKIX_RSA_PKCS1V15_2048_SHA256", "artifact", &sig), 0);
	CU_ASSERT_EQUAL(x509_verify(&spki, "PKIX_RSA_PKCS1V15_3072_SHA256", "artifact", &sig), -1);
	CU_ASSERT_EQUAL(x509_verify(&spki, "PKIX_RSA_PKCS1V15_2048_SHA256", "artifacT", &sig), -1);
	CU_ASSERT_EQUAL(x509_verify(&spki, "PKIX_RSA_PSS_2048_SHA256", "artifact", &pss), 0);
	CU_ASSERT_EQUAL(x509_verify(&spki, "PKIX_RSA_PSS_2048_SHA256", "artifact", &sig), -1);
	CU_ASSERT_EQUAL(x509_verify(&spki, "PKIX_RSA_PKCS1V15_2048_SHA256", "artifact", &pss), -1);
	/* Old trusted roots carry CT keys as bare PKCS#1 (PKCS1_RSA_PKCS1V5). */
	pkcs1 = x509_pkcs1_of(&spki);
	CU_ASSERT_EQUAL(x509_verify(&pkcs1, "PKCS1_RSA_PKCS1V5", "artifact", &sig), 0);
	CU_ASSERT_EQUAL(x509_verify(&pkcs1, "PKIX_RSA_PKCS1V15_2048_SHA256", "artifact", &sig), -1);
	/* Keys shorter than 2048 bits are refused. */
	small = x509_keypair(GNUTLS_PK_RSA, 1024, &small_spki);
	x509_sign(small, GNUTLS_SIGN_RSA_SHA256, "artifact", &small_sig);
	CU_ASSERT_EQUAL(x509_verify(&small_spki, NULL, "artifact", &small_sig), -1);
	gnutls_free(small_sig.data);
	gnutls_free(small_spki.data);
	gnutls_privkey_deinit(small);
	gnutls_free(pss.data);
	gnutls_free(sig.data);
	gnutls_free(spki.data);
	gnutls_privkey_deinit(priv);
}

static void test_pubkey_malformed(void)
{
	static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	char why[DR_SS_REASON_MAX] = "";

	CU_ASSERT_EQUAL(dr_ss_pubkey_verify(junk, sizeof junk, NULL, junk, sizeof junk, junk, sizeof junk, why,
					    sizeof why),
			-1);
	CU_ASSERT(why[0] != '\0');
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify(NULL, 0, NULL, junk, sizeof junk, junk, sizeof junk, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify(junk, sizeof junk, NULL, junk, sizeof junk, junk, 0, why, sizeof why), -1);
	/* A tiny reason buffer is still NUL-terminated. */
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify(junk, sizeof junk, NULL, junk, sizeof junk, junk, sizeof junk, why, 4),
			-1);
	CU_ASSERT_EQUAL(strlen(why), 3);
}

/* managed-key-*: the bundle's message signature over a.txt with the case's key.pub. */
static void test_pubkey_managed_key(void)
{
	struct dr_ss_bundle b;
	struct dr_ss_trusted_root r;
	struct dr_ss_bytes key, wrong, artifact;
	gnutls_datum_t other;
	gnutls_privkey_t other_priv;
	char why[DR_SS_REASON_MAX];

	if (!x509_suite())
		return;
	x509_load("managed-key-happy-path", &b, &r);
	CU_ASSERT_EQUAL_FATAL(x509_pem_key("managed-key-happy-path", &key), 0);
	/* The wrong key's PEM is not even base64 ("...++++wrongkey=="): refused either way. */
	CU_ASSERT_EQUAL(x509_pem_key("managed-key-wrong-key_fail", &wrong), -1);
	x509_slurp(NULL, "bundle-verify/a.txt", &artifact);
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify(key.data, key.len, NULL, artifact.data, artifact.len, b.signature.data,
					    b.signature.len, why, sizeof why),
			0);
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify(key.data, key.len, "PKIX_ECDSA_P256_SHA_256", artifact.data,
					    artifact.len, b.signature.data, b.signature.len, why, sizeof why),
			0);
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify_digest(key.data, key.len, NULL, b.message_digest.data,
						   b.message_digest.len, b.signature.data, b.signature.len, why,
						   sizeof why),
			0);
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify(wrong.data, wrong.len, NULL, artifact.data, artifact.len,
					    b.signature.data, b.signature.len, why, sizeof why),
			-1);
	/* Another P-256 key. */
	other_priv = x509_keypair(GNUTLS_PK_EC, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), &other);
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify(other.data, other.size, NULL, artifact.data, artifact.len,
					    b.signature.data, b.signature.len, why, sizeof why),
			-1);
	gnutls_free(other.data);
	gnutls_privkey_deinit(other_priv);
	artifact.data[0] ^= 1;
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify(key.data, key.len, NULL, artifact.data, artifact.len, b.signature.data,
					    b.signature.len, why, sizeof why),
			-1);
	free(artifact.data);
	free(wrong.data);
	free(key.data);
	x509_unload(&b, &r);
}

/* --- cert.c --- */

/* The leaf's notBefore and notAfter. */
static void x509_window(const struct dr_ss_bytes *der, time_t *not_before, time_t *not_after)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d = { der->data, (unsigned)der->len };

	CU_ASSERT_EQUAL_FATAL(gnutls_x509_crt_init(&crt), 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER), 0);
	*not_before = gnutls_x509_crt_get_activation_time(crt);
	*not_after = gnutls_x509_crt_get_expiration_time(crt);
	gnutls_x509_crt_deinit(crt);
}

static void test_cert_chain(void)
{
	struct dr_ss_bundle b;
	struct dr_ss_trusted_root r;
	char why[DR_SS_REASON_MAX];
	time_t at, not_before, not_after;
	size_t idx = 99;

	if (!x509_suite())
		return;
	x509_load("happy-path-v0.3", &b, &r);
	at = (time_t)b.tlog[0].integrated_time;
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, at, &idx, why, sizeof why), 0);
	CU_ASSERT_EQUAL(idx, 1); /* the second Fulcio CA of public-good, from 2022-04-13 */
	CU_ASSERT_PTR_EQUAL(dr_ss_cert_issuer_of(&b.certs[0], &r.cas[idx]), &r.cas[idx].certs[0]);
	CU_ASSERT_PTR_NULL(dr_ss_cert_issuer_of(&b.certs[0], &r.cas[0]));
	/* The leaf's window, both ends inclusive, at the given time, never the wall clock. */
	x509_window(&b.certs[0], &not_before, &not_after);
	CU_ASSERT(not_before <= at && at <= not_after);
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, not_before, NULL, why, sizeof why), 0);
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, not_after, NULL, why, sizeof why), 0);
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, not_before - 1, NULL, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, not_after + 1, NULL, why, sizeof why), -1);
	CU_ASSERT(strstr(why, "not valid at") != NULL);
	CU_ASSERT_EQUAL(dr_ss_cert_valid_at(&b.certs[0], not_after), 1);
	CU_ASSERT_EQUAL(dr_ss_cert_valid_at(&b.certs[0], not_after + 1), 0);
	/* The CA's validFor in the root bounds the time too (inclusive). */
	r.cas[1].valid_for.has_end = 1;
	r.cas[1].valid_for.end = at;
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, at, NULL, why, sizeof why), 0);
	r.cas[1].valid_for.end = at - 1;
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, at, NULL, why, sizeof why), -1);
	CU_ASSERT(strstr(why, "no certificate authority") != NULL);
	r.cas[1].valid_for.has_end = 0;
	/* Only the root's certificates anchor: without the Fulcio CAs nothing verifies. */
	r.ca_count = 1;
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, at, NULL, why, sizeof why), -1);
	r.ca_count = 2;
	x509_unload(&b, &r);
}

static void test_cert_refusals(void)
{
	struct dr_ss_bundle b;
	struct dr_ss_trusted_root r;
	struct dr_ss_bytes leaf;
	char why[DR_SS_REASON_MAX];

	if (!x509_suite())
		return;
	/* A chain that carries the root CA. */
	x509_load("bundle-with-root-cert_fail", &b, &r);
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, (time_t)b.tlog[0].integrated_time, NULL, why, sizeof why),
			-1);
	CU_ASSERT(strstr(why, "root CA") != NULL);
	/* ... though its leaf alone chains. */
	b.cert_count = 1;
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, (time_t)b.tlog[0].integrated_time, NULL, why, sizeof why),
			0);
	b.cert_count = 3;
	x509_unload(&b, &r);
	/* A CA certificate in the leaf position. */
	x509_load("happy-path-v0.3", &b, &r);
	leaf = b.certs[0];
	b.certs[0] = r.cas[1].certs[0];
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, (time_t)b.tlog[0].integrated_time, NULL, why, sizeof why),
			-1);
	CU_ASSERT(strstr(why, "CA") != NULL);
	b.certs[0] = leaf;
	x509_unload(&b, &r);
	/* A certificate from another instance (staging) against public-good. */
	x509_load("bundle-from-wrong-instance_fail", &b, &r);
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, (time_t)b.tlog[0].integrated_time, NULL, why, sizeof why),
			-1);
	x509_unload(&b, &r);
	/* Leaves issued outside the window the custom roots give, and log times outside the leaf. */
	x509_load("intoto-expired-certificate_fail", &b, &r);
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, (time_t)b.tlog[0].integrated_time, NULL, why, sizeof why),
			-1);
	x509_unload(&b, &r);
	x509_load("intoto-set-outside-signing-cert-validity_fail", &b, &r);
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, (time_t)b.tlog[0].integrated_time, NULL, why, sizeof why),
			-1);
	x509_unload(&b, &r);
	x509_load("integrated-time-in-future_fail", &b, &r);
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, (time_t)b.tlog[0].integrated_time, NULL, why, sizeof why),
			-1);
	x509_unload(&b, &r);
	/* Not a certificate at all. */
	x509_load("happy-path-v0.3", &b, &r);
	b.certs[0].data[b.certs[0].len / 2] ^= 0x55;
	CU_ASSERT_EQUAL(dr_ss_cert_chain_verify(&b, &r, (time_t)b.tlog[0].integrated_time, NULL, why, sizeof why),
			-1);
	x509_unload(&b, &r);
}

static void test_cert_signer(void)
{
	struct dr_ss_bundle b;
	struct dr_ss_trusted_root r;
	struct dr_ss_signer s;
	char why[DR_SS_REASON_MAX];

	if (!x509_suite())
		return;
	x509_load("happy-path-v0.3", &b, &r);
	CU_ASSERT_EQUAL_FATAL(dr_ss_cert_signer(&b.certs[0], &s, why, sizeof why), 0);
	CU_ASSERT_STRING_EQUAL(s.identity, X509_BEACON_ID);
	CU_ASSERT_STRING_EQUAL(s.issuer, X509_GITHUB_ISSUER);
	CU_ASSERT_STRING_EQUAL(s.source_repository, X509_BEACON_REPO);
	CU_ASSERT_STRING_EQUAL(s.source_commit, "c7b3dfb335f051e1c86bda4c716fac97df62ad81");
	CU_ASSERT_STRING_EQUAL(s.run_url, X509_BEACON_REPO "/actions/runs/8347481628/attempts/1");
	/* A CA certificate names no identity. */
	CU_ASSERT_EQUAL(dr_ss_cert_signer(&r.cas[1].certs[0], &s, why, sizeof why), -1);
	x509_unload(&b, &r);
	/* An email identity, and an issuer only in the extensions GitHub's OAuth flow gives. */
	x509_load("bundle-with-root-cert_fail", &b, &r);
	CU_ASSERT_EQUAL_FATAL(dr_ss_cert_signer(&b.certs[0], &s, why, sizeof why), 0);
	CU_ASSERT_STRING_EQUAL(s.identity, "a@tny.town");
	CU_ASSERT_STRING_EQUAL(s.issuer, "https://github.com/login/oauth");
	CU_ASSERT_STRING_EQUAL(s.source_repository, "");
	x509_unload(&b, &r);
}

static void test_cert_spki_tbs(void)
{
	struct dr_ss_bundle b;
	struct dr_ss_trusted_root r;
	struct dr_ss_bytes spki, tbs, artifact;
	gnutls_x509_crt_t crt;
	gnutls_pubkey_t pub;
	gnutls_datum_t d, exported;
	char why[DR_SS_REASON_MAX];
	static const unsigned char sct_oid_der[] = { 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01,
						     0xd6, 0x79, 0x02, 0x04, 0x02 };

	if (!x509_suite())
		return;
	x509_load("happy-path-v0.3", &b, &r);
	/* The SPKI bytes are the certificate's own: GnuTLS re-encodes the same key to the same DER. */
	CU_ASSERT_EQUAL_FATAL(dr_ss_cert_spki(&b.certs[0], &spki, why, sizeof why), 0);
	d.data = b.certs[0].data;
	d.size = (unsigned)b.certs[0].len;
	CU_ASSERT_EQUAL_FATAL(gnutls_x509_crt_init(&crt), 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER), 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_pubkey_init(&pub), 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_pubkey_import_x509(pub, crt, 0), 0);
	CU_ASSERT_EQUAL_FATAL(gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &exported), 0);
	CU_ASSERT(exported.size == spki.len && !memcmp(exported.data, spki.data, spki.len));
	/* ... and verify the bundle's signature over the artifact. */
	x509_slurp(NULL, "bundle-verify/a.txt", &artifact);
	CU_ASSERT_EQUAL(dr_ss_pubkey_verify(spki.data, spki.len, NULL, artifact.data, artifact.len, b.signature.data,
					    b.signature.len, why, sizeof why),
			0);
	/* The precertificate TBS: the TBS without the SCT list, nothing else changed. */
	CU_ASSERT_EQUAL_FATAL(dr_ss_cert_tbs_without(&b.certs[0], DR_SS_SCT_OID, &tbs, why, sizeof why), 0);
	CU_ASSERT(tbs.len > 100 && tbs.len < b.certs[0].len - 100);
	CU_ASSERT_PTR_NULL(memmem(tbs.data, tbs.len, sct_oid_der, sizeof sct_oid_der));
	CU_ASSERT_PTR_NOT_NULL(memmem(b.certs[0].data, b.certs[0].len, sct_oid_der, sizeof sct_oid_der));
	CU_ASSERT_EQUAL(dr_ss_cert_tbs_without(&b.certs[0], "1.2.3.4", &(struct dr_ss_bytes){ 0 }, why, sizeof why),
			-1);
	free(tbs.data);
	free(artifact.data);
	gnutls_free(exported.data);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crt_deinit(crt);
	free(spki.data);
	x509_unload(&b, &r);
}

/* --- sct.c --- */

/* dr_ss_sct_verify for a case's leaf, issued by the CA that verifies it at its log time. */
static int x509_sct(const struct dr_ss_bundle *b, const struct dr_ss_trusted_root *r, time_t at, char *why,
		    size_t cap)
{
	size_t idx = 99;

	CU_ASSERT_EQUAL_FATAL(dr_ss_cert_chain_verify(b, r, at, &idx, why, cap), 0);
	return dr_ss_sct_verify(&b->certs[0], dr_ss_cert_issuer_of(&b->certs[0], &r->cas[idx]), r, why, cap);
}

static void test_sct(void)
{
	struct dr_ss_bundle b;
	struct dr_ss_trusted_root r;
	struct dr_ss_window saved;
	char why[DR_SS_REASON_MAX];
	time_t at;

	if (!x509_suite())
		return;
	x509_load("happy-path-v0.3", &b, &r);
	at = (time_t)b.tlog[0].integrated_time;
	CU_ASSERT_EQUAL(x509_sct(&b, &r, at, why, sizeof why), 0);
	/* The issuer's key is hashed into the entry: another issuer's key fails. */
	CU_ASSERT_EQUAL(dr_ss_sct_verify(&b.certs[0], &r.cas[1].certs[1], &r, why, sizeof why), -1);
	/* A CT log key that changed. */
	r.ctlogs[1].public_key.data[r.ctlogs[1].public_key.len - 1] ^= 1;
	CU_ASSERT_EQUAL(x509_sct(&b, &r, at, why, sizeof why), -1);
	r.ctlogs[1].public_key.data[r.ctlogs[1].public_key.len - 1] ^= 1;
	CU_ASSERT_EQUAL(x509_sct(&b, &r, at, why, sizeof why), 0);
	/* The SCT's time must lie in its log's validFor. */
	saved = r.ctlogs[1].valid_for;
	r.ctlogs[1].valid_for.has_start = 1;
	r.ctlogs[1].valid_for.start = at + 3600;
	CU_ASSERT_EQUAL(x509_sct(&b, &r, at, why, sizeof why), -1);
	CU_ASSERT(strstr(why, "validity") != NULL);
	r.ctlogs[1].valid_for = saved;
	/* A root without the log. */
	r.ctlog_count = 1;
	CU_ASSERT_EQUAL(x509_sct(&b, &r, at, why, sizeof why), -1);
	r.ctlog_count = 2;
	/* A certificate without SCTs. */
	CU_ASSERT_EQUAL(dr_ss_sct_verify(&r.cas[1].certs[0], &r.cas[1].certs[1], &r, why, sizeof why), -1);
	x509_unload(&b, &r);
}

static void test_sct_cases(void)
{
	struct dr_ss_bundle b;
	struct dr_ss_trusted_root r;
	char why[DR_SS_REASON_MAX];
	time_t at;

	if (!x509_suite())
		return;
	/* A Static CT log's SCT carries extensions, which the log signed. */
	x509_load("bundle-with-sct-with-extensions", &b, &r);
	CU_ASSERT_EQUAL_FATAL(b.timestamp_count, 1);
	CU_ASSERT_EQUAL_FATAL(dr_ss_timestamp_verify(&b.timestamps[0], b.signature.data, b.signature.len, &r, &at,
						     why, sizeof why),
			      0);
	CU_ASSERT_EQUAL(x509_sct(&b, &r, at, why, sizeof why), 0);
	x509_unload(&b, &r);
	/* The custom root's CT log key is not the one that signed. */
	x509_load("invalid-ct-key_fail", &b, &r);
	CU_ASSERT_EQUAL(x509_sct(&b, &r, (time_t)b.tlog[0].integrated_time, why, sizeof why), -1);
	x509_unload(&b, &r);
	/* A custom root (a mock Fulcio and CT log) and an older SCT-bearing case. */
	x509_load("intoto-with-custom-trust-root", &b, &r);
	CU_ASSERT_EQUAL(x509_sct(&b, &r, (time_t)b.tlog[0].integrated_time, why, sizeof why), 0);
	x509_unload(&b, &r);
	x509_load("happy-path-v0.1", &b, &r);
	CU_ASSERT_EQUAL(x509_sct(&b, &r, (time_t)b.tlog[0].integrated_time, why, sizeof why), 0);
	x509_unload(&b, &r);
}

/* --- tsa.c --- */

/* The bytes a case's timestamp covers: the message signature, or the DSSE signature. */
static const struct dr_ss_bytes *x509_signed(const struct dr_ss_bundle *b)
{
	return b->content == DR_SS_DSSE_ENVELOPE ? &b->dsse_signatures[0].sig : &b->signature;
}

/* dr_ss_timestamp_verify of a case's first timestamp; *at (may be NULL) gets its time. */
static int x509_timestamp_case(const char *case_name, time_t *at, char *why, size_t cap)
{
	struct dr_ss_bundle b;
	struct dr_ss_trusted_root r;
	const struct dr_ss_bytes *sig;
	time_t t = 0;
	int rc;

	x509_load(case_name, &b, &r);
	CU_ASSERT_FATAL(b.timestamp_count >= 1);
	sig = x509_signed(&b);
	rc = dr_ss_timestamp_verify(&b.timestamps[0], sig->data, sig->len, &r, &t, why, cap);
	/* Whenever the timestamp verifies, the signing certificate must be valid at its time. */
	if (rc == 0 && b.cert_count)
		rc = dr_ss_cert_chain_verify(&b, &r, t, NULL, why, cap);
	if (at)
		*at = t;
	x509_unload(&b, &r);
	return rc;
}

static void test_tsa_cases(void)
{
	static const char *const good[] = { "rekor2-happy-path",
					    "rekor2-dsse-happy-path",
					    "rekor2-timestamp-with-embedded-cert",
					    "rekor2-timestamp-without-embedded-cert",
					    "rekor2-timestamp-with-expired-cert-chain",
					    "intoto-with-custom-trust-root",
					    "managed-key-happy-path",
					    NULL };
	static const char *const bad[] = { "rekor2-timestamp-outside-trust-root-tsa-validity_fail",
					   "rekor2-timestamp-outside-tsa-cert-validity_fail",
					   "rekor2-timestamp-payload-mismatch_fail",
					   "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
					   "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
					   "rekor2-timestamp-with-incorrect-time_fail",
					   "intoto-tsa-timestamp-outside-cert-validity_fail",
					   NULL };
	char why[DR_SS_REASON_MAX];
	time_t at;

	if (!x509_suite())
		return;
	for (size_t i = 0; good[i]; i++) {
		why[0] = '\0';
		if (x509_timestamp_case(good[i], NULL, why, sizeof why))
			fprintf(stderr, "%s: %s\n", good[i], why);
		CU_ASSERT_EQUAL(x509_timestamp_case(good[i], NULL, why, sizeof why), 0);
	}
	for (size_t i = 0; bad[i]; i++) {
		why[0] = '\0';
		CU_ASSERT_EQUAL(x509_timestamp_case(bad[i], NULL, why, sizeof why), -1);
		CU_ASSERT(why[0] != '\0');
	}
	/* 2025-06-12T12:02:20Z, the genTime openssl ts -reply shows. */
	CU_ASSERT_EQUAL(x509_timestamp_case("rekor2-happy-path", &at, why, sizeof why), 0);
	CU_ASSERT_EQUAL(at, 1749729740);
}

static void test_tsa_validity_end(void)
{
	struct dr_ss_bundle b;
	struct dr_ss_trusted_root r;
	char why[DR_SS_REASON_MAX];
	time_t at = 0;

	if (!x509_suite())
		return;
	/* The TSA's validFor ends exactly at genTime: a closed interval. */
	x509_load("trust-root-tsa-validity-end-inclusive", &b, &r);
	CU_ASSERT_FATAL(r.tsa_count == 1 && r.tsas[0].valid_for.has_end);
	CU_ASSERT_EQUAL(dr_ss_timestamp_verify(&b.timestamps[0], b.signature.data, b.signature.len, &r, &at, why,
					       sizeof why),
			0);
	CU_ASSERT_EQUAL(at, r.tsas[0].valid_for.end);
	r.tsas[0].valid_for.end--;
	CU_ASSERT_EQUAL(dr_ss_timestamp_verify(&b.timestamps[0], b.signature.data, b.signature.len, &r, &at, why,
					       sizeof why),
			-1);
	r.tsas[0].valid_for.end++;
	r.tsas[0].valid_for.start = r.tsas[0].valid_for.end;
	CU_ASSERT_EQUAL(dr_ss_timestamp_verify(&b.timestamps[0], b.signature.data, b.signature.len, &r, &at, why,
					       sizeof why),
			0);
	r.tsas[0].valid_for.start++;
	CU_ASSERT_EQUAL(dr_ss_timestamp_verify(&b.timestamps[0], b.signature.data, b.signature.len, &r, &at, why,
					       sizeof why),
			-1);
	x509_unload(&b, &r);
}

/* The TimeStampToken inside a TimeStampResp: what follows the status SEQUENCE. */
static struct dr_ss_bytes x509_token_of(const struct dr_ss_bytes *resp)
{
	struct dr_ss_bytes tok = { NULL, 0 };
	int ll = 0, sl = 0;
	long body = asn1_get_length_der(resp->data + 1, (int)resp->len - 1, &ll), status;
	unsigned char *p = resp->data + 1 + ll;

	CU_ASSERT_FATAL(body > 0 && p[0] == 0x30);
	status = asn1_get_length_der(p + 1, (int)(resp->data + resp->len - p - 1), &sl);
	CU_ASSERT_FATAL(status > 0);
	tok.data = p + 1 + sl + status;
	tok.len = (size_t)(resp->data + resp->len - tok.data);
	return tok;
}

static void test_tsa_forms(void)
{
	struct dr_ss_bundle b;
	struct dr_ss_trusted_root r;
	struct dr_ss_bytes tok, cut;
	char why[DR_SS_REASON_MAX];
	time_t at = 0;
	unsigned char *status, *gen_time;

	if (!x509_suite())
		return;
	x509_load("rekor2-happy-path", &b, &r);
	/* A bare token verifies as the response around it does. */
	tok = x509_token_of(&b.timestamps[0]);
	CU_ASSERT_EQUAL(dr_ss_timestamp_verify(&tok, b.signature.data, b.signature.len, &r, &at, why, sizeof why), 0);
	CU_ASSERT_EQUAL(at, 1749729740);
	/* Another payload. */
	b.signature.data[0] ^= 1;
	CU_ASSERT_EQUAL(dr_ss_timestamp_verify(&tok, b.signature.data, b.signature.len, &r, &at, why, sizeof why),
			-1);
	CU_ASSERT(strstr(why, "signature") != NULL);
	b.signature.data[0] ^= 1;
	/* A response whose status is rejection (2): the status INTEGER is 02 01 00 after the headers. */
	status = memmem(b.timestamps[0].data, 16, "\x02\x01\x00", 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(status);
	status[2] = 2;
	CU_ASSERT_EQUAL(dr_ss_timestamp_verify(&b.timestamps[0], b.signature.data, b.signature.len, &r, &at, why,
					       sizeof why),
			-1);
	CU_ASSERT(strstr(why, "grant") != NULL);
	status[2] = 0;
	/* Truncated, and a byte of the signed TSTInfo changed. */
	cut = b.timestamps[0];
	cut.len -= 10;
	CU_ASSERT_EQUAL(dr_ss_timestamp_verify(&cut, b.signature.data, b.signature.len, &r, &at, why, sizeof why),
			-1);
	gen_time = memmem(tok.data, tok.len, "20250612120220", 14);
	CU_ASSERT_PTR_NOT_NULL_FATAL(gen_time);
	gen_time[13] = '1';
	CU_ASSERT_EQUAL(dr_ss_timestamp_verify(&tok, b.signature.data, b.signature.len, &r, &at, why, sizeof why),
			-1);
	CU_ASSERT(strstr(why, "signature does not verify") != NULL);
	gen_time[13] = '0';
	/* A root without timestamp authorities. */
	r.tsa_count = 0;
	CU_ASSERT_EQUAL(dr_ss_timestamp_verify(&tok, b.signature.data, b.signature.len, &r, &at, why, sizeof why),
			-1);
	r.tsa_count = 1;
	CU_ASSERT_EQUAL(dr_ss_timestamp_verify(&tok, b.signature.data, b.signature.len, &r, &at, why, sizeof why), 0);
	x509_unload(&b, &r);
}

static const struct unit_case cases[] = {
	{ "ECDSA P-384: schemes, curves, digests, forced SHA-256", test_pubkey_ecdsa },
	{ "Ed25519: messages only", test_pubkey_ed25519 },
	{ "RSA: PKCS#1 v1.5, PSS, bare PKCS#1 keys, sizes", test_pubkey_rsa },
	{ "malformed keys and signatures", test_pubkey_malformed },
	{ "managed key: the bundle's signature with key.pub", test_pubkey_managed_key },
	{ "certificate path at the given time, inclusive windows", test_cert_chain },
	{ "certificate refusals: root in chain, CA leaf, wrong instance, windows", test_cert_refusals },
	{ "signer identity from Fulcio's extensions", test_cert_signer },
	{ "SPKI bytes and the precertificate TBS", test_cert_spki_tbs },
	{ "embedded SCTs against the root's CT logs", test_sct },
	{ "SCT conformance cases: extensions, bad CT key, custom root", test_sct_cases },
	{ "timestamp conformance cases", test_tsa_cases },
	{ "TSA validFor, both ends inclusive", test_tsa_validity_end },
	{ "timestamp forms: bare token, status, tampering", test_tsa_forms },
	{ NULL, NULL },
};

int main(void)
{
	return unit_run("ss_x509", cases);
}
