/* json_strict.c: a recursive-descent RFC 8259 validator. */

#include <stdio.h>
#include <string.h>

#include "json_strict.h"

struct strict {
	const unsigned char *p;
	size_t len, pos;
	int depth_max;
	size_t members;
	char *why;
	size_t why_cap;
	int for_go; /* the text goes to Go's encoding/json: the stricter rules of dr_json_strict_check_for_go */
	size_t values, values_max; /* values seen; at most values_max when it is not 0 */
};

static int strict_fail(struct strict *s, const char *what)
{
	snprintf(s->why, s->why_cap, "%s at byte %zu", what, s->pos);
	return -1;
}

static void strict_space(struct strict *s)
{
	while (s->pos < s->len && memchr(" \t\r\n", s->p[s->pos], 4))
		s->pos++;
}

static int strict_peek(struct strict *s)
{
	return s->pos < s->len ? s->p[s->pos] : -1;
}

/* What an unexpected character most likely means, for the reason. */
static int strict_unexpected(struct strict *s)
{
	int c = strict_peek(s);

	if (c == '\'')
		return strict_fail(s, "single quotes (strings take double quotes)");
	if (c == '/')
		return strict_fail(s, "a comment (JSON has none)");
	if (c < 0)
		return strict_fail(s, "the text ends early");
	return strict_fail(s, "an unexpected character");
}

/* One UTF-8 sequence of at least two bytes starting at s->pos; advances past it. */
static int strict_utf8(struct strict *s)
{
	const unsigned char *p = s->p + s->pos;
	size_t left = s->len - s->pos, n, i;
	unsigned cp, min;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f, min = 0x80;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f, min = 0x800;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07, min = 0x10000;
	else
		return strict_fail(s, "invalid UTF-8");
	if (left < n)
		return strict_fail(s, "invalid UTF-8");
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return strict_fail(s, "invalid UTF-8");
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return strict_fail(s, "invalid UTF-8");
	s->pos += n;
	return 0;
}

