#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The command-line contract of check, lookup and judge: exit codes, output
# shapes, that the bundled example config (config/sipfilter.yaml) checks
# ok, and the RFC 4475/5118 torture messages through `judge` (no crash;
# valid INVITEs judged; invalid ones reported malformed; other methods get
# admission's answer, never a verdict).  Verdicts are pinned on the
# example as frozen in tests/fixtures/engine, so the example may change.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh

SF=$SIPFILTER
EXAMPLE=config/sipfilter.yaml
CFG=tests/fixtures/engine/sipfilter.yaml
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# --- exit codes ----------------------------------------------------------
expect_rc 0 "--version" "$SF" --version
expect_rc 0 "--help" "$SF" --help
expect_rc 2 "no command" "$SF"
expect_rc 2 "unknown command" "$SF" frobnicate
expect_rc 0 "check example" "$SF" check -c "$EXAMPLE"
expect_rc 0 "check the engine fixture" "$SF" check -c "$CFG"
expect_rc 2 "check bad option" "$SF" check --nope
expect_rc 2 "lookup without number" "$SF" lookup -c "$CFG"
expect_rc 2 "lookup unknown trunk" "$SF" lookup -c "$CFG" --trunk nope 123

# --- check ---------------------------------------------------------------
out=$("$SF" check -c "$EXAMPLE")
expect_match "check prints ok" "$out" "config/sipfilter.yaml: ok"
expect_match "check prints plan rows" "$out" "numbering plan +[0-9]+ rows"

cp -r tests/fixtures/engine/tables "$T/tables"
# One validation path: what serve refuses, check refuses, with the line.
sed 's|next_hop: "udp:127.0.0.1:5070"|next_hop: "udp:localhost:5070"|' \
	"$CFG" >"$T/hostname_hop.yaml"
"$SF" check -c "$T/hostname_hop.yaml" >/dev/null 2>"$T/err"; rc=$?
expect_eq "check refuses a next hop serve refuses (exit 2)" "$rc" 2
expect_match "check names the trunk's line" "$(cat "$T/err")" \
	"hostname_hop\.yaml:[0-9]+: error: trunk '[a-z-]+': next hop 'localhost' must be a literal IP"
"$SF" serve -c "$T/hostname_hop.yaml" >/dev/null 2>"$T/err2"; rc=$?
expect_eq "serve refuses it too (exit 2)" "$rc" 2
expect_match "serve says the same words" "$(cat "$T/err2")" \
	"next hop 'localhost' must be a literal IP"

sed 's/^  roaming: /  roamng: /' "$CFG" >"$T/typo.yaml"
"$SF" check -c "$T/typo.yaml" 2>"$T/err"; rc=$?
expect_eq "check typo exit" "$rc" 2
expect_match "check typo message" "$(cat "$T/err")" \
	"typo.yaml:[0-9]+:[0-9]+: error: unknown key 'roamng' in 'tables'; did you mean 'roaming'\\?"

printf '# bad class on line 2\n7701,home-mobil,11,11,x\n' >"$T/tables/numbering-plan.csv"
cp "$CFG" "$T/ok.yaml"
"$SF" check -c "$T/ok.yaml" 2>"$T/err"; rc=$?
expect_eq "check bad table exit" "$rc" 2
expect_match "check bad table names file:line" "$(cat "$T/err")" "numbering-plan.csv:2:"

# --- lookup --------------------------------------------------------------
out=$("$SF" lookup -c "$CFG" 87011234500)
expect_match "lookup normalises" "$out" "87011234500 -> \\+77011234500"
expect_match "lookup names rule" "$out" "rule +home-mobile-not-roaming"
expect_match "lookup explains" "$out" "because +subscriber is not roaming"
expect_match "lookup verdict" "$out" "verdict +reject 603 Network Blocked"

json=$("$SF" lookup -c "$CFG" --json 87011234500)
expect_json "lookup json fields" "$json" \
	'd["number"]=="+77011234500" and d["class"]=="home-mobile" and d["roaming"] is False and d["rule"]=="home-mobile-not-roaming" and d["action"]=="reject" and d["code"]==603 and d["mode"]=="enforce" and d["reason"]!=""'
json=$("$SF" lookup -c "$CFG" --json +77011234567)
expect_json "roaming subscriber allowed" "$json" 'd["roaming"] is True and d["action"]=="allow" and d["visited"]=="TR"'
json=$("$SF" lookup -c "$CFG" --json --called 112 +77011234500)
expect_json "emergency never blocked" "$json" 'd["rule"]=="emergency" and d["applied"]=="allow"'
json=$("$SF" lookup -c "$CFG" --json +77051234567)
expect_json "monitor mode allows" "$json" 'd["mode"]=="monitor" and d["action"]=="tag" and d["applied"]=="allow"'
json=$("$SF" lookup -c "$CFG" --json --trunk kz-interconnect 87011234500)
expect_json "domestic trunk allows" "$json" 'd["action"]=="allow" and d["trunk"]=="kz-interconnect"'
json=$("$SF" lookup -c "$CFG" --json 'x%00y')
expect_json "unparseable" "$json" 'd["rule"]=="cli-unparseable" and d["number"] is None'

