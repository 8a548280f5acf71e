#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# kamailio_shm.sh - the Kamailio module's edges (sipfilter/kamailio/), on
# loopback, ports SF_PORT_BASE + 240..249 (lib.sh):
#  - shared memory too small for two generations (kamailio -m): a reload
#    is refused "out of memory" and the old tables keep serving (calls
#    judged as before, in every child), Kamailio does not crash, the
#    failed build's shm is given back (core.shmmem and shm_judy_kib as
#    before); a reload to a small table then fits beside the old one, and
#    once the old generation is freed the big table loads again;
#  - tables.ported: the module judges with it and `sipfilter.stats`
#    shows ported_rows;
#  - tables.roaming_live (serve's Redis feed) is refused at start with
#    file:line:col: the module does not follow it.
# Skips (with a message) when kamailio cannot be installed, or under
# sanitizers, as kamailio.sh.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh

BUILD=${BUILD:-build}
KPORT=$(sf_port 240) UASPORT=$(sf_port 241)
CHILDREN=2
SHM_MB=40          # holds one generation of the big table, not two
BIG=2000000        # roaming rows of the big table (~17 MiB of shm)
. tests/sipp/kam_env.sh
num() { grep -o "$1: [0-9]*" <<<"$2" | head -1 | cut -d' ' -f2; }

# --- config: the serve fixture with a ported table ------------------------
kam_config "$KPORT" "$(sf_port 243)" "$UASPORT" "$(sf_port 242)" "$CHILDREN"
cat >"$T/tables/ported.csv" <<'CSV'
77015557001,Operator B,2024-03-01
77055557002,Example Mobile,2024-03-02
77055557003,Example Mobile,2024-03-03
CSV
# (max_shrink 1: stepping down to a small table is how this test frees shm)
sed -i -e 's|^  roaming: tables/roaming.csv$|&\n  ported:\n    file: tables/ported.csv\n    home_operators: ["Example Mobile"]|' \
	-e 's|^  max_shrink: .*|  max_shrink: 1.0|' "$T/serve.yaml"
cp "$T/tables/roaming.csv" "$T/roaming.small"
python3 -c 'import sys
for i in range(int(sys.argv[1])): sys.stdout.write("7701%07d,TR\n" % i)' "$BIG" \
	>>"$T/tables/roaming.csv"
cp "$T/tables/roaming.csv" "$T/roaming.big"

# --- tables.roaming_live is refused at start, with file:line:col -----------
python3 - "$T/serve.yaml" "$T/live.yaml" <<'PY'
import sys
s = open(sys.argv[1]).read()
s = s.replace("  allow: tables/allow.csv\n", "  allow: tables/allow.csv\n"
              "  roaming_live:\n    redis: \"127.0.0.1:6379\"\n"
              "    stream: sipfilter:roaming\n", 1)
open(sys.argv[2], "w").write(s)
PY
line=$(grep -n '^  roaming_live:' "$T/live.yaml" | cut -d: -f1)
sed "s|$T/serve.yaml|$T/live.yaml|" "$T/kamailio.cfg" >"$T/kamailio-live.cfg"
timeout 30 kamailio -f "$T/kamailio-live.cfg" -DD -E -w "$T" -Y "$T" -P "$T/live.pid" \
	-m $SHM_MB >"$T/live.log" 2>&1
expect_eq "tables.roaming_live: kamailio refuses to start" "$?" 255
expect_match "  ... naming file:line:col of the key and what to use instead" \
	"$(cat "$T/live.log")" \
	"live\.yaml:$line:[0-9]+: error: tables\.roaming_live is followed by .sipfilter serve. only.*roaming_add"

# --- start with -m too small for two generations ---------------------------
kamailio -f "$T/kamailio.cfg" -DD -E -w "$T" -Y "$T" -P "$T/kamailio.pid" \
	-m $SHM_MB >"$T/kamailio.log" 2>&1 &
KPID=$!
pids+=("$KPID")
for _ in $(seq 300); do kc sipfilter.stats >/dev/null 2>&1 && break; sleep 0.1; done
if ! kc sipfilter.stats >/dev/null 2>&1; then
	not_ok "kamailio -m $SHM_MB starts with the big table" "$(tail -5 "$T/kamailio.log")"
	finish
	exit 1
