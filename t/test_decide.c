/* test_decide.c: the decisions apart from their engine calls, on answers
 * recorded from a real dockerd (t/data/docker/, made by
 * t/data/docker/record.sh) as docker_json decodes them: the grace watch
 * (grace_decide), which images retention removes (retention_decide), and
 * what runs now (current_decide). */

#include <stdlib.h>
#include <string.h>

#include "current_decide.h"
#include "docker_json.h"
#include "grace_decide.h"
#include "mask.h"
#include "retention_decide.h"
#include "unit.h"

#define REPOSITORY "127.0.0.1:5000/ceerkle/dreichor-trading/runtime"
#define OTHER_REPOSITORY "127.0.0.1:5000/other/app"
#define RECORDED_DIGEST "sha256:5925eb8ee6b5469b6892f582941477c49613afffd89204736af682c041c69bd8"
#define DIGITS(d) d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d \
	d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d
/* record.sh makes these digests: 2.0.1 to 2.0.4, another repository's image, the running container's. */
#define D1 "sha256:" DIGITS("1")
#define D2 "sha256:" DIGITS("2")
#define D3 "sha256:" DIGITS("3")
#define D4 "sha256:" DIGITS("4")
#define D_OTHER "sha256:" DIGITS("9")
#define D_RUNNING "sha256:" DIGITS("5")
#define GRACE 5L

/* The recorded container inspect name, decoded into one of four static states (too large for
 * the stack of a test; a test holds at most two at once). */
static const struct dr_container_state *inspected(const char *name)
{
	static struct dr_container_state states[4];
	static int next;
	struct dr_container_state *s = &states[next++ % 4];
	char *text = unit_recorded(name, NULL);

	CU_ASSERT_EQUAL_FATAL(dr_docker_json_container(text, s), 0);
	free(text);
	return s;
}

/* What the watch saw after inspecting s (no wait saw an exit): the exit code inspect shows. */
static struct dr_grace_seen seen_inspected(const struct dr_container_state *s, json_object *logs)
{
	return (struct dr_grace_seen){ .grace_seconds = GRACE, .health_checked = dr_grace_checks_health(s),
				       .exited = 0, .exit_code = s->exit_code, .first_exit = -1, .state = s, .logs = logs };
}

static json_object *lines(int n)
{
	json_object *a = json_object_new_array();
	char line[16];
	int i;

	for (i = 1; i <= n; i++) {
		snprintf(line, sizeof line, "line %d", i);
		json_object_array_add(a, json_object_new_string(line));
	}
	return a;
}

static void test_grace_healthy(void)
{
	const struct dr_container_state *s = inspected("container-healthy.json");
	struct dr_grace_seen seen = seen_inspected(s, NULL);

	CU_ASSERT_TRUE(dr_grace_checks_health(s));
	CU_ASSERT_EQUAL(dr_grace_wait_kind(GRACE, 1), DR_GRACE_WAIT_HEALTH);
	CU_ASSERT_FALSE(dr_grace_poll_again(s, 1000, 6000)); /* healthy ends the grace period early */
	CU_ASSERT_EQUAL(dr_grace_verdict(&seen), DR_GRACE_UP);
	CU_ASSERT_FALSE(dr_grace_wants_first_exit(&seen));
	CU_ASSERT_EQUAL(dr_grace_exit_code(&seen), 0);
}

#define SECRET_URL "postgres://app:Tr0ub4dor-and-3@db/app"

