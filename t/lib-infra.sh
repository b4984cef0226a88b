# t/lib-infra.sh: the real parts a test drives, each private to the test:
# a dockerd (its own data, exec root, pidfile and socket; no bridge, no
# iptables), a docker-registry on a loopback port, a journald (shared
# between parallel tests), and busybox images. Sourced by t/lib.sh.

docker_cli() { DOCKER_CONFIG=$T/docker-cli "$DOCKER_CLI" -H "unix://$DOCKER_SOCK" "$@"; }

# run_dockerd WHAT: the private engine on its data under $DOCKER_DIR, until it answers.
run_dockerd() {
	dockerd --data-root "$DOCKER_DIR/data" --exec-root "$DOCKER_DIR/exec" \
		--pidfile "$DOCKER_DIR/docker.pid" -H "unix://$DOCKER_SOCK" \
		--bridge=none --iptables=false --ip6tables=false \
		>>"$DOCKER_DIR/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	wait_for 30 curl -sf --unix-socket "$DOCKER_SOCK" http://d/_ping -o /dev/null ||
		{ tail -20 "$DOCKER_DIR/dockerd.log" >&2; hard_error "private dockerd did not $1"; }
}

start_dockerd() {
	need_root
	need_cmd dockerd curl jq
	DOCKER_DIR=$T/docker
	DOCKER_SOCK=$DOCKER_DIR/docker.sock
	mkdir -p "$DOCKER_DIR"
	run_dockerd start
}

# kill_dockerd: the engine dies (SIGKILL), with its containerd; containers' shims stay.
kill_dockerd() {
	kill -KILL "$DOCKERD_PID" 2>/dev/null
	wait "$DOCKERD_PID" 2>/dev/null
	pkill -KILL -f "containerd --config $DOCKER_DIR/exec" 2>/dev/null
	# A stale pid file would make the next dockerd wait for a containerd that is gone.
	rm -f "$DOCKER_DIR/exec/containerd/containerd.pid" "$DOCKER_DIR"/exec/containerd/containerd.sock*
	DOCKERD_PID=
}

# restart_dockerd: the same engine again, on the same data.
restart_dockerd() { run_dockerd restart; }

stop_dockerd() {
	[ -n "${DOCKERD_PID:-}" ] || return 0
	if kill -0 "$DOCKERD_PID" 2>/dev/null; then
		docker_cli ps -aq 2>/dev/null | xargs -r "$DOCKER_CLI" -H "unix://$DOCKER_SOCK" rm -f >/dev/null 2>&1
		kill "$DOCKERD_PID" 2>/dev/null
		wait "$DOCKERD_PID" 2>/dev/null
	fi
	DOCKERD_PID=
	# Whatever dockerd left mounted under its data root must go before rm -rf.
	grep -o " $T/docker[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r umount -l 2>/dev/null
}

# A journald to write to. A live one (one that accepts a stream) is used as
# it is; a socket left behind by a stopped one is not enough. Otherwise the
# first test to need one starts it and tests running in parallel share it:
# each user holds a shared flock on JOURNALD_SHARED/users, and the last one
# out stops the journald the tests started. The locks are held by flock(1)
# processes of their own (-o), never by a descriptor of the test's shell,
# which dockerd and the agents would inherit and keep holding.
JOURNALD_SHARED=/tmp/dr-test-journald
JOURNALD_HOLDER=""
start_journald() {
	need_cmd journalctl
	need_cmd systemd-cat
	need_cmd flock
	[ -x /lib/systemd/systemd-journald ] || skip "no systemd-journald to start"
	mkdir -p "$JOURNALD_SHARED"
	flock -s -o "$JOURNALD_SHARED/users" sh -c 'echo $$ >"$1"; exec sleep 2147483647' sh "$T/journald-user" &
	JOURNALD_HOLDER=$!
	wait_for 600 test -s "$T/journald-user" || hard_error "the shared journald lock was not granted"
	flock -x -o "$JOURNALD_SHARED/start" bash -c '
		live() { systemd-cat -t dreichor-test-probe true 2>/dev/null; }
		live && exit 0
		/lib/systemd/systemd-journald >"$1/log" 2>&1 </dev/null &
		echo $! >"$1/pid"
		for _ in $(seq 100); do live && exit 0; sleep 0.1; done
		exit 1' sh "$JOURNALD_SHARED" ||
		hard_error "systemd-journald did not start: $(tail -3 "$JOURNALD_SHARED/log")"
}

# The last test out stops the journald that a test started; one that was
# running before (no pid file) is left alone.
stop_journald() {
	[ -n "$JOURNALD_HOLDER" ] || return 0
	kill "$(cat "$T/journald-user")" 2>/dev/null
	wait "$JOURNALD_HOLDER" 2>/dev/null
	flock -x -n -o "$JOURNALD_SHARED/users" bash -c '
		[ -f "$1/pid" ] || exit 0
		pid=$(cat "$1/pid")
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd-journal ]; then
			kill "$pid"
			for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		fi
		rm -f "$1/pid"' sh "$JOURNALD_SHARED"
	JOURNALD_HOLDER=""
}

