/* signature.h: key-based verification of cosign image signatures, read
 * from the image's registry in both formats cosign writes:
 *   simple-signing   the tag sha256-<hex>.sig: an OCI manifest whose
 *                    layers are simple-signing payloads, each signature
 *                    (DER ECDSA over the payload's bytes) in the layer
 *                    annotation dev.cosignproject.cosign/signature;
 *   sigstore-bundle  an OCI manifest whose subject is the image, found by
 *                    the referrers API or, where the registry has none, in
 *                    the index at tag sha256-<hex>: its layer is a Sigstore
 *                    bundle v0.3 holding a DSSE envelope over an in-toto
 *                    statement.
 * Every blob and manifest fetched by digest is checked against its
 * descriptor's digest and size before it is parsed; every size is capped.
 * The signature is verified before the signed payload is read, and the
 * payload must name the deployed digest and the repository it is deployed
 * from (simple-signing's critical.identity.docker-reference, the in-toto
 * subject's name).
 * Keyless (CONTRACT 10.1, keyless.h): with a policy given, a .sig layer that
 * carries a certificate annotation, and a bundle whose verification material
 * is a certificate, are verified against the Sigstore trusted root, and count
 * when the certificate names one of the policy's identities and its issuer.
 * Either kind satisfies the search. Nothing here is allocated for the caller. */
#ifndef DR_SIGNATURE_H
#define DR_SIGNATURE_H

#include "error.h"
#include "keyless.h"
#include "registry.h"
#include "signing_keys.h"

#define DR_SIGNATURE_MANIFEST_MAX (64 * 1024)  /* a signature manifest, index or referrers list */
#define DR_SIGNATURE_BLOB_MAX (64 * 1024)      /* a simple-signing payload or a bundle */
#define DR_SIGNATURE_CANDIDATES_MAX 16         /* layers or referrers looked at, each */
#define DR_SIGNATURE_DER_MAX 128               /* a DER P-256 signature is at most 72 bytes */

#define DR_SIGNATURE_FORMAT_SIMPLE "simple-signing"
#define DR_SIGNATURE_FORMAT_BUNDLE "sigstore-bundle"

struct dr_signature_found {
	char key[DR_KEY_FINGERPRINT_LEN + 1]; /* the verifying key's "sha256:" fingerprint; "" when keyless */
	const char *format;                   /* one of the two names above (static) */
	int keyless;                          /* 1: signer below, not a key, verified it */
	struct dr_ss_signer signer;           /* keyless: identity, issuer, source, run, log index, time */
};

/* Look for a signature of digest ("sha256:<hex>", the one the tag resolves to) in r's repository
 * (r->host/r->name, as dr_registry_open was given it) by one of keys (NULL: none), or keyless as
 * keyless (NULL: none) allows. 0 with found filled;
 * DR_FAULT_UNSIGNED with err naming why (none, no trusted key, another digest, another repository,
 * a bad encoding, a blob unlike its descriptor); DR_FAULT_UPSTREAM when the registry could not be asked. */
int dr_signature_verify(struct dr_registry *r, const char *digest, const struct dr_signing_keys *keys,
			const struct dr_keyless_policy *keyless, struct dr_signature_found *found, struct dr_error *err);

#endif
