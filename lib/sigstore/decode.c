/* decode.c: the decoders' shared reading (see decode.h). */
#include "decode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <nettle/base64.h>

#include "json_strict.h"
#include "number.h"

int dr_ss_read_file(const char *path, size_t max, char **text, size_t *len, char *why, size_t why_cap)
{
	FILE *f = fopen(path, "rb");
	size_t got = 0, cap = 0, n;
	char *buf = NULL;

	*text = NULL;
	*len = 0;
	if (!f) {
		snprintf(why, why_cap, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	/* Grown by doubling up to one byte past max, so that a larger file is seen as such. */
	do {
		if (got == cap) {
			size_t want = cap ? (cap > max / 2 ? max + 1 : cap * 2) : (max < 65536 ? max + 1 : 65536);
			char *bigger = want > cap ? realloc(buf, want + 1) : NULL;

			if (!bigger) {
				snprintf(why, why_cap, want > cap ? "out of memory reading %s" : "%s is larger than the limit",
					 path);
				goto fail;
			}
			buf = bigger;
			cap = want;
		}
		n = fread(buf + got, 1, cap - got, f);
		got += n;
	} while (n > 0 && got <= max);
	if (ferror(f) || got > max) {
		snprintf(why, why_cap, ferror(f) ? "cannot read %s" : "%s is larger than the limit", path);
		goto fail;
	}
	fclose(f);
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return 0;
fail:
	fclose(f);
	free(buf);
	return -1;
}

int dr_ss_json_parse(const char *text, size_t len, json_object **out, char *why, size_t why_cap)
{
	char problem[DR_SS_REASON_MAX];
	json_tokener *tok;
	json_object *obj;

	*out = NULL;
	if (len > INT32_MAX) {
		snprintf(why, why_cap, "JSON text too long");
		return -1;
	}
	if (dr_json_strict_check_values(text, len, DR_SS_JSON_DEPTH, DR_SS_JSON_VALUES_MAX, problem, sizeof problem)) {
		snprintf(why, why_cap, "not valid JSON: %s", problem);
		return -1;
	}
	tok = json_tokener_new_ex(DR_SS_JSON_DEPTH + 1);
	if (!tok) {
		snprintf(why, why_cap, "out of memory parsing JSON");
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	if (!obj || json_tokener_get_error(tok) != json_tokener_success || !json_object_is_type(obj, json_type_object)) {
		snprintf(why, why_cap, "not a JSON object");
		json_object_put(obj);
		json_tokener_free(tok);
		return -1;
	}
	json_tokener_free(tok);
	*out = obj;
	return 0;
}

json_object *dr_ss_json_member(json_object *obj, const char *key, json_type t)
{
	json_object *v = NULL;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

int dr_ss_json_present(json_object *obj, const char *key)
{
	json_object *v = NULL;

	return obj && json_object_object_get_ex(obj, key, &v) && v;
}

/* The string member's bytes and length; NULL when absent or holding a NUL. */
static const char *json_string_n(json_object *obj, const char *key, size_t *len)
{
	json_object *v = dr_ss_json_member(obj, key, json_type_string);
	const char *s;
	int n;

	if (!v)
		return NULL;
	s = json_object_get_string(v);
	n = json_object_get_string_len(v);
	if (!s || n < 0 || memchr(s, '\0', (size_t)n))
		return NULL;
	*len = (size_t)n;
	return s;
}

int dr_ss_json_string(json_object *obj, const char *key, char *out, size_t cap)
{
	size_t n;
	const char *s = json_string_n(obj, key, &n);

	if (!s || n >= cap)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int dr_ss_json_bytes(json_object *obj, const char *key, size_t max, struct dr_ss_bytes *out)
{
	size_t n;
	const char *s = json_string_n(obj, key, &n);

	out->data = NULL;
	out->len = 0;
	return s ? dr_ss_base64_decode(s, n, max, out) : -1;
}

int dr_ss_json_bytes_fixed(json_object *obj, const char *key, unsigned char *out, size_t cap, size_t *len_out)
{
	struct dr_ss_bytes b;

	if (dr_ss_json_bytes(obj, key, cap, &b))
		return -1;
	if (b.len)
		memcpy(out, b.data, b.len);
	*len_out = b.len;
	free(b.data);
	return 0;
}

int dr_ss_json_int64(json_object *obj, const char *key, int64_t min, int64_t max, int64_t *out)
{
	json_object *v = NULL;
	unsigned long long u;
	int negative = 0;
	const char *s;
	size_t n;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || !v)
		return -1;
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v); /* json-c clamps what int64 cannot hold */

		if (i < min || i > max || i == INT64_MAX || i == INT64_MIN)
			return -1;
		*out = i;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n && s[0] == '-') {
		negative = 1;
		s++;
		n--;
	}
	if (!n || n > 19 || (n > 1 && s[0] == '0') || dr_parse_unsigned(s, n, 10, (unsigned long long)INT64_MAX, &u))
		return -1;
	if (negative) {
		if (u == 0 || -(int64_t)u < min)
			return -1;
		*out = -(int64_t)u;
		return 0;
	}
	if ((int64_t)u < min || (int64_t)u > max)
		return -1;
	*out = (int64_t)u;
	return 0;
}

/* 1 for a character of the standard base64 alphabet. */
static int base64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* The value of a base64 character (already checked). */
static unsigned base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (unsigned)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (unsigned)(c - 'a') + 26;
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0') + 52;
	return c == '+' ? 62 : 63;
}

/* dr_ss_base64_decode of text holding no line break. */
static int base64_decode_flat(const char *text, size_t len, size_t max, struct dr_ss_bytes *out)
{
	struct base64_decode_ctx ctx;
	size_t pad = 0, i, body, want, got;
	unsigned char *buf;

	out->data = NULL;
	out->len = 0;
	if (len == 0)
		return 0;
	if (len % 4)
		return -1;
	while (pad < 2 && text[len - 1 - pad] == '=')
		pad++;
	body = len - pad;
	for (i = 0; i < body; i++)
		if (!base64_char(text[i]))
			return -1;
	/* Canonical: the bits after the last whole byte are zero. */
	if (pad == 1 && (base64_value(text[body - 1]) & 0x3))
		return -1;
	if (pad == 2 && (base64_value(text[body - 1]) & 0xf))
		return -1;
	want = len / 4 * 3 - pad;
	if (want > max)
		return -1;
	buf = malloc(BASE64_DECODE_LENGTH(len) + 1);
	if (!buf)
		return -1;
	base64_decode_init(&ctx);
	got = BASE64_DECODE_LENGTH(len) + 1;
	if (!base64_decode_update(&ctx, &got, buf, len, text) || !base64_decode_final(&ctx) || got != want) {
		free(buf);
		return -1;
	}
	out->data = buf;
	out->len = got;
	return 0;
}

int dr_ss_base64_decode(const char *text, size_t len, size_t max, struct dr_ss_bytes *out)
{
	char *flat;
	size_t n = 0;
	int rc;

	if (!memchr(text, '\n', len) && !memchr(text, '\r', len))
		return base64_decode_flat(text, len, max, out);
	/* Line breaks, as base64(1) wraps its output and Go's and Python's decoders skip them. */
	out->data = NULL;
	out->len = 0;
	flat = malloc(len);
	if (!flat)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (text[i] != '\n' && text[i] != '\r')
			flat[n++] = text[i];
	rc = base64_decode_flat(flat, n, max, out);
	free(flat);
	return rc;
}


int dr_ss_pem_public_key(const char *text, size_t len, struct dr_ss_bytes *out)
{
	gnutls_datum_t in, der = { NULL, 0 };

	out->data = NULL;
	out->len = 0;
	if (!len || len > UINT32_MAX)
		return -1;
	in.data = (unsigned char *)(uintptr_t)text;
	in.size = (unsigned)len;
	if (gnutls_pem_base64_decode2("PUBLIC KEY", &in, &der) < 0 || !der.size) {
		gnutls_free(der.data);
		return -1;
	}
	out->data = malloc(der.size);
	if (!out->data) {
		gnutls_free(der.data);
		return -1;
	}
	memcpy(out->data, der.data, der.size);
	out->len = der.size;
	gnutls_free(der.data);
	return 0;
}

void dr_ss_bytes_free(struct dr_ss_bytes *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}