static void test_grace_unhealthy(void)
{
	static struct dr_container_state s;
	json_object *logs = lines(7), *outputs = json_object_new_array();
	struct dr_grace_seen seen;
	struct dr_error err = { 0 };
	struct dr_mask m;

	s = *inspected("container-unhealthy.json");
	seen = seen_inspected(&s, logs);
	CU_ASSERT_FALSE(dr_grace_poll_again(&s, 1000, 6000));
	CU_ASSERT_EQUAL(dr_grace_verdict(&seen), DR_GRACE_UNHEALTHY);
	CU_ASSERT_FALSE(dr_grace_wants_first_exit(&seen)); /* it never exited */
	CU_ASSERT_EQUAL(dr_grace_exit_code(&seen), -1);
	/* A check that prints the database URL: its outputs pass the chokepoint before the reason. */
	dr_mask_init_database_url(&m, SECRET_URL);
	snprintf(s.health_log[0], sizeof s.health_log[0], "cannot reach %s", SECRET_URL);
	CU_ASSERT_EQUAL(dr_grace_fault(&seen, &m, outputs, &err), DR_FAULT_INTERNAL);
	CU_ASSERT_EQUAL(err.fault, DR_FAULT_INTERNAL);
	CU_ASSERT_STRING_EQUAL(err.reason,
			       "container turned unhealthy within the 5 s startup grace period and was removed; "
			       "last health check output: cannot reach *** | failing | failing; "
			       "last log lines: line 3 | line 4 | line 5 | line 6 | line 7");
	CU_ASSERT_EQUAL(json_object_array_length(outputs), DR_HEALTH_LOG_MAX);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(outputs, 0)), "cannot reach ***");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(outputs, 2)), "failing");
	dr_mask_free(&m);
	json_object_put(outputs);
	json_object_put(logs);
}

/* Exited 3, restarted, exited 5 twice: inspect shows 5 and two restarts; the first die event keeps the 3. */
static void test_grace_exit_hidden_by_restart(void)
{
	const struct dr_container_state *s = inspected("container-exit-hidden.json");
	char *events = unit_recorded("events-die-exit-hidden.jsonl", NULL);
	json_object *logs = json_object_new_array(), *outputs = json_object_new_array();
	struct dr_grace_seen seen = seen_inspected(s, logs);
	struct dr_error err = { 0 };

	json_object_array_add(logs, json_object_new_string("attempt"));
	CU_ASSERT_FALSE(dr_grace_checks_health(s));
	CU_ASSERT_EQUAL(dr_grace_verdict(&seen), DR_GRACE_EXITED);
	CU_ASSERT_EQUAL(seen.exit_code, 5);
	CU_ASSERT_TRUE(dr_grace_wants_first_exit(&seen));
	CU_ASSERT_EQUAL(dr_grace_exit_code(&seen), 5); /* until the die events are asked */
	seen.first_exit = dr_docker_json_first_die(events, s->id);
	CU_ASSERT_EQUAL(seen.first_exit, 3);
	CU_ASSERT_EQUAL(dr_grace_exit_code(&seen), 3);
	CU_ASSERT_EQUAL(dr_grace_fault(&seen, NULL, outputs, &err), DR_FAULT_INTERNAL);
	CU_ASSERT_STRING_EQUAL(err.reason, "container exited with code 3 and was restarted within the 5 s startup "
					   "grace period and was removed; last log lines: attempt");
	CU_ASSERT_EQUAL(json_object_array_length(outputs), 0);
	/* Another container's die events (a name reused within the second) are not its own. */
	CU_ASSERT_EQUAL(dr_docker_json_first_die(events, "0000"), -1);
	free(events);
	json_object_put(outputs);
	json_object_put(logs);
}

/* No HEALTHCHECK: a wait saw the exit, and the state is still the start's. */
static void test_grace_exit_seen_by_wait(void)
{
	const struct dr_container_state *s = inspected("container-running.json");
	struct dr_grace_seen seen = { .grace_seconds = GRACE, .exited = 1, .exit_code = 3, .first_exit = -1, .state = s };
	json_object *outputs = json_object_new_array();
	struct dr_error err = { 0 };

	CU_ASSERT_EQUAL(dr_grace_verdict(&seen), DR_GRACE_EXITED);
	CU_ASSERT_FALSE(dr_grace_wants_first_exit(&seen)); /* the wait began before the first exit */
	CU_ASSERT_EQUAL(dr_grace_exit_code(&seen), 3);
	dr_grace_fault(&seen, NULL, outputs, &err);
	CU_ASSERT_STRING_EQUAL(err.reason, "container exited with code 3 within the 5 s startup grace period and "
					   "was removed; last log lines: (none)");
	seen.exit_code = -1; /* a wait answer without StatusCode */
	CU_ASSERT_TRUE(dr_grace_wants_first_exit(&seen));
	json_object_put(outputs);
}

