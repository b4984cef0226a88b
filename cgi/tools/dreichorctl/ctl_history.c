/* ctl_history.c: the history command (GET /v1/deploys), and the history deploy --previous reads. */

#include <stdio.h>

#include "ctl_cmd.h"
#include "ctl_render.h"

int ctl_history_fetch(struct ctl *c, long limit, int json, json_object **answer)
{
	char path[64];
	int rc;

	if (limit)
		snprintf(path, sizeof path, "/v1/deploys?limit=%ld", limit);
	else
		snprintf(path, sizeof path, "/v1/deploys");
	if ((rc = ctl_http_request(&c->http, "GET", path, NULL)))
		return rc;
	return ctl_render_answer(&c->http, json, "history", answer);
}

int ctl_cmd_history(struct ctl *c)
{
	json_object *answer = NULL;
	int rc = ctl_history_fetch(c, c->args.limit, c->args.json, &answer);

	if (rc == 0 && !c->args.json)
		ctl_render_history(answer);
	json_object_put(answer);
	return rc;
}
