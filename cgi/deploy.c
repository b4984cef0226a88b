/* dreichor-deploy: POST /v1/deploy. Validate everything first, then under
 * the environment's lock: compare what runs with expect_current_digest,
 * pull, check the digest pin, replace the container, watch it through the
 * grace period, record the deploy. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "current.h"
#include "deploy_request.h"
#include "endpoint.h"
#include "image_ref.h"
#include "jsonstr.h"
#include "mask.h"
#include "registry_auth.h"
#include "reply.h"
#include "runtime_env.h"
#include "state.h"

#define DEPLOY_LOG_LINES 50
#define DEPLOY_LOG_LINE_MAX 1024
#define DEPLOY_REASON_LOG_LINES 5
#define DEPLOY_HEALTH_POLL_MS 250

_Static_assert(DR_RUNTIME_VARS + 1 <= DR_CONTAINER_ENV_MAX, "the runtime env and ENVIRONMENT fit a container spec");

struct deploy {
	struct dr_endpoint ep;     /* request, configuration, audit, error, lock, Docker client */
	struct dr_image_ref ref;
	struct dr_runtime_env runtime;
	char *body;
	struct dr_deploy_request request;
	struct dr_current now;     /* what ran before this deploy */
	struct dr_mask mask;       /* the runtime's secrets, masked in container output */
	struct dr_stop_report stopped;
	char digest[DR_DOCKER_DIGEST_MAX];
	char image_by_digest[DR_IMAGE_REF_MAX + DR_DOCKER_DIGEST_MAX];  /* repository@sha256:..., what runs */
	char container_id[DR_DOCKER_ID_MAX];
	long long started_s;       /* just before the start, for the engine's die events */
	json_object *logs;         /* array of the container's last log lines */
	json_object *health_outputs; /* array of the last health check outputs, on a health failure */
	struct dr_container_state started;  /* the new container, last inspected */
	int health_checked;        /* its image defines a HEALTHCHECK */
	struct dr_buf log_text;    /* the same lines for the journal */
};

/* Fail in phase with status and a formatted reason. */
__attribute__((format(printf, 4, 5)))
static int deploy_fail(struct deploy *dp, enum dr_phase phase, int status, const char *fmt, ...)
{
	va_list ap;

	dp->ep.err.status = status;
	va_start(ap, fmt);
	vsnprintf(dp->ep.err.reason, sizeof dp->ep.err.reason, fmt, ap);
	va_end(ap);
	return dr_endpoint_phase(&dp->ep, phase, status);
}

static int deploy_check_request(struct deploy *dp)
{
	int rc;

	if ((rc = dr_cgi_body_read(&dp->ep.cgi, STDIN_FILENO, &dp->body, &dp->ep.err)) ||
	    (rc = dr_deploy_request_parse(&dp->request, dp->body, (size_t)dp->ep.cgi.content_length, dp->ep.cfg.environment,
					  &dp->ep.err)))
		return dr_endpoint_phase(&dp->ep, DR_PHASE_REQUEST, rc);
	dp->ep.audit.image = dp->request.image;
	rc = dr_image_ref_parse(dp->request.image, &dp->ref, &dp->ep.err);
	if (!rc)
		rc = dr_image_ref_check_policy(&dp->ref, dp->ep.cfg.image_repository, dp->ep.cfg.env == DR_ENV_DEV, &dp->ep.err);
	return dr_endpoint_phase(&dp->ep, DR_PHASE_IMAGE_POLICY, rc);
}

/* The server file wins: a request may repeat a value but never change it. */
static int deploy_check_runtime_env(struct deploy *dp)
{
	struct dr_problems problems = { 0 };

	if (dr_runtime_env_load(&dp->runtime, dp->ep.cfg.runtime_env_file, dp->ep.cfg.env, dp->ep.cfg.allow_execution_plane,
				&problems))
		return deploy_fail(dp, DR_PHASE_RUNTIME_ENV, 500, "runtime env file invalid: %s", problems.text[0]);
	dr_mask_init_database_url(&dp->mask, dp->runtime.values[DR_RT_DATABASE_URL]);
	return dr_endpoint_phase(&dp->ep, DR_PHASE_REQUEST, dr_deploy_request_check_env(&dp->request, &dp->runtime, &dp->ep.err));
}

