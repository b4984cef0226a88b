#!/bin/bash
# Benchmark in the production shape: the .deb installed in the stand
# (Debian 12, systemd as PID 1, t/lib-stand.sh), GET /v1/status on a
# container the agent deployed. Printed in one run, medians:
#  1. latency (hyperfine, client process included): the installed units;
#     the same units with every sandboxing option removed; with the mount
#     namespace the dispatcher's Landlock ruleset replaced; the same
#     binaries under systemd-socket-activate; the seed-shaped Node agent
#     (bench/node-peer.js: express, docker inspect per call); bare curl on
#     the Docker socket; docker inspect;
#  1b/1c. plan and history beside status; the Access JWT (prod configured
#     for it) beside the service token (dev);
#  1e. plan with the image's signature checked (prod: IMAGE_SIGNATURE_KEYS):
#     of a digest no deploy verified yet (dreichor-registry through its
#     socket unit asks the registry) and of the deployed one (remembered),
#     beside status and dev's plan, which checks none;
#  2. what each sandboxing option costs per connection: one socket per
#     variant (the unit without its sandbox plus one option group: each the
#     unit has, the programs' own filter, and each the filter replaced), sampled
#     in rotation so drift hits all alike (curl's time_total), with the
#     exposure systemd-analyze security gives a live instance of it;
#  3. 16 concurrent clients for 15 s (wrk): requests per second, latency,
#     and every socket error, for the units, socket-activate and Node.
# Run as root from a built tree: bench/stand.sh [--no-options] [RUNS]
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/lib-stand.sh"
. "$top_srcdir/t/lib-sign.sh" || hard_error "t/lib-sign.sh is missing"
trap 'stand_stop; cleanup' EXIT
options=1
[ "${1:-}" = --no-options ] && { options=0; shift; }
runs=${1:-150}
: "${ENDPOINT_LIBCURL_DIR:=$(sed -n 's/^ENDPOINT_LIBCURL_DIR = //p' "$top_builddir/Makefile" 2>/dev/null)}"

stand_start
stand_install_package
stand_configure dev
stand_push_image 1.0.0 'exec sleep 3600'
sreq dev POST /v1/deploy "{\"image\":\"$STAND_REPO:1.0.0\"}"
[ "$STATUS" = 200 ] || hard_error "the deploy for the benchmark failed: $BODY"
cp "$top_srcdir/bench/node-peer.js" "$STAND_ROOT/root/node-peer.js"

# The peers, inside the stand: socket-activate as the agent's user with the
# agent's configuration, and the Node agent (root, as the seed ran it).
stand_sh '
	set -a; . /opt/dreichor/dev/deploy-agent/.env; set +a
	export STATE_DIRECTORY=/var/lib/dreichor-agent/dev CF_ACCESS_CLIENT_SECRET_FILE=/etc/dreichor/dev/cf-access-client-secret
	vars=$(sed -n "s/^\([A-Z_]*\)=.*/-E \1/p" /opt/dreichor/dev/deploy-agent/.env | tr "\n" " ")
	setsid setpriv --reuid=dreichor-dev --regid=dreichor-dev --groups=docker \
		systemd-socket-activate --accept --inetd -l 127.0.0.1:4001 $vars -E STATE_DIRECTORY -E CF_ACCESS_CLIENT_SECRET_FILE \
		/usr/bin/dreichor-agent </dev/null >/root/activate.log 2>&1 &
	setsid node /root/node-peer.js 4002 stand-dev.access "$(cat /etc/dreichor/dev/cf-access-client-secret)" </dev/null >/root/node.log 2>&1 &
	for i in $(seq 100); do curl -sf -o /dev/null -H @/root/headers-dev http://127.0.0.1:4001/v1/status &&
		curl -sf -o /dev/null -H @/root/headers-dev http://127.0.0.1:4002/v1/status && exit 0; sleep 0.1; done
	exit 1' || hard_error "the peers did not start in the stand"

