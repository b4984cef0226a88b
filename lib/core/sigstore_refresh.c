/* sigstore_refresh.c: the trusted root's source and refresh record (see sigstore_refresh.h). */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "crypto.h"
#include "fdio.h"
#include "json_read.h"
#include "json_strict.h"
#include "sigstore_refresh.h"

#define SIGSTORE_REFRESH_DEPTH 2

const char *dr_sigstore_source_name(enum dr_sigstore_source source)
{
	return source == DR_SIGSTORE_SOURCE_PACKAGE ? "package" : source == DR_SIGSTORE_SOURCE_TUF ? "tuf" : "file";
}

/* The whole regular file at path (through a link only when follow), at most max bytes, into b; 0
 * or -1. Never a FIFO or a device, which could hold the reader. */
static int sigstore_read_file(const char *path, size_t max, int follow, struct dr_buf *b)
{
	char chunk[8192];
	struct stat st;
	ssize_t n = 0;
	int fd, rc = 0;

	dr_buf_init(b, max);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW))) < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	while (!rc && (n = dr_fd_read_some(fd, chunk, sizeof chunk)) > 0)
		rc = dr_buf_add(b, chunk, (size_t)n);
	if (n < 0)
		rc = -1;
	close(fd);
	return rc;
}

/* A repository URL as refresh.json records it: http(s), printable, no blanks or quotes. */
static int sigstore_repository_valid(const char *url)
{
	if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7))
		return 0;
	for (; *url; url++)
		if (*url <= ' ' || *url > '~' || *url == '"' || *url == '\\')
			return 0;
	return 1;
}

/* Member key of the record as a string of at most cap bytes; 0 or -1. */
static int sigstore_member(const struct dr_json_value *record, const char *key, char *out, size_t cap)
{
	struct dr_json_value v;

	return dr_json_get(record, key, &v) || dr_json_string(&v, out, cap) ? -1 : 0;
}

/* refresh.json beside path, when it vouches for the file's bytes (root_hex), into info; 0 or -1. */
static int sigstore_read_record(const char *dir, const char *root_hex, time_t now, struct dr_sigstore_root_info *info)
{
	char path[DR_SIGSTORE_PATH_MAX], sha256[DR_SHA256_HEX_LEN + 2], why[128];
	struct dr_json_value record;
	struct dr_buf text;
	time_t refreshed, expires;
	int rc = -1;

	if (snprintf(path, sizeof path, "%s/%s", dir, DR_SIGSTORE_REFRESH_FILE) >= (int)sizeof path ||
	    sigstore_read_file(path, DR_SIGSTORE_REFRESH_MAX, 0, &text))
		goto out;
	if (!text.data || dr_json_strict_check(text.data, text.len, SIGSTORE_REFRESH_DEPTH, NULL, why, sizeof why) ||
	    dr_json_root(text.data, text.len, &record) || record.type != DR_JSON_OBJECT ||
	    sigstore_member(&record, "sha256", sha256, sizeof sha256) || strcmp(sha256, root_hex) ||
	    sigstore_member(&record, "source", info->repository, sizeof info->repository) ||
	    !sigstore_repository_valid(info->repository) ||
	    sigstore_member(&record, "refreshed", info->refreshed, sizeof info->refreshed) ||
	    sigstore_member(&record, "expires", info->expires, sizeof info->expires) ||
	    dr_time_parse_rfc3339(info->refreshed, 0, &refreshed) || dr_time_parse_rfc3339(info->expires, 0, &expires))
		goto out;
	info->source = DR_SIGSTORE_SOURCE_TUF;
	info->stale = now >= expires;
	rc = 0;
out:
	if (rc)
		info->repository[0] = info->refreshed[0] = info->expires[0] = '\0';
	dr_buf_free(&text);
	return rc;
}

void dr_sigstore_root_describe(const char *path, time_t now, struct dr_sigstore_root_info *info)
{
	char dir[DR_SIGSTORE_PATH_MAX], hex[DR_SHA256_HEX_LEN + 1];
	const char *slash = strrchr(path, '/');
	struct dr_buf root;

	memset(info, 0, sizeof *info);
	info->source = strcmp(path, DR_TRUSTED_ROOT) ? DR_SIGSTORE_SOURCE_FILE : DR_SIGSTORE_SOURCE_PACKAGE;
	if (info->source == DR_SIGSTORE_SOURCE_PACKAGE || !slash || (size_t)(slash - path) >= sizeof dir)
		return;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (sigstore_read_file(path, DR_SIGSTORE_ROOT_MAX, 1, &root) == 0 && root.data) {
		dr_sha256_hex(root.data, root.len, hex);
		sigstore_read_record(dir[0] ? dir : "/", hex, now, info);
	}
	dr_buf_free(&root);
	/* In the TUF client's directory but vouched for by no record (a run that wrote the root and
	 * then failed, a record damaged): its freshness is unknown, so it counts as stale. */
	if (info->source == DR_SIGSTORE_SOURCE_FILE && !strncmp(path, DR_SIGSTORE_STATE_DIR "/", sizeof DR_SIGSTORE_STATE_DIR)) {
		info->source = DR_SIGSTORE_SOURCE_TUF;
		info->stale = info->unvouched = 1;
	}
}

void dr_sigstore_root_stale_note(const struct dr_sigstore_root_info *info, char *out, size_t cap)
{
	if (!cap)
		return;
	out[0] = '\0';
	if (info->source == DR_SIGSTORE_SOURCE_TUF && info->unvouched)
		snprintf(out, cap,
			 "the Sigstore trusted root is stale: no refresh.json beside it vouches for it, so its age is "
			 "unknown (did dreichor-sigstore-root's last run fail?)");
	else if (info->source == DR_SIGSTORE_SOURCE_TUF && info->stale)
		snprintf(out, cap,
			 "the Sigstore trusted root is stale: last refreshed %s from %s, its TUF metadata expired %s "
			 "(is dreichor-sigstore-root's timer running?)",
			 info->refreshed, info->repository, info->expires);
}
