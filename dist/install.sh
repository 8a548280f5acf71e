#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# install.sh - installs sipfilter as a systemd service (GNU-style
# variables; DESTDIR for packaging):
#   make && sudo dist/install.sh
#   DESTDIR=/tmp/stage PREFIX=/usr SYSCONFDIR=/etc dist/install.sh
# Puts the binary in $PREFIX/bin, the example config and tables in
# $SYSCONFDIR/sipfilter/ (never overwriting an existing config), the unit
# in $UNITDIR, and creates the sipfilter system user when run for real
# (no DESTDIR).  The unit's paths assume PREFIX=/usr/local; with another
# PREFIX the installed unit is rewritten to match.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
UNITDIR=${UNITDIR:-/etc/systemd/system}
DESTDIR=${DESTDIR:-}
BIN=${BIN:-$here/build/sipfilter}

[ -x "$BIN" ] || { echo "build first: make" >&2; exit 1; }
install -D -m 0755 "$BIN" "$DESTDIR$PREFIX/bin/sipfilter"
if [ ! -e "$DESTDIR$SYSCONFDIR/sipfilter/sipfilter.yaml" ]; then
	install -d -m 0755 "$DESTDIR$SYSCONFDIR/sipfilter/tables"
	sed -e 's|control_socket: .*|control_socket: /run/sipfilter/ctl.sock|' \
		"$here/config/sipfilter.yaml" >"$DESTDIR$SYSCONFDIR/sipfilter/sipfilter.yaml"
	install -m 0644 "$here"/config/tables/*.csv "$DESTDIR$SYSCONFDIR/sipfilter/tables/"
fi
install -D -m 0644 "$here/dist/replay-record.schema.json" \
	"$DESTDIR$PREFIX/share/sipfilter/replay-record.schema.json"
install -d "$DESTDIR$UNITDIR"
sed -e "s|/usr/local/bin/|$PREFIX/bin/|g" -e "s|/etc/sipfilter/|$SYSCONFDIR/sipfilter/|g" \
	"$here/dist/sipfilter.service" >"$DESTDIR$UNITDIR/sipfilter.service"
chmod 0644 "$DESTDIR$UNITDIR/sipfilter.service"
if [ -z "$DESTDIR" ]; then
	getent group sipfilter >/dev/null || groupadd --system sipfilter
	getent passwd sipfilter >/dev/null ||
		useradd --system --gid sipfilter --home-dir /nonexistent \
			--shell /usr/sbin/nologin sipfilter
	command -v systemctl >/dev/null && systemctl daemon-reload || true
	echo "installed; start with: systemctl enable --now sipfilter"
fi
