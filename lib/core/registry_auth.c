/* registry_auth.c: registry credentials for X-Registry-Auth, read with the
 * project's strict JSON reader (json_read.h), so that the endpoints and the
 * registry helper share one reader without a JSON library. Secrets stay in
 * memory only as long as needed and are wiped. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "json_read.h"
#include "json_strict.h"
#include "jsonstr.h"
#include "registry_auth.h"

#define REGISTRY_AUTH_DEPTH 8

/* The file at path, whole, into text (DR_REGISTRY_AUTH_FILE_MAX + 1 bytes); its length, or -1. */
static long registry_auth_file(const char *path, char *text)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, text + len, (size_t)(DR_REGISTRY_AUTH_FILE_MAX + 1 - len))) > 0 && len + n <= DR_REGISTRY_AUTH_FILE_MAX)
		len += n;
	close(fd);
	return n < 0 || len + n > DR_REGISTRY_AUTH_FILE_MAX ? -1 : len;
}

/* The auths entry for registry, also under an http(s):// prefix; 0, or -1 when there is none. */
static int registry_auth_entry(const struct dr_json_value *root, const char *registry, struct dr_json_value *entry)
{
	static const char *const prefixes[] = { "", "https://", "http://" };
	struct dr_json_value auths;
	char key[512];
	size_t i;

	if (dr_json_get(root, "auths", &auths) || auths.type != DR_JSON_OBJECT)
		return -1;
	for (i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		if (snprintf(key, sizeof key, "%s%s", prefixes[i], registry) >= (int)sizeof key)
			return -1;
		if (!dr_json_get(&auths, key, entry) && entry->type == DR_JSON_OBJECT)
			return 0;
	}
	return -1;
}

static int registry_auth_encode(const char *user, const char *pass, const char *registry, char **out,
				struct dr_error *err)
{
	struct dr_buf json;
	size_t cap;
	int rc = 0;

	dr_buf_init(&json, 3 * DR_REGISTRY_CREDENTIAL_MAX * 6 + 1024);
	if (dr_buf_adds(&json, "{\"username\":") || dr_json_add_string(&json, user) || dr_buf_adds(&json, ",\"password\":") ||
	    dr_json_add_string(&json, pass) || dr_buf_adds(&json, ",\"serveraddress\":") ||
	    dr_json_add_string(&json, registry) || dr_buf_adds(&json, "}"))
		rc = dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: cannot encode credentials");
	cap = ((json.len + 2) / 3) * 4 + 1;
	if (!rc && (!(*out = malloc(cap)) || dr_base64url_encode((const unsigned char *)json.data, json.len, *out, cap)))
		rc = dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: cannot encode credentials");
	if (json.data)
		explicit_bzero(json.data, json.len);
	dr_buf_free(&json);
	return rc;
}

/* An entry's "auth": base64 of user:password, into user and pass (cap bytes each). 0 or a fault. */
static int registry_auth_decode(const struct dr_json_value *field, const char *registry, char *user, char *pass,
				size_t cap, struct dr_error *err)
{
	static char encoded[DR_REGISTRY_CREDENTIAL_MAX];
	unsigned char decoded[1024];
	long n = -1;
	char *colon = NULL;
	int rc = 0;

	if (dr_json_string(field, encoded, sizeof encoded))
		return dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: auth for %s must be a string", registry);
	n = dr_base64_decode(encoded, decoded, sizeof decoded - 1);
	colon = n > 0 ? memchr(decoded, ':', (size_t)n) : NULL;
	if (!colon) {
		rc = dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: auth for %s is not base64 of user:password%s", registry,
				  strlen(encoded) > (sizeof decoded - 1) / 3 * 4 ? " (or longer than 1 KiB decoded)" : "");
	} else {
		decoded[n] = '\0';
		*colon = '\0';
		if (dr_strlcpy(user, (char *)decoded, cap) || dr_strlcpy(pass, colon + 1, cap))
			rc = dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: credentials for %s too long", registry);
	}
	explicit_bzero(decoded, sizeof decoded);
	explicit_bzero(encoded, sizeof encoded);
	return rc;
}

