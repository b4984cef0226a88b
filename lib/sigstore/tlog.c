/* tlog.c: transparency log entries (Rekor v1 and v2): the log named by the
 * trusted root, the signed entry timestamp, the inclusion proof against a
 * checkpoint signed by the log (merkle.h, checkpoint.h), and the entry body
 * (strict JSON through json-c, decode.h) compared with the bundle. The
 * facts follow sigstore-go (pkg/tlog, pkg/verify/tlog.go), sigstore-python
 * (verify/verifier.py), rekor (pkg/verify, pkg/util) and rekor-tiles. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>

#include "checkpoint.h"
#include "decode.h"
#include "dsse.h"
#include "merkle.h"
#include "number.h"
#include "pubkey.h"
#include "reason.h"
#include "tlog.h"

#define TLOG_DIGEST_MAX SHA512_DIGEST_SIZE
#define TLOG_NAME_MAX 64    /* bytes of a kind, version, algorithm or key details name */
#define TLOG_INT64_TEXT 24  /* characters of a decimal int64, sign and NUL included */

/* Which log generation an entry kind belongs to. */
enum tlog_gen { TLOG_REKOR_V1 = 1, TLOG_REKOR_V2 };

/* The entry kinds this verifier knows. */
enum tlog_kind { TLOG_HASHEDREKORD_001 = 1, TLOG_DSSE_001, TLOG_INTOTO_002, TLOG_HASHEDREKORD_002, TLOG_DSSE_002 };

static const struct {
	const char *kind, *version;
	enum tlog_kind id;
	enum tlog_gen gen;
} tlog_kinds[] = {
	{ "hashedrekord", "0.0.1", TLOG_HASHEDREKORD_001, TLOG_REKOR_V1 },
	{ "dsse", "0.0.1", TLOG_DSSE_001, TLOG_REKOR_V1 },
	{ "intoto", "0.0.2", TLOG_INTOTO_002, TLOG_REKOR_V1 },
	{ "hashedrekord", "0.0.2", TLOG_HASHEDREKORD_002, TLOG_REKOR_V2 },
	{ "dsse", "0.0.2", TLOG_DSSE_002, TLOG_REKOR_V2 },
};

/* A digest algorithm as the entry bodies name it (Rekor v1 lower case, Rekor v2 HashAlgorithm). */
static const struct {
	const char *v1, *v2;
	size_t len;
} tlog_algs[] = {
	{ "sha256", "SHA2_256", SHA256_DIGEST_SIZE },
	{ "sha384", "SHA2_384", SHA384_DIGEST_SIZE },
	{ "sha512", "SHA2_512", SHA512_DIGEST_SIZE },
};

/* The index into tlog_kinds of e's kind and version, or -1. */
static int tlog_kind_find(const struct dr_ss_tlog_entry *e)
{
	for (size_t i = 0; i < sizeof tlog_kinds / sizeof tlog_kinds[0]; i++)
		if (!strcmp(e->kind, tlog_kinds[i].kind) && !strcmp(e->version, tlog_kinds[i].version))
			return (int)i;
	return -1;
}

const struct dr_ss_log *dr_ss_tlog_log(const struct dr_ss_trusted_root *root, const struct dr_ss_tlog_entry *e)
{
	for (size_t i = 0; i < root->tlog_count && i < DR_SS_AUTHORITIES_MAX; i++)
		if (root->tlogs[i].log_id_len && root->tlogs[i].log_id_len == e->log_id_len &&
		    !memcmp(root->tlogs[i].log_id, e->log_id, e->log_id_len))
			return &root->tlogs[i];
	return NULL;
}

/* 1 when the window w covers t (both ends inclusive; an open end covers all), else 0. */
static int tlog_window_covers(const struct dr_ss_window *w, time_t t)
{
	return (!w->has_start || w->start <= t) && (!w->has_end || t <= w->end);
}

/* The SET's payload, RFC 8785 canonical JSON of {"body","integratedTime","logID","logIndex"} (keys
 * sorted, no white space; base64 and hex need no escaping; integers as plain decimals), in a new
 * heap buffer the caller frees; NULL when out of memory. */
