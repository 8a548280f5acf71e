#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libsipfilter as an outside program sees it (and `make install` staged
# with DESTDIR: the installed binary's default config is /etc's): `make install-lib` into a
# private prefix, the README's example program (taken from the README
# itself, between its markers) built with pkg-config against the
# installed shared library and, separately, the static one; the shared
# object's SONAME and exported symbols; and the example's answer for
# every RFC 4475/5118 torture message and a set of crafted requests from
# several sources, compared with `sipfilter judge --json` on the same
# bytes from the same source (the library decides as the binary does).
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh

SF=$SIPFILTER
CFG=config/sipfilter.yaml
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
P=$T/prefix

# --- install ---------------------------------------------------------------
if make -s --no-print-directory install-lib BUILD="$BUILD" PREFIX="$P" \
	>"$T/install.log" 2>&1; then ok "make install-lib"
else not_ok "make install-lib" "$(tail -5 "$T/install.log")"; fi
for f in lib/libsipfilter.a lib/libsipfilter.so.1 lib/libsipfilter.so \
	include/sipfilter.h lib/pkgconfig/sipfilter.pc; do
	expect_eq "installed $f" "$([ -e "$P/$f" ] && echo yes)" yes
done
so=$P/lib/libsipfilter.so.1
expect_match "SONAME" "$(readelf -d "$so")" 'SONAME.*\[libsipfilter\.so\.1\]'
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ {print $3}')
expect_eq "only sipfilter_* exported" \
	"$(grep -vc '^sipfilter_' <<<"$exported")" 0
expect_match "sipfilter_judge exported" "$exported" '^sipfilter_judge$'

# --- make install (staged): the installed binary defaults to /etc ---------
if make -s --no-print-directory install DESTDIR="$T/stage" PREFIX=/usr \
	>"$T/install-all.log" 2>&1; then ok "make install (DESTDIR)"
else not_ok "make install (DESTDIR)" "$(tail -5 "$T/install-all.log")"; fi
expect_match "installed binary defaults to /etc/sipfilter/sipfilter.yaml" \
	"$("$T/stage/usr/bin/sipfilter" --help 2>&1)" \
	'defaults to /etc/sipfilter/sipfilter\.yaml'
expect_match "the tree's binary keeps the example" "$("$SF" --help 2>&1)" \
	'defaults to .*/config/sipfilter\.yaml'
for f in etc/sipfilter/sipfilter.yaml usr/lib/libsipfilter.so.1 \
	usr/include/sipfilter.h etc/systemd/system/sipfilter.service; do
	expect_eq "staged $f" "$([ -e "$T/stage/$f" ] && echo yes)" yes
done

# --- the README's example, built against the installed library -----------
sed -n '/<!-- libsipfilter-example -->/,/<!-- \/libsipfilter-example -->/p' \
	README.md | sed '1,2d;$d' | sed '$d' >"$T/judge_file.c"
expect_match "README example extracted" "$(cat "$T/judge_file.c")" \
	'sipfilter_open'
export PKG_CONFIG_PATH=$P/lib/pkgconfig
# shellcheck disable=SC2086 # SF_SAN and pkg-config output are word lists
if cc -std=c11 -Wall -Wextra -Werror ${SF_SAN:-} "$T/judge_file.c" \
	$(pkg-config --cflags --libs sipfilter) -o "$T/judge_file" \
	2>"$T/cc.log"; then ok "example builds with pkg-config (shared)"
else not_ok "example builds with pkg-config (shared)" "$(head -20 "$T/cc.log")"; fi
expect_match "example links the shared library" \
	"$(LD_LIBRARY_PATH=$P/lib ldd "$T/judge_file" 2>&1)" \
	"libsipfilter\.so\.1 => $P/lib/"
# shellcheck disable=SC2086
if cc -std=c11 ${SF_SAN:-} "$T/judge_file.c" $(pkg-config --cflags sipfilter) \
	"$P/lib/libsipfilter.a" \
	$(pkg-config --static --libs-only-l sipfilter | sed 's/-lsipfilter//') \
	-o "$T/judge_static" 2>"$T/cc2.log"; then ok "example builds static"
