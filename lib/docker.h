/* docker.h: Docker Engine API over its unix socket with libcurl.
 * One easy handle per process, reused for every call so the connection
 * stays open. The API version comes from GET /_ping. Every name put into a
 * path or query is URL-encoded here. json_object results are owned by the
 * caller (json_object_put). */
#ifndef DR_DOCKER_H
#define DR_DOCKER_H

#include <json-c/json.h>

#include "buf.h"
#include "docker_limits.h"
#include "error.h"

#define DR_DOCKER_BODY_MAX (4 * 1024 * 1024) /* largest response body kept */
#define DR_DOCKER_NOT_FOUND 1                /* inspect result: no such object */
#define DR_DOCKER_STILL_RUNNING 2            /* wait result: no exit in time */
#define DR_DOCKER_API_MIN "1.24"
#define DR_DOCKER_API_MAX "1.43"
#define DR_DOCKER_LOG_BYTES_MAX 65536        /* container log bytes kept */

struct dr_docker {
	void *curl;               /* CURL * */
	char socket_path[108];
	char api[16];             /* "v1.41" */
	struct dr_buf body;       /* last response body */
	long status;              /* last HTTP status */
	char error_buffer[256];   /* libcurl's message for the last failure */
};

/* Connect and negotiate the API version; returns 0 or 503 with a reason. */
int dr_docker_open(struct dr_docker *d, const char *socket_path, struct dr_error *err);

/* Release the handle; accepts one that failed to open. */
void dr_docker_close(struct dr_docker *d);

/* Inspect a container by name or id; 0 with *out set, DR_DOCKER_NOT_FOUND, or a status. */
int dr_docker_container_inspect(struct dr_docker *d, const char *name, json_object **out, struct dr_error *err);

/* Inspect an image by reference or id; 0 with *out set, DR_DOCKER_NOT_FOUND, or a status. */
int dr_docker_image_inspect(struct dr_docker *d, const char *ref, json_object **out, struct dr_error *err);

/* Pull repository at tag_or_digest (never empty); auth is an X-Registry-Auth value or NULL; 0, 502 or 503. */
int dr_docker_image_pull(struct dr_docker *d, const char *repository, const char *tag_or_digest, const char *auth,
			 struct dr_error *err);

/* Stop a container, waiting timeout_s before SIGKILL; absent or stopped is success. */
int dr_docker_container_stop(struct dr_docker *d, const char *name, long timeout_s, struct dr_error *err);

/* Remove a container (force); absent is success. */
int dr_docker_container_remove(struct dr_docker *d, const char *name, struct dr_error *err);

/* Create a container called name from spec; its id goes to id_out. */
int dr_docker_container_create(struct dr_docker *d, const char *name, json_object *spec, char id_out[80],
			       struct dr_error *err);

/* Start a created container. */
int dr_docker_container_start(struct dr_docker *d, const char *id, struct dr_error *err);

/* Wait up to timeout_ms for the container's next exit; 0 with *exit_code set,
 * DR_DOCKER_STILL_RUNNING when the time ran out first, or a status. */
int dr_docker_container_wait_exit(struct dr_docker *d, const char *id, long timeout_ms, long *exit_code,
				  struct dr_error *err);

/* The exit code of the container's first exit since since_s (Unix seconds), from the
 * engine's die events: the one a restart hides from inspect. *exit_code is -1 when
 * there was none; returns 0 or a status. */
int dr_docker_container_first_exit(struct dr_docker *d, const char *id, long long since_s, long *exit_code,
				   struct dr_error *err);

/* Append the last tail lines of stdout and stderr, demultiplexed, to out. */
int dr_docker_container_logs(struct dr_docker *d, const char *id, int tail, struct dr_buf *out,
			     struct dr_error *err);

#endif
