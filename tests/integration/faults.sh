#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# faults.sh - `sipfilter serve` under faults, with real processes on
# loopback and a sipp call flow running through each fault:
#  - the roaming and substitution table files missing, empty, cut
#    mid-line, binary garbage, unreadable (a directory in their place:
#    chmod 000 does not stop root), or shrunk past serve.max_shrink:
#    `ctl reload` is refused (exit 1), the error names the file (and line
#    where there is one) in ctl's answer and on stderr (and `check` refuses
#    the same file with the same words), the generation is
#    kept, the old tables still decide (ctl lookup), and the flow loses no
#    call;
#  - the next hop unreachable (nothing listening: ICMP port unreachable):
#    counted, the other trunks' calls unaffected;
#  - 100 concurrent `ctl reload`: all answered ok, serialised (generation
#    +100 exactly);
#  - SIGTERM with TCP messages in flight: they are answered, exit 0,
#    STOPPING=1;
#  - no usable tables at start: serve.no_tables refuse -> exit 2 with a
#    clear message; degraded -> serves, calls pass tagged unverified
#    (checked at the sipp UAS), /health 503, and a good reload leaves
#    degraded mode.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

notify_listen

export NOTIFY_SOCKET=$SF_TMP/notify.sock
serve_start || { not_ok "serve starts"; finish; exit 1; }
unset NOTIFY_SOCKET
uas_start uas serve_uas.xml "$SF_PORT_CORE"

# health URL -> "CODE BODY"
health() {
	python3 - "$SF_PORT_METRICS" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen("http://127.0.0.1:%s/health" % sys.argv[1], timeout=5)
    print(r.status, r.read().decode().strip())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode().strip())
except OSError as e:
    print("error", e)
PY
}

# A call flow through all the table faults (every verdict kind).
flow_start() { # name port calls invites-before
	timeout 120 sipp -sf "$SIPP_DIR/serve_uac.xml" -inf "$SIPP_DIR/serve_carrier_a.csv" \
		-i 127.0.0.2 -p "$2" "127.0.0.1:$SF_PORT_PROXY" -m "$3" -r 150 -l 150 -nostdin \
		-timeout 90 -trace_err -error_file "$SF_TMP/$1.err" \
		>"$SF_TMP/$1.out" 2>&1 &
	FLOW=$!
	_pids+=("$FLOW")
	for _ in $(seq 100); do  # until the flow is running (<= 5 s)
		[ "$(stat 'd["received"]["INVITE"]')" -gt "$4" ] && break
		sleep 0.05
	done
}

flow_start flow "$(sf_port 121)" 1500 20
gen=$(stat 'd["tables"]["generation"]')
T=$SF_TMP/tables

fault() { # kind file
	local f=$T/$2
	case $1 in
	missing) mv "$f" "$f.bak" ;;
	empty) cp "$f" "$f.bak"; : >"$f" ;;
	truncated) cp "$f" "$f.bak"
		head -c $(($(wc -c <"$f.bak") - 5)) "$f.bak" >"$f" ;;
	corrupt) cp "$f" "$f.bak"; garbage >"$f" ;;
	unreadable) mv "$f" "$f.bak"; mkdir "$f" ;;
	shrink) cp "$f" "$f.bak"
		{ grep '^#' "$f.bak"; grep -v '^#' "$f.bak" | head -1; } >"$f" ;;
	esac
}
# 600 bytes of binary garbage (fixed seed), newline-terminated so that the
# table loader itself has to refuse it.
garbage() {
	python3 -c 'import random,sys; r=random.Random(7); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(600)) + b"\n")'
}
restore() { rm -rf "${T:?}/$1"; mv "$T/$1.bak" "$T/$1"; }

# kind file regex-the-error-must-match
while read -r kind file want; do
	fault "$kind" "$file"
	r=$(ctl reload); rc=$?
	name="$kind $file"
	expect_eq "$name: ctl reload refused (exit 1)" "$rc" 1
	expect_json "$name: not ok, generation kept" "$r" \
		"not d['ok'] and d['generation']==$gen"
	expect_match "$name: error says why ($want)" "$r" "$want"
	# `check` loads tables as reload does: it refuses the same file
	# with the same words (a shrink needs the previous tables, and an
	# empty file is a shrink, so only reload sees those two)
	case $kind in
	empty|shrink) ;;
	*)	c=$("$SIPFILTER" check -c "$SF_TMP/serve.yaml" 2>&1); crc=$?
		expect_eq "$name: check refuses it too (exit != 0)" \
			"$([ "$crc" -ne 0 ] && echo refused || echo accepted)" refused
		expect_match "$name: check says why ($want)" "$c" "$want" ;;
	esac
	expect_match "$name: error on stderr" \
		"$(grep 'reload failed' "$SF_TMP/serve.err" | tail -1)" \
		"reload failed, keeping generation $gen: .*${file//./\\.}"
	# The old tables still decide: roaming subscriber allowed, the
	# substitution-listed number rejected.
	r=$(ctl lookup 77011234567 --trunk ipx-carrier-a)
	expect_json "$name: old roaming table serves" "$r" \
		'd["action"]=="allow" and d["rule"] in ("none", "", None)'
	r=$(ctl lookup 77272500000 --trunk ipx-carrier-a)
	expect_json "$name: old substitution table serves" "$r" \
		'd["rule"]=="known-substitution" and d["action"]=="reject"'
	restore "$file"
