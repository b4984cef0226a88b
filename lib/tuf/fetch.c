/* fetch.c: the TUF client's downloads over libcurl; see fetch.h. */

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "clock.h"
#include "fetch.h"
#include "status.h"
#include "update.h"

#define FETCH_HTTPS "https://"
#define FETCH_HTTP "http://"

static const char *const fetch_loopback[] = { "127.0.0.1", "[::1]", "localhost" };

/* The host part of url after its scheme, lower-cased into host; 0 or -1. */
static int fetch_host(const char *rest, char host[DR_TUF_HOST_MAX])
{
	size_t n, i;

	if (rest[0] == '[')
		n = strcspn(rest, "]") + 1;
	else
		n = strcspn(rest, ":/");
	if (n <= 1 || n >= DR_TUF_HOST_MAX || (rest[0] == '[' && rest[n - 1] != ']'))
		return -1;
	for (i = 0; i < n; i++)
		host[i] = (char)(rest[i] >= 'A' && rest[i] <= 'Z' ? rest[i] - 'A' + 'a' : rest[i]);
	host[n] = '\0';
	return rest[n] == '\0' || rest[n] == ':' || rest[n] == '/' ? 0 : -1;
}

int dr_tuf_url_check(const char *url, char host[DR_TUF_HOST_MAX], char *why, size_t why_cap)
{
	size_t len = strnlen(url, DR_TUF_URL_MAX), i;
	int https = !strncmp(url, FETCH_HTTPS, strlen(FETCH_HTTPS));
	const char *rest;

	if (len == 0 || len >= DR_TUF_URL_MAX) {
		snprintf(why, why_cap, "empty, or longer than %d bytes", DR_TUF_URL_MAX - 1);
		return -1;
	}
	for (i = 0; i < len; i++)
		if (url[i] <= ' ' || url[i] > '~' || strchr("?#@\\\"'", url[i])) {
			snprintf(why, why_cap, "only printable ASCII, without blanks, quotes, '?', '#', '@' or '\\'");
			return -1;
		}
	if (!https && strncmp(url, FETCH_HTTP, strlen(FETCH_HTTP))) {
		snprintf(why, why_cap, "must start with https://");
		return -1;
	}
	rest = url + (https ? strlen(FETCH_HTTPS) : strlen(FETCH_HTTP));
	if (fetch_host(rest, host)) {
		snprintf(why, why_cap, "no host after the scheme");
		return -1;
	}
	for (i = 0; !https && i < sizeof fetch_loopback / sizeof *fetch_loopback; i++)
		if (!strcmp(host, fetch_loopback[i]))
			return 0;
	if (!https) {
		snprintf(why, why_cap, "http:// only to a loopback host (127.0.0.1, [::1], localhost); else https://");
		return -1;
	}
	return 0;
}

static size_t fetch_collect(char *data, size_t size, size_t n, void *userdata)
{
	struct dr_buf *b = userdata;

	return dr_buf_add(b, data, size * n) ? 0 : size * n;
}

/* The time this download may take: a whole file's, less when the run's deadline is nearer. */
static long fetch_budget_ms(const struct dr_tuf_http *h)
{
	long long left = h->deadline - dr_now_ms();

	return left < DR_TUF_FILE_TIMEOUT_MS ? (long)left : DR_TUF_FILE_TIMEOUT_MS;
}

static void fetch_options(CURL *curl, const struct dr_tuf_http *h, const char *url, size_t max, long budget,
			  struct dr_buf *out, char *error)
{
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, strncmp(url, FETCH_HTTPS, strlen(FETCH_HTTPS)) ? "http" : "https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, DR_TUF_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, budget);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, DR_TUF_LOW_SPEED_BYTES);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, DR_TUF_LOW_SPEED_SECONDS);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, fetch_collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "dreichor-sigstore-root/" PACKAGE_VERSION);
	if (h->cacert)
		curl_easy_setopt(curl, CURLOPT_CAINFO, h->cacert);
}

int dr_tuf_http_fetch(void *ctx, const char *path, size_t max, struct dr_buf *out, char *why, size_t why_cap)
{
	const struct dr_tuf_http *h = ctx;
	char url[DR_TUF_URL_MAX + DR_TUF_PATH_MAX + 2], error[CURL_ERROR_SIZE] = "";
	size_t base_len = strlen(h->base);
	long budget = fetch_budget_ms(h), code = 0;
	CURL *curl;
	CURLcode rc;

	if (budget <= 0) {
		snprintf(why, why_cap, "the run's %lld s are up", DR_TUF_RUN_TIMEOUT_MS / 1000);
		return DR_TUF_FETCH_FAILED;
	}
	while (base_len && h->base[base_len - 1] == '/')
		base_len--;
	if (snprintf(url, sizeof url, "%.*s/%s", (int)base_len, h->base, path) >= (int)sizeof url) {
		snprintf(why, why_cap, "URL too long");
		return DR_TUF_FETCH_FAILED;
	}
	if (!(curl = curl_easy_init())) {
		snprintf(why, why_cap, "libcurl did not start");
		return DR_TUF_FETCH_FAILED;
	}
	fetch_options(curl, h, url, max, budget, out, error);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(curl);
	if (code == DR_STATUS_NOT_FOUND || code == DR_STATUS_FORBIDDEN)
		return DR_TUF_FETCH_NOT_FOUND;
	if (out->overflow || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(why, why_cap, "longer than %zu bytes", max);
	else if (rc != CURLE_OK)
		snprintf(why, why_cap, "%s", error[0] ? error : curl_easy_strerror(rc));
	else if (code != DR_STATUS_OK)
		snprintf(why, why_cap, "HTTP status %ld", code);
	else
		return DR_TUF_FETCH_OK;
	return DR_TUF_FETCH_FAILED;
}
