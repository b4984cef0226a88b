/* pubkey.h: signature verification with one public key, as Sigstore names
 * keys and schemes (PublicKeyDetails of the protobuf specs): ECDSA P-256,
 * P-384, P-521 (DER signatures), Ed25519 (pure), RSA PKCS#1 v1.5 and PSS.
 * Keys are SubjectPublicKeyInfo DER, or a bare PKCS#1 RSAPublicKey when
 * key_details names a PKCS1_RSA_* scheme (older trusted roots). All from
 * GnuTLS; nothing is kept, nothing to free. */
#ifndef DR_SS_PUBKEY_H
#define DR_SS_PUBKEY_H

#include <stddef.h>

#define DR_SS_KEY_MAX 16384 /* bytes of one public key DER */
#define DR_SS_SIG_MAX 2048  /* bytes of one signature */

/* Verify sig over len bytes of data with the key spki. key_details (e.g.
 * "PKIX_ECDSA_P256_SHA_256", "PKIX_ED25519", "PKIX_RSA_PKCS1V15_2048_SHA256")
 * fixes the scheme and must match the key; NULL chooses it from the key
 * (P-256: SHA-256, P-384: SHA-384, P-521: SHA-512, RSA: PKCS#1 v1.5 SHA-256,
 * Ed25519). 0 when it verifies, else -1 with a reason in why. */
int dr_ss_pubkey_verify(const unsigned char *spki, size_t spki_len, const char *key_details,
			const unsigned char *data, size_t len, const unsigned char *sig, size_t sig_len,
			char *why, size_t why_cap);

/* The same over a precomputed digest (digest_len must be the scheme's hash
 * length); Ed25519 signs messages, not digests, so it is refused here. */
int dr_ss_pubkey_verify_digest(const unsigned char *spki, size_t spki_len, const char *key_details,
			       const unsigned char *digest, size_t digest_len, const unsigned char *sig,
			       size_t sig_len, char *why, size_t why_cap);

/* Verify sig over data with SHA-256 whatever the key's size (ECDSA of any
 * curve, RSA PKCS#1 v1.5), as RFC 6962 fixes it for SCTs; Ed25519 refused. */
int dr_ss_pubkey_verify_sha256(const unsigned char *spki, size_t spki_len, const char *key_details,
			       const unsigned char *data, size_t len, const unsigned char *sig,
			       size_t sig_len, char *why, size_t why_cap);

#endif
