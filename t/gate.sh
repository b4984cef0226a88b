#!/bin/bash
# The Docker gate alone, in front of a real dockerd: dev's gate lets dev's
# agent calls through (every other scenario already runs through a gate)
# and refuses, with a Docker-style 403 and an audit entry, everything that
# would reach beyond dev: prod's container by name and by id, a privileged
# create, an extra bind, a bind of prod's path, another repository, an
# exec, unfiltered lists, /system/df, each path trick, a body over the
# limit, a slow head. The wire: several requests on one connection, a
# chunked request body, a streamed answer that arrives as it is made.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

need_cmd python3
start_journald
start_dockerd
start_registry
make_image 1.0.0 "echo image 1.0.0; $RUNTIME_SCRIPT"
setup_env dev
setup_env prod
start_agent prod
deploy prod "$IMAGE_REPOSITORY:1.0.0"
check "prod runs through its own gate" status_is 200
PROD_ID=$(docker_cli inspect -f '{{.Id}}' dreichor-runtime-prod)
start_gate dev
G=$T/dev/gate.sock

# gate METHOD PATH [CURL-ARGS...]: one request to dev's gate; sets STATUS and BODY.
gate() {
	local method=$1 path=$2
	shift 2
	STATUS=$(curl -s -o "$T/gate-body" -w '%{http_code}' --unix-socket "$G" -X "$method" "$@" "http://docker$path")
	BODY=$(cat "$T/gate-body" 2>/dev/null)
}
refused() { # refused WHAT: the last answer was the gate's 403 naming WHAT
	[ "$STATUS" = 403 ] && jq -e --arg w "$1" '.message | startswith("refused by the dev Docker gate") and contains($w)' \
		<<<"$BODY" >/dev/null || { log "expected the gate's 403 naming '$1', got $STATUS: $BODY"; return 1; }
}
enc() { jq -rn --arg s "$1" '$s | @uri'; }

V=/v1.41
BINDS=$(jq -cn --arg a "$T/dev/volumes/audit-events:/var/lib/dreichor/audit-events" \
	--arg s "$T/dev/volumes/snapshots:/var/lib/dreichor/snapshots" '[$a, $s]')
DIGEST=$(registry_digest 1.0.0)
# Dev's runtime variables as the agent passes them: the gate checks them by the runtime env's rules.
ENV_ITEMS=$( (grep -E '^[A-Z_]+=' "$T/dev/runtime.env"; echo ENVIRONMENT=dev) | jq -R . | jq -cs .)
create_body() { # create_body JQ-EDIT: dev's create body, edited
	jq -cn --arg img "$IMAGE_REPOSITORY@$DIGEST" --argjson binds "$BINDS" --argjson env "$ENV_ITEMS" \
		'{Image: $img, Env: $env, Labels: {}, HostConfig: {Binds: $binds, RestartPolicy: {Name: "unless-stopped"}, NetworkMode: "none"}}' |
		jq -c "$1"
}

# --- What dev's agent does, through the gate.
gate GET "$V/_ping"
check "ping: 200 OK" test "$STATUS/$BODY" = "200/OK"
gate POST "$V/images/create?fromImage=$(enc "$IMAGE_REPOSITORY")&tag=1.0.0"
check "pull of dev's repository: 200 with the engine's progress" bash -c '[ "$1" = 200 ] && grep -q "Status" <<<"$2"' _ "$STATUS" "$BODY"
gate POST "$V/containers/create?name=dreichor-runtime-dev" -H 'Content-Type: application/json' -d "$(create_body .)"
check "create of dev's container with dev's binds: 201" test "$STATUS" = 201
gate GET "$V/containers/dreichor-runtime-dev/json"
check "inspect dev's container by name: 200" test "$STATUS" = 200
gate DELETE "$V/containers/dreichor-runtime-dev?force=true"
check "remove dev's container: 204" test "$STATUS" = 204
gate GET "$V/containers/json?all=1&filters=$(enc "{\"ancestor\":[\"$(docker_cli inspect -f '{{.Image}}' dreichor-runtime-prod)\"]}")"
check "container list by ancestor: 200, image ids only" \
	bash -c '[ "$1" = 200 ] && jq -e "length == 1 and (.[0] | keys) == [\"ImageID\"]" <<<"$2" >/dev/null' _ "$STATUS" "$BODY"
