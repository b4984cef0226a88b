/* status.h: HTTP statuses by name, and the one test of success. Outside
 * the HTTP layer (lib/core/http.c, chunked.c, and the fault table in
 * error.c) no status is written as a number: t/structure.sh fails on one.
 * Modules return faults (error.h); dr_fault_status turns them into these. */
#ifndef DR_STATUS_H
#define DR_STATUS_H

enum dr_status {
	DR_STATUS_CONTINUE = 100,
	DR_STATUS_SWITCHING_PROTOCOLS = 101,
	DR_STATUS_OK = 200,
	DR_STATUS_CREATED = 201,
	DR_STATUS_ACCEPTED = 202,
	DR_STATUS_NO_CONTENT = 204,
	DR_STATUS_NOT_MODIFIED = 304,
	DR_STATUS_BAD_REQUEST = 400,
	DR_STATUS_UNAUTHORIZED = 401,
	DR_STATUS_FORBIDDEN = 403,
	DR_STATUS_NOT_FOUND = 404,
	DR_STATUS_METHOD_NOT_ALLOWED = 405,
	DR_STATUS_REQUEST_TIMEOUT = 408,
	DR_STATUS_CONFLICT = 409,
	DR_STATUS_LENGTH_REQUIRED = 411,
	DR_STATUS_PRECONDITION_FAILED = 412,
	DR_STATUS_CONTENT_TOO_LARGE = 413,
	DR_STATUS_UNSUPPORTED_MEDIA_TYPE = 415,
	DR_STATUS_EXPECTATION_FAILED = 417,
	DR_STATUS_UNPROCESSABLE = 422,
	DR_STATUS_TOO_MANY_REQUESTS = 429,
	DR_STATUS_HEADERS_TOO_LARGE = 431,
	DR_STATUS_INTERNAL_ERROR = 500,
	DR_STATUS_NOT_IMPLEMENTED = 501,
	DR_STATUS_BAD_GATEWAY = 502,
	DR_STATUS_UNAVAILABLE = 503,
	DR_STATUS_VERSION_NOT_SUPPORTED = 505,
	DR_STATUS_INSUFFICIENT_STORAGE = 507,
	DR_STATUS_EDGE_TIMEOUT = 524,      /* Cloudflare's: the origin did not answer in time */
};

/* Whether status is a success (2xx): the one place that says so. */
static inline int dr_status_success(int status)
{
	return status >= DR_STATUS_OK && status < DR_STATUS_OK + 100;
}

#endif
