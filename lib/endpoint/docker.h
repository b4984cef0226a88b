/* docker.h: Docker Engine API calls over its unix socket with libcurl:
 * the transport. One easy handle per process, reused for every call so
 * the connection stays open. The API version comes from GET /_ping. Every
 * name put into a path or query is URL-encoded here. What the engine's
 * answers say is read by docker_json (plain functions over text, unit
 * tested against recorded answers): callers get and give plain structs. */
#ifndef DR_DOCKER_H
#define DR_DOCKER_H

#include "buf.h"
#include "docker_json.h"
#include "mask.h"
#include "docker_limits.h"
#include "error.h"

#define DR_DOCKER_BODY_MAX (4 * 1024 * 1024) /* largest response body kept */
#define DR_DOCKER_API_MIN "1.24"
#define DR_DOCKER_API_MAX "1.43"

struct dr_docker {
	void *curl;               /* CURL * */
	char socket_path[108];
	char api[16];             /* "v1.41" */
	struct dr_buf body;       /* last response body */
	long status;              /* last HTTP status */
	char error_buffer[256];   /* libcurl's message for the last failure */
	void *extra_headers;      /* struct curl_slist * added to the next call, owned by its caller */
	const struct dr_mask *mask; /* borrowed, may be NULL: secrets masked in the engine's messages */
	char pull_message[512];   /* the engine's words for the last failed pull or registry lookup, cleaned */
	/* Called after each line of a pull's progress stream (may be NULL). */
	void (*on_pull)(void *ctx, const struct dr_pull_progress *progress);
	void *on_pull_ctx;
};

/* Connect and negotiate the API version; returns 0 or a fault (unavailable) with a reason. */
int dr_docker_open(struct dr_docker *d, const char *socket_path, struct dr_error *err);

/* Release the handle; accepts one that failed to open. */
void dr_docker_close(struct dr_docker *d);

/* Read a container's state by name or id; 0 with *out filled, DR_FAULT_ABSENT, or a fault. */
int dr_docker_container_state(struct dr_docker *d, const char *name, struct dr_container_state *out,
			      struct dr_error *err);

/* The registry digest of image ref_or_id for repository (NULL: any): wanted when it is among the
 * image's RepoDigests, else the first one; "" when none. 0, DR_FAULT_ABSENT or a fault. */
int dr_docker_image_digest(struct dr_docker *d, const char *ref_or_id, const char *repository, const char *wanted,
			   char digest_out[DR_DOCKER_DIGEST_MAX], struct dr_error *err);

/* Pull repository at tag_or_digest (never empty); auth is an X-Registry-Auth value or NULL; 0 or a fault (upstream, unavailable). */
int dr_docker_image_pull(struct dr_docker *d, const char *repository, const char *tag_or_digest, const char *auth,
			 struct dr_error *err);

/* How a stop went. */
struct dr_stop_report {
	int was_running;
	long long duration_ms;  /* from the stop request to the engine's answer */
	int killed;             /* it outlived the timeout and the engine sent SIGKILL */
};

/* The digest the registry reports now for repository at tag_or_digest, through the engine's
 * distribution endpoint (auth as for a pull, may be NULL); 0, or a fault (upstream) naming the registry's answer. */
int dr_docker_registry_digest(struct dr_docker *d, const char *repository, const char *tag_or_digest,
			      const char *auth, char digest_out[DR_DOCKER_DIGEST_MAX], struct dr_error *err);

/* Stop a container, waiting timeout_s before SIGKILL; absent or stopped is success.
 * With report, the container is inspected before and after to fill it. */
int dr_docker_container_stop(struct dr_docker *d, const char *name, long timeout_s, struct dr_stop_report *report,
			     struct dr_error *err);

/* Remove a container (force); absent is success. */
int dr_docker_container_remove(struct dr_docker *d, const char *name, struct dr_error *err);

/* Create a container called name from spec; its id goes to id_out. A value that does not fit is an internal fault. */
int dr_docker_container_create(struct dr_docker *d, const char *name, const struct dr_container_spec *spec,
			       char id_out[DR_DOCKER_ID_MAX], struct dr_error *err);

/* Start a created container. */
int dr_docker_container_start(struct dr_docker *d, const char *name, struct dr_error *err);

/* Wait up to timeout_ms for the container's next exit; 0 with *exit_code set,
 * DR_FAULT_STILL_RUNNING when the time ran out first, or a fault. */
int dr_docker_container_wait_exit(struct dr_docker *d, const char *name, long timeout_ms, long *exit_code,
				  struct dr_error *err);

/* The exit code of the container id's first exit since since_s (Unix seconds), from the
 * engine's die events of the container name: the one a restart hides from inspect. *exit_code is -1 when
 * there was none; returns 0 or a fault. */
int dr_docker_container_first_exit(struct dr_docker *d, const char *name, const char *id, long long since_s,
				   long *exit_code, struct dr_error *err);

/* The local images of repository, an item per registry digest (at most max); 0 or a fault. */
int dr_docker_image_list(struct dr_docker *d, const char *repository, struct dr_image_summary *out, int max,
			 int *count, struct dr_error *err);

/* Of the n image ids asked about, those a container uses, running or not, of whatever name (at
 * most max, into used): a container list filtered by ancestor, all the Docker gate lets through.
 * No call when n is 0; 0 or a fault. */
int dr_docker_images_in_use(struct dr_docker *d, const char *const ids[], int n, char used[][DR_DOCKER_ID_MAX], int max,
			    int *count, struct dr_error *err);

/* Remove the image reference ref, never forced: 0 with *deleted 1 when the image itself went
 * (0 when only the reference did), DR_FAULT_ABSENT, or a fault whose reason is the engine's refusal. */
int dr_docker_image_remove(struct dr_docker *d, const char *ref, int *deleted, struct dr_error *err);

/* The engine's data root (DockerRootDir of /info) into out; 0 or a fault. */
int dr_docker_data_root(struct dr_docker *d, char *out, size_t cap, struct dr_error *err);

/* Append the last tail lines of stdout and stderr, demultiplexed, to out. */
int dr_docker_container_logs(struct dr_docker *d, const char *name, int tail, struct dr_buf *out,
			     struct dr_error *err);

#endif
