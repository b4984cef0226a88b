/* dreichor-status: GET /v1/status. Read-only: what runs now (lib/current)
 * and the last deploy record. */

#include <stdlib.h>

#include "current.h"
#include "endpoint.h"
#include "reply.h"
#include "state.h"

static void status_describe(const struct dr_current *now, json_object *out)
{
	const struct dr_container_state *c = &now->state;

	json_object_object_add(out, "running", json_object_new_boolean(c->running));
	json_object_object_add(out, "state", json_object_new_string(c->status));
	if (c->running) {
		dr_reply_add_string(out, "image", now->image);
		dr_reply_add_string(out, "started_at", c->started_at);
	}
	dr_reply_add_string(out, "container_id", c->id);
	json_object_object_add(out, "restart_count", json_object_new_int64(c->restart_count));
	if (!c->running && c->exit_code >= 0)
		json_object_object_add(out, "exit_code", json_object_new_int64(c->exit_code));
	if (!c->running)
		dr_reply_add_string(out, "finished_at", c->finished_at);
	dr_reply_add_string(out, "health", c->health);
	dr_reply_add_string(out, "image_digest", now->digest);
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
	static struct dr_current now;
	int rc;

	if ((rc = dr_endpoint_docker(ep)))
		return rc;
	if ((rc = dr_current_read(&ep->docker, ep->cfg.container_name, &now, &ep->err)))
		return dr_endpoint_phase(ep, DR_PHASE_INSPECT, rc);
	*out = json_object_new_object();
	json_object_object_add(*out, "container_name", json_object_new_string(ep->cfg.container_name));
	json_object_object_add(*out, "environment", json_object_new_string(ep->cfg.environment));
	if (now.present) {
		status_describe(&now, *out);
	} else {
		json_object_object_add(*out, "running", json_object_new_boolean(0));
		json_object_object_add(*out, "state", json_object_new_string("absent"));
	}
	dr_reply_add_string(*out, "expect_current_digest", dr_current_expectation(&now));
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
