/* container.h: the runtime container's contract, in one place for the two
 * programs that must agree on it: the agent, which creates the container,
 * and the Docker gate, which lets only such a create through. It holds the
 * two binds and their paths inside the container, the restart policy, the
 * labels, which environment variables the container gets, and the one
 * writer of the create body. libc only; nothing here allocates, the caller
 * owns every string. */
#ifndef DR_CONTAINER_H
#define DR_CONTAINER_H

#include <stddef.h>

#include "buf.h"

#define DR_CONTAINER_AUDIT_EVENTS_DIR "/var/lib/dreichor/audit-events"
#define DR_CONTAINER_SNAPSHOTS_DIR "/var/lib/dreichor/snapshots"
#define DR_CONTAINER_RESTART_POLICY "unless-stopped"
#define DR_CONTAINER_BINDS 2          /* audit events, snapshots: exactly these */
#define DR_CONTAINER_ENV_MAX 16       /* variables the container gets: the runtime's ten and ENVIRONMENT */
#define DR_CONTAINER_ENV_ITEM_MAX 4160 /* NAME=value: a runtime line and its name */
#define DR_CONTAINER_BIND_MAX 4200    /* HOST:DIR */
#define DR_CONTAINER_BODY_MAX 65536   /* a create body, as the agent writes it and the gate reads it */

enum dr_container_label {
	DR_CONTAINER_LABEL_ENVIRONMENT,
	DR_CONTAINER_LABEL_IMAGE,
	DR_CONTAINER_LABEL_IMAGE_DIGEST,
	DR_CONTAINER_LABEL_REQUEST_ID,
	DR_CONTAINER_LABELS
};

/* The label names, indexed by enum dr_container_label ("dreichor.environment", ...). */
extern const char *const dr_container_label_names[DR_CONTAINER_LABELS];

/* What a create asks for: the whole of what the container contract lets vary. */
struct dr_container_body {
	const char *image;                        /* REPOSITORY@sha256:... */
	const char *env[DR_CONTAINER_ENV_MAX];    /* "NAME=value", env_count of them */
	int env_count;
	const char *labels[DR_CONTAINER_LABELS];  /* by enum dr_container_label; NULL: none */
	const char *binds[DR_CONTAINER_BINDS];    /* "HOST:DIR", audit events first */
	const char *restart_policy;               /* DR_CONTAINER_RESTART_POLICY */
	const char *network;                      /* NetworkMode, or NULL: the engine's default */
};

/* "HOST:DIR" of bind which (0: audit events, 1: snapshots) into out; 0, or -1 when it does not fit. */
int dr_container_bind(const char *host, int which, char *out, size_t cap);

/* Whether name (len bytes) is a variable the container gets: a runtime variable or ENVIRONMENT. */
int dr_container_env_name(const char *name, size_t len);

/* The index of a label name, or -1. */
int dr_container_label_index(const char *name);

/* Append b as the create body's JSON to out; the only writer of it. 0, or -1 when out is full. */
int dr_container_body_write(const struct dr_container_body *b, struct dr_buf *out);

#endif
