#!/bin/bash
# dreichor-sigstore-root (a TUF client keeping trusted_root.json fresh) against TUF repositories
# made here (t/tuf_repo.py: ECDSA P-256 and Ed25519 keys, canonical JSON, consistent snapshots),
# served from loopback by a small server that can also answer 404 or stall, over HTTP and once
# over HTTPS with a CA made here. Scenario by scenario on one repository: the first update, a run
# with nothing new, a new target, root rotations with thresholds (v1 -> v2 -> v3 with every
# role's keys changed, versions restarting after the timestamp and snapshot keys changed), and
# every refusal: a rotation signed by too few old or new keys or by one key twice, a timestamp
# rolled back, expired timestamp, snapshot, targets and root, metadata signed by rotated-out
# keys, a float or a duplicate name in it, a target whose hash or length differs, a
# mix-and-match snapshot, a targets rollback, a 404, a file over its size bound, a server that
# stalls four ways (the run still ends within a bound; the seconds are printed). A refusal exits
# 1 with one line on stderr and leaves the state directory byte for byte as it was. Another
# repository URL starts afresh from its pinned root; a newer pinned root is the start, an older
# one is not; settings errors exit 100. About five minutes, most of it the stalling server.
# tuf-js (npm, pinned in t/npm, installed with npm ci; t/tuf-js-check.cjs) judges every
# repository the program judges, from the same pinned root, and must reach the same verdict
# unless JS_DISAGREES below names the case and why. The closing lines give both counts.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
for c in python3 openssl node npm jq sha256sum cmp timeout; do
	command -v "$c" >/dev/null 2>&1 || hard_error "$c is not installed (scripts/debian-packages)"
done
SR=$top_builddir/dreichor-sigstore-root
[ -x "$SR" ] || hard_error "dreichor-sigstore-root is not built"
TUF_REPO=$top_srcdir/t/tuf_repo.py
TUF_JS=$top_srcdir/t/tuf-js-check.cjs
TR1=$top_srcdir/data/sigstore/trusted_root.json
[ -f "$TR1" ] || hard_error "no $TR1"
unset SIGSTORE_TUF_URL SIGSTORE_TUF_ROOT NODE_EXTRA_CA_CERTS
export DREICHOR_SYSCALL_FILTER=on # as the unit runs it

npm_modules tuf-js
log "tuf-js $(jq -r .version "$NODE_PATH/tuf-js/package.json"), node $(node --version)"

# The cases on which tuf-js's verdict differs from the program's, each with the reason.
JS_DUPLICATES="tuf-js parses with JSON.parse, which keeps the last of duplicate names (the same value here, so the signature verifies); the program refuses a document naming a member twice (lib/core/json_strict: a name twice is refused)"
JS_NO_DEADLINE="tuf-js has no deadline for a whole file or a run, only an idle timeout between bytes (fetchTimeout): a server that keeps sending a byte now and then holds it as long as it likes (TUF leaves the slow retrieval attack to the client); run here under timeout(1)"
JS_TARGET_UNREAD="tuf-js checks the target's length and hashes only; the program also parses it as a Sigstore trusted root before it installs it"
declare -A JS_DISAGREES=(
	["root v2, then a target that is not a Sigstore trusted root: refused, v2 kept"]=$JS_TARGET_UNREAD
	["a timestamp naming _type twice"]=$JS_DUPLICATES
	["a server that drips a byte every half second"]=$JS_NO_DEADLINE
	["a server that sends three new roots slowly"]=$JS_NO_DEADLINE
)
JS_PASS=0 JS_TOTAL=0 AGREE=0 DISAGREE=0 SR_CASES=0

tuf() { python3 "$TUF_REPO" "$@" >"$T/tuf_repo.out" 2>&1 || { cat "$T/tuf_repo.out" >&2; hard_error "t/tuf_repo.py $*"; }; }
info() { python3 "$TUF_REPO" info "$1"; }

# start_server REPO [serve options]: serve REPO's www on a free 127.0.0.1 port; sets PORT.
start_server() {
	local repo=$1 p
	shift
	p=$(free_port)
	python3 "$TUF_REPO" serve "$repo" --port "$p" --log "$T/serve-$p.log" "$@" >>"$T/serve-$p.err" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	wait_for 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" || hard_error "the repository server did not listen"
	PORT=$p
}

