/* test_gate.c: the Docker gate's allow-list, its path normalisation, the
 * create body check, response framing and the cut-down answers. */

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "docker_json.h"
#include "gate_check.h"
#include "gate_create.h"
#include "gate_relay.h"
#include "runtime_env.h"
#include "unit.h"

#define REPO "127.0.0.1:5000/dreichor/runtime"
#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const struct dr_gate_config cfg = {
	.environment = "dev",
	.container_name = "dreichor-runtime-dev",
	.repository = REPO,
	.binds = { "/opt/dreichor/dev/volumes/audit-events:/var/lib/dreichor/audit-events",
		   "/opt/dreichor/dev/volumes/snapshots:/var/lib/dreichor/snapshots" },
	.network = "none",
	.allowed_plane = "paper",
};

static struct dr_gate_decision d;

/* A request without a body. */
static int allowed(const char *method, const char *target)
{
	struct dr_gate_request r = { method, target, 0, NULL, NULL };

	return dr_gate_check(&cfg, &r, &d) == 0 && d.allowed;
}

/* A request with framing: a body (has_body), a Content-Type, X-Registry-Auth. */
static int allowed_with(const char *method, const char *target, int has_body, const char *ctype, const char *auth)
{
	struct dr_gate_request r = { method, target, has_body, ctype, auth };

	return dr_gate_check(&cfg, &r, &d) == 0 && d.allowed;
}

static void test_agent_calls_allowed(void)
{
	CU_ASSERT(allowed("GET", "/v1.24/_ping"));
	CU_ASSERT_STRING_EQUAL(d.target, "/v" DR_GATE_API_VERSION "/_ping");
	CU_ASSERT(allowed("HEAD", "/v1.41/_ping"));
	CU_ASSERT(allowed("GET", "/v1.41/version"));
	CU_ASSERT(allowed("GET", "/v1.41/containers/dreichor-runtime-dev/json"));
	CU_ASSERT(allowed("POST", "/v1.41/containers/dreichor-runtime-dev/stop?t=2"));
	CU_ASSERT(allowed("POST", "/v1.41/containers/dreichor-runtime-dev/start"));
	CU_ASSERT(allowed("POST", "/v1.41/containers/dreichor-runtime-dev/wait?condition=next-exit"));
	CU_ASSERT(allowed("GET", "/v1.41/containers/dreichor-runtime-dev/logs?stdout=true&stderr=true&tail=20"));
	CU_ASSERT(allowed("DELETE", "/v1.41/containers/dreichor-runtime-dev?force=true"));
	CU_ASSERT(allowed_with("POST", "/v1.41/containers/create?name=dreichor-runtime-dev", 1, "application/json", NULL));
	CU_ASSERT(d.checks_body);
	CU_ASSERT(d.answer == DR_GATE_CREATED);
	CU_ASSERT(allowed("POST", "/v1.41/images/create?fromImage=127.0.0.1%3A5000%2Fdreichor%2Fruntime&tag=1.2.3"));
	CU_ASSERT_STRING_EQUAL(d.target, "/v1.41/images/create?fromImage=127.0.0.1%3A5000%2Fdreichor%2Fruntime&tag=1.2.3");
	CU_ASSERT(allowed("GET", "/v1.41/images/127.0.0.1%3A5000%2Fdreichor%2Fruntime%40" DIGEST "/json"));
	CU_ASSERT_STRING_EQUAL(d.target, "/v1.41/images/" REPO "@" DIGEST "/json");
	CU_ASSERT(d.answer == DR_GATE_PASS);
	CU_ASSERT(allowed("GET", "/v1.41/images/" DIGEST "/json"));
	CU_ASSERT(d.answer == DR_GATE_REPO_IMAGE);
	CU_ASSERT(allowed("DELETE", "/v1.41/images/" REPO "@" DIGEST "?force=false&noprune=false"));
	CU_ASSERT(allowed("GET", "/v1.41/distribution/" REPO ":1.2.3/json"));
	CU_ASSERT(allowed("GET", "/v1.41/images/json?filters=%7B%22reference%22%3A%5B%22127.0.0.1%3A5000%2Fdreichor%2Fruntime%22%5D%7D"));
	CU_ASSERT(allowed("GET", "/v1.41/containers/json?all=1&filters=%7B%22ancestor%22%3A%5B%22" DIGEST "%22%5D%7D"));
	CU_ASSERT(d.answer == DR_GATE_IMAGE_IDS);
	CU_ASSERT(allowed("GET", "/v1.41/events?since=1&until=2&filters=%7B%22container%22%3A%5B%22dreichor-runtime-dev%22%5D%2C%22event%22%3A%5B%22die%22%5D%7D"));
	CU_ASSERT(allowed("GET", "/v1.41/info"));
	CU_ASSERT(d.answer == DR_GATE_DATA_ROOT);
}

