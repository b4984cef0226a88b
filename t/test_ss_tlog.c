/* test_ss_tlog.c: transparency log entries (lib/sigstore/merkle.c,
 * checkpoint.c, tlog.c): RFC 6962 inclusion proofs against trees built
 * here, signed checkpoints parsed and refused, key hints of the real logs,
 * and every case of the Sigstore conformance suite
 * (t/data/sigstore-conformance/bundle-verify) through dr_ss_tlog_verify
 * and dr_ss_tlog_body_matches, each case's expected refusal named. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundle.h"
#include "checkpoint.h"
#include "crypto.h"
#include "decode.h"
#include "merkle.h"
#include "tlog.h"
#include "trusted_root.h"
#include "unit.h"

#define SS_CASES "t/data/sigstore-conformance"
#define SS_TREE_MAX 9 /* leaves of the largest tree built here */

/* --- Merkle trees built the RFC 6962 section 2.1 way, to check the verifier against. --- */

static void ss_node(const unsigned char *l, const unsigned char *r, unsigned char *out)
{
	unsigned char buf[1 + 2 * DR_SS_MERKLE_HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, l, DR_SS_MERKLE_HASH_LEN);
	memcpy(buf + 1 + DR_SS_MERKLE_HASH_LEN, r, DR_SS_MERKLE_HASH_LEN);
	dr_sha256(buf, sizeof buf, out);
}

