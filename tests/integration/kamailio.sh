#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# kamailio.sh - the Kamailio module (sipfilter/kamailio/) in Debian's
# kamailio 5.6, on loopback, ports SF_PORT_BASE + 200..238 (lib.sh):
#  - `make kamailio-module` builds sipfilter.so; `kamailio -c` accepts the
#    example script (sipfilter/kamailio/sipfilter.cfg) with it;
#  - differential: the calls of tests/sipp/kam_calls.csv (home mobile from
#    abroad, roaming, substitution, emergency, foreign PAI + home From,
#    withhold, tag, monitor, untrusted verstat, trusted mismatch, unknown
#    source ...) through Kamailio + module and through `sipfilter serve` on
#    the same config and tables: the same answers (code and phrase) and,
#    for forwarded calls, the same identity headers at the UAS;
#  - sipfilter_check("trunk") (X-Trunk in the test config): the named
#    trunk, not the source's; an unknown name gives -5 and a 500;
#  - kamcmd: stats, lookup, roaming_add/del, reload; Kamailio counters
#    and xhttp_prom's /metrics;
#  - a sipp UAC/UAS load (full calls) during which the tables are reloaded
#    and a roaming number added: 0 failed calls; afterwards every Kamailio
#    worker that judged is at the new generation and sees the change (a
#    number rejected before is allowed in every child);
#  - a broken table on reload is refused with file:line, the old tables
#    keep serving;
#  - TCP: the differential calls over TCP to Kamailio give the answers and
#    edits they get over UDP, and a sipp UAC over TCP (-t t1) completes
#    every call;
#  - memory: the tables are in Kamailio's shared memory (every Judy node
#    and table block counted there, none on a heap), the old generations
#    are freed (shm Judy bytes the same after 3 reloads), and with a
#    bigger roaming table the PSS summed over Kamailio's processes grows
#    by about one table per reload at most, not one per child.
# Skips (with a message) only when kamailio cannot be installed, or under
# sanitizers (a sanitized module cannot load into a plain kamailio).
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh

BUILD=${BUILD:-build}
SF=$SIPFILTER
KPORT=$(sf_port 200) SPORT=$(sf_port 201) UASPORT=$(sf_port 210)
SIPP_PORT=$(sf_port 220) SERVE_METRICS=$(sf_port 230) KAM_HTTP=$(sf_port 238)
CHILDREN=4
. tests/sipp/kam_env.sh
ok "make kamailio-module"

# --- the shared config: the serve fixture, next hop = our UAS -------------
kam_config "$KPORT" "$SPORT" "$UASPORT" "$SERVE_METRICS" "$CHILDREN"

if kamailio -c -f "$T/kamailio.cfg" >"$T/check.log" 2>&1; then
	ok "kamailio -c accepts the example script with the module"
else
	not_ok "kamailio -c accepts the example script" "$(tail -8 "$T/check.log")"
fi
# a broken config is refused at start with file:line:col
sed 's/^dialling:/dialing:/' "$T/serve.yaml" >"$T/bad.yaml"
sed "s|$T/serve.yaml|$T/bad.yaml|" "$T/kamailio.cfg" >"$T/kamailio-bad.cfg"
timeout 20 kamailio -f "$T/kamailio-bad.cfg" -DD -E -w "$T" -Y "$T" -P "$T/bad.pid" >"$T/bad.log" 2>&1
expect_eq "kamailio refuses to start on a broken sipfilter config" "$?" 255
expect_match "  ... saying file:line:col" "$(cat "$T/bad.log")" "bad\.yaml:[0-9]+:[0-9]+: error: .*dialing"

# The running instance also serves Prometheus metrics (xhttp_prom on TCP
# KAM_HTTP): the module's counters are Kamailio counters.
python3 - "$T/kamailio.cfg" "$KAM_HTTP" "127.0.0.1:$KPORT" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('disable_tcp=yes', 'tcp_accept_no_cl=yes\nlisten=tcp:127.0.0.1:' + sys.argv[2] +
              '\nlisten=tcp:' + sys.argv[3])
s = s.replace('loadmodule "counters.so"', 'loadmodule "counters.so"\n'
              'loadmodule "xhttp.so"\nloadmodule "xhttp_prom.so"\n'
              'modparam("xhttp_prom", "xhttp_prom_stats", "all")')
