/* gate_json.h: the JSON the Docker gate lets reach the engine. Each text is
 * checked under Go's rules (json_strict.h: a name has one spelling, no key
 * twice in any case, no control character, NUL or lone surrogate), decoded
 * with json-c, checked against what the environment may ask for, and
 * written anew by the project's writers: the engine never reads the
 * client's text. Nothing is kept between calls; the caller owns every
 * buffer. */
#ifndef DR_GATE_JSON_H
#define DR_GATE_JSON_H

#include <stddef.h>

#include "buf.h"
#include "gate_check.h"

/* Parse len bytes (need not be terminated), checked under Go's rules, into an object the caller
 * puts; NULL with why (cap bytes) set when it is not one. */
struct json_object *dr_gate_json_object(const char *text, size_t len, char *why, size_t cap);

/* The string value of v (borrowed from it), or NULL when it is not a string. */
const char *dr_gate_json_string(struct json_object *v);

/* One filter name the gate passes, and what its values must be. */
struct dr_gate_filter_rule {
	const char *key;
	int required;
	int (*accept)(const void *ctx, const char *value);
	const void *ctx;
};

/* Check a filters value (a JSON object of string arrays, names among rules, the required ones
 * present) and write it anew into out (cap bytes); 0, or -1 with why (why_cap bytes) set. */
int dr_gate_filters_rewrite(const char *text, const struct dr_gate_filter_rule *rules, int n_rules, char *out,
			    size_t cap, char *why, size_t why_cap);

/* Check an X-Registry-Auth value (base64url of a JSON object of credential strings) and write it
 * anew into out (cap bytes); 0, or -1 with why set. Buffers holding the secret are wiped. */
int dr_gate_auth_rewrite(const char *value, char *out, size_t cap, char *why, size_t why_cap);

#endif
