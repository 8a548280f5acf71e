#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# apt-deb-src.sh - lets `apt-get source` work: adds a deb-src entry for
# Debian 12 (bookworm, main) unless one is configured, then updates the
# package lists.  Used by `make kamailio-module` (Kamailio's headers) and
# the MemorySanitizer fuzz builds (libyaml, Judy, libpcap, zlib sources).
set -e
file=/etc/apt/sources.list.d/sipfilter-deb-src.sources
if grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ ||
	grep -qs '^deb-src' /etc/apt/sources.list; then
	exit 0
fi
echo "adding $file (deb-src for apt-get source)"
printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >"$file"
apt-get update -qq
