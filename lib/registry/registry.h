/* registry.h: an OCI distribution client for the agent's own registry
 * lookups (a rate limit's retry time; image signatures). HTTPS with
 * certificate verification against the system's CAs and, as Docker does,
 * /etc/docker/certs.d/<host>/ca.crt; plain HTTP only for a loopback
 * registry, which Docker itself treats as insecure. The bearer-token and
 * Basic challenges are answered with REGISTRY_AUTH_FILE's credentials, or
 * anonymously. Debian's libcurl with TLS: linked by dreichor-registry
 * only, never by an endpoint. The struct owns everything it holds:
 * dr_registry_close wipes and frees it. */
#ifndef DR_REGISTRY_H
#define DR_REGISTRY_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

#define DR_REGISTRY_TIMEOUT_SECONDS 20
#define DR_REGISTRY_TOKEN_MAX 16384      /* a bearer token answer */
#define DR_REGISTRY_MANIFEST_MAX (4 * 1024 * 1024) /* the distribution spec's manifest limit */

/* Every manifest and index type a tag may resolve to. */
#define DR_REGISTRY_ACCEPT_MANIFESTS                                                                    \
	"application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "         \
	"application/vnd.docker.distribution.manifest.list.v2+json, "                                 \
	"application/vnd.docker.distribution.manifest.v2+json"

struct dr_registry {
	void *curl;                  /* CURL * */
	char host[256];              /* host[:port] */
	char name[256];              /* the repository's path below the host */
	char base[300];              /* scheme://host */
	char *userpass;              /* "user:password" from REGISTRY_AUTH_FILE, or NULL; wiped */
	char *authorization;         /* the header answering the last challenge, or NULL; wiped */
	int basic;                   /* the registry asked for Basic: send userpass from the start */
	long status;                 /* of the last answer */
	long retry_after_s;          /* its Retry-After in seconds, -1 when none */
	char digest[80];             /* its Docker-Content-Digest */
	char content_type[160];
	char challenge[1024];        /* its WWW-Authenticate */
	struct dr_buf body;          /* of the last answer, capped by the caller */
	char error[256];             /* libcurl's words for a failed transfer */
};

/* Prepare r for repository (host/path); auth_file may be NULL. 0 or a fault (internal). */
int dr_registry_open(struct dr_registry *r, const char *repository, const char *auth_file, struct dr_error *err);

/* method ("GET" or "HEAD") on /v2/<name>/<what> with accept (may be NULL), keeping at most
 * body_max bytes of the answer; a 401 is answered once (token or Basic) and asked again.
 * 0 with r->status set, or a fault (upstream) when no answer came. */
int dr_registry_request(struct dr_registry *r, const char *method, const char *what, const char *accept,
			size_t body_max, struct dr_error *err);

/* Wipe and free what r holds; accepts one that failed to open. */
void dr_registry_close(struct dr_registry *r);

#endif