/* The four hex digits after \u at s->pos + 2 as a code unit, or -1. */
static long strict_hex4(const struct strict *s, size_t at)
{
	long v = 0;
	size_t i;

	for (i = 0; i < 4; i++) {
		unsigned char c = at + i < s->len ? s->p[at + i] : 0;
		if (!c || !strchr("0123456789abcdefABCDEF", c))
			return -1;
		v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/* A \uXXXX escape at s->pos; advances past it (and its low surrogate, for Go's rules). */
static int strict_unicode_escape(struct strict *s)
{
	long unit = strict_hex4(s, s->pos + 2), low;

	if (unit < 0)
		return strict_fail(s, "an invalid \\u escape");
	if (s->for_go && (unit < 0x20 || unit == 0x7f))
		return strict_fail(s, "an escaped control character or NUL");
	if (s->for_go && unit >= 0xd800 && unit <= 0xdbff) {
		/* Go turns a lone surrogate into U+FFFD: only a proper pair keeps one meaning. */
		low = s->pos + 7 < s->len && s->p[s->pos + 6] == '\\' && s->p[s->pos + 7] == 'u' ?
			      strict_hex4(s, s->pos + 8) : -1;
		if (low < 0xdc00 || low > 0xdfff)
			return strict_fail(s, "a lone surrogate escape");
		s->pos += 6;
	} else if (s->for_go && unit >= 0xdc00 && unit <= 0xdfff) {
		return strict_fail(s, "a lone surrogate escape");
	}
	s->pos += 6;
	return 0;
}

static int strict_string(struct strict *s)
{
	s->pos++; /* the opening quote */
	while (s->pos < s->len) {
		unsigned char c = s->p[s->pos];
		if (c == '"') {
			s->pos++;
			return 0;
		}
		if (c < 0x20 || (c == 0x7f && s->for_go))
			return strict_fail(s, "a control character inside a string");
		if (c >= 0x80) {
			if (strict_utf8(s))
				return -1;
			continue;
		}
		if (c == '\\') {
			c = s->pos + 1 < s->len ? s->p[s->pos + 1] : 0;
			if (c == 'u') {
				if (strict_unicode_escape(s))
					return -1;
				continue;
			}
			if (!c || !strchr("\"\\/bfnrt", c))
				return strict_fail(s, "an invalid escape");
			if (s->for_go && strchr("bfnrt", c))
				return strict_fail(s, "an escaped control character");
			s->pos += 2;
			continue;
		}
		s->pos++;
	}
	return strict_fail(s, "an unterminated string");
}

static int strict_digits(struct strict *s)
{
	size_t start = s->pos;

	while (s->pos < s->len && s->p[s->pos] >= '0' && s->p[s->pos] <= '9')
		s->pos++;
	return s->pos > start ? 0 : strict_fail(s, "a malformed number");
}

static int strict_number(struct strict *s)
{
	if (strict_peek(s) == '-')
		s->pos++;
	if (strict_peek(s) == '0') {
		s->pos++;
		if (strict_peek(s) >= '0' && strict_peek(s) <= '9')
			return strict_fail(s, "a number with a leading zero");
	} else if (strict_digits(s)) {
		return -1;
	}
	if (strict_peek(s) == '.') {
		s->pos++;
		if (strict_digits(s))
			return -1;
	}
	if (strict_peek(s) == 'e' || strict_peek(s) == 'E') {
		s->pos++;
		if (strict_peek(s) == '+' || strict_peek(s) == '-')
			s->pos++;
		if (strict_digits(s))
			return -1;
	}
	return 0;
}

static int strict_literal(struct strict *s, const char *word)
{
	size_t n = strlen(word);

	if (s->len - s->pos < n || memcmp(s->p + s->pos, word, n))
		return strict_unexpected(s);
	s->pos += n;
	return 0;
}

static int strict_value(struct strict *s, int depth);

/* For Go: a name is printable ASCII without escapes, so that it has one spelling for every reader
 * (Go decodes escapes before matching names, and folds some non-ASCII letters onto ASCII ones). */
static int strict_name_plain(struct strict *s, size_t start)
{
	size_t i;

	for (i = start + 1; i + 1 < s->pos; i++)
		if (s->p[i] < 0x20 || s->p[i] > 0x7e || s->p[i] == '\\') {
			s->pos = i;
			return strict_fail(s, "a member name with an escape or a character outside printable ASCII");
		}
	return 0;
}

/* The code point at *i of a checked string that ends (at its closing quote) at end, *i advanced past
 * it: escapes decoded (a surrogate pair into one), UTF-8 read; -1 at the end. */
static long strict_name_next(const struct strict *s, size_t *i, size_t end)
{
	const unsigned char *p = s->p;
	long cp, low;
	int n;

	if (*i >= end)
		return -1;
	if (p[*i] == '\\' && p[*i + 1] == 'u') {
		cp = strict_hex4(s, *i + 2);
		*i += 6;
		if (cp >= 0xd800 && cp <= 0xdbff && *i + 6 <= end && p[*i] == '\\' && p[*i + 1] == 'u' &&
		    (low = strict_hex4(s, *i + 2)) >= 0xdc00 && low <= 0xdfff) {
			*i += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
		}
		return cp;
	}
	if (p[*i] == '\\') {
		*i += 2;
		switch (p[*i - 1]) {
		case 'b': return '\b';
		case 'f': return '\f';
		case 'n': return '\n';
		case 'r': return '\r';
		case 't': return '\t';
		default: return p[*i - 1];
		}
	}
	if (p[*i] < 0x80)
		return p[(*i)++];
	n = p[*i] >= 0xf0 ? 4 : p[*i] >= 0xe0 ? 3 : 2; /* checked by strict_utf8 */
	cp = p[*i] & (0x7f >> n);
	while (--n > 0)
		cp = (cp << 6) | (p[++*i] & 0x3f);
	(*i)++;
	return cp;
}

/* Whether the names at a and b (opening quotes; a_len and b_len bytes with the quotes) are the same
 * after their escapes are decoded: "a" and "\u0061" are one name to every decoder. */
static int strict_same_decoded(const struct strict *s, size_t a, size_t a_len, size_t b, size_t b_len)
{
	size_t i = a + 1, j = b + 1;
	long x, y;

	if (!memchr(s->p + a, '\\', a_len) && !memchr(s->p + b, '\\', b_len)) /* no escape: the bytes decide */
		return a_len == b_len && !memcmp(s->p + a, s->p + b, a_len);
	do {
		x = strict_name_next(s, &i, a + a_len - 1);
		y = strict_name_next(s, &j, b + b_len - 1);
	} while (x == y && x >= 0);
	return x == y;
}

/* A name every decoder reads the same: none holding NUL (escaped; C strings, json-c's keys among
 * them, end there, so that "k\u0000" is the name "k" to json-c) or a lone surrogate escape
 * (json-c reads each as U+FFFD, so that "\ud800" and "\udc00" are one name to it). */
static int strict_name_decodable(struct strict *s, size_t start)
{
	size_t i = start + 1;
	long cp;

	while ((cp = strict_name_next(s, &i, s->pos - 1)) >= 0)
		if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) {
			s->pos = start;
			return strict_fail(s, cp ? "a member name with a lone surrogate escape" : "a member name holding NUL");
		}
	return 0;
}

/* Whether two names of len bytes are the same to Go: in any ASCII case, as it matches names. */
static int strict_same_name_go(const struct strict *s, size_t a, size_t b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char x = s->p[a + i], y = s->p[b + i];
		if (x != y && !((x | 0x20) == (y | 0x20) && (x | 0x20) >= 'a' && (x | 0x20) <= 'z'))
			return 0;
	}
	return 1;
}

