/* test_lock.c: the per-environment deploy lock and its holder record. */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lock.h"
#include "unit.h"

static char dir[64];

static void test_acquire_release(void)
{
	struct dr_lock a, b;
	struct dr_lock_holder me = { "deploy", "repo:1.0.0", "req-a" };
	struct dr_error err;

	CU_ASSERT_EQUAL(dr_lock_acquire(&a, dir, &me, &err), 0);
	dr_lock_release(&a);
	CU_ASSERT_EQUAL(dr_lock_acquire(&b, dir, &me, &err), 0);
	dr_lock_release(&b);
	dr_lock_release(&b);
}

/* A child process that takes the lock as holder and keeps it until killed; its pid, once it holds it. */
static pid_t holding_child(const struct dr_lock_holder *holder)
{
	struct dr_lock held;
	struct dr_error err;
	int sync_pipe[2];
	pid_t child;
	char c;

	CU_ASSERT_EQUAL_FATAL(pipe(sync_pipe), 0);
	child = fork();
	if (child == 0) {
		if (dr_lock_acquire(&held, dir, holder, &err) || write(sync_pipe[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	CU_ASSERT_EQUAL(read(sync_pipe[0], &c, 1), 1);
	close(sync_pipe[0]);
	close(sync_pipe[1]);
	return child;
}

/* A second holder (another process, as in real life) is refused at once with the holder's details. */
static void test_busy_names_holder(void)
{
	struct dr_lock other;
	struct dr_lock_holder me = { "deploy", "repo:1.2.3", "0123abcd" };
	struct dr_lock_holder them = { "stop", NULL, "ffff" };
	struct dr_error err = { 0 };
	pid_t child = holding_child(&me);

	CU_ASSERT_EQUAL(dr_lock_acquire(&other, dir, &them, &err), DR_FAULT_CONFLICT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "deploy of repo:1.2.3"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "request 0123abcd"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "since 20"));
	/* Killed holders leave no stale lock. */
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	CU_ASSERT_EQUAL(dr_lock_acquire(&other, dir, &them, &err), 0);
	dr_lock_release(&other);
}

/* Readers that never take the lock find its holder in /proc/locks (its device and inode), and
 * find it free once the holder is gone. */
static void test_peek_and_holder(void)
{
	struct dr_lock_holder me = { "deploy", "repo:2.0.0", "peek0001" };
	struct dr_lock_info info;
	struct dr_error err = { 0 };
	pid_t child;

	CU_ASSERT_EQUAL(dr_lock_peek(dir, &err), 0);
	CU_ASSERT_EQUAL(dr_lock_holder(dir, &info), 0);
	CU_ASSERT_EQUAL(dr_lock_peek("/nonexistent/state", &err), 0);
	child = holding_child(&me);
	CU_ASSERT_EQUAL(dr_lock_peek(dir, &err), DR_FAULT_CONFLICT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "deploy of repo:2.0.0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.reason, "request peek0001"));
	CU_ASSERT_EQUAL(dr_lock_holder(dir, &info), 1);
	CU_ASSERT_STRING_EQUAL(info.action, "deploy");
	CU_ASSERT_STRING_EQUAL(info.request_id, "peek0001");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	CU_ASSERT_EQUAL(dr_lock_peek(dir, &err), 0);
	CU_ASSERT_EQUAL(dr_lock_holder(dir, &info), 0);
}

static void test_missing_directory(void)
{
	struct dr_lock lk;
	struct dr_lock_holder me = { "deploy", NULL, "x" };
	struct dr_error err;

	CU_ASSERT_EQUAL(dr_lock_acquire(&lk, "/nonexistent/state", &me, &err), DR_FAULT_INTERNAL);
	CU_ASSERT_EQUAL(lk.fd, -1);
}

static const struct unit_case cases[] = {
	{ "acquire and release", test_acquire_release },
	{ "busy lock names its holder; SIGKILL frees it", test_busy_names_holder },
	{ "peek and holder read /proc/locks", test_peek_and_holder },
	{ "missing state directory", test_missing_directory },
	{ NULL, NULL },
};

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/dr-unit-lock.XXXXXX");
	return unit_run_in_tmpdir("lock", cases, dir);
}
