/* dreichorctl: the operator's and the workflow's client of the deploy
 * agent. A deploy asks for the asynchronous answer (Prefer: respond-async)
 * with an Idempotency-Key, then follows the deploy to its end, printing
 * each phase as it begins and the pull's progress; a request the edge cut
 * (524, 502, a reset) is sent again with the same key, which cannot deploy
 * twice. --sync makes it one request. Other commands are one request each.
 * The service-token secret is read from CF_ACCESS_CLIENT_SECRET or a file,
 * never from argv.
 * Exit codes: 0 success, 1 refused by the agent (or the deploy failed), 2 usage, 3 transport,
 * 4 deployed but --wait-running found another image or none running,
 * 5 the plan says a deploy would be refused. */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "buf.h"
#include "cgi.h"
#include "error.h"
#include "config.h"

#define CTL_EXIT_OK 0
#define CTL_EXIT_REFUSED 1
#define CTL_EXIT_USAGE 2
#define CTL_EXIT_TRANSPORT 3
#define CTL_EXIT_NOT_RUNNING 4
#define CTL_EXIT_WOULD_REFUSE 5
#define CTL_RESPONSE_MAX (1024 * 1024)
#define CTL_SECRET_MAX 4096
#define CTL_DEFAULT_TIMEOUT 1800L
#define CTL_POLL_MS 1000           /* between two looks at a running deploy */
#define CTL_RETRIES 10             /* cut or refused-by-the-edge requests sent again */

struct ctl {
	const char *url;
	const char *client_id;
	char secret[CTL_SECRET_MAX + 1];
	const char *environment;
	long timeout;
	int json;
	int wait_running;
	const char *expect_current;  /* --expect-current DIGEST|none */
	int previous;                /* deploy --previous */
	long limit;                  /* history --limit N, 0: the agent's default */
	int sync;                    /* deploy --sync: one request, no following */
	char idempotency_key[65];    /* deploy: --idempotency-key, or a random one (DR_REQUEST_ID_LEN + 1 fits) */
	const char *prefer;          /* the next request's Prefer header, or NULL */
	long http_status;
	struct dr_buf body;
	char curl_error[CURL_ERROR_SIZE];
};

static int ctl_usage(const char *why)
{
	if (why)
		fprintf(stderr, "dreichorctl: %s\n", why);
	fprintf(stderr,
		"usage: dreichorctl [options] deploy IMAGE [--environment ENV] [--wait-running] [--expect-current DIGEST|none]\n"
		"                                        [--sync] [--idempotency-key KEY]\n"
		"       dreichorctl [options] deploy --previous [--wait-running]\n"
		"       dreichorctl [options] plan IMAGE [--expect-current DIGEST|none]\n"
		"       dreichorctl [options] history [--limit N]\n"
		"       dreichorctl [options] status\n"
		"       dreichorctl [options] stop\n"
		"options: --url URL (or DREICHOR_URL)  --client-id ID (or CF_ACCESS_CLIENT_ID)\n"
		"         --secret-file FILE (or CF_ACCESS_CLIENT_SECRET)  --json  --timeout SECONDS\n");
	return CTL_EXIT_USAGE;
}

static size_t ctl_collect(char *p, size_t size, size_t n, void *userdata)
{
	return dr_buf_add(userdata, p, size * n) ? 0 : size * n;
}

static int ctl_read_secret_file(struct ctl *c, const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(c->secret, 1, CTL_SECRET_MAX + 1, f);
	fclose(f);
	if (n > CTL_SECRET_MAX)
		return -1;
	while (n > 0 && (c->secret[n - 1] == '\n' || c->secret[n - 1] == '\r'))
		n--;
	c->secret[n] = '\0';
	return 0;
}

