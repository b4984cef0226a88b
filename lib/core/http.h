/* http.h: HTTP/1.1 request head reading and parsing, response writing.
 * The request struct owns a fixed buffer; parsed fields point into it, so
 * nothing is allocated and nothing needs freeing. */
#ifndef DR_HTTP_H
#define DR_HTTP_H

#include <stddef.h>

#define DR_HTTP_HEAD_MAX 8192          /* request line + headers + blank line */
#define DR_HTTP_BODY_MAX 65536         /* Content-Length ceiling */
#define DR_HTTP_HEADERS_MAX 64         /* header fields per request */
#define DR_HTTP_METHOD_MAX 16
#define DR_HTTP_HEAD_TIMEOUT_MS 5000
#define DR_HTTP_BODY_TIMEOUT_MS 10000
#define DR_HTTP_LINGER_MS 1000
#define DR_HTTP_LINGER_BYTES (2 * DR_HTTP_BODY_MAX)

/* dr_http_head_read result when the peer closed before sending a byte. */
#define DR_HTTP_CLOSED_EMPTY (-1)

struct dr_http_header {
	const char *name;
	const char *value;
};

struct dr_http_request {
	char head[DR_HTTP_HEAD_MAX + 1];
	size_t head_len;
	/* method, target, path and version: NULL until the request line parsed; then set even when a
	 * later line is refused, so that the refusal's audit entry names them */
	const char *method;
	const char *target;
	const char *path;
	const char *query;        /* "" when the target has none */
	const char *version;      /* "HTTP/1.1" or "HTTP/1.0" */
	struct dr_http_header headers[DR_HTTP_HEADERS_MAX];
	size_t header_count;
	long long content_length; /* -1 when absent */
	int chunked;              /* Transfer-Encoding: chunked */
	int expect_continue;      /* Expect: 100-continue in an HTTP/1.1 request */
	char error[160];          /* why parsing refused the request */
};

/* Read one request head from fd within timeout_ms without consuming any body byte;
 * returns 0, DR_HTTP_CLOSED_EMPTY, or the status to answer (400, 408, 431). req->head holds the
 * head_len bytes that arrived, terminated, whatever the result. */
int dr_http_head_read(int fd, struct dr_http_request *req, int timeout_ms);

/* Parse req->head in place; returns 0 or the status to answer (400, 413, 417, 431, 501, 505). */
int dr_http_head_parse(struct dr_http_request *req);

/* After dr_http_head_read refused a head (431, 408, 400): parse the request line alone when it
 * arrived whole, so that the refusal can name its method and path; req->error is kept. */
void dr_http_head_parse_request_line(struct dr_http_request *req);

/* The value of the first header called name (case-insensitive), or NULL. */
const char *dr_http_header_get(const struct dr_http_request *req, const char *name);

/* Number of header fields called name (case-insensitive). */
size_t dr_http_header_count(const struct dr_http_request *req, const char *name);

/* Standard reason phrase for status. */
const char *dr_http_reason_phrase(int status);

/* Write a complete response with a JSON body and Connection: close; allow may be NULL. */
int dr_http_respond(int fd, int status, const char *request_id, const char *allow,
		    const char *body, size_t body_len);

/* The same with more header lines (each "Name: value\r\n", from the program, never the client). */
int dr_http_respond_with(int fd, int status, const char *request_id, const char *headers,
			 const char *body, size_t body_len);

/* Write the interim "100 Continue" line that lets a client waiting on Expect send its body. */
int dr_http_respond_continue(int fd);

/* Write {"status":"error","reason":...,"request_id":...}; allow may be NULL. */
int dr_http_respond_error(int fd, int status, const char *request_id, const char *allow,
			  const char *reason);

/* The dispatcher's writer of error answers (endpoints build theirs with reply.c): the same, followed by members_len bytes of further
 * serialized JSON members ("phase":"pull","logs":[...]) when members_len is not 0. */
int dr_http_respond_error_with(int fd, int status, const char *request_id, const char *allow,
			       const char *reason, const char *members, size_t members_len);

/* After an early answer: half-close out_fd and discard what the client still sends, for at most
 * DR_HTTP_LINGER_MS or DR_HTTP_LINGER_BYTES, so that closing does not reset the connection
 * before the client has read the answer. */
void dr_http_linger(int in_fd, int out_fd);

#endif
