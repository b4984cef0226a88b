/* test_keyless.c: keyless signatures in the deploy (lib/registry/keyless.h).
 * The conversion: a real Sigstore bundle of the conformance suite
 * (happy-path-v0.3: a message signature over a.txt by a Fulcio certificate,
 * logged in Rekor with a SET) rewritten as cosign writes a .sig layer's
 * annotations, then converted back and verified against Sigstore's
 * public-good trusted root (data/sigstore/trusted_root.json); and each
 * piece of the annotations broken in turn. The decision: which signer
 * counts (exact identities, exact issuer), and the policy's parsing. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "bundle.h"
#include "keyless.h"
#include "trusted_root.h"
#include "unit.h"

#define CASE_IDENTITY                                                                                                  \
	"https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/"            \
	"extremely-dangerous-oidc-beacon.yml@refs/heads/main"
#define CASE_ISSUER "https://token.actions.githubusercontent.com"

static struct dr_ss_trusted_root root;
static struct dr_ss_bundle source; /* the conformance bundle the annotations are made from */
static char *artifact;             /* a.txt */
static size_t artifact_len;
static char signature_b64[512], certificate_pem[8192], rekor_bundle[16384];

static char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	if (text && fread(text, 1, (size_t)n, f) != (size_t)n) {
		free(text);
		text = NULL;
	}
	fclose(f);
	if (len)
		*len = (size_t)n;
	return text;
}

static void b64(const unsigned char *data, size_t len, char *out, size_t cap)
{
	out[0] = '\0';
	gnutls_datum_t in = { (unsigned char *)data, (unsigned)len }, enc = { NULL, 0 };

	/* Unarmored base64, on one line: a PEM body without its header, lines joined. */
	if (gnutls_pem_base64_encode2(NULL, &in, &enc))
		return;
	{
		size_t j = 0;

		for (size_t i = 0; i < enc.size && j + 1 < cap; i++)
			if (enc.data[i] != '\n' && enc.data[i] != '\r' && enc.data[i] != '\0')
				out[j++] = (char)enc.data[i];
		out[j] = '\0';
	}
	gnutls_free(enc.data);
	/* gnutls writes "-----BEGIN -----" lines for an empty name: drop them. */
	if (!strncmp(out, "-----BEGIN", 10)) {
		char *body = strstr(out + 10, "-----");
		char *end = body ? strstr(body + 5, "-----END") : NULL;

		if (!body || !end) {
			out[0] = '\0';
			return;
		}
		*end = '\0';
		memmove(out, body + 5, strlen(body + 5) + 1);
	}
}

/* The fixtures: the trusted root, the bundle, its annotations. */
static int setup(void)
{
	const char *top = getenv("top_srcdir");
	char path[1024], why[512], body[12000];
	const struct dr_ss_tlog_entry *e;
	gnutls_datum_t der, pem = { NULL, 0 };
	size_t i;

	top = top ? top : ".";
	snprintf(path, sizeof path, "%s/data/sigstore/trusted_root.json", top);
	if (dr_ss_trusted_root_load(path, &root, why, sizeof why))
		return fprintf(stderr, "%s\n", why), -1;
	snprintf(path, sizeof path, "%s/t/data/sigstore-conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json", top);
	if (dr_ss_bundle_load(path, &source, why, sizeof why))
		return fprintf(stderr, "%s\n", why), -1;
	snprintf(path, sizeof path, "%s/t/data/sigstore-conformance/bundle-verify/a.txt", top);
	if (!(artifact = read_whole(path, &artifact_len)))
		return -1;
	b64(source.signature.data, source.signature.len, signature_b64, sizeof signature_b64);
	der.data = source.certs[0].data;
	der.size = (unsigned)source.certs[0].len;
	if (gnutls_pem_base64_encode2("CERTIFICATE", &der, &pem))
		return -1;
	snprintf(certificate_pem, sizeof certificate_pem, "%.*s", (int)pem.size, (const char *)pem.data);
	gnutls_free(pem.data);
	e = &source.tlog[0];
	b64(e->canonicalized_body.data, e->canonicalized_body.len, body, sizeof body);
	{
		char set[512], id[65];

		b64(e->signed_entry_timestamp.data, e->signed_entry_timestamp.len, set, sizeof set);
		for (i = 0; i < e->log_id_len; i++)
			snprintf(id + 2 * i, 3, "%02x", e->log_id[i]);
		snprintf(rekor_bundle, sizeof rekor_bundle,
			 "{\"SignedEntryTimestamp\":\"%s\",\"Payload\":{\"body\":\"%s\",\"integratedTime\":%lld,"
			 "\"logIndex\":%lld,\"logID\":\"%s\"}}",
			 set, body, (long long)e->integrated_time, (long long)e->log_index, id);
	}
	return 0;
}

