/* update.c: TUF's detailed client workflow; see update.h. */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

#include "crypto.h"
#include "signatures.h"
#include "update.h"

#define UPDATE_SNAPSHOT_NAME "snapshot.json"
#define UPDATE_TARGETS_NAME "targets.json"
#define UPDATE_HEX_MAX (2 * DR_TUF_SHA512_LEN + 1)

static int update_fail(struct dr_tuf_update *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int update_fail(struct dr_tuf_update *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->why, sizeof u->why, fmt, ap);
	va_end(ap);
	return -1;
}

static void update_file_clear(struct dr_tuf_file *f)
{
	dr_buf_free(&f->bytes);
	dr_tuf_metadata_free(f->md);
	f->md = NULL;
	f->fetched = 0;
}

/* Make bytes and md the trusted file of role; bytes is moved (left empty). */
static void update_file_set(struct dr_tuf_update *u, enum dr_tuf_role role, struct dr_buf *bytes,
			    struct dr_tuf_metadata *md, int fetched)
{
	struct dr_tuf_file *f = &u->trusted[role];

	update_file_clear(f);
	f->bytes = *bytes;
	f->md = md;
	f->fetched = fetched;
	dr_buf_init(bytes, 0);
}

void dr_tuf_update_init(struct dr_tuf_update *u, time_t now, const char *target_name, dr_tuf_fetch_fn fetch,
			void *ctx)
{
	int r;

	memset(u, 0, sizeof *u);
	u->now = now;
	u->target_name = target_name;
	u->fetch = fetch;
	u->fetch_ctx = ctx;
	for (r = 0; r < DR_TUF_ROLES; r++)
		dr_buf_init(&u->trusted[r].bytes, 0);
	dr_buf_init(&u->target, 0);
}

/* A copy of len bytes in a new buffer of that cap; 0 or -1. */
static int update_copy(struct dr_buf *out, const char *bytes, size_t len)
{
	dr_buf_init(out, len);
	return dr_buf_add(out, bytes, len);
}

int dr_tuf_update_trust_root(struct dr_tuf_update *u, const char *bytes, size_t len)
{
	struct dr_tuf_metadata *md = NULL;
	struct dr_buf copy;
	char why[DR_TUF_WHY_MAX];

	if (len > DR_TUF_ROOT_FILE_MAX)
		return update_fail(u, "the root is longer than %d bytes", DR_TUF_ROOT_FILE_MAX);
	if (dr_tuf_metadata_parse(bytes, len, DR_TUF_ROOT, &md, why, sizeof why))
		return update_fail(u, "%s", why);
	if (dr_tuf_signatures_check(md, DR_TUF_ROOT, md, why, sizeof why)) {
		dr_tuf_metadata_free(md);
		return update_fail(u, "not signed by its own root keys: %s", why);
	}
	if (update_copy(&copy, bytes, len)) {
		dr_tuf_metadata_free(md);
		return update_fail(u, "out of memory");
	}
	update_file_set(u, DR_TUF_ROOT, &copy, md, 0);
	return 0;
}

int dr_tuf_update_trust(struct dr_tuf_update *u, enum dr_tuf_role role, const char *bytes, size_t len)
{
	struct dr_tuf_metadata *md = NULL;
	struct dr_buf copy;
	char why[DR_TUF_WHY_MAX];

	if (role == DR_TUF_ROOT || role >= DR_TUF_ROLES || !u->trusted[DR_TUF_ROOT].md)
		return 1;
	if (dr_tuf_metadata_parse(bytes, len, role, &md, why, sizeof why) ||
	    dr_tuf_signatures_check(u->trusted[DR_TUF_ROOT].md, role, md, why, sizeof why) ||
	    update_copy(&copy, bytes, len)) {
		dr_tuf_metadata_free(md);
		return 1;
	}
	update_file_set(u, role, &copy, md, 0);
	return 0;
}

void dr_tuf_update_offer_target(struct dr_tuf_update *u, const char *bytes, size_t len)
{
	dr_buf_free(&u->target);
	if (update_copy(&u->target, bytes, len))
		dr_buf_free(&u->target);
}

