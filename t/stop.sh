#!/bin/bash
# POST /v1/stop: stops and removes the container, is idempotent, and says
# so clearly when Docker is unreachable.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

start_dockerd
start_registry
make_image 1.0.0 'trap "echo got TERM; exit 0" TERM; echo up; while :; do sleep 1; done'
setup_env dev
start_agent dev
name=dreichor-runtime-dev

call dev POST /v1/stop
check "stop with nothing deployed: 200" status_is 200
check "... status stopped" json_is .status stopped
check "... container_name" json_is .container_name $name
check "... was_present false" json_is .was_present false

deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "deploy: 200" status_is 200
call dev POST /v1/stop
check "stop: 200" status_is 200
check "stop: was_present true" json_is .was_present true
check "stop: container removed" test "$(container_count $name)" = 0
call dev POST /v1/stop
check "stop twice: 200" status_is 200
check "stop twice: was_present false" json_is .was_present false
call dev GET /v1/status
check "after stop: not running" json_is '[.running, .state] | @tsv' "false	absent"

# An exited container is removed too.
docker_cli create --network none --name $name "$IMAGE_REPOSITORY:1.0.0" >/dev/null
call dev POST /v1/stop
check "stop removes a created, never started container" test "$STATUS/$(container_count $name)" = 200/0

# Stop leaves the other environment's container alone.
docker_cli run -d --network none --name dreichor-runtime-prod "$IMAGE_REPOSITORY:1.0.0" >/dev/null
call dev POST /v1/stop
check "dev stop leaves dreichor-runtime-prod" test "$(container_count dreichor-runtime-prod)" = 1

# A body on stop must be JSON if present; none is fine.
RAW_PATH=/v1/stop raw dev -H "CF-Access-Client-Id: $CLIENT_ID" -H "CF-Access-Client-Secret: $CLIENT_SECRET" \
	-H 'Content-Type: text/plain' --data-binary 'please'
check "stop with a text body: 415" status_is 415

# Docker unreachable.
stop_dockerd
call dev POST /v1/stop
check "Docker stopped: 503" answer_is 503 "Docker engine unreachable"
check "lock free after the failure" flock -n "$T/dev/state/deploy.lock" true

finish
