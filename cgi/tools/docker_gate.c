/* dreichor-docker-gate: one environment's door to the Docker engine.
 * The agent of an environment holds no Docker privilege; it talks to this
 * gate's socket, and the gate (a member of the docker group) passes on only
 * the calls lib/gate/gate_check.h allows for that environment's container,
 * repository, binds and network. Everything else is answered 403 with a
 * Docker-style {"message"} and audited.
 *
 * Started by dreichor-docker-gate-<env>.socket (Accept=no): the listening
 * socket is fd 3; each connection gets a child process of its own, and the
 * gate exits once no connection has come for DREICHOR_GATE_IDLE_SECONDS
 * (default 30; 0: never), so nothing lives long. With a connected socket on
 * stdin instead (inetd), it serves that one connection.
 *
 * Its configuration is the agent's: ENVIRONMENT, CONTAINER_NAME,
 * IMAGE_REPOSITORY, AUDIT_EVENTS_PATH, SNAPSHOTS_PATH and CONTAINER_NETWORK,
 * read from the file DREICHOR_GATE_CONFIG names (the agent's .env) for every
 * connection, so that an edit applies to the next request as it does for
 * the agent; without that variable, from the environment.
 *
 * Per connection: requests one after another (keep-alive), each one head
 * (8 KiB) and a body of at most 64 KiB (Content-Length or chunked), then
 * the engine's answer relayed as it arrives (streams: pull progress, logs,
 * events, wait), framed by its Content-Length or chunks so that the next
 * request can follow on the same connection. */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "buf.h"
#include "chunked.h"
#include "clock.h"
#include "config.h"
#include "fdio.h"
#include "gate_check.h"
#include "gate_relay.h"
#include "http.h"
#include "jsonstr.h"

#define GATE_IDLE_DEFAULT_S 30
#define GATE_KEEPALIVE_MS 60000       /* a connection with no next request is closed after this */
#define GATE_BLOCK 16384
#define GATE_SOCKET_DEFAULT "/run/docker.sock"

enum { GATE_ENVIRONMENT, GATE_CONTAINER_NAME, GATE_IMAGE_REPOSITORY, GATE_AUDIT_EVENTS_PATH, GATE_SNAPSHOTS_PATH,
       GATE_CONTAINER_NETWORK, GATE_SETTINGS };
static const char *const gate_names[GATE_SETTINGS] = { "ENVIRONMENT", "CONTAINER_NAME", "IMAGE_REPOSITORY",
						      "AUDIT_EVENTS_PATH", "SNAPSHOTS_PATH", "CONTAINER_NETWORK" };
#define GATE_VALUE_MAX 1024
#define GATE_CONFIG_MAX 65536

struct gate {
	struct dr_gate_config cfg;
	char values[GATE_SETTINGS][GATE_VALUE_MAX];
	char binds[2][GATE_VALUE_MAX + 64];
	char problem[256];         /* why the configuration is unusable, or "" */
	const char *upstream_path; /* the engine's socket */
};

struct gate_conn {
	const struct gate *g;
	int client;
	int upstream;
	struct dr_http_request req;
	char body[DR_GATE_BODY_MAX];
	size_t body_len;
	struct dr_gate_decision decision;
	char target[DR_HTTP_HEAD_MAX];  /* the request target whole (the head parser cut it at '?') */
	long long started_ms;
};

static const char *gate_setting(const char *name)
{
	const char *v = dr_env(name);

	return v && v[0] ? v : NULL;
}

/* One NAME=value line of an environment file, as systemd reads it: blanks around, one pair of quotes. */
static void gate_config_line(struct gate *g, char *line)
{
	char *eq = strchr(line, '='), *name = line, *value, *end;
	int i;

	while (*name == ' ' || *name == '\t')
		name++;
	if (!eq || *name == '#' || *name == ';')
		return;
	for (end = eq; end > name && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*end = '\0';
	for (value = eq + 1; *value == ' ' || *value == '\t'; value++)
		;
	for (end = value + strlen(value); end > value && strchr(" \t\r", end[-1]); end--)
		;
	*end = '\0';
	if (end - value >= 2 && (*value == '"' || *value == '\'') && end[-1] == *value) {
		end[-1] = '\0';
		value++;
	}
	for (i = 0; i < GATE_SETTINGS; i++)
		if (!strcmp(name, gate_names[i]) && strlen(value) < GATE_VALUE_MAX)
			memcpy(g->values[i], value, strlen(value) + 1);
}

/* The settings from the file path; 0 or -1 when it cannot be read whole. */
static int gate_config_read(struct gate *g, const char *path)
{
	static char text[GATE_CONFIG_MAX + 1];
	FILE *f = fopen(path, "re");
	size_t n;
	char *line, *next;

	if (!f)
		return -1;
	n = fread(text, 1, GATE_CONFIG_MAX + 1, f);
	fclose(f);
	if (n > GATE_CONFIG_MAX)
		return -1;
	text[n] = '\0';
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		gate_config_line(g, line);
	}
	return 0;
}

