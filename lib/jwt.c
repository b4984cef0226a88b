/* jwt.c: RS256 JWT verification with OpenSSL's EVP API and json-c. */

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "base64.h"
#include "jwt.h"

struct jwt_parts {
	const char *signed_data; /* header.payload, as received */
	size_t signed_len;
	json_object *header;
	json_object *payload;
	unsigned char signature[1024];
	long signature_len;
};

static int jwt_refuse(char *why, size_t cap, const char *text)
{
	snprintf(why, cap, "%s", text);
	return -1;
}

/* Decode one base64url part into a JSON object. */
static json_object *jwt_decode_json(const char *text, size_t len)
{
	unsigned char raw[DR_JWT_PART_MAX + 1];
	long n = dr_base64url_decode_strict(text, len, raw, DR_JWT_PART_MAX);
	json_tokener *tok;
	json_object *o;

	if (n <= 0 || memchr(raw, '\0', (size_t)n))
		return NULL;
	tok = json_tokener_new_ex(8);
	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, (const char *)raw, (int)n);
	if (o && (json_tokener_get_error(tok) != json_tokener_success || !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
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
	jp->header = jwt_decode_json(token, (size_t)(dot1 - token));
	jp->payload = jwt_decode_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	jp->signature_len = dr_base64url_decode_strict(sig, len - (size_t)(sig - token), jp->signature, sizeof jp->signature);
	if (!jp->header || !jp->payload)
		return jwt_refuse(why, cap, "token header or payload is not base64url JSON");
	if (jp->signature_len <= 0)
		return jwt_refuse(why, cap, "token signature is not base64url");
	return 0;
}

static const char *jwt_string(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

static BIGNUM *jwt_bignum(json_object *jwk, const char *key)
{
	unsigned char raw[1024];
	const char *text = jwt_string(jwk, key);
	long n = text ? dr_base64url_decode_strict(text, strlen(text), raw, sizeof raw) : -1;

	return n > 0 ? BN_bin2bn(raw, (int)n, NULL) : NULL;
}

/* The JWKS file parsed, or NULL with why set; one larger than DR_JWT_CERTS_MAX is refused before
 * it is read. */
static json_object *jwt_read_certs(const char *certs_file, char *why, size_t cap)
{
	struct stat st;
	json_object *certs, *keys;

	if (stat(certs_file, &st) < 0) {
		jwt_refuse(why, cap, "CF_ACCESS_CERTS_FILE cannot be read");
		return NULL;
	}
	if (st.st_size > DR_JWT_CERTS_MAX) {
		snprintf(why, cap, "CF_ACCESS_CERTS_FILE is larger than %d bytes", DR_JWT_CERTS_MAX);
		return NULL;
	}
	certs = json_object_from_file(certs_file);
	if (!certs || !json_object_object_get_ex(certs, "keys", &keys) || !json_object_is_type(keys, json_type_array)) {
		json_object_put(certs);
		jwt_refuse(why, cap, "CF_ACCESS_CERTS_FILE is not a JWKS document with keys");
		return NULL;
	}
	return certs;
}

/* The RSA public key of one JWK, or NULL with why set; shorter than 2048 bits is refused. */
static EVP_PKEY *jwt_key_of(json_object *jwk, char *why, size_t cap)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *n = jwt_bignum(jwk, "n"), *e = jwt_bignum(jwk, "e");

	bld = OSSL_PARAM_BLD_new();
	if (!n || !e || !bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) || !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    !(pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) || EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		jwt_refuse(why, cap, "key in CF_ACCESS_CERTS_FILE is not a usable RSA key");
		goto done;
	}
	if (EVP_PKEY_get_bits(pkey) < DR_JWT_MIN_RSA_BITS) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
		jwt_refuse(why, cap, "RSA key in CF_ACCESS_CERTS_FILE is shorter than 2048 bits");
	}
done:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/* The RSA JWK called kid in keys (an array), or NULL. */
static json_object *jwt_find_jwk(json_object *keys, const char *kid)
{
	size_t i;

	for (i = 0; i < json_object_array_length(keys); i++) {
		json_object *k = json_object_array_get_idx(keys, i);
		const char *k_kid = jwt_string(k, "kid"), *kty = jwt_string(k, "kty");
		if (k_kid && kty && !strcmp(k_kid, kid) && !strcmp(kty, "RSA"))
			return k;
	}
	return NULL;
}

/* The RSA public key with this kid from the JWKS file, or NULL with *certs_broken set when the
 * file itself cannot be used. */
static EVP_PKEY *jwt_load_key(const char *certs_file, const char *kid, int *certs_broken, char *why, size_t cap)
{
	json_object *certs = jwt_read_certs(certs_file, why, cap), *keys, *jwk;
	EVP_PKEY *pkey = NULL;

	*certs_broken = !certs;
	if (!certs)
		return NULL;
	json_object_object_get_ex(certs, "keys", &keys);
	jwk = jwt_find_jwk(keys, kid);
	if (jwk)
		pkey = jwt_key_of(jwk, why, cap);
	else
		snprintf(why, cap, "no RSA key with kid %.80s in CF_ACCESS_CERTS_FILE", kid);
	json_object_put(certs);
	return pkey;
}

