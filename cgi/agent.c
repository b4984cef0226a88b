/* dreichor-agent: the per-connection dispatcher. Reads one request head
 * from stdin under hard limits, authenticates it, routes it, and execs the
 * endpoint program with CGI meta-variables and the body still unread (a
 * chunked body is decoded first and handed over as a memory file).
 * Exit codes: 0 handed over or answered (whatever the HTTP status, so that
 * systemd records no failed unit for a refused request), 1 --check-config
 * found problems, 100 usage, 111 no answer could be written. */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "auth.h"
#include "cgi.h"
#include "chunked.h"
#include "clock.h"
#include "config.h"
#include "fdio.h"
#include "http.h"
#include "landlock.h"
#include "runtime_env.h"
#include "signing_keys.h"
#include "sigstore_refresh.h"
#include "status.h"
#include "syscall_filter.h"

#ifndef MFD_NOEXEC_SEAL
#define AGENT_MFD_NOEXEC_SEAL 0x0008U
#else
#define AGENT_MFD_NOEXEC_SEAL MFD_NOEXEC_SEAL
#endif

#define AGENT_EXIT_PROBLEMS 1
#define AGENT_EXIT_USAGE 100
#define AGENT_EXIT_SYSTEM 111
#define AGENT_CLIENT_ID_LOG_MAX 128
#define AGENT_CF_RAY_MAX 64 /* Cloudflare's are 16 hex digits, a dash and a data-center code */

struct agent_route {
	const char *path;
	const char *method;
	const char *program;
	int needs_body;
	int prefix;      /* path is a prefix: /v1/deploys/<request_id> */
	int changes;     /* changes the container: not for the read-only client */
};

static const struct agent_route agent_routes[] = {
	{ "/v1/deploy", "POST", "dreichor-deploy", 1, 0, 1 },
	{ "/v1/status", "GET", "dreichor-status", 0, 0, 0 },
	{ "/v1/stop", "POST", "dreichor-stop", 0, 0, 1 },
	{ "/v1/plan", "POST", "dreichor-plan", 1, 0, 0 },
	{ "/v1/deploys", "GET", "dreichor-deploys", 0, 0, 0 },
	{ "/v1/deploys/", "GET", "dreichor-deploys", 0, 1, 0 },
};

struct agent {
	struct dr_http_request req;
	struct dr_config cfg;
	char request_id[DR_REQUEST_ID_LEN + 1];
	char client_id[AGENT_CLIENT_ID_LOG_MAX + 1];
	char auth_detail[256];     /* why a JWT was refused, for the journal only */
	char body[DR_HTTP_BODY_MAX]; /* a chunked body, decoded */
	char method[16];           /* the request line's, kept past the head's wipe */
	char path[DR_HTTP_HEAD_MAX];
	struct dr_audit audit;
};

/* Answer the client with an error and audit the refusal. */
static int agent_refuse(struct agent *ag, int status, const char *allow, const char *reason)
{
	int written;

	ag->audit.http_status = status;
	ag->audit.reason = reason;
	written = !dr_http_respond_error(STDOUT_FILENO, status, ag->request_id, allow, reason);
	dr_audit_write(&ag->audit);
	if (status != DR_STATUS_REQUEST_TIMEOUT)
		dr_http_linger(STDIN_FILENO, STDOUT_FILENO);
	return written ? 0 : AGENT_EXIT_SYSTEM;
}

/* An invalid configuration: an authenticated client learns the problem; anyone else only the
 * variable's name, since the rule may quote a path. The journal gets the whole text. */