static const char *gate_value(const struct gate *g, int i)
{
	return g->values[i][0] ? g->values[i] : NULL;
}

static void gate_load(struct gate *g)
{
	const char *config = gate_setting("DREICHOR_GATE_CONFIG"), *upstream = gate_setting("DREICHOR_GATE_UPSTREAM");
	const char *audit, *snapshots;
	int i;

	memset(g, 0, sizeof *g);
	for (i = 0; i < GATE_SETTINGS && !config; i++) {
		const char *v = gate_setting(gate_names[i]);
		if (v && strlen(v) < GATE_VALUE_MAX)
			memcpy(g->values[i], v, strlen(v) + 1);
	}
	if (config && gate_config_read(g, config))
		snprintf(g->problem, sizeof g->problem, "DREICHOR_GATE_CONFIG %s cannot be read: %s", config, strerror(errno));
	audit = gate_value(g, GATE_AUDIT_EVENTS_PATH);
	snapshots = gate_value(g, GATE_SNAPSHOTS_PATH);
	g->cfg.environment = gate_value(g, GATE_ENVIRONMENT);
	g->cfg.container_name = gate_value(g, GATE_CONTAINER_NAME);
	g->cfg.repository = gate_value(g, GATE_IMAGE_REPOSITORY);
	g->cfg.network = gate_value(g, GATE_CONTAINER_NETWORK);
	if (audit && snapshots) {
		snprintf(g->binds[0], sizeof g->binds[0], "%s:/var/lib/dreichor/audit-events", audit);
		snprintf(g->binds[1], sizeof g->binds[1], "%s:/var/lib/dreichor/snapshots", snapshots);
		g->cfg.binds[0] = g->binds[0];
		g->cfg.binds[1] = g->binds[1];
	}
	g->upstream_path = upstream ? upstream : GATE_SOCKET_DEFAULT;
	if (!strncmp(g->upstream_path, "unix://", 7))
		g->upstream_path += 7;
	if (!g->problem[0] && (!g->cfg.environment || (strcmp(g->cfg.environment, "dev") && strcmp(g->cfg.environment, "prod"))))
		snprintf(g->problem, sizeof g->problem, "ENVIRONMENT must be dev or prod");
	else if (!g->problem[0])
		dr_gate_config_check(&g->cfg, g->problem, sizeof g->problem);
	if (!g->problem[0] && strlen(g->upstream_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		snprintf(g->problem, sizeof g->problem, "DREICHOR_GATE_UPSTREAM is too long for a socket path");
	if (g->problem[0])
		fprintf(stderr, "dreichor-docker-gate: configuration unusable: %s\n", g->problem);
}

/* An answer of the gate's own: a JSON body of len bytes, the connection kept open when keep. 0 or -1. */
static int gate_answer_json(struct gate_conn *c, int status, const char *body, size_t len, int keep)
{
	char head[256];
	int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n",
			 status, dr_http_reason_phrase(status), len, keep ? "" : "Connection: close\r\n");

	return dr_write_all(c->client, head, (size_t)n) || dr_write_all(c->client, body, len) ? -1 : 0;
}

/* A Docker-style error answer: {"message": ...}. */
static int gate_answer_message(struct gate_conn *c, int status, const char *message, int keep)
{
	struct dr_buf body;
	int rc = -1;

	dr_buf_init(&body, 4 * DR_GATE_REASON_MAX + 64);
	if (!dr_buf_adds(&body, "{\"message\":") && !dr_json_add_string(&body, message) && !dr_buf_adds(&body, "}\n"))
		rc = gate_answer_json(c, status, body.data, body.len, keep);
	dr_buf_free(&body);
	return rc;
}

static void gate_audit(struct gate_conn *c, int status, const char *reason)
{
	struct dr_audit a;

	dr_audit_init(&a);
	a.environment = c->g->cfg.environment ? c->g->cfg.environment : "-";
	a.action = "docker-gate";
	a.http_status = status;
	a.method = c->req.method;
	a.path = c->target[0] ? c->target : NULL;
	a.reason = reason;
	a.started_ms = c->started_ms;
	dr_audit_write(&a);
}

static int gate_refuse(struct gate_conn *c, int status, const char *reason, int keep)
{
	char why[DR_GATE_REASON_MAX + 80];

	snprintf(why, sizeof why, "refused by the %s Docker gate: %s", c->g->cfg.environment ? c->g->cfg.environment : "",
		 reason);
	gate_audit(c, status, why);
	return gate_answer_message(c, status, why, keep);
}

/* The request body into c->body: Content-Length or chunked, within the limits. 0 or a status. */
static int gate_read_body(struct gate_conn *c)
{
	long long deadline = dr_now_ms() + DR_HTTP_BODY_TIMEOUT_MS;
	struct dr_chunked ch;
	int rc;

	c->body_len = 0;
	if (c->req.chunked) {
		dr_chunked_init(&ch, c->body, sizeof c->body);
		if ((rc = dr_chunked_read(&ch, c->client, deadline)))
			return rc;
		c->body_len = ch.out_len;
		return 0;
	}
	if (c->req.content_length <= 0)
		return 0;
	if (c->req.content_length > (long long)sizeof c->body)
		return 413;
	rc = dr_fd_read_exact(c->client, c->body, (size_t)c->req.content_length, deadline);
	if (rc)
		return rc == DR_FD_LATE ? 408 : 400;
	c->body_len = (size_t)c->req.content_length;
	return 0;
}

static int gate_connect(struct gate_conn *c)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (c->upstream >= 0)
		return 0;
	memcpy(addr.sun_path, c->g->upstream_path, strlen(c->g->upstream_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr)) {
		close(fd);
		return -1;
	}
	c->upstream = fd;
	return 0;
}

