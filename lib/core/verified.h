/* verified.h: the images (repository and digest: a signature binds both)
 * whose cosign signature a trusted key verified,
 * remembered in STATE_DIRECTORY/verified-signatures so that a plan or a
 * redeploy of the same digest need not ask the registry again. An entry
 * counts only while its key is still in IMAGE_SIGNATURE_KEYS: a key taken
 * out of the file takes its entries with it. Only a deploy writes; the
 * file keeps the newest DR_VERIFIED_MAX. Nothing to free. */
#ifndef DR_VERIFIED_H
#define DR_VERIFIED_H

#include "error.h"
#include "signing_keys.h"

#define DR_VERIFIED_FILE "verified-signatures"
#define DR_VERIFIED_MAX 64
#define DR_VERIFIED_FORMAT_MAX 32
#define DR_VERIFIED_REPOSITORY_MAX 256
#define DR_VERIFIED_LINE_MAX (DR_VERIFIED_REPOSITORY_MAX + 2 * (DR_KEY_FINGERPRINT_LEN + 1) + DR_VERIFIED_FORMAT_MAX + 1)

/* The key and format repository@digest was verified with before, that key still one of keys: 0
 * with key and format filled; -1 when there is no such entry (or no file). */
int dr_verified_find(const char *state_dir, const char *repository, const char *digest,
		     const struct dr_signing_keys *keys, char key[DR_KEY_FINGERPRINT_LEN + 1],
		     char format[DR_VERIFIED_FORMAT_MAX]);

/* Remember that key verified the signature of repository@digest in format (atomically, the
 * newest last); 0 or a fault. */
int dr_verified_remember(const char *state_dir, const char *repository, const char *digest, const char *key,
			 const char *format, struct dr_error *err);

#endif