# The run. URL, PINNED, REPO, S (the state directory) and JSDIR (tuf-js's) say which repository,
# pinned root and client state; sr [ARGS...] runs the program (RC, OUT, ERR, SECS) with URL and
# PINNED as SIGSTORE_TUF_URL and SIGSTORE_TUF_ROOT (neither when SR_NO_ENV is set).
sr() {
	local t0=$EPOCHREALTIME
	(
		if [ -z "${SR_NO_ENV-}" ]; then
			[ -n "${URL-}" ] && export SIGSTORE_TUF_URL=$URL
			[ -n "${PINNED-}" ] && export SIGSTORE_TUF_ROOT=$PINNED
		fi
		exec $VALGRIND_WRAP "$SR" --state-dir "$S" "$@"
	) >"$T/sr.out" 2>"$T/sr.err" </dev/null
	RC=$?
	SECS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	OUT=$(cat "$T/sr.out")
	ERR=$(cat "$T/sr.err")
	SR_CASES=$((SR_CASES + 1))
}

# js [tuf-js-check options]: tuf-js on the same repository (JS accepted, refused or "no
# verdict"; JS_LINE its line). JS_LIMIT: seconds before timeout(1) ends it (default 120).
js() {
	local rc
	mkdir -p "$T/js-tmp"
	JS_LINE=$(TMPDIR=$T/js-tmp timeout "${JS_LIMIT:-120}" node "$TUF_JS" --url "$URL" --root "$PINNED" --metadata-dir "$JSDIR" "$@" 2>"$T/js.err")
	rc=$?
	case $rc in
	0) JS=accepted ;;
	1) JS=refused ;;
	124) JS="no verdict in ${JS_LIMIT:-120} s" JS_LINE="timed out" ;;
	*) hard_error "tuf-js-check: exit $rc: $(head -c 500 "$T/js.err")" ;;
	esac
}

# js_judge NAME WANT [tuf-js-check options]: tuf-js's verdict on the repository as the program
# just judged it; WANT accepted, with JS_WANT_LINE the prefix of its line; or refused.
js_judge() {
	local name=$1 want=$2 known
	shift 2
	js "$@"
	known=${JS_DISAGREES[$name]:-}
	JS_TOTAL=$((JS_TOTAL + 1))
	if [ "$JS" = "$want" ] && { [ "$want" = refused ] || [[ $JS_LINE == "$JS_WANT_LINE"* ]]; }; then
		JS_PASS=$((JS_PASS + 1)) AGREE=$((AGREE + 1))
		if [ -n "$known" ]; then not_ok "tuf-js: $name now agrees ($JS); drop it from JS_DISAGREES"; else ok "tuf-js: $name: $JS_LINE"; fi
	else
		DISAGREE=$((DISAGREE + 1))
		if [ -n "$known" ]; then
			ok "tuf-js: $name: $JS, the program $want: known: $known"
		else
			not_ok "tuf-js: $name: $JS, the program $want: $JS_LINE${JS_WANT_LINE:+ (want $JS_WANT_LINE)}"
		fi
	fi
}

