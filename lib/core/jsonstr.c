/* jsonstr.c: minimal JSON string writer. */

#include <stdio.h>
#include <string.h>

#include "jsonstr.h"

/* Length of the valid UTF-8 sequence at s (at most avail bytes), 0 if invalid. */
size_t dr_utf8_char_len(const unsigned char *s, size_t avail)
{
	size_t need, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (avail < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

size_t dr_utf8_valid_prefix(const unsigned char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len && (n = dr_utf8_char_len(s + i, len - i)) != 0)
		i += n;
	return i;
}

int dr_json_add_string(struct dr_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	int rc = dr_buf_add(b, "\"", 1);

	while (rc == 0 && left > 0) {
		size_t n;
		if (*p == '"' || *p == '\\') {
			char esc[2] = { '\\', (char)*p };
			rc = dr_buf_add(b, esc, 2);
			n = 1;
		} else if (*p < 0x20 || *p == 0x7f) {
			rc = dr_buf_addf(b, "\\u%04x", *p);
			n = 1;
		} else if ((n = dr_utf8_char_len(p, left)) == 0) {
			rc = dr_buf_adds(b, "\\ufffd");
			n = 1;
		} else {
			rc = dr_buf_add(b, p, n);
		}
		p += n;
		left -= n;
	}
	return rc ? rc : dr_buf_add(b, "\"", 1);
}
