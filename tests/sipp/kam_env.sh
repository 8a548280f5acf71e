# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by tests/integration/kamailio*.sh after tests/integration/lib.sh:
# a temporary directory $T whose processes ($pids, stopped by PID on exit)
# and files go away at exit; the skips (sanitizers, no kamailio package);
# `make kamailio-module`; and kam_config, the serve fixture and the
# example Kamailio script with their @PLACEHOLDERS@ filled.
# Sets T, MOD (the built sipfilter.so), KCTL (kamcmd's socket), kc.
MPATH=/usr/lib/x86_64-linux-gnu/kamailio/modules/
T=$(mktemp -d /tmp/sfkam.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

if [ -n "${SF_SAN:-}" ]; then
	echo "skip: the module is not built with sanitizers (it loads into a plain kamailio)"
	echo "0 passed, 0 failed"
	exit 0
fi
if ! make -s --no-print-directory kamailio-module BUILD="${BUILD:-build}" >"$T/build.log" 2>&1; then
	if ! command -v kamailio >/dev/null; then
		echo "skip: kamailio cannot be installed here: $(tail -3 "$T/build.log")"
		echo "0 passed, 0 failed"
		exit 0
	fi
	not_ok "make kamailio-module" "$(tail -15 "$T/build.log")"
	finish
	exit 1
fi
MOD=$PWD/${BUILD:-build}/kamailio/sipfilter.so
KCTL=unix:$T/kamailio_ctl
kc() { kamcmd -s "$KCTL" "$@" 2>&1; }

# kam_config KAMAILIO_PORT SERVE_PORT UAS_PORT METRICS_PORT CHILDREN:
# $T/serve.yaml (+ tables/) from tests/fixtures/serve with every trunk's
# next hop at UAS_PORT and serve listening on SERVE_PORT, and
# $T/kamailio.cfg from sipfilter/kamailio/sipfilter.cfg on that config.
kam_config() {
	cp -r tests/fixtures/serve/. "$T/"
	sed -i -e "s|@DIR@|$T|g" -e "s|@CORE_PORT@|$3|g; s|@CORE2_PORT@|$3|g" \
		-e "s|listen: \[.*\]|listen: [\"udp:127.0.0.1:$2\"]|" \
		-e "s|@METRICS_PORT@|$4|g" "$T/serve.yaml"
	sed -e "s|@MODULE@|$MOD|; s|@CONFIG@|$T/serve.yaml|; s|@LISTEN@|127.0.0.1:$1|" \
		-e "s|@NEXTHOP@|127.0.0.1:$3|; s|@CHILDREN@|$5|; s|@CTL@|$KCTL|" \
		-e "s|@MPATH@|$MPATH|" sipfilter/kamailio/sipfilter.cfg >"$T/kamailio.cfg"
}
