#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tls_hop.sh - next hops over TCP and TLS (persistent connections), real
# sockets on loopback.  Calls come in over UDP (tests/sipp/tls_sip.py
# ucall) from three trunks whose next hops are: a TCP core
# (ipx-carrier-a), a TLS core checked against the test CA and the name
# sipfilter.test (ipx-carrier-b), and the same TLS core expected under
# another name (roaming-hub: verification must fail).  The cores are
# tls_sip.py score (Python sockets / ssl), which answer 200 and count the
# connections they accepted.
#  - many calls, one connection per hop (reused), our Via says TCP / TLS;
#  - a hop whose certificate does not carry the expected name: never
#    sent (not even in the clear), counted tls_failed and next_hop_down;
#  - the TCP core restarts: the next call goes through on a new
#    connection (re-established); a message caught on the dead connection
#    (serve stopped while the INVITE and then the core's FIN arrive) is
#    sent once more on a new one (sipfilter_next_hop_retries_total);
#  - a black-holed TLS hop (never answers the handshake): calls to the
#    other hops, on the same UDP worker and over TCP, keep flowing while
#    a call waits for it; that call is dropped at the 3 s deadline;
#  - the TCP core gone: the call fails cleanly and is counted, the hop is
#    not retried for a second (the next call fails at once);
#  - a reload that changes a hop's next_hop_tls: the connection verified
#    before is not used again, the next one is checked by the new rules;
#  - resumption: to a core that closes each connection after a call, the
#    connections after the first resume its session.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
. tests/sipp/serve_env.sh
. tests/sipp/tls_pki.sh

TLS_CORE=$(sf_port 73)
PY="python3 tests/sipp/tls_sip.py"
PKI=$SF_TMP/pki
tls_pki "$PKI" || { not_ok "test PKI"; finish; exit 1; }

serve_prepare || { not_ok "fixture"; finish; exit 1; }
python3 - "$SF_TMP/serve.yaml" "$PKI" "$TLS_CORE" "$SF_PORT_CORE" <<'PY'
import sys
path, pki, tls_core, core = sys.argv[1:]
s = open(path).read()
def hop(trunk, value, extra=""):
    global s
    i = s.index("name: " + trunk)
    j = s.index("next_hop:", i)
    k = s.index("\n", j)
    s = s[:j] + "next_hop: " + value + extra + s[k:]
hop("ipx-carrier-a", f'"tcp:127.0.0.1:{core}"')
tls = lambda name: (f'\n    next_hop_tls: {{ca: {pki}/server-ca.pem, name: {name}}}')
hop("ipx-carrier-b", f'"tls:127.0.0.1:{tls_core}"', tls("sipfilter.test"))
hop("roaming-hub", f'"tls:127.0.0.1:{tls_core}"', tls("wrong.example"))
# a TLS next hop that accepts TCP and never answers the handshake
hop("kz-interconnect", f'"tls:127.0.0.1:{int(tls_core) + 1}"',
    tls("sipfilter.test"))
# connections to next hops stay up between the steps, however slow the
# machine (the fixture closes idle ones after 3 s)
s = s.replace("idle_timeout_ms: 3000", "idle_timeout_ms: 60000")
# one UDP worker: a call waiting for a hop would stall the others on it
s = s.replace("workers: 2", "workers: 1")
open(path, "w").write(s)
PY
serve_launch || { not_ok "serve starts with tcp: and tls: next hops"; finish; exit 1; }
ok "serve starts with tcp: and tls: next hops"

score() { # NAME PORT [tls args]
	local name=$1 port=$2; shift 2
	$PY score --port "$port" --seconds 60 --stats "$SF_TMP/$name.json" "$@" &
	_pids+=($!); eval "${name}_PID=$!"
	for _ in $(seq 50); do [ -s "$SF_TMP/$name.json" ] && return 0; sleep 0.05; done
}
cstat() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$SF_TMP/$1.json" "$2"; }
ucall() { $PY ucall --port "$SF_PORT_PROXY" --from 4915112345678 --called 77012220001 "$@"; }

score tcpcore "$SF_PORT_CORE"
score tlscore "$TLS_CORE" --cert "$PKI/server.pem" --key "$PKI/server.key"

r=$(ucall --src 127.0.0.2 --calls 5)
expect_json "5 calls to a tcp: next hop: answered 200" "$r" 'd["codes"] == [200]*5'
expect_eq "over one reused connection" "$(cstat tcpcore 'd["conns"]')" 1
expect_match "our Via says TCP" "$(cstat tcpcore 'd["via"]')" '^Via: SIP/2.0/TCP '
r=$(ucall --src 127.0.0.3 --calls 5)
expect_json "5 calls to a tls: next hop (CA + name checked): 200" "$r" 'd["codes"] == [200]*5'
expect_eq "over one reused TLS connection" "$(cstat tlscore 'd["conns"]')" 1
expect_match "our Via says TLS" "$(cstat tlscore 'd["via"]')" '^Via: SIP/2.0/TLS '

