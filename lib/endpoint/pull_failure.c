/* pull_failure.c: the engine's words for a failed pull, and what they mean. */

#include <string.h>

#include "pull_failure.h"

/* Substrings of the engine's message, checked in this order: a full disk or a rate limit
 * can come with words of the others. */
static const struct {
	enum dr_pull_failure kind;
	const char *text;
} pull_words[] = {
	{ DR_PULL_NO_SPACE, "no space left on device" },
	{ DR_PULL_RATE_LIMITED, "toomanyrequests" },
	{ DR_PULL_RATE_LIMITED, "too many requests" },
	{ DR_PULL_RATE_LIMITED, "status: 429" },
	{ DR_PULL_CREDENTIALS, "unauthorized" },
	{ DR_PULL_CREDENTIALS, "authentication required" },
	{ DR_PULL_CREDENTIALS, "no basic auth credentials" },
	{ DR_PULL_CREDENTIALS, "denied" },
	{ DR_PULL_CREDENTIALS, "incorrect username or password" },
	{ DR_PULL_NOT_FOUND, "manifest unknown" },
	{ DR_PULL_NOT_FOUND, "not found" },
	{ DR_PULL_NOT_FOUND, "name unknown" },
	{ DR_PULL_UNREACHABLE, "connection refused" },
	{ DR_PULL_UNREACHABLE, "no such host" },
	{ DR_PULL_UNREACHABLE, "i/o timeout" },
	{ DR_PULL_UNREACHABLE, "connection reset" },
	{ DR_PULL_UNREACHABLE, "x509:" },
	{ DR_PULL_UNREACHABLE, "tls:" },
	{ DR_PULL_UNREACHABLE, "http response to https client" },
	{ DR_PULL_UNREACHABLE, "network is unreachable" },
};

enum dr_pull_failure dr_pull_failure_kind(const char *engine_message)
{
	size_t i;

	for (i = 0; engine_message && i < sizeof pull_words / sizeof *pull_words; i++)
		if (strcasestr(engine_message, pull_words[i].text))
			return pull_words[i].kind;
	return DR_PULL_FAILED;
}

static const char *pull_or(const char *s, const char *fallback)
{
	return s && s[0] ? s : fallback;
}

/* What an operator does about refused credentials; GHCR's two traps named. */
static int pull_explain_credentials(const struct dr_pull_context *c, const char *msg, struct dr_error *err)
{
	const char *registry = pull_or(c->registry, "the registry");
	int ghcr = c->registry && !strcmp(c->registry, "ghcr.io");

	return dr_error_set(err, DR_FAULT_UPSTREAM,
			    "pull of %s failed: %s refused the credentials (%s)%s; the engine said: %s",
			    pull_or(c->reference, "the image"), registry,
			    c->credentials ? "the entry for it in REGISTRY_AUTH_FILE" : "none: REGISTRY_AUTH_FILE has no entry for it",
			    ghcr ? ": a private GHCR package needs a classic personal access token with read:packages in "
				   "REGISTRY_AUTH_FILE, and a workflow's GITHUB_TOKEN stops working when its job ends"
				 : ": put a token that may read the repository in REGISTRY_AUTH_FILE",
			    msg);
}

int dr_pull_failure_explain(enum dr_pull_failure kind, const struct dr_pull_context *c, const char *engine_message,
			    struct dr_error *err)
{
	const char *ref = pull_or(c->reference, "the image"), *registry = pull_or(c->registry, "the registry");
	const char *msg = pull_or(engine_message, "(no message)");

	switch (kind) {
	case DR_PULL_CREDENTIALS:
		return pull_explain_credentials(c, msg, err);
	case DR_PULL_NOT_FOUND:
		return dr_error_set(err, DR_FAULT_UPSTREAM,
				    "pull of %s failed: the registry does not resolve %s: the tag does not exist there "
				    "(check what CI pushed; a private package read without credentials can look the same); "
				    "the engine said: %s", ref, ref, msg);
	case DR_PULL_RATE_LIMITED:
		if (c->retry_after_s >= 0)
			return dr_error_set(err, DR_FAULT_RATE_LIMITED,
					    "pull of %s failed: %s is rate limiting pulls; it asks to retry after %ld s; "
					    "the engine said: %s", ref, registry, c->retry_after_s, msg);
		return dr_error_set(err, DR_FAULT_RATE_LIMITED,
				    "pull of %s failed: %s is rate limiting pulls (it gave no retry time); retry later; "
				    "the engine said: %s", ref, registry, msg);
	case DR_PULL_NO_SPACE:
		return dr_error_set(err, DR_FAULT_NO_SPACE,
				    "pull of %s failed: no space left on the engine's data root %s; the running container is "
				    "untouched. Each deploy keeps KEEP_IMAGES=%ld of this environment's images; free space "
				    "there (docs/operations.md, a full disk) and deploy again; the engine said: %s",
				    ref, pull_or(c->data_root, "(unknown)"), c->keep_images, msg);
	case DR_PULL_UNREACHABLE:
		return dr_error_set(err, DR_FAULT_UPSTREAM,
				    "pull of %s failed: %s cannot be reached from the engine (its name, the network, or its "
				    "TLS certificate); the engine said: %s", ref, registry, msg);
	default:
		return dr_error_set(err, DR_FAULT_UPSTREAM, "pull of %s failed: %s", ref, msg);
	}
}
