/* retention_decide.h: which of this environment's images go, decided over
 * its history entries and the engine's answers as docker_json decodes them
 * (the repository's image list, the image ids containers use). The newest
 * KEEP_IMAGES distinct digests this environment deployed stay, in the
 * history's order; beyond them an image goes only when the engine holds it
 * for this repository and no container was made from it, at most
 * DR_RETENTION_REMOVALS_MAX a deploy. No I/O, no engine handle: retention.c
 * reads the history, asks the engine and removes; these are unit-tested on
 * recorded answers (t/test_decide.c). The struct holds no pointers; the
 * JSON made here belongs to the caller. */
#ifndef DR_RETENTION_DECIDE_H
#define DR_RETENTION_DECIDE_H

#include <json-c/json.h>

#include "docker_json.h"
#include "docker_limits.h"

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

/* Start r for keep_images with newest first: the digest being deployed (NULL: a deploy still to
 * come, so one place of keep_images is kept for it). */
void dr_retention_begin(struct dr_retention *r, long keep_images, const char *newest);

/* Add the digests of the successful deploys among entries (history entries, newest first), in
 * their order, each once. */
void dr_retention_add_history(struct dr_retention *r, json_object *entries);

/* Note the ids and sizes of r's images among held (the repository's images, n_held of them) and
 * put the ids found into asked (for the question which a container uses); returns how many. */
int dr_retention_add_held(struct dr_retention *r, const struct dr_image_summary *held, int n_held,
			  const char *asked[DR_RETENTION_DIGESTS_MAX]);

/* Mark the images whose id is among used (n_used image ids containers were made from). */
void dr_retention_add_used(struct dr_retention *r, char used[][DR_DOCKER_ID_MAX], int n_used);

/* Which images go, in r's order (newest first): their indexes into goes, at most
 * DR_RETENTION_REMOVALS_MAX; returns how many. */
int dr_retention_removals(const struct dr_retention *r, int goes[DR_RETENTION_REMOVALS_MAX]);

/* {"image_digest", "bytes"} of im: an item of next_deploy_removes, and of what a deploy pruned. */
json_object *dr_retention_item(const struct dr_retention_image *im);

/* {"keep_images", "count", "bytes", "next_deploy_removes": [{"image_digest", "bytes"}]}:
 * what the engine holds of this environment's images and what retention would remove. */
json_object *dr_retention_summary(const struct dr_retention *r, long keep_images);

#endif
