#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# perf/bench_replay.sh - throughput and memory of `sipfilter replay` on
# generated captures, and the ratio against tshark on the same files in
# the same run (when tshark is installed; `apt-get install -y tshark`).
#   (a) all-INVITE traffic, (b) a call mix (INVITE/100/180/200/ACK with
#   SDP, 40 RTP packets per call, BYE/200; ~30% of INVITEs from the
#   international trunks of the example config; every call's outcome is
#   followed: responses and BYE matched to its INVITE), (c) memory with
#   outcome correlation on: 100000 answered calls of 90 s, one every ms
#   (91000 up at once, more than the call table's default 65536), peak
#   RSS with the default table and with --max-calls 200000, (d) -j 2
#   against -j 1 on 10 consecutive files (a day of captures is many
#   files): all-INVITE (10 x BENCH_PACKETS/5) and the call mix (10 x
#   BENCH_PACKETS/2); median wall time and CPU seconds (user + sys) of
#   REPS runs of each, the wall-time ratio, and peak RSS of each; and
#   two -j 1 runs at once, the parallel capacity the shared machine had
#   (what -j 2 could gain at most at that time).
# Each run is pinned to one core (taskset); the median and the best of
# REPS runs are reported (the machine is shared: quote medians).  Peak RSS
# (GNU time) is reported for the file and for a file four times smaller,
# to show memory does not grow with the capture.  With valgrind installed,
# instructions per packet (callgrind, a 20000-packet file of the same kind,
# startup included) - stable where wall time is not.
# Env: BENCH_PACKETS (default 200000), REPS (5), BUILD, TSHARK_TIMEOUT (600),
# NO_CALLGRIND=1 to skip the instruction count, BENCH_ONLY=jobs for (d)
# alone.
# Prints figures; not a pass/fail test.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SF=${SIPFILTER:-$PWD/$BUILD/sipfilter}
CFG=config/sipfilter.yaml
N=${BENCH_PACKETS:-200000}
REPS=${REPS:-5}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

[ -x "$SF" ] || { echo "bench_replay: $SF not built"; exit 0; }
${CC:-cc} -std=c11 -D_GNU_SOURCE -I. -O2 -o "$T/gen" \
	tests/fixtures/replay/gen_capture.c capture/sf_pcapw.c capture/sf_hep.c \
	base/sf_addr.c base/sf_err.c -lz || exit 1
"$T/gen" invites "$N" "$T/a.pcap"
"$T/gen" mix "$N" "$T/b.pcap"
"$T/gen" invites $((N / 4)) "$T/a_small.pcap"
"$T/gen" mix $((N / 4)) "$T/b_small.pcap"
"$T/gen" invites 20000 "$T/a_cg.pcap"
"$T/gen" mix 20000 "$T/b_cg.pcap"

pin=""
command -v taskset >/dev/null && pin="taskset -c 0"

pkts() { "$SF" replay -c "$CFG" --summary-only --no-progress "$1" 2>&1 |
	sed -nE 's/^  packets +([0-9]+).*/\1/p'; }

# "median best" wall time (s) of REPS runs of: replay FILE, records to
# /dev/null
wall_times() {
	local t
	for _ in $(seq "$REPS"); do
		local s e
		s=$(date +%s.%N)
		$pin "$SF" replay -c "$CFG" --no-progress "$@" >/dev/null 2>&1
		e=$(date +%s.%N)
		echo "$e - $s" | bc -l
	done | sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1] }'
}

# instructions per packet of replay FILE (callgrind), or "?"
insns() {
	local np ir
	if [ -n "${NO_CALLGRIND:-}" ] || ! command -v valgrind >/dev/null; then
		echo "?"; return
	fi
	np=$(pkts "$1")
	ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$SF" replay -c "$CFG" --no-progress "$1" 2>&1 >/dev/null |
		sed -nE 's/.*Collected : ([0-9]+).*/\1/p')
	[ -n "$ir" ] && echo $((ir / np)) || echo "?"
}

peak_rss_kb() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' "$SF" replay -c "$CFG" --no-progress "$1" \
			2>&1 >/dev/null | tail -1
	else
		echo "?"
	fi
}

report() { # label file small-file callgrind-file
	local label=$1 f=$2 small=$3 cg=$4
	local np bytes t tb tj pps mbs rss rss_small
	np=$(pkts "$f")
	bytes=$(stat -c %s "$f")
	read -r t tb < <(wall_times "$f")
	read -r tj _ < <(wall_times --summary-only "$f")
	pps=$(echo "$np / $t" | bc -l)
	mbs=$(echo "$bytes / $t / 1000000" | bc -l)
	rss=$(peak_rss_kb "$f")
	rss_small=$(peak_rss_kb "$small")
	printf '%s: %d packets, %.1f MB\n' "$label" "$np" "$(echo "$bytes/1000000" | bc -l)"
	printf '  replay (JSONL records): median %.3f s  %.0f packets/s  %.1f MB/s (one core; best %.3f s = %.0f packets/s)\n' \
		"$t" "$pps" "$mbs" "$tb" "$(echo "$np / $tb" | bc -l)"
	printf '  replay --summary-only:  median %.3f s  %.0f packets/s\n' "$tj" "$(echo "$np / $tj" | bc -l)"
	printf '  peak RSS: %s kB (file 4x smaller: %s kB)\n' "$rss" "$rss_small"
	printf '  instructions per packet (callgrind, 20000 packets, JSONL): %s\n' "$(insns "$cg")"
	if command -v tshark >/dev/null; then
		local s e tt
		s=$(date +%s.%N)
		timeout "${TSHARK_TIMEOUT:-600}" $pin tshark -r "$f" \
			-Y 'sip.Method == "INVITE"' -T fields -e sip.from.user \
			>/dev/null 2>&1
		e=$(date +%s.%N)
		tt=$(echo "$e - $s" | bc -l)
		printf '  tshark -Y INVITE -T fields -e sip.from.user: %.2f s  %.0f packets/s  -> replay is %.1fx faster\n' \
			"$tt" "$(echo "$np / $tt" | bc -l)" "$(echo "$tt / $t" | bc -l)"
	else
		echo "  tshark not installed: no ratio (apt-get install -y tshark)"
	fi
}

