#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# serve_dos.sh - denial of service against `sipfilter serve` (item 7 of the
# edge-security issue), real processes on loopback:
#  a. idle TCP connections from unknown sources (127.0.0.9-14) beyond the
#     global cap: each unknown source is held to serve.tcp.max_per_source,
#     the table fills, and still a trunk (127.0.0.2 = ipx-carrier-a) gets
#     its INVITEs over TCP answered (it takes an unknown source's slot), as
#     does a second trunk; unknown sources stay refused; all counted.
#     Then, with a short serve.tcp.unknown_idle_timeout_ms, a silent
#     unknown source is closed while a silent trunk and an unknown source
#     that sent a complete message are kept.
#  b. slow clients (a byte every 0.5 s) on the metrics port, more than it
#     serves at once, and on the control socket: `ctl roaming add`,
#     `ctl reload`, SIGHUP and a plain /metrics scrape each complete
#     within 1 s, the slow clients are cut off (counted), and SIGTERM
#     stops serve within 2 s (exit 0, STOPPING=1).
# Timing bounds are about liveness (before the fix these took 20 s or
# more), not performance.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

# dosprobe.py, bounded; started in the background as "${probe[@]}" ... &
# so that $! is the process to stop (a shell function would be a subshell
# that leaves its children behind when stopped).
probe=(timeout 60 python3 "$SIPP_DIR/dosprobe.py")
ms() { date +%s%3N; }

# wait_stat EXPR: waits (<= 10 s) until a Python expression over the
# `ctl stats` JSON (d) holds; returns 1 if it never does.
wait_stat() {
	local end=$(($(ms) + 10000))
	while [ "$(ms)" -lt "$end" ]; do
		[ "$(stat "$1")" = True ] && return 0
		sleep 0.05
	done
	return 1
}

# tcp_limits KEY=VALUE...: rewrites serve.tcp of the prepared fixture.
tcp_limits() {
	python3 - "$SF_TMP/serve.yaml" "$@" <<'PY'
import re, sys
path, kv = sys.argv[1], sys.argv[2:]
y = open(path).read()
head, tail = y.split('  tcp:\n', 1)
rest = re.sub(r'^(    .*\n)+', '', tail, count=1)
y = head + '  tcp:\n' + ''.join(
    '    %s: %s\n' % tuple(a.split('=', 1)) for a in kv) + rest
open(path, 'w').write(y)
PY
}

# --- a. unknown sources cannot lock trunks out of TCP ----------------------
holders=()
serve_prepare
tcp_limits max_connections=64 max_per_source=16 idle_timeout_ms=60000 \
	partial_timeout_ms=1000 unknown_idle_timeout_ms=60000
serve_launch || { not_ok "serve starts"; finish; exit 1; }
ok "serve starts (max_connections 64, max_per_source 16)"
uas_start uas serve_uas.xml "$SF_PORT_CORE"

"${probe[@]}" hold 127.0.0.9 127.0.0.1 "$SF_PORT_PROXY" 40 60 >"$SF_TMP/hold9.out" &
_pids+=($!)
holders+=($!)
wait_stat 'd["tcp"]["unknown_connections"]==16 and d["dropped"]["tcp_source_limit"]==24'
expect_json "one unknown source: 16 of 40 connections kept, 24 refused (tcp_source_limit)" \
	"$(ctl stats)" 'd["tcp"]["unknown_connections"]==16 and d["dropped"]["tcp_source_limit"]==24'

for i in 10 11 12 13; do
	"${probe[@]}" hold 127.0.0.$i 127.0.0.1 "$SF_PORT_PROXY" 16 60 >"$SF_TMP/hold$i.out" &
	_pids+=($!)
	holders+=($!)
done
wait_stat 'd["tcp"]["connections"]==64 and d["dropped"]["tcp_limit"]==16'
expect_json "five unknown sources: table full (64), 16 over the cap refused (tcp_limit)" \
	"$(ctl stats)" 'd["tcp"]["connections"]==64 and d["tcp"]["unknown_connections"]==64 and d["dropped"]["tcp_limit"]==16'

r=$("${probe[@]}" closed 127.0.0.14 127.0.0.1 "$SF_PORT_PROXY" 3)
expect_match "table full: a sixth unknown source is refused at once" "$r" '^closed 0\.'
expect_json "and counted (tcp_limit)" "$(ctl stats)" 'd["dropped"]["tcp_limit"]==17'

