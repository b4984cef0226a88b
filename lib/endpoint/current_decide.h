/* current_decide.h: what runs in the environment now, decided over the
 * engine's answers as docker_json decodes them (the container's inspect,
 * and its image's registry digest when its label names none), and whether
 * a deploy's expect_current_digest matches it. No I/O, no engine handle:
 * current.c asks the engine; these are unit-tested on recorded answers
 * (t/test_decide.c). Fixed-size fields; nothing to free. */
#ifndef DR_CURRENT_DECIDE_H
#define DR_CURRENT_DECIDE_H

#include "docker_json.h"
#include "error.h"
#include "image_ref.h"

#define DR_EXPECT_NONE "none"  /* expect_current_digest: nothing runs */

struct dr_current {
	int present;                             /* a container with the environment's name exists */
	struct dr_container_state state;         /* when present */
	char digest[DR_DOCKER_DIGEST_MAX];       /* its image's registry digest, "" when unknown */
	const char *image;                       /* the reference it was deployed as (into state) */
};

/* 1 when the container's label names no digest, so that its image's RepoDigests must be asked, for
 * the repository the reference it was deployed as names (into repository; "" when it does not
 * parse: any); else 0. */
int dr_current_wants_image_digest(const struct dr_container_state *s, char repository[DR_IMAGE_REPO_MAX + 1]);

/* What runs now, into out: the container's inspect state (NULL: no such container) and its digest,
 * its label's, else image_digest (what its image's RepoDigests give; NULL or "": unknown). */
void dr_current_decide(struct dr_current *out, const struct dr_container_state *state, const char *image_digest);

/* The expect_current_digest value that matches now: the digest when a container runs, else "none". */
const char *dr_current_expectation(const struct dr_current *c);

/* expect (a digest or "none"; NULL: no precondition) against what runs now: 0, or a precondition fault with the reason. */
int dr_current_check_expectation(const struct dr_current *c, const char *expect, struct dr_error *err);

#endif
