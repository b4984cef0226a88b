/* auth.c: constant-time service-token comparison. */

#include <string.h>

#include "auth.h"

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

int dr_auth_check(const struct dr_http_request *req, const struct dr_config *cfg, struct dr_error *err)
{
	const char *id = dr_http_header_get(req, "CF-Access-Client-Id");
	const char *secret = dr_http_header_get(req, "CF-Access-Client-Secret");
	int id_ok, secret_ok;

	if (!id || !id[0] || !secret || !secret[0])
		return dr_error_set(err, 401, "CF-Access-Client-Id and CF-Access-Client-Secret headers are required");
	/* Compare both before deciding so timing does not tell which one differed. */
	id_ok = dr_auth_equal(id, strlen(id), cfg->client_id, strlen(cfg->client_id));
	secret_ok = dr_auth_equal(secret, strlen(secret), cfg->client_secret, strlen(cfg->client_secret));
	if (!(id_ok & secret_ok))
		return dr_error_set(err, 403, "service token not accepted for this environment");
	return 0;
}
