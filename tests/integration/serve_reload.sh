#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# serve_reload.sh - hot reload of `sipfilter serve` under sipp load:
#  - reloads (ctl and SIGHUP) while ~1500 calls run: zero failed calls;
#  - the verdict for a number added to the substitution table switches;
#  - a corrupt table and an over-shrunk table are refused: the old tables
#    keep serving (generation unchanged), the error is in ctl's answer
#    and on stderr.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

notify_listen
export NOTIFY_SOCKET=$SF_TMP/notify.sock
serve_start || { not_ok "serve starts"; finish; exit 1; }
unset NOTIFY_SOCKET
uas_start uas serve_uas.xml "$SF_PORT_CORE"

uac flip_before 127.0.0.2 $(sf_port 111) serve_flip.csv 1
expect_eq "before reload: foreign number allowed" "$?" 0

# Load in the background: stable verdicts (allow/reject/tag/withhold).
timeout 120 sipp -sf "$SIPP_DIR/serve_uac.xml" -inf "$SIPP_DIR/serve_carrier_a.csv" \
	-i 127.0.0.2 -p $(sf_port 112) "127.0.0.1:$SF_PORT_PROXY" -m 1500 -r 300 -l 300 -nostdin \
	-timeout 90 -trace_err -error_file "$SF_TMP/load.err" \
	>"$SF_TMP/load.out" 2>&1 &
LOAD=$!
_pids+=("$LOAD")
for _ in $(seq 100); do   # until the load is flowing (<= 5 s)
	[ "$(stat 'd["received"]["INVITE"]')" -gt 50 ] && break
	sleep 0.05
done

gen0=$(stat 'd["tables"]["generation"]')
echo "4915199990000,regulator-dno,test entry added by serve_reload.sh" \
	>>"$SF_TMP/tables/substitution.csv"
r=$(ctl reload)
expect_json "ctl reload under load: ok, generation +1" "$r" \
	"d['ok'] and d['generation']==$gen0+1"

cp "$SF_TMP/tables/roaming.csv" "$SF_TMP/roaming.good"
echo "not-a-number,TR" >>"$SF_TMP/tables/roaming.csv"
r=$(ctl reload); rc=$?
expect_eq "corrupt roaming table: ctl reload exits 1" "$rc" 1
expect_json "corrupt table: error names file and line, generation kept" "$r" \
	"not d['ok'] and 'roaming.csv:' in d['error'] and d['generation']==$gen0+1"
expect_match "corrupt table: error on stderr" "$(cat "$SF_TMP/serve.err")" \
	'reload failed, keeping generation [0-9]+: .*roaming\.csv:[0-9]+'
cp "$SF_TMP/roaming.good" "$SF_TMP/tables/roaming.csv"

cp "$SF_TMP/tables/substitution.csv" "$SF_TMP/subst.good"
grep '^#' "$SF_TMP/subst.good" >"$SF_TMP/tables/substitution.csv"
r=$(ctl reload)
expect_json "emptied substitution table refused (shrink guard)" "$r" \
	"not d['ok'] and d['generation']==$gen0+1"
cp "$SF_TMP/subst.good" "$SF_TMP/tables/substitution.csv"

kill -HUP "$SERVE_PID"
for _ in $(seq 100); do
	[ "$(stat 'd["reloads"]["ok"]')" -ge 2 ] && break
	sleep 0.05
done
expect_json "SIGHUP reload" "$(ctl stats)" \
	"d['reloads']['ok']==2 and d['reloads']['failed']==2 and d['tables']['generation']==$gen0+2 and d['reloads']['last_ok']"
r=$(ctl reload)
expect_json "third reload under load" "$r" "d['ok']"

wait "$LOAD"; rc=$?
expect_eq "1500 calls during 3 reloads and 2 refused ones: 0 failed (sipp exit)" "$rc" 0
grep -E 'Failed call|Successful call' "$SF_TMP/load.out" | tail -2 | sed 's/^/     /'

uac flip_after 127.0.0.2 $(sf_port 113) serve_flip_after.csv 1
expect_eq "after reload: the number is rejected (known-substitution)" "$?" 0
expect_json "verdict switch counted" "$(ctl stats)" \
	'd["rules"]["known-substitution"]["enforce"]>=1 and d["dropped"]["send"]==0'

kill "$SERVE_PID"; wait "$SERVE_PID"
expect_eq "serve exits 0 on SIGTERM" "$?" 0
n=$(cat "$SF_TMP/notify.log")
expect_match "sd_notify: READY=1 at start" "$n" '^READY=1'
expect_match "sd_notify: RELOADING=1 with MONOTONIC_USEC" "$n" '^RELOADING=1 MONOTONIC_USEC=[0-9]+'
expect_match "sd_notify: STOPPING=1 at exit" "$n" '^STOPPING=1'
finish