int dr_jwt_certs_check(const char *text, size_t len, char *why, size_t cap)
{
	json_tokener *tok = json_tokener_new_ex(16);
	json_object *certs = NULL, *keys;
	int usable = 0, rc = -1;
	size_t i;

	if (len > DR_JWT_CERTS_MAX || memchr(text, '\0', len)) {
		jwt_refuse(why, cap, len > DR_JWT_CERTS_MAX ? "certs document is larger than 262144 bytes"
							      : "certs document contains a NUL byte");
		goto done;
	}
	if (tok)
		certs = json_tokener_parse_ex(tok, text, (int)len);
	if (!certs || json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) != len ||
	    !json_object_object_get_ex(certs, "keys", &keys) || !json_object_is_type(keys, json_type_array)) {
		jwt_refuse(why, cap, "certs document is not one JSON object with a keys array");
		goto done;
	}
	for (i = 0; i < json_object_array_length(keys); i++) {
		json_object *k = json_object_array_get_idx(keys, i);
		const char *kty = jwt_string(k, "kty");
		EVP_PKEY *pkey;
		if (!kty || strcmp(kty, "RSA"))
			continue;
		if (!jwt_string(k, "kid")) {
			jwt_refuse(why, cap, "an RSA key in the certs document has no kid");
			goto done;
		}
		if (!(pkey = jwt_key_of(k, why, cap)))
			goto done;
		EVP_PKEY_free(pkey);
		usable++;
	}
	if (!usable)
		jwt_refuse(why, cap, "certs document holds no RSA signing key");
	else
		rc = 0;
done:
	json_object_put(certs);
	if (tok)
		json_tokener_free(tok);
	return rc;
}

static int jwt_check_signature(const struct jwt_parts *jp, const struct dr_jwt_policy *p, char *why, size_t cap)
{
	const char *alg = jwt_string(jp->header, "alg"), *kid = jwt_string(jp->header, "kid");
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *pkey;
	int ok = 0, certs_broken = 0;

	if (!alg || strcmp(alg, "RS256"))
		return jwt_refuse(why, cap, "token alg is not RS256");
	/* RFC 7515 4.1.11: extensions this verifier does not know must not be ignored. */
	if (json_object_object_get_ex(jp->header, "crit", NULL))
		return jwt_refuse(why, cap, "token header has crit, which is not supported");
	if (!kid)
		return jwt_refuse(why, cap, "token header has no kid");
	pkey = jwt_load_key(p->certs_file, kid, &certs_broken, why, cap);
	if (!pkey)
		return certs_broken ? DR_JWT_CERTS_BROKEN : DR_JWT_REFUSED;
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	     EVP_DigestVerify(md, jp->signature, (size_t)jp->signature_len, (const unsigned char *)jp->signed_data,
			      jp->signed_len) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return ok ? 0 : jwt_refuse(why, cap, "token signature does not verify");
}

/* aud is a string or an array of strings. */
static int jwt_audience_matches(json_object *payload, const char *audience)
{
	json_object *aud;
	size_t i;

	if (!json_object_object_get_ex(payload, "aud", &aud))
		return 0;
	if (json_object_is_type(aud, json_type_string))
		return !strcmp(json_object_get_string(aud), audience);
	if (!json_object_is_type(aud, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(aud); i++) {
		json_object *a = json_object_array_get_idx(aud, i);
		if (json_object_is_type(a, json_type_string) && !strcmp(json_object_get_string(a), audience))
			return 1;
	}
	return 0;
}

/* A numeric date claim; returns 0 and sets *out, or -1 when absent or not a number. */
static int jwt_time(json_object *payload, const char *key, long long *out)
{
	json_object *v;

	if (!json_object_object_get_ex(payload, key, &v) ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return -1;
	*out = json_object_get_int64(v);
	return 0;
}

static int jwt_check_claims(json_object *pl, const struct dr_jwt_policy *p, char *why, size_t cap)
{
	const char *iss = jwt_string(pl, "iss"), *cn = jwt_string(pl, "common_name");
	long long exp, iat, nbf;

	if (!jwt_audience_matches(pl, p->audience))
		return jwt_refuse(why, cap, "token aud does not contain CF_ACCESS_AUD");
	if (!iss || strcmp(iss, p->issuer))
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
	if (!cn || strcmp(cn, p->common_name))
		return jwt_refuse(why, cap, "token common_name is not CF_ACCESS_CLIENT_ID");
	return 0;
}

int dr_jwt_verify(const char *token, size_t len, const struct dr_jwt_policy *p, char *why, size_t why_cap)
{
	struct jwt_parts jp = { 0 };
	int rc = DR_JWT_REFUSED;

	if (len == 0 || len > DR_JWT_MAX)
		return jwt_refuse(why, why_cap, "token missing or longer than 16384 bytes");
	if (jwt_split(token, len, &jp, why, why_cap) == 0 && (rc = jwt_check_signature(&jp, p, why, why_cap)) == 0 &&
	    (rc = jwt_check_claims(jp.payload, p, why, why_cap)) == 0)
		rc = 0;
	json_object_put(jp.header);
	json_object_put(jp.payload);
	return rc;
}
