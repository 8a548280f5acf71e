/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_selftest.c - a start-up check that the Judy library we are linked
 * against keeps every key it is given.
 *
 * libJudy 1.0.5 has undefined behaviour that some compilers turn into
 * silently lost keys (Judy1 immediate index arrays, php-judy issue #131;
 * Debian bugs #755099, #782841; reliability.md section 2.5).  "No flag
 * recipe alone is trustworthy across compiler versions - only the runtime
 * test is."  So the daemon runs this before loading tables: cascades of
 * consecutive keys (1..15 per group, the shapes that exercise immediate
 * and linear leaves), at several strides so groups land in different
 * branch levels, in E.164-like key space, plus pseudo-random keys.  Every
 * key must be found, absent neighbours must be absent, counts must match
 * and iteration must return the keys in order.  About 0.5 M inserts:
 * 0.1-0.2 s on a slow core.
 */
#include "tbl_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct shape {
	unsigned groups, per_group;
	uint64_t base, stride;
} shape_t;

static int check_set(const uint64_t *k, size_t n, const shape_t *sh,
		     sf_err_t *err)
{
	Pvoid_t j1 = NULL, jl = NULL;
	JError_t je;
	int rc = 0;
	size_t i;
	Word_t idx;
	const char *what = NULL;
	uint64_t bad = 0;

	for (i = 0; i < n && !rc; i++) {
		PWord_t pv;
		int r1 = Judy1Set(&j1, k[i], &je);

		pv = (PWord_t)JudyLIns(&jl, k[i], &je);
		if (r1 == JERR || pv == (PWord_t)PPJERR)
			rc = SF_ENOMEM;
		else
			*pv = k[i] ^ 0x5a5a5a5aUL;
	}
	for (i = 0; i < n && !rc && !what; i++) {
		PWord_t pv = (PWord_t)JudyLGet(jl, k[i], PJE0);

		if (Judy1Test(j1, k[i], PJE0) != 1)
			what = "Judy1 lost key";
		else if (!pv || pv == (PWord_t)PPJERR)
			what = "JudyL lost key";
		else if (*pv != (k[i] ^ 0x5a5a5a5aUL))
			what = "JudyL returned a wrong value for key";
		else if ((i + 1 == n || k[i + 1] != k[i] + 1) &&
			 (Judy1Test(j1, k[i] + 1, PJE0) != 0 ||
			  JudyLGet(jl, k[i] + 1, PJE0) != NULL))
			what = "Judy found a key never inserted after";
		bad = k[i];
	}
	if (!rc && !what) {
		if (Judy1Count(j1, 0, ~(Word_t)0, PJE0) != n)
			what = "Judy1Count disagrees for set starting";
		else if (JudyLCount(jl, 0, ~(Word_t)0, PJE0) != n)
			what = "JudyLCount disagrees for set starting";
		bad = n ? k[0] : 0;
	}
	if (!rc && !what) {
		/* Iteration must give back exactly the sorted keys. */
		int found;

		idx = 0;
		i = 0;
		for (found = Judy1First(j1, &idx, PJE0); found == 1 && !what;
		     found = Judy1Next(j1, &idx, PJE0), i++) {
			if (i >= n || idx != k[i]) {
				what = "Judy1 iteration out of order at";
				bad = idx;
			}
		}
		if (!what && i != n) {
			what = "Judy1 iteration lost keys after";
			bad = idx;
		}
	}
	Judy1FreeArray(&j1, PJE0);
	JudyLFreeArray(&jl, PJE0);
	if (rc)
		return sf_err_set(err, rc, NULL, 0, 0,
				  "Judy self-test: out of memory");
	if (what)
		return sf_err_set(err, SF_EINVAL, NULL, 0, 0,
				  "Judy self-test: %s %#llx (%u groups x %u "
				  "keys, stride %#llx): this libJudy build "
				  "loses keys; rebuild it without the "
				  "optimisation that breaks it",
				  what, (unsigned long long)bad, sh->groups,
				  sh->per_group,
				  (unsigned long long)sh->stride);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int sf_tables_selftest(sf_err_t *err)
{
	static const unsigned groups[] = {9, 64, 300};
	static const uint64_t strides[] = {
		256, 1000, 65536, 10000, (uint64_t)1 << 24, (uint64_t)1 << 40};
	static const uint64_t bases[] = {
		0, SF_TBL_KEY(11, 77010000000ULL), (uint64_t)1 << 62};
	enum { NRAND = 100000 };
	uint64_t *k, x = 0x9e3779b97f4a7c15ULL;
	size_t n;
	int rc = 0;

	k = sf_tbl_scratch_malloc(NRAND * sizeof(*k));
	if (!k)
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0,
				  "Judy self-test: out of memory");
	for (size_t g = 0; g < sizeof(groups) / sizeof(*groups) && !rc; g++)
	for (size_t s = 0; s < sizeof(strides) / sizeof(*strides) && !rc; s++)
	for (unsigned per = 1; per <= 15 && !rc; per++) {
		shape_t sh = {groups[g], per, bases[(g + s) % 3], strides[s]};

		n = 0;
		for (unsigned a = 0; a < sh.groups; a++)
			for (unsigned b = 0; b < per; b++)
				k[n++] = sh.base + a * sh.stride + b + 1;
		rc = check_set(k, n, &sh, err);
	}
	if (!rc) {
		shape_t sh = {1, NRAND, 0, 0};

		for (n = 0; n < NRAND; n++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			k[n] = x;
		}
		qsort(k, NRAND, sizeof(*k), cmp_u64);
		n = 0;
		for (size_t i = 0; i < NRAND; i++)
			if (!n || k[i] != k[n - 1])
				k[n++] = k[i];
		rc = check_set(k, n, &sh, err);
	}
	sf_tbl_scratch_free(k);
	return rc;
}
