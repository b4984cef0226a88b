/* mask.c: replace secret values in text. */

#include <stdlib.h>
#include <string.h>

#include "mask.h"
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

/* The password percent-decoded, added when it differs from its encoded form. */
static void mask_add_decoded(struct dr_mask *m, const char *pw, size_t len)
{
	char *decoded = malloc(len + 1);
	size_t n;

	if (!decoded)
		return;
	n = dr_percent_decode(pw, len, decoded, len + 1);
	if (n != len || memcmp(decoded, pw, len))
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
	mask_add(m, url, strlen(url));
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
	mask_add(m, colon + 1, (size_t)(at - colon - 1));
	mask_add_decoded(m, colon + 1, (size_t)(at - colon - 1));
}

int dr_mask_line(const struct dr_mask *m, const char *line, struct dr_buf *out)
{
	const char *p = line;

	while (*p) {
		size_t best = 0;
		int i;
		for (i = 0; i < m->count && !best; i++) {
			size_t len = strlen(m->secrets[i]);
			if (!strncmp(p, m->secrets[i], len))
				best = len;
		}
		if (best) {
			if (dr_buf_add(out, DR_MASK_TEXT, strlen(DR_MASK_TEXT)))
				return -1;
			p += best;
		} else {
			if (dr_buf_add(out, p, 1))
				return -1;
			p++;
		}
	}
	return 0;
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
