/* mask.c: outside text masked, cut and made printable. */

#include <stdlib.h>
#include <string.h>

#include "jsonstr.h"
#include "mask.h"
#include "number.h"
#include "percent.h"

static void mask_add(struct dr_mask *m, const char *s, size_t len)
{
	int i, j;
	char *copy;

	if (!len || m->count == DR_MASK_SECRETS_MAX || !(copy = malloc(len + 1)))
		return;
	memcpy(copy, s, len);
	copy[len] = '\0';
	for (i = 0; i < m->count; i++)
		if (!strcmp(m->secrets[i], copy)) {
			explicit_bzero(copy, len);
			free(copy);
			return;
		}
	/* Longest first, so the whole URL is masked before its password inside it. */
	for (i = m->count; i > 0 && strlen(m->secrets[i - 1]) < len; i--)
		;
	for (j = m->count; j > i; j--)
		m->secrets[j] = m->secrets[j - 1];
	m->secrets[i] = copy;
	m->count++;
}

/* s[0..len) and, when it differs, its percent-decoded form. */
static void mask_add_both(struct dr_mask *m, const char *s, size_t len)
{
	char *decoded = malloc(len + 1);
	size_t n;

	mask_add(m, s, len);
	if (!decoded)
		return;
	n = dr_percent_decode(s, len, decoded, len + 1);
	if (n != len || memcmp(decoded, s, len))
		mask_add(m, decoded, n);
	explicit_bzero(decoded, len + 1);
	free(decoded);
}

void dr_mask_init_database_url(struct dr_mask *m, const char *url)
{
	const char *auth, *at, *colon;

	memset(m, 0, sizeof *m);
	if (!url || !url[0])
		return;
	mask_add_both(m, url, strlen(url));
	if (!(auth = strstr(url, "://")))
		return;
	auth += 3;
	/* user:password@host: the last @ before the path ends the userinfo. */
	at = NULL;
	for (const char *p = auth; *p && *p != '/' && *p != '?' && *p != '#'; p++)
		if (*p == '@')
			at = p;
	if (!at || !(colon = memchr(auth, ':', (size_t)(at - auth))))
		return;
	mask_add_both(m, colon + 1, (size_t)(at - colon - 1));
}

/* One byte as the text may spell it: itself, %XX in either case, or a JSON escape
 * (\/ \" \\ \u00XX). Returns the bytes of text it took, the byte in *byte. */
static size_t mask_unit(const char *t, size_t left, unsigned char *byte)
{
	int hi, lo;

	if (left >= 3 && t[0] == '%' && (hi = dr_hex_digit(t[1])) >= 0 && (lo = dr_hex_digit(t[2])) >= 0) {
		*byte = (unsigned char)(hi << 4 | lo);
		return 3;
	}
	if (left >= 2 && t[0] == '\\' && (t[1] == '/' || t[1] == '"' || t[1] == '\\')) {
		*byte = (unsigned char)t[1];
		return 2;
	}
	if (left >= 6 && t[0] == '\\' && t[1] == 'u' && t[2] == '0' && t[3] == '0' && (hi = dr_hex_digit(t[4])) >= 0 &&
	    (lo = dr_hex_digit(t[5])) >= 0) {
		*byte = (unsigned char)(hi << 4 | lo);
		return 6;
	}
	*byte = (unsigned char)t[0];
	return 1;
}

/* How many bytes of text spell secret at its start, literally or byte by byte
 * through mask_unit; 0 when it does not. */
static size_t mask_match(const char *text, size_t left, const char *secret)
{
	size_t slen = strlen(secret), used = 0, i, n;
	unsigned char byte;

	if (slen <= left && !memcmp(text, secret, slen))
		return slen;
	for (i = 0; i < slen; i++) {
		if (used == left)
			return 0;
		n = mask_unit(text + used, left - used, &byte);
		if (byte != (unsigned char)secret[i])
			return 0;
		used += n;
	}
	return used;
}

/* Append text with every secret replaced. */
static int mask_text(const struct dr_mask *m, const char *text, size_t len, struct dr_buf *out)
{
	size_t at = 0, run = 0;

	while (at < len) {
		size_t best = 0;
		for (int i = 0; m && i < m->count && !best; i++)
			best = mask_match(text + at, len - at, m->secrets[i]);
		if (!best) {
			at++;
			run++;
			continue;
		}
		if (dr_buf_add(out, text + at - run, run) || dr_buf_adds(out, DR_MASK_TEXT))
			return -1;
		at += best;
		run = 0;
	}
	return dr_buf_add(out, text + at - run, run);
}

/* Cut s[0..*len) to max bytes without splitting a character, then make it printable in place. */
static void text_cut_printable(char *s, size_t *len, size_t max, int keep_newlines)
{
	size_t at = 0, n;
	unsigned char *p = (unsigned char *)s;

	while (at < *len) {
		n = dr_utf8_char_len(p + at, *len - at);
		if (n == 0 || (p[at] < 0x20 && p[at] != '\t' && !(keep_newlines && p[at] == '\n')) || p[at] == 0x7f) {
			p[at] = '?';
			n = 1;
		}
		if (at + n > max)
			break;
		at += n;
	}
	*len = at;
}

int dr_text_clean(const struct dr_mask *m, const char *text, size_t len, size_t max, int keep_newlines,
		  struct dr_buf *out)
{
	struct dr_buf masked;
	size_t n;
	int rc;

	dr_buf_init(&masked, len * 3 + 16);  /* "***" for a one-byte secret */
	/* Mask first: a cut could leave half a secret that no longer matches. */
	rc = mask_text(m, text, len, &masked);
	n = masked.len;
	if (!rc && n) {
		text_cut_printable(masked.data, &n, max, keep_newlines);
		rc = dr_buf_add(out, masked.data, n);
	}
	if (masked.data)
		explicit_bzero(masked.data, masked.len);
	dr_buf_free(&masked);
	return rc;
}

void dr_mask_free(struct dr_mask *m)
{
	int i;

	for (i = 0; i < m->count; i++) {
		explicit_bzero(m->secrets[i], strlen(m->secrets[i]));
		free(m->secrets[i]);
	}
	memset(m, 0, sizeof *m);
}
