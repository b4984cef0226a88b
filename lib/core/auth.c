/* auth.c: the service token compared in constant time, or the Access JWT
 * found in the head and verified in process (lib/jwt.c). */

#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "jwt.h"

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

/* Compare what was presented with one configured pair; both are compared before deciding so
 * that timing does not tell which one differed. A NULL presented value counts as a match. */
static int auth_pair_matches(const char *id, const char *secret, const char *want_id, const char *want_secret)
{
	int id_ok = 1, secret_ok = 1;

	if (!want_id || !want_secret)
		return 0;
	if (id)
		id_ok = dr_auth_equal(id, strlen(id), want_id, strlen(want_id));
	if (secret)
		secret_ok = dr_auth_equal(secret, strlen(secret), want_secret, strlen(want_secret));
	return id_ok & secret_ok;
}

/* Which configured token the presented headers are: both pairs compared every time. */
static enum dr_auth_role auth_headers_role(const char *id, const char *secret, const struct dr_config *cfg)
{
	int deployer = auth_pair_matches(id, secret, cfg->client_id, cfg->client_secret);
	int reader = auth_pair_matches(id, secret, cfg->reader_client_id, cfg->reader_client_secret);

	return deployer ? DR_AUTH_DEPLOYER : reader ? DR_AUTH_READER : DR_AUTH_NONE;
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

/* 1 when CF_ACCESS_AUD, CF_ACCESS_ISSUER and CF_ACCESS_CERTS_FILE are all set. */
static int auth_jwt_configured(const struct dr_config *cfg)
{
	return cfg->cf_access_aud && cfg->cf_access_issuer && cfg->cf_access_certs_file;
}

/* The service token alone: both headers required and matching one configured pair. */
static int auth_check_service_token(const struct dr_http_request *req, const struct dr_config *cfg,
				    enum dr_auth_role *role, struct dr_error *err)
{
	const char *id = dr_http_header_get(req, "CF-Access-Client-Id");
	const char *secret = dr_http_header_get(req, "CF-Access-Client-Secret");

	if (!id || !id[0] || !secret || !secret[0])
		return dr_error_set(err, DR_FAULT_UNAUTHENTICATED, "CF-Access-Client-Id and CF-Access-Client-Secret headers are required");
	if (!(*role = auth_headers_role(id, secret, cfg)))
		return dr_error_set(err, DR_FAULT_FORBIDDEN, "service token not accepted for this environment");
	return 0;
}

/* The JWT authenticates; service-token headers that are present must still match. */
static int auth_check_jwt(const struct dr_http_request *req, const struct dr_config *cfg, enum dr_auth_role *role,
			  struct dr_error *err, char *detail, size_t detail_cap)
{
	const char *id = dr_http_header_get(req, "CF-Access-Client-Id");
	const char *secret = dr_http_header_get(req, "CF-Access-Client-Secret");
	size_t len = 0;
	const char *token = dr_auth_jwt_find(req, &len);
	struct dr_jwt_policy policy;
	int rc;

	enum dr_auth_role headers = auth_headers_role(id, secret, cfg);

	if (!headers)
		return dr_error_set(err, DR_FAULT_FORBIDDEN, "service token not accepted for this environment");
	if (!token)
		return dr_error_set(err, DR_FAULT_UNAUTHENTICATED, "Cloudflare Access token required: no Cf-Access-Jwt-Assertion header or CF_Authorization cookie");
	policy.audience = cfg->cf_access_aud;
	policy.issuer = cfg->cf_access_issuer;
	policy.certs_file = cfg->cf_access_certs_file;
	policy.common_name = cfg->client_id;
	policy.reader_common_name = cfg->reader_client_id;
	policy.now = (long long)time(NULL);
	rc = dr_jwt_verify(token, len, &policy, detail, detail_cap);
	if (rc == DR_JWT_CERTS_BROKEN)
		return dr_error_set(err, DR_FAULT_INTERNAL, "CF_ACCESS_CERTS_FILE cannot be read or parsed (the journal has the detail)");
	if (rc < 0)
		return dr_error_set(err, DR_FAULT_FORBIDDEN, "Cloudflare Access token not accepted");
	*role = rc == DR_JWT_READER ? DR_AUTH_READER : DR_AUTH_DEPLOYER;
	/* Headers sent along must be the same token's (the pair they matched above). */
	if ((id || secret) && headers != *role)
		return dr_error_set(err, DR_FAULT_FORBIDDEN, "service token not accepted for this environment");
	return 0;
}

int dr_auth_check(const struct dr_http_request *req, const struct dr_config *cfg, enum dr_auth_role *role,
		  struct dr_error *err, char *detail, size_t detail_cap)
{
	detail[0] = '\0';
	*role = DR_AUTH_NONE;
	if (auth_jwt_configured(cfg))
		return auth_check_jwt(req, cfg, role, err, detail, detail_cap);
	return auth_check_service_token(req, cfg, role, err);
}
