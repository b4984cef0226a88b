/* serve.h: a service its socket unit starts with Accept=no (the Docker
 * gate, the registry helper): systemd passes the listening socket as
 * fd 3; the service accepts, forks a child per connection, and exits once
 * no connection has come for a while, so that a unit start is paid once
 * per busy period instead of once per connection. Nothing to free. */
#ifndef DR_SERVE_H
#define DR_SERVE_H

#define DR_SERVE_IDLE_MAX_S 86400 /* the longest idle time a setting may ask for */

/* The listening socket systemd passed (LISTEN_FDS=1, LISTEN_PID ours, fd 3 listening), else -1. */
int dr_serve_listening_fd(void);

/* Accept on listen_fd until idle_s seconds pass with no connection and no child left (0: never);
 * each connection goes to a child, which closes listen_fd, runs serve(fd, arg) and exits 0; with 32
 * children running, further connections wait in the socket's backlog.
 * Returns 0 when idle, 1 when poll fails. */
int dr_serve_forking(int listen_fd, long idle_s, void (*serve)(int fd, void *arg), void *arg);

#endif
