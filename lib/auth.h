/* auth.h: the Cloudflare Access service-token check done before routing. */
#ifndef DR_AUTH_H
#define DR_AUTH_H

#include <stddef.h>

#include "config.h"
#include "http.h"

/* 1 when a and b are equal, in time that depends only on their lengths' maximum. */
int dr_auth_equal(const char *a, size_t alen, const char *b, size_t blen);

/* Check CF-Access-Client-Id and -Secret; returns 0, 401 (missing) or 403 (wrong), reason set. */
int dr_auth_check(const struct dr_http_request *req, const struct dr_config *cfg, struct dr_error *err);

#define DR_AUTH_JWT_PROGRAM "dreichor-jwt-verify"
#define DR_AUTH_JWT_TIMEOUT_MS 3000

/* When CF_ACCESS_AUD is configured, require Cf-Access-Jwt-Assertion and have dreichor-jwt-verify
 * check it; returns 0, 401 (missing) or 403 (refused, with the verifier's reason in detail). */
int dr_auth_check_jwt(const struct dr_http_request *req, const struct dr_config *cfg, struct dr_error *err,
		      char *detail, size_t detail_cap);

#endif
