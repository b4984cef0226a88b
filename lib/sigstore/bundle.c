/* bundle.c: bundle.sigstore.json into struct dr_ss_bundle (see bundle.h). The media type's
 * version decides what the bundle must carry, as the reference verifiers rule: 0.1 log entries
 * carry an inclusion promise (SET), 0.2 and later an inclusion proof; 0.3 carries one
 * certificate, never a chain. */
#include "bundle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#define BUNDLE_MEDIA_TYPE "application/vnd.dev.sigstore.bundle"
#define BUNDLE_CERT_MAX (64u << 10)      /* bytes of one certificate DER */
#define BUNDLE_SIG_MAX (16u << 10)       /* bytes of one signature */
#define BUNDLE_DIGEST_MAX 64             /* bytes of one digest */
#define BUNDLE_BODY_MAX (1u << 20)       /* bytes of one canonicalized log entry body */
#define BUNDLE_TIMESTAMP_MAX (64u << 10) /* bytes of one RFC 3161 timestamp */
#define BUNDLE_PAYLOAD_MAX (2u << 20)    /* bytes of one DSSE payload */
#define BUNDLE_CHECKPOINT_MAX (16u << 10) /* bytes of one checkpoint envelope */

/* The minor version a media type names (1, 2, 3), or -1 for any other. */
static int bundle_media_version(const char *media)
{
	static const char *const known[][2] = {
		{ BUNDLE_MEDIA_TYPE "+json;version=0.1", BUNDLE_MEDIA_TYPE ".v0.1+json" },
		{ BUNDLE_MEDIA_TYPE "+json;version=0.2", BUNDLE_MEDIA_TYPE ".v0.2+json" },
		{ BUNDLE_MEDIA_TYPE "+json;version=0.3", BUNDLE_MEDIA_TYPE ".v0.3+json" },
	};

	for (int i = 0; i < 3; i++)
		if (!strcmp(media, known[i][0]) || !strcmp(media, known[i][1]))
			return i + 1;
	return -1;
}

/* A {"rawBytes": base64} certificate into out. */
static int bundle_cert(json_object *c, struct dr_ss_bytes *out)
{
	return !json_object_is_type(c, json_type_object) || dr_ss_json_bytes(c, "rawBytes", BUNDLE_CERT_MAX, out) ||
			       !out->len
		       ? -1
		       : 0;
}

/* verificationMaterial's certificate, chain or public key. */
static int bundle_material(json_object *vm, struct dr_ss_bundle *b, char *why, size_t why_cap)
{
	json_object *chain = dr_ss_json_member(vm, "x509CertificateChain", json_type_object);
	json_object *cert = dr_ss_json_member(vm, "certificate", json_type_object);
	json_object *key = dr_ss_json_member(vm, "publicKey", json_type_object);

	if (!!chain + !!cert + !!key != 1) {
		snprintf(why, why_cap, "bundle: verificationMaterial needs exactly one of certificate, "
				       "x509CertificateChain, publicKey");
		return -1;
	}
	if (chain) {
		json_object *certs = dr_ss_json_member(chain, "certificates", json_type_array);
		size_t n = certs ? json_object_array_length(certs) : 0;

		if (b->minor_version >= 3) {
			snprintf(why, why_cap, "bundle: a v0.3 bundle carries a certificate, not a certificate chain");
			return -1;
		}
		if (!n) {
			snprintf(why, why_cap, "bundle: the certificate chain is empty");
			return -1;
		}
		if (n > DR_SS_CHAIN_MAX) {
			snprintf(why, why_cap, "bundle: more than %d certificates in the chain", DR_SS_CHAIN_MAX);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			if (bundle_cert(json_object_array_get_idx(certs, i), &b->certs[i])) {
				snprintf(why, why_cap, "bundle: certificate %zu is not base64 DER", i);
				return -1;
			}
			b->cert_count = i + 1;
		}
	} else if (cert) {
		if (bundle_cert(cert, &b->certs[0])) {
			snprintf(why, why_cap, "bundle: the certificate is not base64 DER");
			return -1;
		}
		b->cert_count = 1;
	} else {
		b->has_public_key = 1;
		if (dr_ss_json_present(key, "hint") &&
		    dr_ss_json_string(key, "hint", b->public_key_hint, sizeof b->public_key_hint)) {
			snprintf(why, why_cap, "bundle: the public key hint is not a string of at most %zu bytes",
				 sizeof b->public_key_hint - 1);
			return -1;
		}
	}
	return 0;
}

