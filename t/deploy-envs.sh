#!/bin/bash
# A dev and a prod agent side by side on one engine never touch each
# other's container, lock or state, and each enforces its own rules.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
make_image 1.1.0-dev "$RUNTIME_SCRIPT"
setup_env dev
setup_env prod
start_agent dev
start_agent prod

deploy dev "$IMAGE_REPOSITORY:1.1.0-dev"
check "dev deploys a -dev tag" status_is 200
deploy prod "$IMAGE_REPOSITORY:1.1.0-dev"
check "prod refuses a -dev tag: 422" answer_is 422 "dev-only pre-release and refused in prod"
deploy prod "$IMAGE_REPOSITORY:1.0.0" '"environment": "prod"'
check "prod deploys 1.0.0" status_is 200
check "prod container name" json_is .container_name dreichor-runtime-prod
deploy prod "$IMAGE_REPOSITORY:1.0.0" '"environment": "dev"'
check "prod agent refuses environment dev: 400" answer_is 400 "serves prod"
check "both containers run" test "$(container_field dreichor-runtime-dev '{{.State.Status}}')/$(container_field dreichor-runtime-prod '{{.State.Status}}')" = running/running
check "prod container has prod env" bash -c "$DOCKER_CLI -H unix://$DOCKER_SOCK inspect -f '{{json .Config.Env}}' dreichor-runtime-prod | grep -q 'ENVIRONMENT=prod'"
check "prod container mounts prod volumes" bash -c "$DOCKER_CLI -H unix://$DOCKER_SOCK inspect -f '{{json .HostConfig.Binds}}' dreichor-runtime-prod | grep -q '$T/prod/volumes/audit-events:'"
check "state is per environment" test "$(jq -r .image "$T/dev/state/last-deploy.json")/$(jq -r .image "$T/prod/state/last-deploy.json")" = \
	"$IMAGE_REPOSITORY:1.1.0-dev/$IMAGE_REPOSITORY:1.0.0"
check "pins are per environment" test -f "$T/dev/state/pins/1.1.0-dev" -a ! -f "$T/prod/state/pins/1.1.0-dev"

# A held dev lock does not stop prod.
flock "$T/dev/state/deploy.lock" sleep 30 &
holder=$!
wait_for 5 bash -c "! flock -n '$T/dev/state/deploy.lock' true"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "dev locked: 409" status_is 409
prod_cid=$(container_field dreichor-runtime-prod '{{.Id}}')
deploy prod "$IMAGE_REPOSITORY:1.0.0"
check "prod deploys while dev is locked" status_is 200
pkill -P "$holder"; kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

# Stopping dev leaves prod running, and the other way round.
dev_cid=$(container_field dreichor-runtime-dev '{{.Id}}')
prod_cid=$(container_field dreichor-runtime-prod '{{.Id}}')
call dev POST /v1/stop
check "dev stop: 200" status_is 200
check "dev container gone" test "$(container_count dreichor-runtime-dev)" = 0
check "prod container untouched by dev stop" test "$(container_field dreichor-runtime-prod '{{.Id}}')" = "$prod_cid"
call prod GET /v1/status
check "prod status: running" json_is .running true
call dev GET /v1/status
check "dev status: absent" json_is .state absent

# The prod agent refuses a dev runtime env file, without touching its container.
cp "$T/dev/runtime.env" "$T/prod/runtime.env"
deploy prod "$IMAGE_REPOSITORY:1.0.0"
check "prod with dev runtime values: 500" answer_is 500 "runtime env file invalid"
check "prod container untouched" test "$(container_field dreichor-runtime-prod '{{.Id}}')" = "$prod_cid"

finish