/* The pulled image's digest for the repository: the requested one when it is among them. */
static int deploy_resolve_digest(struct deploy *dp)
{
	char ref[DR_IMAGE_REF_MAX + 8];
	int rc;

	snprintf(ref, sizeof ref, "%s%s%s", dp->ref.repository, dp->ref.digest[0] ? "@" : ":",
		 dp->ref.digest[0] ? dp->ref.digest : dp->ref.tag);
	rc = dr_docker_image_digest(&dp->ep.docker, ref, dp->ref.repository, dp->ref.digest, dp->digest, &dp->ep.err);
	if (rc == DR_DOCKER_NOT_FOUND)
		rc = dr_error_set(&dp->ep.err, 502, "pulled image %s is not present afterwards", ref);
	if (rc)
		return dr_endpoint_phase(&dp->ep, DR_PHASE_PULL, rc);
	if (!dp->digest[0])
		return deploy_fail(dp, DR_PHASE_PULL, 502, "registry reported no digest for %s", ref);
	if (dp->ref.digest[0] && strcmp(dp->ref.digest, dp->digest))
		return deploy_fail(dp, DR_PHASE_PULL, 502, "pulled digest differs from the requested %s", dp->ref.digest);
	return 0;
}

/* What runs now, for the history, and the request's precondition on it. */
static int deploy_check_current(struct deploy *dp)
{
	int rc;

	if ((rc = dr_current_read(&dp->ep.docker, dp->ep.cfg.container_name, &dp->now, &dp->ep.err)))
		return dr_endpoint_phase(&dp->ep, DR_PHASE_INSPECT, rc);
	dp->ep.audit.previous_digest = dr_current_expectation(&dp->now);
	return dr_endpoint_phase(&dp->ep, DR_PHASE_EXPECT_CURRENT,
				 dr_current_check_expectation(&dp->now, dp->request.expect_current_digest, &dp->ep.err));
}

/* repository:tag@digest: the tag is recorded (label, pin) only if the registry says it resolves to that digest. */
static int deploy_check_tag_digest(struct deploy *dp, const char *auth)
{
	char tagged[DR_DOCKER_DIGEST_MAX];
	int rc;

	if (!dp->ref.tag[0] || !dp->ref.digest[0])
		return 0;
	if ((rc = dr_docker_registry_digest(&dp->ep.docker, dp->ref.repository, dp->ref.tag, auth, tagged, &dp->ep.err)))
		return dr_endpoint_phase(&dp->ep, DR_PHASE_PULL, rc);
	return dr_endpoint_phase(&dp->ep, DR_PHASE_DIGEST_PIN, dr_image_ref_check_tag_digest(&dp->ref, tagged, &dp->ep.err));
}

static int deploy_pull(struct deploy *dp)
{
	char *auth = NULL;
	int rc;

	if ((rc = dr_registry_auth_for_repository(dp->ep.cfg.registry_auth_file, dp->ref.repository, &auth, &dp->ep.err)))
		return dr_endpoint_phase(&dp->ep, DR_PHASE_PULL, rc);
	if ((rc = deploy_check_tag_digest(dp, auth))) {
		dr_registry_auth_free(auth);
		return rc;
	}
	rc = dr_docker_image_pull(&dp->ep.docker, dp->ref.repository, dp->ref.digest[0] ? dp->ref.digest : dp->ref.tag,
				  auth, &dp->ep.err);
	dr_registry_auth_free(auth);
	if (rc)
		return dr_endpoint_phase(&dp->ep, DR_PHASE_PULL, rc);
	if ((rc = deploy_resolve_digest(dp)))
		return rc;
	dp->ep.audit.image_digest = dp->digest;
	if (dp->ref.tag[0])
		rc = dr_state_pin_check(dp->ep.cfg.state_directory, dp->ref.tag, dp->digest, &dp->ep.err);
	return dr_endpoint_phase(&dp->ep, DR_PHASE_DIGEST_PIN, rc);
}

