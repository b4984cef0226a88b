/* auth.c: constant-time service-token comparison. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth.h"
#include "clock.h"
#include "fdio.h"

int dr_auth_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen > blen ? alen : blen;
	volatile unsigned char diff = (unsigned char)(alen != blen);
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char x = i < alen ? (unsigned char)a[i] : 0;
		unsigned char y = i < blen ? (unsigned char)b[i] : 0;
		diff |= (unsigned char)(x ^ y);
	}
	return diff == 0;
}

/* Compare what was presented with the configured values; both are compared before deciding so
 * that timing does not tell which one differed. A NULL presented value counts as a match. */
static int auth_headers_match(const char *id, const char *secret, const struct dr_config *cfg)
{
	int id_ok = 1, secret_ok = 1;

	if (id)
		id_ok = dr_auth_equal(id, strlen(id), cfg->client_id, strlen(cfg->client_id));
	if (secret)
		secret_ok = dr_auth_equal(secret, strlen(secret), cfg->client_secret, strlen(cfg->client_secret));
	return id_ok & secret_ok;
}

/* Run the verifier with exactly the policy in its environment; token on its stdin, verdict on its
 * stdout. Returns its exit code (0 valid, 1 refused, 2 certs file broken) or -1 when it did not answer. */
static int auth_run_verifier(const struct dr_config *cfg, const char *token, size_t token_len, char *out, size_t cap)
{
	char program[4096], aud[1024], iss[1024], certs[4200], id[1024];
	char *const argv[] = { (char *)DR_AUTH_JWT_PROGRAM, NULL };
	char *const envp[] = { aud, iss, certs, id, NULL };
	int in[2] = { -1, -1 }, res[2] = { -1, -1 }, status = -1, rc = -1;
	long long deadline = dr_now_ms() + DR_AUTH_JWT_TIMEOUT_MS;
	size_t used = 0;
	pid_t pid = -1;

	snprintf(program, sizeof program, "%s/%s", cfg->libexecdir, DR_AUTH_JWT_PROGRAM);
	snprintf(aud, sizeof aud, "CF_ACCESS_AUD=%s", cfg->cf_access_aud);
	snprintf(iss, sizeof iss, "CF_ACCESS_ISSUER=%s", cfg->cf_access_issuer);
	snprintf(certs, sizeof certs, "CF_ACCESS_CERTS_FILE=%s", cfg->cf_access_certs_file);
	snprintf(id, sizeof id, "CF_ACCESS_CLIENT_ID=%s", cfg->client_id);
	out[0] = '\0';
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0 || (pid = fork()) < 0)
		goto done;
	if (pid == 0) {
		if (dup2(in[0], STDIN_FILENO) < 0 || dup2(res[1], STDOUT_FILENO) < 0)
			_exit(111);
		execve(program, argv, envp);
		_exit(111);
	}
	close(in[0]);
	close(res[1]);
	in[0] = res[1] = -1;
	dr_write_all(in[1], token, token_len);
	close(in[1]);
	in[1] = -1;
	while (used + 1 < cap) {
		struct pollfd pfd = { .fd = res[0], .events = POLLIN };
		long long left = deadline - dr_now_ms();
		ssize_t n;
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		n = read(res[0], out + used, cap - 1 - used);
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	out[used] = '\0';
	out[strcspn(out, "\n")] = '\0';
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) <= 2)
		rc = WEXITSTATUS(status);
	if (rc == 0 && strcmp(out, "ok"))
		rc = -1;
	if (rc < 0 && !out[0])
		snprintf(out, cap, "verifier %s failed to answer", program);
done:
	if (pid < 0 && !out[0])
		snprintf(out, cap, "cannot start the verifier: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (res[i] >= 0)
			close(res[i]);
	}
	return rc;
}

const char *dr_auth_jwt_find(const struct dr_http_request *req, size_t *len)
{
	const char *header = dr_http_header_get(req, "Cf-Access-Jwt-Assertion");
	size_t i;

	if (header && header[0]) {
		*len = strlen(header);
		return header;
	}
	for (i = 0; i < req->header_count; i++) {
		const char *c = req->headers[i].value;
		if (strcasecmp(req->headers[i].name, "Cookie"))
			continue;
		/* cookie-string: name=value pairs separated by "; " (RFC 6265 section 4.2.1). */
		while (*c) {
			size_t pair = strcspn(c, ";");
			const char *eq = memchr(c, '=', pair);
			if (eq && (size_t)(eq - c) == strlen(DR_AUTH_JWT_COOKIE) && !memcmp(c, DR_AUTH_JWT_COOKIE, (size_t)(eq - c)) &&
			    pair > (size_t)(eq + 1 - c)) {
				*len = pair - (size_t)(eq + 1 - c);
				return eq + 1;
			}
			c += pair;
			while (*c == ';' || *c == ' ')
				c++;
		}
	}
	*len = 0;
	return NULL;
}

int dr_auth_jwt_configured(const struct dr_config *cfg)
{
	return cfg->cf_access_aud && cfg->cf_access_issuer && cfg->cf_access_certs_file;
}

/* The service token alone: both headers required and matching. */
static int auth_check_service_token(const struct dr_http_request *req, const struct dr_config *cfg, struct dr_error *err)
{
	const char *id = dr_http_header_get(req, "CF-Access-Client-Id");
	const char *secret = dr_http_header_get(req, "CF-Access-Client-Secret");

	if (!id || !id[0] || !secret || !secret[0])
		return dr_error_set(err, 401, "CF-Access-Client-Id and CF-Access-Client-Secret headers are required");
	if (!auth_headers_match(id, secret, cfg))
		return dr_error_set(err, 403, "service token not accepted for this environment");
	return 0;
}

/* The JWT authenticates; service-token headers that are present must still match. */
static int auth_check_jwt(const struct dr_http_request *req, const struct dr_config *cfg, struct dr_error *err,
			  char *detail, size_t detail_cap)
{
	const char *id = dr_http_header_get(req, "CF-Access-Client-Id");
	const char *secret = dr_http_header_get(req, "CF-Access-Client-Secret");
	size_t len = 0;
	const char *token = dr_auth_jwt_find(req, &len);

	if (!auth_headers_match(id, secret, cfg))
		return dr_error_set(err, 403, "service token not accepted for this environment");
	if (!token)
		return dr_error_set(err, 401, "Cloudflare Access token required: no Cf-Access-Jwt-Assertion header or CF_Authorization cookie");
	switch (auth_run_verifier(cfg, token, len, detail, detail_cap)) {
	case 0:
		return 0;
	case 2:
		return dr_error_set(err, 500, "CF_ACCESS_CERTS_FILE cannot be read or parsed (the journal has the detail)");
	case 1:
		return dr_error_set(err, 403, "Cloudflare Access token not accepted");
	default:
		return dr_error_set(err, 500, "the Cloudflare Access token could not be checked (the journal has the detail)");
	}
}

int dr_auth_check(const struct dr_http_request *req, const struct dr_config *cfg, struct dr_error *err,
		  char *detail, size_t detail_cap)
{
	detail[0] = '\0';
	if (dr_auth_jwt_configured(cfg))
		return auth_check_jwt(req, cfg, err, detail, detail_cap);
	return auth_check_service_token(req, cfg, err);
}
