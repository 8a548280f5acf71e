#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check_deps.sh - tests/check_deps.py can fail: on a copy of the tree,
# each kind of violation it guards against is planted and must be
# reported (and the real tree must pass).
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
	cp tests/check_deps.py "$T/tree/tests/"
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
finish
