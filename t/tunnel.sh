#!/bin/bash
# What cloudflared sends, through the real dispatcher: chunked request
# bodies (decoded and handed on with CONTENT_LENGTH), Expect: 100-continue,
# the head with its Go-canonical names, keep-alive and Accept-Encoding, and
# Cf-Ray in the audit entry. Every call() here already carries that head.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
need_cmd socat

start_journald
start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
make_image 1.0.1 "$RUNTIME_SCRIPT"
setup_env dev
start_agent dev
name=dreichor-runtime-dev
ID="Cf-Access-Client-Id: $CLIENT_ID"
SECRET="Cf-Access-Client-Secret: $CLIENT_SECRET"

# read_answer: STATUS, the code of $T/answer's status line, and BODY, what follows its head.
read_answer() {
	STATUS=$(head -1 "$T/answer" | cut -d' ' -f2)
	BODY=$(sed '1,/^\r$/d' "$T/answer")
}
# exchange FILE: send FILE's bytes on one connection and keep the whole answer in $T/answer.
exchange() {
	timeout 60 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT_dev; cat '$1' >&3; cat <&3" >"$T/answer" 2>/dev/null
	read_answer
}
# head_for METHOD PATH EXTRA-HEADER-LINES...: a request head with the service token, CRLF line ends.
head_for() {
	local method=$1 path=$2; shift 2
	printf '%s %s HTTP/1.1\r\nHost: deploy-dev.example.com\r\n%s\r\n%s\r\n' "$method" "$path" "$ID" "$SECRET"
	for h in "$@"; do printf '%s\r\n' "$h"; done
	printf '\r\n'
}
# chunk TEXT: one chunk holding TEXT.
chunk() { printf '%x\r\n%s\r\n' "${#1}" "$1"; }

# A deploy whose body arrives chunked, in small pieces with extensions: it runs for real.
{
	head_for POST /v1/deploy 'Content-Type: application/json' 'Transfer-Encoding: chunked'
	chunk '{"image": '
	printf '7;source=cloudflared\r\n"%s\r\n' "${IMAGE_REPOSITORY:0:6}"
	chunk "${IMAGE_REPOSITORY:6}:1.0.0\""
	chunk ', "environment": "dev"}'
	printf '0\r\n\r\n'
} >"$T/chunked-deploy"
exchange "$T/chunked-deploy"
check "chunked deploy: 200 deployed" bash -c "[ '$STATUS' = 200 ] && jq -e '.status == \"deployed\"' <<<'$BODY' >/dev/null"
check "chunked deploy: the container runs the image" test "$(container_field $name '{{index .Config.Labels "dreichor.image"}}')" = "$IMAGE_REPOSITORY:1.0.0"

# The same through curl, which frames a body it reads from a pipe as chunked.
port=$PORT_dev
printf '{"image": "%s:1.0.1"}' "$IMAGE_REPOSITORY" | curl -s -o "$T/body" -w '%{http_code}' -H "$ID" -H "$SECRET" \
	-H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @- \
	"http://127.0.0.1:$port/v1/plan" >"$T/code"
STATUS=$(cat "$T/code"); BODY=$(cat "$T/body")
check "chunked plan from curl: 200 planned" bash -c "[ '$STATUS' = 200 ] && jq -e '.status == \"planned\" and .would_deploy == true' <<<'$BODY' >/dev/null"

