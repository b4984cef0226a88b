/* fdio.c: deadline-bounded reads and complete writes. */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include "clock.h"
#include "fdio.h"

int dr_fd_wait_readable(int fd, long long deadline_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		long long left = deadline_ms - dr_now_ms();
		int rc;
		if (left <= 0)
			return DR_FD_LATE;
		rc = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (rc > 0)
			return 0;
		if (rc == 0)
			return DR_FD_LATE;
		if (errno != EINTR)
			return DR_FD_ERROR;
	}
}

ssize_t dr_fd_read_some(int fd, void *p, size_t n)
{
	ssize_t got;

	do
		got = read(fd, p, n);
	while (got < 0 && errno == EINTR);
	return got;
}

int dr_fd_read_exact(int fd, void *data, size_t len, long long deadline_ms)
{
	char *p = data;

	while (len > 0) {
		ssize_t n;
		int rc = dr_fd_wait_readable(fd, deadline_ms);
		if (rc)
			return rc;
		n = dr_fd_read_some(fd, p, len);
		if (n <= 0)
			return DR_FD_ERROR;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int dr_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
