#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# replay_parallel.sh - `sipfilter replay -j N` gives what -j 1 gives, byte
# for byte: records (JSONL, CSV, text), the summary and every other
# stderr line, the exit status, --html, --discover and --write-pcap
# files, on every capture the other replay tests read: the generated
# scenarios (link types, fragments, TCP, retransmissions, HEP, pcapng,
# gzip, stdin, directories, damaged files), admission shapes, call flows
# with outcomes, planted substitutions, encapsulations (gen_encap.py),
# the public corpus (read in place), and larger captures that fill many
# batches (all-INVITE, the call mix with RTP, long calls, retransmissions
# 25 s and 45 s later); multi-file runs with a missing, a truncated and a
# corrupt file in the middle; --diff; small record rings and call tables
# (early exits, evictions: order-sensitive).  The hidden
# SIPFILTER_REPLAY_BATCH=MSGS:BYTES:WINDOW shrinks -j's batches and window
# so that small captures cross many batch boundaries, a full window and
# the in-line path of messages bigger than a batch.
# Under `make tsan` (ThreadSanitizer) a data race fails it too: the
# report lands on stderr, which must equal -j 1's.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh
. tests/tools/replay_gen.sh
replay_setup || { finish; exit 1; }
C=$T/cap
mkdir -p "$C" "$T/enc" "$T/dir"
"$T/gen_capture" scenarios "$C"
"$T/gen_capture" admission "$C/admission.pcap"
"$T/gen_flows" flows "$C/flows.pcap"
"$T/gen_flows" discover "$T/disc.pcap"
"$T/gen_flows" calls 3000 "$T/long.pcap"
"$T/gen_capture" invites 3000 "$T/inv.pcap"
"$T/gen_capture" mix 20000 "$T/mix.pcap"
python3 tests/fixtures/replay/gen_encap.py "$T/enc" ||
	{ not_ok "gen_encap.py"; finish; exit 1; }
cp "$C"/link_*.pcap "$T/dir/"
head -c 100 "$C/calls.pcap" >"$T/short.pcap"
# 4000 INVITEs, each third sent again 5000 packets (25 s) and 9000 (45 s)
# later: folded in the window, and late after it (replay.sh's shape)
"$T/gen_capture" invites 4000 "$T/inv4k.pcap"
resend_invites "$T/inv4k.pcap" "$T/rtx.pcap" 1500 2800
python3 tests/tools/monitor_rule.py "$CFG" "$T/monitor.yaml" home-mobile-not-roaming

JOBS=${REPLAY_PAR_JOBS:-"2 4"}
# same NAME ARGS...: replay ARGS with -j 1 and each of JOBS; stdout,
# stderr, exit status and the files the run wrote (ARGS name them under
# @O@, a directory of each run's own) must be identical.  SAME_IN: a file
# for stdin.  Fails also when -j 1 printed nothing at all.
same() {
	local name=$1 j bad="" d
	shift
	for j in 1 $JOBS; do
		d=$T/o$j
		rm -rf "$d"
		mkdir -p "$d/files"
		"$SF" replay -c "$CFG" --no-progress -j "$j" "${@//@O@/$d/files}" \
			<"${SAME_IN:-/dev/null}" >"$d/stdout" 2>"$d/stderr"
		echo $? >"$d/rc"
		sed -i "s#$d/files#@O@#g" "$d/stderr"
	done
	if [ ! -s "$T/o1/stdout" ] && [ ! -s "$T/o1/stderr" ]; then
		not_ok "$name" "-j 1 printed nothing"
		return
	fi
	for j in $JOBS; do
		if ! diff -r "$T/o1" "$T/o$j" >"$T/diff" 2>&1; then
			bad="$bad -j $j differs: $(head -c 600 "$T/diff")"
		fi
	done
	if [ -z "$bad" ]; then ok "$name: -j 1 = -j ${JOBS// / = -j }"
	else not_ok "$name" "$bad"; fi
}

scen=("$C"/link_*.pcap "$C/frag.pcap" "$C/tcp.pcap" "$C/retrans.pcap"
	"$C/hep.pcap" "$C/mixed.pcapng" "$C/calls.pcap" "$C/hostile.pcap"
	"$C/snaplen.pcap" "$C/admission.pcap")
big=("$T/inv.pcap" "$T/mix.pcap" "$T/long.pcap" "$T/rtx.pcap")

# --- every generated capture, formats, summary ----------------------------
same "scenarios merged, JSONL + summary" --summary "${scen[@]}"
same "scenarios merged, CSV" -F csv "${scen[@]}"
same "scenarios merged, text" -F text "${scen[@]}"
for f in "${scen[@]}" "$C/flows.pcap"; do
	same "$(basename "$f") alone" --summary --bucket 10s "$f"
done
same "gzip pcapng" "$C/mixed.pcapng.gz"
SAME_IN=$C/tcp.pcap same "stdin" -
SAME_IN=$C/mixed.pcapng.gz same "gzip on stdin" --summary -
same "a directory (its files merged)" --summary "$T/dir"
same "admission shapes, --assume-trunk" --assume-trunk ipx-carrier-b "$C/admission.pcap"

