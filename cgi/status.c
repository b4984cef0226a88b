/* dreichor-status: GET /v1/status. Read-only: the container's state (and
 * its image's digest when the container carries no digest label) and the
 * last deploy record. */

#include <stdlib.h>

#include "endpoint.h"
#include "image_ref.h"
#include "state.h"

/* The registry digest of what the container runs: its label, else the image's RepoDigests. */
static void status_digest(struct dr_docker *d, const struct dr_container_state *c, char digest[DR_DOCKER_DIGEST_MAX])
{
	struct dr_image_ref ref;
	struct dr_error ignored;
	const char *image = c->label_image[0] ? c->label_image : c->image;

	if (!dr_strlcpy(digest, c->label_image_digest, DR_DOCKER_DIGEST_MAX) && digest[0])
		return;
	if (dr_docker_image_digest(d, c->image_id, dr_image_ref_parse(image, &ref, &ignored) ? NULL : ref.repository,
				   NULL, digest, &ignored))
		digest[0] = '\0';
}

static void status_add(json_object *out, const char *name, const char *value)
{
	if (value[0])
		json_object_object_add(out, name, json_object_new_string(value));
}

static void status_describe(struct dr_docker *d, const struct dr_container_state *c, json_object *out)
{
	char digest[DR_DOCKER_DIGEST_MAX];

	json_object_object_add(out, "running", json_object_new_boolean(c->running));
	json_object_object_add(out, "state", json_object_new_string(c->status));
	if (c->running) {
		status_add(out, "image", c->label_image[0] ? c->label_image : c->image);
		status_add(out, "started_at", c->started_at);
	}
	status_add(out, "container_id", c->id);
	json_object_object_add(out, "restart_count", json_object_new_int64(c->restart_count));
	if (!c->running && c->exit_code >= 0)
		json_object_object_add(out, "exit_code", json_object_new_int64(c->exit_code));
	if (!c->running)
		status_add(out, "finished_at", c->finished_at);
	status_add(out, "health", c->health);
	status_digest(d, c, digest);
	status_add(out, "image_digest", digest);
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
	static struct dr_container_state container;
	int rc;

	if ((rc = dr_endpoint_docker(ep)))
		return rc;
	rc = dr_docker_container_state(&ep->docker, ep->cfg.container_name, &container, &ep->err);
	if (rc && rc != DR_DOCKER_NOT_FOUND)
		return dr_endpoint_phase(ep, DR_PHASE_INSPECT, rc);
	*out = json_object_new_object();
	json_object_object_add(*out, "container_name", json_object_new_string(ep->cfg.container_name));
	json_object_object_add(*out, "environment", json_object_new_string(ep->cfg.environment));
	if (rc == DR_DOCKER_NOT_FOUND) {
		json_object_object_add(*out, "running", json_object_new_boolean(0));
		json_object_object_add(*out, "state", json_object_new_string("absent"));
	} else {
		status_describe(&ep->docker, &container, *out);
	}
	status_add_last_deploy(&ep->cfg, *out);
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
