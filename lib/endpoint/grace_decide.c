/* grace_decide.c: what a new container's answers during the grace period mean; no I/O. */

#include <stdio.h>
#include <string.h>

#include "grace_decide.h"

int dr_grace_checks_health(const struct dr_container_state *s)
{
	return s->health[0] != '\0';
}

enum dr_grace_wait dr_grace_wait_kind(long grace_seconds, int health_checked)
{
	if (grace_seconds <= 0)
		return DR_GRACE_WAIT_NONE;
	/* A wait for an exit cannot see a health state turn: that one is polled. */
	return health_checked ? DR_GRACE_WAIT_HEALTH : DR_GRACE_WAIT_EXIT;
}

int dr_grace_poll_again(const struct dr_container_state *s, long long now_ms, long long deadline_ms)
{
	return s->running && !s->restart_count && !strcmp(s->health, "starting") && now_ms < deadline_ms;
}

enum dr_grace_verdict dr_grace_verdict(const struct dr_grace_seen *seen)
{
	const struct dr_container_state *s = seen->state;
	int stayed = s->running && s->restart_count == 0;

	if (seen->exited)
		return DR_GRACE_EXITED;
	if (stayed && (!s->health[0] || !strcmp(s->health, "healthy")))
		return DR_GRACE_UP;
	if (stayed && seen->health_checked)
		return strcmp(s->health, "unhealthy") ? DR_GRACE_STARTING : DR_GRACE_UNHEALTHY;
	return DR_GRACE_EXITED;
}

int dr_grace_wants_first_exit(const struct dr_grace_seen *seen)
{
	/* A restart resets the exit code inspect shows, and a wait begun after the first exit sees only the next. */
	return dr_grace_verdict(seen) == DR_GRACE_EXITED && (seen->state->restart_count || seen->exit_code < 0);
}

long dr_grace_exit_code(const struct dr_grace_seen *seen)
{
	switch (dr_grace_verdict(seen)) {
	case DR_GRACE_UNHEALTHY:
	case DR_GRACE_STARTING:
		return -1; /* it never exited: an exit code would say it did */
	case DR_GRACE_EXITED:
		return seen->first_exit >= 0 ? seen->first_exit : seen->exit_code;
	default:
		return seen->exit_code;
	}
}

/* Append item to the " | "-separated list in buf, cut at cap. */
static void grace_join(char *buf, size_t cap, const char *item)
{
	size_t used = strlen(buf);

	snprintf(buf + used, cap - used, "%s%s", used ? " | " : "", item);
}

/* The last DR_GRACE_REASON_LOG_LINES log lines, joined for a reason. */
static void grace_reason_lines(json_object *logs, char *lines, size_t cap)
{
	size_t n = logs ? json_object_array_length(logs) : 0, i;

	for (i = n > DR_GRACE_REASON_LOG_LINES ? n - DR_GRACE_REASON_LOG_LINES : 0; i < n; i++)
		grace_join(lines, cap, json_object_get_string(json_object_array_get_idx(logs, i)));
}

/* Running but not healthy: the fault names the health state and its last check outputs. */
static int grace_health_fault(const struct dr_grace_seen *seen, const struct dr_mask *mask, json_object *health_outputs,
			      const char *lines, struct dr_error *err)
{
	const struct dr_container_state *s = seen->state;
	char outputs[DR_REASON_MAX / 2] = "";
	struct dr_buf clean;
	int i;

	for (i = 0; i < s->health_log_count; i++) {
		const char *raw = s->health_log[i];
		dr_buf_init(&clean, DR_HEALTH_OUTPUT_MAX + 1);
		if (!dr_text_clean(mask, raw, strlen(raw), DR_HEALTH_OUTPUT_MAX, 0, &clean)) {
			grace_join(outputs, sizeof outputs, dr_buf_str(&clean));
			json_object_array_add(health_outputs, json_object_new_string(dr_buf_str(&clean)));
		}
		dr_buf_free(&clean);
	}
	return dr_error_set(err, DR_FAULT_INTERNAL,
			    "container %s the %ld s startup grace period and was removed; "
			    "last health check output: %s; last log lines: %s",
			    dr_grace_verdict(seen) == DR_GRACE_UNHEALTHY ? "turned unhealthy within"
									 : "was still starting, not healthy, at the end of",
			    seen->grace_seconds, outputs[0] ? outputs : "(none)", lines[0] ? lines : "(none)");
}

int dr_grace_fault(const struct dr_grace_seen *seen, const struct dr_mask *mask, json_object *health_outputs,
		   struct dr_error *err)
{
	char lines[DR_REASON_MAX / 2] = "";

	grace_reason_lines(seen->logs, lines, sizeof lines);
	if (dr_grace_verdict(seen) != DR_GRACE_EXITED)
		return grace_health_fault(seen, mask, health_outputs, lines, err);
	return dr_error_set(err, DR_FAULT_INTERNAL,
			    "container exited with code %ld%s within the %ld s startup grace period and was removed; "
			    "last log lines: %s",
			    dr_grace_exit_code(seen), seen->state->restart_count ? " and was restarted" : "",
			    seen->grace_seconds, lines[0] ? lines : "(none)");
}
