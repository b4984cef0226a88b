/* ctl_deploy.c: the deploy command. It asks for the asynchronous answer
 * (Prefer: respond-async) with the Idempotency-Key, then follows the
 * deploy to its end; a request the edge cut is sent again with the same
 * key, which cannot deploy twice. --sync makes it one request.
 * --wait-running then asks status whether the image runs. */

#include <stdio.h>
#include <string.h>

#include "error.h"

#include "ctl_cmd.h"
#include "ctl_follow.h"
#include "ctl_render.h"
#include "status.h"

#define CTL_REQUEST_ID_MAX 80

json_object *ctl_deploy_body(const struct ctl_args *a, const char *image, const char *expect)
{
	json_object *req = json_object_new_object();

	json_object_object_add(req, "image", json_object_new_string(image));
	if (a->environment)
		json_object_object_add(req, "environment", json_object_new_string(a->environment));
	if (expect)
		json_object_object_add(req, "expect_current_digest", json_object_new_string(expect));
	return req;
}

/* --wait-running: status must show the requested image running. */
static int ctl_deploy_verify(struct ctl *c, const char *image)
{
	json_object *answer = NULL, *running;
	const char *now;
	int rc = ctl_http_request(&c->http, "GET", "/v1/status", NULL);

	if (rc)
		return rc;
	answer = json_tokener_parse(dr_buf_str(&c->http.body));
	now = ctl_json_str(answer, "image");
	if (c->http.status != DR_STATUS_OK || !answer) {
		fprintf(stderr, "dreichorctl: verification: status answered HTTP %ld\n", c->http.status);
		rc = CTL_EXIT_NOT_RUNNING;
	} else if (!json_object_object_get_ex(answer, "running", &running) || !json_object_get_boolean(running) || !now ||
		   strcmp(now, image)) {
		fprintf(stderr, "dreichorctl: verification failed: %s is not the image running (status: %s)\n", image,
			dr_buf_str(&c->http.body));
		rc = CTL_EXIT_NOT_RUNNING;
	} else if (!c->args.json) {
		printf("verified: %s is running\n", image);
	}
	json_object_put(answer);
	return rc;
}

/* A deployed answer, printed (and verified with --wait-running). */
static int ctl_deployed(struct ctl *c, const char *image, json_object *answer)
{
	if (!c->args.json)
		ctl_render_deployed(image, answer);
	return c->args.wait_running ? ctl_deploy_verify(c, image) : CTL_EXIT_OK;
}

/* A followed deploy's end, as if it had been the synchronous answer. */
static int ctl_deploy_outcome(struct ctl *c, const char *image, json_object *record)
{
	json_object *v;
	long status = json_object_object_get_ex(record, "http_status", &v) ? json_object_get_int(v) : DR_STATUS_INTERNAL_ERROR;

	if (c->args.json) {
		/* The answer first: verifying it asks the agent again. */
		ctl_render_json(record);
		return status == DR_STATUS_OK ? ctl_deployed(c, image, record) : CTL_EXIT_REFUSED;
	}
	if (status != DR_STATUS_OK) {
		ctl_render_failed(status, record);
		return CTL_EXIT_REFUSED;
	}
	return ctl_deployed(c, image, record);
}

/* The agent accepted the deploy (202): follow it by its request id to its end. */
static int ctl_deploy_accepted(struct ctl *c, const char *image)
{
	json_object *answer = json_tokener_parse(dr_buf_str(&c->http.body)), *record = NULL;
	const char *given = ctl_json_str(answer, "request_id");
	char id[CTL_REQUEST_ID_MAX];
	int rc;

	rc = !given || dr_strlcpy(id, given, sizeof id);
	json_object_put(answer);
	if (rc) {
		fprintf(stderr, "dreichorctl: deploy: 202 without a request_id\n");
		return CTL_EXIT_TRANSPORT;
	}
	if (!c->args.json)
		printf("deploy %s accepted as %s\n", image, id);
	if ((rc = ctl_follow(&c->http, c->args.json, id, &record)) == 0)
		rc = ctl_deploy_outcome(c, image, record);
	json_object_put(record);
	return rc;
}

/* The synchronous answer (or an agent without the asynchronous mode). */
static int ctl_deploy_answered(struct ctl *c, const char *image)
{
	json_object *answer = NULL;
	int rc = ctl_render_answer(&c->http, c->args.json, "deploy", &answer);

	if (rc == 0)
		rc = ctl_deployed(c, image, answer);
	json_object_put(answer);
	return rc;
}

int ctl_deploy_image(struct ctl *c, const char *image, const char *expect)
{
	json_object *req = ctl_deploy_body(&c->args, image, expect);
	const char *body = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	int rc;

	c->http.prefer = c->args.sync ? NULL : "respond-async";
	rc = c->args.sync ? ctl_http_request(&c->http, "POST", "/v1/deploy", body)
			  : ctl_http_request_again(&c->http, "POST", "/v1/deploy", body);
	c->http.prefer = NULL;
	json_object_put(req);
	if (rc)
		return rc;
	return c->http.status == DR_STATUS_ACCEPTED ? ctl_deploy_accepted(c, image) : ctl_deploy_answered(c, image);
}

int ctl_cmd_deploy(struct ctl *c)
{
	if (c->args.previous)
		return c->args.image || c->args.expect_current
			       ? ctl_usage("deploy --previous takes no IMAGE and no --expect-current")
			       : ctl_deploy_previous(c);
	if (!c->args.image)
		return ctl_usage("deploy and plan take one IMAGE");
	return ctl_deploy_image(c, c->args.image, c->args.expect_current);
}