static void test_other_calls_refused(void)
{
	CU_ASSERT(!allowed("GET", "/v1.41/containers/dreichor-runtime-prod/json"));
	CU_ASSERT(!allowed("GET", "/v1.41/containers/0123456789ab/json"));
	CU_ASSERT(!allowed("POST", "/v1.41/containers/dreichor-runtime-dev/exec"));
	CU_ASSERT(!allowed("POST", "/v1.41/containers/dreichor-runtime-dev/attach"));
	CU_ASSERT(!allowed("POST", "/v1.41/containers/dreichor-runtime-dev/kill"));
	CU_ASSERT(!allowed("GET", "/v1.41/containers/dreichor-runtime-dev/archive?path=/etc"));
	CU_ASSERT(!allowed("POST", "/v1.41/containers/create?name=dreichor-runtime-prod"));
	CU_ASSERT(!allowed("POST", "/v1.41/containers/create"));
	CU_ASSERT(!allowed("GET", "/v1.41/containers/json"));
	CU_ASSERT(!allowed("GET", "/v1.41/containers/json?all=1"));
	CU_ASSERT(!allowed("GET", "/v1.41/containers/json?filters=%7B%22name%22%3A%5B%22x%22%5D%7D"));
	CU_ASSERT(!allowed("GET", "/v1.41/images/json"));
	CU_ASSERT(!allowed("GET", "/v1.41/images/json?filters=%7B%22reference%22%3A%5B%22busybox%22%5D%7D"));
	CU_ASSERT(!allowed("GET", "/v1.41/system/df"));
	CU_ASSERT(!allowed("POST", "/v1.41/images/create?fromImage=busybox&tag=latest"));
	CU_ASSERT(!allowed("POST", "/v1.41/images/create?fromImage=" REPO));
	CU_ASSERT(!allowed("POST", "/v1.41/images/create?fromSrc=-&repo=" REPO "&tag=1"));
	CU_ASSERT(!allowed("DELETE", "/v1.41/images/" REPO "@" DIGEST "?force=true"));
	CU_ASSERT(!allowed("DELETE", "/v1.41/images/" DIGEST));
	CU_ASSERT(!allowed("DELETE", "/v1.41/images/busybox:latest"));
	CU_ASSERT(!allowed("GET", "/v1.41/images/" REPO "-other:1/json"));
	CU_ASSERT(!allowed("GET", "/v1.41/events"));
	CU_ASSERT(!allowed("GET", "/v1.41/events?filters=%7B%22container%22%3A%5B%22dreichor-runtime-prod%22%5D%7D"));
	CU_ASSERT(!allowed("GET", "/v1.41/events?filters=%7B%22container%22%3A%5B%22dreichor-runtime-dev%22%2C%22x%22%5D%7D"));
	CU_ASSERT(!allowed("POST", "/v1.41/build"));
	CU_ASSERT(!allowed("POST", "/v1.41/volumes/create"));
	CU_ASSERT(!allowed("GET", "/v1.41/containers/dreichor-runtime-dev/json?size=1&x=1"));
	CU_ASSERT(strstr(d.reason, "x") != NULL);
}

static void test_path_tricks_refused(void)
{
	CU_ASSERT(!allowed("GET", "/v1.41/containers/dreichor-runtime-dev/../dreichor-runtime-prod/json"));
	CU_ASSERT(strstr(d.reason, "..") != NULL);
	CU_ASSERT(!allowed("GET", "/v1.41/containers/dreichor-runtime-dev/%2e%2e/dreichor-runtime-prod/json"));
	CU_ASSERT(!allowed("GET", "/v1.41//containers/dreichor-runtime-dev/json"));
	CU_ASSERT(strstr(d.reason, "empty segment") != NULL);
	CU_ASSERT(!allowed("GET", "/v1.41/containers/dreichor-runtime-dev/json/"));
	CU_ASSERT(!allowed("GET", "/v1.41/containers/./dreichor-runtime-dev/json"));
	CU_ASSERT(!allowed("GET", "/v1.41/containers/dreichor-runtime-dev%2F..%2Fdreichor-runtime-prod/json"));
	CU_ASSERT(!allowed("GET", "/v1.41/containers/dreichor-runtime-dev%00/json"));
	CU_ASSERT(!allowed("GET", "/v1.41/containers/dreichor-runtime-dev%zz/json"));
	CU_ASSERT(!allowed("GET", "/v1.41/containers/dreichor-runtime-dev%2/json"));
	CU_ASSERT(!allowed("GET", "/v1.41/containers/dreichor%2Druntime%2Ddev%20/json"));
	CU_ASSERT(!allowed("GET", "/vX/containers/dreichor-runtime-dev/json"));
	CU_ASSERT(!allowed("GET", "/v1.41"));
	CU_ASSERT(!allowed_with("POST", "/v1.41/containers/create?name=dreichor-runtime-dev&name=dreichor-runtime-prod", 1,
				"application/json", NULL));
	CU_ASSERT(strstr(d.reason, "twice") != NULL);
	CU_ASSERT(!allowed("POST", "/v1.41/containers/create?name=dreichor-runtime-dev;name=x"));
	CU_ASSERT(!allowed("POST", "/v1.41/containers/create?name=dreichor-runtime-dev&&"));
	/* Encoded and plain spellings of one allowed call become one target. */
	CU_ASSERT(allowed("GET", "/v1.41/containers/dreichor%2druntime%2Ddev/json"));
	CU_ASSERT_STRING_EQUAL(d.target, "/v1.41/containers/dreichor-runtime-dev/json");
	CU_ASSERT(allowed_with("POST", "/v1.43/containers/create?na%6De=dreichor-runtime-dev", 1, "application/json", NULL));
	CU_ASSERT_STRING_EQUAL(d.target, "/v1.41/containers/create?name=dreichor-runtime-dev");
}

