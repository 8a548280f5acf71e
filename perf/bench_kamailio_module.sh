#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# perf/bench_kamailio_module.sh - the Kamailio module's figures:
#  1. CPU per call at BENCH_RATE (6,000) calls/s, one run, side by side:
#     Kamailio + sipfilter module ("kammod"), Kamailio + mtree/htable doing
#     the same checks (perf/kamailio/kamailio.cfg), Kamailio forwarding
#     with no checks ("kamplain", the base of the +10 % target) and
#     `sipfilter serve`: perf/bench_proxy.sh with
#     BENCH_PROXIES="kammod kamailio kamplain sipfilter" (medians of its
#     interleaved repetitions; no max-rate steps, no callgrind);
#  2. memory with 10^6 roaming + 10^6 substitution rows (10^5 prefixes)
#     and Kamailio's default 8 UDP children: the PSS (proportional set
#     size, shared pages split between the processes that map them) and
#     RSS summed over every Kamailio process, at start, after every child
#     judged calls, after a `kamcmd sipfilter.reload` reached every child
#     and after 3 reloads; `sipfilter serve` on the same tables for
#     comparison.  Kamailio runs with -m 512: shm holds the tables, two
#     generations at once during a reload.
# Environment: as perf/bench_proxy.sh (BENCH_RATE, BENCH_DURATION,
# BENCH_REPS, BENCH_KAM_CHILDREN for part 1, BENCH_PORT_BASE), plus
# BENCH_MEM_CHILDREN (8), BENCH_PART (all | cpu | mem).  Stops only the
# processes it started, by PID.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PART=${BENCH_PART:-all}
MCHILD=${BENCH_MEM_CHILDREN:-8}
BASE=${BENCH_PORT_BASE:-25060}
KPORT=$((BASE + 40)) SPORT=$((BASE + 41)) UAS=$((BASE + 42))

if [ "$PART" != mem ]; then
	echo "== part 1: CPU per call (perf/bench_proxy.sh)"
	BENCH_PROXIES=${BENCH_PROXIES:-kammod kamailio kamplain sipfilter} \
	BENCH_CALLGRIND=0 BENCH_MAXRATE_RUN=0 BUILD=$BUILD perf/bench_proxy.sh
fi
[ "$PART" = cpu ] && exit 0

