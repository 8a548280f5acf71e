#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tls.sh - SIP over TLS at the edge, real TLS on loopback.  The TLS peer is
# tests/sipp/tls_sip.py (Python's ssl module over OpenSSL; Debian's sipp
# has no TLS); the CAs and certificates are made now with the openssl CLI
# (tests/sipp/tls_pki.sh).  The serve fixture gets a tls: listener and two
# mTLS trunks: carrier-tls (certificate alone, CA A, SAN
# sbc1.carrier-a.example) and carrier-tls-pinned (CA A, subject CN
# sbc-pinned..., and source 127.0.0.7).  Clients connect from 127.0.0.8
# and up, addresses no trunk lists, so only a certificate can make them
# a trunk.  A call from +77015550000 is rejected 603 by the rules when it
# comes from an international trunk, and refused 403 (unknown source)
# otherwise: the code says which trunk the proxy saw.
#  - mTLS trunk match (603, log "trunk=carrier-tls ... match=cert");
#    wrong CA, expired certificate, SAN mismatch, no certificate: 403 and
#    counted by what went wrong; certificate + source (match=cert+source)
#    and the same certificate from elsewhere (403);
#  - forwarding over UDP to the core and the 200 back over the TLS
#    connection the INVITE came on; TLS 1.2 and 1.3; session resumption;
#  - plain SIP on the TLS port: handshake failed, closed, never answered;
#  - slow handshakes (the table full of them) closed after
#    handshake_timeout_ms beside a live trunk connection that keeps
#    working; a handshake flood over handshakes_per_second refused and
#    counted, a trunk gets in once it passes;
#  - certificate reload (ctl reload, SIGHUP) under calls on live
#    connections: 0 failed calls, new connections see the new
#    certificate; a reload with a broken key is refused and names the
#    file;
#  - the edge probes that fit one TLS connection from a trunk: a To-tag
#    without our Route judged, "invite" refused 400, a forged response
#    dropped, a message that never ends cut off;
#  - /metrics: handshakes by result, client certificates, expiry of each
#    configured certificate, connections by trunk; promtool is clean.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
. tests/sipp/serve_env.sh
. tests/sipp/tls_pki.sh

TLS_PORT=$(sf_port 61)
PY="python3 tests/sipp/tls_sip.py"
PKI=$SF_TMP/pki
tls_pki "$PKI" || { not_ok "test PKI made with openssl"; finish; exit 1; }
ok "test PKI made with openssl"

serve_prepare || { not_ok "fixture"; finish; exit 1; }
python3 - "$SF_TMP/serve.yaml" "$PKI" "$TLS_PORT" "$SF_PORT_CORE" <<'PY'
import sys
path, pki, tls_port, core = sys.argv[1:]
s = open(path).read()
trunks = f'''  - name: carrier-tls-pinned
    kind: international
    sources: ["127.0.0.7"]
    client_cert:
      ca: {pki}/ca-a.pem
      subject: ["sbc-pinned.carrier-a.example"]
    next_hop: "udp:127.0.0.1:{core}"
  - name: carrier-tls
    kind: international
    client_cert:
      ca: {pki}/ca-a.pem
      san: ["sbc1.carrier-a.example", "sbc2*.carrier-a.example"]
    next_hop: "udp:127.0.0.1:{core}"

# Called numbers'''
s = s.replace("\n# Called numbers", "\n" + trunks, 1)
s = s.replace('"tcp:[::1]:', f'"tls:127.0.0.1:{tls_port}", "tcp:[::1]:', 1)
s += f'''  tls:
    cert: {pki}/server.pem
    key: {pki}/server.key
    handshake_timeout_ms: 500
    handshakes_per_second: 40
'''
open(path, "w").write(s)
PY
serve_launch || { not_ok "serve starts with a tls: listener"; finish; exit 1; }
ok "serve starts with a tls: listener"

# call NAME SRC CERT [args]: one JSON line from tls_sip.py call
call() {
	local src=$1 cert=$2; shift 2
	local c=()
	[ "$cert" != none ] && c=(--cert "$PKI/$cert.pem" --key "$PKI/$cert.key")
	$PY call --src "$src" --port "$TLS_PORT" --ca "$PKI/server-ca.pem" "${c[@]}" "$@"
}
tstat() { stat "$1"; }

r=$(call 127.0.0.8 good --calls 2 --name sipfilter.test)
expect_json "mTLS trunk: 603 by the rules (server name verified)" "$r" 'd["codes"] == [603, 603]'
expect_match "log names the trunk and how it matched" "$(cat "$SF_TMP/serve.err")" \
	'trunk=carrier-tls rule=home-mobile-not-roaming .* match=cert$'