static int agent_refuse_config(struct agent *ag)
{
	const char *problem = ag->cfg.problems.text[0];
	struct dr_error err = { 0 };
	enum dr_auth_role role;
	char reason[DR_PROBLEM_MAX];
	size_t name = strspn(problem, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");

	/* A half-configured JWT check cannot run; the service token then stands alone. */
	if (ag->cfg.client_id && ag->cfg.client_id[0] && ag->cfg.client_secret && ag->cfg.client_secret[0] &&
	    dr_auth_check(&ag->req, &ag->cfg, &role, &err, ag->auth_detail, sizeof ag->auth_detail) == 0)
		return agent_refuse(ag, DR_STATUS_INTERNAL_ERROR, NULL, problem);
	ag->audit.detail = problem;
	if (name > 0 && problem[name] == ':')
		snprintf(reason, sizeof reason, "agent configuration invalid: %.*s (the journal has the detail)", (int)name, problem);
	else
		snprintf(reason, sizeof reason, "agent configuration invalid (the journal has the detail)");
	return agent_refuse(ag, DR_STATUS_INTERNAL_ERROR, NULL, reason);
}

static const struct agent_route *agent_route_find(const char *path)
{
	size_t i;

	for (i = 0; i < sizeof agent_routes / sizeof *agent_routes; i++)
		if (agent_routes[i].prefix ? !strncmp(agent_routes[i].path, path, strlen(agent_routes[i].path))
					   : !strcmp(agent_routes[i].path, path))
			return &agent_routes[i];
	return NULL;
}

/* 0, or the status with which the route refuses this request's body framing. */
static int agent_check_body(const struct agent_route *route, const struct dr_http_request *req, const char **why)
{
	const char *ctype = dr_http_header_get(req, "Content-Type");

	if (route->needs_body && req->content_length < 0 && !req->chunked) {
		*why = "a request body is required: send the JSON body with Content-Length or chunked framing";
		return DR_STATUS_LENGTH_REQUIRED;
	}
	if ((route->needs_body || req->content_length > 0 || req->chunked) && !dr_content_type_is_json(ctype)) {
		*why = "Content-Type must be application/json";
		return DR_STATUS_UNSUPPORTED_MEDIA_TYPE;
	}
	return 0;
}

/* The endpoint's environment, built from nothing: what dr_env_for_endpoint allows of ours,
 * then the CGI variables. The secret is never in it. */
#define AGENT_ENV_MAX 64
#define AGENT_ENV_BYTES (DR_HTTP_HEAD_MAX + 1024)

struct agent_env {
	char *vars[AGENT_ENV_MAX + 1];  /* NULL-terminated, for execve */
	int count;
	char text[AGENT_ENV_BYTES];     /* the CGI variables' NAME=value strings */
	size_t used;
};

/* Add NAME=value; -1 when it does not fit (the request is then refused, never cut). */
static int agent_env_add(struct agent_env *e, const char *name, const char *value)
{
	size_t room = sizeof e->text - e->used;
	int n = snprintf(e->text + e->used, room, "%s=%s", name, value);

	if (n < 0 || (size_t)n >= room || e->count == AGENT_ENV_MAX)
		return -1;
	e->vars[e->count++] = e->text + e->used;
	e->used += (size_t)n + 1;
	return 0;
}

/* Ours that the endpoint needs, by name; they point into this process's environment. */
static void agent_env_inherit(struct agent_env *e)
{
	extern char **environ;
	char **v;

	for (v = environ; *v && e->count < AGENT_ENV_MAX; v++) {
		const char *eq = strchr(*v, '=');
		if (eq && dr_env_for_endpoint(*v, (size_t)(eq - *v)))
			e->vars[e->count++] = *v;
	}
}

/* REMOTE_ADDR from the socket, when it is one. */
static int agent_env_peer(struct agent_env *e)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char addr[INET6_ADDRSTRLEN] = "";

	if (getpeername(STDOUT_FILENO, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof addr);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof addr);
	return addr[0] ? agent_env_add(e, "REMOTE_ADDR", addr) : 0;
}

