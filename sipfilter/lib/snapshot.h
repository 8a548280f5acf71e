/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * snapshot.h - publishing immutable table snapshots to worker threads,
 * RCU-style, with a small hand-rolled epoch scheme.
 *
 * Readers (the proxy's workers) never lock and never wait: each owns a
 * slot and, around the processing of one batch of packets, announces the
 * global epoch it started in (sf_snap_enter) and that it is done
 * (sf_snap_leave).  The single writer (the control thread: reloads are
 * serialised by construction) swaps the current pointer atomically, bumps
 * the epoch, and waits until every slot is either idle or has entered
 * after the bump; only then does it free the old snapshot.  A batch that
 * started on the old snapshot finishes on it, consistently.
 *
 * Why not liburcu: the scheme needed is ~40 lines of C11 atomics (one
 * seq_cst store per batch per worker, no syscalls, no signals), and it
 * keeps the link line as it is.  The retire function is given by the
 * caller so this file knows nothing of Judy.
 *
 * Thread-safety: sf_snap_publish is for one writer thread at a time (the
 * caller serialises); enter/leave/get are for the slot's owner thread.
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define SF_SNAP_MAX_SLOTS 256

typedef struct sf_snap_slot {
	_Atomic uint64_t epoch; /* 0 = not reading */
	char pad[56];           /* one cache line per reader */
} sf_snap_slot_t;

typedef struct sf_snap {
	_Atomic(void *) cur;
	_Atomic uint64_t epoch;  /* starts at 1 */
	unsigned n_slots;
	void (*retire)(void *);  /* frees a snapshot no reader can see */
	uint64_t waits;          /* grace periods completed (stats) */
	sf_snap_slot_t slots[SF_SNAP_MAX_SLOTS];
} sf_snap_t;

/* Initialises with n_slots reader slots (<= SF_SNAP_MAX_SLOTS) and the
 * first snapshot (may be NULL).  Returns 0 or SF_EINVAL. */
int sf_snap_init(sf_snap_t *s, unsigned n_slots, void *first,
		 void (*retire)(void *));

/* Enters a read-side section on slot; returns the current snapshot, which
 * stays valid until sf_snap_leave on the same slot. */
static inline void *sf_snap_enter(sf_snap_t *s, unsigned slot)
{
	uint64_t e = atomic_load(&s->epoch);

	atomic_store(&s->slots[slot].epoch, e);
	return atomic_load(&s->cur);
}

static inline void sf_snap_leave(sf_snap_t *s, unsigned slot)
{
	atomic_store_explicit(&s->slots[slot].epoch, 0, memory_order_release);
}

/* The current snapshot, for the writer thread (no protection needed). */
static inline void *sf_snap_current(sf_snap_t *s)
{
	return atomic_load(&s->cur);
}

/*
 * Publishes next as the current snapshot, waits for a grace period (every
 * reader that might hold the old one has left), then retires the old one
 * (unless it is NULL or equal to next).  Returns the number of
 * microseconds the grace period took.
 */
uint64_t sf_snap_publish(sf_snap_t *s, void *next);

/* Publishes NULL, waits, retires the last snapshot.  For shutdown. */
void sf_snap_fini(sf_snap_t *s);

#endif
