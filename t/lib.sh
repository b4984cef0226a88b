# t/lib.sh: what every scenario test shares: its temp dir, checks and
# their TAP lines, skips, cleanup on exit, and the small waits. Each test
# sources this, which brings in the helpers by concern: t/lib-infra.sh (a
# private dockerd, a docker-registry, journald, images), t/lib-agent.sh
# (agents under systemd-socket-activate and requests to them) and
# t/lib-bench.sh (what the benchmarks set up), t/lib-jwt.sh (Access keys, tokens
# and an HTTPS server). Everything a test starts is
# stopped on exit.
# Exit codes follow automake: 0 pass, 1 fail, 77 skip (with a reason), 99 hard error.

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d /tmp/dr-t.XXXXXX) || exit 99
DOCKER_CLI=/usr/bin/docker
[ -x "$DOCKER_CLI" ] || DOCKER_CLI=docker
CLIENT_ID=test-client-$(od -An -N4 -tx1 /dev/urandom | tr -d " \n").access
CLIENT_SECRET=s3cr3t-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
REPO_PATH=ceerkle/dreichor-trading/runtime
FAILURES=0
CHECKS=0
BG_PIDS=""

# DREICHOR_VALGRIND=1: run the dispatcher under memcheck, following its exec
# into the endpoint; any error or leak fails the test (see finish).
VALGRIND_WRAP=""
if [ "${DREICHOR_VALGRIND:-0}" = 1 ]; then
	VALGRIND_WRAP="valgrind --quiet --suppressions=$top_srcdir/t/valgrind.supp --trace-children=yes --trace-children-skip=/usr/*,/bin/*,/sbin/* --leak-check=full --show-leak-kinds=definite,indirect,possible
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=97 --log-file=$T/valgrind.%p.log"
fi

log() { printf '%s: %s\n' "$TEST_NAME" "$*" >&2; }
skip() { log "SKIP: $*"; exit 77; }
hard_error() { log "ERROR: $*"; exit 99; }

ok() { CHECKS=$((CHECKS + 1)); printf 'ok %d - %s\n' "$CHECKS" "$*"; }
not_ok() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); printf 'not ok %d - %s\n' "$CHECKS" "$*"; }

# check DESCRIPTION COMMAND...: one assertion; returns non-zero when it failed,
# so that `check ... || show-why` can print the evidence.
check() {
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; return 1; fi
}

finish() {
	if [ -n "$VALGRIND_WRAP" ]; then
		local logs; logs=$(find "$T" -maxdepth 1 -name 'valgrind.*.log' | wc -l)
		check "valgrind ran ($logs processes)" test "$logs" -gt 0
		find "$T" -maxdepth 1 -name 'valgrind.*.log' -size +0 -exec cat {} + | head -100
		check "valgrind: no errors and no leaks" test -z "$(find "$T" -maxdepth 1 -name 'valgrind.*.log' -size +0)"
	fi
	printf '%s: %d checks, %d failed\n' "$TEST_NAME" "$CHECKS" "$FAILURES"
	[ "$CHECKS" -gt 0 ] || { log "no check ran"; exit 99; }
	[ "$FAILURES" -eq 0 ]
	exit $?
}

cleanup() {
	local p
	for p in $BG_PIDS; do kill "$p" 2>/dev/null; done
	[ -n "${REGISTRY_PID:-}" ] && kill -CONT "$REGISTRY_PID" 2>/dev/null
	stop_dockerd
	stop_journald
	for p in $BG_PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root to run a private dockerd (run as root, as CI does)"
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not installed (bash .ci/run installs it)"
	done
}

# A free TCP port on 127.0.0.1, below the kernel's ephemeral range
# (32768 and up) so that no outgoing connection can be holding it.
free_port() {
	local p
	while :; do
		p=$((10000 + RANDOM % 22000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# jq_holds JQ-ARGS...: stdin is JSON for which the filter holds. jq -e alone passes on empty
# input (nothing was read, so nothing was false), which would let a missing answer pass a check.
jq_holds() { local in; in=$(cat); [ -n "$in" ] && jq -e "$@" <<<"$in" >/dev/null; }

# npm_modules PACKAGE: t/npm's packages (sigstore-js, tuf-js), as package-lock.json pins them, in
# a cache that outlives the test: one directory per lock file, installed aside with npm ci and
# renamed into place, so that tests side by side share it safely. Exports NODE_PATH; PACKAGE
# (e.g. tuf-js) must be there.
npm_modules() {
	local base=${DREICHOR_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dreichor-npm} dir tmp
	dir=$base/sigstore-js-$(sha256sum "$top_srcdir/t/npm/package-lock.json" | cut -c1-16)
	if [ ! -f "$dir/node_modules/$1/package.json" ]; then
		mkdir -p "$base" && tmp=$(mktemp -d "$base/tmp.XXXXXX") || hard_error "cannot make a directory in $base"
		cp "$top_srcdir/t/npm/package.json" "$top_srcdir/t/npm/package-lock.json" "$tmp/"
		(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >"$T/npm.log" 2>&1 ||
			{ cat "$T/npm.log" >&2; rm -rf "$tmp"; hard_error "npm ci of t/npm failed"; }
		mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
		[ -f "$dir/node_modules/$1/package.json" ] || hard_error "no $1 in $dir"
	fi
	export NODE_PATH=$dir/node_modules
}

wait_for() { # wait_for SECONDS COMMAND...
	local deadline=$(( $(date +%s) + $1 )); shift
	until "$@" 2>/dev/null; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# The helpers by concern; every test gets all of them.
. "$top_srcdir/t/lib-infra.sh"
. "$top_srcdir/t/lib-agent.sh"
. "$top_srcdir/t/lib-bench.sh"
. "$top_srcdir/t/lib-jwt.sh"
