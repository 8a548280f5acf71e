# SPDX-License-Identifier: LGPL-2.1-or-later
#
# replay_gen.sh - sourced by the replay tests: build_generators DIR builds
# the capture generators of tests/fixtures/replay into DIR (gen_capture:
# link types and scenarios; gen_flows: whole call flows); non-zero (and
# not_ok said) if one does not build.
build_generators() {
	local d=$1 fix=tests/fixtures/replay
	${CC:-cc} -std=c11 -D_GNU_SOURCE -I. -O1 -o "$d/gen_capture" \
		"$fix/gen_capture.c" capture/sf_pcapw.c capture/sf_hep.c \
		base/sf_addr.c base/sf_err.c -lz || { not_ok "build gen_capture"; return 1; }
	${CC:-cc} -std=c11 -D_GNU_SOURCE -I. -O1 -o "$d/gen_flows" \
		"$fix/gen_flows.c" capture/sf_pcapw.c base/sf_addr.c \
		base/sf_err.c -lz || { not_ok "build gen_flows"; return 1; }
}

# replay_setup: what every replay test starts with: SF (the binary), CFG
# (the frozen example config the tests rest on), T (a scratch directory
# removed at exit) and the generators built in T.
replay_setup() {
	SF=$SIPFILTER
	CFG=tests/fixtures/engine/sipfilter.yaml
	T=$(mktemp -d)
	trap 'rm -rf "$T"' EXIT
	build_generators "$T"
}
