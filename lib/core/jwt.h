/* jwt.h: verification of the Cf-Access-Jwt-Assertion token that
 * Cloudflare Access forwards: RS256 signature by the key whose kid
 * matches in the team's certs file (JWKS), aud, iss, exp, iat, nbf with a
 * small clock skew, and common_name (the service token's client id).
 * With Nettle's RSA (lib/core/crypto), in the dispatcher's process. Caller buffers only;
 * nothing to free. */
#ifndef DR_JWT_H
#define DR_JWT_H

#include <stddef.h>

#define DR_JWT_MAX 16384          /* token length accepted */
#define DR_JWT_PART_MAX 8192      /* decoded header or payload */
#define DR_JWT_SKEW_SECONDS 60    /* allowed clock difference */
#define DR_JWT_CERTS_MAX (256 * 1024) /* bytes of CF_ACCESS_CERTS_FILE; Cloudflare's is about 3 KiB */

struct dr_jwt_policy {
	const char *audience;     /* must be in aud */
	const char *issuer;       /* must equal iss */
	const char *certs_file;   /* JWKS: {"keys": [{"kid", "kty": "RSA", "n", "e"}]} */
	const char *common_name;  /* common_name must equal this, */
	const char *reader_common_name; /* or this (NULL: no read-only client): DR_JWT_READER */
	long long now;            /* seconds since the epoch */
};

#define DR_JWT_REFUSED (-1)        /* the token is not acceptable */
#define DR_JWT_CERTS_BROKEN (-2)   /* the certs file cannot be read or is not a JWKS document */
#define DR_JWT_READER 1            /* valid, for the read-only client's common_name */

/* Verify token (len bytes) against p; returns 0, DR_JWT_READER, DR_JWT_REFUSED or DR_JWT_CERTS_BROKEN,
 * with why (for the journal) set. */
int dr_jwt_verify(const char *token, size_t len, const struct dr_jwt_policy *p, char *why, size_t why_cap);

/* Check a downloaded certs document (len bytes, need not be terminated): one JSON object whose
 * keys array holds at least one RSA key, every RSA key with a kid and at least 2048 bits;
 * returns 0, or -1 with why set. */
int dr_jwt_certs_check(const char *text, size_t len, char *why, size_t why_cap);

#endif
