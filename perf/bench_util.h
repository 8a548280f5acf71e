/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_util.h - the few helpers every table benchmark of perf/ uses: a
 * monotonic clock in seconds, a number as a key-form sf_num_t, and a
 * xorshift generator (each benchmark seeds its own state).
 */
#ifndef SF_BENCH_UTIL_H
#define SF_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../base/sf_num.h"

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline sf_num_t bench_num(uint64_t v)
{
	sf_num_t n;
	char b[24];

	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	sf_num_parse_key(b, strlen(b), &n);
	return n;
}

static inline uint64_t bench_rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#endif