/* One request; 0 when an HTTP answer arrived (any status), else CTL_EXIT_TRANSPORT. */
static int ctl_request(struct ctl *c, const char *method, const char *path, const char *json)
{
	struct curl_slist *headers = NULL;
	struct dr_buf header;
	char url[2048];
	CURL *curl = curl_easy_init();
	CURLcode rc;

	if (!curl)
		return CTL_EXIT_TRANSPORT;
	snprintf(url, sizeof url, "%s%s", c->url, path);
	dr_buf_init(&header, CTL_SECRET_MAX + 64);
	dr_buf_reset(&c->body);
	dr_buf_addf(&header, "CF-Access-Client-Id: %s", c->client_id);
	headers = curl_slist_append(headers, dr_buf_str(&header));
	dr_buf_reset(&header);
	dr_buf_addf(&header, "CF-Access-Client-Secret: %s", c->secret);
	headers = curl_slist_append(headers, dr_buf_str(&header));
	explicit_bzero(header.data, header.len);
	dr_buf_free(&header);
	if (c->prefer && !strcmp(method, "POST")) {
		char line[128];
		snprintf(line, sizeof line, "Prefer: %s", c->prefer);
		headers = curl_slist_append(headers, line);
	}
	if (c->idempotency_key[0] && !strcmp(method, "POST")) {
		char line[128];
		snprintf(line, sizeof line, "Idempotency-Key: %s", c->idempotency_key);
		headers = curl_slist_append(headers, line);
	}
	if (json) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json);
	} else if (!strcmp(method, "POST")) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ctl_collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &c->body);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, c->timeout);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, c->curl_error);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &c->http_status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK) {
		fprintf(stderr, "dreichorctl: %s %s: %s\n", method, url, c->curl_error[0] ? c->curl_error : curl_easy_strerror(rc));
		return CTL_EXIT_TRANSPORT;
	}
	return 0;
}

static const char *json_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

static void ctl_print_logs(FILE *out, json_object *answer)
{
	json_object *logs;
	size_t i;

	if (!json_object_object_get_ex(answer, "logs", &logs) || !json_object_is_type(logs, json_type_array) ||
	    json_object_array_length(logs) == 0)
		return;
	fprintf(out, "container output:\n");
	for (i = 0; i < json_object_array_length(logs); i++)
		fprintf(out, "  | %s\n", json_object_get_string(json_object_array_get_idx(logs, i)));
}

/* Print the answer; returns the exit code it stands for. */
static int ctl_report(struct ctl *c, const char *command, json_object **answer_out)
{
	json_object *answer = json_tokener_parse(dr_buf_str(&c->body));
	const char *reason;

	*answer_out = answer;
	if (c->json)
		printf("%s\n", dr_buf_str(&c->body));
	if (!answer || !json_object_is_type(answer, json_type_object)) {
		fprintf(stderr, "dreichorctl: %s: HTTP %ld with a body that is not JSON\n", command, c->http_status);
		return c->http_status == 200 ? CTL_EXIT_TRANSPORT : CTL_EXIT_REFUSED;
	}
	if (c->http_status != 200) {
		reason = json_str(answer, "reason");
		fprintf(stderr, "dreichorctl: %s refused: HTTP %ld: %s\n", command, c->http_status, reason ? reason : "(no reason)");
		if (!c->json)
			ctl_print_logs(stderr, answer);
		return CTL_EXIT_REFUSED;
	}
	return CTL_EXIT_OK;
}

static void ctl_print_status(json_object *a)
{
	json_object *running = NULL;
	int is_running = json_object_object_get_ex(a, "running", &running) && json_object_get_boolean(running);

	printf("%s (%s): %s\n", json_str(a, "container_name") ? json_str(a, "container_name") : "?",
	       json_str(a, "environment") ? json_str(a, "environment") : "?",
	       is_running ? "running" : (json_str(a, "state") ? json_str(a, "state") : "not running"));
	if (is_running)
		printf("  image      %s\n  digest     %s\n  started at %s\n", json_str(a, "image") ? json_str(a, "image") : "?",
		       json_str(a, "image_digest") ? json_str(a, "image_digest") : "?",
		       json_str(a, "started_at") ? json_str(a, "started_at") : "?");
}