else not_ok "example builds static" "$(head -20 "$T/cc2.log")"; fi
expect_eq "static build needs no libsipfilter.so" \
	"$(ldd "$T/judge_static" 2>&1 | grep -c libsipfilter)" 0

run_example() { # bin source file
	LD_LIBRARY_PATH=$P/lib "$1" "$CFG" "$2" "$3"
}
# What `judge` says of each file, one line each, in the example's words.
judge_words() { # source file...
	local src=$1; shift
	"$SF" judge -c "$CFG" --source "$src" --json "$@" | python3 -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    num = d.get("number") if d.get("admission") == "verdict" else None
    print(d["applied"], d.get("code") or 0, d.get("rule") or "-", num or "-")'
}

expect_rc 2 "example refuses a broken config" \
	env LD_LIBRARY_PATH="$P/lib" "$T/judge_file" /nonexistent.yaml \
	127.0.0.2 /dev/null
err=$(LD_LIBRARY_PATH=$P/lib "$T/judge_file" tests/golden/config/duplicate_key.yaml \
	127.0.0.2 /dev/null 2>&1)
expect_match "errors are file:line:col records" "$err" \
	'duplicate_key\.yaml:[0-9]+:[0-9]+: error: '

# --- crafted requests --------------------------------------------------------
msg() { # file from pai totag method
	local pai="" totag=""
	[ -n "$3" ] && pai="P-Asserted-Identity: <sip:$3@carrier.example>\r\n"
	[ -n "$4" ] && totag=";tag=$4"
	printf "%s sip:+77021234567@ims.example.kz SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-%s\r\nMax-Forwards: 70\r\nFrom: <sip:%s@carrier.example>;tag=1\r\nTo: <sip:+77021234567@ims.example.kz>%s\r\n${pai}Call-ID: lib-%s@test\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n" \
		"$5" "$RANDOM" "$2" "$totag" "$RANDOM" "$5" >"$T/m/$1.sip"
}
mkdir -p "$T/m"
msg home-mobile +77011234500 "" "" INVITE
msg foreign-pai +77011234500 +4915112345678 "" INVITE
msg foreign +4915112345678 "" "" INVITE
msg not-number sipp "" "" INVITE
msg emergency +77011234500 "" "" INVITE
sed -i 's/sip:+77021234567@ims/sip:112@ims/g' "$T/m/emergency.sip"
msg to-tag +77011234500 "" abc INVITE
msg options +77011234500 "" "" OPTIONS
msg bye +77011234500 "" "" BYE
printf 'INVITE sip:x SIP/2.0\r\nVia: broken\r\n\r\n' >"$T/m/garbage.sip"

files=("$T"/m/*.sip "$SF_SHARED"/corpus/torture/rfc4475/*.dat "$SF_SHARED"/corpus/torture/rfc5118/*)
n=0; bad=0; first=""
for src in 127.0.0.2 127.0.0.5 10.9.9.9; do
	mapfile -t want < <(judge_words "$src" "${files[@]}")
	for i in "${!files[@]}"; do
		a=$(run_example "$T/judge_file" "$src" "${files[$i]}")
		n=$((n + 1))
		if [ "$a" != "${want[$i]:-}" ]; then
			bad=$((bad + 1))
			[ -z "$first" ] && first="$src $(basename "${files[$i]}"): library '$a', judge '${want[$i]:-}'"
		fi
	done
done
expect_eq "library agrees with judge on $n messages" "$bad${first:+ ($first)}" 0
expect_match "a home mobile from abroad is rejected" \
	"$(run_example "$T/judge_file" 127.0.0.2 "$T/m/home-mobile.sip")" \
	'^reject 603 home-mobile-not-roaming \+77011234500$'
expect_match "a foreign PAI does not hide the home From" \
	"$(run_example "$T/judge_file" 127.0.0.2 "$T/m/foreign-pai.sip")" \
	'^reject 603 '
expect_match "an emergency call is never blocked" \
	"$(run_example "$T/judge_file" 127.0.0.2 "$T/m/emergency.sip")" \
	'^allow 0 emergency '
expect_match "the static build answers the same" \
	"$(run_example "$T/judge_static" 127.0.0.2 "$T/m/home-mobile.sip")" \
	'^reject 603 home-mobile-not-roaming '
finish
