#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-example.sh - `make run`: starts the proxy in the foreground on the
# bundled example config (listeners on 127.0.0.1:5060 and [::1]:5060, UDP
# and TCP; next hop 127.0.0.1:5070; control socket /tmp/sipfilter.ctl;
# metrics on http://127.0.0.1:9464/metrics).  Ctrl-C stops it.
#
#   sipfilter/cmd/run-example.sh [BINARY] [extra serve options]
#
# Try it from another shell (README "Running the proxy" says what each
# call should show):
#   sipp -sf tests/sipp/serve_uas.xml -i 127.0.0.1 -p 5070 -m 2 -bg
#   sipp -sf tests/sipp/serve_uac.xml -inf config/try/calls.csv \
#        -i 127.0.0.2 127.0.0.1:5060 -m 3
#   build/sipfilter ctl -s /tmp/sipfilter.ctl stats
set -e
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$here/build/sipfilter}
[ $# -gt 0 ] && shift
echo "sipfilter serve on $here/config/sipfilter.yaml (Ctrl-C stops)" >&2
exec "$bin" serve -c "$here/config/sipfilter.yaml" "$@"
