/* sct.h: the signed certificate timestamps (RFC 6962) a Fulcio signing
 * certificate embeds, checked against the CT logs of the trusted root.
 * Nothing to free. */
#ifndef DR_SS_SCT_H
#define DR_SS_SCT_H

#include <stddef.h>

#include "sigstore.h"

#define DR_SS_SCT_OID "1.3.6.1.4.1.11129.2.4.2" /* the embedded SCT list extension */
#define DR_SS_SCTS_MAX 16                      /* SCTs read from one certificate */

/* Verify that at least one SCT embedded in leaf comes from a CT log of root whose validFor
 * covers the SCT's time and carries a valid signature over the precertificate entry
 * (RFC 6962 3.2: leaf's TBS without the SCT list, the SHA-256 of issuer's
 * SubjectPublicKeyInfo, the SCT's extensions, which may be non-empty). issuer is the
 * certificate that issued leaf (dr_ss_cert_issuer_of). SCTs of unknown logs are skipped.
 * 0, or -1 with why. */
int dr_ss_sct_verify(const struct dr_ss_bytes *leaf, const struct dr_ss_bytes *issuer,
		     const struct dr_ss_trusted_root *root, char *why, size_t why_cap);

#endif
