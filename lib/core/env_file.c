/* env_file.c: NAME=value settings from the agent's .env (env_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "env_file.h"

/* 1 when systemd's EnvironmentFile= would read line as this reader does: no backslash (an escape or a
 * continuation), and a quote only as one pair around the whole value (else systemd joins lines or
 * drops quotes that this reader keeps). */
static int env_file_line_plain(const char *line)
{
	const char *eq = strchr(line, '='), *v, *end, *q;

	if (strchr(line, '\\'))
		return 0;
	if (!eq)
		return !strpbrk(line, "\"'");
	for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (end = v + strlen(v); end > v && strchr(" \t\r", end[-1]); end--)
		;
	q = strpbrk(v, "\"'");
	if (!q || q >= end)
		return !strpbrk(line, "\"'") || (strpbrk(line, "\"'") > eq);
	return q == v && end - v >= 2 && end[-1] == *v && !memchr(v + 1, *v, (size_t)(end - v - 2)) &&
	       !memchr(v + 1, *v == '"' ? '\'' : '"', (size_t)(end - v - 2));
}

/* One line: the value stored when its name is asked for. */
static void env_file_line(char *line, const char *const names[], size_t count, char (*values)[DR_ENV_VALUE_MAX])
{
	char *eq = strchr(line, '='), *name = line, *value, *end;
	size_t i, len;

	while (*name == ' ' || *name == '\t')
		name++;
	if (!eq || *name == '#' || *name == ';')
		return;
	for (end = eq; end > name && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*end = '\0';
	for (value = eq + 1; *value == ' ' || *value == '\t'; value++)
		;
	for (end = value + strlen(value); end > value && strchr(" \t\r", end[-1]); end--)
		;
	*end = '\0';
	if (end - value >= 2 && (*value == '"' || *value == '\'') && end[-1] == *value) {
		end[-1] = '\0';
		value++;
	}
	len = strlen(value);
	for (i = 0; i < count; i++) {
		if (strcmp(name, names[i]))
			continue;
		if (len < DR_ENV_VALUE_MAX)
			memcpy(values[i], value, len + 1);
		else
			values[i][0] = '\0'; /* too long: unset, never an earlier value (systemd's last wins) */
	}
}

/* The whole file at path into text (at most cap bytes; *n of them); 0, or -1 with errno set. Not
 * stdio: its buffer would keep a copy of the secrets the file also holds. */
static int env_file_slurp(const char *path, char *text, size_t cap, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;
	ssize_t got = 0;

	*n = 0;
	if (fd < 0)
		return -1;
	while (*n < cap && ((got = read(fd, text + *n, cap - *n)) > 0 || (got < 0 && errno == EINTR)))
		*n += got > 0 ? (size_t)got : 0;
	saved = errno;
	close(fd);
	errno = saved;
	return got < 0 ? -1 : 0;
}

/* Check the n bytes of text whole, then keep the values asked for; 0, or -1 with errno set. */
static int env_file_parse(char *text, size_t n, const char *const names[], size_t count,
			  char (*values)[DR_ENV_VALUE_MAX])
{
	char *line, *next;
	size_t i;

	if (n > DR_ENV_FILE_MAX) {
		errno = EFBIG;
		return -1;
	}
	if (memchr(text, '\0', n)) { /* a text file has none; strchr below would stop at it */
		errno = EINVAL;
		return -1;
	}
	text[n] = '\0';
	for (line = text; line; line = next) { /* checked whole before any value is kept */
		next = strchr(line, '\n');
		if (next)
			*next = '\0';
		if (line[strspn(line, " \t")] != '#' && line[strspn(line, " \t")] != ';' && !env_file_line_plain(line)) {
			errno = EINVAL;
			return -1;
		}
		if (next)
			*next++ = '\n';
	}
	for (i = 0; i < count; i++)
		values[i][0] = '\0';
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		env_file_line(line, names, count, values);
	}
	return 0;
}

int dr_env_file_read(const char *path, const char *const names[], size_t count, char (*values)[DR_ENV_VALUE_MAX])
{
	static char text[DR_ENV_FILE_MAX + 2];
	size_t n;
	int rc, saved;

	rc = env_file_slurp(path, text, DR_ENV_FILE_MAX + 1, &n);
	if (!rc)
		rc = env_file_parse(text, n, names, count, values);
	saved = errno;
	explicit_bzero(text, sizeof text); /* the file's other lines (secrets among them) are not kept */
	errno = saved;
	return rc;
}
