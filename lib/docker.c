/* docker.c: Docker Engine API client. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "clock.h"
#include "docker.h"
#include "image_ref.h"
#include "jsonstr.h"
#include "number.h"

#define DR_DOCKER_ENV_ITEM_MAX 4160  /* NAME=value: a runtime line and its name */
#define DR_DOCKER_BIND_MAX 4200      /* host:container */

struct docker_pull_state {
	struct dr_buf line;  /* the unfinished line of the progress stream */
	char error[512];     /* first error the stream reported */
	char message[512];   /* Docker's {"message"} when the pull is refused outright */
};

static size_t docker_collect(char *p, size_t size, size_t n, void *userdata)
{
	struct dr_buf *b = userdata;

	return dr_buf_add(b, p, size * n) ? 0 : size * n;
}

static size_t docker_ping_header(char *p, size_t size, size_t n, void *userdata)
{
	char *api = userdata;
	size_t len = size * n;
	const char *name = "Api-Version:";
	size_t nlen = strlen(name);

	if (len > nlen && !strncasecmp(p, name, nlen)) {
		size_t i = nlen, j = 0;
		while (i < len && p[i] == ' ')
			i++;
		api[j++] = 'v';
		while (i < len && j < 15 && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.'))
			api[j++] = p[i++];
		api[j] = '\0';
	}
	return len;
}

/* Compare dotted versions a and b (without the leading v). */
static int docker_version_cmp(const char *a, const char *b)
{
	long amaj = strtol(a, (char **)&a, 10), bmaj = strtol(b, (char **)&b, 10);
	long amin = *a == '.' ? strtol(a + 1, NULL, 10) : 0;
	long bmin = *b == '.' ? strtol(b + 1, NULL, 10) : 0;

	if (amaj != bmaj)
		return amaj < bmaj ? -1 : 1;
	return amin < bmin ? -1 : amin > bmin;
}

static int docker_unreachable(struct dr_docker *d, CURLcode rc, struct dr_error *err)
{
	return dr_error_set(err, 503, "Docker engine unreachable at %s: %s", d->socket_path,
			    d->error_buffer[0] ? d->error_buffer : curl_easy_strerror(rc));
}

/* One request; the response body lands in d->body. Returns 0 (any HTTP status) or 503. */
static int docker_call_ms(struct dr_docker *d, const char *method, const char *path, const char *json,
			  long timeout_ms, CURLcode *transport, struct dr_error *err)
{
	CURL *c = d->curl;
	struct curl_slist *headers = NULL;
	char url[4096];
	CURLcode rc;

	if (snprintf(url, sizeof url, "http://docker/%s%s", d->api, path) >= (int)sizeof url)
		return dr_error_set(err, 500, "Docker request path too long");
	dr_buf_reset(&d->body);
	d->error_buffer[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, docker_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &d->body);
	for (struct curl_slist *h = d->extra_headers; h; h = h->next)
		headers = curl_slist_append(headers, h->data);
	if (json) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
	} else if (!strcmp(method, "POST")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	rc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	if (transport)
		*transport = rc;
	if (rc != CURLE_OK)
		return docker_unreachable(d, rc, err);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &d->status);
	return 0;
}

static int docker_call(struct dr_docker *d, const char *method, const char *path, const char *json, long timeout_s,
		       struct dr_error *err)
{
	return docker_call_ms(d, method, path, json, timeout_s * 1000, NULL, err);
}

/* Docker's {"message": ...} from the last body, or a generic text. */
static const char *docker_message(struct dr_docker *d, char *out, size_t cap)
{
	json_object *o = json_tokener_parse(dr_buf_str(&d->body));
	json_object *m;

	snprintf(out, cap, "HTTP %ld", d->status);
	if (o && json_object_object_get_ex(o, "message", &m) && json_object_is_type(m, json_type_string))
		snprintf(out, cap, "%s", json_object_get_string(m));
	json_object_put(o);
	return out;
}

static int docker_fail(struct dr_docker *d, int status, const char *what, struct dr_error *err)
{
	char msg[512];

	return dr_error_set(err, status, "Docker %s failed: %s", what, docker_message(d, msg, sizeof msg));
}

