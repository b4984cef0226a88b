/* ctl_plan.c: the plan command (POST /v1/plan): what a deploy would do, touching nothing. */

#include "ctl_cmd.h"
#include "ctl_render.h"

int ctl_cmd_plan(struct ctl *c)
{
	json_object *req = ctl_deploy_body(&c->args, c->args.image, c->args.expect_current), *answer = NULL, *would;
	int rc = ctl_http_request(&c->http, "POST", "/v1/plan", json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));

	json_object_put(req);
	if (rc == 0 && (rc = ctl_render_answer(&c->http, c->args.json, "plan", &answer)) == 0) {
		if (!c->args.json)
			ctl_render_plan(answer);
		if (!json_object_object_get_ex(answer, "would_deploy", &would) || !json_object_get_boolean(would))
			rc = CTL_EXIT_WOULD_REFUSE;
	}
	json_object_put(answer);
	return rc;
}
