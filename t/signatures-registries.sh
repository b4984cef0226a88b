#!/bin/bash
# Signature lookups against registries as GHCR is one: a docker-registry
# with htpasswd behind TLS under a name that is not loopback (so the agent
# and the engine reach it over HTTPS and verify it with a CA made here,
# from /etc/docker/certs.d as Docker does), with REGISTRY_AUTH_FILE's
# credentials; and a registry that asks for a bearer token (a stand-in
# token service in front of a real registry: no token service can run
# here). The test runs in a private mount namespace so that the name, the
# CA and the engine that trusts it are its own.
if [ -z "${DR_SIGNATURES_NAMESPACE:-}" ]; then
	command -v unshare >/dev/null || { echo "unshare (util-linux) is missing" >&2; exit 99; }
	DR_SIGNATURES_NAMESPACE=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
. "$top_srcdir/t/lib-jwt.sh"
. "$top_srcdir/t/lib-sign.sh" || hard_error "t/lib-sign.sh is missing"
need_root
need_cmd openssl htpasswd mount jq sha256sum
EDGE=$top_builddir/t/edge-proxy
[ -x "$EDGE" ] || hard_error "t/edge-proxy is not built (make check builds it)"
NAME=registry.test

# This namespace's /etc/hosts names the registry; its /etc/docker holds the CA the engine trusts.
{ cat /etc/hosts; echo "127.0.0.1 $NAME"; } >"$T/hosts"
mount --bind "$T/hosts" /etc/hosts || hard_error "cannot bind /etc/hosts in the test's namespace"
mount -t tmpfs -o mode=0755 tmpfs /etc/docker || hard_error "cannot mount a tmpfs on /etc/docker"
tls_test_ca "$T/ca" "$NAME"
start_dockerd

# --- 1. TLS with a CA made here, basic auth.
start_registry htpasswd puller 'pull-pass-1'
sed -i "s|^http: {addr: \(.*\)}$|http: {addr: \1, tls: {certificate: $T/ca/srv.pem, key: $T/ca/srv.key}}|" "$REGISTRY_DIR/config.yml"
kill "$REGISTRY_PID"; wait "$REGISTRY_PID" 2>/dev/null
REGISTRY=$NAME:$REGISTRY_PORT
IMAGE_REPOSITORY=$REGISTRY/$REPO_PATH
mkdir -p "/etc/docker/certs.d/$REGISTRY"
cp "$T/ca/ca.pem" "/etc/docker/certs.d/$REGISTRY/ca.crt"
run_registry
check "the registry answers over TLS under its name, verified by the CA (401: it wants credentials)" \
	test "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/ca/ca.pem" "https://$REGISTRY/v2/")" = 401
printf '%s' 'pull-pass-1' | docker_cli login -u puller --password-stdin "$REGISTRY" >/dev/null 2>&1 ||
	hard_error "docker login to the TLS registry failed"
