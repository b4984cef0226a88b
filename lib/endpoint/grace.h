/* grace.h: a new container's first seconds. Start it, then watch it for
 * the startup grace period: it must not exit or restart, and when its
 * image defines a HEALTHCHECK it must report healthy in time. Keeps its
 * last log lines (masked, then cut, then sanitised) and, on a health
 * failure, its last health check outputs; removes a container that did
 * not stay up, so that the runtime is never left crash-looping. What the
 * engine's answers mean is decided in grace_decide.h; this file asks and acts.
 * The struct owns logs, health_outputs and log_text: dr_grace_free. */
#ifndef DR_GRACE_H
#define DR_GRACE_H

#include <json-c/json.h>

#include "buf.h"
#include "docker.h"
#include "error.h"
#include "grace_decide.h"
#include "mask.h"

#define DR_GRACE_LOG_LINES 50        /* container log lines kept */
#define DR_GRACE_LOG_LINE_MAX 1024   /* bytes of each, cut after masking */
#define DR_GRACE_HEALTH_POLL_MS 250

struct dr_grace {
	struct dr_docker *docker;          /* borrowed */
	const struct dr_mask *mask;        /* borrowed: the runtime's secrets */
	long grace_seconds;
	const char *container_name;        /* borrowed: every call names the container (the Docker gate passes no id) */
	char container_id[DR_DOCKER_ID_MAX]; /* what create answered: for the record and its die events */
	long long started_s;               /* just before the start, for the engine's die events */
	int health_checked;                /* its image defines a HEALTHCHECK */
	struct dr_container_state state;   /* the container, last inspected */
	long exit_code;                    /* a failed container's first exit code; -1: none */
	json_object *logs;                 /* array of its last log lines */
	json_object *health_outputs;       /* array of its last health check outputs, on a health failure */
	struct dr_buf log_text;            /* the same lines, newline-separated, for the journal */
};

/* Set up g for the container id (created, not started); docker and mask are borrowed. */
void dr_grace_init(struct dr_grace *g, struct dr_docker *docker, const struct dr_mask *mask, long grace_seconds,
		   const char *id);

/* Start the container and note whether its image checks health; 0 or a fault. */
int dr_grace_start(struct dr_grace *g, struct dr_error *err);

/* Watch it through the grace period and collect its logs. 0 when it stayed up (and became
 * healthy); otherwise it is stopped and removed, and the fault's reason carries its exit
 * code or health outputs and last log lines. */
int dr_grace_watch(struct dr_grace *g, struct dr_error *err);

/* Free what g owns (wiping the log text). */
void dr_grace_free(struct dr_grace *g);

#endif
