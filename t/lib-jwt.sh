# t/lib-jwt.sh: Cloudflare Access stand-ins made with openssl: RSA keys, a
# certs document (JWKS) of them, signed tokens with the claims a
# service-token JWT carries, and an HTTPS server with its own CA. Sourced by
# t/lib.sh; needs openssl, basenc, perl and jq when used.

JWT_AUD=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
JWT_ISS=https://dreichor.cloudflareaccess.com

b64url() { basenc --base64url -w0 | tr -d '='; }

# jwk KEYFILE KID: the public half of an RSA key as a JWK.
jwk() {
	local n e
	n=$(openssl rsa -in "$1" -noout -modulus 2>/dev/null | sed 's/^Modulus=//' | perl -ne 'chomp; print pack "H*", $_' | b64url)
	e=$(printf '\x01\x00\x01' | b64url)
	printf '{"kid": "%s", "kty": "RSA", "alg": "RS256", "use": "sig", "n": "%s", "e": "%s"}' "$2" "$n" "$e"
}

# jwt_keys DIR: key.pem (kid-1) and other.pem (kid-2), both 2048 bits, and certs.json holding both.
jwt_keys() {
	openssl genrsa -out "$1/key.pem" 2048 2>/dev/null
	openssl genrsa -out "$1/other.pem" 2048 2>/dev/null
	printf '{"keys": [%s, %s], "public_cert": {}}\n' "$(jwk "$1/key.pem" kid-1)" "$(jwk "$1/other.pem" kid-2)" >"$1/certs.json"
}

# token KEY HEADER-JSON CLAIMS-JSON: a signed JWT.
token() {
	local key=$1 header=$2 claims=$3 h p
	h=$(printf '%s' "$header" | b64url)
	p=$(printf '%s' "$claims" | b64url)
	printf '%s.%s.%s' "$h" "$p" "$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -sign "$key" | b64url)"
}

# claims [JQ-UPDATE]: a service token's claims for CLIENT_ID, valid for ten minutes from now.
claims() {
	jq -cn --arg aud "$JWT_AUD" --arg iss "$JWT_ISS" --arg cn "$CLIENT_ID" --argjson now "$(date +%s)" \
		"{aud: [\$aud], iss: \$iss, common_name: \$cn, sub: \"\", iat: \$now, nbf: \$now, exp: (\$now + 600), type: \"app\"} | ${1:-.}"
}
JWT_H1='{"alg":"RS256","kid":"kid-1","typ":"JWT"}'

# tls_test_ca DIR [DNS-NAME]: ca.pem (a CA made here) and srv.pem/srv.key, a server certificate
# it signed for 127.0.0.1 (and DNS-NAME).
tls_test_ca() {
	local d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -subj /CN=dreichor-test-ca -days 2 \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -keyout "$d/srv.key" -out "$d/srv.csr" -subj /CN=127.0.0.1 \
		-addext "subjectAltName=IP:127.0.0.1${2:+,DNS:$2}" 2>/dev/null &&
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -out "$d/srv.pem" \
		-days 2 -copy_extensions copy 2>/dev/null || hard_error "cannot make the test CA"
}

# https_server DIR: serve DIR's files over HTTPS on 127.0.0.1 (openssl s_server -HTTP: each file
# holds the whole answer, status line and headers included) with a CA made here; sets HTTPS_PORT,
# HTTPS_CA (the CA certificate to trust) and HTTPS_PID.
https_server() {
	local d=$T/https-ca port
	[ -f "$d/srv.pem" ] || tls_test_ca "$d"
	port=$(free_port)
	(cd "$1" && exec openssl s_server -quiet -accept "127.0.0.1:$port" -cert "$d/srv.pem" -key "$d/srv.key" -HTTP) \
		>"$d/server.log" 2>&1 </dev/null &
	HTTPS_PID=$!
	BG_PIDS="$BG_PIDS $HTTPS_PID"
	wait_for 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null || hard_error "the HTTPS server did not listen"
	HTTPS_PORT=$port
	HTTPS_CA=$d/ca.pem
}
