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
#include "steps.h"
#include "image_ref.h"
#include "jsonstr.h"
#include "number.h"
#include "status.h"

struct docker_pull_state {
	struct dr_docker *docker;
	struct dr_buf line;               /* the unfinished line of the progress stream */
	struct dr_pull_progress progress; /* what the complete lines said */
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

/* Compare the API versions a and b ("1.41", without the leading v) into *cmp (-1, 0 or 1); 0, or -1
 * when either is not MAJOR.MINOR. */
static int docker_version_cmp(const char *a, const char *b, int *cmp)
{
	long amaj, amin, bmaj, bmin;

	if (dr_parse_version(a, &amaj, &amin) || dr_parse_version(b, &bmaj, &bmin))
		return -1;
	if (amaj != bmaj)
		*cmp = amaj < bmaj ? -1 : 1;
	else
		*cmp = amin < bmin ? -1 : amin > bmin;
	return 0;
}

/* libcurl asks at least once a second: a SIGTERM caught by the step runner ends a long call. */
static int docker_interrupted(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)ctx, (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return dr_steps_interrupted();
}

static int docker_unreachable(struct dr_docker *d, CURLcode rc, struct dr_error *err)
{
	return dr_error_set(err, DR_FAULT_UNAVAILABLE, "Docker engine unreachable at %s: %s", d->socket_path,
			    d->error_buffer[0] ? d->error_buffer : curl_easy_strerror(rc));
}

static const char *docker_message(struct dr_docker *d, char *out, size_t cap);

/* The answer's status into d->status; 0, or DR_FAULT_UNAVAILABLE for a 502: the engine never answers
 * 502, a Docker gate does when it cannot reach the engine behind it (its message is in d->body). */
static int docker_answer_status(struct dr_docker *d, struct dr_error *err)
{
	char msg[512];

	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &d->status);
	if (d->status != DR_STATUS_BAD_GATEWAY)
		return 0;
	return dr_error_set(err, DR_FAULT_UNAVAILABLE, "Docker engine unreachable at %s: %s", d->socket_path,
			    docker_message(d, msg, sizeof msg));
}

/* One request; the response body lands in d->body. Returns 0 (any HTTP status), DR_FAULT_UNAVAILABLE
 * when the engine cannot be reached, or DR_FAULT_INTERNAL for a path too long. */
static int docker_call_ms(struct dr_docker *d, const char *method, const char *path, const char *json,
			  long timeout_ms, CURLcode *transport, struct dr_error *err)
{
	CURL *c = d->curl;
	struct curl_slist *headers = NULL;
	char url[4096];
	CURLcode rc;

	if (snprintf(url, sizeof url, "http://docker/%s%s", d->api, path) >= (int)sizeof url)
		return dr_error_set(err, DR_FAULT_INTERNAL, "Docker request path too long");
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
		/* No body, so no Content-Type: a Docker gate refuses one on any call but a create. */
		headers = curl_slist_append(headers, "Content-Type:");
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
	return docker_answer_status(d, err);
}

static int docker_call(struct dr_docker *d, const char *method, const char *path, const char *json, long timeout_s,
		       struct dr_error *err)
{
	return docker_call_ms(d, method, path, json, timeout_s * 1000, NULL, err);
}

/* The engine's text raw[0..len), whole (it may quote a container's environment), through the
 * chokepoint into out: masked first, then cut to cap. */
static const char *docker_clean(const struct dr_docker *d, const char *raw, size_t len, char *out, size_t cap)
{
	struct dr_buf clean;

	dr_buf_init(&clean, cap);
	if (dr_text_clean(d->mask, raw, len, cap - 1, 0, &clean))
		dr_buf_adds(&clean, "(unreadable engine message)");
	snprintf(out, cap, "%s", dr_buf_str(&clean));
	dr_buf_free(&clean);
	return out;
}