/* The largest power of two below n (n > 1). */
static size_t ss_split(size_t n)
{
	size_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

/* MTH(D[lo:lo+n]) over the leaf hashes. */
static void ss_mth(unsigned char (*leaves)[DR_SS_MERKLE_HASH_LEN], size_t lo, size_t n, unsigned char *out)
{
	unsigned char l[DR_SS_MERKLE_HASH_LEN], r[DR_SS_MERKLE_HASH_LEN];
	size_t k;

	if (n == 1) {
		memcpy(out, leaves[lo], DR_SS_MERKLE_HASH_LEN);
		return;
	}
	k = ss_split(n);
	ss_mth(leaves, lo, k, l);
	ss_mth(leaves, lo + k, n - k, r);
	ss_node(l, r, out);
}

/* PATH(m, D[lo:lo+n]) appended to proof at *count. */
static void ss_path(unsigned char (*leaves)[DR_SS_MERKLE_HASH_LEN], size_t m, size_t lo, size_t n,
		    unsigned char (*proof)[DR_SS_MERKLE_HASH_LEN], size_t *count)
{
	size_t k;

	if (n == 1)
		return;
	k = ss_split(n);
	if (m < k) {
		ss_path(leaves, m, lo, k, proof, count);
		ss_mth(leaves, lo + k, n - k, proof[(*count)++]);
	} else {
		ss_path(leaves, m - k, lo + k, n - k, proof, count);
		ss_mth(leaves, lo, k, proof[(*count)++]);
	}
}

static void test_merkle_every_leaf(void)
{
	unsigned char leaves[SS_TREE_MAX][DR_SS_MERKLE_HASH_LEN], root[DR_SS_MERKLE_HASH_LEN];
	unsigned char proof[SS_TREE_MAX][DR_SS_MERKLE_HASH_LEN];
	char why[DR_SS_REASON_MAX];

	for (size_t i = 0; i < SS_TREE_MAX; i++) {
		unsigned char leaf = (unsigned char)i;

		dr_ss_merkle_leaf_hash(&leaf, 1, leaves[i]);
	}
	for (size_t n = 1; n <= SS_TREE_MAX; n++) {
		ss_mth(leaves, 0, n, root);
		for (size_t m = 0; m < n; m++) {
			size_t count = 0;

			ss_path(leaves, m, 0, n, proof, &count);
			CU_ASSERT_EQUAL(dr_ss_merkle_verify_inclusion(m, n, leaves[m], proof, count, root, why, sizeof why), 0);
			/* Another leaf, index, size, root or path: refused. */
			CU_ASSERT_EQUAL(dr_ss_merkle_verify_inclusion(m, n, leaves[(m + 1) % SS_TREE_MAX], proof, count, root,
								      why, sizeof why), -1);
			if (n > 1) {
				CU_ASSERT_EQUAL(dr_ss_merkle_verify_inclusion((m + 1) % n, n, leaves[m], proof, count, root,
									      why, sizeof why), -1);
				CU_ASSERT_EQUAL(dr_ss_merkle_verify_inclusion(m, n, leaves[m], proof, count - 1, root, why,
									      sizeof why), -1);
				proof[0][5] ^= 0x01;
				CU_ASSERT_EQUAL(dr_ss_merkle_verify_inclusion(m, n, leaves[m], proof, count, root, why,
									      sizeof why), -1);
				proof[0][5] ^= 0x01;
			}
			memcpy(proof[count], root, DR_SS_MERKLE_HASH_LEN);
			CU_ASSERT_EQUAL(dr_ss_merkle_verify_inclusion(m, n, leaves[m], proof, count + 1, root, why,
								      sizeof why), -1);
			root[0] ^= 0x80;
			CU_ASSERT_EQUAL(dr_ss_merkle_verify_inclusion(m, n, leaves[m], proof, count, root, why, sizeof why), -1);
			root[0] ^= 0x80;
		}
	}
	CU_ASSERT_EQUAL(dr_ss_merkle_verify_inclusion(1, 1, leaves[0], proof, 0, leaves[0], why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_merkle_verify_inclusion(0, 0, leaves[0], proof, 0, leaves[0], why, sizeof why), -1);
	/* A one-leaf tree: the root is the leaf hash, the path empty. */
	CU_ASSERT_EQUAL(dr_ss_merkle_verify_inclusion(0, 1, leaves[0], proof, 0, leaves[0], why, sizeof why), 0);
}

static void test_merkle_leaf_hash(void)
{
	/* RFC 6962's empty-leaf hash: SHA-256 of the single byte 0x00. */
	static const unsigned char empty[DR_SS_MERKLE_HASH_LEN] = {
		0x6e, 0x34, 0x0b, 0x9c, 0xff, 0xb3, 0x7a, 0x98, 0x9c, 0xa5, 0x44, 0xe6, 0xbb, 0x78, 0x0a, 0x2c,
		0x78, 0x90, 0x1d, 0x3f, 0xb3, 0x37, 0x38, 0x76, 0x85, 0x11, 0xa3, 0x06, 0x17, 0xaf, 0xa0, 0x1d
	};
	unsigned char got[DR_SS_MERKLE_HASH_LEN];

	dr_ss_merkle_leaf_hash((const unsigned char *)"", 0, got);
	CU_ASSERT_EQUAL(memcmp(got, empty, sizeof got), 0);
}

/* --- Checkpoints. --- */

#define SS_HASH_B64 "rs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI="
#define SS_SIG "\xe2\x80\x94 log.example 8w1amdbj1mjNN674dHAkD92+QZoEgBC7o0mXYSTRluDjQrOPjrps3zQB9ut+ShLepyZPsWBDi5IB3yXyjgjQT6OG9A8=\n"

static void test_checkpoint_parse(void)
{
	struct dr_ss_checkpoint cp;
	char why[DR_SS_REASON_MAX];

	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n736\n" SS_HASH_B64 "\n\n" SS_SIG, &cp, why, sizeof why), 0);
	CU_ASSERT_STRING_EQUAL(cp.origin, "log.example");
	CU_ASSERT_EQUAL(cp.size, 736);
	CU_ASSERT_EQUAL(cp.root_hash[0], 0xae);
	/* Extension lines (Rekor v1's timestamp) and several signature lines. */
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("rekor.sigstore.dev - 2605736670972794746\n736\n" SS_HASH_B64
					       "\nTimestamp: 1689177396617352539\n\n" SS_SIG SS_SIG, &cp, why, sizeof why), 0);
	CU_ASSERT_STRING_EQUAL(cp.origin, "rekor.sigstore.dev - 2605736670972794746");

	/* Refused: a missing origin, size or root hash, no signature, a malformed note. */
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("736\n" SS_HASH_B64 "\n\n" SS_SIG, &cp, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n" SS_HASH_B64 "\n\n" SS_SIG, &cp, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n736\n\n" SS_SIG, &cp, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n736\n" SS_HASH_B64 "\n\n", &cp, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n736\n" SS_HASH_B64 "\n" SS_SIG, &cp, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("", &cp, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse(NULL, &cp, why, sizeof why), -1);
	/* The size: decimal digits only, no leading zero, no sign. */
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n0736\n" SS_HASH_B64 "\n\n" SS_SIG, &cp, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n+736\n" SS_HASH_B64 "\n\n" SS_SIG, &cp, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n18446744073709551616\n" SS_HASH_B64 "\n\n" SS_SIG, &cp, why,
					       sizeof why), -1);
	/* The root hash: canonical base64 of 32 bytes. */
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n736\nrs1Y\n\n" SS_SIG, &cp, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n736\n" SS_HASH_B64 "AAAA\n\n" SS_SIG, &cp, why, sizeof why), -1);
	/* An empty line inside the note text; a control character; a bad signature line. */
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n736\n" SS_HASH_B64 "\n\nx\n\n" SS_SIG, &cp, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\t\n736\n" SS_HASH_B64 "\n\n" SS_SIG, &cp, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n736\n" SS_HASH_B64 "\n\n- log.example AAAAAAA=\n", &cp, why,
					       sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n736\n" SS_HASH_B64 "\n\n\xe2\x80\x94 log.example AAAA\n", &cp,
					       why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n736\n" SS_HASH_B64 "\n\n\xe2\x80\x94 log+example AAAAAAA=\n",
					       &cp, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n736\n" SS_HASH_B64 "\n\n\xe2\x80\x94  AAAAAAA=\n", &cp, why,
					       sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n736\n" SS_HASH_B64 "\n\n\xe2\x80\x94 log.example AAAAAAA=", &cp,
					       why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.example\n736\n" SS_HASH_B64 "\n\n\xe2\x80\x94 log.example AAAAAAA= x\n",
					       &cp, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_checkpoint_parse("log.\xc3\x28xample\n736\n" SS_HASH_B64 "\n\n" SS_SIG, &cp, why, sizeof why),
			-1);
}