/* curl_easy_escape into a caller buffer. */
static int docker_escape(struct dr_docker *d, const char *s, char *out, size_t cap)
{
	char *e = curl_easy_escape(d->curl, s, 0);
	int rc = e ? dr_strlcpy(out, e, cap) : -1;

	curl_free(e);
	return rc;
}

/* "X-Registry-Auth: value" into header; 0, or 500 when it would not fit. */
static int docker_auth_header(const char *auth, const char *repository, char *header, size_t cap, struct dr_error *err)
{
	if (snprintf(header, cap, "X-Registry-Auth: %s", auth) < (int)cap)
		return 0;
	explicit_bzero(header, cap);
	return dr_error_set(err, 500, "registry credentials for %s are longer than %zu bytes once encoded", repository,
			    cap - 18);
}

/* METHOD on /containers/{name, URL-encoded}{suffix}; 0 (any HTTP status) or a status. */
static int docker_container_call(struct dr_docker *d, const char *method, const char *name, const char *suffix,
				 long timeout_ms, CURLcode *transport, struct dr_error *err)
{
	char esc[512], path[1024];

	if (docker_escape(d, name, esc, sizeof esc))
		return dr_error_set(err, 500, "container name too long for a Docker request");
	snprintf(path, sizeof path, "/containers/%s%s", esc, suffix);
	return docker_call_ms(d, method, path, NULL, timeout_ms, transport, err);
}

int dr_docker_open(struct dr_docker *d, const char *socket_path, struct dr_error *err)
{
	CURL *c;
	CURLcode rc;
	char url[] = "http://docker/_ping";

	memset(d, 0, sizeof *d);
	dr_buf_init(&d->body, DR_DOCKER_BODY_MAX);
	if (dr_strlcpy(d->socket_path, socket_path, sizeof d->socket_path))
		return dr_error_set(err, 500, "DOCKER_HOST socket path too long");
	c = d->curl = curl_easy_init();
	if (!c)
		return dr_error_set(err, 500, "cannot initialise libcurl");
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, d->socket_path);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, d->error_buffer);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, docker_ping_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, (void *)d->api);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, docker_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &d->body);
	rc = curl_easy_perform(c);
	/* With HEADERDATA left set, libcurl would feed headers to the write callback. */
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, NULL);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, NULL);
	if (rc != CURLE_OK)
		return docker_unreachable(d, rc, err);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &d->status);
	if (d->status != 200 || !d->api[0])
		return dr_error_set(err, 503, "Docker engine at %s did not answer /_ping (HTTP %ld)", socket_path, d->status);
	if (docker_version_cmp(d->api + 1, DR_DOCKER_API_MIN) < 0)
		return dr_error_set(err, 503, "Docker engine API %s is older than %s", d->api + 1, DR_DOCKER_API_MIN);
	if (docker_version_cmp(d->api + 1, DR_DOCKER_API_MAX) > 0)
		snprintf(d->api, sizeof d->api, "v%s", DR_DOCKER_API_MAX);
	return 0;
}

void dr_docker_close(struct dr_docker *d)
{
	if (!d)
		return;
	if (d->curl)
		curl_easy_cleanup(d->curl);
	d->curl = NULL;
	dr_buf_free(&d->body);
}

static int docker_inspect(struct dr_docker *d, const char *kind, const char *name, json_object **out,
			  struct dr_error *err)
{
	char esc[1024], path[1200];
	int rc;

	*out = NULL;
	if (docker_escape(d, name, esc, sizeof esc))
		return dr_error_set(err, 500, "name too long for a Docker request");
	snprintf(path, sizeof path, "/%s/%s/json", kind, esc);
	if ((rc = docker_call(d, "GET", path, NULL, DR_DOCKER_CALL_TIMEOUT, err)))
		return rc;
	if (d->status == 404)
		return DR_DOCKER_NOT_FOUND;
	if (d->status != 200)
		return docker_fail(d, 500, "inspect", err);
	*out = json_tokener_parse(dr_buf_str(&d->body));
	if (!*out)
		return dr_error_set(err, 500, "Docker inspect returned malformed JSON");
	return 0;
}

/* A string member of o at key (o may be NULL), or NULL. */
static const char *docker_str(json_object *o, const char *key)
{
	json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* An integer member of o at key, or fallback. */
static long docker_long(json_object *o, const char *key, long fallback)
{
	json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int))
		return (long)json_object_get_int64(v);
	return fallback;
}

