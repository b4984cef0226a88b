/* test_docker_json.c: the Engine API decoders against answers recorded
 * from a real dockerd (t/data/docker/, made by t/data/docker/record.sh),
 * and the create body they write. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker_json.h"
#include "mask.h"
#include "unit.h"

#define RECORDED_DIGEST "sha256:5925eb8ee6b5469b6892f582941477c49613afffd89204736af682c041c69bd8"
#define REPOSITORY "127.0.0.1:5000/ceerkle/dreichor-trading/runtime"

static char *recorded(const char *name, size_t *len)
{
	return unit_recorded(name, len);
}

static void test_container_healthy(void)
{
	static struct dr_container_state c;
	char *text = recorded("container-healthy.json", NULL);

	CU_ASSERT_EQUAL(dr_docker_json_container(text, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.status, "running");
	CU_ASSERT_TRUE(c.running);
	CU_ASSERT_EQUAL(c.restart_count, 0);
	CU_ASSERT_STRING_EQUAL(c.health, "healthy");
	CU_ASSERT_EQUAL(c.health_log_count, DR_HEALTH_LOG_MAX);
	CU_ASSERT_STRING_EQUAL(c.health_log[DR_HEALTH_LOG_MAX - 1], "ok"); /* trailing newline trimmed */
	CU_ASSERT_STRING_EQUAL(c.label_environment, "dev");
	CU_ASSERT_STRING_EQUAL(c.image, REPOSITORY ":1.0.0");
	CU_ASSERT_EQUAL(strncmp(c.image_id, "sha256:", 7), 0);
	CU_ASSERT_EQUAL(strlen(c.id), 64);
	CU_ASSERT_NOT_EQUAL(c.started_at[0], '\0');
	free(text);
}

static void test_container_unhealthy(void)
{
	static struct dr_container_state c;
	char *text = recorded("container-unhealthy.json", NULL);

	CU_ASSERT_EQUAL(dr_docker_json_container(text, &c), 0);
	CU_ASSERT_TRUE(c.running);
	CU_ASSERT_STRING_EQUAL(c.health, "unhealthy");
	CU_ASSERT_STRING_EQUAL(c.health_log[0], "failing");
	CU_ASSERT_STRING_EQUAL(c.label_environment, "");
	free(text);
}

