#!/bin/bash
# POST /v1/plan touches nothing and tells what a deploy would do; a deploy
# with expect_current_digest goes ahead only when what runs now matches.
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

# Nothing runs: the plan says so and would deploy.
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.0.0\"}"
check "plan with nothing running: 200" status_is 200
check "... status planned" json_is .status planned
check "... current absent" json_is '[.current.present, .current.running] | @tsv' "false	false"
check "... target digest from the registry" json_is .target.image_digest "$d1"
check "... would_deploy" json_is .would_deploy true
check "... expect_current_digest none" json_is .expect_current_digest none
check "... every check ok, in pipeline order" json_is '[.checks[] | "\(.check)=\(.ok)"] | join(",")' \
	"image-policy=true,runtime-env=true,request=true,lock=true,expect-current=true,pull=true,digest-pin=true"
check "plan pulled nothing" test -z "$(docker_cli images -q "$IMAGE_REPOSITORY")"
check "plan created nothing" test "$(container_count $name)" = 0
check "plan wrote no pin" test ! -e "$T/dev/state/pins/1.0.0"
check "plan left no history" test ! -s "$T/dev/state/deploys.jsonl"

# Deploy what the plan approved.
deploy dev "$IMAGE_REPOSITORY:1.0.0" '"expect_current_digest": "none"'
check "deploy expecting none over nothing: 200" status_is 200
check "... previous_digest none" json_is .previous_digest none
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:2.0.0\"}"
check "plan over 1.0.0: current is 1.0.0" json_is '[.current.running, .current.image, .current.image_digest] | @tsv' \
	"true	$IMAGE_REPOSITORY:1.0.0	$d1"
check "... current since" json_is '.current.since | length > 0' true
check "... target 2.0.0" json_is .target.image_digest "$d2"
check "... expect_current_digest is the running digest" json_is .expect_current_digest "$d1"

# Stale expectations are 412 and touch nothing.
deploy dev "$IMAGE_REPOSITORY:2.0.0" "\"expect_current_digest\": \"$d2\""
check "deploy with a stale expect_current_digest: 412" answer_is 412 "expect_current_digest is $d2"
check "... phase expect-current" json_is .phase expect-current
check "... 1.0.0 still runs" test "$(container_field $name '{{index .Config.Labels "dreichor.image"}}')" = "$IMAGE_REPOSITORY:1.0.0"
check "... 2.0.0 not pulled" test -z "$(docker_cli images -q "$IMAGE_REPOSITORY:2.0.0")"
deploy dev "$IMAGE_REPOSITORY:2.0.0" '"expect_current_digest": "none"'
check "expect_current_digest none while something runs: 412" answer_is 412 "runs now"
deploy dev "$IMAGE_REPOSITORY:2.0.0" '"expect_current_digest": "sha256:abc"'
check "malformed expect_current_digest: 400" answer_is 400 "expect_current_digest must be"
deploy dev "$IMAGE_REPOSITORY:2.0.0" '"expect_current_digest": 7'
check "expect_current_digest not a string: 400" answer_is 400 "expect_current_digest must be"
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:2.0.0\", \"expect_current_digest\": \"$d2\"}"
check "plan with a stale expectation lists the 412" json_is '[.would_deploy, (.checks[] | select(.check == "expect-current") | .status)] | @tsv' "false	412"
deploy dev "$IMAGE_REPOSITORY:2.0.0" "\"expect_current_digest\": \"$d1\""
check "deploy with the current digest expected: 200" status_is 200
check "... previous_digest is 1.0.0's" json_is .previous_digest "$d1"

# Refusals are listed, not errors.
call dev POST /v1/plan '{"image": "docker.io/library/busybox:1.36.1"}'
check "plan of an image outside policy: 200" status_is 200
check "... the image-policy refusal listed with 422" json_is '(.checks[] | select(.check == "image-policy")) | [.ok, .status] | @tsv' "false	422"
check "... would_deploy false" json_is .would_deploy false
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:9.9.9\"}"
check "plan of an unknown tag lists the 502 pull refusal" json_is '(.checks[] | select(.check == "pull")) | [.ok, .status] | @tsv' "false	502"
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.0.0\", \"env\": {\"LOG_LEVEL\": \"debug\"}}"
check "plan of an env override lists the 400" json_is '(.checks[] | select(.check == "request")) | [.ok, .status] | @tsv' "false	400"
# A pin that differs from what the registry says now.
printf '%s\n' "$d2" >"$T/dev/state/pins/1.0.0"
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.0.0\"}"
check "plan against a different pin lists the 409" json_is '(.checks[] | select(.check == "digest-pin")) | [.ok, .status] | @tsv' "false	409"
printf '%s\n' "$d1" >"$T/dev/state/pins/1.0.0"

# A held lock is reported, and the plan does not take it.
exec 9>>"$T/dev/state/deploy.lock"
flock -n 9 || hard_error "cannot take the lock for the test"
printf 'action=deploy\nimage=x\nrequest_id=held-by-test\nsince=now\n' >"$T/dev/state/deploy.lock"
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.0.0\"}"
check "plan while the lock is held lists the 409 and its holder" json_is '(.checks[] | select(.check == "lock")) | [.ok, .status, (.reason | contains("held-by-test"))] | @tsv' "false	409	true"
exec 9>&-
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.0.0\"}"
check "lock free again: the lock check is ok" json_is '(.checks[] | select(.check == "lock")) | .ok' true

# Bad bodies are the deploy's 400.
call dev POST /v1/plan '{"image": "x",}'
check "plan with malformed JSON: 400" status_is 400
call dev POST /v1/plan '{"image": "x", "volumes": []}'
check "plan with an override field: 400" answer_is 400 "field volumes is not accepted"
call dev GET /v1/plan
check "GET /v1/plan: 405" status_is 405
finish