/* Docker's {"message": ...} from the last body, held whole until it is cleaned, or a generic text. */
static const char *docker_message(struct dr_docker *d, char *out, size_t cap)
{
	struct dr_buf raw;
	char status[32];

	dr_buf_init(&raw, DR_DOCKER_BODY_MAX);
	if (dr_docker_json_message(dr_buf_str(&d->body), &raw)) {
		snprintf(status, sizeof status, "HTTP %ld", d->status);
		docker_clean(d, status, strlen(status), out, cap);
	} else {
		docker_clean(d, dr_buf_str(&raw), raw.len, out, cap);
	}
	if (raw.data)
		explicit_bzero(raw.data, raw.len);
	dr_buf_free(&raw);
	return out;
}

static int docker_fail(struct dr_docker *d, enum dr_fault fault, const char *what, struct dr_error *err)
{
	char msg[512];

	return dr_error_set(err, fault, "Docker %s failed: %s", what, docker_message(d, msg, sizeof msg));
}

/* curl_easy_escape into a caller buffer. */
static int docker_escape(struct dr_docker *d, const char *s, char *out, size_t cap)
{
	char *e = curl_easy_escape(d->curl, s, 0);
	int rc = e ? dr_strlcpy(out, e, cap) : -1;

	curl_free(e);
	return rc;
}

/* "X-Registry-Auth: value" into header; 0, or DR_FAULT_INTERNAL when it would not fit. */
static int docker_auth_header(const char *auth, const char *repository, char *header, size_t cap, struct dr_error *err)
{
	if (snprintf(header, cap, "X-Registry-Auth: %s", auth) < (int)cap)
		return 0;
	explicit_bzero(header, cap);
	return dr_error_set(err, DR_FAULT_INTERNAL, "registry credentials for %s are longer than %zu bytes once encoded", repository,
			    cap - 18);
}

/* METHOD on /containers/{name, URL-encoded}{suffix}; 0 (any HTTP status) or a fault, as docker_call_ms. */
static int docker_container_call(struct dr_docker *d, const char *method, const char *name, const char *suffix,
				 long timeout_ms, CURLcode *transport, struct dr_error *err)
{
	char esc[512], path[1024];

	if (docker_escape(d, name, esc, sizeof esc))
		return dr_error_set(err, DR_FAULT_INTERNAL, "container name too long for a Docker request");
	snprintf(path, sizeof path, "/containers/%s%s", esc, suffix);
	return docker_call_ms(d, method, path, NULL, timeout_ms, transport, err);
}

int dr_docker_open(struct dr_docker *d, const char *socket_path, struct dr_error *err)
{
	CURL *c;
	CURLcode rc;
	int status, cmp;
	/* Under the lowest version the agent speaks: a Docker gate refuses a call that names none. */
	char url[] = "http://docker/v" DR_DOCKER_API_MIN "/_ping";

	memset(d, 0, sizeof *d);
	dr_buf_init(&d->body, DR_DOCKER_BODY_MAX);
	if (dr_strlcpy(d->socket_path, socket_path, sizeof d->socket_path))
		return dr_error_set(err, DR_FAULT_INTERNAL, "DOCKER_HOST socket path too long");
	c = d->curl = curl_easy_init();
	if (!c)
		return dr_error_set(err, DR_FAULT_INTERNAL, "cannot initialise libcurl");
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, d->socket_path);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, d->error_buffer);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, docker_interrupted);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
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
	if ((status = docker_answer_status(d, err)))
		return status;
	if (d->status != DR_STATUS_OK || !d->api[0])
		return dr_error_set(err, DR_FAULT_UNAVAILABLE, "Docker engine at %s did not answer /_ping (HTTP %ld)", socket_path, d->status);
	if (docker_version_cmp(d->api + 1, DR_DOCKER_API_MIN, &cmp))
		return dr_error_set(err, DR_FAULT_UNAVAILABLE, "Docker engine at %s answered /_ping with an unreadable API version %s",
				    socket_path, d->api + 1);
	if (cmp < 0)
		return dr_error_set(err, DR_FAULT_UNAVAILABLE, "Docker engine API %s is older than %s", d->api + 1, DR_DOCKER_API_MIN);
	if (!docker_version_cmp(d->api + 1, DR_DOCKER_API_MAX, &cmp) && cmp > 0)
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

