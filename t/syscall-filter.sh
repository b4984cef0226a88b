#!/bin/bash
# The programs' own system call filter (DREICHOR_SYSCALL_FILTER=on, as the
# units set it; lib/core/syscall_filter.h), with no filter of systemd's
# around them (systemd-socket-activate): deploy, status and plan work under
# it, through a gate and a registry helper under theirs; a probe run in
# place of the status endpoint (it inherits the dispatcher's filter) is
# refused every call the filter takes away (IP and netlink sockets,
# namespaces, memory both writable and executable, another personality, a
# set-user-ID mode, io_uring, the keyring, System V IPC, another process's
# memory), and the same probe without the filter makes each of them, so the
# test shows the difference. dreichor-registry --listen, as its unit runs it
# (Accept=no): one process serves question after question, each in a child
# that reads the .env afresh, under its filter, and it exits when idle.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

[ -n "${VALGRIND_WRAP:-}" ] && skip "valgrind runs its own system calls under the filter it is shown"
start_journald
start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
setup_env dev
export DREICHOR_SYSCALL_FILTER=on # the gate's
set_agent_var dev DREICHOR_SYSCALL_FILTER on
set_agent_var dev DREICHOR_LANDLOCK on
start_agent dev
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "deploy under the filter: 200" status_is 200
check "the gate runs under its filter" grep -q '^Seccomp:[[:space:]]*2' "/proc/$GATE_PID_dev/status"
call dev GET /v1/status
check "status under the filter: 200, running" json_is .state running
call dev POST /v1/plan "{\"image\":\"$IMAGE_REPOSITORY:1.0.0\"}"
check "plan under the filter: 200, planned" json_is .status planned

# The probe: a status endpoint that reports what it may do (t/lib-agent.sh).
mkdir -p "$T/probe"
build_probe "$T/probe/dreichor-status" "$T/probe/tries"
cat >"$T/probe/tries" <<TRIES
status Seccomp NoNewPrivs
$(probe_syscall_tries "$T/dev/state")
TRIES
probe_with() { # probe_with on|off [REGISTRY-SOCKET]: the probe's answer in BODY
	stop_agent dev
	set_agent_var dev DREICHOR_SYSCALL_FILTER "$1"
	set_agent_var dev DREICHOR_REGISTRY_SOCKET "${2:--}"
	set_agent_var dev DREICHOR_LIBEXECDIR "$T/probe"
	start_agent dev
	call dev GET /v1/status
}
probe_with on "$T/registry.sock"
ON=$BODY
probe_with on
ON_NET=$BODY
probe_with off "$T/registry.sock"
OFF=$BODY
echo "$ON" | sed 's/^/# with the filter: /'
echo "$OFF" | sed 's/^/# without: /'
has() { grep -qx "$2" <<<"$1"; }
check "the endpoint inherits the dispatcher's filter" has "$ON" "Seccomp=2"
check "... and no_new_privs" has "$ON" "NoNewPrivs=1"
check "without the filter: none" has "$OFF" "Seccomp=0"
check "filter: a unix socket allowed" has "$ON" "socket_unix=allowed"
for d in $PROBE_SYSCALLS_REFUSED; do
	check "filter: $d refused (EPERM)" has "$ON" "$d=denied errno=EPERM"
	check "... and allowed without it" has "$OFF" "$d=allowed"
done
check "without DREICHOR_REGISTRY_SOCKET (the endpoint runs dreichor-registry): IP sockets allowed" has "$ON_NET" "socket_inet=allowed"
check "... everything else refused as before" has "$ON_NET" "unshare_user=denied errno=EPERM"
check "... netlink too" has "$ON_NET" "socket_netlink=denied errno=EPERM"
check "nothing set-user-ID left in the state directory" test ! -e "$T/dev/state/probe-setuid"
set_agent_var dev DREICHOR_LIBEXECDIR "$top_builddir"
stop_agent dev
set_agent_var dev DREICHOR_SYSCALL_FILTER yes
start_agent dev
call dev GET /v1/status
check "DREICHOR_SYSCALL_FILTER neither on nor off: 500 naming it, not a request without the filter" \
	bash -c '[ "$1" = 500 ] && jq -r .reason <<<"$2" | grep -q "DREICHOR_SYSCALL_FILTER must be on or off"' _ "$STATUS" "$BODY"
stop_agent dev
set_agent_var dev DREICHOR_SYSCALL_FILTER on
start_agent dev

# --check-config installs the filter on itself and says so.
OUT=$(set -a; . "$T/dev/agent.env"; STATE_DIRECTORY=$T/dev/state DREICHOR_SYSCALL_FILTER=on "$top_builddir/dreichor-agent" --check-config 2>&1)
check "--check-config: the filter applies" grep -q '^system calls: the filter applies' <<<"$OUT"