/* An object member of o at key, or NULL. */
static json_object *docker_obj(json_object *o, const char *key)
{
	json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_object))
		return v;
	return NULL;
}

/* Copy a Docker string into a field; one too long for it is left empty, never cut. */
static void docker_copy(char *dst, size_t cap, const char *src)
{
	if (!src || dr_strlcpy(dst, src, cap))
		dst[0] = '\0';
}

/* The last DR_HEALTH_LOG_MAX outputs of State.Health.Log, trimmed of trailing newlines. */
static void docker_health_log(json_object *health, struct dr_container_state *out)
{
	json_object *log = NULL;
	size_t n, i;

	if (!health || !json_object_object_get_ex(health, "Log", &log) || !json_object_is_type(log, json_type_array))
		return;
	n = json_object_array_length(log);
	for (i = n > DR_HEALTH_LOG_MAX ? n - DR_HEALTH_LOG_MAX : 0; i < n; i++) {
		const char *text = docker_str(json_object_array_get_idx(log, i), "Output");
		char *line = out->health_log[out->health_log_count];
		size_t len;
		if (!text)
			continue;
		snprintf(line, DR_HEALTH_OUTPUT_MAX, "%s", text);
		len = strlen(line);
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		dr_utf8_sanitize(line);
		out->health_log_count++;
	}
}

int dr_docker_container_state(struct dr_docker *d, const char *name, struct dr_container_state *out,
			      struct dr_error *err)
{
	json_object *c = NULL, *state, *config, *labels;
	int rc;

	memset(out, 0, sizeof *out);
	out->exit_code = -1;
	if ((rc = docker_inspect(d, "containers", name, &c, err)))
		return rc;
	state = docker_obj(c, "State");
	config = docker_obj(c, "Config");
	labels = docker_obj(config, "Labels");
	docker_copy(out->id, sizeof out->id, docker_str(c, "Id"));
	docker_copy(out->status, sizeof out->status, docker_str(state, "Status"));
	if (!out->status[0])
		docker_copy(out->status, sizeof out->status, "unknown");
	out->running = !strcmp(out->status, "running");
	out->exit_code = docker_long(state, "ExitCode", -1);
	out->restart_count = docker_long(c, "RestartCount", 0);
	docker_copy(out->started_at, sizeof out->started_at, docker_str(state, "StartedAt"));
	docker_copy(out->finished_at, sizeof out->finished_at, docker_str(state, "FinishedAt"));
	docker_copy(out->image, sizeof out->image, docker_str(config, "Image"));
	docker_copy(out->image_id, sizeof out->image_id, docker_str(c, "Image"));
	docker_copy(out->health, sizeof out->health, docker_str(docker_obj(state, "Health"), "Status"));
	docker_health_log(docker_obj(state, "Health"), out);
	docker_copy(out->label_environment, sizeof out->label_environment, docker_str(labels, DR_LABEL_ENVIRONMENT));
	docker_copy(out->label_image, sizeof out->label_image, docker_str(labels, DR_LABEL_IMAGE));
	docker_copy(out->label_image_digest, sizeof out->label_image_digest, docker_str(labels, DR_LABEL_IMAGE_DIGEST));
	docker_copy(out->label_request_id, sizeof out->label_request_id, docker_str(labels, DR_LABEL_REQUEST_ID));
	json_object_put(c);
	return 0;
}

/* Whether entry is repository@sha256:<64 hex>, or any name@ one when repository is NULL. */
static const char *docker_repo_digest(const char *entry, const char *repository)
{
	const char *at = strrchr(entry, '@');
	size_t rlen = repository ? strlen(repository) : 0;

	if (!at || (repository && ((size_t)(at - entry) != rlen || strncmp(entry, repository, rlen))))
		return NULL;
	return dr_image_digest_valid(at + 1) ? at + 1 : NULL;
}

