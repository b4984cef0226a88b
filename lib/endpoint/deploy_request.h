/* deploy_request.h: the body of POST /v1/deploy. One JSON object with
 * image (required string), environment (optional, must be the agent's),
 * env (optional object of runtime variables) and expect_current_digest
 * (optional: sha256:<64 hex> or "none"); every other field would be an
 * override and is refused. POST /v1/plan takes the same body. The struct owns the parsed JSON; image and
 * env point into it; dr_deploy_request_free releases it. */
#ifndef DR_DEPLOY_REQUEST_H
#define DR_DEPLOY_REQUEST_H

#include <stddef.h>

#include <json-c/json.h>

#include "error.h"
#include "runtime_env.h"

#define DR_DEPLOY_JSON_DEPTH 8

struct dr_deploy_request {
	json_object *root;  /* owned */
	const char *image;  /* borrowed from root */
	json_object *env;   /* borrowed from root, NULL when absent */
	const char *expect_current_digest;  /* borrowed from root, NULL when absent */
};

/* Parse and check body (len bytes) for an agent serving environment; returns 0 or a bad-request fault. */
int dr_deploy_request_parse(struct dr_deploy_request *r, const char *body, size_t len, const char *environment,
			    struct dr_error *err);

/* Compare the request's env values with the server's runtime env; 0, or a bad-request fault for an override. */
int dr_deploy_request_check_env(const struct dr_deploy_request *r, const struct dr_runtime_env *runtime,
				struct dr_error *err);

/* Release what r owns; accepts a request that failed to parse. */
void dr_deploy_request_free(struct dr_deploy_request *r);

#endif
