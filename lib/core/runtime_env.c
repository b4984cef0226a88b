/* runtime_env.c: parse and validate the runtime env file. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "percent.h"
#include "runtime_env.h"

const char *const dr_runtime_var_names[DR_RUNTIME_VARS] = {
	"RUNTIME_INSTANCE_ID", "LOGICAL_TIME_SOURCE", "EXECUTION_PLANE", "EXCHANGE_PROVIDER", "SAFETY_MODE",
	"PERSISTENCE_MODE", "SNAPSHOT_STRATEGY", "ENABLE_AUDIT_LOGGING", "DATABASE_URL", "LOG_LEVEL",
};

int dr_runtime_var_index(const char *name)
{
	int i;

	for (i = 0; i < DR_RUNTIME_VARS; i++)
		if (!strcmp(name, dr_runtime_var_names[i]))
			return i;
	return -1;
}

static int key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static void runtime_env_parse_line(struct dr_runtime_env *env, const char *line, size_t len, int lineno,
				   struct dr_problems *p)
{
	const char *eq = memchr(line, '=', len);
	char key[64];
	size_t klen, i;
	int idx;

	if (!eq) {
		dr_problems_add(p, "line %d: expected KEY=VALUE", lineno);
		return;
	}
	klen = (size_t)(eq - line);
	for (i = 0; i < klen; i++)
		if (!key_char(line[i]))
			break;
	if (klen == 0 || i < klen || klen >= sizeof key) {
		dr_problems_add(p, "line %d: malformed variable name (use A-Z, 0-9 and _ with no spaces)", lineno);
		return;
	}
	memcpy(key, line, klen);
	key[klen] = '\0';
	if ((idx = dr_runtime_var_index(key)) < 0) {
		dr_problems_add(p, "%s: unknown runtime variable (line %d); only the ten of the runtime model are allowed",
				key, lineno);
		return;
	}
	if (memchr(eq + 1, '\0', len - klen - 1)) {
		dr_problems_add(p, "%s: value contains a NUL byte", key);
		return;
	}
	if (env->values[idx]) {
		dr_problems_add(p, "%s: set more than once (line %d)", key, lineno);
		return;
	}
	env->values[idx] = strndup(eq + 1, len - klen - 1);
	if (!env->values[idx])
		dr_problems_add(p, "%s: out of memory", key);
}

void dr_runtime_env_parse(struct dr_runtime_env *env, const char *text, size_t len, struct dr_problems *p)
{
	size_t pos = 0;
	int lineno = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *line = text + pos;
		lineno++;
		pos += llen + (nl ? 1 : 0);
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		if (llen > DR_RUNTIME_LINE_MAX) {
			dr_problems_add(p, "line %d: longer than %d bytes", lineno, DR_RUNTIME_LINE_MAX);
			continue;
		}
		if (llen == 0 || line[0] == '#')
			continue;
		runtime_env_parse_line(env, line, llen, lineno, p);
	}
}

static int is_identifier(const char *v)
{
	size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-");

	return n > 0 && v[n] == '\0';
}

static int is_instance_id(const char *v)
{
	size_t n = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

	return n > 0 && n <= 64 && v[n] == '\0';
}

/* A query keyword libpq would use to connect somewhere other than the URL's own host and database. */
static int database_url_redirects(const char *key, size_t len)
{
	static const char *const keys[] = { "dbname", "host", "hostaddr", "port", "service", "servicefile" };
	char decoded[32];
	size_t i;

	/* libpq percent-decodes keywords too. */
	dr_percent_decode(key, len, decoded, sizeof decoded);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!strcasecmp(decoded, keys[i]))
			return 1;
	return 0;
}

/* Every key of the query (after '?', up to '#'); a redirecting one is a problem naming the key. */
static int database_url_query_check(const char *query, struct dr_problems *p)
{
	const char *end = query + strcspn(query, "#");

	while (query < end) {
		size_t item = strcspn(query, "&#"), key = strcspn(query, "=&#");
		if (key > item)
			key = item;
		if (database_url_redirects(query, key)) {
			dr_problems_add(p, "DATABASE_URL: the query may not set %.*s; it would point the runtime at another host or database",
					(int)(key < 32 ? key : 32), query);
			return -1;
		}
		query += item + (query[item] == '&');
	}
	return 0;
}

/* The database name of a postgres:// URL: the first path segment after the authority. */
static int database_url_check(const char *v, enum dr_environment e, struct dr_problems *p)
{
	const char *name = dr_environment_name(e);
	const char *path, *end;
	size_t want_len = strlen("dreichor_") + strlen(name);

	if (strncmp(v, "postgres://", 11)) {
		dr_problems_add(p, "DATABASE_URL: must start with postgres://");
		return -1;
	}
	path = strchr(v + 11, '/');
	if (!path) {
		dr_problems_add(p, "DATABASE_URL: names no database; it must be dreichor_%s", name);
		return -1;
	}
	path++;
	end = path + strcspn(path, "?#");
	if ((size_t)(end - path) != want_len || strncmp(path, "dreichor_", 9) || strncmp(path + 9, name, strlen(name))) {
		dr_problems_add(p, "DATABASE_URL: database must be dreichor_%s", name);
		return -1;
	}
	return *end == '?' ? database_url_query_check(end + 1, p) : 0;
}

