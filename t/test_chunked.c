/* test_chunked.c: the chunked body decoder on good, split, hostile and oversized input. */

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chunked.h"
#include "clock.h"
#include "http.h"
#include "unit.h"

static char out[DR_HTTP_BODY_MAX];
static struct dr_chunked ch;

/* Feed text whole; the decoder's verdict. */
static int feed(const char *text, size_t len)
{
	size_t used;

	dr_chunked_init(&ch, out, sizeof out);
	return dr_chunked_feed(&ch, text, len, &used);
}

#define FEED(s) feed((s), sizeof(s) - 1)

static int body_is(const char *want)
{
	return ch.out_len == strlen(want) && !memcmp(ch.out, want, ch.out_len);
}

static void test_valid(void)
{
	CU_ASSERT_EQUAL(FEED("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), 1);
	CU_ASSERT_TRUE(body_is("hello world"));
	CU_ASSERT_EQUAL(FEED("0\r\n\r\n"), 1);
	CU_ASSERT_EQUAL(ch.out_len, 0);
	CU_ASSERT_EQUAL(FEED("00A\r\n0123456789\r\n0\r\n\r\n"), 1);
	CU_ASSERT_TRUE(body_is("0123456789"));
	/* Extensions are ignored, whitespace before them too. */
	CU_ASSERT_EQUAL(FEED("2;name=value\r\n{}\r\n0 ; last\r\n\r\n"), 1);
	CU_ASSERT_TRUE(body_is("{}"));
	/* Incomplete is not an error: more is needed. */
	CU_ASSERT_EQUAL(FEED("5\r\nhel"), 0);
}

/* The same body fed one byte at a time decodes the same. */
static void test_split(void)
{
	static const char msg[] = "3\r\n{\"a\r\n4;x=y\r\n\":1}\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
	size_t i, used, end = sizeof msg - 1 - strlen("GET / HTTP/1.1\r\n");
	int rc = 0;

	dr_chunked_init(&ch, out, sizeof out);
	for (i = 0; i < sizeof msg - 1 && rc == 0; i++)
		rc = dr_chunked_feed(&ch, msg + i, 1, &used);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_EQUAL(i, end); /* nothing after the last CRLF is taken */
	CU_ASSERT_TRUE(body_is("{\"a\":1}"));
	dr_chunked_init(&ch, out, sizeof out);
	CU_ASSERT_EQUAL(dr_chunked_feed(&ch, msg, sizeof msg - 1, &used), 1);
	CU_ASSERT_EQUAL(used, end);
}

static void test_malformed(void)
{
	CU_ASSERT_EQUAL(FEED("x\r\n"), 400);
	CU_ASSERT_EQUAL(FEED("\r\n"), 400);
	CU_ASSERT_EQUAL(FEED("-1\r\n"), 400);
	CU_ASSERT_EQUAL(FEED("+5\r\nhello\r\n"), 400);
	CU_ASSERT_EQUAL(FEED("0x5\r\nhello\r\n"), 400);
	CU_ASSERT_EQUAL(FEED("5\nhello\r\n"), 400);          /* bare LF */
	CU_ASSERT_EQUAL(FEED("5\rhello\r\n"), 400);          /* bare CR */
	CU_ASSERT_EQUAL(FEED("5\r\nhello!\r\n0\r\n\r\n"), 400); /* data longer than its size */
	CU_ASSERT_PTR_NOT_NULL(strstr(ch.why, "longer than its chunk size"));
	CU_ASSERT_EQUAL(FEED("5\r\nhello\n0\r\n\r\n"), 400);
	CU_ASSERT_EQUAL(FEED("2;a\x01\r\n{}\r\n0\r\n\r\n"), 400);
	/* Trailer fields are refused. */
	CU_ASSERT_EQUAL(FEED("2\r\n{}\r\n0\r\nX-Checksum: 1\r\n\r\n"), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(ch.why, "trailer"));
	CU_ASSERT_EQUAL(FEED("2\r\n{}\r\n0\r\n\n"), 400);
}

static void test_limits(void)
{
	static char big[DR_HTTP_BODY_MAX + 64];
	size_t used;
	int n;

	CU_ASSERT_EQUAL(FEED("10001\r\n"), 413);             /* one chunk over 64 KiB */
	CU_ASSERT_PTR_NOT_NULL(strstr(ch.why, "65536"));
	CU_ASSERT_EQUAL(FEED("FFFFFFFFFFFFFFFFFFFFFFFF\r\n"), 413); /* no overflow on the way */
	CU_ASSERT_EQUAL(FEED("10000\r\n"), 0);                /* exactly 64 KiB is allowed */
	/* Many small chunks that add up to more than the limit. */
	dr_chunked_init(&ch, out, sizeof out);
	n = 0;
	for (int i = 0; i < 17 && n == 0; i++) {
		memcpy(big, "1000\r\n", 6);
		memset(big + 6, 'x', 4096);
		memcpy(big + 6 + 4096, "\r\n", 2);
		n = dr_chunked_feed(&ch, big, 4104, &used);
	}
	CU_ASSERT_EQUAL(n, 413);
	CU_ASSERT_EQUAL(ch.out_len, DR_HTTP_BODY_MAX);
	/* A size line padded with zeros or extensions is bounded. */
	memset(big, '0', DR_CHUNK_LINE_MAX + 10);
	CU_ASSERT_EQUAL(feed(big, DR_CHUNK_LINE_MAX + 10), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(ch.why, "1024"));
}

/* Through a socket: the decoder leaves what follows the body unread; a stall is 408. */
static void test_read_socket(void)
{
	static const char msg[] = "2\r\n{}\r\n0\r\n\r\nNEXT";
	char rest[8];
	int sv[2];

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CU_ASSERT_EQUAL(write(sv[1], msg, sizeof msg - 1), (ssize_t)(sizeof msg - 1));
	dr_chunked_init(&ch, out, sizeof out);
	CU_ASSERT_EQUAL(dr_chunked_read(&ch, sv[0], dr_now_ms() + 5000), 0);
	CU_ASSERT_TRUE(body_is("{}"));
	CU_ASSERT_EQUAL(read(sv[0], rest, 4), 4);
	CU_ASSERT_EQUAL(memcmp(rest, "NEXT", 4), 0);
	CU_ASSERT_EQUAL(write(sv[1], "2\r\n{", 4), 4);
	dr_chunked_init(&ch, out, sizeof out);
	CU_ASSERT_EQUAL(dr_chunked_read(&ch, sv[0], dr_now_ms() + 100), 408);
	close(sv[1]);
	CU_ASSERT_EQUAL(dr_chunked_read(&ch, sv[0], dr_now_ms() + 5000), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(ch.why, "closed"));
	close(sv[0]);
}

/* Without a buffer (how the Docker gate relays a streamed answer): the framing is followed to
 * its end, the data counted and not kept, beyond the 64 KiB a request body may have. */
static void test_follow(void)
{
	const char *body = "5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\n\r\nNEXT";
	static char big[3 * DR_HTTP_BODY_MAX];
	size_t used, i, total = 0;
	int rc = 0;

	/* Fed one byte at a time, as a slow stream arrives. */
	dr_chunked_init(&ch, NULL, 0);
	for (i = 0; i < strlen(body) && rc == 0; i++) {
		rc = dr_chunked_feed(&ch, body + i, 1, &used);
		total += used;
	}
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_EQUAL(total, strlen(body) - 4);
	CU_ASSERT_EQUAL(ch.out_len, 8);
	dr_chunked_init(&ch, NULL, 0);
	CU_ASSERT_EQUAL(dr_chunked_feed(&ch, "zz\r\n", 4, &used), 400);
	dr_chunked_init(&ch, NULL, 0);
	CU_ASSERT_EQUAL(dr_chunked_feed(&ch, "3\r\nabcX", 7, &used), 400);
	/* A chunk three times a request body's limit. */
	dr_chunked_init(&ch, NULL, 0);
	CU_ASSERT_EQUAL(dr_chunked_feed(&ch, "30000\r\n", 7, &used), 0);
	memset(big, 'a', sizeof big);
	CU_ASSERT_EQUAL(dr_chunked_feed(&ch, big, sizeof big, &used), 0);
	CU_ASSERT_EQUAL(dr_chunked_feed(&ch, "\r\n0\r\n\r\n", 7, &used), 1);
	CU_ASSERT_EQUAL(ch.out_len, sizeof big);
}

static const struct unit_case cases[] = {
	{ "valid bodies, extensions ignored", test_valid },
	{ "byte by byte, nothing past the body taken", test_split },
	{ "malformed framing and trailers are 400", test_malformed },
	{ "64 KiB total, bounded size lines", test_limits },
	{ "socket reader: rest unread, stall 408, early close 400", test_read_socket },
	{ "following without a buffer, past the body limit", test_follow },
	{ NULL, NULL },
};

int main(void)
{
	return unit_run("chunked", cases);
}