/* The request as the engine gets it: the checked target, the allowed headers, the body by length. */
static int gate_send_request(struct gate_conn *c)
{
	static const char *const passed[] = { "Content-Type", "X-Registry-Auth", "User-Agent" };
	char head[DR_HTTP_HEAD_MAX + DR_GATE_TARGET_MAX + 256];
	size_t o, i;
	int n;

	n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: docker\r\n", c->req.method, c->decision.target);
	o = (size_t)n;
	for (i = 0; i < sizeof passed / sizeof passed[0]; i++) {
		const char *v = dr_http_header_get(&c->req, passed[i]);
		if (v && o + strlen(passed[i]) + strlen(v) + 8 < sizeof head)
			o += (size_t)snprintf(head + o, sizeof head - o, "%s: %s\r\n", passed[i], v);
	}
	if (c->body_len || strcmp(c->req.method, "GET"))
		o += (size_t)snprintf(head + o, sizeof head - o, "Content-Length: %zu\r\n", c->body_len);
	o += (size_t)snprintf(head + o, sizeof head - o, "\r\n");
	n = dr_write_all(c->upstream, head, o) || dr_write_all(c->upstream, c->body, c->body_len) ? -1 : 0;
	explicit_bzero(head, sizeof head);
	return n;
}

/* Wait for the engine; the client going away ends the wait (and the connection). 0, or -1. */
static int gate_wait_upstream(struct gate_conn *c)
{
	struct pollfd p[2] = { { c->upstream, POLLIN, 0 }, { c->client, POLLIN, 0 } };
	int watch_client = 1;

	for (;;) {
		int n = poll(p, watch_client ? 2 : 1, -1);
		char probe;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (p[0].revents)
			return 0;
		if (p[1].revents) {
			ssize_t r = recv(c->client, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
				return -1;
			watch_client = 0; /* the next request is already here; it waits its turn */
		}
	}
}

static ssize_t gate_read_upstream(struct gate_conn *c, char *p, size_t n)
{
	if (gate_wait_upstream(c))
		return -1;
	return dr_fd_read_some(c->upstream, p, n);
}

/* The engine's answer head into head, and *got: all bytes read (the body's first ones follow the head); the head's length, or -1. */
static ssize_t gate_read_response_head(struct gate_conn *c, char *head, size_t cap, size_t *got)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = gate_read_upstream(c, head + len, cap - 1 - len);
		char *end;
		if (n <= 0)
			return -1;
		len += (size_t)n;
		head[len] = '\0';
		if ((end = strstr(head, "\r\n\r\n"))) {
			*got = len;
			return end + 4 - head;
		}
		if (len >= cap - 1)
			return -1;
	}
}

