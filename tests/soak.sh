#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# soak.sh - `sipfilter serve` under sustained sipp load while its tables
# change under it, for SOAK_MINUTES (default 10; not part of `make test`,
# run it with `make soak`; tests/integration/soak_short.sh runs a 75 s
# form in `make test`).
#
# While a sipp UAC sends SOAK_RATE calls/s from trunk ipx-carrier-a (the
# rows of tests/sipp/serve_carrier_a.csv in turn; the UAS checks every
# forwarded INVITE, the UAC every rejection, so a wrong verdict is a failed
# call):
#  - the roaming and substitution tables (SOAK_ROWS synthetic rows each,
#    default 10^6, plus the fixture rows) are replaced every
#    SOAK_RELOAD_EVERY seconds (default 3) by another generation, written
#    aside and renamed in, as a feed would, and reloaded with `ctl reload`;
#    5% of the synthetic rows differ between generations, the numbers the
#    calls use never do;
#  - `ctl roaming add` / `lookup` / `ctl roaming del` / `lookup` runs in a
#    loop on other home numbers, and each lookup must show the update;
#  - RSS and open FDs of serve are sampled every 5 s.
# Pass: zero failed or unexpected calls, every reload ok, every roaming
# update visible, RSS growth after warm-up under SOAK_RSS_SLACK_KB
# (default 16384), FD count flat.  A summary with the figures is printed.
#
# Environment: SOAK_MINUTES, SOAK_SECONDS (overrides minutes), SOAK_RATE
# (200), SOAK_ROWS (1000000), SOAK_RELOAD_EVERY (3), SOAK_RSS_SLACK_KB.
set -u
cd "$(dirname "$0")/.."
. tests/integration/lib.sh
. tests/sipp/serve_env.sh
. tests/sipp/soak_lib.sh

secs=${SOAK_SECONDS:-$(( ${SOAK_MINUTES:-10} * 60 ))}
rate=${SOAK_RATE:-200}
rows=${SOAK_ROWS:-1000000}
every=${SOAK_RELOAD_EVERY:-3}
slack=${SOAK_RSS_SLACK_KB:-16384}
gens=4

