#!/bin/bash
# Benchmark: a deploy through the agent with the image already present and
# STARTUP_GRACE_SECONDS=0, against the same steps as a bare Docker API
# sequence (curl on the socket: pull, stop, remove, create, start), as a
# docker CLI sequence, and as the seed's shape (bench/node-peer.js: express
# execing the docker CLI), in the same run; then the agent's own phase
# timeline (the answer's "phases"), medians. The agent runs as its units
# run it: registry questions go to dreichor-registry --listen on its
# socket. The runs are taken in ROUNDS rounds of hyperfine, the order of
# the four commands rotated each round, so a machine that speeds up or
# slows down during the run weighs on each command alike; the medians are
# over all rounds. Then the downtime of one agent deploy, from the
# container events: old container stopping to new one running.
# Run as root from a built tree: bench/deploy.sh [RUNS] [ROUNDS]
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/lib.sh"
need_cmd hyperfine node
runs=${1:-30}
rounds=${2:-5}
# Debian's node-express lives under /usr/share/nodejs.
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
node -e 'require("express")' 2>/dev/null || { echo "deploy.sh: needs node-express (apt-get install node-express)"; exit 1; }

start_dockerd
start_registry
# Exits at once on SIGTERM, so that stop time is the engine's, not a timeout.
make_image 1.0.0 "trap 'exit 0' TERM; echo up; sleep 3600 & wait"
setup_env dev
set_agent_var dev STARTUP_GRACE_SECONDS 0
# dreichor-registry-dev.service's shape: one --listen process, a child per question.
cp "$T/dev/agent.env" "$T/registry.env"
DREICHOR_REGISTRY_CONFIG=$T/registry.env DREICHOR_REGISTRY_IDLE_SECONDS=0 \
	systemd-socket-activate -l "$T/registry.sock" -E DREICHOR_REGISTRY_CONFIG -E DREICHOR_REGISTRY_IDLE_SECONDS \
	"$top_builddir/dreichor-registry" --listen >"$T/registry-listen.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_for 10 grep -q '^Listening on' "$T/registry-listen.log" || { echo "the registry helper did not listen"; exit 1; }
set_agent_var dev DREICHOR_REGISTRY_SOCKET "$T/registry.sock"
start_agent dev
name=dreichor-runtime-dev
deploy dev "$IMAGE_REPOSITORY:1.0.0"
[ "$STATUS" = 200 ] || { echo "first deploy failed: $BODY"; exit 1; }
api=v$(curl -s --unix-socket "$DOCKER_SOCK" http://d/version | jq -r .ApiVersion)
repo_q=$(jq -rn --arg s "$IMAGE_REPOSITORY" '$s|@uri')
D=$T/dev

# The container the agent creates, as a create body for the bare sequence.
jq -n --arg img "$IMAGE_REPOSITORY:1.0.0" --arg a "$D/volumes/audit-events" --arg s "$D/volumes/snapshots" \
	--rawfile env <({ grep -v '^#' "$D/runtime.env" | sed '/^$/d'; echo ENVIRONMENT=dev; }) \
	'{Image: $img, Env: ($env | split("\n") | map(select(length > 0))), Labels: {"dreichor.environment": "dev"},
	  HostConfig: {Binds: [$a + ":/var/lib/dreichor/audit-events", $s + ":/var/lib/dreichor/snapshots"],
	  RestartPolicy: {Name: "unless-stopped"}, NetworkMode: "none"}}' >"$T/spec.json"
