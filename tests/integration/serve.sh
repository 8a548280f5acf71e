#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# serve.sh - `sipfilter serve` end to end with real sipp on loopback.
# sipp UACs bound to 127.0.0.2 (ipx-carrier-a, international),
# 127.0.0.5 (kz-interconnect, trusted domestic), 127.0.0.9 (no trunk) and
# ::1 (core) send one call per CSV row; each row says what must happen
# (reject code, tagged, withheld, untouched) and the sipp scenarios fail
# the call otherwise (the UAS checks the forwarded INVITE).  Counters from
# `ctl stats` must match the CSVs exactly.  UDP, TCP, IPv6, CANCEL,
# OPTIONS health probe, Max-Forwards 0, loops, TCP caps, live roaming
# updates, lookup, metrics.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

serve_start || { not_ok "serve starts"; finish; exit 1; }
ok "serve starts and answers on the control socket"
uas_start uas serve_uas.xml "$SF_PORT_CORE"
uas_start uas_cancel serve_uas_cancel.xml "$SF_PORT_CORE2"

# --- UDP, international trunk: every verdict kind -------------------------
uac carrier_a 127.0.0.2 $(sf_port 101) serve_carrier_a.csv 8
expect_eq "udp carrier-a: 8 calls as expected (sipp exit)" "$?" 0
s=$(ctl stats)
expect_json "udp carrier-a: 3 rejected by the right rules" "$s" \
 'd["rules"]["home-mobile-not-roaming"]["enforce"]==1 and d["rules"]["known-substitution"]["enforce"]==1 and d["rules"]["home-fixed-from-abroad"]["enforce"]==1 and d["sent"]["reject"]==3'
expect_json "udp carrier-a: withheld 1, tagged 1, monitor 1, untouched 2" "$s" \
 'd["rules"]["forwarded-from-abroad"]["enforce"]==1 and d["rules"]["anonymous-from-abroad"]["enforce"]==1 and d["rules"]["other-kz-mobile-from-abroad"]["monitor"]==1 and d["rules"]["none"]["enforce"]==2'
expect_json "udp carrier-a: the 3 ACKs of our rejections absorbed" "$s" \
 'd["acks_absorbed"]==3 and d["received"]["ACK"]==8'
expect_json "udp carrier-a: per-trunk counts" "$s" \
 'd["trunks"]["ipx-carrier-a"]=={"allow":3,"tag":1,"reject":3,"withhold":1}'

# --- trusted domestic trunk: identity mismatch tag, CLI = called ----------
uac kz 127.0.0.5 $(sf_port 102) serve_kz.csv 3
expect_eq "udp kz-interconnect: 3 calls as expected" "$?" 0
s=$(ctl stats)
expect_json "kz-interconnect: mismatch tagged, cli-equals-called rejected" "$s" \
 'd["rules"]["identity-mismatch"]["enforce"]==1 and d["rules"]["cli-equals-called"]["enforce"]==1'

# --- every presented identity is judged (issue: identities) ---------------
uac identities 127.0.0.2 $(sf_port 110) serve_identities.csv 8
expect_eq "identities: PAI/From/PPI/RPID/second PAI each judged, 3 PAIs 400, conflict tagged, verstat dropped (sipp exit)" "$?" 0
expect_json "identities: counted by rule" "$(ctl stats)" \
 'd["rules"]["identity-conflict"]["enforce"]==1 and d["admission"]["bad-identity"]==1'

# --- unknown source: 403 (unknown_source: reject) --------------------------
uac unknown 127.0.0.9 $(sf_port 103) serve_unknown.csv 1
expect_eq "unknown source answered 403" "$?" 0

# --- TCP: the same carrier-a calls over TCP --------------------------------
before=$(stat 'd["sent"]["reject"]')
uac carrier_a_tcp 127.0.0.2 $(sf_port 104) serve_carrier_a.csv 8 -t t1
expect_eq "tcp carrier-a: 8 calls as expected" "$?" 0
expect_eq "tcp carrier-a: 3 more rejections" "$(stat 'd["sent"]["reject"]')" $((before + 3))

# --- IPv6 (core trunk on ::1) ----------------------------------------------
uac v6 ::1 $(sf_port 105) serve_v6.csv 2
expect_eq "udp ipv6: allowed call and cli-equals-called 603" "$?" 0
uac v6tcp ::1 $(sf_port 106) serve_v6.csv 2 -t t1
expect_eq "tcp ipv6: allowed call and cli-equals-called 603" "$?" 0

# --- CANCEL through the proxy (roaming-hub trunk -> UAS on SF_PORT_CORE2) -
timeout 60 sipp -sf "$SIPP_DIR/serve_uac_cancel.xml" -i 127.0.0.4 -p $(sf_port 107) \
	"127.0.0.1:$SF_PORT_PROXY" -m 2 -r 10 -nostdin -timeout 30 -trace_err \
	-error_file "$SF_TMP/cancel.err" >"$SF_TMP/cancel.out" 2>&1