static char *tlog_set_payload(const struct dr_ss_tlog_entry *e, size_t *len_out)
{
	static const char hex[] = "0123456789abcdef";
	size_t b64_len = BASE64_ENCODE_RAW_LENGTH(e->canonicalized_body.len);
	size_t cap = b64_len + 2 * e->log_id_len + 2 * TLOG_INT64_TEXT + 64, n = 0;
	char *out = malloc(cap);
	int w;

	if (!out)
		return NULL;
	w = snprintf(out, cap, "{\"body\":\"");
	if (w < 0 || (size_t)w + b64_len >= cap)
		goto fail;
	n = (size_t)w;
	base64_encode_raw(out + n, e->canonicalized_body.len, e->canonicalized_body.data);
	n += b64_len;
	w = snprintf(out + n, cap - n, "\",\"integratedTime\":%lld,\"logID\":\"", (long long)e->integrated_time);
	if (w < 0 || (size_t)w + 2 * e->log_id_len >= cap - n)
		goto fail;
	n += (size_t)w;
	for (size_t i = 0; i < e->log_id_len; i++) {
		out[n++] = hex[e->log_id[i] >> 4];
		out[n++] = hex[e->log_id[i] & 15];
	}
	w = snprintf(out + n, cap - n, "\",\"logIndex\":%lld}", (long long)e->log_index);
	if (w < 0 || (size_t)w >= cap - n)
		goto fail;
	*len_out = n + (size_t)w;
	return out;
fail:
	free(out);
	return NULL;
}

/* Verify e's SET with the log's key; 0 or -1 with why filled. */
static int tlog_verify_set(const struct dr_ss_tlog_entry *e, const struct dr_ss_log *log, char *why, size_t why_cap)
{
	char reason[DR_SS_REASON_MAX];
	size_t len = 0;
	char *payload;
	int rc;

	if (e->canonicalized_body.len > DR_SS_TLOG_BODY_MAX)
		return dr_ss_fail(why, why_cap, "log entry: a body longer than %u bytes", DR_SS_TLOG_BODY_MAX);
	if (!(payload = tlog_set_payload(e, &len)))
		return dr_ss_fail(why, why_cap, "log entry: out of memory");
	rc = dr_ss_pubkey_verify(log->public_key.data, log->public_key.len, log->key_details[0] ? log->key_details : NULL,
				 (const unsigned char *)payload, len, e->signed_entry_timestamp.data,
				 e->signed_entry_timestamp.len, reason, sizeof reason);
	free(payload);
	if (rc)
		return dr_ss_fail(why, why_cap, "log entry %lld: the signed entry timestamp does not verify: %s",
				 (long long)e->log_index, reason);
	return 0;
}

/* The host of an http(s) URL (no user info, no port, no brackets) into out; 0 or -1. */
static int tlog_url_host(const char *url, char *out, size_t cap)
{
	const char *p = strstr(url, "://"), *end, *at;
	size_t len;

	if (!p)
		return -1;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at)
		p = at + 1;
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));

		if (!close)
			return -1;
		p++;
		end = close;
	} else {
		const char *colon = memchr(p, ':', (size_t)(end - p));

		if (colon)
			end = colon;
	}
	len = (size_t)(end - p);
	if (!len || len >= cap)
		return -1;
	memcpy(out, p, len);
	out[len] = '\0';
	return 0;
}

/* Verify e's inclusion proof and its checkpoint signed by the log (gen decides the checkpoint
 * rules); 0 or -1 with why filled. */
