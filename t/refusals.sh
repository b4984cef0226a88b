#!/bin/bash
# Plan and deploy share one table of steps, so they refuse the same bad
# requests, in the same order: for each request below (some with two
# faults at once), the deploy's status and phase are the plan's first
# refused check, and the running container is untouched.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
make_image 2.0.0 "$RUNTIME_SCRIPT"
setup_env dev
start_agent dev
name=dreichor-runtime-dev
d1=$(registry_digest 1.0.0)
d2=$(registry_digest 2.0.0)
[ -n "$d1" ] && [ -n "$d2" ] || hard_error "no digests from the registry"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
[ "$STATUS" = 200 ] || hard_error "the first deploy failed: $BODY"
cid=$(container_field $name '{{.Id}}')
untouched() { [ "$(container_field $name '{{.Id}}')/$(container_field $name '{{.State.Status}}')" = "$cid/running" ]; }

# What a case needs around it: a broken runtime env file, the lock held, a pin that differs.
hold_lock() {
	exec 9>>"$T/dev/state/deploy.lock"
	flock -n 9 || hard_error "cannot take the lock for the test"
	printf 'action=deploy\nimage=x\nrequest_id=held-by-test\nsince=now\n' >"$T/dev/state/deploy.lock"
}
free_lock() { exec 9>&-; }
break_runtime_env() { cp "$T/dev/runtime.env" "$T/runtime.env.good"; echo 'EXECUTION_PLANE=live' >>"$T/dev/runtime.env"; }
mend_runtime_env() { cp "$T/runtime.env.good" "$T/dev/runtime.env"; }
move_pin() { printf '%s\n' "$d1" >"$T/dev/state/pins/2.0.0"; }
drop_pin() { rm -f "$T/dev/state/pins/2.0.0"; }
none() { :; }

R=$IMAGE_REPOSITORY
override='"env": {"LOG_LEVEL": "debug"}'
# name | body fields | before | after | expected phase of the first refusal | status
cases=(
	"env override|\"image\": \"$R:2.0.0\", $override|none|none|request|400"
	"image outside the policy|\"image\": \"docker.io/library/busybox:1.36.1\"|none|none|image-policy|422"
	"latest tag|\"image\": \"$R:latest\"|none|none|image-policy|422"
	"latest tag and an env override|\"image\": \"$R:latest\", $override|none|none|image-policy|422"
	"invalid runtime env file|\"image\": \"$R:2.0.0\"|break_runtime_env|mend_runtime_env|runtime-env|500"
	"invalid runtime env file and an env override|\"image\": \"$R:2.0.0\", $override|break_runtime_env|mend_runtime_env|runtime-env|500"
	"lock held|\"image\": \"$R:2.0.0\"|hold_lock|free_lock|lock|409"
	"lock held and a stale expectation|\"image\": \"$R:2.0.0\", \"expect_current_digest\": \"$d2\"|hold_lock|free_lock|lock|409"
	"stale expectation|\"image\": \"$R:2.0.0\", \"expect_current_digest\": \"$d2\"|none|none|expect-current|412"
	"stale expectation and an unknown tag|\"image\": \"$R:9.9.9\", \"expect_current_digest\": \"none\"|none|none|expect-current|412"
	"unknown tag|\"image\": \"$R:9.9.9\"|none|none|pull|502"
	"tag with a digest it does not resolve to|\"image\": \"$R:1.0.0@$d2\"|none|none|digest-pin|409"
	"tag pinned to another digest|\"image\": \"$R:2.0.0\"|move_pin|drop_pin|digest-pin|409"
)
for c in "${cases[@]}"; do
	IFS='|' read -r what fields before after phase status <<<"$c"
	$before
	call dev POST /v1/plan "{$fields}"
	plan_status=$STATUS
	plan_first=$(jq -r '[.checks[] | select(.ok == false)][0] | "\(.check) \(.status)"' <<<"$BODY")
	plan_refusals=$(jq -r '[.checks[] | select(.ok == false) | .check] | join(",")' <<<"$BODY")
	call dev POST /v1/deploy "{$fields}"
	deploy_first="$(jq -r .phase <<<"$BODY") $STATUS"
	log "$what: plan refuses [$plan_refusals], deploy $deploy_first"
	check "$what: plan 200, its first refusal $phase $status" test "$plan_status/$plan_first" = "200/$phase $status"
	check "$what: deploy $status in $phase, as the plan said" test "$deploy_first" = "$phase $status"
	check "$what: running container untouched" untouched
	$after
done
# Two faults: the plan lists both, in the deploy's order.
call dev POST /v1/plan "{\"image\": \"$R:9.9.9\", \"expect_current_digest\": \"none\", $override}"
check "plan lists every refusal in the table's order" json_is '[.checks[] | select(.ok == false) | .check] | join(",")' \
	"request,expect-current,pull"
finish