# "wall cpu rss" medians (CPU = user + sys) of the runs listed in FILE
# ("wall user sys rss" lines)
medians() {
	awk '{ w[NR] = $1; c[NR] = $2 + $3; m[NR] = $4 }
	function med(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) {
			t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	END { print med(w, NR), med(c, NR), med(m, NR) }' "$1"
}

# REPS runs of replay -j 1 FILES... and -j 2 FILES..., alternating (the
# machine's load drifts), not pinned (-j needs the cores), records to
# /dev/null; then the figures.
jobs_report() { # label files...
	local label=$1 np w1 c1 m1 w2 c2 m2 j
	shift
	np=$("$SF" replay -c "$CFG" --summary-only --no-progress "$@" 2>&1 |
		sed -nE 's/^  packets +([0-9]+).*/\1/p')
	rm -f "$T/j1" "$T/j2" "$T/jp"
	for _ in $(seq "$REPS"); do
		for j in 1 2; do
			/usr/bin/time -f '%e %U %S %M' -o "$T/time" "$SF" replay \
				-c "$CFG" --no-progress -j $j "$@" >/dev/null 2>&1
			tail -1 "$T/time" >>"$T/j$j"
		done
		# the machine's parallel capacity now: two -j 1 at once
		/usr/bin/time -f '%e 0 0 0' -o "$T/time" bash -c '
			"$0" replay -c "$1" --no-progress "${@:2}" >/dev/null 2>&1 &
			"$0" replay -c "$1" --no-progress "${@:2}" >/dev/null 2>&1
			wait' "$SF" "$CFG" "$@"
		tail -1 "$T/time" >>"$T/jp"
	done
	read -r w1 c1 m1 < <(medians "$T/j1")
	read -r w2 c2 m2 < <(medians "$T/j2")
	read -r wp _ < <(medians "$T/jp")
	printf '(d) %s, %d files, %d packets (load average %s):\n' "$label" $# "$np" \
		"$(cut -d' ' -f1 /proc/loadavg)"
	printf '  -j 1: median %.3f s wall, %.3f CPU-s, %.0f packets/s, peak RSS %d kB\n' \
		"$w1" "$c1" "$(echo "$np / $w1" | bc -l)" "$m1"
	printf '  -j 2: median %.3f s wall, %.3f CPU-s, %.0f packets/s, peak RSS %d kB\n' \
		"$w2" "$c2" "$(echo "$np / $w2" | bc -l)" "$m2"
	printf '  -j 2 vs -j 1: %.2fx (wall), CPU %+.0f %%\n' \
		"$(echo "$w1 / $w2" | bc -l)" "$(echo "($c2 / $c1 - 1) * 100" | bc -l)"
	printf '  two -j 1 at once: median %.3f s wall: the machine gave %.2fx one run'"'"'s throughput (2.00 = two idle cores)\n' \
		"$wp" "$(echo "2 * $w1 / $wp" | bc -l)"
}

if [ "${BENCH_ONLY:-}" != jobs ]; then
report "(a) all-INVITE" "$T/a.pcap" "$T/a_small.pcap" "$T/a_cg.pcap"
report "(b) call mix with RTP, outcome correlation" "$T/b.pcap" "$T/b_small.pcap" "$T/b_cg.pcap"

# (c) the call table's memory bound
${CC:-cc} -std=c11 -D_GNU_SOURCE -I. -O2 -o "$T/genf" \
	tests/fixtures/replay/gen_flows.c capture/sf_pcapw.c base/sf_addr.c \
	base/sf_err.c -lz || exit 1
"$T/genf" calls 100000 "$T/c.pcap" 1
for opt in "" "--max-calls 200000"; do
	/usr/bin/time -f '%M' -o "$T/rss" "$SF" replay -c "$CFG" --no-progress \
		--summary $opt "$T/c.pcap" 2>"$T/err" >/dev/null
	printf '(c) 100000 overlapping 90 s calls %s: peak RSS %s kB; %s\n' \
		"${opt:-(default table)}" "$(tail -1 "$T/rss")" \
		"$(sed -nE 's/^  outcome status +//p' "$T/err")"
done
rm -f "$T/c.pcap"
fi

# (d) -j 2 against -j 1 on 10 consecutive files
for k in $(seq 0 9); do
	"$T/gen" invites $((N / 5)) "$T/d_inv_$k.pcap" $((k * N / 5))
	"$T/gen" mix $((N / 2)) "$T/d_mix_$k.pcap" $((k * (N / 2 / 47 + 1)))
done
jobs_report "all-INVITE, JSONL" "$T"/d_inv_*.pcap
jobs_report "call mix with RTP, JSONL" "$T"/d_mix_*.pcap
