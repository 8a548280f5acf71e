#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# serve_redis.sh - the live roaming feed through Redis (tables.roaming_live)
# with a real redis-server (started here on a Unix socket of the run,
# stopped by PID) and two `sipfilter serve` nodes following one stream:
#  - an entry already in the stream is applied at start on both nodes;
#  - `ctl roaming add` on node A publishes to the stream; node B sees it
#    (the time is printed; under 1 s asserted on this shared machine),
#    and a sipp call through A with that number is allowed;
#  - a reload from a roaming file written at a stream position ("#
#    stream-id:") applies only the entries after it: one from before is
#    not applied again, one after it is;
#  - node B killed and restarted loses nothing;
#  - Redis killed under sipp load: no call fails, both nodes keep their
#    state, stats and /metrics say disconnected, ctl roaming add fails
#    with the reason; Redis back: the nodes reconnect and catch up.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

. tests/sipp/redis_env.sh
KEY=sf:roaming
# roaming NODE_CTL NUMBER: "True"/"False" as node sees it
roaming() {
	"$SIPFILTER" ctl -s "$1" -T 10 lookup "$2" --trunk ipx-carrier-a |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["roaming"])'
}

redis_start || { not_ok "redis-server starts"; finish; exit 1; }
e0=$(rc_ XADD "$KEY" '*' op add number 77015558001 visited FR)
serve_prepare || { not_ok "serve fixture"; finish; exit 1; }
python3 - "$SF_TMP/serve.yaml" "$RSOCK" "$KEY" <<'PY'
import sys
p, sock, key = sys.argv[1:4]
s = open(p).read()
s = s.replace("  roaming: tables/roaming.csv\n",
              "  roaming: tables/roaming.csv\n"
              "  roaming_live: {redis: \"unix:%s\", stream: \"%s\"}\n" % (sock, key), 1)
open(p, "w").write(s)
PY
# node B: the same config, its own listeners, control socket, metrics
sed -e "s|:$SF_PORT_PROXY\"|:$(sf_port 180)\"|g" -e "s|ctl.sock|ctlb.sock|" \
	-e "s|metrics: .*|metrics: 127.0.0.1:$(sf_port 465)|" \
	"$SF_TMP/serve.yaml" >"$SF_TMP/serve_b.yaml"
serve_launch || { not_ok "node A starts"; finish; exit 1; }
A=$CTL
start_b() {
	"$SIPFILTER" serve -c "$SF_TMP/serve_b.yaml" 2>>"$SF_TMP/serve_b.err" &
	B_PID=$!
	_pids+=("$B_PID")
	for _ in $(seq 200); do
		"$SIPFILTER" ctl -s "$SF_TMP/ctlb.sock" -T 2 ping >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}
start_b || { not_ok "node B starts"; finish; exit 1; }
B=$SF_TMP/ctlb.sock
uas_start uas serve_uas.xml "$SF_PORT_CORE"

ms=$(wait_roaming "$A" 77015558001 True); expect_eq "entry in the stream before start: applied on A" "$?" 0
ms=$(wait_roaming "$B" 77015558001 True); expect_eq "  ... and on B" "$?" 0

# published through A's control socket, then B polled at once (one
# python process: the time is from A's answer to B's change)
r=$(python3 "$SIPP_DIR/sfctl.py" publish "$A" "$B" 77015558002 TR)
expect_json "ctl roaming add on A goes to the stream" "$r" \
	"d['ok'] and d['via']=='redis' and '-' in d['stream_id']"
e1=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["stream_id"])' <<<"$r")
expect_json "published on A, seen on B" "$r" "'seen_on_b_ms' in d"
echo "     (B saw A's change $(python3 -c 'import json,sys; print(json.load(sys.stdin).get("seen_on_b_ms"))' <<<"$r") ms after A answered)"
# pushed, not polled: well inside one XREAD BLOCK period (500 ms); a
# figure above, not a speed test (it is ~0.1-0.4 ms on a quiet machine)
expect_json "  ... within 400 ms" "$r" "d.get('seen_on_b_ms', 1e9) < 400"
ms=$(wait_roaming "$A" 77015558002 True); expect_eq "  ... and on A itself" "$?" 0
uac live 127.0.0.2 $(sf_port 171) serve_redis.csv 2
expect_eq "sipp through A: roaming via the stream allowed, not roaming rejected" "$?" 0
expect_json "stats: connected, entries applied" "$("$SIPFILTER" ctl -s "$A" stats)" \
	"d['roaming_live']['connected'] and d['roaming_live']['applied']>=2"

