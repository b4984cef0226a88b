# t/lib-stand.sh: the production stand. Boots Debian 12 with systemd as
# PID 1 in a container (systemd-nspawn) from a cached root filesystem,
# installs the agent's .deb into it as an operator would, and runs
# commands inside. Sourced after t/lib.sh by t/stand.sh and bench/stand.sh.
#
# Why the boot is done this way: the test machines' PID 1 is not systemd
# and their cgroups are hybrid, so nspawn runs with --keep-unit
# --register=no from cgroups of its own, and a small pre-init remounts
# the v1 controllers writable (dockerd inside needs them) before it execs
# systemd.

STAND_CACHE=${DREICHOR_STAND_CACHE:-/var/cache/dreichor-stand}
# What the stand has besides the agent: the engine and registry it drives,
# the tools the scenarios and benchmarks use, and the Node peer.
STAND_PACKAGES=systemd,systemd-sysv,dbus,docker.io,docker-registry,curl,ca-certificates,busybox-static,jq,procps,iproute2,nodejs,node-express,hyperfine,wrk,libjson-c5,libcurl4,libsystemd0
STAND_PID=""
STAND_NSPAWN_PID=""
STAND_CGROUPS=""

# need_stand_tools: skip (with the reason) where a stand cannot be booted.
need_stand_tools() {
	need_root
	need_cmd mmdebstrap systemd-nspawn nsenter dpkg-buildpackage dh
	[ -d /sys/fs/cgroup ] || skip "no cgroup file system to give the stand"
}

# stand_rootfs: the cached root filesystem tarball (built once: 2-3 min).
stand_rootfs() {
	local key tar
	key=$(printf '%s' "$STAND_PACKAGES" | sha256sum | cut -c1-12)
	tar=$STAND_CACHE/bookworm-$key.tar
	mkdir -p "$STAND_CACHE"
	flock "$STAND_CACHE/.lock" bash -c '
		[ -s "$1" ] && exit 0
		mmdebstrap --variant=apt --format=tar --include="$2" bookworm "$1.tmp" >"$1.log" 2>&1 &&
			mv "$1.tmp" "$1"' sh "$tar" "$STAND_PACKAGES" ||
		{ tail -20 "$tar.log" >&2; hard_error "mmdebstrap could not build the stand's root filesystem"; }
	echo "$tar"
}

# stand_build_deb: the package, built with dpkg-buildpackage from a copy of
# the source tree; sets STAND_DEB.
stand_build_deb() {
	local src=$T/deb-src
	mkdir -p "$src"
	tar -C "$top_srcdir" --exclude=./_build --exclude=./_demo --exclude=./.git -cf - . | tar -C "$src" -xf -
	(cd "$src" && [ -f config.status ] && make distclean >/dev/null 2>&1; true)
	# The unit tests ran in the build this stand comes from; the make running this test passes
	# its variables (TESTS=t/stand.sh, say) to no make of the package build.
	(cd "$src" && autoreconf -fi && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL DEB_BUILD_OPTIONS=nocheck \
		DREICHOR_ENDPOINT_LIBCURL=${ENDPOINT_LIBCURL_DIR:-} dpkg-buildpackage -us -uc -b) >"$T/deb-build.log" 2>&1 ||
		{ tail -40 "$T/deb-build.log" >&2; hard_error "dpkg-buildpackage failed"; }
	STAND_DEB=$(ls "$T"/dreichor-agent_*.deb 2>/dev/null | head -1)
	[ -f "$STAND_DEB" ] || hard_error "dpkg-buildpackage made no dreichor-agent .deb"
}

# stand_prepare_root DIR: a fresh copy of the root filesystem with the
# stand's own environment (not the agent's): the pre-init, a loopback
# registry without auth, and an engine without bridge or iptables.
stand_prepare_root() {
	local root=$1
	mkdir -p "$root"
	tar -C "$root" -xf "$(stand_rootfs)" || hard_error "cannot unpack the stand's root filesystem"
	cat >"$root/sbin/stand-init" <<'EOF'
#!/bin/sh
for d in /sys/fs/cgroup/*; do
	case ${d##*/} in unified|systemd) continue ;; esac
	mount -o remount,bind,rw "$d" "$d" 2>/dev/null
