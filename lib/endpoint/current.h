/* current.h: what runs in the environment now. Status, plan and a deploy's
 * expect_current_digest check read it with this one function, so that the
 * digest a plan reports is the digest a deploy compares. What the engine's
 * answers mean is decided in current_decide.h; this file asks. Fixed-size
 * fields; nothing to free. */
#ifndef DR_CURRENT_H
#define DR_CURRENT_H

#include "current_decide.h"
#include "docker.h"

/* Read the environment's container; 0 (present or not) or a fault with err set (unavailable, internal). */
int dr_current_read(struct dr_docker *d, const char *container_name, struct dr_current *out, struct dr_error *err);

#endif