/* GET path into out (initialised here with max); a dr_tuf_fetch_result, why in u on failure. */
static int update_fetch(struct dr_tuf_update *u, const char *path, size_t max, struct dr_buf *out)
{
	char why[DR_TUF_WHY_MAX] = "";
	int rc;

	dr_buf_init(out, max);
	rc = u->fetch(u->fetch_ctx, path, max, out, why, sizeof why);
	if (rc == DR_TUF_FETCH_OK && out->overflow) {
		rc = DR_TUF_FETCH_FAILED;
		snprintf(why, sizeof why, "longer than %zu bytes", max);
	}
	if (rc == DR_TUF_FETCH_FAILED)
		update_fail(u, "fetching %s: %s", path, why[0] ? why : "failed");
	return rc;
}

/* Every known hash of h matches data, and at least one is known; 0, or -1 with why in u. */
static int update_hashes(struct dr_tuf_update *u, const char *name, const struct dr_tuf_hashes *h,
			 const struct dr_buf *data)
{
	unsigned char d256[SHA256_DIGEST_SIZE], d512[SHA512_DIGEST_SIZE];
	struct sha256_ctx c256;
	struct sha512_ctx c512;

	if (!h->has_sha256 && !h->has_sha512)
		return update_fail(u, "%s: no hash of a known algorithm (sha256, sha512)", name);
	if (h->has_sha256) {
		sha256_init(&c256);
		sha256_update(&c256, data->len, (const uint8_t *)data->data);
		sha256_digest(&c256, sizeof d256, d256);
		if (memcmp(d256, h->sha256, sizeof d256))
			return update_fail(u, "%s: sha256 differs from the one trusted", name);
	}
	if (h->has_sha512) {
		sha512_init(&c512);
		sha512_update(&c512, data->len, (const uint8_t *)data->data);
		sha512_digest(&c512, sizeof d512, d512);
		if (memcmp(d512, h->sha512, sizeof d512))
			return update_fail(u, "%s: sha512 differs from the one trusted", name);
	}
	return 0;
}

/* The length and hashes meta says, where it says them; 0 or -1. */
static int update_meta_bytes(struct dr_tuf_update *u, const char *name, const struct dr_tuf_meta *m,
			     const struct dr_buf *data)
{
	if (m->length >= 0 && (size_t)m->length != data->len)
		return update_fail(u, "%s: %zu bytes, not the %lld trusted", name, data->len, m->length);
	return m->hashes.present ? update_hashes(u, name, &m->hashes, data) : 0;
}


static int update_expired(struct dr_tuf_update *u, const struct dr_tuf_metadata *md)
{
	if (md->expires > u->now)
		return 0;
	return update_fail(u, "%s v%lld expired %s", dr_tuf_role_name(md->role), md->version, md->expires_text);
}

/* Decode bytes as role and check the trusted root's threshold; 0 with *md, or -1. */
static int update_decode(struct dr_tuf_update *u, const char *name, enum dr_tuf_role role, const struct dr_buf *b,
			 struct dr_tuf_metadata **md)
{
	char why[DR_TUF_WHY_MAX];

	if (dr_tuf_metadata_parse(b->data ? b->data : "", b->len, role, md, why, sizeof why))
		return update_fail(u, "%s: %s", name, why);
	if (dr_tuf_signatures_check(u->trusted[DR_TUF_ROOT].md, role, *md, why, sizeof why)) {
		dr_tuf_metadata_free(*md);
		*md = NULL;
		return update_fail(u, "%s: %s", name, why);
	}
	return 0;
}

/* 1 when a and b give role the same keys (keyids and key bytes) and threshold. */
static int update_same_keys(const struct dr_tuf_metadata *a, const struct dr_tuf_metadata *b, enum dr_tuf_role role)
{
	const struct dr_tuf_role_keys *ra = &a->roles[role], *rb = &b->roles[role];
	size_t i, j, k, l;

	if (ra->count != rb->count || ra->threshold != rb->threshold)
		return 0;
	for (i = 0; i < ra->count; i++) {
		for (j = 0; j < rb->count && strcmp(ra->keyids[i], rb->keyids[j]); j++)
			;
		if (j == rb->count)
			return 0;
		for (k = 0; k < a->key_count && strcmp(a->keys[k].keyid, ra->keyids[i]); k++)
			;
		for (l = 0; l < b->key_count && strcmp(b->keys[l].keyid, ra->keyids[i]); l++)
			;
		if ((k == a->key_count) != (l == b->key_count))
			return 0;
		if (k < a->key_count && (a->keys[k].spki_len != b->keys[l].spki_len ||
					 memcmp(a->keys[k].spki, b->keys[l].spki, a->keys[k].spki_len)))
			return 0;
	}
	return 1;
}

