/* ctl_cmd.h: dreichorctl's commands, one file each (ctl_deploy.c,
 * ctl_previous.c, ctl_plan.c, ctl_history.c, ctl_status.c, ctl_stop.c),
 * and the table that names them. A command borrows the context, sends its
 * requests, prints the answer and returns the exit code (ctl.h). */
#ifndef CTL_CMD_H
#define CTL_CMD_H

#include <stddef.h>

#include <json-c/json.h>

#include "ctl.h"

/* Run the command c->args.command names, once its argument fits; returns its exit code
 * (CTL_EXIT_USAGE for an unknown command or a wrong argument). */
int ctl_command_run(struct ctl *c);

/* deploy IMAGE (POST /v1/deploy, followed to its end unless --sync), or deploy --previous. */
int ctl_cmd_deploy(struct ctl *c);

/* plan IMAGE: POST /v1/plan; CTL_EXIT_WOULD_REFUSE when the deploy would be refused. */
int ctl_cmd_plan(struct ctl *c);

/* history [--limit N]: GET /v1/deploys. */
int ctl_cmd_history(struct ctl *c);

/* status: GET /v1/status. */
int ctl_cmd_status(struct ctl *c);

/* stop: POST /v1/stop. */
int ctl_cmd_stop(struct ctl *c);

/* deploy --previous: the last good deploy before the one running, by digest, on the condition
 * that what runs has not changed meanwhile (ctl_previous.c). */
int ctl_deploy_previous(struct ctl *c);

/* Deploy image with expect (NULL: no condition) as its expect_current_digest (ctl_deploy.c). */
int ctl_deploy_image(struct ctl *c, const char *image, const char *expect);

/* A new deploy or plan body for image (the caller json_object_puts it) (ctl_deploy.c). */
json_object *ctl_deploy_body(const struct ctl_args *a, const char *image, const char *expect);

/* GET /v1/deploys?limit=limit (0: the agent's default) into *answer (the caller json_object_puts
 * it), printed as JSON with json; 0 or an exit code (ctl_history.c). */
int ctl_history_fetch(struct ctl *c, long limit, int json, json_object **answer);

/* What runs now, as the expect_current_digest that matches it ("none", a digest, or "-"), copied
 * into out of size cap; 0 or an exit code (ctl_status.c). */
int ctl_status_expectation(struct ctl *c, char *out, size_t cap);

#endif
