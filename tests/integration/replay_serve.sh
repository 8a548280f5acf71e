#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# replay_serve.sh - replay predicts serve.  Every capture the tests use
# (the generated ones of replay.sh) and every capture in
# $SF_SHARED/corpus/pcaps goes through `sipfilter replay` and through the
# proxy's own message handler (build/tools/serve_outcomes: the same
# decoder, then sf_proxy_handle() on the same bytes from the same source);
# for every INVITE transaction the outcome (applied, rule, code) must be
# the same.  The generated captures include every shape of INVITE the
# edge decides on (To-tags, method case, Routes, Max-Forwards, malformed,
# emergency, anonymous, from every kind of trunk and an unknown source)
# and 3000 ordinary calls.  Three configs:
#   - the bundled example as frozen in tests/fixtures/engine (captured
#     sources mostly match no trunk: unknown_source decides);
#   - the edge fixture (a secret, so Record-Route tokens verify alike);
#   - that example with ipx-carrier-a matching every address, so the
#     rules themselves decide for the public captures; and replay
#     --assume-trunk ipx-carrier-a on the plain example must say the same;
#   - that one with a ported table (tables.ported) over a third of the
#     3000 calls' numbers, ported in and out, so portability decides
#     some verdicts: replay and serve must still agree.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh

SF=$SIPFILTER
TOOL=$SF_ROOT/$BUILD/tools/serve_outcomes
FIX=tests/fixtures/replay
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

[ -x "$TOOL" ] || { not_ok "serve_outcomes built" "$TOOL"; finish; exit 1; }
${CC:-cc} -std=c11 -D_GNU_SOURCE -I. -O1 -o "$T/gen_capture" \
	"$FIX/gen_capture.c" capture/sf_pcapw.c capture/sf_hep.c \
	base/sf_addr.c base/sf_err.c -lz || { not_ok "build gen_capture"; finish; exit 1; }
mkdir -p "$T/cap"
"$T/gen_capture" scenarios "$T/cap"
"$T/gen_capture" admission "$T/cap/admission.pcap"   # every INVITE shape
"$T/gen_capture" invites 3000 "$T/cap/invites.pcap"  # volume, every trunk
python3 "$FIX/gen_encap.py" "$T/cap/encap" # tunnels, WebSocket, too-big

EXAMPLE=tests/fixtures/engine/sipfilter.yaml
EDGE=tests/fixtures/edge/edge.yaml
ANY=$T/any.yaml
sed -e "s|tables/|$SF_ROOT/tests/fixtures/engine/tables/|" \
	-e 's|sources: \["127.0.0.2", "::2/128"\]|sources: ["0.0.0.0/0", "::/0"]|' \
	"$EXAMPLE" >"$ANY"
grep -q '0.0.0.0/0' "$ANY" || not_ok "any-source config written"

# compare NAME REPLAY_JSONL TOOL_TSV: equal multisets of
# (src, applied, rule, code); prints the INVITE count on success.
compare() {
	python3 - "$@" <<'PY'
import collections, json, sys
name, rj, st = sys.argv[1:4]
a = collections.Counter()
for line in open(rj):
    if line.strip():
        d = json.loads(line)
        code = 'null' if d['code'] is None else str(d['code'])
        a[(d['src'], d['applied'], d['rule'] or '', code)] += 1
b = collections.Counter(tuple(l.rstrip('\n').split('\t'))
                        for l in open(st) if l.strip())
if a == b:
    print('ok %d' % sum(a.values()))
else:
    only_r = list((a - b).items())[:3]
    only_s = list((b - a).items())[:3]
    print('FAIL replay-only %s serve-only %s' % (only_r, only_s))
PY
}

# ported: numbers of gen_capture's invites (number() there), every third
# one ported, alternately to us and away
PORTED=$T/ported.yaml
python3 - "$T/ported.csv" <<'PY'
import sys
pfx = ["7701", "7702", "7705", "7717", "7727", "7775", "7707", "4915",
       "7778", "7799"]
