# SPDX-License-Identifier: LGPL-2.1-or-later
#
# redis_env.sh - a private redis-server for the live roaming tests
# (serve_redis.sh, serve_redis_outage.sh, soak_redis.sh), sourced after
# tests/sipp/serve_env.sh: it needs SF_TMP and _pids.  The server listens
# on the Unix socket $RSOCK only (no TCP port) and is stopped by PID with
# the rest of the test's processes.
command -v redis-server >/dev/null ||
	{ not_ok "redis-server installed (make deps-test)"; finish; exit 1; }
RSOCK=$SF_TMP/redis.sock

# redis_start [ARGS...]: starts redis-server with ARGS added (persistence
# is off unless ARGS turn it on), sets REDIS_PID and returns once it
# answers PING (non-zero after 5 s).  Its log: $SF_TMP/redis.log.
redis_start() {
	redis-server --port 0 --unixsocket "$RSOCK" --save "" --dir "$SF_TMP" \
		"$@" >>"$SF_TMP/redis.log" 2>&1 &
	REDIS_PID=$!
	_pids+=("$REDIS_PID")
	for _ in $(seq 100); do
		redis-cli -s "$RSOCK" ping 2>/dev/null | grep -q PONG && return 0
		sleep 0.05
	done
	return 1
}

# rc_ ARGS...: one redis-cli command on the server.
rc_() { redis-cli -s "$RSOCK" "$@"; }

# wait_roaming NODE_CTL NUMBER WANT: polls the node's control socket
# directly (no process per try) <= 5 s; prints the ms taken, or "timeout".
wait_roaming() { python3 "$SIPP_DIR/sfctl.py" wait "$@"; }
