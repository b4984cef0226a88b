/* test_config.c: every agent configuration rule (docs/configuration.md). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "env_file.h"
#include "unit.h"

static char base[64], audit[128], snaps[128], state[128], rtfile[128], prodaudit[128];
static struct dr_config cfg;

static void make_dirs(void)
{
	FILE *f;

	snprintf(base, sizeof base, "/tmp/dr-unit-config.XXXXXX");
	if (!mkdtemp(base))
		abort();
	snprintf(audit, sizeof audit, "%s/audit", base);
	snprintf(snaps, sizeof snaps, "%s/snaps", base);
	snprintf(state, sizeof state, "%s/state", base);
	snprintf(rtfile, sizeof rtfile, "%s/runtime.env", base);
	snprintf(prodaudit, sizeof prodaudit, "%s/prod/audit", base);
	mkdir(audit, 0700);
	mkdir(snaps, 0700);
	mkdir(state, 0700);
	snprintf(prodaudit, sizeof prodaudit, "%s/prod", base);
	mkdir(prodaudit, 0700);
	snprintf(prodaudit, sizeof prodaudit, "%s/prod/audit", base);
	mkdir(prodaudit, 0700);
	f = fopen(rtfile, "w");
	if (f)
		fclose(f);
}

static void set_valid(void)
{
	static const char *const optional[] = {
		"STOP_TIMEOUT_SECONDS", "STARTUP_GRACE_SECONDS", "CONTAINER_NETWORK", "REGISTRY_AUTH_FILE",
		"CF_ACCESS_AUD", "CF_ACCESS_ISSUER", "CF_ACCESS_CERTS_FILE", "CREDENTIALS_DIRECTORY",
		"CF_ACCESS_CLIENT_SECRET_FILE", "IMAGE_SIGNATURE_KEYS", "IMAGE_SIGNATURES", "IMAGE_SIGNATURE_IDENTITY",
		"IMAGE_SIGNATURE_ISSUER",
		"DREICHOR_STRICT_PORTS", NULL,
	};
	size_t i;

	for (i = 0; optional[i]; i++)
		unsetenv(optional[i]);
	setenv("ENVIRONMENT", "dev", 1);
	setenv("PORT", "3005", 1);
	setenv("CONTAINER_NAME", "dreichor-runtime-dev", 1);
	setenv("AUDIT_EVENTS_PATH", audit, 1);
	setenv("SNAPSHOTS_PATH", snaps, 1);
	setenv("ALLOW_EXECUTION_PLANE", "paper", 1);
	setenv("IMAGE_REPOSITORY", "ghcr.io/ceerkle/dreichor-trading/runtime", 1);
	setenv("CF_ACCESS_CLIENT_ID", "client.access", 1);
	setenv("CF_ACCESS_CLIENT_SECRET", "very-secret-value-0123456789abcdef", 1);
	setenv("DOCKER_HOST", "unix:///run/docker.sock", 1);
	setenv("RUNTIME_ENV_FILE", rtfile, 1);
	setenv("STATE_DIRECTORY", state, 1);
}

/* Load with one variable changed (value NULL: unset); returns the problem count. */
static int load_with(const char *name, const char *value)
{
	set_valid();
	if (name && value)
		setenv(name, value, 1);
	else if (name)
		unsetenv(name);
	dr_config_free(&cfg);
	return dr_config_load(&cfg, DR_CONFIG_AUTH);
}

static int load_with_timeouts(const char *stop, const char *grace)
{
	set_valid();
	setenv("STOP_TIMEOUT_SECONDS", stop, 1);
	setenv("STARTUP_GRACE_SECONDS", grace, 1);
	dr_config_free(&cfg);
	return dr_config_load(&cfg, DR_CONFIG_AUTH);
}

/* 1 when some problem starts with prefix. */
static int has_problem(const char *prefix)
{
	int i;

	for (i = 0; i < cfg.problems.count && i < DR_PROBLEMS_MAX; i++)
		if (!strncmp(cfg.problems.text[i], prefix, strlen(prefix)))
			return 1;
	return 0;
}

static int no_problem_mentions(const char *text)
{
	int i;

	for (i = 0; i < cfg.problems.count && i < DR_PROBLEMS_MAX; i++)
		if (strstr(cfg.problems.text[i], text))
			return 0;
	return 1;
}

