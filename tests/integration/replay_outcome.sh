#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# replay_outcome.sh - what happened to each call `sipfilter replay`
# judged: the call-outcome fields of its records and the outcomes per
# rule in the summary, over every call flow shape
# (tests/fixtures/replay/gen_flows.c: answered, rejected, cancelled, 3xx,
# retransmitted final responses, forked 18x, BYE from either side, a call
# longer than the record window, a 407 then an answered INVITE, no
# response, ringing past the ring timeout, a capture that ends mid-call
# and mid-ring); the order of records; the same outcomes whatever the
# record ring and call table sizes (early exits and evictions, bounded
# state); and the memory bound on many long calls.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh
. tests/tools/replay_gen.sh
replay_setup || { finish; exit 1; }
"$T/gen_flows" flows "$T/flows.pcap"

rp() { "$SF" replay -c "$CFG" --no-progress "$@"; }

out=$(rp --summary "$T/flows.pcap" 2>"$T/sum")
expect_eq "exit 0" "$?" 0
printf '%s\n' "$out" >"$T/flows.jsonl"

# check NAME CALL-ID PYTHON-EXPR: the record of CALL-ID (d; the only
# one, or the CSeq-th with "#N" after the Call-ID) satisfies EXPR
check() {
	local name=$1 cid=$2 expr=$3
	if python3 - "$T/flows.jsonl" "$cid" "$expr" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cid, nth = (sys.argv[2].split('#') + ['1'])[:2]
mine = [r for r in recs if r['call_id'] == cid + '@flow']
d = mine[int(nth) - 1]
if not eval(sys.argv[3]):
    print(json.dumps({k: d[k] for k in list(d)[26:]}), file=sys.stderr)
    sys.exit(1)
EOF
	then ok "$name"; else not_ok "$name" "$cid: $expr"; fi
}

check "answered: code, reason, ringing and answer times, 70 s, caller hung up" answered \
	'd["outcome"] == "answered" and d["outcome_status"] == "complete" and d["final_code"] == 200 and d["final_reason"] == "OK" and d["answered"] is True and d["cancelled"] is False and d["to_18x_ms"] == 1000 and d["to_final_ms"] == 5000 and d["duration_ms"] == 70000 and d["ended_by"] == "caller"'
check "rejected: 486 Busy Here, no 18x, no duration" rejected \
	'd["outcome"] == "rejected" and d["final_code"] == 486 and d["final_reason"] == "Busy Here" and d["answered"] is False and d["to_18x_ms"] is None and d["to_final_ms"] == 2000 and d["duration_ms"] is None and d["ended_by"] is None'
check "cancelled: CANCEL then 487" cancelled \
	'd["outcome"] == "cancelled" and d["cancelled"] is True and d["final_code"] == 487 and d["final_reason"] == "Request Terminated" and d["to_18x_ms"] == 1000 and d["to_final_ms"] == 8020 and d["answered"] is False'
check "3xx: redirected" redirected \
	'd["outcome"] == "redirected" and d["final_code"] == 302 and d["final_reason"] == "Moved Temporarily" and d["to_final_ms"] == 500'
check "retransmitted 2xx: the first one counts" retrans-2xx \
	'd["outcome"] == "answered" and d["to_final_ms"] == 3000 and d["duration_ms"] == 17000'
check "retransmitted 486: the first one counts" retrans-486 \
	'd["outcome"] == "rejected" and d["final_code"] == 486 and d["to_final_ms"] == 1000'
check "forked: first 18x of any fork, the answering fork's BYE (another fork's BYE ignored)" forked \
	'd["outcome"] == "answered" and d["to_18x_ms"] == 1000 and d["to_final_ms"] == 4000 and d["duration_ms"] == 26000 and d["ended_by"] == "caller"'
check "BYE from the callee" callee-bye \
	'd["outcome"] == "answered" and d["duration_ms"] == 40000 and d["ended_by"] == "callee"'
