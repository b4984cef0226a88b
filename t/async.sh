#!/bin/bash
# Deploys of any length through an edge that cuts a silent origin: the
# asynchronous answer (Prefer: respond-async, 202, GET /v1/deploys/<id>),
# idempotent retries, the lock holder's id, status during a deploy, a
# synchronous deploy cut at the edge that still completes, dreichorctl
# following a deploy through the edge, a client that goes away, a deploy
# killed (SIGKILL, SIGTERM) after its 202, and the pull's progress over a
# slow registry link. Every deploy takes at least STARTUP_GRACE_SECONDS.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
need_cmd jq

EDGE=$top_builddir/t/edge-proxy
[ -x "$EDGE" ] || hard_error "t/edge-proxy is not built (make check builds it)"
start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
make_image 2.0.0 "$RUNTIME_SCRIPT"
setup_env dev
set_agent_var dev STARTUP_GRACE_SECONDS 5
start_agent dev
name=dreichor-runtime-dev
CALL_ARGS=()

# start_edge PORT-VARIABLE ORIGIN-PORT ARGS...: the proxy on a free port, until it listens.
start_edge() {
	local var=$1 origin=$2 port; shift 2
	port=$(free_port)
	"$EDGE" "$port" "$origin" --lifetime 600 "$@" >"$T/edge-$port.log" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	wait_for 10 grep -q listening "$T/edge-$port.log" || hard_error "edge-proxy did not listen"
	eval "$var=$port"
}
# await_deploy ID: poll GET /v1/deploys/ID until it has ended (90 s at most).
await_deploy() {
	local i CALL_ARGS=() CALL_PORT=
	for i in $(seq 180); do
		call dev GET "/v1/deploys/$1"
		[ "$STATUS" = 200 ] && [ "$(jq -r .status <<<"$BODY")" != running ] && return 0
		sleep 0.5
	done
	log "deploy $1 did not end: $BODY"
	return 1
}
# deployed ID: it ended, deployed.
deployed() { await_deploy "$1" && json_is .status deployed; }
# await_phase ID PHASE: poll until the running deploy is in PHASE.
await_phase() {
	local i CALL_ARGS=() CALL_PORT=
	for i in $(seq 180); do
		call dev GET "/v1/deploys/$1"
		[ "$(jq -r .phase <<<"$BODY")" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}
history_count() { # history_count REQUEST-ID
	local CALL_ARGS=() CALL_PORT=
	call dev GET "/v1/deploys?limit=200"
	jq --arg id "$1" '[.deploys[] | select(.request_id == $id)] | length' <<<"$BODY"
}

# 1. The asynchronous answer.
CALL_ARGS=(-H 'Prefer: respond-async')
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "Prefer: respond-async: 202" status_is 202
id=$(jq -r .request_id <<<"$BODY")
check "... Location names the deploy" grep -qx "Location: /v1/deploys/$id" <<<"$HEADERS"
check "... Preference-Applied: respond-async" grep -qix "Preference-Applied: respond-async" <<<"$HEADERS"
check "... body: accepted, image, environment" json_is '[.status, .image, .environment] | @tsv' "accepted	$IMAGE_REPOSITORY:1.0.0	dev"
CALL_ARGS=()
call dev GET "/v1/deploys/$id"
check "GET /v1/deploys/<id> while it runs: running" json_is '[.status, .request_id] | @tsv' "running	$id"
check "... with its phase and the phases so far, each with its start" \
	json_is '[(.phase | length > 0), (.phases | length > 0), (.phases | all(has("phase") and has("at")))] | @tsv' "true	true	true"
call dev GET /v1/status
check "status shows the deploy in progress" \
	json_is '.deploy_in_progress | [.request_id, (.phase | length > 0), (.since | length > 0)] | @tsv' "$id	true	true"
deploy dev "$IMAGE_REPOSITORY:2.0.0"
check "another deploy meanwhile: 409" status_is 409
check "... naming the holder's request id" json_is .holder_request_id "$id"
call dev POST /v1/stop
check "a stop meanwhile: 409 naming the holder" json_is '[.holder_request_id, .phase] | @tsv' "$id	lock"
check "the deploy ends" await_deploy "$id"
check "... deployed, http_status 200" json_is '[.status, .http_status] | @tsv' "deployed	200"
check "... with the synchronous answer's members" \
	json_is '[has("container_id"), has("image_digest"), has("logs"), has("previous_digest"), .container_name] | @tsv' \
	"true	true	true	true	$name"
check "... and its whole phase timeline" json_is '[.phases[].phase] | index("grace") != null and index("record") != null' true
check "... the container runs" test "$(container_field $name '{{.State.Status}}')" = running
call dev GET /v1/status
check "status after it: no deploy in progress" json_is 'has("deploy_in_progress")' false
check "... one history entry for it" test "$(history_count "$id")" = 1
call dev GET /v1/deploys/0123456789abcdef0123456789abcdef
check "an unknown deploy id: 404" status_is 404
call dev GET /v1/deploys/not-a-request-id
check "a malformed deploy id: 400" status_is 400
call dev GET /v1/deploys/0123456789ABCDEF0123456789ABCDEF
check "an upper-case deploy id: 400" status_is 400

# 2. Idempotency-Key: a retry starts nothing.
key=retry-$RANDOM$RANDOM
CALL_ARGS=(-H 'Prefer: respond-async' -H "Idempotency-Key: $key")
deploy dev "$IMAGE_REPOSITORY:2.0.0"
check "a deploy with an Idempotency-Key: 202" status_is 202
first=$(jq -r .request_id <<<"$BODY")
deploy dev "$IMAGE_REPOSITORY:2.0.0"
check "the same key while it runs: 202 with the first request's id" json_is '[.status, .request_id] | @tsv' "accepted	$first"
check "... and its Location" grep -qx "Location: /v1/deploys/$first" <<<"$HEADERS"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "the same key with another body: 422" answer_is 422 "another body"
check "the keyed deploy ends" deployed "$first"
cid=$(container_field $name '{{.Id}}')
CALL_ARGS=(-H "Idempotency-Key: $key")
deploy dev "$IMAGE_REPOSITORY:2.0.0"
check "the same key after the end: the first answer, 200" json_is '[.status, .request_id] | @tsv' "deployed	$first"
check "... code 200" status_is 200
check "... started nothing: the same container" test "$(container_field $name '{{.Id}}')" = "$cid"
check "... and no second history entry" test "$(history_count "$first")" = 1
CALL_ARGS=(-H "Idempotency-Key: not a valid key!")
deploy dev "$IMAGE_REPOSITORY:2.0.0"
check "a malformed Idempotency-Key: 400" answer_is 400 "Idempotency-Key"
CALL_ARGS=(-H "Idempotency-Key: $(head -c 65 /dev/zero | tr '\0' k)")
deploy dev "$IMAGE_REPOSITORY:2.0.0"
check "an Idempotency-Key of 65 characters: 400" status_is 400
CALL_ARGS=()

# 3. An edge that answers 524 when the origin is silent for 2 s: a synchronous deploy is cut
# at the client, yet completes and is recorded once.
start_edge EDGE_PORT "$PORT_dev" --first-byte-timeout 2000
key=edge-$RANDOM$RANDOM
CALL_PORT=$EDGE_PORT
CALL_ARGS=(-H "Idempotency-Key: $key")
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "a synchronous deploy longer than the edge allows: 524 at the client" status_is 524
CALL_PORT=
cut_id=$(tr -d '\0' <"$T/dev/state/deploy.lock" | sed -n 's/^request_id=//p')
check "... it goes on: it holds the lock" test -n "$cut_id"
check "... and ends, deployed" deployed "$cut_id"
CALL_ARGS=(-H "Idempotency-Key: $key")
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "... the retry with its key learns the outcome: 200, same request" json_is '[.status, .request_id] | @tsv' "deployed	$cut_id"
CALL_ARGS=()
check "... recorded once" test "$(history_count "$cut_id")" = 1
check "... exactly one container" test "$(container_count $name)" = 1

# 4. dreichorctl follows a deploy of any length through the same edge.
OUT=$(DREICHOR_URL=http://127.0.0.1:$EDGE_PORT CF_ACCESS_CLIENT_ID=$CLIENT_ID CF_ACCESS_CLIENT_SECRET=$CLIENT_SECRET \
	"$top_builddir/dreichorctl" deploy "$IMAGE_REPOSITORY:2.0.0" 2>&1); RC=$?
log "dreichorctl through the edge: $OUT"
check "dreichorctl deploy through the edge: exit 0" test "$RC" = 0
check "... printed each phase as it began" bash -c 'grep -q "s\] pull" <<<"$1" && grep -q "s\] grace" <<<"$1"' _ "$OUT"
check "... and the outcome" grep -q "^deployed $IMAGE_REPOSITORY:2.0.0" <<<"$OUT"
OUT=$(DREICHOR_URL=http://127.0.0.1:$EDGE_PORT CF_ACCESS_CLIENT_ID=$CLIENT_ID CF_ACCESS_CLIENT_SECRET=$CLIENT_SECRET \
	"$top_builddir/dreichorctl" deploy "$IMAGE_REPOSITORY:9.9.9" 2>&1); RC=$?
check "dreichorctl deploy of an unknown tag: exit 1 with the agent's reason" \
	bash -c '[ "$1" = 1 ] && grep -q "manifest unknown" <<<"$2"' _ "$RC" "$OUT"

# send_and_leave SECONDS KEY BODY: the whole request is written, then the client closes its end
# SECONDS later without reading (a timed-out curl could go before its request was sent).
send_and_leave() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT_dev" || hard_error "cannot connect to the agent"
	printf 'POST /v1/deploy HTTP/1.1\r\nHost: 127.0.0.1\r\nCf-Access-Client-Id: %s\r\nCf-Access-Client-Secret: %s\r\nContent-Type: application/json\r\nIdempotency-Key: %s\r\nContent-Length: %d\r\n\r\n%s' \
		"$CLIENT_ID" "$CLIENT_SECRET" "$2" "${#3}" "$3" >&"$fd"
	sleep "$1"
	exec {fd}>&-
}