/* The runtime container: the pulled digest, the runtime env, the two binds, the labels. */
static void deploy_container_spec(struct deploy *dp, struct dr_container_spec *spec)
{
	int i;

	snprintf(dp->image_by_digest, sizeof dp->image_by_digest, "%s@%s", dp->ref.repository, dp->digest);
	spec->image = dp->image_by_digest;
	for (i = 0; i < DR_RUNTIME_VARS; i++) {
		spec->env_names[i] = dr_runtime_var_names[i];
		spec->env_values[i] = dp->runtime.values[i];
	}
	spec->env_names[i] = "ENVIRONMENT";
	spec->env_values[i] = dp->ep.cfg.environment;
	spec->env_count = i + 1;
	spec->binds[0] = (struct dr_bind){ dp->ep.cfg.audit_events_path, "/var/lib/dreichor/audit-events" };
	spec->binds[1] = (struct dr_bind){ dp->ep.cfg.snapshots_path, "/var/lib/dreichor/snapshots" };
	spec->bind_count = 2;
	spec->restart_policy = "unless-stopped";
	spec->network = dp->ep.cfg.container_network;
	spec->label_environment = dp->ep.cfg.environment;
	spec->label_image = dp->request.image;
	spec->label_image_digest = dp->digest;
	spec->label_request_id = dp->ep.cgi.request_id;
}

static int deploy_replace(struct deploy *dp)
{
	const char *name = dp->ep.cfg.container_name;
	struct dr_container_spec spec = { 0 };
	int rc;

	if ((rc = dr_endpoint_stop_and_remove(&dp->ep, name, &dp->stopped)))
		return dr_endpoint_phase(&dp->ep, DR_PHASE_REPLACE, rc);
	deploy_container_spec(dp, &spec);
	rc = dr_docker_container_create(&dp->ep.docker, name, &spec, dp->container_id, &dp->ep.err);
	if (rc)
		return dr_endpoint_phase(&dp->ep, DR_PHASE_CREATE, rc);
	dp->started_s = (long long)time(NULL) - 1;
	if ((rc = dr_docker_container_start(&dp->ep.docker, dp->container_id, &dp->ep.err)))
		return dr_endpoint_phase(&dp->ep, DR_PHASE_START, rc);
	/* A HEALTHCHECK shows as a health state from the start on. */
	if (dr_docker_container_state(&dp->ep.docker, dp->container_id, &dp->started, &dp->ep.err) == 0)
		dp->health_checked = dp->started.health[0] != '\0';
	return 0;
}

/* Keep the last DEPLOY_LOG_LINES lines of the container's output, each bounded. */
static void deploy_collect_logs(struct deploy *dp)
{
	struct dr_buf raw, masked;
	struct dr_error ignored;
	char *line, *next;

	dr_buf_init(&raw, DR_DOCKER_LOG_BYTES_MAX);
	dr_buf_init(&masked, DR_DOCKER_LOG_BYTES_MAX * 2);
	if (dr_docker_container_logs(&dp->ep.docker, dp->container_id, DEPLOY_LOG_LINES, &raw, &ignored) == 0 && raw.data) {
		for (line = raw.data; *line; line = next) {
			next = line + strcspn(line, "\n");
			if (*next)
				*next++ = '\0';
			/* Mask first: a cut could leave half a secret that no longer matches. */
			dr_buf_reset(&masked);
			if (dr_mask_line(&dp->mask, line, &masked))
				continue;
			line = (char *)dr_buf_str(&masked);
			if (strlen(line) > DEPLOY_LOG_LINE_MAX)
				line[DEPLOY_LOG_LINE_MAX] = '\0';
			dr_utf8_sanitize(line);
			json_object_array_add(dp->logs, json_object_new_string(line));
			dr_buf_addf(&dp->log_text, "%s\n", line);
		}
	}
	dp->ep.audit.container_logs = dr_buf_str(&dp->log_text);
	if (raw.data)
		explicit_bzero(raw.data, raw.len);
	if (masked.data)
		explicit_bzero(masked.data, masked.len);
	dr_buf_free(&raw);
	dr_buf_free(&masked);
}

/* Inspect after the wait: running, and never restarted (and healthy, when the image checks). */
static int deploy_check_running(struct deploy *dp, long *restarts, long *exit_code)
{
	int rc = dr_docker_container_state(&dp->ep.docker, dp->container_id, &dp->started, &dp->ep.err);

	if (rc == DR_DOCKER_NOT_FOUND)
		rc = dr_error_set(&dp->ep.err, 500, "container disappeared during the startup grace period");
	if (rc)
		return dr_endpoint_phase(&dp->ep, DR_PHASE_GRACE, rc);
	if (*exit_code < 0)
		*exit_code = dp->started.exit_code;
	*restarts = dp->started.restart_count;
	return dp->started.running && *restarts == 0 && (!dp->started.health[0] || !strcmp(dp->started.health, "healthy"))
		       ? 0 : 1;
}

