# t/lib-bench.sh: what the benchmarks under bench/ set up. Sourced by t/lib.sh.

# start_floor: for the benchmarks, bench/fixed-answer.c (a static program
# answering a fixed 200) under the same socket activation, on FLOOR_PORT.
start_floor() {
	cc -O2 -static -o "$T/fixed-answer" "$top_srcdir/bench/fixed-answer.c" ||
		hard_error "cannot build bench/fixed-answer.c"
	FLOOR_PORT=$(free_port)
	systemd-socket-activate --accept --inetd -l "127.0.0.1:$FLOOR_PORT" "$T/fixed-answer" >"$T/floor.log" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$FLOOR_PORT" || hard_error "the fixed-answer program did not listen"
}
