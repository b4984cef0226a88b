/* docker_json.c: the Engine API's JSON and stream formats, read and written. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker_json.h"
#include "image_ref.h"
#include "jsonstr.h"
#include "number.h"


/* A string member of o at key (o may be NULL), or NULL. */
static const char *docker_str(json_object *o, const char *key)
{
	json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* An integer member of o at key, or fallback. */
static long docker_long(json_object *o, const char *key, long fallback)
{
	json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int))
		return (long)json_object_get_int64(v);
	return fallback;
}

/* An object member of o at key, or NULL. */
static json_object *docker_obj(json_object *o, const char *key)
{
	json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_object))
		return v;
	return NULL;
}

/* Copy a Docker string into a field; one too long for it is left empty, never cut. */
static void docker_copy(char *dst, size_t cap, const char *src)
{
	if (!src || dr_strlcpy(dst, src, cap))
		dst[0] = '\0';
}

/* The last DR_HEALTH_LOG_MAX outputs of State.Health.Log, trimmed of trailing newlines;
 * raw and whole, so that masking sees each before anything cuts it (one too long is not kept). */
static void docker_health_log(json_object *health, struct dr_container_state *out)
{
	json_object *log = NULL;
	size_t n, i;

	if (!health || !json_object_object_get_ex(health, "Log", &log) || !json_object_is_type(log, json_type_array))
		return;
	n = json_object_array_length(log);
	for (i = n > DR_HEALTH_LOG_MAX ? n - DR_HEALTH_LOG_MAX : 0; i < n; i++) {
		const char *text = docker_str(json_object_array_get_idx(log, i), "Output");
		char *line = out->health_log[out->health_log_count];
		size_t len;
		if (!text)
			continue;
		dr_strlcpy(line, strlen(text) < DR_HEALTH_OUTPUT_RAW_MAX ? text : DR_HEALTH_OUTPUT_NOT_KEPT,
			   DR_HEALTH_OUTPUT_RAW_MAX);
		len = strlen(line);
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		out->health_log_count++;
	}
}

int dr_docker_json_container(const char *text, struct dr_container_state *out)
{
	json_object *c = json_tokener_parse(text), *state, *config, *labels;

	memset(out, 0, sizeof *out);
	out->exit_code = -1;
	if (!c || !json_object_is_type(c, json_type_object)) {
		json_object_put(c);
		return -1;
	}
	state = docker_obj(c, "State");
	config = docker_obj(c, "Config");
	labels = docker_obj(config, "Labels");
	docker_copy(out->id, sizeof out->id, docker_str(c, "Id"));
	docker_copy(out->status, sizeof out->status, docker_str(state, "Status"));
	if (!out->status[0])
		docker_copy(out->status, sizeof out->status, "unknown");
	out->running = !strcmp(out->status, "running");
	out->exit_code = docker_long(state, "ExitCode", -1);
	out->restart_count = docker_long(c, "RestartCount", 0);
	docker_copy(out->started_at, sizeof out->started_at, docker_str(state, "StartedAt"));
	docker_copy(out->finished_at, sizeof out->finished_at, docker_str(state, "FinishedAt"));
	docker_copy(out->image, sizeof out->image, docker_str(config, "Image"));
	docker_copy(out->image_id, sizeof out->image_id, docker_str(c, "Image"));
	docker_copy(out->health, sizeof out->health, docker_str(docker_obj(state, "Health"), "Status"));
	docker_health_log(docker_obj(state, "Health"), out);
	docker_copy(out->label_environment, sizeof out->label_environment, docker_str(labels, DR_LABEL_ENVIRONMENT));
	docker_copy(out->label_image, sizeof out->label_image, docker_str(labels, DR_LABEL_IMAGE));
	docker_copy(out->label_image_digest, sizeof out->label_image_digest, docker_str(labels, DR_LABEL_IMAGE_DIGEST));
	docker_copy(out->label_request_id, sizeof out->label_request_id, docker_str(labels, DR_LABEL_REQUEST_ID));
	json_object_put(c);
	return 0;
}

/* Whether entry is repository@sha256:<64 hex>, or any name@ one when repository is NULL. */
static const char *docker_repo_digest(const char *entry, const char *repository)
{
	const char *at = strrchr(entry, '@');
	size_t rlen = repository ? strlen(repository) : 0;

	if (!at || (repository && ((size_t)(at - entry) != rlen || strncmp(entry, repository, rlen))))
		return NULL;
	return dr_image_digest_valid(at + 1) ? at + 1 : NULL;
}

