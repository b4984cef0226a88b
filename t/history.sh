#!/bin/bash
# GET /v1/deploys: every deploy, stop and refused deploy, newest first,
# kept in an append-only file that survives a torn line; stop accounting.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
make_image 2.0.0 'trap "echo got TERM; exit 0" TERM; echo up; while :; do sleep 1; done'
make_image 1.0.3 'echo failing-start-line; exit 3'
setup_env dev
start_agent dev
history="$T/dev/state/deploys.jsonl"
deploys() { call dev GET "/v1/deploys${1:+?$1}"; }

deploys
check "no history file yet: 200" status_is 200
check "... an empty list" json_is '.deploys | length' 0

deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "deploy 1.0.0: 200" status_is 200
first_digest=$(printf '%s' "$BODY" | jq -r .image_digest)
check "... nothing ran before: no stop report" json_is '[has("stop_duration_ms"), has("stop_killed")] | @tsv' "false	false"
# 1.0.0 runs sleep as PID 1, which ignores SIGTERM: the engine kills it after STOP_TIMEOUT_SECONDS (2).
deploy dev "$IMAGE_REPOSITORY:2.0.0"
check "deploy 2.0.0 over 1.0.0: 200" status_is 200
check "... the old container had to be killed" json_is .stop_killed true
check "... after at least STOP_TIMEOUT_SECONDS" json_is '.stop_duration_ms >= 2000' true
log "measured: 1.0.0 took $(printf '%s' "$BODY" | jq .stop_duration_ms) ms to stop (STOP_TIMEOUT_SECONDS=2)"
second_digest=$(printf '%s' "$BODY" | jq -r .image_digest)
deploy dev "$IMAGE_REPOSITORY:1.0.3"
check "deploy of a crashing 1.0.3: 500" status_is 500
deploy dev "docker.io/library/busybox:1.36.1"
check "deploy outside the policy: 422" status_is 422
call dev POST /v1/stop
check "stop: 200, nothing running after the failed deploy" json_is .was_present false
deploy dev "$IMAGE_REPOSITORY:2.0.0"
check "deploy 2.0.0 again: 200" status_is 200
call dev POST /v1/stop
check "stop of 2.0.0, which exits on SIGTERM: 200" status_is 200
check "... not killed" json_is .stop_killed false
check "... its stop duration reported" json_is '.stop_duration_ms >= 0' true

deploys
check "history: 200" status_is 200
check "history: newest first, every deploy, refusal and stop" \
	json_is '[.deploys[] | "\(.action):\(.result):\(.http_status)"] | join(",")' \
	"stop:ok:200,deploy:ok:200,stop:ok:200,deploy:error:422,deploy:error:500,deploy:ok:200,deploy:ok:200"
check "history: the failed deploy's phase and exit code" json_is '.deploys[4] | [.phase, .exit_code] | @tsv' "grace	3"
check "history: the failed deploy's previous digest" json_is '.deploys[4].previous_digest' "$second_digest"
check "history: the replace of 1.0.0 records its digest and kill" \
	json_is '.deploys[5] | [.image_digest, .previous_digest, .stop_killed] | @tsv' "$second_digest	$first_digest	true"
check "history: the first deploy had nothing before it" json_is '.deploys[6].previous_digest' none
check "history: request and client ids, time, duration" \
	json_is '.deploys[0] | [(.request_id | length), .client_id, (.time | test("^20")), (.duration_ms >= 0)] | @tsv' "32	$CLIENT_ID	true	true"
check "history: the stop names what it stopped" json_is '.deploys[0] | [.image, .stop_killed] | @tsv' "$IMAGE_REPOSITORY:2.0.0	false"
check "history: no status requests in it" json_is '[.deploys[] | select(.action == "status")] | length' 0

deploys limit=2
check "limit=2: two entries, the newest" json_is '[(.deploys | length), .deploys[0].action] | @tsv' "2	stop"
for bad in limit=0 limit=-1 limit=201 limit=abc limit= limit=2x "limit=2&x=1" "count=2" "limit=99999999999999999999"; do
	deploys "$bad"
	check "deploys?$bad: 400" answer_is 400 "the only query parameter is limit"
done
deploys limit=200
check "limit=200: 200" status_is 200

# A kill mid-write leaves a torn last line: skipped, and the next entry starts a line of its own.
printf '{"time":"2026-01-01T00:00:00Z","action":"dep' >>"$history"
deploys
check "history truncated mid-line: 200 with the whole entries" json_is '.deploys | length' 7
deploy dev "$IMAGE_REPOSITORY:9.9.9"
check "a deploy after the torn line (unknown tag): 502" status_is 502
deploys
check "... its entry is read, the torn one skipped" json_is '[(.deploys | length), .deploys[0].http_status, .deploys[1].action] | @tsv' "8	502	stop"
check "... the file's lines are each whole or the torn one" test "$(grep -vc '^{.*}$' "$history")" = 1

# The file stays bounded: past 1 MiB the oldest half goes.
line=$(head -1 "$history")
for i in $(seq 4000); do printf '%s\n' "$line"; done >"$T/filler"
cat "$T/filler" "$history" >"$history.new" && mv "$history.new" "$history"
before=$(stat -c %s "$history")
call dev POST /v1/stop
after=$(stat -c %s "$history")
log "history file: $before bytes before the append, $after after"
check "history over 1 MiB is cut to about half on the next append" test "$before" -gt 1048576 -a "$after" -le 600000
deploys limit=1
check "... and the newest entry survives" json_is '.deploys[0].action' stop
check "... lines are kept whole: only the torn one is not an object" test "$(grep -vc '^{.*}$' "$history")" = 1

# Missing again (an operator removed it): an empty list, not an error.
rm -f "$history"
deploys
check "history file removed: 200 with an empty list" json_is '.deploys | length' 0
finish
