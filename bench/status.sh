#!/bin/bash
# Benchmark: GET /v1/status end to end (TCP connect, dispatcher exec,
# endpoint exec, _ping + inspect, response) against its peers in the same
# run: a bare inspect with curl on the Docker socket, and docker inspect;
# and the floor of the process model (bench/fixed-answer.c under the same
# socket activation: connection, fork, exec, fixed answer).
# Prints the medians side by side and the peak RSS of the per-connection
# process. Run as root from a built tree: bench/status.sh [RUNS]
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/lib.sh"
need_cmd hyperfine /usr/bin/time
runs=${1:-300}

start_deployed_agent
start_floor
api=$(curl -s --unix-socket "$DOCKER_SOCK" http://d/version | jq -r .ApiVersion)

agent="curl -sf -o /dev/null -H 'CF-Access-Client-Id: $CLIENT_ID' -H 'CF-Access-Client-Secret: $CLIENT_SECRET' http://127.0.0.1:$PORT_dev/v1/status"
bare="curl -sf -o /dev/null --unix-socket $DOCKER_SOCK http://d/v$api/containers/dreichor-runtime-dev/json"
floor="curl -sf -o /dev/null http://127.0.0.1:$FLOOR_PORT/"
cli="$DOCKER_CLI -H unix://$DOCKER_SOCK inspect dreichor-runtime-dev"
hyperfine -N --warmup 20 --runs "$runs" --export-json "$T/status.json" \
	-n agent-status "$agent" -n bare-curl-inspect "$bare" -n docker-cli-inspect "$cli" \
	-n floor "$floor" >"$T/hyperfine.txt" 2>&1 ||
	{ cat "$T/hyperfine.txt"; exit 1; }

median() { jq -r ".results[] | select(.command == \"$1\") | .median * 1000" "$T/status.json"; }
a=$(median agent-status); b=$(median bare-curl-inspect); c=$(median docker-cli-inspect)
f=$(median floor)

# Peak RSS: one request through a pipe, the dispatcher exec'ing the endpoint in the same process.
printf 'GET /v1/status HTTP/1.1\r\nCF-Access-Client-Id: %s\r\nCF-Access-Client-Secret: %s\r\n\r\n' \
	"$CLIENT_ID" "$CLIENT_SECRET" >"$T/request"
rss=$( (set -a; . "$T/dev/agent.env"; /usr/bin/time -v "$top_builddir/dreichor-agent" <"$T/request" 2>&1 >/dev/null) |
	sed -n 's/.*Maximum resident set size (kbytes): //p')
printf '\nGET /v1/status, median of %d runs (ms)\n' "$runs"
printf '  %-34s %8.3f\n' "agent, end to end over TCP" "$a" "bare curl inspect on the socket" "$b" "docker inspect (CLI)" "$c" \
	"floor: activation + fixed 200" "$f"
printf '  %-34s %8.3f   (budget: at most 2 ms)\n' "agent minus bare curl" "$(echo "$a - $b" | bc -l)"
printf '  %-34s %8.3f\n' "floor minus bare curl" "$(echo "$f - $b" | bc -l)"
printf '  %-34s %8s\n' "agent below docker CLI" "$(echo "$a < $c" | bc -l | sed 's/1/yes/;s/0/no/')"
printf '  %-34s %8s KiB\n' "peak RSS, agent+status process" "$rss"