int dr_docker_image_digest(struct dr_docker *d, const char *ref_or_id, const char *repository, const char *wanted,
			   char digest_out[DR_DOCKER_DIGEST_MAX], struct dr_error *err)
{
	json_object *image = NULL, *digests;
	const char *first = NULL, *match = NULL, *dg;
	size_t i, n;
	int rc;

	digest_out[0] = '\0';
	if ((rc = docker_inspect(d, "images", ref_or_id, &image, err)))
		return rc;
	digests = json_object_object_get_ex(image, "RepoDigests", &digests) &&
		  json_object_is_type(digests, json_type_array) ? digests : NULL;
	n = digests ? json_object_array_length(digests) : 0;
	for (i = 0; i < n && !match; i++) {
		json_object *e = json_object_array_get_idx(digests, i);
		if (!json_object_is_type(e, json_type_string) || !(dg = docker_repo_digest(json_object_get_string(e), repository)))
			continue;
		if (!first)
			first = dg;
		if (wanted && wanted[0] && !strcmp(dg, wanted))
			match = dg;
	}
	if (match || first)
		dr_strlcpy(digest_out, match ? match : first, DR_DOCKER_DIGEST_MAX);
	json_object_put(image);
	return 0;
}

/* Look at one complete progress line; remember the first error it reports. */
static void docker_pull_line(struct docker_pull_state *st, const char *line)
{
	json_object *o, *e;

	if (st->error[0] || !line[0])
		return;
	o = json_tokener_parse(line);
	if (o && !st->message[0] && json_object_object_get_ex(o, "message", &e))
		snprintf(st->message, sizeof st->message, "%s", json_object_get_string(e));
	if (o && (json_object_object_get_ex(o, "error", &e) || json_object_object_get_ex(o, "errorDetail", &e))) {
		json_object *m = NULL;
		if (json_object_is_type(e, json_type_object))
			json_object_object_get_ex(e, "message", &m);
		snprintf(st->error, sizeof st->error, "%s", json_object_get_string(m ? m : e));
	}
	json_object_put(o);
}

/* The pull answers 200 and then streams progress; errors can arrive in any line. */
static size_t docker_pull_stream(char *p, size_t size, size_t n, void *userdata)
{
	struct docker_pull_state *st = userdata;
	size_t len = size * n, i, start = 0;

	for (i = 0; i < len; i++) {
		if (p[i] != '\n')
			continue;
		if (dr_buf_add(&st->line, p + start, i - start))
			return 0;
		docker_pull_line(st, dr_buf_str(&st->line));
		dr_buf_reset(&st->line);
		start = i + 1;
	}
	return dr_buf_add(&st->line, p + start, len - start) ? 0 : len;
}

int dr_docker_image_pull(struct dr_docker *d, const char *repository, const char *tag_or_digest, const char *auth,
			 struct dr_error *err)
{
	struct docker_pull_state st = { .error = "", .message = "" };
	struct curl_slist *headers = NULL;
	char repo_esc[600], tag_esc[300], url[1200], header[8300];
	CURL *c = d->curl;
	CURLcode rc;
	int status = 0;

	if (!tag_or_digest[0])
		return dr_error_set(err, 500, "refusing a pull without tag: it would fetch every tag");
	if (docker_escape(d, repository, repo_esc, sizeof repo_esc) || docker_escape(d, tag_or_digest, tag_esc, sizeof tag_esc))
		return dr_error_set(err, 500, "image reference too long for a Docker request");
	snprintf(url, sizeof url, "http://docker/%s/images/create?fromImage=%s&tag=%s", d->api, repo_esc, tag_esc);
	if (auth && (status = docker_auth_header(auth, repository, header, sizeof header, err)))
		return status;
	dr_buf_init(&st.line, DR_DOCKER_BODY_MAX);
	if (auth)
		headers = curl_slist_append(headers, header);
	d->error_buffer[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "POST");
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, DR_DOCKER_PULL_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, docker_pull_stream);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
	rc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	explicit_bzero(header, sizeof header);
	if (rc != CURLE_OK) {
		status = docker_unreachable(d, rc, err);
		goto done;
	}
	docker_pull_line(&st, dr_buf_str(&st.line));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &d->status);
	if (d->status != 200 && !st.error[0])
		snprintf(st.error, sizeof st.error, "%s", st.message[0] ? st.message : "Docker answered an error status");
	if (st.error[0])
		status = dr_error_set(err, 502, "pull of %s:%s failed: %s", repository, tag_or_digest, st.error);
done:
	curl_slist_free_all(headers);
	dr_buf_free(&st.line);
	return status;
}