expect_eq "CANCEL: INVITE/180/CANCEL/200/487/ACK, same branch" "$?" 0
expect_json "CANCEL counted" "$(ctl stats)" 'd["received"]["CANCEL"]==2'

# --- OPTIONS health probe, Max-Forwards 0 (loops: edge.sh) ----------------
expect_eq "OPTIONS to the proxy -> 200" \
	"$(python3 $SIPP_DIR/sipraw.py send 127.0.0.2 127.0.0.1 "$SF_PORT_PROXY" $SIPP_DIR/options_proxy.sip 2)" \
	"SIP/2.0 200 OK"
expect_eq "Max-Forwards: 0 -> 483" \
	"$(python3 $SIPP_DIR/sipraw.py send 127.0.0.2 127.0.0.1 "$SF_PORT_PROXY" $SIPP_DIR/invite_mf0.sip 2)" \
	"SIP/2.0 483 Too Many Hops"
expect_eq "unknown source, Max-Forwards 0: 483 (smaller than the request)" \
	"$(python3 $SIPP_DIR/sipraw.py send 127.0.0.9 127.0.0.1 "$SF_PORT_PROXY" $SIPP_DIR/invite_mf0.sip 1)" \
	"SIP/2.0 483 Too Many Hops"

# --- lookup and live roaming updates ---------------------------------------
r=$(ctl lookup 77015550000 --trunk ipx-carrier-a)
expect_json "ctl lookup: home mobile not roaming -> reject" "$r" \
	'd["ok"] and d["rule"]=="home-mobile-not-roaming" and d["action"]=="reject"'
r=$(ctl roaming add 77015550000 --visited TR)
expect_json "ctl roaming add" "$r" 'd["ok"] and d["roaming"]'
uac roaming 127.0.0.2 $(sf_port 108) serve_roaming.csv 1
expect_eq "after roaming add the call is allowed" "$?" 0
r=$(ctl roaming del 77015550000)
expect_json "ctl roaming del" "$r" 'd["ok"] and not d["roaming"]'
r=$(ctl lookup 77015550000 --trunk ipx-carrier-a)
expect_json "ctl lookup after del: rejected again" "$r" 'd["action"]=="reject"'
expect_rc 1 "ctl roaming add of a non-number fails" ctl roaming add not-a-number
expect_rc 1 "ctl lookup on an unknown trunk fails" ctl lookup 77015550000 --trunk nope

# --- TCP caps: connection limit, partial-message deadline, size cap -------
ncaps=0
while read -r name res rest; do
	ncaps=$((ncaps + 1))
	[ "$res" = ok ] && ok "$name" || not_ok "$name" "$res $rest"
done < <(timeout 30 python3 $SIPP_DIR/sipraw.py tcpcaps 127.0.0.1 "$SF_PORT_PROXY" 8 1000)
expect_eq "tcp caps: all 4 checks ran" "$ncaps" 4
expect_json "tcp drops counted (limit, timeout, framing)" "$(ctl stats)" \
 'd["dropped"]["tcp_limit"]>=1 and d["dropped"]["tcp_timeout"]>=1 and d["dropped"]["tcp_framing"]>=1'

# --- metrics ----------------------------------------------------------------
m=$(metrics)
expect_match "metrics: verdicts by trunk, rule, action, mode" "$m" \
	'^sipfilter_verdicts_total\{trunk="ipx-carrier-a",rule="known-substitution",action="reject",mode="enforce"\} 2$'
expect_match "metrics: monitor mode counted" "$m" \
	'rule="other-kz-mobile-from-abroad",action="tag",mode="monitor"\} 2$'
expect_match "metrics: latency histogram" "$m" \
	'^sipfilter_invite_processing_seconds_bucket\{le="\+Inf"\} [1-9]'
expect_match "metrics: table sizes" "$m" '^sipfilter_table_rows\{table="roaming"\} 3$'
if [ -z "$m" ] || grep -qE '\{[^}]*(77[0-9]{9}|127\.0\.0)' <<<"$m"; then
	not_ok "metrics: no numbers or addresses in labels" "$(clip "$m")"
else ok "metrics: no numbers or addresses in labels"; fi

# --- the proxy is still healthy; nothing unexpected was dropped ------------
expect_json "no parse errors, no send failures in the normal flows" "$(ctl stats)" \
	'd["dropped"]["send"]==0 and d["dropped"]["not_ours"]==0 and d["dropped"]["unroutable"]==0'
kill -0 "$SERVE_PID" && ok "serve still running" || not_ok "serve still running"
kill "$SERVE_PID"; wait "$SERVE_PID"
expect_eq "serve exits 0 on SIGTERM" "$?" 0
finish
