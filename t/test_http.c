/* test_http.c: the request head reader and parser on good and hostile input. */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "unit.h"

static struct dr_http_request req;

static int parse(const char *text, size_t len)
{
	memset(&req, 0, sizeof req);
	memcpy(req.head, text, len);
	req.head[len] = '\0';
	req.head_len = len;
	return dr_http_head_parse(&req);
}

#define PARSE(s) parse((s), sizeof(s) - 1)

static void test_valid_get(void)
{
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1\r\nHost: x\r\nCF-Access-Client-Id: a\r\n\r\n"), 0);
	CU_ASSERT_STRING_EQUAL(req.method, "GET");
	CU_ASSERT_STRING_EQUAL(req.path, "/v1/status");
	CU_ASSERT_STRING_EQUAL(req.version, "HTTP/1.1");
	CU_ASSERT_EQUAL(req.content_length, -1);
	CU_ASSERT_STRING_EQUAL(dr_http_header_get(&req, "cf-access-client-id"), "a");
}

static void test_query_split(void)
{
	CU_ASSERT_EQUAL(PARSE("GET /v1/status?verbose=1 HTTP/1.1\r\n\r\n"), 0);
	CU_ASSERT_STRING_EQUAL(req.path, "/v1/status");
	CU_ASSERT_STRING_EQUAL(req.query, "verbose=1");
}

static void test_lower_case_names_and_ows(void)
{
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\ncontent-length:   12  \r\ncontent-type:application/json\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(req.content_length, 12);
	CU_ASSERT_STRING_EQUAL(dr_http_header_get(&req, "Content-Type"), "application/json");
}

static void test_http10_accepted(void)
{
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.0\r\n\r\n"), 0);
	CU_ASSERT_STRING_EQUAL(req.version, "HTTP/1.0");
}

static void test_other_versions(void)
{
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/2.0\r\n\r\n"), 505);
	CU_ASSERT_EQUAL(PARSE("GET /v1/status FOO/1.1\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("GET /v1/status\r\n\r\n"), 400);
}

static void test_bare_lf(void)
{
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1\nHost: x\n\n"), 400);
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1\r\nHost: x\n\r\n"), 400);
}

static void test_bare_cr(void)
{
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1\r\nHost: x\ry\r\n\r\n"), 400);
}

static void test_missing_crlf_end(void)
{
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1\r\nHost: x\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1"), 400);
}

static void test_nul_byte(void)
{
	static const char text[] = "GET /v1/status HTTP/1.1\r\nHost: a\0b\r\n\r\n";
	CU_ASSERT_EQUAL(parse(text, sizeof text - 1), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(req.error, "NUL"));
}

static void test_obs_fold(void)
{
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1\r\nX-A: one\r\n  two\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1\r\nX-A: one\r\n\ttwo\r\n\r\n"), 400);
}

static void test_space_before_colon(void)
{
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1\r\nHost : x\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1\r\n: x\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1\r\nnocolon\r\n\r\n"), 400);
}

static void test_control_in_value(void)
{
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1\r\nX-A: a\x01" "b\r\n\r\n"), 400);
}

static void test_content_length_duplicate(void)
{
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 6\r\n\r\n"), 400);
}

static void test_content_length_negative_and_garbage(void)
{
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nContent-Length: +5\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nContent-Length:\r\n\r\n"), 400);
}

static void test_content_length_huge(void)
{
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nContent-Length: 65537\r\n\r\n"), 413);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n"), 413);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nContent-Length: 65536\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(req.content_length, 65536);
}

static void test_transfer_encoding(void)
{
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 0);
	CU_ASSERT_TRUE(req.chunked);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 501);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nContent-Length: 3\r\n\r\n"), 0);
	CU_ASSERT_FALSE(req.chunked);
}

static void test_expect(void)
{
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"), 0);
	CU_ASSERT_TRUE(req.expect_continue);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n"), 0);
	CU_ASSERT_TRUE(req.expect_continue);
	/* HTTP/1.0 clients cannot wait for an interim answer: the expectation is ignored. */
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"), 0);
	CU_ASSERT_FALSE(req.expect_continue);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nExpect: 200-ok\r\nContent-Length: 3\r\n\r\n"), 417);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nExpect: \r\nContent-Length: 3\r\n\r\n"), 417);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nExpect: 100-continue\r\nExpect: 100-continue\r\n\r\n"), 400);
}

