#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# replay_discover.sh - `sipfilter replay --discover`: on a generated
# capture with planted substitutions among ordinary traffic
# (tests/fixtures/replay/gen_flows.c discover: fan-out from abroad, a
# range sprayed from one trunk, impossible travel, a one-digit variation
# of a listed number; roaming subscribers, foreign numbers, busy domestic
# callers, slow travel and scattered callers as decoys), the candidate
# rows' precision and recall (both 1 here), their format (commented rows
# of the substitution table, with evidence), and that the thresholds are
# the user's (raising one drops exactly its candidates).
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh
. tests/tools/replay_gen.sh
replay_setup || { finish; exit 1; }
"$T/gen_flows" discover "$T/d.pcap"

disc() { # out-file [options]: candidates written to out-file
	local f=$1; shift
	"$SF" replay -c "$CFG" --no-progress --summary-only --discover "$f" "$@" "$T/d.pcap" 2>"$T/err"
}
# score FILE PLANTED...: "precision recall" of the rows of FILE
score() {
	python3 - "$@" <<'PY'
import re, sys
got = {m[1] for m in (re.match(r"# ([0-9]+\*?),discovered,", l) for l in open(sys.argv[1])) if m}
want = set(sys.argv[2:])
hit = len(got & want)
print("%.2f %.2f %s" % (hit / len(got) if got else 1.0, hit / len(want) if want else 1.0,
                       " ".join(sorted(got ^ want))))
PY
}
planted="77015550001 7701777* 77016662222 77272500001"

disc "$T/c.txt"
expect_eq "exit 0" "$?" 0
expect_eq "precision and recall on planted substitutions" "$(score "$T/c.txt" $planted)" "1.00 1.00 "
expect_match "stderr says how many" "$(cat "$T/err")" "4 candidate substitution rows in"
rows=$(grep -v '^# sipfilter\|^# Review' "$T/c.txt")
expect_eq "every row a commented table row: number_or_prefix,source,evidence" \
	"$(grep -cvE '^# [0-9]+\*?,discovered,[^,].*' <<<"$rows")" 0
expect_match "fan-out evidence" "$rows" "^# 77015550001,discovered,8 calls from abroad to 8 distinct numbers \(trunk ipx-carrier-a"
expect_match "spray evidence: a prefix row" "$rows" "^# 7701777\*,discovered,15 distinct callers in this range from abroad \(trunk ipx-carrier-b\)"
expect_match "travel evidence" "$rows" "^# 77016662222,discovered,presented on a domestic trunk and from abroad \(trunk ipx-carrier-a\) 120 s apart"
expect_match "variation evidence" "$rows" "^# 77272500001,discovered,one digit from 77272500000"
# the rows, uncommented, are a table the loader takes
sed -n 's/^# \([0-9].*\)/\1/p' "$T/c.txt" >"$T/subst.csv"
cp -r tests/fixtures/engine/tables "$T/tables"
cp "$T/subst.csv" "$T/tables/$(basename "$(sed -nE 's/^ *substitution: *"?([^"]+)"?.*/\1/p' "$CFG" | head -1)")"
sed "s|tables/|$T/tables/|" "$CFG" >"$T/with.yaml"
expect_rc 0 "the rows load as a substitution table" "$SF" check -c "$T/with.yaml"

# thresholds are configurable: each raised one drops its candidate
disc "$T/f.txt" --discover-thresholds calls=50,fanout=20
expect_eq "fanout=20: the fan-out row goes" "$(score "$T/f.txt" $planted)" "1.00 0.75 77015550001"
disc "$T/t.txt" --discover-thresholds travel=60s
expect_eq "travel=60s: the travel row goes" "$(score "$T/t.txt" $planted)" "1.00 0.75 77016662222"
disc "$T/s.txt" --discover-thresholds spray=20
expect_match "spray=20: no prefix row" "$(cat "$T/s.txt")" '^[^*]*$'
disc "$T/l.txt" --discover-thresholds fanout=2,travel=3h
expect_eq "looser thresholds: more rows, the planted ones kept" \
	"$(score "$T/l.txt" $planted | cut -d' ' -f2)" "1.00"
expect_rc 2 "bad threshold name" "$SF" replay -c "$CFG" --discover "$T/x" --discover-thresholds nope=1 "$T/d.pcap"
expect_rc 2 "bad threshold value" "$SF" replay -c "$CFG" --discover "$T/x" --discover-thresholds fanout=0 "$T/d.pcap"
expect_rc 1 "unwritable --discover file" "$SF" replay -c "$CFG" --no-progress --summary-only --discover /nonexistent/x "$T/d.pcap"
finish
