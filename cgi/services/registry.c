/* dreichor-registry: the agent's own questions to a registry, asked by an
 * endpoint that cannot speak TLS itself (its libcurl is HTTP-only, for
 * the per-connection cost). One question per run; the answer is one JSON
 * object on stdout. Credentials come from the file REGISTRY_AUTH_FILE
 * names, never from argv.
 *   dreichor-registry probe REPOSITORY REFERENCE
 *     HEAD of the manifest: {"status", "digest", "retry_after"} (the last
 *     only when the registry gave one); exit 0. No answer at all:
 *     {"error"}, exit 1. Usage: exit 2.
 *   dreichor-registry verify REPOSITORY DIGEST
 *     A cosign signature of DIGEST, made for REPOSITORY, by a key in the file
 *     IMAGE_SIGNATURE_KEYS names, or keyless by a certificate naming one of
 *     IMAGE_SIGNATURE_IDENTITY and IMAGE_SIGNATURE_ISSUER, checked against
 *     SIGSTORE_TRUSTED_ROOT (lib/registry/signature.h, keyless.h): {"key",
 *     "format"} or, keyless, {"format", "identity", "issuer",
 *     "source_repository", "source_commit", "run_url", "log_index",
 *     "verified_time", "time_source"} when one verifies, {"refused"} naming
 *     why when none does (exit 0 both);
 *     {"error"} when the registry, the key file or the trusted root could
 *     not be read (with "configuration": true when it is the agent's own
 *     setting, not the registry), exit 1.
 *   dreichor-registry verify-bundle --bundle FILE (--certificate-identity I
 *       --certificate-oidc-issuer U | --key K) [--trusted-root FILE] FILE_OR_DIGEST
 *     A Sigstore bundle checked offline (verify_bundle.c, lib/sigstore): exit 0
 *     when verified, 1 refused, 2 usage; never asks a registry.
 *   dreichor-registry --inetd
 *     The same questions as one line on stdin ("probe REPOSITORY REFERENCE",
 *     "verify REPOSITORY DIGEST"), the answer on stdout. REPOSITORY must be
 *     the environment's IMAGE_REPOSITORY.
 *   dreichor-registry --listen
 *     As dreichor-registry-<env>.service runs it (Accept=no), so that the
 *     agent's units keep no network of their own: the listening socket
 *     systemd passed; each connection is one --inetd question in a child
 *     of its own, which reads IMAGE_REPOSITORY, REGISTRY_AUTH_FILE,
 *     IMAGE_SIGNATURE_KEYS, IMAGE_SIGNATURE_IDENTITY, IMAGE_SIGNATURE_ISSUER
 *     and SIGSTORE_TRUSTED_ROOT afresh from the file DREICHOR_REGISTRY_CONFIG
 *     names (the agent's .env) and ends after REGISTRY_CHILD_MAX_S; the
 *     service exits after DREICHOR_REGISTRY_IDLE_SECONDS (default 30, 0:
 *     never, at most 86400) without one.
 * With DREICHOR_SYSCALL_FILTER=on (the unit) it installs its system call
 * filter (lib/core/syscall_filter.h) before it reads a question. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "clock.h"
#include "config.h"
#include "env_file.h"
#include "fdio.h"
#include "number.h"
#include "registry.h"
#include "serve.h"
#include "signature.h"
#include "sigstore_root.h"
#include "syscall_filter.h"
#include "trusted_root.h"
#include "verify_bundle.h"

#define REGISTRY_QUESTION_MAX 1024
#define REGISTRY_QUESTION_MS 5000
#define REGISTRY_CHILD_MAX_S 120 /* a question's child ends after this, as the unit per connection did */
#define REGISTRY_IDLE_DEFAULT_S 30
#define REGISTRY_EXIT_USAGE 2

/* What a --listen child reads afresh from DREICHOR_REGISTRY_CONFIG. */
static const char *const registry_settings[] = { "IMAGE_REPOSITORY", "REGISTRY_AUTH_FILE", "IMAGE_SIGNATURE_KEYS",
						  "IMAGE_SIGNATURE_IDENTITY", "IMAGE_SIGNATURE_ISSUER",
						  "SIGSTORE_TRUSTED_ROOT", "ENVIRONMENT" };