static int tlog_verify_proof(const struct dr_ss_tlog_entry *e, const struct dr_ss_log *log, enum tlog_gen gen,
			     char *why, size_t why_cap)
{
	unsigned char leaf[DR_SS_MERKLE_HASH_LEN];
	char host[DR_SS_NOTE_NAME_MAX], reason[DR_SS_REASON_MAX];
	struct dr_ss_note_key key;
	struct dr_ss_checkpoint cp;
	const char *kd = log->key_details[0] ? log->key_details : NULL;

	if (!e->checkpoint || !e->checkpoint[0])
		return dr_ss_fail(why, why_cap, "log entry %lld: an inclusion proof without a checkpoint",
				 (long long)e->log_index);
	if (e->proof_root_hash_len != DR_SS_MERKLE_HASH_LEN || e->proof_log_index < 0 || e->proof_tree_size <= 0 ||
	    e->proof_hash_count > DR_SS_PROOF_HASHES_MAX)
		return dr_ss_fail(why, why_cap, "log entry %lld: a malformed inclusion proof", (long long)e->log_index);
	/* Rekor v2 proves the entry's own index; Rekor v1's proof index is the shard's, not the global one. */
	if (gen == TLOG_REKOR_V2 && e->proof_log_index != e->log_index)
		return dr_ss_fail(why, why_cap, "log entry %lld: the inclusion proof is for index %lld",
				 (long long)e->log_index, (long long)e->proof_log_index);
	if (e->canonicalized_body.len > DR_SS_TLOG_BODY_MAX)
		return dr_ss_fail(why, why_cap, "log entry: a body longer than %u bytes", DR_SS_TLOG_BODY_MAX);
	dr_ss_merkle_leaf_hash(e->canonicalized_body.data, e->canonicalized_body.len, leaf);
	if (dr_ss_merkle_verify_inclusion((uint64_t)e->proof_log_index, (uint64_t)e->proof_tree_size, leaf,
					  (const unsigned char(*)[DR_SS_MERKLE_HASH_LEN])e->proof_hashes,
					  e->proof_hash_count, e->proof_root_hash, reason, sizeof reason))
		return dr_ss_fail(why, why_cap, "log entry %lld: %s", (long long)e->log_index, reason);

	memset(&key, 0, sizeof key);
	key.spki = log->public_key.data;
	key.spki_len = log->public_key.len;
	key.key_details = kd;
	if (gen == TLOG_REKOR_V2) {
		/* The log's origin and key name are the host of its baseUrl (sigstore-go's tlog.go). */
		if (tlog_url_host(log->base_url, host, sizeof host))
			return dr_ss_fail(why, why_cap, "log entry %lld: the trusted root's log has no usable baseUrl",
					 (long long)e->log_index);
		key.name = host;
		if (dr_ss_note_key_hint(DR_SS_HINT_C2SP, host, key.spki, key.spki_len, kd, key.hint, why, why_cap))
			return -1;
	} else if (dr_ss_note_key_hint(DR_SS_HINT_SPKI, NULL, key.spki, key.spki_len, kd, key.hint, why, why_cap)) {
		return -1;
	}
	if (dr_ss_checkpoint_verify(e->checkpoint, &key, &cp, reason, sizeof reason))
		return dr_ss_fail(why, why_cap, "log entry %lld: %s", (long long)e->log_index, reason);
	if (gen == TLOG_REKOR_V2 && strcmp(cp.origin, host))
		return dr_ss_fail(why, why_cap, "log entry %lld: the checkpoint's origin \"%s\" is not the log's \"%s\"",
				 (long long)e->log_index, cp.origin, host);
	if (cp.size != (uint64_t)e->proof_tree_size || memcmp(cp.root_hash, e->proof_root_hash, DR_SS_MERKLE_HASH_LEN))
		return dr_ss_fail(why, why_cap, "log entry %lld: the checkpoint's tree (size %llu) is not the inclusion proof's (size %lld)",
				 (long long)e->log_index, (unsigned long long)cp.size, (long long)e->proof_tree_size);
	return 0;
}

