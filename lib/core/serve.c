/* serve.c: accept, fork a child per connection, exit when idle (serve.h). */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "number.h"
#include "serve.h"

#define SERVE_LISTEN_FD 3 /* SD_LISTEN_FDS_START */
#define SERVE_POLL_MS 1000
#define SERVE_CHILDREN_MAX 32 /* below the units' TasksMax: further clients wait in the backlog */

int dr_serve_listening_fd(void)
{
	const char *fds = dr_env("LISTEN_FDS"), *pid = dr_env("LISTEN_PID");
	int listening = 0;
	socklen_t len = sizeof listening;
	long listen_pid = 0;

	if (fds && !strcmp(fds, "1") && pid && !dr_parse_long(pid, 1, INT_MAX, &listen_pid) &&
	    listen_pid == (long)getpid() && !getsockopt(SERVE_LISTEN_FD, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) &&
	    listening)
		return SERVE_LISTEN_FD;
	return -1;
}

/* Reap the children that ended; the number still running. */
static int serve_children(int *active)
{
	int status;

	while (*active > 0 && waitpid(-1, &status, WNOHANG) > 0)
		(*active)--;
	return *active;
}

int dr_serve_forking(int listen_fd, long idle_s, void (*serve)(int fd, void *arg), void *arg)
{
	int active = 0;
	long long last = dr_now_ms();

	for (;;) {
		/* At the cap, accept nothing until a child ends: a connection waits rather than being
		 * accepted and dropped for want of a process. */
		struct pollfd p = { listen_fd, serve_children(&active) < SERVE_CHILDREN_MAX ? POLLIN : 0, 0 };
		int n = poll(&p, 1, SERVE_POLL_MS), fd;
		pid_t pid;
		if (n < 0 && errno != EINTR)
			return 1;
		if (n == 0 && serve_children(&active) == 0 && idle_s > 0 && dr_now_ms() - last > idle_s * 1000)
			return 0;
		if (n <= 0 || !(p.revents & POLLIN))
			continue;
		if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;
		last = dr_now_ms();
		if ((pid = fork()) == 0) {
			close(listen_fd);
			serve(fd, arg);
			_exit(0);
		}
		if (pid > 0)
			active++;
		close(fd); /* a failed fork closes this one connection; the next waits for a child to end */
	}
}