s += ('\nevent_route[xhttp:request] {\n\tif ($hu =~ "^/metrics") {\n'
      '\t\tprom_dispatch();\n\t\treturn;\n\t}\n'
      '\txhttp_reply("404", "Not Found", "text/plain", "");\n}\n')
open(p, 'w').write(s)
PY

# ... and, for the trunk-name variant, a request carrying X-Trunk is judged
# with sipfilter_check("$hdr(X-Trunk)") instead of by its source address.
sed -i 's|^\tif (sipfilter_check()) {|\tif (($hdr(X-Trunk) == $null \&\& sipfilter_check()) \|\| ($hdr(X-Trunk) != $null \&\& sipfilter_check("$hdr(X-Trunk)"))) {|' \
	"$T/kamailio.cfg"
grep -q 'sipfilter_check("$hdr(X-Trunk)")' "$T/kamailio.cfg" || not_ok "test config: trunk-name variant in place"

# --- start kamailio and serve ----------------------------------------------
kamailio -f "$T/kamailio.cfg" -DD -E -w "$T" -Y "$T" -P "$T/kamailio.pid" >"$T/kamailio.log" 2>&1 &
KPID=$!
pids+=("$KPID")
"$SF" serve -c "$T/serve.yaml" 2>"$T/serve.err" &
pids+=($!)
ready=0
for _ in $(seq 100); do
	kc sipfilter.stats >/dev/null 2>&1 && "$SF" ctl -s "$T/ctl.sock" -T 2 ping >/dev/null 2>&1 &&
		{ ready=1; break; }
	sleep 0.1
done
if [ $ready != 1 ]; then
	not_ok "kamailio and serve start" "$(tail -5 "$T/kamailio.log")" "$(tail -3 "$T/serve.err")"
	finish
	exit 1
fi
ok "kamailio with the module and serve started"
for p in $(ps -o pid= --ppid "$KPID"); do pids+=("$p"); done

# --- differential -----------------------------------------------------------
python3 tests/sipp/kam_diff.py uas 127.0.0.1 $UASPORT "$T/uas.jsonl" 120 &
UAS=$!
pids+=("$UAS")
for _ in $(seq 50); do [ -e "$T/uas.jsonl" ] && break; sleep 0.05; done
python3 tests/sipp/kam_diff.py calls 127.0.0.1 $KPORT tests/sipp/kam_calls.csv kam >"$T/kam.out"
python3 tests/sipp/kam_diff.py calls 127.0.0.1 $SPORT tests/sipp/kam_calls.csv srv >"$T/srv.out"
python3 tests/sipp/kam_diff.py calls 127.0.0.1 $KPORT tests/sipp/kam_calls.csv tcp 1 tcp >"$T/tcp.out"
n=$(grep -vc '^#' tests/sipp/kam_calls.csv)
expect_eq "differential: every call answered through kamailio" "$(grep -vc ' none' "$T/kam.out")" "$n"
expect_eq "differential: every call answered through serve" "$(grep -vc ' none' "$T/srv.out")" "$n"
if diff "$T/srv.out" "$T/kam.out" >"$T/verdict.diff"; then
	ok "differential: the same answers (code, phrase) for all $n calls"
else
	not_ok "differential: the same answers" "$(cat "$T/verdict.diff")"
fi
if diff "$T/kam.out" "$T/tcp.out" >"$T/tcp.diff"; then
	ok "TCP: the same answers over TCP as over UDP for all $n calls"
else
	not_ok "TCP: the same answers as over UDP" "$(cat "$T/tcp.diff")"
fi
expect_match "  ... and they are the expected ones" "$(tr '\n' '|' <"$T/kam.out")" \
	"home-abroad 0 603 Network Blocked\|roaming 0 200 OK\|substitution 0 603.*emergency 0 200.*foreign-pai-home-from 0 603.*withhold 0 200.*anonymous-tag 0 200.*unknown-source 0 403"
touch "$T/uas.jsonl.stop"
wait "$UAS" 2>/dev/null
python3 - "$T/uas.jsonl" >"$T/edits.cmp" <<'PY'
import json, sys
by = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    proxy, label = r['call_id'].split('-', 1)
    label = label.rsplit('-', 1)[0]
    by.setdefault(label, {})[proxy] = r['edited']
