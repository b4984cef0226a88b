#!/bin/bash
# Every state file replaced by rename is durable: after each rename the
# directory holding it is opened and fsynced (seen with strace around the
# state module's own unit test, which replaces files and pins tags).
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

need_cmd strace
# LeakSanitizer cannot run under ptrace; the unit test's own run checks for leaks.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -e trace=openat,rename,fsync -o "$T/trace" "$top_builddir/t/test_state" >"$T/out" 2>&1 ||
	hard_error "t/test_state failed under strace: $(tail -5 "$T/out")"
# Successful renames, and fsyncs of descriptors opened with O_DIRECTORY after one.
counts=$(awk '
	/rename\(/ && / = 0$/ { renames++; pending++ }
	/openat\(/ && /O_DIRECTORY/ && / = [0-9]+$/ { fd = $NF; dirfd[fd] = 1 }
	/fsync\(/ && / = 0$/ { match($0, /fsync\([0-9]+/); fd = substr($0, RSTART + 6, RLENGTH - 6); if (fd in dirfd && pending > 0) { synced++; pending-- } }
	END { printf "%d %d", renames, synced }' "$T/trace")
renames=${counts% *} synced=${counts#* }
log "renames: $renames, directory fsyncs after them: $synced"
check "the state test renamed files" test "$renames" -ge 2
check "each rename is followed by an fsync of its directory" test "$synced" = "$renames"
finish
