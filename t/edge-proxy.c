/* edge-proxy: a TCP proxy on loopback standing in for what sits between a
 * client and an origin in the tests. Like Cloudflare's edge, it can answer
 * 524 itself when the origin has sent no byte within a time after the
 * request (--first-byte-timeout MS); like a slow link, it can limit the
 * origin's bytes per second (--rate BYTES). One process per connection;
 * the listener exits by itself after --lifetime seconds (default 900).
 * Like a registry that rate-limits, it can answer every request 429 with
 * Retry-After: S and the distribution spec's TOOMANYREQUESTS (--too-many S).
 * Like GHCR, it can ask for a bearer token (--bearer TOKEN): a connection
 * whose first request does not carry "Authorization: Bearer TOKEN" is
 * answered 401 with a Bearer challenge whose realm is its own /token, which
 * grants TOKEN to a client that sends Basic credentials equal to --basic
 * (base64 of user:password) and 401 to any other, or, without --basic, to
 * anyone (a public package's anonymous token); an authorised connection
 * is relayed to the origin as it is (the stand-in for a token service the
 * tests cannot run for real). Like a registry with the OCI referrers API
 * (docker-registry 2.8 has none), it can answer GET .../referrers/... with
 * the image index in FILE (--referrers FILE) and relay everything else.
 *   edge-proxy LISTEN_PORT ORIGIN_PORT [--first-byte-timeout MS] [--rate BYTES] [--lifetime S] [--too-many S]
 *              [--bearer TOKEN --basic BASE64] [--referrers FILE]
 * Prints "listening" once bound. */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char edge_timeout[] = "HTTP/1.1 524 A Timeout Occurred\r\nContent-Type: text/plain\r\n"
				   "Content-Length: 15\r\nConnection: close\r\n\r\nerror code: 524";

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A whole number from min to max, or exit 2 naming the argument. */
static long number_arg(const char *what, const char *text, long min, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (errno || end == text || *end || n < min || n > max) {
		fprintf(stderr, "edge-proxy: %s must be a number from %ld to %ld\n", what, min, max);
		exit(2);
	}
	return n;
}

static int connect_origin(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		return -1;
	return fd;
}

/* Read one request head and answer it 429, Retry-After: retry_after. */
static void too_many(int client, long retry_after)
{
	static const char body[] = "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"rate limit exceeded\"}]}";
	char head[8192], answer[512];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof head - 1 && (n = read(client, head + got, sizeof head - 1 - got)) > 0) {
		got += (size_t)n;
		head[got] = '\0';
		if (strstr(head, "\r\n\r\n"))
			break;
	}
	snprintf(answer, sizeof answer,
		 "HTTP/1.1 429 Too Many Requests\r\nRetry-After: %ld\r\nContent-Type: application/json\r\n"
		 "Docker-Distribution-Api-Version: registry/2.0\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
		 retry_after, sizeof body - 1, strncmp(head, "HEAD ", 5) ? body : "");
	write_all(client, answer, strlen(answer));
}

/* Read one request head (at most cap - 1 bytes) into head, NUL-terminated; its length. */
static size_t read_head(int client, char *head, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	head[0] = '\0';
	while (got < cap - 1 && (n = read(client, head + got, cap - 1 - got)) > 0) {
		got += (size_t)n;
		head[got] = '\0';
		/* A TLS hello (the engine tries HTTPS first) has no head to wait for: relay it as it is. */
		if (strstr(head, "\r\n\r\n") || (unsigned char)head[0] == 0x16)
			break;
	}
	return got;
}

/* 1 when head has the header line "name: value" (the name in any case). */
static int has_header(const char *head, const char *name, const char *value)
{
	const char *p = head;
	size_t n = strlen(name), v = strlen(value);

	while ((p = strstr(p, "\r\n"))) {
		p += 2;
		if (!strncasecmp(p, name, n) && p[n] == ':' && p[n + 1] == ' ' && !strncmp(p + n + 2, value, v) &&
		    !strncmp(p + n + 2 + v, "\r\n", 2))
			return 1;
	}
	return 0;
}

