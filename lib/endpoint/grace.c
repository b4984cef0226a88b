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

	g->started_s = (long long)time(NULL) - 1;
	if ((rc = dr_docker_container_start(g->docker, g->container_name, err)))
		return rc;
	/* A HEALTHCHECK shows as a health state from the start on. */
	if (dr_docker_container_state(g->docker, g->container_name, &g->state, err) == 0)
		g->health_checked = g->state.health[0] != '\0';
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

/* Inspect: DR_OK when it runs, never restarted, and is healthy when its image checks;
 * DR_FAULT_STILL_RUNNING stands for "not up as required" here, another fault for a failed inspect. */
static int grace_inspect(struct dr_grace *g, struct dr_error *err)
{
	int rc = dr_docker_container_state(g->docker, g->container_name, &g->state, err);

	if (rc == DR_FAULT_ABSENT)
		return dr_error_set(err, DR_FAULT_INTERNAL, "container disappeared during the startup grace period");
	if (rc)
		return rc;
	if (g->exit_code < 0)
		g->exit_code = g->state.exit_code;
	return g->state.running && g->state.restart_count == 0 &&
			       (!g->state.health[0] || !strcmp(g->state.health, "healthy"))
		       ? DR_OK : DR_FAULT_STILL_RUNNING;
}

/* HEALTHCHECK: poll until healthy, unhealthy, an exit, a restart, or the end of the grace period. */
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
		if (!g->state.running || g->state.restart_count || strcmp(g->state.health, "starting") ||
		    dr_now_ms() >= deadline)
			return 0;
		if (dr_steps_interrupted())
			return dr_error_set(err, DR_FAULT_INTERRUPTED, "interrupted while waiting for the health check");
		dr_sleep_ms(DR_GRACE_HEALTH_POLL_MS);
	}
}

/* A restart resets the exit code inspect shows (and a wait begun after the
 * first exit sees only the next): the engine's first die event keeps it. */
static long grace_first_exit_code(struct dr_grace *g, long known)
{
	struct dr_error ignored;
	long first = -1;

	if (dr_docker_container_first_exit(g->docker, g->container_name, g->container_id, g->started_s, &first, &ignored) ||
	    first < 0)
		return known;
	return first;
}

/* Append item to the " | "-separated list in buf, cut at cap. */
static void grace_join(char *buf, size_t cap, const char *item)
{
	size_t used = strlen(buf);

	snprintf(buf + used, cap - used, "%s%s", used ? " | " : "", item);
}

/* The last DR_GRACE_REASON_LOG_LINES log lines, joined for a reason. */
static void grace_reason_lines(struct dr_grace *g, char *lines, size_t cap)
{
	size_t n = json_object_array_length(g->logs), i;

	for (i = n > DR_GRACE_REASON_LOG_LINES ? n - DR_GRACE_REASON_LOG_LINES : 0; i < n; i++)
		grace_join(lines, cap, json_object_get_string(json_object_array_get_idx(g->logs, i)));
}

/* Running but not healthy: the fault names the health state and its last check outputs. */
static int grace_fail_health(struct dr_grace *g, const char *lines, struct dr_error *err)
{
	char outputs[DR_REASON_MAX / 2] = "";
	struct dr_buf clean;
	int i;

	for (i = 0; i < g->state.health_log_count; i++) {
		const char *raw = g->state.health_log[i];
		dr_buf_init(&clean, DR_HEALTH_OUTPUT_MAX + 1);
		if (!dr_text_clean(g->mask, raw, strlen(raw), DR_HEALTH_OUTPUT_MAX, 0, &clean)) {
			grace_join(outputs, sizeof outputs, dr_buf_str(&clean));
			json_object_array_add(g->health_outputs, json_object_new_string(dr_buf_str(&clean)));
		}
		dr_buf_free(&clean);
	}
	return dr_error_set(err, DR_FAULT_INTERNAL,
			    "container %s the %ld s startup grace period and was removed; "
			    "last health check output: %s; last log lines: %s",
			    strcmp(g->state.health, "unhealthy") ? "was still starting, not healthy, at the end of"
								: "turned unhealthy within",
			    g->grace_seconds, outputs[0] ? outputs : "(none)", lines[0] ? lines : "(none)");
}

/* Not up as required: stop and remove it, then say why. */
static int grace_fail(struct dr_grace *g, struct dr_error *err)
{
	int only_health_failed = g->health_checked && g->state.running && !g->state.restart_count;
	char lines[DR_REASON_MAX / 2] = "";
	struct dr_error ignored;

	if (!only_health_failed && (g->state.restart_count || g->exit_code < 0))
		g->exit_code = grace_first_exit_code(g, g->exit_code);
	dr_docker_container_stop(g->docker, g->container_name, 0, NULL, &ignored);
	dr_docker_container_remove(g->docker, g->container_name, &ignored);
	grace_reason_lines(g, lines, sizeof lines);
	if (only_health_failed) {
		g->exit_code = -1;
		return grace_fail_health(g, lines, err);
	}
	return dr_error_set(err, DR_FAULT_INTERNAL,
			    "container exited with code %ld%s within the %ld s startup grace period and was removed; "
			    "last log lines: %s",
			    g->exit_code, g->state.restart_count ? " and was restarted" : "", g->grace_seconds,
			    lines[0] ? lines : "(none)");
}

int dr_grace_watch(struct dr_grace *g, struct dr_error *err)
{
	long grace_ms = g->grace_seconds * 1000;
	int rc = DR_FAULT_STILL_RUNNING;

	if (grace_ms > 0 && g->health_checked)
		rc = grace_wait_healthy(g, err);
	else if (grace_ms > 0)
		rc = dr_docker_container_wait_exit(g->docker, g->container_name, grace_ms, &g->exit_code, err);
	if (rc != DR_OK && rc != DR_FAULT_STILL_RUNNING)
		return rc;
	/* It exited within the grace period (rc 0, no HEALTHCHECK), or inspect decides. */
	if (rc == DR_FAULT_STILL_RUNNING || g->health_checked) {
		rc = grace_inspect(g, err);
		if (rc != DR_FAULT_STILL_RUNNING) {
			grace_collect_logs(g);
			return rc;
		}
	}
	grace_collect_logs(g);
	return grace_fail(g, err);
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