/* A restarted container shows the last exit in inspect; its restart count is what the grace watch reads. */
static void test_container_restarted(void)
{
	static struct dr_container_state c;
	char *text = recorded("container-restarted.json", NULL);

	CU_ASSERT_EQUAL(dr_docker_json_container(text, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.status, "exited");
	CU_ASSERT_FALSE(c.running);
	CU_ASSERT_EQUAL(c.exit_code, 3);
	CU_ASSERT_EQUAL(c.restart_count, 2);
	CU_ASSERT_STRING_EQUAL(c.health, "");
	CU_ASSERT_EQUAL(c.health_log_count, 0);
	free(text);
}

static void test_container_malformed(void)
{
	static struct dr_container_state c;

	CU_ASSERT_EQUAL(dr_docker_json_container("{\"Id\": ", &c), -1);
	CU_ASSERT_EQUAL(dr_docker_json_container("[1]", &c), -1);
	CU_ASSERT_EQUAL(c.exit_code, -1);
	/* Wrong types are absent values, never crashes. */
	CU_ASSERT_EQUAL(dr_docker_json_container("{\"State\": {\"Status\": 5, \"ExitCode\": \"x\"}, \"RestartCount\": []}", &c), 0);
	CU_ASSERT_STRING_EQUAL(c.status, "unknown");
	CU_ASSERT_EQUAL(c.exit_code, -1);
	CU_ASSERT_EQUAL(c.restart_count, 0);
}

static void test_image_digest(void)
{
	char *text = recorded("image-inspect.json", NULL), digest[DR_DOCKER_DIGEST_MAX];

	CU_ASSERT_EQUAL(dr_docker_json_image_digest(text, REPOSITORY, NULL, digest), 0);
	CU_ASSERT_STRING_EQUAL(digest, RECORDED_DIGEST);
	CU_ASSERT_EQUAL(dr_docker_json_image_digest(text, REPOSITORY "-other", NULL, digest), 0);
	CU_ASSERT_STRING_EQUAL(digest, "");
	free(text);
	/* The wanted digest wins wherever it stands. */
	CU_ASSERT_EQUAL(dr_docker_json_image_digest("{\"RepoDigests\": [\"r@sha256:" "1111111111111111111111111111111111111111111111111111111111111111\", "
						    "\"r@sha256:2222222222222222222222222222222222222222222222222222222222222222\"]}",
						    "r", "sha256:2222222222222222222222222222222222222222222222222222222222222222", digest), 0);
	CU_ASSERT_EQUAL(digest[7], '2');
	CU_ASSERT_EQUAL(dr_docker_json_image_digest("not json", "r", NULL, digest), -1);
}

static void test_distribution_digest(void)
{
	char *text = recorded("distribution.json", NULL), digest[DR_DOCKER_DIGEST_MAX];

	CU_ASSERT_EQUAL(dr_docker_json_distribution_digest(text, digest), 0);
	CU_ASSERT_STRING_EQUAL(digest, RECORDED_DIGEST);
	CU_ASSERT_EQUAL(dr_docker_json_distribution_digest("{\"Descriptor\": {\"digest\": \"sha256:abc\"}}", digest), -1);
	CU_ASSERT_EQUAL(dr_docker_json_distribution_digest("{}", digest), -1);
	free(text);
}

static void test_message_and_created_id(void)
{
	char *text = recorded("not-found.json", NULL), id[DR_DOCKER_ID_MAX];
	struct dr_buf msg;

	dr_buf_init(&msg, 4096);
	CU_ASSERT_EQUAL(dr_docker_json_message(text, &msg), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(dr_buf_str(&msg), "no-such-container"));
	dr_buf_reset(&msg);
	CU_ASSERT_EQUAL(dr_docker_json_message("{}", &msg), -1);
	CU_ASSERT_EQUAL(dr_docker_json_message("{\"message\": 7}", &msg), -1);
	dr_buf_free(&msg);
	free(text);
	text = recorded("create.json", NULL);
	CU_ASSERT_EQUAL(dr_docker_json_created_id(text, id), 0);
	CU_ASSERT_EQUAL(strlen(id), 64);
	CU_ASSERT_EQUAL(dr_docker_json_created_id("{\"Id\": \"\"}", id), -1);
	free(text);
}

/* Feed a recorded stream line by line, as docker.c does. */
static void feed_lines(struct dr_pull_progress *p, char *text)
{
	char *line = text, *nl;

	for (; *line; line = nl + 1) {
		if (!(nl = strchr(line, '\n')))
			nl = line + strlen(line) - 1;
		else
			*nl = '\0';
		dr_docker_json_pull_line(p, line);
	}
}

static void test_pull_progress(void)
{
	static struct dr_pull_progress p;
	char *text = recorded("pull-progress.jsonl", NULL);

	dr_docker_json_pull_init(&p, 65536);
	feed_lines(&p, text);
	CU_ASSERT_FALSE(p.failed);
	CU_ASSERT_STRING_EQUAL(dr_buf_str(&p.error), "");
	CU_ASSERT_EQUAL(p.layers, 1);
	CU_ASSERT_TRUE(p.total_bytes > 3000000);  /* the recorder's 3 MB of random data */
	CU_ASSERT_EQUAL(p.current_bytes, p.total_bytes);
	dr_docker_json_pull_free(&p);
	free(text);
}

static void test_pull_refused(void)
{
	static struct dr_pull_progress p;
	char *text = recorded("pull-unknown-tag.jsonl", NULL);

	dr_docker_json_pull_init(&p, 65536);
	feed_lines(&p, text);
	CU_ASSERT_PTR_NOT_NULL(strstr(dr_buf_str(&p.message), "manifest unknown"));
	dr_docker_json_pull_free(&p);
	free(text);
	dr_docker_json_pull_init(&p, 65536);
	dr_docker_json_pull_line(&p, "{\"error\": \"\"}"); /* an empty error is none */
	CU_ASSERT_FALSE(p.failed);
	dr_docker_json_pull_line(&p, "{\"errorDetail\": {\"message\": \"no space left on device\"}, \"error\": \"x\"}");
	dr_docker_json_pull_line(&p, "{\"error\": \"a later error\"}");
	CU_ASSERT_TRUE(p.failed);
	CU_ASSERT_STRING_EQUAL(dr_buf_str(&p.error), "no space left on device");
	dr_docker_json_pull_free(&p);
	dr_docker_json_pull_init(&p, 16);
	dr_docker_json_pull_line(&p, "{\"error\": \"longer than the sixteen bytes kept\"}");
	CU_ASSERT_TRUE(p.failed); /* an error that could not be kept is still an error */
	dr_docker_json_pull_free(&p);
	dr_docker_json_pull_init(&p, 65536);
	dr_docker_json_pull_line(&p, "[1, 2]");
	dr_docker_json_pull_line(&p, "{\"status\": \"Downloading\", \"id\": \"a\", \"progressDetail\": {\"current\": 9, \"total\": 4}}");
	CU_ASSERT_EQUAL(p.current_bytes, 4); /* never past a layer's total */
	CU_ASSERT_FALSE(p.failed);
	dr_docker_json_pull_free(&p);
}

#define SECRET_URL "postgres://app:Tr0ub4dor-and-3@db/app"
#define SECRET "Tr0ub4dor-and-3"
#define REASON_CAP 511 /* what docker.c keeps of a cleaned engine message (char[512]) */

/* text[0..len) through the chokepoint, cut to REASON_CAP; a static copy. */
static const char *reason_of(const struct dr_mask *m, const char *text, size_t len)
{
	static struct dr_buf out;

	dr_buf_free(&out);
	dr_buf_init(&out, 4096);
	CU_ASSERT_EQUAL(dr_text_clean(m, text, len, REASON_CAP, 0, &out), 0);
	return dr_buf_str(&out);
}

/* The review's finding: the pull's error was cut to 511 bytes before it was masked, so a password
 * straddling byte 511 left its start in the reason. Kept whole, it is masked first. */
static void test_pull_error_masked_whole(void)
{
	static struct dr_pull_progress p;
	static char line[2048], message[1024];
	struct dr_mask m;
	int n;

	dr_mask_init_database_url(&m, SECRET_URL);
	memset(message, 'x', REASON_CAP - 5);
	n = snprintf(line, sizeof line, "{\"errorDetail\": {\"message\": \"%s" SECRET " after\"}, \"error\": \"x\"}", message);
	CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof line);
	/* The old cut: the first 511 bytes of the message, then the mask, which no longer matches. */
	memcpy(message + REASON_CAP - 5, SECRET, 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(reason_of(&m, message, REASON_CAP), "Tr0ub"));
	dr_docker_json_pull_init(&p, sizeof line);
	dr_docker_json_pull_line(&p, line);
	CU_ASSERT_EQUAL(p.error.len, REASON_CAP - 5 + strlen(SECRET " after"));
	CU_ASSERT_PTR_NULL(strstr(reason_of(&m, p.error.data, p.error.len), "Tr"));
	CU_ASSERT_STRING_EQUAL(reason_of(&m, p.error.data, p.error.len) + REASON_CAP - 5, "*** a");
	dr_docker_json_pull_free(&p);
	dr_mask_free(&m);
}

