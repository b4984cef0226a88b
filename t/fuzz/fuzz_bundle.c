/* libFuzzer harness: a Sigstore bundle as an image's registry hands it over.
 * The input is decoded (dr_ss_bundle_parse) and, when that succeeds,
 * verified (dr_ss_verify) against one fixed trusted root, artifact and
 * policy: the trusted root is t/fuzz/trusted_root.json (Sigstore's
 * public-good root merged with the conformance suite's staging and custom
 * roots, so every conformance bundle of the seed corpus reaches its deepest
 * check), the artifact the suite's a.txt, the policy the suite's default
 * identity and issuer. A refusal must leave one NUL-terminated reason and,
 * for the decoder, an empty bundle; a verification must prove the policy's
 * identity and issuer. Half of the mutations are made inside one base64
 * string of the bundle (a certificate, a signature, a log entry's body, a
 * timestamp, the DSSE payload): decoded, mutated, encoded again, so that
 * what lies under the base64 is fuzzed too. Build: t/fuzz/run.sh
 * (FUZZ_TRUSTED_ROOT and FUZZ_ARTIFACT name the two files). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "decode.h"
#include "trusted_root.h"
#include "verify.h"

#include <nettle/base64.h>
#include <nettle/sha2.h>

#define FUZZ_ARTIFACT_MAX (1u << 20) /* bytes of the fixed artifact */
#define FUZZ_BASE64_MIN 8            /* characters of a string taken for base64 */
#define FUZZ_GROWTH 256              /* bytes a mutation inside base64 may add */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

static const char identity[] = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
			       ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
static const char issuer[] = "https://token.actions.githubusercontent.com";

static struct dr_ss_trusted_root root;
static struct dr_ss_artifact artifact;
static char *artifact_text;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sha256_ctx ctx;
	char why[DR_SS_REASON_MAX];
	size_t len;

	(void)argc;
	(void)argv;
	if (dr_ss_trusted_root_load(FUZZ_TRUSTED_ROOT, &root, why, sizeof why) ||
	    dr_ss_read_file(FUZZ_ARTIFACT, FUZZ_ARTIFACT_MAX, &artifact_text, &len, why, sizeof why))
		abort();
	artifact.data = (const unsigned char *)artifact_text;
	artifact.len = len;
	sha256_init(&ctx);
	sha256_update(&ctx, len, artifact.data);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, artifact.sha256);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dr_ss_bundle bundle, empty;
	struct dr_ss_policy policy = { .identity = identity, .issuer = issuer };
	struct dr_ss_signer signer;
	char why[DR_SS_REASON_MAX * 2];

	memset(why, 'x', sizeof why);
	if (dr_ss_bundle_parse((const char *)data, size, &bundle, why, sizeof why)) {
		if (!memchr(why, '\0', sizeof why) || memcmp(&bundle, &empty, sizeof bundle))
			abort();
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "not decoded: %s\n", why);
		return 0;
	}
	memset(why, 'x', sizeof why);
	if (dr_ss_verify(&bundle, &root, &artifact, &policy, &signer, why, sizeof why)) {
		if (!memchr(why, '\0', sizeof why) || !why[0])
			abort();
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "refused: %s\n", why);
	} else if (strcmp(signer.identity, identity) || strcmp(signer.issuer, issuer)) {
		abort();
	} else if (getenv("FUZZ_VERBOSE")) {
		fprintf(stderr, "verified\n");
	}
	dr_ss_bundle_free(&bundle);
	dr_ss_bundle_free(&bundle); /* safe on a freed bundle */
	return 0;
}

/* 1 when c may stand in a base64 string. */
static int fuzz_base64_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
	       c == '=';
}

/* The pick-th (modulo their count) JSON string of at least FUZZ_BASE64_MIN base64 characters in
 * data: its start and length; 0, or -1 when there is none. */
static int fuzz_find_base64(const uint8_t *data, size_t size, unsigned pick, size_t *start, size_t *len)
{
	size_t count = 0, i, j;

	for (int round = 0; round < 2; round++) {
		size_t n = 0;

		for (i = 0; i < size; i = j + 1) {
			j = i;
			if (data[i] != '"')
				continue;
			for (j = i + 1; j < size && fuzz_base64_char(data[j]); j++)
				;
			if (j >= size || data[j] != '"' || j - i - 1 < FUZZ_BASE64_MIN)
				continue;
			if (round == 1 && n == pick % count) {
				*start = i + 1;
				*len = j - i - 1;
				return 0;
			}
			n++;
		}
		count = n;
		if (!count)
			return -1;
	}
	return -1;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	struct base64_decode_ctx ctx;
	uint8_t *raw, *out;
	size_t start, len, raw_len, raw_cap, enc_len, total;

	if (seed % 2 || fuzz_find_base64(data, size, seed / 2, &start, &len))
		return LLVMFuzzerMutate(data, size, max_size);
	raw_cap = BASE64_DECODE_LENGTH(len) + FUZZ_GROWTH;
	raw = malloc(raw_cap);
	if (!raw)
		return LLVMFuzzerMutate(data, size, max_size);
	base64_decode_init(&ctx);
	raw_len = raw_cap;
	if (!base64_decode_update(&ctx, &raw_len, raw, len, (const char *)data + start) || !base64_decode_final(&ctx) ||
	    !raw_len) {
		free(raw);
		return LLVMFuzzerMutate(data, size, max_size);
	}
	raw_len = LLVMFuzzerMutate(raw, raw_len, raw_cap);
	enc_len = BASE64_ENCODE_RAW_LENGTH(raw_len);
	total = size - len + enc_len;
	out = total <= max_size ? malloc(total) : NULL;
	if (!out) {
		free(raw);
		return LLVMFuzzerMutate(data, size, max_size);
	}
	memcpy(out, data, start);
	base64_encode_raw((char *)out + start, raw_len, raw);
	memcpy(out + start + enc_len, data + start + len, size - start - len);
	memcpy(data, out, total);
	free(out);
	free(raw);
	return total;
}
