/* reply.c: endpoint responses with their audit entries. */

#include <string.h>
#include <unistd.h>

#include "http.h"
#include "reply.h"
#include "signer_json.h"
#include "sigstore_refresh.h"

int dr_reply_send(struct dr_audit *a, int status, const char *headers, json_object *body)
{
	json_object *id = NULL;
	const char *text;
	int written;

	json_object_object_get_ex(body, "request_id", &id);
	text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	a->http_status = status;
	written = !dr_http_respond_with(STDOUT_FILENO, status, id ? json_object_get_string(id) : a->request_id, headers,
					text, strlen(text));
	dr_audit_write(a);
	json_object_put(body);
	return written ? 0 : DR_EXIT_NOT_ANSWERED;
}

json_object *dr_reply_error_body(struct dr_audit *a, const struct dr_error *err, json_object *extra)
{
	json_object *body = json_object_new_object();

	json_object_object_add(body, "status", json_object_new_string("error"));
	json_object_object_add(body, "reason", json_object_new_string(err->reason));
	if (a->request_id)
		json_object_object_add(body, "request_id", json_object_new_string(a->request_id));
	if (err->phase != DR_PHASE_NONE) {
		a->phase = dr_phase_name(err->phase);
		json_object_object_add(body, "phase", json_object_new_string(a->phase));
	}
	if (extra) {
		json_object_object_foreach(extra, key, value) {
			if (strcmp(key, "status") && strcmp(key, "reason") && strcmp(key, "request_id") && strcmp(key, "phase"))
				json_object_object_add(body, key, json_object_get(value));
		}
		json_object_put(extra);
	}
	a->reason = err->reason;
	return body;
}

void dr_reply_add_stop_report(json_object *out, const struct dr_stop_report *r)
{
	if (!r->was_running)
		return;
	json_object_object_add(out, "stop_duration_ms", json_object_new_int64(r->duration_ms));
	json_object_object_add(out, "stop_killed", json_object_new_boolean(r->killed));
}

json_object *dr_reply_signature(const char *key, const char *format, const struct dr_signer *signer)
{
	json_object *o = json_object_new_object();

	dr_reply_add_string(o, "key", key);
	dr_reply_add_string(o, "format", format);
	if (signer)
		dr_signer_add(o, signer);
	return o;
}

void dr_reply_add_string(json_object *o, const char *name, const char *value)
{
	if (value && value[0])
		json_object_object_add(o, name, json_object_new_string(value));
}

void dr_reply_add_trusted_root(json_object *out, const struct dr_config *cfg)
{
	struct dr_sigstore_root_info info;
	json_object *root;

	if (!cfg->image_signature_identity)
		return;
	dr_sigstore_root_describe(cfg->sigstore_trusted_root, time(NULL), &info);
	root = json_object_new_object();
	json_object_object_add(root, "path", json_object_new_string(cfg->sigstore_trusted_root));
	json_object_object_add(root, "source", json_object_new_string(dr_sigstore_source_name(info.source)));
	if (info.source == DR_SIGSTORE_SOURCE_TUF) {
		dr_reply_add_string(root, "repository", info.repository);
		dr_reply_add_string(root, "refreshed", info.refreshed);
		dr_reply_add_string(root, "expires", info.expires);
		json_object_object_add(root, "stale", json_object_new_boolean(info.stale));
	}
	json_object_object_add(out, "trusted_root", root);
}
