/* test_tuf.c: the TUF client (lib/tuf): canonical JSON, both pinned roots in data/sigstore/tuf
 * against their own thresholds, the threshold's edge cases, and the client workflow
 * (update.c) over repositories made here in memory with keys GnuTLS generates (ECDSA P-256 and
 * Ed25519): each case asserts the exact outcome, the step that refused and why. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <json-c/json.h>
#include <nettle/sha2.h>

#include "canonical.h"
#include "crypto.h"
#include "fetch.h"
#include "metadata.h"
#include "signatures.h"
#include "sigstore_refresh.h"
#include "store.h"
#include "unit.h"
#include "update.h"

#define NOW 1800000000 /* 2027-01-15 */
#define FUTURE "2030-01-01T00:00:00Z"
#define PAST "2026-01-01T00:00:00Z"
#define TARGET "trusted_root.json"
#define KEYS_N 10
#define FILES_MAX 64
#define SIGNERS_MAX 8

/* ---------- keys ---------- */

struct tkey {
	gnutls_privkey_t priv;
	char keyid[DR_SHA256_HEX_LEN + 1];
	char pub[512];  /* PEM (ECDSA) or hex (Ed25519) */
	int ed25519;
};

static struct tkey keys[KEYS_N];

static void hex_of(const unsigned char *d, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Keys 0..KEYS_N-1; the even ones ECDSA P-256, the odd ones Ed25519. */
static void keys_make(void)
{
	int i;

	for (i = 0; i < KEYS_N; i++) {
		struct tkey *k = &keys[i];
		gnutls_pubkey_t p;
		gnutls_datum_t out = { NULL, 0 }, y = { NULL, 0 };
		gnutls_ecc_curve_t curve;

		k->ed25519 = i % 2;
		gnutls_privkey_init(&k->priv);
		if (k->ed25519)
			gnutls_privkey_generate(k->priv, GNUTLS_PK_EDDSA_ED25519,
						GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519), 0);
		else
			gnutls_privkey_generate(k->priv, GNUTLS_PK_ECDSA,
						GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
		gnutls_pubkey_init(&p);
		gnutls_pubkey_import_privkey(p, k->priv, 0, 0);
		if (k->ed25519) {
			gnutls_pubkey_export_ecc_raw2(p, &curve, &out, &y, 0);
			hex_of(out.data, out.size, k->pub);
		} else {
			gnutls_pubkey_export2(p, GNUTLS_X509_FMT_PEM, &out);
			snprintf(k->pub, sizeof k->pub, "%.*s", (int)out.size, (const char *)out.data);
		}
		gnutls_free(out.data);
		gnutls_free(y.data);
		gnutls_pubkey_deinit(p);
		dr_sha256_hex(k->pub, strlen(k->pub), k->keyid);
	}
}

static void keys_free(void)
{
	int i;

	for (i = 0; i < KEYS_N; i++)
		gnutls_privkey_deinit(keys[i].priv);
}

static json_object *key_json(const struct tkey *k)
{
	json_object *o = json_object_new_object(), *kv = json_object_new_object();

	json_object_object_add(o, "keytype", json_object_new_string(k->ed25519 ? "ed25519" : "ecdsa"));
	json_object_object_add(o, "scheme", json_object_new_string(k->ed25519 ? "ed25519" : "ecdsa-sha2-nistp256"));
	json_object_object_add(kv, "public", json_object_new_string(k->pub));
	json_object_object_add(o, "keyval", kv);
	return o;
}

/* ---------- signing ---------- */

/* One signature: key index, the keyid to write (NULL: the key's), bad: over other bytes. */
struct tsig {
	int key;
	const char *keyid;
	int bad;
};

static void sign_add(json_object *sigs, const struct tsig *s, const struct dr_buf *canon)
{
	const struct tkey *k = &keys[s->key];
	gnutls_datum_t data = { (unsigned char *)canon->data, (unsigned)canon->len }, sig = { NULL, 0 };
	json_object *o = json_object_new_object();
	char hex[2 * DR_TUF_SIG_MAX + 1];

	if (s->bad)
		data.size--; /* a signature over other bytes */
	CU_ASSERT_EQUAL(gnutls_privkey_sign_data2(k->priv, k->ed25519 ? GNUTLS_SIGN_EDDSA_ED25519 : GNUTLS_SIGN_ECDSA_SHA256,
						  0, &data, &sig), 0);
	hex_of(sig.data, sig.size, hex);
	gnutls_free(sig.data);
	json_object_object_add(o, "keyid", json_object_new_string(s->keyid ? s->keyid : k->keyid));
	json_object_object_add(o, "sig", json_object_new_string(hex));
	json_object_array_add(sigs, o);
}

/* The file for signed (taken) with the n signatures, pretty-printed as repositories do; the
 * caller frees it. */
static char *envelope(json_object *sig_obj, const struct tsig *signers, size_t n, size_t *len)
{
	json_object *top = json_object_new_object(), *sigs = json_object_new_array();
	struct dr_buf canon;
	char *text;
	size_t i;

	dr_buf_init(&canon, 1 << 20);
	CU_ASSERT_EQUAL(dr_tuf_canonical(sig_obj, &canon), 0);
	for (i = 0; i < n; i++)
		sign_add(sigs, &signers[i], &canon);
	json_object_object_add(top, "signatures", sigs);
	json_object_object_add(top, "signed", sig_obj);
	text = strdup(json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY));
	*len = strlen(text);
	json_object_put(top);
	dr_buf_free(&canon);
	return text;
}

static json_object *common(const char *type, long long version, const char *expires)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "_type", json_object_new_string(type));
	json_object_object_add(o, "spec_version", json_object_new_string("1.0.31"));
	json_object_object_add(o, "version", json_object_new_int64(version));
	json_object_object_add(o, "expires", json_object_new_string(expires));
	return o;
}

/* ---------- an in-memory repository ---------- */

struct tfile {
	char path[128];
	char *text;
	size_t len;
};

struct repo {
	struct tfile files[FILES_MAX];
	size_t count;
	int fetches;
};

