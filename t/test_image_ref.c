/* test_image_ref.c: reference parsing and the image policy. */

#include <string.h>

#include "image_ref.h"
#include "unit.h"

#define REPO "ghcr.io/ceerkle/dreichor-trading/runtime"
#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int policy(const char *text, int dev)
{
	struct dr_image_ref ref;
	struct dr_error err;
	int rc = dr_image_ref_parse(text, &ref, &err);

	return rc ? rc : dr_image_ref_check_policy(&ref, REPO, dev, &err);
}

static void test_parse_parts(void)
{
	struct dr_image_ref ref;
	struct dr_error err;

	CU_ASSERT_EQUAL(dr_image_ref_parse("127.0.0.1:5000/a/b:1.2.3@" DIGEST, &ref, &err), 0);
	CU_ASSERT_STRING_EQUAL(ref.repository, "127.0.0.1:5000/a/b");
	CU_ASSERT_STRING_EQUAL(ref.tag, "1.2.3");
	CU_ASSERT_STRING_EQUAL(ref.digest, DIGEST);
	CU_ASSERT_EQUAL(dr_image_ref_parse("127.0.0.1:5000/a/b", &ref, &err), DR_FAULT_POLICY);
	CU_ASSERT_EQUAL(dr_image_ref_parse(REPO "@sha256:abc", &ref, &err), DR_FAULT_POLICY);
	CU_ASSERT_EQUAL(dr_image_ref_parse(REPO ":", &ref, &err), DR_FAULT_POLICY);
	CU_ASSERT_EQUAL(dr_image_ref_parse("", &ref, &err), DR_FAULT_POLICY);
}

static void test_immutable_tags(void)
{
	CU_ASSERT_EQUAL(policy(REPO ":1.0.3", 0), 0);
	CU_ASSERT_EQUAL(policy(REPO ":abcdef1", 0), 0);
	CU_ASSERT_EQUAL(policy(REPO ":0123456789abcdef0123456789abcdef01234567", 0), 0);
	CU_ASSERT_EQUAL(policy(REPO "@" DIGEST, 0), 0);
	CU_ASSERT_EQUAL(policy(REPO ":1.0.3@" DIGEST, 0), 0);
}

static void test_refused_tags(void)
{
	CU_ASSERT_EQUAL(policy(REPO ":latest", 1), DR_FAULT_POLICY);
	CU_ASSERT_EQUAL(policy(REPO ":latest", 0), DR_FAULT_POLICY);
	CU_ASSERT_EQUAL(policy(REPO, 1), DR_FAULT_POLICY);
	CU_ASSERT_EQUAL(policy(REPO ":main", 1), DR_FAULT_POLICY);
	CU_ASSERT_EQUAL(policy(REPO ":abcdef", 1), DR_FAULT_POLICY);        /* 6 hex: too short */
	CU_ASSERT_EQUAL(policy(REPO ":ABCDEF1", 1), DR_FAULT_POLICY);       /* upper case */
	CU_ASSERT_EQUAL(policy(REPO ":0123456789abcdef0123456789abcdef012345678", 1), DR_FAULT_POLICY); /* 41 */
	CU_ASSERT_EQUAL(policy(REPO ":1.0", 1), DR_FAULT_POLICY);
	CU_ASSERT_EQUAL(policy(REPO ":v1.0.3", 1), DR_FAULT_POLICY);
	CU_ASSERT_EQUAL(policy(REPO ":1.0.3-rc1", 1), DR_FAULT_POLICY);
	CU_ASSERT_EQUAL(policy(REPO ":1.0.3-dev.1", 1), DR_FAULT_POLICY);
}

static void test_dev_tags(void)
{
	CU_ASSERT_EQUAL(policy(REPO ":1.0.3-dev", 1), 0);
	CU_ASSERT_EQUAL(policy(REPO ":1.0.3-dev", 0), DR_FAULT_POLICY);
}

static void test_foreign_repository(void)
{
	CU_ASSERT_EQUAL(policy("ghcr.io/someone/else:1.0.0", 1), DR_FAULT_POLICY);
	CU_ASSERT_EQUAL(policy("docker.io/library/busybox:1.0.0", 1), DR_FAULT_POLICY);
	CU_ASSERT_EQUAL(policy(REPO "-evil:1.0.0", 1), DR_FAULT_POLICY);
	CU_ASSERT_EQUAL(policy("evil.example/" REPO ":1.0.0", 1), DR_FAULT_POLICY);
}

static void test_repository_check(void)
{
	struct dr_error err;

	CU_ASSERT_EQUAL(dr_image_repository_check(REPO, &err), 0);
	CU_ASSERT_EQUAL(dr_image_repository_check("127.0.0.1:5000/a/b", &err), 0);
	CU_ASSERT_EQUAL(dr_image_repository_check("127.0.0.1:50x0/a/b", &err), DR_FAULT_INTERNAL);
	CU_ASSERT_EQUAL(dr_image_repository_check(REPO ":1.0.0", &err), DR_FAULT_INTERNAL);
	CU_ASSERT_EQUAL(dr_image_repository_check("ghcr.io//a", &err), DR_FAULT_INTERNAL);
	CU_ASSERT_EQUAL(dr_image_repository_check("ghcr.io/a/", &err), DR_FAULT_INTERNAL);
}

static const struct unit_case cases[] = {
	{ "parse repository, tag and digest", test_parse_parts },
	{ "immutable tags and digests accepted", test_immutable_tags },
	{ "latest and mutable tags refused", test_refused_tags },
	{ "X.Y.Z-dev only in dev", test_dev_tags },
	{ "foreign repositories refused", test_foreign_repository },
	{ "IMAGE_REPOSITORY syntax", test_repository_check },
	{ NULL, NULL },
};

int main(void)
{
	return unit_run("image_ref", cases);
}
