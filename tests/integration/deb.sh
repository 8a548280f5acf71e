#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Debian package, short form (the install in a fresh Debian 12 chroot
# is `make deb-chroot-test`, too slow for every run): `make deb` builds
# it with dpkg-buildpackage and lintian passes it with no error and no
# warning (the one override is justified in debian/); it holds the
# binary (default config /etc/sipfilter/sipfilter.yaml), both man pages,
# the config as a conffile pointing at the tables in /var/lib/sipfilter,
# and the hardened unit with /usr paths; and no libsipfilter (its ABI and
# SONAME are make install-lib's, see README "Embedding the engine").
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# a clean make: not the suite's (e.g. make asan's sanitizer flags)
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory deb \
	>"$T/deb.log" 2>&1; then ok "make deb (dpkg-buildpackage + lintian)"
else not_ok "make deb (dpkg-buildpackage + lintian)" "$(tail -20 "$T/deb.log")"; fi
deb=$(ls build/debsrc/sipfilter_*.deb 2>/dev/null | head -1)
expect_match "a .deb was built" "$deb" '\.deb$'
files=$(dpkg-deb -c "$deb" 2>/dev/null | awk '{print $6}')
for f in ./usr/bin/sipfilter ./usr/share/man/man8/sipfilter.8.gz \
	./usr/share/man/man5/sipfilter.yaml.5.gz ./etc/sipfilter/sipfilter.yaml \
	./var/lib/sipfilter/tables/roaming.csv ./lib/systemd/system/sipfilter.service \
	./usr/share/doc/sipfilter/copyright \
	./usr/share/sipfilter/replay-record.schema.json; do
	expect_match "package holds $f" "$files" "^${f//./\\.}$"
done
dpkg-deb -x "$deb" "$T/root"
dpkg-deb -e "$deb" "$T/ctl"
expect_eq "the config is a conffile" "$(cat "$T/ctl/conffiles")" /etc/sipfilter/sipfilter.yaml
expect_match "the config reads the tables from /var/lib/sipfilter" \
	"$(cat "$T/root/etc/sipfilter/sipfilter.yaml")" \
	'numbering_plan: /var/lib/sipfilter/tables/numbering-plan\.csv'
expect_match "the unit runs /usr/bin/sipfilter" \
	"$(cat "$T/root/lib/systemd/system/sipfilter.service")" \
	'^ExecStart=/usr/bin/sipfilter serve -c /etc/sipfilter/sipfilter\.yaml'
expect_match "the binary defaults to /etc/sipfilter/sipfilter.yaml" \
	"$("$T/root/usr/bin/sipfilter" --help 2>&1)" 'defaults to /etc/sipfilter/sipfilter\.yaml'
expect_match "postinst creates the sipfilter user" "$(cat "$T/ctl/postinst")" \
	'adduser --system --group'
expect_match "sipfilter(8) documents serve" "$(zcat "$T/root/usr/share/man/man8/sipfilter.8.gz")" \
	'sipfilter serve'
expect_match "sipfilter.yaml(5) documents the rules" \
	"$(zcat "$T/root/usr/share/man/man5/sipfilter.yaml.5.gz")" 'identities'
# libsipfilter is not in the package (make install-lib installs it): no
# shared object whose SONAME would have to name a libsipfilterN package,
# and the binary links the engine statically
expect_eq "no libsipfilter in the package" "$(grep -c 'libsipfilter' <<<"$files")" 0
expect_eq "the binary needs no libsipfilter.so" \
	"$(readelf -d "$T/root/usr/bin/sipfilter" | grep -c 'libsipfilter')" 0
finish
