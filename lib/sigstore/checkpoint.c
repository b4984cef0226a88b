/* checkpoint.c: signed notes (C2SP signed-note) holding a log checkpoint
 * (C2SP tlog-checkpoint), parsed strictly and verified against one log
 * key; the hash from Nettle, the signatures through pubkey.h. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "checkpoint.h"
#include "decode.h"
#include "jsonstr.h"
#include "number.h"
#include "pubkey.h"
#include "reason.h"

#define CKPT_SIG_PREFIX "\xe2\x80\x94 " /* U+2014 EM DASH, then a space */
#define CKPT_SIG_PREFIX_LEN 4
#define CKPT_ALG_ED25519 0x01          /* signed-note signature type of Ed25519 */
#define CKPT_ALG_UNDEF 0xff            /* signed-note "undefined" type, then an identifier */
#define CKPT_RSA_ID "PKIX-RSA-PKCS#1v1.5"
#define CKPT_ED25519_KEY_LEN 32

/* The fixed SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410), before its 32 bytes. */
static const unsigned char ckpt_ed25519_spki_prefix[] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
							  0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };

/* A signed note split into its parts; pointers into the envelope. */
struct ckpt_note {
	const char *text;  /* the note text, ending with its last newline: the signed bytes */
	size_t text_len;
	const char *sigs;  /* the signature lines, each ending with a newline */
	size_t sigs_len;
};

/* One signature line. */
struct ckpt_sig {
	char name[DR_SS_NOTE_NAME_MAX];
	struct dr_ss_bytes raw; /* key hint, then the signature; heap, the caller frees */
};

/* 1 when the Ed25519 SPKI spki holds a key (its last 32 bytes), else 0. */
static int ckpt_is_ed25519(const unsigned char *spki, size_t len)
{
	return len == sizeof ckpt_ed25519_spki_prefix + CKPT_ED25519_KEY_LEN &&
	       !memcmp(spki, ckpt_ed25519_spki_prefix, sizeof ckpt_ed25519_spki_prefix);
}

