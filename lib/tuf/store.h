/* store.h: the TUF client's state directory: files replaced atomically
 * (a temporary file in the directory, fsync, rename, fsync of the
 * directory, lib/core/state.c's writer; mode 0640), read whole with a bound, and
 * refresh.json, the summary the agent shows. Buffers read here are the
 * caller's to free (dr_buf_free). */
#ifndef DR_TUF_STORE_H
#define DR_TUF_STORE_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "fetch.h"
#include "metadata.h"

#define DR_TUF_REFRESH_FILE "refresh.json"
#define DR_TUF_REFRESH_MAX 4096   /* bytes of refresh.json */
#define DR_TUF_DIR_MAX 1024       /* bytes of the state directory's path */

/* What refresh.json says. */
struct dr_tuf_refresh {
	char source[DR_TUF_URL_MAX];       /* SIGSTORE_TUF_URL of the run */
	char refreshed[DR_TUF_TIME_MAX];   /* when it succeeded */
	char expires[DR_TUF_TIME_MAX];     /* the earliest expiry of the four metadata files */
	long long versions[DR_TUF_ROLES];  /* root, timestamp, snapshot, targets */
	char sha256[2 * DR_TUF_SHA256_LEN + 1]; /* hex SHA-256 of the target */
};

/* Replace dir/name with len bytes of data atomically; 0, or -1 with why filled. */
int dr_tuf_store_write(const char *dir, const char *name, const char *data, size_t len, char *why, size_t why_cap);

/* Read dir/name whole (at most max bytes) into out (initialised here); 0, 1 when it does not
 * exist, or -1 with why filled. The caller frees out either way. */
int dr_tuf_store_read(const char *dir, const char *name, size_t max, struct dr_buf *out, char *why, size_t why_cap);

/* The same for the file at path. */
int dr_tuf_store_read_file(const char *path, size_t max, struct dr_buf *out, char *why, size_t why_cap);

/* The text of refresh.json for r (one JSON object and a newline) appended to out; 0 or -1. */
int dr_tuf_refresh_format(const struct dr_tuf_refresh *r, struct dr_buf *out);

/* source and refreshed of refresh.json's len bytes into out (zeroed first); 0 or -1. */
int dr_tuf_refresh_parse(const char *text, size_t len, struct dr_tuf_refresh *out);

/* t (seconds since the epoch) as 2026-12-07T21:00:00Z. */
void dr_tuf_time_format(time_t t, char out[DR_TUF_TIME_MAX]);

#endif
