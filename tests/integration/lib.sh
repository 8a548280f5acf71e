# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by integration scripts (and tests/run.sh, tests/soak.sh): tiny
# assertion helpers that print both values on failure and a closing
# "N passed, N failed" line (finish), and the ports every test uses.
#
# Ports.  Every port a test binds or sends to is SF_PORT_BASE + a fixed
# offset, so that two suites (two clones, one network namespace) can run at
# once on one machine, each with its own base:
#
#   offset   variable          what
#   +60      SF_PORT_PROXY     `sipfilter serve` listens (UDP and TCP,
#                              127.0.0.1 and [::1]); the serve fixture's
#                              `listen`, and the R-URI of requests to it
#   +70      SF_PORT_CORE      the trunks' next hop (127.0.0.1): the sipp
#                              UAS, edge_probe.py's fake core
#   +72      SF_PORT_CORE2     roaming-hub's next hop: the CANCEL UAS in
#                              serve.sh; nothing listens in faults.sh
#   +99      SF_PORT_VICTIM    edge_probe.py's victim (127.0.0.66)
#   +101..   sf_port N         sipp UAC source ports, one per run:
#                              serve 101-110, serve_reload 111-113,
#                              edge 114, serve_torture 115-116,
#                              faults 121-125, soak 131, hostile 141-144,
#                              serve_dos 151, serve_ported 161-164,
#                              serve_redis 171-172 (node B listens
#                              on 180, its metrics on 465),
#                              serve_redis_outage 173 (its Redis
#                              relay listens on 466),
#                              soak_redis 174 (relay 467),
#                              serve_reload_config 301-305
#   +464     SF_PORT_METRICS   /metrics and /health (127.0.0.1)
#
# The unix sockets (control socket, sd_notify) and every file a test
# writes live in a mktemp directory of the run (tests/sipp/serve_env.sh).
#
# SF_PORT_BASE unset: a free slot is claimed (sf_claim_slot): slot N is
# SF_PORT_BASE from SF_SLOT_BASES (25000-25999 is left to perf/, whose
# BENCH_PORT_BASE defaults to 25060), held by `flock -n` on
# /tmp/sipfilter-test-slot-N.lock through an fd that stays open as long as
# the shell that claimed it (tests/run.sh for a whole suite) and its
# children.  SF_PORT_BASE set: used as it is, nothing is locked; pick a
# base no other suite uses.
SF_SLOT_BASES=(20000 21000 22000 23000 24000 26000 27000 28000)
SF_SLOT_LOCK_DIR=${SF_SLOT_LOCK_DIR:-/tmp}

# sf_claim_slot: sets and exports SF_PORT_BASE and SF_SLOT from the first
# slot whose lock is free, keeping the lock's fd (SF_SLOT_FD) open; returns
# 1 when every slot is taken.
sf_claim_slot() {
	local i lock
	for i in "${!SF_SLOT_BASES[@]}"; do
		lock=$SF_SLOT_LOCK_DIR/sipfilter-test-slot-$i.lock
		exec {SF_SLOT_FD}>>"$lock" || continue
		if flock -n "$SF_SLOT_FD"; then
			SF_SLOT=$i
			SF_PORT_BASE=${SF_SLOT_BASES[$i]}
			export SF_SLOT SF_PORT_BASE
			return 0
		fi
		exec {SF_SLOT_FD}>&-
	done
	return 1
}

if [ -z "${SF_PORT_BASE:-}" ]; then
	sf_claim_slot || {
		echo "no free test slot: all ${#SF_SLOT_BASES[@]} locks in $SF_SLOT_LOCK_DIR/sipfilter-test-slot-*.lock are held (set SF_PORT_BASE)" >&2
		exit 1
	}
fi
export SF_PORT_BASE
export SF_PORT_PROXY=$((SF_PORT_BASE + 60))
export SF_PORT_CORE=$((SF_PORT_BASE + 70))
export SF_PORT_CORE2=$((SF_PORT_BASE + 72))
export SF_PORT_VICTIM=$((SF_PORT_BASE + 99))
export SF_PORT_METRICS=$((SF_PORT_BASE + 464))
sf_port() { echo $((SF_PORT_BASE + $1)); }

_pass=0
_fail=0
ok() { _pass=$((_pass + 1)); echo "ok   $1"; }
not_ok() { # name detail... (each line of each detail indented)
	_fail=$((_fail + 1)); echo "FAIL $1"; shift
	local l; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/     /'; done
}
# clip TEXT: the text, cut after 2000 bytes with a note of what was left
# out, so that a failed match shows what it looked in.
clip() {
	local LC_ALL=C
	if [ ${#1} -gt 2000 ]; then
		printf '%s[... %d more bytes]' "${1:0:2000}" $((${#1} - 2000))
	else printf '%s' "$1"; fi
}
expect_eq() { # name actual expected
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $2" "want: $3"; fi
}
expect_rc() { # want-rc name cmd...
	local want=$1 name=$2; shift 2
	"$@" >/dev/null 2>&1; local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else not_ok "$name" "exit $rc, want $want: $*"; fi
}
expect_match() { # name text extended-regex
	if grep -qE -- "$3" <<<"$2"; then ok "$1"; else not_ok "$1" "no match for: $3" "in: $(clip "$2")"; fi
}
expect_json() { # name json python-expression-over-d
	if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' "$2" "$3" 2>/dev/null; then
		ok "$1"; else not_ok "$1" "condition: $3" "json: $(clip "$2")"; fi
}
finish() { echo "$_pass passed, $_fail failed"; [ "$_fail" -eq 0 ]; }