static void test_grace_still_starting(void)
{
	const struct dr_container_state *s = inspected("container-starting.json");
	json_object *outputs = json_object_new_array();
	struct dr_grace_seen seen = seen_inspected(s, NULL);
	struct dr_error err = { 0 };

	CU_ASSERT_TRUE(dr_grace_checks_health(s));
	CU_ASSERT_TRUE(dr_grace_poll_again(s, 5999, 6000));
	CU_ASSERT_FALSE(dr_grace_poll_again(s, 6000, 6000)); /* the grace period is over */
	CU_ASSERT_EQUAL(dr_grace_verdict(&seen), DR_GRACE_STARTING);
	CU_ASSERT_EQUAL(dr_grace_exit_code(&seen), -1);
	dr_grace_fault(&seen, NULL, outputs, &err);
	CU_ASSERT_STRING_EQUAL(err.reason, "container was still starting, not healthy, at the end of the 5 s startup "
					   "grace period and was removed; last health check output: (none); last log lines: (none)");
	CU_ASSERT_EQUAL(json_object_array_length(outputs), 0);
	json_object_put(outputs);
}

static void test_grace_no_healthcheck(void)
{
	const struct dr_container_state *s = inspected("container-running.json");
	struct dr_grace_seen seen = seen_inspected(s, NULL);

	CU_ASSERT_FALSE(dr_grace_checks_health(s));
	CU_ASSERT_EQUAL(dr_grace_wait_kind(GRACE, 0), DR_GRACE_WAIT_EXIT);
	CU_ASSERT_EQUAL(dr_grace_wait_kind(0, 0), DR_GRACE_WAIT_NONE);
	CU_ASSERT_EQUAL(dr_grace_wait_kind(0, 1), DR_GRACE_WAIT_NONE);
	CU_ASSERT_EQUAL(dr_grace_verdict(&seen), DR_GRACE_UP); /* the wait ran out: it stayed up */
	CU_ASSERT_EQUAL(dr_grace_exit_code(&seen), 0);
	/* Restarted and exited again by the time of the inspect: an exit, whatever it shows now. */
	s = inspected("container-restarted.json");
	seen = seen_inspected(s, NULL);
	CU_ASSERT_EQUAL(dr_grace_verdict(&seen), DR_GRACE_EXITED);
	CU_ASSERT_TRUE(dr_grace_wants_first_exit(&seen));
}

/* r as retention.c loads it: history (JSON text, newest first), then the recorded image list of
 * REPOSITORY and the recorded answer which of those images a container uses. */
static void retention_load(struct dr_retention *r, long keep, const char *newest, const char *history)
{
	static struct dr_image_summary held[DR_IMAGES_MAX];
	static char used[DR_IMAGES_MAX][DR_DOCKER_ID_MAX];
	char *images = unit_recorded("images-list.json", NULL), *containers = unit_recorded("containers-in-use.json", NULL);
	const char *asked[DR_RETENTION_DIGESTS_MAX];
	json_object *entries = json_tokener_parse(history);
	int n_held, n_used, n_asked;

	CU_ASSERT_PTR_NOT_NULL_FATAL(entries);
	dr_retention_begin(r, keep, newest);
	dr_retention_add_history(r, entries);
	CU_ASSERT_EQUAL_FATAL(dr_docker_json_image_list(images, REPOSITORY, held, DR_IMAGES_MAX, &n_held), 0);
	n_asked = dr_retention_add_held(r, held, n_held, asked);
	CU_ASSERT_EQUAL_FATAL(dr_docker_json_container_images(containers, used, DR_IMAGES_MAX, &n_used), 0);
	CU_ASSERT_EQUAL(n_used, 1); /* 2.0.1's container, made and never started */
	CU_ASSERT_TRUE(n_asked <= r->count);
	dr_retention_add_used(r, used, n_used);
	json_object_put(entries);
	free(images);
	free(containers);
}

#define OK_DEPLOY(d) "{\"action\": \"deploy\", \"result\": \"ok\", \"image_digest\": \"" d "\"}"

/* The digests of next_deploy_removes in summary, joined by spaces. */
static const char *summary_removes(json_object *summary)
{
	static char out[512];
	json_object *removes;
	size_t i;

	out[0] = '\0';
	CU_ASSERT_FATAL(json_object_object_get_ex(summary, "next_deploy_removes", &removes));
	for (i = 0; i < json_object_array_length(removes); i++) {
		json_object *digest;
		json_object_object_get_ex(json_object_array_get_idx(removes, i), "image_digest", &digest);
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "", json_object_get_string(digest));
	}
	return out;
}

