#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# perf/bench_roaming_ctl.sh - `ctl roaming add` end to end on a running
# `sipfilter serve` (the fixture config of tests/fixtures/serve): chunks of
# 10 000 adds of distinct numbers through one `ctl --batch` each, timed,
# until N live changes (default 100 000); prints updates/s per chunk, so
# a cost that grows with the live changes shows as a falling rate.  Bounded
# (N, and 120 s per chunk); serve is started here and stopped by PID.
# Run it in a network namespace of its own or with SF_PORT_BASE free
# (default 25500; perf/ owns 25000-25999).  Figures only.
#   perf/bench_roaming_ctl.sh [N]
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-100000}
BIN=${SF_BIN:-$root/build/sipfilter}   # the binary measured
base=${SF_PORT_BASE:-25500}
T=$(mktemp -d)
SERVE=
trap '[ -n "$SERVE" ] && kill "$SERVE" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
cp -r "$root/tests/fixtures/serve/." "$T/"
sed -i -e "s|@DIR@|$T|" -e "s|@PROXY_PORT@|$((base + 60))|g" \
	-e "s|@CORE_PORT@|$((base + 70))|g" -e "s|@CORE2_PORT@|$((base + 72))|g" \
	-e "s|@METRICS_PORT@|$((base + 464))|g" "$T/serve.yaml"
"$BIN" serve -c "$T/serve.yaml" 2>"$T/serve.err" &
SERVE=$!
for _ in $(seq 200); do
	"$BIN" ctl -s "$T/ctl.sock" -T 2 ping >/dev/null 2>&1 && break
	sleep 0.05
done
printf '%12s %12s\n' "live changes" "updates/s"
done_n=0
while [ "$done_n" -lt "$n" ]; do
	python3 -c 'import sys
a = int(sys.argv[1])
for i in range(a, a + 10000):
    print("roaming add %d" % (78000000000 + i * 7))' "$done_n" >"$T/chunk"
	s=$(date +%s.%N)
	timeout 120 "$BIN" ctl -s "$T/ctl.sock" --batch \
		<"$T/chunk" >/dev/null 2>"$T/batch.err" || { tail -2 "$T/batch.err"; break; }
	e=$(date +%s.%N)
	printf '%12d %12.0f\n' "$done_n" "$(echo "10000 / ($e - $s)" | bc -l)"
	done_n=$((done_n + 10000))
done