inv0=$(cstat tlscore 'd["invites"]')
r=$(ucall --src 127.0.0.4 --calls 1 --seconds 4)
expect_json "a tls: next hop with the wrong name: nothing forwarded" "$r" 'd["codes"] == [None]'
expect_eq "the TLS core never saw that INVITE" "$(cstat tlscore 'd["invites"]')" "$inv0"
expect_json "counted: tls_failed and next_hop_down" "$(stat 'json.dumps([d["next_hop"], d["dropped"]["next_hop_down"]])')" \
	'd[0]["tls_failed"] == 1 and d[1] == 1'

# The TCP core restarts.
kill "$tcpcore_PID"; wait "$tcpcore_PID" 2>/dev/null
rm -f "$SF_TMP/tcpcore.json"
score tcpcore "$SF_PORT_CORE"
r=$(ucall --src 127.0.0.2 --calls 3)
expect_json "after the next hop restarts: calls go through again" "$r" 'd["codes"] == [200]*3'
expect_eq "on one new connection" "$(cstat tcpcore 'd["conns"]')" 1
expect_json "re-established, nothing lost" "$(stat 'json.dumps([d["next_hop"], d["dropped"]["next_hop_down"]])')" \
	'd[0]["connected"] == 3 and d[1] == 1'

# A black-holed next hop stalls no one (kz-interconnect's: a socket that
# listens and never accepts, so our TLS handshake waits until its 3 s
# deadline): while one call waits for it, calls to the other hops, over
# UDP on the same worker and over TCP (the TCP thread), keep flowing.
python3 -c 'import select, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
open(sys.argv[3], "w").close()
select.select([s], [], [], 30)   # a connection waits: never accepted
open(sys.argv[2], "w").close()
time.sleep(20)' "$((TLS_CORE + 1))" "$SF_TMP/blackhole.hit" "$SF_TMP/blackhole.up" &
_pids+=($!)
for _ in $(seq 500); do [ -e "$SF_TMP/blackhole.up" ] && break; sleep 0.01; done
ucall --src 127.0.0.5 --calls 1 --seconds 5 >"$SF_TMP/bh.json" &
BH=$!; _pids+=($BH)
for _ in $(seq 500); do [ -e "$SF_TMP/blackhole.hit" ] && break; sleep 0.01; done
r=$(ucall --src 127.0.0.3 --calls 10 --seconds 0.5)
r2=$(ucall --src 127.0.0.2 --tcp --calls 10 --seconds 0.5)
expect_json "a black-holed hop: 10 UDP calls to the TLS hop meanwhile, all 200 (each <= 0.5 s)" "$r" 'd["codes"] == [200]*10'
expect_json "and 10 over TCP (the TCP thread) to the TCP hop, all 200" "$r2" 'd["codes"] == [200]*10'
expect_eq "meanwhile the black hole's handshake had not yet failed" "$(stat 'd["next_hop"]["tls_failed"]')" 1
wait $BH
expect_json "the call to the black hole: dropped at its deadline" "$(cat "$SF_TMP/bh.json")" \
	'd["codes"] == [None]'
expect_eq "counted tls_failed (its handshake timed out)" "$(stat 'd["next_hop"]["tls_failed"]')" 2

# A message caught on a dead connection is sent once more.  Made
# deterministic by stopping serve: a trunk's TCP connection is up, serve
# is stopped (SIGSTOP), the trunk's INVITE arrives, then the TCP core's
# FIN; on SIGCONT the TCP thread gets both in that order, forwards the
# INVITE onto the connection whose peer has gone, sees it gone and sends
# the INVITE once more on a new connection (to the new core).
r=$(ucall --src 127.0.0.2 --calls 1)
expect_json "before: the TCP hop answers" "$r" 'd["codes"] == [200]'
old=$tcpcore_PID
mv "$SF_TMP/tcpcore.json" "$SF_TMP/tcpcore.old.json"
score tcpcore "$SF_PORT_CORE"   # the new core, listening beside the old
ucall --src 127.0.0.2 --tcp --calls 1 --seconds 6 --go "$SF_TMP/go" >"$SF_TMP/retry.json" &
RETRY=$!; _pids+=($RETRY)
for _ in $(seq 100); do           # its connection accepted
	metrics | grep -q '^sipfilter_trunk_connections{trunk="ipx-carrier-a",transport="tcp"} 1$' && break
	sleep 0.05