done
exec /lib/systemd/systemd
EOF
	chmod 0755 "$root/sbin/stand-init"
	echo stand >"$root/etc/hostname"
	mkdir -p "$root/etc/docker/registry"
	printf '%s\n' 'version: 0.1' 'log: {level: error}' \
		'storage: {filesystem: {rootdirectory: /var/lib/docker-registry}, delete: {enabled: true}}' \
		'http: {addr: 127.0.0.1:5000}' >"$root/etc/docker/registry/config.yml"
	printf '%s\n' '{"bridge": "none", "iptables": false, "ip6tables": false}' >"$root/etc/docker/daemon.json"
}

# stand_cgroups_enter NAME: move this (sub)shell into cgroups of its own, one per hierarchy.
stand_cgroups_enter() {
	local name=$1 h base own dir
	for h in /sys/fs/cgroup/*; do
		base=${h##*/}
		[ -d "$h" ] && [ "$base" != unified ] || continue
		own=$(awk -F: -v c="$base" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c || a[i] == "name=" c) print $3 }' /proc/self/cgroup)
		[ "$base" = unified ] || [ -n "$own" ] || own=/
		dir=$h${own%/}/$name
		mkdir -p "$dir" 2>/dev/null || continue
		if [ "$base" = cpuset ]; then
			cat "${dir%/*}/cpuset.cpus" >"$dir/cpuset.cpus"
			cat "${dir%/*}/cpuset.mems" >"$dir/cpuset.mems"
		fi
		echo "$BASHPID" >"$dir/cgroup.procs" 2>/dev/null || true
		echo "$dir" >>"$T/stand-cgroups"
	done
}

# stand_boot DIR: boot the prepared root; sets STAND_PID (its PID 1 as the host sees it).
stand_boot() {
	local root=$1 name=dr-stand-$$
	: >"$T/stand-cgroups"
	(
		stand_cgroups_enter "$name"
		exec systemd-nspawn -D "$root" --keep-unit --register=no --private-network \
			--console=passive --capability=all --system-call-filter='@keyring bpf landlock_create_ruleset landlock_add_rule landlock_restrict_self' \
			--kill-signal=SIGRTMIN+3 /sbin/stand-init
	) >"$T/nspawn.log" 2>&1 &
	STAND_NSPAWN_PID=$!
	STAND_ROOT=$root
	wait_for 60 bash -c "pgrep -P $STAND_NSPAWN_PID -x systemd >/dev/null" ||
		{ cat "$T/nspawn.log" >&2; hard_error "the stand's systemd did not start"; }
	STAND_PID=$(pgrep -P "$STAND_NSPAWN_PID" -x systemd | head -1)
	wait_for 60 stand test -S /run/systemd/private || hard_error "the stand's systemd never listened"
	stand timeout 120 systemctl is-system-running --wait >"$T/stand-state" 2>&1
	if ! grep -qx running "$T/stand-state"; then
		stand systemctl --failed --no-pager >&2
		hard_error "the stand did not reach running: $(cat "$T/stand-state")"
	fi
}

# stand COMMAND...: run a command inside the stand, as root, with a clean environment.
stand() {
	nsenter -t "$STAND_PID" -m -u -i -n -p -- /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 HOME=/root "$@"
}

# stand_sh SCRIPT [ARGS...]: a shell script inside the stand.
stand_sh() { local s=$1; shift; stand /bin/bash -c "$s" stand "$@"; }

