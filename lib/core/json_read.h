/* json_read.h: reading values out of JSON text that dr_json_strict_check
 * has already accepted (lib/json_strict.c), without a JSON library: the
 * dispatcher reads Access tokens and certs files with it. Values point
 * into the caller's text; nothing is allocated or freed. */
#ifndef DR_JSON_READ_H
#define DR_JSON_READ_H

#include <stddef.h>

enum dr_json_type { DR_JSON_STRING, DR_JSON_NUMBER, DR_JSON_OBJECT, DR_JSON_ARRAY, DR_JSON_LITERAL };

struct dr_json_value {
	const char *text;        /* the value's own text, from its first byte */
	size_t len;
	enum dr_json_type type;
};

/* The one value of a checked document; 0, or -1 when there is none. */
int dr_json_root(const char *text, size_t len, struct dr_json_value *out);

/* The member called key (compared after unescaping) of an object; 0, or -1 when absent. */
int dr_json_get(const struct dr_json_value *object, const char *key, struct dr_json_value *out);

/* Walk an array: *pos starts at 0; 1 with the next element in out, 0 after the last. */
int dr_json_next(const struct dr_json_value *array, size_t *pos, struct dr_json_value *out);

/* A string value unescaped into out (cap bytes, NUL-terminated); 0, or -1 when it is not a
 * string, does not fit, or holds a NUL (\u0000). */
int dr_json_string(const struct dr_json_value *v, char *out, size_t cap);

/* A number value's integer part (a NumericDate may carry a fraction); 0, or -1 when it is not a
 * number, has an exponent, or has more than 18 digits. */
int dr_json_integer(const struct dr_json_value *v, long long *out);

#endif