static void test_valid(void)
{
	CU_ASSERT_EQUAL(load_with(NULL, NULL), 0);
	CU_ASSERT_EQUAL(cfg.env, DR_ENV_DEV);
	CU_ASSERT_STRING_EQUAL(cfg.docker_socket, "/run/docker.sock");
	CU_ASSERT_EQUAL(cfg.stop_timeout_seconds, DR_STOP_TIMEOUT_DEFAULT);
	CU_ASSERT_EQUAL(cfg.startup_grace_seconds, DR_GRACE_DEFAULT);
	CU_ASSERT_STRING_EQUAL(cfg.client_secret, "very-secret-value-0123456789abcdef");
}

static void test_environment(void)
{
	CU_ASSERT_EQUAL(load_with("ENVIRONMENT", NULL), 1); /* name and port pairing wait for a valid one */
	CU_ASSERT_TRUE(has_problem("ENVIRONMENT: required"));
	CU_ASSERT_TRUE(load_with("ENVIRONMENT", "staging") > 0);
	CU_ASSERT_TRUE(has_problem("ENVIRONMENT: must be dev or prod"));
	CU_ASSERT_TRUE(load_with("ENVIRONMENT", "Dev") > 0);
	CU_ASSERT_TRUE(has_problem("ENVIRONMENT:"));
}

static void test_port(void)
{
	CU_ASSERT_EQUAL(load_with("PORT", "3006"), 1);
	CU_ASSERT_TRUE(has_problem("PORT: must be 3005 for dev"));
	CU_ASSERT_EQUAL(load_with("PORT", "abc"), 1);
	CU_ASSERT_TRUE(has_problem("PORT: must be a TCP port"));
	CU_ASSERT_EQUAL(load_with("PORT", "70000"), 1);
	CU_ASSERT_EQUAL(load_with("PORT", NULL), 1);
	set_valid();
	setenv("DREICHOR_STRICT_PORTS", "0", 1);
	setenv("PORT", "41234", 1);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, DR_CONFIG_AUTH), 0);
	unsetenv("DREICHOR_STRICT_PORTS");
}

static void test_prod_pairing(void)
{
	set_valid();
	setenv("ENVIRONMENT", "prod", 1);
	setenv("PORT", "3005", 1);
	dr_config_free(&cfg);
	CU_ASSERT_TRUE(dr_config_load(&cfg, DR_CONFIG_AUTH) >= 2);
	CU_ASSERT_TRUE(has_problem("PORT: must be 3006 for prod"));
	CU_ASSERT_TRUE(has_problem("CONTAINER_NAME: must be exactly dreichor-runtime-prod"));
}

static void test_container_name(void)
{
	CU_ASSERT_EQUAL(load_with("CONTAINER_NAME", "dreichor-runtime-prod"), 1);
	CU_ASSERT_TRUE(has_problem("CONTAINER_NAME: must be exactly dreichor-runtime-dev"));
	CU_ASSERT_EQUAL(load_with("CONTAINER_NAME", NULL), 1);
}

static void test_paths(void)
{
	CU_ASSERT_EQUAL(load_with("AUDIT_EVENTS_PATH", "relative/audit"), 1);
	CU_ASSERT_TRUE(has_problem("AUDIT_EVENTS_PATH: must be an absolute path"));
	CU_ASSERT_EQUAL(load_with("SNAPSHOTS_PATH", "/nonexistent/dreichor/snaps"), 1);
	CU_ASSERT_TRUE(has_problem("SNAPSHOTS_PATH: /nonexistent/dreichor/snaps is not an existing directory"));
	CU_ASSERT_EQUAL(load_with("AUDIT_EVENTS_PATH", prodaudit), 1);
	CU_ASSERT_TRUE(has_problem("AUDIT_EVENTS_PATH: path names the other environment"));
	CU_ASSERT_EQUAL(load_with("SNAPSHOTS_PATH", audit), 1);
	CU_ASSERT_TRUE(has_problem("SNAPSHOTS_PATH: must differ"));
	CU_ASSERT_EQUAL(load_with("STATE_DIRECTORY", "/nonexistent/state"), 1);
	CU_ASSERT_TRUE(has_problem("STATE_DIRECTORY:"));
}

