#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# perf/bench_roaming_journal.sh - live roaming updates applied per node
# through the local journal (tables.roaming_journal), with N live changes
# (default 10^6) already applied:
#  - replay: a journal of N entries written beforehand; `sipfilter serve`
#    replays it at start (its log line gives the replay's own time);
#  - live: M more (default 10^5) `roaming add` requests pipelined over one
#    control connection (a Python client: one thread writes, the main one
#    counts answers), each journalled (write(2)), applied and published
#    as its own snapshot before it is answered; the rate is M over the time
#    to the last answer, and M over serve's own CPU seconds (utime+stime
#    from /proc) for the same span, which the client sharing the 2 cores
#    does not count against;
#  - then M more again, MANY (default 50) per `roaming many` request (one
#    journal write, one batch, one snapshot per request).
# REPS runs (default 3), each on a fresh serve and journal; prints every
# run and the medians.  Bounded: 300 s per phase.  Everything started
# here is stopped by PID.  Figures only.
#   perf/bench_roaming_journal.sh [N [M]]     (REPS=5 MANY=50 ...)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000000}
m=${2:-100000}
reps=${REPS:-3}
base=${SF_PORT_BASE:-25600}
T=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"' EXIT
cp -r "$root/tests/fixtures/serve/." "$T/"
sed -i -e "s|@DIR@|$T|" -e "s|@PROXY_PORT@|$((base + 60))|g" \
	-e "s|@CORE_PORT@|$((base + 70))|g" -e "s|@CORE2_PORT@|$((base + 72))|g" \
	-e "s|@METRICS_PORT@|$((base + 464))|g" \
	-e "s|^  roaming: tables/roaming.csv|&\n  roaming_journal: roaming.journal|" \
	"$T/serve.yaml"
python3 - "$T/journal.init" "$n" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.writelines("%d add +%d FR\n" % (i + 1, 78000000000 + i * 7)
                 for i in range(int(sys.argv[2])))
PY
. "$root/perf/bench_live_lib.sh"
# live_phase M K PREFIX: M `roaming add` pipelined over one connection, K
# per request (K > 1: `roaming many`); prints "answers ok seconds"
live_phase() {
	timeout 300 python3 - "$T/ctl.sock" "$1" "$2" "$3" <<'PY'
import socket, sys, threading, time
path, m, k, pre = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
nums = [pre * 10**8 + i * 7 for i in range(m)]
if k == 1:
    lines = b"".join(b"roaming add %d visited=FR\n" % x for x in nums)
else:
    lines = b"".join(b"roaming many " + b" ".join(b"add=%d/FR" % x for x in nums[i:i + k])
                     + b"\n" for i in range(0, m, k))
want = lines.count(b"\n")
s = socket.socket(socket.AF_UNIX)
s.connect(path)
t0 = time.monotonic()
threading.Thread(target=lambda: (s.sendall(lines), s.shutdown(socket.SHUT_WR)),
                 daemon=True).start()
got = ok = 0
buf = b""
while got < want:
    c = s.recv(1 << 20)
    if not c:
        break
    buf += c
    j = buf.rfind(b"\n")
    if j < 0:
        continue
    done, buf = buf[:j + 1], buf[j + 1:]
    got += done.count(b"\n")
    ok += done.count(b'"ok":true')
print("%d %d %.3f" % (got, ok, time.monotonic() - t0))
PY
}
k=${MANY:-50}
replay=() live=() livecpu=() many=() manycpu=()
for r in $(seq "$reps"); do
	cp "$T/journal.init" "$T/roaming.journal"
	serve_up
	s=$(sed -nE 's/.*roaming_journal: ([0-9]+) changes replayed .* in ([0-9.]+) s.*/\1 \2/p' "$T/serve.err")
	rr=$(awk -v s="$s" 'BEGIN{split(s,a," "); printf "%d", a[1]/a[2]}')
	c0=$(cpu "$pid")
	out=$(live_phase "$m" 1 790)
	c1=$(cpu "$pid")
	read -r got okc el <<<"$out"
	lr=$(awk -v m="$m" -v e="$el" 'BEGIN{printf "%d", m/e}')
	lc=$(per_cpu "$m" "$((c1 - c0))")
	c0=$(cpu "$pid")
	read -r mgot mok mel <<<"$(live_phase "$m" "$k" 791)"
	c1=$(cpu "$pid")
	mr=$(awk -v m="$m" -v e="$mel" 'BEGIN{printf "%d", m/e}')
	mc=$(per_cpu "$m" "$((c1 - c0))")
	rows=$("$root/build/sipfilter" ctl -s "$T/ctl.sock" stats | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["tables"]["roaming_rows"], d["roaming_journal"]["seq"])')
	echo "run $r: replay $n entries at start: $rr applied/s; live one per request: $okc/$m ok in ${el} s: $lr applied/s, $lc per CPU second of serve; live $k per request (roaming many): $mok/$mgot requests ok in ${mel} s: $mr applied/s, $mc per CPU second (roaming rows, journal seq: $rows)"
	replay+=("$rr") live+=("$lr") livecpu+=("$lc") many+=("$mr") manycpu+=("$mc")
	kill "$pid"; wait "$pid" 2>/dev/null
done
echo "median of $reps: replay $(med "${replay[@]}") applied/s; live via ctl (pipelined, journalled, one snapshot each) $(med "${live[@]}") applied/s, $(med "${livecpu[@]}") per CPU second of serve; $k per request (roaming many) $(med "${many[@]}") applied/s, $(med "${manycpu[@]}") per CPU second"
