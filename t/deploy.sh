#!/bin/bash
# POST /v1/deploy against a private dockerd and a real registry: the happy
# path with every property of the container, redeploy, and each way a
# deploy is refused or fails, always checking what was left running.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
make_image abcdef1 "$RUNTIME_SCRIPT"
make_image 1.0.1-dev "$RUNTIME_SCRIPT"
make_image 1.0.2 'echo boom-line-1; echo boom-line-2 >&2; exit 3'
# Fails on its first run only; the restart then keeps running, so inspect shows exit code 0.
make_image 1.0.6 'if [ -f /ran-once ]; then exec sleep 3600; fi; echo >/ran-once; echo failing-once; exit 4'
make_image 1.0.4 "$RUNTIME_SCRIPT"
setup_env dev
start_agent dev
D=$T/dev
name=dreichor-runtime-dev

# Happy path.
deploy dev "$IMAGE_REPOSITORY:1.0.0" '"environment": "dev"'
check "deploy: 200" status_is 200
check "deploy: status deployed" json_is .status deployed
check "deploy: container_name" json_is .container_name $name
check "deploy: image" json_is .image "$IMAGE_REPOSITORY:1.0.0"
check "deploy: environment" json_is .environment dev
check "deploy: logs carry the start output" json_is '.logs | index(["runtime starting in dev"]) != null' true
check "deploy: image_digest" json_is '.image_digest | test("^sha256:[0-9a-f]{64}$")' true
rid=$(printf '%s' "$BODY" | jq -r .request_id)
cid=$(printf '%s' "$BODY" | jq -r .container_id)
check "one container of the name" test "$(container_count $name)" = 1
check "running after the grace period" test "$(container_field $name '{{.State.Status}}')" = running
check "exactly two binds" test "$(container_field $name '{{json .HostConfig.Binds}}')" = \
	"[\"$D/volumes/audit-events:/var/lib/dreichor/audit-events\",\"$D/volumes/snapshots:/var/lib/dreichor/snapshots\"]"
check "exactly two mounts" test "$(container_field $name '{{len .Mounts}}')" = 2
docker_cli inspect -f '{{range .Config.Env}}{{println .}}{{end}}' $name | sed '/^$/d' | sort >"$T/env.got"
{ grep -v '^#' "$D/runtime.env" | sed '/^$/d'; echo ENVIRONMENT=dev; } | sort >"$T/env.want"
check "exactly the eleven env vars" diff "$T/env.want" "$T/env.got"
check "eleven lines" test "$(wc -l <"$T/env.got")" = 11
check "restart policy unless-stopped" test "$(container_field $name '{{.HostConfig.RestartPolicy.Name}}')" = unless-stopped
check "label environment" test "$(container_field $name '{{index .Config.Labels "dreichor.environment"}}')" = dev
check "label image" test "$(container_field $name '{{index .Config.Labels "dreichor.image"}}')" = "$IMAGE_REPOSITORY:1.0.0"
check "label request id" test "$(container_field $name '{{index .Config.Labels "dreichor.request-id"}}')" = "$rid"
check "no published or exposed ports" test "$(docker_cli inspect $name | jq '[.[0].HostConfig.PortBindings // {}, .[0].Config.ExposedPorts // {}] | map(length) | add')" = 0
check "network mode from CONTAINER_NETWORK" test "$(container_field $name '{{.HostConfig.NetworkMode}}')" = none
check "deploy record written" test "$(jq -r .request_id "$D/state/last-deploy.json")" = "$rid"
check "deploy record names the client id" test "$(jq -r .client_id "$D/state/last-deploy.json")" = "$CLIENT_ID"
check "digest pin written" grep -q '^sha256:' "$D/state/pins/1.0.0"
call dev GET /v1/status
check "status: running the deployed image" json_is '[.running, .image] | @tsv' "true	$IMAGE_REPOSITORY:1.0.0"
check "status: last_deploy" json_is .last_deploy.request_id "$rid"

