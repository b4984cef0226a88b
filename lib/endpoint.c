/* endpoint.c: begin and end of every endpoint program. */

#include <signal.h>

#include "endpoint.h"
#include "reply.h"

int dr_endpoint_phase(struct dr_endpoint *ep, enum dr_phase phase, int rc)
{
	if (rc)
		ep->err.phase = phase;
	return rc;
}

int dr_endpoint_begin(struct dr_endpoint *ep, const char *action)
{
	int rc;

	signal(SIGPIPE, SIG_IGN);
	ep->lock.fd = -1;
	ep->audit.action = action;
	rc = dr_cgi_load(&ep->cgi, &ep->err);
	dr_cgi_fill_audit(&ep->cgi, &ep->audit);
	dr_config_load(&ep->cfg, 0);
	ep->audit.environment = ep->cfg.environment;
	if (rc)
		return dr_endpoint_phase(ep, DR_PHASE_REQUEST, rc);
	if (ep->cfg.problems.count)
		return dr_endpoint_phase(ep, DR_PHASE_CONFIG, dr_error_set(&ep->err, 500, "%s", ep->cfg.problems.text[0]));
	return 0;
}

int dr_endpoint_lock(struct dr_endpoint *ep, const char *action, const char *image)
{
	struct dr_lock_holder me = { action, image, ep->cgi.request_id };

	return dr_endpoint_phase(ep, DR_PHASE_LOCK, dr_lock_acquire(&ep->lock, ep->cfg.state_directory, &me, &ep->err));
}

int dr_endpoint_docker(struct dr_endpoint *ep)
{
	return dr_endpoint_phase(ep, DR_PHASE_DOCKER, dr_docker_open(&ep->docker, ep->cfg.docker_socket, &ep->err));
}

int dr_endpoint_end(struct dr_endpoint *ep, int rc, int status, json_object *body)
{
	int exit_code;

	/* Free the environment before answering: a client acting on the answer must find it unlocked. */
	dr_lock_release(&ep->lock);
	if (rc)
		exit_code = dr_reply_error(&ep->audit, &ep->err, body);
	else
		exit_code = dr_reply_json(&ep->audit, status, body ? body : json_object_new_object());
	dr_docker_close(&ep->docker);
	dr_config_free(&ep->cfg);
	return exit_code;
}
