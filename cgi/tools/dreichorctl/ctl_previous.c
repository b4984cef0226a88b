/* ctl_previous.c: deploy --previous: an ordinary deploy, by digest, of the
 * last good deploy before the one running now, on the condition that what
 * runs now has not changed meanwhile (expect_current_digest). */

#include <stdio.h>
#include <string.h>

#include "ctl_cmd.h"
#include "ctl_render.h"

#define CTL_DIGEST_MAX 128
#define CTL_IMAGE_MAX 1024
#define CTL_HISTORY_MAX 200L  /* the entries read to find the previous deploy */

/* ref's repository (its tag and digest cut off) @digest into image. */
static int ctl_previous_ref(const char *ref, const char *digest, char *image, size_t cap)
{
	size_t repo_len = strcspn(ref, "@");
	const char *slash = strrchr(ref, '/'), *colon = strrchr(ref, ':');

	if (colon && (!slash || colon > slash) && (size_t)(colon - ref) < repo_len)
		repo_len = (size_t)(colon - ref);
	return snprintf(image, cap, "%.*s@%s", (int)repo_len, ref, digest) < (int)cap ? 0 : -1;
}

/* The last successful deploy before the one running now (digest now), as repository@digest. */
static int ctl_previous_pick(json_object *history, const char *now, char *image, size_t cap)
{
	json_object *list = NULL, *e;
	const char *digest, *ref;
	int seen_current = 0;
	size_t i;

	if (!json_object_object_get_ex(history, "deploys", &list) || !json_object_is_type(list, json_type_array))
		return -1;
	for (i = 0; i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		digest = ctl_json_str(e, "image_digest");
		ref = ctl_json_str(e, "image");
		if (!digest || !ref || strcmp(ctl_or_dash(ctl_json_str(e, "action")), "deploy") ||
		    strcmp(ctl_or_dash(ctl_json_str(e, "result")), "ok"))
			continue;
		if (!strcmp(digest, now))
			seen_current = 1;
		else if (seen_current)
			return ctl_previous_ref(ref, digest, image, cap);
	}
	return -1;
}

int ctl_deploy_previous(struct ctl *c)
{
	char now[CTL_DIGEST_MAX], image[CTL_IMAGE_MAX];
	json_object *history = NULL;
	int rc;

	if ((rc = ctl_status_expectation(c, now, sizeof now)))
		return rc;
	if (!strcmp(now, "none") || !strcmp(now, "-")) {
		fprintf(stderr, "dreichorctl: deploy --previous: nothing with a known digest runs now; deploy an image by name\n");
		return CTL_EXIT_REFUSED;
	}
	rc = ctl_history_fetch(c, CTL_HISTORY_MAX, 0, &history);
	if (rc == 0 && ctl_previous_pick(history, now, image, sizeof image)) {
		fprintf(stderr, "dreichorctl: deploy --previous: the history has no successful deploy before the one running (%s)\n",
			now);
		rc = CTL_EXIT_REFUSED;
	}
	json_object_put(history);
	if (rc)
		return rc;
	if (!c->args.json)
		printf("previous deploy: %s (running now: %s)\n", image, now);
	return ctl_deploy_image(c, image, now);
}
