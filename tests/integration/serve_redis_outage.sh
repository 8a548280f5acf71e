#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# serve_redis_outage.sh - 10-second Redis outages under sipp load, with a
# real redis-server (append-only file on, so a restart keeps the stream)
# reached through a TCP relay (tests/sipp/unix_relay.py) standing in for
# the network between the node and Redis:
#  A. redis-server stopped by PID for 10 s: the node keeps answering every
#     call with its last state; /health answers 200 "degraded" with the
#     reason and since when, /metrics and ctl stats say so, ctl roaming
#     add fails saying why; Redis back: /health "ok", new entries apply,
#     the old ones (read again from the restarted Redis) are not applied
#     twice (the applied counter moves by exactly the new ones);
#  B. the node cut off from Redis for 10 s (the relay killed by PID) while
#     a producer keeps writing to Redis by another path: the node catches
#     up on exactly those entries when the path returns;
#  and sipp, 50 calls/s across both outages, fails no call.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

. tests/sipp/redis_env.sh
RPORT=$(sf_port 466)
KEY=sf:roaming
# the stream survives a restart: append-only file, synced per write
redis_aof() { redis_start --appendonly yes --appendfsync always; }
relay_start() {
	python3 "$SIPP_DIR/unix_relay.py" "$RPORT" "$RSOCK" 120 &
	RELAY_PID=$!
	_pids+=("$RELAY_PID")
	for _ in $(seq 100); do
		redis-cli -p "$RPORT" ping 2>/dev/null | grep -q PONG && return 0
		sleep 0.05
	done
	return 1
}
roaming() {
	ctl lookup "$1" --trunk ipx-carrier-a |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["roaming"])'
}
applied() { stat "d['roaming_live']['applied']"; }
# health -> "CODE BODY" (body lines joined by " | ")
health() {
	python3 - "$SF_PORT_METRICS" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen("http://127.0.0.1:%s/health" % sys.argv[1], timeout=5)
    code, body = r.status, r.read().decode()
except urllib.error.HTTPError as e:
    code, body = e.code, e.read().decode()
print(code, " | ".join(body.strip().split("\n")))
PY
}
wait_connected() { # WANT (True/False), <= 10 s
	for _ in $(seq 200); do
		[ "$(stat "d['roaming_live']['connected']")" = "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

redis_aof || { not_ok "redis-server starts"; finish; exit 1; }
relay_start || { not_ok "relay starts"; finish; exit 1; }
rc_ XADD "$KEY" '*' op add number 77015559000 >/dev/null
serve_prepare || { not_ok "serve fixture"; finish; exit 1; }
sed -i "s|^  roaming: tables/roaming.csv\$|&\n  roaming_live: {redis: \"127.0.0.1:$RPORT\", stream: \"$KEY\"}|" "$SF_TMP/serve.yaml"
serve_launch || { not_ok "node starts"; finish; exit 1; }
uas_start uas serve_uas.xml "$SF_PORT_CORE"
ms=$(wait_roaming "$CTL" 77015559000 True); expect_eq "the stream's entry applied at start" "$?" 0
expect_eq "/health ok while connected" "$(health)" "200 ok"

timeout 120 sipp -sf "$SIPP_DIR/serve_uac.xml" -inf "$SIPP_DIR/serve_carrier_a.csv" \
	-i 127.0.0.2 -p $(sf_port 173) "127.0.0.1:$SF_PORT_PROXY" -m 1500 -r 50 -l 100 -nostdin \
	-timeout 60 -trace_err -error_file "$SF_TMP/load.err" -trace_stat \
	-stf "$SF_TMP/load.stat" >"$SF_TMP/load.out" 2>&1 &
LOAD=$!
_pids+=("$LOAD")
sleep 1

# --- A: redis-server stopped ------------------------------------------
a0=$(applied)
kill "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null
t_down=$(date +%s)
wait_connected False; expect_eq "A. redis-server stopped: the node sees it" "$?" 0
h=$(health)
echo "     (/health: $h)"
expect_match "  ... /health 200 degraded, with the reason and since when" "$h" \
	"^200 degraded \| roaming_live: Redis 127.0.0.1:$RPORT since 20[0-9-]+T[0-9:]+Z \([0-9]+ s\): .+; serving the last state\$"
m=$(metrics)
expect_match "  ... /metrics: disconnected" "$m" '^sipfilter_roaming_live_connected 0$'
expect_match "  ... /metrics: down since (Unix time)" "$m" '^sipfilter_roaming_live_down_since_seconds 1[0-9]{9}$'
expect_json "  ... ctl stats: down_since and down_reason" "$(ctl stats)" \
	"abs(d['roaming_live']['down_since'] - $t_down) <= 2 and d['roaming_live']['down_reason']"
r=$(ctl roaming add 77015559009)
expect_json "  ... ctl roaming add fails, saying why" "$r" "not d['ok'] and 'unreachable' in d['error']"
expect_eq "  ... the last state still served (77015559000)" "$(roaming 77015559000)" True
sleep $((10 - ($(date +%s) - t_down)))
redis_aof || not_ok "redis-server restarts"
echo "     (Redis was away $(( $(date +%s) - t_down )) s)"
rc_ XADD "$KEY" '*' op add number 77015559001 >/dev/null
ms=$(wait_roaming "$CTL" 77015559001 True); expect_eq "  ... back: a new entry applies" "$?" 0
wait_connected True
expect_eq "  ... exactly one entry applied since (none twice)" "$(( $(applied) - a0 ))" 1
expect_eq "  ... /health ok again" "$(health)" "200 ok"

# --- B: the node cut off, Redis up ------------------------------------
b0=$(applied)
kill "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null
t_down=$(date +%s)
wait_connected False; expect_eq "B. the node cut off from Redis: it sees it" "$?" 0
# another path: straight to Redis while the node cannot read
rc_ XADD "$KEY" '*' op add number 77015559002 >/dev/null
rc_ XADD "$KEY" '*' op del number 77015559001 >/dev/null
rc_ XADD "$KEY" '*' op add number 77015559003 visited TR >/dev/null
expect_eq "  ... meanwhile its last state (77015559001 roaming)" "$(roaming 77015559001)" True
expect_match "  ... /health degraded (200)" "$(health)" '^200 degraded \| roaming_live: '
sleep $((10 - ($(date +%s) - t_down)))
relay_start || not_ok "relay restarts"
echo "     (the node was cut off $(( $(date +%s) - t_down )) s)"
ms=$(wait_roaming "$CTL" 77015559003 True); expect_eq "  ... path back: caught up (77015559003)" "$?" 0
expect_eq "  ... 77015559001 deleted" "$(roaming 77015559001)" False
expect_eq "  ... 77015559002 added" "$(roaming 77015559002)" True
expect_eq "  ... exactly the 3 entries written meanwhile applied" "$(( $(applied) - b0 ))" 3

wait "$LOAD"; rc=$?
expect_eq "1500 calls at 50/s across both outages: sipp exit 0" "$rc" 0
fails=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="FailedCall(C)") c=i} NR>1 && c{v=$c} END{print v+0}' "$SF_TMP/load.stat")
expect_eq "  ... 0 failed calls (sipp statistics)" "$fails" 0
finish
