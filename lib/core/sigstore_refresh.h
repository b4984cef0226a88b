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

#include "buf.h"
#include "clock.h"
#include "crypto.h"
#include "sigstore_root.h"

#define DR_SIGSTORE_REFRESH_FILE "refresh.json"
#define DR_SIGSTORE_REPOSITORY_MAX 512     /* bytes of a TUF repository URL with its NUL */
#define DR_SIGSTORE_REFRESH_MAX 4096       /* bytes of refresh.json */
#define DR_SIGSTORE_ROOT_MAX (4L << 20)    /* bytes of trusted_root.json read to hash it */

/* refresh.json, as dreichor-sigstore-root writes it and the agent reads it. */
struct dr_sigstore_refresh {
	char source[DR_SIGSTORE_REPOSITORY_MAX]; /* the repository's URL */
	char refreshed[DR_TIME_ISO_MAX];         /* the run's time */
	char expires[DR_TIME_ISO_MAX];           /* the earliest expiry of the four metadata files */
	long long root_version, timestamp_version, snapshot_version, targets_version; /* written, not read */
	char sha256[DR_SHA256_HEX_LEN + 1];      /* hex SHA-256 of trusted_root.json */
};

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

/* The text of refresh.json for r (one JSON object and a newline) appended to out; 0 or -1. */
int dr_sigstore_refresh_format(const struct dr_sigstore_refresh *r, struct dr_buf *out);

/* len bytes of refresh.json into out (zeroed first): strict JSON, source an http(s) URL of
 * printable characters without quotes, refreshed and expires RFC 3339 times, sha256 64 hex
 * digits; 0, or -1 (out zeroed). The versions are not read back. */
int dr_sigstore_refresh_parse(const char *text, size_t len, struct dr_sigstore_refresh *out);

/* The path of the record beside the trusted root at root_path, into out (cap bytes); 0 or -1. */
int dr_sigstore_refresh_path(const char *root_path, char *out, size_t cap);

/* Describe the trusted root at path as of now: its source, and for one the TUF client wrote,
 * when it was refreshed and until when its metadata held. */
void dr_sigstore_root_describe(const char *path, time_t now, struct dr_sigstore_root_info *info);

/* The words a keyless refusal adds when the root is stale ("" otherwise), into out (cap bytes). */
void dr_sigstore_root_stale_note(const struct dr_sigstore_root_info *info, char *out, size_t cap);

/* The source's name in answers: "package", "tuf" or "file". */
const char *dr_sigstore_source_name(enum dr_sigstore_source source);

#endif