gate GET "$V/info"
check "info: only the data root" bash -c 'jq -e "keys == [\"DockerRootDir\"]" <<<"$1" >/dev/null' _ "$BODY"

# --- Refusals: beyond dev's container.
gate GET "$V/containers/dreichor-runtime-prod/json"
check "prod's container by name: 403" refused "only the container dreichor-runtime-dev"
gate GET "$V/containers/$PROD_ID/json"
check "prod's container by id: 403" refused "only the container dreichor-runtime-dev"
gate GET "$V/containers/${PROD_ID:0:12}/json"
check "prod's container by short id: 403" refused "by that name"
gate POST "$V/containers/dreichor-runtime-prod/stop?t=1"
check "stop prod's container: 403" refused "only the container"
gate POST "$V/containers/create?name=dreichor-runtime-prod" -H 'Content-Type: application/json' -d "$(create_body .)"
check "create under prod's name: 403" refused "only as dreichor-runtime-dev"
gate POST "$V/containers/dreichor-runtime-dev/exec" -H 'Content-Type: application/json' -d '{"Cmd":["sh"]}'
check "an exec: 403" refused "exec on the container is not a call this gate passes"
check "... prod's container still runs" test "$(docker_cli inspect -f '{{.State.Running}}' dreichor-runtime-prod)" = true

# --- Refusals: the create body.
gate POST "$V/containers/create?name=dreichor-runtime-dev" -H 'Content-Type: application/json' -d "$(create_body '.HostConfig.Privileged = true')"
check "a privileged create: 403" refused "HostConfig.Privileged is not allowed"
gate POST "$V/containers/create?name=dreichor-runtime-dev" -H 'Content-Type: application/json' -d "$(create_body '.HostConfig.Binds += ["/:/host"]')"
check "an extra bind: 403" refused "exactly this environment's two binds"
gate POST "$V/containers/create?name=dreichor-runtime-dev" -H 'Content-Type: application/json' \
	-d "$(create_body ".HostConfig.Binds[1] = \"$T/prod/volumes/snapshots:/var/lib/dreichor/snapshots\"")"
check "a bind of prod's path: 403" refused "exactly this environment's two binds"
gate POST "$V/containers/create?name=dreichor-runtime-dev" -H 'Content-Type: application/json' -d "$(create_body '.Image = "busybox:latest"')"
check "another image: 403" refused "Image is not allowed"
gate POST "$V/containers/create?name=dreichor-runtime-dev" -H 'Content-Type: application/json' -d "$(create_body '.HostConfig.CapAdd = ["ALL"]')"
check "CapAdd: 403" refused "HostConfig.CapAdd"
check "... no container was made" test "$(container_count dreichor-runtime-dev)" = 0

