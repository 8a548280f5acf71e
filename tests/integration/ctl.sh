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
finish