/* --- The conformance cases. --- */

/* The file of a case (or of the suite when case_name is NULL) at out; 0, or -1 when too long. */
static int ss_case_path(char *out, size_t cap, const char *case_name, const char *file)
{
	const char *top = getenv("top_srcdir");
	int n = case_name ? snprintf(out, cap, "%s/%s/bundle-verify/%s/%s", top ? top : ".", SS_CASES, case_name, file)
			  : snprintf(out, cap, "%s/%s/%s", top ? top : ".", SS_CASES, file);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* The whole file at path (NULL when absent), *len set; the caller frees. */
static char *ss_slurp(const char *path, size_t *len)
{
	char why[DR_SS_REASON_MAX], *text = NULL;

	if (dr_ss_read_file(path, DR_SS_BUNDLE_MAX, &text, len, why, sizeof why))
		return NULL;
	return text;
}

/* The trusted root a case is verified against. */
static int ss_load_root(const char *case_name, struct dr_ss_trusted_root *root, char *why, size_t why_cap)
{
	char path[1024];
	FILE *f;

	CU_ASSERT_EQUAL_FATAL(ss_case_path(path, sizeof path, case_name, "trusted_root.json"), 0);
	if ((f = fopen(path, "rb")))
		fclose(f);
	else
		CU_ASSERT_EQUAL_FATAL(ss_case_path(path, sizeof path, NULL, "trusted_root.public-good.json"), 0);
	return dr_ss_trusted_root_load(path, root, why, why_cap);
}

#define SS_OK 0
#define SS_LOAD 1  /* refused by the bundle or trusted root decoder (not this module's) */
#define SS_TLOG 2  /* dr_ss_tlog_verify refuses an entry */
#define SS_BODY 4  /* dr_ss_tlog_body_matches refuses an entry */
#define SS_NOBODY 8 /* no verifier to compare the body with (key mode without a key) */
#define SS_MAYLOAD 16 /* the decoders may refuse it first (their concern), else as the other bits say */

static const struct ss_case {
	const char *name;
	int expect;
} ss_cases[] = {
	{ "bundle-empty-certificate-chain_fail", SS_LOAD },
	{ "bundle-from-wrong-instance_fail", SS_TLOG },
	{ "bundle-invalid-base64-signature_fail", SS_LOAD },
	{ "bundle-malformed-json_fail", SS_LOAD },
	{ "bundle-negative-log-index_fail", SS_LOAD },
	{ "bundle-unknown-version_fail", SS_LOAD },
	{ "bundle-with-root-cert_fail", SS_TLOG },
	{ "bundle-with-sct-with-extensions", SS_OK },
	{ "checkpoint-bad-keyhint_fail", SS_TLOG },
	{ "checkpoint-wrong-roothash_fail", SS_TLOG },
	{ "dsse-invalid-sig_fail", SS_BODY },
	{ "dsse-mismatch-envelope_fail", SS_BODY },
	{ "dsse-mismatch-sig_fail", SS_BODY },
	{ "happy-path-intoto-in-dsse-v3", SS_OK },
	{ "happy-path-v0.1", SS_OK },
	{ "happy-path-v0.2", SS_OK },
	{ "happy-path-v0.3", SS_OK },
	{ "happy-path-v0.3-new-mediaType", SS_OK },
	{ "inclusion-proof-corrupted-hash_fail", SS_TLOG },
	{ "incorrect-public-key_fail", SS_TLOG },
	{ "integrated-time-in-future_fail", SS_OK },
	{ "intoto-expired-certificate_fail", SS_OK },
	{ "intoto-log-entry-mismatch_fail", SS_BODY },
	{ "intoto-missing-inclusion-proof_fail", SS_OK | SS_MAYLOAD },
	{ "intoto-set-outside-signing-cert-validity_fail", SS_OK },
	{ "intoto-tsa-timestamp-outside-cert-validity_fail", SS_OK },
	{ "intoto-with-custom-trust-root", SS_OK },
	{ "invalid-checkpoint-signature_fail", SS_TLOG },
	{ "invalid-ct-key_fail", SS_OK },
	{ "invalid-inclusion-proof_fail", SS_TLOG },
	{ "managed-key-and-trusted-root", SS_OK },
	{ "managed-key-happy-path", SS_OK },
	{ "managed-key-no-key_fail", SS_NOBODY },
	{ "managed-key-wrong-key_fail", SS_NOBODY },
	{ "message-digest-mismatch_fail", SS_OK },
	{ "rekor2-checkpoint-cosigned", SS_OK },
	{ "rekor2-checkpoint-missing-log-signature_fail", SS_TLOG },
	{ "rekor2-checkpoint-missing-origin_fail", SS_TLOG },
	{ "rekor2-checkpoint-missing-root-hash_fail", SS_TLOG },
	{ "rekor2-checkpoint-missing-size_fail", SS_TLOG },
	{ "rekor2-checkpoint-multiple-cosigs", SS_OK },
	{ "rekor2-checkpoint-no-matching-signature_fail", SS_TLOG },
	{ "rekor2-checkpoint-origin-not-first", SS_OK },
	{ "rekor2-checkpoint-two-sigs-cosigned", SS_OK },
	{ "rekor2-checkpoint-two-sigs-from-origin", SS_OK },
	{ "rekor2-dsse-happy-path", SS_OK },
	{ "rekor2-dsse-invalid-sig_fail", SS_BODY },
	{ "rekor2-dsse-mismatch-envelope_fail", SS_BODY },
	{ "rekor2-dsse-mismatch-sig_fail", SS_BODY },
	{ "rekor2-happy-path", SS_OK },
	{ "rekor2-no-inclusion-proof_fail", SS_TLOG | SS_MAYLOAD },
	{ "rekor2-no-timestamp_fail", SS_OK },
	{ "rekor2-timestamp-outside-trust-root-tsa-validity_fail", SS_OK },
	{ "rekor2-timestamp-outside-tsa-cert-validity_fail", SS_OK },
	{ "rekor2-timestamp-payload-mismatch_fail", SS_OK },
	{ "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail", SS_OK },
	{ "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail", SS_OK },
	{ "rekor2-timestamp-with-embedded-cert", SS_OK },
	{ "rekor2-timestamp-with-expired-cert-chain", SS_OK },
	{ "rekor2-timestamp-with-incorrect-time_fail", SS_OK | SS_MAYLOAD },
	{ "rekor2-timestamp-without-embedded-cert", SS_OK },
	{ "set-invalid-signature_fail", SS_TLOG },
	{ "signature-mismatch_fail", SS_BODY },
	{ "trust-root-tlog-missing-validity-start_fail", SS_TLOG | SS_MAYLOAD },
	{ "trust-root-tlog-validity-end-inclusive", SS_OK },
	{ "trust-root-tsa-validity-end-inclusive", SS_OK },
	{ "wrong-hashedrekord-artifact_fail", SS_BODY },
	{ "wrong-hashedrekord-cert-and-sig_fail", SS_BODY },
	{ "wrong-hashedrekord-entry_fail", SS_BODY },
	{ "wrong-material_fail", SS_BODY },
};

/* A loaded case: its bundle, root, artifact and the verifier's DER. */
struct ss_loaded {
	struct dr_ss_bundle b;
	struct dr_ss_trusted_root root;
	struct dr_ss_artifact a;
	char *artifact;
	struct dr_ss_bytes key;
	const unsigned char *verifier;
	size_t verifier_len;
};

/* Load case_name into l; 0, or -1 when a decoder refused it (why filled). */
static int ss_load(const char *case_name, struct ss_loaded *l, char *why, size_t why_cap)
{
	char path[1024], *pem;
	size_t len = 0;

	memset(l, 0, sizeof *l);
	CU_ASSERT_EQUAL_FATAL(ss_case_path(path, sizeof path, case_name, "artifact"), 0);
	if (!(l->artifact = ss_slurp(path, &len))) {
		CU_ASSERT_EQUAL_FATAL(ss_case_path(path, sizeof path, NULL, "bundle-verify/a.txt"), 0);
		l->artifact = ss_slurp(path, &len);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(l->artifact);
	l->a.data = (const unsigned char *)l->artifact;
	l->a.len = len;
	dr_sha256(l->artifact, len, l->a.sha256);
	CU_ASSERT_EQUAL_FATAL(ss_case_path(path, sizeof path, case_name, "key.pub"), 0);
	if ((pem = ss_slurp(path, &len))) {
		/* managed-key-wrong-key_fail's key is not even base64: no verifier then. */
		if (dr_ss_pem_public_key(pem, len, &l->key))
			l->key.data = NULL;
		free(pem);
	}
	if (ss_load_root(case_name, &l->root, why, why_cap))
		return -1;
	CU_ASSERT_EQUAL_FATAL(ss_case_path(path, sizeof path, case_name, "bundle.sigstore.json"), 0);
	if (dr_ss_bundle_load(path, &l->b, why, why_cap))
		return -1;
	if (l->b.cert_count) {
		l->verifier = l->b.certs[0].data;
		l->verifier_len = l->b.certs[0].len;
	} else if (l->key.data) {
		l->verifier = l->key.data;
		l->verifier_len = l->key.len;
	}
	return 0;
}

static void ss_unload(struct ss_loaded *l)
{
	dr_ss_bundle_free(&l->b);
	dr_ss_trusted_root_free(&l->root);
	dr_ss_bytes_free(&l->key);
	free(l->artifact);
}

/* What the checks make of one case (SS_* bits), with the first reason in why. */
static int ss_run(const char *case_name, time_t now, char *why, size_t why_cap)
{
	static struct ss_loaded l;
	int got = 0;

	if (ss_load(case_name, &l, why, why_cap)) {
		ss_unload(&l);
		return SS_LOAD;
	}
	for (size_t i = 0; i < l.b.tlog_count && !got; i++) {
		if (dr_ss_tlog_verify(&l.b.tlog[i], &l.root, now, why, why_cap))
			got |= SS_TLOG;
		else if (!l.verifier)
			got |= SS_NOBODY;
		else if (dr_ss_tlog_body_matches(&l.b.tlog[i], &l.b, &l.a, l.verifier, l.verifier_len, why, why_cap))
			got |= SS_BODY;
	}
	ss_unload(&l);
	return got;
}

static void test_conformance_cases(void)
{
	char why[DR_SS_REASON_MAX];
	time_t now = time(NULL);

	for (size_t i = 0; i < sizeof ss_cases / sizeof ss_cases[0]; i++) {
		int got;

		why[0] = '\0';
		got = ss_run(ss_cases[i].name, now, why, sizeof why);
		if (got == SS_LOAD && (ss_cases[i].expect & SS_MAYLOAD))
			got = ss_cases[i].expect;
		got |= ss_cases[i].expect & SS_MAYLOAD;
		if (got != ss_cases[i].expect)
			printf("\n  %s: expected %d, got %d (%s)", ss_cases[i].name, ss_cases[i].expect, got, why);
		else if (getenv("SS_VERBOSE"))
			printf("\n  %s: %d %s", ss_cases[i].name, got, why);
		CU_ASSERT_EQUAL(got, ss_cases[i].expect);
	}
}

/* A Rekor v1 entry (happy-path-v0.1, public-good root): SET, times, the log's window, the proof. */
static void test_rekor_v1_entry(void)
{
	static struct ss_loaded l;
	unsigned char set[DR_SS_REASON_MAX], sig[DR_SS_REASON_MAX];
	char why[DR_SS_REASON_MAX];
	struct dr_ss_tlog_entry e;
	struct dr_ss_bundle b;
	struct dr_ss_artifact a;
	struct dr_ss_log *log;
	struct dr_ss_window saved;
	time_t it;

	CU_ASSERT_EQUAL_FATAL(ss_load("happy-path-v0.1", &l, why, sizeof why), 0);
	CU_ASSERT_EQUAL_FATAL(l.b.tlog_count, 1);
	CU_ASSERT_FATAL(l.b.tlog[0].signed_entry_timestamp.len <= sizeof set && l.b.signature.len <= sizeof sig);
	e = l.b.tlog[0];
	it = (time_t)e.integrated_time;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), 0);
	/* Logged after now: refused. */
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it - 1, why, sizeof why), -1);

	/* The log key's validity: both ends inclusive, a start required. */
	log = (struct dr_ss_log *)dr_ss_tlog_log(&l.root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	saved = log->valid_for;
	log->valid_for.has_end = 1;
	log->valid_for.end = it;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), 0);
	log->valid_for.end = it - 1;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), -1);
	log->valid_for = saved;
	log->valid_for.start = it + 1;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), -1);
	log->valid_for = saved;
	log->valid_for.has_start = 0;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), -1);
	log->valid_for = saved;

	/* The SET alone suffices; it covers body, time, log id and index. */
	e.has_inclusion_proof = 0;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), 0);
	e.integrated_time++;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it + 1, why, sizeof why), -1);
	e.integrated_time--;
	e.log_index++;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), -1);
	e.log_index--;
	memcpy(set, e.signed_entry_timestamp.data, e.signed_entry_timestamp.len);
	set[e.signed_entry_timestamp.len - 3] ^= 0x01;
	e.signed_entry_timestamp.data = set;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), -1);
	/* Neither SET nor proof: refused; the proof alone: enough (the time is then unproven). */
	e.signed_entry_timestamp.len = 0;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), -1);
	e.has_inclusion_proof = 1;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), 0);
	/* A proof without its checkpoint; another tree size; another log; an unknown kind. */
	e.checkpoint = NULL;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), -1);
	e = l.b.tlog[0];
	e.proof_tree_size++;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), -1);
	e = l.b.tlog[0];
	e.log_id[0] ^= 0x01;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), -1);
	e = l.b.tlog[0];
	snprintf(e.kind, sizeof e.kind, "rekord");
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, it, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_tlog_body_matches(&e, &l.b, &l.a, l.verifier, l.verifier_len, why, sizeof why), -1);

	/* The body names this artifact, signature and certificate, and the kind the bundle says. */
	e = l.b.tlog[0];
	CU_ASSERT_EQUAL(dr_ss_tlog_body_matches(&e, &l.b, &l.a, l.verifier, l.verifier_len, why, sizeof why), 0);
	snprintf(e.kind, sizeof e.kind, "dsse");
	CU_ASSERT_EQUAL(dr_ss_tlog_body_matches(&e, &l.b, &l.a, l.verifier, l.verifier_len, why, sizeof why), -1);
	e = l.b.tlog[0];
	a = l.a;
	a.sha256[31] ^= 0x01;
	CU_ASSERT_EQUAL(dr_ss_tlog_body_matches(&e, &l.b, &a, l.verifier, l.verifier_len, why, sizeof why), -1);
	CU_ASSERT_FATAL(l.verifier_len > 1);
	CU_ASSERT_EQUAL(dr_ss_tlog_body_matches(&e, &l.b, &l.a, l.verifier, l.verifier_len - 1, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_tlog_body_matches(&e, &l.b, &l.a, NULL, 0, why, sizeof why), -1);
	b = l.b;
	memcpy(sig, b.signature.data, b.signature.len);
	sig[10] ^= 0x01;
	b.signature.data = sig;
	CU_ASSERT_EQUAL(dr_ss_tlog_body_matches(&e, &b, &l.a, l.verifier, l.verifier_len, why, sizeof why), -1);
	b = l.b;
	b.content = DR_SS_DSSE_ENVELOPE;
	CU_ASSERT_EQUAL(dr_ss_tlog_body_matches(&e, &b, &l.a, l.verifier, l.verifier_len, why, sizeof why), -1);
	ss_unload(&l);
}