/* --wait-running: status must show the requested image running. */
static int ctl_verify_running(struct ctl *c, const char *image)
{
	json_object *answer = NULL, *running;
	int rc = ctl_request(c, "GET", "/v1/status", NULL);

	if (rc)
		return rc;
	answer = json_tokener_parse(dr_buf_str(&c->body));
	if (c->http_status != 200 || !answer) {
		fprintf(stderr, "dreichorctl: verification: status answered HTTP %ld\n", c->http_status);
		rc = CTL_EXIT_NOT_RUNNING;
	} else if (!json_object_object_get_ex(answer, "running", &running) || !json_object_get_boolean(running) ||
		   !json_str(answer, "image") || strcmp(json_str(answer, "image"), image)) {
		fprintf(stderr, "dreichorctl: verification failed: %s is not the image running (status: %s)\n", image,
			dr_buf_str(&c->body));
		rc = CTL_EXIT_NOT_RUNNING;
	} else if (!c->json) {
		printf("verified: %s is running\n", image);
	}
	json_object_put(answer);
	return rc;
}

/* The body of a deploy or a plan. */
static json_object *ctl_deploy_body(const struct ctl *c, const char *image)
{
	json_object *req = json_object_new_object();

	json_object_object_add(req, "image", json_object_new_string(image));
	if (c->environment)
		json_object_object_add(req, "environment", json_object_new_string(c->environment));
	if (c->expect_current)
		json_object_object_add(req, "expect_current_digest", json_object_new_string(c->expect_current));
	return req;
}

/* A deployed answer, printed (and verified with --wait-running). */
static int ctl_deployed(struct ctl *c, const char *image, json_object *answer)
{
	json_object *signature;

	if (!c->json) {
		printf("deployed %s to %s (%s)\n  digest    %s\n  container %s\n", image, json_str(answer, "container_name"),
		       json_str(answer, "environment"),
		       json_str(answer, "image_digest") ? json_str(answer, "image_digest") : "?",
		       json_str(answer, "container_id") ? json_str(answer, "container_id") : "?");
		if (json_object_object_get_ex(answer, "signature", &signature))
			printf("  signed    by %s (%s)\n", json_str(signature, "key") ? json_str(signature, "key") : "?",
			       json_str(signature, "format") ? json_str(signature, "format") : "?");
		ctl_print_logs(stdout, answer);
	}
	return c->wait_running ? ctl_verify_running(c, image) : CTL_EXIT_OK;
}

/* An answer the edge or a proxy gave instead of the agent (whose answers are JSON objects with a
 * "status"), or none at all: worth sending the same request again. */
static int ctl_cut(const struct ctl *c, int rc)
{
	json_object *o;
	int agent_spoke;

	if (rc == CTL_EXIT_TRANSPORT)
		return 1;
	if (c->http_status < 500)
		return 0;
	o = json_tokener_parse(dr_buf_str(&c->body));
	agent_spoke = o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, "status", NULL);
	json_object_put(o);
	return !agent_spoke;
}

/* Send method path json; a cut request is sent again (the idempotency key makes that safe). */
static int ctl_request_again(struct ctl *c, const char *method, const char *path, const char *json)
{
	int rc = 0, tries;

	for (tries = 0; tries <= CTL_RETRIES; tries++) {
		rc = ctl_request(c, method, path, json);
		if (!ctl_cut(c, rc))
			return rc;
		if (rc == 0)
			fprintf(stderr, "dreichorctl: %s %s: HTTP %ld from the way to the agent; asking again\n", method, path,
				c->http_status);
		sleep(tries < 3 ? 1 : 5);
	}
	return rc ? rc : CTL_EXIT_TRANSPORT;
}

/* Seconds of the day of an ISO time ("2026-12-03T10:38:34.644Z"), or -1. */
static double ctl_day_seconds(const char *iso)
{
	int h, m;
	double s;

	if (!iso || sscanf(iso, "%*10[0-9-]T%d:%d:%lfZ", &h, &m, &s) != 3)
		return -1;
	return h * 3600.0 + m * 60.0 + s;
}

