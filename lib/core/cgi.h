/* cgi.h: the CGI/1.1 meta-variables the dispatcher hands to an endpoint,
 * request ids, and the bounded body read. The variables are read with
 * dr_env (config.h). Fields point into the environment. */
#ifndef DR_CGI_H
#define DR_CGI_H

#include <stddef.h>

#include "audit.h"
#include "error.h"

#define DR_REQUEST_ID_LEN 32 /* hex characters */

struct dr_cgi {
	const char *method;        /* REQUEST_METHOD */
	const char *path;          /* PATH_INFO */
	const char *query;         /* QUERY_STRING, "" when absent */
	const char *content_type;  /* CONTENT_TYPE, "" when absent */
	long long content_length;  /* CONTENT_LENGTH, 0 when absent */
	const char *request_id;    /* DREICHOR_REQUEST_ID */
	const char *client_id;     /* DREICHOR_CLIENT_ID, the authenticated id */
	const char *cf_ray;        /* HTTP_CF_RAY, checked by the dispatcher; NULL when absent */
	const char *prefer;        /* HTTP_PREFER (RFC 7240), NULL when absent */
	const char *idempotency_key; /* HTTP_IDEMPOTENCY_KEY, unchecked; NULL when absent */
	long long started_ms;      /* monotonic time the endpoint began */
};

/* Read the meta-variables; returns 0 or a fault (bad request, too large) with a reason. */
int dr_cgi_load(struct dr_cgi *cgi, struct dr_error *err);

/* 1 when the request's Prefer header (RFC 7240) holds the preference token (respond-async). */
int dr_cgi_prefers(const struct dr_cgi *cgi, const char *token);

/* Make a new random request id of DR_REQUEST_ID_LEN hex characters. */
void dr_request_id_new(char out[DR_REQUEST_ID_LEN + 1]);

/* 1 when s looks like a request id (hex, DR_REQUEST_ID_LEN long). */
int dr_request_id_valid(const char *s);

/* 1 when a Content-Type value is application/json, parameters allowed. */
int dr_content_type_is_json(const char *value);

/* Read exactly CONTENT_LENGTH body bytes from fd within the body time limit into a malloc'd,
 * NUL-terminated buffer the caller frees; returns 0 or a fault (bad request, too slow, too large). */
int dr_cgi_body_read(const struct dr_cgi *cgi, int fd, char **out, struct dr_error *err);

/* The query's only parameter name, a decimal from min to max, into *out (left alone when the
 * query is empty); 0, or a bad-request fault naming the rule for anything else. */
int dr_cgi_query_number(const struct dr_cgi *cgi, const char *name, long min, long max, long *out,
			struct dr_error *err);

/* Fill the audit fields that come from the request (strings borrowed from cgi). */
void dr_cgi_fill_audit(const struct dr_cgi *cgi, struct dr_audit *a);

#endif