/* The CGI/1.1 meta-variables and the request's own. */
static int agent_env_cgi(struct agent *ag, struct agent_env *e)
{
	const char *ctype = dr_http_header_get(&ag->req, "Content-Type");
	const char *prefer = dr_http_header_get(&ag->req, "Prefer");
	const char *key = dr_http_header_get(&ag->req, "Idempotency-Key");
	char length[24];

	snprintf(length, sizeof length, "%lld", ag->req.content_length);
	if (agent_env_add(e, "GATEWAY_INTERFACE", "CGI/1.1") || agent_env_add(e, "SERVER_SOFTWARE", "dreichor-agent") ||
	    agent_env_add(e, "SERVER_PROTOCOL", ag->req.version) || agent_env_add(e, "REQUEST_METHOD", ag->req.method) ||
	    agent_env_add(e, "PATH_INFO", ag->req.path) || agent_env_add(e, "QUERY_STRING", ag->req.query) ||
	    agent_env_add(e, "DREICHOR_REQUEST_ID", ag->request_id) ||
	    agent_env_add(e, "DREICHOR_CLIENT_ID", ag->cfg.client_id) ||
	    (ag->audit.cf_ray && agent_env_add(e, "HTTP_CF_RAY", ag->audit.cf_ray)) ||
	    (ctype && agent_env_add(e, "CONTENT_TYPE", ctype)) ||
	    (prefer && agent_env_add(e, "HTTP_PREFER", prefer)) ||
	    (key && agent_env_add(e, "HTTP_IDEMPOTENCY_KEY", key)) ||
	    (ag->req.content_length >= 0 && agent_env_add(e, "CONTENT_LENGTH", length)))
		return -1;
	return agent_env_peer(e);
}

/* Replace this process with the endpoint; the secret never reaches its environment. */
static int agent_exec(struct agent *ag, const struct agent_route *route)
{
	static struct agent_env env;
	char program[4096];
	char *argv[2];

	if (snprintf(program, sizeof program, "%s/%s", ag->cfg.libexecdir, route->program) >= (int)sizeof program)
		return agent_refuse(ag, DR_STATUS_INTERNAL_ERROR, NULL, "DREICHOR_LIBEXECDIR: path too long");
	agent_env_inherit(&env);
	if (agent_env_cgi(ag, &env))
		return agent_refuse(ag, DR_STATUS_HEADERS_TOO_LARGE, NULL, "request too large to hand to the endpoint");
	env.vars[env.count] = NULL;
	/* The head holds the presented secret: wipe it before leaving, keeping what a refusal's
	 * audit entry names (the exec can still fail). */
	dr_strlcpy(ag->method, ag->req.method, sizeof ag->method);
	dr_strlcpy(ag->path, ag->req.path, sizeof ag->path);
	ag->audit.method = ag->method;
	ag->audit.path = ag->path;
	explicit_bzero(ag->req.head, sizeof ag->req.head);
	dr_config_free(&ag->cfg);
	argv[0] = (char *)route->program;
	argv[1] = NULL;
	execve(program, argv, env.vars);
	return agent_refuse(ag, DR_STATUS_INTERNAL_ERROR, NULL, "cannot start the endpoint program; check DREICHOR_LIBEXECDIR and the installation");
}

