/* store.h: the TUF client's state directory: files replaced atomically
 * (a temporary file in the directory, fsync, rename, fsync of the
 * directory, lib/core/state.c's writer; mode 0640) and read whole with a
 * bound. refresh.json's format is lib/core/sigstore_refresh.h's. Buffers
 * read here are the caller's to free (dr_buf_free). */
#ifndef DR_TUF_STORE_H
#define DR_TUF_STORE_H

#include <stddef.h>

#include "buf.h"

#define DR_TUF_DIR_MAX 1024       /* bytes of the state directory's path */

/* Replace dir/name with len bytes of data atomically; 0, or -1 with why filled. */
int dr_tuf_store_write(const char *dir, const char *name, const char *data, size_t len, char *why, size_t why_cap);

/* Read dir/name whole (at most max bytes) into out (initialised here); 0, 1 when it does not
 * exist, or -1 with why filled. The caller frees out either way. */
int dr_tuf_store_read(const char *dir, const char *name, size_t max, struct dr_buf *out, char *why, size_t why_cap);

/* The same for the file at path. */
int dr_tuf_store_read_file(const char *path, size_t max, struct dr_buf *out, char *why, size_t why_cap);

#endif