int dr_ss_tlog_verify(const struct dr_ss_tlog_entry *e, const struct dr_ss_trusted_root *root, time_t now, char *why,
		      size_t why_cap)
{
	const struct dr_ss_log *log;
	enum tlog_gen gen;
	int k;

	if ((k = tlog_kind_find(e)) < 0)
		return dr_ss_fail(why, why_cap, "log entry %lld: unsupported kind %s %s", (long long)e->log_index, e->kind,
				 e->version);
	gen = tlog_kinds[k].gen;
	if (e->log_index < 0)
		return dr_ss_fail(why, why_cap, "log entry: a negative log index");
	if (!e->canonicalized_body.data || !e->canonicalized_body.len)
		return dr_ss_fail(why, why_cap, "log entry %lld: no body", (long long)e->log_index);
	if (!(log = dr_ss_tlog_log(root, e)))
		return dr_ss_fail(why, why_cap, "log entry %lld: from a log the trusted root does not know",
				 (long long)e->log_index);
	if (!log->valid_for.has_start)
		return dr_ss_fail(why, why_cap, "log entry %lld: the trusted root gives its log no validity start",
				 (long long)e->log_index);

	if (gen == TLOG_REKOR_V2) {
		/* Rekor v2 signs no integrated time: nothing here may pass for a proven time. */
		if (e->signed_entry_timestamp.len || e->integrated_time)
			return dr_ss_fail(why, why_cap, "log entry %lld: a Rekor v2 entry with a signed entry timestamp or an integrated time",
					 (long long)e->log_index);
		if (!e->has_inclusion_proof)
			return dr_ss_fail(why, why_cap, "log entry %lld: a Rekor v2 entry without an inclusion proof",
					 (long long)e->log_index);
		return tlog_verify_proof(e, log, gen, why, why_cap);
	}

	if (!e->signed_entry_timestamp.len && !e->has_inclusion_proof)
		return dr_ss_fail(why, why_cap, "log entry %lld: neither a signed entry timestamp nor an inclusion proof",
				 (long long)e->log_index);
	if (e->integrated_time <= 0 && e->signed_entry_timestamp.len)
		return dr_ss_fail(why, why_cap, "log entry %lld: a signed entry timestamp without an integrated time",
				 (long long)e->log_index);
	if (e->integrated_time > 0) {
		if (!tlog_window_covers(&log->valid_for, (time_t)e->integrated_time))
			return dr_ss_fail(why, why_cap, "log entry %lld: integrated time %lld outside the log key's validity in the trusted root",
					 (long long)e->log_index, (long long)e->integrated_time);
		if ((time_t)e->integrated_time > now)
			return dr_ss_fail(why, why_cap, "log entry %lld: integrated time %lld is in the future",
					 (long long)e->log_index, (long long)e->integrated_time);
	}
	if (e->signed_entry_timestamp.len && tlog_verify_set(e, log, why, why_cap))
		return -1;
	if (e->has_inclusion_proof && tlog_verify_proof(e, log, gen, why, why_cap))
		return -1;
	return 0;
}

/* --- The entry body against the bundle. --- */

/* How a DSSE-like entry writes each signature. */
enum tlog_sig_form {
	TLOG_SIG_DSSE_001 = 1, /* {"signature": base64(sig), "verifier": base64(PEM)} */
	TLOG_SIG_INTOTO_002,   /* {"sig": base64(base64(sig)), "publicKey": base64(PEM)} */
	TLOG_SIG_DSSE_002,     /* {"content": base64(sig), "verifier": Verifier} */
};

/* 1 when the bytes x are the len bytes at y, else 0. */
static int tlog_bytes_are(const struct dr_ss_bytes *x, const unsigned char *y, size_t len)
{
	return x->data && x->len == len && !memcmp(x->data, y, len);
}

/* 1 when member key of obj is base64 of the bytes want (len), else 0. */
static int tlog_b64_member_is(json_object *obj, const char *key, const unsigned char *want, size_t len)
{
	struct dr_ss_bytes got = { NULL, 0 };
	int same;

	if (!obj || dr_ss_json_bytes(obj, key, DR_SS_TLOG_BODY_MAX, &got))
		return 0;
	same = tlog_bytes_are(&got, want, len);
	dr_ss_bytes_free(&got);
	return same;
}

/* 1 when member key of obj is base64 of a PEM block (a certificate or a public key) whose DER is
 * the len bytes at der, else 0. */
static int tlog_pem_member_is(json_object *obj, const char *key, const unsigned char *der, size_t len)
{
	struct dr_ss_bytes pem = { NULL, 0 };
	gnutls_datum_t in, out = { NULL, 0 };
	int same = 0;

	if (!obj || !der || dr_ss_json_bytes(obj, key, DR_SS_TLOG_BODY_MAX, &pem) || !pem.len)
		goto done;
	in.data = pem.data;
	in.size = (unsigned)pem.len;
	if (gnutls_pem_base64_decode2(NULL, &in, &out) == GNUTLS_E_SUCCESS)
		same = out.size == len && !memcmp(out.data, der, len);
	gnutls_free(out.data);
done:
	dr_ss_bytes_free(&pem);
	return same;
}

/* 1 when the Rekor v2 Verifier obj (x509Certificate or publicKey, rawBytes) is the len bytes at
 * der, else 0. */
static int tlog_v2_verifier_is(json_object *obj, const unsigned char *der, size_t len)
{
	json_object *cert = dr_ss_json_member(obj, "x509Certificate", json_type_object);
	json_object *key = dr_ss_json_member(obj, "publicKey", json_type_object);

	if (!der || (cert && key))
		return 0;
	return tlog_b64_member_is(cert ? cert : key, "rawBytes", der, len);
}