/* Print the phases the deploy entered since the last look, each with its start after the first. */
static void ctl_show_phases(FILE *out, json_object *record, int *shown, char *last_phase)
{
	json_object *phases = NULL;
	double first = -1, at;
	size_t i, n;

	if (!json_object_object_get_ex(record, "phases", &phases) || !json_object_is_type(phases, json_type_array))
		return;
	n = json_object_array_length(phases);
	for (i = 0; i < n; i++) {
		json_object *ph = json_object_array_get_idx(phases, i);
		const char *name = json_str(ph, "phase");
		if ((at = ctl_day_seconds(json_str(ph, "at"))) >= 0 && first < 0)
			first = at;
		if ((int)i < *shown || !name)
			continue;
		/* A phase of two steps (request, pull) is one line. */
		if (strcmp(name, last_phase))
			fprintf(out, "[%6.1fs] %s\n", at >= 0 && first >= 0 ? (at < first ? at + 86400 - first : at - first) : 0.0, name);
		snprintf(last_phase, 32, "%s", name);
	}
	*shown = (int)n;
}

/* One line per phase as it begins; the pull's progress as a bar on a terminal, else a line per
 * tenth. With --json, on stderr, so that stdout stays the one JSON answer. */
static void ctl_show_progress(struct ctl *c, json_object *record, int *shown, char *last_phase, int *last_tenth)
{
	FILE *out = c->json ? stderr : stdout;
	json_object *progress = NULL, *v;
	long long current = 0, total = 0;
	int tenth, before = *shown;

	ctl_show_phases(out, record, shown, last_phase);
	if (*shown != before)
		*last_tenth = -1;
	if (!json_object_object_get_ex(record, "progress", &progress))
		return;
	if (json_object_object_get_ex(progress, "current_bytes", &v))
		current = json_object_get_int64(v);
	if (json_object_object_get_ex(progress, "total_bytes", &v))
		total = json_object_get_int64(v);
	if (total <= 0)
		return;
	tenth = (int)(current * 10 / total);
	if (isatty(fileno(out)))
		fprintf(out, "\r          [%-10.*s] %6.1f / %.1f MB%s", tenth, "##########", current / 1e6, total / 1e6,
			current >= total ? "\n" : "");
	else if (tenth != *last_tenth)
		fprintf(out, "           pulled %.1f of %.1f MB\n", current / 1e6, total / 1e6);
	*last_tenth = tenth;
	fflush(out);
}

/* Poll GET /v1/deploys/<id> until the deploy ended; *record is its final state. */
static int ctl_follow(struct ctl *c, const char *id, json_object **record)
{
	char path[96], last_phase[32] = "";
	int rc, last_tenth = -1, shown = 0;

	snprintf(path, sizeof path, "/v1/deploys/%s", id);
	for (;;) {
		if ((rc = ctl_request_again(c, "GET", path, NULL)))
			return rc;
		json_object_put(*record);
		*record = json_tokener_parse(dr_buf_str(&c->body));
		if (c->http_status != 200 || !*record) {
			fprintf(stderr, "dreichorctl: following deploy %s: HTTP %ld: %s\n", id, c->http_status, dr_buf_str(&c->body));
			return CTL_EXIT_TRANSPORT;
		}
		ctl_show_progress(c, *record, &shown, last_phase, &last_tenth);
		if (!json_str(*record, "status") || strcmp(json_str(*record, "status"), "running"))
			return 0;
		usleep(CTL_POLL_MS * 1000);
	}
}

