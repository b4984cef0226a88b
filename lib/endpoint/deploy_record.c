/* deploy_record.c: per-deploy records and the Idempotency-Key index. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgi.h"
#include "clock.h"
#include "deploy_record.h"
#include "history.h"
#include "lock.h"
#include "reply.h"
#include "state.h"
#include "status.h"

/* dir/sub, created (0750) when missing; -1 when it cannot be. */
static int record_dir(const char *state_dir, const char *sub, char *out, size_t cap)
{
	if (snprintf(out, cap, "%s/%s", state_dir, sub) >= (int)cap)
		return -1;
	if (mkdir(out, 0750) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int dr_deploy_record_write(const char *state_dir, const char *request_id, json_object *record, int durable,
			   struct dr_error *err)
{
	char dir[4096], name[DR_REQUEST_ID_LEN + 8];
	const char *text;
	size_t len;

	if (!dr_request_id_valid(request_id) || record_dir(state_dir, DR_DEPLOY_RECORDS_DIR, dir, sizeof dir))
		return dr_error_set(err, DR_FAULT_INTERNAL, "cannot create %s/%s", state_dir, DR_DEPLOY_RECORDS_DIR);
	snprintf(name, sizeof name, "%s.json", request_id);
	text = json_object_to_json_string_ext(record, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(text);
	if (len > DR_DEPLOY_RECORD_BYTES_MAX)
		return dr_error_set(err, DR_FAULT_INTERNAL, "the deploy record is larger than %d bytes", DR_DEPLOY_RECORD_BYTES_MAX);
	return dr_state_replace(dir, name, text, len, durable, err);
}

int dr_deploy_record_read(const char *state_dir, const char *request_id, json_object **out, struct dr_error *err)
{
	char path[4096], *text;
	ssize_t n;
	int fd;

	*out = NULL;
	if (!dr_request_id_valid(request_id) ||
	    snprintf(path, sizeof path, "%s/%s/%s.json", state_dir, DR_DEPLOY_RECORDS_DIR, request_id) >= (int)sizeof path)
		return dr_error_set(err, DR_FAULT_NOT_FOUND, "no deploy %s in this environment", request_id);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return errno == ENOENT ? dr_error_set(err, DR_FAULT_NOT_FOUND,
						      "no deploy %s in this environment's recent deploys", request_id)
				       : dr_error_set(err, DR_FAULT_INTERNAL, "cannot read %s: %s", path, strerror(errno));
	text = malloc(DR_DEPLOY_RECORD_BYTES_MAX + 1);
	n = text ? read(fd, text, DR_DEPLOY_RECORD_BYTES_MAX + 1) : -1;
	close(fd);
	if (n >= 0 && n <= DR_DEPLOY_RECORD_BYTES_MAX) {
		text[n] = '\0';
		*out = json_tokener_parse(text);
	}
	free(text);
	if (!*out || !json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		return dr_error_set(err, DR_FAULT_INTERNAL, "the record of deploy %s cannot be read", request_id);
	}
	return 0;
}

const char *dr_deploy_record_string(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : "";
}

int dr_deploy_record_settle(json_object **recordp, const char *state_dir)
{
	struct dr_lock_info holder;
	struct dr_error ignored;
	json_object *record = *recordp, *again = NULL;
	char reason[512];
	const char *id = dr_deploy_record_string(record, "request_id");

	if (strcmp(dr_deploy_record_string(record, "status"), "running"))
		return 0;
	if (dr_lock_holder(state_dir, &holder) && !strcmp(holder.request_id, id))
		return 0;
	/* The lock went after the final record was written: the deploy may have ended just now. */
	if (!dr_deploy_record_read(state_dir, id, &again, &ignored) &&
	    strcmp(dr_deploy_record_string(again, "status"), "running")) {
		json_object_put(record);
		*recordp = again;
		return 0;
	}
	json_object_put(again);
	snprintf(reason, sizeof reason,
		 "the deploy process ended in phase %s without finishing (killed, or the host restarted); "
		 "check GET /v1/status before deploying again",
		 dr_deploy_record_string(record, "phase")[0] ? dr_deploy_record_string(record, "phase") : "unknown");
	json_object_object_add(record, "status", json_object_new_string("error"));
	json_object_object_add(record, "http_status", json_object_new_int(dr_fault_status(DR_FAULT_INTERRUPTED)));
	json_object_object_add(record, "interrupted", json_object_new_boolean(1));
	json_object_object_add(record, "reason", json_object_new_string(reason));
	json_object_object_del(record, "progress");
	return 1;
}

int dr_deploy_record_running(const char *state_dir, const struct dr_deploy_progress *p, int durable,
			     struct dr_error *err)
{
	json_object *r = json_object_new_object(), *progress;
	int rc;

	json_object_object_add(r, "request_id", json_object_new_string(p->request_id));
	json_object_object_add(r, "status", json_object_new_string("running"));
	json_object_object_add(r, "phase", json_object_new_string(p->step ? p->step : ""));
	json_object_object_add(r, "phases", json_object_get(p->phases));
	dr_reply_add_string(r, "image", p->image);
	json_object_object_add(r, "environment", json_object_new_string(p->environment));
	json_object_object_add(r, "started_at", json_object_new_string(p->started_at));
	if (p->total_bytes > 0) {
		progress = json_object_new_object();
		json_object_object_add(progress, "current_bytes", json_object_new_int64(p->current_bytes));
		json_object_object_add(progress, "total_bytes", json_object_new_int64(p->total_bytes));
		json_object_object_add(r, "progress", progress);
	}
	rc = dr_deploy_record_write(state_dir, p->request_id, r, durable, err);
	json_object_put(r);
	return rc;
}

json_object *dr_deploy_record_accepted(const char *request_id, const char *image, const char *environment,
				       char headers[DR_DEPLOY_ACCEPTED_HEADERS_MAX])
{
	json_object *body = json_object_new_object();

	snprintf(headers, DR_DEPLOY_ACCEPTED_HEADERS_MAX,
		 "Location: /v1/deploys/%s\r\nPreference-Applied: respond-async\r\n", request_id);
	json_object_object_add(body, "status", json_object_new_string("accepted"));
	json_object_object_add(body, "request_id", json_object_new_string(request_id));
	dr_reply_add_string(body, "image", image);
	dr_reply_add_string(body, "environment", environment);
	return body;
}

int dr_deploy_record_final(const char *state_dir, const char *request_id, int status, json_object *body,
			   const char *step, const char *image, const char *environment, struct dr_error *err)
{
	json_object *record = NULL;
	char now[DR_TIME_ISO_MAX];
	int rc;

	if (json_object_deep_copy(body, &record, NULL))
		return dr_error_set(err, DR_FAULT_INTERNAL, "cannot copy the answer into the deploy record");
	dr_time_iso_utc(now);
	json_object_object_add(record, "http_status", json_object_new_int(status));
	if (dr_status_success(status))
		json_object_object_add(record, "phase", json_object_new_string(step ? step : ""));
	dr_reply_add_string(record, "image", image);
	json_object_object_add(record, "environment", json_object_new_string(environment));
	json_object_object_add(record, "finished_at", json_object_new_string(now));
	rc = dr_deploy_record_write(state_dir, request_id, record, 1, err);
	json_object_put(record);
	dr_deploy_record_prune(state_dir);
	return rc;
}

void dr_deploy_record_replay(json_object *record, int *status, json_object **body,
			     char headers[DR_DEPLOY_ACCEPTED_HEADERS_MAX])
{
	json_object *v;

	headers[0] = '\0';
	if (!strcmp(dr_deploy_record_string(record, "status"), "running")) {
		*status = dr_fault_status(DR_ACCEPTED);
		*body = dr_deploy_record_accepted(dr_deploy_record_string(record, "request_id"),
						  dr_deploy_record_string(record, "image"),
						  dr_deploy_record_string(record, "environment"), headers);
		json_object_put(record);
		return;
	}
	*status = json_object_object_get_ex(record, "http_status", &v) ? json_object_get_int(v)
								      : dr_fault_status(DR_FAULT_INTERNAL);
	json_object_object_del(record, "http_status");
	json_object_object_del(record, "finished_at");
	*body = record;
}

void dr_deploy_record_sweep(const char *state_dir, const char *previous_request_id)
{
	struct dr_history_fields f = { .action = "deploy", .duration_ms = -1, .exit_code = -1, .stop_ms = -1 };
	json_object *before = NULL, *entry, *v;
	struct dr_error ignored;

	if (!previous_request_id[0] || dr_deploy_record_read(state_dir, previous_request_id, &before, &ignored) ||
	    !dr_deploy_record_settle(&before, state_dir)) {
		json_object_put(before);
		return;
	}
	dr_deploy_record_write(state_dir, previous_request_id, before, 1, &ignored);
	f.request_id = dr_deploy_record_string(before, "request_id");
	f.image = dr_deploy_record_string(before, "image");
	f.phase = dr_deploy_record_string(before, "phase");
	f.reason = dr_deploy_record_string(before, "reason");
	f.http_status = json_object_object_get_ex(before, "http_status", &v) ? json_object_get_int(v)
									  : dr_fault_status(DR_FAULT_INTERRUPTED);
	f.interrupted = 1;
	entry = dr_history_entry(&f);
	dr_history_append(state_dir, entry, &ignored);
	json_object_put(entry);
	json_object_put(before);
}

struct record_entry {
	char name[DR_REQUEST_ID_LEN + 8];
	time_t mtime;
};

static int record_older_first(const void *a, const void *b)
{
	const struct record_entry *x = a, *y = b;

	return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

/* "REQUEST-ID BODY-DIGEST\n" as dr_idempotency_remember writes it into the two buffers (80 and
 * DR_BODY_DIGEST_LEN + 1 bytes); 1 when it is that, else 0. */
static int idempotency_fields(const char *text, char request_id[80], char body_digest[DR_BODY_DIGEST_LEN + 1])
{
	size_t id_len = strcspn(text, " "), digest_len;
	const char *digest = text + id_len + 1;

	if (text[id_len] != ' ' || id_len >= 80)
		return 0;
	digest_len = strcspn(digest, " \n");
	if (digest_len != DR_BODY_DIGEST_LEN || (digest[digest_len] && strcmp(digest + digest_len, "\n")))
		return 0;
	memcpy(request_id, text, id_len);
	request_id[id_len] = '\0';
	memcpy(body_digest, digest, digest_len);
	body_digest[digest_len] = '\0';
	return dr_request_id_valid(request_id);
}

/* Files of dir named like a record (or a key), with their times, into list; their number. */
static size_t record_list(const char *dir, struct record_entry *list, size_t cap, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < cap) {
		size_t len = strlen(e->d_name), slen = strlen(suffix);
		if (e->d_name[0] == '.' || len < slen || strcmp(e->d_name + len - slen, suffix) ||
		    len >= sizeof list[n].name || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		memcpy(list[n].name, e->d_name, len + 1);
		list[n++].mtime = st.st_mtime;
	}
	closedir(d);
	return n;
}

void dr_deploy_record_prune(const char *state_dir)
{
	static struct record_entry list[DR_DEPLOY_RECORDS_MAX * 2];
	char dir[4096], path[4300];
	time_t now = time(NULL);
	size_t n, i;

	if (snprintf(dir, sizeof dir, "%s/%s", state_dir, DR_DEPLOY_RECORDS_DIR) < (int)sizeof dir &&
	    (n = record_list(dir, list, sizeof list / sizeof *list, ".json")) > DR_DEPLOY_RECORDS_MAX) {
		qsort(list, n, sizeof *list, record_older_first);
		for (i = 0; i < n - DR_DEPLOY_RECORDS_MAX; i++)
			if (snprintf(path, sizeof path, "%s/%s", dir, list[i].name) < (int)sizeof path)
				unlink(path);
	}
	if (snprintf(dir, sizeof dir, "%s/%s", state_dir, DR_IDEMPOTENCY_DIR) < (int)sizeof dir) {
		n = record_list(dir, list, sizeof list / sizeof *list, "");
		for (i = 0; i < n; i++)
			if (now - list[i].mtime > DR_IDEMPOTENCY_SECONDS &&
			    snprintf(path, sizeof path, "%s/%s", dir, list[i].name) < (int)sizeof path)
				unlink(path);
	}
}

int dr_idempotency_key_valid(const char *key)
{
	size_t len = key ? strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") : 0;

	return len > 0 && len <= DR_IDEMPOTENCY_KEY_MAX && key[len] == '\0';
}

int dr_idempotency_find(const char *state_dir, const char *key, char request_id[80],
			char body_digest[DR_BODY_DIGEST_LEN + 1])
{
	char path[4096], text[256];
	struct stat st;
	ssize_t n;
	int fd, found = 0;

	if (!dr_idempotency_key_valid(key) ||
	    snprintf(path, sizeof path, "%s/%s/key-%s", state_dir, DR_IDEMPOTENCY_DIR, key) >= (int)sizeof path ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return 0;
	n = fstat(fd, &st) == 0 && time(NULL) - st.st_mtime <= DR_IDEMPOTENCY_SECONDS ? read(fd, text, sizeof text - 1) : -1;
	close(fd);
	if (n > 0) {
		text[n] = '\0';
		found = idempotency_fields(text, request_id, body_digest);
	}
	return found;
}

int dr_idempotency_remember(const char *state_dir, const char *key, const char *request_id,
			    const char *body_digest, struct dr_error *err)
{
	char dir[4096], name[DR_IDEMPOTENCY_KEY_MAX + 8], text[160];
	int len;

	if (!dr_idempotency_key_valid(key) || record_dir(state_dir, DR_IDEMPOTENCY_DIR, dir, sizeof dir))
		return dr_error_set(err, DR_FAULT_INTERNAL, "cannot create %s/%s", state_dir, DR_IDEMPOTENCY_DIR);
	snprintf(name, sizeof name, "key-%s", key);
	len = snprintf(text, sizeof text, "%s %s\n", request_id, body_digest);
	return dr_state_replace(dir, name, text, (size_t)len, 1, err);
}
