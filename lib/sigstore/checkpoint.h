/* checkpoint.h: a transparency log checkpoint (C2SP tlog-checkpoint) in
 * its signed note (C2SP signed-note), as a log entry's inclusion proof
 * carries it: the note text (origin line, tree size, base64 root hash,
 * optional non-empty extension lines), a blank line, then signature lines
 * "<em dash> <key name> <base64(key hint[4] || signature)>". A note may
 * carry cosignatures by keys we do not know (witnesses, other logs): they
 * are ignored; at least one signature by the log's key must verify, and a
 * line naming the log's key whose signature does not verify is refused.
 * Signatures go through pubkey.h. Nothing is kept; nothing to free. */
#ifndef DR_SS_CHECKPOINT_H
#define DR_SS_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "merkle.h"

#define DR_SS_CHECKPOINT_MAX 65536     /* bytes of one signed checkpoint */
#define DR_SS_NOTE_SIGS_MAX 100        /* signature lines of one note (as Go's note.Open) */
#define DR_SS_NOTE_NAME_MAX 256        /* bytes of an origin or a key name, NUL included */
#define DR_SS_KEY_HINT_LEN 4           /* the key hint before each signature */
#define DR_SS_NOTE_SIG_MAX 8192        /* bytes of one signature (a witness's may be post-quantum) */

/* How a log's key hint is derived from its key. */
enum dr_ss_hint_rule {
	/* Rekor v1 (sigstore/rekor pkg/util/signed_note.go): the first 4 bytes of SHA-256 of the
	 * key's SubjectPublicKeyInfo DER, whatever the key type; the name is not part of it. */
	DR_SS_HINT_SPKI = 1,
	/* C2SP signed-note as Rekor v2 uses it (rekor-tiles pkg/note): Ed25519: SHA-256(name "\n"
	 * 0x01 || 32-byte key)[:4]; ECDSA: as Rekor v1; RSA: SHA-256(name "\n" 0xff
	 * "PKIX-RSA-PKCS#1v1.5" || SPKI DER)[:4]. */
	DR_SS_HINT_C2SP,
};

/* A checkpoint's note text, parsed. */
struct dr_ss_checkpoint {
	char origin[DR_SS_NOTE_NAME_MAX];
	uint64_t size;
	unsigned char root_hash[DR_SS_MERKLE_HASH_LEN];
};

/* The log's key as a note verifier. */
struct dr_ss_note_key {
	const char *name;                        /* the key name a log's line must carry; NULL: any */
	unsigned char hint[DR_SS_KEY_HINT_LEN];  /* from dr_ss_note_key_hint */
	const unsigned char *spki;               /* SubjectPublicKeyInfo DER */
	size_t spki_len;
	const char *key_details;                 /* as pubkey.h takes it; NULL: from the key */
};

/* The key hint of the key spki (key_details may be NULL) under rule for the key name name (used by
 * DR_SS_HINT_C2SP only; may be NULL for DR_SS_HINT_SPKI) into out; 0, or -1 with why filled. */
int dr_ss_note_key_hint(enum dr_ss_hint_rule rule, const char *name, const unsigned char *spki, size_t spki_len,
			const char *key_details, unsigned char out[DR_SS_KEY_HINT_LEN], char *why, size_t why_cap);

/* Parse the signed checkpoint envelope (NUL-terminated) into out without checking any
 * signature: UTF-8 without control characters but newline, the note text, at least one
 * well-formed signature line; 0, or -1 with why filled. */
int dr_ss_checkpoint_parse(const char *envelope, struct dr_ss_checkpoint *out, char *why, size_t why_cap);

/* Parse as above and verify it against the log's key: every line with key's name (when set) and
 * hint must verify over the note text, and there must be one; 0 with out filled, or -1 with why. */
int dr_ss_checkpoint_verify(const char *envelope, const struct dr_ss_note_key *key, struct dr_ss_checkpoint *out,
			    char *why, size_t why_cap);

#endif
