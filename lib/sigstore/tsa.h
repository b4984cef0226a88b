/* tsa.h: RFC 3161 timestamps of a Sigstore bundle, checked against the
 * timestamp authorities of the trusted root. The CMS SignedData and its
 * signature from GnuTLS (gnutls_pkcs7_*), the TimeStampResp and TSTInfo
 * from libtasn1 (tsa.asn), the TSA's certificate path from cert.c.
 * Nothing to free. */
#ifndef DR_SS_TSA_H
#define DR_SS_TSA_H

#include <stddef.h>
#include <time.h>

#include "sigstore.h"

#define DR_SS_TIMESTAMP_MAX (64u << 10) /* bytes of one TimeStampResp or token */
#define DR_SS_TSA_OID_TSTINFO "1.2.840.113549.1.9.16.1.4"

/* Verify one timestamp: token is a TimeStampResp (status granted or grantedWithMods) or
 * a bare TimeStampToken (CMS SignedData of a TSTInfo) over len bytes of signed_bytes (the
 * bundle's message signature, or its DSSE signature): the TSTInfo's messageImprint must
 * be their SHA-256/384/512; one signer, whose signature over the signed attributes
 * verifies; for some TSA of root: the signer is that TSA's leaf certificate (when the
 * root lists one) or a certificate embedded in the token, it chains to the TSA's root
 * through the TSA's and the token's certificates, every certificate on the path is
 * valid at genTime, the signer is an end-entity certificate whose only key purpose is
 * timeStamping (extension critical), and the TSA's validFor covers genTime (both ends
 * inclusive). *at_out gets genTime (whole seconds, fractions dropped). 0, or -1 with why. */
int dr_ss_timestamp_verify(const struct dr_ss_bytes *token, const unsigned char *signed_bytes, size_t len,
			   const struct dr_ss_trusted_root *root, time_t *at_out, char *why, size_t why_cap);

#endif