# --- judge ---------------------------------------------------------------
printf 'INVITE sip:+77021234567@ims.example.kz SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-j1\r\nMax-Forwards: 70\r\nFrom: <sip:+77011234500@carrier.example>;tag=1\r\nTo: <sip:+77021234567@ims.example.kz>\r\nCall-ID: judge-1@test\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n' >"$T/inv.sip"
json=$("$SF" judge -c "$CFG" --source 127.0.0.2 --json "$T/inv.sip")
expect_json "judge by source" "$json" 'd["call_id"]=="judge-1@test" and d["trunk"]=="ipx-carrier-a" and d["rule"]=="home-mobile-not-roaming" and d["code"]==603 and d["called"]=="+77021234567" and "from" in d and "pai" in d'
json=$("$SF" judge -c "$CFG" --source 127.0.0.5 --json "$T/inv.sip")
expect_json "judge domestic source" "$json" 'd["trunk"]=="kz-interconnect" and d["action"]=="allow"'
expect_rc 1 "judge missing file" "$SF" judge -c "$CFG" "$T/nope.sip"

# Torture corpus: every file gets a verdict and nothing crashes.
tort=$SF_SHARED/corpus/torture
files=("$tort"/rfc4475/*.dat "$tort"/rfc5118/*)
"$SF" judge -c "$CFG" --json "${files[@]}" >"$T/tort.jsonl" 2>"$T/tort.err"; rc=$?
expect_eq "torture judge exit" "$rc" 0
expect_eq "torture one verdict per file" "$(wc -l <"$T/tort.jsonl")" "${#files[@]}"
for f in esc01 inv2543 longreq wsinv; do
	expect_json "valid INVITE $f judged" "$(grep "/$f.dat\"" "$T/tort.jsonl")" 'd["malformed"] is False'
done
for f in lwsstart multi01 ncl insuf clerr lwsruri; do
	expect_json "invalid INVITE $f malformed" "$(grep "/$f.dat\"" "$T/tort.jsonl")" 'd["malformed"] is True and d["rule"]=="malformed"'
done
for f in "$tort"/rfc4475/*.dat; do
	head -c 8 "$f" | grep -q '^INVITE ' && continue
	b=$(basename "$f" .dat)
	expect_json "non-INVITE $b not judged" "$(grep "/$b.dat\"" "$T/tort.jsonl")" 'd["admission"]!="verdict" and "number" not in d'
done

# import-ranges: an export with a BOM, header, ';' and quotes -> plan rows
# that `check` loads and that classify as the ranges say
printf '\xef\xbb\xbfFrom;To;Holder\n77010000000;77018999999;"Example Mobile"\n77019000000;77019999999;"Operator ""B"""\n77050000000;77050999999;Operator C\n' >"$T/ranges.csv"
out=$("$SF" import-ranges --home "Example Mobile" "$T/ranges.csv" 2>"$T/imp.err"); rc=$?
expect_eq "import-ranges exit 0" "$rc" 0
expect_eq "import-ranges rows" "$(grep -v '^#' <<<"$out")" \
"7701,home-mobile,11,11,Example Mobile
77019,domestic-other,11,11,Operator \"B\"
77050,domestic-other,11,11,Operator C"
expect_match "import-ranges warns about the gap" "$(cat "$T/imp.err")" \
	'ranges\.csv:4: gap: 77020000000-77049999999 '
expect_match "import-ranges summary" "$(cat "$T/imp.err")" \
	'3 ranges, 11000000 numbers -> 3 prefixes \(aligned blocks would take 11\); 0 overlaps, 1 gaps'
printf '%s\n' "$out" >"$T/plan.csv"
sed -e "s|^  numbering_plan: .*|  numbering_plan: $T/plan.csv|" \
	-e "s|tables/|$SF_ROOT/tests/fixtures/engine/tables/|" "$CFG" >"$T/imp.yaml"
j=$("$SF" lookup -c "$T/imp.yaml" --json +77019123456)
expect_json "imported plan classifies" "$j" 'd["class"]=="domestic-other" and d["operator"]=="Operator \"B\""'
printf '7701;770;x\n' >"$T/bad.csv"
"$SF" import-ranges "$T/bad.csv" >/dev/null 2>"$T/bad.err"; rc=$?
expect_eq "import-ranges bad row: exit 2" "$rc" 2
expect_match "import-ranges bad row: file:line:col" "$(cat "$T/bad.err")" \
	'bad\.csv:1:6: error: .to. has 3 digits and .from. 4'

finish