int dr_docker_registry_digest(struct dr_docker *d, const char *repository, const char *tag_or_digest,
			      const char *auth, char digest_out[DR_DOCKER_DIGEST_MAX], struct dr_error *err)
{
	char ref[800], esc[1600], path[1700], header[8300], msg[512];
	struct curl_slist *headers = NULL;
	json_object *o = NULL;
	const char *digest;
	int rc;

	digest_out[0] = '\0';
	if (snprintf(ref, sizeof ref, "%s%s%s", repository, !strncmp(tag_or_digest, "sha256:", 7) ? "@" : ":",
		     tag_or_digest) >= (int)sizeof ref || docker_escape(d, ref, esc, sizeof esc))
		return dr_error_set(err, 500, "image reference too long for a Docker request");
	if (auth && (rc = docker_auth_header(auth, repository, header, sizeof header, err)))
		return rc;
	if (auth)
		headers = curl_slist_append(headers, header);
	explicit_bzero(header, sizeof header);
	snprintf(path, sizeof path, "/distribution/%s/json", esc);
	d->extra_headers = headers;
	rc = docker_call(d, "GET", path, NULL, DR_DOCKER_CALL_TIMEOUT, err);
	d->extra_headers = NULL;
	curl_slist_free_all(headers);
	if (rc)
		return rc;
	if (d->status != 200)
		return dr_error_set(err, 502, "the registry does not resolve %s: %s", ref, docker_message(d, msg, sizeof msg));
	o = json_tokener_parse(dr_buf_str(&d->body));
	digest = docker_str(docker_obj(o, "Descriptor"), "digest");
	rc = digest && dr_image_digest_valid(digest) ? 0 : dr_error_set(err, 502, "the registry gave no digest for %s", ref);
	if (!rc)
		dr_strlcpy(digest_out, digest, DR_DOCKER_DIGEST_MAX);
	json_object_put(o);
	return rc;
}

static int docker_stop_call(struct dr_docker *d, const char *name, long timeout_s, struct dr_error *err)
{
	char suffix[32];
	int rc;

	snprintf(suffix, sizeof suffix, "/stop?t=%ld", timeout_s);
	if ((rc = docker_container_call(d, "POST", name, suffix, (timeout_s + DR_DOCKER_CALL_TIMEOUT) * 1000, NULL, err)))
		return rc;
	if (d->status == 204 || d->status == 304 || d->status == 404)
		return 0;
	return docker_fail(d, 500, "stop", err);
}

int dr_docker_container_stop(struct dr_docker *d, const char *name, long timeout_s, struct dr_stop_report *report,
			     struct dr_error *err)
{
	static struct dr_container_state state;
	long long started;
	int rc;

	if (!report)
		return docker_stop_call(d, name, timeout_s, err);
	memset(report, 0, sizeof *report);
	rc = dr_docker_container_state(d, name, &state, err);
	if (rc == DR_DOCKER_NOT_FOUND || (!rc && !state.running))
		return docker_stop_call(d, name, timeout_s, err);
	if (rc)
		return rc;
	report->was_running = 1;
	started = dr_now_ms();
	if ((rc = docker_stop_call(d, name, timeout_s, err)))
		return rc;
	report->duration_ms = dr_now_ms() - started;
	/* SIGKILL shows as exit code 137; only the timeout makes the engine send it. */
	if (dr_docker_container_state(d, name, &state, err) == 0)
		report->killed = state.exit_code == 137 && report->duration_ms >= timeout_s * 1000;
	return 0;
}

int dr_docker_container_remove(struct dr_docker *d, const char *name, struct dr_error *err)
{
	int rc = docker_container_call(d, "DELETE", name, "?force=true", DR_DOCKER_CALL_TIMEOUT * 1000, NULL, err);

	if (rc)
		return rc;
	if (d->status == 204 || d->status == 404)
		return 0;
	return docker_fail(d, 500, "remove", err);
}

/* "a:b" or "a=b" as a JSON string; NULL when it would be longer than cap. */
static json_object *docker_pair(const char *a, char sep, const char *b, size_t cap)
{
	size_t alen = strlen(a), blen = strlen(b);
	json_object *o;
	char *item;

	if (alen + 1 + blen > cap || !(item = malloc(alen + blen + 2)))
		return NULL;
	memcpy(item, a, alen);
	item[alen] = sep;
	memcpy(item + alen + 1, b, blen + 1);
	o = json_object_new_string_len(item, (int)(alen + 1 + blen));
	/* Env items carry the runtime's secrets. */
	explicit_bzero(item, alen + blen + 2);
	free(item);
	return o;
}

