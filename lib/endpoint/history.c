/* history.c: the append-only deploy history. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "history.h"
#include "reply.h"
#include "state.h"
#include "status.h"

static int history_path(const char *state_dir, char path[4096])
{
	return snprintf(path, 4096, "%s/%s", state_dir, DR_HISTORY_FILE) >= 4096 ? -1 : 0;
}

/* Open the history for appending with its flock held; reopen when a rotation replaced it meanwhile. */
static int history_open_locked(const char *path)
{
	struct stat held, named;
	int fd, tries;

	for (tries = 0; tries < 8; tries++) {
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX) == 0 && fstat(fd, &held) == 0 && stat(path, &named) == 0 &&
		    held.st_ino == named.st_ino && held.st_dev == named.st_dev)
			return fd;
		close(fd);
	}
	errno = EAGAIN;
	return -1;
}

/* 1 when the file is empty or ends with a newline. */
static int history_ends_clean(int fd, off_t size)
{
	char last = '\n';

	return size == 0 || (pread(fd, &last, 1, size - 1) == 1 && last == '\n');
}

/* Read up to cap bytes from the end of fd into a malloc'd NUL-terminated buffer; *len gets its size. */
static char *history_read_tail(int fd, size_t cap, size_t *len)
{
	struct stat st;
	off_t from;
	char *text;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return NULL;
	from = st.st_size > (off_t)cap ? st.st_size - (off_t)cap : 0;
	if (!(text = malloc((size_t)(st.st_size - from) + 1)))
		return NULL;
	n = pread(fd, text, (size_t)(st.st_size - from), from);
	if (n < 0) {
		free(text);
		return NULL;
	}
	text[n] = '\0';
	*len = (size_t)n;
	return text;
}

/* Keep the newest half (from a line start) when the file has grown past the cap. */
static int history_rotate(const char *state_dir, int fd, struct dr_error *err)
{
	size_t len = 0;
	char *text = history_read_tail(fd, DR_HISTORY_BYTES_MAX / 2, &len);
	const char *keep;
	int rc;

	if (!text)
		return dr_error_set(err, DR_FAULT_INTERNAL, "cannot read the deploy history to shorten it: %s", strerror(errno));
	keep = memchr(text, '\n', len);
	keep = keep ? keep + 1 : text + len;
	rc = dr_state_write_atomic(state_dir, DR_HISTORY_FILE, keep, len - (size_t)(keep - text), err);
	free(text);
	return rc;
}

/* The entry as one line; a long one loses its reason first. */
static const char *history_line(json_object *entry, size_t *len)
{
	const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
	const char *text = json_object_to_json_string_ext(entry, flags);

	if (strlen(text) > DR_HISTORY_LINE_MAX) {
		json_object_object_add(entry, "reason", json_object_new_string("(too long for the history; see the journal)"));
		text = json_object_to_json_string_ext(entry, flags);
	}
	*len = strlen(text);
	return text;
}

int dr_history_append(const char *state_dir, json_object *entry, struct dr_error *err)
{
	char path[4096], *line;
	const char *text;
	struct stat st;
	size_t len, at = 0;
	int fd, rc = DR_FAULT_INTERNAL;

	if (history_path(state_dir, path))
		return dr_error_set(err, DR_FAULT_INTERNAL, "state path too long under %s", state_dir);
	if ((fd = history_open_locked(path)) < 0)
		return dr_error_set(err, DR_FAULT_INTERNAL, "cannot open the deploy history %s: %s", path, strerror(errno));
	text = history_line(entry, &len);
	if (fstat(fd, &st) < 0 || !(line = malloc(len + 2))) {
		dr_error_set(err, DR_FAULT_INTERNAL, "cannot append to the deploy history %s", path);
		goto done;
	}
	/* After a torn line, start a fresh one so that only the torn entry is lost. */
	if (!history_ends_clean(fd, st.st_size))
		line[at++] = '\n';
	memcpy(line + at, text, len);
	line[at + len] = '\n';
	if (write(fd, line, at + len + 1) != (ssize_t)(at + len + 1) || fsync(fd) < 0)
		dr_error_set(err, DR_FAULT_INTERNAL, "cannot append to the deploy history %s: %s", path, strerror(errno));
	else if (st.st_size + (off_t)(at + len + 1) > DR_HISTORY_BYTES_MAX)
		rc = history_rotate(state_dir, fd, err);
	else
		rc = 0;
	free(line);
done:
	close(fd);
	return rc;
}