/* 1 when hex (any case) is exactly the len bytes at bin, else 0. */
static int tlog_hex_is(const char *hex, const unsigned char *bin, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int hi = hex[2 * i] ? dr_hex_digit(hex[2 * i]) : -1;
		int lo = hi >= 0 && hex[2 * i + 1] ? dr_hex_digit(hex[2 * i + 1]) : -1;

		if (lo < 0 || (unsigned)(hi << 4 | lo) != bin[i])
			return 0;
	}
	return hex[2 * len] == '\0';
}

/* The index into tlog_algs of the algorithm name (v2: HashAlgorithm names), or -1. */
static int tlog_alg_find(const char *name, int v2)
{
	for (size_t i = 0; i < sizeof tlog_algs / sizeof tlog_algs[0]; i++)
		if (!strcmp(name, v2 ? tlog_algs[i].v2 : tlog_algs[i].v1))
			return (int)i;
	return -1;
}

/* The digest of len bytes of data with algorithm alg into out. */
static void tlog_digest(int alg, const unsigned char *data, size_t len, unsigned char *out)
{
	struct sha512_ctx c512;
	struct sha256_ctx c256;

	if (alg == 0) {
		sha256_init(&c256);
		sha256_update(&c256, len, data);
		sha256_digest(&c256, SHA256_DIGEST_SIZE, out);
		return;
	}
	if (alg == 1)
		sha384_init(&c512);
	else
		sha512_init(&c512);
	sha512_update(&c512, len, data);
	if (alg == 1)
		sha384_digest(&c512, SHA384_DIGEST_SIZE, out);
	else
		sha512_digest(&c512, SHA512_DIGEST_SIZE, out);
}

/* The artifact's digest with algorithm alg into out (its SHA-256 always, others from its bytes);
 * 0 or -1 with why filled. */
static int tlog_artifact_digest(const struct dr_ss_artifact *a, int alg, unsigned char *out, char *why, size_t why_cap)
{
	if (alg == 0) {
		memcpy(out, a->sha256, SHA256_DIGEST_SIZE);
		return 0;
	}
	if (!a->data)
		return dr_ss_fail(why, why_cap, "log entry: a %s digest of the artifact needs its bytes, not its SHA-256",
				 tlog_algs[alg].v1);
	tlog_digest(alg, a->data, a->len, out);
	return 0;
}

/* The algorithm a Sigstore PublicKeyDetails name prehashes with (its index in tlog_algs), or -1
 * for a scheme without a prehash (pure Ed25519), which hashedrekord does not allow. */
static int tlog_key_details_alg(const char *kd)
{
	static const struct {
		const char *suffix;
		int alg;
	} ends[] = { { "SHA_256", 0 }, { "SHA256", 0 }, { "SHA_384", 1 }, { "SHA384", 1 },
		     { "SHA_512", 2 }, { "SHA512", 2 }, { "ED25519_PH", 2 } };
	size_t n = strlen(kd);

	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		size_t m = strlen(ends[i].suffix);

		if (n > m && !strcmp(kd + n - m, ends[i].suffix))
			return ends[i].alg;
	}
	return -1;
}

/* Hashedrekord 0.0.1: {"spec": {"data": {"hash": {"algorithm", "value": hex}}, "signature":
 * {"content": base64, "publicKey": {"content": base64(PEM)}}}}. */
static int tlog_match_hashedrekord_001(json_object *spec, const struct dr_ss_bundle *b, const struct dr_ss_artifact *a,
				       const unsigned char *der, size_t der_len, char *why, size_t why_cap)
{
	json_object *data = dr_ss_json_member(spec, "data", json_type_object);
	json_object *hash = data ? dr_ss_json_member(data, "hash", json_type_object) : NULL;
	json_object *sig = dr_ss_json_member(spec, "signature", json_type_object);
	json_object *pk = sig ? dr_ss_json_member(sig, "publicKey", json_type_object) : NULL;
	unsigned char want[TLOG_DIGEST_MAX];
	char alg_name[TLOG_NAME_MAX], value[2 * TLOG_DIGEST_MAX + 1];
	int alg;

	if (b->content != DR_SS_MESSAGE_SIGNATURE)
		return dr_ss_fail(why, why_cap, "log entry: a hashedrekord entry for a bundle without a message signature");
	if (!hash || !pk || dr_ss_json_string(hash, "algorithm", alg_name, sizeof alg_name) ||
	    dr_ss_json_string(hash, "value", value, sizeof value))
		return dr_ss_fail(why, why_cap, "log entry: a malformed hashedrekord 0.0.1 body");
	if ((alg = tlog_alg_find(alg_name, 0)) < 0)
		return dr_ss_fail(why, why_cap, "log entry: unsupported hashedrekord digest algorithm %s", alg_name);
	if (tlog_artifact_digest(a, alg, want, why, why_cap))
		return -1;
	if (!tlog_hex_is(value, want, tlog_algs[alg].len))
		return dr_ss_fail(why, why_cap, "log entry: the logged digest is not the artifact's");
	if (!tlog_b64_member_is(sig, "content", b->signature.data, b->signature.len))
		return dr_ss_fail(why, why_cap, "log entry: the logged signature is not the bundle's");
	if (!tlog_pem_member_is(pk, "content", der, der_len))
		return dr_ss_fail(why, why_cap, "log entry: the logged certificate or key is not the bundle's");
	return 0;
}