for tag in 1.0.0 1.0.1 1.0.2; do make_image "$tag" "$RUNTIME_SCRIPT"; done
docker_cli logout "$REGISTRY" >/dev/null 2>&1
REG_URL=https://$REGISTRY
REG_CURL=(--cacert "$T/ca/ca.pem" -u puller:pull-pass-1)
for tag in 1.0.0 1.0.1 1.0.2; do eval "d_${tag//./_}=\$(image_digest $tag)"; done
make_signing_key ci
sign_simple ci "$d_1_0_0"
sign_bundle ci "$d_1_0_1"
write_auth() { printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$1" "$(printf '%s' "$2" | base64 -w0)" >"$3"; }
write_auth "$REGISTRY" puller:pull-pass-1 "$T/auth.json"
setup_env dev
set_agent_var dev REGISTRY_AUTH_FILE "$T/auth.json"
set_agent_var dev IMAGE_SIGNATURE_KEYS "$T/keys/ci.pub"
start_agent dev
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "TLS + basic auth: the classic signature verifies, 200" json_is '[.status, .signature.format] | @tsv' "deployed	simple-signing"
deploy dev "$IMAGE_REPOSITORY:1.0.1"
check "... and the bundle (fallback tag through the same client)" json_is '[.status, .signature.format] | @tsv' "deployed	sigstore-bundle"
deploy dev "$IMAGE_REPOSITORY:1.0.2"
check "an unsigned image in a TLS registry: 422" answer_is 422 "has no cosign signature"

# The signature lookups themselves, asked of dreichor-registry as the agent asks it.
verify() { # verify REPOSITORY DIGEST AUTH-FILE: dreichor-registry's answer in ANSWER
	ANSWER=$(env -i PATH=/usr/bin:/bin REGISTRY_AUTH_FILE="$3" IMAGE_SIGNATURE_KEYS="$T/keys/ci.pub" \
		"$top_builddir/dreichor-registry" verify "$1" "$2")
}
verify "$IMAGE_REPOSITORY" "$d_1_0_0" "$T/auth.json"
check "dreichor-registry verify over TLS: the key" bash -c 'jq -e --arg k "$2" ".key == \$k" <<<"$1" >/dev/null' _ "$ANSWER" \
	"$(key_fingerprint ci)" || log "$ANSWER"
write_auth "$REGISTRY" puller:wrong "$T/wrong.json"
verify "$IMAGE_REPOSITORY" "$d_1_0_0" "$T/wrong.json"
check "... wrong credentials: an error (502 to a deploy) naming the credentials" \
	bash -c 'jq -e ".error | contains(\"HTTP 401\") and contains(\"REGISTRY_AUTH_FILE\")" <<<"$1" >/dev/null' _ "$ANSWER"
rm "/etc/docker/certs.d/$REGISTRY/ca.crt"
verify "$IMAGE_REPOSITORY" "$d_1_0_0" "$T/auth.json"
check "... a certificate nothing vouches for: an error, never a lookup in the clear" \
	bash -c 'jq -e ".error | contains(\"cannot be reached\") and test(\"certificate|SSL\")" <<<"$1" >/dev/null' _ "$ANSWER"
cp "$T/ca/ca.pem" "/etc/docker/certs.d/$REGISTRY/ca.crt"

# --- 2. A bearer-token challenge: the stand-in token service in front of a plain registry.
REGISTRY_NAME=plain start_registry
make_image 2.0.0 "$RUNTIME_SCRIPT"
make_image 2.0.1 "$RUNTIME_SCRIPT"
REG_URL=http://$REGISTRY
REG_CURL=()
d_2_0_0=$(image_digest 2.0.0)
d_2_0_1=$(image_digest 2.0.1)
origin_port=$REGISTRY_PORT
bearer_port=$(free_port)
# A signature names the repository as the agent names it: here by the stand-in's address.
SIGNED_REPOSITORY=127.0.0.1:$bearer_port/$REPO_PATH sign_simple ci "$d_2_0_0"
token=tok-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
"$EDGE" "$bearer_port" "$origin_port" --bearer "$token" --basic "$(printf 'puller:pull-pass-2' | base64 -w0)" --lifetime 600 \
	>"$T/bearer.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_for 10 grep -q listening "$T/bearer.log" || hard_error "the token stand-in did not listen"
BEARER_REPO=127.0.0.1:$bearer_port/$REPO_PATH
check "the stand-in asks for a bearer token" \
	bash -c 'curl -s -D - -o /dev/null "http://127.0.0.1:$1/v2/" | grep -qi "^WWW-Authenticate: Bearer realm="' _ "$bearer_port"
write_auth "127.0.0.1:$bearer_port" puller:pull-pass-2 "$T/bearer-auth.json"
verify "$BEARER_REPO" "$d_2_0_0" "$T/bearer-auth.json"
check "dreichor-registry answers the challenge with a token from the realm: the signature verifies" \
	bash -c 'jq -e ".format == \"simple-signing\"" <<<"$1" >/dev/null && grep -q "token granted" "$2"' _ "$ANSWER" "$T/bearer.log" ||
	log "$ANSWER"
write_auth "127.0.0.1:$bearer_port" puller:wrong "$T/bearer-wrong.json"
verify "$BEARER_REPO" "$d_2_0_0" "$T/bearer-wrong.json"
check "... the token service refusing the credentials: an error naming it" \
	bash -c 'jq -e ".error | contains(\"token service refused the credentials of REGISTRY_AUTH_FILE\")" <<<"$1" >/dev/null' _ "$ANSWER"
anonymous_port=$(free_port)
"$EDGE" "$anonymous_port" "$origin_port" --bearer "$token" --lifetime 600 >"$T/anonymous.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_for 10 grep -q listening "$T/anonymous.log" || hard_error "the anonymous token stand-in did not listen"
SIGNED_REPOSITORY=127.0.0.1:$anonymous_port/$REPO_PATH sign_simple ci "$d_2_0_1"
verify "127.0.0.1:$anonymous_port/$REPO_PATH" "$d_2_0_1" ""
check "... a public package: an anonymous token, the signature verifies" \
	bash -c 'jq -e ".format == \"simple-signing\"" <<<"$1" >/dev/null && grep -q "token granted" "$2"' _ "$ANSWER" "$T/anonymous.log" ||
	log "$ANSWER"
stop_agent dev
set_agent_var dev IMAGE_REPOSITORY "$BEARER_REPO"
set_agent_var dev REGISTRY_AUTH_FILE "$T/bearer-auth.json"
start_agent dev
deploy dev "$BEARER_REPO:2.0.0"
check "a deploy through the bearer challenge: signature verified, pulled, 200" \
	json_is '[.status, .signature.format, .image_digest] | @tsv' "deployed	simple-signing	$d_2_0_0"
finish
