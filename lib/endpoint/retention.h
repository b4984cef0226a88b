/* retention.h: a server's disk over years. After a successful deploy the
 * images of IMAGE_REPOSITORY this environment deployed (by its history)
 * beyond the newest KEEP_IMAGES distinct digests are removed: never one a
 * container was made from (the other environment's included), never
 * forced, never another repository's, and at most
 * DR_RETENTION_REMOVALS_MAX a deploy. Status and plan show the same
 * picture without removing anything. The struct holds no pointers; the
 * JSON it makes belongs to the caller. */
#ifndef DR_RETENTION_H
#define DR_RETENTION_H

#include <json-c/json.h>

#include "docker.h"
#include "docker_limits.h"
#include "error.h"

#define DR_RETENTION_HISTORY_SCAN 200  /* newest history entries looked at */
#define DR_RETENTION_DIGESTS_MAX 64

struct dr_retention_image {
	char digest[DR_DOCKER_DIGEST_MAX];
	char id[DR_DOCKER_ID_MAX];         /* "" when the engine no longer holds it */
	long long bytes;                   /* its size as the engine reports it */
	int in_use;                        /* some container was made from it */
};

struct dr_retention {
	int window;                        /* how many of the newest digests stay */
	int count;                         /* distinct digests deployed here, newest first */
	struct dr_retention_image images[DR_RETENTION_DIGESTS_MAX];
};

/* What this environment deployed (newest, the digest being deployed, first; NULL: a deploy still
 * to come, so one place of the keep_images is taken by it) and what the engine holds of it:
 * two engine calls. 0 or a fault. */
int dr_retention_load(struct dr_retention *r, struct dr_docker *d, const char *state_dir, const char *repository,
		      long keep_images, const char *newest, struct dr_error *err);

/* {"keep_images", "count", "bytes", "next_deploy_removes": [{"image_digest", "bytes"}]}:
 * what the engine holds of this environment's images and what retention would remove. */
json_object *dr_retention_summary(const struct dr_retention *r, long keep_images);

/* Remove what lies beyond the window, is held and unused, at most DR_RETENTION_REMOVALS_MAX:
 * {"image_digest", "bytes"} into pruned for each image the engine deleted, and
 * {"image_digest", "reason"} into skipped for each it refused. Never a failure of the deploy. */
void dr_retention_apply(const struct dr_retention *r, struct dr_docker *d, const char *repository,
			json_object *pruned, json_object *skipped);

/* Add {"image_digest" (when digest is not NULL), "reason"} to skipped. */
void dr_retention_skipped(json_object *skipped, const char *digest, const char *reason);

#endif