/* Hashedrekord 0.0.2 (Rekor v2): {"spec": {"hashedRekordV002": {"data": {"algorithm", "digest":
 * base64}, "signature": {"content": base64, "verifier": {"keyDetails", "x509Certificate" or
 * "publicKey": {"rawBytes"}}}}}}; for a DSSE envelope the digest is of its PAE and the signature
 * its one signature (rekor-v2-spec 6.1.4). */
static int tlog_match_hashedrekord_002(json_object *spec, const struct dr_ss_bundle *b, const struct dr_ss_artifact *a,
				       const unsigned char *der, size_t der_len, char *why, size_t why_cap)
{
	json_object *hr = dr_ss_json_member(spec, "hashedRekordV002", json_type_object);
	json_object *data = hr ? dr_ss_json_member(hr, "data", json_type_object) : NULL;
	json_object *sig = hr ? dr_ss_json_member(hr, "signature", json_type_object) : NULL;
	json_object *verifier = sig ? dr_ss_json_member(sig, "verifier", json_type_object) : NULL;
	unsigned char want[TLOG_DIGEST_MAX];
	char alg_name[TLOG_NAME_MAX], kd[TLOG_NAME_MAX];
	const struct dr_ss_bytes *signature;
	struct dr_ss_bytes pae = { NULL, 0 };
	int alg;

	if (!data || !verifier || dr_ss_json_string(data, "algorithm", alg_name, sizeof alg_name) ||
	    dr_ss_json_string(verifier, "keyDetails", kd, sizeof kd))
		return dr_ss_fail(why, why_cap, "log entry: a malformed hashedrekord 0.0.2 body");
	if ((alg = tlog_alg_find(alg_name, 1)) < 0)
		return dr_ss_fail(why, why_cap, "log entry: unsupported hashedrekord digest algorithm %s", alg_name);
	if (tlog_key_details_alg(kd) != alg)
		return dr_ss_fail(why, why_cap, "log entry: key details %s do not go with digest algorithm %s", kd, alg_name);
	if (b->content == DR_SS_MESSAGE_SIGNATURE) {
		if (tlog_artifact_digest(a, alg, want, why, why_cap))
			return -1;
		signature = &b->signature;
	} else if (b->content == DR_SS_DSSE_ENVELOPE) {
		if (b->dsse_signature_count != 1)
			return dr_ss_fail(why, why_cap, "log entry: a hashedrekord entry for a DSSE envelope needs exactly one signature");
		if (dr_ss_dsse_pae(b, &pae, why, why_cap))
			return -1;
		tlog_digest(alg, pae.data, pae.len, want);
		dr_ss_bytes_free(&pae);
		signature = &b->dsse_signatures[0].sig;
	} else {
		return dr_ss_fail(why, why_cap, "log entry: a bundle with neither a message signature nor a DSSE envelope");
	}
	if (!tlog_b64_member_is(data, "digest", want, tlog_algs[alg].len))
		return dr_ss_fail(why, why_cap, b->content == DR_SS_DSSE_ENVELOPE ?
				 "log entry: the logged digest is not the DSSE envelope's" :
				 "log entry: the logged digest is not the artifact's");
	if (!tlog_b64_member_is(sig, "content", signature->data, signature->len))
		return dr_ss_fail(why, why_cap, "log entry: the logged signature is not the bundle's");
	if (!tlog_v2_verifier_is(verifier, der, der_len))
		return dr_ss_fail(why, why_cap, "log entry: the logged certificate or key is not the bundle's");
	return 0;
}