/* Parse one line; NULL unless it is a whole JSON object. */
static json_object *history_parse_line(json_tokener *tok, const char *line, size_t len)
{
	json_object *o;

	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (o && json_tokener_get_error(tok) == json_tokener_success && json_tokener_get_parse_end(tok) == len &&
	    json_object_is_type(o, json_type_object))
		return o;
	json_object_put(o);
	return NULL;
}

int dr_history_read(const char *state_dir, int limit, json_object **out, struct dr_error *err)
{
	char path[4096], *text;
	size_t len = 0, end;
	json_tokener *tok;
	int fd;

	*out = json_object_new_array();
	if (history_path(state_dir, path))
		return dr_error_set(err, DR_FAULT_INTERNAL, "state path too long under %s", state_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return 0;
	text = fd < 0 ? NULL : history_read_tail(fd, DR_HISTORY_BYTES_MAX + DR_HISTORY_LINE_MAX, &len);
	if (fd >= 0)
		close(fd);
	if (!text || !(tok = json_tokener_new_ex(8))) {
		free(text);
		return dr_error_set(err, DR_FAULT_INTERNAL, "cannot read the deploy history %s: %s", path, strerror(errno));
	}
	/* Only newline-terminated lines are whole; walk them from the newest. */
	end = len;
	while (end > 0 && text[end - 1] != '\n')
		end--;
	while (end > 0 && (int)json_object_array_length(*out) < limit) {
		size_t start = end - 1;
		json_object *o;
		while (start > 0 && text[start - 1] != '\n')
			start--;
		if ((o = history_parse_line(tok, text + start, end - 1 - start)))
			json_object_array_add(*out, o);
		end = start;
	}
	json_tokener_free(tok);
	free(text);
	return 0;
}

json_object *dr_history_entry(const struct dr_history_fields *f)
{
	json_object *e = json_object_new_object();
	char now[DR_TIME_ISO_MAX];

	dr_time_iso_utc(now);
	dr_reply_add_string(e, "time", now);
	dr_reply_add_string(e, "request_id", f->request_id);
	dr_reply_add_string(e, "client_id", f->client_id);
	dr_reply_add_string(e, "action", f->action);
	dr_reply_add_string(e, "image", f->image);
	dr_reply_add_string(e, "image_digest", f->image_digest);
	dr_reply_add_string(e, "previous_digest", f->previous_digest);
	dr_reply_add_string(e, "result", dr_status_success(f->http_status) ? "ok" : "error");
	json_object_object_add(e, "http_status", json_object_new_int(f->http_status));
	dr_reply_add_string(e, "phase", f->phase);
	dr_reply_add_string(e, "reason", f->reason);
	if (f->duration_ms >= 0)
		json_object_object_add(e, "duration_ms", json_object_new_int64(f->duration_ms));
	if (f->exit_code >= 0)
		json_object_object_add(e, "exit_code", json_object_new_int64(f->exit_code));
	if (f->stop_ms >= 0) {
		json_object_object_add(e, "stop_duration_ms", json_object_new_int64(f->stop_ms));
		json_object_object_add(e, "stop_killed", json_object_new_boolean(f->stop_killed));
	}
	if (f->pruned)
		json_object_object_add(e, "pruned", json_tokener_parse(f->pruned));
	if (f->signature)
		json_object_object_add(e, "signature", json_object_get(f->signature));
	if (f->interrupted)
		json_object_object_add(e, "interrupted", json_object_new_boolean(1));
	return e;
}