static void test_other_environment_names(void)
{
	CU_ASSERT_TRUE(dr_path_names_other_environment("/opt/dreichor/prod/volumes", DR_ENV_DEV));
	CU_ASSERT_TRUE(dr_path_names_other_environment("/srv/audit-prod", DR_ENV_DEV));
	CU_ASSERT_TRUE(dr_path_names_other_environment("/srv/dev_snapshots", DR_ENV_PROD));
	CU_ASSERT_FALSE(dr_path_names_other_environment("/opt/dreichor/dev/volumes", DR_ENV_DEV));
	CU_ASSERT_FALSE(dr_path_names_other_environment("/srv/production", DR_ENV_DEV));
	CU_ASSERT_FALSE(dr_path_names_other_environment("/srv/devices", DR_ENV_PROD));
}

static void test_plane(void)
{
	CU_ASSERT_EQUAL(load_with("ALLOW_EXECUTION_PLANE", "live"), 1);
	CU_ASSERT_TRUE(has_problem("ALLOW_EXECUTION_PLANE: must be paper"));
	CU_ASSERT_EQUAL(load_with("ALLOW_EXECUTION_PLANE", NULL), 1);
}

static void test_image_repository(void)
{
	CU_ASSERT_EQUAL(load_with("IMAGE_REPOSITORY", "ghcr.io/ceerkle/dreichor-trading/runtime:1.0.0"), 1);
	CU_ASSERT_TRUE(has_problem("IMAGE_REPOSITORY:"));
	CU_ASSERT_EQUAL(load_with("IMAGE_REPOSITORY", "runtime"), 1);
	CU_ASSERT_EQUAL(load_with("IMAGE_REPOSITORY", "ghcr.io/Ceerkle/runtime"), 1);
	CU_ASSERT_EQUAL(load_with("IMAGE_REPOSITORY", "127.0.0.1:5000/ceerkle/dreichor-trading/runtime"), 0);
	CU_ASSERT_EQUAL(load_with("IMAGE_REPOSITORY", NULL), 1);
}

static void test_credentials(void)
{
	char dir[160], path[200];
	FILE *f;

	CU_ASSERT_EQUAL(load_with("CF_ACCESS_CLIENT_ID", NULL), 1);
	CU_ASSERT_TRUE(has_problem("CF_ACCESS_CLIENT_ID: required"));
	CU_ASSERT_EQUAL(load_with("CF_ACCESS_CLIENT_SECRET", NULL), 1);
	CU_ASSERT_TRUE(has_problem("CF_ACCESS_CLIENT_SECRET: required"));
	/* Endpoints never need the secret. */
	set_valid();
	unsetenv("CF_ACCESS_CLIENT_SECRET");
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, 0), 0);
	CU_ASSERT_PTR_NULL(cfg.client_secret);
	/* The systemd credential wins over the environment. */
	snprintf(dir, sizeof dir, "%s/creds", base);
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/cf-access-client-secret", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("from-credential-0123456789abcdef0123\n", f);
	fclose(f);
	set_valid();
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, DR_CONFIG_AUTH), 0);
	CU_ASSERT_STRING_EQUAL(cfg.client_secret, "from-credential-0123456789abcdef0123");
	unsetenv("CREDENTIALS_DIRECTORY");
	/* The file the units name, read directly; missing or empty is a problem naming the variable. */
	setenv("CF_ACCESS_CLIENT_SECRET_FILE", path, 1);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, DR_CONFIG_AUTH), 0);
	CU_ASSERT_STRING_EQUAL(cfg.client_secret, "from-credential-0123456789abcdef0123");
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fclose(f);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, DR_CONFIG_AUTH), 1);
	CU_ASSERT_TRUE(has_problem("CF_ACCESS_CLIENT_SECRET_FILE: the secret file is empty"));
	unlink(path);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, DR_CONFIG_AUTH), 1);
	CU_ASSERT_TRUE(has_problem("CF_ACCESS_CLIENT_SECRET_FILE: cannot read the secret file"));
	setenv("CF_ACCESS_CLIENT_SECRET_FILE", "relative/secret", 1);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, DR_CONFIG_AUTH), 1);
	unsetenv("CF_ACCESS_CLIENT_SECRET_FILE");
	rmdir(dir);
}

