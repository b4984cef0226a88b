/* gate_create.h: a container create through the Docker gate: its body
 * checked against the container contract (container.h) and written anew,
 * and what the engine made compared with what was checked. json-c inside;
 * nothing is kept between calls. */
#ifndef DR_GATE_CREATE_H
#define DR_GATE_CREATE_H

#include <stddef.h>

#include "buf.h"
#include "gate_check.h"

/* Check a create body (len bytes, need not be terminated) against the container contract and
 * append the body the gate sends instead to out, written from what was checked; 0, or -1 with
 * d->reason set. d->image gets the image it names. */
int dr_gate_check_create_body(const struct dr_gate_config *cfg, const char *body, size_t len,
			      struct dr_gate_decision *d, struct dr_buf *out);

/* Compare a container inspect answer (len bytes) with what the gate lets be made: cfg's name,
 * binds and network, image (or, when NULL, any image of the repository by digest), and nothing
 * in any field that grants privilege. 0 the same, or -1 with reason (cap bytes) naming the
 * first difference. */
int dr_gate_check_created(const struct dr_gate_config *cfg, const char *image, const char *inspect, size_t len,
			  char *reason, size_t cap);

#endif