done <<'EOF'
missing roaming.csv roaming\.csv.*(No such file|not found|cannot open)
missing substitution.csv substitution\.csv.*(No such file|not found|cannot open)
empty roaming.csv roaming.*shrink
empty substitution.csv substitution.*shrink
truncated roaming.csv roaming\.csv:[0-9]+:.*cut short
truncated substitution.csv substitution\.csv:[0-9]+:.*cut short
corrupt roaming.csv roaming\.csv:1:
corrupt substitution.csv substitution\.csv:1:
unreadable roaming.csv roaming\.csv.*(directory|Is a dir|read)
unreadable substitution.csv substitution\.csv.*(directory|Is a dir|read)
shrink roaming.csv roaming.*shrink.*max_shrink
shrink substitution.csv substitution.*shrink.*max_shrink
EOF
r=$(ctl reload)
expect_json "restored files: reload ok again" "$r" "d['ok'] and d['generation']==$gen+1"
wait "$FLOW"; rc=$?
expect_eq "1500 calls through 12 refused reloads: 0 failed (sipp exit)" "$rc" 0
grep -E 'Successful call|Failed call' "$SF_TMP/flow.out" | tail -2 | sed 's/^/     /'

# --- next hop unreachable ---------------------------------------------------
# roaming-hub (127.0.0.4) forwards to 127.0.0.1:SF_PORT_CORE2, where nothing
# listens: each forwarded INVITE draws an ICMP port unreachable.
flow_start flow2 "$(sf_port 122)" 600 $(stat 'd["received"]["INVITE"]+20')
u0=$(stat 'd["dropped"]["unreachable"]')
for round in 1 2 3 4 5; do
	python3 "$SIPP_DIR/sipraw.py" invites 127.0.0.4 127.0.0.1 "$SF_PORT_PROXY" 200 \
		4915112345678 77012220001 >/dev/null
done
for _ in $(seq 100); do  # the ICMP errors are counted as they arrive
	[ "$(stat 'd["dropped"]["unreachable"]')" -ge $((u0 + 500)) ] && break
	sleep 0.05
done
s=$(ctl stats)
expect_json "unreachable next hop: ICMP errors counted (>= 500 of 1000)" "$s" \
	"d['dropped']['unreachable']-$u0>=500"
echo "     unreachable counted: $(stat "d['dropped']['unreachable']-$u0") of 1000"
wait "$FLOW"; rc=$?
expect_eq "other trunk's 600 calls meanwhile: 0 failed" "$rc" 0
kill -0 "$SERVE_PID" 2>/dev/null && ok "serve alive after the unreachable hop" \
	|| not_ok "serve alive after the unreachable hop"
rss=$(awk '/VmRSS/ {print $2}' /proc/$SERVE_PID/status)
expect_match "no queue growth: RSS under 200 MB ($rss kB)" "$rss" '^[0-9]{1,5}$|^1[0-9]{5}$'

# --- 100 concurrent reloads -------------------------------------------------
gen=$(stat 'd["tables"]["generation"]')
ok0=$(stat 'd["reloads"]["ok"]')
rpids=()
for i in $(seq 100); do
	ctl reload >"$SF_TMP/reload.$i" 2>&1 &
	rpids+=($!); _pids+=($!)
done
bad=0
for p in "${rpids[@]}"; do wait "$p" || bad=$((bad + 1)); done
expect_eq "100 concurrent ctl reload: all exit 0" "$bad" 0
n=$(cat "$SF_TMP"/reload.* | grep -c '"ok":true')
expect_eq "100 concurrent ctl reload: 100 ok answers" "$n" 100
gens=$(cat "$SF_TMP"/reload.* | python3 -c 'import json,sys; print(len({json.loads(l)["generation"] for l in sys.stdin if l.strip()}))')
expect_eq "serialised: 100 distinct generations" "$gens" 100
expect_json "generation +100, reloads ok +100" "$(ctl stats)" \
	"d['tables']['generation']==$gen+100 and d['reloads']['ok']==$ok0+100"