# Redeploy replaces the container.
deploy dev "$IMAGE_REPOSITORY:abcdef1"
check "redeploy (commit SHA tag): 200" status_is 200
cid2=$(printf '%s' "$BODY" | jq -r .container_id)
check "redeploy: a new container" test "$cid2" != "$cid" -a "$(container_field $name '{{.Id}}')" = "$cid2"
check "redeploy: still one container" test "$(container_count $name)" = 1
check "redeploy: old container gone" bash -c "! $DOCKER_CLI -H unix://$DOCKER_SOCK inspect $cid >/dev/null 2>&1"
deploy dev "$IMAGE_REPOSITORY:1.0.1-dev"
check "dev accepts X.Y.Z-dev" status_is 200
cid=$(printf '%s' "$BODY" | jq -r .container_id)

# Each refusal leaves the running container exactly as it was.
untouched() { [ "$(container_field $name '{{.Id}}')" = "$cid" ] && [ "$(container_field $name '{{.State.Status}}')" = running ] &&
	[ "$(container_count $name)" = 1 ]; }

deploy dev "$IMAGE_REPOSITORY:9.9.9"
check "unknown tag: 502" answer_is 502 "pull of $IMAGE_REPOSITORY:9.9.9 failed"
check "unknown tag: phase pull" json_is .phase pull
check "unknown tag: old container untouched" untouched

deploy dev "$IMAGE_REPOSITORY:latest"
check "latest: 422" answer_is 422 "latest"
deploy dev "$IMAGE_REPOSITORY"
check "no tag: 422" status_is 422
deploy dev "$IMAGE_REPOSITORY:main"
check "mutable tag: 422" answer_is 422 "not immutable"
deploy dev "$REGISTRY/someone/else:1.0.0"
check "foreign repository: 422" answer_is 422 "must come from $IMAGE_REPOSITORY"
deploy dev "$IMAGE_REPOSITORY@sha256:abc"
check "malformed digest: 422" status_is 422
check "policy refusals: untouched" untouched

call dev POST /v1/deploy '{"image": '
check "malformed JSON: 400" answer_is 400 "not one well-formed JSON object"
call dev POST /v1/deploy '{"image": "a"} trailing'
check "trailing garbage: 400" status_is 400
call dev POST /v1/deploy '["image"]'
check "array body: 400" answer_is 400 "must be a JSON object"
call dev POST /v1/deploy '{"environment": "dev"}'
check "missing image: 400" answer_is 400 "image is required"
call dev POST /v1/deploy '{"image": 42}'
check "non-string image: 400" answer_is 400 "image must be a string"
# A client's text quoted in a reason arrives printable: no line break for a workflow command.
deploy dev "$IMAGE_REPOSITORY:1.0.4" '"env": {"K\n::error::injected\u001b": 1}'
check "env key with a line break and ESC: 400, quoted printable" answer_is 400 "env: unknown runtime variable K?::error::injected?"
deploy dev "$IMAGE_REPOSITORY:1.0.4" '"container_name": "evil"'
check "container_name override: 400" answer_is 400 "field container_name is not accepted"
deploy dev "$IMAGE_REPOSITORY:1.0.4" '"volumes": ["/:/host"]'
check "volumes override: 400" answer_is 400 "field volumes is not accepted"
deploy dev "$IMAGE_REPOSITORY:1.0.4" '"environment": "prod"'
check "environment mismatch: 400" answer_is 400 "environment does not match this agent, which serves dev"
deploy dev "$IMAGE_REPOSITORY:1.0.4" '"env": {"LOG_LEVEL": "debug"}'
check "env override with a different value: 400" answer_is 400 "override of server-owned runtime variable LOG_LEVEL"
deploy dev "$IMAGE_REPOSITORY:1.0.4" '"env": {"FOO": "bar"}'
check "env unknown key: 400" answer_is 400 "env: unknown runtime variable FOO"
deploy dev "$IMAGE_REPOSITORY:1.0.4" '"env": {"LOG_LEVEL": 1}'
check "env non-string value: 400" status_is 400
deploy dev "$IMAGE_REPOSITORY:1.0.4" '"env": "LOG_LEVEL=info"'
check "env not an object: 400" status_is 400
call dev POST /v1/deploy "{\"image\": \"$IMAGE_REPOSITORY:1.0.4\", \"env\": {\"DATABASE_URL\": \"postgres://x:y@h/dreichor_dev\"}}"
check "env DATABASE_URL override refused without echoing it" bash -c "[ $STATUS = 400 ] && ! grep -q 'x:y@h' '$T/body'"
check "request refusals: untouched" untouched
check "request refusals pulled nothing" bash -c "! $DOCKER_CLI -H unix://$DOCKER_SOCK image inspect $IMAGE_REPOSITORY:1.0.4 >/dev/null 2>&1"