static struct dr_keyless_sig_layer layer(void)
{
	struct dr_keyless_sig_layer l = { .signature = signature_b64, .certificate = certificate_pem,
					  .rekor_bundle = rekor_bundle };
	return l;
}

static struct dr_keyless_policy policy;

static void policy_for(const char *identities, const char *issuer)
{
	char why[256];

	CU_ASSERT_EQUAL_FATAL(dr_keyless_policy_init(&policy, identities, issuer, &root, why, sizeof why), 0);
}

/* Convert l, verify over payload; 0 or -1 with why. */
static int convert_verify(const struct dr_keyless_sig_layer *l, const char *payload, size_t len,
			  struct dr_ss_signer *signer, char *why, size_t cap)
{
	struct dr_ss_bundle b;
	struct dr_ss_artifact a = { .data = (const unsigned char *)payload, .len = len };
	int rc;

	if (dr_keyless_sig_bundle(l, a.data, a.len, &b, why, cap))
		return -1;
	gnutls_hash_fast(GNUTLS_DIG_SHA256, payload, len, a.sha256);
	rc = dr_keyless_verify(&b, &policy, &a, signer, why, cap);
	dr_ss_bundle_free(&b);
	return rc;
}

static void test_conversion_shape(void)
{
	struct dr_keyless_sig_layer l = layer();
	struct dr_ss_bundle b;
	char why[256];

	CU_ASSERT_EQUAL_FATAL(dr_keyless_sig_bundle(&l, (const unsigned char *)artifact, artifact_len, &b, why, sizeof why), 0);
	CU_ASSERT_EQUAL(b.content, DR_SS_MESSAGE_SIGNATURE);
	CU_ASSERT_EQUAL(b.cert_count, 1);
	CU_ASSERT(b.certs[0].len == source.certs[0].len && !memcmp(b.certs[0].data, source.certs[0].data, b.certs[0].len));
	CU_ASSERT_EQUAL(b.tlog_count, 1);
	CU_ASSERT_STRING_EQUAL(b.tlog[0].kind, "hashedrekord");
	CU_ASSERT_STRING_EQUAL(b.tlog[0].version, "0.0.1");
	CU_ASSERT_EQUAL(b.tlog[0].log_index, source.tlog[0].log_index);
	CU_ASSERT_EQUAL(b.tlog[0].integrated_time, source.tlog[0].integrated_time);
	CU_ASSERT_EQUAL(b.tlog[0].log_id_len, 32);
	CU_ASSERT_FALSE(b.tlog[0].has_inclusion_proof);
	CU_ASSERT_EQUAL(b.timestamp_count, 0);
	CU_ASSERT_STRING_EQUAL(b.digest_algorithm, "SHA2_256");
	dr_ss_bundle_free(&b);
}

static void test_converted_verifies(void)
{
	struct dr_keyless_sig_layer l = layer();
	struct dr_ss_signer s;
	char why[512] = "";

	policy_for("https://example.com/other " CASE_IDENTITY, CASE_ISSUER);
	CU_ASSERT_EQUAL(convert_verify(&l, artifact, artifact_len, &s, why, sizeof why), 0);
	if (why[0])
		fprintf(stderr, "refused: %s\n", why);
	CU_ASSERT_STRING_EQUAL(s.identity, CASE_IDENTITY);
	CU_ASSERT_STRING_EQUAL(s.issuer, CASE_ISSUER);
	CU_ASSERT_EQUAL(s.log_index, source.tlog[0].log_index);
	CU_ASSERT_STRING_EQUAL(s.time_source, "tlog");
	CU_ASSERT_EQUAL((long long)s.verified_time, (long long)source.tlog[0].integrated_time);
}

static void test_another_artifact(void)
{
	struct dr_keyless_sig_layer l = layer();
	struct dr_ss_signer s;
	char why[512] = "";
	static const char other[] = "{\"critical\":{\"type\":\"cosign container image signature\"}}";

	policy_for(CASE_IDENTITY, CASE_ISSUER);
	CU_ASSERT_EQUAL(convert_verify(&l, other, sizeof other - 1, &s, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "log entry: the logged digest is not the artifact's"));
}

