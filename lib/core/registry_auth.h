/* registry_auth.h: X-Registry-Auth for pulls, and a registry's user and
 * password, from a Docker config.json-format credentials file
 * (REGISTRY_AUTH_FILE). In lib/core (libc, Nettle's base64) so that the
 * endpoints and the registry helper read it alike. */
#ifndef DR_REGISTRY_AUTH_H
#define DR_REGISTRY_AUTH_H

#include "error.h"

#define DR_REGISTRY_AUTH_FILE_MAX 65536
#define DR_REGISTRY_CREDENTIAL_MAX 16384 /* a user name or a password; the header's own limit names longer ones */

/* Build the header value for registry (host[:port]) from the file at path.
 * *out is malloc'd; the caller wipes and frees it (dr_registry_auth_free).
 * Returns 0, with *out NULL when the file has no entry for registry, or an internal fault. */
int dr_registry_auth_build(const char *path, const char *registry, char **out, struct dr_error *err);

/* The same for the registry an image repository lives in (its first path component);
 * path NULL (no credentials configured) gives *out NULL. */
int dr_registry_auth_for_repository(const char *path, const char *repository, char **out, struct dr_error *err);

/* "user:password" of registry's entry (for a registry's own Basic or token request) into *out,
 * malloc'd (dr_registry_auth_free); path NULL or no entry gives *out NULL. 0 or an internal fault. */
int dr_registry_auth_userpass(const char *path, const char *registry, char **out, struct dr_error *err);

/* Wipe and free a value from dr_registry_auth_build or dr_registry_auth_userpass; accepts NULL. */
void dr_registry_auth_free(char *value);

#endif