static void repo_put(struct repo *r, const char *path, char *text, size_t len)
{
	size_t i;

	for (i = 0; i < r->count && strcmp(r->files[i].path, path); i++)
		;
	if (i == r->count) {
		CU_ASSERT_FATAL(r->count < FILES_MAX);
		r->count++;
		snprintf(r->files[i].path, sizeof r->files[i].path, "%s", path);
	} else {
		free(r->files[i].text);
	}
	r->files[i].text = text;
	r->files[i].len = len;
}

static const struct tfile *repo_get(const struct repo *r, const char *path)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (!strcmp(r->files[i].path, path))
			return &r->files[i];
	return NULL;
}

static void repo_free(struct repo *r)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		free(r->files[i].text);
	r->count = 0;
}

static int repo_fetch(void *ctx, const char *path, size_t max, struct dr_buf *out, char *why, size_t cap)
{
	struct repo *r = ctx;
	const struct tfile *f = repo_get(r, path);

	r->fetches++;
	(void)max;
	if (!f)
		return DR_TUF_FETCH_NOT_FOUND;
	if (dr_buf_add(out, f->text, f->len)) {
		snprintf(why, cap, "too long");
		return DR_TUF_FETCH_FAILED;
	}
	return DR_TUF_FETCH_OK;
}

/* The keys of a repository: root's (threshold of them), and one for each other role. */
struct world {
	struct repo repo;
	int root_keys[SIGNERS_MAX];
	size_t root_n;
	long long root_threshold;
	int role_key[DR_TUF_ROLES];
	int consistent;
	char *root1;    /* the root a client starts from (1.root.json) */
	size_t root1_len;
};

static json_object *keyids_json(const int *ids, size_t n)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(keys[ids[i]].keyid));
	return a;
}

static json_object *role_json(const int *ids, size_t n, long long threshold)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "keyids", keyids_json(ids, n));
	json_object_object_add(o, "threshold", json_object_new_int64(threshold));
	return o;
}

static json_object *root_signed(const struct world *w, long long version, const char *expires)
{
	json_object *o = common("root", version, expires), *ks = json_object_new_object(), *roles = json_object_new_object();
	size_t i;
	int r;

	for (i = 0; i < w->root_n; i++)
		json_object_object_add(ks, keys[w->root_keys[i]].keyid, key_json(&keys[w->root_keys[i]]));
	for (r = DR_TUF_TIMESTAMP; r < DR_TUF_ROLES; r++)
		json_object_object_add(ks, keys[w->role_key[r]].keyid, key_json(&keys[w->role_key[r]]));
	json_object_object_add(roles, "root", role_json(w->root_keys, w->root_n, w->root_threshold));
	for (r = DR_TUF_TIMESTAMP; r < DR_TUF_ROLES; r++)
		json_object_object_add(roles, dr_tuf_role_name((enum dr_tuf_role)r), role_json(&w->role_key[r], 1, 1));
	json_object_object_add(o, "consistent_snapshot", json_object_new_boolean(w->consistent));
	json_object_object_add(o, "keys", ks);
	json_object_object_add(o, "roles", roles);
	return o;
}

/* Signers: each of the world's current root keys. */
static size_t root_signers(const struct world *w, struct tsig *s, size_t n)
{
	size_t i;

	for (i = 0; i < w->root_n; i++)
		s[n++] = (struct tsig){ w->root_keys[i], NULL, 0 };
	return n;
}

/* Put N.root.json (version as written inside: written) signed by signers. */
static void put_root(struct world *w, long long n, long long written, const char *expires, const struct tsig *s,
		     size_t count)
{
	char path[64];
	size_t len;
	char *text = envelope(root_signed(w, written, expires), s, count, &len);

	snprintf(path, sizeof path, "%lld.root.json", n);
	repo_put(&w->repo, path, text, len);
}

static json_object *hashes_json(const char *text, size_t len)
{
	json_object *h = json_object_new_object();
	unsigned char d[SHA512_DIGEST_SIZE];
	char hex[2 * SHA512_DIGEST_SIZE + 1];
	struct sha512_ctx c;

	dr_sha256_hex(text, len, hex);
	json_object_object_add(h, "sha256", json_object_new_string(hex));
	sha512_init(&c);
	sha512_update(&c, len, (const uint8_t *)text);
	sha512_digest(&c, sizeof d, d);
	hex_of(d, sizeof d, hex);
	json_object_object_add(h, "sha512", json_object_new_string(hex));
	return h;
}

static json_object *meta_json(long long version, const char *text, size_t len)
{
	json_object *m = json_object_new_object();

	json_object_object_add(m, "version", json_object_new_int64(version));
	if (text) {
		json_object_object_add(m, "length", json_object_new_int64((int64_t)len));
		json_object_object_add(m, "hashes", hashes_json(text, len));
	}
	return m;
}

/* Put a role's file: written at path, its text returned in *text (owned by the repository). */
static const struct tfile *put_role(struct world *w, enum dr_tuf_role role, const char *path, json_object *sig_obj)
{
	struct tsig s = { w->role_key[role], NULL, 0 };
	size_t len;
	char *text = envelope(sig_obj, &s, 1, &len);

	repo_put(&w->repo, path, text, len);
	return repo_get(&w->repo, path);
}

/* The target (content) and targets vN naming it with length and hashes (of named, when given). */
static const struct tfile *put_targets(struct world *w, long long version, const char *expires, const char *content,
				       const char *named)
{
	json_object *o = common("targets", version, expires), *ts = json_object_new_object(), *t = json_object_new_object();
	char path[256], hex[DR_SHA256_HEX_LEN + 1];
	const char *desc = named ? named : content;

	json_object_object_add(t, "length", json_object_new_int64((int64_t)strlen(desc)));
	json_object_object_add(t, "hashes", hashes_json(desc, strlen(desc)));
	json_object_object_add(ts, TARGET, t);
	json_object_object_add(o, "targets", ts);
	dr_sha256_hex(desc, strlen(desc), hex);
	snprintf(path, sizeof path, "targets/%s." TARGET, hex);
	repo_put(&w->repo, path, strdup(content), strlen(content));
	snprintf(path, sizeof path, "%lld.targets.json", version);
	return put_role(w, DR_TUF_TARGETS, path, o);
}

