#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# soak_redis_short.sh - the CI form of tests/soak_redis.sh: 20 s of sipp
# load through `serve` while 1,000 live roaming changes/s arrive through
# a real redis-server and the roaming file is reloaded every 3 s; zero
# failed calls, RSS and FDs flat.  The long form: `make soak-redis`
# (SOAK_MINUTES, default 10).
cd "$(dirname "$0")/../.."
SOAK_SECONDS=${SOAK_SECONDS:-20} exec bash tests/soak_redis.sh