/* The token service and the gate in front of the origin: 0 when the connection may be relayed
 * (its head, got bytes, already read into head), -1 when it was answered here. */
static int bearer_gate(int client, int port, const char *token, const char *basic, char *head, size_t *got)
{
	char answer[1024], expected[512];
	const char *grant = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}";
	char body[600];

	*got = read_head(client, head, 8192);
	snprintf(expected, sizeof expected, "Bearer %s", token);
	if (has_header(head, "Authorization", expected))
		return 0;
	if (!strncmp(head, "GET /token", 10)) {
		snprintf(expected, sizeof expected, "Basic %s", basic ? basic : "");
		if (!basic || has_header(head, "Authorization", expected)) {
			snprintf(body, sizeof body, "{\"token\":\"%s\",\"expires_in\":300}", token);
			fprintf(stderr, "edge-proxy: token granted\n");
		} else {
			snprintf(body, sizeof body, "%s", grant);
			fprintf(stderr, "edge-proxy: token refused\n");
		}
		snprintf(answer, sizeof answer, "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n%s", strstr(body, "token\"") ? "200 OK" : "401 Unauthorized", strlen(body), body);
	} else {
		snprintf(answer, sizeof answer,
			 "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"http://127.0.0.1:%d/token\","
			 "service=\"stand-in\",scope=\"repository:any:pull\"\r\nDocker-Distribution-Api-Version: registry/2.0\r\n"
			 "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
			 port, strncmp(head, "HEAD ", 5) ? strlen(grant) : 0, strncmp(head, "HEAD ", 5) ? grant : "");
	}
	write_all(client, answer, strlen(answer));
	return -1;
}

/* GET .../referrers/...: answered with FILE's index; 0 when the request is another (relay it). */
static int referrers_answer(int client, const char *file, const char *head)
{
	char body[65536], answer[512];
	const char *end = strstr(head, "\r\n");
	const char *hit = strstr(head, "/referrers/");
	FILE *f;
	size_t n;

	if (!hit || !end || hit > end || strncmp(head, "GET ", 4))
		return 0;
	if (!(f = fopen(file, "rb")))
		return 0;
	n = fread(body, 1, sizeof body, f);
	fclose(f);
	snprintf(answer, sizeof answer, "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.index.v1+json\r\n"
		 "Docker-Distribution-Api-Version: registry/2.0\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", n);
	fprintf(stderr, "edge-proxy: referrers answered\n");
	write_all(client, answer, strlen(answer));
	write_all(client, body, n);
	return 1;
}

/* Forward a request head with "Connection: close" after its request line, so that the origin
 * closes after its answer and the client's next request comes on a new connection, looked at. */
static int forward_closing(int origin, const char *head, size_t got)
{
	const char *line_end = strstr(head, "\r\n");
	size_t first;

	if (!line_end)
		return write_all(origin, head, got);
	first = (size_t)(line_end - head) + 2;
	return write_all(origin, head, first) || write_all(origin, "Connection: close\r\n", 19) ||
	       write_all(origin, head + first, got - first);
}

