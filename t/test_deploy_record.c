/* test_deploy_record.c: per-deploy records (write, read, the 404, the
 * size cap, pruning to the newest DR_DEPLOY_RECORDS_MAX), a running record
 * whose process is gone read as interrupted, and the Idempotency-Key index
 * (key syntax, remember and find, the 24 h window). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "deploy_record.h"
#include "unit.h"

#define ID_A "0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210"
#define ID_SETTLE "5e771e0000000000000000000000000a"
#define ID_ENDED "e0ded00000000000000000000000000b"
#define DIGEST "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static char dir[64];

static json_object *record_with(const char *id, const char *status, const char *phase)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "request_id", json_object_new_string(id));
	json_object_object_add(r, "status", json_object_new_string(status));
	json_object_object_add(r, "phase", json_object_new_string(phase));
	return r;
}

static void test_write_read(void)
{
	struct dr_error err = { 0 };
	json_object *r = record_with(ID_A, "deployed", "record"), *back = NULL, *v;

	CU_ASSERT_EQUAL(dr_deploy_record_write(dir, ID_A, r, 1, &err), 0);
	CU_ASSERT_EQUAL(dr_deploy_record_read(dir, ID_A, &back, &err), 0);
	CU_ASSERT_TRUE(json_object_object_get_ex(back, "status", &v) && !strcmp(json_object_get_string(v), "deployed"));
	json_object_put(back);
	CU_ASSERT_EQUAL(dr_deploy_record_read(dir, ID_B, &back, &err), DR_FAULT_NOT_FOUND);
	CU_ASSERT_PTR_NULL(back);
	/* Not a request id: never a path. */
	CU_ASSERT_EQUAL(dr_deploy_record_read(dir, "../deploys.jsonl", &back, &err), DR_FAULT_NOT_FOUND);
	CU_ASSERT_EQUAL(dr_deploy_record_write(dir, "../x", r, 0, &err), DR_FAULT_INTERNAL);
	json_object_put(r);
}

static void test_size_cap(void)
{
	struct dr_error err = { 0 };
	json_object *r = record_with(ID_B, "deployed", "record");
	char *big = malloc(DR_DEPLOY_RECORD_BYTES_MAX + 1);

	memset(big, 'x', DR_DEPLOY_RECORD_BYTES_MAX);
	big[DR_DEPLOY_RECORD_BYTES_MAX] = '\0';
	json_object_object_add(r, "logs", json_object_new_string(big));
	CU_ASSERT_EQUAL(dr_deploy_record_write(dir, ID_B, r, 0, &err), DR_FAULT_INTERNAL);
	free(big);
	json_object_put(r);
}

/* No process holds the lock for it: a running record reads as interrupted; an ended one stands;
 * one that ended after it was read (the file says so now) is replaced by the ended one. */
static void test_settle(void)
{
	json_object *running = record_with(ID_SETTLE, "running", "grace"), *ended = record_with(ID_SETTLE, "deployed", "record");
	json_object *stale = record_with(ID_ENDED, "running", "retention"), *final = record_with(ID_ENDED, "deployed", "retention");
	struct dr_error err = { 0 };
	json_object *v;

	CU_ASSERT_EQUAL(dr_deploy_record_settle(&running, dir), 1);
	CU_ASSERT_TRUE(json_object_object_get_ex(running, "status", &v) && !strcmp(json_object_get_string(v), "error"));
	CU_ASSERT_TRUE(json_object_object_get_ex(running, "interrupted", &v) && json_object_get_boolean(v));
	CU_ASSERT_TRUE(json_object_object_get_ex(running, "http_status", &v) && json_object_get_int(v) == 500);
	CU_ASSERT_TRUE(json_object_object_get_ex(running, "reason", &v) && strstr(json_object_get_string(v), "phase grace"));
	CU_ASSERT_EQUAL(dr_deploy_record_settle(&ended, dir), 0);
	CU_ASSERT_EQUAL_FATAL(dr_deploy_record_write(dir, ID_ENDED, final, 0, &err), 0);
	CU_ASSERT_EQUAL(dr_deploy_record_settle(&stale, dir), 0);
	CU_ASSERT_TRUE(json_object_object_get_ex(stale, "status", &v) && !strcmp(json_object_get_string(v), "deployed"));
	CU_ASSERT_FALSE(json_object_object_get_ex(stale, "interrupted", &v));
	json_object_put(running);
	json_object_put(ended);
	json_object_put(stale);
	json_object_put(final);
}