static void test_another_identity(void)
{
	struct dr_keyless_sig_layer l = layer();
	struct dr_ss_signer s;
	char why[512] = "";

	/* A prefix, a suffix and another ref: exact comparison only. */
	policy_for("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/ " CASE_IDENTITY "x "
		   "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/"
		   "extremely-dangerous-oidc-beacon.yml@refs/heads/other",
		   CASE_ISSUER);
	CU_ASSERT_EQUAL(convert_verify(&l, artifact, artifact_len, &s, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "signed by another identity: " CASE_IDENTITY " is not one of IMAGE_SIGNATURE_IDENTITY"));
}

static void test_another_issuer(void)
{
	struct dr_keyless_sig_layer l = layer();
	struct dr_ss_signer s;
	char why[512] = "";

	policy_for(CASE_IDENTITY, "https://token.actions.githubusercontent.com/");
	CU_ASSERT_EQUAL(convert_verify(&l, artifact, artifact_len, &s, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "signed for another OIDC issuer: " CASE_ISSUER ", not IMAGE_SIGNATURE_ISSUER"));
}

static void test_broken_set(void)
{
	struct dr_keyless_sig_layer l = layer();
	struct dr_ss_signer s;
	char why[512] = "", tampered[sizeof rekor_bundle], *set;

	memcpy(tampered, rekor_bundle, sizeof tampered);
	set = strstr(tampered, "\"SignedEntryTimestamp\":\"") + 24;
	set[10] = set[10] == 'A' ? 'B' : 'A';
	l.rekor_bundle = tampered;
	policy_for(CASE_IDENTITY, CASE_ISSUER);
	CU_ASSERT_EQUAL(convert_verify(&l, artifact, artifact_len, &s, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "signed entry timestamp does not verify"));
}

static void test_another_time(void)
{
	struct dr_keyless_sig_layer l = layer();
	struct dr_ss_signer s;
	char why[512] = "", tampered[sizeof rekor_bundle], *t;

	/* Another integrated time: the SET no longer covers it. */
	memcpy(tampered, rekor_bundle, sizeof tampered);
	t = strstr(tampered, "\"integratedTime\":") + 17;
	t[0] = t[0] == '1' ? '2' : '1';
	l.rekor_bundle = tampered;
	policy_for(CASE_IDENTITY, CASE_ISSUER);
	CU_ASSERT_EQUAL(convert_verify(&l, artifact, artifact_len, &s, why, sizeof why), -1);
	CU_ASSERT(why[0] != '\0');
}

static void test_untrusted_root(void)
{
	static struct dr_ss_trusted_root empty;
	struct dr_keyless_sig_layer l = layer();
	struct dr_ss_signer s;
	char why[512] = "";

	policy_for(CASE_IDENTITY, CASE_ISSUER);
	policy.root = &empty;
	CU_ASSERT_EQUAL(convert_verify(&l, artifact, artifact_len, &s, why, sizeof why), -1);
	CU_ASSERT(why[0] != '\0');
	policy.root = &root;
}

