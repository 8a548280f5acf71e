#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# perf/run.sh - runs every benchmark and prints its figures (no pass/fail).
# Called by `make bench`.  BENCH_FILTER=substring runs a subset.
# The machine is small and noisy: benchmarks report medians and ratios.
set -u
cd "$(dirname "$0")/.."
export SF_ROOT=$PWD BUILD=${BUILD:-build}
export SIPFILTER=$PWD/$BUILD/sipfilter
filter=${BENCH_FILTER:-}
for b in "$BUILD"/perf/bench_*; do
	[ -x "$b" ] || continue
	name=$(basename "$b")
	[[ -z $filter || $name == *$filter* ]] || continue
	echo "== $name"
	"$b"
done
for s in perf/bench_*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	[[ -z $filter || $name == *$filter* ]] || continue
	echo "== $name"
	bash "$s"
done
