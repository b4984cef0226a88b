/* dreichor-status: GET /v1/status. Read-only: what runs now (lib/current),
 * the last deploy record, and what the engine holds of this environment's
 * images (lib/endpoint/retention). */

#include <stdlib.h>
#include <string.h>

#include "current.h"
#include "deploy_record.h"
#include "lock.h"
#include "endpoint.h"
#include "reply.h"
#include "retention.h"
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

struct status {
	struct dr_endpoint ep;
	struct dr_current now;
	struct dr_retention images;
	int images_read;             /* the engine listed them; otherwise status leaves them out */
};

static int status_docker(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	(void)mode;
	return dr_endpoint_docker(&((struct status *)ctx)->ep, err);
}

static int status_inspect(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct status *s = ctx;

	(void)mode;
	return dr_current_read(&s->ep.docker, s->ep.cfg.container_name, &s->now, err);
}

/* What the disk holds of this environment's images is worth a line, never a failed status. */
static int status_images(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct status *s = ctx;
	struct dr_error ignored;

	(void)mode;
	(void)err;
	s->images_read = !dr_retention_load(&s->images, &s->ep.docker, s->ep.cfg.state_directory,
					    s->ep.cfg.image_repository, s->ep.cfg.keep_images, NULL, &ignored);
	return 0;
}

static const struct dr_step status_steps[] = {
	{ "docker", DR_PHASE_DOCKER, DR_STEP_CHECK, 0, NULL, status_docker },
	{ "inspect", DR_PHASE_INSPECT, DR_STEP_CHECK, 0, NULL, status_inspect },
	{ "images", DR_PHASE_INSPECT, DR_STEP_CHECK, 0, NULL, status_images },
};
DR_STEPS_FIT(status_steps);

/* While a deploy holds the lock: which, in what phase (its record's, or lock until it has one), since when. */
static void status_add_deploy_in_progress(const struct dr_config *cfg, json_object *out)
{
	json_object *progress = json_object_new_object(), *record = NULL, *phase = NULL;
	struct dr_lock_info holder;
	struct dr_error ignored;

	if (!dr_lock_holder(cfg->state_directory, &holder) || strcmp(holder.action, "deploy")) {
		json_object_put(progress);
		return;
	}
	dr_deploy_record_read(cfg->state_directory, holder.request_id, &record, &ignored);
	json_object_object_get_ex(record, "phase", &phase);
	json_object_object_add(progress, "request_id", json_object_new_string(holder.request_id));
	json_object_object_add(progress, "phase", phase ? json_object_get(phase) : json_object_new_string("lock"));
	json_object_object_add(progress, "since", json_object_new_string(holder.since));
	json_object_object_add(out, "deploy_in_progress", progress);
	json_object_put(record);
}

/* Describe the environment's container. */
static json_object *status_answer(struct status *s)
{
	const struct dr_endpoint *ep = &s->ep;
	const struct dr_current *now = &s->now;
	json_object *out = json_object_new_object();

	json_object_object_add(out, "container_name", json_object_new_string(ep->cfg.container_name));
	json_object_object_add(out, "environment", json_object_new_string(ep->cfg.environment));
	json_object_object_add(out, "image_signatures",
			       json_object_new_string(ep->cfg.image_signatures_required ? "required" : "off"));
	dr_reply_add_trusted_root(out, &ep->cfg);
	if (now->present) {
		status_describe(now, out);
	} else {
		json_object_object_add(out, "running", json_object_new_boolean(0));
		json_object_object_add(out, "state", json_object_new_string("absent"));
	}
	dr_reply_add_string(out, "expect_current_digest", dr_current_expectation(now));
	status_add_last_deploy(&ep->cfg, out);
	status_add_deploy_in_progress(&ep->cfg, out);
	if (s->images_read)
		json_object_object_add(out, "images", dr_retention_summary(&s->images, ep->cfg.keep_images));
	return out;
}

int main(void)
{
	static struct status s;
	int rc;

	if (!(rc = dr_endpoint_begin(&s.ep, "status")))
		rc = dr_endpoint_steps(&s.ep, status_steps, sizeof status_steps / sizeof *status_steps, &s);
	return dr_endpoint_end(&s.ep, rc, rc ? NULL : status_answer(&s));
}
