/* registry.c: OCI distribution requests, with the registry's challenges answered. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "number.h"
#include "registry.h"
#include "registry_auth.h"
#include "status.h"

#define REGISTRY_CERTS_DIR "/etc/docker/certs.d"

/* Loopback registries are plain HTTP, as the engine treats them. */
static int registry_is_loopback(const char *host)
{
	return !strncmp(host, "127.", 4) || !strncmp(host, "localhost", 9) || !strncmp(host, "[::1]", 5);
}

int dr_registry_open(struct dr_registry *r, const char *repository, const char *auth_file, struct dr_error *err)
{
	size_t n = strcspn(repository, "/");

	memset(r, 0, sizeof *r);
	r->retry_after_s = -1;
	if (!repository[n] || n >= sizeof r->host || dr_strlcpy(r->name, repository + n + 1, sizeof r->name))
		return dr_error_set(err, DR_FAULT_INTERNAL, "repository %s has no registry host", repository);
	memcpy(r->host, repository, n);
	r->host[n] = '\0';
	snprintf(r->base, sizeof r->base, "%s://%s", registry_is_loopback(r->host) ? "http" : "https", r->host);
	if (!(r->curl = curl_easy_init()))
		return dr_error_set(err, DR_FAULT_INTERNAL, "cannot initialise libcurl");
	return dr_registry_auth_userpass(auth_file, r->host, &r->userpass, err);
}

/* Keep a header's value (trimmed) when name matches. */
static void registry_header_value(const char *line, size_t len, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);

	if (len <= n + 1 || strncasecmp(line, name, n) || line[n] != ':')
		return;
	line += n + 1;
	len -= n + 1;
	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
		len--;
	snprintf(out, cap, "%.*s", (int)(len < cap ? len : cap - 1), line);
}

static size_t registry_header(char *line, size_t size, size_t n, void *ctx)
{
	struct dr_registry *r = ctx;
	char retry[64] = "";
	long s;

	registry_header_value(line, n, "Docker-Content-Digest", r->digest, sizeof r->digest);
	registry_header_value(line, n, "Content-Type", r->content_type, sizeof r->content_type);
	registry_header_value(line, n, "WWW-Authenticate", r->challenge, sizeof r->challenge);
	registry_header_value(line, n, "Retry-After", retry, sizeof retry);
	if (retry[0]) {
		time_t when = curl_getdate(retry, NULL);
		if (!dr_parse_long(retry, 0, 86400 * 7, &s))
			r->retry_after_s = s;
		else if (when > 0)
			r->retry_after_s = when > time(NULL) ? (long)(when - time(NULL)) : 0;
	}
	return size * n;
}

static size_t registry_body(char *data, size_t size, size_t n, void *ctx)
{
	struct dr_registry *r = ctx;

	return dr_buf_add(&r->body, data, size * n) ? 0 : size * n;
}

/* One transfer of url with the current authorization; 0 or a fault (upstream). */
static int registry_perform(struct dr_registry *r, const char *method, const char *url, const char *accept,
			    const char *userpass, size_t body_max, struct dr_error *err)
{
	CURL *c = r->curl;
	struct curl_slist *headers = NULL;
	char line[256], ca[512];
	CURLcode rc;

	curl_easy_reset(c);
	dr_buf_free(&r->body);
	dr_buf_init(&r->body, body_max);
	r->status = 0;
	r->retry_after_s = -1;
	r->digest[0] = r->content_type[0] = r->challenge[0] = '\0';
	if (accept && snprintf(line, sizeof line, "Accept: %s", accept) < (int)sizeof line)
		headers = curl_slist_append(headers, line);
	if (r->authorization)
		headers = curl_slist_append(headers, r->authorization);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	/* A redirect (blob storage) may not step down from HTTPS. */
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, registry_is_loopback(r->host) ? "http,https" : "https");
	curl_easy_setopt(c, CURLOPT_NOBODY, !strcmp(method, "HEAD") ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)DR_REGISTRY_TIMEOUT_SECONDS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->error);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, registry_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, registry_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "dreichor-registry/" PACKAGE_VERSION);
	/* Blobs are served by redirects to storage; credentials never follow them. */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
	if (userpass) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, userpass);
	}
	if (snprintf(ca, sizeof ca, "%s/%s/ca.crt", REGISTRY_CERTS_DIR, r->host) < (int)sizeof ca && !access(ca, R_OK))
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	rc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_USERPWD, NULL);
	curl_slist_free_all(headers);
	if (rc == CURLE_WRITE_ERROR && r->body.overflow)
		return dr_error_set(err, DR_FAULT_UPSTREAM, "the registry %s answered more than %zu bytes for %s", r->host,
				    body_max, url);
	if (rc != CURLE_OK)
		return dr_error_set(err, DR_FAULT_UPSTREAM, "the registry %s cannot be reached: %s", r->host,
				    r->error[0] ? r->error : curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	return 0;
}

