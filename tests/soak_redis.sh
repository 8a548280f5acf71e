#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# soak_redis.sh - `sipfilter serve` under sustained sipp load while the
# live roaming feed brings SOAK_LIVE_RATE changes/s (default 1000) through
# a real redis-server for SOAK_SECONDS (or SOAK_MINUTES, default 10; `make
# soak-redis`; tests/integration/soak_redis_short.sh runs 20 s of it in
# `make test`), with a reload every SOAK_RELOAD_EVERY s (default 3).
#
#  - the producer (tests/sipp/redis_feed.py) XADDs add/del of 50,000
#    numbers in turn, pipelined every 10 ms;
#  - each reload replaces the roaming file with the one an exporter would
#    write at the stream's current id: the fixture's rows and the numbers
#    the feed has left roaming, under "# stream-id:", so the node applies
#    only the entries after it on the new tables;
#  - sipp sends SOAK_RATE calls/s (default 100) from trunk ipx-carrier-a
#    (tests/sipp/serve_carrier_a.csv: its numbers never change), the UAS
#    checking every forwarded INVITE;
#  - RSS and FDs of serve are sampled every 2 s.
# Pass: zero failed calls, every reload ok, the producer kept its rate
# (>= 95%), a marker entry published after the producer stopped is seen
# within 2 s (the node kept up), sampled numbers are roaming exactly as
# the feed left them (nothing lost, no delete undone), RSS growth after warm-up at most
# SOAK_RSS_SLACK_KB (default 8192 kB: the overlay of 50,000 numbers is
# ~1.6 MB and each reload holds two generations for a moment), FD count
# flat.  A summary with the figures is printed.
set -u
cd "$(dirname "$0")/.."
. tests/integration/lib.sh
. tests/sipp/serve_env.sh
. tests/sipp/soak_lib.sh

secs=${SOAK_SECONDS:-$(( ${SOAK_MINUTES:-10} * 60 ))}
rate=${SOAK_RATE:-100}
live=${SOAK_LIVE_RATE:-1000}
every=${SOAK_RELOAD_EVERY:-3}
slack=${SOAK_RSS_SLACK_KB:-8192}
. tests/sipp/redis_env.sh
KEY=sf:soak
redis_start || { not_ok "redis-server starts"; finish; exit 1; }

serve_prepare || { not_ok "serve fixture"; finish; exit 1; }
T=$SF_TMP/tables
cp "$T/roaming.csv" "$SF_TMP/roaming.base"
sed -i "s|^  roaming: tables/roaming.csv\$|&\n  roaming_live: {redis: \"unix:$RSOCK\", stream: \"$KEY\"}|" "$SF_TMP/serve.yaml"
serve_launch || { not_ok "serve starts"; finish; exit 1; }
uas_start uas serve_uas.xml "$SF_PORT_CORE"

python3 tests/sipp/redis_feed.py "$RSOCK" "$KEY" "$live" "$secs" >"$SF_TMP/feed.out" 2>&1 &
FEED=$!
_pids+=("$FEED")
calls=$((rate * secs))
timeout $((secs + 120)) sipp -sf "$SIPP_DIR/serve_uac.xml" \
	-inf "$SIPP_DIR/serve_carrier_a.csv" -i 127.0.0.2 -p "$(sf_port 174)" \
	"127.0.0.1:$SF_PORT_PROXY" -m "$calls" -r "$rate" -l $((rate * 4)) -nostdin \
	-timeout $((secs + 60)) -trace_err -error_file "$SF_TMP/load.err" \
	>"$SF_TMP/load.out" 2>&1 &
LOAD=$!
_pids+=("$LOAD")

