/* ctl_status.c: the status command, and what runs now for deploy --previous. */

#include "ctl_cmd.h"
#include "ctl_render.h"
#include "error.h"

int ctl_cmd_status(struct ctl *c)
{
	json_object *answer = NULL;
	int rc = ctl_http_request(&c->http, "GET", "/v1/status", NULL);

	if (rc == 0 && (rc = ctl_render_answer(&c->http, c->args.json, "status", &answer)) == 0 && !c->args.json)
		ctl_render_status(answer);
	json_object_put(answer);
	return rc;
}

int ctl_status_expectation(struct ctl *c, char *out, size_t cap)
{
	json_object *answer = NULL;
	int rc = ctl_http_request(&c->http, "GET", "/v1/status", NULL);

	if (rc == 0 && (rc = ctl_render_answer(&c->http, 0, "status", &answer)) == 0 &&
	    dr_strlcpy(out, ctl_or_dash(ctl_json_str(answer, "expect_current_digest")), cap))
		rc = CTL_EXIT_REFUSED;
	json_object_put(answer);
	return rc;
}