#define SS_PQ_SIG_CHARS 6672 /* base64 of 5004 bytes: a post-quantum sized cosignature */
#define SS_WITNESS "\xe2\x80\x94 witness.example "

/* Variants of a Rekor v2 entry's checkpoint (see the caller); 0 when each did as expected. */
static int ss_checkpoint_variants(const struct dr_ss_tlog_entry *orig, const struct dr_ss_trusted_root *root, time_t now)
{
	struct dr_ss_tlog_entry e = *orig;
	size_t len = strlen(orig->checkpoint), blank, line_end;
	char why[DR_SS_REASON_MAX], *text = malloc(2 * len + SS_PQ_SIG_CHARS + 64), *p;
	int rc = 0;

	if (!text || !(p = strstr(orig->checkpoint, "\n\n"))) {
		free(text);
		return -1;
	}
	blank = (size_t)(p - orig->checkpoint) + 2;
	line_end = blank + strcspn(orig->checkpoint + blank, "\n") + 1;
	/* The note, a long unknown cosignature, then the log's line. */
	memcpy(text, orig->checkpoint, blank);
	memcpy(text + blank, SS_WITNESS, sizeof SS_WITNESS - 1);
	p = text + blank + sizeof SS_WITNESS - 1;
	memset(p, 'A', SS_PQ_SIG_CHARS);
	p[SS_PQ_SIG_CHARS] = '\n';
	memcpy(p + SS_PQ_SIG_CHARS + 1, orig->checkpoint + blank, len - blank + 1);
	e.checkpoint = text;
	if (dr_ss_tlog_verify(&e, root, now, why, sizeof why)) {
		printf("\n  long cosignature: %s", why);
		rc = -1;
	}
	/* The log's line with one signature character changed, then the log's line intact. */
	memcpy(text, orig->checkpoint, line_end);
	memcpy(text + line_end, orig->checkpoint + blank, len - blank + 1);
	text[line_end - 10] = text[line_end - 10] == 'A' ? 'B' : 'A';
	if (!dr_ss_tlog_verify(&e, root, now, why, sizeof why) || !strstr(why, "does not verify"))
		rc = -1;
	free(text);
	return rc;
}

