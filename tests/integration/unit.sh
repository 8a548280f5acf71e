#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The systemd unit (dist/sipfilter.service): `systemd-analyze security`
# (offline, on the file) rates its exposure at 2.0 or below, and
# `systemd-analyze verify` finds nothing wrong with it beyond what only an
# installed system has (the binary under /usr/local/bin, the man page).
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh

UNIT=dist/sipfilter.service
if ! command -v systemd-analyze >/dev/null; then
	not_ok "systemd-analyze (package systemd) is missing"; finish; exit
fi
out=$(systemd-analyze security --offline=true "$UNIT" 2>&1)
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out")
expect_match "security rated" "$score" '^[0-9]+\.[0-9]+$'
expect_eq "exposure <= 2.0 (got ${score:-none})" \
	"$(python3 -c 'import sys; print("yes" if float(sys.argv[1]) <= 2.0 else "no")' "${score:-99}")" yes
v=$(systemd-analyze verify "$UNIT" 2>&1 |
	grep -v -e 'sipfilter is not executable' -e "Command 'man sipfilter(8)' failed" \
		-e 'man:sipfilter(8)')
expect_eq "verify: nothing else to say" "$v" ""
for k in CapabilityBoundingSet= NoNewPrivileges=yes ProtectSystem=strict \
	StateDirectory=sipfilter ConfigurationDirectory=sipfilter SystemCallFilter=@system-service; do
	expect_match "unit sets $k" "$(cat "$UNIT")" "^$k"
done
finish