r=$(call 127.0.0.8 wrongca)
expect_json "wrong CA: unknown source (403)" "$r" 'd["codes"] == [403]'
r=$(call 127.0.0.8 expired)
expect_json "expired certificate: unknown source (403)" "$r" 'd["codes"] == [403]'
r=$(call 127.0.0.8 othername)
expect_json "SAN mismatch: unknown source (403)" "$r" 'd["codes"] == [403]'
r=$(call 127.0.0.8 none)
expect_json "no client certificate: unknown source (403)" "$r" 'd["codes"] == [403]'
r=$(call 127.0.0.7 pinned)
expect_json "certificate + source: trunk (603)" "$r" 'd["codes"] == [603]'
expect_match "log: match=cert+source" "$(cat "$SF_TMP/serve.err")" \
	'trunk=carrier-tls-pinned .* match=cert\+source$'
r=$(call 127.0.0.8 pinned)
expect_json "that certificate from another source: 403" "$r" 'd["codes"] == [403]'
s=$(stat 'json.dumps(d["tls_client_certificates"])')
expect_json "client certificates counted by outcome" "$s" \
	'd["trunk"] == 2 and d["untrusted"] == 1 and d["expired"] == 1 and d["name_mismatch"] == 1 and d["none"] == 1 and d["source_mismatch"] == 1'

# Edge probes over TLS, from the mTLS trunk.
probe() { $PY probe --src 127.0.0.8 --port "$TLS_PORT" --ca "$PKI/server-ca.pem" \
	--cert "$PKI/good.pem" --key "$PKI/good.key" --probe "$1"; }
expect_json "probe over TLS: a To-tag without our Route is judged (603)" "$(probe totag)" 'd["result"] == 603'
expect_json "probe over TLS: \"invite\" gets 400" "$(probe case)" 'd["result"] == 400'
n0=$(stat 'd["dropped"]["not_ours"]')
expect_json "probe over TLS: a forged response gets nowhere" "$(probe response)" 'd["result"] == "none"'
expect_eq "and is counted not_ours" "$(stat 'd["dropped"]["not_ours"]')" "$((n0 + 1))"
f0=$(stat 'd["dropped"]["tcp_framing"]')
expect_json "probe over TLS: a message that never ends is cut off" "$(probe oversize)" 'd["result"] == "closed"'
expect_eq "and is counted tcp_framing" "$(stat 'd["dropped"]["tcp_framing"]')" "$((f0 + 1))"

# Forwarding: the core (UDP) answers 200; it comes back over our TLS
# connection.
$PY core --port "$SF_PORT_CORE" --seconds 30 &
_pids+=($!)
sleep 0.3
r=$(call 127.0.0.8 good --from 4915112345678 --called 77012220001 --calls 3)
expect_json "allowed call forwarded, 200 back over the same TLS connection" "$r" 'd["codes"] == [200, 200, 200]'
r=$(call 127.0.0.8 good --tls12 --calls 1)
expect_json "TLS 1.2 works too" "$r" 'd["codes"] == [603]'
r=$(call 127.0.0.8 good --conns 3 --resume)
expect_json "session tickets: reconnections resume" "$r" \
	'd["codes"] == [603]*3 and d["resumed"] == [False, True, True]'

# Plain SIP on the TLS port.
r=$($PY plain --src 127.0.0.8 --port "$TLS_PORT")
expect_json "plain SIP on the TLS port: closed, never answered" "$r" 'd["result"] == "closed"'
expect_json "handshake failures counted" "$(ctl stats)" 'd["tls_handshakes"]["failed"] >= 1'

# Slow handshakes beside a live trunk connection (table: 8 slots).
$PY live --src 127.0.0.8 --port "$TLS_PORT" --ca "$PKI/server-ca.pem" \
	--cert "$PKI/good.pem" --key "$PKI/good.key" --seconds 3 --gap 0.1 \
	>"$SF_TMP/live1.json" &
LIVE=$!; _pids+=($LIVE)
sleep 0.5
to0=$(stat 'd["tls_handshakes"]["timeout"]')
r=$($PY slow --src 127.0.0.9 --port "$TLS_PORT" --n 7 --hold 4)
expect_json "slow handshakes are closed after the handshake timeout" "$r" \
	'd["opened"] == 7 and d["closed"] == 7 and d["max_s"] < 1.5'
to1=$(stat 'd["tls_handshakes"]["timeout"]')
expect_eq "handshake timeouts counted" "$((to1 - to0))" 7
wait $LIVE
expect_json "the live trunk connection kept working through them" "$(cat "$SF_TMP/live1.json")" \
	'd["error"] is None and len(d["codes"]) >= 10 and set(d["codes"]) == {603}'

