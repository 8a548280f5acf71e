#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# serve_journal.sh - the local roaming journal (tables.roaming_journal):
# `ctl roaming add/del` without Redis, with a real `sipfilter serve` and
# sipp calls:
#  - each change is answered with its journal position and is in the file
#    when acknowledged; a sipp call from an added number is allowed, one
#    never added is rejected;
#  - the changes survive a reload, and a kill -9 and restart;
#  - a roaming file written at a journal position ("# journal-seq: 2")
#    gets only the entries after it (one before, whose number the file no
#    longer lists, is not applied again) and the journal is compacted;
#    numbering goes on;
#  - a torn last line (killed mid-write) is cut off with a warning, serve
#    starts; a corrupt line in the middle refuses to start (exit 2) naming
#    file:line:col;
#  - `roaming many` (the wire protocol's batch): journalled in order with
#    one write, applied, kept over a kill -9; one bad entry refuses all;
#  - tables.roaming_journal changed in the config on reload: "restart to
#    apply"; with roaming_live added too the reload is refused.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

serve_prepare || { not_ok "serve fixture"; finish; exit 1; }
sed -i 's|^  roaming: tables/roaming.csv$|&\n  roaming_journal: roaming.journal|' "$SF_TMP/serve.yaml"
J=$SF_TMP/roaming.journal
serve_launch || { not_ok "serve starts with a journal"; finish; exit 1; }
uas_start uas serve_uas.xml "$SF_PORT_CORE"
# roaming NUMBER: "True"/"False" as the node sees it (visited too: "True TR")
roaming() {
	ctl lookup "$1" --trunk ipx-carrier-a |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["roaming"], d.get("visited", ""))' |
		sed 's/ $//'
}

r=$(ctl roaming add 77015558002 --visited TR)
expect_json "ctl roaming add: journalled (seq 1)" "$r" \
	"d['ok'] and d['via']=='journal' and d['journal_seq']==1"
r=$(ctl roaming add 77015558004)
expect_json "  ... next one seq 2" "$r" "d['journal_seq']==2"
r=$(ctl roaming del 77011234567)
expect_json "  ... a del of a number in the file seq 3" "$r" "d['journal_seq']==3 and not d['roaming']"
expect_eq "  ... the journal file holds them when acknowledged" "$(cat "$J")" \
"1 add +77015558002 TR
2 add +77015558004
3 del +77011234567"
expect_match "  ... in the stats" "$(ctl stats)" '"roaming_journal":\{"path":"[^"]*roaming.journal","seq":3,"entries":3'
expect_match "  ... and /metrics" "$(metrics)" '^sipfilter_roaming_journal_entries 3$'
uac calls 127.0.0.2 $(sf_port 171) serve_redis.csv 2
expect_eq "sipp: the journalled roaming number allowed, one not roaming rejected" "$?" 0

r=$(ctl reload)
expect_json "reload" "$r" "d['ok']"
expect_eq "  ... 77015558002 still roaming (TR)" "$(roaming 77015558002)" "True TR"
expect_eq "  ... 77015558004 still roaming" "$(roaming 77015558004)" "True"
expect_eq "  ... 77011234567 still deleted" "$(roaming 77011234567)" "False"

kill -9 "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
rm -f "$SF_TMP/ctl.sock"
serve_launch || not_ok "serve restarts after kill -9"
expect_eq "kill -9 and restart: 77015558002 roaming (TR)" "$(roaming 77015558002)" "True TR"
expect_eq "  ... 77015558004 roaming" "$(roaming 77015558004)" "True"
expect_eq "  ... 77011234567 deleted" "$(roaming 77011234567)" "False"
expect_match "  ... replay logged" "$(cat "$SF_TMP/serve.err")" 'roaming_journal: 3 changes replayed \(journal at 3\) in [0-9.]+ s'
uac calls2 127.0.0.2 $(sf_port 172) serve_redis.csv 2
expect_eq "  ... sipp: the same verdicts" "$?" 0

# the roaming file as its writer exports it at journal seq 2: it holds
# 77015558002, and no longer 77015558004 (that roaming ended); seq 3
# (del 77011234567, still in the file) must apply on it, 2 not again
{ echo "# journal-seq: 2"; grep -v '^#' tests/fixtures/serve/tables/roaming.csv
  echo "77015558002,TR"; } >"$SF_TMP/tables/roaming.csv"
r=$(ctl reload)
expect_json "reload of a file written at journal seq 2" "$r" "d['ok']"
expect_eq "  ... the entry before it not applied again (77015558004)" "$(roaming 77015558004)" "False"
expect_eq "  ... the entry after it applied (del 77011234567)" "$(roaming 77011234567)" "False"
expect_eq "  ... the file's own row (77015558002)" "$(roaming 77015558002)" "True TR"
expect_eq "  ... journal compacted to the entries after 2" "$(cat "$J")" \
"# base: 2
3 del +77011234567"
r=$(ctl roaming add 77015558005)
expect_json "  ... numbering goes on (seq 4)" "$r" "d['journal_seq']==4"

