#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/fuzz/run.sh - runs every libFuzzer target in build/fuzz (or those
# named as arguments: fuzz_pcap fuzz_proxy ...) from a scratch copy of its
# committed corpus (so the repository is not flooded with generated
# inputs), with tests/fuzz/NAME.dict as its dictionary when there is one
# and the flags in tests/fuzz/NAME.options (one libFuzzer flag a line,
# '#' comments) after the common ones.
#
# Each target runs for FUZZ_TIME seconds (default 60), or until FUZZ_EXECS
# executions when that is set (then FUZZ_TIME is the budget that stops it
# first).  FUZZ_JOBS targets run at once (default 1), each under
# nice -n FUZZ_NICE (default 19): the machine is shared.  The grown
# corpora are left in build/fuzz/work/NAME (the next run starts again
# from the committed seeds).
#
# FUZZ_BIN_DIR (default build/fuzz) holds the binaries; the work
# directories, logs, crashes and results go under it too (build/msan for
# make fuzz-msan).
#
# Crashes are written to build/fuzz/crashes/NAME/; commit the minimised
# ones to tests/fuzz/corpus/NAME as regression inputs.
#
# One line per target: executions, executions/s (a figure, not pass/fail;
# "SLOW" marks a rate under FUZZ_MIN_RATE, default 10000, the goal of
# issue 15), libFuzzer's coverage (cov: edges, ft: features) and the
# corpus growth; then "N passed, N failed".  The same lines go to
# FUZZ_SUMMARY (default build/fuzz/summary.txt).
#
# Common flags: -entropic=0.  libFuzzer 14's entropic schedule updates a
# frequency table for every feature of every execution; on targets with
# 10^4 features that bookkeeping took 60% of the time (fuzz_proxy: 4,600/s
# with it, 8,400/s without, and more coverage in the same 15 s).
#
# ASan's quarantine is 16 MiB here (ASAN_OPTIONS, which the caller's own
# setting follows and so overrides).  Its default, 256 MiB, makes every
# freed block wait behind a quarter gigabyte of others, so each input's
# buffers (a capture reader's 16-64 KiB, libyaml's 64 KiB, the config)
# land on pages never touched since: in fuzz_pcap the kernel's page
# clearing and faults took half of the time.  An input allocates well under
# 1 MiB, so a use after free within one input is still caught.
#
# Besides the wall-clock rate, each line gives executions per CPU second
# of the fuzzer (user + system time): the machine is shared, and under
# nice 19 a busy neighbour halves the wall-clock figure of the same work.
set -u
cd "$(dirname "$0")/../.."
export SF_SHARED=${SF_SHARED:-$(cd .. && pwd)/shared}
. tests/fuzz/corpus_dirs.sh
FUZZ_TIME=${FUZZ_TIME:-60}
FUZZ_EXECS=${FUZZ_EXECS:-}
FUZZ_JOBS=${FUZZ_JOBS:-1}
FUZZ_NICE=${FUZZ_NICE:-19}
FUZZ_MIN_RATE=${FUZZ_MIN_RATE:-10000}
dir=${FUZZ_BIN_DIR:-build/fuzz}
res=$dir/results
summary=${FUZZ_SUMMARY:-$dir/summary.txt}
mkdir -p "$res"

# run_one NAME: fuzzes one target, writes its line to $res/NAME.line.
run_one() {
	local name=$1 bin=$dir/$1
	local work=$dir/work/$name crashes=$dir/crashes/$name
	local log=$dir/$name.log dict=() opts=() limit=() rc
	local execs rate cpurate cpums cov ft before after status note="" t0 ms

	rm -rf "$work"; mkdir -p "$work" "$crashes"
	for d in $(corpus_dirs "$name"); do cp -r "$d"/. "$work"/ 2>/dev/null; done
	before=$(find "$work" -type f | wc -l)
	[ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
	if [ -f "tests/fuzz/$name.options" ]; then
		mapfile -t opts < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' \
			"tests/fuzz/$name.options")
	fi
	[ -n "$FUZZ_EXECS" ] && limit=(-runs="$FUZZ_EXECS")
	t0=$(date +%s%3N)
	# bash's time keyword: user and system seconds of the fuzzer
	{
		TIMEFORMAT='%U %S'
		time ASAN_OPTIONS="quarantine_size_mb=16${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
			nice -n "$FUZZ_NICE" "$bin" -max_total_time="$FUZZ_TIME" \
			"${limit[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
			-entropic=0 -print_final_stats=1 \
			-artifact_prefix="$crashes/" "${dict[@]}" "${opts[@]}" \
			"$work" >"$log" 2>&1
	} 2>"$log.cpu"
	rc=$?
	ms=$(($(date +%s%3N) - t0))
	# -a: a log may hold binary bytes (dictionary suggestions); a crash
	# prints the final stats twice, hence tail -1
	execs=$(grep -aoE 'stat::number_of_executed_units: *[0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
	[ -n "$execs" ] || execs=$(grep -aoE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	# wall clock, corpus loading included (libFuzzer's own figure is 0
	# for runs under a second)
	rate="" cpurate="?"
	[ -n "$execs" ] && rate=$((execs * 1000 / (ms > 0 ? ms : 1)))
	cpums=$(awk '{printf "%d", ($1 + $2) * 1000}' "$log.cpu" 2>/dev/null)
	[ -n "$execs" ] && [ -n "$cpums" ] && [ "$cpums" -gt 0 ] &&
		cpurate=$((execs * 1000 / cpums))
	cov=$(grep -aE '^#[0-9]+' "$log" | grep -oE 'cov: [0-9]+' | tail -1 | grep -oE '[0-9]+')
	ft=$(grep -aE '^#[0-9]+' "$log" | grep -oE 'ft: [0-9]+' | tail -1 | grep -oE '[0-9]+')
	after=$(find "$work" -type f | wc -l)
	[ -n "$rate" ] && [ "$rate" -lt "$FUZZ_MIN_RATE" ] && note=" SLOW(<$FUZZ_MIN_RATE/s)"
	if [ $rc -eq 0 ]; then status="ok  "; else status="FAIL"; fi
	{
		printf '%s %s: %s executions, %s/s%s (%s per CPU s), cov %s ft %s, corpus %s -> %s inputs\n' \
			"$status" "$name" "${execs:-?}" "${rate:-?}" "$note" "$cpurate" \
			"${cov:-?}" "${ft:-?}" "$before" "$after"
		if [ $rc -ne 0 ]; then
			echo "     rc=$rc: see $log and $crashes"
			grep -aE 'ERROR|SUMMARY' "$log" | head -5 | sed 's/^/    /'
		fi
	} >"$res/$name.line"
}

names=()
if [ $# -gt 0 ]; then
	names=("$@")
else
	for bin in "$dir"/fuzz_*; do
		[ -x "$bin" ] && [ -f "$bin" ] && names+=("$(basename "$bin")")
	done
fi
for name in "${names[@]}"; do rm -f "$res/$name.line"; done
running=0
for name in "${names[@]}"; do
	if [ ! -x "$dir/$name" ]; then
		echo "FAIL $name: $dir/$name not built" >"$res/$name.line"
		continue
	fi
	run_one "$name" &
	running=$((running + 1))
	if [ "$running" -ge "$FUZZ_JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
pass=0 fail=0
: >"$summary"
for name in "${names[@]}"; do
	tee -a "$summary" <"$res/$name.line"
	if head -1 "$res/$name.line" | grep -q '^ok'; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed" | tee -a "$summary"
[ $fail -eq 0 ]
