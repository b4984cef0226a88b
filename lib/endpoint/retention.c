/* retention.c: reading what retention decides over, and removing what goes. */

#include <stdio.h>

#include "history.h"
#include "image_ref.h"
#include "retention.h"

/* The digests of this environment's successful deploys, newest first. */
static int retention_history(struct dr_retention *r, const char *state_dir, struct dr_error *err)
{
	json_object *entries = NULL;
	int rc;

	if ((rc = dr_history_read(state_dir, DR_RETENTION_HISTORY_SCAN, &entries, err)))
		return rc;
	dr_retention_add_history(r, entries);
	json_object_put(entries);
	return 0;
}

/* Which digests the engine holds, their ids and sizes, and whether a container uses them. */
static int retention_engine(struct dr_retention *r, struct dr_docker *d, const char *repository, struct dr_error *err)
{
	static struct dr_image_summary held[DR_IMAGES_MAX];
	static char used[DR_IMAGES_MAX][DR_DOCKER_ID_MAX];
	const char *asked[DR_RETENTION_DIGESTS_MAX];
	int n_held, n_asked, n_used, rc;

	if ((rc = dr_docker_image_list(d, repository, held, DR_IMAGES_MAX, &n_held, err)))
		return rc;
	n_asked = dr_retention_add_held(r, held, n_held, asked);
	if ((rc = dr_docker_images_in_use(d, asked, n_asked, used, DR_IMAGES_MAX, &n_used, err)))
		return rc;
	dr_retention_add_used(r, used, n_used);
	return 0;
}

int dr_retention_load(struct dr_retention *r, struct dr_docker *d, const char *state_dir, const char *repository,
		      long keep_images, const char *newest, struct dr_error *err)
{
	int rc;

	dr_retention_begin(r, keep_images, newest);
	if ((rc = retention_history(r, state_dir, err)))
		return rc;
	return retention_engine(r, d, repository, err);
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
	int goes[DR_RETENTION_REMOVALS_MAX], n = dr_retention_removals(r, goes), i, deleted, rc;
	struct dr_error err;

	for (i = 0; i < n; i++) {
		const struct dr_retention_image *im = &r->images[goes[i]];
		/* By this repository's reference, never the image id: another repository's reference stays. */
		snprintf(ref, sizeof ref, "%s@%s", repository, im->digest);
		rc = dr_docker_image_remove(d, ref, &deleted, &err);
		if (rc == DR_FAULT_ABSENT)
			continue;
		if (rc)
			dr_retention_skipped(skipped, im->digest, err.reason);
		else if (deleted)
			json_object_array_add(pruned, dr_retention_item(im));
		else
			dr_retention_skipped(skipped, im->digest,
					     "the engine removed only this digest's reference: another tag or a child image keeps the image");
	}
}
