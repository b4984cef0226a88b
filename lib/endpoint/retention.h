/* retention.h: a server's disk over years. After a successful deploy the
 * images of IMAGE_REPOSITORY this environment deployed (by its history)
 * beyond the newest KEEP_IMAGES distinct digests are removed: never one a
 * container was made from (the other environment's included), never
 * forced, never another repository's, and at most
 * DR_RETENTION_REMOVALS_MAX a deploy. Status and plan show the same
 * picture without removing anything. Which images go is decided in
 * retention_decide.h; this file reads the history, asks the engine and
 * removes. The struct holds no pointers; the JSON it makes belongs to the
 * caller. */
#ifndef DR_RETENTION_H
#define DR_RETENTION_H

#include <json-c/json.h>

#include "docker.h"
#include "error.h"
#include "retention_decide.h"

#define DR_RETENTION_HISTORY_SCAN 200  /* newest history entries looked at */

/* What this environment deployed (newest, the digest being deployed, first; NULL: a deploy still
 * to come, so one place of the keep_images is taken by it) and what the engine holds of it:
 * two engine calls. 0 or a fault. */
int dr_retention_load(struct dr_retention *r, struct dr_docker *d, const char *state_dir, const char *repository,
		      long keep_images, const char *newest, struct dr_error *err);

/* Remove what dr_retention_removals names: {"image_digest", "bytes"} into pruned for each image
 * the engine deleted, and {"image_digest", "reason"} into skipped for each it refused. Never a
 * failure of the deploy. */
void dr_retention_apply(const struct dr_retention *r, struct dr_docker *d, const char *repository,
			json_object *pruned, json_object *skipped);

/* Add {"image_digest" (when digest is not NULL), "reason"} to skipped. */
void dr_retention_skipped(json_object *skipped, const char *digest, const char *reason);

#endif
