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

int dr_sigstore_refresh_format(const struct dr_sigstore_refresh *r, struct dr_buf *out)
{
	return dr_buf_addf(out,
			   "{\"source\":\"%s\",\"refreshed\":\"%s\",\"expires\":\"%s\",\"root_version\":%lld,"
			   "\"timestamp_version\":%lld,\"snapshot_version\":%lld,\"targets_version\":%lld,"
			   "\"sha256\":\"%s\"}\n",
			   r->source, r->refreshed, r->expires, r->root_version, r->timestamp_version,
			   r->snapshot_version, r->targets_version, r->sha256);
}

int dr_sigstore_refresh_parse(const char *text, size_t len, struct dr_sigstore_refresh *out)
{
	struct dr_json_value record;
	char why[128];
	time_t t;

	memset(out, 0, sizeof *out);
	if (!text || dr_json_strict_check(text, len, SIGSTORE_REFRESH_DEPTH, NULL, why, sizeof why) ||
	    dr_json_root(text, len, &record) || record.type != DR_JSON_OBJECT ||
	    sigstore_member(&record, "sha256", out->sha256, sizeof out->sha256) ||
	    strlen(out->sha256) != DR_SHA256_HEX_LEN || strspn(out->sha256, "0123456789abcdef") != DR_SHA256_HEX_LEN ||
	    sigstore_member(&record, "source", out->source, sizeof out->source) ||
	    !sigstore_repository_valid(out->source) ||
	    sigstore_member(&record, "refreshed", out->refreshed, sizeof out->refreshed) ||
	    sigstore_member(&record, "expires", out->expires, sizeof out->expires) ||
	    dr_time_parse_rfc3339(out->refreshed, 0, &t) || dr_time_parse_rfc3339(out->expires, 0, &t)) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	return 0;
}

int dr_sigstore_refresh_path(const char *root_path, char *out, size_t cap)
{
	const char *slash = strrchr(root_path, '/');
	int n;

	if (!slash)
		return -1;
	n = snprintf(out, cap, "%.*s/%s", (int)(slash - root_path), root_path, DR_SIGSTORE_REFRESH_FILE);
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* The record at path, when it vouches for the root's bytes (root_hex), into info; 0 or -1. */
static int sigstore_read_record(const char *path, const char *root_hex, time_t now, struct dr_sigstore_root_info *info)
{
	struct dr_sigstore_refresh record;
	struct dr_buf text;
	time_t expires;
	int rc = -1;

	if (sigstore_read_file(path, DR_SIGSTORE_REFRESH_MAX, 0, &text) ||
	    dr_sigstore_refresh_parse(text.data, text.len, &record) || strcmp(record.sha256, root_hex) ||
	    dr_time_parse_rfc3339(record.expires, 0, &expires))
		goto out;
	memcpy(info->repository, record.source, sizeof info->repository);
	memcpy(info->refreshed, record.refreshed, sizeof info->refreshed);
	memcpy(info->expires, record.expires, sizeof info->expires);
	info->source = DR_SIGSTORE_SOURCE_TUF;
	info->stale = now >= expires;
	rc = 0;
out:
	dr_buf_free(&text);
	return rc;
}

void dr_sigstore_root_describe(const char *path, time_t now, struct dr_sigstore_root_info *info)
{
	char record[DR_SIGSTORE_PATH_MAX], hex[DR_SHA256_HEX_LEN + 1];
	struct dr_buf root;

	memset(info, 0, sizeof *info);
	info->source = strcmp(path, DR_TRUSTED_ROOT) ? DR_SIGSTORE_SOURCE_FILE : DR_SIGSTORE_SOURCE_PACKAGE;
	if (info->source == DR_SIGSTORE_SOURCE_PACKAGE || dr_sigstore_refresh_path(path, record, sizeof record))
		return;
	if (sigstore_read_file(path, DR_SIGSTORE_ROOT_MAX, 1, &root) == 0 && root.data) {
		dr_sha256_hex(root.data, root.len, hex);
		sigstore_read_record(record, hex, now, info);
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