/* The head cloudflared sends: Go-canonical names, keep-alive, compression offers, the JWT twice. */
static void test_cloudflared_head(void)
{
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/1.1\r\nHost: deploy-dev.example.com\r\nUser-Agent: curl/8.5.0\r\n"
			      "Content-Length: 2\r\nAccept: */*\r\nAccept-Encoding: gzip, br\r\nCdn-Loop: cloudflare; loops=1\r\n"
			      "Cf-Access-Jwt-Assertion: a.b.c\r\nCf-Connecting-Ip: 203.0.113.7\r\nCf-Ipcountry: DE\r\n"
			      "Cf-Ray: 8f1b2c3d4e5f6a7b-FRA\r\nCf-Visitor: {\"scheme\":\"https\"}\r\nCf-Warp-Tag-Id: 6f0c1f4e-0d7e-4d53-9b43-1a2b3c4d5e6f\r\n"
			      "Connection: keep-alive\r\nContent-Type: application/json\r\nCookie: CF_Authorization=a.b.c\r\n"
			      "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(req.content_length, 2);
	CU_ASSERT_STRING_EQUAL(dr_http_header_get(&req, "CF-RAY"), "8f1b2c3d4e5f6a7b-FRA");
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1\r\nCf-Ray: a\r\nCf-Ray: b\r\n\r\n"), 400);
}

static void test_repeated_credentials(void)
{
	CU_ASSERT_EQUAL(PARSE("GET /v1/status HTTP/1.1\r\nCF-Access-Client-Id: a\r\ncf-access-client-id: b\r\n\r\n"), 400);
}

static void test_too_many_headers(void)
{
	char text[DR_HTTP_HEAD_MAX];
	size_t len = 0;
	int i;

	len += (size_t)snprintf(text, sizeof text, "GET /v1/status HTTP/1.1\r\n");
	for (i = 0; i < DR_HTTP_HEADERS_MAX + 1; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "X-%d: v\r\n", i);
	len += (size_t)snprintf(text + len, sizeof text - len, "\r\n");
	CU_ASSERT_EQUAL(parse(text, len), 431);
}

