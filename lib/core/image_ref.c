/* image_ref.c: image references and which of them may be deployed. */

#include <string.h>

#include "image_ref.h"

static int is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int all_lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_lower_hex(s[i]))
			return 0;
	return 1;
}

int dr_image_digest_valid(const char *s)
{
	return !strncmp(s, "sha256:", 7) && strlen(s) == DR_IMAGE_DIGEST_LEN && all_lower_hex(s + 7, 64);
}

/* Path components: lowercase alphanumerics with single separators . _ __ - inside. */
static int repository_path_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (alnum)
			continue;
		if (c == '/' || c == '.' || c == '_' || c == '-') {
			if (i == 0 || i == n - 1)
				return 0;
			if (c == '/' && (s[i - 1] == '/' || s[i + 1] == '/'))
				return 0;
			continue;
		}
		return 0;
	}
	return 1;
}

/* Registry host: letters, digits, dots, dashes, then an optional :port of digits. */
static int registry_host_valid(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t host_len = colon ? (size_t)(colon - s) : n;
	size_t i;

	if (host_len == 0 || (colon && host_len + 1 == n))
		return 0;
	for (i = 0; i < host_len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
			return 0;
	}
	for (i = host_len + 1; colon && i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int dr_image_repository_check(const char *text, struct dr_error *err)
{
	size_t n = strlen(text);
	const char *slash = strchr(text, '/');

	if (n > DR_IMAGE_REPO_MAX)
		return dr_error_set(err, DR_FAULT_INTERNAL, "repository name longer than %d characters", DR_IMAGE_REPO_MAX);
	if (!slash)
		return dr_error_set(err, DR_FAULT_INTERNAL, "must name a registry and a path, e.g. ghcr.io/owner/repo/runtime");
	if (!registry_host_valid(text, (size_t)(slash - text)) ||
	    !repository_path_valid(slash + 1, n - (size_t)(slash + 1 - text)))
		return dr_error_set(err, DR_FAULT_INTERNAL, "not a valid repository name (no tag, no digest, lowercase path)");
	return 0;
}

int dr_image_ref_parse(const char *text, struct dr_image_ref *ref, struct dr_error *err)
{
	size_t n = strnlen(text, DR_IMAGE_REF_MAX + 1);
	const char *at, *last_slash, *colon;
	size_t repo_len;

	memset(ref, 0, sizeof *ref);
	if (n == 0 || n > DR_IMAGE_REF_MAX)
		return dr_error_set(err, DR_FAULT_POLICY, "image reference must be 1 to %d characters", DR_IMAGE_REF_MAX);
	at = strchr(text, '@');
	if (at) {
		if (!dr_image_digest_valid(at + 1))
			return dr_error_set(err, DR_FAULT_POLICY, "image digest must be sha256: followed by 64 lowercase hex digits");
		memcpy(ref->digest, at + 1, DR_IMAGE_DIGEST_LEN);
		n = (size_t)(at - text);
	}
	last_slash = memrchr(text, '/', n);
	colon = memrchr(text, ':', n);
	if (colon && (!last_slash || colon > last_slash)) {
		size_t tag_len = n - (size_t)(colon + 1 - text);
		if (tag_len == 0 || tag_len > DR_IMAGE_TAG_MAX)
			return dr_error_set(err, DR_FAULT_POLICY, "image tag must be 1 to %d characters", DR_IMAGE_TAG_MAX);
		memcpy(ref->tag, colon + 1, tag_len);
		repo_len = (size_t)(colon - text);
	} else {
		repo_len = n;
	}
	if (repo_len == 0 || repo_len > DR_IMAGE_REPO_MAX)
		return dr_error_set(err, DR_FAULT_POLICY, "image repository must be 1 to %d characters", DR_IMAGE_REPO_MAX);
	memcpy(ref->repository, text, repo_len);
	if (!ref->tag[0] && !ref->digest[0])
		return dr_error_set(err, DR_FAULT_POLICY, "image reference needs an immutable tag or a digest; an implicit latest is refused");
	return 0;
}

/* A version X.Y.Z of decimal numbers, optionally followed by -dev. */
static int tag_is_version(const char *t, int *is_dev)
{
	int part;

	*is_dev = 0;
	for (part = 0; part < 3; part++) {
		size_t digits = strspn(t, "0123456789");
		if (digits == 0 || digits > 9)
			return 0;
		t += digits;
		if (part < 2) {
			if (*t != '.')
				return 0;
			t++;
		}
	}
	if (!strcmp(t, "-dev")) {
		*is_dev = 1;
		return 1;
	}
	return *t == '\0';
}

static int tag_is_commit_sha(const char *t)
{
	size_t n = strlen(t);

	return n >= 7 && n <= 40 && all_lower_hex(t, n);
}

int dr_image_ref_check_policy(const struct dr_image_ref *ref, const char *repository, int dev_allowed,
			      struct dr_error *err)
{
	int is_dev = 0;

	if (strcmp(ref->repository, repository))
		return dr_error_set(err, DR_FAULT_POLICY, "image must come from %s", repository);
	if (!ref->tag[0])
		return 0;
	if (!strcmp(ref->tag, "latest"))
		return dr_error_set(err, DR_FAULT_POLICY, "the latest tag is mutable and refused; deploy a commit SHA or X.Y.Z tag");
	if (tag_is_commit_sha(ref->tag))
		return 0;
	if (!tag_is_version(ref->tag, &is_dev))
		return dr_error_set(err, DR_FAULT_POLICY, "tag %s is not immutable: use a commit SHA (7-40 lowercase hex) or X.Y.Z%s",
				    ref->tag, dev_allowed ? " or X.Y.Z-dev" : "");
	if (is_dev && !dev_allowed)
		return dr_error_set(err, DR_FAULT_POLICY, "tag %s is a dev-only pre-release and refused in prod", ref->tag);
	return 0;
}

int dr_image_ref_check_tag_digest(const struct dr_image_ref *ref, const char *tag_digest, struct dr_error *err)
{
	if (!ref->tag[0] || !ref->digest[0] || !strcmp(ref->digest, tag_digest))
		return 0;
	return dr_error_set(err, DR_FAULT_CONFLICT, "tag %s resolves to %s in the registry, not to the requested %s; deploy by digest alone or fix the reference",
			    ref->tag, tag_digest, ref->digest);
}
