/* pull_failure.h: a registry failure named for what it is. The engine
 * reports a pull's failure as its own text; operators misread it (a
 * private GHCR package without a classic token looks like "not found", a
 * rate limit like an outage). This reads the engine's message and gives
 * the fault and a reason that says what the operator can do. No I/O:
 * the caller gathers the context. */
#ifndef DR_PULL_FAILURE_H
#define DR_PULL_FAILURE_H

#include "error.h"

enum dr_pull_failure {
	DR_PULL_FAILED = 0,        /* none of the below: the engine's text as it is */
	DR_PULL_CREDENTIALS,       /* the registry refused the credentials, or wants some */
	DR_PULL_NOT_FOUND,         /* no such tag or manifest */
	DR_PULL_RATE_LIMITED,      /* 429 */
	DR_PULL_NO_SPACE,          /* the engine's disk is full */
	DR_PULL_UNREACHABLE,       /* no connection, no name, no TLS handshake */
};

/* What the reason may say besides the engine's text; any pointer may be NULL. */
struct dr_pull_context {
	const char *reference;     /* repository:tag or repository@digest */
	const char *registry;      /* host[:port] */
	int credentials;           /* REGISTRY_AUTH_FILE has an entry for it */
	const char *data_root;     /* the engine's DockerRootDir */
	long keep_images;
	long retry_after_s;        /* the registry's Retry-After; -1 when it gave none */
};

/* The kind of failure the engine's message describes. */
enum dr_pull_failure dr_pull_failure_kind(const char *engine_message);

/* Set err for a failure of kind: DR_FAULT_UPSTREAM (credentials, not found, unreachable, other),
 * DR_FAULT_RATE_LIMITED (with the retry time), DR_FAULT_NO_SPACE (naming the data root and
 * KEEP_IMAGES). Returns the fault. */
int dr_pull_failure_explain(enum dr_pull_failure kind, const struct dr_pull_context *c, const char *engine_message,
			    struct dr_error *err);

#endif