static void test_bad_target(void)
{
	CU_ASSERT_EQUAL(PARSE("GET http://host/v1/status HTTP/1.1\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("GET  /v1/status HTTP/1.1\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("G\"T /v1/status HTTP/1.1\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(PARSE("GET /v1/st\x7f" "atus HTTP/1.1\r\n\r\n"), 400);
}

/* A refusal after the request line still names its method and path (the audit's, CONTRACT 7);
 * one of the request line itself names neither. */
static void test_refusal_keeps_request_line(void)
{
	static const char nul[] = "POST /v1/deploy?x=1 HTTP/1.1\r\nHost: a\0b\r\n\r\n";
	static const char *const after[] = {
		"POST /v1/deploy?x=1 HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
		"POST /v1/deploy?x=1 HTTP/1.1\r\nBad Name: v\r\n\r\n",
		"POST /v1/deploy?x=1 HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n",
		"POST /v1/deploy?x=1 HTTP/1.1\r\nHost: x\ny\r\n\r\n",
		"POST /v1/deploy?x=1 HTTP/1.1\r\nHost: x\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof after / sizeof *after; i++) {
		CU_ASSERT_EQUAL(parse(after[i], strlen(after[i])), 400);
		CU_ASSERT_STRING_EQUAL(req.method ? req.method : "(none)", "POST");
		CU_ASSERT_STRING_EQUAL(req.path ? req.path : "(none)", "/v1/deploy");
	}
	CU_ASSERT_EQUAL(parse(nul, sizeof nul - 1), 400);
	CU_ASSERT_STRING_EQUAL(req.path ? req.path : "(none)", "/v1/deploy");
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy HTTP/9.9\r\n\r\n"), 505);
	CU_ASSERT_PTR_NULL(req.method);
	CU_ASSERT_PTR_NULL(req.path);
	CU_ASSERT_EQUAL(PARSE("P\"ST /v1/deploy HTTP/1.1\r\n\r\n"), 400);
	CU_ASSERT_PTR_NULL(req.method);
	CU_ASSERT_EQUAL(PARSE("POST /v1/deploy\0 HTTP/1.1\r\n\r\n"), 400);
	CU_ASSERT_PTR_NULL(req.path);
}

/* A head too large (or cut short) still names its request line when that arrived whole; the
 * reader's reason is kept. */
static void test_partial_head_request_line(void)
{
	static const char start[] = "POST /v1/deploy HTTP/1.1\r\nX-Long: ";
	int sv[2];
	char *big = malloc(DR_HTTP_HEAD_MAX + 100);

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(big, 'a', DR_HTTP_HEAD_MAX + 100);
	memcpy(big, start, sizeof start - 1);
	CU_ASSERT_EQUAL(write(sv[1], big, DR_HTTP_HEAD_MAX + 100), DR_HTTP_HEAD_MAX + 100);
	memset(&req, 0, sizeof req);
	CU_ASSERT_EQUAL(dr_http_head_read(sv[0], &req, 1000), 431);
	dr_http_head_parse_request_line(&req);
	CU_ASSERT_STRING_EQUAL(req.method ? req.method : "(none)", "POST");
	CU_ASSERT_STRING_EQUAL(req.path ? req.path : "(none)", "/v1/deploy");
	CU_ASSERT_PTR_NOT_NULL(strstr(req.error, "8192"));
	close(sv[0]);
	close(sv[1]);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CU_ASSERT_EQUAL(write(sv[1], "GET /v1/sta", 11), 11);
	CU_ASSERT_EQUAL(dr_http_head_read(sv[0], &req, 150), 408);
	dr_http_head_parse_request_line(&req);
	CU_ASSERT_PTR_NULL(req.path);
	close(sv[0]);
	close(sv[1]);
	free(big);
}

/* A head followed by a body (and a pipelined request) over fd: the reader must stop at the head. */
static void check_reader_keeps_body(int rfd, int wfd)
{
	static const char text[] = "POST /v1/deploy HTTP/1.1\r\nContent-Length: 7\r\n\r\n{\"a\":1}GET /v1/status HTTP/1.1\r\n\r\n";
	char rest[64];
	ssize_t n;

	CU_ASSERT_EQUAL(write(wfd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	close(wfd);
	memset(&req, 0, sizeof req);
	CU_ASSERT_EQUAL(dr_http_head_read(rfd, &req, 1000), 0);
	CU_ASSERT_EQUAL(dr_http_head_parse(&req), 0);
	CU_ASSERT_EQUAL(req.content_length, 7);
	n = read(rfd, rest, sizeof rest - 1);
	CU_ASSERT_TRUE(n > 7);
	if (n > 7) {
		rest[n] = '\0';
		CU_ASSERT_EQUAL(memcmp(rest, "{\"a\":1}GET", 10), 0);
	}
	close(rfd);
}

static void test_reader_socket_keeps_body(void)
{
	int sv[2];

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	check_reader_keeps_body(sv[0], sv[1]);
}

static void test_reader_pipe_keeps_body(void)
{
	int p[2];

	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	check_reader_keeps_body(p[0], p[1]);
}

static void test_reader_head_overflow(void)
{
	int sv[2];
	char *big = malloc(DR_HTTP_HEAD_MAX + 100);

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(big, 'a', DR_HTTP_HEAD_MAX + 100);
	memcpy(big, "GET /v1/status HTTP/1.1\r\nX-Long: ", 33);
	CU_ASSERT_EQUAL(write(sv[1], big, DR_HTTP_HEAD_MAX + 100), DR_HTTP_HEAD_MAX + 100);
	CU_ASSERT_EQUAL(dr_http_head_read(sv[0], &req, 1000), 431);
	close(sv[0]);
	close(sv[1]);
	free(big);
}

static void test_reader_exactly_at_limit(void)
{
	int sv[2];
	char *text = malloc(DR_HTTP_HEAD_MAX);
	const char *start = "GET /v1/status HTTP/1.1\r\nX-Fill: ";

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(text, 'b', DR_HTTP_HEAD_MAX);
	memcpy(text, start, strlen(start));
	memcpy(text + DR_HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
	CU_ASSERT_EQUAL(write(sv[1], text, DR_HTTP_HEAD_MAX), DR_HTTP_HEAD_MAX);
	CU_ASSERT_EQUAL(dr_http_head_read(sv[0], &req, 1000), 0);
	CU_ASSERT_EQUAL(req.head_len, DR_HTTP_HEAD_MAX);
	close(sv[0]);
	close(sv[1]);
	free(text);
}

static void test_reader_timeout(void)
{
	int sv[2];

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CU_ASSERT_EQUAL(write(sv[1], "GET /v1/sta", 11), 11);
	CU_ASSERT_EQUAL(dr_http_head_read(sv[0], &req, 150), 408);
	close(sv[0]);
	close(sv[1]);
}

static void test_reader_eof(void)
{
	int sv[2];

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	CU_ASSERT_EQUAL(dr_http_head_read(sv[0], &req, 1000), DR_HTTP_CLOSED_EMPTY);
	close(sv[0]);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CU_ASSERT_EQUAL(write(sv[1], "GET / HTTP/1.1\r\n", 16), 16);
	close(sv[1]);
	CU_ASSERT_EQUAL(dr_http_head_read(sv[0], &req, 1000), 400);
	close(sv[0]);
}

static void test_reader_bare_lf_end(void)
{
	int sv[2];

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CU_ASSERT_EQUAL(write(sv[1], "GET / HTTP/1.1\nHost: x\n\n", 24), 24);
	CU_ASSERT_EQUAL(dr_http_head_read(sv[0], &req, 1000), 0);
	CU_ASSERT_EQUAL(dr_http_head_parse(&req), 400);
	close(sv[0]);
	close(sv[1]);
}

static void test_response_format(void)
{
	int p[2];
	char out[1024];
	ssize_t n;

	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	CU_ASSERT_EQUAL(dr_http_respond_error(p[1], 405, "abc", "GET", "no \"quotes\"\n here"), 0);
	close(p[1]);
	n = read(p[0], out, sizeof out - 1);
	close(p[0]);
	CU_ASSERT_TRUE(n > 0);
	out[n > 0 ? n : 0] = '\0';
	CU_ASSERT_EQUAL(strncmp(out, "HTTP/1.1 405 Method Not Allowed\r\n", 33), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\r\nAllow: GET\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\r\nConnection: close\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\r\nContent-Type: application/json\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"reason\":\"no \\\"quotes\\\"\\u000a here\""));
}

static const struct unit_case cases[] = {
	{ "valid GET", test_valid_get },
	{ "query split from path", test_query_split },
	{ "a refusal after the request line keeps method and path", test_refusal_keeps_request_line },
	{ "a head too large keeps its request line", test_partial_head_request_line },
	{ "lower-case names and optional whitespace", test_lower_case_names_and_ows },
	{ "HTTP/1.0 accepted", test_http10_accepted },
	{ "other versions refused", test_other_versions },
	{ "bare LF refused", test_bare_lf },
	{ "bare CR refused", test_bare_cr },
	{ "missing CRLF end refused", test_missing_crlf_end },
	{ "NUL byte refused", test_nul_byte },
	{ "obs-fold refused", test_obs_fold },
	{ "malformed header names refused", test_space_before_colon },
	{ "control characters in values refused", test_control_in_value },
	{ "duplicate Content-Length refused", test_content_length_duplicate },
	{ "negative or non-decimal Content-Length refused", test_content_length_negative_and_garbage },
	{ "huge Content-Length is 413", test_content_length_huge },
	{ "Transfer-Encoding chunked accepted, other codings 501, with Content-Length 400", test_transfer_encoding },
	{ "Expect: 100-continue only", test_expect },
	{ "the head cloudflared sends", test_cloudflared_head },
	{ "repeated credential headers refused", test_repeated_credentials },
	{ "more than 64 headers is 431", test_too_many_headers },
	{ "bad request targets refused", test_bad_target },
	{ "socket reader leaves body and pipelined bytes unread", test_reader_socket_keeps_body },
	{ "pipe reader leaves body and pipelined bytes unread", test_reader_pipe_keeps_body },
	{ "head over 8 KiB is 431", test_reader_head_overflow },
	{ "head of exactly 8 KiB accepted", test_reader_exactly_at_limit },
	{ "slow head is 408", test_reader_timeout },
	{ "early close", test_reader_eof },
	{ "bare LF head end is read then refused", test_reader_bare_lf_end },
	{ "error response format", test_response_format },
	{ NULL, NULL },
};

int main(void)
{
	return unit_run("http", cases);
}
