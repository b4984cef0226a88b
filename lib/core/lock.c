/* lock.c: flock-based deploy lock with a holder record. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "clock.h"
#include "lock.h"
#include "number.h"

/* Copy the value of "key=" from the record into out, "" when absent. */
static void lock_record_field(const char *record, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key);
	const char *p = record;

	out[0] = '\0';
	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, "\n");
			if (n >= cap)
				n = cap - 1;
			memcpy(out, p + klen + 1, n);
			out[n] = '\0';
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

/* The holder's record; it can be a moment late after the flock, so re-read briefly when waiting. */
static void lock_read_info(int fd, int wait, struct dr_lock_info *info)
{
	char record[DR_LOCK_RECORD_MAX + 1];
	int tries;

	for (tries = 0; tries < (wait ? 10 : 1); tries++) {
		ssize_t n = pread(fd, record, DR_LOCK_RECORD_MAX, 0);
		record[n > 0 ? n : 0] = '\0';
		lock_record_field(record, "action", info->action, sizeof info->action);
		if (info->action[0])
			break;
		if (wait)
			dr_sleep_ms(5);
	}
	lock_record_field(record, "image", info->image, sizeof info->image);
	lock_record_field(record, "request_id", info->request_id, sizeof info->request_id);
	lock_record_field(record, "since", info->since, sizeof info->since);
}

/* Describe the current holder; its fields into h. */
static int lock_busy(int fd, const char *state_dir, struct dr_lock_info *h, struct dr_error *err)
{
	lock_read_info(fd, 1, h);
	if (!h->action[0])
		return dr_error_set(err, DR_FAULT_CONFLICT, "another deploy or stop holds the lock in %s; try again when it ends", state_dir);
	return dr_error_set(err, DR_FAULT_CONFLICT, "busy: %s%s%s by request %s running since %s; try again when it ends",
			    h->action, h->image[0] ? " of " : "", h->image, h->request_id[0] ? h->request_id : "unknown",
			    h->since[0] ? h->since : "unknown");
}

static void lock_write_record(int fd, const struct dr_lock_holder *me)
{
	char record[DR_LOCK_RECORD_MAX];
	char since[DR_TIME_ISO_MAX];

	memset(record, 0, sizeof record);
	dr_time_iso_utc(since);
	snprintf(record, sizeof record, "action=%s\nimage=%s\nrequest_id=%s\nsince=%s\npid=%ld\n", me->action,
		 me->image ? me->image : "", me->request_id ? me->request_id : "", since, (long)getpid());
	/* One fixed-size write, so a reader never sees half a record. */
	if (pwrite(fd, record, sizeof record, 0) != (ssize_t)sizeof record)
		return;
}

int dr_lock_acquire(struct dr_lock *lk, const char *state_dir, const struct dr_lock_holder *me, struct dr_error *err)
{
	struct dr_lock_info before;
	char path[4096];

	lk->fd = -1;
	lk->previous_request_id[0] = lk->holder_request_id[0] = '\0';
	if (snprintf(path, sizeof path, "%s/%s", state_dir, DR_LOCK_FILE) >= (int)sizeof path)
		return dr_error_set(err, DR_FAULT_INTERNAL, "STATE_DIRECTORY path too long");
	lk->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (lk->fd < 0)
		return dr_error_set(err, DR_FAULT_INTERNAL, "cannot open the deploy lock %s: %s", path, strerror(errno));
	if (flock(lk->fd, LOCK_EX | LOCK_NB) < 0) {
		int status = errno == EWOULDBLOCK ? lock_busy(lk->fd, state_dir, &before, err)
						  : dr_error_set(err, DR_FAULT_INTERNAL, "cannot lock %s: %s", path, strerror(errno));
		if (status == DR_FAULT_CONFLICT)
			dr_strlcpy(lk->holder_request_id, before.request_id, sizeof lk->holder_request_id);
		close(lk->fd);
		lk->fd = -1;
		return status;
	}
	lock_read_info(lk->fd, 0, &before);
	dr_strlcpy(lk->previous_request_id, before.request_id, sizeof lk->previous_request_id);
	lock_write_record(lk->fd, me);
	return 0;
}

