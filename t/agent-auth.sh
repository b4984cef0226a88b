#!/bin/bash
# What dreichor-agent answers by itself, before any endpoint runs:
# authentication, routing, framing limits, time limits, bad configuration.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

setup_env dev
set_agent_var dev DOCKER_HOST unix:///run/nonexistent-docker.sock
start_agent dev
ID="CF-Access-Client-Id: $CLIENT_ID"
SECRET="CF-Access-Client-Secret: $CLIENT_SECRET"

raw dev
check "no credentials: 401" answer_is 401 "CF-Access-Client-Id and CF-Access-Client-Secret headers are required"
check "error body has status error" json_is .status error
check "X-Request-Id header matches body" grep -qi "^X-Request-Id: $(jq -r .request_id <<<"$BODY")" "$T/headers"
raw dev -H "$ID"
check "secret missing: 401" status_is 401
raw dev -H "$SECRET"
check "id missing: 401" status_is 401
raw dev -H "$ID" -H "CF-Access-Client-Secret: wrong"
check "wrong secret: 403" answer_is 403 "service token not accepted"
check "403 reason does not echo the secret" bash -c "! grep -qF wrong '$T/body'"
raw dev -H "CF-Access-Client-Id: other" -H "$SECRET"
check "wrong id: 403" status_is 403
raw dev -H "$ID" -H "CF-Access-Client-Secret: ${CLIENT_SECRET}x"
check "secret with extra byte: 403" status_is 403

RAW_PATH=/v1/unknown raw dev -H "$ID" -H "$SECRET"
check "unknown path: 404" answer_is 404 "unknown path"
RAW_PATH=/v1/unknown raw dev
check "auth comes before routing (unknown path without credentials: 401)" status_is 401
RAW_PATH=/v1/status raw dev -X POST -H "$ID" -H "$SECRET"
check "POST /v1/status: 405" answer_is 405 "use GET"
check "405 carries Allow: GET" grep -qi '^Allow: GET' "$T/headers"
RAW_PATH=/v1/deploy raw dev -H "$ID" -H "$SECRET"
check "GET /v1/deploy: 405 with Allow: POST" bash -c "[ $STATUS = 405 ] && grep -qi '^Allow: POST' '$T/headers'"
RAW_PATH=/v1/stop raw dev -X DELETE -H "$ID" -H "$SECRET"
check "DELETE /v1/stop: 405" status_is 405

RAW_PATH=/v1/deploy raw dev -X POST -H "$ID" -H "$SECRET" -H 'Content-Type: application/json'
check "deploy without Content-Length or chunked framing: 411" answer_is 411 "Content-Length or chunked"
RAW_PATH=/v1/deploy raw dev -H "$ID" -H "$SECRET" -H 'Content-Type: text/plain' --data-binary '{"image":"x"}'
check "text/plain body: 415" answer_is 415 "application/json"
RAW_PATH=/v1/deploy raw dev -H "$ID" -H "$SECRET" --data-binary '{"image":"x"}'
check "form-encoded body: 415" status_is 415
head -c 70000 /dev/zero | tr '\0' 'a' >"$T/big"
RAW_PATH=/v1/deploy raw dev -H "$ID" -H "$SECRET" -H 'Content-Type: application/json' --data-binary @"$T/big"
check "body over 64 KiB: 413" status_is 413
RAW_PATH=/v1/status raw dev -H "$ID" -H "$SECRET" -H "X-Pad: $(head -c 9000 /dev/zero | tr '\0' 'p')"
check "head over 8 KiB: 431" status_is 431