/* A Rekor v2 entry (rekor2-happy-path, staging root): the proof and checkpoint are required. */
static void test_rekor_v2_entry(void)
{
	static struct ss_loaded l;
	unsigned char dummy[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	char why[DR_SS_REASON_MAX], url[sizeof l.root.tlogs[0].base_url];
	struct dr_ss_tlog_entry e;
	struct dr_ss_artifact a;
	struct dr_ss_log *log;
	time_t now = time(NULL);

	CU_ASSERT_EQUAL_FATAL(ss_load("rekor2-happy-path", &l, why, sizeof why), 0);
	CU_ASSERT_EQUAL_FATAL(l.b.tlog_count, 1);
	e = l.b.tlog[0];
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, now, why, sizeof why), 0);
	CU_ASSERT_EQUAL(dr_ss_tlog_body_matches(&e, &l.b, &l.a, l.verifier, l.verifier_len, why, sizeof why), 0);
	e.has_inclusion_proof = 0;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, now, why, sizeof why), -1);
	e = l.b.tlog[0];
	e.checkpoint = NULL;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, now, why, sizeof why), -1);
	e = l.b.tlog[0];
	e.proof_log_index--;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, now, why, sizeof why), -1);
	e = l.b.tlog[0];
	e.proof_hashes[2][7] ^= 0x10;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, now, why, sizeof why), -1);
	/* No unsigned time may ride along with a Rekor v2 entry. */
	e = l.b.tlog[0];
	e.integrated_time = now - 60;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, now, why, sizeof why), -1);
	e = l.b.tlog[0];
	e.signed_entry_timestamp.data = dummy;
	e.signed_entry_timestamp.len = sizeof dummy;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, now, why, sizeof why), -1);
	/* Treated as Rekor v1 (the bundle's kind is not signed): the log's checkpoint rules differ. */
	e = l.b.tlog[0];
	snprintf(e.version, sizeof e.version, "0.0.1");
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, now, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_tlog_body_matches(&e, &l.b, &l.a, l.verifier, l.verifier_len, why, sizeof why), -1);

	/* The origin is the host of the log's baseUrl: a port or a path does not matter, another host does. */
	e = l.b.tlog[0];
	log = (struct dr_ss_log *)dr_ss_tlog_log(&l.root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	memcpy(url, log->base_url, sizeof url);
	snprintf(log->base_url, sizeof log->base_url, "https://log2025-alpha1.rekor.sigstage.dev:443/api/v2");
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, now, why, sizeof why), 0);
	snprintf(log->base_url, sizeof log->base_url, "https://log2025-alpha2.rekor.sigstage.dev");
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, now, why, sizeof why), -1);
	snprintf(log->base_url, sizeof log->base_url, "log2025-alpha1.rekor.sigstage.dev");
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, now, why, sizeof why), -1);
	memcpy(log->base_url, url, sizeof url);
	log->valid_for.has_start = 0;
	CU_ASSERT_EQUAL(dr_ss_tlog_verify(&e, &l.root, now, why, sizeof why), -1);
	log->valid_for.has_start = 1;

	/* A cosignature too long for any log key is still only ignored; a bad line by the log's key
	 * refuses the note even when a good one follows. */
	CU_ASSERT_EQUAL_FATAL(ss_checkpoint_variants(&e, &l.root, now), 0);

	a = l.a;
	a.sha256[0] ^= 0x01;
	CU_ASSERT_EQUAL(dr_ss_tlog_body_matches(&e, &l.b, &a, l.verifier, l.verifier_len, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_ss_tlog_body_matches(&e, &l.b, &l.a, l.verifier + 1, l.verifier_len - 1, why, sizeof why), -1);
	ss_unload(&l);
}