# 5. A synchronous client that goes away at different points (the pull and the lock, the old
# container's stop, the new one's start, the grace period): the deploy finishes every time.
tag=1.0.0
for after in 0.3 1.2 2.5 4.5; do
	key=gone-$RANDOM$RANDOM
	send_and_leave "$after" "$key" "{\"image\": \"$IMAGE_REPOSITORY:$tag\"}"
	# The key names the deploy once it holds the lock.
	wait_for 20 test -s "$T/dev/state/idempotency/key-$key" || hard_error "no deploy took the key $key"
	gone_id=$(cut -d' ' -f1 "$T/dev/state/idempotency/key-$key")
	check "a client gone after $after s: the deploy ends, deployed" deployed "$gone_id"
	check "... one container, one history entry, the image it asked for" \
		bash -c '[ "$1/$2/$3" = "1/1/$4" ]' _ "$(container_count $name)" "$(history_count "$gone_id")" \
		"$(container_field $name '{{index .Config.Labels "dreichor.image"}}')" "$IMAGE_REPOSITORY:$tag"
	[ "$tag" = 1.0.0 ] && tag=2.0.0 || tag=1.0.0
done

# async_deploy TAG: an asynchronous deploy of TAG; its request id in ASYNC_ID.
async_deploy() {
	local CALL_ARGS=(-H 'Prefer: respond-async')
	deploy dev "$IMAGE_REPOSITORY:$1"
	ASYNC_ID=$(jq -r .request_id <<<"$BODY")
}

