#!/bin/bash
# Load and abuse against the real agent under systemd-socket-activate:
# 200 parallel status requests all answered correctly; 1,000 connections
# that send nothing are each answered 408 at the 5 s head limit, and a
# well-behaved request meanwhile is not held up by them (its own process,
# as its audit entry measures, takes far less than the head limit; the
# end-to-end time, which includes waiting for 1,000 processes to be
# started, is printed, not asserted); each kind of connection's process
# stays under 8 MiB peak RSS (printed, not asserted, in a sanitizer build).
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
need_cmd /usr/bin/time xargs
# The 8 MiB RSS bound describes the production build; under a sanitizer (ASan's shadow memory alone
# is more) the figures are reported, not asserted, and every other check stands. A sanitizer build
# is told by configure's choice in the Makefile (--enable-sanitizers, or -fsanitize in CFLAGS or
# LDFLAGS), or else by the programs' own symbols: clang links its ASan and UBSan runtimes statically,
# so ldd shows no libasan.
sanitized=no
sanitizer_symbols() { # sanitizer_symbols PROGRAM: 0 when it carries a sanitizer's runtime or hooks
	{ nm "$1"; nm -D "$1"; } 2>/dev/null | grep -qE ' __(asan|ubsan|tsan|msan|hwasan|lsan)_'
}
grep -qE '^(SAN_CFLAGS|SAN_LDFLAGS|CFLAGS|LDFLAGS) = .*-fsanitize=' "$top_builddir/Makefile" 2>/dev/null && sanitized=yes
for prog in dreichor-agent dreichor-status; do
	sanitizer_symbols "$top_builddir/$prog" && sanitized=yes
done
[ $sanitized = yes ] && echo "# a sanitizer build: the RSS bound is reported, not asserted"
rss_bound() { # rss_bound DESCRIPTION COMMAND...: a check in a production build, a report under sanitizers
	if [ $sanitized = yes ]; then echo "# not asserted in a sanitizer build: $1"; else check "$@"; fi
}

start_journald
start_deployed_agent
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
code=$(curl -s -o "$T/among" -w '%{http_code}' -H "CF-Access-Client-Id: $CLIENT_ID" -H "CF-Access-Client-Secret: $CLIENT_SECRET" "$url")
waited_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "a well-behaved request is answered meanwhile" test "$code" = 200
own_ms=$(journal_entry "$(jq -r .request_id "$T/among")" | jq -r .DREICHOR_DURATION_MS)
echo "# a status request among 1000 silent connections: ${waited_ms} ms end to end, ${own_ms} ms in its own process"
check "... its own process was not held up by them (${own_ms} ms, head limit 5000)" test "${own_ms:-99999}" -lt 5000
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

# Peak RSS of one connection's process (the dispatcher exec'ing the
# endpoint in the same process), through a pipe, for a real status, deploy
# and stop. The 8 MiB limit describes the endpoints linked with the static
# HTTP-only libcurl (configure --with-endpoint-libcurl); Debian's shared
# libcurl alone maps 7.5 MiB, so with it the figures are only reported.
make_image 1.0.1 "$RUNTIME_SCRIPT"
request() { # request METHOD PATH [BODY]
	printf '%s %s HTTP/1.1\r\nHost: t\r\nCF-Access-Client-Id: %s\r\nCF-Access-Client-Secret: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
		"$1" "$2" "$CLIENT_ID" "$CLIENT_SECRET" "${#3}" "$3"
}
request GET /v1/nothing "" >"$T/req-refused"
request GET /v1/status "" >"$T/req-status"
request POST /v1/deploy "{\"image\": \"$IMAGE_REPOSITORY:1.0.1\"}" >"$T/req-deploy"
request POST /v1/stop "" >"$T/req-stop"
rss() { # rss NAME: peak KiB of one connection; its answer's status line in $T/NAME.status
	(set -a; . "$T/dev/agent.env"; /usr/bin/time -f %M -o "$T/$1.rss" "$top_builddir/dreichor-agent" \
		<"$T/req-$1" >"$T/$1.answer" 2>/dev/null)
	head -1 "$T/$1.answer" | tr -d '\r' >"$T/$1.status"
	tail -1 "$T/$1.rss"
}
shared_libcurl=no
ldd "$top_builddir/dreichor-status" | grep -q libcurl && shared_libcurl=yes
rss_limit() { # rss_limit DESCRIPTION COMMAND...: asserted for the production link only
	if [ $shared_libcurl = yes ]; then echo "# not asserted, endpoints use the shared libcurl: $1"; else rss_bound "$@"; fi
}
for what in refused status deploy stop; do
	kib=$(rss $what)
	echo "# peak RSS, $what: $kib KiB"
	case $what in refused) want="HTTP/1.1 404 Not Found" ;; *) want="HTTP/1.1 200 OK" ;; esac
	check "$what through a pipe answers $want" test "$(cat "$T/$what.status")" = "$want"
	if [ $what = refused ]; then
		rss_bound "dispatcher peak RSS under 8 MiB ($kib KiB)" test "$kib" -lt 8192
	else
		rss_limit "$what connection peak RSS under 8 MiB ($kib KiB)" test "$kib" -lt 8192
	fi
done

finish
