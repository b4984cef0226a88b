/* signature.c: cosign signatures (simple-signing and Sigstore bundle) found
 * in a registry and verified with trusted public keys. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base64.h"
#include "buf.h"
#include "bundle.h"
#include "crypto.h"
#include "image_ref.h"
#include "json_strict.h"
#include "number.h"
#include "signature.h"
#include "status.h"

#define SIG_JSON_DEPTH 16
#define SIG_HEX_LEN 64

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_SIMPLE_SIGNING "application/vnd.dev.cosign.simplesigning.v1+json"
#define MT_BUNDLE "application/vnd.dev.sigstore.bundle.v0.3+json"
#define SIMPLE_SIGNING_TYPE "cosign container image signature"
#define SIMPLE_SIGNING_ANNOTATION "dev.cosignproject.cosign/signature"
#define DSSE_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define IN_TOTO_STATEMENT_V1 "https://in-toto.io/Statement/v1"
#define IN_TOTO_STATEMENT_V01 "https://in-toto.io/Statement/v0.1"
#define COSIGN_SIGN_PREDICATE "https://sigstore.dev/cosign/sign/v1"
#define SLSA_PROVENANCE_V1 "https://slsa.dev/provenance/v1" /* GitHub's attest-build-provenance: keyless only */

/* One search: what is looked for, what was found, and the first reason a candidate failed. */
struct sig_search {
	struct dr_registry *r;
	const char *digest;                 /* sha256:<hex> */
	const char *hex;                    /* its hex */
	const char *repository;             /* host/name, as the verify was asked: what a signature must name */
	const struct dr_signing_keys *keys;          /* NULL: none */
	const struct dr_keyless_policy *keyless;     /* NULL: none */
	struct dr_signature_found *found;
	char refusal[DR_REASON_MAX];        /* first refusal; "" while none */
	int candidates;                     /* signatures looked at */
};

/* A descriptor's digest and size. */
struct sig_descriptor {
	const char *digest;
	int64_t size;
};

