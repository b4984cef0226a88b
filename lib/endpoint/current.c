/* current.c: the environment's container and its image digest. */

#include <string.h>

#include "current.h"
#include "image_ref.h"

/* The registry digest of what the container runs: its label, else its image's RepoDigests
 * for the repository it was deployed from. */
static void current_digest(struct dr_docker *d, struct dr_current *c)
{
	struct dr_image_ref ref;
	struct dr_error ignored;
	const char *repository = dr_image_ref_parse(c->image, &ref, &ignored) ? NULL : ref.repository;

	if (!dr_strlcpy(c->digest, c->state.label_image_digest, sizeof c->digest) && c->digest[0])
		return;
	if (dr_docker_image_digest(d, c->state.image_id, repository, NULL, c->digest, &ignored))
		c->digest[0] = '\0';
}

int dr_current_read(struct dr_docker *d, const char *container_name, struct dr_current *out, struct dr_error *err)
{
	int rc;

	memset(out, 0, sizeof *out);
	out->image = "";
	rc = dr_docker_container_state(d, container_name, &out->state, err);
	if (rc == DR_FAULT_ABSENT)
		return 0;
	if (rc)
		return rc;
	out->present = 1;
	out->image = out->state.label_image[0] ? out->state.label_image : out->state.image;
	current_digest(d, out);
	return 0;
}

const char *dr_current_expectation(const struct dr_current *c)
{
	return c->present && c->state.running ? c->digest : DR_EXPECT_NONE;
}

int dr_current_check_expectation(const struct dr_current *c, const char *expect, struct dr_error *err)
{
	const char *now = dr_current_expectation(c);
	int running = c->present && c->state.running;

	if (!expect || (now[0] && !strcmp(now, expect)))
		return 0;
	return dr_error_set(err, DR_FAULT_PRECONDITION, "expect_current_digest is %s but %s%s%s runs now; nothing was touched: plan again", expect,
			    now[0] ? now : "a container of unknown digest", running ? " " : "", running ? c->image : "");
}