/* The key just read (from start, quotes included) must not repeat one before it. */
static int strict_key_new(struct strict *s, const size_t *starts, const size_t *ends, int count, size_t start)
{
	size_t len = s->pos - start;
	int i;

	if (s->for_go ? strict_name_plain(s, start) : strict_name_decodable(s, start))
		return -1;
	for (i = 0; i < count; i++)
		if (s->for_go ? ends[i] - starts[i] == len && strict_same_name_go(s, starts[i], start, len) :
				strict_same_decoded(s, starts[i], ends[i] - starts[i], start, len)) {
			snprintf(s->why, s->why_cap, "the key %.*s appears twice at byte %zu", (int)(len < 64 ? len : 64),
				 (const char *)s->p + start, start);
			return -1;
		}
	return 0;
}

static int strict_object(struct strict *s, int depth)
{
	size_t starts[DR_JSON_STRICT_KEYS_MAX], ends[DR_JSON_STRICT_KEYS_MAX], start;
	int count = 0;

	s->pos++;
	strict_space(s);
	if (strict_peek(s) == '}') {
		s->pos++;
		return 0;
	}
	for (;;) {
		strict_space(s);
		if (strict_peek(s) == '}')
			return strict_fail(s, "a trailing comma");
		if (strict_peek(s) != '"')
			return strict_unexpected(s);
		if (count == DR_JSON_STRICT_KEYS_MAX)
			return strict_fail(s, "too many members in one object");
		start = s->pos;
		if (strict_string(s) || strict_key_new(s, starts, ends, count, start))
			return -1;
		starts[count] = start;
		ends[count++] = s->pos;
		s->members++;
		strict_space(s);
		if (strict_peek(s) != ':')
			return strict_unexpected(s);
		s->pos++;
		if (strict_value(s, depth + 1))
			return -1;
		strict_space(s);
		if (strict_peek(s) == '}') {
			s->pos++;
			return 0;
		}
		if (strict_peek(s) != ',')
			return strict_unexpected(s);
		s->pos++;
	}
}

static int strict_array(struct strict *s, int depth)
{
	s->pos++;
	strict_space(s);
	if (strict_peek(s) == ']') {
		s->pos++;
		return 0;
	}
	for (;;) {
		strict_space(s);
		if (strict_peek(s) == ']')
			return strict_fail(s, "a trailing comma");
		if (strict_value(s, depth + 1))
			return -1;
		strict_space(s);
		if (strict_peek(s) == ']') {
			s->pos++;
			return 0;
		}
		if (strict_peek(s) != ',')
			return strict_unexpected(s);
		s->pos++;
	}
}

static int strict_value(struct strict *s, int depth)
{
	int c;

	if (depth > s->depth_max)
		return strict_fail(s, "nesting too deep");
	if (s->values_max && ++s->values > s->values_max)
		return strict_fail(s, "too many values");
	strict_space(s);
	c = strict_peek(s);
	if (c == '{')
		return strict_object(s, depth);
	if (c == '[')
		return strict_array(s, depth);
	if (c == '"')
		return strict_string(s);
	if (c == '-' || (c >= '0' && c <= '9'))
		return strict_number(s);
	if (c == 't')
		return strict_literal(s, "true");
	if (c == 'f')
		return strict_literal(s, "false");
	if (c == 'n')
		return strict_literal(s, "null");
	return strict_unexpected(s);
}

/* The whole text is one value and nothing after it. */
static int strict_run(struct strict *s, size_t *members_out)
{
	if (strict_value(s, 1))
		return -1;
	strict_space(s);
	if (s->pos != s->len)
		return strict_fail(s, s->p[s->pos] == '/' ? "a comment (JSON has none)" : "text after the JSON value");
	if (members_out)
		*members_out = s->members;
	return 0;
}

int dr_json_strict_check(const char *text, size_t len, int depth_max, size_t *members_out, char *why, size_t why_cap)
{
	struct strict s = { (const unsigned char *)text, len, 0, depth_max, 0, why, why_cap, 0, 0, 0 };

	return strict_run(&s, members_out);
}

int dr_json_strict_check_values(const char *text, size_t len, int depth_max, size_t values_max, char *why,
				size_t why_cap)
{
	struct strict s = { (const unsigned char *)text, len, 0, depth_max, 0, why, why_cap, 0, 0, values_max };

	return strict_run(&s, NULL);
}

int dr_json_strict_check_for_go(const char *text, size_t len, int depth_max, char *why, size_t why_cap)
{
	struct strict s = { (const unsigned char *)text, len, 0, depth_max, 0, why, why_cap, 1, 0, 0 };

	return strict_run(&s, NULL);
}
