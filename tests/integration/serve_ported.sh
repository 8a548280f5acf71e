#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# serve_ported.sh - mobile number portability in `sipfilter serve`, with
# real sipp calls from an international trunk:
#  - before a ported table: a number of our range (not roaming) is
#    rejected, one of Operator B's range allowed;
#  - `tables.ported` added and reloaded: the same number, ported out
#    (a subscriber of another operator, roaming abroad), is allowed; the
#    other, ported in and not roaming, is rejected; ported in and roaming
#    is allowed;
#  - ctl lookup shows the ported status; a broken ported file is refused
#    with file:line:col and the loaded one keeps deciding; a restart
#    with the ported config decides the same;
#  - the shrink guard: a ported file cut to one row is refused by `ctl
#    reload` and taken by `ctl reload --force`, which logs the rows
#    before and after; `--force` goes with reload only.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

serve_prepare || { not_ok "serve fixture"; finish; exit 1; }
cat >"$SF_TMP/tables/ported.csv" <<'CSV'
# number,operator,ported_on (an MNP export)
77015557001,Operator B,2024-03-01
77055557002,Example Mobile,2024-03-02
77055557003,Example Mobile,2024-03-03
CSV
echo "77055557003,TR" >>"$SF_TMP/tables/roaming.csv"
serve_launch || { not_ok "serve starts"; finish; exit 1; }
uas_start uas serve_uas.xml "$SF_PORT_CORE"

uac before 127.0.0.2 $(sf_port 161) serve_ported_before.csv 2
expect_eq "no ported table: our-range number rejected, B's allowed (sipp)" "$?" 0

python3 - "$SF_TMP/serve.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("  roaming: tables/roaming.csv\n",
              "  roaming: tables/roaming.csv\n"
              "  ported:\n"
              "    file: tables/ported.csv\n"
              "    home_operators: [\"Example Mobile\"]\n", 1)
open(p, "w").write(s)
PY
r=$(ctl reload)
expect_json "reload with tables.ported: ok" "$r" "d['ok']"
expect_json "ctl stats counts the ported rows" "$(ctl stats)" \
	"d['tables']['ported_rows']==3"

uac after 127.0.0.2 $(sf_port 162) serve_ported_after.csv 3
expect_eq "ported out allowed, ported in (not roaming) rejected, ported in roaming allowed (sipp)" "$?" 0

r=$(ctl lookup 77015557001 --trunk ipx-carrier-a)
expect_json "ctl lookup: ported out, Operator B's, domestic-other" "$r" \
	"d['ported']=='out' and d['operator']=='Operator B' and d['class']=='domestic-other'"
r=$(ctl lookup 77055557002 --trunk ipx-carrier-a)
expect_json "ctl lookup: ported in, home-mobile, rejected" "$r" \
	"d['ported']=='in' and d['class']=='home-mobile' and d['rule']=='home-mobile-not-roaming'"

cp "$SF_TMP/tables/ported.csv" "$SF_TMP/ported.good"
printf '77015557009,\n' >>"$SF_TMP/tables/ported.csv"
r=$(ctl reload); rc=$?
expect_eq "broken ported file: ctl reload exits 1" "$rc" 1
expect_json "broken ported file: file:line:col in the answer" "$r" \
	"not d['ok'] and 'ported.csv:5:13:' in d['error'] and 'missing operator' in d['error']"
uac kept 127.0.0.2 $(sf_port 163) serve_ported_after.csv 3
expect_eq "refused reload: the loaded ported table still decides (sipp)" "$?" 0
cp "$SF_TMP/ported.good" "$SF_TMP/tables/ported.csv"

kill "$SERVE_PID"; wait "$SERVE_PID"
expect_eq "serve exits 0" "$?" 0
serve_launch || { not_ok "serve restarts with the ported config"; finish; exit 1; }
uac restarted 127.0.0.2 $(sf_port 164) serve_ported_after.csv 3
expect_eq "restart: the ported table decides from the start (sipp)" "$?" 0
j=$("$SIPFILTER" lookup -c "$SF_TMP/serve.yaml" --trunk ipx-carrier-a --json 77055557002)
expect_json "sipfilter lookup agrees with serve" "$j" \
	"d['ported']=='in' and d['rule']=='home-mobile-not-roaming'"

# shrink guard, and --force past it
cp "$SF_TMP/tables/ported.csv" "$SF_TMP/ported.good"
grep -v '^77055' "$SF_TMP/ported.good" >"$SF_TMP/tables/ported.csv"
r=$(ctl reload); rc=$?
expect_eq "ported table 3 -> 1 rows: reload refused (exit 1)" "$rc" 1
expect_json "  ... by the shrink guard" "$r" \
	"not d['ok'] and 'ported table would shrink from 3 to 1 rows' in d['error']"
r=$(ctl reload --force); rc=$?
expect_eq "ctl reload --force: exit 0" "$rc" 0
expect_json "  ... ok, forced, 1 ported row" "$r" \
	"d['ok'] and d['forced'] and d['tables']['ported_rows']==1"
expect_match "  ... logged with the rows before and after" "$(cat "$SF_TMP/serve.err")" \
	'reload forced past the shrink guard \(ctl reload --force\): rows .*ported 3 -> 1'
r=$(ctl lookup 77055557002 --trunk ipx-carrier-a)
expect_json "  ... and the new table decides (no longer ported)" "$r" "d['ported']=='no'"
"$SIPFILTER" ctl -s "$CTL" stats --force >/dev/null 2>"$SF_TMP/f.err"; rc=$?
expect_eq "--force with another command: usage error (exit 2)" "$rc" 2
expect_match "  ... says so" "$(cat "$SF_TMP/f.err")" "--force does not go with 'stats'"
finish
