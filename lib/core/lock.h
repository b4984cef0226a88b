/* lock.h: the per-environment deploy lock. A non-blocking flock on
 * STATE_DIRECTORY/deploy.lock, held by deploy and stop for their whole run;
 * the kernel drops it when the process dies, so no lock is ever stale.
 * The holder writes who it is into the lock file so that a refused caller
 * can say who is busy. */
#ifndef DR_LOCK_H
#define DR_LOCK_H

#include "error.h"

#define DR_LOCK_FILE "deploy.lock"
#define DR_LOCK_RECORD_MAX 1024

struct dr_lock {
	int fd; /* -1 while not held */
	char previous_request_id[80]; /* the holder before this one, as the lock file named it ("" if none) */
	char holder_request_id[80];   /* after a refused dr_lock_acquire: who holds it ("" if unknown) */
};

/* Who holds, or last held, the lock: the fields of the lock file. */
struct dr_lock_info {
	char action[32];
	char image[512];
	char request_id[80];
	char since[40];
};

struct dr_lock_holder {
	const char *action;     /* "deploy" or "stop" */
	const char *image;      /* may be NULL */
	const char *request_id;
};

/* Take the lock without waiting; returns 0, a conflict naming the holder (its request id also in
 * lk->holder_request_id), or an internal fault. */
int dr_lock_acquire(struct dr_lock *lk, const char *state_dir, const struct dr_lock_holder *me, struct dr_error *err);

/* Without taking it (read from /proc/locks): 0 when the lock is free, or a conflict naming the holder. */
int dr_lock_peek(const char *state_dir, struct dr_error *err);

/* Who holds the lock now (/proc/locks and the lock file): 1 with *info filled, 0 when free or absent. */
int dr_lock_holder(const char *state_dir, struct dr_lock_info *info);

/* Release the lock if held; safe to call twice. */
void dr_lock_release(struct dr_lock *lk);

#endif