/* An image with a HEALTHCHECK: poll until healthy (success), unhealthy, an exit, or the end of the grace period. */
static int deploy_wait_healthy(struct deploy *dp, long grace_ms)
{
	long long deadline = dr_now_ms() + grace_ms;
	int rc;

	for (;;) {
		rc = dr_docker_container_state(&dp->ep.docker, dp->container_id, &dp->started, &dp->ep.err);
		if (rc == DR_DOCKER_NOT_FOUND)
			return 0; /* deploy_check_running reports it */
		if (rc)
			return dr_endpoint_phase(&dp->ep, DR_PHASE_GRACE, rc);
		if (!dp->started.running || dp->started.restart_count || strcmp(dp->started.health, "starting") ||
		    dr_now_ms() >= deadline)
			return 0;
		dr_sleep_ms(DEPLOY_HEALTH_POLL_MS);
	}
}

/* A restart resets the exit code inspect shows (and a wait begun after the
 * first exit sees only the next): the engine's first die event keeps it. */
static long deploy_first_exit_code(struct deploy *dp, long known)
{
	struct dr_error ignored;
	long first = -1;

	if (dr_docker_container_first_exit(&dp->ep.docker, dp->container_id, dp->started_s, &first, &ignored) || first < 0)
		return known;
	return first;
}

/* Append item to the " | "-separated list in buf, cut at cap. */
static void deploy_join(char *buf, size_t cap, const char *item)
{
	size_t used = strlen(buf);

	snprintf(buf + used, cap - used, "%s%s", used ? " | " : "", item);
}

/* The last DEPLOY_REASON_LOG_LINES log lines, joined for a reason. */
static void deploy_reason_lines(struct deploy *dp, char *lines, size_t cap)
{
	size_t n = json_object_array_length(dp->logs), i;

	for (i = n > DEPLOY_REASON_LOG_LINES ? n - DEPLOY_REASON_LOG_LINES : 0; i < n; i++)
		deploy_join(lines, cap, json_object_get_string(json_object_array_get_idx(dp->logs, i)));
}

/* Running but not healthy: the 500 names the health state and its last check outputs. */
static int deploy_fail_health(struct deploy *dp, const char *lines)
{
	char outputs[DR_REASON_MAX / 2] = "";
	int i;

	for (i = 0; i < dp->started.health_log_count; i++) {
		struct dr_buf masked;
		dr_buf_init(&masked, DR_HEALTH_OUTPUT_MAX * 4);
		if (!dr_mask_line(&dp->mask, dp->started.health_log[i], &masked)) {
			deploy_join(outputs, sizeof outputs, dr_buf_str(&masked));
			json_object_array_add(dp->health_outputs, json_object_new_string(dr_buf_str(&masked)));
		}
		dr_buf_free(&masked);
	}
	return dr_error_set(&dp->ep.err, 500,
			    "container %s the %ld s startup grace period and was removed; "
			    "last health check output: %s; last log lines: %s",
			    strcmp(dp->started.health, "unhealthy") ? "was still starting, not healthy, at the end of"
								     : "turned unhealthy within",
			    dp->ep.cfg.startup_grace_seconds, outputs[0] ? outputs : "(none)", lines[0] ? lines : "(none)");
}

/* The container must stay up for the grace period (and become healthy when its image checks); otherwise it is removed. */
static int deploy_watch(struct deploy *dp)
{
	long exit_code = -1, restarts = 0;
	long grace_ms = dp->ep.cfg.startup_grace_seconds * 1000;
	struct dr_error ignored;
	char lines[DR_REASON_MAX / 2] = "";
	int rc = DR_DOCKER_STILL_RUNNING, only_health_failed = 0;

	if (grace_ms > 0 && dp->health_checked)
		rc = deploy_wait_healthy(dp, grace_ms);
	else if (grace_ms > 0)
		rc = dr_docker_container_wait_exit(&dp->ep.docker, dp->container_id, grace_ms, &exit_code, &dp->ep.err);
	if (rc != 0 && rc != DR_DOCKER_STILL_RUNNING)
		return dr_endpoint_phase(&dp->ep, DR_PHASE_GRACE, rc);
	if (rc == DR_DOCKER_STILL_RUNNING || dp->health_checked) {
		if ((rc = deploy_check_running(dp, &restarts, &exit_code)) != 1) {
			deploy_collect_logs(dp);
			return rc;
		}
		only_health_failed = dp->started.running && !restarts;
	}
	deploy_collect_logs(dp);
	if (!only_health_failed && (restarts || exit_code < 0))
		exit_code = deploy_first_exit_code(dp, exit_code);
	dr_docker_container_stop(&dp->ep.docker, dp->container_id, 0, NULL, &ignored);
	dr_docker_container_remove(&dp->ep.docker, dp->container_id, &ignored);
	deploy_reason_lines(dp, lines, sizeof lines);
	if (only_health_failed)
		return dr_endpoint_phase(&dp->ep, DR_PHASE_GRACE, deploy_fail_health(dp, lines));
	dp->ep.audit.exit_code = exit_code;
	return dr_endpoint_phase(&dp->ep, DR_PHASE_GRACE, dr_error_set(&dp->ep.err, 500,
			    "container exited with code %ld%s within the %ld s startup grace period and was removed; last log lines: %s",
			    exit_code, restarts ? " and was restarted" : "", dp->ep.cfg.startup_grace_seconds,
			    lines[0] ? lines : "(none)"));
}