/* GET /<kind>/<name>/json into d->body; 0, DR_FAULT_ABSENT or a fault. */
static int docker_inspect(struct dr_docker *d, const char *kind, const char *name, struct dr_error *err)
{
	char esc[1024], path[1200];
	int rc;

	if (docker_escape(d, name, esc, sizeof esc))
		return dr_error_set(err, DR_FAULT_INTERNAL, "name too long for a Docker request");
	snprintf(path, sizeof path, "/%s/%s/json", kind, esc);
	if ((rc = docker_call(d, "GET", path, NULL, DR_DOCKER_CALL_TIMEOUT, err)))
		return rc;
	if (d->status == DR_STATUS_NOT_FOUND)
		return DR_FAULT_ABSENT;
	if (d->status != DR_STATUS_OK)
		return docker_fail(d, DR_FAULT_INTERNAL, "inspect", err);
	return 0;
}

int dr_docker_container_state(struct dr_docker *d, const char *name, struct dr_container_state *out,
			      struct dr_error *err)
{
	int rc;

	memset(out, 0, sizeof *out);
	out->exit_code = -1;
	if ((rc = docker_inspect(d, "containers", name, err)))
		return rc;
	if (dr_docker_json_container(dr_buf_str(&d->body), out))
		return dr_error_set(err, DR_FAULT_INTERNAL, "Docker inspect returned malformed JSON");
	return 0;
}

int dr_docker_image_list(struct dr_docker *d, const char *repository, struct dr_image_summary *out, int max,
			 int *count, struct dr_error *err)
{
	char filter[800], esc[1600], path[1700];
	int rc;

	*count = 0;
	if (snprintf(filter, sizeof filter, "{\"reference\":[\"%s\"]}", repository) >= (int)sizeof filter ||
	    docker_escape(d, filter, esc, sizeof esc))
		return dr_error_set(err, DR_FAULT_INTERNAL, "repository too long for a Docker request");
	snprintf(path, sizeof path, "/images/json?filters=%s", esc);
	if ((rc = docker_call(d, "GET", path, NULL, DR_DOCKER_CALL_TIMEOUT, err)))
		return rc;
	if (d->status != DR_STATUS_OK)
		return docker_fail(d, DR_FAULT_INTERNAL, "image list", err);
	if (dr_docker_json_image_list(dr_buf_str(&d->body), repository, out, max, count))
		return dr_error_set(err, DR_FAULT_INTERNAL, "Docker image list returned malformed JSON");
	return 0;
}

#define DOCKER_ANCESTORS_PER_CALL 8 /* keeps the query within a request head */

/* {"ancestor":["id",...]} of ids[0..n-1] into filter; 0 or -1 when it does not fit. */
static int docker_ancestor_filter(const char *const ids[], int n, char *filter, size_t cap)
{
	size_t o = (size_t)snprintf(filter, cap, "{\"ancestor\":[");
	int i;

	for (i = 0; i < n && o < cap; i++)
		o += (size_t)snprintf(filter + o, cap - o, "%s\"%s\"", i ? "," : "", ids[i]);
	if (o < cap)
		o += (size_t)snprintf(filter + o, cap - o, "]}");
	return o < cap ? 0 : -1;
}

int dr_docker_images_in_use(struct dr_docker *d, const char *const ids[], int n, char used[][DR_DOCKER_ID_MAX], int max,
			    int *count, struct dr_error *err)
{
	char filter[DOCKER_ANCESTORS_PER_CALL * (DR_DOCKER_ID_MAX + 4) + 32], esc[sizeof filter * 3], path[sizeof esc + 64];
	int start, got, rc;

	*count = 0;
	for (start = 0; start < n && *count < max; start += DOCKER_ANCESTORS_PER_CALL) {
		int batch = n - start < DOCKER_ANCESTORS_PER_CALL ? n - start : DOCKER_ANCESTORS_PER_CALL;
		if (docker_ancestor_filter(ids + start, batch, filter, sizeof filter) ||
		    docker_escape(d, filter, esc, sizeof esc))
			return dr_error_set(err, DR_FAULT_INTERNAL, "image ids too long for a Docker request");
		snprintf(path, sizeof path, "/containers/json?all=1&filters=%s", esc);
		if ((rc = docker_call(d, "GET", path, NULL, DR_DOCKER_CALL_TIMEOUT, err)))
			return rc;
		if (d->status != DR_STATUS_OK)
			return docker_fail(d, DR_FAULT_INTERNAL, "container list", err);
		if (dr_docker_json_container_images(dr_buf_str(&d->body), used + *count, max - *count, &got))
			return dr_error_set(err, DR_FAULT_INTERNAL, "Docker container list returned malformed JSON");
		*count += got;
	}
	return 0;
}

