/* canonical.c: TUF canonical JSON of a json-c value; see canonical.h. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canonical.h"

static int canonical_value(json_object *v, struct dr_buf *out, int depth);

/* A string between quotes, escaping only '"' and '\'. */
static int canonical_string(const char *s, size_t len, struct dr_buf *out)
{
	size_t i, from = 0;

	if (dr_buf_add(out, "\"", 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] != '"' && s[i] != '\\')
			continue;
		if (dr_buf_add(out, s + from, i - from) || dr_buf_add(out, "\\", 1))
			return -1;
		from = i;
	}
	return dr_buf_add(out, s + from, len - from) || dr_buf_add(out, "\"", 1) ? -1 : 0;
}

/* Member names by their bytes (strcmp compares as unsigned char: UTF-8's code point order). */
static int canonical_key_order(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int canonical_object(json_object *v, struct dr_buf *out, int depth)
{
	size_t count = (size_t)json_object_object_length(v), n = 0, i;
	const char **keys = calloc(count ? count : 1, sizeof *keys);
	int rc = -1;

	if (!keys)
		return -1;
	json_object_object_foreach(v, key, member) {
		(void)member;
		if (n == count)
			goto done;
		keys[n++] = key;
	}
	qsort(keys, n, sizeof *keys, canonical_key_order);
	if (dr_buf_add(out, "{", 1))
		goto done;
	for (i = 0; i < n; i++) {
		if ((i && dr_buf_add(out, ",", 1)) || canonical_string(keys[i], strlen(keys[i]), out) ||
		    dr_buf_add(out, ":", 1) || canonical_value(json_object_object_get(v, keys[i]), out, depth + 1))
			goto done;
	}
	rc = dr_buf_add(out, "}", 1);
done:
	free(keys);
	return rc;
}

static int canonical_array(json_object *v, struct dr_buf *out, int depth)
{
	size_t n = json_object_array_length(v), i;

	if (dr_buf_add(out, "[", 1))
		return -1;
	for (i = 0; i < n; i++)
		if ((i && dr_buf_add(out, ",", 1)) || canonical_value(json_object_array_get_idx(v, i), out, depth + 1))
			return -1;
	return dr_buf_add(out, "]", 1);
}

/* json-c clamps an integer past int64 to its ends: refused, as the signer wrote another number. */
static int canonical_int(json_object *v, struct dr_buf *out)
{
	int64_t n = json_object_get_int64(v);

	if (n == INT64_MAX || n == INT64_MIN)
		return -1;
	return dr_buf_addf(out, "%lld", (long long)n);
}

static int canonical_value(json_object *v, struct dr_buf *out, int depth)
{
	if (depth > DR_TUF_CANONICAL_DEPTH)
		return -1;
	switch (json_object_get_type(v)) {
	case json_type_null: return dr_buf_add(out, "null", 4);
	case json_type_boolean: return json_object_get_boolean(v) ? dr_buf_add(out, "true", 4) : dr_buf_add(out, "false", 5);
	case json_type_int: return canonical_int(v, out);
	case json_type_string: return canonical_string(json_object_get_string(v), (size_t)json_object_get_string_len(v), out);
	case json_type_object: return canonical_object(v, out, depth);
	case json_type_array: return canonical_array(v, out, depth);
	case json_type_double:
	default: return -1;
	}
}

int dr_tuf_canonical(json_object *v, struct dr_buf *out)
{
	return canonical_value(v, out, 0);
}
