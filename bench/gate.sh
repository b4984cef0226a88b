#!/bin/bash
# Benchmark: what the Docker gate costs (target: status and deploy through
# it at most 5 ms and 1.1x more than without it, medians, same run). One
# dev agent talks to the engine through dev's gate, a second one (same
# configuration, another port) straight to the engine; hyperfine runs
# status and a redeploy of a held image on both, alternating, and the
# bare peer: one inspect of the container on the engine's socket and on
# the gate's. With a second argument, the dreichor-docker-gate binary of an
# earlier build, a third agent runs through that gate, so that a change to
# the gate is measured against the gate before it in the same run.
# Run as root from a built tree: bench/gate.sh [RUNS] [EARLIER-GATE-BINARY]
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/lib.sh"
need_cmd hyperfine
runs=${1:-30}
before_gate=${2:-}

start_dockerd
start_registry
make_image 1.0.0 "echo 1.0.0; $RUNTIME_SCRIPT"
setup_env dev
set_agent_var dev STARTUP_GRACE_SECONDS 1
set_agent_var dev STOP_TIMEOUT_SECONDS 0
start_agent dev
gated=$PORT_dev
GATE=0 start_agent dev
direct=$PORT_dev
before=
if [ -n "$before_gate" ]; then
	DREICHOR_GATE_CONFIG=$T/dev/agent.env DREICHOR_GATE_UPSTREAM=$DOCKER_SOCK DREICHOR_GATE_IDLE_SECONDS=0 \
		systemd-socket-activate -l "$T/dev/gate-before.sock" -E DREICHOR_GATE_CONFIG -E DREICHOR_GATE_UPSTREAM \
		-E DREICHOR_GATE_IDLE_SECONDS "$before_gate" >"$T/gate-before.log" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	wait_for 10 grep -q '^Listening on' "$T/gate-before.log" || hard_error "the earlier gate did not listen"
	set_agent_var dev DOCKER_HOST "unix://$T/dev/gate-before.sock"
	start_agent dev
	before=$PORT_dev
	set_agent_var dev DOCKER_HOST "unix://$DOCKER_SOCK"
fi
PORT_dev=$gated
deploy dev "$IMAGE_REPOSITORY:1.0.0"
status_is 200 || hard_error "deploy through the gate failed: $BODY"
auth="-H 'CF-Access-Client-Id: $CLIENT_ID' -H 'CF-Access-Client-Secret: $CLIENT_SECRET'"
body="{\"image\":\"$IMAGE_REPOSITORY:1.0.0\"}"
status() { echo "curl -sf -o /dev/null $auth http://127.0.0.1:$1/v1/status"; }
redeploy() { echo "curl -sf -o /dev/null $auth -H 'Content-Type: application/json' --data-binary '$body' http://127.0.0.1:$1/v1/deploy"; }
inspect() { echo "curl -sf -o /dev/null --unix-socket $1 http://d/v1.41/containers/dreichor-runtime-dev/json"; }
hyperfine -N --warmup 3 --runs "$runs" --export-json "$T/gate-fast.json" \
	-n status-gate "$(status "$gated")" -n status-direct "$(status "$direct")" \
	-n inspect-gate "$(inspect "$T/dev/gate.sock")" -n inspect-engine "$(inspect "$DOCKER_SOCK")" \
	>"$T/hyperfine.txt" 2>&1 || { cat "$T/hyperfine.txt"; exit 1; }
earlier=()
[ -n "$before" ] && earlier=(-n status-before "$(status "$before")")
hyperfine -N --warmup 3 --runs "$runs" --export-json "$T/gate-fast2.json" "${earlier[@]}" \
	-n status-gate2 "$(status "$gated")" >>"$T/hyperfine.txt" 2>&1 || { cat "$T/hyperfine.txt"; exit 1; }
[ -n "$before" ] && earlier=(-n deploy-before "$(redeploy "$before")")
hyperfine --warmup 1 --runs "$(( runs / 3 + 3 ))" --export-json "$T/gate-deploy.json" \
	-n deploy-gate "$(redeploy "$gated")" -n deploy-direct "$(redeploy "$direct")" "${earlier[@]}" \
	>>"$T/hyperfine.txt" 2>&1 || { cat "$T/hyperfine.txt"; exit 1; }
median() { jq -r ".results[] | select(.command == \"$2\") | .median * 1000" "$T/$1.json"; }
printf '\nmedians (ms), same run\n'
for pair in "gate-fast status" "gate-fast inspect" "gate-deploy deploy"; do
	set -- $pair
	g=$(median "$1" "$2-gate"); d=$(median "$1" "$2-direct" 2>/dev/null)
	[ "$2" = inspect ] && d=$(median "$1" inspect-engine)
	printf '  %-10s through the gate %8.2f   without %8.2f   +%6.2f ms   %5.3fx\n' "$2" "$g" "$d" \
		"$(echo "$g - $d" | bc -l)" "$(echo "$g / $d" | bc -l)"
done
printf '  (target: status and deploy at most +5 ms and 1.1x)\n'
if [ -n "$before" ]; then
	for pair in "gate-fast2 status" "gate-deploy deploy"; do
		set -- $pair
		g=$(median "$1" "$2-gate"); [ "$2" = status ] && g=$(median "$1" status-gate2)
		b=$(median "$1" "$2-before")
		printf '  %-10s this gate %8.2f   the earlier gate %8.2f   %+7.2f ms   %5.3fx\n' "$2" "$g" "$b" \
			"$(echo "$g - $b" | bc -l)" "$(echo "$g / $b" | bc -l)"
	done
	printf '  (target: a redeploy at most +10 ms over the earlier gate, status unchanged)\n'
fi
