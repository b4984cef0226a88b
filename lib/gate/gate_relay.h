/* gate_relay.h: the engine's answers as the Docker gate relays them: the
 * response head read for its framing (a chunked body is followed with
 * lib/core/chunked.h, without a buffer, so that it streams and its end is
 * known), and the few answers the gate cuts down to what the agent needs. */
#ifndef DR_GATE_RELAY_H
#define DR_GATE_RELAY_H

#include <stddef.h>

#include "gate_check.h"

#define DR_GATE_RESPONSE_HEAD_MAX 16384
#define DR_GATE_ANSWER_MAX (8 * 1024 * 1024) /* an answer the gate reads whole to cut down */

struct dr_gate_response {
	int status;
	long long content_length; /* -1: none given */
	int chunked;
	int close;                /* Connection: close, or HTTP/1.0 */
};

/* Parse a response head (len bytes up to and with the blank line); 0 or -1 when malformed. */
int dr_gate_response_parse(const char *head, size_t len, struct dr_gate_response *r);

/* Whether a response to method with status carries a body at all. */
int dr_gate_response_has_body(const char *method, int status);

/* The answer the agent may see for a cut-down call (answer is not DR_GATE_PASS): a
 * malloc'd JSON text the caller frees, or NULL when nothing of it may go back. */
char *dr_gate_answer_cut(const struct dr_gate_config *cfg, enum dr_gate_answer answer, const char *body,
			 size_t len);

/* Whether one line of the engine's event stream (len bytes, not terminated) is an event of the
 * container of exactly cfg's name (the engine's own filter also passes names it begins). */
int dr_gate_event_ours(const struct dr_gate_config *cfg, const char *line, size_t len);

#endif