/* One logged DSSE signature el in form into sig (a new heap buffer; the caller frees); 1 when its
 * verifier is der, 0 when another, -1 when malformed. */
static int tlog_dsse_sig(json_object *el, enum tlog_sig_form form, const unsigned char *der, size_t der_len,
			 struct dr_ss_bytes *sig)
{
	struct dr_ss_bytes text = { NULL, 0 };
	json_object *verifier;

	switch (form) {
	case TLOG_SIG_DSSE_001:
		if (dr_ss_json_bytes(el, "signature", DR_SS_SIG_MAX, sig))
			return -1;
		return tlog_pem_member_is(el, "verifier", der, der_len);
	case TLOG_SIG_INTOTO_002:
		/* In intoto 0.0.2 the envelope's base64 signature is base64-encoded once more. */
		if (dr_ss_json_bytes(el, "sig", 2 * DR_SS_SIG_MAX, &text) ||
		    dr_ss_base64_decode((const char *)text.data, text.len, DR_SS_SIG_MAX, sig)) {
			dr_ss_bytes_free(&text);
			return -1;
		}
		dr_ss_bytes_free(&text);
		return tlog_pem_member_is(el, "publicKey", der, der_len);
	case TLOG_SIG_DSSE_002:
		if (!(verifier = dr_ss_json_member(el, "verifier", json_type_object)) ||
		    dr_ss_json_bytes(el, "content", DR_SS_SIG_MAX, sig))
			return -1;
		return tlog_v2_verifier_is(verifier, der, der_len);
	}
	return -1;
}

/* The logged signatures (array sigs in form) are exactly the envelope's, each with verifier der. */
static int tlog_match_dsse_sigs(json_object *sigs, enum tlog_sig_form form, const struct dr_ss_bundle *b,
				const unsigned char *der, size_t der_len, char *why, size_t why_cap)
{
	int used[DR_SS_DSSE_SIGNATURES_MAX] = { 0 };
	size_t n = sigs ? json_object_array_length(sigs) : 0;

	if (!n || n != b->dsse_signature_count || n > DR_SS_DSSE_SIGNATURES_MAX)
		return dr_ss_fail(why, why_cap, "log entry: %zu logged signatures, the envelope has %zu", n,
				 b->dsse_signature_count);
	for (size_t i = 0; i < n; i++) {
		json_object *el = json_object_array_get_idx(sigs, i);
		struct dr_ss_bytes sig = { NULL, 0 };
		size_t j;
		int rc;

		if (!json_object_is_type(el, json_type_object) || (rc = tlog_dsse_sig(el, form, der, der_len, &sig)) < 0) {
			dr_ss_bytes_free(&sig);
			return dr_ss_fail(why, why_cap, "log entry: a malformed logged signature");
		}
		for (j = 0; j < n; j++)
			if (!used[j] && tlog_bytes_are(&b->dsse_signatures[j].sig, sig.data, sig.len))
				break;
		dr_ss_bytes_free(&sig);
		if (j == n)
			return dr_ss_fail(why, why_cap, "log entry: a logged signature is not the envelope's");
		if (!rc)
			return dr_ss_fail(why, why_cap, "log entry: the logged certificate or key is not the bundle's");
		used[j] = 1;
	}
	return 0;
}

