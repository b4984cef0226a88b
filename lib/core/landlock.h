/* landlock.h: the dispatcher confines its own file system view (and that
 * of every program it execs) with Landlock before it reads a byte of the
 * request: read and execute only under the paths it is given, write only
 * under its state directory and /dev/null. libc only; nothing to free. */
#ifndef DR_LANDLOCK_H
#define DR_LANDLOCK_H

#define DR_LANDLOCK_PATHS_MAX 32 /* read paths a caller may give, at most */

/* Confine this process: read (and execute) under each of read_paths, every file right under
 * each of write_paths (NULL-terminated lists; a missing path is skipped). Returns 0, 1 when the
 * kernel offers no Landlock (nothing was done), or -1 with errno set. */
int dr_landlock_confine(const char *const read_paths[], const char *const write_paths[]);

#endif
