/* dreichor-stop: POST /v1/stop. Under the deploy lock, stop and remove
 * the environment's container; nothing to stop is also success. */

#include "endpoint.h"

/* Stop and remove the environment's container under the lock; *was_present says whether there was one. */
static int stop_run(struct dr_endpoint *ep, int *was_present)
{
	static struct dr_container_state container;
	const char *name = ep->cfg.container_name;
	int rc;

	if ((rc = dr_endpoint_lock(ep, "stop", NULL)) || (rc = dr_endpoint_docker(ep)))
		return rc;
	rc = dr_docker_container_state(&ep->docker, name, &container, &ep->err);
	if (rc == DR_DOCKER_NOT_FOUND)
		return 0;
	if (!rc) {
		*was_present = 1;
		rc = dr_docker_container_stop(&ep->docker, name, ep->cfg.stop_timeout_seconds, &ep->err);
	}
	if (!rc)
		rc = dr_docker_container_remove(&ep->docker, name, &ep->err);
	return dr_endpoint_phase(ep, DR_PHASE_STOP, rc);
}

static json_object *stop_answer(const struct dr_endpoint *ep, int was_present)
{
	json_object *out = json_object_new_object();

	json_object_object_add(out, "status", json_object_new_string("stopped"));
	json_object_object_add(out, "container_name", json_object_new_string(ep->cfg.container_name));
	json_object_object_add(out, "environment", json_object_new_string(ep->cfg.environment));
	json_object_object_add(out, "was_present", json_object_new_boolean(was_present));
	return out;
}

int main(void)
{
	static struct dr_endpoint ep;
	int was_present = 0, rc;

	if (!(rc = dr_endpoint_begin(&ep, "stop")))
		rc = stop_run(&ep, &was_present);
	return dr_endpoint_end(&ep, rc, 200, rc ? NULL : stop_answer(&ep, was_present));
}
