/* test_ss_bundle.c: the Sigstore decoders and the verifier's first refusals (lib/sigstore:
 * decode.c, trusted_root.c, bundle.c, dsse.c, verify.c). Real bundles and roots come from the
 * conformance suite's copy in the tree ($top_srcdir/t/data/sigstore-conformance, or
 * SIGSTORE_CONFORMANCE_DIR); the cases that need it pass without asserting when it is absent. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "clock.h"
#include "decode.h"
#include "dsse.h"
#include "trusted_root.h"
#include "unit.h"
#include "verify.h"

/* The path of NAME in the conformance copy; NULL, and a failed assertion, when it is missing. */
static const char *suite_path(const char *name, char *buf, size_t cap)
{
	const char *dir = getenv("SIGSTORE_CONFORMANCE_DIR");
	const char *top = getenv("top_srcdir");
	FILE *f;

	if (dir)
		snprintf(buf, cap, "%s/%s", dir, name);
	else
		snprintf(buf, cap, "%s/t/data/sigstore-conformance/%s", top ? top : ".", name);
	f = fopen(buf, "rb");
	if (!f) {
		CU_FAIL("a file of the conformance copy (t/data/sigstore-conformance) is missing");
		return NULL;
	}
	fclose(f);
	return buf;
}

/* Parse text as a bundle; the return of dr_ss_bundle_parse, the bundle freed. */
static int parse_text(const char *text, char *why, size_t cap)
{
	struct dr_ss_bundle b;
	int rc = dr_ss_bundle_parse(text, strlen(text), &b, why, cap);

	dr_ss_bundle_free(&b);
	return rc;
}

static void test_base64(void)
{
	struct dr_ss_bytes b;

	CU_ASSERT_EQUAL(dr_ss_base64_decode("aGk=", 4, 16, &b), 0);
	CU_ASSERT_EQUAL(b.len, 2);
	CU_ASSERT(b.data && !memcmp(b.data, "hi", 2));
	dr_ss_bytes_free(&b);
	CU_ASSERT_EQUAL(dr_ss_base64_decode("aGVsbG8h", 8, 16, &b), 0);
	CU_ASSERT_EQUAL(b.len, 6);
	dr_ss_bytes_free(&b);
	/* Line breaks (base64(1) wraps at 76) are skipped; nothing else is. */
	CU_ASSERT_EQUAL(dr_ss_base64_decode("aGVs\nbG8h\r\n", 11, 16, &b), 0);
	CU_ASSERT_EQUAL(b.len, 6);
	CU_ASSERT(b.data && !memcmp(b.data, "hello!", 6));
	dr_ss_bytes_free(&b);
	CU_ASSERT_EQUAL(dr_ss_base64_decode("aGVs\tbG8h", 9, 16, &b), -1);
	CU_ASSERT_EQUAL(dr_ss_base64_decode("", 0, 16, &b), 0);
	CU_ASSERT_PTR_NULL(b.data);
	/* Refused: no padding, the URL alphabet, whitespace, bits left over, junk, too long. */
	CU_ASSERT_EQUAL(dr_ss_base64_decode("aGk", 3, 16, &b), -1);
	CU_ASSERT_EQUAL(dr_ss_base64_decode("a-_=", 4, 16, &b), -1);
	CU_ASSERT_EQUAL(dr_ss_base64_decode("aG k", 4, 16, &b), -1);
	CU_ASSERT_EQUAL(dr_ss_base64_decode("aGl=", 4, 16, &b), -1);
	CU_ASSERT_EQUAL(dr_ss_base64_decode("INVALID!!!BASE64!!!ENCODING====", 31, 64, &b), -1);
	CU_ASSERT_EQUAL(dr_ss_base64_decode("aGk=aGk=", 8, 16, &b), -1);
	CU_ASSERT_EQUAL(dr_ss_base64_decode("aGVsbG8h", 8, 5, &b), -1);
	CU_ASSERT_PTR_NULL(b.data);
}