/* A volume path becomes the first part of a bind string: no ':' in it. */
static void test_bind_colon(void)
{
	char dir[256];

	snprintf(dir, sizeof dir, "%s/dev:audit", base);
	mkdir(dir, 0700);
	set_valid();
	setenv("AUDIT_EVENTS_PATH", dir, 1);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, 0), 1);
	CU_ASSERT_TRUE(has_problem("AUDIT_EVENTS_PATH: must not contain ':'"));
	set_valid();
	setenv("SNAPSHOTS_PATH", dir, 1);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, 0), 1);
	CU_ASSERT_TRUE(has_problem("SNAPSHOTS_PATH: must not contain ':'"));
	rmdir(dir);
	set_valid();
}

/* A secret too short, or with NUL, whitespace or control bytes, is a problem naming the rule, not the value. */
static void test_secret_rules(void)
{
	static const struct {
		const char *value;
		size_t len;
		const char *rule;
	} bad[] = {
		{ "0123456789abcdef0123456789abcde", 31, "shorter than 32 bytes" },
		{ "0123456789abcdef 0123456789abcdef", 33, "whitespace or a control character" },
		{ "0123456789abcdef0123456789abcdef\r0", 34, "whitespace or a control character" },
		{ "\t0123456789abcdef0123456789abcdef", 33, "whitespace or a control character" },
		{ "0\0001\0002\0003\0004\0005\0006\0007\0008\0009\000a\000b\000c\000d\000e\000f\000", 32, "NUL byte" },
	};
	char dir[256], path[300];
	size_t i;
	FILE *f;

	snprintf(dir, sizeof dir, "%s/secret-rules", base);
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/secret", dir);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		f = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fwrite(bad[i].value, 1, bad[i].len, f);
		fclose(f);
		set_valid();
		setenv("CF_ACCESS_CLIENT_SECRET_FILE", path, 1);
		dr_config_free(&cfg);
		CU_ASSERT_EQUAL(dr_config_load(&cfg, DR_CONFIG_AUTH), 1);
		CU_ASSERT_FALSE(no_problem_mentions(bad[i].rule));
		CU_ASSERT_TRUE(has_problem("CF_ACCESS_CLIENT_SECRET_FILE: the secret"));
		CU_ASSERT_TRUE(no_problem_mentions("0123456789abcdef"));
	}
	unsetenv("CF_ACCESS_CLIENT_SECRET_FILE");
	set_valid();
	setenv("CF_ACCESS_CLIENT_SECRET", "short-secret", 1);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, DR_CONFIG_AUTH), 1);
	CU_ASSERT_TRUE(has_problem("CF_ACCESS_CLIENT_SECRET: the secret is shorter than 32 bytes"));
	CU_ASSERT_TRUE(no_problem_mentions("short-secret"));
	setenv("CF_ACCESS_CLIENT_SECRET", "0123456789abcdef0123456789abcdef", 1);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, DR_CONFIG_AUTH), 0);
	unlink(path);
	rmdir(dir);
	set_valid();
}

/* The units' RuntimeMaxSec must outlast the slowest deploy the settings allow. */
static void test_deploy_fits_unit(void)
{
	char stop[24];
	long room = DR_UNIT_RUNTIME_MAX_SEC - dr_deploy_worst_seconds(0, 0);

	CU_ASSERT_TRUE(room > 2 * 30 + 10);
	snprintf(stop, sizeof stop, "%ld", room / 2);
	CU_ASSERT_EQUAL(load_with_timeouts(stop, "0"), 0);
	snprintf(stop, sizeof stop, "%ld", room / 2 + 1);
	CU_ASSERT_EQUAL(load_with_timeouts(stop, "0"), 1);
	CU_ASSERT_TRUE(has_problem("STOP_TIMEOUT_SECONDS: with STARTUP_GRACE_SECONDS a deploy could take"));
	CU_ASSERT_EQUAL(load_with_timeouts("3600", "600"), 1);
	CU_ASSERT_EQUAL(load_with_timeouts("30", "600"), 0);
}

static void test_docker_host(void)
{
	CU_ASSERT_EQUAL(load_with("DOCKER_HOST", "tcp://127.0.0.1:2375"), 1);
	CU_ASSERT_TRUE(has_problem("DOCKER_HOST: must be unix://"));
	CU_ASSERT_EQUAL(load_with("DOCKER_HOST", "unix://relative.sock"), 1);
	CU_ASSERT_EQUAL(load_with("DOCKER_HOST", NULL), 1);
}

