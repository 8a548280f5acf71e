# SPDX-License-Identifier: LGPL-2.1-or-later
#
# soak_lib.sh - what the soaks (tests/soak.sh, tests/soak_redis.sh) measure
# the same way, sourced after tests/sipp/serve_env.sh (SERVE_PID).

# rss / fds: serve's resident set (kB) and open file descriptors now.
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVE_PID/status"; }
fds() { ls "/proc/$SERVE_PID/fd" | wc -l; }

# rss_growth WARM SAMPLE...: prints the growth (kB) of the post-warm-up
# RSS samples.  Each reload holds old and new tables for a moment, so RSS
# swings between two levels depending on when it is sampled (more so
# under ASan, whose quarantine keeps freed memory).  Growth is therefore
# the peak of the later half of the samples against the peak of the
# earlier half (WARM when that half is empty): a leak raises the peaks,
# the swing does not.
rss_growth() {
	local warm=$1 half k peak1=0 peak2=0
	shift
	local post=("$@")
	half=$(( ${#post[@]} / 2 ))
	for k in "${!post[@]}"; do
		if [ "$k" -lt "$half" ]; then
			[ "${post[$k]}" -gt "$peak1" ] && peak1=${post[$k]}
		else
			[ "${post[$k]}" -gt "$peak2" ] && peak2=${post[$k]}
		fi
	done
	[ "$peak1" -eq 0 ] && peak1=$warm
	echo $((peak2 - peak1))
}

# sipp_calls FILE: "SUCCESSFUL FAILED" from a sipp screen dump (? if absent).
sipp_calls() {
	local s f
	s=$(sed -nE 's/^ *Successful call *\| *[0-9]+ *\| *([0-9]+).*/\1/p' "$1" | tail -1)
	f=$(sed -nE 's/^ *Failed call *\| *[0-9]+ *\| *([0-9]+).*/\1/p' "$1" | tail -1)
	echo "${s:-?} ${f:-?}"
}