static void test_time(void)
{
	time_t t = 0;

	CU_ASSERT_EQUAL(dr_time_parse_rfc3339("2021-01-12T11:53:27Z", 0, &t), 0);
	CU_ASSERT_EQUAL(t, 1610452407);
	CU_ASSERT_EQUAL(dr_time_parse_rfc3339("2021-01-12T11:53:27.000Z", 1, &t), 0);
	CU_ASSERT_EQUAL(t, 1610452407);
	/* A fraction: a start rounds up, an end down (the window never grows). */
	CU_ASSERT_EQUAL(dr_time_parse_rfc3339("2021-01-12T11:53:27.5Z", 1, &t), 0);
	CU_ASSERT_EQUAL(t, 1610452408);
	CU_ASSERT_EQUAL(dr_time_parse_rfc3339("2021-01-12T11:53:27.5Z", 0, &t), 0);
	CU_ASSERT_EQUAL(t, 1610452407);
	CU_ASSERT_EQUAL(dr_time_parse_rfc3339("2021-01-12T12:53:27+01:00", 0, &t), 0);
	CU_ASSERT_EQUAL(t, 1610452407);
	CU_ASSERT_EQUAL(dr_time_parse_rfc3339("2021-01-12 11:53:27Z", 0, &t), -1);
	CU_ASSERT_EQUAL(dr_time_parse_rfc3339("2021-01-12T11:53:27", 0, &t), -1);
	CU_ASSERT_EQUAL(dr_time_parse_rfc3339("2021-13-12T11:53:27Z", 0, &t), -1);
	CU_ASSERT_EQUAL(dr_time_parse_rfc3339("2021-01-12T11:53:27.Z", 0, &t), -1);
	CU_ASSERT_EQUAL(dr_time_parse_rfc3339("", 0, &t), -1);
}

static void test_trusted_root_public_good(void)
{
	static struct dr_ss_trusted_root r;
	char path[1024], why[DR_SS_REASON_MAX];

	if (!suite_path("trusted_root.public-good.json", path, sizeof path))
		return;
	CU_ASSERT_EQUAL_FATAL(dr_ss_trusted_root_load(path, &r, why, sizeof why), 0);
	CU_ASSERT(r.tlog_count >= 1);
	CU_ASSERT(r.ctlog_count >= 1);
	CU_ASSERT(r.ca_count >= 1);
	CU_ASSERT(r.tsa_count >= 1);
	CU_ASSERT_STRING_EQUAL(r.tlogs[0].base_url, "https://rekor.sigstore.dev");
	CU_ASSERT_EQUAL(r.tlogs[0].log_id_len, 32);
	CU_ASSERT_STRING_EQUAL(r.tlogs[0].key_details, "PKIX_ECDSA_P256_SHA_256");
	CU_ASSERT(r.tlogs[0].valid_for.has_start);
	CU_ASSERT(r.cas[0].cert_count >= 1 && r.cas[0].certs[0].len > 100);
	dr_ss_trusted_root_free(&r);
	CU_ASSERT_EQUAL(r.tlog_count, 0);
	dr_ss_trusted_root_free(&r);
}

