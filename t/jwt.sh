#!/bin/bash
# The Cloudflare Access JWT as the authentication, with keys this test
# generates: a valid RS256 token passes on its own, as header or as
# CF_Authorization cookie, signed by either key of the certs file
# (rotation); the service-token headers become optional but must match when
# sent; a missing token is 401; a bad signature, unknown kid, wrong aud,
# iss, common_name (the other environment's token), expired or future
# token, alg none or HS256, and garbage are each 403, with a generic reason
# for the client and the specific one in the journal; a certs file that
# cannot be read or parsed is a 500 naming it.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
need_cmd openssl basenc perl

start_journald
setup_env dev
set_agent_var dev DOCKER_HOST unix:///run/nonexistent.sock
mkdir -p "$T/libexec"
# Stand-in status endpoint: JWT checks happen before any endpoint runs.
printf '#!/bin/sh\nprintf "HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: 2\\r\\n\\r\\n{}"\n' >"$T/libexec/dreichor-status"
chmod +x "$T/libexec/dreichor-status"
set_agent_var dev DREICHOR_LIBEXECDIR "$T/libexec"

jwt_keys "$T"
AUD=$JWT_AUD
ISS=$JWT_ISS
set_agent_var dev CF_ACCESS_AUD "$AUD"
set_agent_var dev CF_ACCESS_ISSUER "$ISS"
set_agent_var dev CF_ACCESS_CERTS_FILE "$T/certs.json"
start_agent dev

H1=$JWT_H1
with_token() { raw dev -H "CF-Access-Client-Id: $CLIENT_ID" -H "CF-Access-Client-Secret: $CLIENT_SECRET" ${1:+-H "Cf-Access-Jwt-Assertion: $1"}; }
detail_is() { # the journal's detail for the last answer
	local rid; rid=$(jq -r .request_id <<<"$BODY")
	journal_entry "$rid" | jq -r .DREICHOR_DETAIL | grep -qF -- "$1" || { log "journal detail lacks '$1'"; return 1; }
}
refused_for() { # refused_for WHAT TOKEN DETAIL
	with_token "$2"
	check "$1: 403" answer_is 403 "Cloudflare Access token not accepted"
	check "$1: the client is not told why" bash -c "! grep -qiF -- '$3' '$T/body'"
	check "$1: the journal says why" detail_is "$3"
}

good=$(token "$T/key.pem" "$H1" "$(claims)")
with_token "$good"
check "valid token with the service token: passes to the endpoint" status_is 200
with_token ""
check "service token without the JWT: 401" answer_is 401 "Cloudflare Access token required"
raw dev -H "Cf-Access-Jwt-Assertion: $good"
check "valid token alone (the headers did not reach the origin): 200" status_is 200
raw dev -H "Cookie: CF_Authorization=$good"
check "valid token alone, as the CF_Authorization cookie: 200" status_is 200
raw dev -H "Cookie: theme=dark; CF_Authorization=$good; lang=de"
check "the cookie among others: 200" status_is 200
raw dev -H "Cf-Access-Client-Id: $CLIENT_ID" -H "Cf-Access-Jwt-Assertion: $good"
check "valid token and the right id alone: 200" status_is 200
raw dev -H "Cf-Access-Client-Id: $CLIENT_ID" -H "Cf-Access-Client-Secret: wrong-secret-wrong-secret-wrong-secret" -H "Cf-Access-Jwt-Assertion: $good"
check "valid token but the wrong secret: 403" answer_is 403 "service token not accepted"
raw dev -H "Cf-Access-Client-Secret: $CLIENT_SECRET-x" -H "Cookie: CF_Authorization=$good"
check "valid cookie but the wrong secret: 403" status_is 403
raw dev -H "Cf-Access-Client-Id: other.access" -H "Cf-Access-Jwt-Assertion: $good"
check "valid token but another id: 403" status_is 403
raw dev
check "nothing at all: 401" answer_is 401 "Cf-Access-Jwt-Assertion header or CF_Authorization cookie"
raw dev -H "Cookie: CF_Authorization=$(token "$T/key.pem" "$H1" "$(claims '.aud = ["other-app"]')")"
check "forged cookie (wrong aud): 403" answer_is 403 "Cloudflare Access token not accepted"
# Rotation: the previous key stays in the certs file for 7 days; tokens signed by either pass.
raw dev -H "Cf-Access-Jwt-Assertion: $(token "$T/other.pem" '{"alg":"RS256","kid":"kid-2","typ":"JWT"}' "$(claims)")"
check "token signed by the second key of the certs file: 200" status_is 200