static void docker_label(json_object *labels, const char *name, const char *value)
{
	if (value)
		json_object_object_add(labels, name, json_object_new_string(value));
}

/* The create body for spec, or NULL with err set when a value does not fit. */
static json_object *docker_create_body(const struct dr_container_spec *spec, struct dr_error *err)
{
	json_object *body = json_object_new_object(), *env = json_object_new_array();
	json_object *binds = json_object_new_array(), *labels = json_object_new_object();
	json_object *host = json_object_new_object(), *restart = json_object_new_object(), *item;
	int i;

	json_object_object_add(body, "Image", json_object_new_string(spec->image));
	json_object_object_add(body, "Env", env);
	json_object_object_add(body, "Labels", labels);
	json_object_object_add(body, "HostConfig", host);
	json_object_object_add(host, "Binds", binds);
	json_object_object_add(host, "RestartPolicy", restart);
	for (i = 0; i < spec->env_count && i < DR_CONTAINER_ENV_MAX; i++) {
		if (!(item = docker_pair(spec->env_names[i], '=', spec->env_values[i], DR_DOCKER_ENV_ITEM_MAX)))
			goto too_long;
		json_object_array_add(env, item);
	}
	for (i = 0; i < spec->bind_count && i < DR_CONTAINER_BINDS_MAX; i++) {
		if (!(item = docker_pair(spec->binds[i].host, ':', spec->binds[i].container, DR_DOCKER_BIND_MAX)))
			goto too_long;
		json_object_array_add(binds, item);
	}
	json_object_object_add(restart, "Name", json_object_new_string(spec->restart_policy));
	if (spec->network)
		json_object_object_add(host, "NetworkMode", json_object_new_string(spec->network));
	docker_label(labels, DR_LABEL_ENVIRONMENT, spec->label_environment);
	docker_label(labels, DR_LABEL_IMAGE, spec->label_image);
	docker_label(labels, DR_LABEL_IMAGE_DIGEST, spec->label_image_digest);
	docker_label(labels, DR_LABEL_REQUEST_ID, spec->label_request_id);
	return body;
too_long:
	json_object_put(body);
	dr_error_set(err, 500, "a container %s is longer than %d bytes", i < spec->env_count ? "variable" : "bind",
		     i < spec->env_count ? DR_DOCKER_ENV_ITEM_MAX : DR_DOCKER_BIND_MAX);
	return NULL;
}

int dr_docker_container_create(struct dr_docker *d, const char *name, const struct dr_container_spec *spec,
			       char id_out[DR_DOCKER_ID_MAX], struct dr_error *err)
{
	char esc[512], path[700];
	json_object *body, *o;
	const char *text, *id;
	int rc;

	if (docker_escape(d, name, esc, sizeof esc))
		return dr_error_set(err, 500, "container name too long");
	if (!(body = docker_create_body(spec, err)))
		return 500;
	snprintf(path, sizeof path, "/containers/create?name=%s", esc);
	text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	rc = docker_call(d, "POST", path, text, DR_DOCKER_CALL_TIMEOUT, err);
	explicit_bzero((char *)text, strlen(text));
	json_object_put(body);
	if (rc)
		return rc;
	if (d->status != 201)
		return docker_fail(d, 500, "create", err);
	o = json_tokener_parse(dr_buf_str(&d->body));
	id = docker_str(o, "Id");
	rc = 0;
	if (!id || !id[0] || dr_strlcpy(id_out, id, DR_DOCKER_ID_MAX))
		rc = dr_error_set(err, 500, "Docker create returned no container id");
	json_object_put(o);
	return rc;
}

int dr_docker_container_start(struct dr_docker *d, const char *id, struct dr_error *err)
{
	int rc = docker_container_call(d, "POST", id, "/start", DR_DOCKER_CALL_TIMEOUT * 1000, NULL, err);

	if (rc)
		return rc;
	if (d->status == 204 || d->status == 304)
		return 0;
	return docker_fail(d, 500, "start", err);
}