/* The value of key="value" in a challenge into out; 0, or -1 when absent. */
static int registry_challenge_param(const char *challenge, const char *key, char *out, size_t cap)
{
	size_t n = strlen(key);
	const char *p = challenge, *end;

	while ((p = strstr(p, key))) {
		if ((p == challenge || p[-1] == ' ' || p[-1] == ',') && !strncmp(p + n, "=\"", 2)) {
			p += n + 2;
			if (!(end = strchr(p, '"')) || (size_t)(end - p) >= cap)
				return -1;
			memcpy(out, p, (size_t)(end - p));
			out[end - p] = '\0';
			return 0;
		}
		p += n;
	}
	return -1;
}

static void registry_set_authorization(struct dr_registry *r, const char *scheme, const char *credential)
{
	size_t cap = strlen(scheme) + strlen(credential) + 24;

	if (r->authorization) {
		explicit_bzero(r->authorization, strlen(r->authorization));
		free(r->authorization);
	}
	if ((r->authorization = malloc(cap)))
		snprintf(r->authorization, cap, "Authorization: %s %s", scheme, credential);
}

/* Answer a Bearer challenge: ask its realm for a token (with the credentials, when any). */
static int registry_fetch_token(struct dr_registry *r, struct dr_error *err)
{
	char realm[512], service[256] = "", scope[512] = "", url[2048];
	char *service_esc, *scope_esc;
	json_object *answer, *token;
	int rc;

	if (registry_challenge_param(r->challenge, "realm", realm, sizeof realm) ||
	    (strncmp(realm, "https://", 8) && !(registry_is_loopback(r->host) && !strncmp(realm, "http://", 7))))
		return dr_error_set(err, DR_FAULT_UPSTREAM, "the registry %s asks for a token from no usable realm", r->host);
	registry_challenge_param(r->challenge, "service", service, sizeof service);
	registry_challenge_param(r->challenge, "scope", scope, sizeof scope);
	service_esc = curl_easy_escape(r->curl, service, 0);
	scope_esc = curl_easy_escape(r->curl, scope, 0);
	snprintf(url, sizeof url, "%s%sservice=%s%s%s", realm, strchr(realm, '?') ? "&" : "?", service_esc ? service_esc : "",
		 scope[0] ? "&scope=" : "", scope[0] && scope_esc ? scope_esc : "");
	curl_free(service_esc);
	curl_free(scope_esc);
	if ((rc = registry_perform(r, "GET", url, NULL, r->userpass, DR_REGISTRY_TOKEN_MAX, err)))
		return rc;
	if (r->status != DR_STATUS_OK)
		return dr_error_set(err, DR_FAULT_UPSTREAM, "the registry %s's token service refused%s (HTTP %ld)", r->host,
				    r->userpass ? " the credentials of REGISTRY_AUTH_FILE" : " an anonymous token", r->status);
	answer = json_tokener_parse(dr_buf_str(&r->body));
	if ((json_object_object_get_ex(answer, "token", &token) || json_object_object_get_ex(answer, "access_token", &token)) &&
	    json_object_is_type(token, json_type_string))
		registry_set_authorization(r, "Bearer", json_object_get_string(token));
	json_object_put(answer);
	if (r->body.data)
		explicit_bzero(r->body.data, r->body.len);
	if (!r->authorization)
		return dr_error_set(err, DR_FAULT_UPSTREAM, "the registry %s's token service gave no token", r->host);
	return 0;
}

int dr_registry_request(struct dr_registry *r, const char *method, const char *what, const char *accept,
			size_t body_max, struct dr_error *err)
{
	char url[1024];
	int rc;

	if (snprintf(url, sizeof url, "%s/v2/%s/%s", r->base, r->name, what) >= (int)sizeof url)
		return dr_error_set(err, DR_FAULT_INTERNAL, "registry path too long");
	if ((rc = registry_perform(r, method, url, accept, r->basic ? r->userpass : NULL, body_max, err)) ||
	    r->status != DR_STATUS_UNAUTHORIZED || r->basic)
		return rc;
	if (!strncasecmp(r->challenge, "Bearer ", 7))
		rc = registry_fetch_token(r, err);
	else if (!strncasecmp(r->challenge, "Basic", 5) && r->userpass)
		r->basic = 1;
	else
		return 0; /* the 401 stands */
	if (rc)
		return rc;
	return registry_perform(r, method, url, accept, r->authorization ? NULL : r->userpass, body_max, err);
}

void dr_registry_close(struct dr_registry *r)
{
	if (r->curl)
		curl_easy_cleanup(r->curl);
	if (r->userpass) {
		explicit_bzero(r->userpass, strlen(r->userpass));
		free(r->userpass);
	}
	if (r->authorization) {
		explicit_bzero(r->authorization, strlen(r->authorization));
		free(r->authorization);
	}
	if (r->body.data)
		explicit_bzero(r->body.data, r->body.len);
	dr_buf_free(&r->body);
	memset(r, 0, sizeof *r);
}
