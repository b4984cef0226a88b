/* keyless_sig.c: one layer of cosign's tag sha256-<hex>.sig, signed keyless, as the Sigstore
 * bundle it amounts to (cosign's own verifier does the same: pkg/cosign/verify.go builds its
 * checks from these annotations). The Rekor bundle annotation carries what a bundle's
 * tlogEntries[0] does, less the kind (read from the logged body) and the inclusion proof. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "bundle.h"
#include "cert.h"
#include "crypto.h"
#include "decode.h"
#include "keyless.h"
#include "number.h"
#include "pubkey.h"
#include "reason.h"
#include "tlog.h"

#define KEYLESS_LOG_ID_HEX_MAX 64 /* hex digits of a log id (SHA-256 of the log's key) */

/* The first CERTIFICATE of a PEM text into a new heap buffer in out (the caller frees out->data). */
static int sig_pem_certificate(const char *pem, struct dr_ss_bytes *out, char *why, size_t why_cap)
{
	gnutls_datum_t in, der = { NULL, 0 };
	size_t len = pem ? strnlen(pem, DR_KEYLESS_ANNOTATION_MAX + 1) : 0;

	if (!len || len > DR_KEYLESS_ANNOTATION_MAX)
		return dr_ss_fail(why, why_cap, "the certificate annotation is empty or longer than %u bytes",
				DR_KEYLESS_ANNOTATION_MAX);
	in.data = (unsigned char *)(uintptr_t)pem;
	in.size = (unsigned)len;
	if (gnutls_pem_base64_decode2("CERTIFICATE", &in, &der) < 0 || !der.size || der.size > DR_SS_CERT_MAX) {
		gnutls_free(der.data);
		return dr_ss_fail(why, why_cap, "the certificate annotation holds no PEM CERTIFICATE");
	}
	if (!(out->data = malloc(der.size))) {
		gnutls_free(der.data);
		return dr_ss_fail(why, why_cap, "out of memory");
	}
	memcpy(out->data, der.data, der.size);
	out->len = der.size;
	gnutls_free(der.data);
	return 0;
}