/* DSSE 0.0.1, intoto 0.0.2 and DSSE 0.0.2: the payload's SHA-256 and the signatures. */
static int tlog_match_dsse(json_object *spec, enum tlog_kind kind, const struct dr_ss_bundle *b,
			   const unsigned char *der, size_t der_len, char *why, size_t why_cap)
{
	json_object *holder = spec, *ph, *sigs, *env = NULL;
	unsigned char want[SHA256_DIGEST_SIZE];
	char alg[TLOG_NAME_MAX], value[2 * SHA256_DIGEST_SIZE + 1], type[sizeof b->dsse_payload_type];
	enum tlog_sig_form form;
	int ok;

	if (b->content != DR_SS_DSSE_ENVELOPE)
		return dr_ss_fail(why, why_cap, "log entry: a %s entry for a bundle without a DSSE envelope",
				 kind == TLOG_INTOTO_002 ? "intoto" : "dsse");
	tlog_digest(0, b->dsse_payload.data, b->dsse_payload.len, want);
	if (kind == TLOG_INTOTO_002) {
		holder = dr_ss_json_member(spec, "content", json_type_object);
		env = holder ? dr_ss_json_member(holder, "envelope", json_type_object) : NULL;
		sigs = env ? dr_ss_json_member(env, "signatures", json_type_array) : NULL;
		form = TLOG_SIG_INTOTO_002;
	} else if (kind == TLOG_DSSE_002) {
		holder = dr_ss_json_member(spec, "dsseV002", json_type_object);
		sigs = holder ? dr_ss_json_member(holder, "signatures", json_type_array) : NULL;
		form = TLOG_SIG_DSSE_002;
	} else {
		sigs = dr_ss_json_member(spec, "signatures", json_type_array);
		form = TLOG_SIG_DSSE_001;
	}
	ph = holder ? dr_ss_json_member(holder, "payloadHash", json_type_object) : NULL;
	if (!ph || !sigs || dr_ss_json_string(ph, "algorithm", alg, sizeof alg))
		return dr_ss_fail(why, why_cap, "log entry: a malformed %s %s body", kind == TLOG_INTOTO_002 ? "intoto" : "dsse",
				 kind == TLOG_DSSE_001 ? "0.0.1" : "0.0.2");
	if (kind == TLOG_DSSE_002)
		ok = !strcmp(alg, "SHA2_256") && tlog_b64_member_is(ph, "digest", want, sizeof want);
	else
		ok = !strcmp(alg, "sha256") && !dr_ss_json_string(ph, "value", value, sizeof value) &&
		     tlog_hex_is(value, want, sizeof want);
	if (!ok)
		return dr_ss_fail(why, why_cap, "log entry: the logged payload hash is not the envelope payload's");
	if (env && dr_ss_json_member(env, "payloadType", json_type_string) &&
	    (dr_ss_json_string(env, "payloadType", type, sizeof type) || strcmp(type, b->dsse_payload_type)))
		return dr_ss_fail(why, why_cap, "log entry: the logged payload type is not the envelope's");
	return tlog_match_dsse_sigs(sigs, form, b, der, der_len, why, why_cap);
}

int dr_ss_tlog_body_matches(const struct dr_ss_tlog_entry *e, const struct dr_ss_bundle *b,
			    const struct dr_ss_artifact *a, const unsigned char *verifier_der, size_t verifier_len,
			    char *why, size_t why_cap)
{
	char kind[TLOG_NAME_MAX], version[TLOG_NAME_MAX];
	json_object *body = NULL, *spec;
	int k, rc;

	if ((k = tlog_kind_find(e)) < 0)
		return dr_ss_fail(why, why_cap, "log entry %lld: unsupported kind %s %s", (long long)e->log_index, e->kind,
				 e->version);
	if (!verifier_der || !verifier_len)
		return dr_ss_fail(why, why_cap, "log entry: no certificate or key to compare");
	if (!e->canonicalized_body.data || e->canonicalized_body.len > DR_SS_TLOG_BODY_MAX)
		return dr_ss_fail(why, why_cap, "log entry %lld: no body, or one too long", (long long)e->log_index);
	if (dr_ss_json_parse((const char *)e->canonicalized_body.data, e->canonicalized_body.len, &body, why, why_cap))
		return -1;
	/* The kind the bundle claims must be the one the log recorded. */
	if (dr_ss_json_string(body, "kind", kind, sizeof kind) ||
	    dr_ss_json_string(body, "apiVersion", version, sizeof version) || strcmp(kind, e->kind) ||
	    strcmp(version, e->version)) {
		json_object_put(body);
		return dr_ss_fail(why, why_cap, "log entry %lld: the body is not of kind %s %s", (long long)e->log_index,
				 e->kind, e->version);
	}
	if (!(spec = dr_ss_json_member(body, "spec", json_type_object))) {
		json_object_put(body);
		return dr_ss_fail(why, why_cap, "log entry %lld: a body without a spec", (long long)e->log_index);
	}
	switch (tlog_kinds[k].id) {
	case TLOG_HASHEDREKORD_001:
		rc = tlog_match_hashedrekord_001(spec, b, a, verifier_der, verifier_len, why, why_cap);
		break;
	case TLOG_HASHEDREKORD_002:
		rc = tlog_match_hashedrekord_002(spec, b, a, verifier_der, verifier_len, why, why_cap);
		break;
	default:
		rc = tlog_match_dsse(spec, tlog_kinds[k].id, b, verifier_der, verifier_len, why, why_cap);
		break;
	}
	json_object_put(body);
	return rc;
}
