#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `sipfilter replay` on SIP wrapped the ways operators' captures wrap it
# (tests/fixtures/replay/gen_encap.py: GRE, PPTP, ERSPAN I/II/III, VXLAN,
# Geneve, WebSocket, IPv6 fragments with extension headers, HEP payload
# types, oversized and malformed INVITEs, unsupported wrappings).  Each
# capture: its records equal the golden lines (encap.jsonl), and the set
# of INVITE Call-IDs equals tshark's, where tshark decodes the wrapping
# (tshark 4.0 has no HEP dissector: hep_types is checked on its own).
# Regenerate the goldens after an intended change with
#   SF_UPDATE_GOLDEN=1 TEST_FILTER=replay_encap tests/run.sh
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh

SF=$SIPFILTER
CFG=tests/fixtures/engine/sipfilter.yaml # frozen: the goldens rest on it
GOLD=tests/fixtures/replay/encap.jsonl
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

python3 tests/fixtures/replay/gen_encap.py "$T" ||
	{ not_ok "gen_encap.py"; finish; exit 1; }
CASES="gre_ip gre_eth gre_ppp erspan1 erspan2 erspan3 vxlan geneve ws
	tcp_big udp_big malformed_rtx hep_types v6_frag_dst unsupported"

rp() { "$SF" replay -c "$CFG" --no-progress "$@"; }

# --- every capture's records, against the goldens ------------------------
out=$(for c in $CASES; do rp "$T/$c.pcap" 2>/dev/null; done)
if [ -n "${SF_UPDATE_GOLDEN:-}" ]; then printf '%s\n' "$out" >"$GOLD"; fi
if [ "$out" = "$(cat "$GOLD")" ]; then ok "records of every wrapping = golden"
else not_ok "records of every wrapping = golden" \
	"$(diff <(printf '%s\n' "$out") "$GOLD" | head -20)"; fi

ids() { # capture -> its INVITE Call-IDs, one line, sorted
	rp "$1" 2>/dev/null | python3 -c '
import json, sys
print(" ".join(sorted(json.loads(l)["call_id"] for l in sys.stdin if l.strip())))'
}
field() { # capture call-id field -> the record's value
	rp "$1" 2>/dev/null | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if d["call_id"] == sys.argv[1]:
        print(d[sys.argv[2]])' "$2" "$3"
}

# --- each decoding gap, by name ------------------------------------------
for c in gre_ip gre_eth erspan1 erspan2 erspan3 vxlan geneve v6_frag_dst; do
	id=${c//_/-}; id=${id/v6-frag-dst/v6-frag-dst}
	expect_eq "$c: the INVITE inside is judged" "$(ids "$T/$c.pcap")" \
		"$(sed 's/erspan\([123]\)/erspan-\1/' <<<"$id")@encap.test"
done
expect_eq "gre_ppp: PPTP's PPP, protocol field full and compressed" \
	"$(ids "$T/gre_ppp.pcap")" "gre-ppp-pfc@encap.test gre-ppp@encap.test"
expect_eq "ws: both INVITEs (one masked frame; one in fragments)" \
	"$(ids "$T/ws.pcap")" "ws-1@encap.test ws-2@encap.test"
expect_eq "ws: transport ws" "$(field "$T/ws.pcap" ws-2@encap.test transport)" ws
expect_eq "tcp_big: the oversized TCP INVITE has its record" \
	"$(ids "$T/tcp_big.pcap")" "tcp-after-big@encap.test tcp-big@encap.test"
expect_eq "  ... too-big, as over UDP" \
	"$(field "$T/tcp_big.pcap" tcp-big@encap.test reason)" \
	"$(field "$T/udp_big.pcap" udp-big@encap.test reason)"
expect_eq "  ... dropped, as serve drops it (closes the connection)" \
	"$(field "$T/tcp_big.pcap" tcp-big@encap.test applied)" drop
expect_eq "malformed_rtx: one record" "$(ids "$T/malformed_rtx.pcap")" \
	"malformed-rtx@encap.test"
expect_eq "  ... with its two retransmissions folded" \
	"$(field "$T/malformed_rtx.pcap" malformed-rtx@encap.test retransmissions)" 2
expect_eq "hep_types: only the SIP payload is judged, not the log line" \
	"$(ids "$T/hep_types.pcap")" "hep-sip@encap.test"
sum=$(rp -S "$T/unsupported.pcap" "$T/hep_types.pcap" 2>&1 >/dev/null)
expect_match "summary names what it could not decode" "$sum" \
	'not decoded +tunnel-unsupported=1 ppp-not-ip=1 ipsec-esp-encrypted=1'
expect_match "summary counts the HEP payload it skipped" "$sum" 'hep-not-sip=1'
sum=$(rp -S "$T/ws.pcap" "$T/gre_ppp.pcap" "$T/erspan2.pcap" "$T/vxlan.pcap" 2>&1 >/dev/null)
expect_match "summary counts the wrappings opened" "$sum" \
	'gre=3 erspan=1 ppp=2 vxlan=1 websocket-upgrades=2 websocket-messages=3'

# --- tshark's view ----------------------------------------------------------
if command -v tshark >/dev/null; then
	for c in $CASES; do
		[ "$c" = hep_types ] && continue
		want=$(tshark -r "$T/$c.pcap" -Y 'sip.Method == "INVITE"' \
			-T fields -e sip.Call-ID 2>/dev/null | sort -u | xargs)
		expect_eq "$c: INVITE Call-IDs = tshark's" "$(ids "$T/$c.pcap")" "$want"
	done
else
	not_ok "tshark is not installed (make deps-test installs it)"
fi
finish