static void test_runtime_env_file(void)
{
	CU_ASSERT_EQUAL(load_with("RUNTIME_ENV_FILE", "/nonexistent/runtime.env"), 1);
	CU_ASSERT_TRUE(has_problem("RUNTIME_ENV_FILE:"));
	CU_ASSERT_EQUAL(load_with("RUNTIME_ENV_FILE", NULL), 1);
}

static void test_optional_numbers(void)
{
	CU_ASSERT_EQUAL(load_with("STOP_TIMEOUT_SECONDS", "30"), 0);
	CU_ASSERT_EQUAL(cfg.stop_timeout_seconds, 30);
	CU_ASSERT_EQUAL(load_with("STOP_TIMEOUT_SECONDS", "-1"), 1);
	CU_ASSERT_TRUE(has_problem("STOP_TIMEOUT_SECONDS:"));
	CU_ASSERT_EQUAL(load_with("STARTUP_GRACE_SECONDS", "0"), 0);
	CU_ASSERT_EQUAL(cfg.startup_grace_seconds, 0);
	CU_ASSERT_EQUAL(load_with("STARTUP_GRACE_SECONDS", "601"), 1);
	CU_ASSERT_EQUAL(load_with("STARTUP_GRACE_SECONDS", "5s"), 1);
}

static void test_network(void)
{
	CU_ASSERT_EQUAL(load_with("CONTAINER_NETWORK", "none"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.container_network, "none");
	CU_ASSERT_EQUAL(load_with("CONTAINER_NETWORK", "host"), 1);
	CU_ASSERT_EQUAL(load_with("CONTAINER_NETWORK", "a b"), 1);
	CU_ASSERT_TRUE(has_problem("CONTAINER_NETWORK:"));
}

static void test_registry_auth_file(void)
{
	CU_ASSERT_EQUAL(load_with("REGISTRY_AUTH_FILE", "/nonexistent/config.json"), 1);
	CU_ASSERT_TRUE(has_problem("REGISTRY_AUTH_FILE:"));
	CU_ASSERT_EQUAL(load_with("REGISTRY_AUTH_FILE", rtfile), 0);
}

static void test_jwt_together(void)
{
	CU_ASSERT_EQUAL(load_with("CF_ACCESS_AUD", "tag"), 1);
	CU_ASSERT_TRUE(has_problem("CF_ACCESS_AUD: CF_ACCESS_AUD, CF_ACCESS_ISSUER and CF_ACCESS_CERTS_FILE must be set together"));
}

static void test_secret_never_in_problems(void)
{
	set_valid();
	setenv("ENVIRONMENT", "very-secret-value-0123456789abcdef", 1);
	setenv("PORT", "very-secret-value-0123456789abcdef", 1);
	dr_config_free(&cfg);
	CU_ASSERT_TRUE(dr_config_load(&cfg, DR_CONFIG_AUTH) > 0);
	CU_ASSERT_TRUE(no_problem_mentions("very-secret-value-0123456789abcdef"));
}

/* Keyless signatures (CONTRACT 10.1): identities, issuer, trusted root, and prod's requirement. */
static void test_keyless(void)
{
	static char many[2048];
	size_t n = 0;
	int i;

	CU_ASSERT_EQUAL(load_with(NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cfg.sigstore_trusted_root, "trusted_root.json")); /* the installed one */
	setenv("SIGSTORE_TRUSTED_ROOT", rtfile, 1); /* any readable file: dreichor-registry parses it */
	CU_ASSERT_EQUAL(load_with("IMAGE_SIGNATURE_IDENTITY", "https://github.com/o/r/.github/workflows/a.yml@refs/heads/main"), 0);
	CU_ASSERT_TRUE(cfg.image_signatures_required);
	CU_ASSERT_STRING_EQUAL(cfg.image_signature_issuer, "https://token.actions.githubusercontent.com");
	CU_ASSERT_EQUAL(load_with("IMAGE_SIGNATURE_IDENTITY", "  "), 1);
	CU_ASSERT_TRUE(has_problem("IMAGE_SIGNATURE_IDENTITY: must name 1 to 16"));
	CU_ASSERT_EQUAL(load_with("IMAGE_SIGNATURE_IDENTITY", "a\tb"), 1);
	for (i = 0; i < 17; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "id%d ", i);
	CU_ASSERT_EQUAL(load_with("IMAGE_SIGNATURE_IDENTITY", many), 1);
	CU_ASSERT_EQUAL(load_with("IMAGE_SIGNATURE_ISSUER", "https://a https://b"), 1);
	CU_ASSERT_TRUE(has_problem("IMAGE_SIGNATURE_ISSUER:"));
	set_valid();
	setenv("IMAGE_SIGNATURE_IDENTITY", "a b", 1);
	setenv("SIGSTORE_TRUSTED_ROOT", "/nonexistent/trusted_root.json", 1);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, DR_CONFIG_AUTH), 1);
	CU_ASSERT_TRUE(has_problem("SIGSTORE_TRUSTED_ROOT: must be the absolute path of a readable file"));
	setenv("SIGSTORE_TRUSTED_ROOT", rtfile, 1);
	set_valid();
	setenv("IMAGE_SIGNATURE_IDENTITY", "a", 1);
	setenv("IMAGE_SIGNATURES", "off", 1);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, DR_CONFIG_AUTH), 1);
	CU_ASSERT_TRUE(has_problem("IMAGE_SIGNATURES: off while IMAGE_SIGNATURE_IDENTITY is set"));
	set_valid();
	setenv("IMAGE_SIGNATURES", "required", 1);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, DR_CONFIG_AUTH), 1);
	CU_ASSERT_TRUE(has_problem("IMAGE_SIGNATURE_KEYS: required in dev with IMAGE_SIGNATURES=required"));
	setenv("IMAGE_SIGNATURE_IDENTITY", "a", 1);
	dr_config_free(&cfg);
	CU_ASSERT_EQUAL(dr_config_load(&cfg, DR_CONFIG_AUTH), 0);
	unsetenv("IMAGE_SIGNATURES");
	unsetenv("IMAGE_SIGNATURE_IDENTITY");
	unsetenv("SIGSTORE_TRUSTED_ROOT");
}

