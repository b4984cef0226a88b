#!/bin/bash
# Benchmark: what retention adds to a deploy (target: a deploy whose
# retention removes two images at most 1.2x one that removes none, medians,
# same run). With KEEP_IMAGES=2 the history holds 1.0.1 and 1.0.2 beyond
# the two newest (1.0.3, then 1.0.4); each measured request redeploys
# 1.0.4 (held, so no pull). hyperfine's --prepare, unmeasured, pulls 1.0.1
# and 1.0.2 back into the engine before a "removes two" run, and removes
# them before a "removes none" run. Run as root from a built tree:
# bench/retention.sh [RUNS]
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/lib.sh"
need_cmd hyperfine
runs=${1:-20}

start_dockerd
start_registry
for tag in 1.0.1 1.0.2 1.0.3 1.0.4; do make_image "$tag" "echo $tag; $RUNTIME_SCRIPT"; done
setup_env dev
set_agent_var dev KEEP_IMAGES 2
set_agent_var dev STARTUP_GRACE_SECONDS 1
set_agent_var dev STOP_TIMEOUT_SECONDS 0
start_agent dev
for tag in 1.0.1 1.0.2 1.0.3 1.0.4; do
	deploy dev "$IMAGE_REPOSITORY:$tag"
	status_is 200 || hard_error "deploy $tag failed: $BODY"
done
d1=$(registry_digest 1.0.1)
d2=$(registry_digest 1.0.2)
auth="-H 'CF-Access-Client-Id: $CLIENT_ID' -H 'CF-Access-Client-Secret: $CLIENT_SECRET'"
body="{\"image\":\"$IMAGE_REPOSITORY:1.0.4\"}"
deploy_cmd="curl -sf -o $T/answer $auth -H 'Content-Type: application/json' --data-binary '$body' http://127.0.0.1:$PORT_dev/v1/deploy"
cli="$DOCKER_CLI -H unix://$DOCKER_SOCK"
hyperfine --warmup 2 --runs "$runs" --export-json "$T/retention.json" \
	--prepare "$cli pull -q $IMAGE_REPOSITORY@$d1 && $cli pull -q $IMAGE_REPOSITORY@$d2" \
	-n removes-two "$deploy_cmd && jq -e '.pruned | length == 2' $T/answer" \
	--prepare "$cli image rm $IMAGE_REPOSITORY@$d1 $IMAGE_REPOSITORY@$d2 || true" \
	-n removes-none "$deploy_cmd && jq -e '.pruned | length == 0' $T/answer" \
	>"$T/hyperfine.txt" 2>&1 || { cat "$T/hyperfine.txt"; exit 1; }
median() { jq -r ".results[] | select(.command == \"$1\") | .median * 1000" "$T/retention.json"; }
two=$(median removes-two); none=$(median removes-none)
printf '\nmedians (ms), %d runs each, redeploy of a held image (STARTUP_GRACE_SECONDS=1)\n' "$runs"
printf '  %-40s %8.1f\n' "deploy, retention removes none" "$none" "deploy, retention removes two" "$two"
printf '  %-40s %8.3f   (target: at most 1.2)\n' "removes two / removes none" "$(echo "$two / $none" | bc -l)"
