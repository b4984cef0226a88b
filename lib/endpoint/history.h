/* history.h: the environment's deploy history (GET /v1/deploys): every
 * deploy, stop and refused deploy, one JSON object per line in
 * STATE_DIRECTORY/deploys.jsonl. Appends take a flock on the file itself and
 * are fsynced; a line torn by a kill is skipped when read, never fatal, and
 * the next append starts on a line of its own. Past DR_HISTORY_BYTES_MAX the
 * oldest half is dropped by an atomic rewrite. */
#ifndef DR_HISTORY_H
#define DR_HISTORY_H

#include <json-c/json.h>

#include "error.h"

#define DR_HISTORY_FILE "deploys.jsonl"
#define DR_HISTORY_BYTES_MAX (1024 * 1024)  /* about 3,000 entries */
#define DR_HISTORY_LINE_MAX 8192            /* longer entries lose their reason */
#define DR_HISTORY_LIMIT_DEFAULT 20
#define DR_HISTORY_LIMIT_MAX 200

/* One request as the history keeps it: the one shape of an entry. Strings may be NULL (left out). */
struct dr_history_fields {
	const char *request_id, *client_id, *action, *image, *image_digest, *previous_digest;
	int http_status;            /* its answer's; "result" (ok or error) follows from it */
	const char *phase, *reason; /* where and why it failed */
	long long duration_ms;      /* -1: none */
	long long exit_code;        /* the container's, -1: none */
	long long stop_ms;          /* the old container's stop, -1: none */
	int stop_killed;
	const char *pruned;         /* JSON text of the images retention removed, or NULL */
	json_object *signature;     /* what verified the image (borrowed), or NULL */
	int interrupted;            /* the deploy's process ended without finishing */
};

/* The history entry for f, stamped now: the one builder of entries. The caller puts it. */
json_object *dr_history_entry(const struct dr_history_fields *f);

/* Append entry (not consumed) as one line; 0 or an internal fault. */
int dr_history_append(const char *state_dir, json_object *entry, struct dr_error *err);

/* The newest limit entries, newest first, as a new array the caller puts; a missing file is
 * an empty list. 0 or an internal fault. */
int dr_history_read(const char *state_dir, int limit, json_object **out, struct dr_error *err);

#endif
