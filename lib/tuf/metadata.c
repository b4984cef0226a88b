/* metadata.c: one TUF role's metadata decoded; see metadata.h. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "canonical.h"
#include "clock.h"
#include "decode.h"
#include "error.h"
#include "metadata.h"
#include "number.h"

#define MD_ED25519_KEY_LEN 32
#define MD_SPEC_MAJOR "1"
#define MD_TYPE_MAX 16
#define MD_SPEC_VERSION_MAX 32
#define MD_SCHEME_MAX 64

static const char *const md_role_names[DR_TUF_ROLES] = { "root", "timestamp", "snapshot", "targets" };

const char *dr_tuf_role_name(enum dr_tuf_role role)
{
	return role < DR_TUF_ROLES ? md_role_names[role] : "?";
}

/* Decode hex (either case, an even count) into out (at most cap bytes); the length or -1. */
static long md_hex(const char *hex, size_t len, unsigned char *out, size_t cap)
{
	size_t i;

	if (len % 2 || len / 2 > cap)
		return -1;
	for (i = 0; i < len; i += 2) {
		int hi = dr_hex_digit(hex[i]), lo = dr_hex_digit(hex[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return (long)(len / 2);
}

/* The hex string member key of obj into out, exactly want bytes when want > 0; the length or -1. */
static long md_hex_member(json_object *obj, const char *key, unsigned char *out, size_t cap, size_t want)
{
	json_object *v = dr_ss_json_member(obj, key, json_type_string);
	long n;

	if (!v)
		return -1;
	n = md_hex(json_object_get_string(v), (size_t)json_object_get_string_len(v), out, cap);
	return n < 0 || (want && (size_t)n != want) ? -1 : n;
}

/* An integer member (a JSON integer, not a string or a fraction) in [min, max]; 0 or -1. */
static int md_integer(json_object *obj, const char *key, long long min, long long max, long long *out)
{
	json_object *v = dr_ss_json_member(obj, key, json_type_int);
	int64_t n;

	if (!v)
		return -1;
	n = json_object_get_int64(v);
	if (n < min || n > max)
		return -1;
	*out = (long long)n;
	return 0;
}

static int md_fail(char *why, size_t cap, const char *what)
{
	snprintf(why, cap, "%s", what);
	return -1;
}

/* _type, spec_version (major 1), version and expires of signed. */
static int md_common(json_object *sig, enum dr_tuf_role role, struct dr_tuf_metadata *md, char *why, size_t cap)
{
	char type[MD_TYPE_MAX], spec[MD_SPEC_VERSION_MAX];
	size_t major;

	if (dr_ss_json_string(sig, "_type", type, sizeof type) || strcmp(type, md_role_names[role])) {
		snprintf(why, cap, "_type is not \"%s\"", md_role_names[role]);
		return -1;
	}
	if (dr_ss_json_string(sig, "spec_version", spec, sizeof spec))
		return md_fail(why, cap, "no spec_version");
	major = strcspn(spec, ".");
	if (major != strlen(MD_SPEC_MAJOR) || memcmp(spec, MD_SPEC_MAJOR, major))
		return md_fail(why, cap, "spec_version is not 1.x");
	if (md_integer(sig, "version", 1, DR_TUF_VERSION_MAX, &md->version))
		return md_fail(why, cap, "version is not a whole number from 1");
	if (dr_ss_json_string(sig, "expires", md->expires_text, sizeof md->expires_text) ||
	    dr_time_parse_rfc3339(md->expires_text, 0, &md->expires))
		return md_fail(why, cap, "expires is not a time");
	return 0;
}

/* The signatures array; a signature too long or not hex is kept empty (it never verifies). */
static int md_signatures(json_object *top, struct dr_tuf_metadata *md, char *why, size_t cap)
{
	json_object *list = dr_ss_json_member(top, "signatures", json_type_array);
	size_t i, n;

	if (!list)
		return md_fail(why, cap, "no signatures array");
	n = json_object_array_length(list);
	if (n > DR_TUF_SIGNATURES_MAX)
		return md_fail(why, cap, "more signatures than " DR_TUF_STR(DR_TUF_SIGNATURES_MAX));
	for (i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(list, i);
		struct dr_tuf_signature *out = &md->signatures[md->signature_count];
		long len;
		if (dr_ss_json_string(s, "keyid", out->keyid, sizeof out->keyid) || !out->keyid[0])
			return md_fail(why, cap, "a signature without a keyid");
		len = md_hex_member(s, "sig", out->sig, sizeof out->sig, 0);
		out->sig_len = len > 0 ? (size_t)len : 0;
		md->signature_count++;
	}
	return 0;
}

/* An Ed25519 raw key (32 bytes) wrapped into its SubjectPublicKeyInfo DER (RFC 8410). */
static void md_ed25519_spki(const unsigned char raw[MD_ED25519_KEY_LEN], struct dr_tuf_key *k)
{
	static const unsigned char prefix[] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };

	memcpy(k->spki, prefix, sizeof prefix);
	memcpy(k->spki + sizeof prefix, raw, MD_ED25519_KEY_LEN);
	k->spki_len = sizeof prefix + MD_ED25519_KEY_LEN;
	k->type = DR_TUF_KEY_ED25519;
}

/* The key material of a known type and scheme; anything else leaves the key unusable. */
static void md_key_material(json_object *key, struct dr_tuf_key *k)
{
	char type[MD_SCHEME_MAX], scheme[MD_SCHEME_MAX];
	json_object *keyval = dr_ss_json_member(key, "keyval", json_type_object), *pub;
	unsigned char raw[MD_ED25519_KEY_LEN];
	struct dr_ss_bytes der = { NULL, 0 };

	k->type = DR_TUF_KEY_UNUSABLE;
	pub = dr_ss_json_member(keyval, "public", json_type_string);
	if (!pub || dr_ss_json_string(key, "keytype", type, sizeof type) ||
	    dr_ss_json_string(key, "scheme", scheme, sizeof scheme) ||
	    (size_t)json_object_get_string_len(pub) > DR_TUF_PUBLIC_MAX)
		return;
	if (!strcmp(type, "ed25519") && !strcmp(scheme, "ed25519")) {
		if (md_hex_member(keyval, "public", raw, sizeof raw, sizeof raw) > 0)
			md_ed25519_spki(raw, k);
		return;
	}
	if ((strcmp(type, "ecdsa") && strcmp(type, "ecdsa-sha2-nistp256")) || strcmp(scheme, "ecdsa-sha2-nistp256"))
		return;
	if (dr_ss_pem_public_key(json_object_get_string(pub), (size_t)json_object_get_string_len(pub), &der))
		return;
	if (der.len <= sizeof k->spki) {
		memcpy(k->spki, der.data, der.len);
		k->spki_len = der.len;
		k->type = DR_TUF_KEY_ECDSA_P256;
	}
	dr_ss_bytes_free(&der);
}

static int md_keys(json_object *sig, struct dr_tuf_metadata *md, char *why, size_t cap)
{
	json_object *keys = dr_ss_json_member(sig, "keys", json_type_object);

	if (!keys)
		return md_fail(why, cap, "no keys");
	json_object_object_foreach(keys, keyid, key) {
		struct dr_tuf_key *k = &md->keys[md->key_count];
		if (md->key_count == DR_TUF_KEYS_MAX)
			return md_fail(why, cap, "more keys than " DR_TUF_STR(DR_TUF_KEYS_MAX));
		if (!json_object_is_type(key, json_type_object) || !keyid[0] || dr_strlcpy(k->keyid, keyid, sizeof k->keyid))
			return md_fail(why, cap, "a key that is not an object, or a keyid empty or too long");
		md_key_material(key, k);
		md->key_count++;
	}
	return 0;
}

static int md_role(json_object *roles, enum dr_tuf_role role, struct dr_tuf_role_keys *out, char *why, size_t cap)
{
	json_object *r = dr_ss_json_member(roles, md_role_names[role], json_type_object);
	json_object *ids = dr_ss_json_member(r, "keyids", json_type_array);
	size_t i, n;

	if (!ids || md_integer(r, "threshold", 1, DR_TUF_KEYIDS_MAX, &out->threshold)) {
		snprintf(why, cap, "role %s without keyids or a threshold from 1 to %d", md_role_names[role], DR_TUF_KEYIDS_MAX);
		return -1;
	}
	n = json_object_array_length(ids);
	if (n > DR_TUF_KEYIDS_MAX) {
		snprintf(why, cap, "role %s has more keyids than %d", md_role_names[role], DR_TUF_KEYIDS_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		json_object *id = json_object_array_get_idx(ids, i);
		if (!json_object_is_type(id, json_type_string) ||
		    dr_strlcpy(out->keyids[out->count], json_object_get_string(id), sizeof out->keyids[0])) {
			snprintf(why, cap, "role %s has a keyid that is not a string or too long", md_role_names[role]);
			return -1;
		}
		out->count++;
	}
	return 0;
}

static int md_root(json_object *sig, struct dr_tuf_metadata *md, char *why, size_t cap)
{
	json_object *roles = dr_ss_json_member(sig, "roles", json_type_object);
	json_object *cs = dr_ss_json_member(sig, "consistent_snapshot", json_type_boolean);
	int r;

	if (dr_ss_json_present(sig, "consistent_snapshot") && !cs)
		return md_fail(why, cap, "consistent_snapshot is not a boolean");
	md->consistent_snapshot = cs ? json_object_get_boolean(cs) : 0;
	if (md_keys(sig, md, why, cap))
		return -1;
	if (!roles)
		return md_fail(why, cap, "no roles");
	for (r = 0; r < DR_TUF_ROLES; r++)
		if (md_role(roles, (enum dr_tuf_role)r, &md->roles[r], why, cap))
			return -1;
	return 0;
}

/* A hashes object: known algorithms decoded, others counted. */
static int md_hashes(json_object *hashes, struct dr_tuf_hashes *h)
{
	h->present = 1;
	json_object_object_foreach(hashes, alg, value) {
		(void)value;
		if (!strcmp(alg, "sha256"))
			h->has_sha256 = md_hex_member(hashes, alg, h->sha256, sizeof h->sha256, sizeof h->sha256) > 0;
		else if (!strcmp(alg, "sha512"))
			h->has_sha512 = md_hex_member(hashes, alg, h->sha512, sizeof h->sha512, sizeof h->sha512) > 0;
		else
			h->other++;
		if ((!strcmp(alg, "sha256") && !h->has_sha256) || (!strcmp(alg, "sha512") && !h->has_sha512))
			return -1;
	}
	return 0;
}

/* One entry of meta (targets: is_target, length and hashes required, no version). */
static int md_entry(const char *name, json_object *v, int is_target, struct dr_tuf_meta *e, char *why, size_t cap)
{
	json_object *hashes = dr_ss_json_member(v, "hashes", json_type_object);

	if (!json_object_is_type(v, json_type_object) || dr_strlcpy(e->name, name, sizeof e->name))
		return md_fail(why, cap, "an entry that is not an object, or a name longer than " DR_TUF_STR(DR_TUF_NAME_MAX));
	e->length = -1;
	if (!is_target && md_integer(v, "version", 1, DR_TUF_VERSION_MAX, &e->version)) {
		snprintf(why, cap, "meta %s has no version from 1", e->name);
		return -1;
	}
	if (dr_ss_json_present(v, "length") && md_integer(v, "length", 0, DR_TUF_LENGTH_MAX, &e->length)) {
		snprintf(why, cap, "%s has a length that is not a whole number", e->name);
		return -1;
	}
	if ((dr_ss_json_present(v, "hashes") && (!hashes || md_hashes(hashes, &e->hashes))) ||
	    (is_target && (e->length < 0 || !hashes))) {
		snprintf(why, cap, "%s has no length or hashes, or a hash that is not hex of its size", e->name);
		return -1;
	}
	return 0;
}

/* meta (timestamp, snapshot) or targets (targets). */
static int md_entries(json_object *sig, struct dr_tuf_metadata *md, char *why, size_t cap)
{
	int is_target = md->role == DR_TUF_TARGETS;
	json_object *map = dr_ss_json_member(sig, is_target ? "targets" : "meta", json_type_object);

	if (!map)
		return md_fail(why, cap, is_target ? "no targets" : "no meta");
	json_object_object_foreach(map, name, v) {
		if (md->meta_count == DR_TUF_META_MAX)
			return md_fail(why, cap, "more entries than " DR_TUF_STR(DR_TUF_META_MAX));
		if (md_entry(name, v, is_target, &md->meta[md->meta_count], why, cap))
			return -1;
		md->meta_count++;
	}
	return 0;
}

static int md_decode(json_object *top, enum dr_tuf_role role, struct dr_tuf_metadata *md, size_t len, char *why,
		     size_t cap)
{
	json_object *sig = dr_ss_json_member(top, "signed", json_type_object);

	md->role = role;
	if (!sig)
		return md_fail(why, cap, "no signed object");
	dr_buf_init(&md->canonical, len);
	if (dr_tuf_canonical(sig, &md->canonical))
		return md_fail(why, cap, "signed has no canonical form (a number that is not an integer?)");
	if (md_common(sig, role, md, why, cap) || md_signatures(top, md, why, cap))
		return -1;
	return role == DR_TUF_ROOT ? md_root(sig, md, why, cap) : md_entries(sig, md, why, cap);
}

int dr_tuf_metadata_parse(const char *text, size_t len, enum dr_tuf_role role, struct dr_tuf_metadata **out,
			  char *why, size_t why_cap)
{
	json_object *top = NULL;
	struct dr_tuf_metadata *md = NULL;
	int rc = -1;

	*out = NULL;
	if (role >= DR_TUF_ROLES)
		return md_fail(why, why_cap, "no such role");
	if (dr_ss_json_parse(text, len, &top, why, why_cap))
		goto done;
	md = calloc(1, sizeof *md);
	if (!md) {
		md_fail(why, why_cap, "out of memory");
		goto done;
	}
	if (md_decode(top, role, md, len, why, why_cap))
		goto done;
	*out = md;
	md = NULL;
	rc = 0;
done:
	dr_tuf_metadata_free(md);
	json_object_put(top);
	return rc;
}

const struct dr_tuf_meta *dr_tuf_metadata_find(const struct dr_tuf_metadata *md, const char *name)
{
	size_t i;

	for (i = 0; md && i < md->meta_count; i++)
		if (!strcmp(md->meta[i].name, name))
			return &md->meta[i];
	return NULL;
}

void dr_tuf_metadata_free(struct dr_tuf_metadata *md)
{
	if (!md)
		return;
	dr_buf_free(&md->canonical);
	free(md);
}
