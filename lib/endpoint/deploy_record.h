/* deploy_record.h: the one owner of a deploy's record, what
 * GET /v1/deploys/<request_id> reads: running, accepted (the 202), final,
 * replayed for a retried Idempotency-Key, interrupted, swept. One file per
 * deploy, STATE_DIRECTORY/deploys/<request_id>.json, written by the
 * deploying process as it goes (running: each step as it begins, the
 * pull's progress; at the end: its whole answer and http_status) and read
 * by any later request without a lock. At most DR_DEPLOY_RECORDS_MAX files
 * of at most DR_DEPLOY_RECORD_BYTES_MAX each; the deploy that writes past
 * the count removes the oldest. Beside them, the Idempotency-Key index
 * (STATE_DIRECTORY/idempotency/key-<key>: request id and body digest),
 * kept DR_IDEMPOTENCY_SECONDS. Objects passed in are borrowed; objects
 * returned are the caller's to put. */
#ifndef DR_DEPLOY_RECORD_H
#define DR_DEPLOY_RECORD_H

#include <json-c/json.h>

#include "error.h"

#define DR_DEPLOY_RECORDS_DIR "deploys"
#define DR_DEPLOY_RECORDS_MAX 200
#define DR_DEPLOY_RECORD_BYTES_MAX (256 * 1024)
#define DR_IDEMPOTENCY_DIR "idempotency"
#define DR_IDEMPOTENCY_KEY_MAX 64
#define DR_IDEMPOTENCY_SECONDS (24 * 3600)
#define DR_BODY_DIGEST_LEN 64  /* hex SHA-256 of a request body */

#define DR_DEPLOY_ACCEPTED_HEADERS_MAX 256

/* What a running deploy's record shows. */
struct dr_deploy_progress {
	const char *request_id, *image, *environment, *started_at;
	const char *step;             /* the step running now */
	json_object *phases;          /* the timeline so far (borrowed) */
	long long current_bytes;      /* the pull's progress, while total_bytes > 0 */
	long long total_bytes;
};

/* Write the running record of a deploy; durable (the one a 202 points to) fsyncs it. A failure
 * only costs the reader: 0 or an internal fault. */
int dr_deploy_record_running(const char *state_dir, const struct dr_deploy_progress *p, int durable,
			     struct dr_error *err);

/* The 202 of an accepted deploy: its body (the caller puts it), and its headers (Location,
 * Preference-Applied) into headers. */
json_object *dr_deploy_record_accepted(const char *request_id, const char *image, const char *environment,
				       char headers[DR_DEPLOY_ACCEPTED_HEADERS_MAX]);

/* Write the final record: the answer (body, borrowed) with its status, image and environment,
 * and on success the step it ended in; then drop the oldest records. 0 or an internal fault. */
int dr_deploy_record_final(const char *state_dir, const char *request_id, int status, json_object *body,
			   const char *step, const char *image, const char *environment, struct dr_error *err);

/* The answer a retried Idempotency-Key gets from the first request's record (consumed): while it
 * runs, its 202 (headers filled); once ended, its final answer. *body is the caller's. */
void dr_deploy_record_replay(json_object *record, int *status, json_object **body,
			     char headers[DR_DEPLOY_ACCEPTED_HEADERS_MAX]);

/* The deploy that held the lock before (previous_request_id, "" for none) and still reads as
 * running was killed: rewrite its record so and add its history entry. */
void dr_deploy_record_sweep(const char *state_dir, const char *previous_request_id);

/* Write request_id's record (replacing it); durable fsyncs it. 0 or an internal fault. */
int dr_deploy_record_write(const char *state_dir, const char *request_id, json_object *record, int durable,
			   struct dr_error *err);

/* Read request_id's record into *out; 0, DR_FAULT_NOT_FOUND, or an internal fault. */
int dr_deploy_record_read(const char *state_dir, const char *request_id, json_object **out, struct dr_error *err);

/* The string member key of a record, "" when it has none (borrowed from the record). */
const char *dr_deploy_record_string(json_object *record, const char *key);

/* A running record whose process no longer holds the environment's lock was killed: make it
 * read as the interrupted deploy it is (status error, http_status 500, interrupted). A deploy
 * writes its final record before it lets the lock go, so the record is read again once the lock
 * is seen free: one that ended meanwhile replaces *record (the old one is put). 1 when it was
 * marked interrupted, 0 when the record stands as it is. */
int dr_deploy_record_settle(json_object **record, const char *state_dir);

/* Remove the oldest records beyond DR_DEPLOY_RECORDS_MAX and index entries past their time. */
void dr_deploy_record_prune(const char *state_dir);

/* 1 when key is 1 to DR_IDEMPOTENCY_KEY_MAX of [A-Za-z0-9._:-]. */
int dr_idempotency_key_valid(const char *key);

/* The request that used key within DR_IDEMPOTENCY_SECONDS: 1 with its id and body digest, else 0. */
int dr_idempotency_find(const char *state_dir, const char *key, char request_id[80],
			char body_digest[DR_BODY_DIGEST_LEN + 1]);

/* Remember that request_id used key with a body of that digest; 0 or an internal fault. */
int dr_idempotency_remember(const char *state_dir, const char *key, const char *request_id,
			    const char *body_digest, struct dr_error *err);

#endif