cat >"$T/bare.sh" <<EOT
c="curl -sf -o /dev/null --unix-socket $DOCKER_SOCK"
\$c -X POST "http://d/$api/images/create?fromImage=$repo_q&tag=1.0.0" &&
\$c -X POST "http://d/$api/containers/$name/stop?t=2" ; \$c -X DELETE "http://d/$api/containers/$name?force=true" ;
\$c -X POST -H 'Content-Type: application/json' --data-binary @$T/spec.json "http://d/$api/containers/create?name=$name" &&
\$c -X POST "http://d/$api/containers/$name/start"
EOT
cat >"$T/cli.sh" <<EOT
d="$DOCKER_CLI -H unix://$DOCKER_SOCK"
\$d pull -q $IMAGE_REPOSITORY:1.0.0 >/dev/null && \$d stop -t 2 $name >/dev/null; \$d rm -f $name >/dev/null;
\$d run -d --name $name --network none --restart unless-stopped -v $D/volumes/audit-events:/var/lib/dreichor/audit-events \
  -v $D/volumes/snapshots:/var/lib/dreichor/snapshots --env-file <(grep -v '^#' $D/runtime.env | sed '/^\$/d') -e ENVIRONMENT=dev \
  -l dreichor.environment=dev $IMAGE_REPOSITORY:1.0.0 >/dev/null
EOT
node_port=$(free_port)
grep -v '^#' "$D/runtime.env" | sed '/^$/d' >"$T/peer.env"
DOCKER_HOST=unix://$DOCKER_SOCK PEER_ENV_FILE=$T/peer.env \
	PEER_AUDIT_PATH=$D/volumes/audit-events PEER_SNAPSHOTS_PATH=$D/volumes/snapshots \
	node "$top_srcdir/bench/node-peer.js" "$node_port" "$CLIENT_ID" "$CLIENT_SECRET" "$name" >"$T/node.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$node_port/" || { echo "node peer did not start"; cat "$T/node.log"; exit 1; }
node_deploy="curl -sf -o /dev/null -H 'CF-Access-Client-Id: $CLIENT_ID' -H 'CF-Access-Client-Secret: $CLIENT_SECRET' -H 'Content-Type: application/json' --data-binary '{\"image\": \"$IMAGE_REPOSITORY:1.0.0\"}' http://127.0.0.1:$node_port/v1/deploy"
eval "$node_deploy" || { echo "node peer deploy failed"; cat "$T/node.log"; exit 1; }
agent="curl -sf -o /dev/null -H 'CF-Access-Client-Id: $CLIENT_ID' -H 'CF-Access-Client-Secret: $CLIENT_SECRET' -H 'Content-Type: application/json' --data-binary '{\"image\": \"$IMAGE_REPOSITORY:1.0.0\"}' http://127.0.0.1:$PORT_dev/v1/deploy"
names=(agent-deploy node-peer-deploy bare-api-sequence docker-cli-sequence)
commands=("$agent" "$node_deploy" "bash $T/bare.sh" "bash $T/cli.sh")
per_round=$(( (runs + rounds - 1) / rounds ))
for r in $(seq 0 $(( rounds - 1 ))); do
	args=()
	for k in 0 1 2 3; do
		c=$(( (k + r) % 4 ))
		args+=(-n "${names[$c]}" "${commands[$c]}")
	done
	hyperfine --warmup 1 --runs "$per_round" --export-json "$T/deploy-$r.json" "${args[@]}" \
		>"$T/hyperfine-$r.txt" 2>&1 || { cat "$T/hyperfine-$r.txt"; exit 1; }
