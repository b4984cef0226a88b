/* grace.c: start a container and watch it through the startup grace period. */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "grace.h"
#include "jsonstr.h"
#include "steps.h"

void dr_grace_init(struct dr_grace *g, struct dr_docker *docker, const struct dr_mask *mask, long grace_seconds,
		   const char *id)
{
	g->docker = docker;
	g->mask = mask;
	g->grace_seconds = grace_seconds;
	dr_strlcpy(g->container_id, id, sizeof g->container_id);
	g->exit_code = -1;
	g->logs = json_object_new_array();
	g->health_outputs = json_object_new_array();
	dr_buf_init(&g->log_text, DR_DOCKER_LOG_BYTES_MAX);
}

int dr_grace_start(struct dr_grace *g, struct dr_error *err)
{
	int rc;

	/* A second early: the die events are asked from here on, and an event's time is whole seconds. */
	g->started_s = (long long)time(NULL) - 1;
	if ((rc = dr_docker_container_start(g->docker, g->container_name, err)))
		return rc;
	/* A HEALTHCHECK shows as a health state from the start on. */
	if (dr_docker_container_state(g->docker, g->container_name, &g->state, err) == 0)
		g->health_checked = dr_grace_checks_health(&g->state);
	return 0;
}

/* Keep the last DR_GRACE_LOG_LINES lines of the container's output, each through dr_text_clean. */
static void grace_collect_logs(struct dr_grace *g)
{
	struct dr_buf raw, clean;
	struct dr_error ignored;
	const char *line, *end, *next;

	dr_buf_init(&raw, DR_DOCKER_LOG_BYTES_MAX);
	dr_buf_init(&clean, DR_GRACE_LOG_LINE_MAX + 1);
	if (dr_docker_container_logs(g->docker, g->container_name, DR_GRACE_LOG_LINES, &raw, &ignored) == 0 && raw.data) {
		for (line = raw.data, end = raw.data + raw.len; line < end; line = next) {
			const char *nl = memchr(line, '\n', (size_t)(end - line));
			size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
			next = line + len + (nl != NULL);
			dr_buf_reset(&clean);
			if (dr_text_clean(g->mask, line, len, DR_GRACE_LOG_LINE_MAX, 0, &clean))
				continue;
			json_object_array_add(g->logs, json_object_new_string(dr_buf_str(&clean)));
			dr_buf_addf(&g->log_text, "%s\n", dr_buf_str(&clean));
		}
	}
	if (raw.data)
		explicit_bzero(raw.data, raw.len);
	dr_buf_free(&raw);
	dr_buf_free(&clean);
}

/* Inspect after the wait: 0 or a fault. The exit code inspect shows stands in when no wait saw one. */
static int grace_inspect(struct dr_grace *g, struct dr_error *err)
{
	int rc = dr_docker_container_state(g->docker, g->container_name, &g->state, err);

	if (rc == DR_FAULT_ABSENT)
		return dr_error_set(err, DR_FAULT_INTERNAL, "container disappeared during the startup grace period");
	if (rc)
		return rc;
	if (g->exit_code < 0)
		g->exit_code = g->state.exit_code;
	return 0;
}

/* HEALTHCHECK: poll until dr_grace_poll_again says the state settled or the grace period ended. */
static int grace_wait_healthy(struct dr_grace *g, struct dr_error *err)
{
	long long deadline = dr_now_ms() + g->grace_seconds * 1000;
	int rc;

	for (;;) {
		rc = dr_docker_container_state(g->docker, g->container_name, &g->state, err);
		if (rc == DR_FAULT_ABSENT)
			return 0; /* grace_inspect reports it */
		if (rc)
			return rc;
		if (!dr_grace_poll_again(&g->state, dr_now_ms(), deadline))
			return 0;
		if (dr_steps_interrupted())
			return dr_error_set(err, DR_FAULT_INTERRUPTED, "interrupted while waiting for the health check");
		dr_sleep_ms(DR_GRACE_HEALTH_POLL_MS);
	}
}

/* Wait out the grace period: DR_OK when a wait saw the container exit (g->exit_code holds its
 * code), DR_FAULT_STILL_RUNNING when its state is to be inspected, or another fault. */
static int grace_wait(struct dr_grace *g, struct dr_error *err)
{
	int rc;

	switch (dr_grace_wait_kind(g->grace_seconds, g->health_checked)) {
	case DR_GRACE_WAIT_HEALTH:
		rc = grace_wait_healthy(g, err);
		return rc ? rc : DR_FAULT_STILL_RUNNING;
	case DR_GRACE_WAIT_EXIT:
		return dr_docker_container_wait_exit(g->docker, g->container_name, g->grace_seconds * 1000,
						     &g->exit_code, err);
	default:
		return DR_FAULT_STILL_RUNNING;
	}
}

/* The first die event's exit code since the start, or -1 when the engine gave none. */
static long grace_first_exit(struct dr_grace *g)
{
	struct dr_error ignored;
	long first = -1;

	if (dr_docker_container_first_exit(g->docker, g->container_name, g->container_id, g->started_s, &first, &ignored))
		return -1;
	return first;
}

/* Not up as required: ask the die events when the exit code needs them, stop and remove it, then say why. */
static int grace_fail(struct dr_grace *g, struct dr_grace_seen *seen, struct dr_error *err)
{
	struct dr_error ignored;

	if (dr_grace_wants_first_exit(seen))
		seen->first_exit = grace_first_exit(g);
	g->exit_code = dr_grace_exit_code(seen);
	dr_docker_container_stop(g->docker, g->container_name, 0, NULL, &ignored);
	dr_docker_container_remove(g->docker, g->container_name, &ignored);
	return dr_grace_fault(seen, g->mask, g->health_outputs, err);
}

int dr_grace_watch(struct dr_grace *g, struct dr_error *err)
{
	struct dr_grace_seen seen;
	int rc = grace_wait(g, err), exited = rc == DR_OK;

	if (rc != DR_OK && rc != DR_FAULT_STILL_RUNNING)
		return rc;
	rc = exited ? DR_OK : grace_inspect(g, err);
	grace_collect_logs(g);
	if (rc)
		return rc;
	seen = (struct dr_grace_seen){ .grace_seconds = g->grace_seconds, .health_checked = g->health_checked,
				       .exited = exited, .exit_code = g->exit_code, .first_exit = -1,
				       .state = &g->state, .logs = g->logs };
	if (dr_grace_verdict(&seen) == DR_GRACE_UP)
		return 0;
	return grace_fail(g, &seen, err);
}

void dr_grace_free(struct dr_grace *g)
{
	json_object_put(g->logs);
	json_object_put(g->health_outputs);
	g->logs = g->health_outputs = NULL;
	if (g->log_text.data)
		explicit_bzero(g->log_text.data, g->log_text.len);
	dr_buf_free(&g->log_text);
}
