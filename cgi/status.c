/* dreichor-status: GET /v1/status. Read-only: one container inspect (two
 * when the container carries no digest label) and the last deploy record. */

#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "state.h"

/* Child of o at a dotted path such as "State.Status", or NULL. */
static json_object *json_path(json_object *o, const char *a, const char *b)
{
	json_object *x = NULL, *y = NULL;

	if (!json_object_object_get_ex(o, a, &x))
		return NULL;
	if (!b)
		return x;
	return json_object_object_get_ex(x, b, &y) ? y : NULL;
}

static const char *json_label(json_object *container, const char *name)
{
	json_object *labels = json_path(container, "Config", "Labels"), *v;

	if (labels && json_object_object_get_ex(labels, name, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* The registry digest of the container's image, from its label or the image's RepoDigests. */
static void status_add_digest(struct dr_docker *d, json_object *container, json_object *out)
{
	const char *label = json_label(container, "dreichor.image-digest");
	json_object *image = NULL, *digests, *image_id = json_path(container, "Image", NULL);
	struct dr_error err;
	const char *at;

	if (label) {
		json_object_object_add(out, "image_digest", json_object_new_string(label));
		return;
	}
	if (!image_id || dr_docker_image_inspect(d, json_object_get_string(image_id), &image, &err))
		return;
	digests = json_path(image, "RepoDigests", NULL);
	if (digests && json_object_array_length(digests) > 0) {
		at = strchr(json_object_get_string(json_object_array_get_idx(digests, 0)), '@');
		if (at)
			json_object_object_add(out, "image_digest", json_object_new_string(at + 1));
	}
	json_object_put(image);
}

static void status_describe(struct dr_docker *d, json_object *container, json_object *out)
{
	json_object *state = json_path(container, "State", "Status");
	const char *status = state ? json_object_get_string(state) : "unknown";
	const char *image = json_label(container, "dreichor.image");
	json_object *v;
	int running = !strcmp(status, "running");

	json_object_object_add(out, "running", json_object_new_boolean(running));
	json_object_object_add(out, "state", json_object_new_string(status));
	if (!image && (v = json_path(container, "Config", "Image")))
		image = json_object_get_string(v);
	if (running && image)
		json_object_object_add(out, "image", json_object_new_string(image));
	if (running && (v = json_path(container, "State", "StartedAt")))
		json_object_object_add(out, "started_at", json_object_get(v));
	if ((v = json_path(container, "Id", NULL)))
		json_object_object_add(out, "container_id", json_object_get(v));
	if ((v = json_path(container, "RestartCount", NULL)))
		json_object_object_add(out, "restart_count", json_object_get(v));
	if (!running && (v = json_path(container, "State", "ExitCode")))
		json_object_object_add(out, "exit_code", json_object_get(v));
	if (!running && (v = json_path(container, "State", "FinishedAt")))
		json_object_object_add(out, "finished_at", json_object_get(v));
	status_add_digest(d, container, out);
}

static void status_add_last_deploy(const struct dr_config *cfg, json_object *out)
{
	char *text = dr_state_read_record(cfg->state_directory);
	json_object *record = text ? json_tokener_parse(text) : NULL;

	if (record)
		json_object_object_add(out, "last_deploy", record);
	free(text);
}

/* Describe the environment's container into *out. */
static int status_run(struct dr_endpoint *ep, json_object **out)
{
	json_object *container = NULL;
	int rc;

	if ((rc = dr_endpoint_docker(ep)))
		return rc;
	rc = dr_docker_container_inspect(&ep->docker, ep->cfg.container_name, &container, &ep->err);
	if (rc && rc != DR_DOCKER_NOT_FOUND)
		return rc;
	*out = json_object_new_object();
	json_object_object_add(*out, "container_name", json_object_new_string(ep->cfg.container_name));
	json_object_object_add(*out, "environment", json_object_new_string(ep->cfg.environment));
	if (container) {
		status_describe(&ep->docker, container, *out);
	} else {
		json_object_object_add(*out, "running", json_object_new_boolean(0));
		json_object_object_add(*out, "state", json_object_new_string("absent"));
	}
	status_add_last_deploy(&ep->cfg, *out);
	json_object_put(container);
	return 0;
}

int main(void)
{
	static struct dr_endpoint ep;
	json_object *out = NULL;
	int rc;

	if (!(rc = dr_endpoint_begin(&ep, "status")))
		rc = status_run(&ep, &out);
	return dr_endpoint_end(&ep, rc, 200, out);
}