# Handshake flood over handshakes_per_second (40).
sleep 1.1
r=$($PY flood --src 127.0.0.10 --port "$TLS_PORT" --ca "$PKI/server-ca.pem" --n 150)
expect_json "a handshake flood is cut at the rate cap" "$r" 'd["failed"] > 0 and d["ok"] < 150'
expect_json "refused handshakes counted (rate_limited)" "$(ctl stats)" 'd["tls_handshakes"]["rate_limited"] > 0'
sleep 1.1
r=$(call 127.0.0.8 good)
expect_json "after the flood a trunk gets in" "$r" 'd["codes"] == [603]'

# Certificate reload under calls on live connections.
fp_old=$(call 127.0.0.8 good | python3 -c 'import json,sys; print(json.load(sys.stdin)["fp"][0])')
for i in 1 2; do
	$PY live --src 127.0.0.8 --port "$TLS_PORT" --ca "$PKI/server-ca.pem" \
		--cert "$PKI/good.pem" --key "$PKI/good.key" --seconds 4 --gap 0.05 \
		>"$SF_TMP/live_r$i.json" &
	_pids+=($!); eval "L$i=$!"
done
sleep 0.5
cp "$PKI/server2.pem" "$PKI/server.pem"; cp "$PKI/server2.key" "$PKI/server.key"
r=$(ctl reload)
expect_json "ctl reload with a new server certificate: ok" "$r" 'd["ok"]'
sleep 0.5
kill -HUP "$SERVE_PID"
sleep 0.5
fp_new=$(call 127.0.0.8 good | python3 -c 'import json,sys; print(json.load(sys.stdin)["fp"][0])')
[ -n "$fp_new" ] && [ "$fp_new" != "$fp_old" ] && ok "new connections get the new certificate" ||
	not_ok "new connections get the new certificate" "old $fp_old new $fp_new"
wait $L1 $L2
for i in 1 2; do
	expect_json "live connection $i through two reloads: 0 failed calls" "$(cat "$SF_TMP/live_r$i.json")" \
		'd["error"] is None and len(d["codes"]) >= 20 and set(d["codes"]) == {603}'
done
cp "$PKI/expired.key" "$PKI/server.key" # a key that does not match
r=$(ctl reload)
expect_json "a reload with a mismatched key is refused" "$r" 'not d["ok"]'
expect_match "and names the key file and OpenSSL's reason" "$r" \
	"serve.tls.key '[^']*server.key' does not load: .*key values mismatch"
r=$(call 127.0.0.8 good)
expect_json "the old certificate keeps serving" "$r" 'd["codes"] == [603]'
cp "$PKI/server2.key" "$PKI/server.key"

# Metrics.
m=$(metrics)
expect_match "metrics: handshakes by result" "$m" '^sipfilter_tls_handshakes_total\{result="full"\} [1-9]'
expect_match "metrics: resumed handshakes" "$m" '^sipfilter_tls_handshakes_total\{result="resumed"\} [1-9]'
expect_match "metrics: server certificate expiry (~30 days)" "$m" \
	'^sipfilter_tls_certificate_expiry_seconds\{certificate="serve"\} 25[0-9]{5}$'
expect_match "metrics: trunk CA expiry" "$m" \
	'^sipfilter_tls_certificate_expiry_seconds\{certificate="trunk/carrier-tls/ca"\} 25[0-9]{5}$'
expect_match "metrics: connections by trunk" "$m" \
	'^sipfilter_trunk_connections\{trunk="carrier-tls",transport="tls"\} [0-9]+$'
PROMTOOL=$SF_ROOT/$BUILD/promtool/usr/bin/promtool
if [ -x "$PROMTOOL" ]; then
	out=$(printf '%s\n' "$m" | "$PROMTOOL" check metrics 2>&1)
	expect_eq "promtool check metrics: clean" "$out" ""
fi

# Connections by trunk while one is open.
$PY call --src 127.0.0.8 --port "$TLS_PORT" --ca "$PKI/server-ca.pem" \
	--cert "$PKI/good.pem" --key "$PKI/good.key" --hold 1.5 >/dev/null &
_pids+=($!)
sleep 0.7
expect_match "an open mTLS connection counts for its trunk" "$(metrics)" \
	'^sipfilter_trunk_connections\{trunk="carrier-tls",transport="tls"\} 1$'

# A config whose certificate does not load: serve refuses to start.
sed -e "s|$PKI/server.pem|$PKI/nonexistent.pem|" "$SF_TMP/serve.yaml" >"$SF_TMP/bad.yaml"
out=$("$SIPFILTER" check -c "$SF_TMP/bad.yaml" 2>&1)
expect_match "check: a missing cert file is named with line:col" "$out" \
	'bad.yaml:[0-9]+:[0-9]+: error: cert file .*nonexistent.pem.* cannot be read'
finish
