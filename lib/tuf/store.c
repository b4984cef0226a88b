/* store.c: the TUF client's state directory; see store.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "store.h"

#define STORE_PATH_MAX (DR_TUF_DIR_MAX + 64)
#define STORE_BLOCK 8192

static int store_fail(char *why, size_t cap, const char *what, const char *path)
{
	snprintf(why, cap, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

int dr_tuf_store_write(const char *dir, const char *name, const char *data, size_t len, char *why, size_t why_cap)
{
	struct dr_error err;

	if (!dr_state_write_atomic(dir, name, data, len, &err))
		return 0;
	snprintf(why, why_cap, "%s", err.reason);
	return -1;
}

int dr_tuf_store_read(const char *dir, const char *name, size_t max, struct dr_buf *out, char *why, size_t why_cap)
{
	char path[STORE_PATH_MAX];

	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
		dr_buf_init(out, max);
		snprintf(why, why_cap, "state path too long under %s", dir);
		return -1;
	}
	return dr_tuf_store_read_file(path, max, out, why, why_cap);
}

int dr_tuf_store_read_file(const char *path, size_t max, struct dr_buf *out, char *why, size_t why_cap)
{
	char block[STORE_BLOCK];
	int fd, rc = 0;
	ssize_t n;

	dr_buf_init(out, max);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 1 : store_fail(why, why_cap, "cannot open", path);
	while ((n = read(fd, block, sizeof block)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = store_fail(why, why_cap, "cannot read", path);
			break;
		}
		if (dr_buf_add(out, block, (size_t)n)) {
			snprintf(why, why_cap, "%s is longer than %zu bytes", path, max);
			rc = -1;
			break;
		}
	}
	close(fd);
	return rc;
}
