/* gate_json.c: JSON the Docker gate reads and writes anew (gate_json.h). */

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "base64.h"
#include "container.h"
#include "gate_json.h"
#include "image_ref.h"
#include "json_strict.h"
#include "jsonstr.h"

#define GATE_JSON_DEPTH 6
#define GATE_AUTH_JSON_MAX 6144 /* decoded credentials */

json_object *dr_gate_json_object(const char *text, size_t len, char *why, size_t cap)
{
	json_tokener *tok;
	json_object *o = NULL;

	if (dr_json_strict_check_for_go(text, len, GATE_JSON_DEPTH, why, cap))
		return NULL;
	if ((tok = json_tokener_new_ex(GATE_JSON_DEPTH + 1))) {
		o = json_tokener_parse_ex(tok, text, (int)len);
		json_tokener_free(tok);
	}
	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(why, cap, "not a JSON object");
		json_object_put(o);
		return NULL;
	}
	return o;
}

const char *dr_gate_json_string(json_object *v)
{
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* Every element of array v is a string passing accept(ctx, s); at least one. */
static int gate_strings_all(json_object *v, int (*accept)(const void *, const char *), const void *ctx)
{
	size_t i, n;

	if (!json_object_is_type(v, json_type_array) || !(n = json_object_array_length(v)))
		return 0;
	for (i = 0; i < n; i++) {
		const char *s = dr_gate_json_string(json_object_array_get_idx(v, i));
		if (!s || !accept(ctx, s))
			return 0;
	}
	return 1;
}

/* "name":["v",...] of a checked filter, written by the project's writer. */
static int gate_filter_write(struct dr_buf *b, int first, const char *name, json_object *values)
{
	size_t i;
	int rc = (first ? 0 : dr_buf_adds(b, ",")) || dr_json_add_string(b, name) || dr_buf_adds(b, ":[");

	for (i = 0; i < json_object_array_length(values) && !rc; i++)
		rc = (i ? dr_buf_adds(b, ",") : 0) || dr_json_add_string(b, dr_gate_json_string(json_object_array_get_idx(values, i)));
	return rc || dr_buf_adds(b, "]");
}

/* Every name of o among rules with acceptable values, the required ones present; 0 or -1 with why. */
static int gate_filters_check(json_object *o, const struct dr_gate_filter_rule *rules, int n_rules, char *why,
			      size_t cap)
{
	int i;

	json_object_object_foreach(o, key, value) {
		for (i = 0; i < n_rules && strcmp(rules[i].key, key); i++)
			;
		if (i == n_rules)
			return snprintf(why, cap, "filters: %.64s is not a filter this gate passes", key), -1;
		if (!gate_strings_all(value, rules[i].accept, rules[i].ctx))
			return snprintf(why, cap, "filters: %s names something other than this environment's", key), -1;
	}
	for (i = 0; i < n_rules; i++)
		if (rules[i].required && !json_object_object_get_ex(o, rules[i].key, NULL))
			return snprintf(why, cap, "filters: %s is required here", rules[i].key), -1;
	return 0;
}

int dr_gate_filters_rewrite(const char *text, const struct dr_gate_filter_rule *rules, int n_rules, char *out,
			    size_t cap, char *why, size_t why_cap)
{
	char reason[160];
	json_object *o = dr_gate_json_object(text, strlen(text), reason, sizeof reason), *values;
	struct dr_buf b;
	int i, first = 1, rc = -1;

	dr_buf_init(&b, cap - 1);
	if (!o) {
		snprintf(why, why_cap, "filters: %s", reason);
		goto done;
	}
	if (gate_filters_check(o, rules, n_rules, why, why_cap))
		goto done;
	rc = dr_buf_adds(&b, "{");
	for (i = 0; i < n_rules && !rc; i++)
		if (json_object_object_get_ex(o, rules[i].key, &values)) {
			rc = gate_filter_write(&b, first, rules[i].key, values);
			first = 0;
		}
	if (rc || dr_buf_adds(&b, "}")) {
		rc = -1;
		snprintf(why, why_cap, "filters: too long");
		goto done;
	}
	memcpy(out, dr_buf_str(&b), b.len + 1);
	rc = 0;
done:
	dr_buf_free(&b);
	json_object_put(o);
	return rc;
}

/* The credential members the engine reads (its AuthConfig); any other name is refused. */
static int gate_auth_member(const char *name)
{
	static const char *const names[] = { "username", "password", "auth", "email", "serveraddress",
					     "identitytoken", "registrytoken" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

/* The checked credentials written anew as JSON into b. */
static int gate_auth_write(json_object *o, struct dr_buf *b, char *why, size_t cap)
{
	int first = 1, rc = dr_buf_adds(b, "{");

	json_object_object_foreach(o, key, value) {
		if (!gate_auth_member(key) || !dr_gate_json_string(value))
			return snprintf(why, cap, "X-Registry-Auth: %.32s is not a credential string the gate passes", key), -1;
		rc = rc || (first ? 0 : dr_buf_adds(b, ",")) || dr_json_add_string(b, key) || dr_buf_adds(b, ":") ||
		     dr_json_add_string(b, dr_gate_json_string(value));
		first = 0;
	}
	if (rc || dr_buf_adds(b, "}"))
		return snprintf(why, cap, "X-Registry-Auth: too long"), -1;
	return 0;
}

int dr_gate_auth_rewrite(const char *value, char *out, size_t cap, char *why, size_t why_cap)
{
	static unsigned char decoded[GATE_AUTH_JSON_MAX];
	char reason[160];
	json_object *o = NULL;
	struct dr_buf b;
	long n = dr_base64url_decode_n(value, strlen(value), decoded, sizeof decoded);
	int rc = -1;

	dr_buf_init(&b, GATE_AUTH_JSON_MAX);
	if (n < 0) {
		snprintf(why, why_cap, "X-Registry-Auth is not base64url within %d bytes", GATE_AUTH_JSON_MAX);
		goto done;
	}
	if (!(o = dr_gate_json_object((const char *)decoded, (size_t)n, reason, sizeof reason))) {
		snprintf(why, why_cap, "X-Registry-Auth: %s", reason);
		goto done;
	}
	if (gate_auth_write(o, &b, why, why_cap))
		goto done;
	if (dr_base64url_encode((const unsigned char *)b.data, b.len, out, cap)) {
		snprintf(why, why_cap, "X-Registry-Auth: too long");
		goto done;
	}
	rc = 0;
done:
	explicit_bzero(decoded, sizeof decoded);
	if (b.data)
		explicit_bzero(b.data, b.len);
	dr_buf_free(&b);
	json_object_put(o);
	return rc;
}