/* An entry's user and password: its "auth", or its "username" and "password". 0 or a fault. */
static int registry_auth_fields(const struct dr_json_value *entry, const char *registry, char *user, char *pass,
				size_t cap, struct dr_error *err)
{
	struct dr_json_value field, u, pw;

	if (!dr_json_get(entry, "auth", &field))
		return registry_auth_decode(&field, registry, user, pass, cap, err);
	if (dr_json_get(entry, "username", &u) || dr_json_get(entry, "password", &pw) || u.type != DR_JSON_STRING ||
	    pw.type != DR_JSON_STRING)
		return dr_error_set(err, DR_FAULT_INTERNAL,
				    "REGISTRY_AUTH_FILE: entry for %s has neither auth nor username and password", registry);
	if (dr_json_string(&u, user, cap) || dr_json_string(&pw, pass, cap))
		return dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: credentials for %s too long", registry);
	return 0;
}

/* The user and password of registry's entry into user and pass (cap bytes each, wiped by the
 * caller); *found 0 when the file has none. 0 or an internal fault. */
static int registry_auth_read(const char *path, const char *registry, char *user, char *pass, size_t cap, int *found,
			      struct dr_error *err)
{
	static char text[DR_REGISTRY_AUTH_FILE_MAX + 1];
	struct dr_json_value root, entry;
	char why[160];
	long len = registry_auth_file(path, text);
	int rc = 0;

	*found = 0;
	if (len < 0)
		return dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: %s cannot be read whole (%d KiB at most)", path,
				    DR_REGISTRY_AUTH_FILE_MAX / 1024);
	if (dr_json_strict_check(text, (size_t)len, REGISTRY_AUTH_DEPTH, NULL, why, sizeof why) ||
	    dr_json_root(text, (size_t)len, &root) || root.type != DR_JSON_OBJECT)
		rc = dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: %s is not valid JSON", path);
	else if (!registry_auth_entry(&root, registry, &entry))
		*found = !(rc = registry_auth_fields(&entry, registry, user, pass, cap, err));
	explicit_bzero(text, (size_t)(len > 0 ? len : 0));
	return rc;
}

int dr_registry_auth_build(const char *path, const char *registry, char **out, struct dr_error *err)
{
	static char user[DR_REGISTRY_CREDENTIAL_MAX], pass[DR_REGISTRY_CREDENTIAL_MAX];
	int found, rc;

	*out = NULL;
	rc = registry_auth_read(path, registry, user, pass, sizeof user, &found, err);
	if (!rc && found)
		rc = registry_auth_encode(user, pass, registry, out, err);
	explicit_bzero(user, sizeof user);
	explicit_bzero(pass, sizeof pass);
	return rc;
}

int dr_registry_auth_userpass(const char *path, const char *registry, char **out, struct dr_error *err)
{
	static char user[DR_REGISTRY_CREDENTIAL_MAX], pass[DR_REGISTRY_CREDENTIAL_MAX];
	size_t cap;
	int found, rc;

	*out = NULL;
	if (!path)
		return 0;
	rc = registry_auth_read(path, registry, user, pass, sizeof user, &found, err);
	cap = strlen(user) + strlen(pass) + 2;
	if (!rc && found && (*out = malloc(cap)))
		snprintf(*out, cap, "%s:%s", user, pass);
	explicit_bzero(user, sizeof user);
	explicit_bzero(pass, sizeof pass);
	return rc;
}

void dr_registry_auth_free(char *value)
{
	if (!value)
		return;
	explicit_bzero(value, strlen(value));
	free(value);
}

int dr_registry_auth_for_repository(const char *path, const char *repository, char **out, struct dr_error *err)
{
	char registry[256];
	size_t n = strcspn(repository, "/");

	*out = NULL;
	if (!path)
		return 0;
	if (n >= sizeof registry)
		return dr_error_set(err, DR_FAULT_INTERNAL, "registry name too long");
	memcpy(registry, repository, n);
	registry[n] = '\0';
	return dr_registry_auth_build(path, registry, out, err);
}
