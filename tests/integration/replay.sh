#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `sipfilter replay` end to end.  Captures are generated here by
# tests/fixtures/replay/gen_capture.c (every link type, VLAN/QinQ, IPv6,
# IP fragments, TCP segmentation/reordering/retransmission, UDP INVITE
# retransmissions, HEPv3, mixed-link-type pcapng, gzip, truncated and
# corrupt files, hostile bytes) and compared with the golden JSON lines
# next to the generator.  Then: stdin, directories, CSV, summary, --diff,
# --write-pcap, BPF, exit codes, and every public capture in
# $SF_SHARED/corpus/pcaps (no crash; INVITE transaction counts pinned, and
# equal to tshark's per Call-ID+CSeq when tshark is installed).
# Regenerate the goldens after an intended change with
#   SF_UPDATE_GOLDEN=1 tests/run.sh   (TEST_FILTER=replay)
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh
. tests/tools/replay_gen.sh # resend_invites

SF=$SIPFILTER
CFG=tests/fixtures/engine/sipfilter.yaml # the example, frozen: the goldens rest on it
FIX=tests/fixtures/replay
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# --- captures ------------------------------------------------------------
${CC:-cc} -std=c11 -D_GNU_SOURCE -I. -O1 -o "$T/gen_capture" \
	"$FIX/gen_capture.c" capture/sf_pcapw.c capture/sf_hep.c \
	base/sf_addr.c base/sf_err.c -lz || { not_ok "build gen_capture"; finish; exit 1; }
mkdir -p "$T/cap"
"$T/gen_capture" scenarios "$T/cap"
C=$T/cap

rp() { "$SF" replay -c "$CFG" --no-progress "$@"; }

golden() { # name golden-file command...
	local name=$1 file=$2; shift 2
	local out
	out=$("$@" 2>/dev/null)
	if [ -n "${SF_UPDATE_GOLDEN:-}" ]; then
		printf '%s\n' "$out" >"$file"
	fi
	if [ "$out" = "$(cat "$file")" ]; then ok "$name"; else
		not_ok "$name" "$(diff <(printf '%s\n' "$out") "$file" | head -20)"
	fi
}

all_json() { # name text: every line is a JSON object
	if python3 -c '
import json, sys
for l in sys.stdin:
    if not l.strip():
        continue
    d = json.loads(l)
    assert isinstance(d, dict) and "retransmissions" in d' <<<"$2" 2>/dev/null
	then ok "$1"; else not_ok "$1" "$(head -c 400 <<<"$2")"; fi
}

golden "link types (eth, vlan, qinq, sll, sll2, raw, ipv4, ipv6, null, loop)" \
	"$FIX/links.jsonl" rp "$C"/link_*.pcap
golden "fragments, tcp, retransmissions, hep, mixed pcapng" \
	"$FIX/scenarios.jsonl" rp "$C/frag.pcap" "$C/tcp.pcap" \
	"$C/retrans.pcap" "$C/hep.pcap" "$C/mixed.pcapng"
golden "calls" "$FIX/calls.jsonl" rp "$C/calls.pcap"
golden "hostile bytes escaped" "$FIX/hostile.jsonl" rp "$C/hostile.pcap"

out=$(rp "$C"/link_*.pcap "$C/frag.pcap" "$C/tcp.pcap" "$C/retrans.pcap" \
	"$C/hep.pcap" "$C/mixed.pcapng" "$C/calls.pcap" "$C/hostile.pcap")
all_json "every record is valid JSON" "$out"
expect_eq "record count" "$(wc -l <<<"$out")" 29
expect_json "retransmissions folded" "$(grep retrans@test <<<"$out" | head -1)" \
	'd["retransmissions"] == 2 and d["rule"] == "home-mobile-not-roaming"'
