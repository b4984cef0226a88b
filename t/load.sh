#!/bin/bash
# Load and abuse against the real agent under systemd-socket-activate:
# 200 parallel status requests all answered correctly; 1,000 connections
# that send nothing are each answered 408 at the 5 s head limit, and a
# well-behaved request meanwhile is not held up; the dispatcher's peak RSS.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
need_cmd /usr/bin/time xargs
# Timing and memory limits describe the production build; under ASan they are reported, not asserted.
sanitized=no
ldd "$top_builddir/dreichor-agent" | grep -q libasan && sanitized=yes
limit() { # limit DESCRIPTION COMMAND...: a check in a production build, a report under sanitizers
	if [ $sanitized = yes ]; then echo "# not asserted in a sanitizer build: $1"; else check "$@"; fi
}

start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
setup_env dev
start_agent dev
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "deployed" status_is 200
url=http://127.0.0.1:$PORT_dev/v1/status

# 200 parallel status requests.
seq 200 | xargs -P 200 -I{} curl -s -o "$T/par.{}" -w '%{http_code}\n' -H "CF-Access-Client-Id: $CLIENT_ID" \
	-H "CF-Access-Client-Secret: $CLIENT_SECRET" "$url" >"$T/par.codes"
check "200 parallel: 200 answers" test "$(wc -l <"$T/par.codes")" = 200
check "200 parallel: all HTTP 200" test "$(grep -c '^200$' "$T/par.codes")" = 200
check "200 parallel: all report the running image" \
	test "$(cat "$T"/par.[0-9]* | jq -r '[.running, .image] | @tsv' | grep -c "^true	$IMAGE_REPOSITORY:1.0.0\$")" = 200

# 1,000 silent connections, held by one process.
ulimit -n 4096
fds=()
start=$(date +%s)
for i in $(seq 1000); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT_dev" || break
	fds+=("$fd")
done
check "1000 silent connections opened" test "${#fds[@]}" = 1000
t0=$(date +%s%N)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "CF-Access-Client-Id: $CLIENT_ID" -H "CF-Access-Client-Secret: $CLIENT_SECRET" "$url")
waited_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# a status request among 1000 silent connections took ${waited_ms} ms"
check "a well-behaved request is answered meanwhile" test "$code" = 200
limit "... within the 5 s head limit (${waited_ms} ms)" test "$waited_ms" -lt 5000
answered=0 early=0
sleep 4
for fd in "${fds[@]}"; do
	line=
	IFS= read -r -t 10 -u "$fd" line
	[ "${line%$'\r'}" = "HTTP/1.1 408 Request Timeout" ] && answered=$((answered + 1))
	exec {fd}<&-
done
elapsed=$(( $(date +%s) - start ))
check "every silent connection got 408 ($answered of 1000)" test "$answered" = 1000
check "... and not before the limit (all done after ${elapsed} s)" test "$elapsed" -ge 5

# Peak RSS of one connection's process, through a pipe.
printf 'GET /v1/nothing HTTP/1.1\r\nCF-Access-Client-Id: %s\r\nCF-Access-Client-Secret: %s\r\n\r\n' "$CLIENT_ID" "$CLIENT_SECRET" >"$T/req404"
printf 'GET /v1/status HTTP/1.1\r\nCF-Access-Client-Id: %s\r\nCF-Access-Client-Secret: %s\r\n\r\n' "$CLIENT_ID" "$CLIENT_SECRET" >"$T/reqstatus"
rss() { (set -a; . "$T/dev/agent.env"; /usr/bin/time -f %M -o "$T/rss" "$top_builddir/dreichor-agent" <"$1" >/dev/null 2>&1); tail -1 "$T/rss"; }
disp=$(rss "$T/req404")
status_rss=$(rss "$T/reqstatus")
echo "# peak RSS: dispatcher alone ${disp} KiB, dispatcher+status endpoint ${status_rss} KiB"
limit "dispatcher peak RSS under 8 MiB (${disp} KiB)" test "$disp" -lt 8192
limit "status process peak RSS under 16 MiB (${status_rss} KiB; libcurl alone maps 7.5 MiB)" test "$status_rss" -lt 16384

finish