int dr_docker_image_remove(struct dr_docker *d, const char *ref, int *deleted, struct dr_error *err)
{
	char esc[1600], path[1700];
	int rc;

	*deleted = 0;
	if (docker_escape(d, ref, esc, sizeof esc))
		return dr_error_set(err, DR_FAULT_INTERNAL, "image reference too long for a Docker request");
	/* No force, and the engine's own refusal (a container uses it) stands. */
	snprintf(path, sizeof path, "/images/%s?force=false&noprune=false", esc);
	if ((rc = docker_call(d, "DELETE", path, NULL, DR_DOCKER_CALL_TIMEOUT, err)))
		return rc;
	if (d->status == DR_STATUS_NOT_FOUND)
		return DR_FAULT_ABSENT;
	if (d->status != DR_STATUS_OK)
		return docker_fail(d, DR_FAULT_CONFLICT, "image removal", err);
	*deleted = dr_docker_json_image_deleted(dr_buf_str(&d->body));
	return 0;
}

int dr_docker_data_root(struct dr_docker *d, char *out, size_t cap, struct dr_error *err)
{
	int rc;

	out[0] = '\0';
	if ((rc = docker_call(d, "GET", "/info", NULL, DR_DOCKER_CALL_TIMEOUT, err)))
		return rc;
	if (d->status != DR_STATUS_OK || dr_docker_json_data_root(dr_buf_str(&d->body), out, cap))
		return docker_fail(d, DR_FAULT_INTERNAL, "info", err);
	return 0;
}

int dr_docker_image_digest(struct dr_docker *d, const char *ref_or_id, const char *repository, const char *wanted,
			   char digest_out[DR_DOCKER_DIGEST_MAX], struct dr_error *err)
{
	int rc;

	digest_out[0] = '\0';
	if ((rc = docker_inspect(d, "images", ref_or_id, err)))
		return rc;
	if (dr_docker_json_image_digest(dr_buf_str(&d->body), repository, wanted, digest_out))
		return dr_error_set(err, DR_FAULT_INTERNAL, "Docker image inspect returned malformed JSON");
	return 0;
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
		dr_docker_json_pull_line(&st->progress, dr_buf_str(&st->line));
		if (st->docker->on_pull)
			st->docker->on_pull(st->docker->on_pull_ctx, &st->progress);
		dr_buf_reset(&st->line);
		start = i + 1;
	}
	return dr_buf_add(&st->line, p + start, len - start) ? 0 : len;
}

/* The engine's words, whole, for a pull that failed (an error line, or an error status and its
 * message), with their length; NULL when it did not fail. */
static const char *docker_pull_failure(const struct dr_docker *d, const struct dr_pull_progress *p, size_t *len)
{
	const struct dr_buf *text = p->failed ? &p->error : d->status != DR_STATUS_OK ? &p->message : NULL;
	static const char generic[] = "Docker answered an error status";

	if (!text)
		return NULL;
	*len = text->len ? text->len : strlen(generic);
	return text->len ? text->data : generic;
}

int dr_docker_image_pull(struct dr_docker *d, const char *repository, const char *tag_or_digest, const char *auth,
			 struct dr_error *err)
{
	static struct docker_pull_state st; /* large; one pull per process */
	struct curl_slist *headers = NULL;
	char repo_esc[600], tag_esc[300], url[1200], header[8300];
	const char *failure;
	CURL *c = d->curl;
	CURLcode rc;
	size_t len;
	int status = 0;

