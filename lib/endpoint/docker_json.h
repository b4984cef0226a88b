/* docker_json.h: what the agent reads and writes of the Docker Engine
 * API's JSON and stream formats, as plain functions over text: inspect
 * answers, the distribution endpoint, the pull progress stream, die
 * events, the multiplexed log stream, the create body. No I/O here
 * (docker.c is the transport), so every decoder is unit tested against
 * recorded engine answers (t/test_docker_json.c, t/data/docker/). Callers
 * own the buffers they pass; the create body is the caller's to put. */
#ifndef DR_DOCKER_JSON_H
#define DR_DOCKER_JSON_H

#include <stddef.h>

#include <json-c/json.h>

#include "buf.h"
#include "container.h"
#include "error.h"

#define DR_DOCKER_LOG_BYTES_MAX 65536  /* container log bytes kept */

/* Labels the agent puts on the runtime container and reads back. */
#define DR_LABEL_ENVIRONMENT (dr_container_label_names[DR_CONTAINER_LABEL_ENVIRONMENT])
#define DR_LABEL_IMAGE (dr_container_label_names[DR_CONTAINER_LABEL_IMAGE])
#define DR_LABEL_IMAGE_DIGEST (dr_container_label_names[DR_CONTAINER_LABEL_IMAGE_DIGEST])
#define DR_LABEL_REQUEST_ID (dr_container_label_names[DR_CONTAINER_LABEL_REQUEST_ID])

#define DR_DOCKER_ID_MAX 80        /* container and image ids, with room for "sha256:" */
#define DR_DOCKER_REF_MAX 512      /* an image reference or a label value */
#define DR_DOCKER_DIGEST_MAX 72    /* "sha256:" and 64 hex digits */
#define DR_HEALTH_LOG_MAX 3        /* health check outputs kept */
/* Bytes of each kept raw, unmasked: the engine keeps 4096 of a check's output, adds "..." when it
 * cut, and puts a sentence before it on a timeout. A longer output is not kept, never cut here:
 * a cut before masking could keep the start of a secret. */
#define DR_HEALTH_OUTPUT_RAW_MAX 8192
#define DR_HEALTH_OUTPUT_NOT_KEPT "(a health check output longer than the agent keeps)"
#define DR_HEALTH_OUTPUT_MAX 256   /* bytes of each shown, cut after masking (dr_text_clean) */

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
	char health_log[DR_HEALTH_LOG_MAX][DR_HEALTH_OUTPUT_RAW_MAX]; /* raw: pass dr_text_clean */
	char label_environment[32];
	char label_image[DR_DOCKER_REF_MAX];
	char label_image_digest[DR_DOCKER_DIGEST_MAX];
	char label_request_id[64];
};

/* How to create the runtime container (container.h has the rest of its contract); the caller
 * owns every string. */
struct dr_container_spec {
	const char *image;                           /* repository@sha256:..., what runs */
	const char *env_names[DR_CONTAINER_ENV_MAX]; /* with env_values, env_count entries */
	const char *env_values[DR_CONTAINER_ENV_MAX];
	int env_count;
	const char *bind_hosts[DR_CONTAINER_BINDS];  /* the host paths: audit events, snapshots */
	const char *network;                         /* NULL: the engine's default */
	const char *labels[DR_CONTAINER_LABELS];     /* by enum dr_container_label; NULL: none */
};

/* Decode a container inspect answer into *out; 0, or -1 when text is not a JSON object. */
int dr_docker_json_container(const char *text, struct dr_container_state *out);

/* From an image inspect answer: the registry digest of repository (NULL: any) among its
 * RepoDigests, wanted when present, else the first; "" when none. 0, or -1 when malformed. */
int dr_docker_json_image_digest(const char *text, const char *repository, const char *wanted,
				char digest_out[DR_DOCKER_DIGEST_MAX]);

/* The Descriptor.digest of a distribution inspect answer; 0, or -1 when there is no valid one. */
int dr_docker_json_distribution_digest(const char *text, char digest_out[DR_DOCKER_DIGEST_MAX]);

/* The Id of a create answer into id_out; 0, or -1 when there is none or it does not fit. */
int dr_docker_json_created_id(const char *text, char id_out[DR_DOCKER_ID_MAX]);

/* Append Docker's {"message": ...} of an error answer to out, whole (out's cap: the body it came in),
 * for dr_text_clean to mask before anything cuts it; 0, or -1 when it has none or out is full. */
int dr_docker_json_message(const char *text, struct dr_buf *out);

#define DR_IMAGES_MAX 128  /* images of one repository, and containers, looked at by retention */

/* One local image of a repository by one of its registry digests. */
struct dr_image_summary {
	char id[DR_DOCKER_ID_MAX];
	char digest[DR_DOCKER_DIGEST_MAX];  /* of repository, from RepoDigests */
	long long size;                     /* bytes, as the engine reports the image */
};

/* From an images/json answer: an item per RepoDigests entry of repository, at most max, into
 * out with *count set; 0, or -1 when text is not a JSON array. */
int dr_docker_json_image_list(const char *text, const char *repository, struct dr_image_summary *out, int max,
			      int *count);

/* The ImageID of each container of a containers/json answer, at most max; 0, or -1 when malformed. */
int dr_docker_json_container_images(const char *text, char ids[][DR_DOCKER_ID_MAX], int max, int *count);

/* DockerRootDir of an /info answer into out (cap bytes); 0, or -1 when there is none or it does not fit. */
int dr_docker_json_data_root(const char *text, char *out, size_t cap);

/* 1 when an image delete answer has a "Deleted" entry (the image is gone), 0 when it only untagged. */
int dr_docker_json_image_deleted(const char *text);

#define DR_PULL_LAYERS_MAX 64

/* What a pull's progress stream said so far: dr_docker_json_pull_init before the first line,
 * dr_docker_json_pull_free after the last. The engine's words are kept whole (masked before
 * anything cuts them). */
struct dr_pull_progress {
	struct dr_buf error;           /* the first error a line reported */
	struct dr_buf message;         /* {"message"} of a pull refused outright */
	int failed;                    /* a line reported one: error holds it (empty only if it could not be kept) */
	int layers;                    /* layers seen, at most DR_PULL_LAYERS_MAX */
	char layer_id[DR_PULL_LAYERS_MAX][72];
	long long layer_current[DR_PULL_LAYERS_MAX];
	long long layer_total[DR_PULL_LAYERS_MAX];
	long long current_bytes;       /* summed over the layers */
	long long total_bytes;
};

/* Prepare p for a stream; its texts are kept up to text_max bytes each (a whole line: the stream's limit). */
void dr_docker_json_pull_init(struct dr_pull_progress *p, size_t text_max);

/* Take one complete line of the pull stream: an error, or a layer's progress. */
void dr_docker_json_pull_line(struct dr_pull_progress *p, const char *line);

/* Wipe and free the texts p keeps (they may quote a secret). */
void dr_docker_json_pull_free(struct dr_pull_progress *p);

/* The exitCode of the first die event of container id (NULL: any) in text (JSON lines of /events), or -1.
 * The events are asked for by name: a container removed under that name in the same second is another id. */
long dr_docker_json_first_die(const char *text, const char *id);

/* Append the payload of a multiplexed (non-TTY) log stream to out; raw text passes through. 0 or -1 when out is full. */
int dr_docker_json_demux(const unsigned char *p, size_t len, struct dr_buf *out);

/* Append the create body for spec to out (container.h's writer); 0, or a fault with err set. */
int dr_docker_json_create_body(const struct dr_container_spec *spec, struct dr_buf *out, struct dr_error *err);

#endif
