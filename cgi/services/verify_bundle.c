/* verify_bundle.c: dreichor-registry verify-bundle, a Sigstore bundle checked offline against a
 * trusted root (lib/sigstore/verify.h), with the command line of sigstore-conformance's
 * docs/cli_protocol.md:
 *   verify-bundle --bundle FILE (--certificate-identity I --certificate-oidc-issuer U | --key K)
 *                 [--trusted-root FILE] FILE_OR_DIGEST
 * FILE_OR_DIGEST is the artifact's path, or "sha256:<64 hex>" when that is not a path on disk.
 * The trusted root: --trusted-root, else $SIGSTORE_TRUSTED_ROOT, else the installed one.
 * Exit 0 when verified (what was proved as one JSON object on stdout), 1 with one line on stderr
 * when refused, 2 on usage. */
#include "verify_bundle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <nettle/sha2.h>

#include "bundle.h"
#include "config.h"
#include "decode.h"
#include "number.h"
#include "trusted_root.h"
#include "verify.h"

#ifndef DR_TRUSTED_ROOT
#define DR_TRUSTED_ROOT "/usr/share/dreichor-agent/trusted_root.json"
#endif
#define VERIFY_ARTIFACT_MAX (256u << 20) /* bytes of an artifact read whole */
#define VERIFY_KEY_FILE_MAX (64u << 10)  /* bytes of a PEM public key file */

struct verify_args {
	const char *bundle, *identity, *issuer, *key, *root, *subject;
	int staging;
};

static int verify_usage(const char *problem)
{
	fprintf(stderr, "verify-bundle: %s\n"
			"usage: dreichor-registry verify-bundle --bundle FILE (--certificate-identity IDENTITY "
			"--certificate-oidc-issuer URL | --key KEY.pem) [--trusted-root FILE] FILE_OR_DIGEST\n",
		problem);
	return 2;
}

static int verify_refuse(const char *why)
{
	fprintf(stderr, "verify-bundle: refused: %s\n", why);
	return 1;
}

/* Parse argv (argv[0] is "verify-bundle"); 0 or -1 with problem named. */
static int verify_parse(int argc, char **argv, struct verify_args *a, const char **problem)
{
	static const char *const names[] = { "--bundle", "--certificate-identity", "--certificate-oidc-issuer",
					     "--key", "--trusted-root" };
	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++) {
		const char **slot[] = { &a->bundle, &a->identity, &a->issuer, &a->key, &a->root };
		size_t k;

		if (!strcmp(argv[i], "--staging")) {
			a->staging = 1;
			continue;
		}
		for (k = 0; k < sizeof names / sizeof names[0]; k++)
			if (!strcmp(argv[i], names[k]))
				break;
		if (k < sizeof names / sizeof names[0]) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				*problem = "an option lacks its value";
				return -1;
			}
			if (*slot[k]) {
				*problem = "an option is given twice";
				return -1;
			}
			*slot[k] = argv[++i];
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1] == '-') {
			*problem = "unknown option";
			return -1;
		}
		if (a->subject) {
			*problem = "more than one FILE_OR_DIGEST";
			return -1;
		}
		a->subject = argv[i];
	}
	if (!a->bundle || !a->subject) {
		*problem = "--bundle and FILE_OR_DIGEST are required";
		return -1;
	}
	if (a->key ? a->identity || a->issuer : !a->identity || !a->issuer) {
		*problem = "give either --key, or both --certificate-identity and --certificate-oidc-issuer";
		return -1;
	}
	return 0;
}

/* "sha256:<64 hex>" that is not a path on disk into digest; 1 when it is one, else 0. */
static int verify_digest_form(const char *subject, unsigned char digest[32])
{
	struct stat st;

	if (strncmp(subject, "sha256:", 7) || strlen(subject) != 7 + 64 || stat(subject, &st) == 0)
		return 0;
	for (size_t i = 0; i < 32; i++) {
		int hi = dr_hex_digit(subject[7 + 2 * i]), lo = dr_hex_digit(subject[8 + 2 * i]);

		if (hi < 0 || lo < 0)
			return 0;
		digest[i] = (unsigned char)(hi << 4 | lo);
	}
	return 1;
}