/* One API version reaches the engine; a call naming none, or one below 1.24, is refused. */
static void test_versions(void)
{
	CU_ASSERT(!allowed("GET", "/_ping"));
	CU_ASSERT(strstr(d.reason, "API version") != NULL);
	CU_ASSERT(!allowed("GET", "/containers/dreichor-runtime-dev/json"));
	CU_ASSERT(!allowed("POST", "/v1.23/containers/dreichor-runtime-dev/start"));
	CU_ASSERT(strstr(d.reason, "below 1.24") != NULL);
	CU_ASSERT(!allowed("GET", "/v1.12/_ping"));
	CU_ASSERT(!allowed("GET", "/v1/_ping"));
	CU_ASSERT(!allowed("GET", "/v2.0/_ping"));
	CU_ASSERT(!allowed("GET", "/v1.4a/_ping"));
	CU_ASSERT(!allowed("GET", "/v1.-1/_ping"));
	CU_ASSERT(!allowed("GET", "/v1.24.1/_ping"));
	CU_ASSERT(allowed("POST", "/v1.24/containers/dreichor-runtime-dev/start"));
	CU_ASSERT_STRING_EQUAL(d.target, "/v" DR_GATE_API_VERSION "/containers/dreichor-runtime-dev/start");
	CU_ASSERT(d.answer == DR_GATE_START_CHECKED);
	CU_ASSERT(allowed("GET", "/v1.099/version"));
	CU_ASSERT_STRING_EQUAL(d.target, "/v" DR_GATE_API_VERSION "/version");
}

/* Only a create carries a body, and only as JSON; credentials only where a registry is asked. */
static void test_framing(void)
{
	const char *pull = "/v1.41/images/create?fromImage=127.0.0.1%3A5000%2Fdreichor%2Fruntime&tag=1";
	const char *create = "/v1.41/containers/create?name=dreichor-runtime-dev";

	CU_ASSERT(!allowed_with("POST", "/v1.41/containers/dreichor-runtime-dev/start", 1, "application/json", NULL));
	CU_ASSERT(strstr(d.reason, "only a create carries a body") != NULL);
	CU_ASSERT(!allowed_with("POST", "/v1.41/containers/dreichor-runtime-dev/start", 0, "application/json", NULL));
	CU_ASSERT(!allowed_with("POST", pull, 1, "application/x-www-form-urlencoded", NULL));
	CU_ASSERT(!allowed_with("POST", pull, 0, "application/x-www-form-urlencoded", NULL));
	CU_ASSERT(!allowed_with("POST", pull, 1, NULL, NULL));
	CU_ASSERT(!allowed_with("GET", "/v1.41/_ping", 1, NULL, NULL));
	CU_ASSERT(!allowed_with("POST", create, 0, "application/json", NULL));
	CU_ASSERT(!allowed_with("POST", create, 1, NULL, NULL));
	CU_ASSERT(!allowed_with("POST", create, 1, "application/x-www-form-urlencoded", NULL));
	CU_ASSERT(!allowed_with("POST", create, 1, "application/jsonx", NULL));
	CU_ASSERT(allowed_with("POST", create, 1, "application/json; charset=utf-8", NULL));
	/* {"username":"u","password":"p"} */
	CU_ASSERT(allowed_with("POST", pull, 0, NULL, "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InAifQ=="));
	CU_ASSERT_STRING_EQUAL(d.registry_auth, "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InAifQ==");
	/* {"username":"u", "password" : "p"}: written anew without the spaces */
	CU_ASSERT(allowed_with("POST", pull, 0, NULL, "eyJ1c2VybmFtZSI6InUiLCAicGFzc3dvcmQiIDogInAifQ=="));
	CU_ASSERT_STRING_EQUAL(d.registry_auth, "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InAifQ==");
	/* {"username":"u","Username":"v"}, {"username\u0000":"u"}, {"x":"y"}, {"username":1}, not base64 */
	CU_ASSERT(!allowed_with("POST", pull, 0, NULL, "eyJ1c2VybmFtZSI6InUiLCJVc2VybmFtZSI6InYifQ=="));
	CU_ASSERT(!allowed_with("POST", pull, 0, NULL, "eyJ1c2VybmFtZVx1MDAwMCI6InUifQ=="));
	CU_ASSERT(!allowed_with("POST", pull, 0, NULL, "eyJ4IjoieSJ9"));
	CU_ASSERT(!allowed_with("POST", pull, 0, NULL, "eyJ1c2VybmFtZSI6MX0="));
	CU_ASSERT(!allowed_with("POST", pull, 0, NULL, "not base64!"));
	CU_ASSERT(!allowed_with("GET", "/v1.41/containers/dreichor-runtime-dev/json", 0, NULL, "eyJ4IjoieSJ9"));
	CU_ASSERT(strstr(d.reason, "X-Registry-Auth") != NULL);
	CU_ASSERT(allowed_with("GET", "/v1.41/distribution/" REPO ":1/json", 0, NULL, "e30="));
	CU_ASSERT_STRING_EQUAL(d.registry_auth, "e30=");
}

