#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# No silent second instance: a second `sipfilter serve` on the same
# control socket, or on the same listeners with another control socket,
# refuses to start (exit 1, saying why) instead of joining the first one's
# SO_REUSEPORT group and taking a share of live traffic; it never deletes
# the first one's control socket; the first keeps answering.  A stale
# socket file (no process behind it) is replaced as before.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

# second_rc PID: RC = its exit status, or "running" (then stopped) when
# it did not give up within 5 s (a second instance that started).  Not
# in a subshell: only this shell can wait for its children.
second_rc() {
	local p=$1
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	if kill -0 "$p" 2>/dev/null; then
		kill "$p"; wait "$p" 2>/dev/null; RC=running
	else
		wait "$p"; RC=$?
	fi
}

serve_start || { echo "0 passed, 1 failed"; exit 1; }
first=$SERVE_PID

# 1. the same config: the control socket is live
"$SIPFILTER" serve -c "$SF_TMP/serve.yaml" >/dev/null 2>"$SF_TMP/second.err" &
p=$!; _pids+=("$p")
second_rc "$p"
expect_eq "second serve, same control socket: exit 1" "$RC" 1
expect_match "  ... says the socket is live" "$(cat "$SF_TMP/second.err")" \
	"control socket .*ctl\.sock is live: another sipfilter serve is running"
expect_eq "  ... the first one's socket is still there" \
	"$([ -S "$SF_TMP/ctl.sock" ] && echo yes)" yes
expect_json "  ... and the first still answers" \
	"$("$SIPFILTER" ctl -s "$SF_TMP/ctl.sock" stats)" 'd["ok"] is True'

# 2. another control socket, the same listeners
sed "s|control_socket: .*|control_socket: \"$SF_TMP/ctl2.sock\"|; s|metrics: .*|metrics: \"\"|" \
	"$SF_TMP/serve.yaml" >"$SF_TMP/second.yaml"
"$SIPFILTER" serve -c "$SF_TMP/second.yaml" >/dev/null 2>"$SF_TMP/second2.err" &
p=$!; _pids+=("$p")
second_rc "$p"
expect_eq "second serve, same listeners: exit 1" "$RC" 1
expect_match "  ... names the address in use" "$(cat "$SF_TMP/second2.err")" \
	"(udp|tcp) .*:$SF_PORT_PROXY is already in use by another process"
expect_eq "  ... leaves no control socket of its own" \
	"$([ -e "$SF_TMP/ctl2.sock" ] && echo left || echo none)" none
expect_eq "the first serve is still running" \
	"$(kill -0 "$first" 2>/dev/null && echo yes)" yes

# 3. after the first stops, a stale socket file does not block a restart
kill "$first"; wait "$first" 2>/dev/null
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' \
	"$SF_TMP/ctl.sock"
serve_launch
expect_json "a stale socket file is replaced" \
	"$("$SIPFILTER" ctl -s "$SF_TMP/ctl.sock" stats)" 'd["ok"] is True'
finish
