/* fdio.h: reads bounded by a monotonic deadline and complete writes on
 * file descriptors, EINTR retried. Nothing is allocated. */
#ifndef DR_FDIO_H
#define DR_FDIO_H

#include <stddef.h>
#include <sys/types.h>

#define DR_FD_LATE 1   /* the deadline passed */
#define DR_FD_ERROR 2  /* the descriptor failed or reached end of file */

/* Wait until fd is readable or the deadline (ms, dr_now_ms clock) passes; 0, DR_FD_LATE or DR_FD_ERROR. */
int dr_fd_wait_readable(int fd, long long deadline_ms);

/* One read(2) of at most n bytes, retried on EINTR; returns what read returned. */
ssize_t dr_fd_read_some(int fd, void *p, size_t n);

/* Read exactly len bytes before the deadline; 0, DR_FD_LATE or DR_FD_ERROR. */
int dr_fd_read_exact(int fd, void *data, size_t len, long long deadline_ms);

/* Write all of len bytes to fd, retrying short writes; returns 0 or -1. */
int dr_write_all(int fd, const void *data, size_t len);

#endif