/* Filters are decoded under the engine's rules and written anew. */
static void test_filters(void)
{
	CU_ASSERT(allowed("GET", "/v1.41/events?filters=%7B%20%22container%22%20%3A%20%5B%22dreichor-runtime-dev%22%5D%20%7D"));
	CU_ASSERT_STRING_EQUAL(d.target, "/v1.41/events?filters=%7B%22container%22%3A%5B%22dreichor-runtime-dev%22%5D%7D");
	/* {"container\u0000":["dreichor-runtime-dev"]}: the engine would see no filter at all */
	CU_ASSERT(!allowed("GET", "/v1.41/events?filters=%7B%22container%5Cu0000%22%3A%5B%22dreichor-runtime-dev%22%5D%7D"));
	/* {"containe\u0072":[...]}, {"Container":[...]}, twice in two cases */
	CU_ASSERT(!allowed("GET", "/v1.41/events?filters=%7B%22containe%5Cu0072%22%3A%5B%22dreichor-runtime-dev%22%5D%7D"));
	CU_ASSERT(!allowed("GET", "/v1.41/events?filters=%7B%22Container%22%3A%5B%22dreichor-runtime-dev%22%5D%7D"));
	CU_ASSERT(!allowed("GET", "/v1.41/events?filters=%7B%22container%22%3A%5B%22dreichor-runtime-dev%22%5D%2C%22CONTAINER%22%3A%5B%22x%22%5D%7D"));
	/* {"container":{"dreichor-runtime-dev":true}}: the older form is not passed */
	CU_ASSERT(!allowed("GET", "/v1.41/events?filters=%7B%22container%22%3A%7B%22dreichor-runtime-dev%22%3Atrue%7D%7D"));
	/* a value with an escaped NUL */
	CU_ASSERT(!allowed("GET", "/v1.41/events?filters=%7B%22container%22%3A%5B%22dreichor-runtime-dev%5Cu0000%22%5D%7D"));
}

#define BINDS "\"Binds\":[\"/opt/dreichor/dev/volumes/audit-events:/var/lib/dreichor/audit-events\"," \
	      "\"/opt/dreichor/dev/volumes/snapshots:/var/lib/dreichor/snapshots\"]"
#define HOST "\"HostConfig\":{" BINDS ",\"RestartPolicy\":{\"Name\":\"unless-stopped\"},\"NetworkMode\":\"none\"}"
#define IMAGE "\"Image\":\"" REPO "@" DIGEST "\""
/* A runtime environment for dev that passes the runtime env rules, as items of Env. */
#define RUNTIME_ENV "\"RUNTIME_INSTANCE_ID=dreichor-dev-01\",\"LOGICAL_TIME_SOURCE=monotonic\",\"EXECUTION_PLANE=paper\"," \
	"\"EXCHANGE_PROVIDER=paper_exchange\",\"SAFETY_MODE=strict\",\"PERSISTENCE_MODE=filesystem\"," \
	"\"SNAPSHOT_STRATEGY=every_100_events\",\"ENABLE_AUDIT_LOGGING=true\"," \
	"\"DATABASE_URL=postgres://u:p@db/dreichor_dev\",\"ENVIRONMENT=dev\""
#define ENV "\"Env\":[\"LOG_LEVEL=info\"," RUNTIME_ENV "]"

/* Check body; on success *sent holds what the gate would send. */
static int body_check(const char *body, size_t len, struct dr_buf *sent)
{
	dr_buf_reset(sent);
	return dr_gate_check_create_body(&cfg, body, len, &d, sent);
}

static int body_ok(const char *body)
{
	struct dr_buf sent;
	int rc;

	dr_buf_init(&sent, DR_GATE_BODY_MAX + 1024);
	rc = body_check(body, strlen(body), &sent);
	dr_buf_free(&sent);
	return rc == 0;
}