refused_for "signed by another key" "$(token "$T/other.pem" "$H1" "$(claims)")" "signature does not verify"
refused_for "unknown kid" "$(token "$T/key.pem" '{"alg":"RS256","kid":"kid-9"}' "$(claims)")" "no RSA key with kid kid-9"
# A client's text reaches the journal printable: the escape byte of a kid becomes '?'.
refused_for "a kid with a terminal escape" "$(token "$T/key.pem" '{"alg":"RS256","kid":"kid-\u001b[31m9"}' "$(claims)")" "no RSA key with kid kid-?[31m9"
refused_for "wrong aud" "$(token "$T/key.pem" "$H1" "$(claims '.aud = ["someone-else"]')")" "aud does not contain"
refused_for "aud as a plain wrong string" "$(token "$T/key.pem" "$H1" "$(claims '.aud = "x"')")" "aud does not contain"
refused_for "wrong iss" "$(token "$T/key.pem" "$H1" "$(claims '.iss = "https://evil.example"')")" "iss is not"
refused_for "expired" "$(token "$T/key.pem" "$H1" "$(claims '.exp = (.iat - 3600)')")" "expired"
refused_for "issued in the future" "$(token "$T/key.pem" "$H1" "$(claims '.iat = (.iat + 3600)')")" "iat lies in the future"
refused_for "not valid yet" "$(token "$T/key.pem" "$H1" "$(claims '.nbf = (.nbf + 3600)')")" "nbf"
refused_for "the other environment's token (its common_name)" "$(token "$T/key.pem" "$H1" "$(claims '.common_name = "prod-'"$CLIENT_ID"'"')")" "common_name is not"
refused_for "no exp" "$(token "$T/key.pem" "$H1" "$(claims 'del(.exp)')")" "no exp"
refused_for "alg none, unsigned" "$(printf '%s' '{"alg":"none","kid":"kid-1"}' | b64url).$(claims | b64url)." "signature is not base64url"
refused_for "alg none with a signature part" "$(printf '%s' '{"alg":"none","kid":"kid-1"}' | b64url).$(claims | b64url).AAAA" "alg is not RS256"
refused_for "HS256" "$(token "$T/key.pem" '{"alg":"HS256","kid":"kid-1"}' "$(claims)")" "alg is not RS256"
refused_for "garbage" "not-a-token" "three dot-separated"
refused_for "tampered payload" "$(t=$(token "$T/key.pem" "$H1" "$(claims)"); printf '%s.%s.%s' "${t%%.*}" "$(claims '.common_name = "x"' | b64url)" "${t##*.}")" "signature does not verify"

# Small clock differences are tolerated.
with_token "$(token "$T/key.pem" "$H1" "$(claims '.iat = (.iat + 30) | .exp = (.iat - 40)')")"
check "30 s of clock skew is tolerated" status_is 200

# A certs file damaged while the agent runs (a half-written download, a wrong file): 500 naming
# it, never an open door; the journal has the detail.
cp "$T/certs.json" "$T/certs.good"
printf '<html>502 Bad Gateway</html>\n' >"$T/certs.json"
with_token "$good"
check "unparseable certs file: 500" answer_is 500 "CF_ACCESS_CERTS_FILE cannot be read or parsed"
check "unparseable certs file: the journal says why" detail_is "not a JWKS document"
raw dev -H "Cf-Access-Jwt-Assertion: $good"
check "unparseable certs file, token alone: 500" status_is 500
cp "$T/certs.good" "$T/certs.json"

# Configuration: the three variables go together, and the certs file must be readable.
stop_agent dev
set_agent_var dev CF_ACCESS_CERTS_FILE "$T/missing.json"
start_agent dev
with_token "$(token "$T/key.pem" "$H1" "$(claims)")"
check "unreadable certs file: 500" answer_is 500 "CF_ACCESS_CERTS_FILE"
stop_agent dev
set_agent_var dev CF_ACCESS_CERTS_FILE -
start_agent dev
with_token ""
check "only some JWT variables set: 500" answer_is 500 "must be set together"

finish
