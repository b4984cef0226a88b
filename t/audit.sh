#!/bin/bash
# Every request, accepted or refused, is one structured journal entry with
# the contract's fields, read back from a real systemd-journald; no entry
# holds the client secret or the DATABASE_URL password.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

need_root
start_journald
since=$(date +%s)

start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
make_image 1.0.2 'echo failing-start-line; exit 4'
make_image 1.0.5 'echo "config: DATABASE_URL=$DATABASE_URL"; echo "FATAL: password authentication failed (password db-pass-dev)"; exit 6'
setup_env dev
start_agent dev

entry() { journal_entry "$@"; }
rid() { printf '%s' "$BODY" | jq -r .request_id; }
# field_has JSON FIELD TEXT: the field contains TEXT (values passed as arguments, never spliced into code).
field_has() {
	printf '%s' "$1" | jq -r ".$2" | grep -qF -- "$3" || { log "$2 lacks '$3' in $1"; return 1; }
}
field_is() { # field_is JSON FIELD VALUE
	local got; got=$(printf '%s' "$1" | jq -r ".$2")
	[ "$got" = "$3" ] || { log "$2: expected '$3', got '$got'"; return 1; }
}

call dev GET /v1/status
E=$(entry "$(rid)")
check "status: exactly one entry" test "$(printf '%s\n' "$E" | grep -c .)" = 1
check "status: SYSLOG_IDENTIFIER" field_is "$E" SYSLOG_IDENTIFIER dreichor-agent
check "status: ENVIRONMENT" field_is "$E" DREICHOR_ENVIRONMENT dev
check "status: ACTION" field_is "$E" DREICHOR_ACTION status
check "status: RESULT" field_is "$E" DREICHOR_RESULT ok
check "status: HTTP_STATUS" field_is "$E" DREICHOR_HTTP_STATUS 200
check "status: CLIENT_ID" field_is "$E" DREICHOR_CLIENT_ID "$CLIENT_ID"
check "status: DURATION_MS is a number" field_is "$E" 'DREICHOR_DURATION_MS | test("^[0-9]+$")' true

raw dev -H "CF-Access-Client-Id: intruder" -H "CF-Access-Client-Secret: guess-$CLIENT_SECRET"
E=$(entry "$(rid)")
check "wrong token: ACTION refused" field_is "$E" DREICHOR_ACTION refused
check "wrong token: RESULT error" field_is "$E" DREICHOR_RESULT error
check "wrong token: HTTP_STATUS 403" field_is "$E" DREICHOR_HTTP_STATUS 403
check "wrong token: the presented id is recorded" field_is "$E" DREICHOR_CLIENT_ID intruder
raw dev
check "missing token: refused 401" field_is "$(entry "$(rid)")" DREICHOR_HTTP_STATUS 401
RAW_PATH=/v1/nothing raw dev -H "CF-Access-Client-Id: $CLIENT_ID" -H "CF-Access-Client-Secret: $CLIENT_SECRET"
check "unknown path: refused 404" field_is "$(entry "$(rid)")" DREICHOR_HTTP_STATUS 404

deploy dev "$IMAGE_REPOSITORY:1.0.0"
E=$(entry "$(rid)")
check "deploy: ACTION deploy" field_is "$E" DREICHOR_ACTION deploy
check "deploy: RESULT ok" field_is "$E" DREICHOR_RESULT ok
check "deploy: IMAGE" field_is "$E" DREICHOR_IMAGE "$IMAGE_REPOSITORY:1.0.0"
check "deploy: IMAGE_DIGEST" field_is "$E" DREICHOR_IMAGE_DIGEST "$(printf '%s' "$BODY" | jq -r .image_digest)"
check "deploy: start logs in the journal" field_has "$E" DREICHOR_CONTAINER_LOGS "runtime starting in dev"

