#!/bin/bash
# The dispatcher hands the request to the endpoint intact: CGI variables
# set, the body byte for byte on stdin (over a pipe and over a real socket
# where head and body arrive together), and no secret in its environment.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
need_cmd systemd-socket-activate curl

# A stand-in endpoint that reports what it was given.
mkdir -p "$T/libexec"
# The endpoint's environment is built from an allow-list, so the report's place is written into it.
cat >"$T/libexec/dreichor-deploy" <<EOT
#!/bin/sh
body=\$(head -c "\${CONTENT_LENGTH:-0}" | od -An -tx1 | tr -d ' \\n')
env | sort >"$T/env"
printf '%s' "\$body" >"$T/body"
printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'
EOT
chmod +x "$T/libexec/dreichor-deploy"
cp "$T/libexec/dreichor-deploy" "$T/libexec/dreichor-stop"

setup_env dev
set_agent_var dev DREICHOR_LIBEXECDIR "$T/libexec"
set_agent_var dev UNLISTED_VARIABLE leaks-if-passed
set_agent_var dev DOCKER_HOST unix:///run/nonexistent.sock

BODY_TEXT='{"image": "x", "pad": "'$(head -c 3000 /dev/zero | tr '\0' 'b')'", "utf8": "é"}'
expected=$(printf '%s' "$BODY_TEXT" | od -An -tx1 | tr -d ' \n')

# 1. Through a pipe, with the body in the same write as the head.
len=$(printf '%s' "$BODY_TEXT" | wc -c)
printf 'POST /v1/deploy?x=1 HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: %d\r\nCF-Access-Client-Id: %s\r\nCF-Access-Client-Secret: %s\r\n\r\n%s' \
	"$len" "$CLIENT_ID" "$CLIENT_SECRET" "$BODY_TEXT" >"$T/request"
(set -a; . "$T/dev/agent.env"; "$top_builddir/dreichor-agent" <"$T/request" >"$T/response")
check "pipe: endpoint answered" grep -q '^HTTP/1.1 200' "$T/response"
check "pipe: body arrived byte for byte" test "$(cat "$T/body")" = "$expected"
check "pipe: REQUEST_METHOD" grep -qx 'REQUEST_METHOD=POST' "$T/env"
check "pipe: PATH_INFO" grep -qx 'PATH_INFO=/v1/deploy' "$T/env"
check "pipe: QUERY_STRING" grep -qx 'QUERY_STRING=x=1' "$T/env"
check "pipe: CONTENT_TYPE" grep -qx 'CONTENT_TYPE=application/json' "$T/env"
check "pipe: CONTENT_LENGTH" grep -qx "CONTENT_LENGTH=$len" "$T/env"
check "pipe: SERVER_PROTOCOL" grep -qx 'SERVER_PROTOCOL=HTTP/1.1' "$T/env"
check "pipe: DREICHOR_REQUEST_ID" grep -qE '^DREICHOR_REQUEST_ID=[0-9a-f]{32}$' "$T/env"
check "pipe: DREICHOR_CLIENT_ID" grep -qx "DREICHOR_CLIENT_ID=$CLIENT_ID" "$T/env"
check "pipe: no secret in the endpoint environment" sh -c "! grep -qF '$CLIENT_SECRET' '$T/env'"
check "pipe: no secret variable passed on" sh -c "! grep -q '^CF_ACCESS_CLIENT_SECRET=' '$T/env'"
check "pipe: a variable outside the allow-list is not passed on" sh -c "! grep -q '^UNLISTED_VARIABLE=' '$T/env'"
check "pipe: the configuration is passed on" grep -qx 'ENVIRONMENT=dev' "$T/env"

# 2. Over a socket, as systemd runs it.
rm -f "$T/body" "$T/env"
start_agent dev
port=$PORT_dev
STATUS=$(curl -s -o "$T/out" -w '%{http_code}' -H "CF-Access-Client-Id: $CLIENT_ID" \
	-H "CF-Access-Client-Secret: $CLIENT_SECRET" -H 'Content-Type: application/json' \
	--data-binary "$BODY_TEXT" "http://127.0.0.1:$port/v1/deploy")
check "socket: endpoint answered" test "$STATUS" = 200
check "socket: body arrived byte for byte" test "$(cat "$T/body")" = "$expected"
check "socket: REMOTE_ADDR set" grep -qx 'REMOTE_ADDR=127.0.0.1' "$T/env"
check "socket: no secret in the endpoint environment" sh -c "! grep -qF '$CLIENT_SECRET' '$T/env'"

# 3. Stop with an empty body still reaches the endpoint.
rm -f "$T/body"
STATUS=$(curl -s -o "$T/out" -w '%{http_code}' -X POST -H "CF-Access-Client-Id: $CLIENT_ID" \
	-H "CF-Access-Client-Secret: $CLIENT_SECRET" "http://127.0.0.1:$port/v1/stop")
check "socket: stop without body is routed" test "$STATUS" = 200

# 4. A pipelined second request gets no second answer.
printf 'POST /v1/stop HTTP/1.1\r\nHost: t\r\nCF-Access-Client-Id: %s\r\nCF-Access-Client-Secret: %s\r\n\r\nGET /v1/status HTTP/1.1\r\n\r\n' \
	"$CLIENT_ID" "$CLIENT_SECRET" >"$T/request2"
(set -a; . "$T/dev/agent.env"; "$top_builddir/dreichor-agent" <"$T/request2" >"$T/response2")
check "pipelined request: exactly one response" test "$(grep -c '^HTTP/1.1 ' "$T/response2")" = 1

# 5. A missing endpoint program is a 500, not a hang or a crash; its audit entry reaches journald.
start_journald
set_agent_var dev DREICHOR_LIBEXECDIR "$T/nowhere"
printf 'GET /v1/status HTTP/1.1\r\nHost: t\r\nCF-Access-Client-Id: %s\r\nCF-Access-Client-Secret: %s\r\n\r\n' \
	"$CLIENT_ID" "$CLIENT_SECRET" >"$T/request3"
(set -a; . "$T/dev/agent.env"; "$top_builddir/dreichor-agent" <"$T/request3" >"$T/response3")
check "missing endpoint program: 500" grep -q '^HTTP/1.1 500' "$T/response3"
rid=$(tr -d '\r' <"$T/response3" | sed -n 's/^X-Request-Id: //p')
names_request() { journal_entry "$1" | jq_holds 'select(.DREICHOR_METHOD == "GET" and .DREICHOR_PATH == "/v1/status")'; }
check "... its audit entry names the method and path (the head was wiped before the exec)" names_request "$rid"

# 6. An entry journald cannot take goes to stderr, whole: a mount namespace without its socket.
if unshare -m true 2>/dev/null; then
	(set -a; . "$T/dev/agent.env"; unshare -m sh -c 'mount -t tmpfs none /run/systemd/journal && exec "$0"' \
		"$top_builddir/dreichor-agent" <"$T/request3" >"$T/response4" 2>"$T/stderr4")
	check "no journald: still answered" grep -q '^HTTP/1.1 500' "$T/response4"
	check "... the entry is on stderr" grep -q 'journald refused the audit entry' "$T/stderr4"
	check "... with its method, path and reason" bash -c "grep -F 'journald refused' '$T/stderr4' | grep -F 'DREICHOR_METHOD=GET' | grep -F 'DREICHOR_PATH=/v1/status' | grep -qF 'DREICHOR_REASON='"
else
	hard_error "unshare -m is needed for the journald-refused case (run as root)"
fi

finish