int dr_docker_json_image_digest(const char *text, const char *repository, const char *wanted,
				char digest_out[DR_DOCKER_DIGEST_MAX])
{
	json_object *image = json_tokener_parse(text), *digests;
	const char *first = NULL, *match = NULL, *dg;
	size_t i, n;

	digest_out[0] = '\0';
	if (!image || !json_object_is_type(image, json_type_object)) {
		json_object_put(image);
		return -1;
	}
	digests = json_object_object_get_ex(image, "RepoDigests", &digests) &&
		  json_object_is_type(digests, json_type_array) ? digests : NULL;
	n = digests ? json_object_array_length(digests) : 0;
	for (i = 0; i < n && !match; i++) {
		json_object *e = json_object_array_get_idx(digests, i);
		if (!json_object_is_type(e, json_type_string) || !(dg = docker_repo_digest(json_object_get_string(e), repository)))
			continue;
		if (!first)
			first = dg;
		if (wanted && wanted[0] && !strcmp(dg, wanted))
			match = dg;
	}
	if (match || first)
		dr_strlcpy(digest_out, match ? match : first, DR_DOCKER_DIGEST_MAX);
	json_object_put(image);
	return 0;
}

int dr_docker_json_distribution_digest(const char *text, char digest_out[DR_DOCKER_DIGEST_MAX])
{
	json_object *o = json_tokener_parse(text);
	const char *digest = docker_str(docker_obj(o, "Descriptor"), "digest");
	int rc = digest && dr_image_digest_valid(digest) ? 0 : -1;

	digest_out[0] = '\0';
	if (!rc)
		dr_strlcpy(digest_out, digest, DR_DOCKER_DIGEST_MAX);
	json_object_put(o);
	return rc;
}

int dr_docker_json_created_id(const char *text, char id_out[DR_DOCKER_ID_MAX])
{
	json_object *o = json_tokener_parse(text);
	const char *id = docker_str(o, "Id");
	int rc = !id || !id[0] || dr_strlcpy(id_out, id, DR_DOCKER_ID_MAX) ? -1 : 0;

	json_object_put(o);
	return rc;
}

/* Append v's text to out, whole: a string's bytes (a NUL too: dr_text_clean shows it), another type's JSON. */
static int docker_text_add(struct dr_buf *out, json_object *v)
{
	const char *s = json_object_get_string(v);

	if (json_object_is_type(v, json_type_string))
		return dr_buf_add(out, s, (size_t)json_object_get_string_len(v));
	return dr_buf_adds(out, s ? s : "");
}

int dr_docker_json_message(const char *text, struct dr_buf *out)
{
	json_object *o = json_tokener_parse(text), *m = NULL;
	int rc = -1;

	if (o && json_object_object_get_ex(o, "message", &m) && json_object_is_type(m, json_type_string))
		rc = docker_text_add(out, m);
	json_object_put(o);
	return rc;
}

/* One layer's progress: {"id", "status": "Downloading", "progressDetail": {"current", "total"}}. */
static void pull_layer_progress(struct dr_pull_progress *p, json_object *o)
{
	json_object *detail = docker_obj(o, "progressDetail");
	const char *id = docker_str(o, "id"), *status = docker_str(o, "status");
	long current = docker_long(detail, "current", -1), total = docker_long(detail, "total", -1);
	int i;

	if (!id || !status || strcmp(status, "Downloading") || current < 0 || total <= 0)
		return;
	for (i = 0; i < p->layers && strcmp(p->layer_id[i], id); i++)
		;
	if (i == p->layers) {
		if (p->layers == DR_PULL_LAYERS_MAX || dr_strlcpy(p->layer_id[i], id, sizeof p->layer_id[i]))
			return;
		p->layers++;
		p->total_bytes += total;
		p->layer_total[i] = total;
	}
	p->current_bytes += (current < p->layer_total[i] ? current : p->layer_total[i]) - p->layer_current[i];
	p->layer_current[i] = current < p->layer_total[i] ? current : p->layer_total[i];
}