/* The key hints of real logs are the first bytes of their log ids. */
static void test_key_hints(void)
{
	static struct dr_ss_trusted_root root;
	unsigned char hint[DR_SS_KEY_HINT_LEN], ecdsa[DR_SS_KEY_HINT_LEN];
	char why[DR_SS_REASON_MAX], path[1024];
	int seen_v1 = 0, seen_v2 = 0;

	CU_ASSERT_EQUAL_FATAL(ss_case_path(path, sizeof path, "rekor2-happy-path", "trusted_root.json"), 0);
	CU_ASSERT_EQUAL_FATAL(dr_ss_trusted_root_load(path, &root, why, sizeof why), 0);
	for (size_t i = 0; i < root.tlog_count; i++) {
		const struct dr_ss_log *log = &root.tlogs[i];

		if (!strcmp(log->base_url, "https://rekor.sigstage.dev")) {
			/* Rekor v1, ECDSA P-256: SHA-256 of the SPKI, under either rule. */
			CU_ASSERT_EQUAL(dr_ss_note_key_hint(DR_SS_HINT_SPKI, NULL, log->public_key.data, log->public_key.len,
							    log->key_details, hint, why, sizeof why), 0);
			CU_ASSERT_EQUAL(memcmp(hint, log->log_id, sizeof hint), 0);
			CU_ASSERT_EQUAL(dr_ss_note_key_hint(DR_SS_HINT_C2SP, "rekor.sigstage.dev", log->public_key.data,
							    log->public_key.len, log->key_details, ecdsa, why, sizeof why), 0);
			CU_ASSERT_EQUAL(memcmp(hint, ecdsa, sizeof hint), 0);
			seen_v1 = 1;
		}
		if (!strcmp(log->base_url, "https://log2025-alpha1.rekor.sigstage.dev")) {
			/* Rekor v2, Ed25519: SHA-256(name "\n" 0x01 key), so the name matters. */
			CU_ASSERT_EQUAL(dr_ss_note_key_hint(DR_SS_HINT_C2SP, "log2025-alpha1.rekor.sigstage.dev",
							    log->public_key.data, log->public_key.len, log->key_details, hint,
							    why, sizeof why), 0);
			CU_ASSERT_EQUAL(memcmp(hint, log->log_id, sizeof hint), 0);
			CU_ASSERT_EQUAL(dr_ss_note_key_hint(DR_SS_HINT_C2SP, "log2025-alpha1.rekor.github.dev",
							    log->public_key.data, log->public_key.len, log->key_details, hint,
							    why, sizeof why), 0);
			CU_ASSERT_NOT_EQUAL(memcmp(hint, log->log_id, sizeof hint), 0);
			CU_ASSERT_EQUAL(dr_ss_note_key_hint(DR_SS_HINT_SPKI, NULL, log->public_key.data, log->public_key.len,
							    log->key_details, hint, why, sizeof why), 0);
			CU_ASSERT_NOT_EQUAL(memcmp(hint, log->log_id, sizeof hint), 0);
			CU_ASSERT_EQUAL(dr_ss_note_key_hint(DR_SS_HINT_C2SP, NULL, log->public_key.data, log->public_key.len,
							    log->key_details, hint, why, sizeof why), -1);
			seen_v2 = 1;
		}
	}
	CU_ASSERT(seen_v1 && seen_v2);
	dr_ss_trusted_root_free(&root);
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "merkle leaf hash", test_merkle_leaf_hash },
		{ "merkle inclusion, every leaf of trees of 1 to 9", test_merkle_every_leaf },
		{ "checkpoint parsing", test_checkpoint_parse },
		{ "key hints of the staging logs", test_key_hints },
		{ "a Rekor v1 entry and its mutations", test_rekor_v1_entry },
		{ "a Rekor v2 entry and its mutations", test_rekor_v2_entry },
		{ "conformance cases", test_conformance_cases },
		{ 0, 0 },
	};

	return unit_run("ss_tlog", cases);
}