# variant NAME PORT KEEP-REGEX [LINE...]: the installed dev unit with only the
# sandbox options matching KEEP (plus LINEs), behind a socket of its own.
variant() {
	local name=$1 port=$2 keep=$3 line unit=$STAND_ROOT/etc/systemd/system/dreichor-bench-$1@.service
	shift 3
	awk -v keep="$keep" '
		/^# Sandbox \(begin\)/ { inside = 1; print; next }
		/^# Sandbox \(end\)/ { inside = 0 }
		inside && /^[A-Za-z]/ { if (keep != "" && $0 ~ keep) print; next }
		{ print }' "$STAND_ROOT/lib/systemd/system/dreichor-agent-dev@.service" >"$unit"
	for line in "$@"; do sed -i "/^# Sandbox (end)/i $line" "$unit"; done
	sed -e "s/127.0.0.1:3005/127.0.0.1:$port/" -e '/^\[Install\]/,$d' \
		"$STAND_ROOT/lib/systemd/system/dreichor-agent-dev.socket" >"$STAND_ROOT/etc/systemd/system/dreichor-bench-$name.socket"
}
variant none 4010 '^$'
variant shipped 4011 '.'
# The sandbox before Landlock: its mount namespace, and the dispatcher unconfined.
variant mounts 4016 '.' 'PrivateMounts=yes' 'ProtectSystem=strict' 'ProtectHome=yes' 'ProtectKernelModules=yes' \
	'InaccessiblePaths=-/opt/dreichor/prod' 'IPAddressDeny=any' 'Environment=DREICHOR_LANDLOCK=off'
stand systemctl daemon-reload
stand systemctl start dreichor-bench-none.socket dreichor-bench-shipped.socket dreichor-bench-mounts.socket