# --- SIGTERM with TCP messages in flight ------------------------------------
timeout 60 sipp -sf "$SIPP_DIR/serve_uac.xml" -inf "$SIPP_DIR/serve_carrier_a.csv" \
	-i 127.0.0.2 -p "$(sf_port 123)" "127.0.0.1:$SF_PORT_PROXY" -t t1 -m 5000 -r 200 -l 200 -nostdin \
	-timeout 30 >"$SF_TMP/tcpload.out" 2>&1 &
_pids+=($!)
for _ in $(seq 100); do
	[ "$(stat 'd["tcp"]["accepted"]')" -ge 1 ] && break
	sleep 0.05
done
n=$(timeout 20 python3 "$SIPP_DIR/sipraw.py" tcpburst 127.0.0.3 127.0.0.1 "$SF_PORT_PROXY" 300 "$SERVE_PID")
expect_eq "SIGTERM under load: all 300 TCP requests in flight answered" "$n" 300
timeout 15 tail --pid="$SERVE_PID" -f /dev/null
wait "$SERVE_PID"; rc=$?
expect_eq "SIGTERM under load: exit 0" "$rc" 0
expect_match "SIGTERM: STOPPING=1 sent" "$(cat "$SF_TMP/notify.log")" '^STOPPING=1'

# --- no usable tables at start ---------------------------------------------
# A missing file is a config error (the config loader checks the paths):
# exit 2 whatever no_tables says.  A file that exists but does not load is
# what serve.no_tables decides about.
serve_prepare
rm "$SF_TMP/tables/roaming.csv"
timeout 20 "$SIPFILTER" serve -c "$SF_TMP/serve.yaml" 2>"$SF_TMP/refuse.err"
expect_eq "missing table at start -> exit 2" "$?" 2
expect_match "missing table at start: names the file" "$(cat "$SF_TMP/refuse.err")" \
	'roaming\.csv.*(No such file|not found)'
garbage >"$SF_TMP/tables/roaming.csv"
timeout 20 "$SIPFILTER" serve -c "$SF_TMP/serve.yaml" 2>"$SF_TMP/refuse.err"
expect_eq "corrupt table at start, no_tables: refuse -> exit 2" "$?" 2
expect_match "refuse: says which file, line and why" "$(cat "$SF_TMP/refuse.err")" \
	'roaming\.csv:1:[0-9]+: error: '
expect_match "refuse: says it refuses and the setting" "$(cat "$SF_TMP/refuse.err")" \
	'refusing to start \(serve\.no_tables: refuse\)'

sed -i 's/no_tables: refuse/no_tables: degraded/' "$SF_TMP/serve.yaml"
: >"$SF_TMP/serve.err"
serve_launch || { not_ok "degraded: serve starts without tables"; finish; exit 1; }
ok "degraded: serve starts without tables"
expect_match "degraded: warned on stderr" "$(cat "$SF_TMP/serve.err")" 'DEGRADED'
expect_eq "degraded: /health answers 503" "$(health)" "503 degraded"
expect_json "degraded: ctl stats says so" "$(ctl stats)" \
	'd["tables"].get("degraded") is True and not d["reloads"]["last_ok"]'
m=$(metrics)
expect_match "degraded: metric sipfilter_degraded 1" "$m" '^sipfilter_degraded 1$'
uac degraded 127.0.0.2 "$(sf_port 124)" serve_degraded.csv 4
expect_eq "degraded: calls pass tagged unverified (checked at the UAS)" "$?" 0
expect_json "degraded: counted under rule unverified" "$(ctl stats)" \
	'd["rules"]["unverified"]["enforce"]==3 and d["rules"]["emergency"]["enforce"]==1'
r=$(ctl roaming add 77015550000)
expect_json "degraded: roaming add refused clearly" "$r" \
	'not d["ok"] and "degraded" in d["error"]'
cp "$SF_ROOT/tests/fixtures/serve/tables/roaming.csv" "$SF_TMP/tables/"
r=$(ctl reload)
expect_json "degraded: a good reload loads the tables" "$r" "d['ok'] and d['generation']==1"
expect_eq "after the reload: /health 200" "$(health)" "200 ok"
uac after 127.0.0.2 "$(sf_port 125)" serve_carrier_a.csv 8
expect_eq "after the reload: verdicts as normal (603s, tags, withhold)" "$?" 0
kill "$SERVE_PID"; wait "$SERVE_PID"
expect_eq "degraded instance exits 0 on SIGTERM" "$?" 0
if [ -n "${KEEP:-}" ]; then # KEEP=1: a copy of the run's files, for a look
	keep=$(mktemp -d "${TMPDIR:-/tmp}/faults.keep.XXXXXX") &&
		cp -r "$SF_TMP/." "$keep" && echo "files kept in $keep"
fi
finish
