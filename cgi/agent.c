/* dreichor-agent: the per-connection dispatcher. Reads one request head
 * from stdin under hard limits, authenticates it, routes it, and execs the
 * endpoint program with CGI meta-variables and the body still unread.
 * Exit codes: 0 handed over or answered (whatever the HTTP status, so that
 * systemd records no failed unit for a refused request), 1 --check-config
 * found problems, 100 usage, 111 no answer could be written. */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "audit.h"
#include "auth.h"
#include "cgi.h"
#include "clock.h"
#include "config.h"
#include "http.h"
#include "runtime_env.h"

#define AGENT_EXIT_PROBLEMS 1
#define AGENT_EXIT_USAGE 100
#define AGENT_EXIT_SYSTEM 111
#define AGENT_CLIENT_ID_LOG_MAX 128

struct agent_route {
	const char *path;
	const char *method;
	const char *program;
	int needs_body;
};

static const struct agent_route agent_routes[] = {
	{ "/v1/deploy", "POST", "dreichor-deploy", 1 },
	{ "/v1/status", "GET", "dreichor-status", 0 },
	{ "/v1/stop", "POST", "dreichor-stop", 0 },
	{ "/v1/plan", "POST", "dreichor-plan", 1 },
	{ "/v1/deploys", "GET", "dreichor-deploys", 0 },
};

struct agent {
	struct dr_http_request req;
	struct dr_config cfg;
	char request_id[DR_REQUEST_ID_LEN + 1];
	char client_id[AGENT_CLIENT_ID_LOG_MAX + 1];
	char auth_detail[256];     /* why a JWT was refused, for the journal only */
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
	if (status != 408)
		dr_http_linger(STDIN_FILENO, STDOUT_FILENO);
	return written ? 0 : AGENT_EXIT_SYSTEM;
}

/* An invalid configuration: an authenticated client learns the problem; anyone else only the
 * variable's name, since the rule may quote a path. The journal gets the whole text. */
static int agent_refuse_config(struct agent *ag)
{
	const char *problem = ag->cfg.problems.text[0];
	struct dr_error err = { 0 };
	char reason[DR_PROBLEM_MAX];
	size_t name = strspn(problem, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");

	int jwt_complete = ag->cfg.cf_access_aud && ag->cfg.cf_access_issuer && ag->cfg.cf_access_certs_file;

	/* A half-configured JWT check cannot run; the service token then stands alone. */
	if (ag->cfg.client_id && ag->cfg.client_id[0] && ag->cfg.client_secret && ag->cfg.client_secret[0] &&
	    dr_auth_check(&ag->req, &ag->cfg, &err) == 0 &&
	    (!jwt_complete || dr_auth_check_jwt(&ag->req, &ag->cfg, &err, ag->auth_detail, sizeof ag->auth_detail) == 0))
		return agent_refuse(ag, 500, NULL, problem);
	ag->audit.detail = problem;
	if (name > 0 && problem[name] == ':')
		snprintf(reason, sizeof reason, "agent configuration invalid: %.*s (the journal has the detail)", (int)name, problem);
	else
		snprintf(reason, sizeof reason, "agent configuration invalid (the journal has the detail)");
	return agent_refuse(ag, 500, NULL, reason);
}

static const struct agent_route *agent_route_find(const char *path)
{
	size_t i;

	for (i = 0; i < sizeof agent_routes / sizeof *agent_routes; i++)
		if (!strcmp(agent_routes[i].path, path))
			return &agent_routes[i];
	return NULL;
}

/* 0, or the status with which the route refuses this request's body framing. */
static int agent_check_body(const struct agent_route *route, const struct dr_http_request *req, const char **why)
{
	const char *ctype = dr_http_header_get(req, "Content-Type");

	if (route->needs_body && req->content_length < 0) {
		*why = "Content-Length is required: send the JSON body with a Content-Length header";
		return 411;
	}
	if ((route->needs_body || req->content_length > 0) && !dr_content_type_is_json(ctype)) {
		*why = "Content-Type must be application/json";
		return 415;
	}
	return 0;
}

static void agent_set_peer(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char addr[INET6_ADDRSTRLEN] = "";

	if (getpeername(STDIN_FILENO, (struct sockaddr *)&ss, &len) < 0)
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof addr);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof addr);
	if (addr[0])
		setenv("REMOTE_ADDR", addr, 1);
}