# --- The engine reads what the gate checked: five requests a Go engine read differently from
# the gate of before (docs/architecture.md, the Docker gate). Each is judged by what the engine did.
gate_create() { # gate_create BODY [CURL-ARGS...]: a create of dev's container with BODY
	local body=$1
	shift
	gate POST "$V/containers/create?name=dreichor-runtime-dev" -H 'Content-Type: application/json' "$@" --data-binary "$body"
}
engine_has_no_dev_container() {
	[ "$(container_count dreichor-runtime-dev)" = 0 ] ||
		{ log "the engine has: $(docker_cli inspect dreichor-runtime-dev | jq -c '.[0].HostConfig')"; return 1; }
}
ALLOWED_HOST=$(jq -cn --argjson binds "$BINDS" '{Binds: $binds, RestartPolicy: {Name: "unless-stopped"}, NetworkMode: "none"}')
# 1. A name with an escaped NUL: json-c cut it and kept the last HostConfig; Go ignores it and used the first.
gate_create "{\"Image\":\"$IMAGE_REPOSITORY@$DIGEST\",\"HostConfig\":{\"Binds\":[\"/:/host\"],\"NetworkMode\":\"none\"},\"HostConfig\\u0000\":$ALLOWED_HOST}"
check "probe 1, a name with an escaped NUL: 403" refused "escape"
check "... the engine made no container" engine_has_no_dev_container
# 2. A second HostConfig spelled with an escape: Go merged both into one.
gate_create "{\"Image\":\"$IMAGE_REPOSITORY@$DIGEST\",\"HostConfig\":$ALLOWED_HOST,\"HostConfi\\u0067\":{\"Privileged\":true,\"PidMode\":\"host\",\"CapAdd\":[\"ALL\"],\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/host\"}]}}"
check "probe 2, a duplicate name spelled with an escape: 403" refused "escape"
check "... the engine made no container" engine_has_no_dev_container
gate_create "{\"Image\":\"$IMAGE_REPOSITORY@$DIGEST\",\"HostConfig\":$ALLOWED_HOST,\"hostconfig\":{\"Privileged\":true}}"
check "... the same name in another case: 403" refused "appears twice"
check "... the engine made no container" engine_has_no_dev_container
# 3. A start with a body under API 1.23: engines before 25 applied it as the HostConfig.
gate_create "$(create_body .)"
check "dev's container created through the gate: 201" test "$STATUS" = 201
gate POST "/v1.23/containers/dreichor-runtime-dev/start" -H 'Content-Type: application/json' -d '{"Binds":["/:/host"],"Privileged":true}'
check "probe 3, a start with a body under API 1.23: 403" refused "below 1.24"
gate POST "/v1.24/containers/dreichor-runtime-dev/start" -H 'Content-Type: application/json' -d '{"Binds":["/:/host"]}'
check "... and under 1.24: 403" refused "only a create carries a body"
gate POST "/containers/dreichor-runtime-dev/start"
check "... and a start naming no version: 403" refused "API version"
never_started_with_its_binds() {
	[ "$(docker_cli inspect -f '{{.State.StartedAt}}' dreichor-runtime-dev)" = 0001-01-01T00:00:00Z ] &&
		docker_cli inspect dreichor-runtime-dev |
		jq_holds --argjson b "$BINDS" '.[0].HostConfig.Binds == $b and .[0].HostConfig.Privileged == false'
}
check "... the engine never started it, and it kept its two binds" never_started_with_its_binds
gate DELETE "$V/containers/dreichor-runtime-dev?force=true"
# 4. A form body on a pull: Go read its values before the checked query's.
docker_cli import "$T/rootfs.tar" "$REGISTRY/other/image:1" >/dev/null && docker_cli push "$REGISTRY/other/image:1" >/dev/null 2>&1 &&
	docker_cli rmi "$REGISTRY/other/image:1" >/dev/null 2>&1 || hard_error "could not push another repository's image"
FETCH_PORT=$(free_port)
socat -u "TCP-LISTEN:$FETCH_PORT,bind=127.0.0.1,reuseaddr,fork" "OPEN:$T/fetched,creat,append" &
BG_PIDS="$BG_PIDS $!"
wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$FETCH_PORT" 2>/dev/null
: >"$T/fetched"
gate POST "$V/images/create?fromImage=$(enc "$IMAGE_REPOSITORY")&tag=1.0.0" \
	-H 'Content-Type: application/x-www-form-urlencoded' --data-binary "fromImage=$REGISTRY/other/image&tag=1"
check "probe 4, a pull with a form body naming another repository: 403" refused "only a create carries a body"
gate POST "$V/images/create?fromImage=$(enc "$IMAGE_REPOSITORY")&tag=1.0.0" \
	-H 'Content-Type: application/x-www-form-urlencoded' --data-binary "fromImage=&fromSrc=http://127.0.0.1:$FETCH_PORT/x&repo=$(enc "$IMAGE_REPOSITORY")"