/* A followed deploy's end, as if it had been the synchronous answer. */
static int ctl_deploy_outcome(struct ctl *c, const char *image, json_object *record)
{
	json_object *v;
	const char *text;

	c->http_status = json_object_object_get_ex(record, "http_status", &v) ? json_object_get_int(v) : 500;
	text = json_object_to_json_string_ext(record, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (c->json) {
		/* The answer first: verifying it asks the agent again. */
		printf("%s\n", text);
		fflush(stdout);
		return c->http_status == 200 ? ctl_deployed(c, image, record) : CTL_EXIT_REFUSED;
	}
	if (c->http_status != 200) {
		fprintf(stderr, "dreichorctl: deploy failed: HTTP %ld: %s\n", c->http_status,
			json_str(record, "reason") ? json_str(record, "reason") : "(no reason)");
		ctl_print_logs(stderr, record);
		return CTL_EXIT_REFUSED;
	}
	return ctl_deployed(c, image, record);
}

static int ctl_deploy(struct ctl *c, const char *image)
{
	json_object *req = ctl_deploy_body(c, image), *answer = NULL, *record = NULL;
	char id[80];
	int rc;

	c->prefer = c->sync ? NULL : "respond-async";
	rc = c->sync ? ctl_request(c, "POST", "/v1/deploy", json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN))
		     : ctl_request_again(c, "POST", "/v1/deploy", json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
	c->prefer = NULL;
	json_object_put(req);
	if (rc)
		return rc;
	if (c->http_status != 202) {
		/* The synchronous answer (or an agent without the asynchronous mode). */
		if ((rc = ctl_report(c, "deploy", &answer)) == 0)
			rc = ctl_deployed(c, image, answer);
		json_object_put(answer);
		return rc;
	}
	answer = json_tokener_parse(dr_buf_str(&c->body));
	if (!answer || !json_str(answer, "request_id") || dr_strlcpy(id, json_str(answer, "request_id"), sizeof id)) {
		json_object_put(answer);
		fprintf(stderr, "dreichorctl: deploy: 202 without a request_id\n");
		return CTL_EXIT_TRANSPORT;
	}
	json_object_put(answer);
	if (!c->json)
		printf("deploy %s accepted as %s\n", image, id);
	if ((rc = ctl_follow(c, id, &record)) == 0)
		rc = ctl_deploy_outcome(c, image, record);
	json_object_put(record);
	return rc;
}

static const char *or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

static void ctl_print_plan(json_object *a)
{
	json_object *cur = NULL, *target = NULL, *checks = NULL, *v;
	size_t i;

	json_object_object_get_ex(a, "current", &cur);
	json_object_object_get_ex(a, "target", &target);
	printf("plan for %s\n  current  %s %s\n  target   %s %s\n", or_dash(json_str(a, "environment")),
	       or_dash(json_str(cur, "image")), or_dash(json_str(cur, "image_digest")), or_dash(json_str(target, "image")),
	       or_dash(json_str(target, "image_digest")));
	if (json_object_object_get_ex(a, "checks", &checks) && json_object_is_type(checks, json_type_array))
		for (i = 0; i < json_object_array_length(checks); i++) {
			json_object *ck = json_object_array_get_idx(checks, i);
			int ok = json_object_object_get_ex(ck, "ok", &v) && json_object_get_boolean(v);
			printf("  %-15s %s%s%s\n", or_dash(json_str(ck, "check")), ok ? "ok" : "REFUSED: ",
			       ok ? "" : or_dash(json_str(ck, "reason")), "");
		}
	printf("  would deploy: %s\n  expect_current_digest: %s\n",
	       json_object_object_get_ex(a, "would_deploy", &v) && json_object_get_boolean(v) ? "yes" : "no",
	       or_dash(json_str(a, "expect_current_digest")));
}

static int ctl_plan(struct ctl *c, const char *image)
{
	json_object *req = ctl_deploy_body(c, image), *answer = NULL, *would;
	int rc = ctl_request(c, "POST", "/v1/plan", json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));

	json_object_put(req);
	if (rc == 0 && (rc = ctl_report(c, "plan", &answer)) == 0) {
		if (!c->json)
			ctl_print_plan(answer);
		if (!json_object_object_get_ex(answer, "would_deploy", &would) || !json_object_get_boolean(would))
			rc = CTL_EXIT_WOULD_REFUSE;
	}
	json_object_put(answer);
	return rc;
}