/* Replace this process with the endpoint; the secret never reaches its environment. */
static int agent_exec(struct agent *ag, const struct agent_route *route)
{
	const char *ctype = dr_http_header_get(&ag->req, "Content-Type");
	char program[4096], length[24];
	char *argv[2];

	if (snprintf(program, sizeof program, "%s/%s", ag->cfg.libexecdir, route->program) >= (int)sizeof program)
		return agent_refuse(ag, 500, NULL, "DREICHOR_LIBEXECDIR: path too long");
	unsetenv("CF_ACCESS_CLIENT_SECRET");
	unsetenv("CREDENTIALS_DIRECTORY");
	unsetenv("CF_ACCESS_CLIENT_SECRET_FILE");
	unsetenv("CONTENT_TYPE");
	unsetenv("CONTENT_LENGTH");
	setenv("GATEWAY_INTERFACE", "CGI/1.1", 1);
	setenv("SERVER_SOFTWARE", "dreichor-agent", 1);
	setenv("SERVER_PROTOCOL", ag->req.version, 1);
	setenv("REQUEST_METHOD", ag->req.method, 1);
	setenv("PATH_INFO", ag->req.path, 1);
	setenv("QUERY_STRING", ag->req.query, 1);
	setenv("DREICHOR_REQUEST_ID", ag->request_id, 1);
	setenv("DREICHOR_CLIENT_ID", ag->cfg.client_id, 1);
	if (ctype)
		setenv("CONTENT_TYPE", ctype, 1);
	if (ag->req.content_length >= 0) {
		snprintf(length, sizeof length, "%lld", ag->req.content_length);
		setenv("CONTENT_LENGTH", length, 1);
	}
	agent_set_peer();
	/* The head holds the presented secret: wipe it before leaving. */
	explicit_bzero(ag->req.head, sizeof ag->req.head);
	dr_config_free(&ag->cfg);
	argv[0] = (char *)route->program;
	argv[1] = NULL;
	execv(program, argv);
	return agent_refuse(ag, 500, NULL, "cannot start the endpoint program; check DREICHOR_LIBEXECDIR and the installation");
}

static int agent_serve(struct agent *ag)
{
	const struct agent_route *route;
	struct dr_error err = { 0 };
	const char *why = NULL;
	const char *presented;
	int rc;

	dr_request_id_new(ag->request_id);
	dr_audit_init(&ag->audit);
	ag->audit.started_ms = dr_now_ms();
	ag->audit.request_id = ag->request_id;
	ag->audit.action = "refused";
	dr_config_load(&ag->cfg, DR_CONFIG_AUTH);
	ag->audit.environment = ag->cfg.environment ? ag->cfg.environment : getenv("ENVIRONMENT");
	rc = dr_http_head_read(STDIN_FILENO, &ag->req, DR_HTTP_HEAD_TIMEOUT_MS);
	if (rc == DR_HTTP_CLOSED_EMPTY)
		return 0;
	if (rc || (rc = dr_http_head_parse(&ag->req)))
		return agent_refuse(ag, rc, NULL, ag->req.error);
	ag->audit.method = ag->req.method;
	ag->audit.path = ag->req.path;
	presented = dr_http_header_get(&ag->req, "CF-Access-Client-Id");
	if (presented) {
		dr_strlcpy(ag->client_id, presented, sizeof ag->client_id);
		ag->audit.client_id = ag->client_id;
	}
	if (ag->cfg.problems.count)
		return agent_refuse_config(ag);
	if ((rc = dr_auth_check(&ag->req, &ag->cfg, &err)))
		return agent_refuse(ag, rc, NULL, err.reason);
	if ((rc = dr_auth_check_jwt(&ag->req, &ag->cfg, &err, ag->auth_detail, sizeof ag->auth_detail))) {
		ag->audit.detail = ag->auth_detail;
		return agent_refuse(ag, rc, NULL, err.reason);
	}
	route = agent_route_find(ag->req.path);
	if (!route)
		return agent_refuse(ag, 404, NULL, "unknown path; the API is POST /v1/plan, POST /v1/deploy, GET /v1/status, GET /v1/deploys, POST /v1/stop");
	if (strcmp(ag->req.method, route->method)) {
		snprintf(err.reason, sizeof err.reason, "method %s is not allowed on %s; use %s", ag->req.method,
			 route->path, route->method);
		return agent_refuse(ag, 405, route->method, err.reason);
	}
	if ((rc = agent_check_body(route, &ag->req, &why)))
		return agent_refuse(ag, rc, NULL, why);
	return agent_exec(ag, route);
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
	if (!problems)
		printf("configuration valid for %s\n", cfg.environment);
	dr_config_free(&cfg);
	return problems ? AGENT_EXIT_PROBLEMS : 0;
}

static int agent_usage(void)
{
	fprintf(stderr, "usage: dreichor-agent            (one request on stdin/stdout, as started by systemd)\n"
			"       dreichor-agent --check-config\n"
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
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("dreichor-agent %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc != 1)
		return agent_usage();
	return agent_serve(&ag);
}
