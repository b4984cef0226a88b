#!/bin/bash
# A tag's digest, asked of dreichor-registry when the units' registry socket
# is set (DREICHOR_REGISTRY_SOCKET): one HEAD of the manifest by the helper,
# none of the engine's lookups (judged by the registry's own access log,
# which names each client), then the engine pulls exactly that digest. A tag
# re-pushed is still refused (409) with the container untouched. Whenever
# the helper gives no digest (a tag the registry lacks, a helper that
# refuses the question, nothing on the socket) the engine is asked, and the
# answers are the ones given without the helper. A registry whose digest
# header names a manifest it cannot serve (t/registry-liar.py) gets the
# engine's answer, not a refusal resting on the header; a slow one, the
# engine's lookup once the helper gives way, and a SIGTERM during that
# wait ends the deploy at once.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
need_cmd systemd-socket-activate

start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
setup_env dev
name=dreichor-runtime-dev
# dreichor-registry --listen, as dreichor-registry-dev.service runs it: the .env read per question.
cp "$T/dev/agent.env" "$T/registry.env"
DREICHOR_REGISTRY_CONFIG=$T/registry.env DREICHOR_REGISTRY_IDLE_SECONDS=0 \
	systemd-socket-activate -l "$T/registry.sock" -E DREICHOR_REGISTRY_CONFIG -E DREICHOR_REGISTRY_IDLE_SECONDS \
	$VALGRIND_WRAP "$top_builddir/dreichor-registry" --listen >"$T/registry-listen.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_for 10 grep -q '^Listening on' "$T/registry-listen.log" || hard_error "the registry helper did not listen"
set_agent_var dev DREICHOR_REGISTRY_SOCKET "$T/registry.sock"
start_agent dev

# lookups CLIENT REFERENCE: requests for manifests/REFERENCE in the registry's access log whose
# user agent starts with CLIENT ("dreichor-registry/" or "docker/").
lookups() { grep -c "/manifests/$2 HTTP/1\.1\" [0-9]* [0-9]* \"[^\"]*\" \"$1" "$REGISTRY_DIR/registry.log"; }
# deploy_counting REFERENCE TAG: deploy it; HELPER and ENGINE: how many lookups of TAG each made.
deploy_counting() {
	local h0 e0
	h0=$(lookups dreichor-registry/ "$2")
	e0=$(lookups docker/ "$2")
	deploy dev "$IMAGE_REPOSITORY:$1"
	HELPER=$(( $(lookups dreichor-registry/ "$2") - h0 ))
	ENGINE=$(( $(lookups docker/ "$2") - e0 ))
	log "deploy $1: $STATUS; lookups of $2 by the helper $HELPER, by the engine $ENGINE"
}

deploy_counting 1.0.0 1.0.0
check "first deploy through the helper's lookup: 200" status_is 200
check "... the helper asked the registry once" test "$HELPER" = 1
check "... the engine did not look the tag up" test "$ENGINE" = 0
check "... the digest deployed is the registry's" json_is .image_digest "$(registry_digest 1.0.0)"
check "... and pinned" test "$(cat "$T/dev/state/pins/1.0.0")" = "$(registry_digest 1.0.0)"

make_image 1.0.1 "$RUNTIME_SCRIPT"
digest_101=$(registry_digest 1.0.1)
docker_cli rmi "$IMAGE_REPOSITORY:1.0.1" >/dev/null 2>&1
pulls0=$(lookups docker/ "$digest_101")
deploy_counting 1.0.1 1.0.1
check "a new tag: 200, looked up by the helper alone" test "$STATUS/$HELPER/$ENGINE" = 200/1/0
check "... the engine pulled exactly that digest" test "$(( $(lookups docker/ "$digest_101") - pulls0 ))" -ge 1
check "... and runs it" test "$(container_field $name '{{index .Config.Labels "dreichor.image-digest"}}')" = "$digest_101"
cid=$(container_field $name '{{.Id}}')

make_image 1.0.0 'echo tampered; exec sleep 3600'
deploy_counting 1.0.0 1.0.0
check "a tag re-pushed with other content, with the helper's lookup: 409" answer_is 409 "tag 1.0.0 now resolves to $(registry_digest 1.0.0)"
check "... confirmed by the engine's lookup before the refusal" test "$HELPER" = 1 -a "$ENGINE" -ge 1
check "... the running container untouched" test "$(container_field $name '{{.Id}}')" = "$cid"