static void runtime_env_check_value(int idx, const char *v, enum dr_environment e, const char *plane,
				    struct dr_problems *p)
{
	const char *name = dr_runtime_var_names[idx];
	int prod = e == DR_ENV_PROD;

	switch ((enum dr_runtime_var)idx) {
	case DR_RT_RUNTIME_INSTANCE_ID:
		if (!is_instance_id(v))
			dr_problems_add(p, "%s: must be 1-64 of A-Z a-z 0-9 . _ -", name);
		break;
	case DR_RT_LOGICAL_TIME_SOURCE:
		if (strcmp(v, "monotonic"))
			dr_problems_add(p, "%s: must be monotonic", name);
		break;
	case DR_RT_EXECUTION_PLANE:
		if (!plane || strcmp(v, plane))
			dr_problems_add(p, "%s: must equal ALLOW_EXECUTION_PLANE (%s)", name, plane ? plane : "unset");
		break;
	case DR_RT_EXCHANGE_PROVIDER:
	case DR_RT_SNAPSHOT_STRATEGY:
		if (!is_identifier(v))
			dr_problems_add(p, "%s: must be an identifier of a-z 0-9 _ -", name);
		break;
	case DR_RT_SAFETY_MODE:
		if (!is_identifier(v))
			dr_problems_add(p, "%s: must be an identifier of a-z 0-9 _ -", name);
		else if (prod && strcmp(v, "strict"))
			dr_problems_add(p, "%s: must be strict in prod", name);
		break;
	case DR_RT_PERSISTENCE_MODE:
		if (strcmp(v, "filesystem"))
			dr_problems_add(p, "%s: must be filesystem", name);
		break;
	case DR_RT_ENABLE_AUDIT_LOGGING:
		if (strcmp(v, "true") && strcmp(v, "false"))
			dr_problems_add(p, "%s: must be exactly true or false", name);
		else if (prod && strcmp(v, "true"))
			dr_problems_add(p, "%s: must be true in prod", name);
		break;
	case DR_RT_DATABASE_URL:
		database_url_check(v, e, p);
		break;
	case DR_RT_LOG_LEVEL:
		if (strcmp(v, "error") && strcmp(v, "warn") && strcmp(v, "info") && strcmp(v, "debug"))
			dr_problems_add(p, "%s: must be error, warn, info or debug", name);
		else if (prod && !strcmp(v, "debug"))
			dr_problems_add(p, "%s: debug is not allowed in prod", name);
		break;
	}
}

void dr_runtime_env_validate(const struct dr_runtime_env *env, enum dr_environment e, const char *allowed_plane,
			     struct dr_problems *p)
{
	int i;

	for (i = 0; i < DR_RUNTIME_VARS; i++) {
		if (!env->values[i])
			dr_problems_add(p, "%s: required runtime variable missing", dr_runtime_var_names[i]);
		else
			runtime_env_check_value(i, env->values[i], e, allowed_plane, p);
	}
}

int dr_runtime_env_load(struct dr_runtime_env *env, const char *path, enum dr_environment e,
			const char *allowed_plane, struct dr_problems *p)
{
	char *text = NULL;
	size_t len = 0;
	int before = p->count;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(env, 0, sizeof *env);
	if (fd < 0) {
		dr_problems_add(p, "RUNTIME_ENV_FILE: cannot open %s: %s", path, strerror(errno));
		goto done;
	}
	text = malloc(DR_RUNTIME_FILE_MAX + 1);
	if (!text) {
		dr_problems_add(p, "RUNTIME_ENV_FILE: out of memory");
		goto done;
	}
	for (;;) {
		ssize_t n = read(fd, text + len, DR_RUNTIME_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			dr_problems_add(p, "RUNTIME_ENV_FILE: cannot read %s: %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > DR_RUNTIME_FILE_MAX) {
			dr_problems_add(p, "RUNTIME_ENV_FILE: larger than %d bytes", DR_RUNTIME_FILE_MAX);
			goto done;
		}
	}
	dr_runtime_env_parse(env, text, len, p);
	dr_runtime_env_validate(env, e, allowed_plane, p);
done:
	if (text) {
		explicit_bzero(text, DR_RUNTIME_FILE_MAX + 1);
		free(text);
	}
	if (fd >= 0)
		close(fd);
	return p->count - before;
}

void dr_runtime_env_free(struct dr_runtime_env *env)
{
	int i;

	if (!env)
		return;
	for (i = 0; i < DR_RUNTIME_VARS; i++) {
		if (env->values[i]) {
			explicit_bzero(env->values[i], strlen(env->values[i]));
			free(env->values[i]);
			env->values[i] = NULL;
		}
	}
}
