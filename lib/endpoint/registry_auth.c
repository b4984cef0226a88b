/* registry_auth.c: registry credentials for X-Registry-Auth. Secrets stay
 * in memory only as long as needed and are wiped. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base64.h"
#include "registry_auth.h"

/* The auths entry for registry, also under an http(s):// prefix. */
static json_object *registry_auth_entry(json_object *root, const char *registry)
{
	static const char *const prefixes[] = { "", "https://", "http://" };
	json_object *auths, *entry;
	char key[512];
	size_t i;

	if (!json_object_object_get_ex(root, "auths", &auths))
		return NULL;
	for (i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		if (snprintf(key, sizeof key, "%s%s", prefixes[i], registry) >= (int)sizeof key)
			return NULL;
		if (json_object_object_get_ex(auths, key, &entry) && json_object_is_type(entry, json_type_object))
			return entry;
	}
	return NULL;
}

static int registry_auth_encode(const char *user, const char *pass, const char *registry, char **out,
				struct dr_error *err)
{
	json_object *o = json_object_new_object();
	const char *text;
	size_t len, cap;
	int rc = 0;

	json_object_object_add(o, "username", json_object_new_string(user));
	json_object_object_add(o, "password", json_object_new_string(pass));
	json_object_object_add(o, "serveraddress", json_object_new_string(registry));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	len = strlen(text);
	cap = ((len + 2) / 3) * 4 + 1;
	*out = malloc(cap);
	if (!*out || dr_base64url_encode((const unsigned char *)text, len, *out, cap))
		rc = dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: cannot encode credentials");
	explicit_bzero((char *)text, len);
	json_object_put(o);
	return rc;
}

/* The user and password of registry's entry into user and pass (cap bytes each, wiped by the
 * caller); *found 0 when the file has none. 0 or an internal fault. */
static int registry_auth_read(const char *path, const char *registry, char *user, char *pass, size_t cap, int *found,
			      struct dr_error *err)
{
	json_object *root = json_object_from_file(path);
	json_object *entry, *field = NULL, *u = NULL, *pw = NULL;
	unsigned char decoded[1024];
	long n;
	char *colon;
	int rc = 0;

	*found = 0;
	if (!root)
		return dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: %s is not valid JSON", path);
	if (!(entry = registry_auth_entry(root, registry)))
		goto done;
	if (json_object_object_get_ex(entry, "auth", &field) && !json_object_is_type(field, json_type_string)) {
		/* json-c gives null as a NULL object: never read it as a string. */
		rc = dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: auth for %s must be a string", registry);
	} else if (field) {
		n = dr_base64_decode(json_object_get_string(field), decoded, sizeof decoded - 1);
		colon = n > 0 ? memchr(decoded, ':', (size_t)n) : NULL;
		if (!colon) {
			rc = dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: auth for %s is not base64 of user:password%s", registry,
					  strlen(json_object_get_string(field)) > (sizeof decoded - 1) / 3 * 4
						  ? " (or longer than 1 KiB decoded)" : "");
			goto done;
		}
		decoded[n] = '\0';
		*colon = '\0';
		if (dr_strlcpy(user, (char *)decoded, cap) || dr_strlcpy(pass, colon + 1, cap))
			rc = dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: credentials for %s too long", registry);
		*found = !rc;
	} else {
		json_object_object_get_ex(entry, "username", &u);
		json_object_object_get_ex(entry, "password", &pw);
		if (!json_object_is_type(u, json_type_string) || !json_object_is_type(pw, json_type_string))
			rc = dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: entry for %s has neither auth nor username and password",
					  registry);
		else if (dr_strlcpy(user, json_object_get_string(u), cap) || dr_strlcpy(pass, json_object_get_string(pw), cap))
			rc = dr_error_set(err, DR_FAULT_INTERNAL, "REGISTRY_AUTH_FILE: credentials for %s too long", registry);
		*found = !rc;
	}
done:
	explicit_bzero(decoded, sizeof decoded);
	json_object_put(root);
	return rc;
}

int dr_registry_auth_build(const char *path, const char *registry, char **out, struct dr_error *err)
{
	char user[DR_REGISTRY_CREDENTIAL_MAX] = "", pass[DR_REGISTRY_CREDENTIAL_MAX] = "";
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
	char user[DR_REGISTRY_CREDENTIAL_MAX] = "", pass[DR_REGISTRY_CREDENTIAL_MAX] = "";
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
