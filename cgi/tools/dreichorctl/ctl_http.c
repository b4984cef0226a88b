/* ctl_http.c: the requests dreichorctl sends, with libcurl, and their retries. */

#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"
#include "status.h"

#define CTL_RESPONSE_MAX (1024 * 1024)
#define CTL_CONNECT_TIMEOUT 30L
#define CTL_RETRIES 10  /* cut or refused-by-the-edge requests sent again */
#define CTL_HEADER_MAX 128

void ctl_http_init(struct ctl_http *h)
{
	dr_buf_init(&h->body, CTL_RESPONSE_MAX);
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void ctl_http_free(struct ctl_http *h)
{
	if (!h)
		return;
	dr_buf_free(&h->body);
	curl_global_cleanup();
}

static size_t ctl_http_collect(char *p, size_t size, size_t n, void *userdata)
{
	return dr_buf_add(userdata, p, size * n) ? 0 : size * n;
}

/* Add "name: value" to headers (value may be NULL or empty: nothing added). */
static struct curl_slist *ctl_http_header(struct curl_slist *headers, const char *name, const char *value)
{
	char line[CTL_HEADER_MAX];

	if (!value || !value[0])
		return headers;
	snprintf(line, sizeof line, "%s: %s", name, value);
	return curl_slist_append(headers, line);
}

/* The service token's two headers; the copy of the secret is wiped. */
static struct curl_slist *ctl_http_token(const struct ctl_http *h)
{
	struct curl_slist *headers = NULL;
	struct dr_buf line;

	dr_buf_init(&line, CTL_SECRET_MAX + 64);
	dr_buf_addf(&line, "CF-Access-Client-Id: %s", h->client_id);
	headers = curl_slist_append(headers, dr_buf_str(&line));
	dr_buf_reset(&line);
	dr_buf_addf(&line, "CF-Access-Client-Secret: %s", h->secret);
	headers = curl_slist_append(headers, dr_buf_str(&line));
	explicit_bzero(line.data, line.len);
	dr_buf_free(&line);
	return headers;
}

/* The request's header lines, its body and method on curl. */
static struct curl_slist *ctl_http_prepare(const struct ctl_http *h, CURL *curl, const char *method, const char *json)
{
	struct curl_slist *headers = ctl_http_token(h);
	int post = !strcmp(method, "POST");

	if (post) {
		headers = ctl_http_header(headers, "Prefer", h->prefer);
		headers = ctl_http_header(headers, "Idempotency-Key", h->idempotency_key);
	}
	if (json) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json);
	} else if (post) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
	}
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	return headers;
}

/* Where the answer goes, and the limits of the exchange. */
static void ctl_http_options(struct ctl_http *h, CURL *curl, const char *url)
{
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ctl_http_collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &h->body);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, h->timeout);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CTL_CONNECT_TIMEOUT);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, h->curl_error);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
}

int ctl_http_request(struct ctl_http *h, const char *method, const char *path, const char *json)
{
	struct curl_slist *headers;
	char url[2048];
	CURL *curl = curl_easy_init();
	CURLcode rc;

	if (!curl)
		return CTL_EXIT_TRANSPORT;
	snprintf(url, sizeof url, "%s%s", h->url, path);
	dr_buf_reset(&h->body);
	headers = ctl_http_prepare(h, curl, method, json);
	ctl_http_options(h, curl, url);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &h->status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK) {
		fprintf(stderr, "dreichorctl: %s %s: %s\n", method, url, h->curl_error[0] ? h->curl_error : curl_easy_strerror(rc));
		return CTL_EXIT_TRANSPORT;
	}
	return 0;
}

/* An answer the edge or a proxy gave instead of the agent (whose answers are JSON objects with a
 * "status"), or none at all: worth sending the same request again. */
static int ctl_http_cut(const struct ctl_http *h, int rc)
{
	json_object *o;
	int agent_spoke;

	if (rc == CTL_EXIT_TRANSPORT)
		return 1;
	if (h->status < DR_STATUS_INTERNAL_ERROR)
		return 0;
	o = json_tokener_parse(dr_buf_str(&h->body));
	agent_spoke = o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, "status", NULL);
	json_object_put(o);
	return !agent_spoke;
}

int ctl_http_request_again(struct ctl_http *h, const char *method, const char *path, const char *json)
{
	int rc = 0, tries;

	for (tries = 0; tries <= CTL_RETRIES; tries++) {
		rc = ctl_http_request(h, method, path, json);
		if (!ctl_http_cut(h, rc))
			return rc;
		if (rc == 0)
			fprintf(stderr, "dreichorctl: %s %s: HTTP %ld from the way to the agent; asking again\n", method, path,
				h->status);
		sleep(tries < 3 ? 1 : 5);
	}
	return rc ? rc : CTL_EXIT_TRANSPORT;
}
