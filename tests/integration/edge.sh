#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# edge.sh - the edge cannot be walked around: every probe of the
# edge-security work, against a real `sipfilter serve` on loopback.
#  - tests/sipp/edge_probe.py plays the attacker on a trunk (127.0.0.2)
#    and an unknown source (127.0.0.9), the core (127.0.0.1:SF_PORT_CORE)
#    and a victim (127.0.0.66:SF_PORT_VICTIM): INVITEs that look in-dialog, foreign
#    Routes, case variants of INVITE, methods the trunk does not list,
#    sender-written received/rport, forged responses, loops vs spirals,
#    retransmissions, the ACK of a rejection;
#  - positive controls with real sipp peers: a whole dialog through the
#    Record-Route (INVITE, re-INVITE from the trunk, BYE from the core)
#    over UDP and TCP, IPv4 and IPv6.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
. tests/sipp/serve_env.sh

serve_start || { not_ok "serve starts"; finish; exit 1; }
ok "serve starts"

# --- the attacker's probes ------------------------------------------------
nprobe=0
while read -r line; do
	nprobe=$((nprobe + 1))
	case $line in
	*" ok") ok "${line% ok}" ;;
	*) not_ok "${line%% FAIL*}" "${line#* FAIL}" ;;
	esac
done < <(timeout 120 python3 "$SIPP_DIR/edge_probe.py" \
	"$SF_PORT_PROXY" "$SF_PORT_CORE" "$SF_PORT_VICTIM")
expect_eq "every probe ran (over 40 checks)" "$((nprobe >= 40))" 1
s=$(ctl stats)
expect_json "405s, 404s, 482s and 400s counted" "$s" \
 'd["sent"]["405"]>=6 and d["sent"]["404"]>=1 and d["sent"]["482"]>=2 and d["sent"]["400"]>=2'
expect_json "forged responses counted as not ours" "$s" 'd["dropped"]["not_ours"]>=2'

# --- whole dialogs through the Record-Route --------------------------------
printf 'SEQUENTIAL\n44207946000;77012220001\n' >"$SF_TMP/dialog.csv"
dialog() { # NAME SRC TRANSPORT
	local name=$1 src=$2 tp=$3 dst="127.0.0.1:$SF_PORT_PROXY"
	[[ $src == *:* ]] && dst="[::1]:$SF_PORT_PROXY"
	sipp -sf "$SIPP_DIR/edge_uas_dialog.xml" -i 127.0.0.1 -p "$SF_PORT_CORE" -m 1 \
		-nostdin -timeout 30 -trace_err \
		-error_file "$SF_TMP/$name-uas.err" >"$SF_TMP/$name-uas.out" 2>&1 &
	local uas=$!
	_pids+=("$uas")
	# the UAS is up when its port is bound
	for _ in $(seq 100); do
		python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
try: s.bind(("127.0.0.1",int(sys.argv[1])))
except OSError: sys.exit(0)
sys.exit(1)' "$SF_PORT_CORE" && break
		sleep 0.05
	done
	timeout 60 sipp -sf "$SIPP_DIR/edge_uac_dialog.xml" \
		-inf "$SF_TMP/dialog.csv" -i "$src" -p "$(sf_port 114)" "$dst" -m 1 \
		-t "$tp" -nostdin -timeout 30 -trace_err \
		-error_file "$SF_TMP/$name-uac.err" >"$SF_TMP/$name-uac.out" 2>&1
	local rc=$?
	wait "$uas"
	local urc=$?
	expect_eq "$name: INVITE, re-INVITE, BYE from the core (UAC)" "$rc" 0
	expect_eq "$name: the core saw the whole dialog (UAS)" "$urc" 0
}
before=$(stat 'd["received"]["BYE"]')
dialog udp4 127.0.0.2 u1
dialog tcp4 127.0.0.2 t1
dialog udp6 ::1 u1
dialog tcp6 ::1 t1
expect_eq "four BYEs went through the proxy" "$(stat 'd["received"]["BYE"]')" $((before + 4))
expect_json "in-dialog requests admitted by our Record-Route" "$(ctl stats)" \
 'd["admission"]["in-dialog"]>=16'

kill -0 "$SERVE_PID" && ok "serve still running" || not_ok "serve still running"
finish