/* Relay the body after the head: n bytes already in hand, then from the engine, by its framing. */
static int gate_relay_body(struct gate_conn *c, const struct dr_gate_response *r, const char *have, size_t n)
{
	static char block[GATE_BLOCK];
	struct dr_chunked chunks;
	long long left = r->content_length;
	const char *p = have;

	dr_chunked_init(&chunks, NULL, 0);
	for (;;) {
		size_t use = n;
		int done = 0;
		if (r->chunked) {
			int rc = dr_chunked_feed(&chunks, p, n, &use);
			if (rc > 1)
				return -1;
			done = rc == 1;
		} else if (left >= 0) {
			use = (long long)n < left ? n : (size_t)left;
			left -= (long long)use;
			done = left == 0;
		}
		if (use && dr_write_all(c->client, p, use))
			return -1;
		if (done)
			return 0;
		ssize_t got = gate_read_upstream(c, block, sizeof block);
		if (got == 0 && !r->chunked && left < 0)
			return 1; /* the body ran to the end of the connection */
		if (got <= 0)
			return -1;
		p = block;
		n = (size_t)got;
	}
}

/* Read a whole answer (to cut it down) into a malloc'd buffer; NULL on failure. */
static char *gate_read_whole(struct gate_conn *c, const struct dr_gate_response *r, const char *have, size_t n,
			     size_t *len)
{
	static char block[GATE_BLOCK];
	struct dr_chunked ch;
	char *out = malloc(DR_GATE_ANSWER_MAX);
	size_t used;
	long long left = r->content_length;
	int rc = 0;

	if (!out)
		return NULL;
	*len = 0;
	dr_chunked_init(&ch, out, DR_GATE_ANSWER_MAX);
	for (;;) {
		if (r->chunked) {
			if ((rc = dr_chunked_feed(&ch, have, n, &used)) > 1)
				break;
			*len = ch.out_len;
		} else {
			if ((long long)n > left || *len + n > DR_GATE_ANSWER_MAX)
				break;
			memcpy(out + *len, have, n);
			*len += n;
			left -= (long long)n;
			rc = left == 0;
		}
		if (rc == 1)
			return out;
		ssize_t got = gate_read_upstream(c, block, sizeof block);
		if (got <= 0)
			break;
		have = block;
		n = (size_t)got;
	}
	free(out);
	return NULL;
}

/* A cut-down answer: read whole, keep what the agent needs. 0 kept open, 1 to close, -1 broken. */
static int gate_relay_cut(struct gate_conn *c, const struct dr_gate_response *r, const char *have, size_t n, int keep)
{
	char message[64], *whole, *cut;
	size_t len;
	int rc;

	if (!r->chunked && r->content_length < 0)
		return -1;
	if (!(whole = gate_read_whole(c, r, have, n, &len)))
		return -1;
	cut = r->status == 200 ? dr_gate_answer_cut(&c->g->cfg, c->decision.answer, whole, len) : NULL;
	free(whole);
	if (r->status != 200) {
		snprintf(message, sizeof message, "the Docker engine answered HTTP %d", r->status);
		return gate_answer_message(c, r->status, message, keep) ? -1 : !keep;
	}
	if (!cut)
		return gate_refuse(c, 403, "nothing of that answer belongs to this environment", keep) ? -1 : !keep;
	rc = gate_answer_json(c, 200, cut, strlen(cut), keep) ? -1 : !keep;
	free(cut);
	return rc;
}

/* The engine's answer to the client. 0: the connection may carry another request; 1: close; -1: broken. */
static int gate_relay(struct gate_conn *c, int keep)
{
	static char head[DR_GATE_RESPONSE_HEAD_MAX];
	struct dr_gate_response r;
	size_t got = 0;
	ssize_t head_len = gate_read_response_head(c, head, sizeof head, &got);
	int rc, has_body;

	if (head_len < 0 || dr_gate_response_parse(head, (size_t)head_len, &r))
		return -1;
	if (r.status == 101)
		return -1; /* no allowed call upgrades; never relay a hijacked stream */
	has_body = dr_gate_response_has_body(c->req.method, r.status);
	if (c->decision.answer != DR_GATE_PASS && has_body)
		return gate_relay_cut(c, &r, head + head_len, got - (size_t)head_len, keep && !r.close);
	if (dr_write_all(c->client, head, (size_t)head_len))
		return -1;
	if (!has_body)
		return r.close || !keep;
	rc = gate_relay_body(c, &r, head + head_len, got - (size_t)head_len);
	return rc < 0 ? -1 : (rc == 1 || r.close || !keep);
}

