#!/bin/bash
# Benchmark: dreichor-sigstore-root against tuf-js (npm, the version t/npm pins), the reference
# TUF client, on the same repository served from loopback (t/tuf_repo.py: root v1 -> v3, the
# public-good trusted root as the target), in the same hyperfine run, medians. Two cases, each
# side one process per run from its own state:
#   first:   an empty state: both rotations, timestamp, snapshot, targets and the target fetched
#            and verified, everything written;
#   current: the state up to date, the daily timer's usual run: the next root's 404, the
#            timestamp, nothing else fetched (dreichor-sigstore-root reuses the trusted snapshot,
#            targets and target whose versions and hashes still match; tuf-js loads its cache).
# The timer runs once a day, so this is its cost to the machine, not a hot path. From a built tree:
# bench/sigstore-root.sh [RUNS]
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/lib.sh"
need_cmd hyperfine node npm python3 openssl jq
runs=${1:-30}
SR=$top_builddir/dreichor-sigstore-root
[ -x "$SR" ] || hard_error "build the tree first (no $SR)"
TUF_REPO=$top_srcdir/t/tuf_repo.py

mkdir -p "$T/js"
cp "$top_srcdir/t/npm/package.json" "$top_srcdir/t/npm/package-lock.json" "$top_srcdir/t/tuf-js-check.cjs" "$T/js/"
(cd "$T/js" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >"$T/npm.log" 2>&1) ||
	{ cat "$T/npm.log"; hard_error "npm ci of t/npm failed"; }
export NODE_PATH=$T/js/node_modules

R=$T/repo
python3 "$TUF_REPO" init "$R" --target "$top_srcdir/data/sigstore/trusted_root.json" >"$T/repo.log" 2>&1 &&
	python3 "$TUF_REPO" rotate-root "$R" >>"$T/repo.log" 2>&1 && python3 "$TUF_REPO" rotate-root "$R" >>"$T/repo.log" 2>&1 &&
	python3 "$TUF_REPO" publish "$R" >>"$T/repo.log" 2>&1 || { cat "$T/repo.log"; hard_error "t/tuf_repo.py failed"; }
PORT=$(free_port)
python3 "$TUF_REPO" serve "$R" --port "$PORT" >"$T/serve.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_for 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" || hard_error "the repository server did not listen"
URL=http://127.0.0.1:$PORT
export SIGSTORE_TUF_URL=$URL SIGSTORE_TUF_ROOT=$R/www/1.root.json DREICHOR_SYSCALL_FILTER=on DREICHOR_LANDLOCK=on
sr="$SR --state-dir $T/sr-current"
js="node $T/js/tuf-js-check.cjs --url $URL --root $R/www/1.root.json --metadata-dir $T/js-current"
mkdir -p "$T/sr-current" "$T/js-current"
$sr >/dev/null && $js >/dev/null || hard_error "a first run failed"

hyperfine -N --warmup 2 --runs "$runs" --export-json "$T/current.json" \
	-n "dreichor-sigstore-root, current" "$sr" -n "tuf-js, current" "$js" >"$T/current.log" 2>&1 ||
	{ cat "$T/current.log"; hard_error "hyperfine (current) failed"; }
hyperfine --warmup 1 --runs "$runs" --export-json "$T/first.json" \
	--prepare "rm -rf $T/sr-first $T/js-first; mkdir -p $T/sr-first $T/js-first" \
	-n "dreichor-sigstore-root, first" "$SR --state-dir $T/sr-first" \
	-n "tuf-js, first" "node $T/js/tuf-js-check.cjs --url $URL --root $R/www/1.root.json --metadata-dir $T/js-first" \
	>"$T/first.log" 2>&1 || { cat "$T/first.log"; hard_error "hyperfine (first) failed"; }
for f in first current; do
	jq -r '.results[] | "\(.command): median \(.median * 1000 | . * 10 | round / 10) ms (mean \(.mean * 1000 | round), sd \(.stddev * 1000 | round))"' "$T/$f.json"
done
/usr/bin/time -v $sr 2>&1 >/dev/null | sed -n 's/^\tMaximum resident set size (kbytes): /dreichor-sigstore-root, current: max RSS kB /p'
/usr/bin/time -v $js 2>&1 >/dev/null | sed -n 's/^\tMaximum resident set size (kbytes): /tuf-js, current: max RSS kB /p'