STATE_FILES="refresh.json root.json snapshot.json targets.json timestamp.json trusted_root.json"
state_files() { ls -A "$S" 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//'; }
modes_0640() { [ -z "$(find "$S" -maxdepth 1 -type f ! -perm 0640)" ]; }
fresh_time() { # fresh_time TIME T0 T1: TIME is YYYY-MM-DDTHH:MM:SSZ between T0-2 and T1+2 (epoch seconds)
	local s
	[[ $1 =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] && s=$(date -u -d "$1" +%s) &&
		[ "$s" -ge $(($2 - 2)) ] && [ "$s" -le $(($3 + 2)) ]
}

# accepted NAME [ARGS...]: the run refreshes: exit 0; stdout's line names the repository's
# versions and earliest expiry (and ends " (unchanged)" when the target's bytes are those the
# state held before); the state holds the served metadata and target byte for
# byte, mode 0640, nothing else; refresh.json says what the repository says; tuf-js accepts the
# same versions and target.
accepted() {
	local name=$1 same=no i rv tv sv gv earliest sha t0 t1 want
	shift
	cmp -s "$S/trusted_root.json" "$REPO/private/target.current" && same=yes
	i=$(info "$REPO")
	rv=$(jq -r .root_version <<<"$i") tv=$(jq -r .timestamp_version <<<"$i") sv=$(jq -r .snapshot_version <<<"$i")
	gv=$(jq -r .targets_version <<<"$i") earliest=$(jq -r .earliest <<<"$i") sha=$(jq -r .sha256 <<<"$i")
	t0=$(date +%s)
	sr "$@"
	t1=$(date +%s)
	check "$name: exit 0" test "$RC" = 0 || log "exit $RC, stderr: $ERR"
	want="dreichor-sigstore-root: trusted_root.json from $URL: root v$rv, timestamp v$tv, snapshot v$sv, targets v$gv; expires $earliest"
	if [ $same = yes ]; then
		check "$name: stdout names the versions, the earliest expiry, (unchanged)" test "$OUT" = "$want (unchanged)" ||
			log "stdout: $OUT (want $want (unchanged))"
	else
		check "$name: stdout names the versions and the earliest expiry" test "$OUT" = "$want" || log "stdout: $OUT (want $want)"
	fi
	check "$name: trusted_root.json is the target, byte for byte" cmp -s "$S/trusted_root.json" "$REPO/private/target.current"
	check "$name: the metadata kept is what was served (root v$rv, timestamp, snapshot v$sv, targets v$gv)" \
		bash -c 'cmp -s "$1/root.json" "$2/$3.root.json" && cmp -s "$1/timestamp.json" "$2/timestamp.json" &&
			cmp -s "$1/snapshot.json" "$2/$4.snapshot.json" && cmp -s "$1/targets.json" "$2/$5.targets.json"' \
		_ "$S" "$REPO/www" "$rv" "$sv" "$gv"
	check "$name: refresh.json: source, versions, the earliest expiry, sha256" jq_holds \
		--arg u "$URL" --arg e "$earliest" --arg h "$sha" --argjson r "$rv" --argjson t "$tv" --argjson s "$sv" --argjson g "$gv" \
		'keys == (["source", "refreshed", "expires", "root_version", "timestamp_version", "snapshot_version", "targets_version", "sha256"] | sort)
		 and .source == $u and .expires == $e and .sha256 == $h and .root_version == $r and .timestamp_version == $t
		 and .snapshot_version == $s and .targets_version == $g' <"$S/refresh.json" || log "refresh.json: $(cat "$S/refresh.json" 2>&1)"
	check "$name: refresh.json: refreshed is now" fresh_time "$(jq -r .refreshed "$S/refresh.json" 2>/dev/null)" "$t0" "$t1"
	check "$name: the state directory holds the six files, no temporary file" \
		bash -c '[ "$1" = "$2" ]' _ "$(state_files)" "$STATE_FILES" || log "state: $(ls -lA "$S")"
	check "$name: every file mode 0640 (the agent reads it through the group)" modes_0640
	JS_WANT_LINE="accepted root v$rv timestamp v$tv snapshot v$sv targets v$gv expires $earliest sha256 $sha"
	js_judge "$name" accepted ${JS_OPTS[@]+"${JS_OPTS[@]}"}
	JS_WANT_LINE=
}

# kept_root N: after a refusal that came after a root rotation, root.json is the served N.root.json
# (N "newer": any version above the one kept before), every other file as it was.
kept_root() {
	local v before
	v=$(jq .signed.version "$S/root.json") before=$(jq .signed.version "$T/before/root.json")
	{ [ "$1" = newer ] && [ "$v" -gt "$before" ] || [ "$v" = "$1" ]; } && cmp -s "$S/root.json" "$REPO/www/$v.root.json" &&
		diff -r -x root.json "$T/before" "$S" >/dev/null 2>&1
}

# refused NAME STEP WHY [ARGS...]: the run refuses: exit 1; one line on stderr,
# "dreichor-sigstore-root: STEP: <why>; kept the trusted root refreshed <refresh.json's time>"
# (or "; no trusted root written yet"), STEP an extended regular expression, the why matching
# the ERE WHY (case ignored); every file in the state directory as it was, byte for byte (but
# root.json with KEEPS_ROOT: kept_root); tuf-js refuses too.
refused() {
	local name=$1 step=$2 why=$3 kept msg
	shift 3
	rm -rf "$T/before"
	if [ -d "$S" ]; then cp -a "$S" "$T/before"; else mkdir "$T/before"; fi
	if [ -f "$S/refresh.json" ]; then
		kept="kept the trusted root refreshed $(jq -r .refreshed "$S/refresh.json")"
	else
		kept="no trusted root written yet"
	fi
	sr "$@"
	log "$name: exit $RC: $ERR"
	check "$name: exit 1" test "$RC" = 1 || log "exit $RC, stdout: $OUT, stderr: $ERR"
	check "$name: one line on stderr: $step: ...; $kept" \
		bash -c '[ "$(wc -l <<<"$1")" = 1 ] && [[ $1 =~ ^dreichor-sigstore-root:\ ($2):\ .+\;\ (.+)$ ]] && [ "${BASH_REMATCH[2]}" = "$3" ]' \
		_ "$ERR" "$step" "$kept" || log "stderr: $ERR"
	msg=${ERR#dreichor-sigstore-root: }
	msg=${msg#*: }
	check "$name: it says why (/$why/)" grep -Eiq -- "$why" <<<"${msg%;*}" || log "stderr: $ERR"
	if [ -n "${KEEPS_ROOT-}" ]; then
		check "$name: the newest root verified before the refusal kept (TUF 5.3.8), every other file as it was" \
			kept_root "$KEEPS_ROOT" || log "state: $(diff -r "$T/before" "$S" 2>&1 | head -5)"
	else
		check "$name: nothing written: every file as it was" diff -r "$T/before" "${S}" >/dev/null 2>&1 ||
			log "state: $(diff -r "$T/before" "$S" 2>&1 | head -5)"
	fi
	js_judge "$name" refused ${JS_OPTS[@]+"${JS_OPTS[@]}"}
}

# --- the targets: the public-good trusted root, one with a log less, one with a log more ---
TR2=$T/trusted_root-one-log.json
TR3=$T/trusted_root-three-logs.json
jq '.tlogs |= .[:1]' "$TR1" >"$TR2" || hard_error "cannot make $TR2"
jq '.tlogs += [.tlogs[1] | .baseUrl = "https://log-mirror.dreichor.test" | .publicKey.validFor.end = "2026-06-01T00:00:00Z"]' \
	"$TR1" >"$TR3" || hard_error "cannot make $TR3"

# --- repository A over http://127.0.0.1 ---
A=$T/repo-a
tuf init "$A" --target "$TR1"
start_server "$A"
A_PORT=$PORT
REPO=$A URL=http://127.0.0.1:$A_PORT PINNED=$A/www/1.root.json S=$T/state JSDIR=$T/js-a
JS_OPTS=()

mkdir -p "$S"
tuf control "$A" --status timestamp.json=404
refused "before the first run, a 404 for timestamp.json" timestamp "404|not in the repository|not found"
tuf heal "$A"
accepted "first update (root v1, threshold 2 of 3)"
accepted "a second run, nothing new"

# The same with the settings in an .env file (--env-file), not the environment.
printf 'SIGSTORE_TUF_URL=%s\nSIGSTORE_TUF_ROOT=%s\n' "$URL" "$PINNED" >"$T/sigstore.env"
SR_NO_ENV=1 accepted "settings from --env-file" --env-file "$T/sigstore.env"

tuf publish "$A" --target "$TR2" --expires targets=+3d
accepted "a new target (one log less); the targets expire first"
check "... trusted_root.json parses: one tlog" test "$(jq '.tlogs | length' "$S/trusted_root.json")" = 1

# Root rotation: v2 signed by exactly a threshold of the old keys (root1, root3 of root1-3) and of
# its own (root1, root3 of root1, root3, root4); v3 by a threshold of v2's (root1, root4) and all
# of its own (threshold 3: root5-7), with new keys for targets, snapshot and timestamp. The
# timestamp and snapshot versions then restart at 1 (5.3.11: their trusted copies are dropped).
tuf rotate-root "$A" --root-keys root1,root3,root4:ed25519 --root-threshold 2 --sign root1,root3
tuf rotate-root "$A" --root-keys root5:ed25519,root6:ecdsa,root7:ed25519 --root-threshold 3 \
	--targets-keys targets2:ecdsa --snapshot-keys snapshot2:ed25519,snapshot3:ecdsa --snapshot-threshold 2 \
	--timestamp-keys timestamp2:ecdsa --sign root1,root4,root5,root6,root7
python3 - "$A/private/state.json" <<'EOF' || hard_error "cannot restart the versions"
import json, sys
p = sys.argv[1]
st = json.load(open(p))
st["timestamp"]["version"] = 0
st["snapshot"]["version"] = 0
json.dump(st, open(p, "w"))
EOF
tuf publish "$A" --target "$TR3"
accepted "root rotated v1 -> v2 -> v3 (thresholds met exactly), every role's keys changed, timestamp and snapshot versions restarted"
check "... root.json is v3" test "$(jq .signed.version "$S/root.json")" = 3
check "... trusted_root.json parses: three tlogs" test "$(jq '.tlogs | length' "$S/trusted_root.json")" = 3
tuf publish "$A"
accepted "an update signed by the new keys only"

# Rotations that must be refused (each undone afterwards).
tuf rotate-root "$A" --root-keys root8,root9,root10:ed25519 --root-threshold 2 --sign root5,root6,root8,root9,root10
refused "a rotation signed by too few old keys (2 of threshold 3)" root "threshold|signature|signed"
tuf drop-root "$A"
tuf rotate-root "$A" --root-keys root8,root9,root10:ed25519 --root-threshold 2 --sign root5,root6,root7,root8
refused "a rotation signed by too few of its own keys (1 of threshold 2)" root "threshold|signature|signed"
tuf drop-root "$A"
tuf rotate-root "$A" --root-keys root8,root9,root10:ed25519 --root-threshold 2 --sign root5,root6,root7,root8,root8
refused "a rotation whose own threshold is met only by one key signing twice" root "threshold|signature|signed"
tuf drop-root "$A"
tuf rotate-root "$A" --sign root1,root2,root3,root4,timestamp2
refused "a rotation signed by keys the old root no longer names (and one of another role)" root "threshold|signature|signed"
tuf drop-root "$A"
accepted "after the refused rotations: still root v3"

# The timestamp.
tuf publish "$A" --roles timestamp
accepted "a new timestamp only"
ROLLED_TO=$(info "$A" | jq .timestamp_version)
tuf publish "$A" --roles timestamp
accepted "another new timestamp"
tuf rollback "$A" --timestamp "$ROLLED_TO"
refused "a timestamp rolled back to v$ROLLED_TO" timestamp "rollback|older|lower|version|below"
tuf heal "$A"
tuf publish "$A" --roles timestamp --expires timestamp=-1h
refused "an expired timestamp" timestamp "expired"
check "... stderr names the timestamp's expiry" grep -qF "$(info "$A" | jq -r .expires.timestamp)" <<<"$ERR" || log "stderr: $ERR"
tuf publish "$A" --roles timestamp --sign timestamp=timestamp1
refused "a timestamp signed by the rotated-out key" timestamp "threshold|signature|signed"
tuf publish "$A" --roles timestamp --pad timestamp=20000
refused "a timestamp over its size bound (16 KiB)" timestamp "16384|16 KiB|size|large|long|bound|bytes"
tuf publish "$A" --roles timestamp --quirk timestamp=float
refused "a timestamp with a float in it (signed as written)" timestamp "float|number|integer|JSON|canonical|parse"
tuf publish "$A" --roles timestamp --quirk timestamp=duplicate
refused "a timestamp naming _type twice" timestamp "duplicate|twice|JSON|parse|_type"
tuf control "$A" --status timestamp.json=404
refused "a 404 for timestamp.json" timestamp "404|not in the repository|not found"
tuf heal "$A"
tuf publish "$A" --roles timestamp
accepted "a good timestamp again"

# Expired root after a rotation, then a good one after it (an expired root on the way is fine).
tuf rotate-root "$A" --expires=-1h
KEEPS_ROOT=4 refused "the root after a rotation (v4) expired: refused, v4 kept as verified" root "expired"
tuf rotate-root "$A"
accepted "root v5 after the expired v4"
# A rotation, then a failure at a later step: the new root stays (a repository that rotated away
# from leaked root keys must not be held back by a network that makes every later step fail).
tuf rotate-root "$A"
tuf control "$A" --status timestamp.json=404
KEEPS_ROOT=6 refused "root v6, then a 404 for timestamp.json: refused, v6 kept" timestamp "404|not in the repository|not found"
tuf heal "$A"
accepted "timestamp.json served again: root v6"

# The target.
tuf publish "$A" --target "$TR1"
tuf corrupt-target "$A" --hash
refused "a target whose bytes differ (same length)" "target|trusted_root\.json" "hash|sha256|sha512|digest"
tuf corrupt-target "$A" --length
refused "a target one byte longer" "target|trusted_root\.json" "length|size|long|bytes"
tuf heal "$A"
accepted "the same target served right"

# Snapshot and targets.
tuf mix-and-match "$A"
refused "a mix-and-match snapshot (the timestamp names version S+1, S is served)" snapshot "version"
tuf publish "$A"
accepted "after the mix-and-match: a new snapshot"
G=$(info "$A" | jq .targets_version)
tuf publish "$A" --roles snapshot,timestamp --targets-version $((G - 1))
refused "a snapshot naming an older targets version (v$((G - 1)) after v$G)" snapshot "targets|rollback|version"
tuf publish "$A" --sign targets=targets1
refused "targets signed by the rotated-out key" targets "threshold|signature|signed"
tuf publish "$A" --sign snapshot=snapshot2
refused "a snapshot signed by one key of threshold 2" snapshot "threshold|signature|signed"
tuf publish "$A" --expires targets=-1h
refused "expired targets" targets "expired"
tuf publish "$A" --expires snapshot=-1h
refused "an expired snapshot" snapshot "expired"
tuf publish "$A"
accepted "all good again"

# A server that stalls: the run ends within a bound (asserted under 180 s; the seconds printed),
# everything kept. tuf-js runs with a 10 s idle timeout and no retries here.
stalled() { # stalled NAME STEP: refused (timing out) within 180 s
	refused "$1" "$2" "timed? ?out|timeout|time limit|slow|speed|stall|deadline|too long|seconds|[0-9] ?s\\b"
	check "$1: the run ended within 180 s ($SECS s)" awk -v s="$SECS" 'BEGIN { exit !(s < 180) }'
	log "$1: the run took $SECS s"
	STALL_SECS="${STALL_SECS:+$STALL_SECS, }$1: $SECS s"
}
JS_OPTS=(--timeout 10000 --retries 0)
tuf publish "$A" --roles timestamp
tuf control "$A" --stall timestamp.json=silent
stalled "a server that accepts and sends nothing" timestamp
tuf control "$A" --clear --stall timestamp.json=headers
stalled "a server that sends the headers and 10 bytes, then nothing" timestamp
tuf control "$A" --clear --stall timestamp.json=drip
JS_LIMIT=15 stalled "a server that drips a byte every half second" timestamp
tuf control "$A" --clear --stall '*.root.json=slow:50'
tuf rotate-root "$A"
tuf rotate-root "$A"
tuf rotate-root "$A"
KEEPS_ROOT=newer JS_LIMIT=15 stalled "a server that sends three new roots slowly" "root|[a-z_.]+"
JS_OPTS=()
tuf heal "$A"
accepted "the server well again: root v9 and the new timestamp"

# --- another repository (B): the state of A is left for B's pinned root, and back ---
B=$T/repo-b
tuf init "$B" --target "$TR2" --expires root=+20d
start_server "$B"
B_PORT=$PORT
REPO=$B URL=http://127.0.0.1:$B_PORT PINNED=$B/www/1.root.json JSDIR=$T/js-b
accepted "another repository URL: starts afresh from its pinned root v1 (A's root v9 in the state ignored)"
REPO=$A URL=http://127.0.0.1:$A_PORT PINNED=$A/www/1.root.json JSDIR=$T/js-a2
accepted "back to A: afresh from its root v1, rotations v1 -> v9 again (B's v1 in the state ignored)"

# The pinned root against the state's: an operator's newer pinned root (v10, a rotation the
# state's v9 cannot follow: signed by its own keys only) is the start; an older one (v1) is not,
# the state's v10 is (from v1 the chain breaks at v10). A newer pin does not lower the rollback
# floor: the state's timestamp, snapshot and targets still count (their keys did not change).
tuf publish "$A" --roles timestamp
accepted "a new timestamp, the floor for what follows"
FLOOR=$(info "$A" | jq .timestamp_version)
tuf rotate-root "$A" --root-keys root11:ed25519,root12,root13 --root-threshold 2 --sign root11,root12,root13
tuf rollback "$A" --timestamp $((FLOOR - 1))
PINNED=$A/www/10.root.json JSDIR=$T/js-a2
refused "a newer pinned root (v10) and a timestamp rolled back to v$((FLOOR - 1)): still a rollback" timestamp \
	"rollback|older|lower|version|below"
tuf heal "$A"
PINNED=$A/www/10.root.json JSDIR=$T/js-a-pinned10
accepted "a newer pinned root (v10, which the state's v9 could not reach): the start"
PINNED=$A/www/1.root.json JSDIR=$T/js-a-pinned10
accepted "an older pinned root (v1): the state's v10 is the start"
S=$T/state-fresh JSDIR=$T/js-a3
mkdir -p "$S"
refused "from the pinned v1 alone, the chain breaks at v10" root "threshold|signature|signed"
S=$T/state
tuf drop-root "$A"

# --- HTTPS with a CA made here, in a new state directory ---
tls_test_ca "$T/tls" || hard_error "cannot make the test CA"
start_server "$A" --tls-cert "$T/tls/srv.pem" --tls-key "$T/tls/srv.key"
URL=https://127.0.0.1:$PORT S=$T/state-https JSDIR=$T/js-https-no-ca
mkdir -p "$S"
refused "HTTPS, a certificate from a CA not trusted (no --cacert)" "[a-z_.]+" "certificate|SSL|TLS|verif|issuer"
JSDIR=$T/js-https
export NODE_EXTRA_CA_CERTS=$T/tls/ca.pem
accepted "HTTPS with --cacert" --cacert "$T/tls/ca.pem"
unset NODE_EXTRA_CA_CERTS

# --- http://localhost is loopback too ---
URL=http://localhost:$A_PORT S=$T/state-localhost JSDIR=$T/js-localhost
mkdir -p "$S"
accepted "http://localhost (loopback)"

# --- a target that is no Sigstore trusted root, after a rotation (repository C): refused, the
# rotated root kept all the same (TUF 5.3.8: whatever fails after the root step) ---
C=$T/repo-c
tuf init "$C" --target "$TR1"
start_server "$C"
REPO=$C URL=http://127.0.0.1:$PORT PINNED=$C/www/1.root.json S=$T/state-c JSDIR=$T/js-c
mkdir -p "$S"
accepted "repository C: first update"
printf '{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", "tlogs": [{}]}\n' >"$T/not-a-root.json"
tuf rotate-root "$C"
tuf publish "$C" --target "$T/not-a-root.json"
KEEPS_ROOT=2 refused "root v2, then a target that is not a Sigstore trusted root: refused, v2 kept" \
	"target trusted_root\.json is not a Sigstore trusted root" "transparency log|logId"

# --- settings errors: exit 100, nothing touched ---
URL=http://127.0.0.1:$A_PORT S=$T/state
settings_error() { # settings_error NAME WHY [ARGS...]: exit 100, says why, state untouched
	local name=$1 why=$2
	shift 2
	rm -rf "$T/before" && cp -a "$S" "$T/before"
	sr "$@"
	check "$name: exit 100" test "$RC" = 100 || log "exit $RC, stdout: $OUT, stderr: $ERR"
	check "$name: says why (/$why/)" grep -Eiq -- "$why" <<<"$ERR" || log "stderr: $ERR"
	check "$name: the state directory untouched" diff -r "$T/before" "$S" >/dev/null
	check "$name: over in under 10 s, no network ($SECS s)" awk -v s="$SECS" 'BEGIN { exit !(s < 10) }'
}
URL=http://192.0.2.1:$A_PORT settings_error "plain http to a non-loopback address" "https"
URL=https://tuf.example.invalid PINNED='' settings_error "an unknown host without SIGSTORE_TUF_ROOT" "SIGSTORE_TUF_ROOT"
settings_error "an unknown option" "usage" --no-such-option

log "dreichor-sigstore-root: $SR_CASES runs; tuf-js: $JS_PASS of $JS_TOTAL verdicts as the program's, $AGREE agree, $DISAGREE disagree (known: ${#JS_DISAGREES[@]})"
log "stall cases: $STALL_SECS"
finish