static void test_create_body(void)
{
	struct dr_buf sent;

	CU_ASSERT(body_ok("{" IMAGE "," ENV ",\"Labels\":{\"dreichor.image\":\"y\"}," HOST "}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"Env\":[\"A=b\"," RUNTIME_ENV "]," HOST "}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"Env\":[\"LOG_LEVEL=info\",\"ENVIRONMENT=prod\"]," HOST "}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"Env\":[\"LOG_LEVEL=info\",\"LOG_LEVEL=debug\"," RUNTIME_ENV "]," HOST "}"));
	/* The runtime's rules, as the agent applies them: a compromised agent gets no other plane or database. */
	CU_ASSERT(!body_ok("{" IMAGE "," HOST "}"));
	CU_ASSERT(strstr(d.reason, "Env") != NULL);
	CU_ASSERT(!body_ok("{" IMAGE ",\"Env\":[\"ENVIRONMENT=dev\"]," HOST "}"));
	CU_ASSERT(strstr(d.reason, "required runtime variable missing") != NULL);
	CU_ASSERT(!body_ok("{" IMAGE ",\"Env\":[\"LOG_LEVEL=info\"," RUNTIME_ENV "]," HOST "}" "x"));
	{
		static char live[2048];
		snprintf(live, sizeof live, "{" IMAGE "," ENV "," HOST "}");
		memcpy(strstr(live, "EXECUTION_PLANE=paper"), "EXECUTION_PLANE=livex", 21);
		CU_ASSERT(!body_ok(live));
		CU_ASSERT(strstr(d.reason, "EXECUTION_PLANE") != NULL);
		snprintf(live, sizeof live, "{" IMAGE "," ENV "," HOST "}");
		memcpy(strstr(live, "dreichor_dev"), "dreichor_pro", 12);
		CU_ASSERT(!body_ok(live));
		CU_ASSERT(strstr(d.reason, "DATABASE_URL") != NULL);
	}
	CU_ASSERT(!body_ok("{" IMAGE ",\"Labels\":{\"x\":\"y\"}," HOST "}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"Labels\":{\"dreichor.environment\":\"prod\"}," HOST "}"));
	CU_ASSERT(!body_ok("{\"Image\":\"busybox@" DIGEST "\"," HOST "}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO ":latest\"," HOST "}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"HostConfig\":{" BINDS ",\"RestartPolicy\":{\"Name\":\"always\"},\"NetworkMode\":\"none\"}}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"HostConfig\":{" BINDS ",\"RestartPolicy\":{\"Name\":\"unless-stopped\"}}}"));
	CU_ASSERT(strstr(d.reason, "NetworkMode") != NULL);
	CU_ASSERT(!body_ok("{" IMAGE ",\"HostConfig\":{" BINDS ",\"Privileged\":true}}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"HostConfig\":{" BINDS ",\"privileged\":true}}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"HostConfig\":{" BINDS ",\"CapAdd\":[\"ALL\"]}}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"HostConfig\":{" BINDS ",\"NetworkMode\":\"host\"}}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"HostConfig\":{\"Binds\":[\"/:/host\"]}}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"HostConfig\":{\"Binds\":["
			   "\"/opt/dreichor/dev/volumes/audit-events:/var/lib/dreichor/audit-events\","
			   "\"/opt/dreichor/dev/volumes/audit-events:/var/lib/dreichor/audit-events\"]}}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"HostConfig\":{\"Binds\":["
			   "\"/opt/dreichor/prod/volumes/audit-events:/var/lib/dreichor/audit-events\","
			   "\"/opt/dreichor/dev/volumes/snapshots:/var/lib/dreichor/snapshots\"]}}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"Cmd\":[\"sh\"]," HOST "}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"Image\":\"busybox\"," HOST "}"));
	CU_ASSERT(!body_ok("{" IMAGE "}"));
	CU_ASSERT(!body_ok("{" IMAGE ",\"Env\":\"A=b\"," HOST "}"));
	CU_ASSERT(!body_ok("[]"));
	CU_ASSERT(!body_ok("{"));
	dr_buf_init(&sent, DR_GATE_BODY_MAX + 1024);
	{ /* The body is len bytes, not a string: what follows it in the buffer is not read. */
		char buf[2048];
		int n = snprintf(buf, sizeof buf, "{" IMAGE "," ENV "," HOST "}");
		memcpy(buf + n, ",\"Privileged\":true}", 20);
		CU_ASSERT_EQUAL(body_check(buf, (size_t)n, &sent), 0);
		CU_ASSERT_EQUAL(body_check(buf, (size_t)n - 1, &sent), -1);
	}
	dr_buf_free(&sent);
}

/* The spellings the engine reads differently from json-c: each refused. */
static void test_create_body_differentials(void)
{
	static const char *const hostile[] = {
		/* 1. a name with an escaped NUL: json-c cuts it and keeps the last, Go ignores it */
		"{" IMAGE ",\"HostConfig\":{\"Binds\":[\"/:/host\"]},\"HostConfig\\u0000\":{" BINDS "}}",
		/* 2. a second HostConfig spelled with an escape: Go merges both */
		"{" IMAGE "," HOST ",\"HostConfi\\u0067\":{\"Privileged\":true}}",
		/* the same name in another case: Go matches names in any case */
		"{" IMAGE "," HOST ",\"hostconfig\":{\"Privileged\":true}}",
		"{" IMAGE ",\"HOSTCONFIG\":{\"Privileged\":true}," HOST "}",
		/* a non-ASCII letter Go folds onto an ASCII one (U+017F, U+212A) */
		"{" IMAGE "," HOST ",\"Ho\xc5\xbftConfig\":{\"Privileged\":true}}",
		"{" IMAGE "," HOST ",\"\\u017ftdin\":true}",
		/* an escaped key inside HostConfig, twice at depth */
		"{" IMAGE ",\"HostConfig\":{" BINDS ",\"Bind\\u0073\":[\"/:/host\"],\"RestartPolicy\":{\"Name\":\"unless-stopped\"},\"NetworkMode\":\"none\"}}",
		"{" IMAGE ",\"HostConfig\":{" BINDS ",\"binds\":[\"/:/host\"],\"RestartPolicy\":{\"Name\":\"unless-stopped\"},\"NetworkMode\":\"none\"}}",
		/* strings with control characters, NUL, DEL, lone surrogates */
		"{" IMAGE ",\"Env\":[\"LOG_LEVEL=a\\u0000b\"]," HOST "}",
		"{" IMAGE ",\"Env\":[\"LOG_LEVEL=a\\nb\"]," HOST "}",
		"{" IMAGE ",\"Env\":[\"LOG_LEVEL=a\x7f\"]," HOST "}",
		"{" IMAGE ",\"Env\":[\"LOG_LEVEL=\\ud800\"]," HOST "}",
		"{" IMAGE ",\"Env\":[\"LOG_LEVEL=\\udc00\\ud800\"]," HOST "}",
		"{\"Image\":\"" REPO "@" DIGEST "\\u0000\"," HOST "}",
		/* numbers and other types where strings belong */
		"{" IMAGE ",\"HostConfig\":{\"Binds\":[1,2],\"RestartPolicy\":{\"Name\":\"unless-stopped\"},\"NetworkMode\":\"none\"}}",
		"{" IMAGE ",\"HostConfig\":{" BINDS ",\"RestartPolicy\":{\"Name\":\"unless-stopped\",\"MaximumRetryCount\":1e999},\"NetworkMode\":\"none\"}}",
		/* deep nesting */
		"{" IMAGE "," HOST ",\"Labels\":{\"dreichor.image\":[[[[[[[[\"x\"]]]]]]]]}}",
	};
	size_t i;

	for (i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		int ok = body_ok(hostile[i]);
		if (ok)
			fprintf(stderr, "allowed: %s\n", hostile[i]);
		CU_ASSERT(!ok);
	}
}