/* One step of the rotation: N.root.json signed by the old root's and its own keys. 0 taken, 1 none, -1. */
static int update_root_next(struct dr_tuf_update *u, struct dr_tuf_metadata *start)
{
	struct dr_tuf_metadata *old = u->trusted[DR_TUF_ROOT].md, *md = NULL;
	long long n = old->version + 1;
	char path[DR_TUF_PATH_MAX], why[DR_TUF_WHY_MAX];
	struct dr_buf b;
	int rc;

	snprintf(path, sizeof path, "%lld.root.json", n);
	rc = update_fetch(u, path, DR_TUF_ROOT_FILE_MAX, &b);
	if (rc != DR_TUF_FETCH_OK) {
		dr_buf_free(&b);
		return rc == DR_TUF_FETCH_NOT_FOUND ? 1 : -1;
	}
	rc = -1;
	if (update_decode(u, path, DR_TUF_ROOT, &b, &md)) /* the old root's keys */
		goto done;
	if (dr_tuf_signatures_check(md, DR_TUF_ROOT, md, why, sizeof why)) {
		update_fail(u, "%s: not signed by its own keys: %s", path, why);
		goto done;
	}
	if (md->version != n) {
		update_fail(u, "%s: version %lld, not %lld", path, md->version, n);
		goto done;
	}
	if (old == start) /* kept for the key comparison at the end */
		u->trusted[DR_TUF_ROOT].md = NULL;
	update_file_set(u, DR_TUF_ROOT, &b, md, 1);
	md = NULL;
	u->root_rotations++;
	rc = 0;
done:
	dr_tuf_metadata_free(md);
	dr_buf_free(&b);
	return rc;
}

/* 5.3: rotate to the newest root, refuse an expired one, drop the trusted timestamp and snapshot
 * when their keys changed (5.3.11). */
static int update_root(struct dr_tuf_update *u)
{
	struct dr_tuf_metadata *start = u->trusted[DR_TUF_ROOT].md;
	int i, rc = 0, r;

	if (!start)
		return update_fail(u, "no trusted root to start from");
	for (i = 0; i < DR_TUF_ROTATIONS_MAX && (rc = update_root_next(u, start)) == 0; i++)
		;
	if (rc < 0 || (rc = update_expired(u, u->trusted[DR_TUF_ROOT].md)))
		goto done;
	if (!update_same_keys(start, u->trusted[DR_TUF_ROOT].md, DR_TUF_TIMESTAMP) ||
	    !update_same_keys(start, u->trusted[DR_TUF_ROOT].md, DR_TUF_SNAPSHOT)) {
		u->keys_rotated = 1;
		for (r = DR_TUF_TIMESTAMP; r <= DR_TUF_SNAPSHOT; r++)
			update_file_clear(&u->trusted[r]);
	}
done:
	if (start != u->trusted[DR_TUF_ROOT].md)
		dr_tuf_metadata_free(start);
	return rc < 0 ? -1 : 0;
}

/* 5.4: timestamp.json, no rollback of its version or of the snapshot version it names. */
static int update_timestamp(struct dr_tuf_update *u)
{
	const struct dr_tuf_metadata *old = u->trusted[DR_TUF_TIMESTAMP].md, *snap = u->trusted[DR_TUF_SNAPSHOT].md;
	const struct dr_tuf_meta *m, *old_m;
	struct dr_tuf_metadata *md = NULL;
	long long least;
	struct dr_buf b;
	int rc = -1;

	if (update_fetch(u, "timestamp.json", DR_TUF_TIMESTAMP_FILE_MAX, &b) != DR_TUF_FETCH_OK) {
		if (!u->why[0])
			update_fail(u, "timestamp.json is not in the repository");
		goto done;
	}
	if (update_decode(u, "timestamp.json", DR_TUF_TIMESTAMP, &b, &md))
		goto done;
	if (old && md->version < old->version) {
		update_fail(u, "version %lld is lower than the trusted %lld (rollback)", md->version, old->version);
		goto done;
	}
	if (!(m = dr_tuf_metadata_find(md, UPDATE_SNAPSHOT_NAME))) {
		update_fail(u, "names no " UPDATE_SNAPSHOT_NAME);
		goto done;
	}
	old_m = dr_tuf_metadata_find(old, UPDATE_SNAPSHOT_NAME);
	least = old_m ? old_m->version : 0;
	if (snap && snap->version > least)
		least = snap->version;
	if (m->version < least) {
		update_fail(u, "names snapshot version %lld, lower than the trusted %lld (rollback)", m->version, least);
		goto done;
	}
	if (update_expired(u, md))
		goto done;
	update_file_set(u, DR_TUF_TIMESTAMP, &b, md, 1);
	md = NULL;
	rc = 0;
done:
	dr_tuf_metadata_free(md);
	dr_buf_free(&b);
	return rc;
}

