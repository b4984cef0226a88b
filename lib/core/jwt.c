/* jwt.c: RS256 JWT verification: base64url (lib/core/base64), RFC 8259
 * checking and reading (lib/core/json_strict, lib/core/json_read), SHA-256
 * and the RSA public-key operation from Nettle (lib/core/crypto). The
 * dispatcher runs it in process. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "json_read.h"
#include "json_strict.h"
#include "jwt.h"
#include "crypto.h"

#define JWT_JSON_DEPTH 8     /* a token's header and payload are flat */
#define JWT_CERTS_DEPTH 16   /* Cloudflare's certs nest a little deeper */
#define JWT_STRING_MAX 1024  /* alg, kid, iss, common_name, an aud entry */

struct jwt_parts {
	const char *signed_data; /* header.payload, as received */
	size_t signed_len;
	char header_text[DR_JWT_PART_MAX];
	char payload_text[DR_JWT_PART_MAX];
	struct dr_json_value header;
	struct dr_json_value payload;
	unsigned char signature[DR_RSA_MAX_BITS / 8 + 1];
	long signature_len;
};

static int jwt_refuse(char *why, size_t cap, const char *text)
{
	snprintf(why, cap, "%s", text);
	return DR_JWT_REFUSED;
}

/* Decode one base64url part into text and read it as one checked JSON object. */
static int jwt_decode_json(const char *part, size_t len, char *text, struct dr_json_value *out)
{
	char why[160];
	long n = dr_base64url_decode_strict(part, len, (unsigned char *)text, DR_JWT_PART_MAX);

	if (n <= 0 || dr_json_strict_check(text, (size_t)n, JWT_JSON_DEPTH, NULL, why, sizeof why) ||
	    dr_json_root(text, (size_t)n, out) || out->type != DR_JSON_OBJECT)
		return -1;
	return 0;
}

static int jwt_split(const char *token, size_t len, struct jwt_parts *jp, char *why, size_t cap)
{
	const char *dot1 = memchr(token, '.', len);
	const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
	const char *sig;

	if (!dot1 || !dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
		return jwt_refuse(why, cap, "token is not three dot-separated parts");
	sig = dot2 + 1;
	jp->signed_data = token;
	jp->signed_len = (size_t)(dot2 - token);
	if (jwt_decode_json(token, (size_t)(dot1 - token), jp->header_text, &jp->header) ||
	    jwt_decode_json(dot1 + 1, (size_t)(dot2 - dot1 - 1), jp->payload_text, &jp->payload))
		return jwt_refuse(why, cap, "token header or payload is not base64url JSON");
	jp->signature_len = dr_base64url_decode_strict(sig, len - (size_t)(sig - token), jp->signature, sizeof jp->signature);
	if (jp->signature_len <= 0)
		return jwt_refuse(why, cap, "token signature is not base64url");
	return 0;
}

/* The string member key of object into out; 0, or -1 when absent, not a string or too long. */
static int jwt_string(const struct dr_json_value *object, const char *key, char *out, size_t cap)
{
	struct dr_json_value v;

	return dr_json_get(object, key, &v) || dr_json_string(&v, out, cap) ? -1 : 0;
}

/* The public key of one JWK; 0, or -1 with why set. */
static int jwt_key_of(const struct dr_json_value *jwk, struct dr_rsa_key *key, char *why, size_t cap)
{
	char n64[1024], e64[32];
	unsigned char n[DR_RSA_MAX_BITS / 8 + 1], e[8];
	long n_len = -1, e_len = -1;
	const char *problem = "key in CF_ACCESS_CERTS_FILE is not a usable RSA key";

	if (!jwt_string(jwk, "n", n64, sizeof n64) && !jwt_string(jwk, "e", e64, sizeof e64)) {
		n_len = dr_base64url_decode_strict(n64, strlen(n64), n, sizeof n);
		e_len = dr_base64url_decode_strict(e64, strlen(e64), e, sizeof e);
	}
	if (n_len <= 0 || e_len <= 0 || dr_rsa_key_load(key, n, (size_t)n_len, e, (size_t)e_len, &problem))
		return jwt_refuse(why, cap, problem);
	return 0;
}

/* 1 when jwk is an RSA key (kty "RSA"). */
static int jwt_is_rsa(const struct dr_json_value *jwk)
{
	char kty[8];

	return !jwt_string(jwk, "kty", kty, sizeof kty) && !strcmp(kty, "RSA");
}

/* The keys array of a certs document (len bytes of text): checked as RFC 8259, one object with
 * an array called keys; 0, or -1. */
static int jwt_certs_keys(const char *text, size_t len, struct dr_json_value *keys)
{
	struct dr_json_value root;
	char detail[160];

	if (dr_json_strict_check(text, len, JWT_CERTS_DEPTH, NULL, detail, sizeof detail) ||
	    dr_json_root(text, len, &root) || root.type != DR_JSON_OBJECT || dr_json_get(&root, "keys", keys) ||
	    keys->type != DR_JSON_ARRAY)
		return -1;
	return 0;
}

/* The certs file read and checked into text (DR_JWT_CERTS_MAX + 1 bytes) and its keys array;
 * 0, or DR_JWT_CERTS_BROKEN with why set. */
static int jwt_read_certs(const char *certs_file, char *text, struct dr_json_value *keys, char *why, size_t cap)
{
	ssize_t n = -1;
	int fd = open(certs_file, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, text, DR_JWT_CERTS_MAX + 1);
		close(fd);
	}
	if (n < 0) {
		snprintf(why, cap, "CF_ACCESS_CERTS_FILE cannot be read: %s", strerror(errno));
		return DR_JWT_CERTS_BROKEN;
	}
	if (n > DR_JWT_CERTS_MAX) {
		snprintf(why, cap, "CF_ACCESS_CERTS_FILE is larger than %d bytes", DR_JWT_CERTS_MAX);
		return DR_JWT_CERTS_BROKEN;
	}
	if (jwt_certs_keys(text, (size_t)n, keys)) {
		jwt_refuse(why, cap, "CF_ACCESS_CERTS_FILE is not a JWKS document with keys");
		return DR_JWT_CERTS_BROKEN;
	}
	return 0;
}

