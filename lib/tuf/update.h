/* update.h: TUF's detailed client workflow (spec 1.0.x, section 5) for one
 * target, as a pure function over a fetch callback: the caller gives the
 * trusted start (a root, and what an earlier run trusted) and the time,
 * the callback gives the repository's bytes (HTTPS in the program,
 * memory in the tests), and the run answers the verified metadata and
 * target or the step that refused and why. Steps: root rotation (each
 * N+1.root.json signed by a threshold of the old root's and of its own
 * root keys, until the repository has no next one), timestamp, snapshot,
 * targets (top-level only), then the target's length and hashes. Nothing
 * is written. The caller owns the struct; dr_tuf_update_free releases what
 * it holds. */
#ifndef DR_TUF_UPDATE_H
#define DR_TUF_UPDATE_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "metadata.h"

#define DR_TUF_ROOT_FILE_MAX (512 * 1024)            /* bytes of one N.root.json */
#define DR_TUF_TIMESTAMP_FILE_MAX (16 * 1024)        /* bytes of timestamp.json */
#define DR_TUF_SNAPSHOT_FILE_MAX (2 * 1024 * 1024)   /* bytes of snapshot.json */
#define DR_TUF_TARGETS_FILE_MAX (2 * 1024 * 1024)    /* bytes of targets.json */
#define DR_TUF_TARGET_FILE_MAX (4 * 1024 * 1024)     /* bytes of the target */
#define DR_TUF_ROTATIONS_MAX 1024                    /* root versions fetched in one run */
#define DR_TUF_PATH_MAX 512                          /* bytes of a path below the repository */

enum dr_tuf_fetch_result {
	DR_TUF_FETCH_FAILED = -1, /* why filled */
	DR_TUF_FETCH_OK = 0,
	DR_TUF_FETCH_NOT_FOUND = 1, /* the repository has no such file (what ends the root rotation) */
};

/* Fetch path (below the repository's base, e.g. "17.root.json") into out, which is empty and
 * holds at most max bytes (more is a failure); a dr_tuf_fetch_result. */
typedef int (*dr_tuf_fetch_fn)(void *ctx, const char *path, size_t max, struct dr_buf *out, char *why,
			       size_t why_cap);

/* One trusted metadata file: its bytes and what they decode to. */
struct dr_tuf_file {
	struct dr_buf bytes;
	struct dr_tuf_metadata *md; /* NULL when none is trusted */
	int fetched;                /* 1 when the bytes came from the repository in this run */
};

struct dr_tuf_update {
	time_t now;                 /* expiry is judged against this */
	const char *target_name;
	dr_tuf_fetch_fn fetch;
	void *fetch_ctx;
	struct dr_tuf_file trusted[DR_TUF_ROLES]; /* the trusted start, then the verified result */
	struct dr_buf target;       /* the installed target offered, then the verified target */
	int target_fetched;         /* 1 when the target was downloaded (else the offered bytes matched) */
	int root_rotations;         /* new roots taken in this run */
	int keys_rotated;           /* the timestamp or snapshot keys changed: their trusted files dropped */
	const char *step;           /* the step that refused: "root", "timestamp", ... (NULL before) */
	char why[DR_TUF_WHY_MAX];   /* why it refused */
};

/* Prepare u for a run at now for target_name, fetching with fetch(ctx, ...); nothing trusted yet. */
void dr_tuf_update_init(struct dr_tuf_update *u, time_t now, const char *target_name, dr_tuf_fetch_fn fetch,
			void *ctx);

/* Trust len bytes of root metadata as the start: it must decode and carry a threshold of its own
 * root keys (it may have expired). 0, or -1 with u->why filled. */
int dr_tuf_update_trust_root(struct dr_tuf_update *u, const char *bytes, size_t len);

/* Offer what an earlier run trusted of role (timestamp, snapshot or targets), after the root:
 * 0 when kept (it decodes and carries the threshold of the trusted root), 1 when ignored. */
int dr_tuf_update_trust(struct dr_tuf_update *u, enum dr_tuf_role role, const char *bytes, size_t len);

/* Offer the installed target: reused instead of downloaded when targets still names exactly it. */
void dr_tuf_update_offer_target(struct dr_tuf_update *u, const char *bytes, size_t len);

/* Run the workflow: 0 with trusted[] and target verified, or -1 with step and why filled and
 * nothing of the start kept trustworthy beyond what was verified. */
int dr_tuf_update_run(struct dr_tuf_update *u);

/* The earliest expiry among the trusted files (0 when none). */
time_t dr_tuf_update_expires(const struct dr_tuf_update *u);

/* Release everything u holds; accepts a zeroed or freed u. */
void dr_tuf_update_free(struct dr_tuf_update *u);

#endif
