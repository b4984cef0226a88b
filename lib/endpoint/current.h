/* current.h: what runs in the environment now. Status, plan and a deploy's
 * expect_current_digest check read it with this one function, so that the
 * digest a plan reports is the digest a deploy compares. Fixed-size
 * fields; nothing to free. */
#ifndef DR_CURRENT_H
#define DR_CURRENT_H

#include "docker.h"

#define DR_EXPECT_NONE "none"  /* expect_current_digest: nothing runs */

struct dr_current {
	int present;                             /* a container with the environment's name exists */
	struct dr_container_state state;         /* when present */
	char digest[DR_DOCKER_DIGEST_MAX];       /* its image's registry digest, "" when unknown */
	const char *image;                       /* the reference it was deployed as (into state) */
};

/* Read the environment's container; 0 (present or not) or a status with err set. */
int dr_current_read(struct dr_docker *d, const char *container_name, struct dr_current *out, struct dr_error *err);

/* The expect_current_digest value that matches now: the digest when a container runs, else "none". */
const char *dr_current_expectation(const struct dr_current *c);

/* expect (a digest or "none"; NULL: no precondition) against what runs now: 0, or a precondition fault with the reason. */
int dr_current_check_expectation(const struct dr_current *c, const char *expect, struct dr_error *err);

#endif
