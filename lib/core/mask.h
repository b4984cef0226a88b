/* mask.h: server-owned secrets kept out of container output. A runtime
 * that prints its configuration, or a database client error that echoes
 * its connection URL, must not carry the password into an answer, a
 * reason, the journal or the history: every log line goes through here
 * first. libc only; the caller owns everything. */
#ifndef DR_MASK_H
#define DR_MASK_H

#include "buf.h"

#define DR_MASK_SECRETS_MAX 4
#define DR_MASK_TEXT "***"

struct dr_mask {
	int count;
	char *secrets[DR_MASK_SECRETS_MAX];  /* malloc'd, longest first, wiped by dr_mask_free */
};

/* The secrets of a DATABASE_URL value: the whole URL, its password, and the password
 * percent-decoded when that differs. A NULL or empty url adds nothing. */
void dr_mask_init_database_url(struct dr_mask *m, const char *url);

/* Append line to out with every secret replaced by DR_MASK_TEXT; 0 or -1 when out is full. */
int dr_mask_line(const struct dr_mask *m, const char *line, struct dr_buf *out);

/* Wipe and free the secrets. */
void dr_mask_free(struct dr_mask *m);

#endif
