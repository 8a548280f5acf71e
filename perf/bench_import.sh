#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# perf/bench_import.sh - `sipfilter import-ranges` on a generated range
# export the shape of a regulator's: N ranges (default 20000) of 11-digit
# numbers in 77xxxxxxxxx, contiguous, each 1 000 to 2 000 000 numbers long
# with boundaries at random (three in four on a round 10 000), held by one
# of 8 operators; then the same with one range in 50 overlapping its
# neighbour.  Prints time, rows and the aligned-block count (what the
# ranges would take without longest-prefix match).  Figures only.
#   perf/bench_import.sh [N]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-20000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 - "$n" "$T" <<'PY'
import random, sys
n, d = int(sys.argv[1]), sys.argv[2]
r = random.Random(11)
ops = ["Example Mobile"] + ["Operator %c" % c for c in "BCDEFGH"]
a = 77000000000
rows = []
for i in range(n):
    w = r.randrange(1000, 2000000)
    b = a + w
    if r.random() < 0.75:
        b = (b // 10000) * 10000 + 9999
    rows.append((a, b, r.choice(ops)))
    a = b + 1
with open(d + "/export.csv", "w") as f:
    f.write("\ufeffFrom;To;Operator\n")
    for a, b, o in rows:
        f.write('%d;%d;"%s"\n' % (a, b, o))
with open(d + "/overlaps.csv", "w") as f:
    for i, (a, b, o) in enumerate(rows):
        if i % 50 == 1:
            a -= 500
        f.write("%d,%d,%s\n" % (a, b, o))
PY
for f in export overlaps; do
	s=$(date +%s.%N)
	"$root/build/sipfilter" import-ranges --home "Example Mobile" "$T/$f.csv" \
		>"$T/$f.plan" 2>"$T/$f.err"
	e=$(date +%s.%N)
	printf '%-9s %s  (%.2f s)\n' "$f" "$(tail -1 "$T/$f.err")" "$(echo "$e - $s" | bc)"
	sed -e "s|tables/|$root/config/tables/|" \
		-e "s|^  numbering_plan: .*|  numbering_plan: $T/$f.plan|" \
		"$root/config/sipfilter.yaml" >"$T/$f.yaml"
	"$root/build/sipfilter" check -c "$T/$f.yaml" | grep 'numbering plan'
done