static void test_malformed_annotations(void)
{
	struct dr_keyless_sig_layer l;
	struct dr_ss_bundle b;
	char why[512];

	l = layer();
	l.rekor_bundle = NULL;
	CU_ASSERT_EQUAL(dr_keyless_sig_bundle(&l, (const unsigned char *)artifact, artifact_len, &b, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no Rekor bundle annotation"));
	l = layer();
	l.certificate = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
	CU_ASSERT_EQUAL(dr_keyless_sig_bundle(&l, (const unsigned char *)artifact, artifact_len, &b, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no PEM CERTIFICATE"));
	l = layer();
	l.signature = "not base64!";
	CU_ASSERT_EQUAL(dr_keyless_sig_bundle(&l, (const unsigned char *)artifact, artifact_len, &b, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "signature annotation is not base64"));
	l = layer();
	l.rekor_bundle = "{\"SignedEntryTimestamp\":\"AAAA\",\"Payload\":{\"body\":\"e30=\",\"integratedTime\":1,"
			 "\"logIndex\":1,\"logID\":\"zz\"}}";
	CU_ASSERT_EQUAL(dr_keyless_sig_bundle(&l, (const unsigned char *)artifact, artifact_len, &b, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "logID is not hex"));
	l = layer();
	l.rekor_bundle = "{\"SignedEntryTimestamp\":\"AAAA\",\"Payload\":{\"body\":\"e30=\",\"integratedTime\":1,"
			 "\"logIndex\":1,\"logID\":\"00\"}}";
	CU_ASSERT_EQUAL(dr_keyless_sig_bundle(&l, (const unsigned char *)artifact, artifact_len, &b, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "names no kind and apiVersion"));
	l = layer();
	l.rekor_bundle = "{\"SignedEntryTimestamp\":\"AAAA\",\"SignedEntryTimestamp\":\"AAAA\"}";
	CU_ASSERT_EQUAL(dr_keyless_sig_bundle(&l, (const unsigned char *)artifact, artifact_len, &b, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not JSON"));
	l = layer();
	l.timestamp = "{\"SignedRFC3161Timestamp\":\"\"}";
	CU_ASSERT_EQUAL(dr_keyless_sig_bundle(&l, (const unsigned char *)artifact, artifact_len, &b, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "has no SignedRFC3161Timestamp"));
}

static void test_decide(void)
{
	struct dr_ss_signer s = { .identity = "https://github.com/o/r/.github/workflows/release.yml@refs/heads/main",
				  .issuer = CASE_ISSUER };
	char why[512];

	policy_for("https://github.com/o/r/.github/workflows/ci.yml@refs/heads/main "
		   "https://github.com/o/r/.github/workflows/release.yml@refs/heads/main",
		   NULL);
	CU_ASSERT_STRING_EQUAL(policy.issuer, CASE_ISSUER); /* the default */
	CU_ASSERT_EQUAL(dr_keyless_decide(&s, &policy, why, sizeof why), 0);
	snprintf(s.identity, sizeof s.identity, "https://github.com/o/r/.github/workflows/release.yml@refs/heads/MAIN");
	CU_ASSERT_EQUAL(dr_keyless_decide(&s, &policy, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "another identity"));
	snprintf(s.identity, sizeof s.identity, "https://github.com/o/r/.github/workflows/release.yml@refs/heads/main");
	snprintf(s.issuer, sizeof s.issuer, "https://accounts.google.com");
	CU_ASSERT_EQUAL(dr_keyless_decide(&s, &policy, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "another OIDC issuer: https://accounts.google.com"));
	s.issuer[0] = '\0';
	CU_ASSERT_EQUAL(dr_keyless_decide(&s, &policy, why, sizeof why), -1);
	s.identity[0] = '\0';
	policy_for("*", CASE_ISSUER); /* a pattern is only itself */
	snprintf(s.issuer, sizeof s.issuer, CASE_ISSUER);
	CU_ASSERT_EQUAL(dr_keyless_decide(&s, &policy, why, sizeof why), -1);
	snprintf(s.identity, sizeof s.identity, "anything");
	CU_ASSERT_EQUAL(dr_keyless_decide(&s, &policy, why, sizeof why), -1);
}

static void test_policy_parse(void)
{
	static char many[DR_SIGNATURE_IDENTITIES_TEXT_MAX];
	struct dr_keyless_policy p;
	char why[256];
	size_t n = 0;
	int i;

	CU_ASSERT_EQUAL(dr_keyless_policy_init(&p, "  a   b ", "https://i", &root, why, sizeof why), 0);
	CU_ASSERT_EQUAL(p.identity_count, 2);
	CU_ASSERT_STRING_EQUAL(p.identities[0], "a");
	CU_ASSERT_STRING_EQUAL(p.identities[1], "b");
	CU_ASSERT_STRING_EQUAL(p.issuer, "https://i");
	CU_ASSERT_EQUAL(dr_keyless_policy_init(&p, "   ", NULL, &root, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_keyless_policy_init(&p, NULL, NULL, &root, why, sizeof why), -1);
	for (i = 0; i <= DR_SIGNATURE_IDENTITIES_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "id%d ", i);
	CU_ASSERT_EQUAL(dr_keyless_policy_init(&p, many, NULL, &root, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "more than"));
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "a .sig layer's annotations convert to a message-signature bundle", test_conversion_shape },
		{ "the converted bundle verifies against the public-good root", test_converted_verifies },
		{ "a log entry for another artifact is refused", test_another_artifact },
		{ "another identity is refused (exact comparison)", test_another_identity },
		{ "another issuer is refused (exact comparison)", test_another_issuer },
		{ "a broken signed entry timestamp is refused", test_broken_set },
		{ "another integrated time is refused", test_another_time },
		{ "a root without the CA and log is refused", test_untrusted_root },
		{ "malformed annotations are refused, naming which", test_malformed_annotations },
		{ "the decision: exact identities and issuer", test_decide },
		{ "the policy's identities are split and bounded", test_policy_parse },
		{ NULL, NULL },
	};
	int rc;

	if (setup()) {
		fprintf(stderr, "test_keyless: fixtures missing\n");
		return 99;
	}
	rc = unit_run("keyless", cases);
	dr_ss_bundle_free(&source);
	dr_ss_trusted_root_free(&root);
	free(artifact);
	return rc;
}
