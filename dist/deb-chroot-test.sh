#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# deb-chroot-test.sh - the .deb on a fresh Debian 12: debootstrap a
# minimal bookworm into build/chroot (once; reused), install the package
# there with apt (which pulls its dependencies from Debian), then, inside
# the chroot: `sipfilter check` on the installed config (the default
# path), and `sipfilter serve` run as the sipfilter user until its control
# socket answers `ctl ping` and `ctl stats`; stopped by PID.  The chroot
# shares the host's network, so serve runs in a private network namespace
# (loopback only).  `make deb-chroot-test`; prints "N passed, N failed".
set -u
deb=${1:?usage: deb-chroot-test.sh PACKAGE.deb}
here=$(cd "$(dirname "$0")/.." && pwd)
root=$here/build/chroot
ns=sfdeb$$
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '     %s\n' "$@"; }

command -v debootstrap >/dev/null || {
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends debootstrap; }
if [ ! -x "$root/usr/bin/apt-get" ]; then
	rm -rf "$root"
	debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian \
		>"$here/build/debootstrap.log" 2>&1 ||
		{ tail -20 "$here/build/debootstrap.log"; exit 1; }
fi
# no daemon may start inside the chroot while packages install
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	umount "$root/proc" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT

cp "$deb" "$root/tmp/sipfilter.deb"
if chroot "$root" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/sipfilter.deb' \
	>"$here/build/chroot-install.log" 2>&1; then
	ok "apt-get install the .deb in a fresh bookworm"
else
	bad "apt-get install the .deb" "$(tail -10 "$here/build/chroot-install.log")"
fi
chroot "$root" getent passwd sipfilter >/dev/null && ok "postinst created the sipfilter user" ||
	bad "no sipfilter user"
out=$(chroot "$root" sipfilter check 2>&1) && ok "sipfilter check (default /etc/sipfilter/sipfilter.yaml)" ||
	bad "sipfilter check" "$out"
chroot "$root" man -w sipfilter.yaml >/dev/null 2>&1 || [ -e "$root/usr/share/man/man5/sipfilter.yaml.5.gz" ] &&
	ok "man pages installed" || bad "man pages missing"

ip netns add "$ns" && ip netns exec "$ns" ip link set lo up
mkdir -p "$root/run/sipfilter"
chroot "$root" chown sipfilter:sipfilter /run/sipfilter
ip netns exec "$ns" chroot --userspec=sipfilter:sipfilter "$root" \
	sipfilter serve >"$here/build/chroot-serve.log" 2>&1 &
pid=$!
up=no
for _ in $(seq 100); do
	chroot "$root" sipfilter ctl ping >/dev/null 2>&1 && { up=yes; break; }
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
[ "$up" = yes ] && ok "sipfilter serve runs as sipfilter and answers ctl ping" ||
	bad "serve did not come up" "$(tail -5 "$here/build/chroot-serve.log")"
s=$(chroot "$root" sipfilter ctl stats 2>&1)
grep -q '"ok":true' <<<"$s" && ok "ctl stats from the installed serve" || bad "ctl stats" "$s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