# 1. Latency, hyperfine in one run.
api=$(stand curl -s --unix-socket /run/docker.sock http://d/version | jq -r .ApiVersion)
req() { echo "curl -sf -o /dev/null -H @/root/headers-dev http://127.0.0.1:$1/v1/status"; }
stand hyperfine -N --warmup 10 --runs "$runs" --export-json /root/latency.json \
	-n "installed units" "$(req 3005)" -n "units, no sandbox" "$(req 4010)" \
	-n "units, mount namespace" "$(req 4016)" \
	-n "socket-activate" "$(req 4001)" -n "node peer" "$(req 4002)" \
	-n "bare curl inspect" "curl -sf -o /dev/null --unix-socket /run/docker.sock http://d/v$api/containers/dreichor-runtime-dev/json" \
	-n "docker inspect" "docker inspect dreichor-runtime-dev" >"$T/hyperfine.txt" 2>&1 ||
	{ cat "$T/hyperfine.txt"; hard_error "hyperfine failed"; }
stand cat /root/latency.json >"$T/latency.json"
median() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000' "$T/latency.json"; }
units=$(median "installed units"); bare_units=$(median "units, no sandbox"); node=$(median "node peer")
printf '\nGET /v1/status in the stand, median of %d runs each (ms, curl process included)\n' "$runs"
for n in "installed units" "units, no sandbox" "units, mount namespace" "socket-activate" "node peer" "bare curl inspect" "docker inspect"; do
	printf '  %-28s %8.1f\n' "$n" "$(median "$n")"
done
printf '  %-28s %8.2f   (target: at most 1.15)\n' "sandbox ratio" "$(echo "$units / $bare_units" | bc -l)"
printf '  %-28s %8s\n' "installed units beat node" "$(echo "$units < $node" | bc -l | sed 's/1/yes/;s/0/no/')"

# 1b. Plan and history in the installed units, beside status in the same run; the
# history filled to its 1 MiB cap with copies of its newest entry first.
stand sh -c 'h=/var/lib/dreichor-agent/dev/deploys.jsonl; line=$(tail -1 "$h")
	while [ "$(stat -c %s "$h")" -lt 1000000 ]; do for i in $(seq 200); do printf "%s\n" "$line"; done >>"$h"; done'
printf '{"image":"%s"}' "$STAND_REPO:1.0.0" >"$STAND_ROOT/root/plan-body"
stand hyperfine -N --warmup 10 --runs "$runs" --export-json /root/plan.json \
	-n status "$(req 3005)" \
	-n plan "curl -sf -o /dev/null -H @/root/headers-dev -H 'Content-Type: application/json' --data-binary @/root/plan-body http://127.0.0.1:3005/v1/plan" \
	-n deploys "curl -sf -o /dev/null -H @/root/headers-dev http://127.0.0.1:3005/v1/deploys" >"$T/hyperfine-plan.txt" 2>&1 ||
	{ cat "$T/hyperfine-plan.txt"; hard_error "hyperfine (plan) failed"; }
stand cat /root/plan.json >"$T/plan.json"
pmedian() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000' "$T/plan.json"; }
printf '\nplan and history in the installed units, median of %d runs each (ms); history %s bytes\n' "$runs" \
	"$(stand stat -c %s /var/lib/dreichor-agent/dev/deploys.jsonl)"
for n in status plan deploys; do printf '  %-28s %8.1f\n' "$n" "$(pmedian "$n")"; done
printf '  %-28s %8.2f   (target: at most 1.5)\n' "plan / status" "$(echo "$(pmedian plan) / $(pmedian status)" | bc -l)"
printf '  %-28s %8.2f   (target: at most 1.2)\n' "deploys / status" "$(echo "$(pmedian deploys) / $(pmedian status)" | bc -l)"

# 1f. The Docker gate (target: status and deploy through it at most 5 ms and 1.1x more than
# without it): the installed dev unit, and a copy of it (same sandbox) on 4012 whose .env
# names the engine's own socket and which has the docker group, as the agent had before.
variant nogate 4012 '.' 'SupplementaryGroups=docker'
sed 's|^DOCKER_HOST=.*|DOCKER_HOST=unix:///run/docker.sock|' "$STAND_ROOT/opt/dreichor/dev/deploy-agent/.env" >"$STAND_ROOT/root/nogate.env"
sed -i 's|^EnvironmentFile=.*|EnvironmentFile=/root/nogate.env|' "$STAND_ROOT/etc/systemd/system/dreichor-bench-nogate@.service"
stand systemctl daemon-reload
stand systemctl start dreichor-bench-nogate.socket
printf '{"image":"%s"}' "$STAND_REPO:1.0.0" >"$STAND_ROOT/root/deploy-body"
dreq() { echo "curl -sf -o /dev/null -H @/root/headers-dev -H 'Content-Type: application/json' --data-binary @/root/deploy-body http://127.0.0.1:$1/v1/deploy"; }
stand hyperfine -N --warmup 10 --runs "$runs" --export-json /root/gate.json \
	-n "status, gate" "$(req 3005)" -n "status, no gate" "$(req 4012)" >"$T/hyperfine-gate.txt" 2>&1 &&
stand hyperfine -N --warmup 2 --runs 15 --export-json /root/gate-deploy.json \
	-n "deploy, gate" "$(dreq 3005)" -n "deploy, no gate" "$(dreq 4012)" >>"$T/hyperfine-gate.txt" 2>&1 ||
	{ cat "$T/hyperfine-gate.txt"; hard_error "hyperfine (gate) failed"; }
stand cat /root/gate.json >"$T/gate.json"
stand cat /root/gate-deploy.json >"$T/gate-deploy.json"
gmedian() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median * 1000' "$T/$1.json"; }
printf '
the Docker gate in the installed units, medians (ms); status %d runs, deploy (redeploy, grace 1 s) 15
' "$runs"
for w in "gate status" "gate-deploy deploy"; do
	set -- $w
	g=$(gmedian "$1" "$2, gate"); n=$(gmedian "$1" "$2, no gate")
	printf '  %-8s through the gate %8.1f   without %8.1f   %+6.1f ms   %5.3fx   (target: +5 ms, 1.1x)\n' \
		"$2" "$g" "$n" "$(echo "$g - $n" | bc -l)" "$(echo "$g / $n" | bc -l)"
done

# 1c. The Access JWT in the installed units (target: at most 3 ms more than the service token,
# 2048-bit key): prod checks a JWT, dev does not; otherwise the same unit, image and work.
stand_configure prod
stand_sign 1.0.0 simple
stand_push_image 1.0.1 'exec sleep 3600'
stand_sign 1.0.1 simple
sreq prod POST /v1/deploy "{\"image\":\"$STAND_REPO:1.0.0\"}"
[ "$STATUS" = 200 ] || hard_error "the prod deploy for the JWT benchmark failed: $BODY"

# 1e. Image signatures in the installed units (target: plan with signatures at most 1.3x plan
# without; the registry helper is one process, forking per question, warm from the run's warmup).
plan_req() { printf "curl -sf -o /dev/null -H @/root/headers-%s -H 'Content-Type: application/json' --data-binary '{\"image\":\"%s:%s\"}' http://127.0.0.1:%s/v1/plan" "$1" "$STAND_REPO" "$3" "$2"; }
stand hyperfine -N --warmup 5 --runs "$runs" --export-json /root/sig.json \
	-n "status (prod)" "curl -sf -o /dev/null -H @/root/headers-prod http://127.0.0.1:3006/v1/status" \
	-n "plan, signature asked (prod)" "$(plan_req prod 3006 1.0.1)" \
	-n "plan, signature remembered (prod)" "$(plan_req prod 3006 1.0.0)" \
	-n "plan, no signatures (dev)" "$(plan_req dev 3005 1.0.0)" \
	>"$T/hyperfine-sig.txt" 2>&1 || { cat "$T/hyperfine-sig.txt"; hard_error "hyperfine (signatures) failed"; }
stand cat /root/sig.json >"$T/sig.json"
smedian() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000' "$T/sig.json"; }
printf '\nimage signatures in the installed units, median of %d runs each (ms)\n' "$runs"
for n in "status (prod)" "plan, no signatures (dev)" "plan, signature asked (prod)" "plan, signature remembered (prod)"; do
	printf '  %-34s %8.1f\n' "$n" "$(smedian "$n")"
done
for n in asked remembered; do
	printf '  %-34s %8.2f   (target: at most 1.3)\n' "plan, signature $n / plan without" \
		"$(echo "$(smedian "plan, signature $n (prod)") / $(smedian "plan, no signatures (dev)")" | bc -l)"
done
jwt_keys "$T"
install -m 0640 "$T/certs.json" "$STAND_ROOT/var/lib/dreichor-agent/prod/access-certs.json"
stand chown dreichor-prod:dreichor-prod /var/lib/dreichor-agent/prod/access-certs.json
printf 'CF_ACCESS_AUD=%s\nCF_ACCESS_ISSUER=%s\nCF_ACCESS_CERTS_FILE=/var/lib/dreichor-agent/prod/access-certs.json\n' \
	"$JWT_AUD" "$JWT_ISS" >>"$STAND_ROOT/opt/dreichor/prod/deploy-agent/.env"
printf 'Cf-Access-Jwt-Assertion: %s\n' "$(CLIENT_ID=stand-prod.access; token "$T/key.pem" "$JWT_H1" "$(claims '.exp = (.iat + 7200)')")" \
	>"$STAND_ROOT/root/jwt-prod"
stand curl -sf -o /dev/null -H @/root/jwt-prod http://127.0.0.1:3006/v1/status || hard_error "the prod agent refused the benchmark's JWT"
stand hyperfine -N --warmup 10 --runs "$runs" --export-json /root/jwt.json \
	-n "service token (dev)" "$(req 3005)" \
	-n "JWT alone (prod)" "curl -sf -o /dev/null -H @/root/jwt-prod http://127.0.0.1:3006/v1/status" \
	-n "JWT and token (prod)" "curl -sf -o /dev/null -H @/root/jwt-prod -H @/root/headers-prod http://127.0.0.1:3006/v1/status" \
	>"$T/hyperfine-jwt.txt" 2>&1 || { cat "$T/hyperfine-jwt.txt"; hard_error "hyperfine (JWT) failed"; }
stand cat /root/jwt.json >"$T/jwt.json"
jmedian() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000' "$T/jwt.json"; }
printf '\nthe Access JWT in the installed units, median of %d runs each (ms)\n' "$runs"
for n in "service token (dev)" "JWT alone (prod)" "JWT and token (prod)"; do printf '  %-28s %8.1f\n' "$n" "$(jmedian "$n")"; done
printf '  %-28s %8.1f   (target: at most 3)\n' "JWT alone - service token" "$(echo "$(jmedian "JWT alone (prod)") - $(jmedian "service token (dev)")" | bc -l)"

# 1d. Before and after a change of the dispatcher: BEFORE_AGENT names a dreichor-agent built
# from an earlier commit with the package's paths (configure --prefix=/usr --libexecdir=/usr/libexec).
# The JWT status on prod, the two binaries swapped in alternating rounds, same run.
if [ -n "${BEFORE_AGENT:-}" ]; then
	install -m 0755 "$BEFORE_AGENT" "$STAND_ROOT/usr/bin/dreichor-agent.before"
	stand install -m 0755 /usr/bin/dreichor-agent /usr/bin/dreichor-agent.after
	for round in 1 2; do
		for side in after before; do
			stand install -m 0755 /usr/bin/dreichor-agent.$side /usr/bin/dreichor-agent
			stand hyperfine -N --warmup 10 --runs "$runs" --export-json /root/ab-$side-$round.json -n "$side" \
				"curl -sf -o /dev/null -H @/root/jwt-prod http://127.0.0.1:3006/v1/status" >/dev/null 2>&1 ||
				hard_error "hyperfine (before/after, $side) failed"
			stand cat /root/ab-$side-$round.json >"$T/ab-$side-$round.json"
		done
	done
	stand install -m 0755 /usr/bin/dreichor-agent.after /usr/bin/dreichor-agent
	printf '\nthe dispatcher before and after (%s), JWT status in the installed units, median of %d runs (ms)\n' \
		"$BEFORE_AGENT" "$runs"
	for round in 1 2; do
		for side in before after; do
			printf '  %-28s %8.1f\n' "$side, round $round" "$(jq -r '.results[0].median * 1000' "$T/ab-$side-$round.json")"
		done
	done
fi

# 2. What each sandbox option group costs, sampled in rotation.
if [ "$options" = 1 ]; then
	# Each group as the lines it adds; the installed unit's values where it has them. First what the
	# unit has now, then what it had before the programs installed their own filter.
	replaced="SystemCallArchitectures=native;SystemCallFilter=@system-service"
	replaced="$replaced;SystemCallFilter=~@privileged @resources @mount @swap @reboot @module @raw-io @clock @cpu-emulation @debug @obsolete"
	replaced="$replaced;SystemCallFilter=landlock_create_ruleset landlock_add_rule landlock_restrict_self;SystemCallErrorNumber=EPERM"
	replaced="$replaced;RestrictAddressFamilies=AF_UNIX;RestrictNamespaces=yes;RestrictRealtime=yes;RestrictSUIDSGID=yes"
	replaced="$replaced;LockPersonality=yes;MemoryDenyWriteExecute=yes;ProtectHostname=yes;ProtectClock=yes"
	nomount="$replaced;Environment=DREICHOR_LANDLOCK=on;NoNewPrivileges=yes;CapabilityBoundingSet=;AmbientCapabilities="
	nomount="$nomount;UMask=0077;PrivateNetwork=yes;DevicePolicy=closed;KeyringMode=private;RemoveIPC=yes"
	groups=(
		"Environment=DREICHOR_SYSCALL_FILTER=on"
		"Environment=DREICHOR_LANDLOCK=on"
		"NoNewPrivileges=yes;CapabilityBoundingSet=;AmbientCapabilities="
		"UMask=0077"
		"PrivateNetwork=yes"
		"DevicePolicy=closed"
		"KeyringMode=private;RemoveIPC=yes"
		"SystemCallArchitectures=native"
		"SystemCallArchitectures=native;SystemCallFilter=@system-service;SystemCallFilter=~@privileged @resources @mount @swap @reboot @module @raw-io @clock @cpu-emulation @debug @obsolete;SystemCallErrorNumber=EPERM"
		"RestrictAddressFamilies=AF_UNIX"
		"RestrictNamespaces=yes"
		"RestrictRealtime=yes;RestrictSUIDSGID=yes;LockPersonality=yes;MemoryDenyWriteExecute=yes"
		"ProtectHostname=yes"
		"ProtectClock=yes"
		"$replaced"
		"$nomount"
	)
	labels=()
	for g in "${groups[@]}"; do
		case $g in
		"$replaced") labels+=("every option the programs' own filter replaced (F)") ;;
		"$nomount") labels+=("the unit as shipped before: F, Landlock and the other options (N)") ;;
		*) labels+=("+ $g") ;;
		esac
	done
	names=(none shipped)
	ports=(4010 4011)
	for i in "${!groups[@]}"; do
		IFS=';' read -ra lines <<<"${groups[$i]}"
		variant "g$i" $((4100 + i)) '^$' "${lines[@]}"
		names+=("g$i"); ports+=($((4100 + i)))
	done
	stand systemctl daemon-reload
	for n in "${names[@]}"; do stand systemctl start "dreichor-bench-$n.socket"; done
	stand_sh '
		rounds=$1; shift
		for r in $(seq "$rounds"); do
			for p in "$@"; do
				printf "%s %s\n" "$p" "$(curl -s -o /dev/null -w "%{time_total}" -H @/root/headers-dev http://127.0.0.1:$p/v1/status)"
			done
		done >/root/samples' "$runs" "${ports[@]}"
	stand cat /root/samples >"$T/samples"
	sample_median() { awk -v p="$1" '$1 == p { print $2 * 1000 }' "$T/samples" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
	base=$(sample_median 4010)
	printf '\nPer-connection cost of each sandbox option group: the unit without its sandbox\n'
	printf 'plus that group; %d samples each in rotation, median of curl time_total (ms)\n' "$runs"
	printf '  %-96s %7s %7s %8s\n' "variant" "median" "cost" "exposure"
	printf '  %-72s\n' "(F: $replaced)" "(N: $nomount)" | fold -w 100
	for i in "${!names[@]}"; do
		n=${names[$i]} p=${ports[$i]}
		case $n in none) label="no sandbox (User, groups, limits only)" ;; shipped) label="as installed" ;; *) label=${labels[${n#g}]} ;; esac
		m=$(sample_median "$p")
		printf '  %-96s %7.1f %+7.1f %8s\n' "$label" "$m" "$(echo "$m - $base" | bc -l)" "$(stand_exposure "$p" "dreichor-bench-$n@*")"
	done
fi

# 3. Throughput: 16 clients for 15 s each.
printf '\n16 concurrent clients for 15 s (wrk), GET /v1/status\n'
printf '  %-20s %9s %9s %9s  %s\n' "target" "req/s" "p50 ms" "p99 ms" "errors"
for target in "installed units:3005" "units, no sandbox:4010" "socket-activate:4001" "node peer:4002"; do
	name=${target%:*} port=${target##*:}
	stand wrk -t2 -c16 -d15s --latency -H "CF-Access-Client-Id: stand-dev.access" \
		-H "CF-Access-Client-Secret: $(stand_secret dev)" "http://127.0.0.1:$port/v1/status" >"$T/wrk.txt" 2>&1
	rps=$(sed -n 's/^Requests\/sec: *//p' "$T/wrk.txt")
	p50=$(awk '$1 == "50%" { print $2 }' "$T/wrk.txt")
	p99=$(awk '$1 == "99%" { print $2 }' "$T/wrk.txt")
	errors=$(grep -E 'Socket errors|Non-2xx' "$T/wrk.txt" | tr -s ' ' | tr '\n' ';')
	printf '  %-20s %9s %9s %9s  %s\n' "$name" "$rps" "$p50" "$p99" "${errors:-none}"
	eval "rps_$port=\${rps:-0}"
done
printf '  %-28s %8s   (target: at least the Node peer, no errors)\n' "installed units / node peer" \
	"$(echo "scale=2; $rps_3005 / $rps_4002" | bc -l)"