check "call longer than the record window: printed at its BYE" long \
	'd["outcome"] == "answered" and d["duration_ms"] == 198000 and d["outcome_status"] == "complete"'
check "407 then a new INVITE: the first transaction rejected" 'auth#1' \
	'd["outcome"] == "rejected" and d["final_code"] == 407'
check "407 then a new INVITE: the second answered, its own BYE" 'auth#2' \
	'd["outcome"] == "answered" and d["to_final_ms"] == 1000 and d["duration_ms"] == 5000'
check "no response at all: Timer B" no-response \
	'd["outcome"] == "no-response" and d["outcome_status"] == "complete" and d["final_code"] is None and d["final_reason"] is None and d["answered"] is False and d["to_final_ms"] is None'
check "ringing past --ring-timeout: given up" ring-timeout \
	'd["outcome"] == "unanswered" and d["outcome_status"] == "timeout" and d["to_18x_ms"] == 500'
check "capture ends mid-call: answered, no duration" mid-call \
	'd["outcome"] == "answered" and d["outcome_status"] == "capture-ended" and d["duration_ms"] is None and d["ended_by"] is None'
check "capture ends while ringing" mid-ring \
	'd["outcome"] == "unanswered" and d["outcome_status"] == "capture-ended"'

expect_eq "every record: the same keys in the same order" "$(python3 -c '
import json, sys
print(len({tuple(json.loads(l)) for l in sys.stdin}))' <"$T/flows.jsonl")" 1

# Order: records whose outcome is known when their 32 s window closes come
# in INVITE order; later ones when their outcome comes; the parked calls
# at the end.
expect_eq "record order" "$(python3 -c '
import json, sys
print(" ".join(json.loads(l)["call_id"].split("@")[0] for l in sys.stdin))' <"$T/flows.jsonl")" \
	"rejected cancelled redirected retrans-2xx answered retrans-486 forked callee-bye auth auth no-response long ring-timeout mid-call mid-ring"
expect_eq "same input, same output" "$(rp "$T/flows.pcap" | md5sum)" "$(md5sum <"$T/flows.jsonl")"

sum=$(cat "$T/sum")
expect_match "summary: outcomes" "$sum" "call outcomes +answered 7, rejected 3, redirected 1, cancelled 1, unanswered 2, no-response 1"
expect_match "summary: status" "$sum" "outcome status +complete 12, timeout 1, evicted 0, capture-ended 2, untracked 0"
expect_match "summary: per rule" "$sum" \
	"home-mobile-not-roaming +reject +9 calls: 5 answered \(2 over a minute, 1 still up\), 2 rejected, 1 cancelled, 1 no-response"
expect_match "summary: what blocking means" "$sum" \
	"the reject rules would block 9 calls, of which 5 were answered, 2 lasted over a minute"
expect_match "summary: the stray BYE counted" "$sum" "0 INVITE responses and 1 BYEs matched no call"

# --ring-timeout / --call-timeout
out=$(rp --ring-timeout 10m --call-timeout 60s "$T/flows.pcap")
expect_json "--ring-timeout 10m: still ringing at the end" "$(grep ring-timeout@ <<<"$out")" \
	'd["outcome_status"] == "capture-ended"'
expect_json "--call-timeout 60s: the 198 s call given up" "$(grep '"long@' <<<"$out")" \
	'd["outcome_status"] == "timeout" and d["duration_ms"] is None and d["outcome"] == "answered"'
expect_rc 2 "bad --ring-timeout" rp --ring-timeout 5x "$T/flows.pcap"

