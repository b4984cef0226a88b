/* endpoint.h: the frame every endpoint program runs in, so that each one's
 * main reads as its pipeline: begin (the CGI request, the configuration,
 * the audit fields), its own steps (parse, check, lock, act), end (release
 * the lock, answer, audit, free). The struct owns what it holds;
 * dr_endpoint_end frees all of it. */
#ifndef DR_ENDPOINT_H
#define DR_ENDPOINT_H

#include <json-c/json.h>

#include "audit.h"
#include "cgi.h"
#include "config.h"
#include "docker.h"
#include "error.h"
#include "lock.h"
#include "steps.h"

struct dr_endpoint {
	struct dr_cgi cgi;
	struct dr_config cfg;     /* without the secret */
	struct dr_audit audit;
	struct dr_error err;      /* why the request failed, with its phase */
	struct dr_lock lock;      /* held between dr_endpoint_lock and dr_endpoint_end */
	struct dr_docker docker;  /* open after dr_endpoint_docker */
	int keeps_history;        /* deploy and stop: dr_endpoint_end appends to the history */
	int detached;             /* answered early (202): the connection is closed, the end only audits */
	/* Given the final answer (status, body) before it is written (may be NULL): the deploy's record. */
	void (*keep_answer)(struct dr_endpoint *ep, int status, json_object *body, void *ctx);
	void *keep_answer_ctx;
};

/* Start action: ignore SIGPIPE, load request and configuration, fill the audit fields.
 * Returns 0, or the fault with err set (phase request or config). */
int dr_endpoint_begin(struct dr_endpoint *ep, const char *action);

/* Run an endpoint's step table (lib/core/steps) over ctx, every step, into ep->err; 0 or the fault. */
int dr_endpoint_steps(struct dr_endpoint *ep, const struct dr_step *steps, size_t n, void *ctx);

/* Take the environment's lock, without waiting, as action on image (may be NULL); 0 or a fault (conflict). */
int dr_endpoint_lock(struct dr_endpoint *ep, const char *action, const char *image, struct dr_error *err);

/* Open the Docker client; 0 or a fault (unavailable). */
int dr_endpoint_docker(struct dr_endpoint *ep, struct dr_error *err);

/* Stop (STOP_TIMEOUT_SECONDS) and remove container name, filling report and the audit's stop
 * fields when it was running; 0 or a fault. */
int dr_endpoint_stop_and_remove(struct dr_endpoint *ep, const char *name, struct dr_stop_report *report,
				struct dr_error *err);

/* Answer now with status, more header lines and body (consumed), without auditing, then let go
 * of the connection (every descriptor of it), so the client and any proxy see the end while the
 * process goes on; dr_endpoint_end then only records and audits. 0, or -1 when the answer could
 * not be written (the process goes on all the same). */
int dr_endpoint_answer_early(struct dr_endpoint *ep, int status, const char *headers, json_object *body);

/* Finish with an earlier request's answer (status, headers, body consumed): no history entry;
 * audited as this request. Returns the exit code. */
int dr_endpoint_end_replay(struct dr_endpoint *ep, int status, const char *headers, json_object *body);

/* Finish: release the lock, append the request to the history when keeps_history, then answer
 * body (consumed; may be NULL) when rc is 0, or the error in err with body's members when it is
 * not, each with its status from dr_fault_status (DR_OK's is the success); audit; free everything.
 * Returns the exit code. */
int dr_endpoint_end(struct dr_endpoint *ep, int rc, json_object *body);

#endif
