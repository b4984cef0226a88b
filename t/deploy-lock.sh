#!/bin/bash
# The per-environment lock: a deploy blocked in its pull (registry frozen
# with SIGSTOP) holds it; a second deploy and a stop get 409 at once naming
# the holder; status still answers; SIGKILL mid-pull leaves the lock free.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
make_image 1.0.1 "$RUNTIME_SCRIPT"
make_image 1.0.2 "$RUNTIME_SCRIPT"
setup_env dev
start_agent dev
LOCK=$T/dev/state/deploy.lock
name=dreichor-runtime-dev

# 1. Two deploys at once: exactly one 409, immediately, naming the holder.
kill -STOP "$REGISTRY_PID"
deploy_in_background dev 1.0.0 "$T/first"
first=$BG
check "first deploy holds the lock while pulling" wait_for 20 lock_held_by dev 1.0.0
start=$(date +%s%N)
deploy dev "$IMAGE_REPOSITORY:1.0.1"
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "second deploy: 409" answer_is 409 "busy: deploy of $IMAGE_REPOSITORY:1.0.0 by request"
# Waiting would mean until the first deploy ends, which cannot happen while its registry is stopped:
# any answer at all shows it did not wait; the bound is generous for a busy machine.
check "second deploy: refused without waiting (${took_ms} ms)" test "$took_ms" -lt 30000
check "409 names the holder's start time" reason_has "running since 20"
check "409 phase is lock" json_is .phase lock
conflict_body=$BODY
call dev POST /v1/stop
check "stop during a deploy: 409" answer_is 409 "busy: deploy of $IMAGE_REPOSITORY:1.0.0"
call dev GET /v1/status
check "status during a deploy still answers" status_is 200
kill -CONT "$REGISTRY_PID"
wait "$first"
check "first deploy then completes: 200" test "$(cat "$T/first.status")" = 200
first_rid=$(jq -r .request_id "$T/first")
check "the 409 named the first deploy's request id" grep -qF "by request $first_rid" <<<"$conflict_body"
check "one container, running 1.0.0" test "$(container_field $name '{{index .Config.Labels "dreichor.image"}}')" = "$IMAGE_REPOSITORY:1.0.0"

# 2. SIGKILL mid-pull: no stale lock, the running container untouched, the next deploy works.
cid=$(container_field $name '{{.Id}}')
kill -STOP "$REGISTRY_PID"
deploy_in_background dev 1.0.1 "$T/killed"
killed=$BG
check "killed deploy is pulling with the lock" wait_for 20 lock_held_by dev 1.0.1
kill -KILL "$(lock_holder_pid dev)"
wait "$killed"
check "client of the killed deploy got no answer" test "$(cat "$T/killed.status")" = 000
check "lock is free after SIGKILL" flock -n "$LOCK" true
check "running container untouched by the killed deploy" test "$(container_field $name '{{.Id}}')" = "$cid"
kill -CONT "$REGISTRY_PID"
deploy dev "$IMAGE_REPOSITORY:1.0.2"
check "next deploy after SIGKILL: 200" status_is 200
check "still exactly one container" test "$(container_count $name)" = 1

# 3. A lock held by any other process (flock, as an operator might) also gives 409.
flock "$LOCK" sleep 30 &
holder=$!
wait_for 5 bash -c "! flock -n '$LOCK' true"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "deploy while an operator holds the lock: 409" status_is 409
pkill -P "$holder"; kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

finish
