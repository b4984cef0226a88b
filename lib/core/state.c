/* state.c: digest pins and the deploy record. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_ref.h"
#include "state.h"

static ssize_t state_read_small(const char *path, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, out, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	out[n] = '\0';
	return n;
}

/* Make a rename durable: fsync the directory that holds it. */
static int state_sync_dir(const char *dir, struct dr_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd < 0 || fsync(fd) < 0 ? -1 : 0;

	if (fd >= 0)
		close(fd);
	return rc ? dr_error_set(err, DR_FAULT_INTERNAL, "cannot sync the state directory %s: %s", dir, strerror(errno)) : 0;
}

int dr_state_write_atomic(const char *dir, const char *name, const char *data, size_t len, struct dr_error *err)
{
	return dr_state_replace(dir, name, data, len, 1, err);
}

int dr_state_replace(const char *dir, const char *name, const char *data, size_t len, int durable,
		     struct dr_error *err)
{
	char tmp[4096], path[4096];
	int fd = -1, status = DR_FAULT_INTERNAL;

	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path ||
	    snprintf(tmp, sizeof tmp, "%s/.%s.%ld.tmp", dir, name, (long)getpid()) >= (int)sizeof tmp)
		return dr_error_set(err, DR_FAULT_INTERNAL, "state path too long under %s", dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0) {
		dr_error_set(err, DR_FAULT_INTERNAL, "cannot create a file in %s: %s", dir, strerror(errno));
		goto done;
	}
	if (write(fd, data, len) != (ssize_t)len || (durable && fsync(fd) < 0)) {
		dr_error_set(err, DR_FAULT_INTERNAL, "cannot write %s: %s", tmp, strerror(errno));
		goto done;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		fd = -1;
		dr_error_set(err, DR_FAULT_INTERNAL, "cannot replace %s: %s", path, strerror(errno));
		goto done;
	}
	fd = -1;
	status = durable ? state_sync_dir(dir, err) : 0;
done:
	if (fd >= 0)
		close(fd);
	if (status)
		unlink(tmp);
	return status;
}

/* Read the pin of tag into pinned ("" when none); 0, or DR_FAULT_INTERNAL when it cannot be read or is corrupt. */
static int state_pin_read(const char *state_dir, const char *tag, char pinned[128], struct dr_error *err)
{
	char path[4096];
	ssize_t n;

	pinned[0] = '\0';
	if (snprintf(path, sizeof path, "%s/%s/%s", state_dir, DR_STATE_PIN_DIR, tag) >= (int)sizeof path)
		return dr_error_set(err, DR_FAULT_INTERNAL, "state path too long under %s", state_dir);
	n = state_read_small(path, pinned, 128);
	if (n < 0) {
		pinned[0] = '\0';
		return errno == ENOENT ? 0 : dr_error_set(err, DR_FAULT_INTERNAL, "cannot read digest pin %s: %s", path, strerror(errno));
	}
	pinned[strcspn(pinned, "\n")] = '\0';
	if (!dr_image_digest_valid(pinned))
		return dr_error_set(err, DR_FAULT_INTERNAL, "digest pin %s is corrupt; remove it after checking the tag", path);
	return 0;
}

int dr_state_pin_compare(const char *state_dir, const char *tag, const char *digest, struct dr_error *err)
{
	char pinned[128];
	int rc = state_pin_read(state_dir, tag, pinned, err);

	if (rc || !pinned[0] || !strcmp(pinned, digest))
		return rc;
	return dr_error_set(err, DR_FAULT_CONFLICT, "tag %s now resolves to %s but was first pulled as %s; tags must be immutable, deploy a new tag",
			    tag, digest, pinned);
}

int dr_state_pin_check(const char *state_dir, const char *tag, const char *digest, struct dr_error *err)
{
	char dir[4096], pinned[128], line[128];
	int rc;

	if (snprintf(dir, sizeof dir, "%s/%s", state_dir, DR_STATE_PIN_DIR) >= (int)sizeof dir)
		return dr_error_set(err, DR_FAULT_INTERNAL, "state path too long under %s", state_dir);
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return dr_error_set(err, DR_FAULT_INTERNAL, "cannot create %s: %s", dir, strerror(errno));
	if ((rc = state_pin_read(state_dir, tag, pinned, err)) || pinned[0])
		return rc ? rc : dr_state_pin_compare(state_dir, tag, digest, err);
	snprintf(line, sizeof line, "%s\n", digest);
	return dr_state_write_atomic(dir, tag, line, strlen(line), err);
}

char *dr_state_read_record(const char *state_dir)
{
	char path[4096];
	char *text;

	if (snprintf(path, sizeof path, "%s/%s", state_dir, DR_STATE_RECORD) >= (int)sizeof path)
		return NULL;
	text = malloc(DR_STATE_RECORD_MAX);
	if (text && state_read_small(path, text, DR_STATE_RECORD_MAX) < 0) {
		free(text);
		text = NULL;
	}
	return text;
}