/* Relay one connection until both directions ended. */
static void relay(int client, int origin, long first_byte_ms, long rate)
{
	long long asked_ms = -1, began_ms = now_ms(), sent = 0;
	int client_open = 1, origin_open = 1, origin_spoke = 0;
	char buf[65536];

	while (client_open || origin_open) {
		struct pollfd p[2] = { { client, client_open ? POLLIN : 0, 0 }, { origin, origin_open ? POLLIN : 0, 0 } };
		ssize_t n;

		if (poll(p, 2, 100) < 0 && errno != EINTR)
			return;
		if (first_byte_ms > 0 && !origin_spoke && asked_ms >= 0 && now_ms() - asked_ms > first_byte_ms) {
			write_all(client, edge_timeout, sizeof edge_timeout - 1);
			return;
		}
		if (client_open && (p[0].revents & (POLLIN | POLLHUP))) {
			n = read(client, buf, sizeof buf);
			if (n <= 0) {
				client_open = 0;
				shutdown(origin, SHUT_WR);
			} else {
				if (asked_ms < 0)
					asked_ms = now_ms();
				if (write_all(origin, buf, (size_t)n))
					return;
			}
		}
		if (origin_open && (p[1].revents & (POLLIN | POLLHUP))) {
			size_t cap = sizeof buf;
			/* A slow link: never ahead of rate bytes per second since the start. */
			if (rate > 0) {
				long long allowed = rate * (now_ms() - began_ms) / 1000 - sent;
				if (allowed <= 0) {
					usleep(10000);
					continue;
				}
				if ((long long)cap > allowed)
					cap = (size_t)allowed;
			}
			n = read(origin, buf, cap);
			if (n <= 0) {
				origin_open = 0;
				shutdown(client, SHUT_WR);
				if (!client_open)
					return;
				continue;
			}
			origin_spoke = 1;
			sent += n;
			if (write_all(client, buf, (size_t)n))
				return;
		}
		if (!origin_open && !client_open)
			return;
		if (!origin_open && client_open && first_byte_ms > 0)
			return;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	long first_byte_ms = 0, rate = 0, lifetime = 900, retry_after = -1, listen_port;
	const char *token = NULL, *basic = NULL, *referrers = NULL;
	char head[8192];
	size_t got = 0;
	int listener, one = 1, i, origin_port;
	long long deadline;

	if (argc < 3)
		return fprintf(stderr, "usage: edge-proxy LISTEN_PORT ORIGIN_PORT [--first-byte-timeout MS] [--rate BYTES] [--lifetime S] [--too-many S] [--bearer TOKEN --basic BASE64] [--referrers FILE]\n"), 2;
	for (i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--first-byte-timeout"))
			first_byte_ms = number_arg(argv[i], argv[i + 1], 1, 3600000);
		else if (!strcmp(argv[i], "--rate"))
			rate = number_arg(argv[i], argv[i + 1], 1, 1L << 40);
		else if (!strcmp(argv[i], "--lifetime"))
			lifetime = number_arg(argv[i], argv[i + 1], 1, 86400);
		else if (!strcmp(argv[i], "--too-many"))
			retry_after = number_arg(argv[i], argv[i + 1], 0, 86400);
		else if (!strcmp(argv[i], "--bearer"))
			token = argv[i + 1];
		else if (!strcmp(argv[i], "--basic"))
			basic = argv[i + 1];
		else if (!strcmp(argv[i], "--referrers"))
			referrers = argv[i + 1];
		else
			return fprintf(stderr, "edge-proxy: unknown option %s\n", argv[i]), 2;
	}
	origin_port = (int)number_arg("ORIGIN_PORT", argv[2], 1, 65535);
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	listen_port = number_arg("LISTEN_PORT", argv[1], 1, 65535);
	a.sin_port = htons((unsigned short)listen_port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof a) < 0 || listen(listener, 64) < 0)
		return perror("edge-proxy"), 1;
	printf("listening\n");
	fflush(stdout);
	deadline = now_ms() + lifetime * 1000;
	while (now_ms() < deadline) {
		struct pollfd p = { listener, POLLIN, 0 };
		int client, origin;

		if (poll(&p, 1, 1000) <= 0)
			continue;
		if ((client = accept(listener, NULL, NULL)) < 0)
			continue;
		if (fork() == 0) {
			close(listener);
			if (retry_after >= 0) {
				too_many(client, retry_after);
				_exit(0);
			}
			if (token && bearer_gate(client, (int)listen_port, token, basic, head, &got))
				_exit(0);
			if (referrers && (got = read_head(client, head, sizeof head), referrers_answer(client, referrers, head)))
				_exit(0);
			origin = connect_origin(origin_port);
			if (origin >= 0 && referrers && !forward_closing(origin, head, got))
				relay(client, origin, first_byte_ms, rate);
			else if (origin >= 0 && !referrers && !write_all(origin, head, got))
				relay(client, origin, first_byte_ms, rate);
			_exit(0);
		}
		close(client);
	}
	return 0;
}
