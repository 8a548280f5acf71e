#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tls_dialog.sh - a trunk named only by its client certificate (client_cert,
# no sources) in both directions of a dialog, real sockets on loopback
# (tests/sipp/tls_dialog.py: the trunk and a stranger over Python's ssl,
# the core a UDP socket):
#  - the trunk's call is forwarded to the core and its 200 comes back;
#  - the core's BYE (our Route, the trunk's Contact as target) reaches the
#    trunk over its own TLS connection, and the trunk's 200 to it reaches
#    the core: the peer a certificate identified is named by it;
#  - a stranger holding a TLS connection (no certificate, or one of
#    another CA) is no target: the core's BYE to it is refused 403
#    (forbidden-target) and it gets nothing; the trunk's 200 replayed by
#    the stranger is not relayed to the core (unknown source);
#  - serve.tls.handshake_timeout_ms and handshakes_per_second change on
#    reload (no restart): a silent handshake cut at the new deadline, a
#    flood at the new rate.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
. tests/sipp/serve_env.sh
. tests/sipp/tls_pki.sh

TLS_PORT=$(sf_port 61)
PKI=$SF_TMP/pki
tls_pki "$PKI" || { not_ok "test PKI made with openssl"; finish; exit 1; }
cp "$PKI/ca-a-empty.crl" "$PKI/crl.pem" # no revocations yet
serve_prepare || { not_ok "fixture"; finish; exit 1; }
python3 - "$SF_TMP/serve.yaml" "$PKI" "$TLS_PORT" "$SF_PORT_CORE" <<'PY'
import sys
path, pki, tls_port, core = sys.argv[1:]
s = open(path).read()
s = s.replace("\n# Called numbers", f'''
  - name: carrier-tls
    kind: international
    client_cert:
      ca: {pki}/ca-a.pem
      crl: {pki}/crl.pem
      san: ["sbc1.carrier-a.example"]
    next_hop: "udp:127.0.0.1:{core}"

# Called numbers''', 1)
s = s.replace('"tcp:[::1]:', f'"tls:127.0.0.1:{tls_port}", "tcp:[::1]:', 1)
s += f'''  tls:
    cert: {pki}/server.pem
    key: {pki}/server.key
'''
open(path, "w").write(s)
PY
serve_launch || { not_ok "serve starts with a tls: listener"; finish; exit 1; }
ok "serve starts with a tls: listener"

dialog() { # [--stranger-cert C --stranger-key K]
	python3 tests/sipp/tls_dialog.py --proxy-tls "$TLS_PORT" --proxy-udp "$SF_PORT_PROXY" \
		--core "$SF_PORT_CORE" --ca "$PKI/server-ca.pem" \
		--cert "$PKI/good.pem" --key "$PKI/good.key" "$@"
}
r=$(dialog)
expect_json "the trunk's call forwarded, 200 back over TLS" "$r" 'd["invite"] == "SIP/2.0 200 OK"'
expect_json "the core's BYE reaches the cert-only trunk over its TLS connection" "$r" 'd["bye_at_trunk"]'
expect_json "the trunk's 200 to the BYE reaches the core" "$r" 'd["bye_200_at_core"]'
expect_json "a stranger's TLS connection (no certificate) gets no BYE" "$r" 'd["stranger_got"] is None'
expect_json "the core's BYE to the stranger is refused 403" "$r" \
	'(d["core_answer_for_stranger"] or "").startswith("SIP/2.0 403")'
expect_json "the trunk's 200 replayed by the stranger is not relayed" "$r" 'd["replay_at_core"] is False'
r=$(dialog --stranger-cert "$PKI/wrongca.pem" --stranger-key "$PKI/wrongca.key")
expect_json "a stranger with another CA's certificate gets no BYE" "$r" \
	'd["bye_at_trunk"] and d["stranger_got"] is None and (d["core_answer_for_stranger"] or "").startswith("SIP/2.0 403")'
expect_json "nor is its replayed response relayed" "$r" 'd["replay_at_core"] is False'
expect_match "forbidden-target counted" "$(metrics)" '^sipfilter_[a-z_]*\{[^}]*"forbidden.target"[^}]*\} [2-9]'

# Revocation: client_cert.crl, re-read on reload.
PY="python3 tests/sipp/tls_sip.py"
crlcall() { # CERT: the code of one call (603: the trunk's, by the rules)
	$PY call --src 127.0.0.8 --port "$TLS_PORT" --ca "$PKI/server-ca.pem" --cert "$PKI/$1.pem" \
		--key "$PKI/$1.key" | python3 -c 'import json,sys; print(json.load(sys.stdin)["codes"])'
}
expect_eq "a certificate its CA's CRL does not list: the trunk (603 by the rules)" "$(crlcall revoked)" "[603]"
cp "$PKI/ca-a.crl" "$PKI/crl.pem"
expect_json "reload with a CRL that lists it" "$(ctl reload)" 'd["ok"]'
expect_eq "now revoked: an unknown source (403)" "$(crlcall revoked)" "[403]"
expect_eq "another certificate of the CA still the trunk" "$(crlcall good)" "[603]"
expect_match "counted: client certificates revoked" "$(metrics)" \
	'^sipfilter_tls_client_certificates_total\{result="revoked"\} 1$'
echo "not a CRL" >"$SF_TMP/bad.crl"
sed -e "s|$PKI/crl.pem|$SF_TMP/bad.crl|" "$SF_TMP/serve.yaml" >"$SF_TMP/badcrl.yaml"
expect_match "check: a CRL file that does not load is refused" "$("$SIPFILTER" check -c "$SF_TMP/badcrl.yaml" 2>&1)" \
	"client_cert.crl .*bad.crl.* does not load"

# The TLS handshake deadline and rate cap apply on reload.
r=$($PY slow --src 127.0.0.9 --port "$TLS_PORT" --n 2 --hold 1.5)
expect_json "before: a silent handshake is not cut within 1.5 s (3000 ms default)" "$r" 'd["closed"] == 0'
printf '    handshake_timeout_ms: 300\n    handshakes_per_second: 5\n' >>"$SF_TMP/serve.yaml"
r=$(ctl reload)
expect_json "reload with a new handshake deadline and rate: no restart warning" "$r" \
	'd["ok"] and not any("restart" in w for w in d.get("warnings", []))'
sleep 0.3 # the TCP thread takes them at its next sweep (100 ms)
r=$($PY slow --src 127.0.0.9 --port "$TLS_PORT" --n 2 --hold 2)
expect_json "after: silent handshakes cut at ~300 ms" "$r" 'd["closed"] == 2 and d["max_s"] < 1.0'
sleep 1.1 # a full bucket at the new rate
r=$($PY flood --src 127.0.0.10 --port "$TLS_PORT" --ca "$PKI/server-ca.pem" --n 20)
expect_json "after: a flood of 20 cut at the new rate (5/s)" "$r" 'd["ok"] <= 8 and d["failed"] >= 12'
finish
