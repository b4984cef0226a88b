/* gate_check.h: what one environment's Docker gate lets through. A request
 * target is decoded and split once (percent-encoding, the API version, the
 * query), refused on any path trick, matched against the few calls the
 * agent makes for its own container and repository, and rebuilt from the
 * parts that were checked: what goes to the engine is what was checked.
 * Nothing is allocated; a decision's strings live in the decision. */
#ifndef DR_GATE_CHECK_H
#define DR_GATE_CHECK_H

#include <stddef.h>

#define DR_GATE_TARGET_MAX 2048   /* a request target, encoded or decoded */
#define DR_GATE_SEGMENTS_MAX 16   /* path segments */
#define DR_GATE_QUERY_MAX 12      /* query parameters */
#define DR_GATE_REASON_MAX 256
#define DR_GATE_BODY_MAX 65536    /* a create body */

/* The environment a gate serves: from its agent's configuration. */
struct dr_gate_config {
	const char *environment;     /* dev or prod */
	const char *container_name;  /* CONTAINER_NAME */
	const char *repository;      /* IMAGE_REPOSITORY */
	const char *binds[2];        /* "AUDIT_EVENTS_PATH:/var/lib/dreichor/audit-events", snapshots likewise */
	const char *network;         /* CONTAINER_NETWORK, or NULL: the engine's default */
};

/* What the gate does with an allowed request's answer. */
enum dr_gate_answer {
	DR_GATE_PASS,           /* relayed as the engine sends it, streamed */
	DR_GATE_IMAGE_IDS,      /* a container list: only each container's ImageID goes back */
	DR_GATE_DATA_ROOT,      /* the engine's info: only DockerRootDir goes back */
	DR_GATE_REPO_IMAGE,     /* an image inspected by id: answered only when it is of the repository */
};

struct dr_gate_decision {
	int allowed;
	const char *call;                /* the allowed call's name ("container inspect"), static */
	enum dr_gate_answer answer;
	int checks_body;                 /* a create: the body must pass dr_gate_check_create_body */
	char target[DR_GATE_TARGET_MAX]; /* the rebuilt target to send upstream */
	char reason[DR_GATE_REASON_MAX]; /* why it was refused */
};

/* Decide on METHOD TARGET for cfg; 0 allowed, -1 refused with out->reason set. */
int dr_gate_check(const struct dr_gate_config *cfg, const char *method, const char *target,
		  struct dr_gate_decision *out);

/* Check a create body (len bytes, need not be terminated) against the allow-list;
 * 0, or -1 with reason (cap bytes) set. */
int dr_gate_check_create_body(const struct dr_gate_config *cfg, const char *body, size_t len, char *reason,
			      size_t cap);

/* Check cfg itself (names the gate can match exactly); 0, or -1 with reason set. */
int dr_gate_config_check(const struct dr_gate_config *cfg, char *reason, size_t cap);

#endif
