/* signer_json.h: the keyless signer (lib/core/signer.h) read from
 * dreichor-registry's verify answer and written into the deploy answer,
 * plan and history entry. The answer is outside text: every string passes
 * dr_text_clean (mask.h) and is cut to its field's room. Nothing to free. */
#ifndef DR_SIGNER_JSON_H
#define DR_SIGNER_JSON_H

#include <json-c/json.h>

#include "signer.h"

/* Read the keyless signer of a verify answer into s; 0, or -1 when the answer names no identity. */
int dr_signer_from_answer(json_object *answer, struct dr_signer *s);

/* Add s's fields to o: identity, issuer, source_repository, source_commit, run_url, log_index
 * (when a log entry proved the time), time_source, verified_at; empty ones left out. */
void dr_signer_add(json_object *o, const struct dr_signer *s);

#endif
