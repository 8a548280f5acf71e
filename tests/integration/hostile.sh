#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# hostile.sh - legitimate sipp calls through `serve` beside hostile
# traffic (tests/sipp/hostile.py): SIPVicious-style scanners
# (friendly-scanner OPTIONS/INVITE/REGISTER from unknown sources), a
# malformed flood (torture corpus, random bytes, broken INVITEs from a
# known trunk) and TCP slow senders holding every connection slot,
# dribbling a byte a second.  Two phases of HOSTILE_SECONDS (default 20)
# each with the same legitimate load (UDP HOSTILE_RATE calls/s, default
# 300, and 50 calls/s over one TCP connection): without, then with the
# hostile traffic.  Pass: zero failed legitimate calls in both phases,
# goodput with the hostile traffic >= 90% of without, the hostile traffic
# counted (scanner 403s or drops, parse errors, 400s to the known trunk,
# slow connections timed out), serve alive.  Prints the goodput figures.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

SF_SHARED=${SF_SHARED:-$(cd .. && pwd)/shared}
secs=${HOSTILE_SECONDS:-20}
rate=${HOSTILE_RATE:-300}
trate=50
if [ ! -d "$SF_SHARED/corpus/torture" ]; then
	not_ok "torture corpus present" "no $SF_SHARED/corpus/torture"
	finish; exit 1
fi

serve_start || { not_ok "serve starts"; finish; exit 1; }
uas_start uas serve_uas.xml "$SF_PORT_CORE"

ms() { date +%s%3N; }
calls_of() { # out-file label -> count
	sed -nE "s/^ *$2 *\\| *[0-9]+ *\\| *([0-9]+).*/\\1/p" "$1" | tail -1
}

# phase NAME PORTBASE HOSTILE(0/1): legit UDP + TCP load, optional hostile.
phase() {
	local name=$1 pb=$2 hostile=$3 t0 t1 hp=
	t0=$(ms)
	timeout $((secs + 90)) sipp -sf "$SIPP_DIR/serve_uac.xml" \
		-inf "$SIPP_DIR/serve_carrier_a.csv" -i 127.0.0.2 -p "$pb" \
		"127.0.0.1:$SF_PORT_PROXY" -t t1 -m $((trate * secs)) -r "$trate" -l 200 \
		-nostdin -timeout $((secs + 60)) >"$SF_TMP/$name.tcp.out" 2>&1 &
	local tcp=$!
	_pids+=("$tcp")
	for _ in $(seq 100); do  # the TCP connection first, then the slow ones
		[ "$(stat 'd["tcp"]["connections"]')" -ge 1 ] && break
		sleep 0.05
	done
	if [ "$hostile" = 1 ]; then
		timeout $((secs + 30)) python3 "$SIPP_DIR/hostile.py" 127.0.0.1 "$SF_PORT_PROXY" \
			"$secs" "$SF_SHARED/corpus/torture" 1000 8 \
			>"$SF_TMP/hostile.json" 2>"$SF_TMP/hostile.err" &
		hp=$!
		_pids+=("$hp")
	fi
	timeout $((secs + 90)) sipp -sf "$SIPP_DIR/serve_uac.xml" \
		-inf "$SIPP_DIR/serve_carrier_a.csv" -i 127.0.0.2 -p $((pb + 1)) \
		"127.0.0.1:$SF_PORT_PROXY" -m $((rate * secs)) -r "$rate" -l $((rate * 4)) \
		-nostdin -timeout $((secs + 60)) >"$SF_TMP/$name.udp.out" 2>&1
	udp_rc=$?
	t1=$(ms)
	wait "$tcp"; tcp_rc=$?
	[ -n "$hp" ] && wait "$hp"
	udp_ok=$(calls_of "$SF_TMP/$name.udp.out" 'Successful call')
	udp_fail=$(calls_of "$SF_TMP/$name.udp.out" 'Failed call')
	tcp_ok=$(calls_of "$SF_TMP/$name.tcp.out" 'Successful call')
	tcp_fail=$(calls_of "$SF_TMP/$name.tcp.out" 'Failed call')
	goodput=$(python3 -c "print('%.1f' % (${udp_ok:-0} * 1000.0 / ($t1 - $t0)))")
	echo "  $name: udp ${udp_ok:-?} ok / ${udp_fail:-?} failed in $((t1 - t0)) ms" \
		"= $goodput calls/s; tcp ${tcp_ok:-?} ok / ${tcp_fail:-?} failed"
}

echo "legitimate load: $rate calls/s UDP + $trate calls/s TCP for $secs s per phase"
phase base "$(sf_port 141)" 0
base_gp=$goodput
expect_eq "without hostile traffic: UDP calls all as expected" "$udp_rc" 0
expect_eq "without hostile traffic: TCP calls all as expected" "$tcp_rc" 0
s0=$(ctl stats)

phase hostile "$(sf_port 143)" 1
host_gp=$goodput
expect_eq "with hostile traffic: UDP calls all as expected (0 failed)" "$udp_rc" 0
expect_eq "with hostile traffic: TCP calls all as expected (0 failed)" "$tcp_rc" 0
h=$(cat "$SF_TMP/hostile.json")
echo "  hostile traffic sent: $h"
s=$(ctl stats)
python3 - "$s0" "$s" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
d = lambda *k: (lambda x, y: y - x)(*[
    (lambda o: [o := o[i] for i in k][-1])(z) for z in (a, b)])
print("  proxy counters during the hostile phase: parse errors %d, "
      "unknown-source 403 %d, amplification drops %d, unroutable drops %d, "
      "400 sent %d, tcp limit %d, tcp timeouts %d" % (
          sum(b["parse_errors"].values()) - sum(a["parse_errors"].values()),
          d("sent", "403"), d("dropped", "amplification"),
          d("dropped", "unroutable"), d("sent", "400"),
          d("dropped", "tcp_limit"), d("dropped", "tcp_timeout")))
PY
echo "goodput: $base_gp calls/s without, $host_gp calls/s with hostile traffic"
expect_json "hostile traffic was sent (scanner, malformed, slow senders)" "$h" \
	'd["scanner"]>1000 and d["malformed"]>1000 and d["slow_opened"]>=8'
expect_json "slow senders cut off by the partial-message deadline" "$h" \
	'd["slow_closed_by_proxy"]>=8'
expect_json "broken INVITEs from the known trunk answered 400" "$h" \
	'd["malformed_400"]>=100'
expect_json "scanner and malformed traffic counted" "$s" \
	'sum(d["parse_errors"].values())>1000 and d["sent"]["403"]+d["dropped"]["amplification"]+d["dropped"]["unroutable"]>1000 and d["dropped"]["tcp_timeout"]>=8'
if python3 -c "import sys; sys.exit(0 if $host_gp >= 0.9 * $base_gp else 1)"; then
	ok "goodput with hostile traffic >= 90% of without ($host_gp vs $base_gp calls/s)"
else
	not_ok "goodput with hostile traffic >= 90% of without" "$host_gp vs $base_gp calls/s"
fi
kill -0 "$SERVE_PID" 2>/dev/null && ok "serve still running" || not_ok "serve still running"
kill "$SERVE_PID"; wait "$SERVE_PID"
expect_eq "serve exits 0" "$?" 0
finish