fi
ok "kamailio -m $SHM_MB starts with $BIG roaming rows"
for p in $(ps -o pid= --ppid "$KPID"); do pids+=("$p"); done
python3 tests/sipp/kam_diff.py uas 127.0.0.1 $UASPORT "$T/uas.jsonl" 120 &
pids+=($!)
for _ in $(seq 50); do [ -e "$T/uas.jsonl" ] && break; sleep 0.05; done
# four calls, 4 times each (spread over the children): a big-table roaming
# number (allowed), a home mobile not roaming (rejected), a number ported
# out (allowed), a number ported in and not roaming (rejected)
cat >"$T/calls.csv" <<'CSV'
big-roam;127.0.0.2;77010000123;-;77012220002;-
not-roaming;127.0.0.2;77015550004;-;77012220002;-
ported-out;127.0.0.2;77015557001;-;77012220002;-
ported-in;127.0.0.2;77055557002;-;77012220002;-
CSV
calls() { # calls NAME: "label i code" per call, sorted
	python3 tests/sipp/kam_diff.py calls 127.0.0.1 $KPORT "$T/calls.csv" "$1" 4 |
		awk '{ print $1, $3 }' | sort | uniq -c | tr -s ' ' | tr '\n' '|'
}
want=" 4 big-roam 200| 4 not-roaming 603| 4 ported-in 603| 4 ported-out 200|"
expect_eq "calls judged with the big table and the ported table" "$(calls before)" "$want"
s=$(kc sipfilter.stats | tr '\n' ' ')
expect_eq "sipfilter.stats: ported_rows" "$(num ported_rows "$s")" 3
[ "$(num roaming_rows "$s")" -ge "$BIG" ]
expect_eq "sipfilter.stats: roaming_rows >= $BIG" "$?" 0
shm_used() { kc core.shmmem | awk '/used:/ && !/real|max/ { print $2 }'; }
judy0=$(num shm_judy_kib "$s") used0=$(shm_used)

# --- a second generation does not fit: refused, old tables serve ------------
echo "77015550004,FR" >>"$T/tables/roaming.csv"
r=$(kc sipfilter.reload)
expect_match "reload needing a 2nd generation in -m $SHM_MB: refused, out of memory" "$r" \
	"error: 500 - reload refused, old tables kept: .*out of memory"
kill -0 "$KPID" 2>/dev/null
expect_eq "  ... kamailio still running" "$?" 0
expect_eq "  ... no crash logged" "$(grep -ciE 'segfault|signal 11|core dump|abort' "$T/kamailio.log")" 0
expect_eq "  ... the old tables keep judging every call (the new row not served)" \
	"$(calls refused)" "$want"
s=$(kc sipfilter.stats | tr '\n' ' ')
expect_eq "  ... stats: generation 1, one reload refused" \
	"$(num generation "$s")/$(num reloads_failed "$s")" "1/1"
expect_eq "  ... the failed build's Judy nodes were given back (shm_judy_kib)" \
	"$(num shm_judy_kib "$s")" "$judy0"
used1=$(shm_used)
[ -n "$used1" ] && [ "$used1" -le $((used0 + 1048576)) ]
expect_eq "  ... and its shm (core.shmmem used $used0 -> $used1, within 1 MiB)" "$?" 0

# --- memory frees: a small table fits beside the old one, then the big
# table fits again once the old generation is gone ---------------------------
cp "$T/roaming.small" "$T/tables/roaming.csv"
expect_match "reload to a small roaming table fits: generation 2" "$(kc sipfilter.reload)" \
	"reloaded: generation 2"
want2=" 4 big-roam 603| 4 not-roaming 603| 4 ported-in 603| 4 ported-out 200|"
expect_eq "  ... every child judges with it" "$(calls small)" "$want2"
cp "$T/roaming.big" "$T/tables/roaming.csv"
echo "77015550004,FR" >>"$T/tables/roaming.csv"
expect_match "reload to the big table again (the first generation was freed): generation 3" \
	"$(kc sipfilter.reload)" "reloaded: generation 3"
want3=" 4 big-roam 200| 4 not-roaming 200| 4 ported-in 603| 4 ported-out 200|"
expect_eq "  ... every child judges with it (the row refused before now served)" \
	"$(calls big)" "$want3"
s=$(kc sipfilter.stats | tr '\n' ' ')
expect_eq "  ... stats: 2 reloads ok, 1 refused, nothing parked" \
	"$(num reloads_ok "$s")/$(num reloads_failed "$s")/$(num parked "$s")" "2/1/0"
kill -0 "$KPID" 2>/dev/null
expect_eq "kamailio still running" "$?" 0
finish
