# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by tests/integration/serve*.sh, faults.sh, hostile.sh, edge.sh and
# tests/soak.sh, after tests/integration/lib.sh (which sets the ports):
# start a `sipfilter serve` on a private copy of tests/fixtures/serve (its
# @PLACEHOLDERS@ filled with this run's directory and ports), wait until
# its control socket answers, run sipp, read counters; every process is
# started here, recorded by PID and stopped by PID on exit.
SF_ROOT=${SF_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SIPFILTER=${SIPFILTER:-$SF_ROOT/build/sipfilter}
SIPP_DIR=$SF_ROOT/tests/sipp
: "${SF_PORT_PROXY:?source tests/integration/lib.sh first}"
SF_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sfserve.XXXXXX")
_pids=()

sf_cleanup() {
	local p
	for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${_pids[@]}"; do
		# bounded: a process that ignores TERM gets KILL after ~3 s
		for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$SF_TMP"
}
trap sf_cleanup EXIT

# serve_prepare: copies the fixture into $SF_TMP (edit it, then
# serve_launch).  serve_start [extra args] = both; waits <= 10 s.
serve_prepare() {
	cp -r "$SF_ROOT/tests/fixtures/serve/." "$SF_TMP/"
	sed -i -e "s|@DIR@|$SF_TMP|" -e "s|@PROXY_PORT@|$SF_PORT_PROXY|g" \
		-e "s|@CORE_PORT@|$SF_PORT_CORE|g" \
		-e "s|@CORE2_PORT@|$SF_PORT_CORE2|g" \
		-e "s|@METRICS_PORT@|$SF_PORT_METRICS|g" "$SF_TMP/serve.yaml"
	if grep -q '@[A-Z0-9_]*@' "$SF_TMP/serve.yaml"; then
		echo "serve.yaml: placeholder left unfilled:" >&2
		grep -n '@[A-Z0-9_]*@' "$SF_TMP/serve.yaml" >&2
		return 1
	fi
}
serve_start() {
	serve_prepare || return 1
	serve_launch "$@"
}
serve_launch() {
	"$SIPFILTER" serve -c "$SF_TMP/serve.yaml" "$@" 2>>"$SF_TMP/serve.err" &
	SERVE_PID=$!
	_pids+=("$SERVE_PID")
	CTL="$SF_TMP/ctl.sock"
	local i
	for i in $(seq 200); do
		"$SIPFILTER" ctl -s "$CTL" -T 2 ping >/dev/null 2>&1 && return 0
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "serve did not become ready:"; cat "$SF_TMP/serve.err"
	return 1
}

# notify_listen: a datagram listener on $SF_TMP/notify.sock standing in for
# systemd's $NOTIFY_SOCKET (bounded: 120 s, or until STOPPING=1); each
# message goes on one line of $SF_TMP/notify.log.  Returns once the socket
# exists.
notify_listen() {
	python3 - "$SF_TMP/notify.sock" "$SF_TMP/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(1)
end = time.monotonic() + 120
with open(sys.argv[2], 'w') as log:
    while time.monotonic() < end:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            continue
        log.write(m.replace('\n', ' ') + '\n')
        log.flush()
        if 'STOPPING=1' in m:
            break
PY
	_pids+=($!)
	for _ in $(seq 100); do
		[ -S "$SF_TMP/notify.sock" ] && return 0
		sleep 0.05
	done
	return 1
}

# metrics: the body of GET /metrics on this run's metrics port.
metrics() {
	python3 -c 'import sys, urllib.request; print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode())' "$SF_PORT_METRICS"
}

ctl() { "$SIPFILTER" ctl -s "$CTL" -T 60 "$@"; }

# stat EXPR: evaluates a Python expression over the `ctl stats` JSON (d).
stat() {
	ctl stats | python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# uas_start NAME SCENARIO PORT [ip]: a sipp UAS in the background, once
# it listens
# (PORT: $SF_PORT_CORE or $SF_PORT_CORE2, the fixture's next hops).
uas_start() {
	local name=$1 scen=$2 port=$3 ip=${4:-127.0.0.1}
	sipp -sf "$SIPP_DIR/$scen" -i "$ip" -p "$port" -nostdin -trace_err \
		-error_file "$SF_TMP/$name.err" >"$SF_TMP/$name.out" 2>&1 &
	_pids+=($!)
	# wait (up to 5 s) until it listens: an INVITE forwarded before that
	# draws an ICMP unreachable and a retransmission judged twice
	for _ in $(seq 100); do
		[ -n "$(ss -Hlnu "sport = :$port" 2>/dev/null)" ] && break
		sleep 0.05
	done
}

# uac NAME SRC_IP SRC_PORT CSV CALLS [sipp args...]: runs a UAC to the
# proxy, returns sipp's exit code (0 = every call went as its CSV row
# expects).
uac() {
	local name=$1 ip=$2 port=$3 csv=$4 calls=$5; shift 5
	local dst=127.0.0.1:$SF_PORT_PROXY
	[[ $ip == *:* ]] && dst="[::1]:$SF_PORT_PROXY"
	timeout 120 sipp -sf "$SIPP_DIR/serve_uac.xml" -inf "$SIPP_DIR/$csv" \
		-i "$ip" -p "$port" "$dst" -m "$calls" -r 100 -l 50 -nostdin \
		-timeout 60 -trace_err -error_file "$SF_TMP/$name.err" \
		-trace_stat -stf "$SF_TMP/$name.stat" "$@" \
		>"$SF_TMP/$name.out" 2>&1
}