/* The agent's own create body passes, and what the gate sends is written from what it checked:
 * the same bytes again when the gate reads its own output (a fixed point). */
static void test_agent_body_through_gate(void)
{
	struct dr_container_spec spec = { 0 };
	struct dr_error err = { 0 };
	struct dr_buf agent, sent, again;

	static const char *const values[DR_RUNTIME_VARS] = {
		"dreichor-dev-01", "monotonic", "paper", "paper_exchange", "strict", "filesystem", "every_100_events", "true",
		"postgres://u:p%22w@db/dreichor_dev", "info",
	};
	int i;

	spec.image = REPO "@" DIGEST;
	for (i = 0; i < DR_RUNTIME_VARS; i++) {
		spec.env_names[i] = dr_runtime_var_names[i];
		spec.env_values[i] = values[i];
	}
	spec.env_names[i] = "ENVIRONMENT";
	spec.env_values[i] = "dev";
	spec.env_count = i + 1;
	spec.bind_hosts[0] = "/opt/dreichor/dev/volumes/audit-events";
	spec.bind_hosts[1] = "/opt/dreichor/dev/volumes/snapshots";
	spec.network = "none";
	spec.labels[DR_CONTAINER_LABEL_ENVIRONMENT] = "dev";
	spec.labels[DR_CONTAINER_LABEL_IMAGE] = REPO ":1.2.3";
	spec.labels[DR_CONTAINER_LABEL_IMAGE_DIGEST] = DIGEST;
	spec.labels[DR_CONTAINER_LABEL_REQUEST_ID] = "r-1";
	dr_buf_init(&agent, DR_CONTAINER_BODY_MAX);
	dr_buf_init(&sent, DR_GATE_BODY_MAX + 1024);
	dr_buf_init(&again, DR_GATE_BODY_MAX + 1024);
	CU_ASSERT_EQUAL_FATAL(dr_docker_json_create_body(&spec, &agent, &err), 0);
	CU_ASSERT_EQUAL_FATAL(body_check(agent.data, agent.len, &sent), 0);
	CU_ASSERT_STRING_EQUAL(dr_buf_str(&sent), dr_buf_str(&agent));
	CU_ASSERT_STRING_EQUAL(d.image, REPO "@" DIGEST);
	/* Another spelling of the same object: written as the agent writes it. */
	{
		static const char other[] = "{ \"HostConfig\" : {\"NetworkMode\":\"none\",\"RestartPolicy\":{\"Name\":\"unle\\u0073s-stopped\"},"
					    "\"Binds\":[\"/opt/dreichor/dev/volumes/snapshots:/var/lib/dreichor/snapshots\","
					    "\"/opt/dreichor/dev/volumes/audit-events:/var/lib/dreichor/audit-events\"]}, " ENV ","
					    "\"Image\":\"" REPO "@" DIGEST "\", \"Labels\" : { } }";
		CU_ASSERT_EQUAL(body_check(other, strlen(other), &sent), 0);
		CU_ASSERT_STRING_EQUAL(dr_buf_str(&sent), "{" IMAGE "," ENV ",\"Labels\":{}," HOST "}");
	}
	CU_ASSERT_EQUAL(body_check(sent.data, sent.len, &again), 0);
	CU_ASSERT_STRING_EQUAL(dr_buf_str(&again), dr_buf_str(&sent));
	dr_buf_free(&agent);
	dr_buf_free(&sent);
	dr_buf_free(&again);
}

/* text with the member at path ("HostConfig.Privileged") set to the JSON value; the caller frees. */
static char *edit_member(const char *text, const char *path, const char *value)
{
	json_object *root = json_tokener_parse(text), *parent = root;
	char key[64], *out;
	const char *p = path, *dot;

	while ((dot = strchr(p, '.'))) {
		snprintf(key, sizeof key, "%.*s", (int)(dot - p), p);
		json_object_object_get_ex(parent, key, &parent);
		p = dot + 1;
	}
	json_object_object_add(parent, p, json_tokener_parse(value));
	out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return out;
}

