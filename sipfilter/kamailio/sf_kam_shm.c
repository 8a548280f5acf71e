/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sf_kam_shm.c - the Kamailio module's table allocator and libJudy's,
 * routed to Kamailio's shared memory while a build runs (see
 * sf_kam_shm.h).
 *
 * libJudy's JudyMalloc takes a size in words and returns the address as
 * a Word_t (0 = out of memory); JudyFree gets the size back.  The
 * ...Virtual pair is libJudy's name for large blocks; it is the same
 * allocator here, as in libJudy.
 */
#include "sf_kam_shm.h"

#include <stdlib.h>

#include "core/mem/shm_mem.h"

#include "sipfilter/lib/sf_embed.h"

typedef unsigned long sf_word_t;  /* libJudy's Word_t */

static int in_shm;
static int in_scratch; /* a load-time-only Judy insert: heap */
static sf_kam_mem_t *mem_acct;

void sf_kam_shm_build(int on)
{
	in_shm = on;
}

static void *tbl_malloc(size_t size)
{
	if (in_shm) {
		atomic_fetch_add_explicit(&mem_acct->tbl_shm_allocs, 1,
					  memory_order_relaxed);
		return shm_malloc(size);
	}
	atomic_fetch_add_explicit(&mem_acct->tbl_heap_allocs, 1,
				  memory_order_relaxed);
	return malloc(size);
}

static void *tbl_realloc(void *p, size_t size)
{
	if (!p)
		return tbl_malloc(size);
	return shm_address_in(p) ? shm_realloc(p, size) : realloc(p, size);
}

static void tbl_free(void *p)
{
	if (!p)
		return;
	if (shm_address_in(p))
		shm_free(p);
	else
		free(p);
}

static void judy_scratch(int on)
{
	in_scratch = on;
}

void sf_kam_shm_setup(sf_kam_mem_t *mem)
{
	mem_acct = mem;
	sipfilter_tables_alloc(tbl_malloc, tbl_realloc, tbl_free,
			       judy_scratch);
}

/* libJudy's allocator, interposed: exported by exports.map. */
sf_word_t JudyMalloc(sf_word_t words);
void JudyFree(void *p, sf_word_t words);
sf_word_t JudyMallocVirtual(sf_word_t words);
void JudyFreeVirtual(void *p, sf_word_t words);

__attribute__((visibility("default"))) sf_word_t JudyMalloc(sf_word_t words)
{
	size_t n = words * sizeof(sf_word_t);
	void *p;

	if (!in_shm || in_scratch || !mem_acct) {
		if (mem_acct && !in_scratch)
			atomic_fetch_add_explicit(&mem_acct->judy_heap_allocs, 1,
						  memory_order_relaxed);
		return (sf_word_t)malloc(n);
	}
	p = shm_malloc(n);
	if (p) {
		atomic_fetch_add_explicit(&mem_acct->judy_shm_allocs, 1,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&mem_acct->judy_shm_bytes, (int64_t)n,
					  memory_order_relaxed);
	}
	return (sf_word_t)p;
}

__attribute__((visibility("default"))) void JudyFree(void *p,
						     sf_word_t words)
{
	if (!p)
		return;
	if (mem_acct && shm_address_in(p)) {
		atomic_fetch_sub_explicit(
			&mem_acct->judy_shm_bytes,
			(int64_t)(words * sizeof(sf_word_t)),
			memory_order_relaxed);
		shm_free(p);
		return;
	}
	free(p);
}

__attribute__((visibility("default"))) sf_word_t
JudyMallocVirtual(sf_word_t words)
{
	return JudyMalloc(words);
}

__attribute__((visibility("default"))) void JudyFreeVirtual(void *p,
							    sf_word_t words)
{
	JudyFree(p, words);
}
