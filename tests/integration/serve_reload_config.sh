#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# serve_reload_config.sh - `ctl reload` and SIGHUP reload the config file,
# not only the tables, as one generation:
#  - under a bounded sipp load, a rule's action changes (reject -> tag):
#    zero failed calls, and the verdict switches (at the UAS: the same
#    call is rejected 603 before, forwarded tagged after; in ctl lookup
#    and ctl stats), and the counters keep each call under the action it
#    got (sipfilter_verdicts_total by rule name and action);
#  - a config with a syntax error, an unknown key, a bad rule or an
#    unusable next hop is refused with file:line:col (ctl's answer and
#    the log), the generation is kept, and a call still gets the old
#    verdict;
#  - 10 reloads back to back under load and /metrics scrapes: all ok;
#  - a listen change is applied nowhere but reported ("serve.listen
#    changed: restart to apply", in the answer and the log), while the
#    rest of the same reload applies (SIGHUP).
# Ports: sf_port 301-306 (sipp UAC sources; tests/integration/lib.sh).
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

serve_start || { not_ok "serve starts"; finish; exit 1; }
uas_start uas serve_uas.xml "$SF_PORT_CORE"
Y=$SF_TMP/serve.yaml
cp "$Y" "$SF_TMP/serve.yaml.orig"

# set_action RULE ACTION: rewrites RULE's action in serve.yaml (a reject
# keeps code 603; other actions drop code/phrase/reason).
set_action() {
	python3 - "$Y" "$1" "$2" <<'PY'
import re, sys
path, rule, action = sys.argv[1:]
text = open(path).read()
m = re.search(r'(  - name: %s\n(?:    .*\n)*?)    action: \w+\n(?:    (?:code|phrase|reason): .*\n)*' % re.escape(rule), text)
assert m, rule
new = m.group(1) + '    action: %s\n' % action
if action == 'reject':
    new += '    code: 603\n    phrase: Network Blocked\n    reason: set by serve_reload_config.sh\n'
open(path, 'w').write(text[:m.start()] + new + text[m.end():])
PY
}

lookup_action() { # NUMBER: the action ctl lookup gives on ipx-carrier-a
	ctl lookup "$1" --trunk ipx-carrier-a |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["action"])'
}

uac rule_before 127.0.0.2 $(sf_port 301) serve_rule_reject.csv 1
expect_eq "before: home fixed number from abroad rejected 603 (sipp)" "$?" 0
expect_eq "before: ctl lookup says reject" "$(lookup_action 77171234567)" reject

# Load: every carrier-a verdict but the one the reload changes.
grep -v '^77171234567;' "$SIPP_DIR/serve_carrier_a.csv" >"$SF_TMP/load.csv"
timeout 120 sipp -sf "$SIPP_DIR/serve_uac.xml" -inf "$SF_TMP/load.csv" \
	-i 127.0.0.2 -p $(sf_port 302) "127.0.0.1:$SF_PORT_PROXY" -m 1200 -r 300 -l 300 -nostdin \
	-timeout 90 -trace_err -error_file "$SF_TMP/load.err" \
	>"$SF_TMP/load.out" 2>&1 &
LOAD=$!
_pids+=("$LOAD")
for _ in $(seq 100); do   # until the load is flowing (<= 5 s)
	[ "$(stat 'd["received"]["INVITE"]')" -gt 50 ] && break
	sleep 0.05
done

gen0=$(stat 'd["tables"]["generation"]')
set_action home-fixed-from-abroad tag
r=$(ctl reload)
expect_json "reload under load: rule reject -> tag applied, generation +1, no warning" "$r" \
	"d['ok'] and d['generation']==$gen0+1 and d['warnings']==[]"
expect_eq "ctl lookup now says tag" "$(lookup_action 77171234567)" tag
expect_match "log: reload ok names config and tables" "$(cat "$SF_TMP/serve.err")" \
	"reload ok: generation $((gen0 + 1)) \(config and tables\)"
cp "$Y" "$SF_TMP/serve.yaml.tag"

