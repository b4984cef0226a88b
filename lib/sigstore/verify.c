/* verify.c: the verifier's order (see verify.h), after sigstore-go's pkg/verify
 * (Verifier.Verify, VerifyTlogEntry, VerifyObserverTimestamps): every piece of evidence the
 * bundle carries must verify; at least one log entry (when the trusted root names a log) and at
 * least one verified time are required (a Rekor v2 entry has no signed time, so it needs an RFC
 * 3161 timestamp). */
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/x509.h>

#include "cert.h"
#include "dsse.h"
#include "pubkey.h"
#include "sct.h"
#include "tlog.h"
#include "tsa.h"

#define VERIFY_TIMES_MAX (DR_SS_TLOG_ENTRIES_MAX + DR_SS_TIMESTAMPS_MAX)

/* The times the certificate is checked at, and where the first came from. */
struct verify_times {
	time_t at[VERIFY_TIMES_MAX];
	int from_tlog[VERIFY_TIMES_MAX]; /* an integrated time, else a timestamp's genTime */
	int verified[VERIFY_TIMES_MAX];  /* signed: by the log (SET) or the timestamp authority */
	size_t n;
};

/* The bytes an RFC 3161 timestamp is over: the message signature, or the DSSE signature. */
static const struct dr_ss_bytes *verify_signature_bytes(const struct dr_ss_bundle *b)
{
	return b->content == DR_SS_MESSAGE_SIGNATURE ? &b->signature : &b->dsse_signatures[0].sig;
}

/* 1 when one of the certificates after the bundle's leaf is self-issued (a root): the signer
 * chose its own anchor, which only the trusted root may name (the conformance suite's
 * bundle-with-root-cert_fail). Unreadable ones count as roots. */
static int verify_chain_has_root(const struct dr_ss_bundle *b)
{
	for (size_t i = 1; i < b->cert_count && i < DR_SS_CHAIN_MAX; i++) {
		gnutls_x509_crt_t crt;
		gnutls_datum_t der = { b->certs[i].data, (unsigned)b->certs[i].len };
		int self;

		if (gnutls_x509_crt_init(&crt) < 0)
			return 1;
		self = gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER) < 0 || gnutls_x509_crt_check_issuer(crt, crt);
		gnutls_x509_crt_deinit(crt);
		if (self)
			return 1;
	}
	return 0;
}

/* The bundle's shape: a known version, one kind of content, material that fits the policy. */
static int verify_shape(const struct dr_ss_bundle *b, const struct dr_ss_policy *p, char *why, size_t why_cap)
{
	if (b->minor_version < 1 || b->minor_version > 3) {
		snprintf(why, why_cap, "bundle: unsupported media type version");
		return -1;
	}
	if (b->content == DR_SS_MESSAGE_SIGNATURE) {
		if (!b->signature.len) {
			snprintf(why, why_cap, "bundle: no message signature");
			return -1;
		}
	} else if (b->content == DR_SS_DSSE_ENVELOPE) {
		/* One signature: the one the log entry and the timestamps are about. */
		if (b->dsse_signature_count != 1 || !b->dsse_signatures[0].sig.len) {
			snprintf(why, why_cap, "bundle: a DSSE envelope must carry exactly one signature");
			return -1;
		}
	} else {
		snprintf(why, why_cap, "bundle: neither a message signature nor a DSSE envelope");
		return -1;
	}
	if (p->key_spki) {
		if (b->cert_count) {
			snprintf(why, why_cap, "the bundle is signed with a certificate, but a key was given");
			return -1;
		}
		if (!b->has_public_key || !p->key_spki_len) {
			snprintf(why, why_cap, "the bundle carries no public key reference");
			return -1;
		}
	} else {
		if (b->has_public_key || !b->cert_count) {
			snprintf(why, why_cap, "the bundle is signed with a key, but no key was given");
			return -1;
		}
		if (verify_chain_has_root(b)) {
			snprintf(why, why_cap, "the bundle's certificate chain carries a root certificate");
			return -1;
		}
		if (!p->identity || !p->issuer) {
			snprintf(why, why_cap, "a certificate identity and issuer are required");
			return -1;
		}
	}
	return 0;
}

/* Each log entry verified against its log; its integrated time, when the log signed it (SET),
 * becomes a verified time; an unsigned one is still a time the certificate must cover. */
static int verify_tlog(const struct dr_ss_bundle *b, const struct dr_ss_trusted_root *root, time_t now,
		       struct verify_times *t, char *why, size_t why_cap)
{
	char reason[DR_SS_REASON_MAX];

