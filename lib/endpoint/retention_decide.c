/* retention_decide.c: which images of this environment stay and which go; no I/O. */

#include <string.h>

#include "deploy_record.h"
#include "image_ref.h"
#include "jsonstr.h"
#include "retention_decide.h"

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

void dr_retention_begin(struct dr_retention *r, long keep_images, const char *newest)
{
	memset(r, 0, sizeof *r);
	r->window = (int)(newest ? keep_images : keep_images - 1);
	retention_add(r, newest);
}

void dr_retention_add_history(struct dr_retention *r, json_object *entries)
{
	json_object *e;
	size_t i;

	for (i = 0; i < json_object_array_length(entries); i++) {
		e = json_object_array_get_idx(entries, i);
		/* A member that is null or not a string reads as "": never a deploy of ours. */
		if (!strcmp(dr_deploy_record_string(e, "action"), "deploy") &&
		    !strcmp(dr_deploy_record_string(e, "result"), "ok"))
			retention_add(r, dr_deploy_record_string(e, "image_digest"));
	}
}

int dr_retention_add_held(struct dr_retention *r, const struct dr_image_summary *held, int n_held,
			  const char *asked[DR_RETENTION_DIGESTS_MAX])
{
	int n_asked = 0, i, j;

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
	return n_asked;
}

void dr_retention_add_used(struct dr_retention *r, char used[][DR_DOCKER_ID_MAX], int n_used)
{
	int i, j;

	for (i = 0; i < r->count; i++)
		for (j = 0; j < n_used && r->images[i].id[0] && !r->images[i].in_use; j++)
			r->images[i].in_use = !strcmp(used[j], r->images[i].id);
}

/* 1 when image i goes: beyond the window, held, and no container's. */
static int retention_removable(const struct dr_retention *r, int i)
{
	return i >= r->window && r->images[i].id[0] && !r->images[i].in_use;
}

int dr_retention_removals(const struct dr_retention *r, int goes[DR_RETENTION_REMOVALS_MAX])
{
	int n = 0, i;

	for (i = 0; i < r->count && n < DR_RETENTION_REMOVALS_MAX; i++)
		if (retention_removable(r, i))
			goes[n++] = i;
	return n;
}

json_object *dr_retention_item(const struct dr_retention_image *im)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "image_digest", json_object_new_string(im->digest));
	json_object_object_add(o, "bytes", json_object_new_int64(im->bytes));
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
			json_object_array_add(removes, dr_retention_item(&r->images[i]));
	}
	json_object_object_add(out, "keep_images", json_object_new_int64(keep_images));
	json_object_object_add(out, "count", json_object_new_int(count));
	json_object_object_add(out, "bytes", json_object_new_int64(bytes));
	json_object_object_add(out, "next_deploy_removes", removes);
	return out;
}