/* One inclusionProof into e. */
static int bundle_proof(json_object *p, struct dr_ss_tlog_entry *e, char *why, size_t why_cap)
{
	json_object *hashes = dr_ss_json_member(p, "hashes", json_type_array);
	json_object *cp = dr_ss_json_member(p, "checkpoint", json_type_object);
	size_t n, len;

	if (dr_ss_json_int64(p, "logIndex", 0, INT64_MAX, &e->proof_log_index) ||
	    dr_ss_json_int64(p, "treeSize", 1, INT64_MAX, &e->proof_tree_size) ||
	    dr_ss_json_bytes_fixed(p, "rootHash", e->proof_root_hash, sizeof e->proof_root_hash,
				   &e->proof_root_hash_len) ||
	    e->proof_root_hash_len != 32) {
		snprintf(why, why_cap, "bundle: an inclusion proof lacks a valid logIndex, treeSize or rootHash");
		return -1;
	}
	if (e->proof_log_index >= e->proof_tree_size) {
		snprintf(why, why_cap, "bundle: an inclusion proof's logIndex is not below its treeSize");
		return -1;
	}
	n = hashes ? json_object_array_length(hashes) : 0;
	if (!hashes && dr_ss_json_present(p, "hashes")) {
		snprintf(why, why_cap, "bundle: an inclusion proof's hashes is not an array");
		return -1;
	}
	if (n > DR_SS_PROOF_HASHES_MAX) {
		snprintf(why, why_cap, "bundle: more than %d hashes in an inclusion proof", DR_SS_PROOF_HASHES_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *h = json_object_array_get_idx(hashes, i);
		struct dr_ss_bytes d = { 0 };

		if (!json_object_is_type(h, json_type_string) ||
		    dr_ss_base64_decode(json_object_get_string(h), (size_t)json_object_get_string_len(h), 32, &d) ||
		    d.len != 32) {
			dr_ss_bytes_free(&d);
			snprintf(why, why_cap, "bundle: hash %zu of an inclusion proof is not a base64 SHA-256", i);
			return -1;
		}
		memcpy(e->proof_hashes[i], d.data, 32);
		dr_ss_bytes_free(&d);
		e->proof_hash_count = i + 1;
	}
	if (cp) {
		json_object *env = dr_ss_json_member(cp, "envelope", json_type_string);

		len = env ? (size_t)json_object_get_string_len(env) : 0;
		if (!env || len > BUNDLE_CHECKPOINT_MAX || memchr(json_object_get_string(env), '\0', len)) {
			snprintf(why, why_cap, "bundle: an inclusion proof's checkpoint envelope is unreadable");
			return -1;
		}
		e->checkpoint = malloc(len + 1);
		if (!e->checkpoint) {
			snprintf(why, why_cap, "bundle: out of memory");
			return -1;
		}
		memcpy(e->checkpoint, json_object_get_string(env), len);
		e->checkpoint[len] = '\0';
	} else if (dr_ss_json_present(p, "checkpoint")) {
		snprintf(why, why_cap, "bundle: an inclusion proof's checkpoint is not an object");
		return -1;
	}
	e->has_inclusion_proof = 1;
	return 0;
}

/* One tlogEntries element into e. */
static int bundle_tlog_entry(json_object *t, int minor, struct dr_ss_tlog_entry *e, char *why, size_t why_cap)
{
	json_object *id = dr_ss_json_member(t, "logId", json_type_object);
	json_object *kv = dr_ss_json_member(t, "kindVersion", json_type_object);
	json_object *promise = dr_ss_json_member(t, "inclusionPromise", json_type_object);
	json_object *proof = dr_ss_json_member(t, "inclusionProof", json_type_object);

	if (!json_object_is_type(t, json_type_object)) {
		snprintf(why, why_cap, "bundle: a log entry is not an object");
		return -1;
	}
	if (dr_ss_json_int64(t, "logIndex", INT64_MIN, INT64_MAX, &e->log_index)) {
		snprintf(why, why_cap, "bundle: a log entry has no valid logIndex");
		return -1;
	}
	if (e->log_index < 0) {
		snprintf(why, why_cap, "bundle: a log entry has a negative logIndex");
		return -1;
	}
	if (!id || dr_ss_json_bytes_fixed(id, "keyId", e->log_id, sizeof e->log_id, &e->log_id_len) || !e->log_id_len) {
		snprintf(why, why_cap, "bundle: a log entry has no valid logId.keyId");
		return -1;
	}
	if (!kv || dr_ss_json_string(kv, "kind", e->kind, sizeof e->kind) ||
	    dr_ss_json_string(kv, "version", e->version, sizeof e->version) || !e->kind[0] || !e->version[0]) {
		snprintf(why, why_cap, "bundle: a log entry has no valid kindVersion");
		return -1;
	}
	if (dr_ss_json_present(t, "integratedTime") &&
	    dr_ss_json_int64(t, "integratedTime", 0, INT64_MAX, &e->integrated_time)) {
		snprintf(why, why_cap, "bundle: a log entry has an invalid integratedTime");
		return -1;
	}
	if (dr_ss_json_bytes(t, "canonicalizedBody", BUNDLE_BODY_MAX, &e->canonicalized_body) ||
	    !e->canonicalized_body.len) {
		snprintf(why, why_cap, "bundle: a log entry has no base64 canonicalizedBody");
		return -1;
	}
	if (promise) {
		if (dr_ss_json_bytes(promise, "signedEntryTimestamp", BUNDLE_SIG_MAX, &e->signed_entry_timestamp) ||
		    !e->signed_entry_timestamp.len) {
			snprintf(why, why_cap, "bundle: a log entry's inclusionPromise is not a base64 signature");
			return -1;
		}
	} else if (dr_ss_json_present(t, "inclusionPromise")) {
		snprintf(why, why_cap, "bundle: a log entry's inclusionPromise is not an object");
		return -1;
	}
	if (proof) {
		if (bundle_proof(proof, e, why, why_cap))
			return -1;
	} else if (dr_ss_json_present(t, "inclusionProof")) {
		snprintf(why, why_cap, "bundle: a log entry's inclusionProof is not an object");
		return -1;
	}
	if (minor == 1 && !promise) {
		snprintf(why, why_cap, "bundle: a v0.1 bundle's log entry lacks its inclusion promise");
		return -1;
	}
	if (minor >= 2 && !proof) {
		snprintf(why, why_cap, "bundle: a v0.%d bundle's log entry lacks its inclusion proof", minor);
		return -1;
	}
	return 0;
}

/* tlogEntries and timestampVerificationData. */
static int bundle_evidence(json_object *vm, struct dr_ss_bundle *b, char *why, size_t why_cap)
{
	json_object *list = dr_ss_json_member(vm, "tlogEntries", json_type_array);
	json_object *tvd = dr_ss_json_member(vm, "timestampVerificationData", json_type_object);
	size_t n = list ? json_object_array_length(list) : 0;

	if (!list && dr_ss_json_present(vm, "tlogEntries")) {
		snprintf(why, why_cap, "bundle: tlogEntries is not an array");
		return -1;
	}
	if (n > DR_SS_TLOG_ENTRIES_MAX) {
		snprintf(why, why_cap, "bundle: more than %d log entries", DR_SS_TLOG_ENTRIES_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		b->tlog_count = i + 1;
		if (bundle_tlog_entry(json_object_array_get_idx(list, i), b->minor_version, &b->tlog[i], why, why_cap))
			return -1;
	}
	list = dr_ss_json_member(tvd, "rfc3161Timestamps", json_type_array);
	n = list ? json_object_array_length(list) : 0;
	if (n > DR_SS_TIMESTAMPS_MAX) {
		snprintf(why, why_cap, "bundle: more than %d timestamps", DR_SS_TIMESTAMPS_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *ts = json_object_array_get_idx(list, i);

		if (!json_object_is_type(ts, json_type_object) ||
		    dr_ss_json_bytes(ts, "signedTimestamp", BUNDLE_TIMESTAMP_MAX, &b->timestamps[i]) ||
		    !b->timestamps[i].len) {
			snprintf(why, why_cap, "bundle: timestamp %zu is not base64 DER", i);
			return -1;
		}
		b->timestamp_count = i + 1;
	}
	return 0;
}

/* messageSignature or dsseEnvelope. */
static int bundle_content(json_object *doc, struct dr_ss_bundle *b, char *why, size_t why_cap)
{
	json_object *ms = dr_ss_json_member(doc, "messageSignature", json_type_object);
	json_object *env = dr_ss_json_member(doc, "dsseEnvelope", json_type_object);

	if (!!ms + !!env != 1) {
		snprintf(why, why_cap, "bundle: needs exactly one of messageSignature, dsseEnvelope");
		return -1;
	}
	if (ms) {
		json_object *md = dr_ss_json_member(ms, "messageDigest", json_type_object);

		b->content = DR_SS_MESSAGE_SIGNATURE;
		if (dr_ss_json_bytes(ms, "signature", BUNDLE_SIG_MAX, &b->signature) || !b->signature.len) {
			snprintf(why, why_cap, "bundle: the message signature is not valid base64");
			return -1;
		}
		if (md && (dr_ss_json_string(md, "algorithm", b->digest_algorithm, sizeof b->digest_algorithm) ||
			   dr_ss_json_bytes(md, "digest", BUNDLE_DIGEST_MAX, &b->message_digest) ||
			   !b->message_digest.len)) {
			snprintf(why, why_cap, "bundle: the message digest is unreadable");
			return -1;
		}
		if (!md && dr_ss_json_present(ms, "messageDigest")) {
			snprintf(why, why_cap, "bundle: messageDigest is not an object");
			return -1;
		}
		return 0;
	}
	b->content = DR_SS_DSSE_ENVELOPE;
	{
		json_object *sigs = dr_ss_json_member(env, "signatures", json_type_array);
		size_t n = sigs ? json_object_array_length(sigs) : 0;

		if (dr_ss_json_bytes(env, "payload", BUNDLE_PAYLOAD_MAX, &b->dsse_payload) ||
		    dr_ss_json_string(env, "payloadType", b->dsse_payload_type, sizeof b->dsse_payload_type)) {
			snprintf(why, why_cap, "bundle: the DSSE envelope's payload or payloadType is unreadable");
			return -1;
		}
		if (!n || n > DR_SS_DSSE_SIGNATURES_MAX) {
			snprintf(why, why_cap, "bundle: the DSSE envelope has %s signatures", n ? "too many" : "no");
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			json_object *s = json_object_array_get_idx(sigs, i);
			struct dr_ss_dsse_signature *d = &b->dsse_signatures[i];

			b->dsse_signature_count = i + 1;
			if (!json_object_is_type(s, json_type_object) ||
			    dr_ss_json_bytes(s, "sig", BUNDLE_SIG_MAX, &d->sig) || !d->sig.len ||
			    (dr_ss_json_present(s, "keyid") &&
			     dr_ss_json_string(s, "keyid", d->keyid, sizeof d->keyid))) {
				snprintf(why, why_cap, "bundle: DSSE signature %zu is not valid base64", i);
				return -1;
			}
		}
	}
	return 0;
}

int dr_ss_bundle_parse(const char *text, size_t len, struct dr_ss_bundle *out, char *why, size_t why_cap)
{
	char media[128], problem[DR_SS_REASON_MAX];
	json_object *doc, *vm;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (dr_ss_json_parse(text, len, &doc, problem, sizeof problem)) {
		snprintf(why, why_cap, "bundle: %s", problem);
		return -1;
	}
	if (dr_ss_json_string(doc, "mediaType", media, sizeof media) ||
	    (out->minor_version = bundle_media_version(media)) < 0) {
		out->minor_version = 0;
		snprintf(why, why_cap, "bundle: unknown or unsupported mediaType");
		goto out;
	}
	vm = dr_ss_json_member(doc, "verificationMaterial", json_type_object);
	if (!vm) {
		snprintf(why, why_cap, "bundle: no verificationMaterial");
		goto out;
	}
	if (bundle_material(vm, out, why, why_cap) || bundle_evidence(vm, out, why, why_cap) ||
	    bundle_content(doc, out, why, why_cap))
		goto out;
	rc = 0;
out:
	json_object_put(doc);
	if (rc)
		dr_ss_bundle_free(out);
	return rc;
}

int dr_ss_bundle_load(const char *path, struct dr_ss_bundle *out, char *why, size_t why_cap)
{
	char *text;
	size_t len;
	int rc;

	memset(out, 0, sizeof *out);
	if (dr_ss_read_file(path, DR_SS_BUNDLE_MAX, &text, &len, why, why_cap))
		return -1;
	rc = dr_ss_bundle_parse(text, len, out, why, why_cap);
	free(text);
	return rc;
}

void dr_ss_bundle_free(struct dr_ss_bundle *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < DR_SS_CHAIN_MAX; i++)
		dr_ss_bytes_free(&b->certs[i]);
	for (size_t i = 0; i < DR_SS_TLOG_ENTRIES_MAX; i++) {
		dr_ss_bytes_free(&b->tlog[i].signed_entry_timestamp);
		dr_ss_bytes_free(&b->tlog[i].canonicalized_body);
		free(b->tlog[i].checkpoint);
	}
	for (size_t i = 0; i < DR_SS_TIMESTAMPS_MAX; i++)
		dr_ss_bytes_free(&b->timestamps[i]);
	dr_ss_bytes_free(&b->message_digest);
	dr_ss_bytes_free(&b->signature);
	dr_ss_bytes_free(&b->dsse_payload);
	for (size_t i = 0; i < DR_SS_DSSE_SIGNATURES_MAX; i++)
		dr_ss_bytes_free(&b->dsse_signatures[i].sig);
	memset(b, 0, sizeof *b);
}