static void test_trusted_root_refusals(void)
{
	static struct dr_ss_trusted_root r;
	char path[1024], why[DR_SS_REASON_MAX];
	const char *no_start = "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\","
			       "\"tlogs\":[{\"baseUrl\":\"https://x\",\"publicKey\":{\"rawBytes\":\"AAAA\","
			       "\"keyDetails\":\"PKIX_ED25519\",\"validFor\":{}},\"logId\":{\"keyId\":\"AAAA\"}}]}";
	const char *good = "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\","
			   "\"tlogs\":[{\"baseUrl\":\"https://x\",\"publicKey\":{\"rawBytes\":\"AAAA\","
			   "\"keyDetails\":\"PKIX_ED25519\",\"validFor\":{\"start\":\"2021-01-12T11:53:27Z\","
			   "\"end\":\"2022-01-12T11:53:27Z\"}},\"logId\":{\"keyId\":\"AAAA\"}}]}";

	CU_ASSERT_EQUAL(dr_ss_trusted_root_parse(good, strlen(good), &r, why, sizeof why), 0);
	CU_ASSERT_EQUAL(r.tlog_count, 1);
	CU_ASSERT(r.tlogs[0].valid_for.has_end);
	CU_ASSERT_EQUAL(r.tlogs[0].valid_for.end, 1641988407);
	dr_ss_trusted_root_free(&r);
	CU_ASSERT_EQUAL(dr_ss_trusted_root_parse(no_start, strlen(no_start), &r, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "validFor.start"));
	CU_ASSERT_EQUAL(dr_ss_trusted_root_parse("{\"mediaType\":\"x\"}", 17, &r, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_trusted_root_parse("{\"mediaType\":", 13, &r, why, sizeof why), -1);
	if (suite_path("bundle-verify/trust-root-tlog-missing-validity-start_fail/trusted_root.json", path,
		       sizeof path))
		CU_ASSERT_EQUAL(dr_ss_trusted_root_load(path, &r, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_trusted_root_load("/nonexistent/root.json", &r, why, sizeof why), -1);
}

static void test_bundle_happy_paths(void)
{
	static struct dr_ss_bundle b;
	char path[1024], why[DR_SS_REASON_MAX];

	if (suite_path("bundle-verify/happy-path-v0.1/bundle.sigstore.json", path, sizeof path)) {
		CU_ASSERT_EQUAL_FATAL(dr_ss_bundle_load(path, &b, why, sizeof why), 0);
		CU_ASSERT_EQUAL(b.minor_version, 1);
		CU_ASSERT(b.cert_count >= 1);
		CU_ASSERT_EQUAL(b.tlog_count, 1);
		CU_ASSERT_STRING_EQUAL(b.tlog[0].kind, "hashedrekord");
		CU_ASSERT(b.tlog[0].integrated_time > 0);
		CU_ASSERT(b.tlog[0].signed_entry_timestamp.len > 0);
		CU_ASSERT_EQUAL(b.content, DR_SS_MESSAGE_SIGNATURE);
		CU_ASSERT_STRING_EQUAL(b.digest_algorithm, "SHA2_256");
		CU_ASSERT_EQUAL(b.message_digest.len, 32);
		dr_ss_bundle_free(&b);
	}
	if (suite_path("bundle-verify/happy-path-v0.3-new-mediaType/bundle.sigstore.json", path, sizeof path)) {
		CU_ASSERT_EQUAL_FATAL(dr_ss_bundle_load(path, &b, why, sizeof why), 0);
		CU_ASSERT_EQUAL(b.minor_version, 3);
		CU_ASSERT_EQUAL(b.cert_count, 1);
		CU_ASSERT(b.tlog[0].has_inclusion_proof);
		CU_ASSERT_PTR_NOT_NULL(b.tlog[0].checkpoint);
		dr_ss_bundle_free(&b);
	}
	if (suite_path("bundle-verify/rekor2-dsse-happy-path/bundle.sigstore.json", path, sizeof path)) {
		CU_ASSERT_EQUAL_FATAL(dr_ss_bundle_load(path, &b, why, sizeof why), 0);
		CU_ASSERT_EQUAL(b.content, DR_SS_DSSE_ENVELOPE);
		CU_ASSERT_EQUAL(b.dsse_signature_count, 1);
		CU_ASSERT_EQUAL(b.tlog[0].integrated_time, 0);
		CU_ASSERT(b.timestamp_count >= 1);
		dr_ss_bundle_free(&b);
	}
	if (suite_path("bundle-verify/managed-key-happy-path/bundle.sigstore.json", path, sizeof path)) {
		CU_ASSERT_EQUAL_FATAL(dr_ss_bundle_load(path, &b, why, sizeof why), 0);
		CU_ASSERT(b.has_public_key);
		CU_ASSERT_EQUAL(b.cert_count, 0);
		dr_ss_bundle_free(&b);
	}
}

static void test_bundle_refusals(void)
{
	static const char *const cases[] = { "bundle-unknown-version_fail", "bundle-malformed-json_fail",
					     "bundle-invalid-base64-signature_fail", "bundle-negative-log-index_fail",
					     "bundle-empty-certificate-chain_fail" };
	static struct dr_ss_bundle b;
	char path[1024], name[256], why[DR_SS_REASON_MAX];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(name, sizeof name, "bundle-verify/%s/bundle.sigstore.json", cases[i]);
		if (!suite_path(name, path, sizeof path))
			continue;
		CU_ASSERT_EQUAL(dr_ss_bundle_load(path, &b, why, sizeof why), -1);
		CU_ASSERT(why[0] != '\0');
		CU_ASSERT_EQUAL(b.cert_count, 0);
	}
	/* The same without the suite: shapes a verifier must never see. */
	CU_ASSERT_EQUAL(parse_text("{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.4\"}", why,
				   sizeof why),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "mediaType"));
	CU_ASSERT_EQUAL(parse_text("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
				   "\"verificationMaterial\":{\"x509CertificateChain\":{\"certificates\":"
				   "[{\"rawBytes\":\"AAAA\"}]}},\"messageSignature\":{\"signature\":\"AAAA\"}}",
				   why, sizeof why),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "chain"));
	CU_ASSERT_EQUAL(parse_text("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
				   "\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"AAAA\"}},"
				   "\"messageSignature\":{\"signature\":\"AAAA\"}}",
				   why, sizeof why),
			0);
	/* Duplicate keys are refused (json-c would keep the last). */
	CU_ASSERT_EQUAL(parse_text("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
				   "\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"}",
				   why, sizeof why),
			-1);
	/* Both kinds of content, or neither. */
	CU_ASSERT_EQUAL(parse_text("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
				   "\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"AAAA\"}}}",
				   why, sizeof why),
			-1);
	/* A v0.2 log entry without its inclusion proof. */
	CU_ASSERT_EQUAL(parse_text("{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.2\","
				   "\"verificationMaterial\":{\"publicKey\":{\"hint\":\"k\"},\"tlogEntries\":[{"
				   "\"logIndex\":\"1\",\"logId\":{\"keyId\":\"AAAA\"},\"kindVersion\":{\"kind\":"
				   "\"hashedrekord\",\"version\":\"0.0.1\"},\"integratedTime\":\"1\",\"inclusionPromise\":"
				   "{\"signedEntryTimestamp\":\"AAAA\"},\"canonicalizedBody\":\"AAAA\"}]},"
				   "\"messageSignature\":{\"signature\":\"AAAA\"}}",
				   why, sizeof why),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "inclusion proof"));
}

