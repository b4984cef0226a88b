#!/bin/bash
# Benchmark: the asynchronous deploy's own costs against their peers in the
# same run (targets: GET /v1/deploys/<id> at most 1.1x GET /v1/status; the
# time from a deploy request to its 202 at most 1.2x a plan of the same
# image). The deploy behind each 202 goes on; hyperfine's --prepare waits,
# unmeasured, until it ended, so every measured request finds the lock
# free. Run as root from a built tree: bench/async.sh [RUNS]
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/lib.sh"
need_cmd hyperfine
runs=${1:-100}

start_deployed_agent
auth="-H 'CF-Access-Client-Id: $CLIENT_ID' -H 'CF-Access-Client-Secret: $CLIENT_SECRET'"
url=http://127.0.0.1:$PORT_dev
body="{\"image\":\"$IMAGE_REPOSITORY:1.0.0\"}"
CALL_ARGS=(-H 'Prefer: respond-async')
deploy dev "$IMAGE_REPOSITORY:1.0.0"
[ "$STATUS" = 202 ] || { echo "no 202: $STATUS $BODY"; exit 1; }
id=$(jq -r .request_id <<<"$BODY")
CALL_ARGS=()
# Until no deploy holds the lock (the unmeasured part of each run).
cat >"$T/idle.sh" <<EOT
for i in \$(seq 200); do
	curl -s $auth $url/v1/status | grep -q deploy_in_progress || exit 0
	sleep 0.05
done
exit 1
EOT
bash "$T/idle.sh" || { echo "the first deploy did not end"; exit 1; }
hyperfine -N --warmup 5 --runs "$runs" --export-json "$T/reads.json" \
	-n status "curl -sf -o /dev/null $auth $url/v1/status" \
	-n deploy-record "curl -sf -o /dev/null $auth $url/v1/deploys/$id" \
	>"$T/hyperfine.txt" 2>&1 || { cat "$T/hyperfine.txt"; exit 1; }
hyperfine --warmup 3 --runs "$((runs / 4 > 10 ? runs / 4 : 10))" --export-json "$T/accept.json" --prepare "bash $T/idle.sh" \
	-n plan "curl -sf -o /dev/null $auth -H 'Content-Type: application/json' --data-binary '$body' $url/v1/plan" \
	-n deploy-202 "curl -sf -o /dev/null $auth -H 'Prefer: respond-async' -H 'Content-Type: application/json' --data-binary '$body' $url/v1/deploy" \
	>>"$T/hyperfine.txt" 2>&1 || { cat "$T/hyperfine.txt"; exit 1; }
median() { jq -r ".results[] | select(.command == \"$2\") | .median * 1000" "$T/$1.json"; }
s=$(median reads status); r=$(median reads deploy-record); p=$(median accept plan); a=$(median accept deploy-202)
printf '\nmedians (ms): reads %d runs, plan and 202 %d runs each\n' "$runs" "$((runs / 4 > 10 ? runs / 4 : 10))"
printf '  %-40s %8.3f\n' "GET /v1/status" "$s" "GET /v1/deploys/<id> (an ended deploy)" "$r" \
	"POST /v1/plan" "$p" "POST /v1/deploy to its 202" "$a"
printf '  %-40s %8.2f   (target: at most 1.1)\n' "deploy record / status" "$(echo "$r / $s" | bc -l)"
printf '  %-40s %8.2f   (target: at most 1.2)\n' "202 / plan" "$(echo "$a / $p" | bc -l)"