# --- damaged and missing files in the middle of a run --------------------
same "a missing file in the middle" --summary "$C/calls.pcap" "$T/nope.pcap" "$C/flows.pcap"
same "a truncated file in the middle" --summary "$C/link_eth.pcap" "$C/truncated.pcap" "$C/calls.pcap"
same "a corrupt pcapng in the middle" --summary "$C/calls.pcap" "$C/corrupt.pcapng" "$C/flows.pcap"
same "a file cut in its first record, then good ones" "$T/short.pcap" "$C/calls.pcap" "$C/hep.pcap"
same "not a capture" "$C/calls.pcap" "$T/monitor.yaml"
same "bad BPF filter (usage error)" -f 'udp prot 5060' "$C/calls.pcap"
same "BPF filter" -f 'udp port 9060' --summary "$C/hep.pcap" "$C/calls.pcap"

# --- outcomes, report, discovery, diff, selected calls --------------------
same "call flows: outcomes, --html, --tz" --summary --tz Asia/Almaty --bucket 10s \
	--html @O@/report.html "$C/flows.pcap" "$C/calls.pcap"
same "--discover" --summary --discover @O@/disc.txt "$T/disc.pcap"
same "--diff (a rule to monitor)" --diff "$T/monitor.yaml" --summary "${scen[@]}" "$C/flows.pcap"
same "--diff, CSV" -F csv --diff "$T/monitor.yaml" "${scen[@]}"
same "--write-pcap --select all" -w @O@/all.pcap --select all --summary "${scen[@]}" "$C/flows.pcap"
same "--write-pcap (rejected calls)" -w @O@/rej.pcap --summary "$C/calls.pcap" "$T/inv.pcap"

# --- encapsulations --------------------------------------------------------
same "encapsulations merged" --summary "$T"/enc/*.pcap
for f in "$T"/enc/*.pcap; do
	same "encap $(basename "$f")" --summary "$f"
done

# --- many batches ------------------------------------------------------------
same "large captures merged (many batches)" --summary --html @O@/big.html "${big[@]}"
same "all-INVITE, CSV" -F csv "$T/inv.pcap"
same "retransmissions folded and late" --summary "$T/rtx.pcap"
SIPFILTER_REPLAY_RING=2:0 same "record ring of 2 (early exits)" --summary "${big[@]}" "$C/flows.pcap"
SIPFILTER_REPLAY_CALLS=1024:65536 same "call table of 1024 (evictions)" --summary "$T/long.pcap" "$C/flows.pcap"

# --- batch boundaries everywhere: batches of 1..7 messages, windows of 1..3,
# messages over the batch's bytes worked in line ---------------------------
for b in 1:0:1 3:0:2 7:600:3 256:4000:1; do
	SIPFILTER_REPLAY_BATCH=$b same "batches $b: scenarios" --summary "${scen[@]}" "$C/flows.pcap"
	SIPFILTER_REPLAY_BATCH=$b same "batches $b: encapsulations" --summary "$T"/enc/*.pcap
done
SIPFILTER_REPLAY_BATCH=5:700:2 same "batches 5:700:2: large captures" --summary "${big[@]}"

# --- the public corpus, read in place ------------------------------------------
seen=0
for f in "$SF_SHARED"/corpus/pcaps/*; do
	[ -f "$f" ] || continue
	seen=$((seen + 1))
	same "corpus $(basename "$f")" --summary "$f"
done
expect_eq "corpus present" "$([ "$seen" -ge 14 ] && echo yes)" yes
same "whole corpus directory merged" --summary --html @O@/corpus.html "$SF_SHARED"/corpus/pcaps
SIPFILTER_REPLAY_BATCH=2:0:2 same "whole corpus, batches of 2" --summary "$SF_SHARED"/corpus/pcaps

# --- the option ------------------------------------------------------------------
expect_rc 2 "-j x: usage error" "$SF" replay -c "$CFG" -j x "$C/calls.pcap"
expect_rc 2 "-j 65: usage error" "$SF" replay -c "$CFG" -j 65 "$C/calls.pcap"
JOBS=0 same "-j 0 (one thread per CPU)" --summary "${scen[@]}"

# threads_of J WANT: the threads of `replay -j J -` while it waits for
# its first byte on stdin (a FIFO kept open), once there are WANT or
# after 5 s
threads_of() {
	local pid n="" i
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	"$SF" replay -c "$CFG" --no-progress -j "$1" - <"$T/fifo" >/dev/null 2>&1 &
	pid=$!
	exec 7>"$T/fifo"
	for i in $(seq 50); do
		n=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		[ "${n:-0}" -eq "$2" ] && [ "$i" -ge 3 ] && break
		sleep 0.1
	done
	exec 7>&-
	wait "$pid"
	echo "$n"
}
expect_eq "-j 1 starts no thread" "$(threads_of 1 1)" 1
# (ThreadSanitizer adds a thread of its own once there are threads)
want=5
case "${SF_SAN:-}" in *thread*) want=6 ;; esac
expect_eq "-j 4 runs 5 threads (4 judging, the decoding one among them; the ordered stage)" \
	"$(threads_of 4 $want)" $want

finish
