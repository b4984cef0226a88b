/* keyless.h: keyless cosign signatures (CONTRACT 10.1): a short-lived
 * Fulcio certificate that names the signing workflow, the time proven by a
 * Rekor entry or an RFC 3161 timestamp, checked against a Sigstore trusted
 * root (lib/sigstore) and required to name one of the configured identities
 * and the configured OIDC issuer, both compared exactly.
 *   dr_keyless_sig_bundle  converts one layer of the tag sha256-<hex>.sig
 *                          (its annotations: signature, certificate, Rekor
 *                          bundle, RFC 3161 timestamp) into the struct
 *                          dr_ss_bundle a Sigstore bundle decodes into, so
 *                          that both places are checked by one verifier;
 *   dr_keyless_verify      runs that verifier, then dr_keyless_decide: which
 *                          signer counts.
 * Nothing decoded here is trusted until dr_keyless_verify says so. */
#ifndef DR_KEYLESS_H
#define DR_KEYLESS_H

#include <stddef.h>

#include "config.h"
#include "sigstore.h"

#define DR_KEYLESS_ANNOTATION_MAX (32u * 1024) /* bytes of one annotation's value */
#define DR_KEYLESS_REASON_MAX 512              /* one refusal */

#define DR_KEYLESS_ANNOTATION_CERTIFICATE "dev.sigstore.cosign/certificate"
#define DR_KEYLESS_ANNOTATION_CHAIN "dev.sigstore.cosign/chain"
#define DR_KEYLESS_ANNOTATION_BUNDLE "dev.sigstore.cosign/bundle"
#define DR_KEYLESS_ANNOTATION_TIMESTAMP "dev.sigstore.cosign/rfc3161timestamp"

/* Who may sign: borrowed strings, the identities split out of IMAGE_SIGNATURE_IDENTITY. */
struct dr_keyless_policy {
	char text[DR_SIGNATURE_IDENTITIES_TEXT_MAX];      /* a copy of the list, split in place */
	const char *identities[DR_SIGNATURE_IDENTITIES_MAX]; /* into text */
	size_t identity_count;
	const char *issuer;                    /* IMAGE_SIGNATURE_ISSUER (borrowed) */
	const struct dr_ss_trusted_root *root; /* borrowed */
};

/* The annotations of one .sig layer as the registry gave them (NULL when absent). */
struct dr_keyless_sig_layer {
	const char *signature;    /* dev.cosignproject.cosign/signature: base64 of the DER signature */
	const char *certificate;  /* PEM of the signing certificate */
	const char *chain;        /* PEM of its chain: not used, the path is the trusted root's own */
	const char *rekor_bundle; /* {"SignedEntryTimestamp", "Payload": {"body", "integratedTime", "logIndex", "logID"}} */
	const char *timestamp;    /* {"SignedRFC3161Timestamp": base64 DER}, or NULL */
};

/* Split identities (space-separated, at most DR_SIGNATURE_IDENTITIES_MAX) into p, with issuer and
 * root borrowed; 0, or -1 with why filled (none, too many, too long). */
int dr_keyless_policy_init(struct dr_keyless_policy *p, const char *identities, const char *issuer,
			   const struct dr_ss_trusted_root *root, char *why, size_t why_cap);

/* The bundle a .sig layer amounts to: a message signature over payload (len bytes, the layer's
 * blob), the certificate (leaf only), one Rekor v1 entry with its SET and no inclusion proof (its
 * kind and version read from the logged body), and the timestamp when there is one. 0 with out
 * filled (the caller frees it with dr_ss_bundle_free), or -1 with why filled and out empty. */
int dr_keyless_sig_bundle(const struct dr_keyless_sig_layer *l, const unsigned char *payload, size_t len,
			  struct dr_ss_bundle *out, char *why, size_t why_cap);

/* Which signer counts: one whose identity is exactly one of p's and whose issuer is exactly p's.
 * 0, or -1 with why naming what the certificate says instead. */
int dr_keyless_decide(const struct dr_ss_signer *s, const struct dr_keyless_policy *p, char *why, size_t why_cap);

/* Verify b against p->root for the artifact a (dr_ss_verify: chain, log entries, timestamps,
 * signature, the log entry's body), then dr_keyless_decide. 0 with out filled, or -1 with why. */
int dr_keyless_verify(const struct dr_ss_bundle *b, const struct dr_keyless_policy *p,
		      const struct dr_ss_artifact *a, struct dr_ss_signer *out, char *why, size_t why_cap);

#endif
