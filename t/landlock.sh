#!/bin/bash
# The dispatcher's Landlock confinement (DREICHOR_LANDLOCK=on, as the units
# set it): deploy, status and plan work under it; a probe run in place of
# the status endpoint (it inherits the confinement) reads its own files and
# writes its state directory, and nothing else: not /tmp, not its own
# configuration, not the other environment's files, not /root. The same
# probe without Landlock can, so the test shows the difference.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

python3 -c 'import ctypes; l = ctypes.CDLL(None); exit(0 if l.syscall(444, None, 0, 1) > 0 else 1)' ||
	hard_error "this kernel offers no Landlock (the units need it: DREICHOR_LANDLOCK=on)"
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

# The probe: a status endpoint that reports what it may do.
mkdir -p "$T/probe"
for p in dreichor-deploy dreichor-stop dreichor-plan dreichor-deploys; do ln -s "$top_builddir/$p" "$T/probe/$p"; done
cat >"$T/probe/dreichor-status" <<PROBE
#!/bin/bash
try() { if bash -c "\$2" >/dev/null 2>&1; then echo "\$1=allowed"; else echo "\$1=denied"; fi; }
body=\$({
	try write_state 'echo x >"\$STATE_DIRECTORY/probe" && rm "\$STATE_DIRECTORY/probe"'
	try read_own_runtime_env 'cat "$T/dev/runtime.env"'
	try write_tmp 'echo x >/tmp/dreichor-landlock-probe-\$\$'
	try write_own_config 'echo x >>"$T/dev/agent.env"'
	try write_volume 'echo x >"$T/dev/volumes/snapshots/probe"'
	try read_other_env 'cat "$T/prod/runtime.env"'
	try read_other_state 'ls "$T/prod/state"'
	try list_root 'ls /root'
	try read_usr 'cat /usr/share/common-licenses/GPL-3 | head -1'
})
printf 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s' "\$(( \${#body} + 1 ))" "\$body
"
PROBE
chmod 0755 "$T/probe/dreichor-status"
probe_with() { # probe_with on|off: the probe's answer, one line per try
	stop_agent dev
	set_agent_var dev DREICHOR_LANDLOCK "$1"
	set_agent_var dev DREICHOR_LIBEXECDIR "$T/probe"
	start_agent dev
	call dev GET /v1/status
	printf '%s\n' "$BODY"
}
ON=$(probe_with on)
OFF=$(probe_with off)
echo "$ON" | sed 's/^/# with Landlock: /'
has() { grep -qx "$2" <<<"$1"; }
for a in write_state read_own_runtime_env read_usr; do
	check "Landlock: $a allowed" has "$ON" "$a=allowed"
done
for d in write_tmp write_own_config write_volume read_other_env read_other_state list_root; do
	check "Landlock: $d denied" has "$ON" "$d=denied"
	check "... and allowed without it (the test sees the difference)" has "$OFF" "$d=allowed"
done
rm -f /tmp/dreichor-landlock-probe-*

finish