	/* A root that names transparency logs requires an entry in one (sigstore-go's
	 * WithTransparencyLog(1)); one that names none (GitHub's own instance for private
	 * repositories: a Fulcio and a timestamp authority only) leaves the time to timestamps. */
	if (!b->tlog_count && root->tlog_count) {
		snprintf(why, why_cap, "the bundle has no transparency log entry");
		return -1;
	}
	for (size_t i = 0; i < b->tlog_count; i++) {
		const struct dr_ss_tlog_entry *e = &b->tlog[i];

		for (size_t j = 0; j < i; j++)
			if (b->tlog[j].log_index == e->log_index && b->tlog[j].log_id_len == e->log_id_len &&
			    !memcmp(b->tlog[j].log_id, e->log_id, e->log_id_len)) {
				snprintf(why, why_cap, "the bundle carries the same log entry twice");
				return -1;
			}
		if (dr_ss_tlog_verify(e, root, now, reason, sizeof reason)) {
			snprintf(why, why_cap, "%s", reason);
			return -1;
		}
		if (e->integrated_time > 0) {
			t->at[t->n] = (time_t)e->integrated_time;
			t->from_tlog[t->n] = 1;
			t->verified[t->n] = e->signed_entry_timestamp.len > 0;
			t->n++;
		}
	}
	return 0;
}

/* A log entry whose time no SET signs (Rekor v2, or a v1 entry with a proof alone) is held to the
 * timestamps' times instead: the log's key must have been valid at every one of them, so that a key
 * the root says ended cannot log a signature made after it ended. */
static int verify_log_windows(const struct dr_ss_bundle *b, const struct dr_ss_trusted_root *root,
			      const struct verify_times *t, char *why, size_t why_cap)
{
	for (size_t i = 0; i < b->tlog_count; i++) {
		const struct dr_ss_log *log = dr_ss_tlog_log(root, &b->tlog[i]);
		if (b->tlog[i].signed_entry_timestamp.len > 0)
			continue; /* its integrated time is signed and checked against the window (tlog.c) */
		if (!log) {
			snprintf(why, why_cap, "log entry %zu: its log is not in the trusted root", i);
			return -1;
		}
		for (size_t j = 0; j < t->n; j++)
			if (!t->from_tlog[j] && ((log->valid_for.has_start && t->at[j] < log->valid_for.start) ||
						 (log->valid_for.has_end && t->at[j] > log->valid_for.end))) {
				snprintf(why, why_cap, "log entry %zu: the log's key was not valid at the timestamp's "
						       "time", i);
				return -1;
			}
	}
	return 0;
}

/* Each RFC 3161 timestamp over the signature: its genTime is a verified time. */
static int verify_timestamps(const struct dr_ss_bundle *b, const struct dr_ss_trusted_root *root,
			     struct verify_times *t, char *why, size_t why_cap)
{
	const struct dr_ss_bytes *sig = verify_signature_bytes(b);
	char reason[DR_SS_REASON_MAX];

	for (size_t i = 0; i < b->timestamp_count; i++) {
		time_t at = 0;

		if (dr_ss_timestamp_verify(&b->timestamps[i], sig->data, sig->len, root, &at, reason, sizeof reason)) {
			snprintf(why, why_cap, "timestamp %zu: %s", i, reason);
			return -1;
		}
		t->at[t->n] = at;
		t->from_tlog[t->n] = 0;
		t->verified[t->n] = 1;
		t->n++;
	}
	return 0;
}

/* The index of the first verified time, or -1. */
static long verify_first_verified(const struct verify_times *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->verified[i])
			return (long)i;
	return -1;
}

/* The leaf chains to a CA of the root at every time; its SCTs verify. */
static int verify_certificate(const struct dr_ss_bundle *b, const struct dr_ss_trusted_root *root,
			      const struct verify_times *t, char *why, size_t why_cap)
{
	const struct dr_ss_bytes *issuer;
	char reason[DR_SS_REASON_MAX];
	size_t ca = 0;

	for (size_t i = 0; i < t->n; i++)
		if (dr_ss_cert_chain_verify(b, root, t->at[i], &ca, reason, sizeof reason)) {
			snprintf(why, why_cap, "certificate at %lld: %s", (long long)t->at[i], reason);
			return -1;
		}
	issuer = ca < root->ca_count ? dr_ss_cert_issuer_of(&b->certs[0], &root->cas[ca]) : NULL;
	if (!issuer) {
		snprintf(why, why_cap, "certificate: its issuer is not in the trusted root");
		return -1;
	}
	/* SCTs are required when the root names CT logs (GitHub's private instance names none). */
	if (root->ctlog_count && dr_ss_sct_verify(&b->certs[0], issuer, root, reason, sizeof reason)) {
		snprintf(why, why_cap, "SCT: %s", reason);
		return -1;
	}
	return 0;
}