/* Field n (from 0) of a /proc/locks line, its fields separated by blanks: its start, its length in
 * *len; NULL when the line has fewer. */
static const char *lock_field(const char *line, int n, size_t *len)
{
	const char *p = line;

	for (;;) {
		p += strspn(p, " \t\n");
		if (!*p)
			return NULL;
		*len = strcspn(p, " \t\n");
		if (n-- == 0)
			return p;
		p += *len;
	}
}

/* 1 when the field "MAJ:MIN:INODE" (major and minor in hex, the inode in decimal, as the kernel
 * prints them) names the file st describes. */
static int lock_field_names(const char *dev, size_t len, const struct stat *st)
{
	const char *end = dev + len, *c1 = memchr(dev, ':', len), *c2;
	unsigned long long maj, min, ino;

	c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
	return c2 && !dr_parse_unsigned(dev, (size_t)(c1 - dev), 16, UINT_MAX, &maj) &&
	       !dr_parse_unsigned(c1 + 1, (size_t)(c2 - c1 - 1), 16, UINT_MAX, &min) &&
	       !dr_parse_unsigned(c2 + 1, (size_t)(end - c2 - 1), 10, ULLONG_MAX, &ino) && maj == major(st->st_dev) &&
	       min == minor(st->st_dev) && ino == (unsigned long long)st->st_ino;
}

/* 1 when /proc/locks lists a granted flock on the file st describes. */
static int lock_listed(const struct stat *st)
{
	FILE *f = fopen("/proc/locks", "re");
	char line[256];
	const char *kind, *dev;
	size_t klen, dlen;
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof line, f)) {
		/* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; a waiter's line reads "1: -> FLOCK ...",
		 * so its second field is not FLOCK. */
		kind = lock_field(line, 1, &klen);
		dev = lock_field(line, 5, &dlen);
		found = kind && dev && klen == 5 && !memcmp(kind, "FLOCK", 5) && lock_field_names(dev, dlen, st);
	}
	fclose(f);
	return found;
}

/* Open the lock file read-only into *fd; 1 when /proc/locks lists it held, 0 when not (or absent:
 * *fd is then -1), -1 when it cannot be opened (errno set). */
static int lock_open_held(const char *state_dir, char *path, size_t cap, int *fd)
{
	struct stat st;

	*fd = -1;
	if (snprintf(path, cap, "%s/%s", state_dir, DR_LOCK_FILE) >= (int)cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return errno == ENOENT ? 0 : -1;
	return fstat(*fd, &st) == 0 && lock_listed(&st);
}

int dr_lock_peek(const char *state_dir, struct dr_error *err)
{
	struct dr_lock_info holder;
	char path[4096];
	int fd, held = lock_open_held(state_dir, path, sizeof path, &fd), rc = 0;

	if (held < 0)
		return dr_error_set(err, DR_FAULT_INTERNAL, "cannot open the deploy lock %s: %s", path, strerror(errno));
	if (held)
		rc = lock_busy(fd, state_dir, &holder, err);
	if (fd >= 0)
		close(fd);
	return rc;
}

int dr_lock_holder(const char *state_dir, struct dr_lock_info *info)
{
	char path[4096];
	int fd, held = lock_open_held(state_dir, path, sizeof path, &fd);

	memset(info, 0, sizeof *info);
	if (held > 0)
		lock_read_info(fd, 1, info);
	if (fd >= 0)
		close(fd);
	return held > 0;
}

void dr_lock_release(struct dr_lock *lk)
{
	if (lk->fd >= 0) {
		close(lk->fd);
		lk->fd = -1;
	}
}
