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

# resend_invites IN OUT A B: IN's packets with each third one (0, 3, ...)
# sent again A packets later and again B packets later (same bytes, the
# later packet's time): retransmissions inside the 32 s window and after
# it, for folding and "late" counts.
resend_invites() {
	python3 - "$@" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
a, b = int(sys.argv[3]), int(sys.argv[4])
o, recs = 24, []
while o + 16 <= len(d):
    il = struct.unpack('<I', d[o + 8:o + 12])[0]
    recs.append(d[o:o + 16 + il]); o += 16 + il
out, later = [d[:24]], {}
for i, r in enumerate(recs):
    out.append(r)
    for x in later.pop(i, []):
        out.append(r[:8] + x[8:])
    if i % 3 == 0:
        later.setdefault(i + a, []).append(r)
        later.setdefault(i + b, []).append(r)
open(sys.argv[2], 'wb').write(b''.join(out))
EOF
}