static long long summary_int(json_object *summary, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(summary, key, &v) ? json_object_get_int64(v) : -1;
}

/* A deploy of 2.0.4 after 2.0.3 (twice), 2.0.2 and 2.0.1: KEEP_IMAGES distinct digests stay, the
 * deploy's own first; 2.0.1 stays too, for a container was made from it. */
static void test_retention_keeps_newest(void)
{
	static struct dr_retention r;
	int goes[DR_RETENTION_REMOVALS_MAX];
	json_object *summary;

	retention_load(&r, 2, D4, "[" OK_DEPLOY(D3) "," OK_DEPLOY(D3) "," OK_DEPLOY(D2) "," OK_DEPLOY(D1) "]");
	CU_ASSERT_EQUAL_FATAL(r.count, 4);
	CU_ASSERT_STRING_EQUAL(r.images[0].digest, D4);
	CU_ASSERT_STRING_EQUAL(r.images[3].digest, D1);
	CU_ASSERT_TRUE(r.images[3].in_use);
	CU_ASSERT_FALSE(r.images[2].in_use);
	CU_ASSERT_EQUAL_FATAL(dr_retention_removals(&r, goes), 1);
	CU_ASSERT_STRING_EQUAL(r.images[goes[0]].digest, D2);
	summary = dr_retention_summary(&r, 2);
	CU_ASSERT_STRING_EQUAL(summary_removes(summary), D2);
	CU_ASSERT_EQUAL(summary_int(summary, "count"), 4);
	CU_ASSERT_EQUAL(summary_int(summary, "bytes"), 4 * r.images[0].bytes);
	CU_ASSERT_TRUE(r.images[0].bytes > 0);
	json_object_put(summary);
	/* KEEP_IMAGES 3: 2.0.2 stays; 2.0.1 is beyond but in use. */
	retention_load(&r, 3, D4, "[" OK_DEPLOY(D3) "," OK_DEPLOY(D2) "," OK_DEPLOY(D1) "]");
	CU_ASSERT_EQUAL(dr_retention_removals(&r, goes), 0);
}

/* IMAGE_REPOSITORY was another one once: its image has the deployed digest, but is not this
 * repository's, so it is neither counted nor removed (the removal names this repository). */
static void test_retention_other_repository(void)
{
	static struct dr_retention r;
	static struct dr_image_summary held[DR_IMAGES_MAX];
	char *images = unit_recorded("images-list.json", NULL);
	int goes[DR_RETENTION_REMOVALS_MAX], n, i;
	json_object *summary;

	retention_load(&r, 2, D4, "[" OK_DEPLOY(D3) "," OK_DEPLOY(D_OTHER) "," OK_DEPLOY(D2) "]");
	CU_ASSERT_STRING_EQUAL(r.images[2].digest, D_OTHER);
	CU_ASSERT_STRING_EQUAL(r.images[2].id, "");
	CU_ASSERT_EQUAL_FATAL(dr_retention_removals(&r, goes), 1);
	CU_ASSERT_STRING_EQUAL(r.images[goes[0]].digest, D2);
	summary = dr_retention_summary(&r, 2);
	CU_ASSERT_EQUAL(summary_int(summary, "count"), 3);
	json_object_put(summary);
	/* The engine does hold it: under the other repository. */
	CU_ASSERT_EQUAL(dr_docker_json_image_list(images, OTHER_REPOSITORY, held, DR_IMAGES_MAX, &n), 0);
	for (i = 0; i < n && strcmp(held[i].digest, D_OTHER); i++)
		;
	CU_ASSERT_TRUE(i < n);
	free(images);
}

/* The history's order is what counts, not the tags' or the images' age: after a rollback to 2.0.2
 * it is the newest. Failed deploys, stops and entries without a valid digest are not deploys of it. */
