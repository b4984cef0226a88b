/* landlock.c: Landlock (ABI 1 rights) for the dispatcher; see landlock.h. */

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"

#define LANDLOCK_FILE_RIGHTS (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE)
#define LANDLOCK_READ_RIGHTS (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* Every right of ABI 1: what is not granted below is denied everywhere. */
#define LANDLOCK_ALL_RIGHTS ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1)

/* Allow rights beneath path (a file gets only the file rights among them). 0, or -1. */
static int landlock_allow(int ruleset, const char *path, unsigned long long rights)
{
	struct landlock_path_beneath_attr rule = { .allowed_access = rights };
	struct stat st;
	int rc;

	rule.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (rule.parent_fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(rule.parent_fd, &st) == 0 && !S_ISDIR(st.st_mode))
		rule.allowed_access &= LANDLOCK_FILE_RIGHTS;
	rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
	close(rule.parent_fd);
	return rc;
}

int dr_landlock_confine(const char *const read_paths[], const char *const write_paths[])
{
	struct landlock_ruleset_attr attr = { .handled_access_fs = LANDLOCK_ALL_RIGHTS };
	int ruleset, i, rc = -1;

	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (ruleset < 0)
		return errno == ENOSYS || errno == EOPNOTSUPP ? 1 : -1;
	for (i = 0; read_paths[i]; i++)
		if (landlock_allow(ruleset, read_paths[i], LANDLOCK_READ_RIGHTS))
			goto done;
	for (i = 0; write_paths[i]; i++)
		if (landlock_allow(ruleset, write_paths[i], LANDLOCK_ALL_RIGHTS))
			goto done;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_landlock_restrict_self, ruleset, 0))
		goto done;
	rc = 0;
done:
	close(ruleset);
	return rc;
}
