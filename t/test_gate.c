/* test_gate.c: the Docker gate's allow-list, its path normalisation, the
 * create body check, response framing and the cut-down answers. */

#include <stdlib.h>
#include <string.h>

#include "gate_check.h"
#include "gate_relay.h"
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
};

static struct dr_gate_decision d;

static int allowed(const char *method, const char *target)
{
	return dr_gate_check(&cfg, method, target, &d) == 0 && d.allowed;
}

static void test_agent_calls_allowed(void)
{
	CU_ASSERT(allowed("GET", "/_ping"));
	CU_ASSERT(allowed("HEAD", "/_ping"));
	CU_ASSERT(allowed("GET", "/v1.41/version"));
	CU_ASSERT(allowed("GET", "/v1.41/containers/dreichor-runtime-dev/json"));
	CU_ASSERT(allowed("POST", "/v1.41/containers/dreichor-runtime-dev/stop?t=2"));
	CU_ASSERT(allowed("POST", "/v1.41/containers/dreichor-runtime-dev/start"));
	CU_ASSERT(allowed("POST", "/v1.41/containers/dreichor-runtime-dev/wait?condition=next-exit"));
	CU_ASSERT(allowed("GET", "/v1.41/containers/dreichor-runtime-dev/logs?stdout=true&stderr=true&tail=20"));
	CU_ASSERT(allowed("DELETE", "/v1.41/containers/dreichor-runtime-dev?force=true"));
	CU_ASSERT(allowed("POST", "/v1.41/containers/create?name=dreichor-runtime-dev"));
	CU_ASSERT(d.checks_body);
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
	CU_ASSERT(!allowed("POST", "/v1.41/containers/create?name=dreichor-runtime-dev&name=dreichor-runtime-prod"));
	CU_ASSERT(strstr(d.reason, "twice") != NULL);
	CU_ASSERT(!allowed("POST", "/v1.41/containers/create?name=dreichor-runtime-dev;name=x"));
	CU_ASSERT(!allowed("POST", "/v1.41/containers/create?name=dreichor-runtime-dev&&"));
	/* Encoded and plain spellings of one allowed call become one target. */
	CU_ASSERT(allowed("GET", "/v1.41/containers/dreichor%2druntime%2Ddev/json"));
	CU_ASSERT_STRING_EQUAL(d.target, "/v1.41/containers/dreichor-runtime-dev/json");
	CU_ASSERT(allowed("POST", "/containers/create?na%6De=dreichor-runtime-dev"));
	CU_ASSERT_STRING_EQUAL(d.target, "/containers/create?name=dreichor-runtime-dev");
}

static int body_ok(const char *body)
{
	char reason[DR_GATE_REASON_MAX];

	return dr_gate_check_create_body(&cfg, body, strlen(body), reason, sizeof reason) == 0;
}

#define BINDS "\"Binds\":[\"/opt/dreichor/dev/volumes/audit-events:/var/lib/dreichor/audit-events\"," \
	      "\"/opt/dreichor/dev/volumes/snapshots:/var/lib/dreichor/snapshots\"]"

static void test_create_body(void)
{
	CU_ASSERT(body_ok("{\"Image\":\"" REPO "@" DIGEST "\",\"Env\":[\"A=b\"],\"Labels\":{\"x\":\"y\"},"
			  "\"HostConfig\":{" BINDS ",\"RestartPolicy\":{\"Name\":\"unless-stopped\"},\"NetworkMode\":\"none\"}}"));
	CU_ASSERT(!body_ok("{\"Image\":\"busybox@" DIGEST "\",\"HostConfig\":{" BINDS "}}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO ":latest\",\"HostConfig\":{" BINDS "}}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO "@" DIGEST "\",\"HostConfig\":{" BINDS ",\"Privileged\":true}}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO "@" DIGEST "\",\"HostConfig\":{" BINDS ",\"privileged\":true}}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO "@" DIGEST "\",\"HostConfig\":{" BINDS ",\"CapAdd\":[\"ALL\"]}}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO "@" DIGEST "\",\"HostConfig\":{" BINDS ",\"PidMode\":\"host\"}}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO "@" DIGEST "\",\"HostConfig\":{" BINDS ",\"NetworkMode\":\"host\"}}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO "@" DIGEST "\",\"HostConfig\":{\"Binds\":[\"/:/host\"]}}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO "@" DIGEST "\",\"HostConfig\":{\"Binds\":["
			   "\"/opt/dreichor/dev/volumes/audit-events:/var/lib/dreichor/audit-events\","
			   "\"/opt/dreichor/dev/volumes/audit-events:/var/lib/dreichor/audit-events\"]}}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO "@" DIGEST "\",\"HostConfig\":{\"Binds\":["
			   "\"/opt/dreichor/prod/volumes/audit-events:/var/lib/dreichor/audit-events\","
			   "\"/opt/dreichor/dev/volumes/snapshots:/var/lib/dreichor/snapshots\"]}}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO "@" DIGEST "\",\"Cmd\":[\"sh\"],\"HostConfig\":{" BINDS "}}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO "@" DIGEST "\",\"Image\":\"busybox\",\"HostConfig\":{" BINDS "}}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO "@" DIGEST "\"}"));
	CU_ASSERT(!body_ok("{\"Image\":\"" REPO "@" DIGEST "\",\"Env\":\"A=b\",\"HostConfig\":{" BINDS "}}"));
	CU_ASSERT(!body_ok("[]"));
	{ /* The body is len bytes, not a string: what follows it in the buffer is not read. */
		char reason[DR_GATE_REASON_MAX], buf[512];
		int n = snprintf(buf, sizeof buf, "{\"Image\":\"" REPO "@" DIGEST "\",\"HostConfig\":{" BINDS "}}");
		memcpy(buf + n, ",\"Privileged\":true}", 20);
		CU_ASSERT_EQUAL(dr_gate_check_create_body(&cfg, buf, (size_t)n, reason, sizeof reason), 0);
		CU_ASSERT_EQUAL(dr_gate_check_create_body(&cfg, buf, (size_t)n - 1, reason, sizeof reason), -1);
	}
	CU_ASSERT(!body_ok("{"));
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
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "the agent's calls are allowed", test_agent_calls_allowed },
		{ "other calls are refused", test_other_calls_refused },
		{ "path tricks are refused, spellings normalised", test_path_tricks_refused },
		{ "the create body allow-list", test_create_body },
		{ "the gate's configuration", test_config_check },
		{ "response framing", test_response_framing },
		{ "cut-down answers", test_cut_answers },
		{ NULL, NULL },
	};

	return unit_run("gate", cases);
}
