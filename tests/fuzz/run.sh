#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/fuzz/run.sh - runs every libFuzzer target in build/fuzz for
# FUZZ_TIME seconds each (default 60), starting from a scratch copy of its
# committed corpus (so the repository is not flooded with generated
# inputs), with tests/fuzz/NAME.dict as its dictionary when there is one.
# Crashes are written to build/fuzz/crashes/NAME/; commit the
# minimised ones to tests/fuzz/corpus/NAME as regression inputs.
# Prints executions per target and "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
export SF_SHARED=${SF_SHARED:-$(cd .. && pwd)/shared}
. tests/fuzz/corpus_dirs.sh
FUZZ_TIME=${FUZZ_TIME:-60}
pass=0 fail=0
for bin in build/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	work=build/fuzz/work/$name crashes=build/fuzz/crashes/$name
	rm -rf "$work"; mkdir -p "$work" "$crashes"
	for d in $(corpus_dirs "$name"); do cp -r "$d"/. "$work"/ 2>/dev/null; done
	log=build/fuzz/$name.log
	dict=()
	[ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
	"$bin" -max_total_time="$FUZZ_TIME" -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$crashes/" "${dict[@]}" \
		"$work" >"$log" 2>&1
	rc=$?
	execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
	[ -n "$execs" ] || execs=$(grep -oE '#[0-9]+' "$log" | tail -1 | tr -d '#')
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "ok   $name: ${execs:-?} executions in ${FUZZ_TIME}s, corpus $(ls "$work" | wc -l) inputs"
	else
		fail=$((fail + 1)); echo "FAIL $name (rc=$rc): see $log and $crashes"
		grep -E 'ERROR|SUMMARY' "$log" | head -5 | sed 's/^/    /'
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
