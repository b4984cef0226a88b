#!/bin/bash
# Set up and run the dev agent locally on a fresh Debian 12 machine (as root):
# packages, build, a Docker engine (a private one under _demo/ when none is
# reachable), a loopback registry holding a busybox demo image under
# IMAGE_REPOSITORY, dreichor-agent on 127.0.0.1:3005 exactly as systemd runs
# it, then a demo deploy and status. It keeps running until Ctrl-C;
# --once stops everything after the demo.
set -euo pipefail
cd "$(dirname "$0")"
top=$(pwd)
once=no; [ "${1:-}" = --once ] && once=yes
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (it installs packages and may start dockerd)" >&2; exit 1; }

scripts/install-deps
if [ ! -x ./dreichor-agent ] || [ ! -f Makefile ]; then
	scripts/build-libcurl _build/libcurl
	autoreconf -fi && ./configure --with-endpoint-libcurl="$top/_build/libcurl" >/dev/null
fi
make -j"$(nproc)" >/dev/null

demo=$top/_demo
rm -rf "$demo"; mkdir -p "$demo"
pids=()
dockerd_pid=
cleanup() {
	set +e
	[ -n "${sock:-}" ] && curl -s -X POST --unix-socket "$sock" "http://d/containers/dreichor-runtime-dev?force=true" -X DELETE >/dev/null
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	if [ -n "$dockerd_pid" ]; then kill "$dockerd_pid"; wait "$dockerd_pid" 2>/dev/null; fi
	wait 2>/dev/null
}
trap cleanup EXIT
free_port() { local p; while :; do p=$((20000 + RANDOM % 40000)); (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; }
wait_for() { local n=0; until "$@" >/dev/null 2>&1; do n=$((n + 1)); [ $n -lt 300 ] || return 1; sleep 0.1; done; }

# 1. A Docker engine.
sock=/var/run/docker.sock
network=
if curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1; then
	echo "demo: using the Docker engine at $sock"
else
	sock=$demo/docker.sock
	echo "demo: no Docker engine reachable; starting a private one at $sock"
	dockerd --data-root "$demo/docker-data" --exec-root "$demo/docker-exec" --pidfile "$demo/docker.pid" \
		-H "unix://$sock" --bridge=none --iptables=false --ip6tables=false >"$demo/dockerd.log" 2>&1 &
	dockerd_pid=$!
	wait_for curl -sf --unix-socket "$sock" http://d/_ping || { tail "$demo/dockerd.log"; exit 1; }
	network=none
fi
docker=(/usr/bin/docker -H "unix://$sock")

# 2. A registry on loopback with a demo image under IMAGE_REPOSITORY.
reg=127.0.0.1:$(free_port)
repo=$reg/ceerkle/dreichor-trading/runtime
mkdir -p "$demo/registry"
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: %s}\n' \
	"$demo/registry" "$reg" >"$demo/registry.yml"
docker-registry serve "$demo/registry.yml" >"$demo/registry.log" 2>&1 &
pids+=($!)
wait_for curl -sf "http://$reg/v2/"
mkdir -p "$demo/rootfs/bin"
cp "$(command -v busybox)" "$demo/rootfs/bin/busybox"
for a in sh sleep echo; do ln -sf busybox "$demo/rootfs/bin/$a"; done
tar -C "$demo/rootfs" -cf "$demo/rootfs.tar" .
"${docker[@]}" import -c 'CMD ["/bin/sh", "-c", "echo dreichor demo runtime in $ENVIRONMENT, plane $EXECUTION_PLANE; exec sleep 86400"]' \
	"$demo/rootfs.tar" "$repo:0.1.0" >/dev/null
"${docker[@]}" push "$repo:0.1.0" >/dev/null

# 3. The dev agent's configuration, as the operator would write it.
mkdir -p "$demo/dev/volumes/audit-events" "$demo/dev/volumes/snapshots" "$demo/dev/state"
sed 's/LOG_LEVEL=.*/LOG_LEVEL=info/' envs/dev/runtime.env >"$demo/dev/runtime.env"
secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
cat >"$demo/dev/agent.env" <<EOT
ENVIRONMENT=dev
PORT=3005
CONTAINER_NAME=dreichor-runtime-dev
AUDIT_EVENTS_PATH=$demo/dev/volumes/audit-events
SNAPSHOTS_PATH=$demo/dev/volumes/snapshots
ALLOW_EXECUTION_PLANE=paper
IMAGE_REPOSITORY=$repo
CF_ACCESS_CLIENT_ID=demo.access
CF_ACCESS_CLIENT_SECRET=$secret
DOCKER_HOST=unix://$demo/dev/docker-gate.sock
RUNTIME_ENV_FILE=$demo/dev/runtime.env
STATE_DIRECTORY=$demo/dev/state
STARTUP_GRACE_SECONDS=2
${network:+CONTAINER_NETWORK=$network}
DREICHOR_LIBEXECDIR=$top
EOT
(set -a; . "$demo/dev/agent.env"; ./dreichor-agent --check-config)

# 4. dev's Docker gate in front of the engine, as dreichor-docker-gate-dev.socket runs it:
# the agent reaches Docker only through it (docs/architecture.md).
DREICHOR_GATE_CONFIG=$demo/dev/agent.env DREICHOR_GATE_UPSTREAM=$sock DREICHOR_GATE_IDLE_SECONDS=0 \
	systemd-socket-activate -l "$demo/dev/docker-gate.sock" -E DREICHOR_GATE_CONFIG -E DREICHOR_GATE_UPSTREAM \
	-E DREICHOR_GATE_IDLE_SECONDS "$top/dreichor-docker-gate" >"$demo/gate.log" 2>&1 &
pids+=($!)
wait_for test -S "$demo/dev/docker-gate.sock" || { cat "$demo/gate.log"; exit 1; }

# 5. The agent on 127.0.0.1:3005, one process per connection, as systemd runs it.
vars=$(sed -n 's/^\([A-Z_]*\)=.*/-E \1/p' "$demo/dev/agent.env" | tr '\n' ' ')
(set -a; . "$demo/dev/agent.env"; exec systemd-socket-activate --accept --inetd -l 127.0.0.1:3005 $vars "$top/dreichor-agent") \
	>"$demo/agent.log" 2>&1 &
pids+=($!)
wait_for bash -c 'exec 3<>/dev/tcp/127.0.0.1/3005' || { cat "$demo/agent.log"; exit 1; }

auth=(-H "CF-Access-Client-Id: demo.access" -H "CF-Access-Client-Secret: $secret")
echo "demo: POST /v1/deploy $repo:0.1.0"
curl -sS "${auth[@]}" -H 'Content-Type: application/json' -d "{\"image\": \"$repo:0.1.0\", \"environment\": \"dev\"}" \
	http://127.0.0.1:3005/v1/deploy | jq .
echo "demo: GET /v1/status"
curl -sS "${auth[@]}" http://127.0.0.1:3005/v1/status | jq .
[ $once = yes ] && exit 0
cat <<EOT

The dev agent listens on 127.0.0.1:3005. Try:
  curl -s -H 'CF-Access-Client-Id: demo.access' -H 'CF-Access-Client-Secret: $secret' http://127.0.0.1:3005/v1/status
  curl -s -X POST -H 'CF-Access-Client-Id: demo.access' -H 'CF-Access-Client-Secret: $secret' http://127.0.0.1:3005/v1/stop
Configuration: $demo/dev/agent.env. Ctrl-C stops the agent, the registry and any engine this started.
EOT
wait "${pids[-1]}"