uac carrier_a_tcp 127.0.0.2 "$(sf_port 151)" serve_carrier_a.csv 8 -t t1
expect_eq "table full of unknown sources: trunk ipx-carrier-a's 8 TCP calls as expected" "$?" 0
s=$(ctl stats)
expect_json "the trunk took the slot of an unknown source (tcp_evicted 1)" "$s" \
	'd["dropped"]["tcp_evicted"]==1'
expect_json "trunk calls counted: 3 rejected, the rest forwarded" "$s" \
	'd["trunks"]["ipx-carrier-a"]=={"allow":3,"tag":1,"reject":3,"withhold":1}'

# sipp has closed its connection: refill the table, then a second trunk.
wait_stat 'd["tcp"]["connections"]==63'
"${probe[@]}" hold 127.0.0.14 127.0.0.1 "$SF_PORT_PROXY" 8 60 >"$SF_TMP/hold14.out" &
_pids+=($!)
holders+=($!)
wait_stat 'd["tcp"]["connections"]==64 and d["dropped"]["tcp_limit"]==24'
expect_json "refilled by unknown sources (1 in, 7 refused)" "$(ctl stats)" \
	'd["tcp"]["unknown_connections"]==64 and d["dropped"]["tcp_limit"]==24'
expect_eq "a second trunk (ipx-carrier-b) over TCP: OPTIONS answered" \
	"$("${probe[@]}" options 127.0.0.3 127.0.0.1 "$SF_PORT_PROXY")" "SIP/2.0 200 OK"
expect_json "it took an unknown source's slot too (tcp_evicted 2)" \
	"$(ctl stats)" 'd["dropped"]["tcp_evicted"]==2'
m=$(metrics)
expect_match "metrics: tcp_source_limit and tcp_evicted drops" "$m" \
	'sipfilter_dropped_total\{reason="tcp_source_limit"\} 24'
expect_match "metrics: unknown-source connections gauge" "$m" \
	'^sipfilter_tcp_unknown_connections [0-9]+$'
kill "$SERVE_PID"; wait "$SERVE_PID"
expect_eq "serve exits 0" "$?" 0
kill "${holders[@]}" 2>/dev/null
wait "${holders[@]}" 2>/dev/null

# --- a. unknown sources must send a message soon ---------------------------
serve_prepare
tcp_limits max_connections=64 max_per_source=16 idle_timeout_ms=60000 \
	partial_timeout_ms=1000 unknown_idle_timeout_ms=500
notify_listen || not_ok "notify listener"
export NOTIFY_SOCKET=$SF_TMP/notify.sock
serve_launch || { not_ok "serve restarts"; finish; exit 1; }
unset NOTIFY_SOCKET
"${probe[@]}" closed 127.0.0.9 127.0.0.1 "$SF_PORT_PROXY" 5 >"$SF_TMP/c_unknown" &
p1=$!
"${probe[@]}" closed 127.0.0.2 127.0.0.1 "$SF_PORT_PROXY" 2 >"$SF_TMP/c_trunk" &
p2=$!
"${probe[@]}" closed 127.0.0.10 127.0.0.1 "$SF_PORT_PROXY" 2 "$SIPP_DIR/options_proxy.sip" \
	>"$SF_TMP/c_proven" &
p3=$!
wait $p1 $p2 $p3
r=$(cat "$SF_TMP/c_unknown")
expect_match "silent unknown source closed after unknown_idle_timeout_ms (0.5 s)" \
	"$r" '^closed (0\.[4-9]|[12]\.)'
expect_eq "silent trunk source kept (idle_timeout_ms applies)" \
	"$(cat "$SF_TMP/c_trunk")" open
expect_eq "unknown source that sent a complete message kept" \
	"$(cat "$SF_TMP/c_proven")" open
expect_json "the silent one counted as a tcp_timeout" "$(ctl stats)" \
	'd["dropped"]["tcp_timeout"]>=1'

# --- b. slow clients cannot delay commands, reloads or SIGTERM -------------
# 40 slow metrics clients (it serves 32 at once) and 4 slow control clients.
"${probe[@]}" slow http "127.0.0.1:$SF_PORT_METRICS" 40 8 "$SF_TMP/slow_http.ready" \
	>"$SF_TMP/slow_http.json" &
