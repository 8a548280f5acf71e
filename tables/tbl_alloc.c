/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_alloc.c - the one allocation wrapper of tables/, with the test-only
 * failure hook sf_tables_fail_after() and the embedder's allocator
 * (sf_tables_set_alloc).
 *
 * Every malloc/realloc of this layer goes through here so that a test can
 * make "the n+1-th allocation fails" happen at every n and check that the
 * loader returns SF_ENOMEM and leaks nothing (SQLite-style fault
 * injection).  Judy's own allocations are not covered by this hook.
 *
 * Two kinds: what a snapshot keeps (sf_tbl_malloc/realloc/free: Judy
 * aside, the whole snapshot) goes to the embedder's allocator when one is
 * set (the Kamailio module builds snapshots in shared memory); the load's
 * scratch (sf_tbl_scratch_*: the read buffer, the sort batches) always
 * comes from the process heap, since it is freed before the load returns.
 *
 * The countdown is thread-local state and exists only for tests (inert,
 * -1, unless a test sets it); the allocator is process-wide, set once by
 * an embedder before any snapshot exists.
 */
#include "tbl_int.h"

#include <stdlib.h>

static _Thread_local long fail_left = -1;
static sf_tables_alloc_t alloc; /* all NULL: the C library's */

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

void sf_tables_set_alloc(const sf_tables_alloc_t *a)
{
	if (a && a->malloc && a->realloc && a->free)
		alloc = *a;
	else
		alloc = (sf_tables_alloc_t){0};
}

void *sf_tbl_malloc(size_t size)
{
	if (should_fail())
		return NULL;
	return alloc.malloc ? alloc.malloc(size ? size : 1)
			    : malloc(size ? size : 1);
}

void *sf_tbl_realloc(void *p, size_t size)
{
	if (should_fail())
		return NULL;
	return alloc.realloc ? alloc.realloc(p, size ? size : 1)
			     : realloc(p, size ? size : 1);
}

void sf_tbl_free(void *p)
{
	if (alloc.free)
		alloc.free(p);
	else
		free(p);
}

void *sf_tbl_scratch_malloc(size_t size)
{
	if (should_fail())
		return NULL;
	return malloc(size ? size : 1);
}

void sf_tbl_scratch_free(void *p)
{
	free(p);
}

void sf_tbl_scratch_judy(bool on)
{
	if (alloc.scratch)
		alloc.scratch(on);
}

/* sf_tbl_grow, with the scratch heap or the snapshot's allocator. */
static int grow(void **arr, size_t *cap, size_t need, size_t elem,
		bool scratch)
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
	if (scratch)
		p = should_fail() ? NULL : realloc(*arr, ncap * elem);
	else
		p = sf_tbl_realloc(*arr, ncap * elem);
	if (!p)
		return SF_ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int sf_tbl_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	return grow(arr, cap, need, elem, false);
}

int sf_tbl_scratch_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	return grow(arr, cap, need, elem, true);
}
