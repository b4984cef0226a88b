/* tlog.h: one transparency log entry of a bundle (Rekor v1 and v2)
 * checked against the trusted root's logs, and its body compared with the
 * rest of the bundle. Entry kinds: Rekor v1 hashedrekord 0.0.1, dsse 0.0.1,
 * intoto 0.0.2; Rekor v2 hashedrekord 0.0.2 (a message signature, or a DSSE
 * envelope as rekor-v2-spec 6.1.4 logs it) and dsse 0.0.2. A caller runs
 * both checks on every entry: dr_ss_tlog_verify proves the log holds the
 * body (and, with a SET, when it was logged); dr_ss_tlog_body_matches
 * proves the body is this bundle's (its kind and version included).
 * Nothing is kept; nothing to free. */
#ifndef DR_SS_TLOG_H
#define DR_SS_TLOG_H

#include <stddef.h>
#include <time.h>

#include "sigstore.h"

#define DR_SS_TLOG_BODY_MAX (4u << 20) /* bytes of one entry body */

/* The trusted root's log whose log id is e's, or NULL. */
const struct dr_ss_log *dr_ss_tlog_log(const struct dr_ss_trusted_root *root, const struct dr_ss_tlog_entry *e);

/* Verify e against root at wall clock now: the log is in root (else refused) and its validFor has
 * a start; Rekor v1: the log's validFor covers the integrated time (end inclusive), which is not
 * after now, the SET (signed canonical JSON of body, integratedTime, logID, logIndex) verifies
 * with the log's key, an inclusion proof (optional when a SET is there) leads to the root hash
 * of a checkpoint signed by the log; Rekor v2: no SET and no integrated time, an inclusion proof
 * is required, its checkpoint's origin is the host of the log's baseUrl and is signed by the log.
 * The checkpoint's size and root hash must be the proof's. The integrated time is proven only
 * when the entry has a SET (e->signed_entry_timestamp.len > 0); 0, or -1 with why filled. */
int dr_ss_tlog_verify(const struct dr_ss_tlog_entry *e, const struct dr_ss_trusted_root *root, time_t now, char *why,
		      size_t why_cap);

/* Check that e's body (strict JSON) is of e's kind and version and names b's signature (the
 * message signature, or every DSSE signature), the verifier (verifier_der: the leaf certificate
 * DER, or in key mode the key's SubjectPublicKeyInfo DER) and the artifact a (its digest; for
 * DSSE: the payload's SHA-256, or for hashedrekord 0.0.2 the digest of the DSSE PAE); 0, or -1
 * with why filled. */
int dr_ss_tlog_body_matches(const struct dr_ss_tlog_entry *e, const struct dr_ss_bundle *b,
			    const struct dr_ss_artifact *a, const unsigned char *verifier_der, size_t verifier_len,
			    char *why, size_t why_cap);

#endif