expect_eq "new CSeq = new transaction" "$(grep -c retrans@test <<<"$out")" 2
expect_json "hep decapsulated" "$(grep hep@test <<<"$out")" \
	'd["src"] == "127.0.0.3:5060" and d["trunk"] == "ipx-carrier-b" and d["ts"].endswith(".123456Z")'
expect_json "ipv6 fragments" "$(grep frag-v6 <<<"$out")" \
	'd["src"] == "[::2]:5060" and d["number"] == "+77025550003"'
expect_json "tcp reassembled" "$(grep tcp-1@ <<<"$out")" \
	'd["transport"] == "tcp" and d["rule"] == "home-mobile-not-roaming"'
expect_json "invalid UTF-8 -> U+FFFD" "$(grep 'uo' <<<"$out")" \
	'"\ufffd" in d["from"] and d["call_id"] == "q\"uo\\te@test"'

# --- inputs: gzip, stdin, directories ------------------------------------
expect_eq "gzip = plain" "$(rp "$C/mixed.pcapng.gz")" "$(rp "$C/mixed.pcapng")"
expect_eq "stdin" "$(rp - <"$C/tcp.pcap")" "$(rp "$C/tcp.pcap")"
expect_eq "gzip on stdin" "$(rp - <"$C/mixed.pcapng.gz")" "$(rp "$C/mixed.pcapng")"
mkdir -p "$T/dir"
cp "$C"/link_*.pcap "$T/dir/"
expect_eq "directory = its files merged" "$(rp "$T/dir")" "$(cat "$FIX/links.jsonl")"
expect_eq "merge is by time, not argument order" \
	"$(rp "$C/link_loop.pcap" "$C/link_eth.pcap" | head -1 | cut -c1-40)" \
	"$(rp "$C/link_eth.pcap" | cut -c1-40)"

# --- damaged files --------------------------------------------------------
out=$(rp "$C/truncated.pcap" 2>"$T/err"); rc=$?
expect_eq "truncated pcap: exit 1" "$rc" 1
expect_eq "truncated pcap: records before the cut" "$(wc -l <<<"$out")" 2
expect_match "truncated pcap: clear error" "$(cat "$T/err")" "truncated dump file"
out=$(rp "$C/corrupt.pcapng" 2>"$T/err"); rc=$?
expect_eq "corrupt pcapng: exit 1" "$rc" 1
expect_eq "corrupt pcapng: records before the damage" "$(wc -l <<<"$out")" 1
expect_match "corrupt pcapng: clear error" "$(cat "$T/err")" "corrupt pcapng file: bad block length"
out=$(rp --summary "$C/snaplen.pcap" 2>&1 >/dev/null); rc=$?
expect_eq "snaplen-cut: exit 0" "$rc" 0
expect_match "snaplen-cut counted" "$out" "decode errors +truncated=1"
out=$(rp "$C/truncated.pcap" "$C/calls.pcap" 2>/dev/null); rc=$?
expect_eq "a corrupt file among good ones: exit 1" "$rc" 1
expect_eq "...and the good ones are reported" "$(grep -c call- <<<"$out")" 8
head -c 100 "$C/calls.pcap" >"$T/short.pcap"
expect_rc 1 "file cut inside the first record" rp "$T/short.pcap"
echo "hello" >"$T/text.pcap"
expect_rc 1 "not a capture" rp "$T/text.pcap"
expect_rc 1 "missing file" rp "$T/nope.pcap"
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<IHHiIII",0xa1b2c3d4,2,4,0,0,65535,105)+struct.pack("<IIII",0,0,4,4)+b"abcd")' >"$T/wifi.pcap"
out=$(rp "$T/wifi.pcap" 2>&1); rc=$?
expect_eq "unsupported link type: exit 1" "$rc" 1
expect_match "unsupported link type named" "$out" "unsupported link type 105 \(IEEE802_11"

