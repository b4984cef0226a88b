#!/bin/bash
# Where a redeploy's time goes: RUNS deploys of an image already present
# (grace 0) with the agent under strace, then, per Docker Engine API call
# (request line with ids and digests folded), per fsync and per exec, the
# median wall time; and the medians of the answer's own phase timeline
# (its "phases", where the build has it). Works on any build, so the same
# run can compare two trees:
#   top_builddir=DIR bench/deploy-calls.sh [RUNS]     (root, built tree)
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/lib.sh"
need_cmd strace jq
runs=${1:-10}

start_dockerd
start_registry
make_image 1.0.0 "trap 'exit 0' TERM; echo up; sleep 3600 & wait"
setup_env dev
set_agent_var dev STARTUP_GRACE_SECONDS 0
VALGRIND_WRAP="strace -f -ttt -T -s 160 -e trace=execve,sendto,write,recvfrom,read,fsync,fdatasync -o $T/trace"
start_agent dev
VALGRIND_WRAP=""  # only borrowed to put strace in front of the agent
deploy dev "$IMAGE_REPOSITORY:1.0.0"
[ "$STATUS" = 200 ] || { echo "first deploy failed: $STATUS $BODY"; cat "$T/dev/activate.log"; exit 1; }
: >"$T/phases"
# strace lines: PID TIME syscall(...) = RESULT <DURATION>. A Docker call runs from the
# send of its request line to the end of the last receive before the next request.
cat >"$T/calls.awk" <<'EOT'
function dur() { return ($NF ~ /^<[0-9.]+>$/) ? substr($NF, 2, length($NF) - 2) + 0 : 0 }
function emit(p) { printf "call %s %.1f\n", cur[p], (en[p] - st[p]) * 1000; cur[p] = "" }
{ pid = $1; ts = $2 + 0 }
/execve\(/ && / = 0/ { match($0, /execve\("[^"]*"/); n = split(substr($0, RSTART + 8, RLENGTH - 9), a, "/");
	printf "exec %s %.1f\n", a[n], dur() * 1000 }
/fsync\(|fdatasync\(/ { printf "fsync - %.1f\n", dur() * 1000 }
/sendto\(/ && /"(GET|POST|DELETE|HEAD) \// {
	if (cur[pid] != "") emit(pid)
	match($0, /"(GET|POST|DELETE|HEAD) [^ "]*/); req = substr($0, RSTART + 1, RLENGTH - 1)
	gsub(/\/v1\.[0-9]+/, "", req); sub(/\?.*/, "", req)
	sub(/images\/.*\/json/, "images/IMAGE/json", req); sub(/distribution\/.*\/json/, "distribution/IMAGE/json", req)
	sub(/ /, "_", req)
	cur[pid] = req; st[pid] = ts; en[pid] = ts
}
/recvfrom/ { if (cur[pid] != "") en[pid] = ts + dur() }
END { for (p in cur) if (cur[p] != "") emit(p) }
EOT
for i in $(seq "$runs"); do
	rm -f "$T"/trace*
	start=$(date +%s.%N)
	deploy dev "$IMAGE_REPOSITORY:1.0.0"
	end=$(date +%s.%N)
	[ "$STATUS" = 200 ] || { echo "deploy failed: $BODY"; exit 1; }
	jq -r '.phases[]? | "\(.phase) \(.duration_ms)"' <<<"$BODY" >>"$T/phases"
	echo "total request $(echo "($end - $start) * 1000" | bc -l)" >>"$T/calls"
	# One line per event: pid, time, kind, what (and its own duration for fsync/exec).
	cat "$T"/trace* | sed -E 's/[0-9a-f]{64}/ID/g' | awk -f "$T/calls.awk" >>"$T/calls"
done
median() { sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.1f", a[int((NR+1)/2)]}'; }
printf '\nRedeploy of a present image, grace 0, agent under strace (slower than without), %d runs, medians (ms)\n' "$runs"
printf '  %-52s %8s %10s\n' "what" "median" "per deploy"
awk '{print $1 " " $2}' "$T/calls" | awk '!seen[$0]++' | while read -r kind what; do
	vals=$(awk -v k="$kind" -v w="$what" '$1 == k && $2 == w {print $3}' "$T/calls")
	printf '  %-52s %8s %10s\n' "$kind $what" "$(median <<<"$vals")" "$(echo "$(wc -l <<<"$vals") / $runs" | bc -l | xargs printf '%.1f')"
done
if [ -s "$T/phases" ]; then
	printf '\nThe answer'"'"'s phase timeline, medians (ms)\n'
	for p in $(awk '{print $1}' "$T/phases" | awk '!seen[$0]++'); do
		printf '  %-20s %6s\n' "$p" "$(awk -v p="$p" '$1 == p {print $2}' "$T/phases" | median)"
	done
fi
finish
