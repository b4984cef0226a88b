#!/bin/bash
# GET /v1/status against a private dockerd: absent, running (a container of
# the fixed name started by the docker CLI), exited, and Docker unreachable.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

start_dockerd
setup_env dev
start_agent dev
busybox_rootfs
docker_cli import -c 'CMD ["/bin/sh", "-c", "echo up; exec sleep 3600"]' "$T/rootfs.tar" local/runtime:1.0.0 >/dev/null

call dev GET /v1/status
check "absent: 200" status_is 200
check "absent: container_name" json_is .container_name dreichor-runtime-dev
check "absent: environment" json_is .environment dev
check "absent: running false" json_is .running false
check "absent: state absent" json_is .state absent
check "absent: no image" json_is .image null
check "absent: no started_at" json_is .started_at null

docker_cli run -d --network none --name dreichor-runtime-dev local/runtime:1.0.0 >/dev/null
wait_for 10 bash -c "[ \"\$($DOCKER_CLI -H unix://$DOCKER_SOCK inspect -f '{{.State.Status}}' dreichor-runtime-dev)\" = running ]"
call dev GET /v1/status
check "running: 200" status_is 200
check "running: running true" json_is .running true
check "running: state running" json_is .state running
check "running: image" json_is .image local/runtime:1.0.0
check "running: started_at is Docker's" json_is .started_at "$(container_field dreichor-runtime-dev '{{.State.StartedAt}}')"
check "running: restart_count" json_is .restart_count 0
check "running: container_id" json_is .container_id "$(container_field dreichor-runtime-dev '{{.Id}}')"

# A paused container is not running (State.Running would say true).
docker_cli pause dreichor-runtime-dev >/dev/null
call dev GET /v1/status
check "paused: running false" json_is .running false
check "paused: state paused" json_is .state paused
docker_cli unpause dreichor-runtime-dev >/dev/null

# A container of another environment's name is invisible to dev.
docker_cli run -d --network none --name dreichor-runtime-prod local/runtime:1.0.0 >/dev/null
docker_cli rm -f dreichor-runtime-dev >/dev/null
call dev GET /v1/status
check "prod container does not show in dev status" json_is .state absent

docker_cli run --network none --name dreichor-runtime-dev local/runtime:1.0.0 sh -c 'exit 7' >/dev/null 2>&1
call dev GET /v1/status
check "exited: 200" status_is 200
check "exited: running false" json_is .running false
check "exited: state exited" json_is .state exited
check "exited: exit_code" json_is .exit_code 7
check "exited: no image while not running" json_is .image null

# Status is read-only: it never changes the container.
before=$(container_field dreichor-runtime-dev '{{.State.FinishedAt}}')
call dev GET /v1/status
check "status leaves the container as it was" test "$(container_field dreichor-runtime-dev '{{.State.FinishedAt}}')" = "$before"

# Docker unreachable: a socket path that does not exist, then the daemon stopped.
stop_agent dev
set_agent_var dev DOCKER_HOST "unix://$T/no-such-docker.sock"
start_agent dev
call dev GET /v1/status
check "missing socket: 503" answer_is 503 "Docker engine unreachable at $T/no-such-docker.sock"
stop_agent dev
set_agent_var dev DOCKER_HOST "unix://$DOCKER_SOCK"
start_agent dev
# A body on a GET is read and dropped by the dispatcher: the client gets the whole answer, no reset.
big=$(printf '{"pad": "%s"}' "$(head -c 60000 /dev/zero | tr '\0' x)")
call dev GET /v1/status "$big"
check "GET with a 60 KB body: the whole answer, 200" bash -c '[ "$1" = 200 ] && jq -e .container_name <<<"$2" >/dev/null' _ "$STATUS" "$BODY"

stop_dockerd
call dev GET /v1/status
check "daemon stopped: 503" answer_is 503 "Docker engine unreachable"

finish
