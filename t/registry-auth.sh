#!/bin/bash
# Pulls from a registry with htpasswd auth, with credentials from
# REGISTRY_AUTH_FILE: right ones work, wrong or missing ones fail with 502.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

start_dockerd
start_registry htpasswd puller 'pull-pass-1'
printf '%s' 'pull-pass-1' | docker_cli login -u puller --password-stdin "$REGISTRY" >/dev/null 2>&1 ||
	hard_error "docker login to the test registry failed"
make_image 1.0.0 "$RUNTIME_SCRIPT"
docker_cli logout "$REGISTRY" >/dev/null 2>&1
setup_env dev
write_auth() { # write_auth USER PASS
	printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$REGISTRY" "$(printf '%s:%s' "$1" "$2" | base64 -w0)" >"$T/auth.json"
}

deploy_with() { # deploy_with AUTH-FILE-OR-DASH
	stop_agent dev
	set_agent_var dev REGISTRY_AUTH_FILE "$1"
	start_agent dev
	deploy dev "$IMAGE_REPOSITORY:1.0.0"
}

deploy_with -
check "no credentials: 502" answer_is 502 "pull of $IMAGE_REPOSITORY:1.0.0 failed"
write_auth puller wrong-pass
deploy_with "$T/auth.json"
check "wrong credentials: 502" answer_is 502 "pull of $IMAGE_REPOSITORY:1.0.0 failed"
check "wrong credentials: the reason says why" bash -c "jq -r .reason '$T/body' | grep -qiE 'unauthorized|authentication'"
check "wrong credentials: the password is not echoed" bash -c "! grep -q wrong-pass '$T/body'"
check "wrong credentials: no container" test "$(container_count dreichor-runtime-dev)" = 0
write_auth puller pull-pass-1
deploy_with "$T/auth.json"
check "right credentials: 200" status_is 200
check "right credentials: the password is not echoed" bash -c "! grep -q pull-pass-1 '$T/body'"
# Credentials too long for the X-Registry-Auth header: an error, never an anonymous pull.
printf '{"auths": {"%s": {"username": "puller", "password": "%s"}}}\n' "$REGISTRY" "$(head -c 9000 /dev/zero | tr '\0' p)" >"$T/auth.json"
deploy_with "$T/auth.json"
check "credentials too long for the header: 500, not an anonymous pull" answer_is 500 "registry credentials for $IMAGE_REPOSITORY are longer than"
check "... phase pull" json_is .phase pull
echo 'not json' >"$T/auth.json"
deploy_with "$T/auth.json"
check "malformed auth file: 500 naming REGISTRY_AUTH_FILE" answer_is 500 "REGISTRY_AUTH_FILE"

finish
