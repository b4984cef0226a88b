/* ctl_http.h: dreichorctl's HTTP exchange with the agent (libcurl): one
 * request with the service token, and the same request sent again while
 * the edge or a proxy, not the agent, answered. The struct borrows its
 * strings (the owner keeps them and wipes the secret) and owns the last
 * answer's body, which ctl_http_free releases. */
#ifndef CTL_HTTP_H
#define CTL_HTTP_H

#include <curl/curl.h>

#include "buf.h"

struct ctl_http {
	const char *url;             /* the agent's base URL, https:// or loopback http:// */
	const char *client_id;       /* CF-Access-Client-Id */
	const char *secret;          /* CF-Access-Client-Secret */
	long timeout;                /* seconds per request */
	const char *idempotency_key; /* sent with every POST when not empty */
	const char *prefer;          /* the next POSTs' Prefer header, or NULL */
	long status;                 /* the last answer's HTTP status */
	struct dr_buf body;          /* the last answer's body, at most CTL_RESPONSE_MAX bytes */
	char curl_error[CURL_ERROR_SIZE];
};

/* Start libcurl and an empty body; the fields above are the caller's to set. */
void ctl_http_init(struct ctl_http *h);

/* Release the body and libcurl (after ctl_http_init, whether or not a request was sent); h may be NULL. */
void ctl_http_free(struct ctl_http *h);

/* Send method url+path with json (NULL: none) as the body; 0 when an HTTP answer arrived (any
 * status, in h->status and h->body), else CTL_EXIT_TRANSPORT after saying why on stderr. */
int ctl_http_request(struct ctl_http *h, const char *method, const char *path, const char *json);

/* As ctl_http_request, but a request the way to the agent cut (no answer, or a 5xx that is not
 * the agent's JSON) is sent again, up to 10 times: the idempotency key makes it safe. */
int ctl_http_request_again(struct ctl_http *h, const char *method, const char *path, const char *json);

#endif