#define REGISTRY_SETTINGS (sizeof registry_settings / sizeof *registry_settings)
static char registry_values[REGISTRY_SETTINGS][DR_ENV_VALUE_MAX];
static int registry_values_read; /* 1 once a --listen child read them */
static const char *registry_config_problem; /* why a --listen child could not read them */

/* A setting: from the file once read, else from the environment; empty is unset, as the agent
 * reads its configuration. */
static const char *registry_setting(const char *name)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; registry_values_read && i < REGISTRY_SETTINGS; i++)
		if (!strcmp(name, registry_settings[i]))
			return registry_values[i][0] ? registry_values[i] : NULL;
	v = dr_env(name);
	return v && v[0] ? v : NULL;
}

/* The answer on stdout, then put. */
static void registry_answer(json_object *out)
{
	printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(out);
}

static int registry_probe(const char *repository, const char *reference)
{
	struct dr_registry r;
	struct dr_error err = { 0 };
	json_object *out = json_object_new_object();
	char what[512];
	int rc;

	snprintf(what, sizeof what, "manifests/%s", reference);
	rc = dr_registry_open(&r, repository, registry_setting("REGISTRY_AUTH_FILE"), &err);
	if (!rc)
		rc = dr_registry_request(&r, "HEAD", what, DR_REGISTRY_ACCEPT_MANIFESTS, 0, &err);
	if (rc) {
		json_object_object_add(out, "error", json_object_new_string(err.reason));
	} else {
		json_object_object_add(out, "status", json_object_new_int64(r.status));
		if (r.digest[0])
			json_object_object_add(out, "digest", json_object_new_string(r.digest));
		if (r.retry_after_s >= 0)
			json_object_object_add(out, "retry_after", json_object_new_int64(r.retry_after_s));
	}
	registry_answer(out);
	dr_registry_close(&r);
	return rc ? 1 : 0;
}

/* Add name: value when value is not empty. */
static void registry_add_text(json_object *out, const char *name, const char *value)
{
	if (value[0])
		json_object_object_add(out, name, json_object_new_string(value));
}

/* What verified: the key, or the keyless signer and what proved its time. */
static void registry_found(json_object *out, const struct dr_signature_found *found)
{
	const struct dr_ss_signer *s = &found->signer;

	json_object_object_add(out, "format", json_object_new_string(found->format));
	if (!found->keyless) {
		json_object_object_add(out, "key", json_object_new_string(found->key));
		return;
	}
	registry_add_text(out, "identity", s->identity);
	registry_add_text(out, "issuer", s->issuer);
	registry_add_text(out, "source_repository", s->source_repository);
	registry_add_text(out, "source_commit", s->source_commit);
	registry_add_text(out, "run_url", s->run_url);
	if (s->log_index >= 0)
		json_object_object_add(out, "log_index", json_object_new_int64(s->log_index));
	json_object_object_add(out, "verified_time", json_object_new_int64((int64_t)s->verified_time));
	registry_add_text(out, "time_source", s->time_source);
}

/* The keyless policy, when IMAGE_SIGNATURE_IDENTITY is set: its trusted root read (SIGSTORE_TRUSTED_ROOT,
 * else the environment's refreshed one or the installed one: sigstore_root.h) into root. 0 with *policy_out set (NULL when keyless is not configured), or a
 * fault with err naming why. */
