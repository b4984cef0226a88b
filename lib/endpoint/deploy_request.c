/* deploy_request.c: parse and check the deploy request body. */

#include <string.h>

#include "deploy_request.h"
#include "image_ref.h"
#include "json_strict.h"

/* Members of every object in o, to compare with what the strict check counted. */
static size_t request_members(json_object *o)
{
	size_t n = 0, i;

	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, value) {
			(void)key;
			n += 1 + request_members(value);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++)
			n += request_members(json_object_array_get_idx(o, i));
	}
	return n;
}

/* RFC 8259 first (json-c alone accepts single quotes, NaN and repeated keys), then json-c. */
static int request_parse_json(struct dr_deploy_request *r, const char *body, size_t len, struct dr_error *err)
{
	json_tokener *tok;
	char why[160];
	size_t members = 0;
	int rc = 0;

	if (dr_json_strict_check(body, len, DR_DEPLOY_JSON_DEPTH, &members, why, sizeof why))
		return dr_error_set(err, DR_FAULT_BAD_REQUEST, "request body is not one well-formed JSON object (RFC 8259): %s", why);
	if (!(tok = json_tokener_new_ex(DR_DEPLOY_JSON_DEPTH)))
		return dr_error_set(err, DR_FAULT_INTERNAL, "out of memory");
	r->root = json_tokener_parse_ex(tok, body, (int)len);
	if (!r->root || json_tokener_get_error(tok) != json_tokener_success || memchr(body, '\0', len))
		rc = dr_error_set(err, DR_FAULT_BAD_REQUEST, "request body is not one well-formed JSON object");
	else if (!json_object_is_type(r->root, json_type_object))
		rc = dr_error_set(err, DR_FAULT_BAD_REQUEST, "request body must be a JSON object");
	else if (request_members(r->root) != members)
		rc = dr_error_set(err, DR_FAULT_BAD_REQUEST, "request body is not one well-formed JSON object (RFC 8259): a key appears twice in one object");
	json_tokener_free(tok);
	return rc;
}

static int request_check_env_keys(struct dr_deploy_request *r, json_object *env, struct dr_error *err)
{
	if (!json_object_is_type(env, json_type_object))
		return dr_error_set(err, DR_FAULT_BAD_REQUEST, "env must be an object of runtime variables");
	json_object_object_foreach(env, key, value) {
		if (dr_runtime_var_index(key) < 0)
			return dr_error_set(err, DR_FAULT_BAD_REQUEST, "env: unknown runtime variable %.64s", key);
		if (!json_object_is_type(value, json_type_string))
			return dr_error_set(err, DR_FAULT_BAD_REQUEST, "env: %s must be a string", key);
	}
	r->env = env;
	return 0;
}

/* A digest as a deploy's precondition, or "none" for nothing running. */
static int request_check_expect(struct dr_deploy_request *r, json_object *value, struct dr_error *err)
{
	const char *v = json_object_is_type(value, json_type_string) ? json_object_get_string(value) : NULL;

	if (!v || strlen(v) != (size_t)json_object_get_string_len(value) ||
	    (strcmp(v, "none") && !dr_image_digest_valid(v)))
		return dr_error_set(err, DR_FAULT_BAD_REQUEST, "expect_current_digest must be sha256:<64 lowercase hex> or none");
	r->expect_current_digest = v;
	return 0;
}

/* Only image, environment, env and expect_current_digest are accepted; anything else would be an override. */
static int request_check_fields(struct dr_deploy_request *r, const char *environment, struct dr_error *err)
{
	json_object_object_foreach(r->root, key, value) {
		if (!strcmp(key, "image")) {
			if (!json_object_is_type(value, json_type_string))
				return dr_error_set(err, DR_FAULT_BAD_REQUEST, "image must be a string");
			r->image = json_object_get_string(value);
			if (strlen(r->image) != (size_t)json_object_get_string_len(value))
				return dr_error_set(err, DR_FAULT_BAD_REQUEST, "image contains a NUL character");
		} else if (!strcmp(key, "environment")) {
			if (!json_object_is_type(value, json_type_string) || strcmp(json_object_get_string(value), environment))
				return dr_error_set(err, DR_FAULT_BAD_REQUEST, "environment does not match this agent, which serves %s", environment);
		} else if (!strcmp(key, "expect_current_digest")) {
			if (request_check_expect(r, value, err))
				return err->fault;
		} else if (!strcmp(key, "env")) {
			if (request_check_env_keys(r, value, err))
				return err->fault;
		} else {
			return dr_error_set(err, DR_FAULT_BAD_REQUEST,
					    "field %.64s is not accepted: container name, volumes and runtime settings belong to the server",
					    key);
		}
	}
	if (!r->image)
		return dr_error_set(err, DR_FAULT_BAD_REQUEST, "image is required");
	return 0;
}

int dr_deploy_request_parse(struct dr_deploy_request *r, const char *body, size_t len, const char *environment,
			    struct dr_error *err)
{
	int rc;

	memset(r, 0, sizeof *r);
	if (len == 0)
		return dr_error_set(err, DR_FAULT_BAD_REQUEST, "request body must be a JSON object with an image");
	if ((rc = request_parse_json(r, body, len, err)))
		return rc;
	return request_check_fields(r, environment, err);
}

int dr_deploy_request_check_env(const struct dr_deploy_request *r, const struct dr_runtime_env *runtime,
				struct dr_error *err)
{
	if (!r->env)
		return 0;
	json_object_object_foreach(r->env, key, value) {
		int idx = dr_runtime_var_index(key);
		if (idx < 0 || !runtime->values[idx] || strcmp(json_object_get_string(value), runtime->values[idx]))
			return dr_error_set(err, DR_FAULT_BAD_REQUEST, "override of server-owned runtime variable %s", key);
	}
	return 0;
}

void dr_deploy_request_free(struct dr_deploy_request *r)
{
	if (!r)
		return;
	json_object_put(r->root);
	memset(r, 0, sizeof *r);
}
