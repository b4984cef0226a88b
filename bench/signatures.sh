#!/bin/bash
# Benchmark: what image signatures cost (targets: a signed deploy at most
# 150 ms more than an unsigned one; plan with signatures at most 2x
# status; medians, same run, loopback registry). dev checks a cosign
# signature (IMAGE_SIGNATURE_KEYS), prod runs with IMAGE_SIGNATURES=off;
# both redeploy the same held image (no pull), and each signed run first
# forgets what deploys verified (STATE_DIRECTORY/verified-signatures), so
# the difference is the signature step asking the registry. Plans: of
# a signed digest no deploy verified (dreichor-registry run by the
# endpoint: the .sig manifest, the payload blob, one ECDSA verification)
# and of the deployed one. Run as root from a built tree:
# bench/signatures.sh [RUNS]
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/lib-sign.sh" || hard_error "t/lib-sign.sh is missing"
need_cmd hyperfine openssl
runs=${1:-20}

start_dockerd
start_registry
REG_URL=http://$REGISTRY
make_image 1.0.0 "$RUNTIME_SCRIPT"
make_image 1.0.1 "$RUNTIME_SCRIPT"
make_signing_key ci
sign_simple ci "$(image_digest 1.0.0)"
sign_simple ci "$(image_digest 1.0.1)"
for env in dev prod; do
	setup_env "$env"
	set_agent_var "$env" STARTUP_GRACE_SECONDS 1
	set_agent_var "$env" STOP_TIMEOUT_SECONDS 0
done
set_agent_var dev IMAGE_SIGNATURE_KEYS "$T/keys/ci.pub"
start_agent dev
start_agent prod
for env in dev prod; do
	deploy "$env" "$IMAGE_REPOSITORY:1.0.0"
	status_is 200 || hard_error "the first $env deploy failed: $BODY"
done
auth="-H 'CF-Access-Client-Id: $CLIENT_ID' -H 'CF-Access-Client-Secret: $CLIENT_SECRET'"
body="-H 'Content-Type: application/json' --data-binary '{\"image\":\"$IMAGE_REPOSITORY:1.0.0\"}'"
# Each signed run first forgets what earlier deploys verified, so that it asks the registry.
hyperfine --warmup 2 --runs "$runs" --export-json "$T/deploy.json" \
	--prepare "rm -f $T/dev/state/verified-signatures" -n signed "curl -sf -o $T/signed $auth $body http://127.0.0.1:$PORT_dev/v1/deploy && jq -e '.signature.key' $T/signed" \
	--prepare true -n unsigned "curl -sf -o $T/unsigned $auth $body http://127.0.0.1:$PORT_prod/v1/deploy && jq -e 'has(\"signature\") | not' $T/unsigned" \
	>"$T/hyperfine-deploy.txt" 2>&1 || { cat "$T/hyperfine-deploy.txt"; exit 1; }
hyperfine -N --warmup 5 --runs "$((runs * 5))" --export-json "$T/plan.json" \
	-n status "curl -sf -o /dev/null $auth http://127.0.0.1:$PORT_dev/v1/status" \
	-n "plan, signature asked" "curl -sf -o /dev/null $auth ${body/1.0.0/1.0.1} http://127.0.0.1:$PORT_dev/v1/plan" \
	-n "plan, signature remembered" "curl -sf -o /dev/null $auth $body http://127.0.0.1:$PORT_dev/v1/plan" \
	-n "plan, IMAGE_SIGNATURES=off" "curl -sf -o /dev/null $auth $body http://127.0.0.1:$PORT_prod/v1/plan" \
	>"$T/hyperfine-plan.txt" 2>&1 || { cat "$T/hyperfine-plan.txt"; exit 1; }
# The signature step's own time, as each signed deploy's phases report it (registry asked each time).
for i in $(seq "$runs"); do
	rm -f "$T/dev/state/verified-signatures"
	deploy dev "$IMAGE_REPOSITORY:1.0.0"
	jq -r '.phases[] | select(.phase == "signature") | .duration_ms' <<<"$BODY"
done | sort -n >"$T/step.txt"
step=$(awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }' "$T/step.txt")
median() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median * 1000' "$1"; }
signed=$(median "$T/deploy.json" signed); unsigned=$(median "$T/deploy.json" unsigned)
status=$(median "$T/plan.json" status); plan=$(median "$T/plan.json" "plan, signature asked")
remembered=$(median "$T/plan.json" "plan, signature remembered")
plan_off=$(median "$T/plan.json" "plan, IMAGE_SIGNATURES=off")
printf '\nmedians (ms), redeploy of a held image (STARTUP_GRACE_SECONDS=1), %d runs each\n' "$runs"
printf '  %-40s %8.1f\n' "deploy, IMAGE_SIGNATURES=off (prod)" "$unsigned" "deploy, signature checked (dev)" "$signed"
printf '  %-40s %8.1f   (target: at most 150)\n' "signed - unsigned" "$(echo "$signed - $unsigned" | bc -l)"
printf '  %-40s %8.1f   (the phase duration in the answer)\n' "signature step, registry asked" "$step"
printf 'medians (ms), %d runs each\n' "$((runs * 5))"
printf '  %-40s %8.1f\n' "status (dev)" "$status" "plan, IMAGE_SIGNATURES=off (prod)" "$plan_off" \
	"plan, signature asked (dev)" "$plan" "plan, signature remembered (dev)" "$remembered"
printf '  %-40s %8.2f   (target: at most 2)\n' "plan, asked / status" "$(echo "$plan / $status" | bc -l)" \
	"plan, remembered / status" "$(echo "$remembered / $status" | bc -l)"