deploy dev "$IMAGE_REPOSITORY:1.0.2"
E=$(entry "$(rid)")
check "failed deploy: RESULT error" field_is "$E" DREICHOR_RESULT error
check "failed deploy: HTTP_STATUS 500" field_is "$E" DREICHOR_HTTP_STATUS 500
check "failed deploy: PHASE grace" field_is "$E" DREICHOR_PHASE grace
check "failed deploy: REASON has the exit code" field_has "$E" DREICHOR_REASON "exited with code 4"
check "failed deploy: EXIT_CODE 4" field_is "$E" DREICHOR_EXIT_CODE 4
check "failed deploy: container logs in the journal" field_has "$E" DREICHOR_CONTAINER_LOGS failing-start-line

deploy dev "$IMAGE_REPOSITORY:latest"
E=$(entry "$(rid)")
check "refused image: PHASE image-policy, 422" field_is "$E" '"DREICHOR_PHASE" + "/" + .DREICHOR_HTTP_STATUS' "image-policy/422"
check "refused image: IMAGE recorded" field_is "$E" DREICHOR_IMAGE "$IMAGE_REPOSITORY:latest"

call dev POST /v1/deploy "{\"image\": \"$IMAGE_REPOSITORY:1.0.0\", \"env\": {\"DATABASE_URL\": \"postgres://u:db-pass-dev@x/dreichor_dev\"}}"
check "override with the password: 400" status_is 400
call dev POST /v1/stop
E=$(entry "$(rid)")
check "stop: ACTION stop, ok" field_is "$E" '"DREICHOR_ACTION" + "/" + .DREICHOR_RESULT' "stop/ok"

# Operator queries from docs/operations.md work and find these entries.
check "journalctl by environment and action" bash -c \
	"journalctl --since=@$since -o json SYSLOG_IDENTIFIER=dreichor-agent DREICHOR_ENVIRONMENT=dev DREICHOR_ACTION=deploy DREICHOR_CLIENT_ID=$CLIENT_ID | grep -c . | grep -qx 4"

# Plan and history are audited under their own actions; a replace records what ran before and how it stopped.
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.0.0\"}"
check "plan: ACTION plan, ok, IMAGE" field_is "$(entry "$(rid)")" '"DREICHOR_ACTION" + "/" + .DREICHOR_RESULT + "/" + .DREICHOR_IMAGE' "plan/ok/$IMAGE_REPOSITORY:1.0.0"
call dev GET /v1/deploys
check "deploys: ACTION deploys" field_is "$(entry "$(rid)")" DREICHOR_ACTION deploys
deploy dev "$IMAGE_REPOSITORY:1.0.0"
digest=$(printf '%s' "$BODY" | jq -r .image_digest)
deploy dev "$IMAGE_REPOSITORY:1.0.0"
E=$(entry "$(rid)")
check "replace: PREVIOUS_DIGEST" field_is "$E" DREICHOR_PREVIOUS_DIGEST "$digest"
check "replace: STOP_KILLED (sleep as PID 1 ignores SIGTERM)" field_is "$E" DREICHOR_STOP_KILLED true
check "replace: STOP_DURATION_MS is a number" field_is "$E" 'DREICHOR_STOP_DURATION_MS | test("^[0-9]+$")' true

# A runtime that prints its configuration: the password never leaves the agent.
deploy dev "$IMAGE_REPOSITORY:1.0.5"
check "runtime printing DATABASE_URL: 500" status_is 500
check "... the URL is masked in the answer's logs" json_is '.logs[0]' "config: DATABASE_URL=***"
check "... the bare password too" json_is '.logs[1]' "FATAL: password authentication failed (password ***)"
check "... the reason quotes the masked lines" reason_has "DATABASE_URL=*** | FATAL"
# The review's case: a failed deploy behind Cloudflare that replaced a running container
# carries every field at once; none is dropped for want of room.
E=$(entry "$(rid)")
for field in DREICHOR_CF_RAY DREICHOR_PREVIOUS_DIGEST DREICHOR_STOP_DURATION_MS DREICHOR_STOP_KILLED \
	DREICHOR_EXIT_CODE DREICHOR_CONTAINER_LOGS DREICHOR_REASON DREICHOR_PHASE DREICHOR_IMAGE_DIGEST DREICHOR_DURATION_MS; do
	check "failed replace behind the edge: $field kept" field_is "$E" "\"$field\" | type" string