# 6. Killed after its 202 (SIGKILL): never left running.
async_deploy 2.0.0
killed=$ASYNC_ID
check "a deploy to kill reaches its grace period" await_phase "$killed" grace
kill -KILL "$(lock_holder_pid dev)"
# Its lock goes when the kernel has closed its files: poll, however busy the machine.
check "killed (SIGKILL) after its 202: read as interrupted, not running" await_deploy "$killed"
check "... with its phase and the 500 it stands for" \
	json_is '[.status, .http_status, .interrupted, .phase] | @tsv' "error	500	true	grace"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "... the lock is free: the next deploy succeeds" status_is 200
check "... and recorded the killed one in the history" bash -c '[ "$1" = 1 ]' _ "$(history_count "$killed")"
call dev GET "/v1/deploys?limit=200"
check "... as an error in phase grace" json_is "[.deploys[] | select(.request_id == \"$killed\") | .result, .phase] | @tsv" "error	grace"

# 7. SIGTERM (systemctl stop, RuntimeMaxSec): recorded as interrupted by the process itself.
async_deploy 2.0.0
termed=$ASYNC_ID
check "a deploy to stop reaches its grace period" await_phase "$termed" grace
kill -TERM "$(lock_holder_pid dev)"
check "SIGTERM after its 202: the deploy ends" await_deploy "$termed"
check "... as an error in phase grace, saying it was interrupted" \
	bash -c 'jq -e ".status == \"error\" and .phase == \"grace\" and (.reason | contains(\"interrupted (SIGTERM)\"))" <<<"$1" >/dev/null' _ "$BODY"
