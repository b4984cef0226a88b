/* config.c: every getenv of the programs, and the configuration rules (docs/configuration.md). */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "docker_limits.h"
#include "image_ref.h"
#include "number.h"
#include "sigstore_root.h"

#ifndef DR_PKGLIBEXECDIR
#define DR_PKGLIBEXECDIR "/usr/local/libexec/dreichor-deploy-agent"
#endif
#ifndef DR_UNIT_RUNTIME_MAX_SEC
#define DR_UNIT_RUNTIME_MAX_SEC 7200
#endif

const char *dr_environment_name(enum dr_environment e)
{
	return e == DR_ENV_DEV ? "dev" : e == DR_ENV_PROD ? "prod" : "";
}

int dr_path_names_other_environment(const char *path, enum dr_environment e)
{
	const char *other = e == DR_ENV_DEV ? "prod" : "dev";
	size_t olen = strlen(other);
	const char *p = path;

	while (*p) {
		size_t n = strcspn(p, "/-_.");
		if (n == olen && !strncmp(p, other, olen))
			return 1;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

const char *dr_env(const char *name)
{
	return getenv(name);
}

/* What an endpoint is handed besides the CGI variables. The secrets' names are not here. */
static const char *const endpoint_variables[] = {
	"ENVIRONMENT", "PORT", "DREICHOR_STRICT_PORTS", "CONTAINER_NAME", "DOCKER_HOST", "CONTAINER_NETWORK",
	"AUDIT_EVENTS_PATH", "SNAPSHOTS_PATH", "ALLOW_EXECUTION_PLANE", "IMAGE_REPOSITORY", "CF_ACCESS_CLIENT_ID",
	"CF_ACCESS_READER_CLIENT_ID",
	"RUNTIME_ENV_FILE", "STATE_DIRECTORY", "STOP_TIMEOUT_SECONDS", "STARTUP_GRACE_SECONDS",
	"REGISTRY_AUTH_FILE", "KEEP_IMAGES", "CF_ACCESS_AUD", "CF_ACCESS_ISSUER", "CF_ACCESS_CERTS_FILE", "DREICHOR_LIBEXECDIR",
	"DREICHOR_REGISTRY_SOCKET", "IMAGE_SIGNATURE_KEYS", "IMAGE_SIGNATURES", "IMAGE_SIGNATURE_IDENTITY",
	"IMAGE_SIGNATURE_ISSUER", "SIGSTORE_TRUSTED_ROOT",
	/* the process's own */
	"PATH", "TZ", "LANG", "LC_ALL", "JOURNAL_STREAM", "INVOCATION_ID",
	"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
};

int dr_env_for_endpoint(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof endpoint_variables / sizeof *endpoint_variables; i++)
		if (strlen(endpoint_variables[i]) == len && !memcmp(endpoint_variables[i], name, len))
			return 1;
	return 0;
}

static const char *config_get(const char *name)
{
	const char *v = dr_env(name);

	return (v && v[0]) ? v : NULL;
}

static const char *config_require(struct dr_config *s, const char *name)
{
	const char *v = config_get(name);

	if (!v)
		dr_problems_add(&s->problems, "%s: required but not set", name);
	return v;
}

static void config_check_environment(struct dr_config *s)
{
	const char *v = config_get("ENVIRONMENT");
	const char *strict = config_get("DREICHOR_STRICT_PORTS");
	const char *port;

	if (!v)
		dr_problems_add(&s->problems, "ENVIRONMENT: required but not set (is the agent's .env file missing or empty?)");
	else if (!strcmp(v, "dev"))
		s->env = DR_ENV_DEV;
	else if (!strcmp(v, "prod"))
		s->env = DR_ENV_PROD;
	else
		dr_problems_add(&s->problems, "ENVIRONMENT: must be dev or prod");
	s->environment = s->env ? v : NULL;
	port = config_require(s, "PORT");
	if (port && dr_parse_long(port, 1, 65535, &s->port))
		dr_problems_add(&s->problems, "PORT: must be a TCP port number (1-65535)");
	else if (port && s->env && !(strict && !strcmp(strict, "0"))) {
		long want = s->env == DR_ENV_DEV ? 3005 : 3006;
		if (s->port != want)
			dr_problems_add(&s->problems, "PORT: must be %ld for %s (set DREICHOR_STRICT_PORTS=0 only for tests)",
					want, s->environment);
	}
}

static void config_check_container_name(struct dr_config *s)
{
	char want[64];

	s->container_name = config_require(s, "CONTAINER_NAME");
	if (!s->container_name || !s->env)
		return;
	snprintf(want, sizeof want, "dreichor-runtime-%s", s->environment);
	if (strcmp(s->container_name, want))
		dr_problems_add(&s->problems, "CONTAINER_NAME: must be exactly %s", want);
}

/* Returns 0 when the variable names a usable directory. */
static int config_check_directory(struct dr_config *s, const char *name, const char **out)
{
	struct stat st;
	const char *v = config_require(s, name);
	int before = s->problems.count;

	*out = v;
	if (!v)
		return -1;
	if (v[0] != '/')
		dr_problems_add(&s->problems, "%s: must be an absolute path", name);
	else if (stat(v, &st) || !S_ISDIR(st.st_mode))
		dr_problems_add(&s->problems, "%s: %s is not an existing directory", name, v);
	else if (s->env && dr_path_names_other_environment(v, s->env))
		dr_problems_add(&s->problems, "%s: path names the other environment (%s)", name,
				s->env == DR_ENV_DEV ? "prod" : "dev");
	return s->problems.count == before ? 0 : -1;
}

/* A directory that becomes "path:/var/lib/dreichor/..." in a bind: a ':' would split it. */
static void config_check_bind_source(struct dr_config *s, const char *name, const char **out)
{
	if (!config_check_directory(s, name, out) && strchr(*out, ':'))
		dr_problems_add(&s->problems, "%s: must not contain ':', which Docker reads as the bind's separator", name);
}

static void config_check_docker_host(struct dr_config *s)
{
	const char *v = config_require(s, "DOCKER_HOST");

	s->docker_host = v;
	if (!v)
		return;
	if (strncmp(v, "unix://", 7) || v[7] != '/')
		dr_problems_add(&s->problems, "DOCKER_HOST: must be unix:///absolute/path (only unix sockets)");
	else if (strlen(v + 7) > DR_DOCKER_SOCKET_MAX)
		dr_problems_add(&s->problems, "DOCKER_HOST: socket path longer than %d bytes", DR_DOCKER_SOCKET_MAX);
	else
		s->docker_socket = v + 7;
}

static void config_check_optional_number(struct dr_config *s, const char *name, long def, long max,
					   long *out)
{
	const char *v = config_get(name);

	*out = def;
	if (v && dr_parse_long(v, 0, max, out))
		dr_problems_add(&s->problems, "%s: must be a whole number of seconds from 0 to %ld", name, max);
}

static void config_check_keep_images(struct dr_config *s)
{
	const char *v = config_get("KEEP_IMAGES");

	s->keep_images = DR_KEEP_IMAGES_DEFAULT;
	if (v && dr_parse_long(v, DR_KEEP_IMAGES_MIN, DR_KEEP_IMAGES_MAX, &s->keep_images))
		dr_problems_add(&s->problems, "KEEP_IMAGES: must be a whole number from %d to %d (at least 2, so that the previous image stays for a rollback)",
				DR_KEEP_IMAGES_MIN, DR_KEEP_IMAGES_MAX);
}

long dr_deploy_worst_seconds(long stop_timeout_seconds, long startup_grace_seconds)
{
	return DR_DOCKER_PULL_TIMEOUT + DR_DEPLOY_ENGINE_CALLS_MAX * DR_DOCKER_CALL_TIMEOUT +
	       2 * stop_timeout_seconds + startup_grace_seconds;
}

/* systemd ends an instance at RuntimeMaxSec: a deploy must fit, even the slowest. */
static void config_check_deploy_fits_unit(struct dr_config *s)
{
	long worst = dr_deploy_worst_seconds(s->stop_timeout_seconds, s->startup_grace_seconds);
	long room = DR_UNIT_RUNTIME_MAX_SEC - dr_deploy_worst_seconds(0, 0);

	if (worst > DR_UNIT_RUNTIME_MAX_SEC)
		dr_problems_add(&s->problems,
				"STOP_TIMEOUT_SECONDS: with STARTUP_GRACE_SECONDS a deploy could take %ld s, longer than the unit's RuntimeMaxSec=%d; keep 2 x STOP_TIMEOUT_SECONDS + STARTUP_GRACE_SECONDS at most %ld",
				worst, DR_UNIT_RUNTIME_MAX_SEC, room);
}

static void config_check_network(struct dr_config *s)
{
	const char *v = config_get("CONTAINER_NETWORK");
	size_t i;

	s->container_network = v;
	if (!v)
		return;
	for (i = 0; v[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", v[i]))
			break;
	if (v[i] || i > 64 || !strcmp(v, "host"))
		dr_problems_add(&s->problems, "CONTAINER_NETWORK: must be a Docker network name ([A-Za-z0-9_.-], at most 64) other than host");
}

static void config_check_file(struct dr_config *s, const char *name, const char *v)
{
	if (v && (v[0] != '/' || access(v, R_OK)))
		dr_problems_add(&s->problems, "%s: must be the absolute path of a readable file", name);
}

/* Read a secret file into out (DR_SECRET_MAX + 1 bytes), dropping a trailing newline.
 * Returns its length (NUL bytes included), or -1 when it cannot be read or is too long. */
static ssize_t config_read_secret_file(int dirfd, const char *path, char *out)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, out, DR_SECRET_MAX + 1);
	close(fd);
	if (n < 0 || n > DR_SECRET_MAX) {
		explicit_bzero(out, DR_SECRET_MAX + 1);
		return -1;
	}
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		n--;
	out[n] = '\0';
	return n;
}

/* The rules a service-token secret must meet; the problem names the rule, never the value. */
static void config_check_secret(struct dr_config *s, const char *source, const char *secret, size_t len)
{
	const unsigned char *p = (const unsigned char *)secret;
	size_t i;

	if (strlen(secret) != len) {
		dr_problems_add(&s->problems, "%s: the secret contains a NUL byte (a UTF-16 file?); save it as plain ASCII", source);
		return;
	}
	for (i = 0; i < len; i++)
		if (p[i] <= ' ' || p[i] == 0x7f) {
			dr_problems_add(&s->problems,
					"%s: the secret contains whitespace or a control character (a line ending or space kept by an editor?)",
					source);
			return;
		}
	if (len < DR_SECRET_MIN)
		dr_problems_add(&s->problems, "%s: the secret is shorter than %d bytes; use the service token's whole Client Secret",
				source, DR_SECRET_MIN);
}

/* Where a service token's secret may come from, first found wins. */
struct config_secret_source {
	const char *credential;  /* a file in $CREDENTIALS_DIRECTORY (systemd LoadCredential=) */
	const char *file_var;    /* names a file (what the units use) */
	const char *var;         /* holds the secret itself */
};

static const struct config_secret_source config_deployer_secret = {
	"cf-access-client-secret", "CF_ACCESS_CLIENT_SECRET_FILE", "CF_ACCESS_CLIENT_SECRET"
};
static const struct config_secret_source config_reader_secret = {
	"cf-access-reader-client-secret", "CF_ACCESS_READER_CLIENT_SECRET_FILE", "CF_ACCESS_READER_CLIENT_SECRET"
};

/* The secret from src into a new buffer (DR_SECRET_MAX + 1, owned by s: dr_config_free), or NULL
 * when none is set; each problem names the source, never the value. */
static char *config_load_secret(struct dr_config *s, const struct config_secret_source *src)
{
	const char *dir = config_get("CREDENTIALS_DIRECTORY");
	const char *file = config_get(src->file_var);
	const char *env = config_get(src->var);
	char *secret, source[128];
	ssize_t len;
	int dirfd;

	if (!(secret = calloc(1, DR_SECRET_MAX + 1))) {
		dr_problems_add(&s->problems, "%s: out of memory", src->var);
		return NULL;
	}
	if (dir && (dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		len = config_read_secret_file(dirfd, src->credential, secret);
		close(dirfd);
		if (len > 0) {
			snprintf(source, sizeof source, "the credential %s", src->credential);
			config_check_secret(s, source, secret, (size_t)len);
			return secret;
		}
	}
	if (file) {
		if (file[0] != '/' || (len = config_read_secret_file(AT_FDCWD, file, secret)) < 0)
			dr_problems_add(&s->problems, "%s: cannot read the secret file (missing, over %d bytes, or not readable by the agent's group)",
					src->file_var, DR_SECRET_MAX);
		else if (len == 0)
			dr_problems_add(&s->problems, "%s: the secret file is empty", src->file_var);
		else
			config_check_secret(s, src->file_var, secret, (size_t)len);
		return secret;
	}
	if (env && dr_strlcpy(secret, env, DR_SECRET_MAX + 1))
		dr_problems_add(&s->problems, "%s: longer than %d bytes", src->var, DR_SECRET_MAX);
	else if (env)
		config_check_secret(s, src->var, secret, strlen(secret));
	if (env)
		return secret;
	free(secret);
	return NULL;
}

/* The deploying token, required; the read-only one, optional but whole and distinct. */
static void config_load_secrets(struct dr_config *s)
{
	s->client_secret = config_load_secret(s, &config_deployer_secret);
	if (!s->client_secret)
		dr_problems_add(&s->problems, "CF_ACCESS_CLIENT_SECRET: required but not set (the secret file, the credential %s or the variable)",
				config_deployer_secret.credential);
	s->reader_client_secret = config_load_secret(s, &config_reader_secret);
	if (!s->reader_client_id != !s->reader_client_secret)
		dr_problems_add(&s->problems, "CF_ACCESS_READER_CLIENT_ID: set it and CF_ACCESS_READER_CLIENT_SECRET (or its _FILE) together, or neither");
	else if (s->reader_client_id && s->client_id && !strcmp(s->reader_client_id, s->client_id))
		dr_problems_add(&s->problems, "CF_ACCESS_READER_CLIENT_ID: must be another service token than CF_ACCESS_CLIENT_ID");
	else if (s->reader_client_secret && s->client_secret && !strcmp(s->reader_client_secret, s->client_secret))
		dr_problems_add(&s->problems, "CF_ACCESS_READER_CLIENT_SECRET: must differ from the deploying token's secret");
}

/* 1 when text holds a byte below space or DEL (an identity or issuer is compared exactly: none belong). */
static int config_has_control(const char *text)
{
	for (; *text; text++)
		if ((unsigned char)*text < ' ' || *text == 0x7f)
			return 1;
	return 0;
}

/* Keyless signatures (CONTRACT 10.1): the identities, the issuer, the trusted root. */
static void config_check_keyless(struct dr_config *s)
{
	const char *v = s->image_signature_identity = config_get("IMAGE_SIGNATURE_IDENTITY");
	size_t count = 0, len;

	s->image_signature_issuer = config_get("IMAGE_SIGNATURE_ISSUER");
	if (!s->image_signature_issuer)
		s->image_signature_issuer = DR_SIGNATURE_ISSUER_DEFAULT;
	s->sigstore_trusted_root = dr_sigstore_root_choose(config_get("SIGSTORE_TRUSTED_ROOT"), s->environment,
							   s->sigstore_trusted_root_default,
							   sizeof s->sigstore_trusted_root_default);
	if (strlen(s->image_signature_issuer) > DR_SIGNATURE_ISSUER_MAX || config_has_control(s->image_signature_issuer) ||
	    strchr(s->image_signature_issuer, ' '))
		dr_problems_add(&s->problems, "IMAGE_SIGNATURE_ISSUER: must be one OIDC issuer URL of at most %d bytes, "
					      "without spaces or control characters", DR_SIGNATURE_ISSUER_MAX);
	if (!v)
		return;
	config_check_file(s, "SIGSTORE_TRUSTED_ROOT", s->sigstore_trusted_root);
	if (strlen(v) >= DR_SIGNATURE_IDENTITIES_TEXT_MAX || config_has_control(v)) {
		dr_problems_add(&s->problems, "IMAGE_SIGNATURE_IDENTITY: must be at most %d bytes without control characters",
				DR_SIGNATURE_IDENTITIES_TEXT_MAX - 1);
		return;
	}
	while (*v) {
		v += strspn(v, " ");
		if (!(len = strcspn(v, " ")))
			break;
		if (len > DR_SIGNATURE_IDENTITY_MAX)
			dr_problems_add(&s->problems, "IMAGE_SIGNATURE_IDENTITY: an identity is longer than %d bytes",
					DR_SIGNATURE_IDENTITY_MAX);
		count++;
		v += len;
	}
	if (!count || count > DR_SIGNATURE_IDENTITIES_MAX)
		dr_problems_add(&s->problems, "IMAGE_SIGNATURE_IDENTITY: must name 1 to %d exact certificate identities, "
					      "separated by spaces", DR_SIGNATURE_IDENTITIES_MAX);
}

/* Prod deploys only signed images unless IMAGE_SIGNATURES=off says otherwise, out loud. */
static void config_check_signatures(struct dr_config *s)
{
	const char *mode = config_get("IMAGE_SIGNATURES");
	int trusted;

	s->image_signature_keys = config_get("IMAGE_SIGNATURE_KEYS");
	config_check_file(s, "IMAGE_SIGNATURE_KEYS", s->image_signature_keys);
	config_check_keyless(s);
	trusted = s->image_signature_keys || s->image_signature_identity;
	s->image_signatures_required = trusted;
	if (mode && strcmp(mode, "off") && strcmp(mode, "required"))
		dr_problems_add(&s->problems, "IMAGE_SIGNATURES: must be required or off");
	else if (mode && !strcmp(mode, "off") && trusted)
		dr_problems_add(&s->problems, "IMAGE_SIGNATURES: off while %s is set; unset one of them",
				s->image_signature_keys ? "IMAGE_SIGNATURE_KEYS" : "IMAGE_SIGNATURE_IDENTITY");
	else if (!trusted && (s->env == DR_ENV_PROD ? !mode || strcmp(mode, "off") : mode && !strcmp(mode, "required")))
		dr_problems_add(&s->problems, "IMAGE_SIGNATURE_KEYS: required in %s (the public keys CI signs images with), "
					      "or IMAGE_SIGNATURE_IDENTITY (the workflow identities CI signs with, keyless); "
					      "IMAGE_SIGNATURES=off deploys unsigned images", s->env == DR_ENV_PROD ? "prod" : "dev with IMAGE_SIGNATURES=required");
}

static void config_check_jwt(struct dr_config *s)
{
	int set = !!s->cf_access_aud + !!s->cf_access_issuer + !!s->cf_access_certs_file;

	if (set && set != 3)
		dr_problems_add(&s->problems, "CF_ACCESS_AUD: CF_ACCESS_AUD, CF_ACCESS_ISSUER and CF_ACCESS_CERTS_FILE must be set together");
	else if (set)
		config_check_file(s, "CF_ACCESS_CERTS_FILE", s->cf_access_certs_file);
}

int dr_config_load(struct dr_config *s, unsigned flags)
{
	const char *plane;
	struct dr_error err;

	memset(s, 0, sizeof *s);
	config_check_environment(s);
	config_check_container_name(s);
	config_check_bind_source(s, "AUDIT_EVENTS_PATH", &s->audit_events_path);
	config_check_bind_source(s, "SNAPSHOTS_PATH", &s->snapshots_path);
	if (s->audit_events_path && s->snapshots_path && !strcmp(s->audit_events_path, s->snapshots_path))
		dr_problems_add(&s->problems, "SNAPSHOTS_PATH: must differ from AUDIT_EVENTS_PATH");
	plane = s->allow_execution_plane = config_require(s, "ALLOW_EXECUTION_PLANE");
	if (plane && strcmp(plane, "paper"))
		dr_problems_add(&s->problems, "ALLOW_EXECUTION_PLANE: must be paper (the only plane allowed in this phase)");
	s->image_repository = config_require(s, "IMAGE_REPOSITORY");
	if (s->image_repository && dr_image_repository_check(s->image_repository, &err))
		dr_problems_add(&s->problems, "IMAGE_REPOSITORY: %s", err.reason);
	s->client_id = config_require(s, "CF_ACCESS_CLIENT_ID");
	s->reader_client_id = config_get("CF_ACCESS_READER_CLIENT_ID");
	if (flags & DR_CONFIG_AUTH)
		config_load_secrets(s);
	config_check_docker_host(s);
	s->runtime_env_file = config_require(s, "RUNTIME_ENV_FILE");
	config_check_file(s, "RUNTIME_ENV_FILE", s->runtime_env_file);
	if (!config_check_directory(s, "STATE_DIRECTORY", &s->state_directory) && access(s->state_directory, W_OK))
		dr_problems_add(&s->problems, "STATE_DIRECTORY: %s is not writable", s->state_directory);
	config_check_optional_number(s, "STOP_TIMEOUT_SECONDS", DR_STOP_TIMEOUT_DEFAULT, DR_STOP_TIMEOUT_MAX,
				       &s->stop_timeout_seconds);
	config_check_optional_number(s, "STARTUP_GRACE_SECONDS", DR_GRACE_DEFAULT, DR_GRACE_MAX,
				       &s->startup_grace_seconds);
	config_check_deploy_fits_unit(s);
	config_check_keep_images(s);
	config_check_network(s);
	s->registry_auth_file = config_get("REGISTRY_AUTH_FILE");
	config_check_file(s, "REGISTRY_AUTH_FILE", s->registry_auth_file);
	s->cf_access_aud = config_get("CF_ACCESS_AUD");
	s->cf_access_issuer = config_get("CF_ACCESS_ISSUER");
	s->cf_access_certs_file = config_get("CF_ACCESS_CERTS_FILE");
	config_check_jwt(s);
	config_check_signatures(s);
	s->registry_socket = config_get("DREICHOR_REGISTRY_SOCKET");
	if (s->registry_socket && (s->registry_socket[0] != '/' || strlen(s->registry_socket) > DR_DOCKER_SOCKET_MAX))
		dr_problems_add(&s->problems, "DREICHOR_REGISTRY_SOCKET: must be an absolute path of at most %d bytes",
				DR_DOCKER_SOCKET_MAX);
	s->libexecdir = config_get("DREICHOR_LIBEXECDIR");
	if (!s->libexecdir)
		s->libexecdir = DR_PKGLIBEXECDIR;
	return s->problems.count;
}

static void config_free_secret(char **secret)
{
	if (!*secret)
		return;
	explicit_bzero(*secret, DR_SECRET_MAX + 1);
	free(*secret);
	*secret = NULL;
}

void dr_config_free(struct dr_config *s)
{
	if (!s)
		return;
	config_free_secret(&s->client_secret);
	config_free_secret(&s->reader_client_secret);
}