	if (!tag_or_digest[0])
		return dr_error_set(err, DR_FAULT_INTERNAL, "refusing a pull without tag: it would fetch every tag");
	if (docker_escape(d, repository, repo_esc, sizeof repo_esc) || docker_escape(d, tag_or_digest, tag_esc, sizeof tag_esc))
		return dr_error_set(err, DR_FAULT_INTERNAL, "image reference too long for a Docker request");
	snprintf(url, sizeof url, "http://docker/%s/images/create?fromImage=%s&tag=%s", d->api, repo_esc, tag_esc);
	if (auth && (status = docker_auth_header(auth, repository, header, sizeof header, err)))
		return status;
	memset(&st, 0, sizeof st);
	st.docker = d;
	dr_buf_init(&st.line, DR_DOCKER_BODY_MAX);
	dr_docker_json_pull_init(&st.progress, DR_DOCKER_BODY_MAX); /* a whole line: nothing cut before masking */
	if (auth)
		headers = curl_slist_append(headers, header);
	headers = curl_slist_append(headers, "Content-Type:"); /* no body: see docker_call_ms */
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
	dr_docker_json_pull_line(&st.progress, dr_buf_str(&st.line));
	/* A gate's 502 message is the unfinished line: where docker_answer_status reads messages. */
	dr_buf_reset(&d->body);
	dr_buf_add(&d->body, st.line.data ? st.line.data : "", st.line.len);
	if ((status = docker_answer_status(d, err)))
		goto done;
	if ((failure = docker_pull_failure(d, &st.progress, &len)))
		status = dr_error_set(err, DR_FAULT_UPSTREAM, "pull of %s%s%s failed: %s", repository,
				      strncmp(tag_or_digest, "sha256:", 7) ? ":" : "@", tag_or_digest,
				      docker_clean(d, failure, len, d->pull_message, sizeof d->pull_message));
done:
	curl_slist_free_all(headers);
	dr_buf_free(&st.line);
	dr_docker_json_pull_free(&st.progress);
	return status;
}

int dr_docker_registry_digest(struct dr_docker *d, const char *repository, const char *tag_or_digest,
			      const char *auth, char digest_out[DR_DOCKER_DIGEST_MAX], struct dr_error *err)
{
	char ref[800], esc[1600], path[1700], header[8300];
	struct curl_slist *headers = NULL;
	int rc;

	digest_out[0] = '\0';
	if (snprintf(ref, sizeof ref, "%s%s%s", repository, !strncmp(tag_or_digest, "sha256:", 7) ? "@" : ":",
		     tag_or_digest) >= (int)sizeof ref || docker_escape(d, ref, esc, sizeof esc))
		return dr_error_set(err, DR_FAULT_INTERNAL, "image reference too long for a Docker request");
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
	if (d->status != DR_STATUS_OK)
		return dr_error_set(err, DR_FAULT_UPSTREAM, "pull of %s failed: the registry does not resolve %s: %s", ref, ref,
				    docker_message(d, d->pull_message, sizeof d->pull_message));
	if (dr_docker_json_distribution_digest(dr_buf_str(&d->body), digest_out))
		return dr_error_set(err, DR_FAULT_UPSTREAM, "the registry gave no digest for %s", ref);
	return 0;
}

static int docker_stop_call(struct dr_docker *d, const char *name, long timeout_s, struct dr_error *err)
{
	char suffix[32];
	int rc;

	snprintf(suffix, sizeof suffix, "/stop?t=%ld", timeout_s);
	if ((rc = docker_container_call(d, "POST", name, suffix, (timeout_s + DR_DOCKER_CALL_TIMEOUT) * 1000, NULL, err)))
		return rc;
	if (d->status == DR_STATUS_NO_CONTENT || d->status == DR_STATUS_NOT_MODIFIED || d->status == DR_STATUS_NOT_FOUND)
		return 0;
	return docker_fail(d, DR_FAULT_INTERNAL, "stop", err);
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
	if (rc == DR_FAULT_ABSENT || (!rc && !state.running))
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
	if (d->status == DR_STATUS_NO_CONTENT || d->status == DR_STATUS_NOT_FOUND)
		return 0;
	return docker_fail(d, DR_FAULT_INTERNAL, "remove", err);
}


