# SPDX-License-Identifier: LGPL-2.1-or-later
#
# perf/bench_live_lib.sh - helpers of the live roaming benchmarks
# (bench_roaming_redis.sh, bench_roaming_journal.sh), sourced after they
# set root, T and PIDS.
#
# serve_up: starts `sipfilter serve -c $T/serve.yaml` (stderr in
# $T/serve.err), records it in PIDS and sets pid; returns once its control
# socket $T/ctl.sock answers (<= 300 s: a big journal replays first).
serve_up() {
	rm -f "$T/ctl.sock"
	"$root/build/sipfilter" serve -c "$T/serve.yaml" 2>"$T/serve.err" &
	pid=$!
	PIDS+=("$pid")
	for _ in $(seq 3000); do
		"$root/build/sipfilter" ctl -s "$T/ctl.sock" -T 2 ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
# cpu PID: its utime+stime in clock ticks
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# per_cpu COUNT TICKS: COUNT per CPU second
per_cpu() { awk -v m="$1" -v c="$2" -v t="$(getconf CLK_TCK)" 'BEGIN{printf "%d", c ? m/(c/t) : 0}'; }
# med N...: the median
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