check "... and one with fromSrc, a URL for the engine to fetch: 403" refused "only a create carries a body"
gate POST "$V/images/create?fromImage=$(enc "$IMAGE_REPOSITORY")&tag=1.0.0&fromSrc=$(enc "http://127.0.0.1:$FETCH_PORT/y")"
check "... and fromSrc in the query: 403" refused "fromSrc"
gate POST "$V/images/create?fromImage=$(enc "$IMAGE_REPOSITORY")&tag=1.0.0" -H 'Content-Type: application/x-www-form-urlencoded'
check "... and a form Content-Type with no body: 403" refused "only a create carries a body"
sleep 1
no_other_repository() { ! docker_cli image ls --format '{{.Repository}}' | grep -q other/image; }
check "... the engine pulled no other repository" no_other_repository
check "... and fetched nothing (the listener saw no connection)" test ! -s "$T/fetched"
# 5. An events filter with an escaped NUL name: the engine saw no filter, and prod's events reached dev.
since=$(($(date +%s) - 3600))
gate GET "$V/events?since=$since&until=$(date +%s)&filters=$(enc '{"container\u0000":["dreichor-runtime-dev"]}')"
check "probe 5, an events filter with an escaped NUL name: 403" refused "escape"
check "... no event of prod's container reached dev" bash -c '! grep -q dreichor-runtime-prod <<<"$1"' _ "$BODY"
gate GET "$V/events?since=$since&until=$(date +%s)&filters=$(enc '{"container":["dreichor-runtime-dev"],"Container":["dreichor-runtime-prod"]}')"
check "... a filter name twice in two cases: 403" refused "appears twice"
gate GET "$V/events?since=$since&until=$(date +%s)&filters=$(enc '{"container" : ["dreichor-runtime-dev"]}')"
check "... dev's own filter, written anew: 200, and no event of prod's" \
	bash -c '[ "$1" = 200 ] && grep -q dreichor-runtime-dev <<<"$2" && ! grep -q dreichor-runtime-prod <<<"$2"' _ "$STATUS" "$BODY"

# --- Defence in depth: what the engine made is compared with what was checked.
# A privileged container made behind the gate's back (as a differential would): a start through
# the gate inspects it first, removes it and refuses; it never runs.
before=$(date +%s)
docker_cli create --name dreichor-runtime-dev --privileged --network none "$IMAGE_REPOSITORY@$DIGEST" >/dev/null
gate POST "$V/containers/dreichor-runtime-dev/start"
check "a start of a privileged container: 403 naming the difference" refused "HostConfig.Privileged"
never_ran_and_gone() {
	engine_has_no_dev_container && ! docker_cli events --since "$before" --until "$(date +%s)" \
		--filter container=dreichor-runtime-dev --filter event=start | grep -q .
}
check "... the engine never started it, and it is gone" never_ran_and_gone
# A proxy that adds a privilege to every create, as an engine that read the body differently
# would: the gate sees it in its inspect, removes the container and refuses.
python3 "$top_srcdir/t/tamper-proxy.py" "$T/tamper.sock" "$DOCKER_SOCK" >"$T/tamper.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_for 10 grep -q listening "$T/tamper.log"
DOCKER_SOCK_ENGINE=$DOCKER_SOCK
DOCKER_SOCK=$T/tamper.sock start_gate dev
DOCKER_SOCK=$DOCKER_SOCK_ENGINE
gate_create "$(create_body .)"
check "a create the engine made privileged (a tampering proxy): 403 naming the difference" \
	refused "differs from what was checked (HostConfig.Privileged)"
check "... the container it made is gone" engine_has_no_dev_container
check "... the refusal is audited" wait_for 10 bash -c \
	'journalctl -o json DREICHOR_ACTION=docker-gate DREICHOR_HTTP_STATUS=403 | grep -q "differs from what was checked"'
start_gate dev

