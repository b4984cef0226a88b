#!/bin/bash
# Benchmark: POST /v1/plan and GET /v1/deploys against GET /v1/status in
# the same run (the targets: plan at most 1.5x status with the image known
# to the registry; deploys with a full history at most 1.2x status), with
# their bare Engine API peers: the distribution call a plan makes, and
# the inspect status makes. The history file is filled to its 1 MiB cap
# with real entries first. Run as root from a built tree:
# bench/plan-history.sh [RUNS]
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/lib.sh"
need_cmd hyperfine
runs=${1:-200}

start_deployed_agent
api=$(curl -s --unix-socket "$DOCKER_SOCK" http://d/version | jq -r .ApiVersion)
# A full history: the deploy's own entry, repeated up to just under the cap.
history=$T/dev/state/deploys.jsonl
line=$(tail -1 "$history")
while [ "$(stat -c %s "$history")" -lt $((1024 * 1024 - 2 * ${#line})) ]; do
	for i in $(seq 200); do printf '%s\n' "$line"; done >>"$history"
done
entries=$(wc -l <"$history")

auth="-H 'CF-Access-Client-Id: $CLIENT_ID' -H 'CF-Access-Client-Secret: $CLIENT_SECRET'"
url=http://127.0.0.1:$PORT_dev
ref=$(printf '%s' "$IMAGE_REPOSITORY:1.0.0" | jq -sRr @uri)
hyperfine -N --warmup 10 --runs "$runs" --export-json "$T/plan.json" \
	-n status "curl -sf -o /dev/null $auth $url/v1/status" \
	-n plan "curl -sf -o /dev/null $auth -H 'Content-Type: application/json' --data-binary '{\"image\":\"$IMAGE_REPOSITORY:1.0.0\"}' $url/v1/plan" \
	-n deploys "curl -sf -o /dev/null $auth $url/v1/deploys" \
	-n deploys-200 "curl -sf -o /dev/null $auth $url/v1/deploys?limit=200" \
	-n bare-distribution "curl -sf -o /dev/null --unix-socket $DOCKER_SOCK http://d/v$api/distribution/$ref/json" \
	-n bare-inspect "curl -sf -o /dev/null --unix-socket $DOCKER_SOCK http://d/v$api/containers/dreichor-runtime-dev/json" \
	>"$T/hyperfine.txt" 2>&1 || { cat "$T/hyperfine.txt"; exit 1; }

median() { jq -r ".results[] | select(.command == \"$1\") | .median * 1000" "$T/plan.json"; }
s=$(median status); p=$(median plan); d=$(median deploys); d200=$(median deploys-200)
printf '\nmedians of %d runs (ms); history: %d entries, %d bytes\n' "$runs" "$entries" "$(stat -c %s "$history")"
printf '  %-36s %8.3f\n' "GET /v1/status" "$s" "POST /v1/plan" "$p" "GET /v1/deploys (20)" "$d" \
	"GET /v1/deploys?limit=200" "$d200" "bare distribution call (plan's peer)" "$(median bare-distribution)" \
	"bare inspect (status's peer)" "$(median bare-inspect)"
printf '  %-36s %8.2f   (target: at most 1.5)\n' "plan / status" "$(echo "$p / $s" | bc -l)"
printf '  %-36s %8.2f   (target: at most 1.2)\n' "deploys / status" "$(echo "$d / $s" | bc -l)"
printf '  %-36s %8.2f\n' "deploys?limit=200 / status" "$(echo "$d200 / $s" | bc -l)"
