#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/run.sh - runs the whole test suite and prints one closing line,
# "N passed, N failed".  Called by `make test` (and `make asan` with
# BUILD=build/asan).  Each unit program and each integration script prints
# its own "N passed, N failed" line; this adds them up.  A program that
# crashes or prints no such line counts as one failure.
#
# Environment: BUILD (build dir, default build), SF_SHARED (the shared
# corpus, default ../shared), TEST_FILTER (substring of test names to run),
# SF_PORT_BASE (the first of the 1000 ports the integration tests use;
# unset: a free slot is claimed and held until the run ends, so that
# suites of several clones can run at once: tests/integration/lib.sh).
set -u
cd "$(dirname "$0")/.."
export SF_ROOT=$PWD
export BUILD=${BUILD:-build}
export SF_SHARED=${SF_SHARED:-$(cd .. && pwd)/shared}
export SIPFILTER=$PWD/$BUILD/sipfilter
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
filter=${TEST_FILTER:-}
# Claims a port slot (unless SF_PORT_BASE is set); its lock stays held
# through an fd that this shell and every test it starts keep open.
. tests/integration/lib.sh
echo "ports from $SF_PORT_BASE${SF_SLOT:+ (slot $SF_SLOT)}"

total_pass=0
total_fail=0
failed_names=()

run_one() {
	local name=$1; shift
	local log=$BUILD/test-logs/$name.log
	mkdir -p "$BUILD/test-logs"
	local t0=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	local line p f
	line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed.*/\2/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	else
		p=0; f=1
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$f" -ne 0 ]; then
		failed_names+=("$name")
		printf 'FAIL %-32s %3d passed, %d failed (rc=%d, %ds) log: %s\n' \
			"$name" "$p" "$f" "$rc" $((SECONDS - t0)) "$log"
		grep -E 'FAIL|error|ERROR|Sanitizer|runtime error' "$log" | head -20 | sed 's/^/    /'
	else
		printf 'ok   %-32s %3d passed (%ds)\n' "$name" "$p" $((SECONDS - t0))
	fi
}

nunit=0
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	[[ -z $filter || $name == *$filter* ]] || continue
	nunit=$((nunit + 1))
	run_one "$name" "$t"
done
# An unbuilt tree must not pass by running nothing.
if [ -z "$filter" ] && [ "$nunit" -eq 0 ]; then
	echo "FAIL no unit test programs in $BUILD/tests (make test builds them)"
	total_fail=$((total_fail + 1))
	failed_names+=(unit)
fi

for s in tests/integration/*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	[ "$name" = lib ] && continue # sourced helpers, not a test
	[[ -z $filter || $name == *$filter* ]] || continue
	run_one "$name" bash "$s"
done

if [ ${#failed_names[@]} -ne 0 ]; then
	echo "failed: ${failed_names[*]}"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
