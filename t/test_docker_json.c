/* test_docker_json.c: the Engine API decoders against answers recorded
 * from a real dockerd (t/data/docker/, made by t/data/docker/record.sh),
 * and the create body they write. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker_json.h"
#include "unit.h"

#define RECORDED_DIGEST "sha256:5925eb8ee6b5469b6892f582941477c49613afffd89204736af682c041c69bd8"
#define REPOSITORY "127.0.0.1:5000/ceerkle/dreichor-trading/runtime"

/* The recorded file name, read whole (NUL-terminated; *len without it); the caller frees. */
static char *recorded(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[1024], *text;
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/t/data/docker/%s", top ? top : ".", name);
	f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	CU_ASSERT_EQUAL_FATAL(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	if (len)
		*len = (size_t)n;
	return text;
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
	char *text = recorded("not-found.json", NULL), msg[128], id[DR_DOCKER_ID_MAX];

	CU_ASSERT_EQUAL(dr_docker_json_message(text, msg, sizeof msg), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "no-such-container"));
	CU_ASSERT_EQUAL(dr_docker_json_message("{}", msg, sizeof msg), -1);
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

	memset(&p, 0, sizeof p);
	feed_lines(&p, text);
	CU_ASSERT_STRING_EQUAL(p.error, "");
	CU_ASSERT_EQUAL(p.layers, 1);
	CU_ASSERT_TRUE(p.total_bytes > 3000000);  /* the recorder's 3 MB of random data */
	CU_ASSERT_EQUAL(p.current_bytes, p.total_bytes);
	free(text);
}

static void test_pull_refused(void)
{
	static struct dr_pull_progress p;
	char *text = recorded("pull-unknown-tag.jsonl", NULL);

	memset(&p, 0, sizeof p);
	feed_lines(&p, text);
	CU_ASSERT_PTR_NOT_NULL(strstr(p.message, "manifest unknown"));
	free(text);
	memset(&p, 0, sizeof p);
	dr_docker_json_pull_line(&p, "{\"errorDetail\": {\"message\": \"no space left on device\"}, \"error\": \"x\"}");
	dr_docker_json_pull_line(&p, "{\"error\": \"a later error\"}");
	CU_ASSERT_STRING_EQUAL(p.error, "no space left on device");
	memset(&p, 0, sizeof p);
	dr_docker_json_pull_line(&p, "[1, 2]");
	dr_docker_json_pull_line(&p, "{\"status\": \"Downloading\", \"id\": \"a\", \"progressDetail\": {\"current\": 9, \"total\": 4}}");
	CU_ASSERT_EQUAL(p.current_bytes, 4); /* never past a layer's total */
	CU_ASSERT_STRING_EQUAL(p.error, "");
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
	json_object *body, *v;
	static char huge[5000];

	spec.image = REPOSITORY "@" RECORDED_DIGEST;
	spec.env_names[0] = "LOG_LEVEL";
	spec.env_values[0] = "info";
	spec.env_count = 1;
	spec.binds[0] = (struct dr_bind){ "/a", "/b" };
	spec.bind_count = 1;
	spec.restart_policy = "unless-stopped";
	spec.label_environment = "dev";
	body = dr_docker_json_create_body(&spec, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			       "{\"Image\":\"" REPOSITORY "@" RECORDED_DIGEST "\",\"Env\":[\"LOG_LEVEL=info\"],"
			       "\"Labels\":{\"dreichor.environment\":\"dev\"},\"HostConfig\":{\"Binds\":[\"/a:/b\"],"
			       "\"RestartPolicy\":{\"Name\":\"unless-stopped\"}}}");
	CU_ASSERT_FALSE(json_object_object_get_ex(json_object_object_get(body, "HostConfig"), "NetworkMode", &v));
	json_object_put(body);
	memset(huge, 'x', sizeof huge - 1);
	spec.env_values[0] = huge;
	CU_ASSERT_PTR_NULL(dr_docker_json_create_body(&spec, &err));
	CU_ASSERT_EQUAL(err.fault, DR_FAULT_INTERNAL);
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
		{ "first die event's exit code", test_first_die },
		{ "multiplexed log stream", test_demux },
		{ "create body and its limits", test_create_body },
		{ "image list, container images, image delete, data root", test_retention_answers },
		{ NULL, NULL },
	};

	return unit_run("docker_json", cases);
}
