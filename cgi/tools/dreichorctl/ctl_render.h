/* ctl_render.h: what dreichorctl prints of the agent's answers: the human
 * lines on stdout (refusals and container output on stderr) and, with
 * --json, the agent's JSON as it came. The json_object arguments are
 * borrowed: nothing here frees them, and a returned string lives as long
 * as the object it was read from. */
#ifndef CTL_RENDER_H
#define CTL_RENDER_H

#include <stdio.h>

#include <json-c/json.h>

#include "ctl_http.h"

#define CTL_PHASE_NAME_MAX 32

/* How far the human view of a followed deploy got. */
struct ctl_progress {
	int shown;                            /* phases printed */
	char last_phase[CTL_PHASE_NAME_MAX];  /* the last phase's name */
	int last_tenth;                       /* the pull's last tenth printed, -1 for none */
};
#define CTL_PROGRESS_INIT { 0, "", -1 }

/* The string member key of o, or NULL (o NULL, key absent or not a string). */
const char *ctl_json_str(json_object *o, const char *key);

/* s, or "-" when s is NULL or empty. */
const char *ctl_or_dash(const char *s);

/* Parse h's answer into *answer (NULL when not JSON; the caller json_object_puts it), print it
 * with json, a refusal's reason on stderr; returns 0, CTL_EXIT_REFUSED or CTL_EXIT_TRANSPORT. */
int ctl_render_answer(const struct ctl_http *h, int json, const char *command, json_object **answer);

/* The container's output ("logs") of an answer, when it has any, on out. */
void ctl_render_logs(FILE *out, json_object *answer);

/* One line of compact JSON (slashes as they are) on stdout, flushed. */
void ctl_render_json(json_object *o);

/* A status answer: the container, and what runs in it. */
void ctl_render_status(json_object *status);

/* A stop answer. */
void ctl_render_stopped(json_object *answer);

/* A plan answer: current and target, each check, whether it would deploy. */
void ctl_render_plan(json_object *plan);

/* A /v1/deploys answer as a table, newest first. */
void ctl_render_history(json_object *history);

/* A deployed answer: digest, container, signature, container output. */
void ctl_render_deployed(const char *image, json_object *answer);

/* A followed deploy that ended with HTTP status: its reason and container output on stderr. */
void ctl_render_failed(long status, json_object *record);

/* The phases a deploy record entered since p last looked, and its pull's progress, on out. */
void ctl_render_progress(struct ctl_progress *p, FILE *out, json_object *record);

#endif
