/* config.h: the agent configuration, read from the process environment
 * in one place (dr_env is the only getenv of the programs) and validated
 * rule by rule. String
 * fields point into the environment; the two secrets are owned copies that
 * dr_config_free wipes and frees. */
#ifndef DR_CONFIG_H
#define DR_CONFIG_H

#include <stddef.h>

#include "error.h"

#define DR_SECRET_MAX 4096
#define DR_SECRET_MIN 32   /* bytes; a Cloudflare service token's secret is 64 hex digits */
#define DR_STOP_TIMEOUT_DEFAULT 10
#define DR_STOP_TIMEOUT_MAX 3600
#define DR_GRACE_DEFAULT 5
#define DR_GRACE_MAX 600
#define DR_KEEP_IMAGES_DEFAULT 3
#define DR_KEEP_IMAGES_MIN 2     /* the previous image stays for a rollback */
#define DR_KEEP_IMAGES_MAX 100
#define DR_DOCKER_SOCKET_MAX 107 /* sun_path less its NUL */
#define DR_SIGNATURE_IDENTITIES_MAX 16       /* identities in IMAGE_SIGNATURE_IDENTITY */
#define DR_SIGNATURE_IDENTITY_MAX 511        /* bytes of one identity (a certificate's SAN) */
#define DR_SIGNATURE_IDENTITIES_TEXT_MAX 1024 /* bytes of the whole list with its NUL (an .env value's room) */
#define DR_SIGNATURE_ISSUER_MAX 255          /* bytes of IMAGE_SIGNATURE_ISSUER */
#define DR_SIGNATURE_ISSUER_DEFAULT "https://token.actions.githubusercontent.com"

enum dr_environment { DR_ENV_INVALID = 0, DR_ENV_DEV, DR_ENV_PROD };

/* What a program needs: the dispatcher authenticates, endpoints do not. */
#define DR_CONFIG_AUTH 1u

struct dr_config {
	enum dr_environment env;
	const char *environment;       /* "dev" or "prod" once valid */
	long port;
	const char *container_name;
	const char *audit_events_path;
	const char *snapshots_path;
	const char *allow_execution_plane;
	const char *image_repository;
	const char *client_id;
	char *client_secret;           /* owned; NULL unless DR_CONFIG_AUTH */
	const char *reader_client_id;  /* the read-only service token: plan, status, history; NULL: none */
	char *reader_client_secret;    /* owned; NULL unless DR_CONFIG_AUTH and configured */
	const char *docker_host;
	const char *docker_socket;     /* the path part of DOCKER_HOST */
	const char *runtime_env_file;
	const char *state_directory;
	long stop_timeout_seconds;
	long startup_grace_seconds;
	long keep_images;              /* distinct digests retention keeps */
	const char *container_network; /* NULL: Docker's default */
	const char *registry_auth_file;/* NULL: anonymous pulls */
	const char *cf_access_aud;
	const char *cf_access_issuer;
	const char *cf_access_certs_file;
	const char *libexecdir;        /* where endpoint programs live */
	const char *registry_socket;   /* dreichor-registry's unix socket (the units'); NULL: run it directly */
	const char *image_signature_keys; /* the PEM public keys image signatures are checked with; NULL: none */
	const char *image_signature_identity; /* keyless: the exact certificate identities, space-separated; NULL: none */
	const char *image_signature_issuer;   /* keyless: the exact OIDC issuer (default GitHub Actions') */
	const char *sigstore_trusted_root;    /* keyless: the Sigstore trusted_root.json (sigstore_root.h chooses the default) */
	char sigstore_trusted_root_default[4096]; /* the default's path when it is the TUF client's output */
	int image_signatures_required; /* 1: a deploy needs a signature by one of those keys or identities */
	struct dr_problems problems;
};

/* The one reader of the process environment: name's value, or NULL when unset. The
 * configuration below, the endpoints' CGI variables and the tools' settings all come through here. */
const char *dr_env(const char *name);

/* Whether the variable name (len bytes) is one an endpoint program is handed: the configuration
 * less the secret, and the process's own (PATH, TZ, locale, systemd's journal stream, the
 * sanitizers' options). The dispatcher sets the CGI variables itself. */
int dr_env_for_endpoint(const char *name, size_t len);

/* Read and validate the configuration; returns the number of problems (0: valid). */
int dr_config_load(struct dr_config *s, unsigned flags);

/* Wipe and free what s owns; accepts NULL. */
void dr_config_free(struct dr_config *s);

/* The longest a deploy may take, in seconds: a whole pull, every engine call, two stops, the grace. */
long dr_deploy_worst_seconds(long stop_timeout_seconds, long startup_grace_seconds);

/* The environment's name for e, "" when invalid. */
const char *dr_environment_name(enum dr_environment e);

/* 1 when a component of path (split on / - _ .) names the environment other than e. */
int dr_path_names_other_environment(const char *path, enum dr_environment e);

#endif