t0=$SECONDS
reloads=0 reload_fail=0 next_reload=$((t0 + every)) next_sample=$t0
warm_at=$((t0 + (secs / 5 > 6 ? secs / 5 : 6)))
rss0= fd0= rss_warm= fd_warm= samples=() post=()
while kill -0 "$LOAD" 2>/dev/null && [ $((SECONDS - t0)) -lt $((secs + 90)) ]; do
	now=$SECONDS
	if [ "$now" -ge "$next_sample" ]; then
		r=$(rss); f=$(fds)
		[ -z "$rss0" ] && rss0=$r fd0=$f
		if [ -z "$rss_warm" ] && [ "$now" -ge "$warm_at" ]; then
			rss_warm=$r fd_warm=$f
		fi
		[ -n "$rss_warm" ] && post+=("$r")
		samples+=("$((now - t0))s:${r}kB/${f}fd")
		next_sample=$((now + 2))
	fi
	if [ "$now" -ge "$next_reload" ] && [ $((now - t0)) -lt "$secs" ]; then
		rc_ XINFO STREAM "$KEY" >"$SF_TMP/xinfo"
		python3 tests/sipp/redis_feed.py export "$SF_TMP/xinfo" \
			"$SF_TMP/roaming.base" "$T/.roaming.tmp"
		mv "$T/.roaming.tmp" "$T/roaming.csv"
		if ctl reload >"$SF_TMP/reload.last"; then
			reloads=$((reloads + 1))
		else
			reload_fail=$((reload_fail + 1))
			cat "$SF_TMP/reload.last"
		fi
		next_reload=$((now + every))
	fi
	sleep 0.2
done
wait "$LOAD"; rc=$?
wait "$FEED"
feed=$(cat "$SF_TMP/feed.out")
rc_ XADD "$KEY" '*' op add number 77015569999 visited TR >/dev/null
marker=$(python3 "$SIPP_DIR/sfctl.py" wait "$CTL" 77015569999 True)
sent=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["sent"])' "$feed" 2>/dev/null)
state=$(python3 tests/sipp/redis_feed.py check "$CTL" "${sent:-0}"); state_rc=$?
elapsed=$((SECONDS - t0))
r_end=$(rss); f_end=$(fds)
s=$(ctl stats)
read -r succ failed < <(sipp_calls "$SF_TMP/load.out")
: "${rss_warm:=$rss0}" "${fd_warm:=$fd0}"
post+=("$r_end")
growth=$(rss_growth "$rss_warm" "${post[@]}")

echo "soak (Redis feed) summary"
echo "  length        ${elapsed} s (load ${secs} s), ${rate} calls/s"
echo "  live feed     ${feed} (target ${live}/s); applied $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["roaming_live"]["applied"])' "$s")"
echo "  reloads       ${reloads} ok, ${reload_fail} failed (every ${every} s)"
echo "  marker        seen ${marker} ms after it was published"
echo "  final state   ${state}"
echo "  calls         ${succ:-?} successful, ${failed:-?} failed (sipp exit ${rc})"
echo "  RSS           start ${rss0} kB, after warm-up ${rss_warm} kB, end ${r_end} kB, growth after warm-up ${growth} kB"
echo "  FDs           start ${fd0}, after warm-up ${fd_warm}, end ${f_end}"
echo "  samples       ${samples[*]}"

expect_eq "soak-redis: sipp exit 0 (no failed or unexpected call)" "$rc" 0
expect_eq "soak-redis: failed calls" "${failed:-?}" 0
expect_eq "soak-redis: every call of the run completed" "${succ:-?}" "$calls"
expect_json "soak-redis: the producer kept >= 95% of ${live}/s, no XADD error" "$feed" \
	"d['rate'] >= 0.95 * $live and d['errors'] == 0"
expect_eq "soak-redis: every reload ok" "$reload_fail" 0
expect_match "soak-redis: reloads happened" "$reloads" '^[1-9][0-9]*$'
expect_match "soak-redis: the node kept up (marker seen within 2 s)" "$marker" '^[0-9]+$'
[ "$marker" != timeout ] && [ "$marker" -gt 2000 ] && not_ok "soak-redis: marker within 2 s" "took $marker ms"
expect_eq "soak-redis: the node's roaming state is the feed's (nothing lost, nothing applied twice)" "$state_rc" 0
if [ "$growth" -le "$slack" ]; then ok "soak-redis: RSS flat after warm-up (+${growth} kB <= ${slack} kB)"
else not_ok "soak-redis: RSS flat after warm-up" "grew ${growth} kB > ${slack} kB"; fi
expect_eq "soak-redis: FD count flat" "$f_end" "$fd_warm"
expect_json "soak-redis: feed connected, no errors" "$s" \
	"d['roaming_live']['connected'] and d['roaming_live']['errors'] == 0"
kill "$SERVE_PID"; wait "$SERVE_PID"
expect_eq "soak-redis: serve exits 0" "$?" 0
finish