/* Hex text (an even number of digits, at most KEYLESS_LOG_ID_HEX_MAX) into out; its length or -1. */
static long sig_hex(const char *hex, unsigned char *out, size_t cap)
{
	size_t n = strnlen(hex, KEYLESS_LOG_ID_HEX_MAX + 1), i;
	int hi, lo;

	if (!n || n % 2 || n > KEYLESS_LOG_ID_HEX_MAX || n / 2 > cap)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if ((hi = dr_hex_digit(hex[2 * i])) < 0 || (lo = dr_hex_digit(hex[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

/* The logged body's kind and apiVersion into e (the verifier then checks the body is of them). */
static int sig_body_kind(struct dr_ss_tlog_entry *e, char *why, size_t why_cap)
{
	json_object *body = NULL;
	char reason[DR_SS_REASON_MAX];
	int rc = 0;

	if (dr_ss_json_parse((const char *)e->canonicalized_body.data, e->canonicalized_body.len, &body, reason,
			     sizeof reason))
		return dr_ss_fail(why, why_cap, "the Rekor bundle's body is not JSON: %s", reason);
	if (dr_ss_json_string(body, "kind", e->kind, sizeof e->kind) ||
	    dr_ss_json_string(body, "apiVersion", e->version, sizeof e->version))
		rc = dr_ss_fail(why, why_cap, "the Rekor bundle's body names no kind and apiVersion");
	json_object_put(body);
	return rc;
}

/* The Rekor bundle annotation into b->tlog[0]. */
static int sig_rekor_bundle(const char *text, struct dr_ss_bundle *b, char *why, size_t why_cap)
{
	struct dr_ss_tlog_entry *e = &b->tlog[0];
	json_object *o = NULL, *payload;
	char log_id[KEYLESS_LOG_ID_HEX_MAX + 2], reason[DR_SS_REASON_MAX];
	size_t len = text ? strnlen(text, DR_KEYLESS_ANNOTATION_MAX + 1) : 0;
	long id_len;
	int rc = -1;

	if (!len || len > DR_KEYLESS_ANNOTATION_MAX)
		return dr_ss_fail(why, why_cap, "no Rekor bundle annotation (%s): keyless signatures need the log's "
					      "signed entry timestamp", DR_KEYLESS_ANNOTATION_BUNDLE);
	if (dr_ss_json_parse(text, len, &o, reason, sizeof reason))
		return dr_ss_fail(why, why_cap, "the Rekor bundle annotation is not JSON: %s", reason);
	payload = dr_ss_json_member(o, "Payload", json_type_object);
	if (!payload || dr_ss_json_bytes(o, "SignedEntryTimestamp", DR_SS_SIG_MAX, &e->signed_entry_timestamp) ||
	    !e->signed_entry_timestamp.len)
		dr_ss_fail(why, why_cap, "the Rekor bundle annotation has no Payload or SignedEntryTimestamp");
	else if (dr_ss_json_bytes(payload, "body", DR_SS_TLOG_BODY_MAX, &e->canonicalized_body) ||
		 !e->canonicalized_body.len)
		dr_ss_fail(why, why_cap, "the Rekor bundle's body is not base64");
	else if (dr_ss_json_int64(payload, "integratedTime", 1, INT64_MAX, &e->integrated_time) ||
		 dr_ss_json_int64(payload, "logIndex", 0, INT64_MAX, &e->log_index))
		dr_ss_fail(why, why_cap, "the Rekor bundle has no integratedTime or logIndex");
	else if (dr_ss_json_string(payload, "logID", log_id, sizeof log_id) ||
		 (id_len = sig_hex(log_id, e->log_id, sizeof e->log_id)) <= 0)
		dr_ss_fail(why, why_cap, "the Rekor bundle's logID is not hex of at most %d bytes", KEYLESS_LOG_ID_HEX_MAX / 2);
	else if (!(rc = sig_body_kind(e, why, why_cap))) {
		e->log_id_len = (size_t)id_len;
		b->tlog_count = 1;
	}
	json_object_put(o);
	return rc;
}

/* The timestamp annotation, {"SignedRFC3161Timestamp": base64}, into b->timestamps[0]. */
static int sig_timestamp(const char *text, struct dr_ss_bundle *b, char *why, size_t why_cap)
{
	size_t len = strnlen(text, DR_KEYLESS_ANNOTATION_MAX + 1);
	char reason[DR_SS_REASON_MAX];
	json_object *o = NULL;
	int rc = 0;

	if (len > DR_KEYLESS_ANNOTATION_MAX || dr_ss_json_parse(text, len, &o, reason, sizeof reason))
		return dr_ss_fail(why, why_cap, "the RFC 3161 timestamp annotation is not JSON of at most %u bytes",
				DR_KEYLESS_ANNOTATION_MAX);
	if (dr_ss_json_bytes(o, "SignedRFC3161Timestamp", DR_KEYLESS_ANNOTATION_MAX, &b->timestamps[0]) ||
	    !b->timestamps[0].len)
		rc = dr_ss_fail(why, why_cap, "the RFC 3161 timestamp annotation has no SignedRFC3161Timestamp");
	else
		b->timestamp_count = 1;
	json_object_put(o);
	return rc;
}

int dr_keyless_sig_bundle(const struct dr_keyless_sig_layer *l, const unsigned char *payload, size_t len,
			  struct dr_ss_bundle *out, char *why, size_t why_cap)
{
	size_t sig_len = l->signature ? strnlen(l->signature, 4 * DR_SS_SIG_MAX + 1) : 0;

	memset(out, 0, sizeof *out);
	out->minor_version = 1; /* the v0.1 shape: a SET, no inclusion proof */
	out->content = DR_SS_MESSAGE_SIGNATURE;
	if (!sig_len || sig_len > 4 * DR_SS_SIG_MAX ||
	    dr_ss_base64_decode(l->signature, sig_len, DR_SS_SIG_MAX, &out->signature) || !out->signature.len) {
		dr_ss_fail(why, why_cap, "the signature annotation is not base64 of at most %d bytes", DR_SS_SIG_MAX);
		goto fail;
	}
	if (!(out->message_digest.data = malloc(DR_SHA256_LEN))) {
		dr_ss_fail(why, why_cap, "out of memory");
		goto fail;
	}
	dr_sha256(payload, len, out->message_digest.data);
	out->message_digest.len = DR_SHA256_LEN;
	snprintf(out->digest_algorithm, sizeof out->digest_algorithm, "SHA2_256");
	if (sig_pem_certificate(l->certificate, &out->certs[0], why, why_cap))
		goto fail;
	out->cert_count = 1;
	/* A signature with a timestamp only (no log upload) stays a candidate: the verifier then
	 * refuses it when the trusted root names a transparency log. */
	if (((l->rekor_bundle || !l->timestamp) && sig_rekor_bundle(l->rekor_bundle, out, why, why_cap)) ||
	    (l->timestamp && sig_timestamp(l->timestamp, out, why, why_cap)))
		goto fail;
	return 0;
fail:
	dr_ss_bundle_free(out);
	return -1;
}
