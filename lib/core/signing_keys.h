/* signing_keys.h: the public keys image signatures are checked against
 * (IMAGE_SIGNATURE_KEYS): a PEM file of one or more "PUBLIC KEY" blocks,
 * each an ECDSA P-256 SubjectPublicKeyInfo as `cosign generate-key-pair`
 * and `openssl ec -pubout` write them. Two keys in the file is how a key
 * is rotated. The set lives in the caller's struct; nothing to free. */
#ifndef DR_SIGNING_KEYS_H
#define DR_SIGNING_KEYS_H

#include <stddef.h>

#include "crypto.h"
#include "error.h"

#define DR_SIGNING_KEYS_MAX 8
#define DR_SIGNING_KEYS_FILE_MAX 16384
#define DR_SIGNING_KEY_DER_MAX 512            /* a P-256 SubjectPublicKeyInfo is 91 bytes */
#define DR_KEY_FINGERPRINT_LEN (7 + 2 * DR_SHA256_LEN) /* "sha256:" and hex */

struct dr_signing_keys {
	struct dr_ecdsa_key key[DR_SIGNING_KEYS_MAX];
	size_t count;
};

/* Read path into keys; 0, or a fault (config) naming the file and the block that is wrong.
 * A private key in the file is refused: only public keys belong on the server. */
int dr_signing_keys_load(struct dr_signing_keys *keys, const char *path, struct dr_error *err);

/* Parse PEM text (len bytes) into keys; 0, or -1 with why (cap bytes) set. */
int dr_signing_keys_parse(struct dr_signing_keys *keys, const char *text, size_t len, char *why, size_t cap);

/* "sha256:<hex>" of k's SubjectPublicKeyInfo DER into out. */
void dr_signing_key_fingerprint(const struct dr_ecdsa_key *k, char out[DR_KEY_FINGERPRINT_LEN + 1]);

#endif