# Invalid runtime env: 500 naming the variable, nothing touched, nothing pulled.
cp "$D/runtime.env" "$T/runtime.env.good"
sed -i 's|5432/dreichor_dev|5432/dreichor_prod|' "$D/runtime.env"
deploy dev "$IMAGE_REPOSITORY:1.0.4"
check "invalid runtime env: 500" answer_is 500 "DATABASE_URL: database must be dreichor_dev"
check "invalid runtime env: password not echoed" bash -c "! grep -q db-pass-dev '$T/body'"
check "invalid runtime env: untouched" untouched
check "invalid runtime env: nothing pulled" bash -c "! $DOCKER_CLI -H unix://$DOCKER_SOCK image inspect $IMAGE_REPOSITORY:1.0.4 >/dev/null 2>&1"
printf 'SAFTEY_MODE=strict\n' >>"$T/runtime.env.typo"; cat "$T/runtime.env.good" "$T/runtime.env.typo" >"$D/runtime.env"
deploy dev "$IMAGE_REPOSITORY:1.0.4"
check "runtime env with a typo key: 500" answer_is 500 "SAFTEY_MODE: unknown runtime variable"
cp "$T/runtime.env.good" "$D/runtime.env"

# An env object that repeats the server's values is accepted.
deploy dev "$IMAGE_REPOSITORY:1.0.4" '"env": {"LOG_LEVEL": "info", "EXECUTION_PLANE": "paper"}'
check "env equal to the server's: 200" status_is 200
cid=$(printf '%s' "$BODY" | jq -r .container_id)

# A container that exits at once: 500 with exit code and logs, and no container left.
deploy dev "$IMAGE_REPOSITORY:1.0.2"
check "crashing image: 500" answer_is 500 "exited with code 3"
check "crashing image: phase grace" json_is .phase grace
check "crashing image: reason carries its last lines" reason_has "boom-line-2"
check "crashing image: logs array" json_is '[.logs[] | select(startswith("boom-line"))] | length >= 2' true
check "crashing image: no container left" test "$(container_count $name)" = 0
call dev GET /v1/status
check "crashing image: status absent" json_is .state absent

# One that exits and then runs after its restart: the reason still names the first exit.
deploy dev "$IMAGE_REPOSITORY:1.0.6"
check "restarted image: 500" answer_is 500 "exited with code 4"
check "restarted image: its line kept" reason_has "failing-once"
check "restarted image: no container left" test "$(container_count $name)" = 0

# A body that never completes: 408 after the 10 s body limit.
start=$(date +%s)
line=$(timeout 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT_dev
printf 'POST /v1/deploy HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 50\r\nCF-Access-Client-Id: $CLIENT_ID\r\nCF-Access-Client-Secret: $CLIENT_SECRET\r\n\r\n{\"ima' >&3
cat <&3" | head -1 | tr -d '\r')
check "slow body: 408" test "$line" = "HTTP/1.1 408 Request Timeout"
check "slow body: after about 10 s" test $(( $(date +%s) - start )) -ge 9

# Docker unreachable: 503.
stop_agent dev
set_agent_var dev DOCKER_HOST "unix://$T/dead.sock"
start_agent dev
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "Docker unreachable: 503" answer_is 503 "Docker engine unreachable"

finish
