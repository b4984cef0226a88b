/* gate_check.h: what one environment's Docker gate lets through, and what
 * it sends in its place. The rule (docs/architecture.md, the Docker gate):
 * the engine receives only bytes the gate produced from what it checked.
 * A request target is decoded and split once (percent-encoding, the API
 * version, the query), refused on any path trick, matched against the
 * table of calls the agent makes for its own container and repository,
 * and rebuilt from the checked parts under the gate's own API version.
 * JSON the engine will read (the create body, filters, registry
 * credentials) is decoded under Go's rules (json_strict.h), checked, and
 * written anew by the project's writers. Nothing here keeps state between
 * calls; a decision's strings live in the decision. */
#ifndef DR_GATE_CHECK_H
#define DR_GATE_CHECK_H

#include <stddef.h>

#include "buf.h"
#include "container.h"

#define DR_GATE_TARGET_MAX 2048   /* a request target, encoded or decoded */
#define DR_GATE_SEGMENTS_MAX 16   /* path segments */
#define DR_GATE_QUERY_MAX 12      /* query parameters */
#define DR_GATE_REASON_MAX 256
#define DR_GATE_BODY_MAX DR_CONTAINER_BODY_MAX /* a create body */
#define DR_GATE_AUTH_MAX 8192     /* X-Registry-Auth, encoded */
#define DR_GATE_IMAGE_MAX 512     /* the image a create names */
/* Every call reaches the engine under this version: Debian 12's engine (20.10)
 * serves up to 1.41, and engines 25 to 28 serve 1.24 and later; the agent's
 * calls need 1.30 (a wait's condition). */
#define DR_GATE_API_VERSION "1.41"
#define DR_GATE_API_MIN_MINOR 24  /* a request must name v1.24 or later */

/* The environment a gate serves: from its agent's configuration. */
struct dr_gate_config {
	const char *environment;     /* dev or prod */
	const char *container_name;  /* CONTAINER_NAME */
	const char *repository;      /* IMAGE_REPOSITORY */
	const char *binds[DR_CONTAINER_BINDS]; /* "AUDIT_EVENTS_PATH:<container dir>", snapshots likewise */
	const char *network;         /* CONTAINER_NETWORK, or NULL: the engine's default */
	const char *allowed_plane;   /* ALLOW_EXECUTION_PLANE: the runtime's variables are checked as the agent does */
};

/* A request as the gate received it: what decides whether it may pass. */
struct dr_gate_request {
	const char *method;
	const char *target;          /* path and query, as received */
	int has_body;                /* a Content-Length above 0, or a Transfer-Encoding */
	const char *content_type;    /* the header's value, or NULL */
	const char *registry_auth;   /* X-Registry-Auth, or NULL */
};

/* What the gate does with an allowed request's answer. */
enum dr_gate_answer {
	DR_GATE_PASS,           /* relayed as the engine sends it, streamed */
	DR_GATE_IMAGE_IDS,      /* a container list: only each container's ImageID goes back */
	DR_GATE_DATA_ROOT,      /* the engine's info: only DockerRootDir goes back */
	DR_GATE_REPO_IMAGE,     /* an image inspected by id: answered only when it is of the repository */
	DR_GATE_CREATED,        /* a create: what the engine made is inspected and compared first */
	DR_GATE_START_CHECKED,  /* a start: the container is inspected and compared first, then started by id */
	DR_GATE_EVENTS,         /* events: only those of the container of exactly this name go back */
};

struct dr_gate_decision {
	int allowed;
	const char *call;                /* the allowed call's name ("container inspect"), static */
	enum dr_gate_answer answer;
	int checks_body;                 /* a create: the body must pass dr_gate_check_create_body */
	char target[DR_GATE_TARGET_MAX]; /* the rebuilt target to send upstream */
	char registry_auth[DR_GATE_AUTH_MAX]; /* X-Registry-Auth re-encoded, or "" */
	char image[DR_GATE_IMAGE_MAX];   /* a create: the image its body named */
	char reason[DR_GATE_REASON_MAX]; /* why it was refused */
};

/* Decide on req for cfg; 0 allowed, -1 refused with out->reason set. */
int dr_gate_check(const struct dr_gate_config *cfg, const struct dr_gate_request *req, struct dr_gate_decision *out);

/* Check cfg itself (names the gate can match exactly); 0, or -1 with reason set. */
int dr_gate_config_check(const struct dr_gate_config *cfg, char *reason, size_t cap);

#endif