int dr_ss_note_key_hint(enum dr_ss_hint_rule rule, const char *name, const unsigned char *spki, size_t spki_len,
			const char *key_details, unsigned char out[DR_SS_KEY_HINT_LEN], char *why, size_t why_cap)
{
	static const uint8_t newline = '\n', ed25519 = CKPT_ALG_ED25519, undef = CKPT_ALG_UNDEF;
	unsigned char digest[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;

	if (!spki || !spki_len)
		return dr_ss_fail(why, why_cap, "checkpoint: the log has no public key");
	sha256_init(&ctx);
	if (rule == DR_SS_HINT_C2SP && ckpt_is_ed25519(spki, spki_len)) {
		if (!name || !*name)
			return dr_ss_fail(why, why_cap, "checkpoint: an Ed25519 key hint needs the key name");
		sha256_update(&ctx, strlen(name), (const uint8_t *)name);
		sha256_update(&ctx, 1, &newline);
		sha256_update(&ctx, 1, &ed25519);
		sha256_update(&ctx, CKPT_ED25519_KEY_LEN, spki + sizeof ckpt_ed25519_spki_prefix);
	} else if (rule == DR_SS_HINT_C2SP && key_details && strstr(key_details, "RSA")) {
		if (!name || !*name)
			return dr_ss_fail(why, why_cap, "checkpoint: an RSA key hint needs the key name");
		sha256_update(&ctx, strlen(name), (const uint8_t *)name);
		sha256_update(&ctx, 1, &newline);
		sha256_update(&ctx, 1, &undef);
		sha256_update(&ctx, strlen(CKPT_RSA_ID), (const uint8_t *)CKPT_RSA_ID);
		sha256_update(&ctx, spki_len, spki);
	} else if (rule == DR_SS_HINT_SPKI || rule == DR_SS_HINT_C2SP) {
		/* Rekor v1 for every key; ECDSA under C2SP too (rekor-tiles' ecdsaKeyHash). */
		sha256_update(&ctx, spki_len, spki);
	} else {
		return dr_ss_fail(why, why_cap, "checkpoint: unknown key hint rule");
	}
	sha256_digest(&ctx, sizeof digest, digest);
	memcpy(out, digest, DR_SS_KEY_HINT_LEN);
	return 0;
}

/* Split the envelope into note text and signature lines; 0 or -1 with why filled. */
static int ckpt_split(const char *envelope, struct ckpt_note *n, char *why, size_t why_cap)
{
	size_t len = 0, split = 0, valid;
	int found = 0;

	if (!envelope)
		return dr_ss_fail(why, why_cap, "checkpoint: missing");
	while (envelope[len]) {
		if (++len > DR_SS_CHECKPOINT_MAX)
			return dr_ss_fail(why, why_cap, "checkpoint: longer than %u bytes", DR_SS_CHECKPOINT_MAX);
	}
	/* Valid UTF-8 and no control character but newline (signed-note; Go's note.Open). */
	for (size_t i = 0; i < len; i++)
		if ((const unsigned char)envelope[i] < 0x20 && envelope[i] != '\n')
			return dr_ss_fail(why, why_cap, "checkpoint: a control character at byte %zu", i);
	if ((valid = dr_utf8_valid_prefix((const unsigned char *)envelope, len)) != len)
		return dr_ss_fail(why, why_cap, "checkpoint: not UTF-8 at byte %zu", valid);
	/* The signatures follow the last blank line. */
	for (size_t i = 0; i + 1 < len; i++)
		if (envelope[i] == '\n' && envelope[i + 1] == '\n') {
			split = i;
			found = 1;
		}
	if (!found)
		return dr_ss_fail(why, why_cap, "checkpoint: no blank line before the signatures");
	n->text = envelope;
	n->text_len = split + 1;
	n->sigs = envelope + split + 2;
	n->sigs_len = len - split - 2;
	if (!n->sigs_len)
		return dr_ss_fail(why, why_cap, "checkpoint: no signature line");
	if (n->sigs[n->sigs_len - 1] != '\n')
		return dr_ss_fail(why, why_cap, "checkpoint: the last signature line does not end with a newline");
	return 0;
}

/* Parse the note text as a checkpoint into out; 0 or -1 with why filled. */
static int ckpt_parse_text(const struct ckpt_note *n, struct dr_ss_checkpoint *out, char *why, size_t why_cap)
{
	const char *p = n->text, *end = n->text + n->text_len, *nl;
	struct dr_ss_bytes hash = { NULL, 0 };
	unsigned long long size;
	size_t line_len;
	int line = 0;

	memset(out, 0, sizeof *out);
	for (; p < end; p = nl + 1, line++) {
		nl = memchr(p, '\n', (size_t)(end - p)); /* the text ends with a newline */
		line_len = (size_t)(nl - p);
		if (!line_len)
			return dr_ss_fail(why, why_cap, "checkpoint: an empty line %d in the note text", line + 1);
		if (line == 0) {
			if (line_len >= sizeof out->origin)
				return dr_ss_fail(why, why_cap, "checkpoint: an origin longer than %zu bytes",
						 sizeof out->origin - 1);
			memcpy(out->origin, p, line_len);
		} else if (line == 1) {
			/* Decimal, no sign, no leading zero (tlog-checkpoint). */
			if ((line_len > 1 && p[0] == '0') ||
			    dr_parse_unsigned(p, line_len, 10, UINT64_MAX, &size))
				return dr_ss_fail(why, why_cap, "checkpoint: the tree size line is not a number");
			out->size = (uint64_t)size;
		} else if (line == 2) {
			if (dr_ss_base64_decode(p, line_len, DR_SS_MERKLE_HASH_LEN, &hash) ||
			    hash.len != DR_SS_MERKLE_HASH_LEN) {
				dr_ss_bytes_free(&hash);
				return dr_ss_fail(why, why_cap, "checkpoint: the root hash line is not a base64 SHA-256 hash");
			}
			memcpy(out->root_hash, hash.data, DR_SS_MERKLE_HASH_LEN);
			dr_ss_bytes_free(&hash);
		}
		/* Further lines: extension lines (e.g. Rekor v1's "Timestamp: ..."), not interpreted. */
	}
	if (line < 3)
		return dr_ss_fail(why, why_cap, "checkpoint: %d note lines, not origin, size and root hash", line);
	return 0;
}

/* 1 when name is a signed-note key name: not empty, no white space, no '+'. */
static int ckpt_valid_name(const char *name, size_t len)
{
	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (strchr(" \t\n\v\f\r+", name[i]) || !name[i])
			return 0;
	return 1;
}

/* Parse the signature line at *pos of n's signature block into sig (advancing *pos); 1 with sig
 * filled (the caller frees sig->raw), 0 after the last line, -1 with why filled. */
static int ckpt_next_sig(const struct ckpt_note *n, size_t *pos, struct ckpt_sig *sig, char *why, size_t why_cap)
{
	const char *p = n->sigs + *pos, *nl, *sp;
	size_t line_len;

	memset(sig, 0, sizeof *sig);
	if (*pos >= n->sigs_len)
		return 0;
	nl = memchr(p, '\n', n->sigs_len - *pos); /* the block ends with a newline */
	line_len = (size_t)(nl - p);
	*pos += line_len + 1;
	if (line_len < CKPT_SIG_PREFIX_LEN || memcmp(p, CKPT_SIG_PREFIX, CKPT_SIG_PREFIX_LEN))
		return dr_ss_fail(why, why_cap, "checkpoint: a signature line does not start with an em dash");
	p += CKPT_SIG_PREFIX_LEN;
	line_len -= CKPT_SIG_PREFIX_LEN;
	sp = memchr(p, ' ', line_len);
	if (!sp || !ckpt_valid_name(p, (size_t)(sp - p)) || (size_t)(sp - p) >= sizeof sig->name)
		return dr_ss_fail(why, why_cap, "checkpoint: a signature line without a valid key name");
	memcpy(sig->name, p, (size_t)(sp - p));
	line_len -= (size_t)(sp - p) + 1;
	if (!line_len || dr_ss_base64_decode(sp + 1, line_len, DR_SS_KEY_HINT_LEN + DR_SS_NOTE_SIG_MAX, &sig->raw) ||
	    sig->raw.len <= DR_SS_KEY_HINT_LEN) {
		dr_ss_bytes_free(&sig->raw);
		return dr_ss_fail(why, why_cap, "checkpoint: the signature of \"%s\" is not base64 of a key hint and a signature",
				 sig->name);
	}
	return 1;
}

/* Split and parse the envelope, every signature line included; 0 or -1 with why filled. */
static int ckpt_parse(const char *envelope, struct ckpt_note *n, struct dr_ss_checkpoint *out, char *why,
		      size_t why_cap)
{
	struct ckpt_sig sig;
	size_t pos = 0, count = 0;
	int rc;

	if (ckpt_split(envelope, n, why, why_cap) || ckpt_parse_text(n, out, why, why_cap))
		return -1;
	while ((rc = ckpt_next_sig(n, &pos, &sig, why, why_cap)) == 1) {
		dr_ss_bytes_free(&sig.raw);
		if (++count > DR_SS_NOTE_SIGS_MAX)
			return dr_ss_fail(why, why_cap, "checkpoint: more than %d signature lines", DR_SS_NOTE_SIGS_MAX);
	}
	return rc;
}

int dr_ss_checkpoint_parse(const char *envelope, struct dr_ss_checkpoint *out, char *why, size_t why_cap)
{
	struct ckpt_note n;

	return ckpt_parse(envelope, &n, out, why, why_cap);
}

int dr_ss_checkpoint_verify(const char *envelope, const struct dr_ss_note_key *key, struct dr_ss_checkpoint *out,
			    char *why, size_t why_cap)
{
	char reason[DR_SS_REASON_MAX];
	struct ckpt_note n;
	struct ckpt_sig sig;
	size_t pos = 0;
	int rc, verified = 0;

	if (ckpt_parse(envelope, &n, out, why, why_cap))
		return -1;
	while ((rc = ckpt_next_sig(&n, &pos, &sig, why, why_cap)) == 1) {
		/* A line by another key (a witness's cosignature, another log): not ours to judge. */
		if ((key->name && strcmp(sig.name, key->name)) || memcmp(sig.raw.data, key->hint, DR_SS_KEY_HINT_LEN)) {
			dr_ss_bytes_free(&sig.raw);
			continue;
		}
		rc = dr_ss_pubkey_verify(key->spki, key->spki_len, key->key_details, (const unsigned char *)n.text,
					 n.text_len, sig.raw.data + DR_SS_KEY_HINT_LEN, sig.raw.len - DR_SS_KEY_HINT_LEN,
					 reason, sizeof reason);
		dr_ss_bytes_free(&sig.raw);
		if (rc)
			return dr_ss_fail(why, why_cap, "checkpoint: the log's signature (\"%s\") does not verify: %s",
					 sig.name, reason);
		verified++;
	}
	if (rc < 0)
		return -1;
	if (!verified)
		return dr_ss_fail(why, why_cap, "checkpoint: no signature by the log's key (name \"%s\", key hint %02x%02x%02x%02x)",
				 key->name ? key->name : "any", key->hint[0], key->hint[1], key->hint[2], key->hint[3]);
	return 0;
}