# a roaming file written at e1 that no longer lists 77015558001 (its
# writer saw it end): e0 must not come back; e2 (after e1) must apply
rc_ XADD "$KEY" '*' op del number 77015558002 >/dev/null
{ echo "# stream-id: $e1"; grep -v '^#' tests/fixtures/serve/tables/roaming.csv
  echo "77015558002,TR"; } >"$SF_TMP/tables/roaming.csv"
r=$("$SIPFILTER" ctl -s "$A" reload)
expect_json "reload from a file written at stream id $e1" "$r" "d['ok']"
ms=$(wait_roaming "$A" 77015558002 False); expect_eq "  ... the entry after it applied (del 77015558002)" "$?" 0
expect_eq "  ... the entry before it not applied again (77015558001)" "$(roaming "$A" 77015558001)" False
rc_ XADD "$KEY" '*' op add number 77015558004 >/dev/null
ms=$(wait_roaming "$A" 77015558004 True); expect_eq "  ... and new entries keep coming" "$?" 0

kill "$B_PID"; wait "$B_PID" 2>/dev/null
start_b || not_ok "node B restarts"
ms=$(wait_roaming "$B" 77015558004 True); expect_eq "B restarted: caught up (77015558004)" "$?" 0
expect_eq "  ... 77015558002 deleted" "$(roaming "$B" 77015558002)" False
expect_eq "  ... 77015558001 as its file says (written at e1, without it)" \
	"$(roaming "$B" 77015558001)" False

# Redis away under load
timeout 120 sipp -sf "$SIPP_DIR/serve_uac.xml" -inf "$SIPP_DIR/serve_carrier_a.csv" \
	-i 127.0.0.2 -p $(sf_port 172) "127.0.0.1:$SF_PORT_PROXY" -m 400 -r 100 -l 100 -nostdin \
	-timeout 60 -trace_err -error_file "$SF_TMP/load.err" >"$SF_TMP/load.out" 2>&1 &
LOAD=$!
_pids+=("$LOAD")
sleep 0.5
kill "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null
for _ in $(seq 100); do
	"$SIPFILTER" ctl -s "$A" stats | grep -q '"connected":false' && break
	sleep 0.05
done
expect_json "Redis down: stats say disconnected, errors counted" "$("$SIPFILTER" ctl -s "$A" stats)" \
	"not d['roaming_live']['connected'] and d['roaming_live']['errors']>=1"
expect_match "  ... /metrics too" "$(metrics)" '^sipfilter_roaming_live_connected 0'
expect_eq "  ... A keeps its state (77015558004 roaming)" "$(roaming "$A" 77015558004)" True
r=$("$SIPFILTER" ctl -s "$A" roaming add 77015558005); rc=$?
expect_eq "  ... ctl roaming add fails (exit 1)" "$rc" 1
expect_json "  ... saying why" "$r" "not d['ok'] and 'unreachable' in d['error']"
expect_match "  ... logged once" "$(grep -c 'cannot reach Redis' "$SF_TMP/serve.err")" '^1$'
sleep 2
redis_start || not_ok "redis-server restarts"
rc_ XADD "$KEY" '*' op add number 77015558006 >/dev/null
ms=$(wait_roaming "$A" 77015558006 True); expect_eq "Redis back: A reconnects and applies new entries" "$?" 0
ms=$(wait_roaming "$B" 77015558006 True); expect_eq "  ... B too" "$?" 0
expect_json "  ... reconnect counted" "$("$SIPFILTER" ctl -s "$A" stats)" \
	"d['roaming_live']['connected'] and d['roaming_live']['reconnects']>=1"
wait "$LOAD"; rc=$?
expect_eq "400 calls with Redis killed for ~3 s: 0 failed (sipp exit)" "$rc" 0

# tables.roaming_live changed in the config: the feed is set up at start,
# so a reload keeps the running one and says so
sed -i "s|stream: \"$KEY\"|stream: \"sf:other\"|" "$SF_TMP/serve.yaml"
r=$("$SIPFILTER" ctl -s "$A" reload)
expect_json "roaming_live.stream changed on reload: the rest applies, 'restart to apply'" "$r" \
	"d['ok'] and any('tables.roaming_live.stream changed: restart to apply' in x for x in d['warnings'])"
expect_match "  ... logged as a warning" "$(cat "$SF_TMP/serve.err")" 'reload: tables.roaming_live.stream changed: restart to apply'
rc_ XADD "$KEY" '*' op add number 77015558007 >/dev/null
ms=$(wait_roaming "$A" 77015558007 True); expect_eq "  ... the running stream still followed" "$?" 0
r=$("$SIPFILTER" ctl -s "$A" roaming add 77015558008)
expect_json "  ... and ctl roaming add still publishes to it" "$r" "d['ok']"
expect_eq "  ... (nothing in the new key)" "$(rc_ XLEN sf:other)" 0
finish
