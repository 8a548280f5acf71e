# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by integration scripts: tiny assertion helpers that print both
# values on failure and a closing "N passed, N failed" line (finish).
_pass=0
_fail=0
ok() { _pass=$((_pass + 1)); echo "ok   $1"; }
not_ok() { _fail=$((_fail + 1)); echo "FAIL $1"; shift; for l in "$@"; do echo "     $l"; done; }
expect_eq() { # name actual expected
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $2" "want: $3"; fi
}
expect_rc() { # want-rc name cmd...
	local want=$1 name=$2; shift 2
	"$@" >/dev/null 2>&1; local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else not_ok "$name" "exit $rc, want $want: $*"; fi
}
expect_match() { # name text extended-regex
	if grep -qE -- "$3" <<<"$2"; then ok "$1"; else not_ok "$1" "no match for: $3" "in: $(head -c 600 <<<"$2")"; fi
}
expect_json() { # name json python-expression-over-d
	if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' "$2" "$3" 2>/dev/null; then
		ok "$1"; else not_ok "$1" "condition: $3" "json: $(head -c 800 <<<"$2")"; fi
}
finish() { echo "$_pass passed, $_fail failed"; [ "$_fail" -eq 0 ]; }