/* snapshot vN (at path N.snapshot.json, N = at) naming targets.json at targets_version. */
static const struct tfile *put_snapshot(struct world *w, long long at, long long version, const char *expires,
					long long targets_version)
{
	json_object *o = common("snapshot", version, expires), *meta = json_object_new_object();
	char path[64];
	const struct tfile *t;

	snprintf(path, sizeof path, "%lld.targets.json", targets_version);
	t = repo_get(&w->repo, path);
	json_object_object_add(meta, "targets.json", meta_json(targets_version, t ? t->text : NULL, t ? t->len : 0));
	json_object_object_add(o, "meta", meta);
	snprintf(path, sizeof path, "%lld.snapshot.json", at);
	return put_role(w, DR_TUF_SNAPSHOT, path, o);
}

static void put_timestamp(struct world *w, long long version, const char *expires, long long snapshot_version)
{
	json_object *o = common("timestamp", version, expires), *meta = json_object_new_object();
	char path[64];
	const struct tfile *s;

	snprintf(path, sizeof path, "%lld.snapshot.json", snapshot_version);
	s = repo_get(&w->repo, path);
	json_object_object_add(meta, "snapshot.json", meta_json(snapshot_version, s ? s->text : NULL, s ? s->len : 0));
	json_object_object_add(o, "meta", meta);
	put_role(w, DR_TUF_TIMESTAMP, "timestamp.json", o);
}

/* A repository at version v of each role (root stays 1) serving content as the target. */
static void publish(struct world *w, long long v, const char *content)
{
	put_targets(w, v, FUTURE, content, NULL);
	put_snapshot(w, v, v, FUTURE, v);
	put_timestamp(w, v, FUTURE, v);
}

/* Root keys 0, 1, 2 (threshold 2), timestamp 3, snapshot 5 (Ed25519: signatures of one length), targets 4; 1.root.json signed by
 * all three root keys, and version 1 of everything else. */
static void world_init(struct world *w)
{
	struct tsig s[SIGNERS_MAX];
	const struct tfile *f;

	memset(w, 0, sizeof *w);
	w->root_keys[0] = 0, w->root_keys[1] = 1, w->root_keys[2] = 2;
	w->root_n = 3;
	w->root_threshold = 2;
	w->role_key[DR_TUF_TIMESTAMP] = 3, w->role_key[DR_TUF_SNAPSHOT] = 5, w->role_key[DR_TUF_TARGETS] = 4;
	w->consistent = 1;
	put_root(w, 1, 1, FUTURE, s, root_signers(w, s, 0));
	f = repo_get(&w->repo, "1.root.json");
	w->root1 = malloc(f->len);
	memcpy(w->root1, f->text, f->len);
	w->root1_len = f->len;
	publish(w, 1, "{\"content\":1}");
}

static void world_free(struct world *w)
{
	repo_free(&w->repo);
	free(w->root1);
}

/* Start u from the world's first root; 0 when it is trusted. */
static int start(struct dr_tuf_update *u, struct world *w)
{
	dr_tuf_update_init(u, NOW, TARGET, repo_fetch, &w->repo);
	return dr_tuf_update_trust_root(u, w->root1, w->root1_len);
}

/* A second client run that starts where u ended (its trusted files, as the state directory has them). */
static void restart(struct dr_tuf_update *next, const struct dr_tuf_update *u, struct world *w)
{
	int r;

	dr_tuf_update_init(next, NOW, TARGET, repo_fetch, &w->repo);
	CU_ASSERT_EQUAL(dr_tuf_update_trust_root(next, u->trusted[DR_TUF_ROOT].bytes.data,
						 u->trusted[DR_TUF_ROOT].bytes.len), 0);
	for (r = DR_TUF_TIMESTAMP; r < DR_TUF_ROLES; r++)
		CU_ASSERT_EQUAL(dr_tuf_update_trust(next, (enum dr_tuf_role)r, u->trusted[r].bytes.data,
						    u->trusted[r].bytes.len), 0);
	dr_tuf_update_offer_target(next, u->target.data, u->target.len);
}

/* ---------- canonical JSON ---------- */

/* The canonical form of json, or NULL when refused; the caller frees. */
static char *canon_of(const char *json)
{
	json_object *v = json_tokener_parse(json);
	struct dr_buf b;
	char *out = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	dr_buf_init(&b, 4096);
	if (!dr_tuf_canonical(v, &b))
		out = strdup(dr_buf_str(&b));
	dr_buf_free(&b);
	json_object_put(v);
	return out;
}

static void check_canon(const char *json, const char *want)
{
	char *got = canon_of(json);

	CU_ASSERT_PTR_NOT_NULL(got);
	if (got && strcmp(got, want))
		fprintf(stderr, "\ncanonical of %s:\n got %s\nwant %s\n", json, got, want);
	CU_ASSERT(got && !strcmp(got, want));
	free(got);
}

static void test_canonical(void)
{
	char *refused;

	/* A newline inside a string is a raw byte; only '"' and '\' are escaped. */
	check_canon("{\"pem\": \"-----BEGIN\\nKEY\\n\"}", "{\"pem\":\"-----BEGIN\nKEY\n\"}");
	check_canon("[\"q\\\"b\\\\s\\/t\\u0041\\t\"]", "[\"q\\\"b\\\\s/tA\t\"]");
	/* Keys by their bytes: 'A' < '_' < 'a' < 'z' < U+00E9 (0xc3 0xa9). */
	check_canon("{\"z\":1,\"\\u00e9\":2,\"a\":3,\"_\":4,\"A\":5}", "{\"A\":5,\"_\":4,\"a\":3,\"z\":1,\"\xc3\xa9\":2}");
	check_canon("{\"b\": {\"y\": [1, -2, {\"d\": null, \"c\": true}], \"x\": false}, \"a\": []}",
		    "{\"a\":[],\"b\":{\"x\":false,\"y\":[1,-2,{\"c\":true,\"d\":null}]}}");
	check_canon("{}", "{}");
	check_canon("\"\"", "\"\"");
	/* Numbers: integers only. */
	CU_ASSERT_PTR_NULL(refused = canon_of("{\"a\": 1.0}"));
	free(refused);
	CU_ASSERT_PTR_NULL(refused = canon_of("[1e3]"));
	free(refused);
	CU_ASSERT_PTR_NULL(refused = canon_of("{\"a\": {\"b\": [0.5]}}"));
	free(refused);
}