static int registry_keyless(struct dr_keyless_policy *policy, struct dr_ss_trusted_root *root,
			    const struct dr_keyless_policy **policy_out, struct dr_error *err)
{
	const char *identities = registry_setting("IMAGE_SIGNATURE_IDENTITY");
	static char chosen[DR_SIGSTORE_PATH_MAX];
	const char *path = dr_sigstore_root_choose(registry_setting("SIGSTORE_TRUSTED_ROOT"),
						   registry_setting("ENVIRONMENT"), chosen, sizeof chosen);
	char why[DR_SS_REASON_MAX * 2];

	*policy_out = NULL;
	if (!identities)
		return 0;
	if (dr_keyless_policy_init(policy, identities, registry_setting("IMAGE_SIGNATURE_ISSUER"), root, why, sizeof why))
		return dr_error_set(err, DR_FAULT_INTERNAL, "%s", why);
	if (dr_ss_trusted_root_load(path, root, why, sizeof why))
		return dr_error_set(err, DR_FAULT_INTERNAL, "SIGSTORE_TRUSTED_ROOT %s cannot be used: %s", path, why);
	*policy_out = policy;
	return 0;
}

static int registry_verify(const char *repository, const char *digest)
{
	static struct dr_signing_keys keys;
	static struct dr_ss_trusted_root root;
	static struct dr_keyless_policy policy;
	static struct dr_signature_found found;
	const struct dr_keyless_policy *keyless = NULL;
	struct dr_registry r = { 0 };
	struct dr_error err = { 0 };
	json_object *out = json_object_new_object();
	const char *keys_file = registry_setting("IMAGE_SIGNATURE_KEYS");
	int rc = 0;

	if (!keys_file && !registry_setting("IMAGE_SIGNATURE_IDENTITY"))
		rc = dr_error_set(&err, DR_FAULT_INTERNAL, "neither IMAGE_SIGNATURE_KEYS nor IMAGE_SIGNATURE_IDENTITY is set");
	else if (!(keys_file && (rc = dr_signing_keys_load(&keys, keys_file, &err))) &&
		 !(rc = registry_keyless(&policy, &root, &keyless, &err)) &&
		 !(rc = dr_registry_open(&r, repository, registry_setting("REGISTRY_AUTH_FILE"), &err)))
		rc = dr_signature_verify(&r, digest, keys_file ? &keys : NULL, keyless, &found, &err);
	if (!rc) {
		registry_found(out, &found);
	} else {
		json_object_object_add(out, rc == DR_FAULT_UNSIGNED ? "refused" : "error", json_object_new_string(err.reason));
		/* The agent's own configuration (the trusted root, the identities), not the registry. */
		if (rc == DR_FAULT_INTERNAL)
			json_object_object_add(out, "configuration", json_object_new_boolean(1));
	}
	registry_answer(out);
	dr_registry_close(&r);
	dr_ss_trusted_root_free(&root);
	return rc && rc != DR_FAULT_UNSIGNED ? 1 : 0;
}

/* Run question ("probe" or "verify") about repository and reference. */
static int registry_ask(const char *question, const char *repository, const char *reference)
{
	return !strcmp(question, "verify") ? registry_verify(repository, reference) : registry_probe(repository, reference);
}

/* A reference is a tag or a digest: no path, no space, bounded. */
static int registry_reference_ok(const char *reference)
{
	return reference[0] && strlen(reference) <= 256 && !strpbrk(reference, "/ \t\r\n?#%");
}

static int registry_refuse(const char *why)
{
	printf("{\"error\":\"%s\"}\n", why);
	return 2;
}

/* 1 for the two questions there are. */
static int registry_question_ok(const char *question)
{
	return question && (!strcmp(question, "probe") || !strcmp(question, "verify"));
}

/* --inetd: one line from the socket, checked, then the same probe. */
static int registry_inetd(void)
{
	char line[REGISTRY_QUESTION_MAX + 1], *question, *repository, *reference, *save = NULL;
	long long deadline = dr_now_ms() + REGISTRY_QUESTION_MS;
	const char *own = registry_setting("IMAGE_REPOSITORY");
	size_t got = 0;
	ssize_t n;

	while (got < REGISTRY_QUESTION_MAX && !memchr(line, '\n', got) && dr_fd_wait_readable(STDIN_FILENO, deadline) == 0 &&
	       (n = dr_fd_read_some(STDIN_FILENO, line + got, REGISTRY_QUESTION_MAX - got)) > 0)
		got += (size_t)n;
	line[got] = '\0';
	if (registry_config_problem) /* answered once the question is read, so the client gets it */
		return registry_refuse(registry_config_problem);
	if (!memchr(line, '\n', got) || !registry_question_ok(question = strtok_r(line, " \n", &save)))
		return registry_refuse("expected one line: probe|verify REPOSITORY REFERENCE");
	repository = strtok_r(NULL, " \n", &save);
	reference = strtok_r(NULL, " \n", &save);
	if (!repository || !reference || strtok_r(NULL, " \n", &save) || !registry_reference_ok(reference))
		return registry_refuse("expected one line: probe|verify REPOSITORY REFERENCE");
	if (!own || strcmp(repository, own))
		return registry_refuse("only this environment's IMAGE_REPOSITORY is asked about");
	return registry_ask(question, repository, reference);
}