# --- The runtime's variables, by the rules the agent applies: a compromised agent gets no other plane.
gate_create "$(create_body '.Env |= map(if startswith("EXECUTION_PLANE=") then "EXECUTION_PLANE=live" else . end)')"
check "a create with EXECUTION_PLANE=live: 403 naming it" refused "EXECUTION_PLANE"
gate_create "$(create_body '.Env |= map(select(startswith("ENVIRONMENT=") | not))')"
check "a create without ENVIRONMENT: 403" refused "ENVIRONMENT"
check "... the engine made no container" engine_has_no_dev_container
# --- The engine's container filter passes every name that begins with dev's: the gate keeps dev's own.
docker_cli create --name dreichor-runtime-dev-other --label secret=of-another "$IMAGE_REPOSITORY@$DIGEST" >/dev/null
docker_cli rm dreichor-runtime-dev-other >/dev/null
gate GET "$V/events?since=$since&until=$(date +%s)&filters=$(enc '{"container":["dreichor-runtime-dev"]}')"
check "events of a container whose name begins with dev's do not pass" \
	bash -c '[ "$1" = 200 ] && grep -q "\"name\":\"dreichor-runtime-dev\"" <<<"$2" && ! grep -q "of-another" <<<"$2"' _ "$STATUS" "$BODY"

# --- Refusals: other repositories and unfiltered lists.
gate POST "$V/images/create?fromImage=busybox&tag=latest"
check "a pull of another repository: 403" refused "a pull must be of"
gate GET "$V/images/busybox-rootfs/json"
check "inspect of another repository's image: 403" refused "only images of"
gate DELETE "$V/images/$(enc "$IMAGE_REPOSITORY@$DIGEST")?force=true"
check "an image removal with force: 403" refused "never removed with force"
gate GET "$V/containers/json"
check "/containers/json unfiltered: 403" refused "filters: required here"
gate GET "$V/images/json"
check "/images/json unfiltered: 403" refused "filters: required here"
gate GET "$V/system/df"
check "/system/df: 403" refused "GET /system/df is not a call this gate passes"
gate GET "$V/events"
check "events unfiltered: 403" refused "filters: required here"

# --- Path tricks: each normalisation rule, never after the check.
gate GET "$V/containers/dreichor-runtime-dev/../dreichor-runtime-prod/json" --path-as-is
check "a .. segment: 403" refused ". or .. segment"
gate GET "$V/containers/dreichor-runtime-dev/%2e%2e/dreichor-runtime-prod/json" --path-as-is
check "an encoded .. segment: 403" refused ". or .. segment"
gate GET "$V//containers/dreichor-runtime-prod/json" --path-as-is
check "a double slash: 403" refused "empty segment"
gate GET "$V/containers/dreichor-runtime-dev%2F..%2Fdreichor-runtime-prod/json"
check "an encoded slash and ..: 403" refused ". or .. segment"
gate GET "$V/containers/dreichor-runtime-d%65v%00/json"
check "an encoded NUL: 403" refused "percent-escape"
gate GET "$V/containers/create?name=dreichor-runtime-dev&name=dreichor-runtime-prod"
check "a parameter twice: 403" refused "twice"
gate GET "$V/containers/dreichor%2Druntime%2Dprod/json"
check "prod's name percent-encoded: 403" refused "only the container"
gate GET "/v1.41/containers/dreichor-runtime-dev/json?size=false&detachKeys=x"
check "an unknown parameter: 403" refused "detachKeys"

# --- Limits: a body over 64 KiB, a slow head.
head -c 70000 /dev/zero | tr '\0' a >"$T/big"
gate POST "$V/containers/create?name=dreichor-runtime-dev" -H 'Content-Type: application/json' --data-binary @"$T/big"
check "a body over the limit: 413" test "$STATUS" = 413
python3 - "$G" >"$T/slow" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"GET /v1.41/_ping HTTP/1.1\r\nHost: d\r\n")
time.sleep(7)
try:
    s.sendall(b"\r\n"); print(s.recv(4096).decode(errors="replace").split("\r\n")[0])
except OSError as e:
    print("closed", e)
EOF
check "a head not finished within 5 s: 408 or closed" grep -qE '408|closed|^$' "$T/slow"

# --- The audit trail names each refusal.
check "audit: the gate's refusals are journal entries" \
	wait_for 10 bash -c 'journalctl -o json DREICHOR_ACTION=docker-gate DREICHOR_HTTP_STATUS=403 | grep -q "dreichor-runtime-prod"'

