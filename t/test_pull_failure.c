/* test_pull_failure.c: the engine's words for a failed pull, as engines and
 * registries say them, named for what they are. */

#include <string.h>

#include "pull_failure.h"
#include "unit.h"

static void test_kinds(void)
{
	CU_ASSERT_EQUAL(dr_pull_failure_kind("Get \"https://127.0.0.1:5000/v2/x/manifests/1\": no basic auth credentials"),
			DR_PULL_CREDENTIALS);
	CU_ASSERT_EQUAL(dr_pull_failure_kind("Head \"https://ghcr.io/v2/o/r/manifests/1.0.0\": denied"), DR_PULL_CREDENTIALS);
	CU_ASSERT_EQUAL(dr_pull_failure_kind("unauthorized: authentication required"), DR_PULL_CREDENTIALS);
	CU_ASSERT_EQUAL(dr_pull_failure_kind("manifest unknown: manifest unknown"), DR_PULL_NOT_FOUND);
	CU_ASSERT_EQUAL(dr_pull_failure_kind("toomanyrequests: You have reached your pull rate limit"), DR_PULL_RATE_LIMITED);
	CU_ASSERT_EQUAL(dr_pull_failure_kind("received unexpected HTTP status: 429 Too Many Requests"), DR_PULL_RATE_LIMITED);
	CU_ASSERT_EQUAL(dr_pull_failure_kind("write /var/lib/docker/tmp/GetImageBlob1: no space left on device"), DR_PULL_NO_SPACE);
	CU_ASSERT_EQUAL(dr_pull_failure_kind("dial tcp 127.0.0.1:5000: connect: connection refused"), DR_PULL_UNREACHABLE);
	CU_ASSERT_EQUAL(dr_pull_failure_kind("x509: certificate signed by unknown authority"), DR_PULL_UNREACHABLE);
	CU_ASSERT_EQUAL(dr_pull_failure_kind("something else entirely"), DR_PULL_FAILED);
	CU_ASSERT_EQUAL(dr_pull_failure_kind(NULL), DR_PULL_FAILED);
	/* A full disk named with other words still is a full disk. */
	CU_ASSERT_EQUAL(dr_pull_failure_kind("failed to register layer: unauthorized? no space left on device"), DR_PULL_NO_SPACE);
}

static void test_reasons(void)
{
	struct dr_pull_context ghcr = { .reference = "ghcr.io/o/r:1.0.0", .registry = "ghcr.io", .credentials = 1,
					.retry_after_s = -1 };
	struct dr_pull_context disk = { .reference = "r:1", .data_root = "/var/lib/docker", .keep_images = 3,
					.retry_after_s = -1 };
	struct dr_error err;

	CU_ASSERT_EQUAL(dr_pull_failure_explain(DR_PULL_CREDENTIALS, &ghcr, "denied", &err), DR_FAULT_UPSTREAM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "classic personal access token with read:packages"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "GITHUB_TOKEN stops working when its job ends"));
	CU_ASSERT_EQUAL(dr_pull_failure_explain(DR_PULL_RATE_LIMITED, &ghcr, "toomanyrequests", &err), DR_FAULT_RATE_LIMITED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "it gave no retry time"));
	ghcr.retry_after_s = 60;
	CU_ASSERT_EQUAL(dr_pull_failure_explain(DR_PULL_RATE_LIMITED, &ghcr, "toomanyrequests", &err), DR_FAULT_RATE_LIMITED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "retry after 60 s"));
	CU_ASSERT_EQUAL(dr_pull_failure_explain(DR_PULL_NO_SPACE, &disk, "no space left on device", &err), DR_FAULT_NO_SPACE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "/var/lib/docker"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "KEEP_IMAGES=3"));
	CU_ASSERT_EQUAL(dr_fault_status(DR_FAULT_NO_SPACE), 507);
	CU_ASSERT_EQUAL(dr_fault_status(DR_FAULT_RATE_LIMITED), 503);
	CU_ASSERT_EQUAL(dr_pull_failure_explain(DR_PULL_FAILED, &disk, "odd", &err), DR_FAULT_UPSTREAM);
	CU_ASSERT_STRING_EQUAL(err.reason, "pull of r:1 failed: odd");
}

static const struct unit_case cases[] = {
	{ "the engine's words, classified", test_kinds },
	{ "reasons that say what to do", test_reasons },
	{ NULL, NULL },
};

int main(void)
{
	return unit_run("pull_failure", cases);
}
