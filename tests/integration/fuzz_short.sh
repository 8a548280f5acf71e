#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# fuzz_short.sh - the CI fuzz run: every libFuzzer target for
# FUZZ_SHORT_TIME seconds (default 4) from its committed corpus, after an
# incremental `make fuzz-build` (~12 s from scratch with -j2; ~45 s in
# all).  Each target's line gives its executions/s as a figure ("SLOW"
# under 10,000/s is information, not a failure: the machine is shared and
# 4 s includes loading the corpus).  A crash fails the test; the input is left in
# build/fuzz/crashes/NAME/.  Skipped (0 passed, 0 failed) without clang,
# and under `make asan` (BUILD other than build): the fuzz binaries
# already carry ASan+UBSan, and the asan suite replays every corpus.
# Then the MemorySanitizer builds (make fuzz-msan-build: every target but
# the three that parse with libosip2, linked with MSan builds of libyaml,
# Judy, libpcap and zlib that `make test` prepares) for as long each.
# Longer runs: `make fuzz FUZZ_TIME=...` (both).
set -u
cd "${SF_ROOT:-$(dirname "$0")/../..}"
if ! command -v clang >/dev/null; then
	echo "fuzz_short: clang not found, skipped"; echo "0 passed, 0 failed"; exit 0
fi
if [ "${BUILD:-build}" != build ]; then
	echo "fuzz_short: BUILD=$BUILD, skipped (see header)"; echo "0 passed, 0 failed"; exit 0
fi
mkdir -p build/fuzz
if ! timeout 300 make -s fuzz-build >build/fuzz/short-build.log 2>&1; then
	echo "FAIL make fuzz-build"; tail -20 build/fuzz/short-build.log
	echo "0 passed, 1 failed"; exit 1
fi
if ! timeout 300 make -s fuzz-msan-build >build/fuzz/short-msan-build.log 2>&1; then
	echo "FAIL make fuzz-msan-build"; tail -20 build/fuzz/short-msan-build.log
	echo "0 passed, 1 failed"; exit 1
fi
export FUZZ_TIME=${FUZZ_SHORT_TIME:-4}
pass=0 fail=0
for d in build/fuzz build/msan; do
	out=$(FUZZ_BIN_DIR=$d timeout 300 tests/fuzz/run.sh 2>&1)
	printf '%s\n' "$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$' |
		sed -E "s#^(ok  |FAIL) #\1 $d/#"
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL $d: run.sh gave no count"; fail=$((fail + 1)); continue
	fi
	pass=$((pass + ${line%% passed*}))
	fail=$((fail + $(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$line")))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
