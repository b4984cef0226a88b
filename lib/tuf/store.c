/* store.c: the TUF client's state directory; see store.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_read.h"
#include "json_strict.h"
#include "state.h"
#include "store.h"

#define STORE_PATH_MAX (DR_TUF_DIR_MAX + 64)
#define STORE_BLOCK 8192
#define STORE_JSON_DEPTH 2

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

int dr_tuf_refresh_format(const struct dr_tuf_refresh *r, struct dr_buf *out)
{
	return dr_buf_addf(out,
			   "{\"source\":\"%s\",\"refreshed\":\"%s\",\"expires\":\"%s\",\"root_version\":%lld,"
			   "\"timestamp_version\":%lld,\"snapshot_version\":%lld,\"targets_version\":%lld,"
			   "\"sha256\":\"%s\"}\n",
			   r->source, r->refreshed, r->expires, r->versions[DR_TUF_ROOT], r->versions[DR_TUF_TIMESTAMP],
			   r->versions[DR_TUF_SNAPSHOT], r->versions[DR_TUF_TARGETS], r->sha256);
}

int dr_tuf_refresh_parse(const char *text, size_t len, struct dr_tuf_refresh *out)
{
	struct dr_json_value root, v;
	char why[DR_TUF_WHY_MAX];

	memset(out, 0, sizeof *out);
	if (dr_json_strict_check(text, len, STORE_JSON_DEPTH, NULL, why, sizeof why) || dr_json_root(text, len, &root) ||
	    root.type != DR_JSON_OBJECT)
		return -1;
	if (dr_json_get(&root, "source", &v) || dr_json_string(&v, out->source, sizeof out->source))
		return -1;
	if (dr_json_get(&root, "refreshed", &v) || dr_json_string(&v, out->refreshed, sizeof out->refreshed))
		return -1;
	return 0;
}

void dr_tuf_time_format(time_t t, char out[DR_TUF_TIME_MAX])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, DR_TUF_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, DR_TUF_TIME_MAX, "?");
}
