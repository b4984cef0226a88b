/* fetch.h: the TUF client's downloads over libcurl (Debian's, with TLS):
 * GET base/path, bounded in bytes (per file) and time (connect, whole
 * file, a stalled transfer, and the whole run), no redirects, https only
 * (http only to a loopback host: the signatures carry TUF's guarantees,
 * and tests and a local mirror use it), the server's certificate checked.
 * The caller calls curl_global_init first; nothing to free. */
#ifndef DR_TUF_FETCH_H
#define DR_TUF_FETCH_H

#include <stddef.h>

#include "buf.h"

#define DR_TUF_URL_MAX 512               /* bytes of the repository's base URL */
#define DR_TUF_HOST_MAX 256              /* bytes of its host */
#define DR_TUF_CONNECT_TIMEOUT_MS 10000L /* connecting */
#define DR_TUF_FILE_TIMEOUT_MS 60000L    /* one whole file */
#define DR_TUF_LOW_SPEED_BYTES 1L        /* a transfer slower than this many bytes a second ... */
#define DR_TUF_LOW_SPEED_SECONDS 20L     /* ... for this long is aborted */
#define DR_TUF_RUN_TIMEOUT_MS 110000LL   /* every download of one run together */

struct dr_tuf_http {
	const char *base;     /* the repository's URL, checked by dr_tuf_url_check */
	const char *cacert;   /* a CA file instead of the system's, or NULL */
	long long deadline;   /* dr_now_ms() after which no download starts or goes on */
};

/* Check url as a repository base: https://HOST[:PORT][/PATH], or http:// to 127.0.0.1, [::1] or
 * localhost; printable ASCII, no query, fragment or user. 0 with the host (lower-case, brackets
 * kept) in host, or -1 with why filled. */
int dr_tuf_url_check(const char *url, char host[DR_TUF_HOST_MAX], char *why, size_t why_cap);

/* The fetch callback of dr_tuf_update (update.h) for ctx, a struct dr_tuf_http: GET base/path into
 * out (at most max bytes); DR_TUF_FETCH_OK, DR_TUF_FETCH_NOT_FOUND (404 or 403, as TUF clients
 * read a missing file), or DR_TUF_FETCH_FAILED with why filled. */
int dr_tuf_http_fetch(void *ctx, const char *path, size_t max, struct dr_buf *out, char *why, size_t why_cap);

#endif