/* An engine {"message"} was cut to DR_REASON_MAX - 1 bytes before it was masked: masking the whole
 * URLs before it shortened the text enough to show the start of the password cut at byte 1023. */
static void test_message_masked_whole(void)
{
	static char body[4096], message[2048];
	size_t at = 0;
	struct dr_mask m;
	struct dr_buf raw;
	int i;

	dr_mask_init_database_url(&m, SECRET_URL);
	for (i = 0; i < 16; i++)
		at += (size_t)snprintf(message + at, sizeof message - at, "%s ", SECRET_URL);
	memset(message + at, 'x', DR_REASON_MAX - 4 - at);
	at = DR_REASON_MAX - 4;
	snprintf(message + at, sizeof message - at, "%s after", SECRET);
	snprintf(body, sizeof body, "{\"message\": \"%s\"}", message);
	/* The old cut: the first DR_REASON_MAX - 1 bytes, masked after. */
	CU_ASSERT_PTR_NOT_NULL(strstr(reason_of(&m, message, DR_REASON_MAX - 1), "Tr0"));
	dr_buf_init(&raw, sizeof body);
	CU_ASSERT_EQUAL_FATAL(dr_docker_json_message(body, &raw), 0);
	CU_ASSERT_EQUAL(raw.len, strlen(message));
	CU_ASSERT_PTR_NULL(strstr(reason_of(&m, raw.data, raw.len), "Tr"));
	dr_buf_free(&raw);
	dr_mask_free(&m);
}

/* A health check output is kept whole up to DR_HEALTH_OUTPUT_RAW_MAX (the engine's 4096 bytes, its
 * "..." and its timeout sentence fit), and not at all beyond: never cut before masking. */
