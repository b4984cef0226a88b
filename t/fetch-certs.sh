#!/bin/bash
# dreichor-fetch-certs (also as dreichor-agent --fetch-certs) against a
# local HTTPS server with its own CA: a good certs document replaces the
# file atomically and the verifier then accepts tokens by its keys; every
# bad download (not JSON, no keys, a weak key, too large, 404, untrusted
# certificate, server down, plain http) leaves the old file untouched.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
need_cmd openssl basenc perl jq

mkdir -p "$T/www/cdn-cgi/access" "$T/certs"
jwt_keys "$T"
serve() { # serve [STATUS-LINE] < DOCUMENT: what the server answers next; the document in $T/served
	cat >"$T/served"
	{ printf '%s\r\nContent-Type: application/json\r\n\r\n' "${1:-HTTP/1.0 200 OK}"; cat "$T/served"; } \
		>"$T/www/cdn-cgi/access/certs"
}
serve <"$T/certs.json"
served=$T/served
https_server "$T/www"
target=$T/certs/access-certs.json
fetch() { # fetch [ARGS...]: exit code in RC, output in OUT
	OUT=$(CF_ACCESS_ISSUER=${ISSUER-https://127.0.0.1:$HTTPS_PORT} CF_ACCESS_CERTS_FILE=$target \
		"$top_builddir/dreichor-fetch-certs" "$@" 2>&1)
	RC=$?
}
out_has() { grep -qF -- "$1" <<<"$OUT" || { log "output lacks '$1': $OUT"; return 1; }; }
unchanged() { cmp -s "$target" "$T/before" || { log "the certs file changed"; return 1; }; }

fetch --cacert "$HTTPS_CA"
check "first fetch: exit 0" test "$RC" = 0
check "first fetch: the file holds the served document" cmp -s "$target" "$T/certs.json"
check "first fetch: says replaced" out_has "replaced from https://127.0.0.1:$HTTPS_PORT/cdn-cgi/access/certs"
check "no temporary file left beside it" test "$(ls -A "$T/certs" | wc -l)" = 1
verify() { # verify TOKEN: the verifier's word on TOKEN against the fetched file
	printf '%s' "$1" | CF_ACCESS_AUD=$JWT_AUD CF_ACCESS_ISSUER=$JWT_ISS CF_ACCESS_CERTS_FILE=$target \
		CF_ACCESS_CLIENT_ID=$CLIENT_ID "$top_builddir/dreichor-jwt-verify"
}
check "a token by the fetched keys verifies" test "$(verify "$(token "$T/key.pem" "$JWT_H1" "$(claims)")")" = ok

inode=$(stat -c %i "$target")
fetch --cacert "$HTTPS_CA"
check "same document again: exit 0, unchanged" bash -c "[ $RC = 0 ] && grep -q unchanged <<<'$OUT'"
check "same document again: the file was not rewritten" test "$(stat -c %i "$target")" = "$inode"

# Rotation: a new key appears, the old one stays; the file is replaced by a rename.
openssl genrsa -out "$T/third.pem" 2048 2>/dev/null
printf '{"keys": [%s, %s]}\n' "$(jwk "$T/third.pem" kid-3)" "$(jwk "$T/key.pem" kid-1)" | serve
fetch --cacert "$HTTPS_CA"
check "rotated keys: exit 0 and the new document" bash -c "[ $RC = 0 ] && cmp -s '$target' '$served'"
check "rotated keys: replaced by rename (new inode)" test "$(stat -c %i "$target")" != "$inode"
check "rotated keys: a token by the new key verifies" test "$(verify "$(token "$T/third.pem" '{"alg":"RS256","kid":"kid-3"}' "$(claims)")")" = ok

cp "$target" "$T/before"
refused() { # refused WHAT OUTPUT-PART [ARGS...]: the fetch fails, says why, and changes nothing
	local what=$1 part=$2; shift 2
	fetch "$@"
	check "$what: exit 1" test "$RC" = 1
	check "$what: says why" out_has "$part"
	check "$what: the certs file is untouched" unchanged
}
printf '<html>Bad Gateway</html>\n' | serve
refused "an HTML error page" "not one JSON object" --cacert "$HTTPS_CA"
printf '{"keys": []}\n' | serve
refused "no keys" "no RSA signing key" --cacert "$HTTPS_CA"
openssl genrsa -out "$T/weak.pem" 1024 2>/dev/null
printf '{"keys": [%s, %s]}\n' "$(jwk "$T/key.pem" kid-1)" "$(jwk "$T/weak.pem" weak)" | serve
refused "a 1024-bit key" "2048" --cacert "$HTTPS_CA"
printf '{"keys": [%s], "pad": "%s"}\n' "$(jwk "$T/key.pem" kid-1)" "$(head -c 300000 /dev/zero | tr '\0' x)" | serve
refused "a document over 256 KiB" "larger than 262144" --cacert "$HTTPS_CA"
serve <"$T/certs.json"
refused "a certificate from an unknown CA" "certificate"
serve 'HTTP/1.0 404 Not Found' <"$T/certs.json"
refused "a 404 answer, even with a good body" "HTTP status 404" --cacert "$HTTPS_CA"
serve <"$T/certs.json"
ISSUER=http://127.0.0.1:$HTTPS_PORT refused "a plain-http issuer" "https://TEAM.cloudflareaccess.com" --cacert "$HTTPS_CA"
refused "TEAM that disagrees with CF_ACCESS_ISSUER" "TEAM does not match" --cacert "$HTTPS_CA" otherteam
refused "TEAM that is not a name" "TEAM must be" --cacert "$HTTPS_CA" 'evil.example/x'
kill "$HTTPS_PID"; wait "$HTTPS_PID" 2>/dev/null
refused "the server is down" "127.0.0.1" --cacert "$HTTPS_CA"

ISSUER= CF_ACCESS_CERTS_FILE= OUT=$("$top_builddir/dreichor-fetch-certs" 2>&1); RC=$?
check "JWT check not configured: exit 0, nothing to do" bash -c "[ $RC = 0 ] && grep -q 'nothing to fetch' <<<'$OUT'"

# The operator's spelling: dreichor-agent --fetch-certs TEAM (the team from the issuer here).
https_server "$T/www"
rm -f "$target"
OUT=$(CF_ACCESS_ISSUER=https://127.0.0.1:$HTTPS_PORT CF_ACCESS_CERTS_FILE=$target DREICHOR_LIBEXECDIR=$top_builddir \
	"$top_builddir/dreichor-agent" --fetch-certs --cacert "$HTTPS_CA" 2>&1); RC=$?
check "dreichor-agent --fetch-certs: exit 0 and a new file" bash -c "[ $RC = 0 ] && cmp -s '$target' '$T/certs.json'"
OUT=$(DREICHOR_LIBEXECDIR=$top_builddir CF_ACCESS_CERTS_FILE=$target "$top_builddir/dreichor-agent" --fetch-certs -x 2>&1); RC=$?
check "dreichor-agent --fetch-certs with a bad option: exit 100" test "$RC" = 100
check "dreichor-agent --fetch-certs with a bad option: usage" out_has "usage: dreichor-fetch-certs"

finish