# Bounded state: a ring of one record (every record leaves early and is
# parked) and a call table of 4 states (calls evicted) keep every record;
# with the ring of one the outcomes are the same.
strip() { python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    print(d["call_id"], d["outcome"], d["final_code"], d["duration_ms"], d["to_18x_ms"], d["outcome_status"])' | sort; }
a=$(strip <"$T/flows.jsonl")
b=$(SIPFILTER_REPLAY_RING=1:0 rp "$T/flows.pcap" | strip)
expect_eq "ring of one record: the same outcomes" "$b" "$a"
out=$(SIPFILTER_REPLAY_CALLS=4:0 rp --summary "$T/flows.pcap" 2>"$T/err")
expect_eq "call table of 4: every record printed" "$(grep -c . <<<"$out")" 15
expect_match "call table of 4: evictions said" "$(cat "$T/err")" "note: [0-9]+ calls given up before their outcome was known \(call table full: 4 calls"
expect_json "call table of 4: an evicted call says so" "$(grep '"answered@' <<<"$out")" \
	'd["outcome_status"] == "evicted" and d["outcome"] == "answered" and d["duration_ms"] is None'

# CSV and text carry the outcome too.
csv=$(rp -F csv "$T/flows.pcap")
if python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
h = rows[0]
assert h[-11:] == ["retransmissions", "outcome", "outcome_status", "final_code", "final_reason", "answered", "cancelled", "to_18x_ms", "to_final_ms", "duration_ms", "ended_by"], h
assert all(len(r) == len(h) for r in rows)
d = {r[4]: dict(zip(h, r)) for r in rows[1:]}
a = d["answered@flow"]
assert a["final_code"] == "200" and a["duration_ms"] == "70000" and a["answered"] == "true", a
n = d["no-response@flow"]
assert n["final_code"] == "" and n["outcome"] == "no-response", n' <<<"$csv"
then ok "csv: outcome columns"; else not_ok "csv: outcome columns" "$(head -2 <<<"$csv")"; fi
expect_match "text: outcome" "$(rp -F text "$T/flows.pcap")" \
	"reject by home-mobile-not-roaming -> answered 200 OK, 18x 1.000s, final 5.000s, up 70.000s, BYE by caller"

# Memory: 30000 calls of 90 s, 10 ms apart (9000 up at once, each record
# parked past its 32 s window): every outcome complete, and the peak RSS
# stays under the bound (call table + parked lines + the rest).
"$T/gen_flows" calls 30000 "$T/many.pcap"
/usr/bin/time -f '%M' -o "$T/rss" "$SF" replay -c "$CFG" --no-progress \
	--summary "$T/many.pcap" >"$T/many.jsonl" 2>"$T/err"
expect_eq "30000 long calls: every record" "$(grep -c '"outcome":"answered","outcome_status":"complete"' "$T/many.jsonl")" 30000
expect_match "30000 long calls: peak calls followed" "$(cat "$T/err")" "peak (9[0-9]{3}|1[0-2][0-9]{3}) calls followed"
rss=$(tail -1 "$T/rss")
expect_eq "30000 long calls: peak RSS under 160 MB ($rss kB)" "$((rss < 160000))" 1
out=$(SIPFILTER_REPLAY_CALLS=2048:0 /usr/bin/time -f '%M' -o "$T/rss2" \
	"$SF" replay -c "$CFG" --no-progress --summary "$T/many.pcap" 2>"$T/err" | grep -c .)
expect_eq "30000 long calls, table of 2048: every record still printed" "$out" 30000
expect_match "...the table's bound held (evictions)" "$(cat "$T/err")" "peak 2048 calls followed"
out=$("$SF" replay -c "$CFG" --no-progress --summary --max-calls 1024 "$T/many.pcap" 2>"$T/err" | grep -c .)
expect_eq "--max-calls 1024: every record" "$out" 30000
expect_match "--max-calls 1024: the table of 1024, calls evicted" "$(cat "$T/err")" \
	"calls given up before their outcome was known \(call table full: 1024 calls, 524288 bytes\)"
expect_rc 2 "--max-calls below 1024" rp --max-calls 10 "$T/flows.pcap"

finish