int dr_docker_container_wait_exit(struct dr_docker *d, const char *id, long timeout_ms, long *exit_code,
				  struct dr_error *err)
{
	json_object *o, *code;
	CURLcode transport = CURLE_OK;
	int rc = docker_container_call(d, "POST", id, "/wait?condition=next-exit", timeout_ms, &transport, err);

	if (rc && transport == CURLE_OPERATION_TIMEDOUT)
		return DR_DOCKER_STILL_RUNNING;
	if (rc)
		return rc;
	if (d->status != 200)
		return docker_fail(d, 500, "wait", err);
	o = json_tokener_parse(dr_buf_str(&d->body));
	*exit_code = -1;
	if (o && json_object_object_get_ex(o, "StatusCode", &code))
		*exit_code = json_object_get_int64(code);
	json_object_put(o);
	return 0;
}

/* The exitCode attribute of the first die event in the stream of JSON lines in text, or -1. */
static long docker_first_die_code(const char *text)
{
	json_tokener *tok = json_tokener_new();
	json_object *ev, *v;
	long code = -1;
	const char *p = text;

	while (tok && code < 0 && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		long n;
		json_tokener_reset(tok);
		ev = json_tokener_parse_ex(tok, p, (int)len);
		if (ev && json_object_object_get_ex(ev, "Actor", &v) && json_object_object_get_ex(v, "Attributes", &v) &&
		    json_object_object_get_ex(v, "exitCode", &v) && json_object_is_type(v, json_type_string) &&
		    !dr_parse_long(json_object_get_string(v), 0, 255, &n))
			code = n;
		json_object_put(ev);
		p += len + (nl ? 1 : 0);
	}
	json_tokener_free(tok);
	return code;
}

int dr_docker_container_first_exit(struct dr_docker *d, const char *id, long long since_s, long *exit_code,
				   struct dr_error *err)
{
	char filters[256], esc[768], path[1024];
	int rc;

	*exit_code = -1;
	if (snprintf(filters, sizeof filters, "{\"container\":[\"%s\"],\"event\":[\"die\"]}", id) >= (int)sizeof filters ||
	    docker_escape(d, filters, esc, sizeof esc))
		return dr_error_set(err, 500, "container id too long for a Docker request");
	snprintf(path, sizeof path, "/events?since=%lld&until=%lld&filters=%s", since_s, (long long)time(NULL) + 1, esc);
	if ((rc = docker_call(d, "GET", path, NULL, DR_DOCKER_CALL_TIMEOUT, err)))
		return rc;
	if (d->status != 200)
		return docker_fail(d, 500, "events", err);
	*exit_code = docker_first_die_code(dr_buf_str(&d->body));
	return 0;
}

/* Strip the 8-byte frame headers of a non-TTY log stream; raw text passes through. */
static int docker_demux(const unsigned char *p, size_t len, struct dr_buf *out)
{
	size_t pos = 0;

	if (len < 8 || p[0] > 2 || p[1] || p[2] || p[3])
		return dr_buf_add(out, p, len);
	while (pos + 8 <= len) {
		size_t frame = ((size_t)p[pos + 4] << 24) | ((size_t)p[pos + 5] << 16) | ((size_t)p[pos + 6] << 8) |
			       (size_t)p[pos + 7];
		pos += 8;
		if (frame > len - pos)
			frame = len - pos;
		if (dr_buf_add(out, p + pos, frame))
			return -1;
		pos += frame;
	}
	return 0;
}

int dr_docker_container_logs(struct dr_docker *d, const char *id, int tail, struct dr_buf *out,
			     struct dr_error *err)
{
	char suffix[64];
	int rc;

	snprintf(suffix, sizeof suffix, "/logs?stdout=true&stderr=true&tail=%d", tail);
	if ((rc = docker_container_call(d, "GET", id, suffix, DR_DOCKER_CALL_TIMEOUT * 1000, NULL, err)))
		return rc;
	if (d->status != 200)
		return docker_fail(d, 500, "logs", err);
	if (docker_demux((const unsigned char *)d->body.data, d->body.len, out))
		return dr_error_set(err, 500, "container logs larger than %d bytes", DR_DOCKER_LOG_BYTES_MAX);
	return 0;
}
