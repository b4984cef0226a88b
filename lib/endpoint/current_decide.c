/* current_decide.c: what runs now, and the expect_current_digest rule; no I/O. */

#include <string.h>

#include "current_decide.h"
#include "jsonstr.h"

/* The reference the container was deployed as: the agent's label, else what the engine says it was created from. */
static const char *current_image(const struct dr_container_state *s)
{
	return s->label_image[0] ? s->label_image : s->image;
}

int dr_current_wants_image_digest(const struct dr_container_state *s, char repository[DR_IMAGE_REPO_MAX + 1])
{
	struct dr_image_ref ref;
	struct dr_error ignored;

	repository[0] = '\0';
	if (s->label_image_digest[0])
		return 0;
	/* The registry digest of that repository: an image pulled from two repositories has one of each. */
	if (!dr_image_ref_parse(current_image(s), &ref, &ignored))
		dr_strlcpy(repository, ref.repository, DR_IMAGE_REPO_MAX + 1);
	return 1;
}

void dr_current_decide(struct dr_current *out, const struct dr_container_state *state, const char *image_digest)
{
	memset(out, 0, sizeof *out);
	out->image = "";
	if (!state)
		return;
	out->present = 1;
	out->state = *state;
	out->image = current_image(&out->state);
	dr_strlcpy(out->digest, state->label_image_digest[0] ? state->label_image_digest : image_digest ? image_digest : "",
		   sizeof out->digest);
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