static void test_dsse(void)
{
	static struct dr_ss_bundle b;
	struct dr_ss_artifact a = { { 0 }, NULL, 0 };
	const char *stmt = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"a\",\"digest\":"
			   "{\"sha256\":\"0101010101010101010101010101010101010101010101010101010101010101\"}}],"
			   "\"predicateType\":\"x\",\"predicate\":{}}";
	struct dr_ss_bytes pae;
	char why[DR_SS_REASON_MAX];

	memset(&b, 0, sizeof b);
	b.content = DR_SS_DSSE_ENVELOPE;
	snprintf(b.dsse_payload_type, sizeof b.dsse_payload_type, "%s", "http://example.com/HelloWorld");
	b.dsse_payload.data = (unsigned char *)"hello world";
	b.dsse_payload.len = 11;
	/* The DSSE specification's own example. */
	CU_ASSERT_EQUAL_FATAL(dr_ss_dsse_pae(&b, &pae, why, sizeof why), 0);
	CU_ASSERT_EQUAL(pae.len, strlen("DSSEv1 29 http://example.com/HelloWorld 11 hello world"));
	CU_ASSERT(!memcmp(pae.data, "DSSEv1 29 http://example.com/HelloWorld 11 hello world", pae.len));
	free(pae.data);
	CU_ASSERT_EQUAL(dr_ss_dsse_subject_matches(&b, &a, why, sizeof why), -1);
	snprintf(b.dsse_payload_type, sizeof b.dsse_payload_type, "%s", DR_SS_DSSE_PAYLOAD_TYPE_INTOTO);
	b.dsse_payload.data = (unsigned char *)stmt;
	b.dsse_payload.len = strlen(stmt);
	CU_ASSERT_EQUAL(dr_ss_dsse_subject_matches(&b, &a, why, sizeof why), -1);
	memset(a.sha256, 1, sizeof a.sha256);
	CU_ASSERT_EQUAL(dr_ss_dsse_subject_matches(&b, &a, why, sizeof why), 0);
}

static void test_verify_modes(void)
{
	static struct dr_ss_bundle b;
	static struct dr_ss_trusted_root r;
	struct dr_ss_artifact a = { { 0 }, NULL, 0 };
	struct dr_ss_policy keyless = { "id", "issuer", NULL, 0 };
	struct dr_ss_policy keyed = { NULL, NULL, (const unsigned char *)"k", 1 };
	char why[DR_SS_REASON_MAX];
	unsigned char sig[4] = { 1, 2, 3, 4 };

	memset(&b, 0, sizeof b);
	b.minor_version = 3;
	b.content = DR_SS_MESSAGE_SIGNATURE;
	b.signature.data = sig;
	b.signature.len = sizeof sig;
	b.has_public_key = 1;
	/* A bundle signed with a key, verified without one. */
	CU_ASSERT_EQUAL(dr_ss_verify(&b, &r, &a, &keyless, NULL, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no key"));
	/* With the key but no log entry, when the root names a log. */
	r.tlog_count = 1;
	CU_ASSERT_EQUAL(dr_ss_verify(&b, &r, &a, &keyed, NULL, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no transparency log entry"));
	/* A root without logs: then a timestamp must give the time. */
	r.tlog_count = 0;
	CU_ASSERT_EQUAL(dr_ss_verify(&b, &r, &a, &keyed, NULL, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no verified time"));
	/* A bundle signed with a certificate, verified with a key. */
	b.has_public_key = 0;
	b.cert_count = 1;
	CU_ASSERT_EQUAL(dr_ss_verify(&b, &r, &a, &keyed, NULL, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "certificate"));
	/* An unknown version never gets further. */
	b.minor_version = 4;
	CU_ASSERT_EQUAL(dr_ss_verify(&b, &r, &a, &keyless, NULL, why, sizeof why), -1);
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "base64 is canonical standard base64", test_base64 },
		{ "RFC 3339 times", test_time },
		{ "the public-good trusted root", test_trusted_root_public_good },
		{ "trusted roots refused", test_trusted_root_refusals },
		{ "bundles of every version and content", test_bundle_happy_paths },
		{ "bundles refused while decoding", test_bundle_refusals },
		{ "DSSE PAE and in-toto subjects", test_dsse },
		{ "key mode and certificate mode", test_verify_modes },
		{ 0, 0 },
	};

	return unit_run("ss_bundle", cases);
}