#define RECORDED_REPO "127.0.0.1:5000/ceerkle/dreichor-trading/runtime"
static const struct dr_gate_config recorded_cfg = {
	.environment = "dev",
	.container_name = "dreichor-runtime-dev",
	.repository = RECORDED_REPO,
	.binds = { "/opt/dreichor/dev/volumes/audit-events:/var/lib/dreichor/audit-events",
		   "/opt/dreichor/dev/volumes/snapshots:/var/lib/dreichor/snapshots" },
	.network = "none",
	.allowed_plane = "paper",
};

/* A recorded inspect of what the engine made (t/data/docker/created-dev.json, docker.io 20.10),
 * edited one privilege at a time: each difference is named. */
static void test_created_compare(void)
{
	static const struct { const char *path, *value, *named; } edits[] = {
		{ "Name", "\"/dreichor-runtime-prod\"", "name" },
		{ "Config.Image", "\"busybox@" DIGEST "\"", "Config.Image" },
		{ "HostConfig.Privileged", "true", "Privileged" },
		{ "HostConfig.CapAdd", "[\"ALL\"]", "CapAdd" },
		{ "HostConfig.PidMode", "\"host\"", "PidMode" },
		{ "HostConfig.IpcMode", "\"host\"", "IpcMode" },
		{ "HostConfig.UsernsMode", "\"host\"", "UsernsMode" },
		{ "HostConfig.UTSMode", "\"host\"", "UTSMode" },
		{ "HostConfig.SecurityOpt", "[\"seccomp=unconfined\"]", "SecurityOpt" },
		{ "HostConfig.NetworkMode", "\"host\"", "NetworkMode" },
		{ "HostConfig.VolumesFrom", "[\"dreichor-runtime-prod\"]", "VolumesFrom" },
		{ "HostConfig.Devices", "[{\"PathOnHost\":\"/dev/sda\"}]", "Devices" },
		{ "HostConfig.Mounts", "[{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/host\"}]", "HostConfig.Mounts" },
		{ "HostConfig.Binds", "[\"/:/host\"]", "Binds" },
		{ "Mounts", "[{\"Type\":\"bind\",\"Source\":\"/\",\"Destination\":\"/host\"}]", "Mounts" },
		{ "Mounts", "[{\"Type\":\"volume\",\"Name\":\"prod-data\",\"Destination\":\"/x\"}]", "Mounts" },
		{ "Mounts", "[{\"Type\":\"volume\",\"Name\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
			    "\"Driver\":\"evil\",\"Destination\":\"/x\"}]", "Mounts" },
		{ "HostConfig.MaskedPaths", "[]", "MaskedPaths" },
		{ "HostConfig.ReadonlyPaths", "[\"/proc/bus\"]", "ReadonlyPaths" },
		{ "HostConfig.GroupAdd", "[\"0\"]", "GroupAdd" },
		{ "HostConfig.Sysctls", "{\"kernel.x\":\"1\"}", "Sysctls" },
		{ "HostConfig.Tmpfs", "{\"/x\":\"\"}", "Tmpfs" },
		{ "HostConfig.OomScoreAdj", "-1000", "OomScoreAdj" },
		{ "HostConfig.Runtime", "\"other\"", "Runtime" },
		{ "HostConfig.PortBindings", "{\"80/tcp\":[{\"HostPort\":\"80\"}]}", "PortBindings" },
	};
	char *text = unit_recorded("created-dev.json", NULL), *edited, reason[DR_GATE_REASON_MAX];
	const char *image = RECORDED_REPO "@" DIGEST;
	const struct dr_gate_config *rcfg = &recorded_cfg;
	size_t i;

	CU_ASSERT_EQUAL(dr_gate_check_created(rcfg, image, text, strlen(text), reason, sizeof reason), 0);
	CU_ASSERT_EQUAL(dr_gate_check_created(rcfg, NULL, text, strlen(text), reason, sizeof reason), 0);
	CU_ASSERT_EQUAL(dr_gate_check_created(rcfg, RECORDED_REPO "@sha256:1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
					      text, strlen(text), reason, sizeof reason), -1);
	for (i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		edited = edit_member(text, edits[i].path, edits[i].value);
		CU_ASSERT_EQUAL(dr_gate_check_created(rcfg, image, edited, strlen(edited), reason, sizeof reason), -1);
		if (!strstr(reason, edits[i].named))
			fprintf(stderr, "edit of %s: reason '%s'\n", edits[i].path, reason);
		CU_ASSERT_PTR_NOT_NULL(strstr(reason, edits[i].named));
		free(edited);
	}
	CU_ASSERT_EQUAL(dr_gate_check_created(rcfg, image, "[]", 2, reason, sizeof reason), -1);
	free(text);
}