/* Cf-Ray, when sent, goes to the audit entry so that it matches Cloudflare's logs; 0 or 400. */
static int agent_note_cf_ray(struct agent *ag)
{
	const char *ray = dr_http_header_get(&ag->req, "Cf-Ray");
	size_t len = ray ? strspn(ray, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") : 0;

	if (!ray)
		return 0;
	if (len == 0 || len > AGENT_CF_RAY_MAX || ray[len])
		return DR_STATUS_BAD_REQUEST;
	ag->audit.cf_ray = ray;
	return 0;
}

/* Let a waiting client send its body (Expect: 100-continue), and decode a chunked one into a
 * memory file that becomes stdin, so the endpoint reads CONTENT_LENGTH bytes either way.
 * 0, or the status with why set. */
static int agent_take_body(struct agent *ag, const char **why)
{
	struct dr_chunked ch;
	int fd, rc;

	if (ag->req.expect_continue && (ag->req.content_length > 0 || ag->req.chunked) &&
	    dr_http_respond_continue(STDOUT_FILENO)) {
		*why = "cannot write 100 Continue";
		return DR_STATUS_BAD_REQUEST;
	}
	if (!ag->req.chunked)
		return 0;
	dr_chunked_init(&ch, ag->body, sizeof ag->body);
	if ((rc = dr_chunked_read(&ch, STDIN_FILENO, dr_now_ms() + DR_HTTP_BODY_TIMEOUT_MS))) {
		*why = ch.why;
		return rc;
	}
	/* Never executable where the kernel can say so (Linux 6.3): a memfd is outside Landlock's reach. */
	fd = memfd_create("dreichor-request-body", MFD_CLOEXEC | AGENT_MFD_NOEXEC_SEAL);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("dreichor-request-body", MFD_CLOEXEC);
	if (fd < 0 || dr_write_all(fd, ch.out, ch.out_len) || lseek(fd, 0, SEEK_SET) != 0 ||
	    dup2(fd, STDIN_FILENO) < 0) {
		if (fd >= 0)
			close(fd);
		*why = "cannot hand the decoded request body to the endpoint";
		return DR_STATUS_INTERNAL_ERROR;
	}
	close(fd);
	ag->req.content_length = (long long)ch.out_len;
	return 0;
}

/* A body sent to a route that reads none (GET, stop): read and dropped here, so that the
 * endpoint's early close cannot reset the connection before the client has its answer. */
static int agent_drop_body(struct agent *ag, const char **why)
{
	long long left = ag->req.chunked ? 0 : ag->req.content_length;
	long long deadline = dr_now_ms() + DR_HTTP_BODY_TIMEOUT_MS;

	while (left > 0) {
		size_t n = left > (long long)sizeof ag->body ? sizeof ag->body : (size_t)left;
		int rc = dr_fd_read_exact(STDIN_FILENO, ag->body, n, deadline);
		if (rc) {
			*why = "request body not received in time";
			return rc == DR_FD_LATE ? DR_STATUS_REQUEST_TIMEOUT : DR_STATUS_BAD_REQUEST;
		}
		left -= (long long)n;
	}
	if (ag->req.content_length > 0)
		ag->req.content_length = 0;
	return 0;
}

/* What every program under the dispatcher's Landlock reads besides its own files; nothing else of
 * /etc or /usr (docs/architecture.md, "Landlock"): the dynamic loader's cache and the libraries,
 * the time zone, /proc (/proc/locks names the deploy lock's holder; the sanitizers read
 * /proc/self), /dev/urandom (the libraries' fallback where getrandom cannot answer). A path this
 * system lacks is skipped. */
static const char *const agent_system_reads[] = {
	"/etc/ld.so.cache", "/etc/ld.so.preload", "/usr/lib", "/usr/lib64", "/lib", "/lib64",
	"/etc/localtime", "/usr/share/zoneinfo", "/proc", "/dev/urandom",
};

/* What dreichor-registry reads when an endpoint runs it under this ruleset, that is without
 * DREICHOR_REGISTRY_SOCKET (the units ask a unit of its own): TLS trust and the resolver. */
static const char *const agent_registry_reads[] = {
	"/etc/ssl/certs", "/usr/share/ca-certificates", "/etc/ssl/openssl.cnf", "/etc/gnutls/config",
	"/etc/docker/certs.d", "/etc/nsswitch.conf", "/etc/host.conf", "/etc/hosts", "/etc/resolv.conf",
	"/etc/gai.conf",
};

#define AGENT_COUNT(a) (sizeof (a) / sizeof *(a))
#define AGENT_OWN_READS 5 /* agent_confine's own[] */
#define AGENT_TRUSTED_ROOT_READS 2 /* the Sigstore trusted root and its refresh record */
_Static_assert(AGENT_COUNT(agent_system_reads) + AGENT_COUNT(agent_registry_reads) + AGENT_OWN_READS +
			       AGENT_TRUSTED_ROOT_READS <= DR_LANDLOCK_PATHS_MAX,
	       "room for every path the ruleset grants (and the trusted root)");

/* Append the set entries of more to list, which holds n; the new count. */
static size_t agent_paths_add(const char **list, size_t n, const char *const more[], size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (more[i]) /* a file that is not configured */
			list[n++] = more[i];
	return n;
}

/* The refresh record's path beside the trusted root at path, into out; 1 when it is a regular file
 * (a link loop there would make the whole ruleset fail: every request a 500), else 0. */
static int agent_refresh_record(const char *path, char *out, size_t cap)
{
	struct stat st;

	return !dr_sigstore_refresh_path(path, out, cap) && !lstat(out, &st) && S_ISREG(st.st_mode);
}

/* Under the units (DREICHOR_LANDLOCK=on): from here on this process and the endpoint it execs
 * read only the system files above, their programs and this environment's configured files (the
 * secrets are read already, and not among them), and write only the state directory.
 * 0 when not asked for, 1 when applied, -1 with *why when it could not be. */
static int agent_confine(const struct dr_config *cfg, const char **why)
{
	const char *mode = dr_env("DREICHOR_LANDLOCK");
	const char *own[AGENT_OWN_READS] = { cfg->libexecdir, cfg->runtime_env_file, cfg->registry_auth_file,
					     cfg->image_signature_keys, cfg->cf_access_certs_file };
	const char *read_paths[DR_LANDLOCK_PATHS_MAX + 1];
	const char *write_paths[] = { cfg->state_directory, "/dev/null", NULL };
	static char refresh_record[DR_SIGSTORE_PATH_MAX];
	size_t n;
	int rc;

	if (!mode || strcmp(mode, "on") || !cfg->state_directory)
		return 0;
	n = agent_paths_add(read_paths, 0, agent_system_reads, AGENT_COUNT(agent_system_reads));
	if (!cfg->registry_socket)
		n = agent_paths_add(read_paths, n, agent_registry_reads, AGENT_COUNT(agent_registry_reads));
	/* Keyless: status and plan describe the Sigstore trusted root (and the refresh record beside it,
	 * sigstore_root.h); dreichor-registry, when the endpoint runs it itself, reads the root too. */
	if (cfg->image_signature_identity && cfg->sigstore_trusted_root) {
		read_paths[n++] = cfg->sigstore_trusted_root;
		if (agent_refresh_record(cfg->sigstore_trusted_root, refresh_record, sizeof refresh_record))
			read_paths[n++] = refresh_record;
	}
	n = agent_paths_add(read_paths, n, own, AGENT_COUNT(own));
	read_paths[n] = NULL;
	rc = dr_landlock_confine(read_paths, write_paths);
	if (rc == 0)
		return 1;
	*why = rc == 1 ? "DREICHOR_LANDLOCK=on, but the kernel offers no Landlock" :
			 "DREICHOR_LANDLOCK=on, but the Landlock ruleset could not be applied";
	return -1;
}

/* Unix sockets only, but where an endpoint would run dreichor-registry itself (no registry socket,
 * as outside the units): then IP sockets too, as the Landlock ruleset then grants TLS trust. */
static enum dr_syscall_profile agent_syscall_profile(const struct dr_config *cfg)
{
	return cfg->registry_socket ? DR_SYSCALL_AGENT : DR_SYSCALL_AGENT_NET;
}

/* Read and parse the request head. Once its request line parsed, the audit entry names the method
 * and path, whatever is refused after it (CONTRACT 7). 0, DR_HTTP_CLOSED_EMPTY, or the status. */
static int agent_read_head(struct agent *ag)
{
	int rc = dr_http_head_read(STDIN_FILENO, &ag->req, DR_HTTP_HEAD_TIMEOUT_MS);

	if (rc == DR_HTTP_CLOSED_EMPTY)
		return rc;
	if (rc)
		dr_http_head_parse_request_line(&ag->req);
	else
		rc = dr_http_head_parse(&ag->req);
	ag->audit.method = ag->req.method;
	ag->audit.path = ag->req.path;
	return rc;
}

static int agent_serve(struct agent *ag)
{
	const struct agent_route *route;
	struct dr_error err = { 0 };
	const char *why = NULL;
	const char *presented;
	enum dr_auth_role role;
	int rc;

	dr_request_id_new(ag->request_id);
	dr_audit_init(&ag->audit);
	ag->audit.started_ms = dr_now_ms();
	ag->audit.request_id = ag->request_id;
	ag->audit.action = "refused";
	dr_config_load(&ag->cfg, DR_CONFIG_AUTH);
	ag->audit.environment = ag->cfg.environment ? ag->cfg.environment : dr_env("ENVIRONMENT");
	if (agent_confine(&ag->cfg, &why) < 0)
		return agent_refuse(ag, DR_STATUS_INTERNAL_ERROR, NULL, why);
	/* After Landlock (whose calls it would refuse) and before a byte of the request; the endpoint
	 * inherits it. */
	if (dr_syscall_filter_apply(agent_syscall_profile(&ag->cfg), &why) < 0)
		return agent_refuse(ag, DR_STATUS_INTERNAL_ERROR, NULL, why);
	rc = agent_read_head(ag);
	if (rc == DR_HTTP_CLOSED_EMPTY)
		return 0;
	if (rc)
		return agent_refuse(ag, rc, NULL, ag->req.error);
	if (!strcmp(ag->req.version, "HTTP/1.1") && !dr_http_header_get(&ag->req, "Host"))
		return agent_refuse(ag, DR_STATUS_BAD_REQUEST, NULL, "an HTTP/1.1 request needs a Host header (RFC 9112, section 3.2)");
	presented = dr_http_header_get(&ag->req, "CF-Access-Client-Id");
	if (presented) {
		dr_strlcpy(ag->client_id, presented, sizeof ag->client_id);
		ag->audit.client_id = ag->client_id;
	}
	if ((rc = agent_note_cf_ray(ag)))
		return agent_refuse(ag, rc, NULL, "Cf-Ray header malformed: 1-64 letters, digits and dashes");
	if (ag->cfg.problems.count)
		return agent_refuse_config(ag);
	if ((rc = dr_auth_check(&ag->req, &ag->cfg, &role, &err, ag->auth_detail, sizeof ag->auth_detail))) {
		ag->audit.detail = ag->auth_detail[0] ? ag->auth_detail : NULL;
		return agent_refuse(ag, dr_fault_status(err.fault), NULL, err.reason);
	}
	if (!ag->audit.client_id) /* the JWT's common_name, checked equal */
		ag->audit.client_id = role == DR_AUTH_READER ? ag->cfg.reader_client_id : ag->cfg.client_id;
	route = agent_route_find(ag->req.path);
	if (!route)
		return agent_refuse(ag, DR_STATUS_NOT_FOUND, NULL, "unknown path; the API is POST /v1/plan, POST /v1/deploy, GET /v1/status, GET /v1/deploys, GET /v1/deploys/<request_id>, POST /v1/stop");
	if (strcmp(ag->req.method, route->method)) {
		snprintf(err.reason, sizeof err.reason, "method %s is not allowed on %s; use %s", ag->req.method,
			 route->path, route->method);
		return agent_refuse(ag, DR_STATUS_METHOD_NOT_ALLOWED, route->method, err.reason);
	}
	if (route->changes && role == DR_AUTH_READER)
		return agent_refuse(ag, DR_STATUS_FORBIDDEN, NULL, "this is the read-only service token (CF_ACCESS_READER_CLIENT_ID): it may plan and read "
						   "status and history; deploy and stop need the deploying token");
	if ((rc = agent_check_body(route, &ag->req, &why)))
		return agent_refuse(ag, rc, NULL, why);
	if ((rc = agent_take_body(ag, &why)))
		return agent_refuse(ag, rc, NULL, why);
	if (!route->needs_body && (rc = agent_drop_body(ag, &why)))
		return agent_refuse(ag, rc, NULL, why);
	return agent_exec(ag, route);
}

/* --check-config's look at IMAGE_SIGNATURE_KEYS: each key's fingerprint, or why the file is refused. */
static int agent_check_signature_keys(const struct dr_config *cfg)
{
	static struct dr_signing_keys keys;
	char fingerprint[DR_KEY_FINGERPRINT_LEN + 1];
	struct dr_error err;
	size_t i;

	if (!cfg->image_signature_keys || access(cfg->image_signature_keys, R_OK))
		return 0;
	if (dr_signing_keys_load(&keys, cfg->image_signature_keys, &err)) {
		fprintf(stderr, "%s\n", err.reason);
		return 1;
	}
	for (i = 0; i < keys.count; i++) {
		dr_signing_key_fingerprint(&keys.key[i], fingerprint);
		printf("image signature key %zu: %s\n", i + 1, fingerprint);
	}
	return 0;
}

/* --check-config's account of keyless signatures: the identities, the issuer, the trusted root. */
static void agent_check_keyless(const struct dr_config *cfg)
{
	char list[DR_SIGNATURE_IDENTITIES_TEXT_MAX], *one, *save = NULL;
	struct dr_sigstore_root_info root;
	int i = 0;

	if (!cfg->image_signature_identity)
		return;
	dr_strlcpy(list, cfg->image_signature_identity, sizeof list);
	for (one = strtok_r(list, " ", &save); one; one = strtok_r(NULL, " ", &save))
		printf("image signature identity %d: %s (keyless, compared exactly)\n", ++i, one);
	printf("image signature issuer: %s\n", cfg->image_signature_issuer);
	printf("sigstore trusted root: %s (read by dreichor-registry for each keyless check)\n", cfg->sigstore_trusted_root);
	dr_sigstore_root_describe(cfg->sigstore_trusted_root, time(NULL), &root);
	if (root.unvouched)
		printf("sigstore trusted root source: tuf, but no refresh.json vouches for it (stale: every keyless refusal says so)\n");
	else if (root.source == DR_SIGSTORE_SOURCE_TUF)
		printf("sigstore trusted root source: tuf %s, refreshed %s, metadata expires %s%s\n", root.repository,
		       root.refreshed, root.expires, root.stale ? " (stale: every keyless refusal says so)" : "");
	else
		printf("sigstore trusted root source: %s\n", dr_sigstore_source_name(root.source));
}

/* --check-config's account of the Docker boundary: what DOCKER_HOST lets this agent do. */
static void agent_check_docker(const struct dr_config *cfg)
{
	char gate[64];

	if (!cfg->environment || !cfg->docker_socket)
		return;
	snprintf(gate, sizeof gate, "/run/dreichor-docker-%s.sock", cfg->environment);
	if (strcmp(cfg->docker_socket, gate)) {
		printf("docker: %s, not the %s Docker gate of the units (%s): the agent may do there whatever that "
		       "socket allows%s\n", cfg->docker_socket, cfg->environment, gate,
		       strstr(cfg->docker_socket, "docker.sock") && !strstr(cfg->docker_socket, "gate") ?
		       " (the engine's own socket is the whole engine)" : "");
		return;
	}
	printf("docker: through the %s Docker gate %s, which lets this agent reach only the container %s "
	       "(inspect, logs, wait, start, stop, remove; create with the image by digest, the binds %s and %s, "
	       "the network %s, no privilege), pull, inspect and remove (never forced) images of %s, and its events; "
	       "every other call is refused 403 and audited\n",
	       cfg->environment, gate, cfg->container_name, cfg->audit_events_path, cfg->snapshots_path,
	       cfg->container_network ? cfg->container_network : "default", cfg->image_repository);
}

/* --check-config under the units' DREICHOR_LANDLOCK=on: the ruleset every request gets, applied to
 * this check itself once it has read all it reads, so that a kernel or a system call filter that
 * refuses it fails here rather than answering every request 500. */
static int agent_check_landlock(const struct dr_config *cfg)
{
	const char *why = NULL;
	int rc = agent_confine(cfg, &why);

	if (rc > 0)
		printf("landlock: the ruleset applies: reads confined to the system's libraries and this "
		       "environment's files, writes to %s\n", cfg->state_directory);
	if (rc >= 0)
		return 0;
	fprintf(stderr, "%s: every request would be answered 500. Boot a kernel with Landlock enabled (lsm= "
			"including landlock), or set DREICHOR_LANDLOCK=off in a drop-in, which leaves the agent "
			"without its file system confinement (docs/operations.md)\n", why);
	return 1;
}

/* --check-config under the units' DREICHOR_SYSCALL_FILTER=on: the filter every request gets,
 * installed on this check last of all, so that a kernel that refuses it fails here. */
static int agent_check_syscall_filter(const struct dr_config *cfg)
{
	const char *why = NULL;
	int rc = dr_syscall_filter_apply(agent_syscall_profile(cfg), &why);

	if (rc > 0)
		printf("system calls: the filter applies: what the agent makes, %s, no namespaces, no memory "
		       "both writable and executable\n", cfg->registry_socket ? "unix sockets only" : "unix and IP sockets");
	if (rc >= 0)
		return 0;
	fprintf(stderr, "%s: every request would be answered 500. Boot a kernel with seccomp filters "
			"(CONFIG_SECCOMP_FILTER), or set DREICHOR_SYSCALL_FILTER=off in a drop-in, which leaves "
			"the agent without its system call filter (docs/operations.md)\n", why);
	return 1;
}

/* --check-config: every problem on its own line, exit 0 when there are none. */
static int agent_check_config(void)
{
	struct dr_config cfg;
	struct dr_runtime_env env;
	struct dr_problems rt = { 0 };
	int i, problems = dr_config_load(&cfg, DR_CONFIG_AUTH);

	for (i = 0; i < cfg.problems.count && i < DR_PROBLEMS_MAX; i++)
		fprintf(stderr, "%s\n", cfg.problems.text[i]);
	if (cfg.runtime_env_file && cfg.env && !access(cfg.runtime_env_file, R_OK)) {
		problems += dr_runtime_env_load(&env, cfg.runtime_env_file, cfg.env, cfg.allow_execution_plane, &rt);
		for (i = 0; i < rt.count && i < DR_PROBLEMS_MAX; i++)
			fprintf(stderr, "%s: %s\n", cfg.runtime_env_file, rt.text[i]);
		dr_runtime_env_free(&env);
	}
	problems += agent_check_signature_keys(&cfg);
	problems += agent_check_landlock(&cfg);
	problems += agent_check_syscall_filter(&cfg);
	if (!problems) {
		agent_check_docker(&cfg);
		agent_check_keyless(&cfg);
		printf("image signatures: %s\n", !cfg.image_signatures_required ? "off" :
		       cfg.image_signature_keys && cfg.image_signature_identity ? "required: by a key of IMAGE_SIGNATURE_KEYS or keyless by IMAGE_SIGNATURE_IDENTITY" :
		       cfg.image_signature_keys ? "required: by a key of IMAGE_SIGNATURE_KEYS" : "required: keyless by IMAGE_SIGNATURE_IDENTITY");
		printf("configuration valid for %s\n", cfg.environment);
	}
	dr_config_free(&cfg);
	return problems ? AGENT_EXIT_PROBLEMS : 0;
}

/* --fetch-certs: the certs fetcher is its own program, so that the dispatcher never links TLS. */
static int agent_fetch_certs(char **argv)
{
	const char *dir = dr_env("DREICHOR_LIBEXECDIR");
	char program[4096];

	if (snprintf(program, sizeof program, "%s/dreichor-fetch-certs", dir ? dir : DR_PKGLIBEXECDIR) >= (int)sizeof program) {
		fprintf(stderr, "dreichor-agent: DREICHOR_LIBEXECDIR too long\n");
		return AGENT_EXIT_USAGE;
	}
	argv[0] = (char *)"dreichor-fetch-certs";
	execv(program, argv);
	fprintf(stderr, "dreichor-agent: cannot run %s: %s\n", program, strerror(errno));
	return AGENT_EXIT_SYSTEM;
}

static int agent_usage(void)
{
	fprintf(stderr, "usage: dreichor-agent            (one request on stdin/stdout, as started by systemd)\n"
			"       dreichor-agent --check-config\n"
			"       dreichor-agent --fetch-certs [--cacert FILE] [TEAM]\n"
			"       dreichor-agent --version\n");
	return AGENT_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static struct agent ag;

	/* It holds the secret: no core dump, and no same-user reader of its memory or environment. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc == 2 && !strcmp(argv[1], "--check-config"))
		return agent_check_config();
	if (argc >= 2 && !strcmp(argv[1], "--fetch-certs"))
		return agent_fetch_certs(argv + 1);
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("dreichor-agent %s\nendpoint libcurl: %s\n", PACKAGE_VERSION, DR_ENDPOINT_CURL);
		return 0;
	}
	if (argc != 1)
		return agent_usage();
	return agent_serve(&ag);
}