# Bad configs, each refused whole while the load runs.
bad() { # NAME EXPECTED-REGEX: reload must fail with it; then restore
	local name=$1 want=$2 r rc
	r=$(ctl reload); rc=$?
	expect_eq "$name: ctl reload exits 1" "$rc" 1
	expect_json "$name: refused, generation kept" "$r" \
		"not d['ok'] and d['generation']==$gen0+1"
	expect_match "$name: answer has file:line:col ($want)" "$r" "$want"
	expect_match "$name: log has it" \
		"$(grep 'reload failed' "$SF_TMP/serve.err" | tail -3)" \
		"reload failed, keeping generation $((gen0 + 1)): .*$want"
	expect_eq "$name: the rule still tags (ctl lookup)" "$(lookup_action 77171234567)" tag
	cp "$SF_TMP/serve.yaml.tag" "$Y"
}
printf 'tag:\n  header: [unclosed\n' >>"$Y"
bad "syntax error" 'serve\.yaml:[0-9]+:[0-9]+: error'
sed -i 's/^  numbering_plan:/  blocklsit: x\n  numbering_plan:/' "$Y"
bad "unknown key" "serve\.yaml:[0-9]+:[0-9]+: error: .*blocklsit"
set_action cli-equals-called explode
bad "bad rule action" "serve\.yaml:[0-9]+:[0-9]+: error: .*explode"
sed -i '0,/next_hop: "udp:127.0.0.1:[0-9]*"/s//next_hop: "udp:localhost:5070"/' "$Y"
bad "next hop not a literal IP" "serve\.yaml:[0-9]+: error: .*localhost.*literal IP"

# Generations retired back to back while workers and the metrics thread
# read them: 10 reloads with scrapes in parallel, all ok.
( for _ in $(seq 20); do metrics >/dev/null 2>&1; done ) &
SCRAPE=$!
_pids+=("$SCRAPE")
okn=0
for _ in $(seq 10); do
	ctl reload >/dev/null && okn=$((okn + 1))
done
wait "$SCRAPE"
expect_eq "10 back-to-back reloads under load and scrapes: all ok" "$okn" 10
gen1=$(stat 'd["tables"]["generation"]')
expect_eq "generation counts them" "$gen1" $((gen0 + 11))

uac rule_after_bad 127.0.0.2 $(sf_port 303) serve_rule_tag.csv 1
expect_eq "after the refused configs: the call is still forwarded tagged (sipp, UAS)" "$?" 0

wait "$LOAD"; rc=$?
expect_eq "1200 calls during a config reload and 4 refused ones: 0 failed (sipp exit)" "$rc" 0
grep -E 'Failed call|Successful call' "$SF_TMP/load.out" | tail -2 | sed 's/^/     /'
expect_json "ctl stats: the rule listed with its new action, counting since the change" "$(ctl stats)" \
	'd["rules"]["home-fixed-from-abroad"]["action"]=="tag" and d["rules"]["home-fixed-from-abroad"]["enforce"]==1 and d["reloads"]["failed"]==4 and d["reloads"]["ok"]==11'
m=$(metrics)
expect_match "metrics: the call rejected before the change still counts as reject" "$m" \
	'^sipfilter_verdicts_total\{trunk="ipx-carrier-a",rule="home-fixed-from-abroad",action="reject",mode="enforce"\} 1$'
expect_match "metrics: the call tagged after it counts as tag" "$m" \
	'^sipfilter_verdicts_total\{trunk="ipx-carrier-a",rule="home-fixed-from-abroad",action="tag",mode="enforce"\} 1$'

# A listen change cannot apply live: reported, and the rest of the same
# reload (the rule back to reject) applies.  By SIGHUP this time.
sed -i 's/, "tcp:\[::1\]:[0-9]*"\]/]/' "$Y"
set_action home-fixed-from-abroad reject
: >"$SF_TMP/serve.err.mark"
kill -HUP "$SERVE_PID"
for _ in $(seq 100); do
	[ "$(stat 'd["tables"]["generation"]')" -ge $((gen1 + 1)) ] && break
	sleep 0.05
done
expect_match "SIGHUP: listen change logged as needing a restart" "$(cat "$SF_TMP/serve.err")" \
	'reload: serve\.listen changed: restart to apply'
expect_eq "SIGHUP: the rule change applied" "$(lookup_action 77171234567)" reject
uac rule_back 127.0.0.2 $(sf_port 304) serve_rule_reject.csv 1
expect_eq "after SIGHUP: the call is rejected 603 again (sipp)" "$?" 0
r=$(ctl reload)
expect_json "ctl reload: the listen change still reported as a warning" "$r" \
	"d['ok'] and 'serve.listen changed: restart to apply' in d['warnings']"
uac v6_tcp_kept ::1 $(sf_port 305) serve_v6.csv 2 -t t1
expect_eq "the listener dropped from the config still serves until a restart (tcp [::1])" "$?" 0

m=$(metrics)
expect_match "metrics: back to reject, the reject count continues (2)" "$m" \
	'^sipfilter_verdicts_total\{trunk="ipx-carrier-a",rule="home-fixed-from-abroad",action="reject",mode="enforce"\} 2$'
expect_match "metrics: the tag count stays (1)" "$m" \
	'^sipfilter_verdicts_total\{trunk="ipx-carrier-a",rule="home-fixed-from-abroad",action="tag",mode="enforce"\} 1$'

kill "$SERVE_PID"; wait "$SERVE_PID"
expect_eq "serve exits 0 on SIGTERM" "$?" 0
finish
