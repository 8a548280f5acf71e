#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# soak_short.sh - the CI form of tests/soak.sh: 60 s of sipp load at 200
# calls/s through `serve` while 10^6-row roaming and substitution tables
# are replaced and reloaded every 3 s and live roaming updates run; zero
# failed calls, RSS and FDs flat.  The long form: `make soak`
# (SOAK_MINUTES, default 10).
cd "$(dirname "$0")/../.."
SOAK_SECONDS=${SOAK_SECONDS:-60} exec bash tests/soak.sh
