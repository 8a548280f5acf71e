# idle_run PORT PSSFN REP -> KiB per connection: REP*BENCH_IDLE connections
# held first (memory an earlier run freed is reused by them), then
# BENCH_IDLE more: the growth those bring, per connection, is what a new
# idle connection costs, not the heap's reuse of freed memory.  Run once
# (REP 1): repeated, the growth wandered to 0 and below on both servers
# (allocators reusing what the calls and handshakes in between freed).
hold_bg() { # PORT N OUT HOLD_S
	$PY hold --src 127.0.0.8 --port "$1" --ca "$T/pki/server-ca.pem" \
		--cert "$T/pki/good.pem" --key "$T/pki/good.key" --n "$2" --hold "$4" >"$3" &
	for _ in $(seq 600); do [ -s "$3" ] && break; sleep 0.05; done
	sleep 0.3
}
idle_run() {
	local m0 m1 a b
	hold_bg "$1" $(($3 * IDLE)) "$T/holdA" 30; a=$!
	m0=$($2)
	hold_bg "$1" "$IDLE" "$T/holdB" 1; b=$!
	m1=$($2)
	kill $a 2>/dev/null; wait $a $b 2>/dev/null
	grep -q "\"open\": $IDLE}" "$T/holdB" || echo "only $(cat "$T/holdB") of $IDLE held" >&2
	awk -v a="$m0" -v b="$m1" -v n="$IDLE" 'BEGIN { printf "%.2f\n", (b - a) / n }'
}
#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# perf/bench_tls.sh - what TLS costs `sipfilter serve`, bounded (about a
# minute), figures only (medians of BENCH_REPS runs, ratios):
#  - handshakes per second, full and resumed (session ticket), as the
#    client sees them (`openssl s_time -new` / `-reuse`, BENCH_HS_TIME s
#    each, mTLS: the client presents a certificate of the trunk's CA, so
#    every full handshake also runs the trunk identification), and the
#    server's CPU per handshake (utime+stime from /proc/PID/stat);
#  - CPU per call over a persistent TLS connection against a persistent
#    TCP connection: BENCH_CALLS INVITEs each (rejected 603 by the rules:
#    the whole verdict path, answer over the same connection), from
#    tests/sipp/tls_sip.py (Python: the client is the bottleneck, so this
#    is the server's CPU per call, not a rate);
#  - memory per idle connection, TLS and TCP: RSS growth over
#    BENCH_IDLE connections held open.
#  - side by side with Kamailio's tls module (below; BENCH_PART=kamailio
#    runs only that part).
# The PKI is made now with the openssl CLI (tests/sipp/tls_pki.sh).
# Loopback, ports BENCH_PORT_BASE+160.. (default 25060+160).
set -u
cd "$(dirname "$0")/.."
SF_ROOT=$PWD
BUILD=${BUILD:-build}
SF=$SF_ROOT/$BUILD/sipfilter
REPS=${BENCH_REPS:-3}
PART=${BENCH_PART:-all} # all | kamailio (the side by side only)
HS_TIME=${BENCH_HS_TIME:-4}
CALLS=${BENCH_CALLS:-2000}
IDLE=${BENCH_IDLE:-300}
BASE=${BENCH_PORT_BASE:-25060}
TLS_PORT=$((BASE + 161)); TCP_PORT=$((BASE + 162)); CORE=$((BASE + 163))
PY="python3 tests/sipp/tls_sip.py"
. tests/sipp/tls_pki.sh
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$T"' EXIT

