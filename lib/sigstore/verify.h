/* verify.h: the verifier: a decoded bundle (bundle.h) against a trusted
 * root (trusted_root.h), an artifact (its bytes, or only its SHA-256) and
 * a policy (an exact identity and OIDC issuer, or a trusted key), checked
 * in the order the reference verifiers use (sigstore-go pkg/verify):
 * verification material; each transparency log entry (Rekor v1: SET,
 * inclusion proof, integrated time; Rekor v2: inclusion proof against a
 * signed checkpoint) and each RFC 3161 timestamp gives a verified time;
 * at least one log entry when the root names a log, at least one verified
 * time; the certificate chain checked at every verified time; the leaf's SCTs
 * (when the root names CT logs);
 * each log entry's body names this signature, this key and this artifact;
 * the signature over the artifact (or its digest) or over the DSSE PAE and
 * the in-toto subject; last the identity and issuer, compared exactly. */
#ifndef DR_SS_VERIFY_H
#define DR_SS_VERIFY_H

#include <stddef.h>

#include "sigstore.h"

/* Verify b; 0 with out (may be NULL) filled with what was proved, or -1 with why filled (one
 * line, the first refusal). Nothing to free. */
int dr_ss_verify(const struct dr_ss_bundle *b, const struct dr_ss_trusted_root *root, const struct dr_ss_artifact *a,
		 const struct dr_ss_policy *p, struct dr_ss_signer *out, char *why, size_t why_cap);

/* The same with the wall clock given (a log entry's time must not be after now); for tests. */
int dr_ss_verify_at(const struct dr_ss_bundle *b, const struct dr_ss_trusted_root *root,
		    const struct dr_ss_artifact *a, const struct dr_ss_policy *p, time_t now, struct dr_ss_signer *out,
		    char *why, size_t why_cap);

#endif
