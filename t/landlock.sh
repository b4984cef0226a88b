#!/bin/bash
# The dispatcher's Landlock confinement (DREICHOR_LANDLOCK=on, as the units
# set it): deploy, status and plan work under it; a probe run in place of
# the status endpoint (it inherits the confinement) may read the loader's
# and the libraries' files and its own environment's configured files, and
# write its state directory, and nothing else: not the other environment's
# configuration (its /etc/dreichor/prod, mirrored under $T/etc), files or
# state, not its own secret (the dispatcher read it before confining
# itself), not /etc/shadow or the rest of /etc and /usr (the registry
# helper's TLS and resolver files only while it runs under the same
# ruleset), no shell, no /tmp, no /root. Run as root, so that file
# permissions hide nothing: each denial is Landlock's EACCES, and the same
# probe without Landlock can do all of it, so the test shows the difference.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

python3 -c 'import ctypes; l = ctypes.CDLL(None); exit(0 if l.syscall(444, None, 0, 1) > 0 else 1)' ||
	hard_error "this kernel offers no Landlock (the units need it: DREICHOR_LANDLOCK=on)"
[ "$(id -u)" = 0 ] || skip "the probe must run as root, so that only Landlock denies"
start_journald
start_dockerd
start_registry
make_image 1.0.0 "echo image 1.0.0; $RUNTIME_SCRIPT"
setup_env dev
setup_env prod
set_agent_var dev DREICHOR_LANDLOCK on
start_agent dev
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "deploy under Landlock: 200" status_is 200
call dev GET /v1/status
check "status under Landlock: 200, running" json_is .state running
call dev POST /v1/plan "{\"image\":\"$IMAGE_REPOSITORY:1.0.0\"}"
check "plan under Landlock: 200" status_is 200

# Each environment's /etc/dreichor/<env>, as the units lay it out: the secret and a file the
# configuration names (here the registry credentials).
for env in dev prod; do
	mkdir -p "$T/etc/dreichor/$env"
	printf '%s' "$CLIENT_SECRET" >"$T/etc/dreichor/$env/cf-access-client-secret"
	echo '{"auths": {}}' >"$T/etc/dreichor/$env/registry-auth.json"
done
set_agent_var dev CF_ACCESS_CLIENT_SECRET -
set_agent_var dev CF_ACCESS_CLIENT_SECRET_FILE "$T/etc/dreichor/dev/cf-access-client-secret"
set_agent_var dev REGISTRY_AUTH_FILE "$T/etc/dreichor/dev/registry-auth.json"

# The probe: a status endpoint that reports what it may do (t/lib-agent.sh).
mkdir -p "$T/probe"
build_probe "$T/probe/dreichor-status" "$T/probe/tries"
cat >"$T/probe/tries" <<TRIES
create-remove write_state $T/dev/state/probe
read read_own_runtime_env $T/dev/runtime.env
read read_own_config $T/etc/dreichor/dev/registry-auth.json
read read_ld_cache /etc/ld.so.cache
read read_localtime /etc/localtime
read read_hosts /etc/hosts
list list_other_config $T/etc/dreichor/prod
read read_other_config $T/etc/dreichor/prod/registry-auth.json
read read_other_secret $T/etc/dreichor/prod/cf-access-client-secret
read read_own_secret $T/etc/dreichor/dev/cf-access-client-secret
read read_other_env $T/prod/runtime.env
list read_other_state $T/prod/state
read read_shadow /etc/shadow
read read_passwd /etc/passwd
list list_etc /etc
read read_usr_share /usr/share/common-licenses/GPL-3
exec exec_shell /bin/sh
write write_tmp /tmp/dreichor-landlock-probe-$$
append write_own_config $T/dev/agent.env
write write_volume $T/dev/volumes/snapshots/probe
list list_root /root
TRIES
# probe_with on|off: the probe's answer in BODY, one line per try. Not in a $(...) subshell: the
# agents it starts must be this shell's, for stop_agent and the cleanup to find them.
probe_with() {
	stop_agent dev
	set_agent_var dev DREICHOR_LANDLOCK "$1"
	set_agent_var dev DREICHOR_LIBEXECDIR "$T/probe"
	start_agent dev
	call dev GET /v1/status
}
probe_with on
ON=$BODY
probe_with off
OFF=$BODY
# With DREICHOR_REGISTRY_SOCKET, as the units run it, dreichor-registry runs in a unit of its own:
# its TLS trust and resolver files are not granted here.
set_agent_var dev DREICHOR_REGISTRY_SOCKET "$T/registry.sock"
probe_with on
SOCKET=$BODY
echo "$ON" | sed 's/^/# with Landlock: /'
echo "$OFF" | sed 's/^/# without: /'
has() { grep -qx "$2" <<<"$1"; }
for a in write_state read_own_runtime_env read_own_config read_ld_cache read_localtime; do
	check "Landlock: $a allowed" has "$ON" "$a=allowed"
done
check "without DREICHOR_REGISTRY_SOCKET: the registry helper's /etc/hosts allowed" has "$ON" "read_hosts=allowed"
check "... with it, denied (EACCES)" has "$SOCKET" "read_hosts=denied errno=EACCES"
check "... where the rest is as before" has "$SOCKET" "read_own_config=allowed"
for d in list_other_config read_other_config read_other_secret read_own_secret read_other_env read_other_state \
	read_shadow read_passwd list_etc read_usr_share exec_shell write_tmp write_own_config write_volume list_root; do
	check "Landlock: $d denied (EACCES)" has "$ON" "$d=denied errno=EACCES"
	check "... and allowed without it (the test sees the difference)" has "$OFF" "$d=allowed"
done
rm -f /tmp/dreichor-landlock-probe-$$

finish