# Malformed framing: 400 naming it, nothing touched.
before=$(container_field $name '{{.Id}}')
bad_chunked() { # bad_chunked BODY-BYTES: sent after a chunked deploy head, then the sending side shut down
	{ head_for POST /v1/deploy 'Content-Type: application/json' 'Transfer-Encoding: chunked'; printf '%b' "$1"; } >"$T/bad"
	timeout 60 socat -t 30 - "TCP:127.0.0.1:$PORT_dev" <"$T/bad" >"$T/answer" 2>/dev/null
	read_answer
}
bad_chunked 'zz\r\n{}\r\n0\r\n\r\n'
check "chunk size not hexadecimal: 400" answer_is 400 "malformed chunk size"
bad_chunked '-2\r\n{}\r\n0\r\n\r\n'
check "negative chunk size: 400" answer_is 400 "malformed chunk size"
bad_chunked '2\r\n{"a":1}\r\n0\r\n\r\n'
check "chunk longer than its size: 400" answer_is 400 "longer than its chunk size"
bad_chunked '2\n{}\r\n0\r\n\r\n'
check "chunk-size line ending in a bare LF: 400" answer_is 400 "CRLF"
bad_chunked '2\r\n{}\r\n0\r\nX-Sum: 1\r\n\r\n'
check "chunked trailer fields: 400" answer_is 400 "trailer"
bad_chunked '2\r\n{}\r\n'
check "chunked body closed before the last chunk: 400" answer_is 400 "closed before"
check "malformed chunked bodies touched nothing" test "$(container_field $name '{{.Id}}')" = "$before"

# Over 64 KiB in total, spread over many chunks: 413.
{
	head_for POST /v1/deploy 'Content-Type: application/json' 'Transfer-Encoding: chunked'
	block=$(head -c 4000 /dev/zero | tr '\0' ' ')
	for _ in $(seq 17); do chunk "$block"; done
	printf '0\r\n\r\n'
} >"$T/big"
exchange "$T/big"
check "chunked body over 64 KiB: 413" answer_is 413 "65536"

# Both framings at once, an unknown coding, HTTP/1.0 with chunked.
{ head_for POST /v1/deploy 'Content-Type: application/json' 'Transfer-Encoding: chunked' 'Content-Length: 6'; printf '0\r\n\r\n'; } >"$T/both"
exchange "$T/both"
check "Transfer-Encoding with Content-Length: 400" answer_is 400 "both Transfer-Encoding and Content-Length"
{ head_for POST /v1/deploy 'Content-Type: application/json' 'Transfer-Encoding: gzip'; } >"$T/gzip"
exchange "$T/gzip"
check "Transfer-Encoding gzip: 501" answer_is 501 "other than chunked"
head_for POST /v1/deploy 'Content-Type: application/json' >"$T/none"
exchange "$T/none"
check "no body framing on deploy: 411" answer_is 411 "Content-Length or chunked"

# A chunked body that stalls: 408 after the body deadline, and nothing was touched.
head_for POST /v1/deploy 'Content-Type: application/json' 'Transfer-Encoding: chunked' >"$T/stall"
printf '20\r\n{"image": "' >>"$T/stall"
t0=$(date +%s)
timeout 60 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT_dev; cat '$T/stall' >&3; cat <&3" >"$T/answer"
log "stalled chunked body answered after $(( $(date +%s) - t0 )) s (body limit 10 s)"
check "stalled chunked body: 408" test "$(head -1 "$T/answer" | cut -d' ' -f2)" = 408
check "stalled chunked body touched nothing" test "$(container_field $name '{{.Id}}')" = "$before"

