/* deploy_request.c: parse and check the deploy request body. */

#include <string.h>

#include "deploy_request.h"

/* 1 when body[from..len) is only JSON whitespace; body need not be NUL-terminated. */
static int request_only_whitespace(const char *body, size_t from, size_t len)
{
	for (; from < len; from++)
		if (!memchr(" \t\r\n", body[from], 4))
			return 0;
	return 1;
}

static int request_parse_json(struct dr_deploy_request *r, const char *body, size_t len, struct dr_error *err)
{
	json_tokener *tok = json_tokener_new_ex(DR_DEPLOY_JSON_DEPTH);
	size_t end;
	int rc = 0;

	if (!tok)
		return dr_error_set(err, 500, "out of memory");
	r->root = json_tokener_parse_ex(tok, body, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (!r->root || json_tokener_get_error(tok) != json_tokener_success || end > len ||
	    !request_only_whitespace(body, end, len) || memchr(body, '\0', len))
		rc = dr_error_set(err, 400, "request body is not one well-formed JSON object");
	else if (!json_object_is_type(r->root, json_type_object))
		rc = dr_error_set(err, 400, "request body must be a JSON object");
	json_tokener_free(tok);
	return rc;
}

static int request_check_env_keys(struct dr_deploy_request *r, json_object *env, struct dr_error *err)
{
	if (!json_object_is_type(env, json_type_object))
		return dr_error_set(err, 400, "env must be an object of runtime variables");
	json_object_object_foreach(env, key, value) {
		if (dr_runtime_var_index(key) < 0)
			return dr_error_set(err, 400, "env: unknown runtime variable %.64s", key);
		if (!json_object_is_type(value, json_type_string))
			return dr_error_set(err, 400, "env: %s must be a string", key);
	}
	r->env = env;
	return 0;
}

/* Only image, environment and env are accepted; anything else would be an override. */
static int request_check_fields(struct dr_deploy_request *r, const char *environment, struct dr_error *err)
{
	json_object_object_foreach(r->root, key, value) {
		if (!strcmp(key, "image")) {
			if (!json_object_is_type(value, json_type_string))
				return dr_error_set(err, 400, "image must be a string");
			r->image = json_object_get_string(value);
			if (strlen(r->image) != (size_t)json_object_get_string_len(value))
				return dr_error_set(err, 400, "image contains a NUL character");
		} else if (!strcmp(key, "environment")) {
			if (!json_object_is_type(value, json_type_string) || strcmp(json_object_get_string(value), environment))
				return dr_error_set(err, 400, "environment does not match this agent, which serves %s", environment);
		} else if (!strcmp(key, "env")) {
			if (request_check_env_keys(r, value, err))
				return err->status;
		} else {
			return dr_error_set(err, 400,
					    "field %.64s is not accepted: container name, volumes and runtime settings belong to the server",
					    key);
		}
	}
	if (!r->image)
		return dr_error_set(err, 400, "image is required");
	return 0;
}

int dr_deploy_request_parse(struct dr_deploy_request *r, const char *body, size_t len, const char *environment,
			    struct dr_error *err)
{
	int rc;

	memset(r, 0, sizeof *r);
	if (len == 0)
		return dr_error_set(err, 400, "request body must be a JSON object with an image");
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
			return dr_error_set(err, 400, "override of server-owned runtime variable %s", key);
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
