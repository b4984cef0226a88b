# t/lib.sh: shared helpers for the scenario tests. Each test sources this,
# gets its own temp dir, and starts what it needs for real: a private
# dockerd, a docker-registry on a loopback port, agents under
# systemd-socket-activate. Everything is stopped on exit.
# Exit codes follow automake: 0 pass, 1 fail, 77 skip (with a reason), 99 hard error.

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d /tmp/dr-t.XXXXXX) || exit 99
DOCKER_CLI=/usr/bin/docker
[ -x "$DOCKER_CLI" ] || DOCKER_CLI=docker
CLIENT_ID=test-client-$(od -An -N4 -tx1 /dev/urandom | tr -d " \n").access
CLIENT_SECRET=s3cr3t-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
REPO_PATH=ceerkle/dreichor-trading/runtime
FAILURES=0
CHECKS=0
BG_PIDS=""

# DREICHOR_VALGRIND=1: run the dispatcher under memcheck, following its exec
# into the endpoint; any error or leak fails the test (see finish).
VALGRIND_WRAP=""
if [ "${DREICHOR_VALGRIND:-0}" = 1 ]; then
	VALGRIND_WRAP="valgrind --quiet --suppressions=$top_srcdir/t/valgrind.supp --trace-children=yes --trace-children-skip=/usr/*,/bin/*,/sbin/* --leak-check=full --show-leak-kinds=definite,indirect,possible
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=97 --log-file=$T/valgrind.%p.log"
fi

log() { printf '%s: %s\n' "$TEST_NAME" "$*" >&2; }
skip() { log "SKIP: $*"; exit 77; }
hard_error() { log "ERROR: $*"; exit 99; }

ok() { CHECKS=$((CHECKS + 1)); printf 'ok %d - %s\n' "$CHECKS" "$*"; }
not_ok() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); printf 'not ok %d - %s\n' "$CHECKS" "$*"; }

# check DESCRIPTION COMMAND...: one assertion; returns non-zero when it failed,
# so that `check ... || show-why` can print the evidence.
check() {
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; return 1; fi
}

finish() {
	if [ -n "$VALGRIND_WRAP" ]; then
		local logs; logs=$(find "$T" -maxdepth 1 -name 'valgrind.*.log' | wc -l)
		check "valgrind ran ($logs processes)" test "$logs" -gt 0
		find "$T" -maxdepth 1 -name 'valgrind.*.log' -size +0 -exec cat {} + | head -100
		check "valgrind: no errors and no leaks" test -z "$(find "$T" -maxdepth 1 -name 'valgrind.*.log' -size +0)"
	fi
	printf '%s: %d checks, %d failed\n' "$TEST_NAME" "$CHECKS" "$FAILURES"
	[ "$CHECKS" -gt 0 ] || { log "no check ran"; exit 99; }
	[ "$FAILURES" -eq 0 ]
	exit $?
}

cleanup() {
	local p
	for p in $BG_PIDS; do kill "$p" 2>/dev/null; done
	[ -n "${REGISTRY_PID:-}" ] && kill -CONT "$REGISTRY_PID" 2>/dev/null
	stop_dockerd
	stop_journald
	for p in $BG_PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root to run a private dockerd (run as root, as CI does)"
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not installed (bash .ci/run installs it)"
	done
}