# Expect: 100-continue. The interim answer comes only after authentication and routing passed;
# the body is sent only once it is there, as a client does.
expect_exchange() { # expect_exchange HEAD-FILE BODY-FILE: first status line in FIRST, all in $T/answer
	timeout 60 bash -c "
		exec 3<>/dev/tcp/127.0.0.1/$PORT_dev
		cat '$1' >&3
		IFS= read -r first <&3
		printf '%s\n' \"\$first\"
		case \$first in *' 100 '*) IFS= read -r blank <&3; cat '$2' >&3 ;; esac
		cat <&3" >"$T/answer" 2>/dev/null
	FIRST=$(head -1 "$T/answer" | tr -d '\r')
}
printf '{"image": "%s:1.0.1"}' "$IMAGE_REPOSITORY" >"$T/plan-body"
head_for POST /v1/plan 'Content-Type: application/json' "Content-Length: $(wc -c <"$T/plan-body")" 'Expect: 100-continue' >"$T/expect-head"
expect_exchange "$T/expect-head" "$T/plan-body"
check "Expect: 100-continue: 100 Continue first" test "$FIRST" = "HTTP/1.1 100 Continue"
check "Expect: 100-continue: then the plan's 200" bash -c "grep -a '^HTTP/1.1 ' '$T/answer' | sed -n 2p | grep -q '^HTTP/1.1 200 '"
check "Expect: 100-continue: the body arrived whole" grep -q '"status":"planned"' "$T/answer"
{ head_for POST /v1/plan 'Content-Type: application/json' 'Transfer-Encoding: chunked' 'Expect: 100-continue'; } >"$T/expect-chunked-head"
{ chunk "$(cat "$T/plan-body")"; printf '0\r\n\r\n'; } >"$T/expect-chunked-body"
expect_exchange "$T/expect-chunked-head" "$T/expect-chunked-body"
check "Expect with a chunked body: 100, then 200" bash -c "[ '$FIRST' = 'HTTP/1.1 100 Continue' ] && grep -q '\"status\":\"planned\"' '$T/answer'"
sed "s/^Cf-Access-Client-Secret: .*/Cf-Access-Client-Secret: wrong-secret-wrong-secret-wrong-secret\r/" "$T/expect-head" >"$T/expect-wrong"
expect_exchange "$T/expect-wrong" "$T/plan-body"
check "Expect with the wrong secret: the final 403, no 100" test "$FIRST" = "HTTP/1.1 403 Forbidden"
sed 's#^POST /v1/plan #POST /v1/nowhere #' "$T/expect-head" >"$T/expect-404"
expect_exchange "$T/expect-404" "$T/plan-body"
check "Expect on an unknown path: the final 404, no 100" test "$FIRST" = "HTTP/1.1 404 Not Found"
sed 's/^Expect: 100-continue/Expect: 200-ok/' "$T/expect-head" >"$T/expect-other"
expect_exchange "$T/expect-other" "$T/plan-body"
check "Expect other than 100-continue: 417" test "$FIRST" = "HTTP/1.1 417 Expectation Failed"
RAW_PATH=/v1/plan raw dev -H "$ID" -H "$SECRET" -H 'Content-Type: application/json' -H 'Expect: 100-continue' \
	--expect100-timeout 60 --data-binary @"$T/plan-body"
check "curl with Expect: 200 (it got its 100)" status_is 200

# The cloudflared head: the answer is never compressed and always closes; Cf-Ray is audited.
call dev GET /v1/status
ray=$CF_RAY
check "cloudflared head: 200" status_is 200
RAW_PATH=/v1/status raw dev "${CF_HEAD[@]}" -H "$ID" -H "$SECRET"
check "answer to Accept-Encoding is not compressed" bash -c "! grep -qi '^Content-Encoding' '$T/headers'"
check "answer to keep-alive still closes" grep -qi '^Connection: close' "$T/headers"
rid() { jq -r .request_id <<<"$BODY"; }
call dev GET /v1/status
check "accepted request: DREICHOR_CF_RAY in its audit entry" test "$(journal_entry "$(rid)" | jq -r .DREICHOR_CF_RAY)" = "$CF_RAY"
cloudflared_head
RAW_PATH=/v1/status raw dev "${CF_HEAD[@]}" -H "$ID" -H 'Cf-Access-Client-Secret: not-it'
check "refused request: DREICHOR_CF_RAY in its audit entry" test "$(journal_entry "$(rid)" | jq -r .DREICHOR_CF_RAY)" = "$CF_RAY"
RAW_PATH=/v1/status raw dev -H "$ID" -H "$SECRET" -H 'Cf-Ray: 8f1b;rm -rf'
check "malformed Cf-Ray: 400" answer_is 400 "Cf-Ray"
RAW_PATH=/v1/status raw dev -H "$ID" -H "$SECRET"
check "no Cf-Ray: no DREICHOR_CF_RAY field" test "$(journal_entry "$(rid)" | jq -r '.DREICHOR_CF_RAY // "absent"')" = absent
[ -n "$ray" ] || hard_error "no Cf-Ray was sent"

finish