serve_prepare
T=$SF_TMP/tables
mkdir -p "$SF_TMP/gen"
python3 - "$T" "$SF_TMP/gen" "$rows" "$gens" <<'PY'
import sys
tables, out, rows, gens = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
base_r = open(tables + '/roaming.csv').read()
base_s = open(tables + '/substitution.csv').read()
step = max(rows // 20, 1)          # 5% of the rows change per generation
for g in range(gens):
    off = g * step
    with open('%s/roaming.%d.csv' % (out, g), 'w') as f:
        f.write(base_r)
        f.write(''.join('7747%07d,TR\n' % ((i + off) % (2 * rows))
                        for i in range(rows)))
    with open('%s/substitution.%d.csv' % (out, g), 'w') as f:
        f.write(base_s)
        f.write(''.join('7749%07d,regulator-dno,soak generation %d\n'
                        % ((i + off) % (2 * rows), g) for i in range(rows)))
PY
cp "$SF_TMP/gen/roaming.0.csv" "$T/roaming.csv"
cp "$SF_TMP/gen/substitution.0.csv" "$T/substitution.csv"
serve_launch || { not_ok "serve starts with the big tables"; finish; exit 1; }
ok "serve starts with $rows-row roaming and substitution tables"
uas_start uas serve_uas.xml "$SF_PORT_CORE"

calls=$((rate * secs))
timeout $((secs + 120)) sipp -sf "$SIPP_DIR/serve_uac.xml" \
	-inf "$SIPP_DIR/serve_carrier_a.csv" -i 127.0.0.2 -p "$(sf_port 131)" \
	"127.0.0.1:$SF_PORT_PROXY" -m "$calls" -r "$rate" -l $((rate * 4)) -nostdin \
	-timeout $((secs + 60)) -trace_err -error_file "$SF_TMP/load.err" \
	>"$SF_TMP/load.out" 2>&1 &
LOAD=$!
_pids+=("$LOAD")


t0=$SECONDS
reloads=0 reload_fail=0 updates=0 update_bad=0 g=0
next_reload=$((t0 + every)) next_sample=$t0
warm_at=$((t0 + secs / 5 > t0 + 4 * every ? t0 + secs / 5 : t0 + 4 * every))
rss0= fd0= rss_warm= fd_warm= rss_max=0 samples=() post=()
i=0
while kill -0 "$LOAD" 2>/dev/null && [ $((SECONDS - t0)) -lt $((secs + 90)) ]; do
	now=$SECONDS
	if [ "$now" -ge "$next_sample" ]; then
		r=$(rss); f=$(fds)
		[ -z "$rss0" ] && rss0=$r fd0=$f
		if [ -z "$rss_warm" ] && [ "$now" -ge "$warm_at" ]; then
			rss_warm=$r fd_warm=$f
		fi
		[ -n "$rss_warm" ] && [ "$r" -gt "$rss_max" ] && rss_max=$r
		[ -n "$rss_warm" ] && post+=("$r")
		samples+=("$((now - t0))s:${r}kB/${f}fd")
		next_sample=$((now + 5))
	fi
	if [ "$now" -ge "$next_reload" ] && [ $((now - t0)) -lt "$secs" ]; then
		g=$(((g + 1) % gens))
		for tb in roaming substitution; do
			cp "$SF_TMP/gen/$tb.$g.csv" "$T/.$tb.tmp"
			mv "$T/.$tb.tmp" "$T/$tb.csv"
		done
		if ctl reload >"$SF_TMP/reload.last"; then
			reloads=$((reloads + 1))
		else
			reload_fail=$((reload_fail + 1))
			cat "$SF_TMP/reload.last"
		fi
		next_reload=$((now + every))
		continue
	fi
	# Live roaming updates, each checked through a lookup.
	n=$((77015560000 + i % 1000)); i=$((i + 1))
	ctl roaming add "$n" --visited TR >/dev/null || update_bad=$((update_bad + 1))
	ctl lookup "$n" --trunk ipx-carrier-a | grep -q '"action":"allow"' ||
		update_bad=$((update_bad + 1))
	ctl roaming del "$n" >/dev/null || update_bad=$((update_bad + 1))
	ctl lookup "$n" --trunk ipx-carrier-a |
		grep -q '"rule":"home-mobile-not-roaming"' ||
		update_bad=$((update_bad + 1))
	updates=$((updates + 2))
	sleep 0.1
done
wait "$LOAD"; rc=$?
elapsed=$((SECONDS - t0))
r_end=$(rss); f_end=$(fds)
s=$(ctl stats)
read -r succ failed < <(sipp_calls "$SF_TMP/load.out")
: "${rss_warm:=$rss0}" "${fd_warm:=$fd0}"
post+=("$r_end")
growth=$(rss_growth "$rss_warm" "${post[@]}")

echo "soak summary"
echo "  length        ${elapsed} s (load ${secs} s), rate ${rate} calls/s"
echo "  tables        roaming and substitution ${rows} synthetic rows each, $gens generations"
echo "  reloads       ${reloads} ok, ${reload_fail} failed (every ${every} s)"
echo "  roaming upd.  ${updates} live updates, ${update_bad} not visible in lookup"
echo "  calls         ${succ:-?} successful, ${failed:-?} failed (sipp exit ${rc})"
echo "  verdicts      $(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("sent reject %d, forwarded requests %d, dropped send %d" % (d["sent"]["reject"], d["forwarded_requests"], d["dropped"]["send"]))' "$s")"
echo "  RSS           start ${rss0} kB, after warm-up ${rss_warm} kB, max ${rss_max} kB, end ${r_end} kB, growth after warm-up ${growth} kB (peak of later half vs earlier half)"
echo "  FDs           start ${fd0}, after warm-up ${fd_warm}, end ${f_end}"
echo "  samples       ${samples[*]}"

expect_eq "soak: sipp exit 0 (no failed or unexpected call)" "$rc" 0
expect_eq "soak: failed calls" "${failed:-?}" 0
expect_eq "soak: every call of the run completed" "${succ:-?}" "$calls"
expect_eq "soak: every reload ok" "$reload_fail" 0
expect_match "soak: reloads happened" "$reloads" '^[1-9][0-9]*$'
expect_eq "soak: every live roaming update visible" "$update_bad" 0
expect_match "soak: live roaming updates happened" "$updates" '^[1-9][0-9]*$'
if [ "$growth" -le "$slack" ]; then ok "soak: RSS flat after warm-up (+${growth} kB <= ${slack} kB)"
else not_ok "soak: RSS flat after warm-up" "grew ${growth} kB > ${slack} kB"; fi
expect_eq "soak: FD count flat" "$f_end" "$fd_warm"
expect_json "soak: nothing dropped for send errors" "$s" 'd["dropped"]["send"]==0'
kill "$SERVE_PID"; wait "$SERVE_PID"
expect_eq "soak: serve exits 0" "$?" 0
finish
