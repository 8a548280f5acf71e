/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_alloc.c - the one allocation wrapper of tables/, with the test-only
 * failure hook sf_tables_fail_after().
 *
 * Every malloc/realloc of this layer goes through here so that a test can
 * make "the n+1-th allocation fails" happen at every n and check that the
 * loader returns SF_ENOMEM and leaks nothing (SQLite-style fault
 * injection).  Judy's own allocations are not covered by this hook.
 *
 * The countdown is thread-local state: it is the one piece of global state
 * in tables/, it exists only for tests, and it is inert (-1) unless a test
 * sets it.
 */
#include "tbl_int.h"

#include <stdlib.h>

static _Thread_local long fail_left = -1;

void sf_tables_fail_after(long n)
{
	fail_left = n < 0 ? -1 : n;
}

static bool should_fail(void)
{
	if (fail_left < 0)
		return false;
	if (fail_left == 0)
		return true;
	fail_left--;
	return false;
}

void *sf_tbl_malloc(size_t size)
{
	if (should_fail())
		return NULL;
	return malloc(size ? size : 1);
}

void *sf_tbl_realloc(void *p, size_t size)
{
	if (should_fail())
		return NULL;
	return realloc(p, size ? size : 1);
}

void sf_tbl_free(void *p)
{
	free(p);
}

int sf_tbl_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return SF_ENOMEM;
		ncap *= 2;
	}
	p = sf_tbl_realloc(*arr, ncap * elem);
	if (!p)
		return SF_ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}
