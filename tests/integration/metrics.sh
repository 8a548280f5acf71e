#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# /metrics as Prometheus reads it: `promtool check metrics` (from Debian's
# prometheus package: only its promtool binary is unpacked into the build
# directory, no server is installed or started) finds nothing to say about
# serve's exposition after a few calls, every family has HELP and TYPE,
# and the build and process families are there.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

# promtool: fetched by `make test` (the Makefile's $(PROMTOOL) target).
PROMTOOL=$SF_ROOT/$BUILD/promtool/usr/bin/promtool
expect_eq "promtool from Debian's prometheus package" "$([ -x "$PROMTOOL" ] && echo yes)" yes

serve_start || { echo "0 passed, 1 failed"; exit 1; }
# one lookup and a reload so the families have values beyond zero
"$SIPFILTER" ctl -s "$CTL" reload >/dev/null
m=$(curl -s --max-time 5 "http://127.0.0.1:$SF_PORT_METRICS/metrics")
expect_match "metrics answered" "$m" '^# HELP '
out=$("$PROMTOOL" check metrics <<<"$m" 2>&1); rc=$?
expect_eq "promtool check metrics: clean (exit 0)" "$rc" 0
expect_eq "  ... with nothing to say" "$out" ""
no_help=$(python3 -c '
import sys
types, helps = set(), set()
for l in sys.stdin:
    p = l.split()
    if l.startswith("# TYPE "): types.add(p[2])
    if l.startswith("# HELP "): helps.add(p[2])
print(" ".join(sorted(types - helps)))' <<<"$m")
expect_eq "every family has HELP" "$no_help" ""
expect_match "build info" "$m" '^sipfilter_build_info\{version="[0-9.]+"\} 1$'
for f in process_cpu_seconds_total process_resident_memory_bytes \
	process_open_fds process_max_fds process_start_time_seconds; do
	expect_match "$f" "$m" "^$f [0-9.e+]+$"
done
rss=$(grep '^process_resident_memory_bytes ' <<<"$m" | cut -d' ' -f2)
expect_eq "RSS is plausible (1 MB .. 4 GB)" \
	"$([ "$rss" -gt 1000000 ] && [ "$rss" -lt 4000000000 ] && echo yes)" yes
finish
