/* dreichor-fetch-certs: keeps CF_ACCESS_CERTS_FILE fresh without a daemon.
 * Downloads the Access team's signing keys over HTTPS
 * (https://TEAM.cloudflareaccess.com/cdn-cgi/access/certs, TEAM from the
 * argument or from CF_ACCESS_ISSUER), checks that they are a usable JWKS
 * document, and replaces the file atomically only then; a failed or
 * strange download leaves the old file in place. Run by the
 * dreichor-agent-ENV-certs timer, or as dreichor-agent --fetch-certs.
 * Exit codes: 0 replaced, unchanged or nothing configured, 1 not replaced,
 * 100 usage. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "error.h"
#include "jwt.h"
#include "state.h"
#include "config.h"
#include "status.h"

#define FETCH_EXIT_FAILED 1
#define FETCH_EXIT_USAGE 100
#define FETCH_TEAM_MAX 63
#define FETCH_URL_MAX 512
#define FETCH_TIMEOUT_SECONDS 30L
#define FETCH_PATH "/cdn-cgi/access/certs"

struct fetch {
	const char *team;        /* argument, or NULL */
	const char *cacert;      /* --cacert: extra trust anchor, or NULL for the system's */
	const char *issuer;      /* CF_ACCESS_ISSUER */
	const char *certs_file;  /* CF_ACCESS_CERTS_FILE */
	char url[FETCH_URL_MAX];
	struct dr_buf body;
};

static int fetch_fail(const char *what, const char *why)
{
	fprintf(stderr, "dreichor-fetch-certs: %s%s%s; the certs file was not replaced\n", what, why ? ": " : "",
		why ? why : "");
	return FETCH_EXIT_FAILED;
}

/* A team name is one DNS label. */
static int fetch_team_valid(const char *team)
{
	size_t len = strspn(team, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return len > 0 && len <= FETCH_TEAM_MAX && !team[len] && team[0] != '-' && team[len - 1] != '-';
}

/* The certs URL: from TEAM, which must then agree with CF_ACCESS_ISSUER when that is set, or from
 * the issuer alone. 0, or the exit code after saying why. */
static int fetch_url(struct fetch *f)
{
	char from_team[FETCH_URL_MAX];
	const char *base = f->issuer;

	if (f->team) {
		if (!fetch_team_valid(f->team))
			return fetch_fail("TEAM must be the Access team name (letters, digits, dashes)", NULL);
		snprintf(from_team, sizeof from_team, "https://%s.cloudflareaccess.com", f->team);
		if (f->issuer && strcmp(f->issuer, from_team))
			return fetch_fail("TEAM does not match CF_ACCESS_ISSUER", f->issuer);
		base = from_team;
	}
	if (!base || strncmp(base, "https://", 8))
		return fetch_fail("no team: give TEAM or set CF_ACCESS_ISSUER to https://TEAM.cloudflareaccess.com", NULL);
	if (snprintf(f->url, sizeof f->url, "%s%s", base, FETCH_PATH) >= (int)sizeof f->url)
		return fetch_fail("CF_ACCESS_ISSUER too long", NULL);
	return 0;
}

static size_t fetch_collect(char *data, size_t size, size_t n, void *userdata)
{
	struct dr_buf *b = userdata;

	return dr_buf_add(b, data, size * n) ? 0 : size * n;
}

/* GET the URL over HTTPS only, certificate checked, bounded in size and time. */
static int fetch_download(struct fetch *f)
{
	char error[CURL_ERROR_SIZE] = "";
	CURL *curl = curl_easy_init();
	CURLcode rc;
	long code = 0;

	if (!curl)
		return fetch_fail("libcurl did not start", NULL);
	curl_easy_setopt(curl, CURLOPT_URL, f->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, FETCH_TIMEOUT_SECONDS);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, fetch_collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &f->body);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "dreichor-fetch-certs/" PACKAGE_VERSION);
	if (f->cacert)
		curl_easy_setopt(curl, CURLOPT_CAINFO, f->cacert);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(curl);
	if (f->body.overflow)
		return fetch_fail("the certs document is larger than 262144 bytes", f->url);
	if (rc != CURLE_OK)
		return fetch_fail(f->url, error[0] ? error : curl_easy_strerror(rc));
	if (code != DR_STATUS_OK) {
		snprintf(error, sizeof error, "HTTP status %ld", code);
		return fetch_fail(f->url, error);
	}
	return 0;
}

/* 1 when path already holds exactly data. */
static int fetch_unchanged(const char *path, const struct dr_buf *data)
{
	struct dr_buf old;
	char block[4096];
	size_t n;
	int same;
	FILE *fp = fopen(path, "re");

	if (!fp)
		return 0;
	dr_buf_init(&old, DR_JWT_CERTS_MAX);
	while ((n = fread(block, 1, sizeof block, fp)) > 0 && !dr_buf_add(&old, block, n))
		;
	fclose(fp);
	same = !old.overflow && old.len == data->len && (!old.len || !memcmp(old.data, data->data, old.len));
	dr_buf_free(&old);
	return same;
}

/* Check and install the download; 0 or the exit code. */
static int fetch_install(struct fetch *f)
{
	char why[256] = "", dir[4096];
	const char *slash = strrchr(f->certs_file, '/');
	struct dr_error err = { 0 };

	if (dr_jwt_certs_check(f->body.data ? f->body.data : "", f->body.len, why, sizeof why))
		return fetch_fail("the download is not usable", why);
	if (fetch_unchanged(f->certs_file, &f->body)) {
		printf("%s unchanged\n", f->certs_file);
		return 0;
	}
	if (!slash || slash == f->certs_file || (size_t)(slash - f->certs_file) >= sizeof dir)
		return fetch_fail("CF_ACCESS_CERTS_FILE must be an absolute path below a directory", NULL);
	snprintf(dir, sizeof dir, "%.*s", (int)(slash - f->certs_file), f->certs_file);
	if (dr_state_write_atomic(dir, slash + 1, f->body.data, f->body.len, &err))
		return fetch_fail("cannot write the certs file", err.reason);
	printf("%s replaced from %s\n", f->certs_file, f->url);
	return 0;
}

static int fetch_usage(void)
{
	fprintf(stderr, "usage: dreichor-fetch-certs [--cacert FILE] [TEAM]\n"
			"  CF_ACCESS_CERTS_FILE names the file to replace; TEAM defaults to CF_ACCESS_ISSUER's.\n");
	return FETCH_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct fetch f = { 0 };
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cacert") && i + 1 < argc)
			f.cacert = argv[++i];
		else if (argv[i][0] != '-' && !f.team)
			f.team = argv[i];
		else
			return fetch_usage();
	}
	f.issuer = dr_env("CF_ACCESS_ISSUER");
	f.certs_file = dr_env("CF_ACCESS_CERTS_FILE");
	if (!f.certs_file || !f.certs_file[0]) {
		printf("CF_ACCESS_CERTS_FILE is not set: the JWT check is not configured, nothing to fetch\n");
		return 0;
	}
	if (f.certs_file[0] != '/')
		return fetch_fail("CF_ACCESS_CERTS_FILE must be an absolute path", NULL);
	if ((rc = fetch_url(&f)))
		return rc;
	dr_buf_init(&f.body, DR_JWT_CERTS_MAX);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return fetch_fail("libcurl did not start", NULL);
	rc = fetch_download(&f);
	if (!rc)
		rc = fetch_install(&f);
	dr_buf_free(&f.body);
	curl_global_cleanup();
	return rc;
}