/* Note why a candidate was refused (the first reason is kept); always -1. */
__attribute__((format(printf, 2, 3))) static int sig_refuse(struct sig_search *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->refusal[0]) {
		va_start(ap, fmt);
		vsnprintf(s->refusal, sizeof s->refusal, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* GET what into s->r->body (at most max bytes). 0 with r->status set; -1 when the answer was over
 * max (refused: a signature is never that large); a fault when the registry could not be asked. */
static int sig_get(struct sig_search *s, const char *what, const char *accept, size_t max, struct dr_error *err)
{
	int rc = dr_registry_request(s->r, "GET", what, accept, max, err);

	if (rc && s->r->body.overflow)
		return sig_refuse(s, "%s is larger than %zu bytes", what, max);
	if (rc)
		return rc;
	if (s->r->status == DR_STATUS_OK || s->r->status == DR_STATUS_NOT_FOUND)
		return 0;
	return dr_error_set(err, DR_FAULT_UPSTREAM, "the registry %s answered HTTP %ld for %s%s", s->r->host, s->r->status,
			    what, s->r->status == DR_STATUS_UNAUTHORIZED || s->r->status == DR_STATUS_FORBIDDEN ? ": check REGISTRY_AUTH_FILE's credentials" : "");
}

/* Parse len bytes of untrusted text as one strict JSON object; NULL (refused) when it is not. */
static json_object *sig_json(struct sig_search *s, const char *text, size_t len, const char *what)
{
	json_tokener *tok;
	json_object *o = NULL;
	char why[160];

	if (dr_json_strict_check(text, len, SIG_JSON_DEPTH, NULL, why, sizeof why)) {
		sig_refuse(s, "%s is not JSON: %s", what, why);
		return NULL;
	}
	if ((tok = json_tokener_new_ex(SIG_JSON_DEPTH + 1))) {
		o = json_tokener_parse_ex(tok, text, (int)len);
		json_tokener_free(tok);
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		sig_refuse(s, "%s is not a JSON object", what);
		return NULL;
	}
	return o;
}

/* The string at a path of object keys (NULL-terminated), or NULL. */
static const char *sig_string(json_object *o, ...)
{
	const char *key;
	va_list ap;

	va_start(ap, o);
	while (o && (key = va_arg(ap, const char *)))
		if (!json_object_object_get_ex(o, key, &o))
			o = NULL;
	va_end(ap);
	return json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

/* 1 when text (may be NULL) is want. */
static int sig_is(const char *text, const char *want)
{
	return text && !strcmp(text, want);
}

static json_object *sig_member(json_object *o, const char *key, json_type type)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, type) ? v : NULL;
}

/* A descriptor's digest and size, the size at most max; -1 (refused) when either is wrong. */
static int sig_descriptor(struct sig_search *s, json_object *desc, size_t max, const char *what,
			  struct sig_descriptor *d)
{
	json_object *size = sig_member(desc, "size", json_type_int);

	d->digest = sig_string(desc, "digest", NULL);
	if (!d->digest || !dr_image_digest_valid(d->digest))
		return sig_refuse(s, "%s has no sha256 digest", what);
	d->size = size ? json_object_get_int64(size) : -1;
	if (d->size <= 0 || (uint64_t)d->size > max)
		return sig_refuse(s, "%s's size is not between 1 and %zu bytes", what, max);
	return 0;
}

/* 1 when the last answer's body is exactly d: its size and its SHA-256. */
static int sig_body_matches(struct sig_search *s, const struct sig_descriptor *d)
{
	char hex[DR_SHA256_HEX_LEN + 1];

	if (s->r->body.len != (size_t)d->size)
		return 0;
	dr_sha256_hex(s->r->body.data ? s->r->body.data : "", s->r->body.len, hex);
	return !strcmp(hex, d->digest + 7);
}

/* Fetch what ("blobs/<digest>" or "manifests/<digest>") named by d and check it against d before
 * anyone reads it: 0 with it in s->r->body, -1 refused, or a fault. */
static int sig_fetch_checked(struct sig_search *s, const char *kind, const struct sig_descriptor *d,
			     const char *accept, struct dr_error *err)
{
	char what[96];
	int rc;

	snprintf(what, sizeof what, "%s/%s", kind, d->digest);
	if ((rc = sig_get(s, what, accept, (size_t)d->size, err)))
		return rc;
	if (s->r->status != DR_STATUS_OK)
		return sig_refuse(s, "%s is missing from the registry (HTTP %ld)", what, s->r->status);
	if (!sig_body_matches(s, d))
		return sig_refuse(s, "%s does not match its descriptor's digest and size", what);
	return 0;
}

/* The key among s->keys whose ECDSA signature of data is sig; fills found. 0, or -1 when none. */
static int sig_by_trusted_key(struct sig_search *s, const void *data, size_t len, const unsigned char *sig,
			      size_t sig_len, const char *format)
{
	unsigned char digest[DR_SHA256_LEN];
	size_t i;

	if (!s->keys)
		return -1;
	dr_sha256(data, len, digest);
	for (i = 0; i < s->keys->count; i++)
		if (dr_ecdsa_verify_sha256(&s->keys->key[i], digest, sig, sig_len)) {
			dr_signing_key_fingerprint(&s->keys->key[i], s->found->key);
			s->found->format = format;
			return 0;
		}
	return -1;
}

/* A base64 signature decoded into out; its length, or -1 (refused). */
static long sig_decode(struct sig_search *s, const char *b64, unsigned char out[DR_SIGNATURE_DER_MAX], const char *what)
{
	long n = b64 && strlen(b64) <= 4 * DR_SIGNATURE_DER_MAX ? dr_base64_decode(b64, out, DR_SIGNATURE_DER_MAX) : -1;

	if (n <= 0)
		return sig_refuse(s, "%s's signature is not base64 of at most %d bytes", what, DR_SIGNATURE_DER_MAX);
	return n;
}

/* What a verified simple-signing payload claims: cosign's type, the digest, and the repository (cosign
 * writes it without tag or digest, as the agent names it: a signature copied from another repository
 * of the same registry or another one does not count). 0, or -1 (refused). */
static int sig_simple_claims(struct sig_search *s, json_object *payload, const char *tag)
{
	const char *type = sig_string(payload, "critical", "type", NULL);
	const char *named = sig_string(payload, "critical", "image", "docker-manifest-digest", NULL);
	const char *reference = sig_string(payload, "critical", "identity", "docker-reference", NULL);

	if (!sig_is(type, SIMPLE_SIGNING_TYPE))
		return sig_refuse(s, "the payload on tag %s is not a cosign container image signature", tag);
	if (!sig_is(named, s->digest))
		return sig_refuse(s, "the payload on tag %s signs another digest, %.80s, not %s", tag,
				  named ? named : "(none)", s->digest);
	if (!sig_is(reference, s->repository))
		return sig_refuse(s, "the payload on tag %s is signed for another repository: %.200s, not %s", tag,
				  reference ? reference : "(none)", s->repository);
	return 0;
}

/* A keyless layer: its annotations as a Sigstore bundle (keyless.h), verified over the payload in
 * s->r->body against the trusted root, its signer one the policy names. 0, or -1 (refused). */
static int sig_simple_keyless(struct sig_search *s, json_object *layer, const char *tag)
{
	static struct dr_ss_bundle b;
	struct dr_keyless_sig_layer l = {
		.signature = sig_string(layer, "annotations", SIMPLE_SIGNING_ANNOTATION, NULL),
		.certificate = sig_string(layer, "annotations", DR_KEYLESS_ANNOTATION_CERTIFICATE, NULL),
		.chain = sig_string(layer, "annotations", DR_KEYLESS_ANNOTATION_CHAIN, NULL),
		.rekor_bundle = sig_string(layer, "annotations", DR_KEYLESS_ANNOTATION_BUNDLE, NULL),
		.timestamp = sig_string(layer, "annotations", DR_KEYLESS_ANNOTATION_TIMESTAMP, NULL),
	};
	struct dr_ss_artifact a = { .data = (const unsigned char *)s->r->body.data, .len = s->r->body.len };
	char why[DR_KEYLESS_REASON_MAX];
	int rc;

	if (!s->keyless)
		return sig_refuse(s, "the signature on tag %s is keyless (a certificate), but IMAGE_SIGNATURE_IDENTITY is not set", tag);
	if (dr_keyless_sig_bundle(&l, a.data, a.len, &b, why, sizeof why))
		return sig_refuse(s, "the keyless signature on tag %s is malformed: %s", tag, why);
	dr_sha256(a.data, a.len, a.sha256);
	rc = dr_keyless_verify(&b, s->keyless, &a, &s->found->signer, why, sizeof why);
	dr_ss_bundle_free(&b);
	if (rc)
		return sig_refuse(s, "the keyless signature on tag %s is refused: %s", tag, why);
	s->found->keyless = 1;
	s->found->format = DR_SIGNATURE_FORMAT_SIMPLE;
	return 0;
}

/* One simple-signing layer: its payload fetched and checked, the annotation's signature verified
 * (by a trusted key, else keyless when the layer carries a certificate), then the payload read.
 * 0 verified, -1 refused, or a fault. */
static int sig_simple_layer(struct sig_search *s, json_object *layer, const char *tag, struct dr_error *err)
{
	const char *cert = sig_string(layer, "annotations", DR_KEYLESS_ANNOTATION_CERTIFICATE, NULL);
	unsigned char sig[DR_SIGNATURE_DER_MAX];
	struct sig_descriptor d;
	json_object *payload;
	long sig_len;
	int rc;

	if ((rc = sig_descriptor(s, layer, DR_SIGNATURE_BLOB_MAX, "a layer of tag sha256-<hex>.sig", &d)) ||
	    (sig_len = sig_decode(s, sig_string(layer, "annotations", SIMPLE_SIGNING_ANNOTATION, NULL), sig, tag)) < 0 ||
	    (rc = sig_fetch_checked(s, "blobs", &d, NULL, err)))
		return rc ? rc : -1;
	if (sig_by_trusted_key(s, s->r->body.data, s->r->body.len, sig, (size_t)sig_len, DR_SIGNATURE_FORMAT_SIMPLE)) {
		if (!cert && !s->keys)
			return sig_refuse(s, "the signature on tag %s is made with a key (no certificate), but IMAGE_SIGNATURE_KEYS is not set", tag);
		if (!cert)
			return sig_refuse(s, "the signature on tag %s is not by a key in IMAGE_SIGNATURE_KEYS", tag);
		if (sig_simple_keyless(s, layer, tag))
			return -1;
	}
	if (!(payload = sig_json(s, s->r->body.data, s->r->body.len, "the simple-signing payload")))
		rc = -1;
	else
		rc = sig_simple_claims(s, payload, tag);
	json_object_put(payload);
	if (rc)
		memset(s->found, 0, sizeof *s->found);
	return rc;
}

/* The classic format: tag sha256-<hex>.sig. 0 verified, -1 not, or a fault. */
static int sig_simple_signing(struct sig_search *s, struct dr_error *err)
{
	char tag[96], what[128];
	json_object *manifest, *layers, *layer;
	size_t i, n;
	int rc;

	snprintf(tag, sizeof tag, "sha256-%s.sig", s->hex);
	snprintf(what, sizeof what, "manifests/%s", tag);
	if ((rc = sig_get(s, what, MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST, DR_SIGNATURE_MANIFEST_MAX, err)) ||
	    s->r->status == DR_STATUS_NOT_FOUND)
		return rc ? rc : -1;
	if (!(manifest = sig_json(s, s->r->body.data, s->r->body.len, "the manifest of tag sha256-<hex>.sig")))
		return -1;
	layers = sig_member(manifest, "layers", json_type_array);
	n = layers ? json_object_array_length(layers) : 0;
	rc = -1;
	for (i = 0; rc < 0 && i < n && i < DR_SIGNATURE_CANDIDATES_MAX; i++) {
		layer = json_object_array_get_idx(layers, i);
		if (!sig_is(sig_string(layer, "mediaType", NULL), MT_SIMPLE_SIGNING))
			continue;
		s->candidates++;
		rc = sig_simple_layer(s, layer, tag, err);
	}
	if (rc < 0 && !n)
		sig_refuse(s, "tag %s has no layers", tag);
	json_object_put(manifest);
	return rc;
}

/* The DSSE pre-authentication encoding of payload: "DSSEv1 <len> <type> <len> <payload>". */
static int sig_pae(struct dr_buf *pae, const char *type, const unsigned char *payload, size_t len)
{
	return dr_buf_addf(pae, "DSSEv1 %zu %s %zu ", strlen(type), type, len) || dr_buf_add(pae, payload, len);
}

/* A subject of the statement (the first DR_SIGNATURE_CANDIDATES_MAX) with the digest's hex as its sha256
 * and the repository as its name: 0; -1 (refused) when none binds both. A subject without a name binds
 * no repository (cosign 3's sign writes none): refused too. */
static int sig_statement_subject(struct sig_search *s, json_object *subjects)
{
	size_t i, n = subjects ? json_object_array_length(subjects) : 0;
	const char *name, *other = NULL;
	json_object *subject;
	int digest_named = 0;

	for (i = 0; i < n && i < DR_SIGNATURE_CANDIDATES_MAX; i++) {
		subject = json_object_array_get_idx(subjects, i);
		if (!sig_is(sig_string(subject, "digest", "sha256", NULL), s->hex))
			continue;
		if (sig_is(name = sig_string(subject, "name", NULL), s->repository))
			return 0;
		digest_named = 1;
		other = other ? other : name;
	}
	if (!digest_named)
		return sig_refuse(s, "the bundle's statement signs another digest, not %s", s->digest);
	if (!other)
		return sig_refuse(s, "the bundle's statement names no repository for %s, so it is not signed for %s",
				  s->digest, s->repository);
	return sig_refuse(s, "the bundle's statement is signed for another repository: %.200s, not %s", other,
			  s->repository);
}

/* The in-toto statement the envelope signed: cosign's predicate (or, keyless, SLSA provenance v1 as
 * GitHub attests builds), a subject with the digest and the repository. */
static int sig_statement(struct sig_search *s, const unsigned char *payload, size_t len, int keyless)
{
	json_object *statement = sig_json(s, (const char *)payload, len, "the bundle's in-toto statement");
	const char *type, *predicate;
	int rc = -1;

	if (!statement)
		return -1;
	type = sig_string(statement, "_type", NULL);
	predicate = sig_string(statement, "predicateType", NULL);
	if (!type || (strcmp(type, IN_TOTO_STATEMENT_V1) && strcmp(type, IN_TOTO_STATEMENT_V01)))
		sig_refuse(s, "the bundle's payload is not an in-toto statement");
	else if (!predicate || (strcmp(predicate, COSIGN_SIGN_PREDICATE) && (!keyless || strcmp(predicate, SLSA_PROVENANCE_V1))))
		sig_refuse(s, "the bundle's statement is not a cosign signature (predicateType %.80s)",
			   predicate ? predicate : "missing");
	else
		rc = sig_statement_subject(s, sig_member(statement, "subject", json_type_array));
	json_object_put(statement);
	return rc;
}

/* A bundle's DSSE envelope: a signature by a trusted key over the PAE, then the statement. */
static int sig_envelope(struct sig_search *s, json_object *bundle)
{
	json_object *envelope = sig_member(bundle, "dsseEnvelope", json_type_object), *sigs;
	const char *type = sig_string(envelope, "payloadType", NULL), *payload_b64 = sig_string(envelope, "payload", NULL);
	unsigned char *payload = NULL, sig[DR_SIGNATURE_DER_MAX];
	struct dr_buf pae;
	long len, sig_len;
	size_t i, n;
	int rc = -1;

	sigs = sig_member(envelope, "signatures", json_type_array);
	n = sigs ? json_object_array_length(sigs) : 0;
	if (!type || strcmp(type, DSSE_PAYLOAD_TYPE) || !payload_b64 || !n)
		return sig_refuse(s, "the bundle holds no DSSE envelope of an in-toto statement");
	dr_buf_init(&pae, 2 * DR_SIGNATURE_BLOB_MAX);
	if (!(payload = malloc(DR_SIGNATURE_BLOB_MAX)) ||
	    (len = dr_base64_decode(payload_b64, payload, DR_SIGNATURE_BLOB_MAX)) <= 0 ||
	    sig_pae(&pae, type, payload, (size_t)len)) {
		sig_refuse(s, "the bundle's DSSE payload is not base64");
		goto out;
	}
	for (i = 0; rc && i < n && i < DR_SIGNATURE_CANDIDATES_MAX; i++)
		if ((sig_len = sig_decode(s, sig_string(json_object_array_get_idx(sigs, i), "sig", NULL), sig, "the bundle")) > 0)
			rc = sig_by_trusted_key(s, pae.data, pae.len, sig, (size_t)sig_len, DR_SIGNATURE_FORMAT_BUNDLE);
	if (rc && !s->keys)
		sig_refuse(s, "the Sigstore bundle is made with a key (no certificate), but IMAGE_SIGNATURE_KEYS is not set");
	else if (rc)
		sig_refuse(s, "the Sigstore bundle is not signed by a key in IMAGE_SIGNATURE_KEYS");
	else if ((rc = sig_statement(s, payload, (size_t)len, 0)))
		s->found->format = NULL;
out:
	free(payload);
	dr_buf_free(&pae);
	return rc;
}

/* 1 when the bundle's verification material is a certificate: a keyless signature. */
static int sig_bundle_keyless(json_object *bundle)
{
	json_object *material = sig_member(bundle, "verificationMaterial", json_type_object);

	return material && (sig_member(material, "certificate", json_type_object) ||
			    sig_member(material, "x509CertificateChain", json_type_object));
}

/* A keyless bundle (its text in s->r->body): decoded (lib/sigstore/bundle.h), verified against the
 * trusted root for the digest (a DSSE envelope whose in-toto subject is the digest), its signer one
 * the policy names, then the statement's predicate and repository. 0, or -1 (refused). */
static int sig_keyless_bundle(struct sig_search *s)
{
	static struct dr_ss_bundle b;
	struct dr_ss_artifact a = { 0 };
	char why[DR_KEYLESS_REASON_MAX];
	size_t i;
	int rc = -1;

	if (!s->keyless)
		return sig_refuse(s, "the Sigstore bundle is keyless (a certificate), but IMAGE_SIGNATURE_IDENTITY is not set");
	if (dr_ss_bundle_parse(s->r->body.data, s->r->body.len, &b, why, sizeof why))
		return sig_refuse(s, "the keyless Sigstore bundle is malformed: %s", why);
	for (i = 0; i < DR_SHA256_LEN; i++)
		a.sha256[i] = (unsigned char)(dr_hex_digit(s->hex[2 * i]) << 4 | dr_hex_digit(s->hex[2 * i + 1]));
	if (b.content != DR_SS_DSSE_ENVELOPE)
		sig_refuse(s, "the keyless Sigstore bundle holds no DSSE envelope of an in-toto statement");
	else if (dr_keyless_verify(&b, s->keyless, &a, &s->found->signer, why, sizeof why))
		sig_refuse(s, "the keyless Sigstore bundle is refused: %s", why);
	else if (!(rc = sig_statement(s, b.dsse_payload.data, b.dsse_payload.len, 1))) {
		s->found->keyless = 1;
		s->found->format = DR_SIGNATURE_FORMAT_BUNDLE;
	}
	if (rc)
		memset(s->found, 0, sizeof *s->found);
	dr_ss_bundle_free(&b);
	return rc;
}

/* One referrer: the manifest (checked against its descriptor), its subject, its bundle layer. */
static int sig_referrer(struct sig_search *s, json_object *desc, struct dr_error *err)
{
	struct sig_descriptor d;
	json_object *manifest = NULL, *layers, *bundle = NULL;
	const char *subject;
	int rc;

	if ((rc = sig_descriptor(s, desc, DR_SIGNATURE_MANIFEST_MAX, "a referrer", &d)) ||
	    (rc = sig_fetch_checked(s, "manifests", &d, MT_OCI_MANIFEST, err)))
		return rc;
	if (!(manifest = sig_json(s, s->r->body.data, s->r->body.len, "a bundle's manifest")))
		return -1;
	subject = sig_string(manifest, "subject", "digest", NULL);
	layers = sig_member(manifest, "layers", json_type_array);
	rc = -1;
	if (!subject || strcmp(subject, s->digest))
		sig_refuse(s, "a bundle's manifest refers to another digest, %.80s", subject ? subject : "(none)");
	else if (!layers || json_object_array_length(layers) != 1 ||
		 !sig_is(sig_string(json_object_array_get_idx(layers, 0), "mediaType", NULL), MT_BUNDLE))
		sig_refuse(s, "a bundle's manifest does not hold one Sigstore bundle v0.3 layer");
	else if (!(rc = sig_descriptor(s, json_object_array_get_idx(layers, 0), DR_SIGNATURE_BLOB_MAX, "the bundle layer", &d)) &&
		 !(rc = sig_fetch_checked(s, "blobs", &d, NULL, err)))
		rc = !(bundle = sig_json(s, s->r->body.data, s->r->body.len, "the Sigstore bundle")) ? -1 :
		     sig_bundle_keyless(bundle) ? sig_keyless_bundle(s) : sig_envelope(s, bundle);
	json_object_put(bundle);
	json_object_put(manifest);
	return rc;
}

/* The referrers index of the digest from the API (from_api) or the fallback tag sha256-<hex>:
 * 0 with it in *index (the caller puts it), -1 when there is none, or a fault. */
static int sig_referrers(struct sig_search *s, int from_api, json_object **index, struct dr_error *err)
{
	char what[128];
	int rc;

	*index = NULL;
	if (from_api) {
		snprintf(what, sizeof what, "referrers/%s?artifactType=%s", s->digest,
			 "application%2Fvnd.dev.sigstore.bundle.v0.3%2Bjson");
		/* A registry without the API answers 404 (distribution 2.8) or another 4xx, or a page. */
		if (dr_registry_request(s->r, "GET", what, MT_OCI_INDEX, DR_SIGNATURE_MANIFEST_MAX, err) ||
		    s->r->status != DR_STATUS_OK || strncmp(s->r->content_type, MT_OCI_INDEX, strlen(MT_OCI_INDEX)))
			return -1;
	} else {
		snprintf(what, sizeof what, "manifests/sha256-%s", s->hex);
		if ((rc = sig_get(s, what, MT_OCI_INDEX, DR_SIGNATURE_MANIFEST_MAX, err)) || s->r->status == DR_STATUS_NOT_FOUND)
			return rc ? rc : -1;
	}
	*index = sig_json(s, s->r->body.data, s->r->body.len, "the referrers index");
	return *index ? 0 : -1;
}

/* The bundles one referrers index lists. 0 verified, -1 not, or a fault. */
static int sig_bundle_index(struct sig_search *s, json_object *index, struct dr_error *err)
{
	json_object *manifests = sig_member(index, "manifests", json_type_array), *desc;
	size_t i, n = manifests ? json_object_array_length(manifests) : 0;
	const char *artifact;
	int rc = -1;

	for (i = 0; rc < 0 && i < n && i < DR_SIGNATURE_CANDIDATES_MAX; i++) {
		desc = json_object_array_get_idx(manifests, i);
		artifact = sig_string(desc, "artifactType", NULL);
		if (artifact && strcmp(artifact, MT_BUNDLE))
			continue; /* an attestation or an SBOM, not a signature */
		s->candidates++;
		rc = sig_referrer(s, desc, err);
	}
	return rc;
}

/* The bundle format: the referrers API, then the fallback tag (a signer that found no API wrote
 * only the tag, also where the API answers with an empty list). 0 verified, -1 not, or a fault. */
static int sig_bundles(struct sig_search *s, struct dr_error *err)
{
	json_object *index;
	int from_api, rc = -1;

	for (from_api = 1; rc < 0 && from_api >= 0; from_api--) {
		if ((rc = sig_referrers(s, from_api, &index, err)) > 0)
			return rc;
		if (!rc)
			rc = sig_bundle_index(s, index, err);
		json_object_put(index);
	}
	return rc;
}

int dr_signature_verify(struct dr_registry *r, const char *digest, const struct dr_signing_keys *keys,
			const struct dr_keyless_policy *keyless, struct dr_signature_found *found, struct dr_error *err)
{
	char repository[sizeof r->host + sizeof r->name];
	struct sig_search s = { .r = r, .digest = digest, .keys = keys, .keyless = keyless, .found = found,
				.repository = repository };
	int rc;

	memset(found, 0, sizeof *found);
	if (!dr_image_digest_valid(digest))
		return dr_error_set(err, DR_FAULT_INTERNAL, "no sha256 digest to look for signatures of");
	/* The repository as the verify was asked for it: dr_registry_open split it at its first '/'. */
	snprintf(repository, sizeof repository, "%s/%s", r->host, r->name);
	s.hex = digest + 7;
	if ((rc = sig_simple_signing(&s, err)) > 0 || (rc < 0 && (rc = sig_bundles(&s, err)) > 0))
		return rc;
	if (rc == 0)
		return 0;
	if (!s.candidates && !s.refusal[0])
		return dr_error_set(err, DR_FAULT_UNSIGNED,
				    "%s has no cosign signature in %s/%s (neither tag sha256-<hex>.sig nor a Sigstore bundle)",
				    digest, r->host, r->name);
	return dr_error_set(err, DR_FAULT_UNSIGNED, "no valid signature of %s by %s: %s", digest,
			    !keyless ? "IMAGE_SIGNATURE_KEYS" : keys ? "IMAGE_SIGNATURE_KEYS or IMAGE_SIGNATURE_IDENTITY" : "IMAGE_SIGNATURE_IDENTITY",
			    s.refusal[0] ? s.refusal : "none verified");
}