# journal_entry RID: the journal entry of one request as JSON (waits for journald).
journal_entry() {
	wait_for 10 bash -c "journalctl -o json DREICHOR_REQUEST_ID=$1 | grep -q ." || return 1
	journalctl -o json DREICHOR_REQUEST_ID="$1"
}

# registry_digest TAG: the digest the registry serves for IMAGE_REPOSITORY:TAG's manifest.
registry_digest() { curl -s -o /dev/null -D - -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
	"http://$REGISTRY/v2/$REPO_PATH/manifests/$1" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p'; }

# start_registry [htpasswd USER PASS]: a registry in $T/registry (or $T/registry-$REGISTRY_NAME,
# for a second one); sets REGISTRY_PORT, REGISTRY, IMAGE_REPOSITORY, REGISTRY_DIR and REGISTRY_PID.
start_registry() {
	need_cmd docker-registry
	REGISTRY_DIR=$T/registry${REGISTRY_NAME:+-$REGISTRY_NAME}
	REGISTRY_PORT=$(free_port)
	REGISTRY=127.0.0.1:$REGISTRY_PORT
	IMAGE_REPOSITORY=$REGISTRY/$REPO_PATH
	mkdir -p "$REGISTRY_DIR/data"
	{
		echo "version: 0.1"
		echo "log: {level: error}"
		echo "storage: {filesystem: {rootdirectory: $REGISTRY_DIR/data}, delete: {enabled: true}}"
		echo "http: {addr: $REGISTRY}"
		if [ "${1:-}" = htpasswd ]; then
			need_cmd htpasswd
			htpasswd -Bbn "$2" "$3" >"$REGISTRY_DIR/htpasswd" 2>/dev/null
			echo "auth: {htpasswd: {realm: test-realm, path: $REGISTRY_DIR/htpasswd}}"
		fi
	} >"$REGISTRY_DIR/config.yml"
	run_registry
	wait_for 20 sh -c "curl -s -o /dev/null -w '%{http_code}' http://$REGISTRY/v2/ | grep -qE '200|401'" ||
		hard_error "docker-registry did not start"
}

# run_registry: (re)start the registry process on its existing configuration and data.
run_registry() {
	docker-registry serve "$REGISTRY_DIR/config.yml" >>"$REGISTRY_DIR/registry.log" 2>&1 &
	REGISTRY_PID=$!
	BG_PIDS="$BG_PIDS $REGISTRY_PID"
	wait_for 20 sh -c "curl -s -o /dev/null -w '%{http_code}' http://$REGISTRY/v2/ | grep -qE '200|401' ||
		curl -sk -o /dev/null -w '%{http_code}' https://$REGISTRY/v2/ | grep -qE '200|401'"
}

# A root filesystem with busybox, imported once per test.
busybox_rootfs() {
	[ -f "$T/rootfs.tar" ] && return 0
	need_cmd busybox
	local bb; bb=$(command -v busybox)
	mkdir -p "$T/rootfs/bin"
	cp "$bb" "$T/rootfs/bin/busybox"
	for a in sh sleep echo cat env ls trap; do ln -sf busybox "$T/rootfs/bin/$a"; done
	tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
}

# run_sleeping_container NAME: a local busybox image (not in any registry) running as NAME.
run_sleeping_container() {
	busybox_rootfs
	docker_cli image inspect local/runtime:1.0.0 >/dev/null 2>&1 ||
		docker_cli import -c 'CMD ["/bin/sh", "-c", "exec sleep 3600"]' "$T/rootfs.tar" local/runtime:1.0.0 >/dev/null
	docker_cli run -d --network none --name "$1" local/runtime:1.0.0 >/dev/null
}

# make_image TAG SCRIPT [INSTRUCTION]: build an image running sh -c SCRIPT (with one more
# Dockerfile instruction, a HEALTHCHECK say), push it as IMAGE_REPOSITORY:TAG, and remove it
# locally so that deploys really pull.
make_image() {
	local tag=$1 script=$2 more=()
	[ -n "${3:-}" ] && more=(-c "$3")
	busybox_rootfs
	docker_cli import -c "CMD $(jq -cn --arg s "$script" '["/bin/sh", "-c", $s]')" "${more[@]}" "$T/rootfs.tar" "$IMAGE_REPOSITORY:$tag" >/dev/null ||
		hard_error "docker import failed"
	docker_cli push "$IMAGE_REPOSITORY:$tag" >/dev/null 2>&1 || hard_error "docker push $tag failed"
	docker_cli rmi "$IMAGE_REPOSITORY:$tag" >/dev/null 2>&1 || true
}