void dr_docker_json_pull_init(struct dr_pull_progress *p, size_t text_max)
{
	memset(p, 0, sizeof *p);
	dr_buf_init(&p->error, text_max);
	dr_buf_init(&p->message, text_max);
}

/* Keep b's text (its first non-empty one) as v says it, whole; 1 when it holds one now, or when it
 * could not be kept. */
static int pull_keep(struct dr_buf *b, json_object *v)
{
	if (!b->len && !b->overflow)
		docker_text_add(b, v);
	return b->len || b->overflow;
}

void dr_docker_json_pull_line(struct dr_pull_progress *p, const char *line)
{
	json_object *o, *e;

	if (p->failed || !line[0])
		return;
	o = json_tokener_parse(line);
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return;
	}
	if (o && json_object_object_get_ex(o, "message", &e))
		pull_keep(&p->message, e);
	/* errorDetail.message is the engine's full text; error its short form. */
	if (o && (json_object_object_get_ex(o, "errorDetail", &e) || json_object_object_get_ex(o, "error", &e))) {
		json_object *m = NULL;
		if (json_object_is_type(e, json_type_object))
			json_object_object_get_ex(e, "message", &m);
		p->failed = pull_keep(&p->error, m ? m : e);
	} else if (o) {
		pull_layer_progress(p, o);
	}
	json_object_put(o);
}

/* Wipe and free b. */
static void pull_wipe(struct dr_buf *b)
{
	if (b->data)
		explicit_bzero(b->data, b->len);
	dr_buf_free(b);
}

void dr_docker_json_pull_free(struct dr_pull_progress *p)
{
	pull_wipe(&p->error);
	pull_wipe(&p->message);
}

/* Whether event ev is about the container id (NULL: any). */
static int docker_event_of(json_object *ev, const char *id)
{
	json_object *v;

	return !id || (json_object_object_get_ex(ev, "Actor", &v) && json_object_object_get_ex(v, "ID", &v) &&
		       json_object_is_type(v, json_type_string) && !strcmp(json_object_get_string(v), id));
}

/* The exitCode attribute of the first die event of container id in the stream of JSON lines in text, or -1. */
long dr_docker_json_first_die(const char *text, const char *id)
{
	json_tokener *tok = json_tokener_new();
	json_object *ev, *v;
	long code = -1;
	const char *p = text;

	while (tok && code < 0 && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		long n;
		json_tokener_reset(tok);
		ev = json_tokener_parse_ex(tok, p, (int)len);
		if (ev && docker_event_of(ev, id) && json_object_object_get_ex(ev, "Actor", &v) &&
		    json_object_object_get_ex(v, "Attributes", &v) &&
		    json_object_object_get_ex(v, "exitCode", &v) && json_object_is_type(v, json_type_string) &&
		    !dr_parse_long(json_object_get_string(v), 0, 255, &n))
			code = n;
		json_object_put(ev);
		p += len + (nl ? 1 : 0);
	}
	json_tokener_free(tok);
	return code;
}

/* Strip the 8-byte frame headers of a non-TTY log stream; raw text passes through. */
int dr_docker_json_demux(const unsigned char *p, size_t len, struct dr_buf *out)
{
	size_t pos = 0;

	if (len < 8 || p[0] > 2 || p[1] || p[2] || p[3])
		return dr_buf_add(out, p, len);
	while (pos + 8 <= len) {
		size_t frame = ((size_t)p[pos + 4] << 24) | ((size_t)p[pos + 5] << 16) | ((size_t)p[pos + 6] << 8) |
			       (size_t)p[pos + 7];
		pos += 8;
		if (frame > len - pos)
			frame = len - pos;
		if (dr_buf_add(out, p + pos, frame))
			return -1;
		pos += frame;
	}
	return 0;
}

