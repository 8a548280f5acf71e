#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check_deps.sh - tests/check_deps.py and tests/check_sizes.py can fail:
# on a copy of the tree, each kind of violation they guard against is
# planted and must be reported (and the real tree must pass).
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

out=$(python3 tests/check_deps.py "$BUILD/obj" 2>&1); rc=$?
expect_eq "the tree passes (exit 0)" "$rc" 0
expect_match "it says what it checked" "$out" "layering ok, no cycles"

fresh() {
	rm -rf "$T/tree"; mkdir -p "$T/tree/tests"
	cp -r base tables config capture sipfilter "$T/tree/"
	cp tests/check_deps.py tests/check_sizes.py tests/size_allowlist.txt \
		"$T/tree/tests/"
}
plant() { # name file line-to-append regex-of-the-report
	fresh
	printf '%s\n' "$3" >>"$T/tree/$2"
	out=$(python3 "$T/tree/tests/check_deps.py" 2>&1); rc=$?
	expect_eq "$1: refused (exit 1)" "$rc" 1
	expect_match "$1: reported" "$out" "$4"
}
plant "engine includes a driver" sipfilter/engine/sf_engine.c \
	'#include "sipfilter/proxy/proxy_core.h"' \
	'sf_engine.c: engine may not include proxy'
plant "proxy includes replay" sipfilter/proxy/proxy_log.c \
	'#include "sipfilter/replay/replay.h"' \
	'proxy_log.c: proxy may not include replay'
plant "tables includes config" tables/tables.c \
	'#include "../config/sf_config.h"' \
	'tables.c: tables may not include config'
plant "base includes tables" base/sf_str.c \
	'#include "../tables/sf_tables.h"' 'base may not include tables'
plant "include cycle" sipfilter/engine/sf_sip.h '#include "sf_identity.h"' \
	'include cycle: .*sf_identity.*sf_sip'

# objects that need each other: two tiny objects, each using the other
fresh
mkdir -p "$T/obj/sipfilter/proxy"
cat >"$T/tree/sipfilter/proxy/proxy_ping.c" <<'C'
int sf_pong(void);
int sf_ping(void) { return sf_pong(); }
C
cat >"$T/tree/sipfilter/proxy/proxy_pong.c" <<'C'
int sf_ping(void);
int sf_pong(void) { return sf_ping(); }
C
for f in $(cd "$T/tree" && ls base/*.c tables/*.c config/*.c capture/*.c sipfilter/*/*.c); do
	mkdir -p "$T/obj/$(dirname "$f")"
	o="$T/obj/${f%.c}.o"
	if [ -f "$BUILD/obj/${f%.c}.o" ]; then cp "$BUILD/obj/${f%.c}.o" "$o"
	else ${CC:-cc} -c -o "$o" "$T/tree/$f"; fi
done
out=$(python3 "$T/tree/tests/check_deps.py" "$T/obj" 2>&1); rc=$?
expect_eq "objects that need each other: refused (exit 1)" "$rc" 1
expect_match "objects that need each other: reported with the symbols" "$out" \
	'proxy_ping uses sf_pong'
# --- sizes: tests/check_sizes.py ------------------------------------------
out=$(python3 tests/check_sizes.py 2>&1); rc=$?
expect_eq "sizes: the tree passes (exit 0)" "$rc" 0
expect_match "sizes: it says what it checked" "$out" 'none over 120 lines, no file over 900'

# a function of n lines, signature to closing brace, kernel style
func() { # name lines
	printf 'int %s(void)\n{\n' "$1"
	for _ in $(seq 4 "$2"); do printf '\t(void)0;\n'; done
	printf '}\n'
}
sizes() { out=$(python3 "$T/tree/tests/check_sizes.py" 2>&1); rc=$?; }
fresh
func sf_planted 120 >>"$T/tree/base/sf_err.c"
sizes
expect_eq "sizes: a 120-line function passes" "$rc" 0
fresh
func sf_planted 121 >>"$T/tree/base/sf_err.c"
sizes
expect_eq "sizes: a 121-line function: refused (exit 1)" "$rc" 1
expect_match "sizes: a 121-line function: reported" "$out" \
	'base/sf_err\.c:[0-9]+: sf_planted\(\) is 121 lines'

big() { # file lines [size-line]
	{ printf '/* SPDX-License-Identifier: LGPL-2.1-or-later */\n/*\n'
	  printf ' * %s - planted.\n' "$(basename "$1")"
	  [ -n "${3:-}" ] && printf ' * Size: %s\n' "$3"
	  printf ' */\n'; } >"$T/tree/$1"
	while [ "$(wc -l <"$T/tree/$1")" -lt "$2" ]; do
		printf 'int sf_planted_%d;\n' "$(wc -l <"$T/tree/$1")" >>"$T/tree/$1"
	done
}
fresh
big sipfilter/engine/sf_planted.c 900
sizes
expect_eq "sizes: a 900-line file passes" "$rc" 0
fresh
big sipfilter/engine/sf_planted.c 901
sizes
expect_eq "sizes: a 901-line file: refused (exit 1)" "$rc" 1
expect_match "sizes: a 901-line file: reported" "$out" \
	'sipfilter/engine/sf_planted\.c: 901 lines'
fresh
big sipfilter/engine/sf_planted.c 901 'one table, generated; splitting it helps nobody'
func sf_planted 121 >>"$T/tree/sipfilter/engine/sf_planted.c"
sizes
expect_eq "sizes: a big file that says why (Size:) passes" "$rc" 0
fresh
echo 'base/sf_err.c' >>"$T/tree/tests/size_allowlist.txt"
sizes
expect_eq "sizes: a stale allowlist entry: refused (exit 1)" "$rc" 1
expect_match "sizes: a stale allowlist entry: reported" "$out" \
	'base/sf_err\.c is no longer an offender'
finish