static int deploy_record(struct deploy *dp)
{
	json_object *record = json_object_new_object();
	char now[DR_TIME_ISO_MAX];
	const char *text;
	int rc;

	dr_time_iso_utc(now);
	json_object_object_add(record, "time", json_object_new_string(now));
	json_object_object_add(record, "image", json_object_new_string(dp->request.image));
	json_object_object_add(record, "image_digest", json_object_new_string(dp->digest));
	json_object_object_add(record, "request_id", json_object_new_string(dp->ep.cgi.request_id));
	json_object_object_add(record, "client_id", json_object_new_string(dp->ep.cgi.client_id));
	json_object_object_add(record, "container_id", json_object_new_string(dp->container_id));
	text = json_object_to_json_string_ext(record, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = dr_state_write_atomic(dp->ep.cfg.state_directory, DR_STATE_RECORD, text, strlen(text), &dp->ep.err);
	json_object_put(record);
	return dr_endpoint_phase(&dp->ep, DR_PHASE_RECORD, rc);
}

static int deploy_run(struct deploy *dp)
{
	int rc;

	if ((rc = deploy_check_request(dp)) || (rc = deploy_check_runtime_env(dp)) ||
	    (rc = dr_endpoint_lock(&dp->ep, "deploy", dp->request.image)) || (rc = dr_endpoint_docker(&dp->ep)) ||
	    (rc = deploy_check_current(dp)) || (rc = deploy_pull(dp)) || (rc = deploy_replace(dp)) || (rc = deploy_watch(dp)))
		return rc;
	return deploy_record(dp);
}

/* The answer's body: the start logs always, the deploy's facts on success. */
static json_object *deploy_answer(struct deploy *dp, int rc)
{
	json_object *out = json_object_new_object();

	json_object_object_add(out, "logs", json_object_get(dp->logs));
	if (json_object_array_length(dp->health_outputs))
		json_object_object_add(out, "health_outputs", json_object_get(dp->health_outputs));
	if (rc)
		return out;
	json_object_object_add(out, "status", json_object_new_string("deployed"));
	json_object_object_add(out, "container_name", json_object_new_string(dp->ep.cfg.container_name));
	json_object_object_add(out, "image", json_object_new_string(dp->request.image));
	json_object_object_add(out, "environment", json_object_new_string(dp->ep.cfg.environment));
	json_object_object_add(out, "image_digest", json_object_new_string(dp->digest));
	json_object_object_add(out, "container_id", json_object_new_string(dp->container_id));
	json_object_object_add(out, "previous_digest", json_object_new_string(dp->ep.audit.previous_digest));
	dr_reply_add_stop_report(out, &dp->stopped);
	return out;
}

int main(void)
{
	static struct deploy dp;
	int rc;

	dp.logs = json_object_new_array();
	dp.health_outputs = json_object_new_array();
	dr_buf_init(&dp.log_text, DR_DOCKER_LOG_BYTES_MAX);
	dp.ep.keeps_history = 1;
	if (!(rc = dr_endpoint_begin(&dp.ep, "deploy")))
		rc = deploy_run(&dp);
	rc = dr_endpoint_end(&dp.ep, rc, 200, deploy_answer(&dp, rc));
	dr_runtime_env_free(&dp.runtime);
	dr_mask_free(&dp.mask);
	dr_deploy_request_free(&dp.request);
	json_object_put(dp.logs);
	json_object_put(dp.health_outputs);
	dr_buf_free(&dp.log_text);
	free(dp.body);
	return rc;
}
