#!/bin/bash
# Cf-Access-Jwt-Assertion verification, with keys this test generates: a
# valid RS256 token passes; a missing one is 401; a bad signature, unknown
# kid, wrong aud, iss, common_name, expired or future token, alg none or
# HS256, and garbage are each 403, with a generic reason for the client and
# the specific one in the journal.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
need_cmd openssl basenc perl

start_journald
setup_env dev
set_agent_var dev DOCKER_HOST unix:///run/nonexistent.sock
mkdir -p "$T/libexec"
# Stand-in status endpoint: JWT checks happen before any endpoint runs.
printf '#!/bin/sh\nprintf "HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: 2\\r\\n\\r\\n{}"\n' >"$T/libexec/dreichor-status"
chmod +x "$T/libexec/dreichor-status"
# The verifier, wrapped to record the environment the dispatcher gives it.
printf '#!/bin/sh\n/usr/bin/env >%s/verifier.env\nexec %s/dreichor-jwt-verify\n' "$T" "$top_builddir" >"$T/libexec/dreichor-jwt-verify"
chmod +x "$T/libexec/dreichor-jwt-verify"
set_agent_var dev DREICHOR_LIBEXECDIR "$T/libexec"

b64url() { basenc --base64url -w0 | tr -d '='; }
openssl genrsa -out "$T/key.pem" 2048 2>/dev/null
openssl genrsa -out "$T/other.pem" 2048 2>/dev/null
jwk() { # jwk KEYFILE KID
	local n e
	n=$(openssl rsa -in "$1" -noout -modulus 2>/dev/null | sed 's/^Modulus=//' | perl -ne 'chomp; print pack "H*", $_' | b64url)
	e=$(printf '\x01\x00\x01' | b64url)
	printf '{"kid": "%s", "kty": "RSA", "alg": "RS256", "use": "sig", "n": "%s", "e": "%s"}' "$2" "$n" "$e"
}
printf '{"keys": [%s, %s], "public_cert": {}}\n' "$(jwk "$T/key.pem" kid-1)" "$(jwk "$T/other.pem" kid-2)" >"$T/certs.json"
AUD=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ISS=https://dreichor.cloudflareaccess.com
set_agent_var dev CF_ACCESS_AUD "$AUD"
set_agent_var dev CF_ACCESS_ISSUER "$ISS"
set_agent_var dev CF_ACCESS_CERTS_FILE "$T/certs.json"
start_agent dev

# token KEY KID HEADER-JSON-EXTRA CLAIMS-JSON: a signed JWT.
token() {
	local key=$1 header=$2 claims=$3 h p s
	h=$(printf '%s' "$header" | b64url)
	p=$(printf '%s' "$claims" | b64url)
	s=$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -sign "$key" | b64url)
	printf '%s.%s.%s' "$h" "$p" "$s"
}
now=$(date +%s)
claims() { # claims [jq-update]
	jq -cn --arg aud "$AUD" --arg iss "$ISS" --arg cn "$CLIENT_ID" --argjson now "$now" \
		"{aud: [\$aud], iss: \$iss, common_name: \$cn, iat: \$now, nbf: \$now, exp: (\$now + 600), type: \"app\"} | ${1:-.}"
}
H1='{"alg":"RS256","kid":"kid-1","typ":"JWT"}'
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

with_token "$(token "$T/key.pem" "$H1" "$(claims)")"
check "valid token: passes to the endpoint" status_is 200
with_token ""
check "missing token: 401" answer_is 401 "Cf-Access-Jwt-Assertion header is required"
raw dev -H "Cf-Access-Jwt-Assertion: $(token "$T/key.pem" "$H1" "$(claims)")"
check "valid token without the service token: 401" status_is 401

refused_for "signed by another key" "$(token "$T/other.pem" "$H1" "$(claims)")" "signature does not verify"
refused_for "unknown kid" "$(token "$T/key.pem" '{"alg":"RS256","kid":"kid-9"}' "$(claims)")" "no RSA key with kid kid-9"
refused_for "wrong aud" "$(token "$T/key.pem" "$H1" "$(claims '.aud = ["someone-else"]')")" "aud does not contain"
refused_for "aud as a plain wrong string" "$(token "$T/key.pem" "$H1" "$(claims '.aud = "x"')")" "aud does not contain"
refused_for "wrong iss" "$(token "$T/key.pem" "$H1" "$(claims '.iss = "https://evil.example"')")" "iss is not"
refused_for "expired" "$(token "$T/key.pem" "$H1" "$(claims '.exp = (.iat - 3600)')")" "expired"
refused_for "issued in the future" "$(token "$T/key.pem" "$H1" "$(claims '.iat = (.iat + 3600)')")" "iat lies in the future"
refused_for "not valid yet" "$(token "$T/key.pem" "$H1" "$(claims '.nbf = (.nbf + 3600)')")" "nbf"
refused_for "other common_name" "$(token "$T/key.pem" "$H1" "$(claims '.common_name = "other.access"')")" "common_name is not"
refused_for "no exp" "$(token "$T/key.pem" "$H1" "$(claims 'del(.exp)')")" "no exp"
refused_for "alg none, unsigned" "$(printf '%s' '{"alg":"none","kid":"kid-1"}' | b64url).$(claims | b64url)." "signature is not base64url"
refused_for "alg none with a signature part" "$(printf '%s' '{"alg":"none","kid":"kid-1"}' | b64url).$(claims | b64url).AAAA" "alg is not RS256"
refused_for "HS256" "$(token "$T/key.pem" '{"alg":"HS256","kid":"kid-1"}' "$(claims)")" "alg is not RS256"
refused_for "garbage" "not-a-token" "three dot-separated"
refused_for "tampered payload" "$(t=$(token "$T/key.pem" "$H1" "$(claims)"); printf '%s.%s.%s' "${t%%.*}" "$(claims '.common_name = "x"' | b64url)" "${t##*.}")" "signature does not verify"

# Small clock differences are tolerated.
with_token "$(token "$T/key.pem" "$H1" "$(claims '.iat = (.iat + 30) | .exp = (.iat - 40)')")"
check "30 s of clock skew is tolerated" status_is 200

# The verifier gets exactly its policy, never the client secret.
check "verifier environment: exactly the four policy variables" \
	test "$(grep -v '^PWD=' "$T/verifier.env" | sed 's/=.*//' | sort | tr '\n' ' ')" = "CF_ACCESS_AUD CF_ACCESS_CERTS_FILE CF_ACCESS_CLIENT_ID CF_ACCESS_ISSUER "
check "verifier environment: no secret" bash -c "! grep -qF -- '$CLIENT_SECRET' '$T/verifier.env'"

# Configuration: the three variables go together, and the certs file must be readable.
stop_agent dev
set_agent_var dev CF_ACCESS_CERTS_FILE "$T/missing.json"
start_agent dev
with_token "$(token "$T/key.pem" "$H1" "$(claims)")"
check "unreadable certs file: 500 naming it" answer_is 500 "CF_ACCESS_CERTS_FILE"
stop_agent dev
set_agent_var dev CF_ACCESS_CERTS_FILE -
start_agent dev
with_token ""
check "only some JWT variables set: 500" answer_is 500 "must be set together"

finish
