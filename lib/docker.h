/* docker.h: Docker Engine API over its unix socket with libcurl.
 * One easy handle per process, reused for every call so the connection
 * stays open. The API version comes from GET /_ping. Every name put into a
 * path or query is URL-encoded here. Docker's JSON is read and written
 * only here: callers get and give plain structs. */
#ifndef DR_DOCKER_H
#define DR_DOCKER_H

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
	void *extra_headers;      /* struct curl_slist * added to the next call, owned by its caller */
};

/* Connect and negotiate the API version; returns 0 or 503 with a reason. */
int dr_docker_open(struct dr_docker *d, const char *socket_path, struct dr_error *err);

/* Release the handle; accepts one that failed to open. */
void dr_docker_close(struct dr_docker *d);

/* Labels the agent puts on the runtime container and reads back. */
#define DR_LABEL_ENVIRONMENT "dreichor.environment"
#define DR_LABEL_IMAGE "dreichor.image"
#define DR_LABEL_IMAGE_DIGEST "dreichor.image-digest"
#define DR_LABEL_REQUEST_ID "dreichor.request-id"

#define DR_DOCKER_ID_MAX 80        /* container and image ids, with room for "sha256:" */
#define DR_DOCKER_REF_MAX 512      /* an image reference or a label value */
#define DR_DOCKER_DIGEST_MAX 72    /* "sha256:" and 64 hex digits */
#define DR_HEALTH_LOG_MAX 3        /* health check outputs kept */
#define DR_HEALTH_OUTPUT_MAX 256   /* bytes of each, cut at a character */

/* What the agent reads of a container; strings are "" when Docker gave none. */
struct dr_container_state {
	char id[DR_DOCKER_ID_MAX];
	char status[32];              /* "running", "exited", "restarting", "created", ... */
	int running;
	long exit_code;               /* the last exit's code; meaningful when not running */
	long restart_count;
	char started_at[40];
	char finished_at[40];
	char image[DR_DOCKER_REF_MAX];       /* the reference it was created from */
	char image_id[DR_DOCKER_ID_MAX];     /* the local image id */
	char health[16];              /* "", "starting", "healthy" or "unhealthy" */
	int health_log_count;         /* the newest health check outputs, oldest first */
	char health_log[DR_HEALTH_LOG_MAX][DR_HEALTH_OUTPUT_MAX];
	char label_environment[32];
	char label_image[DR_DOCKER_REF_MAX];
	char label_image_digest[DR_DOCKER_DIGEST_MAX];
	char label_request_id[64];
};

/* A bind mount: host path onto container path. */
struct dr_bind {
	const char *host;
	const char *container;
};

#define DR_CONTAINER_ENV_MAX 16
#define DR_CONTAINER_BINDS_MAX 4

/* How to create the runtime container; the caller owns every string. */
struct dr_container_spec {
	const char *image;                           /* repository@sha256:..., what runs */
	const char *env_names[DR_CONTAINER_ENV_MAX]; /* with env_values, env_count entries */
	const char *env_values[DR_CONTAINER_ENV_MAX];
	int env_count;
	struct dr_bind binds[DR_CONTAINER_BINDS_MAX];
	int bind_count;
	const char *restart_policy;                  /* "unless-stopped" */
	const char *network;                         /* NULL: the engine's default */
	const char *label_environment;               /* the DR_LABEL_* values */
	const char *label_image;
	const char *label_image_digest;
	const char *label_request_id;
};

/* Read a container's state by name or id; 0 with *out filled, DR_DOCKER_NOT_FOUND, or a status. */
int dr_docker_container_state(struct dr_docker *d, const char *name, struct dr_container_state *out,
			      struct dr_error *err);

/* The registry digest of image ref_or_id for repository (NULL: any): wanted when it is among the
 * image's RepoDigests, else the first one; "" when none. 0, DR_DOCKER_NOT_FOUND or a status. */
int dr_docker_image_digest(struct dr_docker *d, const char *ref_or_id, const char *repository, const char *wanted,
			   char digest_out[DR_DOCKER_DIGEST_MAX], struct dr_error *err);

/* Pull repository at tag_or_digest (never empty); auth is an X-Registry-Auth value or NULL; 0, 502 or 503. */
int dr_docker_image_pull(struct dr_docker *d, const char *repository, const char *tag_or_digest, const char *auth,
			 struct dr_error *err);

/* How a stop went. */
struct dr_stop_report {
	int was_running;
	long long duration_ms;  /* from the stop request to the engine's answer */
	int killed;             /* it outlived the timeout and the engine sent SIGKILL */
};

/* The digest the registry reports now for repository at tag_or_digest, through the engine's
 * distribution endpoint (auth as for a pull, may be NULL); 0, or 502 naming the registry's answer. */
int dr_docker_registry_digest(struct dr_docker *d, const char *repository, const char *tag_or_digest,
			      const char *auth, char digest_out[DR_DOCKER_DIGEST_MAX], struct dr_error *err);

/* Stop a container, waiting timeout_s before SIGKILL; absent or stopped is success.
 * With report, the container is inspected before and after to fill it. */
int dr_docker_container_stop(struct dr_docker *d, const char *name, long timeout_s, struct dr_stop_report *report,
			     struct dr_error *err);

/* Remove a container (force); absent is success. */
int dr_docker_container_remove(struct dr_docker *d, const char *name, struct dr_error *err);

/* Create a container called name from spec; its id goes to id_out. A value that does not fit is 500. */
int dr_docker_container_create(struct dr_docker *d, const char *name, const struct dr_container_spec *spec,
			       char id_out[DR_DOCKER_ID_MAX], struct dr_error *err);

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
