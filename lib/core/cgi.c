/* cgi.c: endpoint side of the dispatcher hand-off. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "cgi.h"
#include "clock.h"
#include "config.h"
#include "fdio.h"
#include "http.h"
#include "number.h"

static const char *cgi_get(const char *name)
{
	const char *v = dr_env(name);

	return v ? v : "";
}

int dr_cgi_load(struct dr_cgi *cgi, struct dr_error *err)
{
	const char *cl = cgi_get("CONTENT_LENGTH");
	long n = 0;

	cgi->started_ms = dr_now_ms();
	cgi->method = cgi_get("REQUEST_METHOD");
	cgi->path = cgi_get("PATH_INFO");
	cgi->query = cgi_get("QUERY_STRING");
	cgi->content_type = cgi_get("CONTENT_TYPE");
	cgi->request_id = cgi_get("DREICHOR_REQUEST_ID");
	cgi->client_id = cgi_get("DREICHOR_CLIENT_ID");
	cgi->cf_ray = dr_env("HTTP_CF_RAY");
	cgi->prefer = dr_env("HTTP_PREFER");
	cgi->idempotency_key = dr_env("HTTP_IDEMPOTENCY_KEY");
	cgi->content_length = 0;
	if (cl[0] && dr_parse_long(cl, 0, DR_HTTP_BODY_MAX, &n))
		return dr_error_set(err, DR_FAULT_TOO_LARGE, "CONTENT_LENGTH must be a number from 0 to %d", DR_HTTP_BODY_MAX);
	cgi->content_length = n;
	if (!dr_request_id_valid(cgi->request_id))
		return dr_error_set(err, DR_FAULT_BAD_REQUEST, "DREICHOR_REQUEST_ID missing or malformed; endpoints run behind dreichor-agent");
	return 0;
}

void dr_request_id_new(char out[DR_REQUEST_ID_LEN + 1])
{
	unsigned char raw[DR_REQUEST_ID_LEN / 2];
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
		long long t = dr_now_ms() ^ ((long long)getpid() << 20);
		for (i = 0; i < sizeof raw; i++)
			raw[i] = (unsigned char)(t >> ((i % 8) * 8)) ^ (unsigned char)i;
	}
	for (i = 0; i < sizeof raw; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[DR_REQUEST_ID_LEN] = '\0';
}

int dr_request_id_valid(const char *s)
{
	return strlen(s) == DR_REQUEST_ID_LEN && strspn(s, "0123456789abcdef") == DR_REQUEST_ID_LEN;
}

int dr_content_type_is_json(const char *value)
{
	size_t n = strlen("application/json");

	if (!value || strncasecmp(value, "application/json", n))
		return 0;
	return value[n] == '\0' || value[n] == ';' || value[n] == ' ' || value[n] == '\t';
}

int dr_cgi_body_read(const struct dr_cgi *cgi, int fd, char **out, struct dr_error *err)
{
	size_t len = (size_t)cgi->content_length;
	char *body;
	int rc;

	*out = NULL;
	if (cgi->content_length > DR_HTTP_BODY_MAX)
		return dr_error_set(err, DR_FAULT_TOO_LARGE, "request body larger than %d bytes", DR_HTTP_BODY_MAX);
	body = malloc(len + 1);
	if (!body)
		return dr_error_set(err, DR_FAULT_INTERNAL, "out of memory reading the request body");
	rc = dr_fd_read_exact(fd, body, len, cgi->started_ms + DR_HTTP_BODY_TIMEOUT_MS);
	if (rc == DR_FD_LATE) {
		free(body);
		return dr_error_set(err, DR_FAULT_TOO_SLOW, "request body not received within %d seconds", DR_HTTP_BODY_TIMEOUT_MS / 1000);
	}
	if (rc) {
		free(body);
		return dr_error_set(err, DR_FAULT_BAD_REQUEST, "connection closed before the %zu-byte body was complete", len);
	}
	body[len] = '\0';
	*out = body;
	return 0;
}

int dr_cgi_query_number(const struct dr_cgi *cgi, const char *name, long min, long max, long *out,
			struct dr_error *err)
{
	size_t nlen = strlen(name);

	if (!cgi->query[0])
		return 0;
	if (strncmp(cgi->query, name, nlen) || cgi->query[nlen] != '=' ||
	    dr_parse_long(cgi->query + nlen + 1, min, max, out))
		return dr_error_set(err, DR_FAULT_BAD_REQUEST, "the only query parameter is %s, a whole number from %ld to %ld", name, min, max);
	return 0;
}

void dr_cgi_fill_audit(const struct dr_cgi *cgi, struct dr_audit *a)
{
	a->started_ms = cgi->started_ms;
	a->request_id = cgi->request_id;
	a->client_id = cgi->client_id;
	a->method = cgi->method;
	a->path = cgi->path;
	a->cf_ray = cgi->cf_ray;
}

int dr_cgi_prefers(const struct dr_cgi *cgi, const char *token)
{
	const char *p = cgi->prefer;
	size_t len = strlen(token);

	/* Preferences are separated by commas; each may carry "=value" and ";params". */
	while (p && *p) {
		p += strspn(p, " \t,");
		if (!strncasecmp(p, token, len) && strchr(" \t,;=", p[len]))
			return 1;
		p = strchr(p, ',');
	}
	return 0;
}
