#!/bin/bash
# Benchmark: what authenticating by the Cloudflare Access JWT costs per
# request (the target: at most 3 ms more than the service token alone,
# median, same run, 2048-bit key). Two agents run side by side on the same
# deployed runtime: one without the JWT settings, one with them. Peers in
# the same run: the verifier program alone (the part the JWT adds) and the
# bare Engine API inspect that status makes. Run as root from a built tree:
# bench/jwt.sh [RUNS]
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/lib.sh"
need_cmd hyperfine openssl basenc perl
runs=${1:-200}

start_deployed_agent
plain=http://127.0.0.1:$PORT_dev
jwt_keys "$T"
set_agent_var dev CF_ACCESS_AUD "$JWT_AUD"
set_agent_var dev CF_ACCESS_ISSUER "$JWT_ISS"
set_agent_var dev CF_ACCESS_CERTS_FILE "$T/certs.json"
start_agent dev
with_jwt=http://127.0.0.1:$PORT_dev
jwt=$(token "$T/key.pem" "$JWT_H1" "$(claims '.exp = (.iat + 7200)')")
curl -sf -o /dev/null -H "Cf-Access-Jwt-Assertion: $jwt" "$with_jwt/v1/status" || hard_error "the JWT agent refused the token"
api=$(curl -s --unix-socket "$DOCKER_SOCK" http://d/version | jq -r .ApiVersion)

auth="-H 'CF-Access-Client-Id: $CLIENT_ID' -H 'CF-Access-Client-Secret: $CLIENT_SECRET'"
hyperfine -N --warmup 10 --runs "$runs" --export-json "$T/jwt.json" \
	-n service-token "curl -sf -o /dev/null $auth $plain/v1/status" \
	-n jwt-and-token "curl -sf -o /dev/null $auth -H 'Cf-Access-Jwt-Assertion: $jwt' $with_jwt/v1/status" \
	-n jwt-alone "curl -sf -o /dev/null -H 'Cf-Access-Jwt-Assertion: $jwt' $with_jwt/v1/status" \
	-n jwt-cookie "curl -sf -o /dev/null -H 'Cookie: CF_Authorization=$jwt' $with_jwt/v1/status" \
	-n bare-inspect "curl -sf -o /dev/null --unix-socket $DOCKER_SOCK http://d/v$api/containers/dreichor-runtime-dev/json" \
	>"$T/hyperfine.txt" 2>&1 || { cat "$T/hyperfine.txt"; exit 1; }

median() { jq -r ".results[] | select(.command == \"$1\") | .median * 1000" "$T/jwt.json"; }
s=$(median service-token); j=$(median jwt-and-token); a=$(median jwt-alone)
printf '\nmedians of %d runs (ms), GET /v1/status, 2048-bit RS256 key\n' "$runs"
printf '  %-40s %8.3f\n' "service token, no JWT configured" "$s" "JWT and service token" "$j" "JWT alone" "$a" \
	"JWT as CF_Authorization cookie alone" "$(median jwt-cookie)" \
	"bare inspect (status's peer)" "$(median bare-inspect)"
printf '  %-40s %8.3f   (target: at most 3)\n' "JWT and token - service token" "$(echo "$j - $s" | bc -l)"
printf '  %-40s %8.3f\n' "JWT alone - service token" "$(echo "$a - $s" | bc -l)"
