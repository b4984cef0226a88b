/* metadata.h: one TUF role's metadata file (root, timestamp, snapshot or
 * targets, spec 1.0.x) decoded: the envelope (signatures, and the
 * canonical bytes of "signed" they are over), the common fields (_type,
 * spec_version of major 1, version, expires) and each role's own: root's
 * keys and role thresholds, timestamp's and snapshot's meta, targets'
 * targets with their lengths and hashes. The text is checked as strict
 * JSON (lib/core/json_strict.h, through lib/sigstore/decode.h) before
 * json-c reads it; every field is checked against the limits below before
 * it is stored. dr_tuf_metadata_parse allocates; the caller frees with
 * dr_tuf_metadata_free. */
#ifndef DR_TUF_METADATA_H
#define DR_TUF_METADATA_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define DR_TUF_KEYS_MAX 32        /* keys in one root */
#define DR_TUF_KEYIDS_MAX 32      /* keyids of one role */
#define DR_TUF_SIGNATURES_MAX 64  /* signatures on one file */
#define DR_TUF_META_MAX 64        /* entries of meta (timestamp, snapshot) or targets */
#define DR_TUF_KEYID_MAX 128      /* characters of a keyid */
#define DR_TUF_NAME_MAX 255       /* bytes of a meta or target name */
#define DR_TUF_PUBLIC_MAX 4096    /* bytes of keyval.public */
#define DR_TUF_SPKI_MAX 128       /* bytes of a P-256 or Ed25519 SubjectPublicKeyInfo */
#define DR_TUF_SIG_MAX 128        /* bytes of one signature (DER ECDSA P-256, Ed25519) */
#define DR_TUF_VERSION_MAX 999999999999LL /* the largest version accepted */
#define DR_TUF_LENGTH_MAX (1LL << 40)     /* the largest length accepted */
#define DR_TUF_TIME_MAX 32        /* bytes of an expires text with its NUL */
#define DR_TUF_WHY_MAX 256        /* bytes of a reason */
#define DR_TUF_SHA256_LEN 32
#define DR_TUF_SHA512_LEN 64
#define DR_TUF_STR_(x) #x
#define DR_TUF_STR(x) DR_TUF_STR_(x) /* a limit in a message */

enum dr_tuf_role { DR_TUF_ROOT, DR_TUF_TIMESTAMP, DR_TUF_SNAPSHOT, DR_TUF_TARGETS, DR_TUF_ROLES };

enum dr_tuf_key_type {
	DR_TUF_KEY_UNUSABLE = 0, /* another type or scheme, or a public key that does not decode: never counted */
	DR_TUF_KEY_ECDSA_P256,   /* ecdsa or ecdsa-sha2-nistp256, scheme ecdsa-sha2-nistp256, PEM SPKI */
	DR_TUF_KEY_ED25519,      /* ed25519, scheme ed25519, hex raw key */
};

struct dr_tuf_key {
	char keyid[DR_TUF_KEYID_MAX + 1];
	enum dr_tuf_key_type type;
	unsigned char spki[DR_TUF_SPKI_MAX]; /* SubjectPublicKeyInfo DER of a usable key */
	size_t spki_len;
};

struct dr_tuf_role_keys {
	char keyids[DR_TUF_KEYIDS_MAX][DR_TUF_KEYID_MAX + 1];
	size_t count;
	long long threshold; /* at least 1 */
};

/* The hashes of a file; known algorithms only (others are counted in other). */
struct dr_tuf_hashes {
	unsigned char sha256[DR_TUF_SHA256_LEN];
	unsigned char sha512[DR_TUF_SHA512_LEN];
	int has_sha256, has_sha512;
	int other;     /* algorithms this client does not know */
	int present;   /* a hashes object was there */
};

/* One entry of meta (version; length and hashes optional) or of targets (length and hashes). */
struct dr_tuf_meta {
	char name[DR_TUF_NAME_MAX + 1];
	long long version;  /* 0 for a target */
	long long length;   /* -1 when absent */
	struct dr_tuf_hashes hashes;
};

struct dr_tuf_signature {
	char keyid[DR_TUF_KEYID_MAX + 1];
	unsigned char sig[DR_TUF_SIG_MAX];
	size_t sig_len;
};

struct dr_tuf_metadata {
	enum dr_tuf_role role;
	long long version;
	time_t expires;
	char expires_text[DR_TUF_TIME_MAX];
	struct dr_buf canonical;             /* canonical JSON of "signed": what the signatures sign */
	struct dr_tuf_signature signatures[DR_TUF_SIGNATURES_MAX];
	size_t signature_count;
	/* root */
	int consistent_snapshot;
	struct dr_tuf_key keys[DR_TUF_KEYS_MAX];
	size_t key_count;
	struct dr_tuf_role_keys roles[DR_TUF_ROLES];
	/* timestamp and snapshot: meta; targets: targets */
	struct dr_tuf_meta meta[DR_TUF_META_MAX];
	size_t meta_count;
};

/* The role's name as TUF writes it ("root", "timestamp", "snapshot", "targets"). */
const char *dr_tuf_role_name(enum dr_tuf_role role);

/* Decode len bytes of text (need not be NUL-terminated) as role's metadata into a new *out;
 * 0, or -1 with why filled and *out NULL. Signatures are decoded, not checked
 * (lib/tuf/signatures.h). The caller frees *out with dr_tuf_metadata_free. */
int dr_tuf_metadata_parse(const char *text, size_t len, enum dr_tuf_role role, struct dr_tuf_metadata **out,
			  char *why, size_t why_cap);

/* The entry called name of md's meta (or targets), or NULL. */
const struct dr_tuf_meta *dr_tuf_metadata_find(const struct dr_tuf_metadata *md, const char *name);

/* Free md and what it holds; accepts NULL. */
void dr_tuf_metadata_free(struct dr_tuf_metadata *md);

#endif
