#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Replays every fuzz target's committed corpus (and the shared torture
# messages / captures) through its plain-main build, under whatever
# sanitizers the build has.  A crash or sanitizer report fails the test.
set -u
cd "$SF_ROOT"
. tests/fuzz/corpus_dirs.sh
pass=0 fail=0
for bin in "$BUILD"/fuzz-replay/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	dirs=$(corpus_dirs "$name")
	if [ -z "$dirs" ]; then
		echo "FAIL $name: no corpus"; fail=$((fail + 1)); continue
	fi
	if out=$("$bin" $dirs 2>&1); then
		pass=$((pass + 1)); echo "ok   $name: $(tail -1 <<<"$out" | cut -d' ' -f1) inputs"
	else
		fail=$((fail + 1)); echo "FAIL $name"; tail -20 <<<"$out"
	fi
done
if [ $((pass + fail)) -eq 0 ]; then
	echo "FAIL no fuzz replay programs in $BUILD/fuzz-replay (make test builds them)"
	fail=1
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