/* GET /v1/deploys into *answer; 0 or an exit code. */
static int ctl_fetch_history(struct ctl *c, long limit, json_object **answer)
{
	char path[64];
	int rc;

	snprintf(path, sizeof path, limit ? "/v1/deploys?limit=%ld" : "/v1/deploys", limit);
	if ((rc = ctl_request(c, "GET", path, NULL)))
		return rc;
	return ctl_report(c, "history", answer);
}

static int ctl_history(struct ctl *c)
{
	json_object *answer = NULL, *list = NULL, *v;
	size_t i;
	int rc = ctl_fetch_history(c, c->limit, &answer);

	if (rc == 0 && !c->json && json_object_object_get_ex(answer, "deploys", &list) &&
	    json_object_is_type(list, json_type_array)) {
		printf("%-24s %-7s %-6s %-4s %-14s %s\n", "time", "action", "result", "http", "phase", "image (digest)");
		for (i = 0; i < json_object_array_length(list); i++) {
			json_object *e = json_object_array_get_idx(list, i);
			printf("%-24s %-7s %-6s %-4d %-14s %s (%s)\n", or_dash(json_str(e, "time")), or_dash(json_str(e, "action")),
			       or_dash(json_str(e, "result")),
			       json_object_object_get_ex(e, "http_status", &v) ? json_object_get_int(v) : 0,
			       or_dash(json_str(e, "phase")), or_dash(json_str(e, "image")), or_dash(json_str(e, "image_digest")));
		}
	}
	json_object_put(answer);
	return rc;
}

/* What runs now, as the expect_current_digest that matches it, into out. */
static int ctl_current_expectation(struct ctl *c, char *out, size_t cap)
{
	json_object *answer = NULL;
	int json = c->json, rc;

	c->json = 0;
	rc = ctl_request(c, "GET", "/v1/status", NULL);
	if (rc == 0 && (rc = ctl_report(c, "status", &answer)) == 0 &&
	    dr_strlcpy(out, or_dash(json_str(answer, "expect_current_digest")), cap))
		rc = CTL_EXIT_REFUSED;
	c->json = json;
	json_object_put(answer);
	return rc;
}

/* The last successful deploy before the one running now (digest now), as repository@digest. */
static int ctl_pick_previous(json_object *history, const char *now, char *image, size_t cap)
{
	json_object *list = NULL;
	int seen_current = 0;
	size_t i;

	if (!json_object_object_get_ex(history, "deploys", &list) || !json_object_is_type(list, json_type_array))
		return -1;
	for (i = 0; i < json_object_array_length(list); i++) {
		json_object *e = json_object_array_get_idx(list, i);
		const char *digest = json_str(e, "image_digest"), *ref = json_str(e, "image");
		if (!digest || !ref || strcmp(or_dash(json_str(e, "action")), "deploy") ||
		    strcmp(or_dash(json_str(e, "result")), "ok"))
			continue;
		if (!strcmp(digest, now)) {
			seen_current = 1;
			continue;
		}
		if (seen_current) {
			size_t repo_len = strcspn(ref, "@");
			const char *slash = strrchr(ref, '/'), *colon = strrchr(ref, ':');
			if (colon && (!slash || colon > slash) && (size_t)(colon - ref) < repo_len)
				repo_len = (size_t)(colon - ref);
			return snprintf(image, cap, "%.*s@%s", (int)repo_len, ref, digest) < (int)cap ? 0 : -1;
		}
	}
	return -1;
}

/* deploy --previous: an ordinary deploy by digest of the last good deploy before the current one,
 * on the condition that what runs now has not changed meanwhile. */