/* Every targets file the trusted snapshot lists is still listed by md, at no lower version. */
static int update_snapshot_rollback(struct dr_tuf_update *u, const struct dr_tuf_metadata *md)
{
	const struct dr_tuf_metadata *old = u->trusted[DR_TUF_SNAPSHOT].md;
	size_t i;

	for (i = 0; old && old != md && i < old->meta_count; i++) {
		const struct dr_tuf_meta *m = dr_tuf_metadata_find(md, old->meta[i].name);
		if (!m)
			return update_fail(u, "%s is no longer listed (rollback)", old->meta[i].name);
		if (m->version < old->meta[i].version)
			return update_fail(u, "%s version %lld is lower than the trusted %lld (rollback)", m->name,
					   m->version, old->meta[i].version);
	}
	return 0;
}

/* The checks of a snapshot or targets file against meta (what the role above says of it):
 * length, hashes, threshold, version, rollback (snapshot), expiry. 0 with *out, or -1. */
static int update_check(struct dr_tuf_update *u, enum dr_tuf_role role, const char *name, const struct dr_tuf_meta *m,
			const struct dr_buf *b, struct dr_tuf_metadata **out)
{
	struct dr_tuf_metadata *md = NULL;

	*out = NULL;
	if (update_meta_bytes(u, name, m, b) || update_decode(u, name, role, b, &md))
		return -1;
	if (md->version != m->version) {
		update_fail(u, "version %lld, not the %lld %s names (mix-and-match)", md->version, m->version,
			    role == DR_TUF_SNAPSHOT ? "the timestamp" : "the snapshot");
		goto fail;
	}
	if ((role == DR_TUF_SNAPSHOT && update_snapshot_rollback(u, md)) || update_expired(u, md))
		goto fail;
	*out = md;
	return 0;
fail:
	dr_tuf_metadata_free(md);
	return -1;
}

/* 5.5 and 5.6: the trusted file of role when it still passes, else the repository's. */
static int update_role(struct dr_tuf_update *u, enum dr_tuf_role role, const struct dr_tuf_meta *m, size_t max)
{
	struct dr_tuf_file *f = &u->trusted[role];
	struct dr_tuf_metadata *md = NULL;
	char path[DR_TUF_PATH_MAX];
	struct dr_buf b;
	int rc = -1;

	if (u->trusted[DR_TUF_ROOT].md->consistent_snapshot)
		snprintf(path, sizeof path, "%lld.%s", m->version, m->name);
	else
		snprintf(path, sizeof path, "%s", m->name);
	if (f->md && f->md->version == m->version && !update_check(u, role, path, m, &f->bytes, &md)) {
		dr_tuf_metadata_free(f->md);
		f->md = md;
		u->why[0] = '\0';
		return 0;
	}
	u->why[0] = '\0';
	if (m->length > (long long)max)
		return update_fail(u, "%s: %lld bytes, more than %zu", path, m->length, max);
	if (update_fetch(u, path, m->length >= 0 ? (size_t)m->length : max, &b) != DR_TUF_FETCH_OK) {
		if (!u->why[0])
			update_fail(u, "%s is not in the repository", path);
		goto done;
	}
	if (update_check(u, role, path, m, &b, &md))
		goto done;
	update_file_set(u, role, &b, md, 1);
	rc = 0;
done:
	dr_buf_free(&b);
	return rc;
}