static void test_config_check(void)
{
	struct dr_gate_config c = cfg;
	char reason[DR_GATE_REASON_MAX];

	CU_ASSERT_EQUAL(dr_gate_config_check(&c, reason, sizeof reason), 0);
	c.container_name = "abc123";
	CU_ASSERT_EQUAL(dr_gate_config_check(&c, reason, sizeof reason), -1);
	c.container_name = "a/b";
	CU_ASSERT_EQUAL(dr_gate_config_check(&c, reason, sizeof reason), -1);
	c = cfg;
	c.repository = "127.0.0.1:5000/deadbeef"; /* read by the engine as an image id prefix */
	CU_ASSERT_EQUAL(dr_gate_config_check(&c, reason, sizeof reason), -1);
	c.repository = "runtime";
	CU_ASSERT_EQUAL(dr_gate_config_check(&c, reason, sizeof reason), -1);
	c = cfg;
	c.allowed_plane = "live";
	CU_ASSERT_EQUAL(dr_gate_config_check(&c, reason, sizeof reason), -1);
}

static void test_response_framing(void)
{
	struct dr_gate_response r;
	const char *h1 = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nApi-Version: 1.41\r\n\r\n";
	const char *h2 = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";

	CU_ASSERT_EQUAL(dr_gate_response_parse(h1, strlen(h1), &r), 0);
	CU_ASSERT_EQUAL(r.content_length, 12);
	CU_ASSERT(!r.chunked && !r.close);
	CU_ASSERT_EQUAL(dr_gate_response_parse(h2, strlen(h2), &r), 0);
	CU_ASSERT(r.chunked && r.close);
	CU_ASSERT_EQUAL(dr_gate_response_parse("garbage\r\n\r\n", 11, &r), -1);
	CU_ASSERT(!dr_gate_response_has_body("HEAD", 200));
	CU_ASSERT(!dr_gate_response_has_body("POST", 204));
}

static char *cut(enum dr_gate_answer answer, const char *body)
{
	return dr_gate_answer_cut(&cfg, answer, body, strlen(body));
}

static void test_cut_answers(void)
{
	char *s;

	s = cut(DR_GATE_IMAGE_IDS, "[{\"Id\":\"c1\",\"Names\":[\"/dreichor-runtime-prod\"],\"ImageID\":\"" DIGEST "\",\"Labels\":{\"a\":\"b\"}}]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(strstr(s, "ImageID") && !strstr(s, "prod") && !strstr(s, "Labels"));
	free(s);
	s = cut(DR_GATE_DATA_ROOT, "{\"DockerRootDir\":\"/var/lib/docker\",\"Name\":\"host\"}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(strstr(s, "/var/lib/docker") && !strstr(s, "host\""));
	free(s);
	s = cut(DR_GATE_REPO_IMAGE, "{\"RepoTags\":[\"busybox:latest\"],\"Config\":{}}");
	CU_ASSERT_PTR_NULL(s);
	s = cut(DR_GATE_REPO_IMAGE, "{\"RepoDigests\":[\"" REPO "@" DIGEST "\"]}");
	CU_ASSERT_PTR_NOT_NULL(s);
	free(s);
	CU_ASSERT_PTR_NULL(cut(DR_GATE_DATA_ROOT, "not json"));
	/* A tag has no '/': REPO:5000/x is another repository. */
	CU_ASSERT_PTR_NULL(cut(DR_GATE_REPO_IMAGE, "{\"RepoTags\":[\"" REPO ":5000/x:1\"]}"));
	s = cut(DR_GATE_REPO_IMAGE, "{\"RepoTags\":[\"" REPO ":1.2\"]}");
	CU_ASSERT_PTR_NOT_NULL(s);
	free(s);
}

/* The engine's container filter passes names that begin with the container's: the gate keeps exact ones. */
static void test_events_exact(void)
{
	static const char ours[] = "{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"c1\","
				   "\"Attributes\":{\"name\":\"dreichor-runtime-dev\",\"exitCode\":\"3\"}}}\n";
	static const char longer[] = "{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"c2\","
				     "\"Attributes\":{\"name\":\"dreichor-runtime-dev-other\",\"secret\":\"x\"}}}\n";

	CU_ASSERT(dr_gate_event_ours(&cfg, ours, strlen(ours)));
	CU_ASSERT(!dr_gate_event_ours(&cfg, longer, strlen(longer)));
	CU_ASSERT(!dr_gate_event_ours(&cfg, "{}", 2));
	CU_ASSERT(!dr_gate_event_ours(&cfg, ours, 20));
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "the agent's calls are allowed", test_agent_calls_allowed },
		{ "other calls are refused", test_other_calls_refused },
		{ "path tricks are refused, spellings normalised", test_path_tricks_refused },
		{ "one API version, at least 1.24", test_versions },
		{ "only a create carries a body; credentials written anew", test_framing },
		{ "filters decoded as the engine does and written anew", test_filters },
		{ "the create body allow-list", test_create_body },
		{ "create bodies the engine reads differently: refused", test_create_body_differentials },
		{ "the agent's create body through the gate, a fixed point", test_agent_body_through_gate },
		{ "what the engine made, compared with what was checked", test_created_compare },
		{ "the gate's configuration", test_config_check },
		{ "response framing", test_response_framing },
		{ "cut-down answers", test_cut_answers },
		{ "events of exactly this container", test_events_exact },
		{ NULL, NULL },
	};

	return unit_run("gate", cases);
}
