/* ctl_render.c: dreichorctl's output, human and JSON. */

#include <string.h>
#include <unistd.h>

#include "number.h"

#include "ctl.h"
#include "ctl_render.h"
#include "status.h"

#define CTL_DAY_SECONDS 86400.0

const char *ctl_json_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

const char *ctl_or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

/* The string member key of o, or "?". */
static const char *ctl_json_str_or_what(json_object *o, const char *key)
{
	const char *s = ctl_json_str(o, key);

	return s ? s : "?";
}

/* 1 when the member key of o is true. */
static int ctl_json_true(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

void ctl_render_logs(FILE *out, json_object *answer)
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

int ctl_render_answer(const struct ctl_http *h, int json, const char *command, json_object **answer)
{
	const char *reason;

	*answer = json_tokener_parse(dr_buf_str(&h->body));
	if (json)
		printf("%s\n", dr_buf_str(&h->body));
	if (!*answer || !json_object_is_type(*answer, json_type_object)) {
		fprintf(stderr, "dreichorctl: %s: HTTP %ld with a body that is not JSON\n", command, h->status);
		return h->status == DR_STATUS_OK ? CTL_EXIT_TRANSPORT : CTL_EXIT_REFUSED;
	}
	if (h->status != DR_STATUS_OK) {
		reason = ctl_json_str(*answer, "reason");
		fprintf(stderr, "dreichorctl: %s refused: HTTP %ld: %s\n", command, h->status, reason ? reason : "(no reason)");
		if (!json)
			ctl_render_logs(stderr, *answer);
		return CTL_EXIT_REFUSED;
	}
	return CTL_EXIT_OK;
}

void ctl_render_json(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
}

void ctl_render_status(json_object *a)
{
	int running = ctl_json_true(a, "running");
	const char *state = ctl_json_str(a, "state");

	printf("%s (%s): %s\n", ctl_json_str_or_what(a, "container_name"), ctl_json_str_or_what(a, "environment"),
	       running ? "running" : (state ? state : "not running"));
	if (running)
		printf("  image      %s\n  digest     %s\n  started at %s\n", ctl_json_str_or_what(a, "image"),
		       ctl_json_str_or_what(a, "image_digest"), ctl_json_str_or_what(a, "started_at"));
}

void ctl_render_stopped(json_object *answer)
{
	printf("stopped %s\n", ctl_json_str_or_what(answer, "container_name"));
}

void ctl_render_plan(json_object *a)
{
	json_object *cur = NULL, *target = NULL, *checks = NULL, *ck;
	size_t i;

	json_object_object_get_ex(a, "current", &cur);
	json_object_object_get_ex(a, "target", &target);
	printf("plan for %s\n  current  %s %s\n  target   %s %s\n", ctl_or_dash(ctl_json_str(a, "environment")),
	       ctl_or_dash(ctl_json_str(cur, "image")), ctl_or_dash(ctl_json_str(cur, "image_digest")),
	       ctl_or_dash(ctl_json_str(target, "image")), ctl_or_dash(ctl_json_str(target, "image_digest")));
	if (json_object_object_get_ex(a, "checks", &checks) && json_object_is_type(checks, json_type_array))
		for (i = 0; i < json_object_array_length(checks); i++) {
			ck = json_object_array_get_idx(checks, i);
			if (ctl_json_true(ck, "ok"))
				printf("  %-15s ok\n", ctl_or_dash(ctl_json_str(ck, "check")));
			else
				printf("  %-15s REFUSED: %s\n", ctl_or_dash(ctl_json_str(ck, "check")),
				       ctl_or_dash(ctl_json_str(ck, "reason")));
		}
	printf("  would deploy: %s\n  expect_current_digest: %s\n", ctl_json_true(a, "would_deploy") ? "yes" : "no",
	       ctl_or_dash(ctl_json_str(a, "expect_current_digest")));
}

void ctl_render_history(json_object *history)
{
	json_object *list = NULL, *e, *v;
	size_t i;

	if (!json_object_object_get_ex(history, "deploys", &list) || !json_object_is_type(list, json_type_array))
		return;
	printf("%-24s %-7s %-6s %-4s %-14s %s\n", "time", "action", "result", "http", "phase", "image (digest)");
	for (i = 0; i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		printf("%-24s %-7s %-6s %-4d %-14s %s (%s)\n", ctl_or_dash(ctl_json_str(e, "time")),
		       ctl_or_dash(ctl_json_str(e, "action")), ctl_or_dash(ctl_json_str(e, "result")),
		       json_object_object_get_ex(e, "http_status", &v) ? json_object_get_int(v) : 0,
		       ctl_or_dash(ctl_json_str(e, "phase")), ctl_or_dash(ctl_json_str(e, "image")),
		       ctl_or_dash(ctl_json_str(e, "image_digest")));
	}
}

void ctl_render_deployed(const char *image, json_object *answer)
{
	json_object *signature;

	printf("deployed %s to %s (%s)\n  digest    %s\n  container %s\n", image, ctl_json_str(answer, "container_name"),
	       ctl_json_str(answer, "environment"), ctl_json_str_or_what(answer, "image_digest"),
	       ctl_json_str_or_what(answer, "container_id"));
	if (json_object_object_get_ex(answer, "signature", &signature))
		printf("  signed    by %s (%s)\n",
		       ctl_json_str_or_what(signature, json_object_object_get_ex(signature, "identity", NULL) ? "identity" : "key"),
		       ctl_json_str_or_what(signature, "format"));
	ctl_render_logs(stdout, answer);
}

void ctl_render_failed(long status, json_object *record)
{
	const char *reason = ctl_json_str(record, "reason");

	fprintf(stderr, "dreichorctl: deploy failed: HTTP %ld: %s\n", status, reason ? reason : "(no reason)");
	ctl_render_logs(stderr, record);
}

/* The n digits at p as a number in [0, max], or -1. */
static long ctl_digits(const char *p, size_t n, long max)
{
	char field[10];
	long v;

	if (n == 0 || n >= sizeof field || strnlen(p, n) < n)
		return -1;
	memcpy(field, p, n);
	field[n] = '\0';
	return dr_parse_long(field, 0, max, &v) ? -1 : v;
}

/* A fraction of a second and the Z after it (".644Z" or "Z"), or -1. */
static double ctl_fraction_z(const char *p)
{
	size_t n;
	long v;
	double f;

	if (!strcmp(p, "Z"))
		return 0;
	if (*p++ != '.')
		return -1;
	n = strspn(p, "0123456789");
	if ((v = ctl_digits(p, n, 999999999L)) < 0 || strcmp(p + n, "Z"))
		return -1;
	for (f = v; n > 0; n--)
		f /= 10;
	return f;
}

/* Seconds of the day of an ISO time in UTC ("2026-12-03T10:38:34.644Z"), or -1. */
static double ctl_day_seconds(const char *iso)
{
	long h, m, s;
	double f;

	if (!iso || strnlen(iso, 20) < 20 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T' || iso[13] != ':' ||
	    iso[16] != ':' || ctl_digits(iso, 4, 9999) < 0 || ctl_digits(iso + 5, 2, 12) < 1 ||
	    ctl_digits(iso + 8, 2, 31) < 1)
		return -1;
	if ((h = ctl_digits(iso + 11, 2, 23)) < 0 || (m = ctl_digits(iso + 14, 2, 59)) < 0 ||
	    (s = ctl_digits(iso + 17, 2, 60)) < 0 || (f = ctl_fraction_z(iso + 19)) < 0)
		return -1;
	return h * 3600.0 + m * 60.0 + s + f;
}

/* Print the phases the deploy entered since the last look, each with its start after the first. */
static void ctl_render_phases(struct ctl_progress *p, FILE *out, json_object *record)
{
	json_object *phases = NULL, *ph;
	double first = -1, at;
	const char *name;
	size_t i, n;

	if (!json_object_object_get_ex(record, "phases", &phases) || !json_object_is_type(phases, json_type_array))
		return;
	n = json_object_array_length(phases);
	for (i = 0; i < n; i++) {
		ph = json_object_array_get_idx(phases, i);
		name = ctl_json_str(ph, "phase");
		if ((at = ctl_day_seconds(ctl_json_str(ph, "at"))) >= 0 && first < 0)
			first = at;
		if ((int)i < p->shown || !name)
			continue;
		/* A phase of two steps (request, pull) is one line. */
		if (strcmp(name, p->last_phase))
			fprintf(out, "[%6.1fs] %s\n",
				at >= 0 && first >= 0 ? (at < first ? at + CTL_DAY_SECONDS - first : at - first) : 0.0, name);
		snprintf(p->last_phase, sizeof p->last_phase, "%s", name);
	}
	p->shown = (int)n;
}

void ctl_render_progress(struct ctl_progress *p, FILE *out, json_object *record)
{
	json_object *progress = NULL, *v;
	long long current = 0, total = 0;
	int tenth, before = p->shown;

	ctl_render_phases(p, out, record);
	if (p->shown != before)
		p->last_tenth = -1;
	if (!json_object_object_get_ex(record, "progress", &progress))
		return;
	if (json_object_object_get_ex(progress, "current_bytes", &v))
		current = json_object_get_int64(v);
	if (json_object_object_get_ex(progress, "total_bytes", &v))
		total = json_object_get_int64(v);
	if (total <= 0)
		return;
	tenth = (int)(current * 10 / total);
	/* On a terminal a bar redrawn in place, else a line per tenth. */
	if (isatty(fileno(out)))
		fprintf(out, "\r          [%-10.*s] %6.1f / %.1f MB%s", tenth, "##########", current / 1e6, total / 1e6,
			current >= total ? "\n" : "");
	else if (tenth != p->last_tenth)
		fprintf(out, "           pulled %.1f of %.1f MB\n", current / 1e6, total / 1e6);
	p->last_tenth = tenth;
	fflush(out);
}
