#!/bin/bash
# Registry failures named for what they are, each produced for real:
# credentials refused by a docker-registry with htpasswd behind TLS (a CA
# made here), a tag the registry does not have, a registry that is down
# (502 each, the reason saying what to do); a registry that answers 429
# with Retry-After (a stand-in in front of the real one: 503 naming the
# retry time); and a full disk: an engine whose data root is a small
# tmpfs, a pull larger than what is left (507 naming the data root and
# KEEP_IMAGES, the running container untouched), then a small deploy
# whose retention frees the space, and the large deploy succeeds.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
. "$top_srcdir/t/lib-jwt.sh"
need_cmd openssl htpasswd mount socat systemd-socket-activate
EDGE=$top_builddir/t/edge-proxy
[ -x "$EDGE" ] || hard_error "t/edge-proxy is not built (make check builds it)"

start_dockerd
# --- A registry with htpasswd behind TLS.
tls_test_ca "$T/ca"
start_registry htpasswd puller 'pull-pass-1'
sed -i "s|^http: {addr: \(.*\)}$|http: {addr: \1, tls: {certificate: $T/ca/srv.pem, key: $T/ca/srv.key}}|" "$T/registry/config.yml"
kill "$REGISTRY_PID"; wait "$REGISTRY_PID" 2>/dev/null
run_registry
tls_answer() { curl -s -o /dev/null -w '%{http_code}' --cacert "$T/ca/ca.pem" "https://$REGISTRY/v2/"; }
plain_answer() { curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/"; }
check "the registry answers over TLS, verified by the test's CA (401: it wants credentials)" test "$(tls_answer)" = 401
check "... and not over plain HTTP" test "$(plain_answer)" != 401
printf '%s' 'pull-pass-1' | docker_cli login -u puller --password-stdin "$REGISTRY" >/dev/null 2>&1 ||
	hard_error "docker login to the TLS registry failed"
make_image 1.0.0 "$RUNTIME_SCRIPT"
docker_cli logout "$REGISTRY" >/dev/null 2>&1
setup_env dev
set_agent_var dev KEEP_IMAGES 2
write_auth() { printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$REGISTRY" "$(printf '%s:%s' "$1" "$2" | base64 -w0)" >"$T/auth.json"; }
restart_with() { stop_agent dev; set_agent_var dev "$1" "$2"; start_agent dev; }

restart_with REGISTRY_AUTH_FILE -
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "no credentials for a registry that wants some: 502" answer_is 502 "refused the credentials (none: REGISTRY_AUTH_FILE has no entry for it)"
check "... and what to do" reason_has "put a token that may read the repository in REGISTRY_AUTH_FILE"
write_auth puller wrong-pass
restart_with REGISTRY_AUTH_FILE "$T/auth.json"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "wrong credentials: 502 naming the file's entry" answer_is 502 "refused the credentials (the entry for it in REGISTRY_AUTH_FILE)"
check "... the password is not echoed" bash -c "! grep -q wrong-pass '$T/body'"
write_auth puller pull-pass-1
restart_with REGISTRY_AUTH_FILE "$T/auth.json"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "right credentials over TLS: 200" status_is 200
deploy dev "$IMAGE_REPOSITORY:9.9.9"
check "a tag the registry does not have: 502" answer_is 502 "the tag does not exist there"
check "... the container runs on" test "$(container_field dreichor-runtime-dev '{{.State.Running}}')" = true

# --- Rate limited: a stand-in answers 429 with Retry-After in front of the registry.
limit_port=$(free_port)
"$EDGE" "$limit_port" "$REGISTRY_PORT" --too-many 42 --lifetime 600 >"$T/limit.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_for 10 grep -q listening "$T/limit.log" || hard_error "the 429 stand-in did not listen"
restart_with IMAGE_REPOSITORY "127.0.0.1:$limit_port/$REPO_PATH"
deploy dev "127.0.0.1:$limit_port/$REPO_PATH:1.0.0"
check "a registry that rate-limits: 503" answer_is 503 "is rate limiting pulls; it asks to retry after 42 s"
check "... phase pull" json_is .phase pull
# As the units run it: the question goes to dreichor-registry on its own unix socket.
(IMAGE_REPOSITORY=127.0.0.1:$limit_port/$REPO_PATH exec systemd-socket-activate --accept --inetd -l "$T/registry.sock" \
	-E IMAGE_REPOSITORY $VALGRIND_WRAP "$top_builddir/dreichor-registry" --inetd) >"$T/registry-socket.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_for 10 grep -q '^Listening on' "$T/registry-socket.log" || hard_error "the registry socket did not listen"
restart_with DREICHOR_REGISTRY_SOCKET "$T/registry.sock"
deploy dev "127.0.0.1:$limit_port/$REPO_PATH:1.0.0"
check "through the registry socket, as under the units: 503 with the retry time" answer_is 503 "it asks to retry after 42 s"
check "the registry socket answers only for the environment's repository" \
	bash -c "[ \"\$(printf 'probe other.test/x 1.0.0\n' | socat - UNIX-CONNECT:$T/registry.sock | jq -r .error)\" = \"only this environment's IMAGE_REPOSITORY is asked about\" ]"
check "... and only the one question it knows" \
	bash -c "printf 'GET / HTTP/1.1\r\n\r\n' | socat - UNIX-CONNECT:$T/registry.sock | jq -e '.error | startswith(\"expected one line\")' | grep -qx true"
restart_with DREICHOR_REGISTRY_SOCKET -
restart_with IMAGE_REPOSITORY "$IMAGE_REPOSITORY"

# --- The registry is down.
kill "$REGISTRY_PID"; wait "$REGISTRY_PID" 2>/dev/null
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "a registry that is down: 502" answer_is 502 "cannot be reached from the engine"
check "... the container runs on" test "$(container_field dreichor-runtime-dev '{{.State.Running}}')" = true
run_registry

# --- A full disk. Three large images (30 MiB of random bytes each) and a small one, pushed by the
# engine above; then an engine of its own on a 112 MiB tmpfs.
big_image() { # big_image TAG
	rm -rf "$T/big" && mkdir -p "$T/big" && tar -C "$T/big" -xf "$T/rootfs.tar" &&
		head -c $((30 * 1024 * 1024)) /dev/urandom >"$T/big/ballast" && tar -C "$T/big" -cf "$T/big.tar" . &&
		docker_cli import -c "CMD $(jq -cn --arg s "$RUNTIME_SCRIPT" '["/bin/sh", "-c", $s]')" "$T/big.tar" "$IMAGE_REPOSITORY:$1" >/dev/null &&
		docker_cli push "$IMAGE_REPOSITORY:$1" >/dev/null 2>&1 || hard_error "cannot push the large image $1"
}
printf '%s' 'pull-pass-1' | docker_cli login -u puller --password-stdin "$REGISTRY" >/dev/null 2>&1
for tag in 2.0.0 2.0.1 2.0.2; do big_image $tag; done
make_image 1.0.1 "$RUNTIME_SCRIPT"
docker_cli logout "$REGISTRY" >/dev/null 2>&1
stop_dockerd
DOCKER_DIR=$T/docker-small
DOCKER_SOCK=$DOCKER_DIR/docker.sock
mkdir -p "$DOCKER_DIR/data"
mount -t tmpfs -o size=112m tmpfs "$DOCKER_DIR/data" || hard_error "cannot mount a tmpfs (root is needed)"
run_dockerd start
restart_with DOCKER_HOST "unix://$DOCKER_SOCK"
deploy dev "$IMAGE_REPOSITORY:2.0.0"
check "small engine: the first large image deploys" status_is 200
deploy dev "$IMAGE_REPOSITORY:2.0.1"
check "... and the second" status_is 200
started=$(container_field dreichor-runtime-dev '{{.State.StartedAt}}')
deploy dev "$IMAGE_REPOSITORY:2.0.2"
log "full disk: $(df -m "$DOCKER_DIR/data" | tail -1)"
check "a pull larger than what is left: 507" answer_is 507 "no space left on the engine's data root $DOCKER_DIR/data"
check "... naming KEEP_IMAGES" reason_has "KEEP_IMAGES=2"
check "... phase pull" json_is .phase pull
check "... the running container is untouched" test "$(container_field dreichor-runtime-dev '{{.State.StartedAt}}')" = "$started"
deploy dev "$IMAGE_REPOSITORY:1.0.1"
check "a small deploy succeeds, and its retention frees the oldest large image" json_is '.pruned | length' 1
deploy dev "$IMAGE_REPOSITORY:2.0.2"
check "then the large deploy succeeds" status_is 200
finish
