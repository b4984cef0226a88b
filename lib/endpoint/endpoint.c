/* endpoint.c: begin and end of every endpoint program. */

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "endpoint.h"
#include "syscall_filter.h"
#include "history.h"
#include "http.h"
#include "reply.h"
#include "status.h"

/* The frame's own failures: before any step runs. */
static int endpoint_fail(struct dr_endpoint *ep, enum dr_phase phase, int rc)
{
	ep->err.phase = phase;
	return rc;
}

int dr_endpoint_begin(struct dr_endpoint *ep, const char *action)
{
	int rc;

	signal(SIGPIPE, SIG_IGN);
	ep->lock.fd = -1;
	dr_audit_init(&ep->audit);
	ep->audit.action = action;
	rc = dr_cgi_load(&ep->cgi, &ep->err);
	dr_cgi_fill_audit(&ep->cgi, &ep->audit);
	dr_config_load(&ep->cfg, 0);
	ep->audit.environment = ep->cfg.environment;
	/* Filtered by the dispatcher and asking the registry through its socket (the units): this
	 * process execs nothing, so exec goes too, whatever a file or memfd it could write. */
	if (ep->cfg.registry_socket && dr_syscall_filter_narrow(DR_SYSCALL_ENDPOINT) < 0)
		return endpoint_fail(ep, DR_PHASE_CONFIG, dr_error_set(&ep->err, DR_FAULT_INTERNAL,
				     "the endpoint's system call filter could not be installed"));
	if (rc)
		return endpoint_fail(ep, DR_PHASE_REQUEST, rc);
	if (ep->cfg.problems.count)
		return endpoint_fail(ep, DR_PHASE_CONFIG,
				     dr_error_set(&ep->err, DR_FAULT_INTERNAL, "%s", ep->cfg.problems.text[0]));
	return 0;
}

int dr_endpoint_steps(struct dr_endpoint *ep, const struct dr_step *steps, size_t n, void *ctx)
{
	static struct dr_run run; /* its marks are large; one run per process */

	run.mode = DR_RUN_DEPLOY;
	return dr_steps_run(&run, steps, n, ctx, &ep->err);
}

int dr_endpoint_lock(struct dr_endpoint *ep, const char *action, const char *image, struct dr_error *err)
{
	struct dr_lock_holder me = { action, image, ep->cgi.request_id };

	return dr_lock_acquire(&ep->lock, ep->cfg.state_directory, &me, err);
}

int dr_endpoint_docker(struct dr_endpoint *ep, struct dr_error *err)
{
	return dr_docker_open(&ep->docker, ep->cfg.docker_socket, err);
}

int dr_endpoint_stop_and_remove(struct dr_endpoint *ep, const char *name, struct dr_stop_report *report,
				struct dr_error *err)
{
	int rc = dr_docker_container_stop(&ep->docker, name, ep->cfg.stop_timeout_seconds, report, err);

	if (report->was_running) {
		ep->audit.stop_ms = report->duration_ms;
		ep->audit.stop_killed = report->killed;
	}
	return rc ? rc : dr_docker_container_remove(&ep->docker, name, err);
}

/* The request's history entry, from the audit fields; a failure to write it reaches the journal only. */
static void endpoint_keep_history(struct dr_endpoint *ep, int status)
{
	const struct dr_audit *a = &ep->audit;
	struct dr_history_fields f = {
		.request_id = a->request_id, .client_id = a->client_id, .action = a->action, .image = a->image,
		.image_digest = a->image_digest, .previous_digest = a->previous_digest, .http_status = status,
		.phase = dr_phase_name(ep->err.phase), .reason = a->reason, .duration_ms = dr_now_ms() - a->started_ms,
		.exit_code = a->exit_code, .stop_ms = a->stop_ms, .stop_killed = a->stop_killed, .pruned = a->pruned,
	};
	struct dr_error err = { 0 };
	json_object *e;

	if (a->signature_key || a->signer)
		f.signature = dr_reply_signature(a->signature_key, a->signature_format, a->signer);
	e = dr_history_entry(&f);
	if (dr_history_append(ep->cfg.state_directory, e, &err))
		ep->audit.detail = "the deploy history could not be written";
	json_object_put(f.signature);
	json_object_put(e);
}

int dr_endpoint_answer_early(struct dr_endpoint *ep, int status, const char *headers, json_object *body)
{
	const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = dr_http_respond_with(STDOUT_FILENO, status, ep->cgi.request_id, headers, text, strlen(text));
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	json_object_put(body);
	/* Half-close and drain, so the close does not reset an answer still in flight; then no
	 * descriptor of the connection is left (stdin may be the decoded body's memory file). */
	dr_http_linger(STDIN_FILENO, STDOUT_FILENO);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	ep->detached = 1;
	return rc;
}

int dr_endpoint_end_replay(struct dr_endpoint *ep, int status, const char *headers, json_object *body)
{
	int exit_code = dr_reply_send(&ep->audit, status, headers, body);

	dr_lock_release(&ep->lock);
	dr_docker_close(&ep->docker);
	dr_config_free(&ep->cfg);
	return exit_code;
}

int dr_endpoint_end(struct dr_endpoint *ep, int rc, json_object *body)
{
	int exit_code, final;

	final = dr_fault_status(rc ? ep->err.fault : DR_OK);
	if (ep->keeps_history && ep->cfg.state_directory && !ep->cfg.problems.count) {
		ep->audit.reason = rc ? ep->err.reason : NULL;
		endpoint_keep_history(ep, final);
	}
	if (rc) {
		body = dr_reply_error_body(&ep->audit, &ep->err, body);
		if (ep->lock.holder_request_id[0] && ep->err.phase == DR_PHASE_LOCK)
			json_object_object_add(body, "holder_request_id", json_object_new_string(ep->lock.holder_request_id));
	} else {
		body = body ? body : json_object_new_object();
		/* A deploy's record names its own request; every other answer names this one. */
		if (ep->audit.request_id && !json_object_object_get_ex(body, "request_id", NULL))
			json_object_object_add(body, "request_id", json_object_new_string(ep->audit.request_id));
	}
	/* The final record is written while the lock is held: a reader that finds the lock free and
	 * the record still running takes the deploy for killed. */
	if (ep->keep_answer && !ep->cfg.problems.count)
		ep->keep_answer(ep, final, body, ep->keep_answer_ctx);
	/* Free the environment before answering: a client acting on the answer must find it unlocked. */
	dr_lock_release(&ep->lock);
	/* After an early answer this writes to /dev/null: what counts is the record and the audit. */
	exit_code = dr_reply_send(&ep->audit, final, NULL, body);
	dr_docker_close(&ep->docker);
	dr_config_free(&ep->cfg);
	return ep->detached ? 0 : exit_code;
}