/* One request on the connection: 0 another may follow, else close. */
static int gate_one(struct gate_conn *c)
{
	const char *connection;
	int rc, keep;

	c->started_ms = dr_now_ms();
	if (dr_fd_wait_readable(c->client, c->started_ms + GATE_KEEPALIVE_MS))
		return 1;
	rc = dr_http_head_read(c->client, &c->req, DR_HTTP_HEAD_TIMEOUT_MS);
	if (rc == DR_HTTP_CLOSED_EMPTY)
		return 1;
	if (rc || (rc = dr_http_head_parse(&c->req))) {
		gate_refuse(c, rc, c->req.error[0] ? c->req.error : "the request head could not be read", 0);
		return 1;
	}
	connection = dr_http_header_get(&c->req, "Connection");
	keep = !strcmp(c->req.version, "HTTP/1.1") && !(connection && !strcasecmp(connection, "close"));
	snprintf(c->target, sizeof c->target, "%s%s%s", c->req.path, c->req.query[0] ? "?" : "", c->req.query);
	if (c->g->problem[0])
		return gate_answer_message(c, 503, c->g->problem, 0), 1;
	dr_gate_check(&c->g->cfg, c->req.method, c->target, &c->decision);
	if (!c->decision.allowed && c->req.expect_continue)
		return gate_refuse(c, 403, c->decision.reason, 0), 1;
	if (c->req.expect_continue && dr_http_respond_continue(c->client))
		return 1;
	if ((rc = gate_read_body(c)))
		return gate_refuse(c, rc, "the request body could not be read within its limits", 0), 1;
	if (!c->decision.allowed)
		return gate_refuse(c, 403, c->decision.reason, keep) || !keep;
	if (c->decision.checks_body &&
	    dr_gate_check_create_body(&c->g->cfg, c->body, c->body_len, c->decision.reason, sizeof c->decision.reason))
		return gate_refuse(c, 403, c->decision.reason, keep) || !keep;
	/* An engine connection kept from an earlier request may have been closed by the engine: once more, fresh. */
	if (c->upstream >= 0 && gate_send_request(c)) {
		close(c->upstream);
		c->upstream = -1;
	}
	if (c->upstream < 0 && (gate_connect(c) || gate_send_request(c))) {
		char why[DR_GATE_REASON_MAX];
		snprintf(why, sizeof why, "the %s Docker gate cannot reach the engine at %s: %s",
			 c->g->cfg.environment, c->g->upstream_path, strerror(errno));
		explicit_bzero(c->body, c->body_len);
		return gate_answer_message(c, 502, why, 0), 1;
	}
	explicit_bzero(c->body, c->body_len);
	return gate_relay(c, keep) != 0;
}

/* g: loaded for this connection (gate_load). */
static void gate_serve(const struct gate *g, int fd)
{
	static struct gate_conn c;

	memset(&c, 0, sizeof c);
	c.g = g;
	c.client = fd;
	c.upstream = -1;
	while (gate_one(&c) == 0) {
		memset(&c.req, 0, sizeof c.req);
		c.target[0] = '\0';
	}
	if (c.upstream >= 0)
		close(c.upstream);
	close(fd);
}

static int gate_children(int *active)
{
	int status;

	while (*active > 0 && waitpid(-1, &status, WNOHANG) > 0)
		(*active)--;
	return *active;
}

/* Accept until idle: a child per connection, which reads the configuration afresh. */
static int gate_listen(struct gate *g, int listen_fd, long idle_s)
{
	int active = 0;
	long long last = dr_now_ms();

	for (;;) {
		struct pollfd p = { listen_fd, POLLIN, 0 };
		int n = poll(&p, 1, 1000), fd;
		pid_t pid;
		if (n < 0 && errno != EINTR)
			return 1;
		if (gate_children(&active) == 0 && idle_s > 0 && dr_now_ms() - last > idle_s * 1000)
			return 0;
		if (n <= 0)
			continue;
		if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;
		last = dr_now_ms();
		if ((pid = fork()) == 0) {
			close(listen_fd);
			gate_load(g);
			gate_serve(g, fd);
			_exit(0);
		}
		if (pid > 0)
			active++;
		close(fd);
	}
}

int main(void)
{
	static struct gate g;
	const char *fds = dr_env("LISTEN_FDS"), *pid = dr_env("LISTEN_PID"), *idle = gate_setting("DREICHOR_GATE_IDLE_SECONDS");
	int listening = 0;
	socklen_t len = sizeof listening;

	/* Registry credentials and the runtime's environment pass through it: no core dump, no same-user reader. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	gate_load(&g);
	if (fds && !strcmp(fds, "1") && pid && atol(pid) == (long)getpid() &&
	    !getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) && listening)
		return gate_listen(&g, 3, idle ? atol(idle) : GATE_IDLE_DEFAULT_S);
	gate_serve(&g, 0);
	return 0;
}
