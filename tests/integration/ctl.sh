#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `sipfilter ctl` fit for scripts: options anywhere on the line (a -s
# after the command talks to that socket, not the default one), an
# unknown command, option or a missing argument is a usage error (exit 2)
# before anything is sent, a failed command exits 1, and the help names
# the options the code takes.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

serve_start || { echo "0 passed, 1 failed"; exit 1; }
SF=$SIPFILTER
rows() { "$SF" ctl -s "$CTL" stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["tables"]["roaming_rows"])'; }

before=$(rows)
# the default node is $SIPFILTER_CTL; -s after the command must win
SIPFILTER_CTL=$CTL "$SF" ctl roaming add 77015550001 -s "$SF_TMP/nobody.sock" \
	>/dev/null 2>"$SF_TMP/err"; rc=$?
expect_eq "-s after the command: that socket is used (exit 1: nobody there)" "$rc" 1
expect_match "  ... and named" "$(cat "$SF_TMP/err")" "cannot connect to $SF_TMP/nobody.sock"
expect_eq "  ... the default node was not changed" "$(rows)" "$before"
expect_rc 0 "options after the command words" "$SF" ctl roaming add 77015550002 --visited TR -s "$CTL" -T 5
expect_eq "  ... applied" "$(rows)" "$((before + 1))"
expect_rc 0 "options between the words" "$SF" ctl roaming -s "$CTL" del 77015550002
expect_eq "  ... applied" "$(rows)" "$before"

expect_rc 2 "unknown command" "$SF" ctl -s "$CTL" frobnicate
expect_rc 2 "unknown subcommand" "$SF" ctl -s "$CTL" roaming move 77015550003
expect_rc 2 "missing argument" "$SF" ctl -s "$CTL" roaming add
expect_rc 2 "extra argument" "$SF" ctl -s "$CTL" stats now
expect_rc 2 "unknown option" "$SF" ctl -s "$CTL" stats --frob
expect_rc 2 "an option that does not go with the command" "$SF" ctl -s "$CTL" reload --visited DE
expect_rc 2 "bad timeout" "$SF" ctl -s "$CTL" -T soon stats
expect_rc 1 "a failed command exits 1" "$SF" ctl -s "$CTL" roaming add not-a-number
help=$("$SF" ctl --help)
expect_match "help names -T for the timeout" "$help" '-T, --timeout SEC'
expect_eq "help does not offer -t for it" "$(grep -c -- '-t, --timeout' <<<"$help")" 0
expect_rc 2 "-t is not an option" "$SF" ctl -s "$CTL" -t 5 stats

# --batch: one command per stdin line, as written after `ctl`
before=$(rows)
printf '%s\n' "roaming add 77015550011 --visited TR" "# a comment" "" \
	"roaming add 77015550012" "roaming del 77015550011" |
	"$SF" ctl -s "$CTL" --batch >"$SF_TMP/batch.out" 2>"$SF_TMP/batch.err"; rc=$?
expect_eq "batch of 3 commands: exit 0" "$rc" 0
expect_eq "  ... 3 answers" "$(grep -c '"ok":true' "$SF_TMP/batch.out")" 3
expect_match "  ... counted, all on one connection" "$(cat "$SF_TMP/batch.err")" \
	'3 ok, 0 failed, 1 connection$'
expect_eq "  ... applied in order" "$(rows)" "$((before + 1))"
printf '%s\n' "roaming del 77015550012" "frobnicate" "roaming add not-a-number" |
	"$SF" ctl -s "$CTL" --batch >/dev/null 2>"$SF_TMP/batch.err"; rc=$?
expect_eq "batch with a bad line and a failed command: exit 1" "$rc" 1
expect_match "  ... says which line" "$(cat "$SF_TMP/batch.err")" 'stdin line 2 skipped'
expect_match "  ... and the count" "$(cat "$SF_TMP/batch.err")" '1 ok, 2 failed'
expect_eq "  ... the good line applied" "$(rows)" "$before"
expect_rc 2 "batch takes no command words" "$SF" ctl -s "$CTL" --batch stats
t0=$(date +%s%N)
for i in $(seq 1000); do echo "roaming add 7701600$(printf %04d "$i")"; done |
	"$SF" ctl -s "$CTL" --batch >/dev/null 2>"$SF_TMP/batch.err"; rc=$?
t1=$(date +%s%N)
expect_eq "batch of 1000 roaming updates: exit 0" "$rc" 0
expect_match "  ... on one connection" "$(cat "$SF_TMP/batch.err")" \
	'1000 ok, 0 failed, 1 connection$'
# A feed that pauses longer than serve's idle deadline (2 s): serve closes
# the idle connection, ctl opens a new one and loses nothing.
{ echo "ping"; sleep 2.5; echo "roaming add 77016660001"; } |
	"$SF" ctl -s "$CTL" --batch >"$SF_TMP/batch.out" 2>"$SF_TMP/batch.err"; rc=$?
expect_eq "batch across serve's idle close: exit 0" "$rc" 0
expect_match "  ... both answered, a second connection" \
	"$(cat "$SF_TMP/batch.err")" '2 ok, 0 failed, 2 connections$'
# The wire protocol itself: pipelined requests on one connection are
# answered in order, one line each, then the close after the client's.
pipelined=$(python3 - "$CTL" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b'ping\nlookup 77015550099\nping')
s.shutdown(socket.SHUT_WR)
data = b''
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
lines = data.decode().splitlines()
print(len(lines), ' '.join(l[:10] for l in lines))
PY
)
expect_eq "pipelined requests: three answers in order, then closed" \
	"$pipelined" '3 {"ok":true {"ok":true {"ok":true'
echo "figure: 1000 roaming updates through ctl --batch in $(( (t1 - t0) / 1000000 )) ms"
finish