static int ctl_deploy_previous(struct ctl *c)
{
	char now[128], image[1024];
	json_object *history = NULL;
	int json = c->json, rc;

	if ((rc = ctl_current_expectation(c, now, sizeof now)))
		return rc;
	if (!strcmp(now, "none") || !strcmp(now, "-")) {
		fprintf(stderr, "dreichorctl: deploy --previous: nothing with a known digest runs now; deploy an image by name\n");
		return CTL_EXIT_REFUSED;
	}
	c->json = 0;
	rc = ctl_fetch_history(c, 200, &history);
	c->json = json;
	if (rc == 0 && ctl_pick_previous(history, now, image, sizeof image)) {
		fprintf(stderr, "dreichorctl: deploy --previous: the history has no successful deploy before the one running (%s)\n", now);
		rc = CTL_EXIT_REFUSED;
	}
	json_object_put(history);
	if (rc)
		return rc;
	if (!c->json)
		printf("previous deploy: %s (running now: %s)\n", image, now);
	c->expect_current = now;
	return ctl_deploy(c, image);
}

static int ctl_simple(struct ctl *c, const char *command)
{
	json_object *answer = NULL;
	int is_status = !strcmp(command, "status");
	int rc = ctl_request(c, is_status ? "GET" : "POST", is_status ? "/v1/status" : "/v1/stop", NULL);

	if (rc == 0 && (rc = ctl_report(c, command, &answer)) == 0 && !c->json) {
		if (is_status)
			ctl_print_status(answer);
		else
			printf("stopped %s\n", json_str(answer, "container_name") ? json_str(answer, "container_name") : "?");
	}
	json_object_put(answer);
	return rc;
}

/* The secret goes over https, or over http only to this machine (a tunnel's local end, a test). */
static int ctl_url_safe(const char *url)
{
	static const char *const loopback[] = { "http://127.", "http://localhost:", "http://localhost/", "http://[::1]" };
	size_t i;

	if (!strncasecmp(url, "https://", 8))
		return 1;
	for (i = 0; i < sizeof loopback / sizeof *loopback; i++)
		if (!strncasecmp(url, loopback[i], strlen(loopback[i])))
			return 1;
	return !strcasecmp(url, "http://localhost");
}

/* An option that may come before or after the command; -1 for a bad --limit. */
static int ctl_command_option(struct ctl *c, int opt, const char *arg)
{
	char *end;

	switch (opt) {
	case 'w': c->wait_running = 1; break;
	case 'j': c->json = 1; break;
	case 'e': c->environment = arg; break;
	case 'x': c->expect_current = arg; break;
	case 'p': c->previous = 1; break;
	case 'S': c->sync = 1; break;
	case 'k':
		if (dr_strlcpy(c->idempotency_key, arg, sizeof c->idempotency_key) || !arg[0] ||
		    strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") != strlen(arg))
			return -1;
		break;
	case 'l':
		c->limit = strtol(arg, &end, 10);
		if (*end || c->limit < 1 || c->limit > 200)
			return -1;
		break;
	default: return -1;
	}
	return 0;
}

/* Options after the command; -1 on one that belongs before it, or a bad value. */
static int ctl_trailing_options(struct ctl *c, int argc, char **argv, const struct option *options)
{
	int opt;

	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1)
		if (ctl_command_option(c, opt, optarg))
			return -1;
	return 0;
}

