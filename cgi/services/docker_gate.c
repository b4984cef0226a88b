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
 * (default 30; 0: never; at most 86400; anything else is a configuration
 * error: a line on stderr and exit status 100, before any connection is
 * accepted), so nothing lives long. With a connected socket on stdin
 * instead (inetd), it serves that one connection.
 *
 * Its configuration is the agent's: ENVIRONMENT, CONTAINER_NAME,
 * IMAGE_REPOSITORY, AUDIT_EVENTS_PATH, SNAPSHOTS_PATH, CONTAINER_NETWORK and
 * ALLOW_EXECUTION_PLANE,
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
#include <unistd.h>

#include "audit.h"
#include "buf.h"
#include "chunked.h"
#include "clock.h"
#include "config.h"
#include "container.h"
#include "env_file.h"
#include "fdio.h"
#include "gate_check.h"
#include "gate_create.h"
#include "gate_relay.h"
#include "http.h"
#include "jsonstr.h"
#include "number.h"
#include "serve.h"
#include "status.h"
#include "syscall_filter.h"

#define GATE_IDLE_DEFAULT_S 30
#define GATE_EXIT_USAGE 100           /* the gate's own settings are unusable */
#define GATE_KEEPALIVE_MS 60000       /* a connection with no next request is closed after this */
#define GATE_BLOCK 16384
#define GATE_SOCKET_DEFAULT "/run/docker.sock"

enum { GATE_ENVIRONMENT, GATE_CONTAINER_NAME, GATE_IMAGE_REPOSITORY, GATE_AUDIT_EVENTS_PATH, GATE_SNAPSHOTS_PATH,
       GATE_CONTAINER_NETWORK, GATE_ALLOW_EXECUTION_PLANE, GATE_SETTINGS };
static const char *const gate_names[GATE_SETTINGS] = { "ENVIRONMENT", "CONTAINER_NAME", "IMAGE_REPOSITORY",
						      "AUDIT_EVENTS_PATH", "SNAPSHOTS_PATH", "CONTAINER_NETWORK",
						      "ALLOW_EXECUTION_PLANE" };
#define GATE_VALUE_MAX DR_ENV_VALUE_MAX

struct gate {
	struct dr_gate_config cfg;
	char values[GATE_SETTINGS][GATE_VALUE_MAX];
	char binds[DR_CONTAINER_BINDS][GATE_VALUE_MAX + 64];
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
	struct dr_buf sent;             /* the create body the gate wrote anew: all the engine gets */
	struct dr_gate_decision decision;
	char target[DR_HTTP_HEAD_MAX];  /* the request target whole (the head parser cut it at '?') */
	int own_call;                   /* a call of the gate's own: it finishes even when the client has gone */
	long long started_ms;
};