with open(sys.argv[1], "w") as f:
    for i in range(0, 3000, 3):
        if pfx[i % 10] in ("4915", "7799"):
            continue
        op = "Example Mobile" if i % 2 else "Example Operator B"
        f.write("%s%07d,%s\n" % (pfx[i % 10], (i * 7919) % 10000000, op))
PY
sed "s|^  allow: .*|&\n  ported: {file: $T/ported.csv, home_operators: [\"Example Mobile\"]}|" \
	"$ANY" >"$PORTED"
"$SF" check -c "$PORTED" >/dev/null 2>"$T/c.err" ||
	not_ok "ported config checks" "$(cat "$T/c.err")"

# agree LABEL SERVE_CFG CAPTURE REPLAY_ARGS...: replay (with REPLAY_ARGS)
# and serve_outcomes (on SERVE_CFG) give the same outcomes for CAPTURE;
# one ok/not_ok line; N (the INVITEs compared) is set on success.
agree() {
	local label=$1 scfg=$2 f=$3 rrc src res; shift 3
	"$SF" replay "$@" --no-progress "$f" >"$T/r.jsonl" 2>"$T/r.err"
	rrc=$?
	"$TOOL" "$scfg" "$f" >"$T/s.tsv" 2>"$T/s.err"
	src=$?
	res=$(compare "$(basename "$f")" "$T/r.jsonl" "$T/s.tsv")
	# 0 or 1 (a bad capture) only: two crashes would compare equal
	[ "$rrc" -le 1 ] && [ "$src" -le 1 ] ||
		res="FAIL replay exit $rrc, serve_outcomes exit $src: $(head -c 300 "$T/r.err" "$T/s.err")"
	N=0
	case $res in
	ok*) N=${res#ok }; ok "$label: $(basename "$f"): replay = serve ($N INVITEs)" ;;
	*) not_ok "$label: $(basename "$f"): replay = serve" "$res" ;;
	esac
}

caps=("$T"/cap/*.pcap "$T"/cap/*.pcapng "$T"/cap/encap/*.pcap
      "$SF_SHARED"/corpus/pcaps/*)
total=0
for cfg in "$EXAMPLE" "$EDGE" "$ANY"; do
	for f in "${caps[@]}"; do
		[ -f "$f" ] || continue
		agree "$(basename "$cfg" .yaml)" "$cfg" "$f" -c "$cfg"
		total=$((total + N))
	done
done
expect_eq "INVITE transactions compared (over 500)" "$((total > 500))" 1

# the ported config over the volume capture and the calls: the ported
# status must change verdicts (else this compares nothing new) and
# replay must still say what serve does
for b in calls.pcap admission.pcap invites.pcap; do
	agree ported "$PORTED" "$T/cap/$b" -c "$PORTED"
done
cp "$T/r.jsonl" "$T/ported.jsonl"
"$SF" replay -c "$ANY" --no-progress "$T/cap/invites.pcap" >"$T/plain.jsonl" 2>/dev/null
python3 - "$T/ported.jsonl" "$T/plain.jsonl" >"$T/pc" <<'PY'
import json, sys
p = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
q = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
ins = sum(1 for d in p if d["ported"] == "in")
outs = sum(1 for d in p if d["ported"] == "out")
changed = sum(1 for a, b in zip(p, q) if a["rule"] != b["rule"])
print(ins, outs, changed)
PY
read -r pin pout pchg <"$T/pc"
expect_eq "ported: records say in and out, and verdicts change (in>100, out>100, changed>100)" \
	"$((pin > 100)) $((pout > 100)) $((pchg > 100))" "1 1 1"

# --assume-trunk on the plain example says what serve says when the trunk
# matches every source
for f in "$SF_SHARED"/corpus/pcaps/*; do
	agree --assume-trunk "$ANY" "$f" -c "$EXAMPLE" --assume-trunk ipx-carrier-a
done
finish
