#!/bin/bash
# Real failures in the middle of deploys: SIGKILL of the deploy program at
# each phase, the Docker daemon killed during a pull and during the grace
# watch, the registry killed mid-pull, a read-only STATE_DIRECTORY. After
# each: at most one container with the fixed name, the lock free, the
# state files parse, the journal holds the failure where a process lived
# to write it, and the next deploy works.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

need_root
start_journald
start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
make_image 1.0.1 "$RUNTIME_SCRIPT"
make_image 1.0.2 "$RUNTIME_SCRIPT"
setup_env dev
set_agent_var dev STARTUP_GRACE_SECONDS 3
start_agent dev
name=dreichor-runtime-dev
STATE=$T/dev/state
LOCK=$STATE/deploy.lock

watch_events() { # container events of the fixed name, from now, into $T/events
	: >"$T/events"
	docker_cli events --filter "container=$name" --format '{{.Action}}' >>"$T/events" 2>/dev/null &
	EVENTS=$!
	sleep 0.3
}
saw_event() { grep -q "^$1" "$T/events"; }
stop_watching() { kill "$EVENTS" 2>/dev/null; wait "$EVENTS" 2>/dev/null; }

# invariants WHAT: what must hold after any failure.
invariants() {
	check "$1: at most one container named $name" test "$(container_count $name)" -le 1
	check "$1: lock free" flock -n "$LOCK" true
	check "$1: deploy record parses" bash -c "[ ! -e '$STATE/last-deploy.json' ] || jq -e .image_digest '$STATE/last-deploy.json' >/dev/null"
	check "$1: digest pins are digests" bash -c "! grep -Lx 'sha256:[0-9a-f]\{64\}' '$STATE'/pins/* 2>/dev/null | grep -q ."
	check "$1: no temp files left in the state directory" test -z "$(find "$STATE" -name '*.tmp')"
}
journal_has_failure() { # journal_has_failure STATUS PHASE: the background deploy's entry
	local rid e; rid=$(jq -r .request_id "$T/bg")
	e=$(journal_entry "$rid") || return 1
	[ "$(jq -r '.DREICHOR_RESULT + " " + .DREICHOR_HTTP_STATUS + " " + .DREICHOR_PHASE' <<<"$e")" = "error $1 $2" ]
}
next_deploy_works() { # next_deploy_works WHAT TAG
	deploy dev "$IMAGE_REPOSITORY:$2"
	check "$1: the next deploy works" status_is 200
}

# A good start.
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "initial deploy" status_is 200

# 1. SIGKILL before the pull: the engine frozen, the deploy holds the lock waiting for /_ping.
kill -STOP "$DOCKERD_PID"
deploy_in_background dev 1.0.1 "$T/bg"
check "before pull: deploy holds the lock" wait_for 20 lock_held_by dev 1.0.1
kill -KILL "$(lock_holder_pid dev)"; wait "$BG"
kill -CONT "$DOCKERD_PID"
invariants "SIGKILL before pull"
check "SIGKILL before pull: old container still running" test "$(container_field $name '{{.State.Status}}')" = running

# 2. SIGKILL during the pull: the registry frozen.
kill -STOP "$REGISTRY_PID"
deploy_in_background dev 1.0.1 "$T/bg"
check "during pull: deploy holds the lock" wait_for 20 lock_held_by dev 1.0.1
sleep 0.5
kill -KILL "$(lock_holder_pid dev)"; wait "$BG"
kill -CONT "$REGISTRY_PID"
invariants "SIGKILL during pull"
check "SIGKILL during pull: old container still running" test "$(container_field $name '{{.State.Status}}')" = running

# 3. SIGKILL after the old container stopped.
watch_events
deploy_in_background dev 1.0.1 "$T/bg"
check "after stop: the old container died" wait_for 60 saw_event die
kill -KILL "$(lock_holder_pid dev)" 2>/dev/null; wait "$BG"
stop_watching
invariants "SIGKILL after stop"
next_deploy_works "SIGKILL after stop" 1.0.0

