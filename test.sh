#!/bin/bash
# Set up and run every test on a fresh Debian 12 machine (as root):
# packages, the endpoints' static libcurl, build with -Werror, make check
# (with the production stand: the .deb in a booted systemd), the main
# scenarios again with the programs under valgrind, make check under
# ASan+UBSan, fuzzing, make distcheck. A skipped test fails the run when
# CI is set. The stand runs once, in the first make check: it builds its
# own package, so the sanitizer and distcheck passes leave it out.
set -euo pipefail
cd "$(dirname "$0")"
top=$(pwd)
scripts/install-deps
# Out-of-tree builds need a clean source tree.
[ -f config.status ] && make distclean >/dev/null
autoreconf -fi
jobs=$(nproc)
# The endpoints link a static HTTP-only libcurl (built once, kept across runs).
scripts/build-libcurl _build/libcurl
libcurl_flag=--with-endpoint-libcurl=$top/_build/libcurl

run_check() { # run_check DIR CONFIGURE-FLAGS...
	local dir=$1; shift
	rm -rf "$dir"; mkdir -p "$dir"
	(cd "$dir" && "$top/configure" --enable-werror "$libcurl_flag" "$@" >configure.out &&
		make -j"$jobs" >make.out &&
		make -j"$jobs" check ${STAND_TESTS+STAND_TESTS=}) || { cat "$dir"/t/*.log 2>/dev/null | tail -200; return 1; }
	if [ "${CI:-}" = true ] && ! grep -q '^# SKIP: *0$' "$dir/test-suite.log"; then
		grep -h '^SKIP' "$dir"/t/*.log "$dir/test-suite.log" 2>/dev/null
		echo "test.sh: a test was skipped; in CI that is a failure" >&2
		return 1
	fi
}

echo "== build and make check"
run_check _build/plain
echo "== the endpoints load no shared libcurl"
for p in dreichor-status dreichor-deploy dreichor-stop dreichor-plan dreichor-deploys; do
	! ldd "_build/plain/$p" | grep libcurl || { echo "test.sh: $p loads the shared libcurl" >&2; exit 1; }
done
echo "== scenario tests with the programs under valgrind memcheck"
(cd _build/plain && DREICHOR_VALGRIND=1 make -j"$jobs" check TEST_SUITE_LOG=valgrind-suite.log \
	TESTS="t/agent-auth.sh t/status.sh t/deploy.sh t/stop.sh t/plan.sh") ||
	{ grep -h -B2 -A40 'not ok\|valgrind' _build/plain/t/*.log | head -200; exit 1; }
echo "== make check with AddressSanitizer and UndefinedBehaviorSanitizer"
STAND_TESTS= run_check _build/sanitizers --enable-sanitizers
echo "== fuzzing: each libFuzzer harness for ${FUZZ_SECONDS:-60} s"
(cd _build/plain && make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}")
echo "== make distcheck"
(cd _build/plain && make -j"$jobs" distcheck STAND_TESTS= DISTCHECK_CONFIGURE_FLAGS="--enable-werror $libcurl_flag" >distcheck.out 2>&1) ||
	{ tail -100 _build/plain/distcheck.out; exit 1; }
grep -E '^# (TOTAL|PASS|FAIL|SKIP|ERROR)' _build/plain/test-suite.log _build/plain/valgrind-suite.log \
	_build/sanitizers/test-suite.log
echo "test.sh: all passed"