[ -x "$SF" ] || { echo "build $SF first (make)"; exit 1; }
tls_pki "$T/pki" || { echo "openssl PKI failed"; exit 1; }
# the serve fixture (its rules and tables), a tls: listener, an mTLS trunk
cp -r tests/fixtures/serve/. "$T/"
python3 - "$T/serve.yaml" "$T" "$TLS_PORT" "$TCP_PORT" "$CORE" >"$T/bench.yaml" <<'PY'
import re, sys
path, d, tls, tcp, core = sys.argv[1:]
s = open(path).read()
s = s.replace("@CORE_PORT@", core).replace("@CORE2_PORT@", core)
s = s.replace("\n# Called numbers", f"""
  - name: carrier-tls
    kind: international
    client_cert: {{ca: {d}/pki/ca-a.pem, san: [sbc1.carrier-a.example]}}
    next_hop: "udp:127.0.0.1:{core}"

# Called numbers""", 1)
s = s[:s.index("\nserve:")] + f"""
serve:
  listen: ["udp:127.0.0.1:{tcp}", "tcp:127.0.0.1:{tcp}", "tls:127.0.0.1:{tls}"]
  workers: 1
  control_socket: {d}/ctl.sock
  tcp: {{max_connections: 4096, max_per_source: 4096, idle_timeout_ms: 600000}}
  tls:
    cert: {d}/pki/server.pem
    key: {d}/pki/server.key
    handshakes_per_second: 0
"""
print(s)
PY
start_serve() { # a fresh serve (its heap holds nothing freed yet)
	if [ -n "$PID" ]; then kill "$PID"; wait "$PID" 2>/dev/null; fi
	"$SF" serve -c "$T/bench.yaml" 2>"$T/serve.err" &
	PID=$!
	for _ in $(seq 100); do "$SF" ctl -s "$T/ctl.sock" ping >/dev/null 2>&1 && break; sleep 0.05; done
	"$SF" ctl -s "$T/ctl.sock" ping >/dev/null 2>&1 || { echo "serve did not start:"; cat "$T/serve.err"; exit 1; }
}
start_serve

