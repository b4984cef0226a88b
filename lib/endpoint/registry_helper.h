/* registry_helper.h: asking dreichor-registry (cgi/services/registry.c), the
 * program that speaks TLS to registries, from an endpoint whose own
 * libcurl speaks only HTTP to the Docker socket and whose unit has no
 * network. Under the units it answers on its own socket
 * (DREICHOR_REGISTRY_SOCKET, dreichor-registry-<env>.socket); otherwise it
 * is run directly with PATH, REGISTRY_AUTH_FILE and IMAGE_SIGNATURE_KEYS (paths)
 * as its whole environment. Its answer is one JSON object; the caller puts it. */
#ifndef DR_REGISTRY_HELPER_H
#define DR_REGISTRY_HELPER_H

#include <json-c/json.h>

#include "config.h"
#include "error.h"

#define DR_REGISTRY_HELPER_ANSWER_MAX (64 * 1024)
#define DR_REGISTRY_HELPER_SECONDS 60   /* a token and a request, with room */
#define DR_REGISTRY_LOOKUP_SECONDS 3    /* a tag's digest (a HEAD, with a token): past this the engine is asked */

/* Run the helper with args (args[0] its name, NULL-terminated) and parse its answer into *out,
 * waiting at most seconds (less once SIGTERM arrived: dr_steps_interrupted). 0, or a fault
 * (upstream) when it could not run, timed out or answered nothing readable. */
int dr_registry_helper_run(const struct dr_config *cfg, const char *const args[], int seconds, json_object **out,
			   struct dr_error *err);

#endif