static void verify_sha256(const unsigned char *data, size_t len, unsigned char out[32])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

/* The proof, as one JSON object on stdout. */
static void verify_report(const struct dr_ss_signer *s)
{
	json_object *o = json_object_new_object();

	if (s->identity[0])
		json_object_object_add(o, "identity", json_object_new_string(s->identity));
	if (s->issuer[0])
		json_object_object_add(o, "issuer", json_object_new_string(s->issuer));
	if (s->source_repository[0])
		json_object_object_add(o, "source_repository", json_object_new_string(s->source_repository));
	if (s->source_commit[0])
		json_object_object_add(o, "source_commit", json_object_new_string(s->source_commit));
	if (s->run_url[0])
		json_object_object_add(o, "run_url", json_object_new_string(s->run_url));
	json_object_object_add(o, "log_index", json_object_new_int64(s->log_index));
	json_object_object_add(o, "verified_time", json_object_new_int64((int64_t)s->verified_time));
	json_object_object_add(o, "time_source", json_object_new_string(s->time_source));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int dr_verify_bundle_main(int argc, char **argv)
{
	static struct dr_ss_trusted_root root;
	static struct dr_ss_bundle bundle;
	struct dr_ss_bytes key = { 0 };
	struct dr_ss_artifact artifact = { 0 };
	struct dr_ss_policy policy = { 0 };
	struct dr_ss_signer signer;
	struct verify_args a;
	char why[DR_SS_REASON_MAX * 2];
	char *artifact_text = NULL, *key_text = NULL;
	const char *problem = NULL, *root_path;
	size_t len;
	int rc = 1;

	if (verify_parse(argc, argv, &a, &problem))
		return verify_usage(problem);
	root_path = a.root ? a.root : dr_env("SIGSTORE_TRUSTED_ROOT");
	if (root_path && !root_path[0])
		root_path = NULL;
	if (!root_path && a.staging)
		return verify_refuse("--staging needs --trusted-root (no staging trusted root is installed)");
	if (!root_path)
		root_path = DR_TRUSTED_ROOT;
	if (dr_ss_trusted_root_load(root_path, &root, why, sizeof why))
		return verify_refuse(why);
	if (dr_ss_bundle_load(a.bundle, &bundle, why, sizeof why)) {
		verify_refuse(why);
		goto out;
	}
	if (a.key) {
		if (dr_ss_read_file(a.key, VERIFY_KEY_FILE_MAX, &key_text, &len, why, sizeof why)) {
			verify_refuse(why);
			goto out;
		}
		if (dr_ss_pem_public_key(key_text, len, &key)) {
			verify_refuse("the --key file holds no PEM PUBLIC KEY");
			goto out;
		}
		policy.key_spki = key.data;
		policy.key_spki_len = key.len;
	} else {
		policy.identity = a.identity;
		policy.issuer = a.issuer;
	}
	if (!verify_digest_form(a.subject, artifact.sha256)) {
		if (dr_ss_read_file(a.subject, VERIFY_ARTIFACT_MAX, &artifact_text, &len, why, sizeof why)) {
			verify_refuse(why);
			goto out;
		}
		artifact.data = (const unsigned char *)artifact_text;
		artifact.len = len;
		verify_sha256(artifact.data, len, artifact.sha256);
	}
	if (dr_ss_verify(&bundle, &root, &artifact, &policy, &signer, why, sizeof why)) {
		verify_refuse(why);
		goto out;
	}
	verify_report(&signer);
	rc = 0;
out:
	free(artifact_text);
	free(key_text);
	free(key.data);
	dr_ss_bundle_free(&bundle);
	dr_ss_trusted_root_free(&root);
	return rc;
}