echo ""
echo "== part 2: memory, 10^6 roaming + 10^6 substitution rows, $MCHILD children"
make -s kamailio-module BUILD="$BUILD" >/dev/null || { echo "make kamailio-module failed"; exit 1; }
TMP=$(mktemp -d /tmp/sfbench-kmem.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
LG=$BUILD/perf/loadgen
mkdir -p "$BUILD/perf" && cc -std=c11 -D_GNU_SOURCE -O2 perf/loadgen.c -o "$LG" || exit 1
perf/gen_bench_tables.sh "$TMP" "$SPORT" "$UAS" 2 >/dev/null || { echo "table generation failed"; exit 1; }
mkdir -p "$TMP/k"
sed -e "s|@PORT@|$KPORT|g; s|@NEXTHOP@|$UAS|g" \
    -e "s|@MODULE@|$BUILD/kamailio/sipfilter.so|; s|@CONFIG@|$TMP/sf/bench.yaml|" \
    -e "s|@CHILDREN@|$MCHILD|g; s|@CTL@|unix:$TMP/k/ctl|" \
    perf/kamailio/kamailio_sipfilter.cfg >"$TMP/k/kamailio.cfg"
t0=$(date +%s.%N)
(ulimit -c 0; exec kamailio -f "$TMP/k/kamailio.cfg" -DD -E -x tlsf -m 512 -M 64 \
	-w "$TMP/k" -Y "$TMP/k" -P "$TMP/k/pid") >"$TMP/k.log" 2>&1 &
KP=$!
pids+=("$KP")
for _ in $(seq 600); do
	kamcmd -s "unix:$TMP/k/ctl" sipfilter.stats >/dev/null 2>&1 && break
	kill -0 "$KP" 2>/dev/null || { echo "kamailio died:"; tail -5 "$TMP/k.log"; exit 1; }
	sleep 0.1
done
echo "kamailio + module ready in $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s (tables loaded once, in mod_init)"
for p in $(ps -o pid= --ppid "$KP"); do pids+=("$p"); done

# mem LABEL: PSS and RSS summed over kamailio's processes, in MiB
mem() {
	local procs="$KP $(ps -o pid= --ppid "$KP" | tr '\n' ' ')" n
	n=$(wc -w <<<"$procs")
	for p in $procs; do cat /proc/"$p"/smaps_rollup 2>/dev/null; done |
		awk -v l="$1" -v n="$n" '/^Pss:/ { pss += $2 } /^Rss:/ { rss += $2 }
		END { printf "  %-44s %3d processes: PSS %7.1f MiB, RSS sum %7.1f MiB\n",
		      l, n, pss / 1024, rss / 1024 }'
}
# load: calls through kamailio for 3 s at 2000/s, so every child judges
# (ok/failed/wrong as perf/loadgen.c counts them)
load() {
	"$LG" --target "127.0.0.1:$KPORT" --uas "127.0.0.1:$UAS" --csv "$TMP/calls.csv" \
		--rate 2000 --duration 3 2>/dev/null | tr ' ' '\n' | grep -E '^(ok|failed|wrong)=' | tr '\n' ' '
}
mem "at start (before any call)"
echo "  load: $(load)"
mem "after 6000 calls (every child judged)"
# reload N: one `kamcmd sipfilter.reload`, then load so every worker
# judges with the new generation (they switch at their next message)
reload() {
	local r0 out
	r0=$(date +%s.%N)
	out=$(kamcmd -s "unix:$TMP/k/ctl" sipfilter.reload)
	echo "  $out in $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $r0 }") s (built once, in the ctl process)"
	echo "  load: $(load)"
	behind=$(kamcmd -s "unix:$TMP/k/ctl" sipfilter.stats | grep 'rank=' | grep -vc "generation=$1 ")
	echo "  workers that judged still at an older generation: $behind"
}
reload 2
mem "after 1 reload reached every worker"
reload 3
reload 4
mem "after 3 reloads"
kamcmd -s "unix:$TMP/k/ctl" sipfilter.stats | grep -E 'generation|rows|kib|allocs|parked|grace|rank=' | sed 's/^/    /'
kamcmd -s "unix:$TMP/k/ctl" core.shmmem | grep -E 'total|used|real_used|max_used' | tr -s ' \t\n' ' ' | sed 's/^/    kamailio shm: /'
echo ""

"$BUILD/sipfilter" serve -c "$TMP/sf/bench.yaml" >"$TMP/serve.log" 2>&1 &
SP=$!
pids+=("$SP")
for _ in $(seq 600); do
	"$LG" --probe 127.0.0.2 --target "127.0.0.1:$SPORT" --uas "127.0.0.1:$UAS" --duration 1 >/dev/null 2>&1 && break
	sleep 0.1
done
# spss LABEL: serve's PSS and RSS
spss() {
	awk -v l="$1" '/^Pss:/ { p = $2 } /^Rss:/ { r = $2 } END {
		printf "  %-44s   1 process:   PSS %7.1f MiB, RSS     %7.1f MiB\n", l, p / 1024, r / 1024 }' \
		/proc/"$SP"/smaps_rollup
}
spss "sipfilter serve, same tables (2 workers)"
for i in 1 2 3; do
	"$BUILD/sipfilter" ctl -s "$TMP/sf/ctl.sock" reload >/dev/null || echo "  serve reload $i failed"
	[ $i = 1 ] && spss "  ... after 1 reload"
done
spss "  ... after 3 reloads"