/* The command's one optional argument. */
static int ctl_argument(int argc, char **argv, const char **arg)
{
	if (optind < argc)
		*arg = argv[optind++];
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "url", required_argument, NULL, 'u' },         { "client-id", required_argument, NULL, 'i' },
		{ "secret-file", required_argument, NULL, 'f' }, { "environment", required_argument, NULL, 'e' },
		{ "timeout", required_argument, NULL, 't' },     { "json", no_argument, NULL, 'j' },
		{ "wait-running", no_argument, NULL, 'w' },      { "secret", required_argument, NULL, 's' },
		{ "expect-current", required_argument, NULL, 'x' }, { "previous", no_argument, NULL, 'p' },
		{ "limit", required_argument, NULL, 'l' },       { "help", no_argument, NULL, 'h' },
		{ "sync", no_argument, NULL, 'S' },              { "idempotency-key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	static struct ctl c;
	const char *secret_file = NULL, *env_secret, *command, *image = NULL;
	char *end;
	int opt, rc;

	c.url = dr_env("DREICHOR_URL");
	c.client_id = dr_env("CF_ACCESS_CLIENT_ID");
	c.timeout = CTL_DEFAULT_TIMEOUT;
	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (opt) {
		case 'u': c.url = optarg; break;
		case 'i': c.client_id = optarg; break;
		case 'f': secret_file = optarg; break;
		case 'e': case 'j': case 'w': case 'x': case 'p': case 'l': case 'S': case 'k':
			if (ctl_command_option(&c, opt, optarg))
				return ctl_usage("--limit takes a number from 1 to 200; --idempotency-key 1 to 64 of A-Z a-z 0-9 . _ : -");
			break;
		case 't':
			c.timeout = strtol(optarg, &end, 10);
			if (*end || c.timeout <= 0)
				return ctl_usage("--timeout takes a positive number of seconds");
			break;
		case 's':
			explicit_bzero(optarg, strlen(optarg));
			return ctl_usage("the secret is never accepted on the command line; use CF_ACCESS_CLIENT_SECRET or --secret-file");
		case 'h': ctl_usage(NULL); return CTL_EXIT_OK;
		default: return ctl_usage(NULL);
		}
	}
	if (optind >= argc)
		return ctl_usage("no command given");
	command = argv[optind++];
	if (!c.url || !c.url[0])
		return ctl_usage("no agent URL: set DREICHOR_URL or --url");
	if (!ctl_url_safe(c.url))
		return ctl_usage("the agent URL must be https:// (http:// only to 127.0.0.1, localhost or [::1]): "
				 "the service token would travel in clear text");
	if (!c.client_id || !c.client_id[0])
		return ctl_usage("no service-token id: set CF_ACCESS_CLIENT_ID or --client-id");
	env_secret = dr_env("CF_ACCESS_CLIENT_SECRET");
	if (secret_file ? ctl_read_secret_file(&c, secret_file) : dr_strlcpy(c.secret, env_secret ? env_secret : "", sizeof c.secret))
		return ctl_usage("cannot read the service-token secret");
	if (!c.secret[0])
		return ctl_usage("no service-token secret: set CF_ACCESS_CLIENT_SECRET or --secret-file");
	/* Options may also follow the command and its argument (deploy IMAGE --wait-running). */
	if (ctl_trailing_options(&c, argc, argv, options) || ctl_argument(argc, argv, &image) ||
	    ctl_trailing_options(&c, argc, argv, options) || optind != argc)
		return ctl_usage("unexpected option or argument after the command");
	dr_buf_init(&c.body, CTL_RESPONSE_MAX);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* A random key (a request id's form), so that a retried deploy request cannot deploy twice. */
	if (!c.idempotency_key[0])
		dr_request_id_new(c.idempotency_key);
	if (!strcmp(command, "deploy") && c.previous) {
		rc = image || c.expect_current ? ctl_usage("deploy --previous takes no IMAGE and no --expect-current")
					       : ctl_deploy_previous(&c);
	} else if (!strcmp(command, "deploy") || !strcmp(command, "plan")) {
		rc = !image ? ctl_usage("deploy and plan take one IMAGE")
		     : command[0] == 'd' ? ctl_deploy(&c, image) : ctl_plan(&c, image);
	} else if (!strcmp(command, "history") && !image) {
		rc = ctl_history(&c);
	} else if ((!strcmp(command, "status") || !strcmp(command, "stop")) && !image) {
		rc = ctl_simple(&c, command);
	} else {
		rc = ctl_usage("unknown command or extra arguments");
	}
	explicit_bzero(c.secret, sizeof c.secret);
	dr_buf_free(&c.body);
	curl_global_cleanup();
	return rc;
}