/* dr_env_file_read: the last of a name wins, and a value too long to keep unsets it: never the
 * earlier value, nor the long one's first byte. */
static void test_env_file_long_value(void)
{
	static const char *const names[] = { "SIGSTORE_TUF_URL", "OTHER" };
	static char values[2][DR_ENV_VALUE_MAX];
	char path[] = "/tmp/dreichor-env-file-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "OTHER=kept\nSIGSTORE_TUF_URL=http://127.0.0.1:1\nSIGSTORE_TUF_URL=h");
	for (int i = 0; i < DR_ENV_VALUE_MAX + 100; i++)
		fputc('x', f);
	fputc('\n', f);
	fclose(f);
	CU_ASSERT_EQUAL(dr_env_file_read(path, names, 2, values), 0);
	CU_ASSERT_STRING_EQUAL(values[0], "");
	CU_ASSERT_STRING_EQUAL(values[1], "kept");
	unlink(path);
}

static const struct unit_case cases[] = {
	{ "valid configuration", test_valid },
	{ "ENVIRONMENT", test_environment },
	{ "PORT and its pairing", test_port },
	{ "prod pairing of port and name", test_prod_pairing },
	{ "CONTAINER_NAME", test_container_name },
	{ "volume and state paths", test_paths },
	{ "paths naming the other environment", test_other_environment_names },
	{ "ALLOW_EXECUTION_PLANE", test_plane },
	{ "IMAGE_REPOSITORY", test_image_repository },
	{ "service token and credential file", test_credentials },
	{ "DOCKER_HOST", test_docker_host },
	{ "RUNTIME_ENV_FILE", test_runtime_env_file },
	{ "optional timeouts", test_optional_numbers },
	{ "the slowest deploy fits RuntimeMaxSec", test_deploy_fits_unit },
	{ "CONTAINER_NETWORK", test_network },
	{ "REGISTRY_AUTH_FILE", test_registry_auth_file },
	{ "CF_ACCESS JWT variables", test_jwt_together },
	{ "secret values never in problems", test_secret_never_in_problems },
	{ "secret rules", test_secret_rules },
	{ "no ':' in a bind source", test_bind_colon },
	{ "keyless signatures: identities, issuer, trusted root", test_keyless },
	{ "env file: a value too long to keep unsets the name", test_env_file_long_value },
	{ NULL, NULL },
};

int main(void)
{
	int rc;
	char cmd[128];

	make_dirs();
	rc = unit_run("config", cases);
	dr_config_free(&cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	if (system(cmd) != 0)
		rc = rc ? rc : 99;
	return rc;
}