# stand_stop: power off and wait; the cgroups made for it go too.
stand_stop() {
	[ -n "$STAND_NSPAWN_PID" ] || return 0
	if kill -0 "$STAND_NSPAWN_PID" 2>/dev/null; then
		kill -s SIGRTMIN+4 "$STAND_PID" 2>/dev/null
		for _ in $(seq 300); do kill -0 "$STAND_NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$STAND_NSPAWN_PID" 2>/dev/null
	fi
	wait "$STAND_NSPAWN_PID" 2>/dev/null
	STAND_NSPAWN_PID=""
	if [ -f "$T/stand-cgroups" ]; then
		while read -r d; do
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		done <"$T/stand-cgroups"
	fi
	# What the stand's engine left mounted under its root must go before rm -rf.
	[ -n "${STAND_ROOT:-}" ] && grep -o " $STAND_ROOT[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r umount -l 2>/dev/null
	return 0
}

# stand_start: build the package, boot a fresh stand, wait for its engine
# and registry, and put the .deb at /root inside.
stand_start() {
	need_stand_tools
	stand_build_deb
	stand_prepare_root "$T/root"
	cp "$STAND_DEB" "$T/root/root/"
	STAND_DEB_NAME=$(basename "$STAND_DEB")
	stand_boot "$T/root"
	stand_sh 'for i in $(seq 300); do docker info >/dev/null 2>&1 && curl -sf http://127.0.0.1:5000/v2/ >/dev/null && exit 0; sleep 0.1; done; exit 1' ||
		hard_error "the stand's dockerd or registry did not come up"
}

# stand_push_image TAG SCRIPT: an image running sh -c SCRIPT, pushed to the
# stand's registry as $STAND_REPO:TAG and removed locally so deploys pull.
STAND_REPO=127.0.0.1:5000/ceerkle/dreichor-trading/runtime
stand_push_image() {
	stand_sh '
		set -e
		if [ ! -f /root/busybox.tar ]; then
			mkdir -p /root/bb/bin && cp /bin/busybox /root/bb/bin/
			for a in sh sleep echo cat env ls; do ln -sf busybox /root/bb/bin/$a; done
			tar -C /root/bb -cf /root/busybox.tar .
		fi
		docker import -c "CMD $(jq -cn --arg s "$3" "[\"/bin/sh\", \"-c\", \$s]")" /root/busybox.tar "$1:$2" >/dev/null
		docker push "$1:$2" >/dev/null
		docker rmi "$1:$2" >/dev/null' "$STAND_REPO" "$1" "$2" || hard_error "cannot push $1 in the stand"
}

# stand_image_digest TAG: the digest $STAND_REPO:TAG resolves to in the stand's registry.
stand_image_digest() {
	stand_sh 'curl -sI -H "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" \
		"http://${1%%/*}/v2/${1#*/}/manifests/$2" | tr -d "\r" | sed -n "s/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p"' "$STAND_REPO" "$1"
}

# stand_secret ENV: the environment's service-token secret in the stand.
stand_secret() { printf 'stand-%s-secret-%s' "$1" "$STAND_SECRET_SALT"; }
STAND_SECRET_SALT=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')

# stand_install_package: the operator's first step (docs/operations.md).
stand_install_package() {
	stand_sh 'cd /root && apt-get install -y "./$1"' "$STAND_DEB_NAME" >"$T/apt-install.log" 2>&1 ||
		{ tail -20 "$T/apt-install.log" >&2; hard_error "apt install of the package failed"; }
}

# stand_signing_key: the stand's CI key pair ($T/keys/stand-ci.*) made here; its public half goes in
# the stand as prod's IMAGE_SIGNATURE_KEYS, root:dreichor-prod 0640, as docs/signatures.md says.
stand_signing_key() {
	[ -f "$T/keys/stand-ci.pub" ] || make_signing_key stand-ci
	stand_sh 'install -m 0640 -o root -g dreichor-prod /dev/stdin /etc/dreichor/prod/image-signature-keys.pem' \
		<"$T/keys/stand-ci.pub" || hard_error "cannot install the signing key in the stand"
}