static int update_snapshot(struct dr_tuf_update *u)
{
	const struct dr_tuf_meta *m = dr_tuf_metadata_find(u->trusted[DR_TUF_TIMESTAMP].md, UPDATE_SNAPSHOT_NAME);

	return m ? update_role(u, DR_TUF_SNAPSHOT, m, DR_TUF_SNAPSHOT_FILE_MAX) :
		   update_fail(u, "the timestamp names no " UPDATE_SNAPSHOT_NAME);
}

static int update_targets(struct dr_tuf_update *u)
{
	const struct dr_tuf_meta *m = dr_tuf_metadata_find(u->trusted[DR_TUF_SNAPSHOT].md, UPDATE_TARGETS_NAME);

	return m ? update_role(u, DR_TUF_TARGETS, m, DR_TUF_TARGETS_FILE_MAX) :
		   update_fail(u, "the snapshot names no " UPDATE_TARGETS_NAME);
}

/* 5.7: the target, by its hash in a consistent repository; its length and every known hash. */
static int update_target(struct dr_tuf_update *u)
{
	const struct dr_tuf_meta *t = dr_tuf_metadata_find(u->trusted[DR_TUF_TARGETS].md, u->target_name);
	char path[DR_TUF_PATH_MAX], hex[UPDATE_HEX_MAX];
	struct dr_buf b;

	if (!t)
		return update_fail(u, "targets v%lld has no target %s", u->trusted[DR_TUF_TARGETS].md->version,
				   u->target_name);
	if (!t->hashes.has_sha256 && !t->hashes.has_sha512)
		return update_fail(u, "%s: no hash of a known algorithm (sha256, sha512)", t->name);
	if (t->length > DR_TUF_TARGET_FILE_MAX)
		return update_fail(u, "%s: %lld bytes, more than %d", t->name, t->length, DR_TUF_TARGET_FILE_MAX);
	if (u->target.data && !update_meta_bytes(u, t->name, t, &u->target))
		return 0;
	u->why[0] = '\0';
	if (t->hashes.has_sha256)
		dr_hex_encode(t->hashes.sha256, sizeof t->hashes.sha256, hex);
	else
		dr_hex_encode(t->hashes.sha512, sizeof t->hashes.sha512, hex);
	if (u->trusted[DR_TUF_ROOT].md->consistent_snapshot)
		snprintf(path, sizeof path, "targets/%s.%s", hex, t->name);
	else
		snprintf(path, sizeof path, "targets/%s", t->name);
	if (update_fetch(u, path, (size_t)t->length, &b) != DR_TUF_FETCH_OK || update_meta_bytes(u, t->name, t, &b)) {
		if (!u->why[0])
			update_fail(u, "%s is not in the repository", path);
		dr_buf_free(&b);
		return -1;
	}
	dr_buf_free(&u->target);
	u->target = b;
	u->target_fetched = 1;
	return 0;
}

/* The workflow as data: each step in order; the runner records which one refused. */
static const struct update_step {
	const char *name;
	int (*run)(struct dr_tuf_update *u);
} update_steps[] = {
	{ "root", update_root },
	{ "timestamp", update_timestamp },
	{ "snapshot", update_snapshot },
	{ "targets", update_targets },
	{ "target", update_target },
};

int dr_tuf_update_run(struct dr_tuf_update *u)
{
	size_t i;

	for (i = 0; i < sizeof update_steps / sizeof *update_steps; i++) {
		u->step = update_steps[i].name;
		u->why[0] = '\0';
		if (update_steps[i].run(u)) {
			if (!u->why[0])
				update_fail(u, "refused");
			return -1;
		}
	}
	u->step = NULL;
	return 0;
}

time_t dr_tuf_update_expires(const struct dr_tuf_update *u)
{
	time_t earliest = 0;
	int r;

	for (r = 0; r < DR_TUF_ROLES; r++)
		if (u->trusted[r].md && (!earliest || u->trusted[r].md->expires < earliest))
			earliest = u->trusted[r].md->expires;
	return earliest;
}

void dr_tuf_update_free(struct dr_tuf_update *u)
{
	int r;

	for (r = 0; r < DR_TUF_ROLES; r++)
		update_file_clear(&u->trusted[r]);
	dr_buf_free(&u->target);
}
