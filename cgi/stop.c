/* dreichor-stop: POST /v1/stop. Under the deploy lock, stop and remove
 * the environment's container; nothing to stop is also success. The
 * answer and the history say how long the stop took and whether the
 * container had to be killed. */

#include "current.h"
#include "endpoint.h"
#include "reply.h"

struct stop {
	struct dr_endpoint ep;
	struct dr_current now;
	struct dr_stop_report stopped;
};

static int stop_lock(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	(void)mode;
	return dr_endpoint_lock(&((struct stop *)ctx)->ep, "stop", NULL, err);
}

static int stop_docker(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	(void)mode;
	return dr_endpoint_docker(&((struct stop *)ctx)->ep, err);
}

static int stop_inspect(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct stop *st = ctx;

	(void)mode;
	return dr_current_read(&st->ep.docker, st->ep.cfg.container_name, &st->now, err);
}

/* Stop and remove the container, when there is one. */
static int stop_container(void *ctx, enum dr_run_mode mode, struct dr_error *err)
{
	struct stop *st = ctx;

	(void)mode;
	if (!st->now.present)
		return DR_FAULT_SKIPPED;
	st->ep.audit.image = st->now.image;
	st->ep.audit.image_digest = st->now.digest;
	return dr_endpoint_stop_and_remove(&st->ep, st->ep.cfg.container_name, &st->stopped, err);
}

static const struct dr_step stop_steps[] = {
	{ "lock", DR_PHASE_LOCK, DR_STEP_ACT, 0, NULL, stop_lock },
	{ "docker", DR_PHASE_DOCKER, DR_STEP_CHECK, 0, NULL, stop_docker },
	{ "inspect", DR_PHASE_INSPECT, DR_STEP_CHECK, 0, NULL, stop_inspect },
	{ "stop", DR_PHASE_STOP, DR_STEP_ACT, 0, NULL, stop_container },
};
DR_STEPS_FIT(stop_steps);

static json_object *stop_answer(const struct stop *st)
{
	json_object *out = json_object_new_object();

	json_object_object_add(out, "status", json_object_new_string("stopped"));
	json_object_object_add(out, "container_name", json_object_new_string(st->ep.cfg.container_name));
	json_object_object_add(out, "environment", json_object_new_string(st->ep.cfg.environment));
	json_object_object_add(out, "was_present", json_object_new_boolean(st->now.present));
	dr_reply_add_stop_report(out, &st->stopped);
	return out;
}

int main(void)
{
	static struct stop st;
	int rc;

	st.ep.keeps_history = 1;
	if (!(rc = dr_endpoint_begin(&st.ep, "stop")))
		rc = dr_endpoint_steps(&st.ep, stop_steps, sizeof stop_steps / sizeof *stop_steps, &st);
	return dr_endpoint_end(&st.ep, rc, rc ? NULL : stop_answer(&st));
}