# the fast path: many changes in one request (wire protocol)
r=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import sfctl, json; print(json.dumps(sfctl.ask(sys.argv[2], "roaming many add=77015558010/tr del=77015558005 add=+77015558011")))' "$SIPP_DIR" "$CTL")
expect_json "roaming many: 3 changes in one request, journalled (seq 5..7)" "$r" \
	"d['ok'] and d['changes']==3 and d['via']=='journal' and d['journal_seq']==7"
expect_eq "  ... applied (77015558010 TR)" "$(roaming 77015558010)" "True TR"
expect_eq "  ... (77015558005 deleted)" "$(roaming 77015558005)" "False"
expect_eq "  ... journalled in order" "$(tail -n 3 "$J")" "5 add +77015558010 TR
6 del +77015558005
7 add +77015558011"
r=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import sfctl, json; print(json.dumps(sfctl.ask(sys.argv[2], "roaming many add=77015558012 del=77015558010/TR")))' "$SIPP_DIR" "$CTL")
expect_json "  ... one bad entry refuses the request, naming it" "$r" \
	"not d['ok'] and 'entry 2' in d['error'] and 'nothing applied' in d['error']"
expect_eq "  ... nothing applied (77015558012)" "$(roaming 77015558012)" "False"
expect_eq "  ... nothing journalled" "$(tail -n 1 "$J")" "7 add +77015558011"
kill -9 "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
rm -f "$SF_TMP/ctl.sock"
serve_launch || not_ok "serve restarts"
expect_eq "  ... kill -9 and restart: the batch's changes kept (77015558011)" "$(roaming 77015558011)" "True"

# killed mid-write: a last line without its newline
kill -9 "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
rm -f "$SF_TMP/ctl.sock"
printf '8 add +7701555800' >>"$J"
serve_launch || not_ok "serve starts over a torn last line"
expect_match "  ... with a warning naming the file and line" "$(cat "$SF_TMP/serve.err")" \
	'roaming.journal:7: roaming journal: the last line has no end of line'
expect_eq "  ... the torn change not applied (7701555800)" "$(roaming 7701555800)" "False"
expect_eq "  ... the others are (77015558011)" "$(roaming 77015558011)" "True"
r=$(ctl roaming add 77015558006)
expect_json "  ... next entry seq 8, on a line of its own" "$r" "d['journal_seq']==8"
expect_eq "  ... file well formed" "$(tail -n 2 "$J")" "7 add +77015558011
8 add +77015558006"

# a corrupt line in the middle: refused, naming file:line:col
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
cp "$J" "$SF_TMP/journal.good"
sed -i '2s/.*/3 dle +77011234567/' "$J"
"$SIPFILTER" serve -c "$SF_TMP/serve.yaml" >/dev/null 2>"$SF_TMP/bad.err" &
BAD=$!; _pids+=("$BAD")
for _ in $(seq 100); do kill -0 "$BAD" 2>/dev/null || break; sleep 0.05; done
wait "$BAD"; rc=$?
expect_eq "corrupt line in the middle: serve refuses to start (exit 2)" "$rc" 2
expect_match "  ... naming file:line:col" "$(cat "$SF_TMP/bad.err")" \
	'roaming.journal:2:3: error: roaming journal: expected .add. or .del.'
cp "$SF_TMP/journal.good" "$J"
serve_launch || not_ok "serve starts with the journal repaired"

# the journal path changed on reload: kept, said
sed -i 's|roaming_journal: roaming.journal|roaming_journal: other.journal|' "$SF_TMP/serve.yaml"
r=$(ctl reload)
expect_json "journal path changed on reload: applied but for it, 'restart to apply'" "$r" \
	"d['ok'] and any('tables.roaming_journal changed: restart to apply' in x for x in d['warnings'])"
r=$(ctl roaming add 77015558007)
expect_json "  ... changes still go to the running journal (seq 9)" "$r" "d['journal_seq']==9"
expect_eq "  ... no other journal written" "$(ls "$SF_TMP"/other.journal 2>/dev/null)" ""
sed -i 's|^  roaming_journal: other.journal$|&\n  roaming_live: {redis: "127.0.0.1:1", stream: k}|' "$SF_TMP/serve.yaml"
r=$(ctl reload)
expect_json "journal and roaming_live both: reload refused, saying why" "$r" \
	"not d['ok'] and 'exclude each other' in d['error']"
finish
