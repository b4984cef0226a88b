/* dsse.h: the DSSE envelope (secure-systems-lab/dsse) a bundle may carry
 * instead of a message signature: its pre-authentication encoding, the
 * bytes its signatures are over, and the in-toto statement (payload type
 * application/vnd.in-toto+json) whose subjects name the artifact. */
#ifndef DR_SS_DSSE_H
#define DR_SS_DSSE_H

#include <stddef.h>

#include "sigstore.h"

#define DR_SS_DSSE_PAYLOAD_TYPE_INTOTO "application/vnd.in-toto+json"
#define DR_SS_INTOTO_SUBJECTS_MAX 1024 /* subjects of one statement */

/* The PAE of the bundle's envelope: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, in a new
 * heap buffer in out (the caller frees out->data); 0 or -1 with why filled. */
int dr_ss_dsse_pae(const struct dr_ss_bundle *b, struct dr_ss_bytes *out, char *why, size_t why_cap);

/* 0 when the envelope's payload is an in-toto statement (type and _type checked) with a subject
 * whose sha256 digest is the artifact's; -1 with why filled otherwise. */
int dr_ss_dsse_subject_matches(const struct dr_ss_bundle *b, const struct dr_ss_artifact *a, char *why,
			       size_t why_cap);

#endif
