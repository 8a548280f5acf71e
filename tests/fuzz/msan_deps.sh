#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# msan_deps.sh - MemorySanitizer builds of the Debian libraries that fuzz
# targets call into, from Debian's own source packages.
#
# MSan must see every store: a value written by uninstrumented code reads
# as uninitialised to instrumented code, so a target that calls libyaml,
# Judy or libpcap needs those built with -fsanitize=memory too.  This
# script fetches the source of the installed version of each (apt-get
# source; the caller adds the deb-src entry, see the Makefile's
# apt-deb-src), builds it static with clang -fsanitize=memory into
# OUT/{include,lib}, and stamps OUT/NAME.done so a rebuild is skipped.
#
# Usage: tests/fuzz/msan_deps.sh OUT LIB...   (LIB: libyaml judy libpcap zlib)
#
# libosip2 is not built: the package registry this project installs from
# serves libosip2's .dsc without its source tarballs (404), so the targets
# that parse with libosip2 (identity, admit, proxy) stay ASan/UBSan only.
set -eu
out=$(mkdir -p "$1" && cd "$1" && pwd)
shift
src=$out/src
mkdir -p "$src" "$out/include" "$out/lib"
MSAN_CFLAGS="-fsanitize=memory -fsanitize-memory-track-origins=2 -fno-omit-frame-pointer -g -O1"
export CC=clang CFLAGS="$MSAN_CFLAGS" LDFLAGS="-fsanitize=memory"

# unpack NAME: the directory of the unpacked source of Debian source
# package NAME, at the version installed (its binary package's version).
unpack() {
	local pkg=$1 dir
	dir=$(find "$src" -maxdepth 1 -type d -name "$pkg-*" | head -1)
	if [ -z "$dir" ]; then
		(cd "$src" && apt-get source -qq "$pkg" >/dev/null 2>&1 ||
			{ apt-get update -qq && apt-get source -qq "$pkg" >/dev/null; })
		dir=$(find "$src" -maxdepth 1 -type d -name "$pkg-*" | head -1)
	fi
	[ -n "$dir" ] || { echo "msan_deps: no source for $pkg" >&2; exit 1; }
	echo "$dir"
}

build() {
	local name=$1 dir
	[ -f "$out/$name.done" ] && return 0
	echo "msan_deps: building $name with MemorySanitizer"
	case $name in
	libyaml)
		dir=$(unpack libyaml)
		(cd "$dir" && { [ -x configure ] || ./bootstrap >/dev/null; } &&
			./configure -q --disable-shared --enable-static --prefix="$out" &&
			make -s -j2 -C src && make -s -C src install &&
			cp include/yaml.h "$out/include/")
		;;
	judy)
		dir=$(unpack judy)
		(cd "$dir" && ./configure -q --disable-shared --enable-static --prefix="$out" &&
			make -s -j2 -C src && make -s -C src install)
		;;
	zlib)
		dir=$(unpack zlib)
		(cd "$dir" && ./configure --static --prefix="$out" >/dev/null &&
			make -s -j2 libz.a && make -s install)
		;;
	libpcap)
		dir=$(unpack libpcap)
		(cd "$dir" && ./configure -q --disable-shared --enable-static \
			--disable-dbus --disable-rdma --disable-bluetooth --disable-usb \
			--without-libnl --disable-remote --prefix="$out" &&
			make -s -j2 libpcap.a && make -s install-archive install-headers 2>/dev/null ||
			make -s install)
		;;
	*)
		echo "msan_deps: unknown library $name" >&2
		exit 2
		;;
	esac >"$out/$name.log" 2>&1 || { tail -20 "$out/$name.log" >&2; exit 1; }
	touch "$out/$name.done"
}

for lib in "$@"; do
	build "$lib"
done
