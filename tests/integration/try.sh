#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The README's first run, as a newcomer types it, on the bundled example
# config (its ports moved to this run's: the example's own 5060/5070
# would collide with a second suite): tests/sipp/serve_uas.xml as the
# next hop, the
# three calls of config/try/calls.csv from trunk ipx-carrier-a through
# tests/sipp/serve_uac.xml - two forwarded (a foreign number, a roaming
# subscriber), one rejected 603 (our subscriber's number, not roaming) -
# and what the README says each shows: sipp's exit status, `ctl stats`,
# and the one verdict log line.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh

SF=$SIPFILTER
T=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

cp -r config/tables "$T/tables"
sed -e "s/:5060\"/:$SF_PORT_PROXY\"/g" -e "s/127.0.0.1:5070/127.0.0.1:$SF_PORT_CORE/g" \
	-e "s|control_socket: .*|control_socket: $T/ctl.sock|" \
	-e "s|metrics: .*|metrics: 127.0.0.1:$SF_PORT_METRICS|" \
	config/sipfilter.yaml >"$T/sipfilter.yaml"
expect_eq "example config with this run's ports" \
	"$(grep -c ':50[67]0\b' "$T/sipfilter.yaml")" 0

"$SF" serve -c "$T/sipfilter.yaml" 2>"$T/serve.err" &
pids+=($!)
for _ in $(seq 100); do "$SF" ctl -s "$T/ctl.sock" ping >/dev/null 2>&1 && break; sleep 0.05; done
sipp -sf tests/sipp/serve_uas.xml -i 127.0.0.1 -p "$SF_PORT_CORE" -m 2 \
	-nostdin -timeout 60 >"$T/uas.out" 2>&1 &
pids+=($!)
sleep 0.3
timeout 60 sipp -sf tests/sipp/serve_uac.xml -inf config/try/calls.csv \
	-i 127.0.0.2 -p "$(sf_port 160)" "127.0.0.1:$SF_PORT_PROXY" -m 3 \
	-nostdin -timeout 30 -trace_err -error_file "$T/uac.err" \
	>"$T/uac.out" 2>&1
rc=$?
expect_eq "sipp: the three calls end as calls.csv expects (exit 0)" "$rc" 0
s=$("$SF" ctl -s "$T/ctl.sock" stats)
expect_json "ctl stats: 3 INVITEs judged: 2 allowed, 1 rejected by home-mobile-not-roaming" "$s" \
	'd["admission"]["verdict"]==3 and d["applied"]["allow"]==2 and d["applied"]["reject"]==1 and d["rules"]["home-mobile-not-roaming"]["enforce"]==1'
sleep 0.2
log=$(grep -c "action=reject" "$T/serve.err")
expect_eq "one verdict log line (the reject)" "$log" 1
expect_match "  ... naming the number, trunk and rule" "$(cat "$T/serve.err")" \
	'77015550000.*ipx-carrier-a.*home-mobile-not-roaming|home-mobile-not-roaming.*77015550000'
finish