/* The signature over the artifact (or its digest), or over the DSSE envelope and its subject. */
static int verify_signature(const struct dr_ss_bundle *b, const struct dr_ss_artifact *a, const unsigned char *spki,
			    size_t spki_len, char *why, size_t why_cap)
{
	char reason[DR_SS_REASON_MAX];

	if (b->content == DR_SS_MESSAGE_SIGNATURE) {
		if (b->message_digest.len) {
			if (!strcmp(b->digest_algorithm, "SHA2_256")) {
				if (b->message_digest.len != 32 || memcmp(b->message_digest.data, a->sha256, 32)) {
					snprintf(why, why_cap, "the bundle's message digest is not the artifact's");
					return -1;
				}
			} else if (!a->data) {
				snprintf(why, why_cap, "the bundle's message digest algorithm %s cannot be checked "
						       "against a SHA-256 digest", b->digest_algorithm);
				return -1;
			}
		}
		if (a->data ? dr_ss_pubkey_verify(spki, spki_len, NULL, a->data, a->len, b->signature.data,
						  b->signature.len, reason, sizeof reason)
			    : dr_ss_pubkey_verify_digest(spki, spki_len, NULL, a->sha256, sizeof a->sha256,
							 b->signature.data, b->signature.len, reason, sizeof reason)) {
			snprintf(why, why_cap, "signature over the artifact: %s", reason);
			return -1;
		}
		return 0;
	}
	{
		struct dr_ss_bytes pae;
		int rc;

		if (dr_ss_dsse_pae(b, &pae, why, why_cap))
			return -1;
		rc = dr_ss_pubkey_verify(spki, spki_len, NULL, pae.data, pae.len, b->dsse_signatures[0].sig.data,
					 b->dsse_signatures[0].sig.len, reason, sizeof reason);
		free(pae.data);
		if (rc) {
			snprintf(why, why_cap, "DSSE envelope signature: %s", reason);
			return -1;
		}
	}
	return dr_ss_dsse_subject_matches(b, a, why, why_cap);
}

int dr_ss_verify_at(const struct dr_ss_bundle *b, const struct dr_ss_trusted_root *root,
		    const struct dr_ss_artifact *a, const struct dr_ss_policy *p, time_t now, struct dr_ss_signer *out,
		    char *why, size_t why_cap)
{
	struct dr_ss_signer signer;
	struct verify_times times;
	struct dr_ss_bytes leaf_spki = { 0 };
	const unsigned char *spki, *verifier;
	size_t spki_len, verifier_len;
	char reason[DR_SS_REASON_MAX];
	long first;
	int rc = -1;

	memset(&signer, 0, sizeof signer);
	memset(&times, 0, sizeof times);
	if (verify_shape(b, p, why, why_cap))
		return -1;
	/* The key the signature and the log entries are about. */
	if (p->key_spki) {
		spki = verifier = p->key_spki;
		spki_len = verifier_len = p->key_spki_len;
	} else {
		if (dr_ss_cert_spki(&b->certs[0], &leaf_spki, reason, sizeof reason)) {
			snprintf(why, why_cap, "certificate: %s", reason);
			return -1;
		}
		spki = leaf_spki.data;
		spki_len = leaf_spki.len;
		verifier = b->certs[0].data;
		verifier_len = b->certs[0].len;
	}
	if (verify_tlog(b, root, now, &times, why, why_cap) || verify_timestamps(b, root, &times, why, why_cap) ||
	    verify_log_windows(b, root, &times, why, why_cap))
		goto out;
	first = verify_first_verified(&times);
	if (first < 0) {
		snprintf(why, why_cap, "no verified time: the log entries carry no signed time and there is no "
				       "timestamp");
		goto out;
	}
	if (!p->key_spki && verify_certificate(b, root, &times, why, why_cap))
		goto out;
	for (size_t i = 0; i < b->tlog_count; i++)
		if (dr_ss_tlog_body_matches(&b->tlog[i], b, a, verifier, verifier_len, reason, sizeof reason)) {
			snprintf(why, why_cap, "%s", reason);
			goto out;
		}
	if (verify_signature(b, a, spki, spki_len, why, why_cap))
		goto out;
	if (!p->key_spki) {
		if (dr_ss_cert_signer(&b->certs[0], &signer, reason, sizeof reason)) {
			snprintf(why, why_cap, "certificate: %s", reason);
			goto out;
		}
		if (strcmp(signer.identity, p->identity)) {
			snprintf(why, why_cap, "the certificate's identity is not the one required");
			goto out;
		}
		if (strcmp(signer.issuer, p->issuer)) {
			snprintf(why, why_cap, "the certificate's OIDC issuer is not the one required");
			goto out;
		}
	}
	signer.log_index = b->tlog_count ? b->tlog[0].log_index : -1;
	signer.verified_time = times.at[first];
	snprintf(signer.time_source, sizeof signer.time_source, "%s", times.from_tlog[first] ? "tlog" : "timestamp");
	if (out)
		*out = signer;
	rc = 0;
out:
	free(leaf_spki.data);
	return rc;
}

int dr_ss_verify(const struct dr_ss_bundle *b, const struct dr_ss_trusted_root *root, const struct dr_ss_artifact *a,
		 const struct dr_ss_policy *p, struct dr_ss_signer *out, char *why, size_t why_cap)
{
	return dr_ss_verify_at(b, root, a, p, time(NULL), out, why, why_cap);
}