/* The RSA key called kid from the certs file; 0, DR_JWT_REFUSED or DR_JWT_CERTS_BROKEN. */
static int jwt_load_key(const char *certs_file, const char *kid, struct dr_rsa_key *key, char *why, size_t cap)
{
	struct dr_json_value keys, jwk;
	char *text = malloc(DR_JWT_CERTS_MAX + 1), k_kid[JWT_STRING_MAX];
	size_t pos = 0;
	int rc, found = 0;

	if (!text)
		return jwt_refuse(why, cap, "out of memory reading CF_ACCESS_CERTS_FILE");
	rc = jwt_read_certs(certs_file, text, &keys, why, cap);
	while (!rc && !found && dr_json_next(&keys, &pos, &jwk))
		found = jwt_is_rsa(&jwk) && !jwt_string(&jwk, "kid", k_kid, sizeof k_kid) && !strcmp(k_kid, kid);
	if (!rc && !found) {
		snprintf(why, cap, "no RSA key with kid %.80s in CF_ACCESS_CERTS_FILE", kid);
		rc = DR_JWT_REFUSED;
	} else if (!rc) {
		rc = jwt_key_of(&jwk, key, why, cap);
	}
	free(text);
	return rc;
}

static int jwt_check_signature(const struct jwt_parts *jp, const struct dr_jwt_policy *p, char *why, size_t cap)
{
	char alg[16], kid[JWT_STRING_MAX];
	struct dr_json_value crit;
	unsigned char digest[DR_SHA256_LEN];
	struct dr_rsa_key key;
	int rc;

	if (jwt_string(&jp->header, "alg", alg, sizeof alg) || strcmp(alg, "RS256"))
		return jwt_refuse(why, cap, "token alg is not RS256");
	/* RFC 7515 4.1.11: extensions this verifier does not know must not be ignored. */
	if (!dr_json_get(&jp->header, "crit", &crit))
		return jwt_refuse(why, cap, "token header has crit, which is not supported");
	if (jwt_string(&jp->header, "kid", kid, sizeof kid))
		return jwt_refuse(why, cap, "token header has no kid");
	if ((rc = jwt_load_key(p->certs_file, kid, &key, why, cap)))
		return rc;
	dr_sha256(jp->signed_data, jp->signed_len, digest);
	if (!dr_rsa_verify_sha256(&key, jp->signature, (size_t)jp->signature_len, digest))
		return jwt_refuse(why, cap, "token signature does not verify");
	return 0;
}

