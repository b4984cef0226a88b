/* test_verified.c: digests verified before, remembered while their key is trusted. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verified.h"
#include "unit.h"

static const char key_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAERYlA4jYhLOff2MnerUjC7ne0x1T3\n"
	"5agRLYswF5tTyvzbDRltvJqm1M49LLQCmJ5IeJsBYdqDA5980wBvxuyHtA==\n"
	"-----END PUBLIC KEY-----\n";
static const char key_fp[] = "sha256:1b9d1a30c0d01df4db10549c9eb92e8f85bd015d09da3b129cfc046f4deeabd8";
#define REPO "127.0.0.1:5000/ceerkle/dreichor-trading/runtime"
static const char other_fp[] = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

static char dir[64];

static void fresh_dir(void)
{
	char cmd[128];

	if (dir[0]) {
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		CU_ASSERT_EQUAL(system(cmd), 0);
	}
	snprintf(dir, sizeof dir, "/tmp/dr-verified.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
}

static void digest_n(char out[80], int n)
{
	snprintf(out, 80, "sha256:%064d", n);
}

static void test_remember_and_find(void)
{
	static struct dr_signing_keys keys;
	char why[160], key[DR_KEY_FINGERPRINT_LEN + 1], format[DR_VERIFIED_FORMAT_MAX], d[80];
	struct dr_error err;

	fresh_dir();
	CU_ASSERT_EQUAL_FATAL(dr_signing_keys_parse(&keys, key_pem, strlen(key_pem), why, sizeof why), 0);
	digest_n(d, 1);
	CU_ASSERT_EQUAL(dr_verified_find(dir, REPO, d, &keys, key, format), -1);
	CU_ASSERT_EQUAL(dr_verified_remember(dir, REPO, d, key_fp, "simple-signing", &err), 0);
	CU_ASSERT_EQUAL(dr_verified_find(dir, REPO, d, &keys, key, format), 0);
	CU_ASSERT_STRING_EQUAL(key, key_fp);
	CU_ASSERT_STRING_EQUAL(format, "simple-signing");
	/* Another digest, or a key no longer in the file: not found. */
	digest_n(d, 2);
	CU_ASSERT_EQUAL(dr_verified_find(dir, REPO, d, &keys, key, format), -1);
	CU_ASSERT_EQUAL(dr_verified_remember(dir, REPO, d, other_fp, "sigstore-bundle", &err), 0);
	CU_ASSERT_EQUAL(dr_verified_find(dir, REPO, d, &keys, key, format), -1);
	/* Remembered again with a trusted key: the newer line stands. */
	CU_ASSERT_EQUAL(dr_verified_remember(dir, REPO, d, key_fp, "sigstore-bundle", &err), 0);
	CU_ASSERT_EQUAL(dr_verified_find(dir, REPO, d, &keys, key, format), 0);
	CU_ASSERT_STRING_EQUAL(format, "sigstore-bundle");
	/* The same digest in another repository was not verified: a signature binds the repository. */
	CU_ASSERT_EQUAL(dr_verified_find(dir, REPO "-other", d, &keys, key, format), -1);
	CU_ASSERT_EQUAL(dr_verified_find(dir, "127.0.0.1:5000/ceerkle", d, &keys, key, format), -1);
	CU_ASSERT_EQUAL(dr_verified_remember(dir, "a b", d, key_fp, "simple-signing", &err), DR_FAULT_INTERNAL);
}

static void test_bounded_and_strict(void)
{
	static struct dr_signing_keys keys;
	char why[160], key[DR_KEY_FINGERPRINT_LEN + 1], format[DR_VERIFIED_FORMAT_MAX], d[80], path[128];
	struct dr_error err;
	FILE *f;
	int i, lines = 0, c;

	fresh_dir();
	CU_ASSERT_EQUAL_FATAL(dr_signing_keys_parse(&keys, key_pem, strlen(key_pem), why, sizeof why), 0);
	for (i = 0; i < DR_VERIFIED_MAX + 10; i++) {
		digest_n(d, i);
		CU_ASSERT_EQUAL(dr_verified_remember(dir, REPO, d, key_fp, "simple-signing", &err), 0);
	}
	snprintf(path, sizeof path, "%s/%s", dir, DR_VERIFIED_FILE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "r"));
	while ((c = fgetc(f)) != EOF)
		lines += c == '\n';
	fclose(f);
	CU_ASSERT_EQUAL(lines, DR_VERIFIED_MAX);
	digest_n(d, 0);
	CU_ASSERT_EQUAL(dr_verified_find(dir, REPO, d, &keys, key, format), -1);   /* the oldest went */
	digest_n(d, DR_VERIFIED_MAX + 9);
	CU_ASSERT_EQUAL(dr_verified_find(dir, REPO, d, &keys, key, format), 0);
	/* A line that is not "DIGEST KEY FORMAT" counts for nothing. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "w"));
	fprintf(f, "%s %s\n%s %s simple-signing extra\n", d, key_fp, d, key_fp);
	fclose(f);
	CU_ASSERT_EQUAL(dr_verified_find(dir, REPO, d, &keys, key, format), -1);
	CU_ASSERT_EQUAL(dr_verified_remember(dir, REPO, d, key_fp, "with space", &err), DR_FAULT_INTERNAL);
}

static const struct unit_case cases[] = {
	{ "remembered, found while its key is trusted", test_remember_and_find },
	{ "the newest 64, malformed lines ignored", test_bounded_and_strict },
	{ NULL, NULL },
};

int main(void)
{
	int rc = unit_run("verified", cases);
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (dir[0] && system(cmd))
		rc = 1;
	return rc;
}