# 4. SIGKILL after create: the engine frozen as soon as the new container exists.
watch_events
deploy_in_background dev 1.0.1 "$T/bg"
check "after create: the new container was created" wait_for 60 saw_event create
kill -STOP "$DOCKERD_PID"
kill -KILL "$(lock_holder_pid dev)" 2>/dev/null; wait "$BG"
kill -CONT "$DOCKERD_PID"
stop_watching
invariants "SIGKILL after create"
next_deploy_works "SIGKILL after create" 1.0.2

# 5. SIGKILL during the grace watch.
watch_events
deploy_in_background dev 1.0.1 "$T/bg"
check "during grace: the new container started" wait_for 60 saw_event start
sleep 0.5
kill -KILL "$(lock_holder_pid dev)" 2>/dev/null; wait "$BG"
stop_watching
invariants "SIGKILL during grace"
next_deploy_works "SIGKILL during grace" 1.0.0

# 6. The Docker daemon killed during a pull: 503, the failure in the journal.
kill -STOP "$REGISTRY_PID"
deploy_in_background dev 1.0.2 "$T/bg"
check "daemon killed during pull: deploy pulling" wait_for 20 lock_held_by dev 1.0.2
sleep 0.5
kill_dockerd
wait "$BG"
check "daemon killed during pull: 503" test "$(cat "$T/bg.status")" = 503
check "daemon killed during pull: journal has error 503 in phase pull" journal_has_failure 503 pull
kill -CONT "$REGISTRY_PID"
restart_dockerd
invariants "daemon killed during pull"
next_deploy_works "daemon killed during pull" 1.0.1

# 7. The Docker daemon killed during the grace watch.
watch_events
deploy_in_background dev 1.0.2 "$T/bg"
check "daemon killed during grace: container started" wait_for 60 saw_event start
sleep 0.5
kill_dockerd
wait "$BG"
stop_watching
check "daemon killed during grace: 503" test "$(cat "$T/bg.status")" = 503
check "daemon killed during grace: journal has error 503 in phase grace" journal_has_failure 503 grace
restart_dockerd
invariants "daemon killed during grace"
next_deploy_works "daemon killed during grace" 1.0.0

# 8. The registry killed mid-pull: 502, the running container untouched.
cid=$(container_field $name '{{.Id}}')
kill -STOP "$REGISTRY_PID"
deploy_in_background dev 1.0.2 "$T/bg"
check "registry killed mid-pull: deploy pulling" wait_for 20 lock_held_by dev 1.0.2
docker_cli rmi -f "$IMAGE_REPOSITORY:1.0.2" >/dev/null 2>&1
sleep 0.5
kill -KILL "$REGISTRY_PID"; wait "$REGISTRY_PID" 2>/dev/null
wait "$BG"
check "registry killed mid-pull: 502" test "$(cat "$T/bg.status")" = 502
check "registry killed mid-pull: journal has error 502 in phase pull" journal_has_failure 502 pull
check "registry killed mid-pull: running container untouched" test "$(container_field $name '{{.Id}}')" = "$cid"
invariants "registry killed mid-pull"
run_registry

# 9. STATE_DIRECTORY read-only: refused before anything is touched.
mount --bind "$STATE" "$STATE" && mount -o remount,bind,ro "$STATE" || hard_error "cannot make a read-only bind mount"
deploy dev "$IMAGE_REPOSITORY:1.0.1"
ro_body=$BODY
umount "$STATE"
check "read-only state: 500 naming STATE_DIRECTORY" bash -c "[ $STATUS = 500 ] && jq -r .reason <<<'$ro_body' | grep -q 'STATE_DIRECTORY: .* is not writable'"
check "read-only state: journal has the failure" bash -c "journalctl -o json DREICHOR_REQUEST_ID=$(jq -r .request_id <<<"$ro_body") | grep -q STATE_DIRECTORY"
check "read-only state: running container untouched" test "$(container_field $name '{{.Id}}')" = "$cid"
invariants "read-only state"
next_deploy_works "read-only state" 1.0.1

finish