static const char *gate_setting(const char *name)
{
	const char *v = dr_env(name);

	return v && v[0] ? v : NULL;
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
	if (config && dr_env_file_read(config, gate_names, GATE_SETTINGS, g->values))
		snprintf(g->problem, sizeof g->problem, "DREICHOR_GATE_CONFIG %s cannot be read: %s", config,
			 errno == EINVAL ? "it holds a backslash or a quote that systemd would read otherwise" : strerror(errno));
	audit = gate_value(g, GATE_AUDIT_EVENTS_PATH);
	snapshots = gate_value(g, GATE_SNAPSHOTS_PATH);
	g->cfg.environment = gate_value(g, GATE_ENVIRONMENT);
	g->cfg.container_name = gate_value(g, GATE_CONTAINER_NAME);
	g->cfg.repository = gate_value(g, GATE_IMAGE_REPOSITORY);
	g->cfg.network = gate_value(g, GATE_CONTAINER_NETWORK);
	g->cfg.allowed_plane = gate_value(g, GATE_ALLOW_EXECUTION_PLANE);
	if (audit && snapshots && !dr_container_bind(audit, 0, g->binds[0], sizeof g->binds[0]) &&
	    !dr_container_bind(snapshots, 1, g->binds[1], sizeof g->binds[1])) {
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
		return DR_STATUS_CONTENT_TOO_LARGE;
	rc = dr_fd_read_exact(c->client, c->body, (size_t)c->req.content_length, deadline);
	if (rc)
		return rc == DR_FD_LATE ? DR_STATUS_REQUEST_TIMEOUT : DR_STATUS_BAD_REQUEST;
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

/* One request to the engine, every byte the gate's: the checked target, its own headers, and a
 * body only for a create (the body written anew). 0, or -1. */
static int gate_send(struct gate_conn *c, const char *method, const char *target, const char *body, size_t len,
		     const char *registry_auth)
{
	char head[DR_GATE_TARGET_MAX + DR_GATE_AUTH_MAX + 256];
	int n, rc;

	n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: dreichor-docker-gate\r\n%s%s%s%s",
		     method, target, registry_auth[0] ? "X-Registry-Auth: " : "", registry_auth,
		     registry_auth[0] ? "\r\n" : "", body ? "Content-Type: application/json\r\n" : "");
	if (n > 0 && (size_t)n < sizeof head && (body || strcmp(method, "GET")))
		n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n", body ? len : 0);
	if (n > 0 && (size_t)n < sizeof head)
		n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
	rc = n < 0 || (size_t)n >= sizeof head || dr_write_all(c->upstream, head, (size_t)n) ||
	     (body && dr_write_all(c->upstream, body, len)) ? -1 : 0;
	explicit_bzero(head, sizeof head);
	return rc;
}

/* gate_send on the engine connection kept from an earlier request, which the engine may have
 * closed meanwhile: then once more on a fresh one. 0, or -1 with errno. */
static int gate_send_fresh(struct gate_conn *c, const char *method, const char *target, const char *body, size_t len,
			   const char *registry_auth)
{
	if (c->upstream >= 0 && gate_send(c, method, target, body, len, registry_auth)) {
		close(c->upstream);
		c->upstream = -1;
	}
	return c->upstream < 0 && (gate_connect(c) || gate_send(c, method, target, body, len, registry_auth)) ? -1 : 0;
}

/* Wait for the engine; the client going away ends the wait (and the connection). 0, or -1. */
static int gate_wait_upstream(struct gate_conn *c)
{
	struct pollfd p[2] = { { c->upstream, POLLIN, 0 }, { c->client, POLLIN, 0 } };
	int watch_client = !c->own_call;

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

/* Decode an answer's body by its framing into buf (cap bytes, from *len on), reading more from the
 * engine as needed, until its end (or the connection's, when it has no framing). flush, when not
 * NULL, is called after each piece with the bytes so far and may take some (it updates *len); 0
 * at the end, -1 when the body breaks its framing, does not fit, or flush fails. */
static int gate_decode_body(struct gate_conn *c, const struct dr_gate_response *r, const char *have, size_t n,
			    char *buf, size_t cap, size_t *len, int (*flush)(struct gate_conn *, char *, size_t *))
{
	static char block[GATE_BLOCK];
	struct dr_chunked ch;
	long long left = r->content_length;
	size_t used;
	int done;

	dr_chunked_init(&ch, buf, cap);
	ch.out_len = *len;
	for (;;) {
		if (r->chunked) {
			if ((done = dr_chunked_feed(&ch, have, n, &used)) > 1)
				return -1;
		} else {
			if ((left >= 0 && (long long)n > left) || ch.out_len + n > cap)
				return -1;
			memcpy(buf + ch.out_len, have, n);
			ch.out_len += n;
			left -= left >= 0 ? (long long)n : 0;
			done = left == 0;
		}
		*len = ch.out_len;
		if (flush && flush(c, buf, len))
			return -1;
		ch.out_len = *len;
		if (done)
			return 0;
		ssize_t got = gate_read_upstream(c, block, sizeof block);
		if (got == 0 && !r->chunked && left < 0)
			return 0; /* the body ran to the end of the connection */
		if (got <= 0)
			return -1;
		have = block;
		n = (size_t)got;
	}
}

/* Read a whole answer (to cut it down) into a malloc'd buffer; NULL on failure. */
static char *gate_read_whole(struct gate_conn *c, const struct dr_gate_response *r, const char *have, size_t n,
			     size_t *len)
{
	char *out = malloc(DR_GATE_ANSWER_MAX);

	*len = 0;
	if (out && !gate_decode_body(c, r, have, n, out, DR_GATE_ANSWER_MAX, len, NULL))
		return out;
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
	cut = r->status == DR_STATUS_OK ? dr_gate_answer_cut(&c->g->cfg, c->decision.answer, whole, len) : NULL;
	free(whole);
	if (r->status != DR_STATUS_OK) {
		snprintf(message, sizeof message, "the Docker engine answered HTTP %d", r->status);
		return gate_answer_message(c, r->status, message, keep) ? -1 : !keep;
	}
	if (!cut)
		return gate_refuse(c, DR_STATUS_FORBIDDEN, "nothing of that answer belongs to this environment", keep) ? -1 : !keep;
	rc = gate_answer_json(c, DR_STATUS_OK, cut, strlen(cut), keep) ? -1 : !keep;
	free(cut);
	return rc;
}

/* A call of the gate's own to the engine: the status, and the whole answer (malloc'd, the caller
 * frees) in *body; -1 when the engine cannot be asked. */
static int gate_own_call(struct gate_conn *c, const char *method, const char *target, char **body, size_t *len)
{
	static char head[DR_GATE_RESPONSE_HEAD_MAX];
	struct dr_gate_response r;
	size_t got = 0;
	ssize_t head_len;
	int status = -1;

	*body = NULL;
	*len = 0;
	c->own_call = 1;
	if (gate_send_fresh(c, method, target, NULL, 0, ""))
		goto done;
	head_len = gate_read_response_head(c, head, sizeof head, &got);
	if (head_len < 0 || dr_gate_response_parse(head, (size_t)head_len, &r))
		goto done;
	if (dr_gate_response_has_body(method, r.status) &&
	    ((!r.chunked && r.content_length < 0) ||
	     !(*body = gate_read_whole(c, &r, head + head_len, got - (size_t)head_len, len))))
		goto done;
	status = r.status;
	if (r.close) {
		close(c->upstream);
		c->upstream = -1;
	}
done:
	c->own_call = 0;
	if (status < 0 && c->upstream >= 0) {
		close(c->upstream); /* the answer's framing is lost: the connection cannot carry another */
		c->upstream = -1;
	}
	return status;
}

/* The container's id (64 hex digits) from a create answer or an inspect (len bytes, not
 * terminated) into id; 0 or -1. */
static int gate_answer_id(const char *body, size_t len, char id[65])
{
	const char *key = "\"Id\":\"", *p = body ? memmem(body, len, key, strlen(key)) : NULL;
	size_t i;

	if (!p || (size_t)(body + len - p) < strlen(key) + 65)
		return -1;
	p += strlen(key);
	for (i = 0; i < 64; i++)
		if (dr_hex_digit(p[i]) < 0 || (p[i] >= 'A' && p[i] <= 'F'))
			return -1;
	if (p[64] != '"')
		return -1;
	memcpy(id, p, 64);
	id[64] = '\0';
	return 0;
}

/* Inspect container ref (a name or an id) and compare it with what the gate lets be made (image:
 * the one checked, or NULL); 0 the same, DR_STATUS_NOT_FOUND when there is no such container,
 * else -1 with reason set and id (when known) naming it. */
static int gate_inspect_compare(struct gate_conn *c, const char *ref, const char *image, char id[65], char *reason,
				size_t cap)
{
	char target[DR_GATE_TARGET_MAX], *body;
	size_t len;
	int status, rc = -1;

	snprintf(target, sizeof target, "/v%s/containers/%s/json", DR_GATE_API_VERSION, ref);
	status = gate_own_call(c, "GET", target, &body, &len);
	if (status == DR_STATUS_NOT_FOUND)
		rc = status;
	else if (status != DR_STATUS_OK)
		snprintf(reason, cap, "the engine could not be asked what it made (HTTP %d)", status);
	else if (!gate_answer_id(body, len, id))
		rc = dr_gate_check_created(&c->g->cfg, image, body, len, reason, cap);
	else
		snprintf(reason, cap, "the engine's inspect answer names no id");
	free(body);
	return rc;
}

/* Remove container id, which differs from what was checked, and refuse the request. */
static int gate_refuse_made(struct gate_conn *c, const char *id, const char *what, int keep)
{
	char target[DR_GATE_TARGET_MAX], why[DR_GATE_REASON_MAX + 96], *body;
	size_t len;
	int status = -1;

	if (id[0]) {
		snprintf(target, sizeof target, "/v%s/containers/%s?force=true&v=true", DR_GATE_API_VERSION, id);
		status = gate_own_call(c, "DELETE", target, &body, &len);
		free(body);
	}
	snprintf(why, sizeof why, "the engine made a container that differs from what was checked (%s); %s", what,
		 status == DR_STATUS_NO_CONTENT || status == DR_STATUS_NOT_FOUND ? "it was removed" : "it could NOT be removed");
	return gate_refuse(c, DR_STATUS_FORBIDDEN, why, keep) ? -1 : !keep;
}

/* A create's answer: before it goes back, what the engine made is inspected and compared with
 * what was checked; a difference removes the container. 0 kept open, 1 to close, -1 broken. */
static int gate_relay_created(struct gate_conn *c, const struct dr_gate_response *r, const char *have, size_t n,
			      int keep)
{
	char id[65] = "", reason[DR_GATE_REASON_MAX] = "", *whole;
	size_t len;
	int rc;

	if ((!r->chunked && r->content_length < 0) || !(whole = gate_read_whole(c, r, have, n, &len)))
		return -1;
	if (r->status == DR_STATUS_CREATED && gate_answer_id(whole, len, id))
		rc = gate_refuse_made(c, "", "the engine's answer names no id", keep);
	else if (r->status == DR_STATUS_CREATED && gate_inspect_compare(c, id, c->decision.image, id, reason, sizeof reason))
		rc = gate_refuse_made(c, id, reason[0] ? reason : "it was gone before it could be inspected", keep);
	else
		rc = gate_answer_json(c, r->status, whole, len, keep) ? -1 : !keep;
	free(whole);
	return rc;
}

/* Before a start: the container as the engine has it must be what the gate lets be made, and
 * the start goes to that container by its id, so that no other can take its name in between.
 * 0 to go on; else the request was answered: 1 to close, 2 to keep the connection. */
static int gate_check_start(struct gate_conn *c, int keep)
{
	char id[65] = "", reason[DR_GATE_REASON_MAX];
	int rc = gate_inspect_compare(c, c->g->cfg.container_name, NULL, id, reason, sizeof reason);

	if (rc == 0) {
		snprintf(c->decision.target, sizeof c->decision.target, "/v%s/containers/%s/start", DR_GATE_API_VERSION, id);
		return 0;
	}
	if (rc == DR_STATUS_NOT_FOUND)
		return !gate_answer_message(c, DR_STATUS_NOT_FOUND, "No such container", keep) && keep ? 2 : 1;
	return gate_refuse_made(c, id, reason, keep) == 0 ? 2 : 1;
}

#define GATE_EVENT_LINE_MAX 65536

/* Send each complete event line of buf (*len bytes) that is of this environment's container, as a
 * chunk of the gate's own; the incomplete rest is moved to the front and *len is what is left.
 * 0, or -1 (a write failed, or a line longer than GATE_EVENT_LINE_MAX). */
static int gate_events_lines(struct gate_conn *c, char *buf, size_t *len)
{
	char *start = buf, *nl, size[24];
	size_t left = *len;
	int n;

	while ((nl = memchr(start, '\n', left))) {
		size_t line = (size_t)(nl - start) + 1;
		if (dr_gate_event_ours(&c->g->cfg, start, line) &&
		    ((n = snprintf(size, sizeof size, "%zx\r\n", line)) < 0 || dr_write_all(c->client, size, (size_t)n) ||
		     dr_write_all(c->client, start, line) || dr_write_all(c->client, "\r\n", 2)))
			return -1;
		start += line;
		left -= line;
	}
	memmove(buf, start, left);
	*len = left;
	return left < GATE_EVENT_LINE_MAX ? 0 : -1;
}

/* An event stream: the engine's filter passes containers whose name begins with this one's, so the
 * gate passes on only the events of exactly its container, in chunks of its own. 1 to close, -1. */
static int gate_relay_events(struct gate_conn *c, const struct dr_gate_response *r, const char *have, size_t n)
{
	static char lines[GATE_EVENT_LINE_MAX];
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
				   "Connection: close\r\n\r\n";
	size_t len = 0;

	if (dr_write_all(c->client, head, sizeof head - 1) ||
	    gate_decode_body(c, r, have, n, lines, sizeof lines, &len, gate_events_lines))
		return -1;
	return dr_write_all(c->client, "0\r\n\r\n", 5) ? -1 : 1;
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
	if (r.status == DR_STATUS_SWITCHING_PROTOCOLS)
		return -1; /* no allowed call upgrades; never relay a hijacked stream */
	has_body = dr_gate_response_has_body(c->req.method, r.status);
	switch (has_body ? c->decision.answer : DR_GATE_PASS) {
	case DR_GATE_EVENTS:
		if (r.status == DR_STATUS_OK)
			return gate_relay_events(c, &r, head + head_len, got - (size_t)head_len);
		break;
	case DR_GATE_CREATED:
		return gate_relay_created(c, &r, head + head_len, got - (size_t)head_len, keep && !r.close);
	case DR_GATE_IMAGE_IDS:
	case DR_GATE_DATA_ROOT:
	case DR_GATE_REPO_IMAGE:
		return gate_relay_cut(c, &r, head + head_len, got - (size_t)head_len, keep && !r.close);
	case DR_GATE_PASS:
	case DR_GATE_START_CHECKED:
		break;
	}
	if (dr_write_all(c->client, head, (size_t)head_len))
		return -1;
	if (!has_body)
		return r.close || !keep;
	rc = gate_relay_body(c, &r, head + head_len, got - (size_t)head_len);
	return rc < 0 ? -1 : (rc == 1 || r.close || !keep);
}

/* The request as dr_gate_check sees it. */
static void gate_request_of(struct gate_conn *c, struct dr_gate_request *r)
{
	r->method = c->req.method;
	r->target = c->target;
	r->has_body = c->req.content_length > 0 || c->req.chunked || dr_http_header_get(&c->req, "Transfer-Encoding");
	r->content_type = dr_http_header_get(&c->req, "Content-Type");
	r->registry_auth = dr_http_header_get(&c->req, "X-Registry-Auth");
}

/* A create's body: read, checked, written anew into c->sent. 0, or the request was answered (1: close). */
static int gate_create_body(struct gate_conn *c, int keep)
{
	int rc;

	if (c->req.expect_continue && dr_http_respond_continue(c->client))
		return 1;
	if ((rc = gate_read_body(c)))
		return gate_refuse(c, rc, "the request body could not be read within its limits", 0), 1;
	dr_buf_reset(&c->sent);
	rc = dr_gate_check_create_body(&c->g->cfg, c->body, c->body_len, &c->decision, &c->sent);
	explicit_bzero(c->body, c->body_len);
	if (rc)
		return gate_refuse(c, DR_STATUS_FORBIDDEN, c->decision.reason, keep) || !keep;
	return 0;
}

/* The allowed request as the engine gets it: the checked target, and a create's body written anew.
 * 0, or -1 with errno. */
static int gate_forward(struct gate_conn *c)
{
	const struct dr_gate_decision *d = &c->decision;

	return gate_send_fresh(c, c->req.method, d->target, d->checks_body ? dr_buf_str(&c->sent) : NULL, c->sent.len,
			       d->registry_auth);
}

/* One request on the connection: 0 another may follow, else close. */
static int gate_one(struct gate_conn *c)
{
	struct dr_gate_request request;
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
		return gate_answer_message(c, DR_STATUS_UNAVAILABLE, c->g->problem, 0), 1;
	gate_request_of(c, &request);
	if (dr_gate_check(&c->g->cfg, &request, &c->decision)) {
		/* A refused request's body is read and dropped, so that the refusal reaches the client;
		 * one that cannot be (or that waits for a 100 Continue) ends the connection. */
		if (request.has_body && (c->req.expect_continue || gate_read_body(c)))
			keep = 0;
		explicit_bzero(c->body, c->body_len);
		return gate_refuse(c, DR_STATUS_FORBIDDEN, c->decision.reason, keep) || !keep;
	}
	if (c->decision.checks_body && (rc = gate_create_body(c, keep)))
		return rc;
	if (c->decision.answer == DR_GATE_START_CHECKED && (rc = gate_check_start(c, keep)))
		return rc == 1;
	rc = gate_forward(c);
	if (c->sent.data)
		explicit_bzero(c->sent.data, c->sent.len);
	if (rc) {
		char why[DR_GATE_REASON_MAX];
		snprintf(why, sizeof why, "the %s Docker gate cannot reach the engine at %s: %s",
			 c->g->cfg.environment, c->g->upstream_path, strerror(errno));
		return gate_answer_message(c, DR_STATUS_BAD_GATEWAY, why, 0), 1;
	}
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
	dr_buf_init(&c.sent, DR_GATE_BODY_MAX + 1024);
	while (gate_one(&c) == 0) {
		memset(&c.req, 0, sizeof c.req);
		c.target[0] = '\0';
	}
	if (c.upstream >= 0)
		close(c.upstream);
	dr_buf_free(&c.sent);
	close(fd);
}

/* A connection's child: the configuration read afresh, then the requests on it. */
static void gate_child(int fd, void *arg)
{
	struct gate *g = arg;

	gate_load(g);
	gate_serve(g, fd);
}

int main(void)
{
	static struct gate g;
	const char *idle = gate_setting("DREICHOR_GATE_IDLE_SECONDS"), *why = NULL;
	long idle_s = GATE_IDLE_DEFAULT_S;
	int listen_fd = dr_serve_listening_fd();

	/* Registry credentials and the runtime's environment pass through it: no core dump, no same-user reader. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	if (idle && dr_parse_long(idle, 0, DR_SERVE_IDLE_MAX_S, &idle_s)) {
		fprintf(stderr, "dreichor-docker-gate: configuration unusable: DREICHOR_GATE_IDLE_SECONDS must be whole "
				"seconds from 0 (never idle out) to %d\n", DR_SERVE_IDLE_MAX_S);
		return GATE_EXIT_USAGE;
	}
	/* Installed once, before the first connection; every child keeps it. */
	if (dr_syscall_filter_apply(DR_SYSCALL_GATE, &why) < 0) {
		fprintf(stderr, "dreichor-docker-gate: %s: %s\n", why, strerror(errno));
		return GATE_EXIT_USAGE;
	}
	if (listen_fd >= 0)
		return dr_serve_forking(listen_fd, idle_s, gate_child, &g);
	gate_load(&g);
	gate_serve(&g, 0);
	return 0;
}
