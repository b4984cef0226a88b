#!/bin/bash
# Benchmark: GET /v1/status throughput with 16 concurrent clients (wrk,
# 2 threads, 20 s), requests per second and latency percentiles, next to
# the bare Docker API inspect of the same container with the same load.
# wrk speaks TCP only, so the Docker socket is put on a loopback port with
# socat (one process per connection, as the agent): that is the peer.
# Two more rows show where the agent's time goes: the dispatcher alone (an
# unknown path: head, auth, audit entry, 404) and the floor of the process
# model (a static program answering a fixed 200 under the same activation).
# The 404 rows count as errors in wrk's sense; they are expected.
# Run as root from a built tree: bench/throughput.sh [SECONDS]
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/lib.sh"
need_cmd wrk socat
secs=${1:-20}

start_deployed_agent
api=v$(curl -s --unix-socket "$DOCKER_SOCK" http://d/version | jq -r .ApiVersion)
proxy_port=$(free_port)
socat "TCP-LISTEN:$proxy_port,bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:$DOCKER_SOCK" &
BG_PIDS="$BG_PIDS $!"
wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$proxy_port"

start_floor

cat >"$T/headers.lua" <<EOT
wrk.headers["CF-Access-Client-Id"] = "$CLIENT_ID"
wrk.headers["CF-Access-Client-Secret"] = "$CLIENT_SECRET"
EOT
cat >"$T/close.lua" <<'EOT'
wrk.headers["Connection"] = "close"
EOT
wrk -t2 -c16 -d"${secs}s" --latency -s "$T/headers.lua" "http://127.0.0.1:$PORT_dev/v1/status" >"$T/agent.txt" 2>&1
wrk -t2 -c16 -d"${secs}s" --latency -s "$T/headers.lua" "http://127.0.0.1:$PORT_dev/v1/nothing" >"$T/dispatcher.txt" 2>&1
wrk -t2 -c16 -d"${secs}s" --latency "http://127.0.0.1:$FLOOR_PORT/" >"$T/floor.txt" 2>&1
wrk -t2 -c16 -d"${secs}s" --latency -s "$T/close.lua" "http://127.0.0.1:$proxy_port/$api/containers/dreichor-runtime-dev/json" >"$T/bare-close.txt" 2>&1
wrk -t2 -c16 -d"${secs}s" --latency "http://127.0.0.1:$proxy_port/$api/containers/dreichor-runtime-dev/json" >"$T/bare-keepalive.txt" 2>&1

row() { # row LABEL FILE
	printf '  %-44s %9s %9s %9s %9s %7s\n' "$1" "$(sed -n 's/^Requests\/sec: *//p' "$2")" \
		"$(awk '$1 == "50%" {print $2}' "$2")" "$(awk '$1 == "99%" {print $2}' "$2")" \
		"$(awk '/requests in/ {print $1}' "$2")" "$(awk '/Non-2xx|Socket errors/ {e = e $0} END {print e ? "yes" : "none"}' "$2")"
}
printf '\nGET /v1/status, 16 concurrent connections, %s s each\n' "$secs"
printf '  %-44s %9s %9s %9s %9s %7s\n' "" "req/s" "p50" "p99" "requests" "errors"
row "agent (new connection and process per request)" "$T/agent.txt"
row "bare Docker API via socat, Connection: close" "$T/bare-close.txt"
row "bare Docker API via socat, keep-alive" "$T/bare-keepalive.txt"
row "agent, unknown path (dispatcher only, 404)" "$T/dispatcher.txt"
row "floor: socket activation + static fixed 200" "$T/floor.txt"
printf '  target: agent p99 under 20 ms\n'
