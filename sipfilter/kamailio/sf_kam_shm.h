/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sf_kam_shm.h - where the Kamailio module's tables live: Kamailio's
 * shared memory, mapped before the fork at the same address in every
 * process, so one table snapshot built by one process is read by all.
 *
 * Two allocators are routed while the "build in shm" switch is on:
 * libsipfilter's own (tables' handles, overlays, arrays, strings: the
 * hook of sf_embed.h) and libJudy's.  libJudy allocates every node
 * through JudyMalloc/JudyFree/JudyMallocVirtual/JudyFreeVirtual, called
 * through its PLT; the module defines and exports those four, so the
 * dynamic linker binds libJudy's calls to them (the module comes before
 * libJudy in the lookup scope of the dlopen that loads both).  With the
 * switch off they are malloc/free, as libJudy's own.  Frees are routed by
 * address (shm_address_in), so a block is freed where it came from
 * whatever the switch says.  The counters prove where the bytes went
 * (sipfilter.stats shows them; the test checks them).
 */
#ifndef SF_KAM_SHM_H
#define SF_KAM_SHM_H

#include <stdatomic.h>
#include <stdint.h>

/* Counters of the routed allocations, in shm (every process adds). */
typedef struct sf_kam_mem {
	_Atomic int64_t judy_shm_bytes;    /* Judy nodes live in shm */
	_Atomic uint64_t judy_shm_allocs;  /* Judy nodes ever put in shm */
	_Atomic uint64_t judy_heap_allocs; /* Judy nodes put on a heap */
	_Atomic uint64_t tbl_shm_allocs;   /* libsipfilter blocks in shm */
	_Atomic uint64_t tbl_heap_allocs;  /* ... on a heap */
} sf_kam_mem_t;

/* Installs the table allocator into libsipfilter and counts into mem
 * (in shm).  Call in mod_init, before the first sipfilter_open. */
void sf_kam_shm_setup(sf_kam_mem_t *mem);

/* The switch: 1 = new table blocks and Judy nodes go to shm (a build in
 * progress), 0 = to this process's heap.  Per process. */
void sf_kam_shm_build(int on);

#endif
