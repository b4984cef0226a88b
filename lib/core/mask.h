/* mask.h: the one chokepoint for outside text. A runtime that prints its
 * configuration, a database client error that echoes its connection URL,
 * an engine error that quotes a container's environment, a client's
 * header: every such text passes dr_text_clean (mask, then cut, then make
 * printable) before it reaches an answer, a reason, the journal or the
 * history. Nothing else in the project masks or cuts such text.
 * libc only; the caller owns everything. */
#ifndef DR_MASK_H
#define DR_MASK_H

#include <stddef.h>

#include "buf.h"

#define DR_MASK_SECRETS_MAX 4
#define DR_MASK_TEXT "***"

struct dr_mask {
	int count;
	char *secrets[DR_MASK_SECRETS_MAX];  /* malloc'd, longest first, wiped by dr_mask_free */
};

/* The secrets of a DATABASE_URL value: the whole URL, its password, and both
 * percent-decoded when that differs. A NULL or empty url adds nothing. */
void dr_mask_init_database_url(struct dr_mask *m, const char *url);

/* Append text[0..len) to out: every secret of m (NULL: none) replaced by DR_MASK_TEXT,
 * also where the text spells it percent-encoded in either case or JSON-escaped; then cut
 * to at most max bytes at a character boundary; then control characters (but tab, and
 * newline when keep_newlines) and invalid UTF-8 turned into '?'. 0, or -1 when out is full. */
int dr_text_clean(const struct dr_mask *m, const char *text, size_t len, size_t max, int keep_newlines,
		  struct dr_buf *out);

/* Wipe and free the secrets. */
void dr_mask_free(struct dr_mask *m);

#endif
