/* http.c: bounded HTTP/1.1 request head reader and parser, response writer.
 * The descriptor I/O under it is lib/fdio.c. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "fdio.h"
#include "http.h"
#include "jsonstr.h"

/* The HTTP status for an fdio failure: a late client is 408, a broken one 400. */
static int http_status_of(int fd_rc)
{
	return fd_rc == DR_FD_LATE ? 408 : fd_rc ? 400 : 0;
}

/* Index just past the blank line ending the head in buf[0..len), searching from start; 0 if none.
 * A bare "\n\n" also ends it so that the parser can refuse it instead of waiting. */
static size_t http_find_head_end(const char *buf, size_t len, size_t start)
{
	size_t i;

	for (i = start; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Sockets: peek, then consume exactly what belongs to the head. */
static int http_head_read_socket(int fd, struct dr_http_request *req, long long deadline)
{
	size_t len = 0;

	for (;;) {
		ssize_t n;
		size_t end, scan;
		int rc = http_status_of(dr_fd_wait_readable(fd, deadline));
		if (rc)
			return rc;
		n = recv(fd, req->head + len, DR_HTTP_HEAD_MAX - len, MSG_PEEK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return len ? 400 : DR_HTTP_CLOSED_EMPTY;
		if (n == 0)
			return len ? 400 : DR_HTTP_CLOSED_EMPTY;
		scan = len > 2 ? len - 2 : 0;
		end = http_find_head_end(req->head, len + (size_t)n, scan);
		if (end)
			n = (ssize_t)(end - len);
		if (dr_fd_read_some(fd, req->head + len, (size_t)n) != n)
			return 400;
		len += (size_t)n;
		req->head_len = len;
		if (end)
			return 0;
		if (len >= DR_HTTP_HEAD_MAX)
			return 431;
	}
}

/* Pipes and files: one byte at a time so that no body byte is consumed. */
static int http_head_read_stream(int fd, struct dr_http_request *req, long long deadline)
{
	size_t len = 0;

	while (len < DR_HTTP_HEAD_MAX) {
		ssize_t n;
		int rc = http_status_of(dr_fd_wait_readable(fd, deadline));
		if (rc)
			return rc;
		n = dr_fd_read_some(fd, req->head + len, 1);
		if (n <= 0)
			return len ? 400 : DR_HTTP_CLOSED_EMPTY;
		req->head_len = ++len;
		if (req->head[len - 1] == '\n' && http_find_head_end(req->head, len, len > 3 ? len - 3 : 0))
			return 0;
	}
	return 431;
}

int dr_http_head_read(int fd, struct dr_http_request *req, int timeout_ms)
{
	long long deadline = dr_now_ms() + timeout_ms;
	char probe;
	int rc;

	req->head_len = 0;
	req->head[0] = '\0';
	if (recv(fd, &probe, 0, MSG_PEEK | MSG_DONTWAIT) < 0 && errno == ENOTSOCK)
		rc = http_head_read_stream(fd, req, deadline);
	else
		rc = http_head_read_socket(fd, req, deadline);
	req->head[req->head_len] = '\0'; /* a partial head too: its request line may still be parsed */
	if (rc == 408)
		dr_strlcpy(req->error, "request head not received within the time limit", sizeof req->error);
	else if (rc == 431)
		dr_strlcpy(req->error, "request head larger than 8192 bytes", sizeof req->error);
	else if (rc == 400)
		dr_strlcpy(req->error, "connection closed before the request head was complete", sizeof req->error);
	return rc;
}

static int http_refuse(struct dr_http_request *req, int status, const char *why)
{
	dr_strlcpy(req->error, why, sizeof req->error);
	return status;
}

/* tchar from RFC 9110 section 5.6.2. */
static int http_is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* In head[from..to): every LF follows a CR, every CR precedes an LF, and no byte is NUL. */
static int http_check_line_endings(struct dr_http_request *req, size_t from, size_t to)
{
	size_t i;

	if (memchr(req->head + from, '\0', to - from))
		return http_refuse(req, 400, "request head contains a NUL byte");
	for (i = from; i < to; i++) {
		if (req->head[i] == '\n' && (i == 0 || req->head[i - 1] != '\r'))
			return http_refuse(req, 400, "request head line ends in a bare LF; CRLF is required");
		if (req->head[i] == '\r' && (i + 1 >= to || req->head[i + 1] != '\n'))
			return http_refuse(req, 400, "request head contains a bare CR");
	}
	return 0;
}

/* method SP request-target SP HTTP-version; the fields are set only when all of it is valid, so
 * that a set path always means a parsed request line. */
static int http_parse_request_line(struct dr_http_request *req, char *line)
{
	char *sp1 = strchr(line, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	const char *target, *version;
	char *q;
	size_t i;

	if (!sp1 || !sp2 || strchr(sp2 + 1, ' '))
		return http_refuse(req, 400, "malformed request line");
	*sp1 = '\0';
	*sp2 = '\0';
	target = sp1 + 1;
	version = sp2 + 1;
	if (sp1 == line || (size_t)(sp1 - line) > DR_HTTP_METHOD_MAX)
		return http_refuse(req, 400, "malformed request method");
	for (i = 0; line[i]; i++)
		if (!http_is_tchar((unsigned char)line[i]))
			return http_refuse(req, 400, "malformed request method");
	if (target[0] != '/')
		return http_refuse(req, 400, "request target must be an absolute path");
	for (i = 0; target[i]; i++)
		if ((unsigned char)target[i] <= 0x20 || (unsigned char)target[i] >= 0x7f)
			return http_refuse(req, 400, "request target contains a forbidden character");
	if (strcmp(version, "HTTP/1.1") && strcmp(version, "HTTP/1.0")) {
		if (!strncmp(version, "HTTP/", 5))
			return http_refuse(req, 505, "only HTTP/1.1 and HTTP/1.0 are supported");
		return http_refuse(req, 400, "malformed protocol version");
	}
	req->method = line;
	req->target = req->path = target;
	req->version = version;
	req->query = "";
	if ((q = strchr(sp1 + 1, '?'))) {
		*q = '\0'; /* the path ends at '?'; the query follows */
		req->query = q + 1;
	}
	return 0;
}

/* The head's first line, checked and parsed in place; *rest is where the header lines begin. */
static int http_take_request_line(struct dr_http_request *req, char **rest)
{
	char *lf = memchr(req->head, '\n', req->head_len);
	int rc;

	req->method = req->target = req->path = req->version = NULL;
	req->query = "";
	if (!lf)
		return http_refuse(req, 400, "request head has no line end");
	if ((rc = http_check_line_endings(req, 0, (size_t)(lf - req->head) + 1)))
		return rc;
	lf[-1] = '\0';
	*rest = lf + 1;
	return http_parse_request_line(req, req->head);
}

static int http_parse_header_line(struct dr_http_request *req, char *line)
{
	char *colon = strchr(line, ':');
	char *value, *end;
	size_t i;

	if (line[0] == ' ' || line[0] == '\t')
		return http_refuse(req, 400, "obsolete header line folding is not accepted");
	if (!colon || colon == line)
		return http_refuse(req, 400, "malformed header line");
	for (i = 0; line + i < colon; i++)
		if (!http_is_tchar((unsigned char)line[i]))
			return http_refuse(req, 400, "malformed header name");
	*colon = '\0';
	value = colon + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	for (i = 0; value[i]; i++) {
		unsigned char c = (unsigned char)value[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return http_refuse(req, 400, "header value contains a control character");
	}
	if (req->header_count >= DR_HTTP_HEADERS_MAX)
		return http_refuse(req, 431, "more than 64 header fields");
	req->headers[req->header_count].name = line;
	req->headers[req->header_count].value = value;
	req->header_count++;
	return 0;
}

/* Range-checked Content-Length: digits only, 413 above the body limit. */
static int http_parse_content_length(struct dr_http_request *req, const char *v)
{
	long long n = 0;
	size_t i;

	if (!v[0])
		return http_refuse(req, 400, "empty Content-Length");
	for (i = 0; v[i]; i++)
		if (v[i] < '0' || v[i] > '9')
			return http_refuse(req, 400, "Content-Length must be a non-negative decimal number");
	for (i = 0; v[i]; i++) {
		n = n * 10 + (v[i] - '0');
		if (n > DR_HTTP_BODY_MAX)
			return http_refuse(req, 413, "request body larger than 65536 bytes");
	}
	req->content_length = n;
	return 0;
}

/* Fields whose repetition would make the request ambiguous. */
static const char *const http_singleton_headers[] = {
	"Content-Length", "Content-Type", "Transfer-Encoding", "Host",
	"CF-Access-Client-Id", "CF-Access-Client-Secret", "Cf-Access-Jwt-Assertion", "Expect", "Cf-Ray",
};

/* Transfer-Encoding: only "chunked" alone, and not in HTTP/1.0 (RFC 9112 section 6.1). */
static int http_check_transfer_encoding(struct dr_http_request *req, const char *te)
{
	if (!strcmp(req->version, "HTTP/1.0"))
		return http_refuse(req, 400, "Transfer-Encoding is not allowed in an HTTP/1.0 request");
	if (strcasecmp(te, "chunked"))
		return http_refuse(req, 501, "Transfer-Encoding other than chunked is not supported");
	req->chunked = 1;
	return 0;
}

/* Expect: 100-continue is the only expectation (RFC 9110 section 10.1.1); HTTP/1.0 ignores it. */
static int http_check_expect(struct dr_http_request *req, const char *expect)
{
	if (strcasecmp(expect, "100-continue"))
		return http_refuse(req, 417, "Expect: only 100-continue is supported");
	req->expect_continue = !strcmp(req->version, "HTTP/1.1");
	return 0;
}

static int http_check_framing(struct dr_http_request *req)
{
	const char *cl = dr_http_header_get(req, "Content-Length");
	const char *te = dr_http_header_get(req, "Transfer-Encoding");
	const char *expect = dr_http_header_get(req, "Expect");
	size_t i;
	int rc;

	for (i = 0; i < sizeof http_singleton_headers / sizeof *http_singleton_headers; i++)
		if (dr_http_header_count(req, http_singleton_headers[i]) > 1)
			return http_refuse(req, 400, "a header that must appear once is repeated");
	if (te && cl)
		return http_refuse(req, 400, "both Transfer-Encoding and Content-Length are present");
	if (expect && (rc = http_check_expect(req, expect)))
		return rc;
	if (te)
		return http_check_transfer_encoding(req, te);
	return cl ? http_parse_content_length(req, cl) : 0;
}

int dr_http_head_parse(struct dr_http_request *req)
{
	char *line, *next;
	int rc;

	req->header_count = 0;
	req->content_length = -1;
	req->chunked = 0;
	req->expect_continue = 0;
	if ((rc = http_take_request_line(req, &line)))
		return rc;
	/* From here on a refusal still names the method and path (the audit's, CONTRACT 7). */
	if ((rc = http_check_line_endings(req, (size_t)(line - req->head), req->head_len)))
		return rc;
	for (; (next = strstr(line, "\r\n")) != NULL; line = next + 2) {
		*next = '\0';
		if (line[0] == '\0')
			return http_check_framing(req);
		if ((rc = http_parse_header_line(req, line)))
			return rc;
	}
	return http_refuse(req, 400, "request head does not end with a blank line");
}

void dr_http_head_parse_request_line(struct dr_http_request *req)
{
	char why[sizeof req->error];
	char *rest;

	memcpy(why, req->error, sizeof why);
	(void)http_take_request_line(req, &rest); /* on failure the fields stay NULL */
	memcpy(req->error, why, sizeof why);
}

const char *dr_http_header_get(const struct dr_http_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->header_count; i++)
		if (!strcasecmp(req->headers[i].name, name))
			return req->headers[i].value;
	return NULL;
}

size_t dr_http_header_count(const struct dr_http_request *req, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < req->header_count; i++)
		if (!strcasecmp(req->headers[i].name, name))
			n++;
	return n;
}

const char *dr_http_reason_phrase(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 417: return "Expectation Failed";
	case 422: return "Unprocessable Content";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	case 507: return "Insufficient Storage";
	default: return "Unknown";
	}
}

void dr_http_linger(int in_fd, int out_fd)
{
	long long deadline = dr_now_ms() + DR_HTTP_LINGER_MS;
	size_t drained = 0;
	char sink[4096];

	if (shutdown(out_fd, SHUT_WR) < 0)
		return;
	while (drained < DR_HTTP_LINGER_BYTES && dr_fd_wait_readable(in_fd, deadline) == 0) {
		ssize_t n = dr_fd_read_some(in_fd, sink, sizeof sink);
		if (n <= 0)
			return;
		drained += (size_t)n;
	}
}

int dr_http_respond(int fd, int status, const char *request_id, const char *allow,
		    const char *body, size_t body_len)
{
	char header[128];

	if (allow && snprintf(header, sizeof header, "Allow: %s\r\n", allow) >= (int)sizeof header)
		return -1;
	return dr_http_respond_with(fd, status, request_id, allow ? header : NULL, body, body_len);
}

int dr_http_respond_with(int fd, int status, const char *request_id, const char *headers,
			 const char *body, size_t body_len)
{
	char head[1024];
	int n;

	n = snprintf(head, sizeof head,
		     "HTTP/1.1 %d %s\r\n"
		     "Content-Type: application/json\r\n"
		     "Content-Length: %zu\r\n"
		     "Connection: close\r\n"
		     "Cache-Control: no-store\r\n"
		     "%s%s%s"
		     "%s"
		     "\r\n",
		     status, dr_http_reason_phrase(status), body_len,
		     request_id ? "X-Request-Id: " : "", request_id ? request_id : "", request_id ? "\r\n" : "",
		     headers ? headers : "");
	if (n < 0 || (size_t)n >= sizeof head)
		return -1;
	if (dr_write_all(fd, head, (size_t)n))
		return -1;
	return dr_write_all(fd, body, body_len);
}

int dr_http_respond_continue(int fd)
{
	static const char line[] = "HTTP/1.1 100 Continue\r\n\r\n";

	return dr_write_all(fd, line, sizeof line - 1);
}

int dr_http_respond_error(int fd, int status, const char *request_id, const char *allow,
			  const char *reason)
{
	return dr_http_respond_error_with(fd, status, request_id, allow, reason, NULL, 0);
}

int dr_http_respond_error_with(int fd, int status, const char *request_id, const char *allow,
			       const char *reason, const char *members, size_t members_len)
{
	struct dr_buf body;
	int rc = -1;

	dr_buf_init(&body, 4 * DR_REASON_MAX + members_len);
	if (dr_buf_adds(&body, "{\"status\":\"error\",\"reason\":") ||
	    dr_json_add_string(&body, reason) ||
	    (request_id && (dr_buf_adds(&body, ",\"request_id\":") || dr_json_add_string(&body, request_id))) ||
	    (members_len && (dr_buf_adds(&body, ",") || dr_buf_add(&body, members, members_len))) ||
	    dr_buf_adds(&body, "}\n"))
		goto done;
	rc = dr_http_respond(fd, status, request_id, allow, body.data, body.len);
done:
	dr_buf_free(&body);
	return rc;
}