bad = tcp_bad = 0
for label, d in sorted(by.items()):
    same = d.get('kam') == d.get('srv')
    bad += not same
    tcp_same = d.get('tcp') == d.get('kam')
    tcp_bad += not tcp_same
    print('%-22s %s %s' % (label, 'same' if same and tcp_same else 'DIFFERENT',
          '' if same and tcp_same else json.dumps(d)))
print('tcp-forwarded', sum('tcp' in d for d in by.values()), 'different',
      tcp_bad)
print('forwarded', len(by), 'different', bad)
PY
expect_match "differential: the same identity headers at the UAS for every forwarded call" \
	"$(tail -1 "$T/edits.cmp")" "^forwarded [0-9]+ different 0$"
[ "$(tail -1 "$T/edits.cmp" | cut -d' ' -f4)" = 0 ] || cat "$T/edits.cmp"
expect_match "TCP: the same identity headers at the UAS as over UDP" \
	"$(tail -2 "$T/edits.cmp" | head -1)" "^tcp-forwarded [1-9][0-9]* different 0$"
expect_match "  ... tagged: X-Sipfilter and verstat" "$(grep -h kam-anonymous-tag "$T/uas.jsonl")" \
	'"x-sipfilter", "suspect;rule=anonymous-from-abroad".*|verstat=TN-Validation-Failed.*"x-sipfilter"'
expect_match "  ... withheld: anonymous From, Privacy: id" "$(grep -h kam-withhold "$T/uas.jsonl")" \
	'"from", "\\"Anonymous\\" <sip:anonymous@anonymous.invalid>;tag=.*"privacy", "id"'
expect_match "  ... untrusted verstat removed" "$(grep -h kam-verstat-untrusted "$T/uas.jsonl")" \
	'"p-preferred-identity", "<sip:77011234567@carrier.example>"'

# --- sipfilter_check("trunk"): the trunk named, not the source's ----------
printf '%s\n' 'named-intl;127.0.0.9;77015550000;-;77012220002;X-Trunk: ipx-carrier-a' \
	'named-dom;127.0.0.9;77015550000;-;77012220002;X-Trunk: kz-interconnect' \
	'named-bad;127.0.0.2;77011234567;-;77012220002;X-Trunk: no-such-trunk' >"$T/named.csv"
python3 tests/sipp/kam_diff.py uas 127.0.0.1 $UASPORT "$T/uas-named.jsonl" 30 &
UAS=$!
pids+=("$UAS")
for _ in $(seq 50); do [ -e "$T/uas-named.jsonl" ] && break; sleep 0.05; done
r=$(python3 tests/sipp/kam_diff.py calls 127.0.0.1 $KPORT "$T/named.csv" named | tr '\n' '|')
touch "$T/uas-named.jsonl.stop"
expect_match "sipfilter_check(\"trunk\"): an unknown source judged as the international trunk named" \
	"$r" "named-intl 0 603 Network Blocked"
expect_match "  ... and as the domestic trunk named: allowed" "$r" "named-dom 0 200 OK"
expect_match "  ... an unknown trunk name: -5, \$sfv(code) 500" "$r" "named-bad 0 500 Server Internal Error"

# --- RPC ----------------------------------------------------------------------
s=$(kc sipfilter.stats)
expect_match "kamcmd sipfilter.stats: counters and table sizes" "$(tr '\n' ' ' <<<"$s")" "reject: [1-9].*roaming_rows: 3"
expect_match "Kamailio counters (cnt.get_vars sipfilter, xhttp_prom's source)" \
	"$(kc cnt.get_vars sipfilter | tr '\n' ' ')" "reject: [1-9].*tag: [1-9]|tag: [1-9].*reject: [1-9]"
m=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode())' "$KAM_HTTP" 2>&1)
expect_match "Prometheus metrics through xhttp_prom" "$(tr '\n' ' ' <<<"$m")" \
	"kamailio_sipfilter_reject [1-9].*kamailio_sipfilter_withhold [1-9]"
l=$(kc sipfilter.lookup s:77015550000)
expect_match "kamcmd sipfilter.lookup: the verdict as JSON" "$l" '"rule": *"home-mobile-not-roaming"'
expect_match "kamcmd sipfilter.roaming_add: a bad number is refused" \
	"$(kc sipfilter.roaming_add s:hello)" "error: 400.*not a telephone number"

# --- load, reload and roaming change under it ----------------------------
sipp -sf tests/sipp/kam_uas.xml -i 127.0.0.1 -p $UASPORT -nostdin -trace_err \
	-error_file "$T/sipp_uas.err" >"$T/sipp_uas.out" 2>&1 &