# --- usage errors -----------------------------------------------------------
expect_rc 2 "no file" rp
expect_rc 2 "bad format" rp -F xml "$C/calls.pcap"
expect_rc 2 "bad bucket" rp --bucket 5x "$C/calls.pcap"
expect_rc 2 "bad select" rp -w "$T/x.pcap" --select action=dropp "$C/calls.pcap"
expect_rc 2 "unknown --assume-trunk" rp --assume-trunk nope "$C/calls.pcap"
out=$(rp --assume-trunk ipx-carrier-b "$C/calls.pcap" | head -1)
expect_json "--assume-trunk: the record says the trunk was assumed" "$out" \
	'd["trunk"] == "ipx-carrier-b" and d["trunk_match"] == "assumed"'
expect_json "by source: trunk_match source" "$(rp "$C/calls.pcap" | head -1)" \
	'd["trunk_match"] == "source"'
expect_rc 2 "select without write-pcap" rp --select all "$C/calls.pcap"
expect_rc 2 "bad BPF" rp -f 'udp prot 5060' "$C/calls.pcap"
expect_rc 2 "missing config" "$SF" replay -c "$T/none.yaml" "$C/calls.pcap"
expect_rc 0 "--help" "$SF" replay --help

# --- formats and filters ------------------------------------------------------
csv=$(rp -F csv "$C/calls.pcap" "$C/hostile.pcap")
if python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
h = rows[0]
assert h[0] == "ts" and "retransmissions" in h and "ported" in h
assert len(rows) == 10 and all(len(r) == len(h) for r in rows)
assert rows[1][4] == "call-0@test" and rows[1][h.index("rule")] == "home-mobile-not-roaming"
assert rows[9][4] == "q\"uo\\te@test"' <<<"$csv"; then ok "csv: RFC 4180, header, columns"
else not_ok "csv: RFC 4180, header, columns" "$(head -3 <<<"$csv")"; fi
expect_match "text format" "$(rp -F text "$C/calls.pcap")" "reject by home-mobile-not-roaming"
expect_eq "BPF keeps HEP port" "$(rp -f 'udp port 9060' "$C/hep.pcap" | wc -l)" 1
expect_eq "BPF drops the rest" "$(rp -f 'tcp' "$C/hep.pcap" | wc -l)" 0
expect_eq "--no-hep" "$(rp --no-hep "$C/hep.pcap" | wc -l)" 0
expect_eq "-o FILE" "$(rp -o "$T/o.jsonl" "$C/calls.pcap"; wc -l <"$T/o.jsonl")" 8

# --- summary ---------------------------------------------------------------------
sum=$(rp --summary-only --bucket 1s "$C/calls.pcap" 2>&1)
expect_match "summary: INVITE transactions" "$sum" "INVITE transactions +8 "
expect_match "summary: applied actions" "$sum" "allow 3, tag 1, reject 4, withhold 0"
expect_match "summary: monitor would-be" "$sum" "monitor \(would-be\) +allow 0, tag 1,"
expect_match "summary: per rule" "$sum" "home-mobile-not-roaming +reject +enforce +2"
expect_match "summary: per trunk" "$sum" "ipx-carrier-a +6"
expect_match "summary: top numbers" "$sum" "home-mobile-not-roaming: \+77015551111 2"
expect_eq "summary: one line per 1s bucket" "$(grep -cE '^    2023-11-14T22:14:5[0-7]Z allow' <<<"$sum")" 8
expect_eq "summary-only prints no records" "$(rp --summary-only "$C/calls.pcap" 2>/dev/null | wc -c)" 0

# --- diff --------------------------------------------------------------------------
all=$(rp "$C"/link_*.pcap "$C/frag.pcap" "$C/tcp.pcap" "$C/retrans.pcap" \
	"$C/hep.pcap" "$C/mixed.pcapng" "$C/calls.pcap")
