/* dreichor-stop: POST /v1/stop. Under the deploy lock, stop and remove
 * the environment's container; nothing to stop is also success. */

#include <signal.h>
#include <string.h>

#include "cgi.h"
#include "config.h"
#include "docker.h"
#include "lock.h"
#include "reply.h"

static int stop_run(struct dr_config *cfg, struct dr_cgi *cgi, struct dr_docker *docker, struct dr_lock *lock,
		    int *was_present, struct dr_error *err)
{
	struct dr_lock_holder me = { "stop", NULL, NULL };
	json_object *container = NULL;
	int rc;

	if ((rc = dr_cgi_load(cgi, err)))
		return rc;
	if (cfg->problems.count)
		return dr_error_set(err, 500, "%s", cfg->problems.text[0]);
	me.request_id = cgi->request_id;
	if ((rc = dr_lock_acquire(lock, cfg->state_directory, &me, err)) ||
	    (rc = dr_docker_open(docker, cfg->docker_socket, err)))
		return rc;
	rc = dr_docker_container_inspect(docker, cfg->container_name, &container, err);
	json_object_put(container);
	if (rc == DR_DOCKER_NOT_FOUND)
		return 0;
	if (rc)
		return rc;
	*was_present = 1;
	if ((rc = dr_docker_container_stop(docker, cfg->container_name, cfg->stop_timeout_seconds, err)))
		return rc;
	return dr_docker_container_remove(docker, cfg->container_name, err);
}

int main(void)
{
	struct dr_audit audit = { .action = "stop" };
	struct dr_error err = { 0 };
	struct dr_config cfg;
	struct dr_cgi cgi = { 0 };
	struct dr_docker docker = { 0 };
	struct dr_lock lock = { -1 };
	json_object *out;
	int was_present = 0, rc;

	signal(SIGPIPE, SIG_IGN);
	dr_config_load(&cfg, 0);
	rc = stop_run(&cfg, &cgi, &docker, &lock, &was_present, &err);
	/* Free the environment before answering: a client acting on the answer must find it unlocked. */
	dr_lock_release(&lock);
	audit.environment = cfg.environment;
	dr_cgi_fill_audit(&cgi, &audit);
	if (rc) {
		rc = dr_reply_error(&audit, &err, NULL);
	} else {
		out = json_object_new_object();
		json_object_object_add(out, "status", json_object_new_string("stopped"));
		json_object_object_add(out, "container_name", json_object_new_string(cfg.container_name));
		json_object_object_add(out, "environment", json_object_new_string(cfg.environment));
		json_object_object_add(out, "was_present", json_object_new_boolean(was_present));
		rc = dr_reply_json(&audit, 200, out);
	}
	dr_docker_close(&docker);
	dr_config_free(&cfg);
	return rc;
}
