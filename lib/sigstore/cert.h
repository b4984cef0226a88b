/* cert.h: X.509 certificates of a Sigstore bundle and trusted root: the
 * signing certificate's path to a Fulcio CA of the trusted root, checked at
 * a given time (the log's or the timestamp's, never the wall clock), the
 * signer's identity from its extensions, and the byte ranges the other
 * checks need (SubjectPublicKeyInfo, the precertificate TBS of RFC 6962).
 * Paths, signatures and key purposes from GnuTLS; DER surgery from
 * libtasn1 (cert.asn). Who frees: the caller frees every dr_ss_bytes
 * filled here (free(out->data)); nothing else is kept. */
#ifndef DR_SS_CERT_H
#define DR_SS_CERT_H

#include <stddef.h>
#include <time.h>

#include "sigstore.h"

#define DR_SS_CERT_MAX (64u << 10) /* bytes of one certificate DER */

/* Verify the bundle's signing certificate (certs[0]; further bundle
 * certificates are never used, and a self-signed CA among them is refused,
 * as protobuf-specs requires) against the root's
 * certificate authorities whose validFor covers at: it must be an
 * end-entity certificate (not a CA) that chains, through the authority's
 * own intermediates only, to the authority's root, with the code-signing
 * purpose allowed along the path, and every certificate on the path valid
 * at at (bounds inclusive). *issuer_index_out (may be NULL) gets the index
 * into root->cas of the authority that verified it. 0, or -1 with why. */
int dr_ss_cert_chain_verify(const struct dr_ss_bundle *b, const struct dr_ss_trusted_root *root, time_t at,
			    size_t *issuer_index_out, char *why, size_t why_cap);

/* Verify that leaf chains to authority ca (its last certificate is the
 * anchor, the others intermediates; extra, extra_count more candidate
 * intermediates, e.g. a timestamp's embedded certificates), every
 * certificate on the path valid at at, purpose_oid (NULL: none) allowed
 * by every certificate that restricts key purposes. 0, or -1 with why. */
int dr_ss_cert_path_verify(const struct dr_ss_bytes *leaf, const struct dr_ss_bytes *extra, size_t extra_count,
			   const struct dr_ss_authority *ca, time_t at, const char *purpose_oid, char *why,
			   size_t why_cap);

/* The certificate of ca that issued leaf (a pointer into ca), or NULL. */
const struct dr_ss_bytes *dr_ss_cert_issuer_of(const struct dr_ss_bytes *leaf, const struct dr_ss_authority *ca);

/* 1 when at lies in cert's validity window (notBefore <= at <= notAfter), else 0. */
int dr_ss_cert_valid_at(const struct dr_ss_bytes *cert, time_t at);

/* The exact bytes of cert's SubjectPublicKeyInfo into *spki_out (the caller frees
 * spki_out->data). 0, or -1 with why. */
int dr_ss_cert_spki(const struct dr_ss_bytes *cert, struct dr_ss_bytes *spki_out, char *why, size_t why_cap);

/* cert's TBSCertificate re-encoded without the extension ext_oid (dotted, e.g. the SCT
 * list 1.3.6.1.4.1.11129.2.4.2) into *tbs_out (the caller frees tbs_out->data): the
 * precertificate TBS of RFC 6962 3.2. 0, or -1 with why (also when the extension is absent). */
int dr_ss_cert_tbs_without(const struct dr_ss_bytes *cert, const char *ext_oid, struct dr_ss_bytes *tbs_out,
			   char *why, size_t why_cap);

/* The signer named by a Fulcio certificate into *out: identity (the first URI or email
 * subject alternative name), issuer (OID 1.3.6.1.4.1.57264.1.8, else the deprecated .1.1),
 * source repository (.1.12), commit (.1.13), run URL (.1.21); absent ones empty. Only the
 * text fields are written. 0, or -1 with why (no identity, a value too long or with NUL). */
int dr_ss_cert_signer(const struct dr_ss_bytes *leaf, struct dr_ss_signer *out, char *why, size_t why_cap);

#endif
