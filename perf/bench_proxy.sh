#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# perf/bench_proxy.sh - CPU per call of `sipfilter serve` beside Kamailio 5.6
# and a bare UDP relay, same run, same load; maximum rate; added latency;
# instructions per call.  Prints figures, no pass/fail.
#
# Everything runs on loopback.  perf/gen_bench_tables.sh writes tables at
# the sizes DESIGN.md plans for (10^5 prefixes, 10^6 roaming, 10^6
# substitution) and the call mix (~90% forwarded, ~10% rejected by the
# shipped rules); perf/loadgen.c (built here into $BUILD/perf) is the UAC
# on 127.0.0.2-5 (the trunks) and the UAS at the next hop.  Per call:
# INVITE -> 603 -> ACK (absorbed), or INVITE -> 200 -> ACK through the
# proxy.  The three proxies, started once each:
#   sipfilter  $BUILD/sipfilter serve -c bench.yaml (BENCH_WORKERS workers)
#   kamailio   perf/kamailio/kamailio.cfg: the same checks (mtree, htable
#              from SQLite), sl_send_reply / forward(), BENCH_KAM_CHILDREN
#              UDP children, tlsf allocator (see below); installed with
#              apt-get when missing
#   kammod     Kamailio with the sipfilter module (make kamailio-module;
#              perf/kamailio/kamailio_sipfilter.cfg): sipfilter_check() on
#              the same bench.yaml as sipfilter, BENCH_KAM_CHILDREN children
#   kamplain   Kamailio forwarding statelessly with no checks at all
#              (perf/kamailio/kamailio_plain.cfg): the base of the module's
#              "at most +10 %" target; like the relay it cannot reject
#   relay      perf/udp_relay.c: recvmmsg/sendmmsg, no SIP work: the floor
#              (it cannot reject, so the UAS answers 603 to those rows and
#              every call is 6 datagrams through it, against 5.7 on average
#              through the proxies: 6 per forwarded call, 3 per rejected)
#
# CPU per call = (utime+stime of the proxy's processes after - before,
# from /proc/PID/stat, also shown split into user and sys) / calls completed, at BENCH_RATE calls/s for
# BENCH_DURATION s, median of BENCH_REPS runs interleaved across the
# proxies; the schedstat column is the same from /proc/PID/task/*/schedstat
# (ns, not ticks).  Latency is measured at the load generator (INVITE sent
# -> final response) and compared with the same load sent straight to the
# UAS ("direct").  The maximum rate steps the offered rate up until > 0.1%
# of calls fail or the generator cannot keep the rate; a direct run at the
# failing rate tells whether the generator was the limit.  Instructions
# per call: sipfilter under callgrind for a bounded number of calls (the
# box has no hardware counters for perf stat).
#
# Environment: BENCH_QUICK=1 (~1 minute: 1 repetition, 4 s runs, smaller
# tables), BENCH_RATE (6000), BENCH_DURATION (10), BENCH_REPS (3),
# BENCH_TICK_US (1000: the calls of each millisecond leave together, as
# sipp schedules them; 0 = each call at its own time), BENCH_WORKERS (2),
# BENCH_KAM_CHILDREN (2), BENCH_PORT_BASE (25060), BENCH_PROXIES
# ("sipfilter kamailio relay"), BENCH_MAXRATE ("10000 20000 ..."),
# BENCH_CALLGRIND (1), BENCH_MAXRATE_RUN (1; 0 skips the max-rate steps),
# BENCH_CG_OUT (a directory that keeps the callgrind
# profile), BENCH_TIME_LIMIT (seconds, default 600; 240 quick).
# Stops only the processes it started, by PID; removes its temp dir.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SIPFILTER=${SIPFILTER:-$BUILD/sipfilter}
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	d_dur=4 d_reps=1 d_limit=240
	d_steps="10000 20000 30000 40000"
	export SF_BENCH_ROAMING=${SF_BENCH_ROAMING:-100000}
	export SF_BENCH_SUBST=${SF_BENCH_SUBST:-100000}
