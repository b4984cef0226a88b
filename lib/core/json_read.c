/* json_read.c: a skipping reader over checked JSON. Every step is still
 * bounded by the text's length, so a document that was not checked cannot
 * make it read out of bounds, only give wrong answers. */

#include <string.h>

#include "json_read.h"
#include "number.h"

static size_t read_space(const char *t, size_t len, size_t i)
{
	while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
		i++;
	return i;
}

/* The index just past the string whose opening quote is at i. */
static size_t read_skip_string(const char *t, size_t len, size_t i)
{
	for (i++; i < len && t[i] != '"'; i++)
		if (t[i] == '\\')
			i++;
	return i < len ? i + 1 : len;
}

/* The index just past the value starting at i, and its type. */
static size_t read_skip_value(const char *t, size_t len, size_t i, enum dr_json_type *type)
{
	int depth = 0;

	if (i >= len)
		return len;
	if (t[i] == '"') {
		*type = DR_JSON_STRING;
		return read_skip_string(t, len, i);
	}
	if (t[i] != '{' && t[i] != '[') {
		*type = (t[i] == '-' || (t[i] >= '0' && t[i] <= '9')) ? DR_JSON_NUMBER : DR_JSON_LITERAL;
		while (i < len && !strchr(",]} \t\r\n", t[i]))
			i++;
		return i;
	}
	*type = t[i] == '{' ? DR_JSON_OBJECT : DR_JSON_ARRAY;
	for (; i < len; i++) {
		if (t[i] == '"')
			i = read_skip_string(t, len, i) - 1;
		else if (t[i] == '{' || t[i] == '[')
			depth++;
		else if ((t[i] == '}' || t[i] == ']') && --depth == 0)
			return i + 1;
	}
	return len;
}

/* The value at i, set into out; the index past it. */
static size_t read_value_at(const char *t, size_t len, size_t i, struct dr_json_value *out)
{
	size_t end = read_skip_value(t, len, i, &out->type);

	out->text = t + i;
	out->len = end - i;
	return end;
}

int dr_json_root(const char *text, size_t len, struct dr_json_value *out)
{
	size_t i = read_space(text, len, 0);

	if (i >= len)
		return -1;
	read_value_at(text, len, i, out);
	return 0;
}

/* Append the UTF-8 form of code point c to out at *n; -1 when it does not fit. */
static int read_put_utf8(char *out, size_t cap, size_t *n, unsigned long c)
{
	unsigned char b[4];
	size_t k = 0;

	if (c < 0x80) {
		b[k++] = (unsigned char)c;
	} else if (c < 0x800) {
		b[k++] = (unsigned char)(0xc0 | c >> 6);
		b[k++] = (unsigned char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		b[k++] = (unsigned char)(0xe0 | c >> 12);
		b[k++] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[k++] = (unsigned char)(0x80 | (c & 0x3f));
	} else {
		b[k++] = (unsigned char)(0xf0 | c >> 18);
		b[k++] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		b[k++] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[k++] = (unsigned char)(0x80 | (c & 0x3f));
	}
	if (*n + k >= cap)
		return -1;
	memcpy(out + *n, b, k);
	*n += k;
	return 0;
}

/* Four hex digits at t[i..i+4) as a number, or -1. */
static long read_hex4(const char *t, size_t len, size_t i)
{
	long v = 0;
	size_t j;

	for (j = 0; j < 4; j++) {
		int d = i + j < len ? dr_hex_digit(t[i + j]) : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* One escape at t[i] (just past the backslash) into out; the index past it, or 0 on error. */
static size_t read_escape(const char *t, size_t len, size_t i, char *out, size_t cap, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = i < len && t[i] ? strchr(from, t[i]) : NULL;
	long c, low;

	if (e) {
		if (*n + 1 >= cap)
			return 0;
		out[(*n)++] = to[e - from];
		return i + 1;
	}
	if (i >= len || t[i] != 'u' || (c = read_hex4(t, len, i + 1)) <= 0)
		return 0; /* \u0000 included: it would cut the string short */
	i += 5;
	if (c >= 0xd800 && c < 0xdc00) {
		if (i + 6 > len || t[i] != '\\' || t[i + 1] != 'u' || (low = read_hex4(t, len, i + 2)) < 0xdc00 || low > 0xdfff)
			return 0;
		c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
		i += 6;
	} else if (c >= 0xdc00 && c < 0xe000) {
		return 0;
	}
	return read_put_utf8(out, cap, n, (unsigned long)c) ? 0 : i;
}

int dr_json_string(const struct dr_json_value *v, char *out, size_t cap)
{
	const char *t = v->text;
	size_t len = v->len, i, n = 0;

	if (v->type != DR_JSON_STRING || len < 2 || !cap)
		return -1;
	for (i = 1; i < len - 1;) {
		if (t[i] == '\\') {
			if (!(i = read_escape(t, len - 1, i + 1, out, cap, &n)))
				return -1;
			continue;
		}
		if (!t[i] || n + 1 >= cap)
			return -1;
		out[n++] = t[i++];
	}
	out[n] = '\0';
	return 0;
}

int dr_json_get(const struct dr_json_value *object, const char *key, struct dr_json_value *out)
{
	const char *t = object->text;
	size_t len = object->len, i;
	char name[256];

	if (object->type != DR_JSON_OBJECT)
		return -1;
	for (i = read_space(t, len, 1); i < len && t[i] == '"';) {
		struct dr_json_value k;
		i = read_value_at(t, len, i, &k);
		i = read_space(t, len, i);
		if (i >= len || t[i] != ':')
			return -1;
		i = read_value_at(t, len, read_space(t, len, i + 1), out);
		if (!dr_json_string(&k, name, sizeof name) && !strcmp(name, key))
			return 0;
		i = read_space(t, len, i);
		if (i < len && t[i] == ',')
			i = read_space(t, len, i + 1);
	}
	return -1;
}

int dr_json_next(const struct dr_json_value *array, size_t *pos, struct dr_json_value *out)
{
	const char *t = array->text;
	size_t len = array->len, i = *pos ? *pos : 1;

	if (array->type != DR_JSON_ARRAY)
		return 0;
	i = read_space(t, len, i);
	if (i < len && t[i] == ',')
		i = read_space(t, len, i + 1);
	if (i >= len || t[i] == ']')
		return 0;
	*pos = read_value_at(t, len, i, out);
	return 1;
}

int dr_json_integer(const struct dr_json_value *v, long long *out)
{
	const char *t = v->text;
	size_t i = 0, digits = 0;
	long long n = 0;
	int negative = 0;

	if (v->type != DR_JSON_NUMBER)
		return -1;
	if (i < v->len && t[i] == '-') {
		negative = 1;
		i++;
	}
	for (; i < v->len && t[i] >= '0' && t[i] <= '9'; i++, digits++) {
		if (digits == 18)
			return -1;
		n = n * 10 + (t[i] - '0');
	}
	if (!digits || (i < v->len && t[i] != '.'))
		return -1;
	for (i++; i < v->len; i++)
		if (t[i] < '0' || t[i] > '9')
			return -1; /* an exponent */
	*out = negative ? -n : n;
	return 0;
}
