/* sigstore_refresh.h: where the Sigstore trusted root in use came from.
 * Beside a root it refreshed, dreichor-sigstore-root leaves refresh.json:
 * the repository, the time of the last good refresh, the earliest expiry
 * among the TUF metadata the root came with, and the root's sha256, so
 * that the record is believed only for the very file it describes. A root
 * in the client's directory that no record vouches for is of unknown age,
 * so stale. libc and Nettle; nothing is allocated; nothing to free. */
#ifndef DR_SIGSTORE_REFRESH_H
#define DR_SIGSTORE_REFRESH_H

#include <stddef.h>
#include <time.h>

#include "clock.h"
#include "sigstore_root.h"

#define DR_SIGSTORE_REFRESH_FILE "refresh.json"
#define DR_SIGSTORE_REPOSITORY_MAX 512     /* bytes of a TUF repository URL with its NUL */
#define DR_SIGSTORE_REFRESH_MAX 4096       /* bytes of refresh.json */
#define DR_SIGSTORE_ROOT_MAX (4L << 20)    /* bytes of trusted_root.json read to hash it */

enum dr_sigstore_source {
	DR_SIGSTORE_SOURCE_PACKAGE, /* the copy the package installs */
	DR_SIGSTORE_SOURCE_TUF,     /* written by dreichor-sigstore-root */
	DR_SIGSTORE_SOURCE_FILE,    /* any other file the operator named */
};

struct dr_sigstore_root_info {
	enum dr_sigstore_source source;
	char repository[DR_SIGSTORE_REPOSITORY_MAX]; /* TUF only: the repository's URL */
	char refreshed[DR_TIME_ISO_MAX];             /* TUF only: the last good refresh */
	char expires[DR_TIME_ISO_MAX];               /* TUF only: the earliest expiry of its metadata */
	int stale;                                   /* TUF only: now is past expires, or unvouched */
	int unvouched;                               /* TUF only: in the client's directory, but no record names it */
};

/* Describe the trusted root at path as of now: its source, and for one the TUF client wrote,
 * when it was refreshed and until when its metadata held. */
void dr_sigstore_root_describe(const char *path, time_t now, struct dr_sigstore_root_info *info);

/* The words a keyless refusal adds when the root is stale ("" otherwise), into out (cap bytes). */
void dr_sigstore_root_stale_note(const struct dr_sigstore_root_info *info, char *out, size_t cap);

/* The source's name in answers: "package", "tuf" or "file". */
const char *dr_sigstore_source_name(enum dr_sigstore_source source);

#endif
