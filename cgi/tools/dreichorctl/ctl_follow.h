/* ctl_follow.h: following a deploy the agent accepted (202) to its end,
 * by polling GET /v1/deploys/<request_id> and printing each phase as it
 * begins and the pull's progress. */
#ifndef CTL_FOLLOW_H
#define CTL_FOLLOW_H

#include <json-c/json.h>

#include "ctl_http.h"

/* Poll deploy id until it ended (progress on stdout, on stderr with json); 0 with *record (NULL on
 * entry) its final state, else an exit code; the caller json_object_puts *record either way. */
int ctl_follow(struct ctl_http *h, int json, const char *id, json_object **record);

#endif
