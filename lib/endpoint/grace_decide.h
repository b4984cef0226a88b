/* grace_decide.h: what a new container's first seconds mean, decided
 * over the engine's answers as docker_json decodes them: whether its
 * image checks health, how to wait out the grace period, whether to poll
 * its health again, whether it came up, which exit code a failure reports
 * (a restart hides the first from inspect; the die events keep it) and
 * the fault a person reads. No I/O, no engine handle, no clock: grace.c
 * asks the engine, passes the answers and the time in, and acts on what
 * these say, so they are unit-tested on recorded answers (t/test_decide.c).
 * Nothing here keeps memory: what dr_grace_fault adds to health_outputs is
 * the caller's array's. */
#ifndef DR_GRACE_DECIDE_H
#define DR_GRACE_DECIDE_H

#include <json-c/json.h>

#include "docker_json.h"
#include "error.h"
#include "mask.h"

#define DR_GRACE_REASON_LOG_LINES 5  /* of the kept log lines, in a failure's reason */

/* How the grace period is waited out. */
enum dr_grace_wait {
	DR_GRACE_WAIT_NONE,    /* no grace period: inspect at once */
	DR_GRACE_WAIT_HEALTH,  /* poll the health state until it settles or the period ends */
	DR_GRACE_WAIT_EXIT,    /* wait for an exit, bounded by the period */
};

/* What the engine's answers say of the container at the end of the grace period. */
enum dr_grace_verdict {
	DR_GRACE_UP,         /* running, never restarted, healthy when its image checks health */
	DR_GRACE_EXITED,     /* it exited, or restarted */
	DR_GRACE_UNHEALTHY,  /* running, and its health check turned unhealthy */
	DR_GRACE_STARTING,   /* running, and its health check not healthy yet when the period ended */
};

/* What the engine answered during the grace period: the decisions' input, the caller's. */
struct dr_grace_seen {
	long grace_seconds;
	int health_checked;                      /* its image defines a HEALTHCHECK (dr_grace_checks_health) */
	int exited;                              /* a wait for its exit saw one: state was not read since */
	long exit_code;                          /* that exit's code, else the last inspect's; -1: none */
	long first_exit;                         /* the first die event's exit code; -1: none, or not asked */
	const struct dr_container_state *state;  /* the last inspect */
	json_object *logs;                       /* its last log lines, cleaned, oldest first (may be NULL) */
};

/* 1 when the container's image defines a HEALTHCHECK: inspect shows a health state from the start on. */
int dr_grace_checks_health(const struct dr_container_state *s);

/* How to wait out grace_seconds for a container whose image does (or does not) check health. */
enum dr_grace_wait dr_grace_wait_kind(long grace_seconds, int health_checked);

/* While polling the health state: 1 to ask again, 0 when s settles it (healthy, unhealthy, exited,
 * restarted) or now_ms has reached deadline_ms. */
int dr_grace_poll_again(const struct dr_container_state *s, long long now_ms, long long deadline_ms);

/* Whether the container came up, and if not, how it failed. */
enum dr_grace_verdict dr_grace_verdict(const struct dr_grace_seen *seen);

/* 1 when the engine's die events must be asked for the first exit code: the container failed by
 * exiting, and it restarted since (inspect shows the last exit) or no exit code is known. */
int dr_grace_wants_first_exit(const struct dr_grace_seen *seen);

/* The exit code to record: the first die event's when there is one, else the one known; -1 for
 * a container that failed only its health check. */
long dr_grace_exit_code(const struct dr_grace_seen *seen);

/* The fault of a container that did not come up: its exit code and restart, or its health state
 * and last check outputs (each through dr_text_clean with mask, also added to health_outputs),
 * and its last DR_GRACE_REASON_LOG_LINES log lines. Returns DR_FAULT_INTERNAL. */
int dr_grace_fault(const struct dr_grace_seen *seen, const struct dr_mask *mask, json_object *health_outputs,
		   struct dr_error *err);

#endif