out=$(rp --diff "$CFG" --summary "$C"/link_*.pcap "$C/calls.pcap" 2>"$T/err")
expect_eq "diff against itself: no call changes" "$out" ""
expect_match "diff against itself: matrix says 0" "$(cat "$T/err")" "diff vs .*: 0 of 18 "
cp -r tests/fixtures/engine/tables "$T/tables"
python3 tests/tools/monitor_rule.py "$CFG" "$T/monitor.yaml" home-mobile-not-roaming
out=$(rp --diff "$T/monitor.yaml" --summary "$C"/link_*.pcap "$C/frag.pcap" \
	"$C/tcp.pcap" "$C/retrans.pcap" "$C/hep.pcap" "$C/mixed.pcapng" \
	"$C/calls.pcap" 2>"$T/err")
want=$(python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if d["rule"] == "home-mobile-not-roaming": print(d["call_id"])' <<<"$all")
got=$(python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    assert d["other_mode"] == "monitor" and d["other_applied"] == "allow"
    print(d["call_id"])' <<<"$out")
expect_eq "diff: exactly the monitored rule's calls change" "$got" "$want"
expect_match "diff: transition matrix" "$(cat "$T/err")" "reject -> allow: $(wc -l <<<"$want")"

# --- write-pcap ----------------------------------------------------------------------
rp -w "$T/rej.pcap" "$C/calls.pcap" >/dev/null
back=$(rp "$T/rej.pcap")
expect_eq "write-pcap: the rejected calls, readable" \
	"$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["call_id"] for l in sys.stdin))' <<<"$back")" \
	"call-0@test call-2@test call-4@test call-7@test"
pk=$(rp --summary-only "$T/rej.pcap" 2>&1 | sed -nE 's/^  packets +([0-9]+).*/\1/p')
expect_eq "write-pcap: every message of those calls" "$pk" 20
rp -w "$T/rule.pcap" --select rule=identity-mismatch "$C/calls.pcap" >/dev/null
expect_eq "write-pcap --select rule=" "$(rp "$T/rule.pcap" | grep -c call-5@test)" 1
if command -v tshark >/dev/null; then
	n=$(tshark -r "$T/rej.pcap" -Y 'sip.Method == "INVITE"' 2>/dev/null | wc -l)
	expect_eq "write-pcap: tshark sees the INVITEs" "$n" 4
fi

# --- record ring and retransmission folding ------------------------------------
# SIPFILTER_REPLAY_RING=SLOTS:BYTES (hidden, for tests) shrinks the record
# ring; a full ring prints its oldest record before its 32 s window closes,
# and a retransmission that comes after that is counted as late.
# late.pcap: retrans.pcap plus its first INVITE again at the end.
python3 - "$C/retrans.pcap" "$T/late.pcap" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
o, recs = 24, []
while o + 16 <= len(d):
    il = struct.unpack('<I', d[o + 8:o + 12])[0]
    recs.append(d[o:o + 16 + il]); o += 16 + il
open(sys.argv[2], 'wb').write(d[:24] + b''.join(recs) + recs[-1][:8] +
                              recs[0][8:])
EOF
out=$(rp --summary "$T/late.pcap" 2>"$T/err")
expect_eq "ring: retransmission within the window folded" \
	"$(grep -o '"retransmissions":[0-9]*' <<<"$out" | tr '\n' ' ')" \
	'"retransmissions":3 "retransmissions":0 '
expect_match "ring: none late" "$(cat "$T/err")" "3 retransmissions folded, 0 late"
early=$(SIPFILTER_REPLAY_RING=1:0 rp --summary "$T/late.pcap" 2>"$T/err")
expect_eq "ring of one record: same records in the same order" \
	"$(sed 's/"retransmissions":[0-9]*//' <<<"$early")" \
	"$(sed 's/"retransmissions":[0-9]*//' <<<"$out")"
expect_eq "ring of one record: the retransmission after early output is late" \
	"$(grep -o '"retransmissions":[0-9]*' <<<"$early" | tr '\n' ' ')" \
	'"retransmissions":2 "retransmissions":0 '
expect_match "ring of one record: late counted" "$(cat "$T/err")" \
	"3 retransmissions folded, 1 late"
expect_match "ring of one record: early output noted" "$(cat "$T/err")" \
	"note: 1 records left the record ring before"
# A record that leaves a full ring early waits in the call table for its
# outcome, so it may come out in another order (replay_outcome.sh).
norm() { sed -E 's/"retransmissions":[0-9]+//; s/ \(\+[0-9]+ retransmissions\)//
	s/,[0-9]+,([a-z-]*),(complete|timeout|evicted|capture-ended|untracked),/,\1,\2,/' | sort; }
for f in jsonl csv text; do
	a=$(rp -F $f "$C"/*.pcap 2>&1)
	b=$(SIPFILTER_REPLAY_RING=2:0 rp -F $f "$C"/*.pcap 2>&1)
	expect_eq "small ring, $f: same records" \
		"$(grep -v '^  note: ' <<<"$b" | norm)" "$(norm <<<"$a")"
done
# Transaction keys of 12000 INVITEs (200/s: 6400 in one window; the key
# set grows while in use): each third one sent again 5000 INVITEs (25 s)
# later, and again 9000 later (45 s: its record is out, but its key is
# still in the older of the two key generations: folded, late).
"$T/gen_capture" invites 12000 "$T/many.pcap"
resend_invites "$T/many.pcap" "$T/many_rtx.pcap" 5000 9000
out=$(rp --summary "$T/many_rtx.pcap" 2>"$T/err")
# resent after 25 s: i = 0, 3, .. 6999 (2334); after 45 s: i < 3000 (1000)
expect_match "many transactions: each retransmission folded" "$(cat "$T/err")" \
	"INVITE transactions +12000 \(3334 retransmissions folded, 1000 late"
expect_eq "many transactions: counts in the records" \
	"$(grep -c '"retransmissions":1' <<<"$out")" 2334

# --- public corpus ---------------------------------------------------------------------
declare -A pinned=(
	[derived-vlan100_sip-wireshark.pcap]=7 [heplify_rtp_rtcp_sip_ipv4_udp.pcap]=2
	[heplify_sip_ipv4_tcp.pcap]=1 [heplify_sip_ipv4_tcp_retrans.pcap]=0
	[heplify_sip_ipv6_udp.pcap]=1 [heplify_sip_sctp.pcap]=1
	[ndpi_sip_hello.pcapng]=0 [pcapplusplus_sip_non_default_port.pcap]=1
	[pcapplusplus_sip_resp.pcap]=0 [sip3_BootstrapTest.pcap]=1
	[sngrep_aaa.pcap]=7 [sngrep_ipip.pcap]=1
	[suricata-verify_public-cloudshark-sip-s0.pcap]=2
	[suricata-verify_sip-sdp.pcap]=1
)
have_tshark=$(command -v tshark || true)
seen=0
for f in "$SF_SHARED"/corpus/pcaps/*; do
	[ -f "$f" ] || continue
	b=$(basename "$f")
	seen=$((seen + 1))
	out=$(rp --summary "$f" 2>"$T/err"); rc=$?
	expect_eq "corpus $b: exit 0" "$rc" 0
	n=$(grep -c . <<<"$out")
	expect_eq "corpus $b: INVITE transactions (pinned)" "$n" "${pinned[$b]:-unpinned}"
	if [ -n "$have_tshark" ]; then
		t=$(tshark -r "$f" -Y 'sip.Method == "INVITE"' -T fields \
			-e sip.Call-ID -e sip.CSeq 2>/dev/null | sort -u | grep -c .)
		expect_eq "corpus $b: INVITE transactions = tshark" "$n" "$t"
	fi
	all_json "corpus $b: valid JSON" "$out"
done
expect_eq "corpus present" "$([ "$seen" -ge 14 ] && echo yes)" yes
out=$(rp --summary-only "$SF_SHARED"/corpus/pcaps 2>&1); rc=$?
expect_eq "whole corpus directory merged: exit 0" "$rc" 0

finish