static void test_retention_history_order(void)
{
	static struct dr_retention r;
	int goes[DR_RETENTION_REMOVALS_MAX];
	json_object *summary;

	retention_load(&r, 3, NULL,
		       "[" OK_DEPLOY(D2) ","
		       "{\"action\": \"deploy\", \"result\": \"failed\", \"image_digest\": \"" D3 "\"},"
		       "{\"action\": \"stop\", \"result\": \"ok\", \"image_digest\": \"" D1 "\"},"
		       "{\"action\": \"deploy\", \"result\": \"ok\", \"image_digest\": null},"
		       "{\"action\": \"deploy\", \"result\": \"ok\", \"image_digest\": \"sha256:bad\"},"
		       OK_DEPLOY(D4) "," OK_DEPLOY(D3) "," OK_DEPLOY(D2) "," OK_DEPLOY(D1) "]");
	CU_ASSERT_EQUAL_FATAL(r.count, 4);
	CU_ASSERT_STRING_EQUAL(r.images[0].digest, D2);
	CU_ASSERT_STRING_EQUAL(r.images[1].digest, D4);
	CU_ASSERT_STRING_EQUAL(r.images[2].digest, D3);
	CU_ASSERT_EQUAL(r.window, 2); /* a deploy to come takes one place of KEEP_IMAGES */
	CU_ASSERT_EQUAL_FATAL(dr_retention_removals(&r, goes), 1);
	CU_ASSERT_STRING_EQUAL(r.images[goes[0]].digest, D3);
	summary = dr_retention_summary(&r, 3);
	CU_ASSERT_STRING_EQUAL(summary_removes(summary), D3);
	json_object_put(summary);
}

/* A deploy removes at most DR_RETENTION_REMOVALS_MAX; the summary shows all that is owed. */
static void test_retention_removals_bounded(void)
{
	static struct dr_retention r;
	int goes[DR_RETENTION_REMOVALS_MAX], i;
	json_object *summary, *removes;

	dr_retention_begin(&r, 2, D4);
	r.count = DR_RETENTION_REMOVALS_MAX + 4;
	for (i = 0; i < r.count; i++) {
		snprintf(r.images[i].digest, sizeof r.images[i].digest, "sha256:%064d", i);
		snprintf(r.images[i].id, sizeof r.images[i].id, "sha256:id%d", i);
	}
	CU_ASSERT_EQUAL(dr_retention_removals(&r, goes), DR_RETENTION_REMOVALS_MAX);
	CU_ASSERT_EQUAL(goes[0], 2);
	CU_ASSERT_EQUAL(goes[DR_RETENTION_REMOVALS_MAX - 1], DR_RETENTION_REMOVALS_MAX + 1);
	summary = dr_retention_summary(&r, 2);
	json_object_object_get_ex(summary, "next_deploy_removes", &removes);
	CU_ASSERT_EQUAL(json_object_array_length(removes), (size_t)r.count - 2);
	json_object_put(summary);
}

/* The agent's container: its labels name the reference and the digest, no image inspect needed. */
static void test_current_running(void)
{
	static struct dr_current c;
	const struct dr_container_state *s = inspected("container-running.json");
	char repository[DR_IMAGE_REPO_MAX + 1];
	struct dr_error err = { 0 };

	CU_ASSERT_FALSE(dr_current_wants_image_digest(s, repository));
	dr_current_decide(&c, s, NULL);
	CU_ASSERT_TRUE(c.present);
	CU_ASSERT_TRUE(c.state.running);
	CU_ASSERT_STRING_EQUAL(c.image, REPOSITORY ":5.0.0");
	CU_ASSERT_STRING_EQUAL(c.digest, D_RUNNING);
	CU_ASSERT_STRING_EQUAL(dr_current_expectation(&c), D_RUNNING);
	CU_ASSERT_EQUAL(dr_current_check_expectation(&c, D_RUNNING, &err), 0);
	CU_ASSERT_EQUAL(dr_current_check_expectation(&c, NULL, &err), 0);
	CU_ASSERT_EQUAL(dr_current_check_expectation(&c, DR_EXPECT_NONE, &err), DR_FAULT_PRECONDITION);
	CU_ASSERT_STRING_EQUAL(err.reason, "expect_current_digest is none but " D_RUNNING " " REPOSITORY
					   ":5.0.0 runs now; nothing was touched: plan again");
}