static void test_health_output_whole(void)
{
	static struct dr_container_state c;
	static char text[DR_HEALTH_OUTPUT_RAW_MAX + 200], output[DR_HEALTH_OUTPUT_RAW_MAX + 1];
	size_t n = 4096 + sizeof "Health check exceeded timeout (30s): ..." - 1;

	memset(output, 'y', n);
	snprintf(text, sizeof text, "{\"State\": {\"Health\": {\"Status\": \"unhealthy\", \"Log\": [{\"Output\": \"%s\"}]}}}",
		 output);
	CU_ASSERT_EQUAL_FATAL(dr_docker_json_container(text, &c), 0);
	CU_ASSERT_EQUAL(strlen(c.health_log[0]), n);
	memset(output, 'y', DR_HEALTH_OUTPUT_RAW_MAX);
	snprintf(text, sizeof text, "{\"State\": {\"Health\": {\"Status\": \"unhealthy\", \"Log\": [{\"Output\": \"%s\"}]}}}",
		 output);
	CU_ASSERT_EQUAL_FATAL(dr_docker_json_container(text, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.health_log[0], DR_HEALTH_OUTPUT_NOT_KEPT);
}

static void test_first_die(void)
{
	char *text = recorded("events-die.jsonl", NULL);

	CU_ASSERT_EQUAL(dr_docker_json_first_die(text, NULL), 3);
	CU_ASSERT_EQUAL(dr_docker_json_first_die("", NULL), -1);
	CU_ASSERT_EQUAL(dr_docker_json_first_die("{\"Actor\": {\"Attributes\": {\"exitCode\": \"300\"}}}\n", NULL), -1);
	free(text);
}

static void test_demux(void)
{
	size_t len;
	char *raw = recorded("logs-multiplexed.bin", &len);
	struct dr_buf out;

	dr_buf_init(&out, 1024);
	CU_ASSERT_EQUAL(dr_docker_json_demux((const unsigned char *)raw, len, &out), 0);
	CU_ASSERT_STRING_EQUAL(dr_buf_str(&out), "boom\nboom\nboom\n");
	dr_buf_reset(&out);
	CU_ASSERT_EQUAL(dr_docker_json_demux((const unsigned char *)"tty text\n", 9, &out), 0);
	CU_ASSERT_STRING_EQUAL(dr_buf_str(&out), "tty text\n");
	/* A frame that claims more than arrived is cut, not overread. */
	dr_buf_reset(&out);
	CU_ASSERT_EQUAL(dr_docker_json_demux((const unsigned char *)"\1\0\0\0\0\0\0\x40" "ab", 10, &out), 0);
	CU_ASSERT_STRING_EQUAL(dr_buf_str(&out), "ab");
	dr_buf_free(&out);
	free(raw);
}

static void test_create_body(void)
{
	struct dr_container_spec spec = { 0 };
	struct dr_error err = { 0 };
	struct dr_buf body;
	static char huge[5000];

	spec.image = REPOSITORY "@" RECORDED_DIGEST;
	spec.env_names[0] = "LOG_LEVEL";
	spec.env_values[0] = "info \"quoted\"";
	spec.env_count = 1;
	spec.bind_hosts[0] = "/a";
	spec.bind_hosts[1] = "/b";
	spec.labels[DR_CONTAINER_LABEL_ENVIRONMENT] = "dev";
	dr_buf_init(&body, DR_CONTAINER_BODY_MAX);
	CU_ASSERT_EQUAL_FATAL(dr_docker_json_create_body(&spec, &body, &err), 0);
	CU_ASSERT_STRING_EQUAL(dr_buf_str(&body),
			       "{\"Image\":\"" REPOSITORY "@" RECORDED_DIGEST "\",\"Env\":[\"LOG_LEVEL=info \\\"quoted\\\"\"],"
			       "\"Labels\":{\"dreichor.environment\":\"dev\"},\"HostConfig\":{\"Binds\":[\"/a:/var/lib/dreichor/audit-events\","
			       "\"/b:/var/lib/dreichor/snapshots\"],\"RestartPolicy\":{\"Name\":\"unless-stopped\"}}}");
	spec.network = "none";
	dr_buf_reset(&body);
	CU_ASSERT_EQUAL(dr_docker_json_create_body(&spec, &body, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(dr_buf_str(&body), "\"RestartPolicy\":{\"Name\":\"unless-stopped\"},\"NetworkMode\":\"none\"}}"));
	memset(huge, 'x', sizeof huge - 1);
	spec.env_values[0] = huge;
	dr_buf_reset(&body);
	CU_ASSERT_NOT_EQUAL(dr_docker_json_create_body(&spec, &body, &err), 0);
	CU_ASSERT_EQUAL(err.fault, DR_FAULT_INTERNAL);
	dr_buf_free(&body);
}

/* Answers of a docker.io 20.10 engine, as in t/retention.sh: images/json with a reference
 * filter, containers/json, an image delete, /info. */
static void test_retention_answers(void)
{
	static const char images[] =
		"[{\"Id\":\"sha256:f335\",\"RepoTags\":[\"r.test/a/b:1.0.1\"],"
		"\"RepoDigests\":[\"r.test/a/b@sha256:929215fb63889ad9380422ea87eebad4e71d165cc5f364b966dc3291be4d58ff\","
		"\"other/x@sha256:929215fb63889ad9380422ea87eebad4e71d165cc5f364b966dc3291be4d58ff\"],\"Size\":1982305},"
		"{\"Id\":\"sha256:9b5d\",\"RepoTags\":null,\"RepoDigests\":[\"r.test/a/b@sha256:bad\"],\"Size\":7}]";
	static const char containers[] = "[{\"Id\":\"c1\",\"ImageID\":\"sha256:f335\"},{\"Id\":\"c2\"}]";
	struct dr_image_summary list[4];
	char ids[4][DR_DOCKER_ID_MAX], root[64];
	int n;

	CU_ASSERT_EQUAL(dr_docker_json_image_list(images, "r.test/a/b", list, 4, &n), 0);
	CU_ASSERT_EQUAL(n, 1); /* another repository's digest and a malformed one are not ours */
	CU_ASSERT_STRING_EQUAL(list[0].id, "sha256:f335");
	CU_ASSERT_STRING_EQUAL(list[0].digest, "sha256:929215fb63889ad9380422ea87eebad4e71d165cc5f364b966dc3291be4d58ff");
	CU_ASSERT_EQUAL(list[0].size, 1982305);
	CU_ASSERT_EQUAL(dr_docker_json_image_list(images, "r.test/a/b", list, 0, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(dr_docker_json_image_list("{}", "r.test/a/b", list, 4, &n), -1);
	CU_ASSERT_EQUAL(dr_docker_json_container_images(containers, ids, 4, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(ids[0], "sha256:f335");
	CU_ASSERT_EQUAL(dr_docker_json_container_images("nonsense", ids, 4, &n), -1);
	CU_ASSERT_EQUAL(dr_docker_json_image_deleted("[{\"Untagged\":\"r@sha256:x\"},{\"Deleted\":\"sha256:9b5d\"}]"), 1);
	CU_ASSERT_EQUAL(dr_docker_json_image_deleted("[{\"Untagged\":\"r@sha256:x\"}]"), 0);
	CU_ASSERT_EQUAL(dr_docker_json_data_root("{\"DockerRootDir\":\"/var/lib/docker\"}", root, sizeof root), 0);
	CU_ASSERT_STRING_EQUAL(root, "/var/lib/docker");
	CU_ASSERT_EQUAL(dr_docker_json_data_root("{}", root, sizeof root), -1);
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "healthy container", test_container_healthy },
		{ "unhealthy container and its check outputs", test_container_unhealthy },
		{ "restarted container: last exit and restart count", test_container_restarted },
		{ "malformed and mistyped inspect answers", test_container_malformed },
		{ "image digest among RepoDigests", test_image_digest },
		{ "distribution endpoint digest", test_distribution_digest },
		{ "error message and created id", test_message_and_created_id },
		{ "pull progress stream: bytes per layer", test_pull_progress },
		{ "pull refused: message, first error, bounds", test_pull_refused },
		{ "a pull error kept whole: masked before it is cut", test_pull_error_masked_whole },
		{ "an engine message kept whole: masked before it is cut", test_message_masked_whole },
		{ "health check outputs whole or not at all", test_health_output_whole },
		{ "first die event's exit code", test_first_die },
		{ "multiplexed log stream", test_demux },
		{ "create body and its limits", test_create_body },
		{ "image list, container images, image delete, data root", test_retention_answers },
		{ NULL, NULL },
	};

	return unit_run("docker_json", cases);
}