else
	d_dur=10 d_reps=3 d_limit=600
	d_steps="10000 15000 20000 25000 30000 35000 40000 50000 60000"
fi
RATE=${BENCH_RATE:-6000}
DUR=${BENCH_DURATION:-$d_dur}
REPS=${BENCH_REPS:-$d_reps}
TICK=${BENCH_TICK_US:-1000}
WORKERS=${BENCH_WORKERS:-2}
KCHILD=${BENCH_KAM_CHILDREN:-2}
BASE=${BENCH_PORT_BASE:-25060}
PROXIES=${BENCH_PROXIES:-sipfilter kamailio relay}
STEPS=${BENCH_MAXRATE:-$d_steps}
CALLGRIND=${BENCH_CALLGRIND:-1}
LIMIT=${BENCH_TIME_LIMIT:-$d_limit}
STEP_DUR=3
[ "$QUICK" = 1 ] && STEP_DUR=2

declare -A PORT=([sipfilter]=$BASE [kamailio]=$((BASE + 1))
	[relay]=$((BASE + 2)) [direct]=$((BASE + 10)) [callgrind]=$((BASE + 3))
	[kammod]=$((BASE + 4)) [kamplain]=$((BASE + 5)))
MAXRUN=${BENCH_MAXRATE_RUN:-1}
UAS_PORT=$((BASE + 10))
HZ=$(getconf CLK_TCK)
TMP=$(mktemp -d /tmp/sfbench-proxy.XXXXXX)
LG=$BUILD/perf/loadgen
RELAY=$BUILD/perf/udp_relay
declare -A PID=() UP=()
started=()
watchdog=