check "... one history entry" test "$(history_count "$termed")" = 1

# 8. The pull's progress over a slow registry link (4 MB/s) for an image of 24 MiB of random data.
start_edge SLOW_PORT "$REGISTRY_PORT" --rate 4000000
busybox_rootfs
mkdir -p "$T/big" && cp -a "$T/rootfs/." "$T/big/" && head -c $((24 * 1024 * 1024)) /dev/urandom >"$T/big/blob"
tar -C "$T/big" -cf "$T/big.tar" .
slow_repo=127.0.0.1:$SLOW_PORT/$REPO_PATH
docker_cli import -c "CMD [\"/bin/sh\", \"-c\", \"exec sleep 3600\"]" "$T/big.tar" "$slow_repo:3.0.0" >/dev/null &&
	docker_cli push "$slow_repo:3.0.0" >/dev/null 2>&1 && docker_cli rmi "$slow_repo:3.0.0" >/dev/null 2>&1 ||
	hard_error "cannot push the large image"
stop_agent dev
set_agent_var dev IMAGE_REPOSITORY "$slow_repo"
set_agent_var dev STARTUP_GRACE_SECONDS 1
start_agent dev
CALL_ARGS=(-H 'Prefer: respond-async')
deploy dev "$slow_repo:3.0.0"
slow=$(jq -r .request_id <<<"$BODY")
CALL_ARGS=()
seen=""
for i in $(seq 150); do
	call dev GET "/v1/deploys/$slow"
	p=$(jq -r 'select(.progress) | "\(.progress.current_bytes) \(.progress.total_bytes)"' <<<"$BODY")
	[ -n "$p" ] && seen="$seen|$p"
	[ "$(jq -r .status <<<"$BODY")" != running ] && break
	sleep 0.2
done
log "progress seen: $seen"
check "the pull's progress is reported while it runs" bash -c '[ -n "$1" ]' _ "$seen"
check "... in bytes, below the total and growing" bash -c 'tr "|" "\n" <<<"$1" | awk "NF == 2 && \$1 > 0 && \$1 < \$2 {n++; if (\$1 > last) up++; last = \$1} END {exit !(n >= 2 && up >= 2)}"' _ "$seen"
check "... the total is the image's size" bash -c 'tr "|" "\n" <<<"$1" | awk "NF == 2 {t = \$2} END {exit !(t > 24000000)}"' _ "$seen"
check "the slow deploy ends, deployed" deployed "$slow"
finish
