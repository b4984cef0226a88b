/* retention.c: which images of this environment stay, and removing the rest. */

#include <stdio.h>
#include <string.h>

#include "deploy_record.h"
#include "history.h"
#include "image_ref.h"
#include "jsonstr.h"
#include "retention.h"

/* Add digest unless it is there already. */
static void retention_add(struct dr_retention *r, const char *digest)
{
	int i;

	if (!digest || !dr_image_digest_valid(digest) || r->count == DR_RETENTION_DIGESTS_MAX)
		return;
	for (i = 0; i < r->count; i++)
		if (!strcmp(r->images[i].digest, digest))
			return;
	dr_strlcpy(r->images[r->count++].digest, digest, DR_DOCKER_DIGEST_MAX);
}

/* The digests of this environment's successful deploys, newest first. */
static int retention_history(struct dr_retention *r, const char *state_dir, struct dr_error *err)
{
	json_object *entries = NULL, *e;
	size_t i;
	int rc;

	if ((rc = dr_history_read(state_dir, DR_RETENTION_HISTORY_SCAN, &entries, err)))
		return rc;
	for (i = 0; i < json_object_array_length(entries); i++) {
		e = json_object_array_get_idx(entries, i);
		/* A member that is null or not a string reads as "": never a deploy of ours. */
		if (!strcmp(dr_deploy_record_string(e, "action"), "deploy") &&
		    !strcmp(dr_deploy_record_string(e, "result"), "ok"))
			retention_add(r, dr_deploy_record_string(e, "image_digest"));
	}
	json_object_put(entries);
	return 0;
}

/* Which digests the engine holds, their ids and sizes, and whether a container uses them. */
static int retention_engine(struct dr_retention *r, struct dr_docker *d, const char *repository, struct dr_error *err)
{
	static struct dr_image_summary held[DR_IMAGES_MAX];
	static char used[DR_IMAGES_MAX][DR_DOCKER_ID_MAX];
	const char *asked[DR_RETENTION_DIGESTS_MAX];
	int n_held, n_asked = 0, n_used, i, j, rc;

	if ((rc = dr_docker_image_list(d, repository, held, DR_IMAGES_MAX, &n_held, err)))
		return rc;
	for (i = 0; i < r->count; i++) {
		struct dr_retention_image *im = &r->images[i];
		for (j = 0; j < n_held && !im->id[0]; j++)
			if (!strcmp(held[j].digest, im->digest)) {
				dr_strlcpy(im->id, held[j].id, sizeof im->id);
				im->bytes = held[j].size;
			}
		if (im->id[0])
			asked[n_asked++] = im->id;
	}
	if ((rc = dr_docker_images_in_use(d, asked, n_asked, used, DR_IMAGES_MAX, &n_used, err)))
		return rc;
	for (i = 0; i < r->count; i++)
		for (j = 0; j < n_used && r->images[i].id[0] && !r->images[i].in_use; j++)
			r->images[i].in_use = !strcmp(used[j], r->images[i].id);
	return 0;
}

int dr_retention_load(struct dr_retention *r, struct dr_docker *d, const char *state_dir, const char *repository,
		      long keep_images, const char *newest, struct dr_error *err)
{
	int rc;

	memset(r, 0, sizeof *r);
	r->window = (int)(newest ? keep_images : keep_images - 1);
	retention_add(r, newest);
	if ((rc = retention_history(r, state_dir, err)))
		return rc;
	return retention_engine(r, d, repository, err);
}

/* 1 when image i goes: beyond the window, held, and no container's. */
static int retention_removable(const struct dr_retention *r, int i)
{
	return i >= r->window && r->images[i].id[0] && !r->images[i].in_use;
}

static json_object *retention_item(const char *digest, const char *key, json_object *value)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "image_digest", json_object_new_string(digest));
	json_object_object_add(o, key, value);
	return o;
}

json_object *dr_retention_summary(const struct dr_retention *r, long keep_images)
{
	json_object *out = json_object_new_object(), *removes = json_object_new_array();
	long long bytes = 0;
	int count = 0, i;

	for (i = 0; i < r->count; i++) {
		if (r->images[i].id[0]) {
			count++;
			bytes += r->images[i].bytes;
		}
		if (retention_removable(r, i))
			json_object_array_add(removes, retention_item(r->images[i].digest, "bytes",
								      json_object_new_int64(r->images[i].bytes)));
	}
	json_object_object_add(out, "keep_images", json_object_new_int64(keep_images));
	json_object_object_add(out, "count", json_object_new_int(count));
	json_object_object_add(out, "bytes", json_object_new_int64(bytes));
	json_object_object_add(out, "next_deploy_removes", removes);
	return out;
}

void dr_retention_skipped(json_object *skipped, const char *digest, const char *reason)
{
	json_object *o = json_object_new_object();

	if (digest)
		json_object_object_add(o, "image_digest", json_object_new_string(digest));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	json_object_array_add(skipped, o);
}

void dr_retention_apply(const struct dr_retention *r, struct dr_docker *d, const char *repository,
			json_object *pruned, json_object *skipped)
{
	char ref[DR_IMAGE_REF_MAX + DR_DOCKER_DIGEST_MAX + 2];
	struct dr_error err;
	int i, removals = 0, deleted, rc;

	for (i = 0; i < r->count && removals < DR_RETENTION_REMOVALS_MAX; i++) {
		if (!retention_removable(r, i))
			continue;
		removals++;
		snprintf(ref, sizeof ref, "%s@%s", repository, r->images[i].digest);
		rc = dr_docker_image_remove(d, ref, &deleted, &err);
		if (rc == DR_FAULT_ABSENT)
			continue;
		if (rc)
			dr_retention_skipped(skipped, r->images[i].digest, err.reason);
		else if (deleted)
			json_object_array_add(pruned, retention_item(r->images[i].digest, "bytes",
								     json_object_new_int64(r->images[i].bytes)));
		else
			dr_retention_skipped(skipped, r->images[i].digest,
					     "the engine removed only this digest's reference: another tag or a child image keeps the image");
	}
}