upid=$!
pids+=("$upid")
timeout 60 sipp -sf tests/sipp/kam_uac.xml -i 127.0.0.2 -p $SIPP_PORT 127.0.0.1:$KPORT \
	-m 480 -r 60 -l 200 -nostdin -timeout 50 -trace_stat -stf "$T/uac.stat" \
	-trace_err -error_file "$T/uac.err" >"$T/uac.out" 2>&1 &
LOAD=$!
sleep 2 # bounded: let the load reach every child first
echo "77015550002,FR" >>"$T/tables/roaming.csv"
expect_match "kamcmd sipfilter.reload under load" "$(kc sipfilter.reload)" "reloaded: generation 2"
expect_match "kamcmd sipfilter.roaming_add under load" \
	"$(kc sipfilter.roaming_add s:77015550000 s:DE)" "roaming added"
cp "$T/tables/roaming.csv" "$T/roaming.good"
printf '77015550003,FR\nnot-a-number,XX\n' >>"$T/tables/roaming.csv"
r=$(kc sipfilter.reload)
expect_match "a broken table on reload is refused with file:line" "$r" \
	"error: 500 - reload refused, old tables kept: .*roaming\.csv:[0-9]+"
cp "$T/roaming.good" "$T/tables/roaming.csv"
wait "$LOAD"
rc=$?
expect_eq "sipp load through kamailio during reloads: exit 0" "$rc" 0
failed=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "FailedCall(C)") c = i }
	END { print $c }' "$T/uac.stat" 2>/dev/null)
succ=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "SuccessfulCall(C)") c = i }
	END { print $c }' "$T/uac.stat" 2>/dev/null)
expect_eq "  ... 0 failed calls" "$failed" 0
[ "$failed" = 0 ] || { tail -30 "$T/uac.err"; tail -5 "$T/uac.out"; grep -i 'error\|warn' "$T/kamailio.log" | tail; }
expect_eq "  ... 480 successful calls" "$succ" 480

# sipp over TCP (one connection, -t t1) through Kamailio to the UDP UAS
timeout 40 sipp -sf tests/sipp/kam_uac.xml -t t1 -i 127.0.0.2 -p $SIPP_PORT 127.0.0.1:$KPORT \
	-m 120 -r 40 -l 100 -nostdin -timeout 30 -trace_stat -stf "$T/uac-tcp.stat" \
	-trace_err -error_file "$T/uac-tcp.err" >"$T/uac-tcp.out" 2>&1
expect_eq "sipp over TCP through kamailio: exit 0" "$?" 0
succ=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "SuccessfulCall(C)") c = i }
	END { print $c }' "$T/uac-tcp.stat" 2>/dev/null)
expect_eq "  ... 120 successful calls over TCP" "$succ" 120
[ "$succ" = 120 ] || { tail -20 "$T/uac-tcp.err"; tail -5 "$T/uac-tcp.out"; }

# Every child must now reject nothing of the two changed numbers: 8 calls
# each, spread over the children by the kernel.
kill "$upid" 2>/dev/null
python3 tests/sipp/kam_diff.py uas 127.0.0.1 $UASPORT "$T/uas2.jsonl" 60 &
UAS=$!
pids+=("$UAS")
for _ in $(seq 50); do [ -e "$T/uas2.jsonl" ] && break; sleep 0.05; done
printf 'live-roam;127.0.0.2;77015550000;-;77012220002;-\nreloaded;127.0.0.2;77015550002;-;77012220002;-\nrefused-row;127.0.0.2;77015550003;-;77012220002;-\n' >"$T/after.csv"
python3 tests/sipp/kam_diff.py calls 127.0.0.1 $KPORT "$T/after.csv" after 8 >"$T/after.out"
expect_eq "live roaming change reached every child (8/8 allowed)" \
	"$(grep -c '^live-roam .* 200 OK' "$T/after.out")" 8
expect_eq "reloaded table reached every child (8/8 allowed)" \
	"$(grep -c '^reloaded .* 200 OK' "$T/after.out")" 8
expect_eq "the refused reload's row never served (8/8 rejected)" \
	"$(grep -c '^refused-row .* 603' "$T/after.out")" 8
