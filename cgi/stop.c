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

/* Stop and remove the environment's container under the lock. */
static int stop_run(struct stop *st)
{
	struct dr_endpoint *ep = &st->ep;
	const char *name = ep->cfg.container_name;
	int rc;

	if ((rc = dr_endpoint_lock(ep, "stop", NULL)) || (rc = dr_endpoint_docker(ep)))
		return rc;
	if ((rc = dr_current_read(&ep->docker, name, &st->now, &ep->err)))
		return dr_endpoint_phase(ep, DR_PHASE_INSPECT, rc);
	if (!st->now.present)
		return 0;
	ep->audit.image = st->now.image;
	ep->audit.image_digest = st->now.digest;
	return dr_endpoint_phase(ep, DR_PHASE_STOP, dr_endpoint_stop_and_remove(ep, name, &st->stopped));
}

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
		rc = stop_run(&st);
	return dr_endpoint_end(&st.ep, rc, 200, rc ? NULL : stop_answer(&st));
}