/* ---------- pinned roots ---------- */

static struct dr_tuf_metadata *pinned(const char *name)
{
	const char *top = getenv("top_srcdir");
	char path[1024], why[DR_TUF_WHY_MAX] = "";
	struct dr_tuf_metadata *md = NULL;
	struct dr_buf b;

	snprintf(path, sizeof path, "%s/data/sigstore/tuf/%s", top ? top : ".", name);
	CU_ASSERT_EQUAL_FATAL(dr_tuf_store_read_file(path, DR_TUF_ROOT_FILE_MAX, &b, why, sizeof why), 0);
	CU_ASSERT_EQUAL(dr_tuf_metadata_parse(b.data, b.len, DR_TUF_ROOT, &md, why, sizeof why), 0);
	if (!md)
		fprintf(stderr, "\n%s: %s\n", name, why);
	dr_buf_free(&b);
	return md;
}

static void test_pinned_roots(void)
{
	struct dr_tuf_metadata *pg = pinned("tuf-repo-cdn.sigstore.dev.root.json");
	struct dr_tuf_metadata *gh = pinned("tuf-repo.github.com.root.json");
	char why[DR_TUF_WHY_MAX];

	CU_ASSERT_PTR_NOT_NULL_FATAL(pg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(gh);
	CU_ASSERT_EQUAL(pg->version, 16);
	CU_ASSERT_EQUAL(pg->roles[DR_TUF_ROOT].threshold, 3);
	CU_ASSERT_EQUAL(dr_tuf_signatures_count(pg, DR_TUF_ROOT, pg), 5);
	CU_ASSERT_EQUAL(dr_tuf_signatures_check(pg, DR_TUF_ROOT, pg, why, sizeof why), 0);
	CU_ASSERT(pg->consistent_snapshot);
	CU_ASSERT_EQUAL(gh->version, 1);
	CU_ASSERT_EQUAL(gh->roles[DR_TUF_ROOT].threshold, 3);
	CU_ASSERT_EQUAL(dr_tuf_signatures_count(gh, DR_TUF_ROOT, gh), 8);
	CU_ASSERT_EQUAL(dr_tuf_signatures_check(gh, DR_TUF_ROOT, gh, why, sizeof why), 0);
	/* Neither root's keys sign the other. */
	CU_ASSERT_EQUAL(dr_tuf_signatures_count(pg, DR_TUF_ROOT, gh), 0);
	CU_ASSERT_EQUAL(dr_tuf_signatures_check(gh, DR_TUF_ROOT, pg, why, sizeof why), -1);
	CU_ASSERT(strstr(why, "0 valid signatures of the 3") != NULL);
	dr_tuf_metadata_free(pg);
	dr_tuf_metadata_free(gh);
}

/* A pinned root whose signed part is touched no longer verifies. */
static void test_pinned_root_touched(void)
{
	const char *top = getenv("top_srcdir");
	char path[1024], why[DR_TUF_WHY_MAX] = "", *at;
	struct dr_tuf_metadata *md = NULL;
	struct dr_buf b;

	snprintf(path, sizeof path, "%s/data/sigstore/tuf/tuf-repo-cdn.sigstore.dev.root.json", top ? top : ".");
	CU_ASSERT_EQUAL_FATAL(dr_tuf_store_read_file(path, DR_TUF_ROOT_FILE_MAX, &b, why, sizeof why), 0);
	at = strstr(b.data, "\"expires\": \"2027");
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	at[strlen("\"expires\": \"202")] = '8';
	CU_ASSERT_EQUAL(dr_tuf_metadata_parse(b.data, b.len, DR_TUF_ROOT, &md, why, sizeof why), 0);
	CU_ASSERT_EQUAL(dr_tuf_signatures_count(md, DR_TUF_ROOT, md), 0);
	dr_tuf_metadata_free(md);
	dr_buf_free(&b);
}

/* ---------- thresholds ---------- */

/* A root whose root role lists keys 0, 1, 2 (threshold 2) and an RSA key; key 6 is in keys but
 * in no root role; key 8 is listed under a second keyid too. Signed by signers. */
static struct dr_tuf_metadata *threshold_root(const struct tsig *s, size_t n)
{
	json_object *o = common("root", 1, FUTURE), *ks = json_object_new_object(), *roles = json_object_new_object();
	json_object *rsa = json_object_new_object(), *kv = json_object_new_object(), *ids;
	int listed[] = { 0, 1, 2, 8 }, others[] = { 6 };
	struct dr_tuf_metadata *md = NULL;
	char why[DR_TUF_WHY_MAX], *text;
	size_t len, i;
	int r;

	for (i = 0; i < 4; i++)
		json_object_object_add(ks, keys[listed[i]].keyid, key_json(&keys[listed[i]]));
	json_object_object_add(ks, keys[6].keyid, key_json(&keys[6]));
	json_object_object_add(ks, "alias-of-8", key_json(&keys[8]));
	json_object_object_add(rsa, "keytype", json_object_new_string("rsa"));
	json_object_object_add(rsa, "scheme", json_object_new_string("rsassa-pss-sha256"));
	json_object_object_add(kv, "public", json_object_new_string(keys[0].pub));
	json_object_object_add(rsa, "keyval", kv);
	json_object_object_add(ks, "rsa-key", rsa);
	ids = keyids_json(listed, 4);
	json_object_array_add(ids, json_object_new_string("rsa-key"));
	json_object_array_add(ids, json_object_new_string("alias-of-8"));
	json_object_array_add(ids, json_object_new_string(keys[0].keyid)); /* listed twice */
	json_object_object_add(roles, "root", json_object_new_object());
	json_object_object_add(json_object_object_get(roles, "root"), "keyids", ids);
	json_object_object_add(json_object_object_get(roles, "root"), "threshold", json_object_new_int64(2));
	for (r = DR_TUF_TIMESTAMP; r < DR_TUF_ROLES; r++)
		json_object_object_add(roles, dr_tuf_role_name((enum dr_tuf_role)r), role_json(others, 1, 1));
	json_object_object_add(o, "keys", ks);
	json_object_object_add(o, "roles", roles);
	text = envelope(o, s, n, &len);
	CU_ASSERT_EQUAL(dr_tuf_metadata_parse(text, len, DR_TUF_ROOT, &md, why, sizeof why), 0);
	free(text);
	return md;
}

static size_t count_with(const struct tsig *s, size_t n)
{
	struct dr_tuf_metadata *md = threshold_root(s, n);
	size_t count = dr_tuf_signatures_count(md, DR_TUF_ROOT, md);
	char why[DR_TUF_WHY_MAX];

	CU_ASSERT_EQUAL(dr_tuf_signatures_check(md, DR_TUF_ROOT, md, why, sizeof why), count >= 2 ? 0 : -1);
	dr_tuf_metadata_free(md);
	return count;
}

static void test_thresholds(void)
{
	const struct tsig two[] = { { 0, NULL, 0 }, { 1, NULL, 0 } };
	const struct tsig dup[] = { { 0, NULL, 0 }, { 0, NULL, 0 } };
	const struct tsig outsider[] = { { 0, NULL, 0 }, { 6, NULL, 0 } };
	const struct tsig bad[] = { { 0, NULL, 0 }, { 1, NULL, 1 } };
	const struct tsig rsa[] = { { 0, NULL, 0 }, { 0, "rsa-key", 0 } };
	const struct tsig alias[] = { { 8, NULL, 0 }, { 8, "alias-of-8", 0 } };
	const struct tsig mixed[] = { { 2, NULL, 0 }, { 1, NULL, 1 }, { 1, NULL, 0 } };
	const struct tsig ecdsa_pair[] = { { 0, NULL, 0 }, { 2, NULL, 0 } };
	struct tsig swapped[] = { { 0, NULL, 0 }, { 1, NULL, 0 } };

	CU_ASSERT_EQUAL(count_with(two, 2), 2);     /* ECDSA and Ed25519 together */
	CU_ASSERT_EQUAL(count_with(dup, 2), 1);      /* a keyid counts once */
	CU_ASSERT_EQUAL(count_with(outsider, 2), 1); /* a key the role does not list */
	CU_ASSERT_EQUAL(count_with(bad, 2), 1);      /* a signature over other bytes */
	CU_ASSERT_EQUAL(count_with(rsa, 2), 1);      /* an unknown key type never counts */
	CU_ASSERT_EQUAL(count_with(alias, 2), 1);    /* one key under two keyids counts once */
	CU_ASSERT_EQUAL(count_with(mixed, 3), 2);    /* a good signature after a bad one of the same key */
	CU_ASSERT_EQUAL(count_with(ecdsa_pair, 2), 2);
	swapped[0].keyid = keys[1].keyid;            /* key 0's signature under key 1's keyid */
	swapped[1].keyid = keys[0].keyid;
	CU_ASSERT_EQUAL(count_with(swapped, 2), 0);
	CU_ASSERT_EQUAL(count_with(NULL, 0), 0);
}

#define TS_BASE "{\"signatures\":[],\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"%s\"," \
	"\"version\":%s,\"expires\":\"" FUTURE "\",\"meta\":{\"snapshot.json\":{\"version\":1}}%s}}"

/* Decoding refusals: wrong _type, spec_version 2, a float, a duplicate member, threshold 0. */
static void test_metadata_refusals(void)
{
	struct dr_tuf_metadata *md = NULL;
	char why[DR_TUF_WHY_MAX];
	char text[1024];

	snprintf(text, sizeof text, TS_BASE, "1.0.31", "3", "");
	CU_ASSERT_EQUAL(dr_tuf_metadata_parse(text, strlen(text), DR_TUF_TIMESTAMP, &md, why, sizeof why), 0);
	CU_ASSERT(md && md->version == 3 && md->meta_count == 1 && md->meta[0].version == 1 && md->meta[0].length == -1);
	dr_tuf_metadata_free(md);
	CU_ASSERT_EQUAL(dr_tuf_metadata_parse(text, strlen(text), DR_TUF_SNAPSHOT, &md, why, sizeof why), -1);
	CU_ASSERT_STRING_EQUAL(why, "_type is not \"snapshot\"");
	snprintf(text, sizeof text, TS_BASE, "2.0.0", "3", "");
	CU_ASSERT_EQUAL(dr_tuf_metadata_parse(text, strlen(text), DR_TUF_TIMESTAMP, &md, why, sizeof why), -1);
	CU_ASSERT_STRING_EQUAL(why, "spec_version is not 1.x");
	snprintf(text, sizeof text, TS_BASE, "1.0", "3.0", "");
	CU_ASSERT_EQUAL(dr_tuf_metadata_parse(text, strlen(text), DR_TUF_TIMESTAMP, &md, why, sizeof why), -1);
	snprintf(text, sizeof text, TS_BASE, "1.0", "3", ",\"version\":4");
	CU_ASSERT_EQUAL(dr_tuf_metadata_parse(text, strlen(text), DR_TUF_TIMESTAMP, &md, why, sizeof why), -1);
	CU_ASSERT(strstr(why, "not valid JSON") != NULL);
	snprintf(text, sizeof text, TS_BASE, "1.0", "0", "");
	CU_ASSERT_EQUAL(dr_tuf_metadata_parse(text, strlen(text), DR_TUF_TIMESTAMP, &md, why, sizeof why), -1);
	CU_ASSERT_PTR_NULL(md);
}

/* ---------- the workflow ---------- */

static void test_update_normal(void)
{
	struct world w;
	struct dr_tuf_update u, again;

	world_init(&w);
	CU_ASSERT_EQUAL_FATAL(start(&u, &w), 0);
	CU_ASSERT_EQUAL(dr_tuf_update_run(&u), 0);
	CU_ASSERT_PTR_NULL(u.step);
	CU_ASSERT_EQUAL(u.root_rotations, 0);
	CU_ASSERT(u.trusted[DR_TUF_TIMESTAMP].md && u.trusted[DR_TUF_TIMESTAMP].md->version == 1);
	CU_ASSERT(u.trusted[DR_TUF_TARGETS].md && u.trusted[DR_TUF_TARGETS].md->version == 1);
	CU_ASSERT_EQUAL(u.target.len, strlen("{\"content\":1}"));
	CU_ASSERT(u.target.data && !memcmp(u.target.data, "{\"content\":1}", u.target.len));
	CU_ASSERT(u.target_fetched);
	CU_ASSERT(dr_tuf_update_expires(&u) > NOW);
	/* Again from the state: nothing new but the timestamp, the files and the target reused. */
	restart(&again, &u, &w);
	w.repo.fetches = 0;
	CU_ASSERT_EQUAL(dr_tuf_update_run(&again), 0);
	CU_ASSERT_EQUAL(w.repo.fetches, 2); /* 2.root.json (none), timestamp.json */
	CU_ASSERT_FALSE(again.target_fetched);
	CU_ASSERT_FALSE(again.trusted[DR_TUF_SNAPSHOT].fetched);
	/* A new target version: fetched. */
	dr_tuf_update_free(&again);
	publish(&w, 2, "{\"content\":2}");
	restart(&again, &u, &w);
	CU_ASSERT_EQUAL(dr_tuf_update_run(&again), 0);
	CU_ASSERT(again.target_fetched);
	CU_ASSERT(again.target.len == strlen("{\"content\":2}"));
	CU_ASSERT_EQUAL(again.trusted[DR_TUF_SNAPSHOT].md->version, 2);
	dr_tuf_update_free(&again);
	dr_tuf_update_free(&u);
	world_free(&w);
}

/* Root 1 -> 2 -> 3, each replacing a root key, signed by a threshold of the old and the new. */
static void test_update_rotation(void)
{
	struct world w;
	struct dr_tuf_update u;
	struct tsig s[SIGNERS_MAX];

	world_init(&w);
	/* v2: keys 0, 1, 7; signed by 0 and 1 (old threshold 2) and 7 (new: 0, 1, 7 sign). */
	w.root_keys[2] = 7;
	put_root(&w, 2, 2, FUTURE, s, root_signers(&w, s, 0));
	/* v3: keys 1, 7, 9 (threshold 2); signed by 1 and 7 (old and new) and 9. */
	w.root_keys[0] = 9;
	put_root(&w, 3, 3, FUTURE, s, root_signers(&w, s, 0));
	CU_ASSERT_EQUAL_FATAL(start(&u, &w), 0);
	CU_ASSERT_EQUAL(dr_tuf_update_run(&u), 0);
	CU_ASSERT_EQUAL(u.root_rotations, 2);
	CU_ASSERT_EQUAL(u.trusted[DR_TUF_ROOT].md->version, 3);
	CU_ASSERT(u.trusted[DR_TUF_ROOT].fetched);
	CU_ASSERT_FALSE(u.keys_rotated);
	dr_tuf_update_free(&u);
	world_free(&w);
}

static void expect_refusal(struct world *w, const char *step, const char *why_part)
{
	struct dr_tuf_update u;

	CU_ASSERT_EQUAL_FATAL(start(&u, w), 0);
	CU_ASSERT_EQUAL(dr_tuf_update_run(&u), -1);
	CU_ASSERT(u.step && !strcmp(u.step, step));
	if (!strstr(u.why, why_part))
		fprintf(stderr, "\nrefusal at %s: %s (wanted %s: ...%s...)\n", u.step ? u.step : "-", u.why, step, why_part);
	CU_ASSERT(strstr(u.why, why_part) != NULL);
	dr_tuf_update_free(&u);
}

static void test_rotation_too_few_old(void)
{
	struct world w;
	struct tsig s[SIGNERS_MAX];
	size_t n;

	world_init(&w);
	/* v2: keys 0, 7, 9: old keys 1 and 2 gone; only key 0 of the old ones signs. */
	w.root_keys[1] = 7, w.root_keys[2] = 9;
	n = root_signers(&w, s, 0);
	put_root(&w, 2, 2, FUTURE, s, n);
	expect_refusal(&w, "root", "2.root.json: 1 valid signature of the 2 the root role needs (root v1)");
	world_free(&w);
}

static void test_rotation_too_few_new(void)
{
	struct world w;
	struct tsig s[SIGNERS_MAX];

	world_init(&w);
	/* v2: keys 0, 7, 9, signed by 0, 1, 2 (the old root's threshold) but of its own only by 0. */
	w.root_keys[1] = 7, w.root_keys[2] = 9;
	s[0] = (struct tsig){ 0, NULL, 0 }, s[1] = (struct tsig){ 1, NULL, 0 }, s[2] = (struct tsig){ 2, NULL, 0 };
	put_root(&w, 2, 2, FUTURE, s, 3);
	expect_refusal(&w, "root", "2.root.json: not signed by its own keys: 1 valid signature of the 2");
	world_free(&w);
}

static void test_rotation_version_skip(void)
{
	struct world w;
	struct tsig s[SIGNERS_MAX];

	world_init(&w);
	put_root(&w, 2, 3, FUTURE, s, root_signers(&w, s, 0)); /* 2.root.json says version 3 */
	expect_refusal(&w, "root", "2.root.json: version 3, not 2");
	world_free(&w);
}

static void test_root_expired(void)
{
	struct world w;
	struct tsig s[SIGNERS_MAX];

	world_init(&w);
	put_root(&w, 2, 2, PAST, s, root_signers(&w, s, 0));
	expect_refusal(&w, "root", "root v2 expired " PAST);
	world_free(&w);
}

static void test_timestamp_rollback(void)
{
	struct world w;
	struct dr_tuf_update u, again;

	world_init(&w);
	publish(&w, 5, "{\"content\":5}");
	CU_ASSERT_EQUAL_FATAL(start(&u, &w), 0);
	CU_ASSERT_EQUAL_FATAL(dr_tuf_update_run(&u), 0);
	put_timestamp(&w, 4, FUTURE, 5); /* an older timestamp served again */
	restart(&again, &u, &w);
	CU_ASSERT_EQUAL(dr_tuf_update_run(&again), -1);
	CU_ASSERT_STRING_EQUAL(again.step, "timestamp");
	CU_ASSERT_STRING_EQUAL(again.why, "version 4 is lower than the trusted 5 (rollback)");
	dr_tuf_update_free(&again);
	/* A newer timestamp naming an older snapshot. */
	put_timestamp(&w, 6, FUTURE, 1);
	restart(&again, &u, &w);
	CU_ASSERT_EQUAL(dr_tuf_update_run(&again), -1);
	CU_ASSERT_STRING_EQUAL(again.step, "timestamp");
	CU_ASSERT_STRING_EQUAL(again.why, "names snapshot version 1, lower than the trusted 5 (rollback)");
	dr_tuf_update_free(&again);
	dr_tuf_update_free(&u);
	world_free(&w);
}

static void test_snapshot_mix_and_match(void)
{
	struct world w;

	world_init(&w);
	put_targets(&w, 2, FUTURE, "{\"content\":2}", NULL);
	put_snapshot(&w, 2, 1, FUTURE, 2); /* 2.snapshot.json says version 1 */
	put_timestamp(&w, 2, FUTURE, 2);
	expect_refusal(&w, "snapshot", "version 1, not the 2 the timestamp names (mix-and-match)");
	world_free(&w);
}

static void test_snapshot_hash(void)
{
	struct world w;

	world_init(&w);
	publish(&w, 2, "{\"content\":2}");
	put_snapshot(&w, 2, 2, "2029-01-01T00:00:00Z", 2); /* signed again, after the timestamp hashed it */
	expect_refusal(&w, "snapshot", "2.snapshot.json: sha256 differs from the one trusted");
	world_free(&w);
}

static void test_timestamp_expired(void)
{
	struct world w;

	world_init(&w);
	put_timestamp(&w, 2, PAST, 1);
	expect_refusal(&w, "timestamp", "timestamp v2 expired " PAST);
	world_free(&w);
}

static void test_target_differs(void)
{
	struct world w;

	world_init(&w);
	/* targets names other bytes of another length than the repository serves */
	put_targets(&w, 2, FUTURE, "{\"content\":2}", "{\"content\":22}");
	put_snapshot(&w, 2, 2, FUTURE, 2);
	put_timestamp(&w, 2, FUTURE, 2);
	expect_refusal(&w, "target", TARGET ": 13 bytes, not the 14 trusted");
	/* the same length, other bytes */
	put_targets(&w, 3, FUTURE, "{\"content\":3}", "{\"content\":4}");
	put_snapshot(&w, 3, 3, FUTURE, 3);
	put_timestamp(&w, 3, FUTURE, 3);
	expect_refusal(&w, "target", TARGET ": sha256 differs from the one trusted");
	world_free(&w);
}

static void test_target_missing(void)
{
	struct world w;
	json_object *o = common("targets", 2, FUTURE);
	const struct tfile *t;

	world_init(&w);
	json_object_object_add(o, "targets", json_object_new_object());
	put_role(&w, DR_TUF_TARGETS, "2.targets.json", o);
	put_snapshot(&w, 2, 2, FUTURE, 2);
	put_timestamp(&w, 2, FUTURE, 2);
	t = repo_get(&w.repo, "2.targets.json");
	CU_ASSERT_PTR_NOT_NULL(t);
	expect_refusal(&w, "target", "targets v2 has no target " TARGET);
	world_free(&w);
}

static void test_targets_rollback(void)
{
	struct world w;
	struct dr_tuf_update u, again;

	world_init(&w);
	publish(&w, 3, "{\"content\":3}");
	CU_ASSERT_EQUAL_FATAL(start(&u, &w), 0);
	CU_ASSERT_EQUAL_FATAL(dr_tuf_update_run(&u), 0);
	/* snapshot v4 names targets v2 */
	put_targets(&w, 2, FUTURE, "{\"content\":2}", NULL);
	put_snapshot(&w, 4, 4, FUTURE, 2);
	put_timestamp(&w, 4, FUTURE, 4);
	restart(&again, &u, &w);
	CU_ASSERT_EQUAL(dr_tuf_update_run(&again), -1);
	CU_ASSERT_STRING_EQUAL(again.step, "snapshot");
	CU_ASSERT_STRING_EQUAL(again.why, "targets.json version 2 is lower than the trusted 3 (rollback)");
	dr_tuf_update_free(&again);
	dr_tuf_update_free(&u);
	world_free(&w);
}

/* 5.3.11: a root that replaces the timestamp key drops the trusted timestamp and snapshot, so
 * that the new key's first timestamp (version 1) is no rollback. */
static void test_key_change(void)
{
	struct world w;
	struct dr_tuf_update u, again;
	struct tsig s[SIGNERS_MAX];

	world_init(&w);
	publish(&w, 5, "{\"content\":5}");
	CU_ASSERT_EQUAL_FATAL(start(&u, &w), 0);
	CU_ASSERT_EQUAL_FATAL(dr_tuf_update_run(&u), 0);
	w.role_key[DR_TUF_TIMESTAMP] = 8;
	w.role_key[DR_TUF_SNAPSHOT] = 6;
	put_root(&w, 2, 2, FUTURE, s, root_signers(&w, s, 0));
	publish(&w, 1, "{\"content\":1}");
	restart(&again, &u, &w);
	CU_ASSERT_EQUAL(dr_tuf_update_run(&again), 0);
	CU_ASSERT(again.keys_rotated);
	CU_ASSERT_EQUAL(again.trusted[DR_TUF_ROOT].md->version, 2);
	CU_ASSERT_EQUAL(again.trusted[DR_TUF_TIMESTAMP].md->version, 1);
	CU_ASSERT_EQUAL(again.trusted[DR_TUF_SNAPSHOT].md->version, 1);
	CU_ASSERT_EQUAL(again.trusted[DR_TUF_TARGETS].md->version, 1);
	dr_tuf_update_free(&again);
	/* Without the key change the same timestamp is a rollback. */
	w.role_key[DR_TUF_TIMESTAMP] = 3;
	w.role_key[DR_TUF_SNAPSHOT] = 5;
	put_root(&w, 2, 2, FUTURE, s, root_signers(&w, s, 0));
	publish(&w, 1, "{\"content\":1}");
	restart(&again, &u, &w);
	CU_ASSERT_EQUAL(dr_tuf_update_run(&again), -1);
	CU_ASSERT_STRING_EQUAL(again.step, "timestamp");
	CU_ASSERT_FALSE(again.keys_rotated);
	dr_tuf_update_free(&again);
	dr_tuf_update_free(&u);
	world_free(&w);
}

/* A timestamp signed by a key the root does not give the timestamp role. */
static void test_timestamp_wrong_key(void)
{
	struct world w;

	world_init(&w);
	w.role_key[DR_TUF_TIMESTAMP] = 5; /* the snapshot key signs the timestamp */
	put_timestamp(&w, 2, FUTURE, 1);
	expect_refusal(&w, "timestamp", "timestamp.json: 0 valid signatures of the 1 the timestamp role needs");
	world_free(&w);
}

/* refresh.json (lib/core/sigstore_refresh.h): written, then read back by the program's start. */
static void test_refresh(void)
{
	struct dr_sigstore_refresh r = { "https://tuf.example", "2026-12-07T21:00:00Z", "2027-01-01T00:00:00Z",
					 16, 123, 45, 6,
					 "ab00000000000000000000000000000000000000000000000000000000000000" },
				   back;
	struct dr_buf b;
	char t[DR_TIME_ISO_MAX];

	dr_buf_init(&b, DR_SIGSTORE_REFRESH_MAX);
	CU_ASSERT_EQUAL(dr_sigstore_refresh_format(&r, &b), 0);
	CU_ASSERT_STRING_EQUAL(dr_buf_str(&b),
			       "{\"source\":\"https://tuf.example\",\"refreshed\":\"2026-12-07T21:00:00Z\","
			       "\"expires\":\"2027-01-01T00:00:00Z\",\"root_version\":16,\"timestamp_version\":123,"
			       "\"snapshot_version\":45,\"targets_version\":6,"
			       "\"sha256\":\"ab00000000000000000000000000000000000000000000000000000000000000\"}\n");
	CU_ASSERT_EQUAL(dr_sigstore_refresh_parse(b.data, b.len, &back), 0);
	CU_ASSERT_STRING_EQUAL(back.source, "https://tuf.example");
	CU_ASSERT_STRING_EQUAL(back.refreshed, "2026-12-07T21:00:00Z");
	CU_ASSERT_STRING_EQUAL(back.expires, "2027-01-01T00:00:00Z");
	CU_ASSERT_STRING_EQUAL(back.sha256, r.sha256);
	dr_buf_free(&b);
	dr_time_rfc3339_at(NOW, t);
	CU_ASSERT_STRING_EQUAL(t, "2027-01-15T08:00:00Z");
}

static void test_url_check(void)
{
	char host[DR_TUF_HOST_MAX], why[DR_TUF_WHY_MAX];

	CU_ASSERT_EQUAL(dr_tuf_url_check("https://tuf-repo-cdn.sigstore.dev", host, why, sizeof why), 0);
	CU_ASSERT_STRING_EQUAL(host, "tuf-repo-cdn.sigstore.dev");
	CU_ASSERT_EQUAL(dr_tuf_url_check("https://TUF.example:8443/repo/", host, why, sizeof why), 0);
	CU_ASSERT_STRING_EQUAL(host, "tuf.example");
	CU_ASSERT_EQUAL(dr_tuf_url_check("http://127.0.0.1:8080", host, why, sizeof why), 0);
	CU_ASSERT_EQUAL(dr_tuf_url_check("http://[::1]:8080/x", host, why, sizeof why), 0);
	CU_ASSERT_STRING_EQUAL(host, "[::1]");
	CU_ASSERT_EQUAL(dr_tuf_url_check("http://localhost/", host, why, sizeof why), 0);
	CU_ASSERT_EQUAL(dr_tuf_url_check("http://tuf.example", host, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_tuf_url_check("http://127.0.0.1.example", host, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_tuf_url_check("ftp://tuf.example", host, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_tuf_url_check("https://user@tuf.example", host, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_tuf_url_check("https://tuf.example/?x", host, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_tuf_url_check("https://", host, why, sizeof why), -1);
	CU_ASSERT_EQUAL(dr_tuf_url_check("", host, why, sizeof why), -1);
}

static const struct unit_case cases[] = {
	{ "canonical JSON", test_canonical },
	{ "the pinned roots carry their own thresholds", test_pinned_roots },
	{ "a touched pinned root verifies no more", test_pinned_root_touched },
	{ "thresholds: duplicates, outsiders, bad and unknown signatures", test_thresholds },
	{ "metadata refusals", test_metadata_refusals },
	{ "update: normal, then from the state", test_update_normal },
	{ "update: root rotation 1 -> 2 -> 3", test_update_rotation },
	{ "update: rotation signed by too few old keys", test_rotation_too_few_old },
	{ "update: rotation signed by too few new keys", test_rotation_too_few_new },
	{ "update: root version skipped", test_rotation_version_skip },
	{ "update: the final root expired", test_root_expired },
	{ "update: timestamp rollback", test_timestamp_rollback },
	{ "update: timestamp expired", test_timestamp_expired },
	{ "update: timestamp signed by another key", test_timestamp_wrong_key },
	{ "update: snapshot version mismatch", test_snapshot_mix_and_match },
	{ "update: snapshot hash mismatch", test_snapshot_hash },
	{ "update: targets rollback in the snapshot", test_targets_rollback },
	{ "update: target length or hash differs", test_target_differs },
	{ "update: target missing", test_target_missing },
	{ "update: 5.3.11 timestamp and snapshot key change", test_key_change },
	{ "refresh.json", test_refresh },
	{ "repository URL", test_url_check },
	{ NULL, NULL },
};

int main(void)
{
	int rc;

	keys_make();
	rc = unit_run("tuf", cases);
	keys_free();
	return rc;
}
