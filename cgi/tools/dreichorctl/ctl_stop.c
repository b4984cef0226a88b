/* ctl_stop.c: the stop command. */

#include "ctl_cmd.h"
#include "ctl_render.h"

int ctl_cmd_stop(struct ctl *c)
{
	json_object *answer = NULL;
	int rc = ctl_http_request(&c->http, "POST", "/v1/stop", NULL);

	if (rc == 0 && (rc = ctl_render_answer(&c->http, c->args.json, "stop", &answer)) == 0 && !c->args.json)
		ctl_render_stopped(answer);
	json_object_put(answer);
	return rc;
}
