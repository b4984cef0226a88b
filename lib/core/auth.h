/* auth.h: authentication before routing: the Cloudflare Access service token, or the Access JWT. */
#ifndef DR_AUTH_H
#define DR_AUTH_H

#include <stddef.h>

#include "config.h"
#include "http.h"

/* 1 when a and b are equal, in time that depends only on their lengths' maximum. */
int dr_auth_equal(const char *a, size_t alen, const char *b, size_t blen);

#define DR_AUTH_JWT_COOKIE "CF_Authorization"

/* Who the client is: the deploying token, or the read-only one (plan, status, history). */
enum dr_auth_role { DR_AUTH_NONE = 0, DR_AUTH_DEPLOYER, DR_AUTH_READER };

/* The Access JWT: the Cf-Access-Jwt-Assertion header, else the CF_Authorization cookie; points
 * into req (not terminated for the cookie), *len bytes; NULL when neither is there. */
const char *dr_auth_jwt_find(const struct dr_http_request *req, size_t *len);

/* Authenticate (docs/api.md, authentication). Without the JWT check configured: CF-Access-Client-Id and
 * -Secret are required and compared in constant time with the deploying and the read-only pair.
 * With it: the JWT is required and verified in this process (lib/core/jwt.c), its common_name
 * names the role, and the two headers, when present, must be that role's pair. Returns 0 with
 * *role set, or a fault: unauthenticated, forbidden, or internal (the certs file cannot be read
 * or parsed), with err's reason for the client and, for the JWT, why it was refused in detail,
 * for the journal only. */
int dr_auth_check(const struct dr_http_request *req, const struct dr_config *cfg, enum dr_auth_role *role,
		  struct dr_error *err, char *detail, size_t detail_cap);

#endif