done
kill -STOP "$SERVE_PID"
touch "$SF_TMP/go"; sleep 0.3     # the INVITE is in serve's socket
kill "$old"; wait "$old" 2>/dev/null; sleep 0.3   # the FIN too
kill -CONT "$SERVE_PID"
wait $RETRY
r=$(cat "$SF_TMP/retry.json")
expect_json "the message caught on the dead connection got through" "$r" 'd["codes"] == [200]'
expect_json "sent once more on a new connection (retried)" "$(stat 'json.dumps(d["next_hop"])')" \
	'd["retried"] == 1'

# The TCP core gone.
kill "$tcpcore_PID"; wait "$tcpcore_PID" 2>/dev/null
sleep 0.3
t0=$(date +%s%N)
r=$(ucall --src 127.0.0.2 --calls 2 --seconds 0.4)
t1=$(date +%s%N)
expect_json "next hop down: no answer" "$r" 'd["codes"] == [None, None]'
expect_json "failed cleanly, counted, not retried within a second" \
	"$(stat 'json.dumps([d["next_hop"], d["dropped"]["next_hop_down"]])')" \
	'd[0]["connect_failed"] == 1 and d[1] == 4'
m=$(metrics)
expect_match "metrics: next hop connections" "$m" '^sipfilter_next_hop_connections_total\{result="connected"\} [4-9]$'
expect_match "metrics: retries" "$m" '^sipfilter_next_hop_retries_total 1$'
PROMTOOL=$SF_ROOT/$BUILD/promtool/usr/bin/promtool
if [ -x "$PROMTOOL" ]; then
	expect_eq "promtool check metrics: clean" "$(printf '%s\n' "$m" | "$PROMTOOL" check metrics 2>&1)" ""
fi

# A reload that changes a hop's next_hop_tls: the connection verified
# under the old rules is not used again; the next one is checked by the
# new (here a name the core's certificate does not carry: nothing sent).
r=$(ucall --src 127.0.0.3 --calls 1)
expect_json "the TLS hop answers over its connection" "$r" 'd["codes"] == [200]'
conns0=$(cstat tlscore 'd["conns"]'); inv0=$(cstat tlscore 'd["invites"]')
tf0=$(stat 'd["next_hop"]["tls_failed"]')
cp "$SF_TMP/serve.yaml" "$SF_TMP/serve.good.yaml"
python3 -c 'import sys; p = sys.argv[1]; s = open(p).read()
open(p, "w").write(s.replace("name: sipfilter.test", "name: renamed.example", 1))' "$SF_TMP/serve.yaml"
expect_json "reload: ipx-carrier-b's next_hop_tls.name changed" "$(ctl reload)" 'd["ok"]'
r=$(ucall --src 127.0.0.3 --calls 1 --seconds 4)
expect_json "after it: not sent over the connection verified before" "$r" 'd["codes"] == [None]'
expect_eq "the core got nothing more" "$(cstat tlscore 'd["invites"]')" "$inv0"
expect_eq "the new rules were checked (tls_failed + 1)" "$(stat 'd["next_hop"]["tls_failed"]')" $((tf0 + 1))
cp "$SF_TMP/serve.good.yaml" "$SF_TMP/serve.yaml"
expect_json "reload back" "$(ctl reload)" 'd["ok"]'
sleep 1.1 # the failed hop's 1 s pause
r=$(ucall --src 127.0.0.3 --calls 1)
expect_json "then a new connection, verified again: 200" "$r" 'd["codes"] == [200]'
expect_eq "(a new connection)" "$(cstat tlscore 'd["conns"]')" $((conns0 + 1))

# Resumption towards a TLS next hop: a core that closes each connection
# after one call; the connections after the first resume its session.
kill "$tlscore_PID"; wait "$tlscore_PID" 2>/dev/null
rm -f "$SF_TMP/tlscore.json"
score tlscore "$TLS_CORE" --cert "$PKI/server.pem" --key "$PKI/server.key" --close-after 1
res0=$(stat 'd["next_hop"]["resumed"]')
codes=""
for _ in 1 2 3 4; do
	codes+="$(ucall --src 127.0.0.3 --calls 1 --seconds 2 | python3 -c 'import json,sys; print(json.load(sys.stdin)["codes"][0])') "
	sleep 0.2
done
expect_eq "4 calls to a core that closes each connection: all 200" "$codes" "200 200 200 200 "
expect_eq "4 connections" "$(cstat tlscore 'd["conns"]')" 4
expect_json "the last 3 resumed (the core says so)" "$(cstat tlscore 'd["resumed"]')" 'd >= 3'
expect_json "and we counted them" "$(stat 'd["next_hop"]["resumed"]')" "d - $res0 >= 3"
expect_match "metrics: resumed next-hop handshakes" "$(metrics)" '^sipfilter_next_hop_tls_resumed_total [3-9]$'
finish