/* A --listen child: the connection as stdin and stdout, this environment's settings read afresh. */
static void registry_child(int fd, void *arg)
{
	const char *config = registry_setting("DREICHOR_REGISTRY_CONFIG");

	(void)arg;
	alarm(REGISTRY_CHILD_MAX_S);
	if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0)
		return;
	close(fd);
	if (config && dr_env_file_read(config, registry_settings, REGISTRY_SETTINGS, registry_values))
		registry_config_problem = errno == EINVAL ?
			"the agent's .env holds a backslash or a quote that systemd would read otherwise" :
			"the agent's configuration cannot be read";
	registry_values_read = config != NULL;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	registry_inetd();
	fflush(stdout); /* the child ends with _exit */
}

/* --listen: a child per connection until idle. */
static int registry_listen(void)
{
	const char *idle = registry_setting("DREICHOR_REGISTRY_IDLE_SECONDS");
	long idle_s = REGISTRY_IDLE_DEFAULT_S;
	int fd = dr_serve_listening_fd();

	if (idle && dr_parse_long(idle, 0, DR_SERVE_IDLE_MAX_S, &idle_s)) {
		fprintf(stderr, "dreichor-registry: DREICHOR_REGISTRY_IDLE_SECONDS must be whole seconds from 0 "
				"(never idle out) to %d\n", DR_SERVE_IDLE_MAX_S);
		return REGISTRY_EXIT_USAGE;
	}
	if (fd < 0) {
		fprintf(stderr, "dreichor-registry: --listen needs the listening socket of a socket unit with Accept=no\n");
		return REGISTRY_EXIT_USAGE;
	}
	return dr_serve_forking(fd, idle_s, registry_child, NULL);
}

int main(int argc, char **argv)
{
	const char *why = NULL;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if (dr_syscall_filter_apply(DR_SYSCALL_REGISTRY, &why) < 0) {
		fprintf(stderr, "dreichor-registry: %s: %s\n", why, strerror(errno));
		return 1;
	}
	if (argc >= 2 && !strcmp(argv[1], "verify-bundle"))
		return dr_verify_bundle_main(argc - 1, argv + 1);
	if (argc == 2 && !strcmp(argv[1], "--listen")) {
		return registry_listen();
	} else if (argc == 2 && !strcmp(argv[1], "--inetd")) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		rc = registry_inetd();
	} else if (argc == 4 && registry_question_ok(argv[1]) && registry_reference_ok(argv[3])) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		rc = registry_ask(argv[1], argv[2], argv[3]);
	} else {
		fprintf(stderr, "usage: dreichor-registry probe REPOSITORY REFERENCE\n"
				"       dreichor-registry verify REPOSITORY DIGEST   (IMAGE_SIGNATURE_KEYS, IMAGE_SIGNATURE_IDENTITY)\n"
				"       dreichor-registry verify-bundle --bundle FILE (--certificate-identity I"
				" --certificate-oidc-issuer U | --key K) [--trusted-root FILE] FILE_OR_DIGEST\n"
				"       dreichor-registry --inetd   (the question on stdin)\n"
				"       dreichor-registry --listen  (the listening socket systemd passes, as its unit runs it)\n");
		return 2;
	}
	fflush(stdout);
	curl_global_cleanup();
	return rc;
}