# stand_sign TAG FORMAT: sign $STAND_REPO:TAG with the stand's CI key in FORMAT (simple or bundle),
# from here (openssl, jq, curl of this machine) inside the stand's network namespace.
stand_sign() {
	nsenter -t "$STAND_PID" -n -- bash -c "$(declare -f); T=$T REPO_PATH=$REPO_PATH IMAGE_REPOSITORY=$STAND_REPO
		$(declare -p SIG_SIMPLE_TYPE SIG_BUNDLE_TYPE OCI_MANIFEST OCI_INDEX)
		REG_URL=http://127.0.0.1:5000 REG_CURL=()
		d=\$(image_digest $1) && [ -n \"\$d\" ] && sign_$2 stand-ci \"\$d\"" || hard_error "cannot sign $1 in the stand"
}

# stand_keyless_root: the test Sigstore instance's trusted_root.json (t/lib-keyless.sh's
# keyless_instance, made here) installed in the stand as prod's SIGSTORE_TRUSTED_ROOT,
# /etc/dreichor/prod/trusted_root.json, root:root 0644 (public material: the agent's and the
# registry helper's users read it, neither can change it).
STAND_TRUSTED_ROOT=/etc/dreichor/prod/trusted_root.json
stand_keyless_root() {
	[ -n "${KL_ROOT:-}" ] || hard_error "keyless_instance first"
	stand_sh 'install -m 0644 -o root -g root /dev/stdin "$1"' "$STAND_TRUSTED_ROOT" <"$KL_ROOT" ||
		hard_error "cannot install the trusted root in the stand"
}

# stand_keyless_sign TAG FORMAT: sign $STAND_REPO:TAG keyless with the test Sigstore instance in
# FORMAT (simple: the tag sha256-<hex>.sig; bundle: a Sigstore bundle in the fallback index), from
# here inside the stand's network namespace as stand_sign does; KL_VARIANT, KL_SIGN_IDENTITY,
# KL_SIGN_ISSUER, KL_TSA, KL_PREDICATE and SIGNED_REPOSITORY as t/lib-keyless.sh reads them.
# Sets STAND_KL_LAST to the directory of the signature made (keyless_last).
stand_keyless_sign() {
	STAND_KL_LAST=$(nsenter -t "$STAND_PID" -n -- bash -c "$(declare -f); T=$T REPO_PATH=$REPO_PATH IMAGE_REPOSITORY=$STAND_REPO
		$(declare -p SIG_SIMPLE_TYPE SIG_BUNDLE_TYPE OCI_MANIFEST OCI_INDEX KL_FIXTURE KL_DIR KL_ROOT KL_IDENTITY KL_ISSUER \
			KL_COMMIT KL_RUN_URL)
		$(declare -p KL_VARIANT KL_SIGN_IDENTITY KL_SIGN_ISSUER KL_TSA KL_PREDICATE SIGNED_REPOSITORY 2>/dev/null)
		REG_URL=http://127.0.0.1:5000 REG_CURL=()
		d=\$(image_digest $1) && [ -n \"\$d\" ] && keyless_sign_$2 \"\$d\" >&2 && keyless_last") && [ -d "$STAND_KL_LAST" ] ||
		hard_error "cannot sign $1 keyless in the stand"
}

# stand_configure ENV: the operator's configuration steps of
# docs/operations.md, with the stand's values: its registry, no network
# for the runtime, short stop and grace periods so the scenarios run fast.
stand_configure() {
	local env=$1
	[ "$env" = prod ] && stand_signing_key
	stand_sh '
		set -e
		env=$1 secret=$2 repo=$3
		cd /opt/dreichor/$env/deploy-agent
		sed -i -e "s|^CF_ACCESS_CLIENT_ID=.*|CF_ACCESS_CLIENT_ID=stand-$env.access|" \
			-e "s|^IMAGE_REPOSITORY=.*|IMAGE_REPOSITORY=$repo|" \
			-e "s|^#CONTAINER_NETWORK=.*|CONTAINER_NETWORK=none|" \
			-e "s|^STOP_TIMEOUT_SECONDS=.*|STOP_TIMEOUT_SECONDS=2|" \
			-e "s|^STARTUP_GRACE_SECONDS=.*|STARTUP_GRACE_SECONDS=1|" .env
		sed -i -e "s|change-me|db-pass-$env|" runtime.env
		printf "%s" "$secret" | install -m 0640 -g dreichor-$env /dev/stdin /etc/dreichor/$env/cf-access-client-secret
		systemd-run --quiet --pipe --wait -p User=dreichor-$env \
			-p EnvironmentFile=/opt/dreichor/$env/deploy-agent/.env -p StateDirectory=dreichor-agent/$env \
			-p Environment=CF_ACCESS_CLIENT_SECRET_FILE=/etc/dreichor/$env/cf-access-client-secret \
			-p Environment=DREICHOR_LANDLOCK=on -p Environment=DREICHOR_SYSCALL_FILTER=on /usr/bin/dreichor-agent --check-config
		systemctl enable --now dreichor-agent-$env.socket dreichor-registry-$env.socket dreichor-docker-gate-$env.socket
		printf "CF-Access-Client-Id: stand-%s.access\nCF-Access-Client-Secret: %s\n" "$env" "$secret" >/root/headers-$env
		chmod 0600 /root/headers-$env' "$env" "$(stand_secret "$env")" "$STAND_REPO" >"$T/configure-$env.log" 2>&1 ||
		{ cat "$T/configure-$env.log" >&2; hard_error "configuring $env in the stand failed"; }
}

# sraw PORT CURL-ARGS...: a request inside the stand to RAW_PATH (default
# /v1/status); sets STATUS and BODY.
sraw() {
	local port=$1 out; shift
	out=$(stand_sh 'p=$1 path=$2; shift 2; curl -s -o /tmp/body -w "%{http_code}" "$@" "http://127.0.0.1:$p$path"; echo; cat /tmp/body' \
		"$port" "${RAW_PATH:-/v1/status}" "$@")
	STATUS=$(printf '%s\n' "$out" | head -1)
	BODY=$(printf '%s\n' "$out" | tail -n +2)
}

# sreq ENV METHOD PATH [BODY]: an authenticated request inside the stand; sets STATUS and BODY.
sreq() {
	local port=3005 args=(-X "$2" -H "@/root/headers-$1")
	[ "$1" = prod ] && port=3006
	[ -n "${4:-}" ] && args+=(-H "Content-Type: application/json" --data-binary "$4")
	RAW_PATH=$3 sraw "$port" "${args[@]}"
}

# stand_exposure PORT UNIT-GLOB: systemd-analyze security's exposure of a
# live instance: a connection held open on PORT keeps one of UNIT-GLOB running.
stand_exposure() {
	stand_sh '
		exec 3<>/dev/tcp/127.0.0.1/$1
		for i in $(seq 50); do
			u=$(systemctl list-units --no-legend --state=running "$2" | awk "{ print \$1 }" | head -1)
			[ -n "$u" ] && break; sleep 0.1
		done
		systemd-analyze security "$u" 2>/dev/null | sed -n "s/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p"' "$1" "$2"
}

# stand_wait_deploying IMAGE [NAME]: wait until a container labelled with IMAGE
# (and named NAME, when given) runs: a deploy of IMAGE is past its start.
stand_wait_deploying() {
	stand_sh 'for i in $(seq 100); do [ -n "$(docker ps -q --filter label=dreichor.image=$1 ${2:+--filter name=$2})" ] && exit 0; sleep 0.1; done; exit 1' "$@"
}

# sjournal RID: the stand's journal entry of one request, as JSON.
sjournal() {
	stand_sh 'for i in $(seq 100); do e=$(journalctl -o json DREICHOR_REQUEST_ID=$1); [ -n "$e" ] && { printf "%s\n" "$e"; exit 0; }; sleep 0.1; done; exit 1' "$1"
}