static void test_current_none(void)
{
	static struct dr_current c;
	struct dr_error err = { 0 };

	dr_current_decide(&c, NULL, NULL);
	CU_ASSERT_FALSE(c.present);
	CU_ASSERT_STRING_EQUAL(c.image, "");
	CU_ASSERT_STRING_EQUAL(dr_current_expectation(&c), DR_EXPECT_NONE);
	CU_ASSERT_EQUAL(dr_current_check_expectation(&c, DR_EXPECT_NONE, &err), 0);
	CU_ASSERT_EQUAL(dr_current_check_expectation(&c, D_RUNNING, &err), DR_FAULT_PRECONDITION);
	CU_ASSERT_STRING_EQUAL(err.reason, "expect_current_digest is " D_RUNNING " but none runs now; nothing was "
					   "touched: plan again");
	/* A container that exited is there, but nothing runs. */
	dr_current_decide(&c, inspected("container-restarted.json"), NULL);
	CU_ASSERT_TRUE(c.present);
	CU_ASSERT_STRING_EQUAL(dr_current_expectation(&c), DR_EXPECT_NONE);
}

/* A container the agent did not make (no labels), of another image than the one expected: its
 * digest is its image's RepoDigests entry for the repository it was created from. */
static void test_current_other_image(void)
{
	static struct dr_current c;
	static struct dr_container_state s;
	char repository[DR_IMAGE_REPO_MAX + 1], digest[DR_DOCKER_DIGEST_MAX];
	char *image = unit_recorded("image-inspect.json", NULL);
	struct dr_error err = { 0 };

	s = *inspected("container-unhealthy.json");
	CU_ASSERT_TRUE(dr_current_wants_image_digest(&s, repository));
	CU_ASSERT_STRING_EQUAL(repository, REPOSITORY);
	CU_ASSERT_EQUAL(dr_docker_json_image_digest(image, repository, NULL, digest), 0);
	dr_current_decide(&c, &s, digest);
	CU_ASSERT_STRING_EQUAL(c.image, REPOSITORY ":1.0.0");
	CU_ASSERT_STRING_EQUAL(c.digest, RECORDED_DIGEST);
	CU_ASSERT_EQUAL(dr_current_check_expectation(&c, D_RUNNING, &err), DR_FAULT_PRECONDITION);
	CU_ASSERT_STRING_EQUAL(err.reason, "expect_current_digest is " D_RUNNING " but " RECORDED_DIGEST " " REPOSITORY
					   ":1.0.0 runs now; nothing was touched: plan again");
	/* Of another repository: the image has no digest of it, so the digest is unknown and matches nothing. */
	snprintf(s.image, sizeof s.image, "%s", OTHER_REPOSITORY ":2.0.1");
	CU_ASSERT_TRUE(dr_current_wants_image_digest(&s, repository));
	CU_ASSERT_STRING_EQUAL(repository, OTHER_REPOSITORY);
	CU_ASSERT_EQUAL(dr_docker_json_image_digest(image, repository, NULL, digest), 0);
	dr_current_decide(&c, &s, digest);
	CU_ASSERT_STRING_EQUAL(dr_current_expectation(&c), "");
	CU_ASSERT_EQUAL(dr_current_check_expectation(&c, DR_EXPECT_NONE, &err), DR_FAULT_PRECONDITION);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "but a container of unknown digest " OTHER_REPOSITORY ":2.0.1 runs now"));
	/* A reference that does not parse asks the image for any repository's digest. */
	snprintf(s.image, sizeof s.image, "%s", "Not A Reference");
	CU_ASSERT_TRUE(dr_current_wants_image_digest(&s, repository));
	CU_ASSERT_STRING_EQUAL(repository, "");
	free(image);
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "grace: healthy", test_grace_healthy },
		{ "grace: unhealthy, its check outputs masked", test_grace_unhealthy },
		{ "grace: the first exit code a restart hides, from the die event", test_grace_exit_hidden_by_restart },
		{ "grace: an exit a wait saw", test_grace_exit_seen_by_wait },
		{ "grace: still starting at the end of the grace period", test_grace_still_starting },
		{ "grace: no healthcheck", test_grace_no_healthcheck },
		{ "retention: the KEEP_IMAGES newest distinct digests, never one in use", test_retention_keeps_newest },
		{ "retention: never another repository's image", test_retention_other_repository },
		{ "retention: the history's order", test_retention_history_order },
		{ "retention: removals per deploy bounded", test_retention_removals_bounded },
		{ "current: a running container of the agent's", test_current_running },
		{ "current: none, or one that exited", test_current_none },
		{ "current: a container of another image", test_current_other_image },
		{ NULL, NULL },
	};

	return unit_run("decide", cases);
}