/* "NAME=value" into out (cap bytes); 0, or -1 when it does not fit. */
static int docker_env_item(const char *name, const char *value, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s=%s", name, value);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int dr_docker_json_create_body(const struct dr_container_spec *spec, struct dr_buf *out, struct dr_error *err)
{
	/* Env items carry the runtime's secrets: static, so that one wipe covers them. */
	static char env[DR_CONTAINER_ENV_MAX][DR_CONTAINER_ENV_ITEM_MAX];
	static char binds[DR_CONTAINER_BINDS][DR_CONTAINER_BIND_MAX];
	struct dr_container_body body = { .image = spec->image, .restart_policy = DR_CONTAINER_RESTART_POLICY,
					  .network = spec->network };
	int i, rc = 0;

	memcpy(body.labels, spec->labels, sizeof body.labels);
	for (i = 0; i < spec->env_count && i < DR_CONTAINER_ENV_MAX && !rc; i++) {
		rc = docker_env_item(spec->env_names[i], spec->env_values[i], env[i], sizeof env[i]);
		body.env[i] = env[i];
	}
	body.env_count = i;
	if (rc)
		rc = dr_error_set(err, DR_FAULT_INTERNAL, "a container variable is longer than %d bytes", DR_CONTAINER_ENV_ITEM_MAX);
	for (i = 0; i < DR_CONTAINER_BINDS && !rc; i++) {
		if (dr_container_bind(spec->bind_hosts[i], i, binds[i], sizeof binds[i]))
			rc = dr_error_set(err, DR_FAULT_INTERNAL, "a container bind is longer than %d bytes", DR_CONTAINER_BIND_MAX);
		body.binds[i] = binds[i];
	}
	if (!rc && dr_container_body_write(&body, out))
		rc = dr_error_set(err, DR_FAULT_INTERNAL, "the create body is larger than %zu bytes", out->max);
	explicit_bzero(env, sizeof env);
	return rc;
}

/* repository@sha256:... of repository: the digest part, or NULL. */
static const char *docker_digest_of(const char *repo_digest, const char *repository)
{
	size_t n = strlen(repository);

	if (strncmp(repo_digest, repository, n) || repo_digest[n] != '@' || !dr_image_digest_valid(repo_digest + n + 1))
		return NULL;
	return repo_digest + n + 1;
}

int dr_docker_json_image_list(const char *text, const char *repository, struct dr_image_summary *out, int max,
			      int *count)
{
	json_object *list = json_tokener_parse(text), *digests;
	size_t i, j;

	*count = 0;
	if (!list || !json_object_is_type(list, json_type_array)) {
		json_object_put(list);
		return -1;
	}
	for (i = 0; i < json_object_array_length(list); i++) {
		json_object *image = json_object_array_get_idx(list, i);
		if (!json_object_object_get_ex(image, "RepoDigests", &digests) || !json_object_is_type(digests, json_type_array))
			continue;
		for (j = 0; j < json_object_array_length(digests) && *count < max; j++) {
			const char *rd = json_object_get_string(json_object_array_get_idx(digests, j));
			const char *digest = rd ? docker_digest_of(rd, repository) : NULL;
			struct dr_image_summary *s = &out[*count];
			if (!digest)
				continue;
			docker_copy(s->id, sizeof s->id, docker_str(image, "Id"));
			docker_copy(s->digest, sizeof s->digest, digest);
			s->size = docker_long(image, "Size", 0);
			if (s->id[0])
				(*count)++;
		}
	}
	json_object_put(list);
	return 0;
}

int dr_docker_json_container_images(const char *text, char ids[][DR_DOCKER_ID_MAX], int max, int *count)
{
	json_object *list = json_tokener_parse(text);
	size_t i;

	*count = 0;
	if (!list || !json_object_is_type(list, json_type_array)) {
		json_object_put(list);
		return -1;
	}
	for (i = 0; i < json_object_array_length(list) && *count < max; i++) {
		docker_copy(ids[*count], DR_DOCKER_ID_MAX, docker_str(json_object_array_get_idx(list, i), "ImageID"));
		if (ids[*count][0])
			(*count)++;
	}
	json_object_put(list);
	return 0;
}

int dr_docker_json_image_deleted(const char *text)
{
	json_object *list = json_tokener_parse(text);
	int deleted = 0;
	size_t i;

	for (i = 0; list && json_object_is_type(list, json_type_array) && i < json_object_array_length(list); i++)
		deleted |= docker_str(json_object_array_get_idx(list, i), "Deleted") != NULL;
	json_object_put(list);
	return deleted;
}

int dr_docker_json_data_root(const char *text, char *out, size_t cap)
{
	json_object *info = json_tokener_parse(text);
	const char *root = docker_str(info, "DockerRootDir");
	int rc = !root || dr_strlcpy(out, root, cap) ? -1 : 0;

	json_object_put(info);
	return rc;
}