# --- The wire: keep-alive, chunked request bodies, streamed answers.
N=$(curl -s -v --unix-socket "$G" "http://docker$V/_ping" "http://docker$V/version" "http://docker$V/containers/dreichor-runtime-prod/json" \
	"http://docker$V/_ping" -o /dev/null -o /dev/null -o /dev/null -o /dev/null 2>&1 | grep -c 'Re-using existing connection')
check "four requests on one connection (a refusal among them)" test "$N" = 3
create_body . >"$T/create.json"
gate POST "$V/containers/create?name=dreichor-runtime-dev" -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
	--data-binary @"$T/create.json"
check "a chunked create body: 201" test "$STATUS" = 201
gate POST "$V/containers/dreichor-runtime-dev/start"
check "start: 204" test "$STATUS" = 204
# The events stream: the stop's die event arrives while the request is still open.
( curl -sN --unix-socket "$G" "http://docker$V/events?filters=$(enc '{"container":["dreichor-runtime-dev"],"event":["die"]}')" >"$T/events" & echo $! >"$T/events.pid"; wait ) &
sleep 1
gate POST "$V/containers/dreichor-runtime-dev/stop?t=1"
check "stop dev's container: 204" test "$STATUS" = 204
check "the die event streamed through before the stream ended" wait_for 10 grep -q '"die"' "$T/events"
kill "$(cat "$T/events.pid")" 2>/dev/null

# --- The configuration is the agent's .env, read for every connection.
set_agent_var dev CONTAINER_NAME dreichor-runtime-dev-b
gate GET "$V/containers/dreichor-runtime-dev/json"
check "an edited .env applies to the next connection: the old name is refused" refused "only the container dreichor-runtime-dev-b"
set_agent_var dev CONTAINER_NAME dreichor-runtime-dev
set_agent_var dev IMAGE_REPOSITORY -
gate GET "$V/_ping"
check "a .env without IMAGE_REPOSITORY: 503 naming it" \
	bash -c '[ "$1" = 503 ] && jq -e ".message | contains(\"IMAGE_REPOSITORY\")" <<<"$2" >/dev/null' _ "$STATUS" "$BODY"
set_agent_var dev IMAGE_REPOSITORY "$IMAGE_REPOSITORY"
mv "$T/dev/agent.env" "$T/dev/agent.env.away"
gate GET "$V/_ping"
check "a .env the gate cannot read: 503 naming it" \
	bash -c '[ "$1" = 503 ] && jq -e ".message | contains(\"cannot be read\")" <<<"$2" >/dev/null' _ "$STATUS" "$BODY"
mv "$T/dev/agent.env.away" "$T/dev/agent.env"
gate GET "$V/_ping"
check "... and the gate answers again once it can" test "$STATUS" = 200

# --- The gate's own setting: an idle time that is not whole seconds (0 to 86400) stops it, saying
# why, before it serves anything; it is never read as 0 (never idle out).
for idle in abc 30s -1 " 5" 86401; do
	DREICHOR_GATE_CONFIG=$T/dev/agent.env DREICHOR_GATE_UPSTREAM=$DOCKER_SOCK DREICHOR_GATE_IDLE_SECONDS=$idle \
		"$top_builddir/dreichor-docker-gate" </dev/null >/dev/null 2>"$T/idle.err"
	rc=$?
	check "DREICHOR_GATE_IDLE_SECONDS='$idle': exit 100 naming it (exit $rc)" bash -c \
		'[ "$1" = 100 ] && grep -q "DREICHOR_GATE_IDLE_SECONDS must be whole seconds" "$2"' _ "$rc" "$T/idle.err"
done

# --- The engine down: 502 naming it.
stop_dockerd
gate GET "$V/_ping"
check "engine down: 502 naming the engine's socket" \
	bash -c '[ "$1" = 502 ] && jq -e ".message | contains(\"cannot reach the engine\")" <<<"$2" >/dev/null' _ "$STATUS" "$BODY"

finish