# Raw bytes for what curl will not send.
send_raw() { # send_raw FILE: the answer's status line
	timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT_dev; cat '$1' >&3; cat <&3" | head -1 | tr -d '\r'
}
printf 'GET /v1/status HTTP/1.1\nHost: x\n\n' >"$T/lf"
check "bare LF line ends: 400" test "$(send_raw "$T/lf")" = "HTTP/1.1 400 Bad Request"
printf 'GET /v1/status HTTP/1.1\r\nX-A: a\r\n folded\r\n\r\n' >"$T/fold"
check "obs-fold: 400" test "$(send_raw "$T/fold")" = "HTTP/1.1 400 Bad Request"
printf 'GET /v1/status HTTP/1.1\r\nX-A: a\0b\r\n\r\n' >"$T/nul"
check "NUL byte: 400" test "$(send_raw "$T/nul")" = "HTTP/1.1 400 Bad Request"
printf 'POST /v1/deploy HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}' >"$T/dup"
check "duplicate Content-Length: 400" test "$(send_raw "$T/dup")" = "HTTP/1.1 400 Bad Request"
printf 'POST /v1/deploy HTTP/1.1\r\nContent-Length: -2\r\n\r\n' >"$T/neg"
check "negative Content-Length: 400" test "$(send_raw "$T/neg")" = "HTTP/1.1 400 Bad Request"
printf 'GET /v1/status HTTP/2.0\r\n\r\n' >"$T/v2"
check "HTTP/2.0 request line: 505" test "$(send_raw "$T/v2")" = "HTTP/1.1 505 HTTP Version Not Supported"
printf 'GET /v1/status HTTP/1.0\r\n\r\n' >"$T/v10"
check "HTTP/1.0 is parsed (then needs credentials: 401)" test "$(send_raw "$T/v10")" = "HTTP/1.1 401 Unauthorized"
printf 'GET /v1/status HTTP/1.1\r\n\r\n' >"$T/nohost"
check "HTTP/1.1 without Host: 400" test "$(send_raw "$T/nohost")" = "HTTP/1.1 400 Bad Request"

# Head time limit: a client that sends half a line and waits gets 408 after 5 s.
start=$(date +%s)
line=$(timeout 15 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT_dev; printf 'GET /v1/sta' >&3; cat <&3" | head -1 | tr -d '\r')
elapsed=$(( $(date +%s) - start ))
check "slow head: 408" test "$line" = "HTTP/1.1 408 Request Timeout"
# The property is the lower bound; the upper one only says it did end, generously for a busy machine.
check "slow head: closed after the 5 s limit, not before (${elapsed} s)" test "$elapsed" -ge 4 -a "$elapsed" -le 30

# Invalid agent configuration: every request gets 500 naming the variable, never a secret value.
stop_agent dev
set_agent_var dev CONTAINER_NAME dreichor-runtime-prod
start_agent dev
raw dev -H "$ID" -H "$SECRET"
check "invalid CONTAINER_NAME, authenticated client: 500 with the rule" answer_is 500 "CONTAINER_NAME: must be exactly dreichor-runtime-dev"
raw dev -H "$ID" -H "CF-Access-Client-Secret: wrong"
check "invalid CONTAINER_NAME, unauthenticated client: 500 naming only the variable" \
	answer_is 500 "agent configuration invalid: CONTAINER_NAME (the journal has the detail)"
check "... no rule text, no value" bash -c '! grep -q "must be\|dreichor-runtime-prod" <<<"$1"' _ "$BODY"
set_agent_var dev CONTAINER_NAME dreichor-runtime-dev
stop_agent dev
set_agent_var dev RUNTIME_ENV_FILE "$T/nowhere/secret-path/runtime.env"
start_agent dev
raw dev
check "invalid RUNTIME_ENV_FILE, no credentials: 500 without the path" answer_is 500 "agent configuration invalid: RUNTIME_ENV_FILE"
check "... the path is not in the answer" bash -c '! grep -q "secret-path" <<<"$1"' _ "$BODY"
set_agent_var dev RUNTIME_ENV_FILE "$T/dev/runtime.env"
stop_agent dev
set_agent_var dev CONTAINER_NAME dreichor-runtime-dev
set_agent_var dev CF_ACCESS_CLIENT_SECRET -
start_agent dev
raw dev -H "$ID" -H "$SECRET"
check "missing secret: 500 naming CF_ACCESS_CLIENT_SECRET" answer_is 500 "agent configuration invalid: CF_ACCESS_CLIENT_SECRET"

finish
