/* env_file.h: settings a long-running service reads afresh, for every
 * connection, from the agent's environment file (its .env), as systemd's
 * EnvironmentFile= reads it for the agent: NAME=value lines, blanks around
 * either side, one pair of quotes around a whole value, '#' and ';'
 * comments; the last of a name wins. A file systemd would read otherwise
 * (a backslash anywhere outside a comment, a quote that does not wrap a
 * whole value: escapes, continuations, values over several lines) is
 * refused whole, so that a service never acts on another value than the
 * agent sees. Only the names asked for are kept, and the text read is
 * wiped (the file holds the agent's secrets too). The caller owns the
 * values array; nothing to free. */
#ifndef DR_ENV_FILE_H
#define DR_ENV_FILE_H

#include <stddef.h>

#define DR_ENV_FILE_MAX 65536 /* bytes of the file: a longer one is refused whole */
#define DR_ENV_VALUE_MAX 1024 /* bytes of a value with its NUL: a longer one is left unset */

/* values[i] := the value of names[i] in the file at path ("" when absent, or longer than
 * DR_ENV_VALUE_MAX); 0, or -1 with errno set when it cannot be read whole or is refused (EINVAL;
 * values then untouched). */
int dr_env_file_read(const char *path, const char *const names[], size_t count, char (*values)[DR_ENV_VALUE_MAX]);

#endif