int dr_docker_container_create(struct dr_docker *d, const char *name, const struct dr_container_spec *spec,
			       char id_out[DR_DOCKER_ID_MAX], struct dr_error *err)
{
	char esc[512], path[700];
	struct dr_buf body;
	int rc;

	if (docker_escape(d, name, esc, sizeof esc))
		return dr_error_set(err, DR_FAULT_INTERNAL, "container name too long");
	snprintf(path, sizeof path, "/containers/create?name=%s", esc);
	dr_buf_init(&body, DR_CONTAINER_BODY_MAX);
	if (!(rc = dr_docker_json_create_body(spec, &body, err)))
		rc = docker_call(d, "POST", path, dr_buf_str(&body), DR_DOCKER_CALL_TIMEOUT, err);
	if (body.data)
		explicit_bzero(body.data, body.len);
	dr_buf_free(&body);
	if (rc)
		return rc;
	if (d->status != DR_STATUS_CREATED)
		return docker_fail(d, DR_FAULT_INTERNAL, "create", err);
	if (dr_docker_json_created_id(dr_buf_str(&d->body), id_out))
		return dr_error_set(err, DR_FAULT_INTERNAL, "Docker create returned no container id");
	return 0;
}

int dr_docker_container_start(struct dr_docker *d, const char *name, struct dr_error *err)
{
	int rc = docker_container_call(d, "POST", name, "/start", DR_DOCKER_CALL_TIMEOUT * 1000, NULL, err);

	if (rc)
		return rc;
	if (d->status == DR_STATUS_NO_CONTENT || d->status == DR_STATUS_NOT_MODIFIED)
		return 0;
	return docker_fail(d, DR_FAULT_INTERNAL, "start", err);
}

int dr_docker_container_wait_exit(struct dr_docker *d, const char *name, long timeout_ms, long *exit_code,
				  struct dr_error *err)
{
	json_object *o, *code;
	CURLcode transport = CURLE_OK;
	int rc = docker_container_call(d, "POST", name, "/wait?condition=next-exit", timeout_ms, &transport, err);

	if (rc && transport == CURLE_OPERATION_TIMEDOUT)
		return DR_FAULT_STILL_RUNNING;
	if (rc)
		return rc;
	if (d->status != DR_STATUS_OK)
		return docker_fail(d, DR_FAULT_INTERNAL, "wait", err);
	o = json_tokener_parse(dr_buf_str(&d->body));
	*exit_code = -1;
	if (o && json_object_object_get_ex(o, "StatusCode", &code))
		*exit_code = json_object_get_int64(code);
	json_object_put(o);
	return 0;
}


int dr_docker_container_first_exit(struct dr_docker *d, const char *name, const char *id, long long since_s,
				   long *exit_code, struct dr_error *err)
{
	char filters[256], esc[768], path[1024];
	int rc;

	*exit_code = -1;
	if (snprintf(filters, sizeof filters, "{\"container\":[\"%s\"],\"event\":[\"die\"]}", name) >= (int)sizeof filters ||
	    docker_escape(d, filters, esc, sizeof esc))
		return dr_error_set(err, DR_FAULT_INTERNAL, "container id too long for a Docker request");
	snprintf(path, sizeof path, "/events?since=%lld&until=%lld&filters=%s", since_s, (long long)time(NULL) + 1, esc);
	if ((rc = docker_call(d, "GET", path, NULL, DR_DOCKER_CALL_TIMEOUT, err)))
		return rc;
	if (d->status != DR_STATUS_OK)
		return docker_fail(d, DR_FAULT_INTERNAL, "events", err);
	*exit_code = dr_docker_json_first_die(dr_buf_str(&d->body), id);
	return 0;
}


int dr_docker_container_logs(struct dr_docker *d, const char *name, int tail, struct dr_buf *out,
			     struct dr_error *err)
{
	char suffix[64];
	int rc;

	snprintf(suffix, sizeof suffix, "/logs?stdout=true&stderr=true&tail=%d", tail);
	if ((rc = docker_container_call(d, "GET", name, suffix, DR_DOCKER_CALL_TIMEOUT * 1000, NULL, err)))
		return rc;
	if (d->status != DR_STATUS_OK)
		return docker_fail(d, DR_FAULT_INTERNAL, "logs", err);
	if (dr_docker_json_demux((const unsigned char *)d->body.data, d->body.len, out))
		return dr_error_set(err, DR_FAULT_INTERNAL, "container logs larger than %d bytes", DR_DOCKER_LOG_BYTES_MAX);
	return 0;
}
