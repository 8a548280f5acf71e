#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# replay_schema.sh - the record schema of `sipfilter replay` holds: the
# JSON Schema shipped in dist/replay-record.schema.json is a valid Draft
# 2020-12 schema, and every record replay prints for every generated
# capture (gen_capture.c scenarios and admission shapes, gen_flows.c call
# flows), for the public corpus, with --diff and with a tiny call table
# validates against it (python3-jsonschema), with every key present and
# in the schema's order; the CSV header has the same columns; --tz moves
# the summary's buckets and times to the zone and leaves records in UTC.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh
. tests/tools/replay_gen.sh
replay_setup || { finish; exit 1; }
SCHEMA=dist/replay-record.schema.json
python3 -c 'import jsonschema' 2>/dev/null ||
	{ not_ok "python3-jsonschema installed (make deps-test)"; finish; exit 1; }
mkdir -p "$T/cap"
"$T/gen_capture" scenarios "$T/cap"
"$T/gen_capture" admission "$T/cap/admission.pcap"
"$T/gen_flows" flows "$T/cap/flows.pcap"
python3 tests/fixtures/replay/gen_encap.py "$T/cap" # tunnels, WebSocket (transport ws)

rp() { "$SF" replay -c "$CFG" --no-progress "$@"; }

# validate NAME FILE: every line of FILE is a record of the schema, keys
# in its order; prints "ok N" or the first failure
validate() {
	python3 - "$SCHEMA" "$2" <<'EOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(schema)
keys = list(schema["properties"])
n = 0
for line in open(sys.argv[2], encoding="utf-8"):
    if not line.strip():
        continue
    d = json.loads(line)
    err = next(iter(v.iter_errors(d)), None)
    if err is not None:
        print("FAIL %s: %s" % (d.get("call_id"), err.message[:300]))
        sys.exit(0)
    if list(d) != keys:
        print("FAIL %s: key order %s" % (d.get("call_id"), list(d)))
        sys.exit(0)
    n += 1
print("ok %d" % n)
EOF
}

check() { # name file
	local res
	res=$(validate "$1" "$2")
	case $res in
	"ok 0") not_ok "$1" "no records" ;;
	ok*) ok "$1: ${res#ok } records valid" ;;
	*) not_ok "$1" "$res" ;;
	esac
}

if python3 -c '
import json, sys, jsonschema
jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' "$SCHEMA"
then ok "the schema is a valid Draft 2020-12 schema"
else not_ok "the schema is a valid Draft 2020-12 schema"; fi

rp "$T"/cap/*.pcap "$T"/cap/*.pcapng >"$T/gen.jsonl" 2>/dev/null
check "generated captures" "$T/gen.jsonl"
rp "$T/cap/admission.pcap" >"$T/adm.jsonl"
check "every INVITE shape (malformed, in-dialog, unknown source...)" "$T/adm.jsonl"
expect_eq "malformed INVITEs among them" "$(grep -c '"malformed":true' "$T/adm.jsonl" | awk '{print ($1 > 0)}')" 1
SIPFILTER_REPLAY_CALLS=4:0 rp "$T/cap/flows.pcap" >"$T/ev.jsonl"
check "call flows, evicted and untracked calls" "$T/ev.jsonl"
expect_match "untracked and evicted among them" "$(cat "$T/ev.jsonl")" '"outcome_status":"untracked".*|"outcome_status":"evicted"'
cp -r tests/fixtures/engine/tables "$T/tables"
python3 tests/tools/monitor_rule.py "$CFG" "$T/other.yaml" home-mobile-not-roaming
rp --diff "$T/other.yaml" "$T/cap/calls.pcap" "$T/cap/flows.pcap" >"$T/diff.jsonl"
check "--diff records" "$T/diff.jsonl"
expect_json "--diff fills other_*" "$(head -1 "$T/diff.jsonl")" \
	'd["other_applied"] == "allow" and d["other_mode"] == "monitor" and d["other_code"] is None and d["code"] == 603'
corpus=("$SF_SHARED"/corpus/pcaps/*)
if [ -f "${corpus[0]}" ]; then
	rp --assume-trunk ipx-carrier-a "${corpus[@]}" >"$T/corpus.jsonl" 2>/dev/null
	check "public corpus" "$T/corpus.jsonl"
fi
expect_json "no value is null, not empty" "$(grep '"pai":null' "$T/gen.jsonl" | head -1)" \
	'd["network"] is None and d["sip_error"] is None and d["other_trunk"] is None'

# CSV: the same columns (but other_reason; the identities after
# sip_error), with and without --diff
want=$(python3 -c '
import json, sys
print(" ".join(sorted(k for k in json.load(open(sys.argv[1]))["properties"] if k != "other_reason")))' "$SCHEMA")
cols() { head -1 | tr -d '\r' | tr ',' '\n' | sort | tr '\n' ' ' | sed 's/ $//'; }
expect_eq "csv header = the schema's keys" "$(rp -F csv "$T/cap/calls.pcap" | cols)" "$want"
expect_eq "csv header with --diff: the same" "$(rp -F csv --diff "$T/other.yaml" "$T/cap/calls.pcap" | cols)" "$want"

# The README's pandas lines keep the numbers strings (where pandas is
# installed: python3-pandas; without dtype read_json makes them integers)
rp "$T/cap/flows.pcap" >"$T/calls.jsonl"
rp -F csv "$T/cap/flows.pcap" >"$T/calls.csv"
for py in python3 /usr/bin/python3; do
	"$py" -c 'import pandas' 2>/dev/null || continue
	got=$(cd "$T" && "$py" -c '
import pandas as pd
nums = {c: str for c in ("number", "called", "network", "presentation", "call_id")}
calls = pd.read_json("calls.jsonl", lines=True, dtype=nums)
calls_csv = pd.read_csv("calls.csv", dtype=str)
print(calls["number"][0], calls_csv["number"][0], calls["final_code"][0])' 2>&1)
	expect_eq "pandas (README): numbers stay strings" "$got" "+77015551111 +77015551111 486.0"
	break
done

# --tz: records stay UTC; the summary's buckets start on the zone's clock
expect_eq "--tz: records unchanged" "$(rp --tz Asia/Almaty "$T/cap/flows.pcap" | md5sum)" \
	"$(rp "$T/cap/flows.pcap" | md5sum)"
sum=$(rp -S --tz Asia/Almaty --bucket 1d "$T/cap/flows.pcap" 2>&1)
expect_match "--tz: time span on the zone's clock" "$sum" \
	"INVITE time span +2023-11-15T04:13:20\+06:00 \.\. 2023-11-15T04:23:25\+06:00"
expect_match "--tz: a day bucket starts at the zone's midnight" "$sum" \
	"    2023-11-15T00:00\+06:00 allow=6 tag=0 reject=9"
sum=$(rp -S --bucket 1d "$T/cap/flows.pcap" 2>&1)
expect_match "without --tz: UTC" "$sum" "    2023-11-14T00:00Z allow=6 tag=0 reject=9"
sum=$(rp -S --tz America/New_York --bucket 1h "$T/cap/flows.pcap" 2>&1)
expect_match "--tz west of UTC" "$sum" "    2023-11-14T17:00-05:00 allow=6"
expect_rc 2 "--tz: unknown zone" rp --tz Mars/Olympus "$T/cap/flows.pcap"
expect_rc 2 "--tz: no path tricks" rp --tz ../../etc/passwd "$T/cap/flows.pcap"

finish