done
# The median of every run of a command, over all rounds; and each round's agent / Node peer.
median() { jq -s -r --arg c "$1" '[.[].results[] | select(.command == $c) | .times[]] | sort |
	(if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end) * 1000' "$T"/deploy-*.json; }
round_ratios() { for f in "$T"/deploy-*.json; do
	jq -r '[.results[] | select(.command == "agent-deploy" or .command == "node-peer-deploy") | {(.command): .median}] | add |
		.["agent-deploy"] / .["node-peer-deploy"] | . * 100 | round / 100' "$f"; done | sort -n | tr '\n' ' '; }
a=$(median agent-deploy); b=$(median bare-api-sequence); c=$(median docker-cli-sequence); n=$(median node-peer-deploy)

# The agent's own account: each phase's duration from the answer, medians over 10 deploys.
: >"$T/phases"
for i in 1 2 3 4 5 6 7 8 9 10; do
	deploy dev "$IMAGE_REPOSITORY:1.0.0"
	jq -r '(.phases // []) | to_entries[] | "\(.key + 1).\(.value.phase) \(.value.duration_ms)"' <<<"$BODY" >>"$T/phases"
done

# Downtime from the engine's events (ns timestamps), for agent deploys and,
# as the peer, for the bare API sequence: kill (stop begins) -> die (old
# stopped) -> start (new running). Prints "stop-ms gap-ms" medians.
downtime() { # downtime COMMAND...: run it 5 times, print the medians
	local since until
	since=$(date +%s)
	for i in 1 2 3 4 5; do "$@" >/dev/null 2>&1; done
	until=$(( $(date +%s) + 1 ))
	docker_cli events --since "$since" --until "$until" --filter "container=$name" \
		--format '{{.TimeNano}} {{.Action}}' >"$T/events"
	awk '$2 ~ /^kill/ && !k {k=$1} $2 == "die" && k && !d {d=$1} $2 == "start" && d {
		printf "%.1f %.1f\n", (d-k)/1e6, ($1-d)/1e6; k=0; d=0 }' "$T/events" >"$T/downtime"
	printf '%s %s\n' "$(sort -n -k1 "$T/downtime" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
		"$(sort -n -k2 "$T/downtime" | awk '{a[NR]=$2} END {print a[int((NR+1)/2)]}')"
}
read -r stop_ms gap_ms < <(downtime deploy dev "$IMAGE_REPOSITORY:1.0.0")
read -r bare_stop_ms bare_gap_ms < <(downtime bash "$T/bare.sh")

printf '\nDeploy with the image present, grace 0, median of %d runs in %d rounds (ms)\n' "$(( per_round * rounds ))" "$rounds"
printf '  %-36s %9.2f\n' "agent, end to end over TCP" "$a" "Node peer (express + docker CLI)" "$n" \
	"bare API sequence (5 x curl)" "$b" "docker CLI sequence" "$c"
printf '  %-36s %9.2f   (target: at most 0.75)\n' "agent / Node peer" "$(echo "$a / $n" | bc -l)"
printf '  %-36s %s\n' "... each round's, sorted" "$(round_ratios)"
printf '  %-36s %9.2f   (budget: at most 15 ms)\n' "agent minus bare API sequence" "$(echo "$a - $b" | bc -l)"
printf '  %-36s %9s\n' "agent at most the CLI sequence" "$(echo "$a <= $c" | bc -l | sed 's/1/yes/;s/0/no/')"
printf 'Downtime over 5 replacements each, median (ms)    agent   bare API\n'
printf '  %-44s %7s %9s\n' "stop (kill -> die)" "$stop_ms" "$bare_stop_ms" \
	"old stopped -> new running (die -> start)" "$gap_ms" "$bare_gap_ms" \
	"downtime (kill -> start)" "$(echo "$stop_ms + $gap_ms" | bc -l)" "$(echo "$bare_stop_ms + $bare_gap_ms" | bc -l)"
printf '  budget: agent downtime at most its stop time + 150 ms\n'
if [ -s "$T/phases" ]; then
	printf 'The agent'"'"'s phase timeline (the answer'"'"'s "phases"), medians of 10 deploys (ms)\n'
	awk '{n[$1]++; v[$1, n[$1]] = $2; if (!seen[$1]++) order[++k] = $1}
		END {for (i = 1; i <= k; i++) {p = order[i]; m = n[p]; cnt = 0
			for (j = 1; j <= m; j++) a[j] = v[p, j]; asort_n(a, m)
			printf "  %-20s %6s\n", p, a[int((m + 1) / 2)]}}
		function asort_n(a, m,  i, j, t) {for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {t = a[j]; a[j] = a[j - 1]; a[j - 1] = t}}' "$T/phases"
fi
