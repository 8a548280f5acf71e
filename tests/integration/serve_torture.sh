#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# serve_torture.sh - malformed and torture messages ($SF_SHARED/corpus:
# RFC 4475, RFC 5118) thrown at a running `sipfilter serve` over UDP and
# TCP, from a known trunk and from an unknown source, while a sipp call
# flow runs: the proxy stays up, every sipp call completes as expected,
# parse errors are counted, and an unknown UDP source never gets a reply
# larger than its request.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

SF_SHARED=${SF_SHARED:-$(cd .. && pwd)/shared}
files=("$SF_SHARED"/corpus/torture/*/*)
if [ ! -e "${files[0]}" ]; then
	not_ok "torture corpus present" "no files under $SF_SHARED/corpus/torture"
	finish; exit 1
fi

serve_start || { not_ok "serve starts"; finish; exit 1; }
uas_start uas serve_uas.xml "$SF_PORT_CORE"

timeout 120 sipp -sf "$SIPP_DIR/serve_uac.xml" -inf "$SIPP_DIR/serve_carrier_a.csv" \
	-i 127.0.0.2 -p $(sf_port 115) "127.0.0.1:$SF_PORT_PROXY" -m 400 -r 100 -l 100 -nostdin \
	-timeout 90 -trace_err -error_file "$SF_TMP/flow.err" \
	>"$SF_TMP/flow.out" 2>&1 &
FLOW=$!
_pids+=("$FLOW")

sent=0
for round in 1 2 3; do
	for src in 127.0.0.3 127.0.0.9; do
		n=$(python3 "$SIPP_DIR/sipraw.py" blast $src 127.0.0.1 "$SF_PORT_PROXY" "${files[@]}")
		sent=$((sent + n))
	done
done
# Each file over its own TCP connection, then half of it and a hang-up.
python3 - "$SF_SHARED" "$SF_PORT_PROXY" <<'PY'
import glob, socket, sys
for f in sorted(glob.glob(sys.argv[1] + '/corpus/torture/*/*')):
    data = open(f, 'rb').read()
    for part in (data, data[:len(data) // 2]):
        try:
            s = socket.create_connection(('127.0.0.1', int(sys.argv[2])), timeout=2)
            s.sendall(part)
            s.close()
        except OSError:
            pass
PY
expect_match "torture datagrams sent" "$sent" '^[1-9][0-9]+$'

r=$(python3 "$SIPP_DIR/sipraw.py" send 127.0.0.9 127.0.0.1 "$SF_PORT_PROXY" "$SIPP_DIR/invite_tiny.sip" 1)
expect_eq "unknown source: a 403 larger than the request is not sent" "$r" none

wait "$FLOW"; rc=$?
expect_eq "sipp flow during the torture: every call as expected" "$rc" 0
grep -E 'Failed call|Successful call' "$SF_TMP/flow.out" | tail -2 | sed 's/^/     /'
kill -0 "$SERVE_PID" 2>/dev/null && ok "serve still running" || not_ok "serve still running"
s=$(ctl stats)
expect_json "parse errors counted" "$s" 'sum(d["parse_errors"].values())>=10'
expect_json "amplification guard counted" "$s" 'd["dropped"]["amplification"]>=1'
uac after 127.0.0.2 $(sf_port 116) serve_carrier_a.csv 8
expect_eq "still serving calls after the torture" "$?" 0
finish