# A free TCP port on 127.0.0.1, below the kernel's ephemeral range
# (32768 and up) so that no outgoing connection can be holding it.
free_port() {
	local p
	while :; do
		p=$((10000 + RANDOM % 22000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

wait_for() { # wait_for SECONDS COMMAND...
	local deadline=$(( $(date +%s) + $1 )); shift
	until "$@" 2>/dev/null; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

docker_cli() { DOCKER_CONFIG=$T/docker-cli "$DOCKER_CLI" -H "unix://$DOCKER_SOCK" "$@"; }

start_dockerd() {
	need_root
	need_cmd dockerd curl jq
	DOCKER_DIR=$T/docker
	DOCKER_SOCK=$DOCKER_DIR/docker.sock
	mkdir -p "$DOCKER_DIR"
	dockerd --data-root "$DOCKER_DIR/data" --exec-root "$DOCKER_DIR/exec" \
		--pidfile "$DOCKER_DIR/docker.pid" -H "unix://$DOCKER_SOCK" \
		--bridge=none --iptables=false --ip6tables=false \
		>"$DOCKER_DIR/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	wait_for 30 curl -sf --unix-socket "$DOCKER_SOCK" http://d/_ping -o /dev/null ||
		{ tail -20 "$DOCKER_DIR/dockerd.log" >&2; hard_error "private dockerd did not start"; }
}

# kill_dockerd: the engine dies (SIGKILL), with its containerd; containers' shims stay.
kill_dockerd() {
	kill -KILL "$DOCKERD_PID" 2>/dev/null
	wait "$DOCKERD_PID" 2>/dev/null
	pkill -KILL -f "containerd --config $DOCKER_DIR/exec" 2>/dev/null
	# A stale pid file would make the next dockerd wait for a containerd that is gone.
	rm -f "$DOCKER_DIR/exec/containerd/containerd.pid" "$DOCKER_DIR"/exec/containerd/containerd.sock*
	DOCKERD_PID=
}

# restart_dockerd: the same engine again, on the same data.
restart_dockerd() {
	dockerd --data-root "$DOCKER_DIR/data" --exec-root "$DOCKER_DIR/exec" \
		--pidfile "$DOCKER_DIR/docker.pid" -H "unix://$DOCKER_SOCK" \
		--bridge=none --iptables=false --ip6tables=false \
		>>"$DOCKER_DIR/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	wait_for 30 curl -sf --unix-socket "$DOCKER_SOCK" http://d/_ping -o /dev/null ||
		{ tail -20 "$DOCKER_DIR/dockerd.log" >&2; hard_error "private dockerd did not restart"; }
}

stop_dockerd() {
	[ -n "${DOCKERD_PID:-}" ] || return 0
	if kill -0 "$DOCKERD_PID" 2>/dev/null; then
		docker_cli ps -aq 2>/dev/null | xargs -r "$DOCKER_CLI" -H "unix://$DOCKER_SOCK" rm -f >/dev/null 2>&1
		kill "$DOCKERD_PID" 2>/dev/null
		wait "$DOCKERD_PID" 2>/dev/null
	fi
	DOCKERD_PID=
	# Whatever dockerd left mounted under its data root must go before rm -rf.
	grep -o " $T/docker[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r umount -l 2>/dev/null
}

# A journald to write to. A live one (one that accepts a stream) is used as
# it is; a socket left behind by a stopped one is not enough. Otherwise the
# first test to need one starts it and tests running in parallel share it:
# each user holds a shared flock on JOURNALD_SHARED/users, and the last one
# out stops the journald the tests started. The locks are held by flock(1)
# processes of their own (-o), never by a descriptor of the test's shell,
# which dockerd and the agents would inherit and keep holding.
JOURNALD_SHARED=/tmp/dr-test-journald
JOURNALD_HOLDER=""
start_journald() {
	need_cmd journalctl
	need_cmd systemd-cat
	need_cmd flock
	[ -x /lib/systemd/systemd-journald ] || skip "no systemd-journald to start"
	mkdir -p "$JOURNALD_SHARED"
	flock -s -o "$JOURNALD_SHARED/users" sh -c 'echo $$ >"$1"; exec sleep 2147483647' sh "$T/journald-user" &
	JOURNALD_HOLDER=$!
	wait_for 600 test -s "$T/journald-user" || hard_error "the shared journald lock was not granted"
	flock -x -o "$JOURNALD_SHARED/start" bash -c '
		live() { systemd-cat -t dreichor-test-probe true 2>/dev/null; }
		live && exit 0
		/lib/systemd/systemd-journald >"$1/log" 2>&1 </dev/null &
		echo $! >"$1/pid"
		for _ in $(seq 100); do live && exit 0; sleep 0.1; done
		exit 1' sh "$JOURNALD_SHARED" ||
		hard_error "systemd-journald did not start: $(tail -3 "$JOURNALD_SHARED/log")"
}

# The last test out stops the journald that a test started; one that was
# running before (no pid file) is left alone.
stop_journald() {
	[ -n "$JOURNALD_HOLDER" ] || return 0
	kill "$(cat "$T/journald-user")" 2>/dev/null
	wait "$JOURNALD_HOLDER" 2>/dev/null
	flock -x -n -o "$JOURNALD_SHARED/users" bash -c '
		[ -f "$1/pid" ] || exit 0
		pid=$(cat "$1/pid")
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd-journal ]; then
			kill "$pid"
			for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		fi
		rm -f "$1/pid"' sh "$JOURNALD_SHARED"
	JOURNALD_HOLDER=""
}

# journal_entry RID: the journal entry of one request as JSON (waits for journald).
journal_entry() {
	wait_for 10 bash -c "journalctl -o json DREICHOR_REQUEST_ID=$1 | grep -q ." || return 1
	journalctl -o json DREICHOR_REQUEST_ID="$1"
}

# start_registry [htpasswd USER PASS]
start_registry() {
	need_cmd docker-registry
	REGISTRY_PORT=$(free_port)
	REGISTRY=127.0.0.1:$REGISTRY_PORT
	IMAGE_REPOSITORY=$REGISTRY/$REPO_PATH
	mkdir -p "$T/registry/data"
	{
		echo "version: 0.1"
		echo "log: {level: error}"
		echo "storage: {filesystem: {rootdirectory: $T/registry/data}, delete: {enabled: true}}"
		echo "http: {addr: $REGISTRY}"
		if [ "${1:-}" = htpasswd ]; then
			need_cmd htpasswd
			htpasswd -Bbn "$2" "$3" >"$T/registry/htpasswd" 2>/dev/null
			echo "auth: {htpasswd: {realm: test-realm, path: $T/registry/htpasswd}}"
		fi
	} >"$T/registry/config.yml"
	run_registry
	wait_for 20 sh -c "curl -s -o /dev/null -w '%{http_code}' http://$REGISTRY/v2/ | grep -qE '200|401'" ||
		hard_error "docker-registry did not start"
}

# run_registry: (re)start the registry process on its existing configuration and data.
run_registry() {
	docker-registry serve "$T/registry/config.yml" >>"$T/registry/registry.log" 2>&1 &
	REGISTRY_PID=$!
	BG_PIDS="$BG_PIDS $REGISTRY_PID"
	wait_for 20 sh -c "curl -s -o /dev/null -w '%{http_code}' http://$REGISTRY/v2/ | grep -qE '200|401'"
}

# A root filesystem with busybox, imported once per test.
busybox_rootfs() {
	[ -f "$T/rootfs.tar" ] && return 0
	need_cmd busybox
	local bb; bb=$(command -v busybox)
	mkdir -p "$T/rootfs/bin"
	cp "$bb" "$T/rootfs/bin/busybox"
	for a in sh sleep echo cat env ls trap; do ln -sf busybox "$T/rootfs/bin/$a"; done
	tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
}

# run_sleeping_container NAME: a local busybox image (not in any registry) running as NAME.
run_sleeping_container() {
	busybox_rootfs
	docker_cli image inspect local/runtime:1.0.0 >/dev/null 2>&1 ||
		docker_cli import -c 'CMD ["/bin/sh", "-c", "exec sleep 3600"]' "$T/rootfs.tar" local/runtime:1.0.0 >/dev/null
	docker_cli run -d --network none --name "$1" local/runtime:1.0.0 >/dev/null
}

# make_image TAG SCRIPT: build an image running sh -c SCRIPT, push it as IMAGE_REPOSITORY:TAG,
# and remove it locally so that deploys really pull.
make_image() {
	local tag=$1 script=$2
	busybox_rootfs
	docker_cli import -c "CMD $(jq -cn --arg s "$script" '["/bin/sh", "-c", $s]')" "$T/rootfs.tar" "$IMAGE_REPOSITORY:$tag" >/dev/null ||
		hard_error "docker import failed"
	docker_cli push "$IMAGE_REPOSITORY:$tag" >/dev/null 2>&1 || hard_error "docker push $tag failed"
	docker_cli rmi "$IMAGE_REPOSITORY:$tag" >/dev/null 2>&1 || true
}

# The long-running runtime stand-in: prints its environment names, then sleeps.
RUNTIME_SCRIPT='echo runtime starting in $ENVIRONMENT; echo plane $EXECUTION_PLANE; exec sleep 3600'

# write_runtime_env ENV FILE: a valid runtime env file for ENV.
write_runtime_env() {
	local env=$1 file=$2 level=info
	cat >"$file" <<EOT
# runtime env for $env (test)
RUNTIME_INSTANCE_ID=dreichor-$env-01
LOGICAL_TIME_SOURCE=monotonic
EXECUTION_PLANE=paper
EXCHANGE_PROVIDER=paper_exchange
SAFETY_MODE=strict

PERSISTENCE_MODE=filesystem
SNAPSHOT_STRATEGY=every_100_events
ENABLE_AUDIT_LOGGING=true
DATABASE_URL=postgres://dreichor_$env:db-pass-$env@127.0.0.1:5432/dreichor_$env?sslmode=disable
LOG_LEVEL=$level
EOT
}

# setup_env ENV: directories and config for an agent of ENV under $T/ENV.
# Fills the variables AGENT_ENV_<ENV> (the agent env file path).
setup_env() {
	local env=$1 dir
	dir=$T/$env
	mkdir -p "$dir/volumes/audit-events" "$dir/volumes/snapshots" "$dir/state"
	write_runtime_env "$env" "$dir/runtime.env"
	cat >"$dir/agent.env" <<EOT
ENVIRONMENT=$env
PORT=$([ "$env" = dev ] && echo 3005 || echo 3006)
DREICHOR_STRICT_PORTS=0
CONTAINER_NAME=dreichor-runtime-$env
AUDIT_EVENTS_PATH=$dir/volumes/audit-events
SNAPSHOTS_PATH=$dir/volumes/snapshots
ALLOW_EXECUTION_PLANE=paper
IMAGE_REPOSITORY=${IMAGE_REPOSITORY:-127.0.0.1:5000/$REPO_PATH}
CF_ACCESS_CLIENT_ID=$CLIENT_ID
CF_ACCESS_CLIENT_SECRET=$CLIENT_SECRET
DOCKER_HOST=unix://${DOCKER_SOCK:-/nonexistent/docker.sock}
RUNTIME_ENV_FILE=$dir/runtime.env
STATE_DIRECTORY=$dir/state
STOP_TIMEOUT_SECONDS=2
STARTUP_GRACE_SECONDS=1
CONTAINER_NETWORK=none
DREICHOR_LIBEXECDIR=$top_builddir
EOT
}

# set_agent_var ENV NAME VALUE: change (or with VALUE "-", delete) one agent variable.
set_agent_var() {
	local file=$T/$1/agent.env
	sed -i "/^$2=/d" "$file"
	[ "$3" = - ] || printf '%s=%s\n' "$2" "$3" >>"$file"
}

# start_floor: for the benchmarks, bench/fixed-answer.c (a static program
# answering a fixed 200) under the same socket activation, on FLOOR_PORT.
start_floor() {
	cc -O2 -static -o "$T/fixed-answer" "$top_srcdir/bench/fixed-answer.c" ||
		hard_error "cannot build bench/fixed-answer.c"
	FLOOR_PORT=$(free_port)
	systemd-socket-activate --accept --inetd -l "127.0.0.1:$FLOOR_PORT" "$T/fixed-answer" >"$T/floor.log" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$FLOOR_PORT" || hard_error "the fixed-answer program did not listen"
}

# start_deployed_agent: for the benchmarks, dockerd, a registry and the dev
# agent, with 1.0.0 deployed through it: the container is as the agent
# leaves it (labels included), so status makes the calls it makes in
# production, _ping and one inspect.
start_deployed_agent() {
	start_dockerd
	start_registry
	make_image 1.0.0 "$RUNTIME_SCRIPT"
	setup_env dev
	start_agent dev
	deploy dev "$IMAGE_REPOSITORY:1.0.0"
	status_is 200 || hard_error "the deploy for the benchmark failed: $BODY"
}

# start_agent ENV: run dreichor-agent for ENV on a free port, as systemd would.
start_agent() {
	local env=$1 port vars pid attempt
	need_cmd systemd-socket-activate curl jq
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		set_agent_var "$env" PORT "$port"
		vars=$(sed -n 's/^\([A-Z_]*\)=.*/-E \1/p' "$T/$env/agent.env" | tr '\n' ' ')
		(
			set -a
			. "$T/$env/agent.env"
			exec systemd-socket-activate --accept --inetd -l "127.0.0.1:$port" $vars \
				$VALGRIND_WRAP "$top_builddir/dreichor-agent"
		) >"$T/$env/activate.log" 2>&1 &
		pid=$!
		# Listening, or gone (the port was taken after all: try another).
		wait_for 10 bash -c "grep -q '^Listening on' '$T/$env/activate.log' || ! kill -0 $pid" 2>/dev/null
		if kill -0 "$pid" 2>/dev/null && grep -q '^Listening on' "$T/$env/activate.log"; then
			BG_PIDS="$BG_PIDS $pid"
			eval "AGENT_PID_$env=$pid"
			eval "PORT_$env=$port"
			return 0
		fi
		kill "$pid" 2>/dev/null
		log "agent for $env failed to listen on $port (attempt $attempt): $(tail -1 "$T/$env/activate.log")"
	done
	hard_error "agent for $env did not listen"
}

stop_agent() {
	local pid; eval "pid=\${AGENT_PID_$1:-}"
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	eval "AGENT_PID_$1="
}

# call ENV METHOD PATH [BODY]: authenticated request; sets STATUS and BODY.
call() {
	local env=$1 method=$2 path=$3 port
	eval "port=\$PORT_$env"
	local args=(-s -o "$T/body" -w '%{http_code}' -X "$method"
		-H "CF-Access-Client-Id: $CLIENT_ID" -H "CF-Access-Client-Secret: $CLIENT_SECRET")
	[ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
	STATUS=$(curl "${args[@]}" "http://127.0.0.1:$port$path")
	BODY=$(cat "$T/body")
}

# raw ENV CURL-ARGS...: unauthenticated or hand-made request; sets STATUS, BODY, HEADERS.
raw() {
	local env=$1 port; shift
	eval "port=\$PORT_$env"
	STATUS=$(curl -s -D "$T/headers" -o "$T/body" -w '%{http_code}' "$@" "http://127.0.0.1:$port${RAW_PATH:-/v1/status}")
	BODY=$(cat "$T/body")
	HEADERS=$(cat "$T/headers")
}

# The deploy lock's holder record (ENV's state directory): pid, and whether a live deploy of TAG holds it.
lock_holder_pid() { tr -d '\0' <"$T/$1/state/deploy.lock" 2>/dev/null | sed -n 's/^pid=//p'; }
lock_held_by() { # lock_held_by ENV TAG
	tr -d '\0' <"$T/$1/state/deploy.lock" 2>/dev/null | grep -q "^image=$IMAGE_REPOSITORY:$2\$" &&
		kill -0 "$(lock_holder_pid "$1")" 2>/dev/null
}

# deploy_in_background ENV TAG OUT: a deploy whose answer lands in OUT and its status in OUT.status; pid in BG.
deploy_in_background() {
	local port; eval "port=\$PORT_$1"
	curl -s -o "$3" -w '%{http_code}' -H "CF-Access-Client-Id: $CLIENT_ID" -H "CF-Access-Client-Secret: $CLIENT_SECRET" \
		-H 'Content-Type: application/json' --data-binary "{\"image\": \"$IMAGE_REPOSITORY:$2\"}" \
		"http://127.0.0.1:$port/v1/deploy" >"$3.status" 2>/dev/null &
	BG=$!
}

deploy() { # deploy ENV IMAGE [EXTRA-JSON-FIELDS]
	call "$1" POST /v1/deploy "{\"image\": \"$2\"${3:+, $3}}"
}

# Assertions on the last answer.
status_is() { [ "$STATUS" = "$1" ] || { log "expected HTTP $1, got $STATUS: $BODY"; return 1; }; }
json_is() { # json_is JQ-FILTER EXPECTED
	local got; got=$(printf '%s' "$BODY" | jq -r "$1" 2>/dev/null)
	[ "$got" = "$2" ] || { log "expected $1 = $2, got $got in $BODY"; return 1; }
}
reason_has() { printf '%s' "$BODY" | jq -r .reason | grep -qF -- "$1" || { log "reason lacks '$1': $BODY"; return 1; }; }
answer_is() { status_is "$1" && { [ -z "${2:-}" ] || reason_has "$2"; }; }

container_count() { docker_cli ps -aq --filter "name=^/$1\$" | wc -l; }
container_field() { docker_cli inspect -f "$2" "$1" 2>/dev/null; }