static void test_prune(void)
{
	struct dr_error err = { 0 };
	char id[40], path[256];
	struct utimbuf old = { 1000, 1000 };
	struct stat st;
	int i;

	for (i = 0; i < DR_DEPLOY_RECORDS_MAX + 5; i++) {
		json_object *r;
		snprintf(id, sizeof id, "%032x", i + 1);
		r = record_with(id, "deployed", "record");
		CU_ASSERT_EQUAL_FATAL(dr_deploy_record_write(dir, id, r, 0, &err), 0);
		json_object_put(r);
		if (i < 5) { /* the five oldest */
			snprintf(path, sizeof path, "%s/%s/%s.json", dir, DR_DEPLOY_RECORDS_DIR, id);
			utime(path, &old);
		}
	}
	dr_deploy_record_prune(dir);
	snprintf(path, sizeof path, "%s/%s/%032x.json", dir, DR_DEPLOY_RECORDS_DIR, 1);
	CU_ASSERT_NOT_EQUAL(stat(path, &st), 0);
	snprintf(path, sizeof path, "%s/%s/%032x.json", dir, DR_DEPLOY_RECORDS_DIR, 6);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
}

static void test_key_syntax(void)
{
	char long_key[DR_IDEMPOTENCY_KEY_MAX + 2];

	CU_ASSERT_TRUE(dr_idempotency_key_valid("run-42.attempt_1:deploy"));
	CU_ASSERT_FALSE(dr_idempotency_key_valid(""));
	CU_ASSERT_FALSE(dr_idempotency_key_valid(NULL));
	CU_ASSERT_FALSE(dr_idempotency_key_valid("has space"));
	CU_ASSERT_FALSE(dr_idempotency_key_valid("../../etc"));
	memset(long_key, 'k', sizeof long_key - 1);
	long_key[sizeof long_key - 1] = '\0';
	CU_ASSERT_FALSE(dr_idempotency_key_valid(long_key));
	long_key[DR_IDEMPOTENCY_KEY_MAX] = '\0';
	CU_ASSERT_TRUE(dr_idempotency_key_valid(long_key));
}

static void test_key_remember_find(void)
{
	struct dr_error err = { 0 };
	char id[80], digest[DR_BODY_DIGEST_LEN + 1], path[256];
	struct utimbuf day_ago = { 0, 0 };

	CU_ASSERT_FALSE(dr_idempotency_find(dir, "k1", id, digest));
	CU_ASSERT_EQUAL(dr_idempotency_remember(dir, "k1", ID_A, DIGEST, &err), 0);
	CU_ASSERT_TRUE(dr_idempotency_find(dir, "k1", id, digest));
	CU_ASSERT_STRING_EQUAL(id, ID_A);
	CU_ASSERT_STRING_EQUAL(digest, DIGEST);
	CU_ASSERT_EQUAL(dr_idempotency_remember(dir, "bad key", ID_A, DIGEST, &err), DR_FAULT_INTERNAL);
	/* Past 24 h a key is forgotten, and pruned. */
	day_ago.actime = day_ago.modtime = time(NULL) - DR_IDEMPOTENCY_SECONDS - 60;
	snprintf(path, sizeof path, "%s/%s/key-k1", dir, DR_IDEMPOTENCY_DIR);
	CU_ASSERT_EQUAL(utime(path, &day_ago), 0);
	CU_ASSERT_FALSE(dr_idempotency_find(dir, "k1", id, digest));
	dr_deploy_record_prune(dir);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "write and read a record; unknown ids are 404", test_write_read },
		{ "a record over its size cap is refused", test_size_cap },
		{ "a running record without its process reads as interrupted", test_settle },
		{ "records pruned to the newest", test_prune },
		{ "Idempotency-Key syntax", test_key_syntax },
		{ "Idempotency-Key remembered, found, forgotten after 24 h", test_key_remember_find },
		{ NULL, NULL },
	};

	snprintf(dir, sizeof dir, "%s", "/tmp/dr-records.XXXXXX");
	return unit_run_in_tmpdir("deploy_record", cases, dir);
}