# dreichor-registry --listen, as dreichor-registry-ENV.service (Accept=no) runs it: the listening
# socket from systemd-socket-activate (without --accept), the .env read afresh per question.
cp "$T/dev/agent.env" "$T/registry.env"
DREICHOR_REGISTRY_CONFIG=$T/registry.env DREICHOR_REGISTRY_IDLE_SECONDS=3 \
	systemd-socket-activate -l "$T/registry.sock" -E DREICHOR_REGISTRY_CONFIG -E DREICHOR_REGISTRY_IDLE_SECONDS \
	-E DREICHOR_SYSCALL_FILTER "$top_builddir/dreichor-registry" --listen >"$T/registry-listen.log" 2>&1 &
REG_PID=$!
BG_PIDS="$BG_PIDS $REG_PID"
wait_for 10 grep -q '^Listening on' "$T/registry-listen.log" || hard_error "the registry helper did not listen"
ask() { printf '%s\n' "$1" | socat -t 30 - "UNIX-CONNECT:$T/registry.sock"; }
A1=$(ask "probe $IMAGE_REPOSITORY 1.0.0")
check "registry helper: the first question answered" test "$(jq -r .status <<<"$A1")" = 200
check "... by one process, now the helper itself, under its filter" \
	bash -c "[ \"\$(readlink /proc/$REG_PID/exe)\" = \"\$(readlink -f '$top_builddir/dreichor-registry')\" ] && grep -q '^Seccomp:[[:space:]]*2' /proc/$REG_PID/status"
A2=$(ask "probe $IMAGE_REPOSITORY 1.0.0")
check "... a second question, the same process" bash -c "[ \"\$(jq -r .status <<<'$A2')\" = 200 ] && kill -0 $REG_PID"
sed -i "s|^IMAGE_REPOSITORY=.*|IMAGE_REPOSITORY=127.0.0.1:1/elsewhere|" "$T/registry.env"
A3=$(ask "probe $IMAGE_REPOSITORY 1.0.0")
check "... an edit of the .env applies to the next question" \
	test "$(jq -r .error <<<"$A3")" = "only this environment's IMAGE_REPOSITORY is asked about"
printf 'IMAGE_REPOSITORY=%s\\\n-other\n' "$IMAGE_REPOSITORY" >"$T/registry.env"
A4=$(ask "probe $IMAGE_REPOSITORY 1.0.0")
check "... a .env systemd would read otherwise (a continuation line): refused, not read another way" \
	test "$(jq -r .error <<<"$A4")" = "the agent's .env holds a backslash or a quote that systemd would read otherwise" ||
	echo "# $A4"
check "... a question in flight that is cut keeps it serving" bash -c "printf 'probe' | socat -t 1 - UNIX-CONNECT:$T/registry.sock >/dev/null; kill -0 $REG_PID"
wait_for 15 bash -c "! kill -0 $REG_PID 2>/dev/null"
check "... and it exits once idle (3 s)" bash -c "! kill -0 $REG_PID 2>/dev/null"
# An endpoint under the units' registry socket lays a filter without exec over the dispatcher's:
# the filters one status request installs, seen by strace on the socket's process and its children.
DREICHOR_REGISTRY_CONFIG=$T/dev/agent.env DREICHOR_REGISTRY_IDLE_SECONDS=0 \
	systemd-socket-activate -l "$T/registry.sock" -E DREICHOR_REGISTRY_CONFIG -E DREICHOR_REGISTRY_IDLE_SECONDS \
	-E DREICHOR_SYSCALL_FILTER "$top_builddir/dreichor-registry" --listen >"$T/registry-listen2.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_for 10 grep -q '^Listening on' "$T/registry-listen2.log" || hard_error "the registry helper did not listen again"
filters_installed() { # filters_installed: how many filters one status request's processes install (0: not answered 200)
	rm -f "$T/strace.log"
	strace -f -qq -e trace=prctl -o "$T/strace.log" -p "$AGENT_PID_dev" 2>/dev/null &
	local tracer=$!
	wait_for 10 test -s "$T/strace.log" -o -e "/proc/$tracer/fd/3"
	sleep 0.5
	call dev GET /v1/status
	[ "$STATUS" = 200 ] || { log "status under the filters: $STATUS $BODY"; echo 0; return; }
	sleep 0.5
	kill "$tracer" 2>/dev/null; wait "$tracer" 2>/dev/null
	grep -c 'PR_SET_SECCOMP, SECCOMP_MODE_FILTER.* = 0' "$T/strace.log"
}
need_cmd strace
stop_agent dev
set_agent_var dev DREICHOR_REGISTRY_SOCKET "$T/registry.sock"
start_agent dev
WITH_SOCKET=$(filters_installed)
check "an endpoint with the registry socket lays its own filter, without exec, over the dispatcher's (2 installed)" \
	test "$WITH_SOCKET" = 2
stop_agent dev
set_agent_var dev DREICHOR_REGISTRY_SOCKET -
start_agent dev
WITHOUT_SOCKET=$(filters_installed)
check "... one that runs dreichor-registry itself keeps the dispatcher's alone (1 installed)" test "$WITHOUT_SOCKET" = 1
check "--listen without a listening socket: a usage error" bash -c "'$top_builddir/dreichor-registry' --listen 2>&1 >/dev/null | grep -q 'needs the listening socket'; [ \${PIPESTATUS[0]} = 2 ]"
finish