cleanup() {
	local p i
	trap - EXIT INT TERM
	[ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null
	for p in "${started[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${started[@]}"; do
		for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "bench_proxy: interrupted" >&2; exit 130' INT TERM

# A watchdog: the whole script is bounded even if something hangs.
(
	for _ in $(seq "$LIMIT"); do sleep 1; kill -0 $$ 2>/dev/null || exit 0; done
	echo "bench_proxy: time limit ${LIMIT}s reached, stopping" >&2
	kill -TERM $$
) &
watchdog=$!

say() { printf '%s\n' "$*"; }
now() { date +%s.%N; }
# kv KEY LINE: the value of KEY=... in a loadgen report line
kv() { local k=$1; shift; tr ' ' '\n' <<<"$*" | sed -n "s/^$k=//p"; }
calc() { awk "BEGIN { printf \"%s\", $* }"; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (!NR) print "-";
	else if (NR % 2) print a[(NR + 1) / 2];
	else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# The processes whose CPU counts for a proxy (Kamailio forks children).
proc_set() {
	local n=$1 p=${PID[$1]}
	if [[ $n == kam* ]]; then
		echo "$p $(ps -o pid= --ppid "$p" 2>/dev/null | tr '\n' ' ')"
	else
		echo "$p"
	fi
}
# cpu_ticks PIDS: "utime stime" summed, in clock ticks
cpu_ticks() {
	local p
	for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null; done |
		awk '{ sub(/.*\) /, ""); u += $12; s += $13 } END { print u + 0, s + 0 }'
}
sched_ns() {
	local p
	for p in "$@"; do cat /proc/"$p"/task/*/schedstat 2>/dev/null; done |
		awk '{ s += $1 } END { printf "%.0f", s }'
}

# ---------------------------------------------------------------- build
build() {
	mkdir -p "$BUILD/perf"
	local f=(-std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Wshadow
		-Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Werror)
	cc "${f[@]}" perf/loadgen.c -o "$LG" &&
		cc "${f[@]}" perf/udp_relay.c -o "$RELAY" || return 1
	if [ ! -x "$SIPFILTER" ]; then
		make -s "$SIPFILTER" >/dev/null 2>&1 ||
			say "note: could not build $SIPFILTER"
	fi
}
ensure_kamailio() {
	local mods=/usr/lib/x86_64-linux-gnu/kamailio/modules
	if ! command -v kamailio >/dev/null || [ ! -f $mods/db_sqlite.so ]; then
		say "installing kamailio kamailio-sqlite-modules (apt-get)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			kamailio kamailio-sqlite-modules >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 &&
			  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				kamailio kamailio-sqlite-modules >/dev/null 2>&1; }
	fi
	command -v kamailio >/dev/null && [ -f $mods/db_sqlite.so ]
}

# ---------------------------------------------------------------- start
port_free() { [ -z "$(ss -Hlun "sport = :$1" 2>/dev/null)" ]; }

# wait_ready NAME PORT LIMIT_S: OPTIONS until a 200 comes back, while the
# process lives.
wait_ready() {
	local n=$1 port=$2 lim=$3 t0=$SECONDS
	while ((SECONDS - t0 < lim)); do
		kill -0 "${PID[$n]}" 2>/dev/null || return 1
		"$LG" --probe 127.0.0.2 --target "127.0.0.1:$port" \
			--uas "127.0.0.1:$UAS_PORT" --duration 1 >/dev/null 2>&1 &&
			return 0
	done
	return 1
}

start_proxy() {
	local n=$1 port=${PORT[$1]} t0 p
	if ! port_free "$port"; then
		say "$n: port $port is taken (set BENCH_PORT_BASE); skipped"
		return 1
	fi
	t0=$(now)
	case $n in
	sipfilter)
		[ -x "$SIPFILTER" ] || { say "sipfilter: no binary"; return 1; }
		"$SIPFILTER" serve -c "$TMP/sf/bench.yaml" >"$TMP/sipfilter.log" 2>&1 &
		;;
	kamailio)
		ensure_kamailio || { say "kamailio: not available"; return 1; }
		mkdir -p "$TMP/kam/run"
		sed -e "s|@PORT@|$port|g; s|@NEXTHOP@|$UAS_PORT|g" \
		    -e "s|@DBFILE@|$TMP/kam/db/kam.sqlite|g" \
		    -e "s|@CHILDREN@|$KCHILD|g" \
		    perf/kamailio/kamailio.cfg >"$TMP/kam/kamailio.cfg"
		# -x tlsf: with the default q_malloc, qm_malloc takes half of
		# Kamailio's CPU after the 10^6-row loads fragment its private
		# memory (perf report); tlsf is Kamailio's fast allocator.
		# -M 1024: db_sqlite holds a whole table in private memory while
		# htable loads it.
		(ulimit -c 0; exec kamailio -f "$TMP/kam/kamailio.cfg" -DD -E \
			-x tlsf -m 2048 -M 1024 -w "$TMP/kam" -Y "$TMP/kam/run" \
			-P "$TMP/kam/kamailio.pid") >"$TMP/kamailio.log" 2>&1 &
		;;
	kammod)
		ensure_kamailio || { say "kammod: kamailio not available"; return 1; }
		make -s -C "$ROOT" kamailio-module BUILD="$BUILD" >"$TMP/kammod-build.log" 2>&1 ||
			{ say "kammod: make kamailio-module failed"; return 1; }
		mkdir -p "$TMP/kammod"
		sed -e "s|@PORT@|$port|g; s|@NEXTHOP@|$UAS_PORT|g" \
		    -e "s|@MODULE@|$BUILD/kamailio/sipfilter.so|; s|@CONFIG@|$TMP/sf/bench.yaml|" \
		    -e "s|@CHILDREN@|$KCHILD|g; s|@CTL@|unix:$TMP/kammod/ctl|" \
		    perf/kamailio/kamailio_sipfilter.cfg >"$TMP/kammod/kamailio.cfg"
		(ulimit -c 0; exec kamailio -f "$TMP/kammod/kamailio.cfg" -DD -E \
			-x tlsf -m 256 -M 64 -w "$TMP/kammod" -Y "$TMP/kammod" \
			-P "$TMP/kammod/kamailio.pid") >"$TMP/kammod.log" 2>&1 &
		;;
	kamplain)
		ensure_kamailio || { say "kamplain: kamailio not available"; return 1; }
		mkdir -p "$TMP/kamplain"
		sed -e "s|@PORT@|$port|g; s|@NEXTHOP@|$UAS_PORT|g; s|@CHILDREN@|$KCHILD|g" \
		    perf/kamailio/kamailio_plain.cfg >"$TMP/kamplain/kamailio.cfg"
		(ulimit -c 0; exec kamailio -f "$TMP/kamplain/kamailio.cfg" -DD -E \
			-x tlsf -m 256 -M 64 -w "$TMP/kamplain" -Y "$TMP/kamplain" \
			-P "$TMP/kamplain/kamailio.pid") >"$TMP/kamplain.log" 2>&1 &
		;;
	relay)
		"$RELAY" "127.0.0.1:$port" "127.0.0.1:$UAS_PORT" \
			>"$TMP/relay.log" 2>&1 &
		;;
	esac
	p=$!
	PID[$n]=$p
	started+=("$p")
	if ! wait_ready "$n" "$port" 120; then
		say "$n: did not answer OPTIONS; last log lines:"
		tail -5 "$TMP/$n.log" | sed 's/^/    /'
		return 1
	fi
	UP[$n]=$(calc "$(now) - $t0")
	if [[ $n == kam* ]]; then
		# children are ours too: stop them by PID if the main one hangs
		for p in $(ps -o pid= --ppid "${PID[$n]}"); do started+=("$p"); done
	fi
	return 0
}

# ---------------------------------------------------------------- runs
# run_load NAME RATE DURATION [loadgen args]: one loadgen run against NAME
# (or "direct"); prints "LOADGEN_LINE cpu_us=.. sched_us=.. cpu_pct=..".
run_load() {
	local n=$1 rate=$2 dur=$3 procs="" s0=0 s1=0 t0 t1 out ok u0 k0 u1 k1
	shift 3
	[ "$n" != direct ] && procs=$(proc_set "$n")
	# Without a judging proxy the UAS answers the R rows 603 itself.
	if [ "$n" = relay ] || [ "$n" = direct ] || [ "$n" = kamplain ]; then
		set -- "$@" --uas-rejects
	fi
	# shellcheck disable=SC2086
	{ read -r u0 k0 < <(cpu_ticks $procs); s0=$(sched_ns $procs); }
	t0=$(now)
	out=$(timeout $((${dur%.*} + 30)) "$LG" --target "127.0.0.1:${PORT[$n]}" \
		--uas "127.0.0.1:$UAS_PORT" --csv "$TMP/calls.csv" \
		--rate "$rate" --duration "$dur" --tick-us "$TICK" "$@" \
		2>>"$TMP/loadgen.err")
	t1=$(now)
	# shellcheck disable=SC2086
	{ read -r u1 k1 < <(cpu_ticks $procs); s1=$(sched_ns $procs); }
	ok=$(kv ok "$out")
	[ -n "$ok" ] || { echo "error=loadgen"; return; }
	[ "$ok" -gt 0 ] || ok=1
	echo "$out cpu_us=$(calc "($u1 + $k1 - $u0 - $k0) * 1000000 / $HZ / $ok")" \
		"user_us=$(calc "($u1 - $u0) * 1000000 / $HZ / $ok")" \
		"sys_us=$(calc "($k1 - $k0) * 1000000 / $HZ / $ok")" \
		"sched_us=$(calc "($s1 - $s0) / 1000 / $ok")" \
		"cpu_pct=$(calc "($u1 + $k1 - $u0 - $k0) * 100 / $HZ / ($t1 - $t0)")"
}

# ================================================================= main
say "== bench_proxy: $(nproc) cores, $(uname -r); offered $RATE calls/s," \
	"${DUR}s per run, median of $REPS, tick ${TICK}us"
build || { say "build failed"; exit 1; }
say "$(perf/gen_bench_tables.sh "$TMP" "${PORT[sipfilter]}" "$UAS_PORT" \
	"$WORKERS")" || { say "table generation failed"; exit 1; }
awk -F';' '!/^#/ { n++; if ($4 == "R") r++ } END {
	printf "call mix: %d rows, %.1f%% rejected by the rules, %.1f%% forwarded\n",
	n, 100 * r / n, 100 - 100 * r / n }' "$TMP/calls.csv"
frac_rej=$(awk -F';' '!/^#/ { n++; if ($4 == "R") r++ } END { print r / n }' \
	"$TMP/calls.csv")

if ! port_free "$UAS_PORT"; then
	say "UAS port $UAS_PORT is taken (set BENCH_PORT_BASE)"; exit 1
fi
live=()
for n in $PROXIES; do
	start_proxy "$n" && live+=("$n")
done
say "ready (first 200 to OPTIONS after start, incl. table load):" \
	"$(for n in "${live[@]}"; do printf '%s %.1fs  ' "$n" "${UP[$n]}"; done)"
[ -n "${PID[kamailio]:-}" ] && [ -n "${UP[kamailio]:-}" ] &&
	say "kamailio: $(kamailio -v 2>/dev/null | head -1), $KCHILD UDP children"
[ -n "${UP[sipfilter]:-}" ] &&
	say "sipfilter: $WORKERS workers, RSS $(awk '/VmRSS/ { printf "%.0f MiB", $2 / 1024 }' \
		/proc/"${PID[sipfilter]}"/status)"
((${#live[@]})) || { say "no proxy started"; exit 1; }

# warm-up (page faults, caches): 2 s each, discarded
for n in "${live[@]}"; do run_load "$n" "$RATE" 2 >/dev/null; done

# ---- fixed rate, interleaved repetitions
targets=("${live[@]}" direct)
for rep in $(seq "$REPS"); do
	order=("${targets[@]}")
	if ((rep % 2 == 0)); then
		order=(); for ((i = ${#targets[@]} - 1; i >= 0; i--)); do
			order+=("${targets[$i]}"); done
	fi
	for n in "${order[@]}"; do
		echo "$n $(run_load "$n" "$RATE" "$DUR")" >>"$TMP/fixed"
	done
done
med() { # med NAME KEY
	awk -v n="$1" '$1 == n' "$TMP/fixed" | while read -r line; do
		kv "$2" "$line"; done | median
}
say ""
say "-- CPU per call at $RATE calls/s offered (median of $REPS x ${DUR}s)"
say "   (us/call and us(sched) are exact; the user/sys split comes from tick-sampled"
say "    /proc/PID/stat and is approximate on this VM)"
printf '%-10s %8s %6s %6s %9s %8s %8s %6s %7s %7s %8s %7s\n' proxy \
	"us/call" "user" "sys" "us(sched)" "dgram/cl" "us/dgram" "cpu%" \
	"p50 us" "p99 us" "failed%" "lg cpu%"
declare -A CPU=()
dg_proxy=$(calc "6 - 3 * $frac_rej")
for n in "${targets[@]}"; do
	dg=$dg_proxy
	[ "$n" = relay ] || [ "$n" = kamplain ] && dg=6
	cpu=$(med "$n" cpu_us)
	CPU[$n]=$cpu
	if [ "$n" = direct ]; then
		cpu=- dg=- per=- sch=- pct=- usr=- sys=-
	else
		sch=$(med "$n" sched_us)
		usr=$(med "$n" user_us)
		sys=$(med "$n" sys_us)
		per=$(calc "$cpu / $dg")
		pct=$(med "$n" cpu_pct)
	fi
	printf '%-10s %8.5s %6.4s %6.4s %9.5s %8.4s %8.4s %6.4s %7s %7s %8.5s %7.4s\n' \
		"$n" "$cpu" "$usr" "$sys" "$sch" "$dg" "$per" "$pct" "$(med "$n" p50_us)" \
		"$(med "$n" p99_us)" "$(med "$n" fail_pct)" "$(med "$n" lg_cpu_pct)"
done
for n in "${targets[@]}"; do
	awk -v n="$n" '$1 == n' "$TMP/fixed" | while read -r line; do
		w=$(kv wrong "$line"); f=$(kv failed "$line")
		[ "${f:-0}" != 0 ] && say "  $n: $f of $(kv sent "$line") calls failed ($w wrong verdicts)"
	done
done
if [ -n "${CPU[sipfilter]:-}" ]; then
	[ -n "${CPU[kamailio]:-}" ] &&
		say "ratio sipfilter/kamailio CPU per call: $(calc "${CPU[sipfilter]} / ${CPU[kamailio]}" | cut -c1-5) (target <= 0.333)"
	[ -n "${CPU[relay]:-}" ] &&
		say "ratio sipfilter/relay    CPU per call: $(calc "${CPU[sipfilter]} / ${CPU[relay]}" | cut -c1-5) (target <= 2)"
fi
if [ -n "${CPU[kammod]:-}" ]; then
	[ -n "${CPU[kamailio]:-}" ] &&
		say "ratio kammod/kamailio(mtree) CPU per call: $(calc "${CPU[kammod]} / ${CPU[kamailio]}" | cut -c1-5) (target < 1)"
	[ -n "${CPU[kamplain]:-}" ] &&
		say "ratio kammod/kamplain CPU per call: $(calc "${CPU[kammod]} / ${CPU[kamplain]}" | cut -c1-5) (target <= 1.10; kamplain forwards the rejected 10 % too: 6 datagrams a call against 5.7)"
	[ -n "${CPU[sipfilter]:-}" ] &&
		say "ratio kammod/sipfilter CPU per call: $(calc "${CPU[kammod]} / ${CPU[sipfilter]}" | cut -c1-5)"
fi
if [ -n "${CPU[kamailio]:-}" ]; then
	k=${CPU[kamailio]}
	if awk "BEGIN { exit !($k >= 35 && $k <= 50) }"; then
		say "kamailio: $(printf %.1f "$k") us/call, in the expected ~40-45 us range"
	else
		say "kamailio: $(printf %.1f "$k") us/call, OUTSIDE the ~40-45 us reported for this setup"
	fi
fi
dp50=$(med direct p50_us); dp99=$(med direct p99_us)
for n in "${live[@]}"; do
	say "added latency $n: p50 +$(calc "$(med "$n" p50_us) - $dp50") us," \
		"p99 +$(calc "$(med "$n" p99_us) - $dp99") us (direct p50 $dp50, p99 $dp99)"
done

# ---- maximum rate
maxrate() { # NAME: steps the rate up; prints the last good one
	local n=$1 r out f sr good=0 bad="" why=""
	for r in $STEPS; do
		out=$(run_load "$n" "$r" "$STEP_DUR" --drain-ms 1500)
		f=$(kv fail_pct "$out"); sr=$(kv send_rate "$out")
		printf '  %-9s %6s calls/s: sent at %6s/s, failed %7s%%, proxy cpu %5s%%, loadgen cpu %5s%%, p99 %s us\n' \
			"$n" "$r" "$sr" "$f" "$(kv cpu_pct "$out" | cut -c1-5)" \
			"$(kv lg_cpu_pct "$out")" "$(kv p99_us "$out")"
		if [ -z "$f" ] || awk "BEGIN { exit !($f >= 0.1 || $sr < 0.98 * $r) }"; then
			bad=$r
			break
		fi
		good=$r
	done
	echo "$n max=$good bad=$bad fail=$f sent=$sr" >>"$TMP/max"
}
if [ -n "${UP[sipfilter]:-}" ] && [ "$MAXRUN" = 1 ]; then
	say ""
	say "-- maximum rate, sipfilter (< 0.1% failed; ${STEP_DUR}s per step)"
	maxrate sipfilter
	read -r _ m b bf bs <"$TMP/max"
	m=${m#max=}; b=${b#bad=}; bf=${bf#fail=}; bs=${bs#sent=}
	if [ -n "$b" ]; then
		say "  direct check at $b calls/s (load generator alone, no proxy):"
		out=$(run_load direct "$b" "$STEP_DUR" --drain-ms 1500)
		f=$(kv fail_pct "$out"); sr=$(kv send_rate "$out")
		say "  direct    $b calls/s: sent at $sr/s, failed $f%, loadgen cpu $(kv lg_cpu_pct "$out")%"
		if [ -n "$f" ] && awk "BEGIN { exit !($f >= 0.1 || $sr < 0.98 * $b) }"; then
			say "max rate sipfilter: >= $m calls/s; the LOAD GENERATOR is the limit (it fails at $b calls/s without a proxy)"
		elif [ -n "$bf" ] && awk "BEGIN { exit !($bf < 0.1) }"; then
			say "max rate sipfilter: $m calls/s; at $b the generator, sharing the cores with the proxy, sent only $bs/s ($bf% failed): the 2-core box, not sipfilter alone, is the limit"
		else
			say "max rate sipfilter: $m calls/s with < 0.1% failed ($bf% failed at $b; the generator alone handles $b)"
		fi
	else
		say "max rate sipfilter: >= $m calls/s (the highest step; raise BENCH_MAXRATE)"
	fi
fi

# ---- instructions per call (callgrind), sipfilter only
if [ "$CALLGRIND" = 1 ] && [ -n "${UP[sipfilter]:-}" ] &&
	command -v valgrind >/dev/null && command -v callgrind_control >/dev/null; then
	say ""
	say "-- instructions per call, sipfilter under callgrind (user space only)"
	port=${PORT[callgrind]}
	sed -e "s|127.0.0.1:${PORT[sipfilter]}|127.0.0.1:$port|" \
	    -e "s|ctl.sock|ctl-cg.sock|" "$TMP/sf/bench.yaml" >"$TMP/sf/cg.yaml"
	valgrind --tool=callgrind --instr-atstart=no \
		--callgrind-out-file="$TMP/cg.out" \
		"$SIPFILTER" serve -c "$TMP/sf/cg.yaml" >"$TMP/callgrind.log" 2>&1 &
	PID[callgrind]=$!
	started+=("${PID[callgrind]}")
	if wait_ready callgrind "$port" 120; then
		callgrind_control -i on "${PID[callgrind]}" >/dev/null 2>&1
		cgcalls=$((QUICK == 1 ? 1000 : 3000))
		out=$(run_load callgrind 500 "$(calc "$cgcalls / 500")" --drain-ms 5000)
		callgrind_control -i off "${PID[callgrind]}" >/dev/null 2>&1
		callgrind_control -d "${PID[callgrind]}" >/dev/null 2>&1
		ok=$(kv ok "$out")
		# BENCH_CG_OUT=DIR keeps the profile for callgrind_annotate
		[ -n "${BENCH_CG_OUT:-}" ] && mkdir -p "$BENCH_CG_OUT" &&
			cp "$TMP"/cg.out.* "$BENCH_CG_OUT"/
		ir=$(cat "$TMP"/cg.out.* 2>/dev/null | sed -n 's/^totals: //p' | awk '{ s += $1 } END { print s + 0 }')
		if [ "${ok:-0}" -gt 0 ] && [ "$ir" -gt 0 ]; then
			say "sipfilter: $(calc "$ir / $ok" | cut -d. -f1) instructions per call ($ok calls, $(kv failed "$out") failed)"
			say "top functions (self, % of instructions):"
			callgrind_annotate --inclusive=no "$TMP"/cg.out.* 2>/dev/null |
				awk '/^-+$/ { s++ } s >= 4 && /%\)/ && !/TOTALS/' |
				head -12 | sed 's/^/    /'
		else
			say "callgrind: no figures (calls ok: ${ok:-0})"
		fi
	else
		say "callgrind: sipfilter did not become ready"
	fi
fi
say ""
say "reproduce: BENCH_QUICK=$QUICK BENCH_RATE=$RATE BENCH_DURATION=$DUR BENCH_REPS=$REPS BENCH_TICK_US=$TICK BENCH_WORKERS=$WORKERS BENCH_KAM_CHILDREN=$KCHILD perf/bench_proxy.sh"