ph=$!
_pids+=($ph)
"${probe[@]}" slow ctl "$CTL" 4 8 "$SF_TMP/slow_ctl.ready" >"$SF_TMP/slow_ctl.json" &
pc=$!
_pids+=($pc)
for _ in $(seq 200); do
	[ -e "$SF_TMP/slow_http.ready" ] && [ -e "$SF_TMP/slow_ctl.ready" ] && break
	sleep 0.05
done
[ -e "$SF_TMP/slow_http.ready" ] && [ -e "$SF_TMP/slow_ctl.ready" ] \
	&& ok "slow clients connected" || not_ok "slow clients connected"

# timed NAME CMD...: CMD must exit 0 within 1 s.
timed() {
	local name=$1 t0 rc dt; shift
	t0=$(ms)
	"$@" >"$SF_TMP/timed.out" 2>&1
	rc=$?
	dt=$(($(ms) - t0))
	if [ "$rc" -eq 0 ] && [ "$dt" -lt 1000 ]; then ok "$name (${dt} ms)"
	else not_ok "$name" "exit $rc after $dt ms" "$(head -c 300 "$SF_TMP/timed.out")"; fi
}
qctl() { "$SIPFILTER" ctl -s "$CTL" -T 5 "$@"; }
# scrape PATH TEXT: GET PATH answers 200 with TEXT in the body.
scrape() {
	python3 -c 'import sys, urllib.request; r = urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]), timeout=5); sys.exit(0 if r.status == 200 and sys.argv[3].encode() in r.read() else 1)' "$SF_PORT_METRICS" "$@"
}
for n in 1 2 3; do
	timed "ctl roaming add beside slow clients, $n of 3, within 1 s" \
		qctl roaming add 7701555000$n --visited TR
done
timed "ctl reload beside slow clients within 1 s" qctl reload
r0=$(stat 'd["reloads"]["ok"]')
t0=$(ms)
kill -HUP "$SERVE_PID"
for _ in $(seq 20); do
	[ "$(stat 'd["reloads"]["ok"]')" -gt "$r0" ] && break
	sleep 0.05
done
dt=$(($(ms) - t0))
[ "$(stat 'd["reloads"]["ok"]')" -gt "$r0" ] && [ "$dt" -lt 1000 ] \
	&& ok "SIGHUP reload beside slow clients within 1 s (${dt} ms)" \
	|| not_ok "SIGHUP reload beside slow clients within 1 s" "$dt ms"
timed "a prompt /metrics scrape beside 40 slow ones within 1 s" \
	scrape /metrics 'sipfilter_roaming_updates_total 3'
timed "/health beside slow clients within 1 s" scrape /health ok
wait_stat 'd["dropped"]["http_client"]>=1 and d["dropped"]["ctl_client"]>=1'
expect_json "slow clients cut off at their deadline, counted" "$(ctl stats)" \
	'd["dropped"]["http_client"]>=8 and d["dropped"]["ctl_client"]>=1'

t0=$(ms)
kill -TERM "$SERVE_PID"
for _ in $(seq 200); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.02; done
dt=$(($(ms) - t0))
wait "$SERVE_PID"
rc=$?
[ "$rc" -eq 0 ] && [ "$dt" -lt 2000 ] \
	&& ok "SIGTERM beside slow clients: exit 0 within 2 s (${dt} ms)" \
	|| not_ok "SIGTERM beside slow clients: exit 0 within 2 s" "exit $rc after $dt ms"
for _ in $(seq 40); do grep -q STOPPING=1 "$SF_TMP/notify.log" && break; sleep 0.05; done
expect_match "SIGTERM: STOPPING=1 sent" "$(cat "$SF_TMP/notify.log")" '^STOPPING=1'
wait "$ph" "$pc"
expect_json "no slow client was ever answered" \
	"$(cat "$SF_TMP/slow_http.json" "$SF_TMP/slow_ctl.json" | python3 -c 'import json,sys; print(json.dumps([json.loads(l) for l in sys.stdin]))')" \
	'len(d)==2 and all(x["answered"]==0 and x["opened"]>=4 for x in d)'

finish
