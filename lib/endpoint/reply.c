/* reply.c: endpoint responses with their audit entries. */

#include <string.h>
#include <unistd.h>

#include "http.h"
#include "reply.h"

int dr_reply_json(struct dr_audit *a, int status, json_object *body)
{
	const char *text;
	size_t len;
	int written;

	if (a->request_id)
		json_object_object_add(body, "request_id", json_object_new_string(a->request_id));
	text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(text);
	a->http_status = status;
	written = !dr_http_respond(STDOUT_FILENO, status, a->request_id, NULL, text, len);
	dr_audit_write(a);
	json_object_put(body);
	return written ? 0 : DR_EXIT_NOT_ANSWERED;
}

int dr_reply_error(struct dr_audit *a, const struct dr_error *err, json_object *extra)
{
	json_object *fields = extra ? extra : json_object_new_object();
	int status = dr_fault_status(err->fault ? err->fault : DR_FAULT_INTERNAL);
	const char *text;
	size_t len;
	int written;

	if (err->phase != DR_PHASE_NONE) {
		a->phase = dr_phase_name(err->phase);
		json_object_object_add(fields, "phase", json_object_new_string(a->phase));
	}
	a->reason = err->reason;
	a->http_status = status;
	/* The frame is http.c's; json-c serializes only the members inside it. */
	text = json_object_to_json_string_ext(fields, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(text);
	written = !dr_http_respond_error_with(STDOUT_FILENO, status, a->request_id, NULL, err->reason, text + 1,
					     len > 2 ? len - 2 : 0);
	dr_audit_write(a);
	json_object_put(fields);
	return written ? 0 : DR_EXIT_NOT_ANSWERED;
}

void dr_reply_add_stop_report(json_object *out, const struct dr_stop_report *r)
{
	if (!r->was_running)
		return;
	json_object_object_add(out, "stop_duration_ms", json_object_new_int64(r->duration_ms));
	json_object_object_add(out, "stop_killed", json_object_new_boolean(r->killed));
}

void dr_reply_add_string(json_object *o, const char *name, const char *value)
{
	if (value && value[0])
		json_object_object_add(o, name, json_object_new_string(value));
}