/* aud is a string or an array of strings. */
static int jwt_audience_matches(const struct dr_json_value *payload, const char *audience)
{
	struct dr_json_value aud, a;
	char text[JWT_STRING_MAX];
	size_t pos = 0;

	if (dr_json_get(payload, "aud", &aud))
		return 0;
	if (aud.type == DR_JSON_STRING)
		return !dr_json_string(&aud, text, sizeof text) && !strcmp(text, audience);
	while (dr_json_next(&aud, &pos, &a))
		if (!dr_json_string(&a, text, sizeof text) && !strcmp(text, audience))
			return 1;
	return 0;
}

/* A numeric date claim; 0 and *out set, or -1 when absent or not a number. */
static int jwt_time(const struct dr_json_value *payload, const char *key, long long *out)
{
	struct dr_json_value v;

	return dr_json_get(payload, key, &v) || dr_json_integer(&v, out) ? -1 : 0;
}

static int jwt_check_claims(const struct dr_json_value *pl, const struct dr_jwt_policy *p, char *why, size_t cap)
{
	char iss[JWT_STRING_MAX], cn[JWT_STRING_MAX];
	long long exp, iat, nbf;

	if (!jwt_audience_matches(pl, p->audience))
		return jwt_refuse(why, cap, "token aud does not contain CF_ACCESS_AUD");
	if (jwt_string(pl, "iss", iss, sizeof iss) || strcmp(iss, p->issuer))
		return jwt_refuse(why, cap, "token iss is not CF_ACCESS_ISSUER");
	if (jwt_time(pl, "exp", &exp))
		return jwt_refuse(why, cap, "token has no exp");
	if (exp + DR_JWT_SKEW_SECONDS <= p->now)
		return jwt_refuse(why, cap, "token expired");
	if (jwt_time(pl, "iat", &iat))
		return jwt_refuse(why, cap, "token has no iat");
	if (iat > p->now + DR_JWT_SKEW_SECONDS)
		return jwt_refuse(why, cap, "token iat lies in the future");
	if (!jwt_time(pl, "nbf", &nbf) && nbf > p->now + DR_JWT_SKEW_SECONDS)
		return jwt_refuse(why, cap, "token not valid yet (nbf)");
	if (jwt_string(pl, "common_name", cn, sizeof cn))
		return jwt_refuse(why, cap, "token has no common_name");
	if (!strcmp(cn, p->common_name))
		return 0;
	if (p->reader_common_name && !strcmp(cn, p->reader_common_name))
		return DR_JWT_READER;
	return jwt_refuse(why, cap, p->reader_common_name ? "token common_name is neither CF_ACCESS_CLIENT_ID nor CF_ACCESS_READER_CLIENT_ID"
						     : "token common_name is not CF_ACCESS_CLIENT_ID");
}

int dr_jwt_verify(const char *token, size_t len, const struct dr_jwt_policy *p, char *why, size_t why_cap)
{
	struct jwt_parts *jp;
	int rc;

	if (len == 0 || len > DR_JWT_MAX)
		return jwt_refuse(why, why_cap, "token missing or longer than 16384 bytes");
	jp = malloc(sizeof *jp);
	if (!jp)
		return jwt_refuse(why, why_cap, "out of memory checking the token");
	rc = jwt_split(token, len, jp, why, why_cap);
	if (!rc)
		rc = jwt_check_signature(jp, p, why, why_cap);
	if (!rc)
		rc = jwt_check_claims(&jp->payload, p, why, why_cap);
	free(jp);
	return rc;
}

int dr_jwt_certs_check(const char *text, size_t len, char *why, size_t cap)
{
	struct dr_json_value keys, jwk;
	struct dr_rsa_key key;
	char kid[JWT_STRING_MAX];
	size_t pos = 0;
	int usable = 0;

	if (len > DR_JWT_CERTS_MAX)
		return jwt_refuse(why, cap, "certs document is larger than 262144 bytes");
	if (memchr(text, '\0', len))
		return jwt_refuse(why, cap, "certs document contains a NUL byte");
	if (jwt_certs_keys(text, len, &keys))
		return jwt_refuse(why, cap, "certs document is not one JSON object with a keys array");
	while (dr_json_next(&keys, &pos, &jwk)) {
		if (!jwt_is_rsa(&jwk))
			continue;
		if (jwt_string(&jwk, "kid", kid, sizeof kid))
			return jwt_refuse(why, cap, "an RSA key in the certs document has no kid");
		if (jwt_key_of(&jwk, &key, why, cap))
			return DR_JWT_REFUSED;
		usable++;
	}
	if (!usable)
		return jwt_refuse(why, cap, "certs document holds no RSA signing key");
	return 0;
}