h0=$(lookups dreichor-registry/ 1.0.1)
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.0.1\"}"
check "plan through the helper's lookup: planned" json_is .status planned
check "... the helper asked" test "$(( $(lookups dreichor-registry/ 1.0.1) - h0 ))" = 1

# No digest from the helper: the engine is asked, and answers as it does without the helper.
deploy_counting 9.9.9 9.9.9
check "a tag the registry lacks, with the helper's lookup: 502" answer_is 502 "the tag does not exist there"
check "... the helper asked (404), then the engine" test "$HELPER" = 1 -a "$ENGINE" -ge 1
check "... the container runs on" test "$(container_field $name '{{.Id}}')" = "$cid"

sed -i "s|^IMAGE_REPOSITORY=.*|IMAGE_REPOSITORY=127.0.0.1:1/elsewhere|" "$T/registry.env"
deploy_counting 1.0.1 1.0.1
check "a helper that refuses the question: the engine looks the tag up, 200" test "$STATUS/$HELPER" = 200/0 -a "$ENGINE" -ge 1
cp "$T/dev/agent.env" "$T/registry.env"

stop_agent dev
set_agent_var dev DREICHOR_REGISTRY_SOCKET "$T/nothing-here.sock"
start_agent dev
deploy_counting 1.0.1 1.0.1
check "nothing listening on the registry socket: the engine looks the tag up, 200" test "$STATUS/$HELPER" = 200/0 -a "$ENGINE" -ge 1

# --- A stand-in in front of the registry: a digest header naming a manifest it does not have, then
# slow answers. The same deploy without the helper and with it must end alike.
cid=$(container_field $name '{{.Id}}')
liar_port=$(free_port)
echo bogus >"$T/liar-mode"
python3 "$top_srcdir/t/registry-liar.py" "$liar_port" "$REGISTRY_PORT" "$T/liar-mode" >"$T/liar.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_for 10 grep -q listening "$T/liar.log" || hard_error "the registry stand-in did not listen"
liar_repo=127.0.0.1:$liar_port/$REPO_PATH
with_registry() { # with_registry REPOSITORY SOCKET|-: the agent's (and the helper's) IMAGE_REPOSITORY and socket
	stop_agent dev
	set_agent_var dev IMAGE_REPOSITORY "$1"
	set_agent_var dev DREICHOR_REGISTRY_SOCKET "$2"
	cp "$T/dev/agent.env" "$T/registry.env"
	start_agent dev
}
with_registry "$liar_repo" -
deploy dev "$liar_repo:1.0.1"
without_helper="$STATUS $(jq -r .reason <<<"$BODY")"
log "without the helper: $without_helper"
with_registry "$liar_repo" "$T/registry.sock"
deploy dev "$liar_repo:1.0.1"
check "a digest header naming a manifest the registry lacks, through the helper: the engine's answer" \
	test "$STATUS $(jq -r .reason <<<"$BODY")" = "$without_helper"
check "a digest header naming a manifest the registry lacks, with the helper's lookup: 502" status_is 502
check "... the container runs on" test "$(container_field $name '{{.Id}}')" = "$cid"
echo "slow 5" >"$T/liar-mode"
deploy dev "$liar_repo:1.0.1"
check "a registry that takes 5 s per tag lookup: the helper gives way after 3 s, the engine's lookup deploys, 200" \
	status_is 200
check "... the digest pinned for the tag" json_is .image_digest "$digest_101"
cid=$(container_field $name '{{.Id}}')
echo "slow 8" >"$T/liar-mode"
( deploy dev "$liar_repo:1.0.1"; printf '%s\t%s\n' "$STATUS" "$(jq -r .reason <<<"$BODY")" >"$T/interrupted" ) &
deployer=$!
wait_for 10 pgrep -x dreichor-deploy >/dev/null || hard_error "the deploy did not start"
sleep 0.5
t0=$(date +%s%N)
kill -TERM "$(pgrep -x dreichor-deploy | head -1)"
wait "$deployer"
took=$(( ($(date +%s%N) - t0) / 1000000 ))
log "answered $took ms after SIGTERM: $(cat "$T/interrupted")"
check "SIGTERM while the helper looks a slow registry up: 500" grep -q "^500	the deploy was interrupted (SIGTERM) in phase pull" "$T/interrupted"
check "... at once, not when the lookup gives up at 3 s (within 1 s)" test "$took" -lt 1000
check "... the container runs on" test "$(container_field $name '{{.Id}}')" = "$cid"

finish