# CPU of every thread of serve, ns (schedstat: finer than the 10 ms ticks)
cpu() { cat /proc/$PID/task/*/schedstat | awk '{s += $1} END {printf "%.0f\n", s}'; }
now_ns() { date +%s%N; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; } # KiB
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }

# s_time MODE VERSION: "handshakes/s(wall) server_cpu_us_per_handshake
# resumed_by_server"
resumed() { "$SF" ctl -s "$T/ctl.sock" stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["tls_handshakes"]["resumed"])'; }
s_time() {
	local c0 c1 t0 t1 out conns r0 r1
	r0=$(resumed); c0=$(cpu); t0=$(now_ns)
	out=$(openssl s_time -connect 127.0.0.1:$TLS_PORT -"$1" -time "$HS_TIME" \
		-cert "$T/pki/good.pem" -key "$T/pki/good.key" \
		-CAfile "$T/pki/server-ca.pem" -"$2" 2>/dev/null)
	t1=$(now_ns); c1=$(cpu); r1=$(resumed)
	conns=$(grep -oE '^[0-9]+ connections in [0-9.]+ real' <<<"$out" | awk '{print $1}' | tail -1)
	awk -v c="${conns:-0}" -v w="$((t1 - t0))" -v d="$((c1 - c0))" -v r="$((r1 - r0))" \
		'BEGIN { if (c > 0) printf "%.1f %.1f %d/%d\n", c / (w / 1e9), d / 1e3 / c, r, c; else print "0 0 0/0" }'
}

if [ "$PART" = all ]; then
echo "handshakes (openssl s_time, mTLS, ${HS_TIME}s each, median of $REPS):"
for mode in "new tls1_3" "reuse tls1_3" "new tls1_2" "reuse tls1_2"; do
	set -- $mode
	for _ in $(seq "$REPS"); do s_time "$1" "$2"; done >"$T/hs_$1_$2"
	printf '  %-6s %-7s %8s handshakes/s   server CPU %7s us/handshake   resumed by server: %s\n' \
		"$1" "$2" "$(awk '{print $1}' "$T/hs_$1_$2" | median)" \
		"$(awk '{print $2}' "$T/hs_$1_$2" | median)" "$(awk '{print $3}' "$T/hs_$1_$2" | tr '\n' ' ')"
done
for v in tls1_3 tls1_2; do
	nf=$(awk '{print $1}' "$T/hs_new_$v" | median); nr=$(awk '{print $1}' "$T/hs_reuse_$v" | median)
	cf=$(awk '{print $2}' "$T/hs_new_$v" | median); cr=$(awk '{print $2}' "$T/hs_reuse_$v" | median)
	awk -v f="$nf" -v r="$nr" -v a="$cf" -v b="$cr" -v v=$v 'BEGIN { if (f > 0 && b > 0)
		printf "  %s resumed/full: %.2fx handshakes/s, server CPU full/resumed %.2fx\n", v, r / f, a / b }'
done

# The same handshakes against OpenSSL's own server (s_server, the same
# certificate and the same client certificate requested): the floor
# OpenSSL 3.0 sets on this machine.
SSRV_PORT=$((BASE + 164))
openssl s_server -accept "$SSRV_PORT" -cert "$T/pki/server.pem" -key "$T/pki/server.key" \
	-verify 1 -CAfile "$T/pki/ca-a.pem" -quiet -naccept 1000000 </dev/null >/dev/null 2>&1 &
SPID=$!
sleep 0.5
echo "the same against openssl s_server (baseline, median of $REPS):"
for mode in "new tls1_3" "new tls1_2" "reuse tls1_2"; do
	set -- $mode
	for _ in $(seq "$REPS"); do
		c0=$(cat /proc/$SPID/task/*/schedstat | awk '{s += $1} END {printf "%.0f\n", s}'); t0=$(now_ns)
		out=$(openssl s_time -connect 127.0.0.1:$SSRV_PORT -"$1" -time "$HS_TIME" -"$2" \
			-cert "$T/pki/good.pem" -key "$T/pki/good.key" -CAfile "$T/pki/server-ca.pem" 2>/dev/null)
		t1=$(now_ns); c1=$(cat /proc/$SPID/task/*/schedstat | awk '{s += $1} END {printf "%.0f\n", s}')
		n=$(grep -oE '^[0-9]+ connections in [0-9.]+ real' <<<"$out" | awk '{print $1}' | tail -1)
		awk -v c="${n:-0}" -v w="$((t1 - t0))" -v d="$((c1 - c0))" \
			'BEGIN { if (c > 0) printf "%.1f %.1f\n", c / (w / 1e9), d / 1e3 / c; else print "0 0" }'
	done >"$T/ss_$1_$2"
	printf '  %-6s %-7s %8s handshakes/s   s_server CPU %7s us/handshake\n' "$1" "$2" \
		"$(awk '{print $1}' "$T/ss_$1_$2" | median)" "$(awk '{print $2}' "$T/ss_$1_$2" | median)"
done
kill $SPID 2>/dev/null; wait $SPID 2>/dev/null

# per call: TLS vs TCP, persistent connection, server CPU
per_call() { # tls|tcp -> us of server CPU per call
	local c0 c1 r
	c0=$(cpu)
	if [ "$1" = tls ]; then
		r=$($PY call --src 127.0.0.8 --port "$TLS_PORT" --ca "$T/pki/server-ca.pem" \
			--cert "$T/pki/good.pem" --key "$T/pki/good.key" --calls "$CALLS")
	else
		r=$($PY ucall --tcp --src 127.0.0.2 --port "$TCP_PORT" --calls "$CALLS" \
			--from 77015550000 --called 77012220002)
	fi
	c1=$(cpu)
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); ok=sum(1 for c in d["codes"] if c==603)
print("%.1f %d" % ((int(sys.argv[2]) / 1e3 / ok) if ok else 0, ok))' "$r" "$((c1 - c0))"
}
echo "per call over a persistent connection ($CALLS INVITEs -> 603, median of $REPS):"
for _ in $(seq "$REPS"); do per_call tls; per_call tcp; done >"$T/pc"
tls_us=$(awk 'NR%2==1 {print $1}' "$T/pc" | median)
tcp_us=$(awk 'NR%2==0 {print $1}' "$T/pc" | median)
printf '  TLS %s us/call, TCP %s us/call of server CPU (answered: %s)\n' "$tls_us" "$tcp_us" \
	"$(awk '{print $2}' "$T/pc" | tr '\n' ' ')"
awk -v a="$tls_us" -v b="$tcp_us" 'BEGIN { if (b > 0) printf "  TLS/TCP: %.2fx\n", a / b }'

# memory per idle connection
idle() { # tls|tcp -> KiB per connection
	local r0 r1 out
	r0=$(rss)
	if [ "$1" = tls ]; then
		$PY hold --src 127.0.0.8 --port "$TLS_PORT" --ca "$T/pki/server-ca.pem" \
			--cert "$T/pki/good.pem" --key "$T/pki/good.key" --n "$IDLE" --hold 3 >"$T/hold" &
	else
		$PY hold --src 127.0.0.2 --port "$TCP_PORT" --n "$IDLE" --hold 3 >"$T/hold" &
	fi
	local h=$!
	for _ in $(seq 200); do [ -s "$T/hold" ] && break; sleep 0.05; done
	sleep 0.3
	r1=$(rss)
	wait $h
	awk -v a="$r0" -v b="$r1" -v n="$IDLE" 'BEGIN { printf "%.2f\n", (b - a) / n }'
}
echo "memory per idle connection (RSS growth over $IDLE connections, median of $REPS):"
for _ in $(seq "$REPS"); do idle tcp; sleep 0.5; done >"$T/ic"
for _ in $(seq "$REPS"); do idle tls; sleep 0.5; done >"$T/it"
printf '  TLS %s KiB, TCP %s KiB (user space: the 16 KiB buffer of a slot is\n  untouched until data comes; kernel socket memory is not in RSS)\n' \
	"$(median <"$T/it")" "$(median <"$T/ic")"

fi

# TLS 1.3 resumption: `openssl s_time -reuse` does not resume on 1.3 (it
# reuses the session before the ticket has arrived), so tls_sip.py hs makes
# BENCH_HS_N handshakes back to back, each waiting for its ticket, with
# --resume offering the last one: the resumed count as the client and the
# server see it, and the server's CPU per handshake, full against resumed.
HS_N=${BENCH_HS_N:-300}
hs_run() { # PORT CPUFN STATFN [--resume] [--tls12] -> "us/hs resumed_client/ok resumed_server"
	local port=$1 cpufn=$2 statfn=$3 c0 c1 r0 r1 out
	shift 3
	r0=$($statfn); c0=$($cpufn)
	out=$($PY hs --src 127.0.0.8 --port "$port" --ca "$T/pki/server-ca.pem" \
		--cert "$T/pki/good.pem" --key "$T/pki/good.key" --n "$HS_N" "$@")
	c1=$($cpufn); r1=$($statfn)
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); c=int(sys.argv[2])
print("%.1f %d/%d %s" % (c / 1e3 / d["ok"] if d["ok"] else 0, d["resumed"], d["ok"], sys.argv[3]))' \
		"$out" "$((c1 - c0))" "$((r1 - r0))"
}
if [ "$PART" = all ]; then
echo "handshakes one after another, ticket awaited (tls_sip.py hs, $HS_N each, median of $REPS):"
for mode in "tls13-full" "tls13-resume --resume" "tls12-full --tls12" "tls12-resume --resume --tls12"; do
	set -- $mode
	name=$1; shift
	for _ in $(seq "$REPS"); do hs_run "$TLS_PORT" cpu resumed "$@"; done >"$T/hs_$name"
	printf '  %-13s server CPU %7s us/handshake   resumed (client saw / server counted): %s\n' \
		"$name" "$(awk '{print $1}' "$T/hs_$name" | median)" \
		"$(awk '{printf "%s/%s ", $2, $3}' "$T/hs_$name")"
done
for v in tls13 tls12; do
	awk -v a="$(awk '{print $1}' "$T/hs_$v-full" | median)" \
		-v b="$(awk '{print $1}' "$T/hs_$v-resume" | median)" -v v=$v \
		'BEGIN { if (b > 0) printf "  %s server CPU full/resumed: %.2fx\n", v, a / b }'
done

fi

# Side by side with Kamailio 5.6's tls module (perf/kamailio/kamailio_tls.cfg,
# `make deps-kamailio-tls`): the same client certificate, the same calls
# forwarded to the same UDP core answering 200, the same figures.
#  - CPU per call: one persistent mTLS connection, INVITEs at BENCH_RATE
#    (200)/s for BENCH_SECONDS (10) s (tls_sip.py rate), each forwarded and
#    its 200 brought back; the server's CPU (every thread / process) over
#    the run, less its idle CPU over as long, per 200 received;
#  - handshake cost per new connection: server CPU per full mTLS TLS 1.3
#    handshake (tls_sip.py hs, as above);
#  - memory per idle connection: PSS (proportional set size, summed over
#    Kamailio's processes: its connections live in shared memory) growth
#    over BENCH_IDLE TLS connections opened beside BENCH_IDLE held (one
#    run, not a median: see idle_run).
# Kamailio runs BENCH_KAM_CHILDREN (1) TCP child, sipfilter 1 worker.
KTLS=/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so
if ! command -v kamailio >/dev/null || [ ! -f "$KTLS" ]; then
	echo "side by side with Kamailio: skipped (no kamailio tls module: make deps-kamailio-tls)"
	exit 0
fi
# the side by side starts from a fresh serve, as Kamailio is: memory the
# parts above freed would otherwise hide what a new connection costs
[ "$PART" = all ] && start_serve
RATE=${BENCH_RATE:-200}
SECS=${BENCH_SECONDS:-10}
KT_PORT=$((BASE + 165)); KU_PORT=$((BASE + 166))
$PY core --port "$CORE" --seconds 3600 &
CPID=$!
mkdir -p "$T/k"
cat >"$T/k/tls.cfg" <<TLSCFG
[server:default]
method = TLSv1.2+
verify_certificate = yes
require_certificate = yes
certificate = $T/pki/server.pem
private_key = $T/pki/server.key
ca_list = $T/pki/ca-a.pem

[client:default]
verify_certificate = no
require_certificate = no
TLSCFG
sed -e "s|@TLS_PORT@|$KT_PORT|; s|@UDP_PORT@|$KU_PORT|; s|@CORE@|$CORE|" \
    -e "s|@TLSCFG@|$T/k/tls.cfg|; s|@CHILDREN@|${BENCH_KAM_CHILDREN:-1}|" \
    perf/kamailio/kamailio_tls.cfg >"$T/k/kamailio.cfg"
(ulimit -c 0; exec kamailio -f "$T/k/kamailio.cfg" -DD -E -x tlsf -m 128 -M 16 \
	-w "$T/k" -Y "$T/k" -P "$T/k/pid") >"$T/k.log" 2>&1 &
KP=$!
trap 'kill $CPID $KP 2>/dev/null; [ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$T"' EXIT
for _ in $(seq 100); do
	$PY hs --src 127.0.0.8 --port "$KT_PORT" --ca "$T/pki/server-ca.pem" --cert "$T/pki/good.pem" \
		--key "$T/pki/good.key" --n 1 2>/dev/null | grep -q '"ok": 1' && break
	kill -0 $KP 2>/dev/null || break
	sleep 0.1
done
kill -0 $KP 2>/dev/null || { echo "kamailio did not start:"; tail -5 "$T/k.log"; exit 1; }
kpids() { echo $KP $(ps -o pid= --ppid $KP); }
kcpu() { local p; for p in $(kpids); do cat /proc/$p/task/*/schedstat; done 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'; }
pss() { local p; for p in "$@"; do awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup; done 2>/dev/null | awk '{s += $1} END {print s}'; }
sfpss() { pss $PID; }
kpss() { pss $(kpids); }
zero() { echo 0; }

# rate_run PORT CPUFN -> "us/call answered_200/sent"
rate_run() {
	local c0 c1 i0 i1 out
	i0=$($2); sleep 2; i1=$($2) # idle CPU over 2 s
	c0=$($2)
	out=$($PY rate --src 127.0.0.8 --port "$1" --ca "$T/pki/server-ca.pem" --cert "$T/pki/good.pem" \
		--key "$T/pki/good.key" --rate "$RATE" --seconds "$SECS" \
		--from 4915112345678 --called 77012220001)
	c1=$($2)
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); ok=d["finals"].get("200", 0)
busy=int(sys.argv[2]) - int(sys.argv[3]) * (float(sys.argv[4]) + 2) / 2
print("%.1f %d/%d %s" % (busy / 1e3 / ok if ok else 0, ok, d["sent"], d["late_ms"]))' \
		"$out" "$((c1 - c0))" "$((i1 - i0))" "$SECS"
}
# idle_run PORT PSSFN -> KiB per connection
idle_run() {
	local m0 m1 h
	m0=$($2)
	$PY hold --src 127.0.0.8 --port "$1" --ca "$T/pki/server-ca.pem" \
		--cert "$T/pki/good.pem" --key "$T/pki/good.key" --n "$IDLE" --hold 3 >"$T/hold" &
	h=$!
	for _ in $(seq 200); do [ -s "$T/hold" ] && break; sleep 0.05; done
	sleep 0.3
	m1=$($2)
	wait $h
	awk -v a="$m0" -v b="$m1" -v n="$IDLE" 'BEGIN { printf "%.2f\n", (b - a) / n }'
}
echo "side by side with Kamailio $(kamailio -v 2>/dev/null | awk 'NR==1 {print $3}') tls (median of $REPS, interleaved):"
for rep in $(seq "$REPS"); do
	rate_run "$TLS_PORT" cpu >>"$T/sf_rate"; rate_run "$KT_PORT" kcpu >>"$T/k_rate"
	hs_run "$TLS_PORT" cpu zero >>"$T/sf_hs"; hs_run "$KT_PORT" kcpu zero >>"$T/k_hs"
	[ "$rep" = 1 ] || continue # one run: see idle_run
	idle_run "$TLS_PORT" sfpss 1 >>"$T/sf_idle"; sleep 0.5
	idle_run "$KT_PORT" kpss 1 >>"$T/k_idle"; sleep 0.5
done
row() { # LABEL FILE COLUMN UNIT
	printf '  %-44s sipfilter %8s   kamailio %8s   sipfilter/kamailio %sx\n' "$1" \
		"$(awk -v c="$3" '{print $c}' "$T/sf_$2" | median)" "$(awk -v c="$3" '{print $c}' "$T/k_$2" | median)" \
		"$(awk -v a="$(awk -v c="$3" '{print $c}' "$T/sf_$2" | median)" \
			-v b="$(awk -v c="$3" '{print $c}' "$T/k_$2" | median)" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')"
}
row "CPU per call, ${RATE}/s over one mTLS conn (us)" rate 1
row "CPU per full mTLS 1.3 handshake (us)" hs 1
row "PSS per idle TLS connection (KiB, one run)" idle 1
printf '  answered 200/sent: sipfilter %s; kamailio %s\n' "$(awk '{printf "%s ", $2}' "$T/sf_rate")" \
	"$(awk '{printf "%s ", $2}' "$T/k_rate")"