touch "$T/uas2.jsonl.stop"
s=$(kc sipfilter.stats)
# the UDP children are ranks 1..CHILDREN (the TCP workers judged the TCP
# calls, before the reload, and switch at their next message)
echo "$s" | sed -n '/processes/,$p' | grep -E "rank=([1-$CHILDREN]) " >"$T/procs"
nproc_judged=$(grep -c 'messages=[1-9]' "$T/procs")
nproc_current=$(grep -c 'generation=2 roaming=1 messages=[1-9]' "$T/procs")
expect_eq "stats: every child that judged is at generation 2 with the roaming change" \
	"$nproc_current/$nproc_judged" "$nproc_judged/$nproc_judged"
expect_eq "  ... all $CHILDREN UDP children judged calls" "$nproc_judged" "$CHILDREN"
expect_match "stats: one reload ok, one refused" "$(tr "\n" " " <<<"$s")" \
	"reloads_ok: 1.*reloads_failed: 1"
# --- memory: the tables in shared memory, once ----------------------------
num() { grep -o "$1: [0-9]*" <<<"$2" | head -1 | cut -d' ' -f2; }
# PSS summed over kamailio's processes (shared pages split among the
# processes that map them, so each page counts once), KiB
pss() {
	local p
	for p in $KPID $(ps -o pid= --ppid "$KPID"); do cat /proc/"$p"/smaps_rollup 2>/dev/null; done |
		awk '/^Pss:/ { s += $2 } END { print s + 0 }'
}
# 24 rejected calls (answered by kamailio itself), spread over the children
traffic() {
	python3 tests/sipp/kam_diff.py calls 127.0.0.1 $KPORT "$T/reject.csv" "mem$1" 24 |
		grep -c ' 603 '
}
s=$(kc sipfilter.stats | tr '\n' ' ')
[ "$(num judy_shm_allocs "$s")" -gt 0 ] && [ "$(num table_shm_allocs "$s")" -gt 0 ]
expect_eq "memory: the tables' Judy nodes and blocks are allocated in Kamailio shm" "$?" 0
expect_eq "  ... none on a process heap (Judy nodes)" "$(num judy_heap_allocs "$s")" 0
expect_eq "  ... none on a process heap (table blocks)" "$(num table_heap_allocs "$s")" 0
printf 'refused-row;127.0.0.2;77015550003;-;77012220002;-\n' >"$T/reject.csv"
pss0=$(pss)
python3 -c 'import sys
for i in range(1000000): sys.stdout.write("7709%07d,TR\n" % i)' >>"$T/tables/roaming.csv"
expect_match "memory: reload with 10^6 more roaming rows" "$(kc sipfilter.reload)" "generation 3"
expect_eq "  ... every call still rejected by the children" "$(traffic 3)" 24
s=$(kc sipfilter.stats | tr '\n' ' ')
pss1=$(pss) kib1=$(num shm_judy_kib "$s") tk=$(num table_kib "$s")
for g in 4 5 6; do
	kc sipfilter.reload | grep -q "generation $g" || not_ok "memory: reload to generation $g"
	rejected=$(traffic $g)
done
s=$(kc sipfilter.stats | tr '\n' ' ')
pss2=$(pss) kib2=$(num shm_judy_kib "$s")
echo "  memory: table ${tk} KiB; PSS sum ${pss0} KiB before, ${pss1} after 1 reload, ${pss2} after 3 more; shm Judy ${kib1} -> ${kib2} KiB"
expect_eq "  ... after 3 more reloads the shm holds the same Judy bytes (old generations freed)" "$kib2" "$kib1"
expect_eq "  ... nothing parked for a later free" "$(num parked "$s")" 0
[ $((pss1 - pss0)) -lt $((3 * tk)) ]
expect_eq "  ... the bigger table costs < 3 tables of PSS over all $CHILDREN children (one per child would be $((CHILDREN + 1)))" "$?" 0
[ $((pss2 - pss1)) -lt $((tk * 3 / 2)) ]
expect_eq "  ... 3 more reloads add < 1.5 tables of PSS (freed shm is reused)" "$?" 0
expect_eq "  ... the children judged every call after the last reload (24/24 rejected)" "$rejected" 24
expect_match "  ... the children that judged since are at generation 6" \
	"$(kc sipfilter.stats | grep -c 'generation=6 ')" "^[1-9]"

kill -0 "$KPID" 2>/dev/null
expect_eq "kamailio still running" "$?" 0
finish
