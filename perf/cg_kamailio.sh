#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# perf/cg_kamailio.sh - user-space instructions per call of a Kamailio
# worker, under callgrind: the figure the Kamailio module's +10 % target
# is judged by (README "Kamailio module", "Cost per call"), because
# wall-clock CPU on the shared 2-core VM moves by +-8 % between runs.
#
#   perf/cg_kamailio.sh [SETUP...]      # default: kamplain kammod
#
# SETUP is kamplain (perf/kamailio/kamailio_plain.cfg: a plain stateless
# forward, no checks) or kammod (perf/kamailio/kamailio_sipfilter.cfg: the
# sipfilter module on the bench's tables).  Each runs alone, with one UDP
# worker, under valgrind --tool=callgrind --trace-children=yes
# --toggle-collect=receive_msg (so only the worker's message handling
# counts, not the table load), instrumentation switched on once it is
# ready; perf/loadgen.c then offers CG_CALLS calls (1000) at CG_RATE
# (100/s) of perf/gen_bench_tables.sh's call mix (10^5 prefixes, 10^6
# roaming, 10^6 substitution rows; 90 % forwarded, 10 % rejected), and
# the instructions of every process are summed and divided by the calls
# that completed.  For kammod it also prints the module's own share
# (inclusive instructions of w_check0 and w_apply).
#
# Environment: CG_CALLS (1000), CG_RATE (100), CG_PORT_BASE (26060),
# CG_MODULE (the sipfilter.so to load; default BUILD's, for A/B runs),
# CG_OUT (a directory that keeps the profiles), BUILD (build),
# CG_TIME_LIMIT (seconds, 900).  Runs inside a network namespace with
# loopback (tests use ip netns exec); stops only what it started, by PID.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
CALLS=${CG_CALLS:-1000}
RATE=${CG_RATE:-100}
BASE=${CG_PORT_BASE:-26060}
LIMIT=${CG_TIME_LIMIT:-900}
SETUPS=${*:-kamplain kammod}
UAS=$((BASE + 10))
PORT=$((BASE + 4))
LG=$BUILD/perf/loadgen
TMP=$(mktemp -d /tmp/sfcg-kam.XXXXXX)
kpid= watchdog=

say() { printf '%s\n' "$*"; }
calc() { awk "BEGIN { printf \"%s\", $* }"; }
kv() { local k=$1; shift; tr ' ' '\n' <<<"$*" | sed -n "s/^$k=//p"; }

stop_kam() {
	local i
	[ -n "$kpid" ] || return 0
	kill -TERM "$kpid" 2>/dev/null
	for i in $(seq 300); do kill -0 "$kpid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$kpid" 2>/dev/null
	wait "$kpid" 2>/dev/null
	kpid=
}
cleanup() {
	trap - EXIT INT TERM
	[ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null
	stop_kam
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "cg_kamailio: interrupted" >&2; exit 130' INT TERM
(
	for _ in $(seq "$LIMIT"); do sleep 1; kill -0 $$ 2>/dev/null || exit 0; done
	echo "cg_kamailio: time limit ${LIMIT}s reached, stopping" >&2
	kill -TERM $$
) &
watchdog=$!

command -v valgrind >/dev/null && command -v callgrind_control >/dev/null ||
	{ say "cg_kamailio: needs valgrind (callgrind_control)"; exit 1; }
command -v kamailio >/dev/null || { say "cg_kamailio: needs kamailio"; exit 1; }
mkdir -p "$BUILD/perf"
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror perf/loadgen.c -o "$LG" ||
	exit 1
perf/gen_bench_tables.sh "$TMP" "$PORT" "$UAS" 1 >/dev/null ||
	{ say "table generation failed"; exit 1; }

# start SETUP: Kamailio under callgrind, instrumentation off until ready
start() {
	local n=$1 cfg t0=$SECONDS
	mkdir -p "$TMP/$n"
	case $n in
	kammod) cfg=perf/kamailio/kamailio_sipfilter.cfg ;;
	kamplain) cfg=perf/kamailio/kamailio_plain.cfg ;;
	*) say "unknown setup $n"; return 1 ;;
	esac
	sed -e "s|@PORT@|$PORT|g; s|@NEXTHOP@|$UAS|g; s|@CHILDREN@|1|g" \
	    -e "s|@MODULE@|${CG_MODULE:-$ROOT/$BUILD/kamailio/sipfilter.so}|" \
	    -e "s|@CONFIG@|$TMP/sf/bench.yaml|; s|@CTL@|unix:$TMP/$n/ctl|" \
	    "$cfg" >"$TMP/$n/kamailio.cfg"
	(ulimit -c 0; exec valgrind --tool=callgrind --trace-children=yes \
		--instr-atstart=no --toggle-collect=receive_msg \
		--callgrind-out-file="$TMP/$n/cg.out.%p" \
		kamailio -f "$TMP/$n/kamailio.cfg" -DD -E -x tlsf -m 512 -M 64 \
		-w "$TMP/$n" -Y "$TMP/$n" -P "$TMP/$n/kamailio.pid") \
		>"$TMP/$n.log" 2>&1 &
	kpid=$!
	while ((SECONDS - t0 < 600)); do
		kill -0 "$kpid" 2>/dev/null || break
		"$LG" --probe 127.0.0.2 --target "127.0.0.1:$PORT" \
			--uas "127.0.0.1:$UAS" --duration 2 >/dev/null 2>&1 && return 0
	done
	say "$n: did not become ready; log:"; tail -5 "$TMP/$n.log"
	return 1
}

# the valgrind processes of the running Kamailio (main and children)
pids() { echo "$kpid $(pgrep -P "$kpid" | tr '\n' ' ')"; }

for n in $SETUPS; do
	start "$n" || exit 1
	for p in $(pids); do callgrind_control -i on "$p" >/dev/null 2>&1; done
	extra=()
	[ "$n" = kamplain ] && extra=(--uas-rejects)
	out=$(timeout $((CALLS / RATE + 60)) "$LG" --target "127.0.0.1:$PORT" \
		--uas "127.0.0.1:$UAS" --csv "$TMP/calls.csv" --rate "$RATE" \
		--duration "$(calc "$CALLS / $RATE")" --drain-ms 5000 --run 7 "${extra[@]}" 2>&1)
	stop_kam
	ok=$(kv ok "$out")
	ir=$(cat "$TMP/$n"/cg.out.* 2>/dev/null | sed -n 's/^totals: //p' |
		awk '{ s += $1 } END { printf "%.0f", s }')
	say "$n: $(calc "$ir / ($ok + 0.000001)" | cut -d. -f1) instructions per call" \
		"($ok calls ok, $(kv failed "$out") failed, $(kv wrong "$out") wrong)"
	if [ "$n" = kammod ]; then
		for f in w_check0 w_apply sf_sip_scan sf_admit sf_kam_log_verdict; do
			i=$(for c in "$TMP/$n"/cg.out.*; do
				callgrind_annotate --inclusive=yes "$c" 2>/dev/null; done |
				awk -v f="$f" '$0 ~ "[ :]" f "( |$|\\[)" { gsub(",", "", $1); s += $1 } END { print s + 0 }')
			say "    $f (inclusive): $(calc "$i / ($ok + 0.000001)" | cut -d. -f1) per call"
		done
	fi
	[ -n "${CG_OUT:-}" ] && mkdir -p "$CG_OUT/$n" && cp "$TMP/$n"/cg.out.* "$CG_OUT/$n/"
done
