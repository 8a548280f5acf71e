#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# perf/bench_roaming_redis.sh - live roaming updates applied per node
# through Redis (tables.roaming_live): N entries (default 10^6) are put in
# a stream of a private redis-server (Unix socket, no persistence) with
# redis-cli --pipe; a `sipfilter serve` on the serve test fixture starts
# and applies them (catch-up rate); then M more (default 10^5) are added
# while it runs, on top of the N live changes already applied (steady
# rate).  Rates are entries applied per second as `ctl stats` counts them
# (roaming_live.applied); the steady one also per CPU second of serve
# (utime+stime from /proc), which the producer sharing the cores does not
# count against; then, the node stopped (SIGSTOP) while M more are
# written and resumed, the rate it applies them at on its own (a node
# back from an outage, no producer competing).  REPS runs (default 3), each on a fresh redis-server and
# serve; prints each and the medians.  Bounded: 300 s per phase.
# Everything started here is stopped by PID.  Figures only.
#   perf/bench_roaming_redis.sh [N [M]]     (REPS=5 ...)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000000}
m=${2:-100000}
reps=${REPS:-3}
base=${SF_PORT_BASE:-25600}
T=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"' EXIT
. "$root/perf/bench_live_lib.sh"
# gen FROM COUNT: XADD commands in the Redis protocol, for --pipe
gen() {
	python3 - "$1" "$2" <<'PY'
import sys
a, n = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout.buffer
for i in range(a, a + n):
    num = b"%d" % (78000000000 + i * 7)
    out.write(b"*9\r\n$4\r\nXADD\r\n$10\r\nsf:roaming\r\n$1\r\n*\r\n$2\r\nop\r\n"
              b"$3\r\nadd\r\n$6\r\nnumber\r\n$%d\r\n%s\r\n$7\r\nvisited\r\n$2\r\nFR\r\n"
              % (len(num), num))
PY
}
gen 0 "$n" >"$T/first.resp"
gen "$n" "$m" >"$T/more.resp"
cp -r "$root/tests/fixtures/serve/." "$T/"
sed -i -e "s|@DIR@|$T|" -e "s|@PROXY_PORT@|$((base + 60))|g" \
	-e "s|@CORE_PORT@|$((base + 70))|g" -e "s|@CORE2_PORT@|$((base + 72))|g" \
	-e "s|@METRICS_PORT@|$((base + 464))|g" \
	-e "s|^  roaming: tables/roaming.csv|&\n  roaming_live: {redis: \"unix:$T/redis.sock\", stream: sf:roaming}|" \
	"$T/serve.yaml"
applied() {
	"$root/build/sipfilter" ctl -s "$T/ctl.sock" -T 10 stats 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["roaming_live"]["applied"])' 2>/dev/null || echo 0
}
# until N applied: prints the rate
until_applied() {
	local want=$1 t0=$2 a
	while :; do
		a=$(applied)
		[ "$a" -ge "$want" ] && break
		[ $(($(date +%s) - ${t0%.*})) -gt 300 ] && { echo "stopped at $a of $want"; return 1; }
		sleep 0.05
	done
	echo "$(echo "$3 / ($(date +%s.%N) - $t0)" | bc -l | cut -d. -f1)"
}
catchup=() steady=() steadycpu=() resumed=()
for r in $(seq "$reps"); do
	rm -f "$T/redis.sock" "$T/ctl.sock"
	redis-server --port 0 --unixsocket "$T/redis.sock" --save "" --appendonly no \
		--dir "$T" >"$T/redis.log" 2>&1 &
	rpid=$!
	PIDS+=("$rpid")
	for _ in $(seq 100); do redis-cli -s "$T/redis.sock" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
	redis-cli -s "$T/redis.sock" --pipe <"$T/first.resp" >"$T/pipe.log" 2>&1
	t0=$(date +%s.%N)
	serve_up
	c=$(until_applied "$n" "$t0" "$n")
	c0=$(cpu "$pid")
	t0=$(date +%s.%N)
	redis-cli -s "$T/redis.sock" --pipe <"$T/more.resp" >"$T/pipe2.log" 2>&1 &
	PIDS+=($!)
	st=$(until_applied $((n + m)) "$t0" "$m")
	c1=$(cpu "$pid")
	sc=$(per_cpu "$m" "$((c1 - c0))")
	# the node paused (SIGSTOP) while M more are written, then resumed:
	# its own rate with 10^6 + M live changes applied, no producer running
	kill -STOP "$pid"
	gen $((n + m)) "$m" | redis-cli -s "$T/redis.sock" --pipe >"$T/pipe3.log" 2>&1
	t0=$(date +%s.%N)
	kill -CONT "$pid"
	rs=$(until_applied $((n + 2 * m)) "$t0" "$m")
	echo "run $r: catch-up at start: $n entries, $c applied/s (including start-up); steady, on top of $n live changes: $m entries, $st applied/s (redis-cli --pipe writing them meanwhile), $sc per CPU second of serve; resumed after a pause: $m entries, $rs applied/s"
	catchup+=("$c") steady+=("$st") steadycpu+=("$sc") resumed+=("$rs")
	kill "$pid" "$rpid"; wait "$pid" "$rpid" 2>/dev/null
done
echo "median of $reps: catch-up $(med "${catchup[@]}") applied/s; steady $(med "${steady[@]}") applied/s, $(med "${steadycpu[@]}") per CPU second of serve; resumed after a pause $(med "${resumed[@]}") applied/s"