done
check "... no password anywhere in the answer" bash -c "! grep -qF db-pass-dev '$T/body'"
call dev GET /v1/deploys
check "... nor in the history" bash -c "! grep -qF db-pass-dev '$T/body' && ! grep -qF db-pass-dev '$T/dev/state/deploys.jsonl'"

# A refusal after the request line parsed names its method and path (CONTRACT 7), whichever
# later line was refused, and the path as parsed (no query); the request line's own refusal names
# neither. Raw bytes, for what curl will not send.
raw_answer() { # raw_answer FILE: send FILE's bytes; STATUS and BODY of the answer
	local answer
	answer=$(timeout 15 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT_dev; cat '$1' >&3; cat <&3" | tr -d '\r')
	STATUS=$(sed -n '1s/^HTTP\/1\.1 \([0-9]*\) .*/\1/p' <<<"$answer")
	BODY=$(sed '1,/^$/d' <<<"$answer")
}
head_of() { printf 'POST /v1/deploy%s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' "${2:-}" >"$T/$1"; }
head_of fold; printf ' folded\r\nContent-Length: 2\r\n\r\n{}' >>"$T/fold"
head_of badname '?dry=1'; printf 'Bad Name: v\r\n\r\n' >>"$T/badname"
head_of dupcl; printf 'Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}' >>"$T/dupcl"
head_of nul; printf 'X-A: a\0b\r\n\r\n' >>"$T/nul"
head_of toolong; printf 'X-Pad: %s\r\n\r\n' "$(head -c 9000 /dev/zero | tr '\0' p)" >>"$T/toolong"
head_of toomany; for i in $(seq 65); do printf 'X-%d: v\r\n' "$i"; done >>"$T/toomany"; printf '\r\n' >>"$T/toomany"
for c in "fold|obs-folded header line|400" "badname|bad header name (a query on the path)|400" \
	"dupcl|duplicate Content-Length|400" "nul|NUL byte in a header|400" "toolong|header too long|431" \
	"toomany|65 header fields|431"; do
	IFS='|' read -r file what status <<<"$c"
	raw_answer "$T/$file"
	E=$(entry "$(rid)")
	check "$what: $status" test "$STATUS" = "$status"
	check "$what: METHOD POST" field_is "$E" DREICHOR_METHOD POST
	check "$what: PATH /v1/deploy" field_is "$E" DREICHOR_PATH /v1/deploy
done
# A head that stops after its request line: 408 after the 5 s limit, still with both.
head_of late
answer=$(timeout 15 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT_dev; cat '$T/late' >&3; cat <&3" | tr -d '\r')
BODY=$(sed '1,/^$/d' <<<"$answer")
E=$(entry "$(rid)")
check "head cut short: 408, METHOD POST, PATH /v1/deploy" field_is "$E" \
	'DREICHOR_HTTP_STATUS + " " + .DREICHOR_METHOD + " " + .DREICHOR_PATH' "408 POST /v1/deploy"
printf 'POST /v1/deploy HTTP/9.9\r\nHost: x\r\n\r\n' >"$T/badversion"
raw_answer "$T/badversion"
E=$(entry "$(rid)")
check "HTTP/9.9 request line: 505" test "$STATUS" = 505
check "... names no method" field_is "$E" 'DREICHOR_METHOD // "absent"' absent
check "... nor path" field_is "$E" 'DREICHOR_PATH // "absent"' absent

# No entry anywhere holds the secret or the database password.
journalctl --since=@"$since" -o json >"$T/journal.json"
check "journal read back" test -s "$T/journal.json"
check "no entry holds the client secret" bash -c "! grep -qF -- '$CLIENT_SECRET' '$T/journal.json'"
check "no entry holds the DATABASE_URL password" bash -c "! grep -qF db-pass-dev '$T/journal.json'"

finish
