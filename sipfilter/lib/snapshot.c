/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * snapshot.c - the writer side of the epoch scheme in snapshot.h.
 *
 * Correctness sketch (all operations seq_cst except the leave store):
 * a reader stores its slot epoch E and then loads cur; the writer swaps
 * cur and then bumps the epoch to G and reads every slot.  A slot read as
 * 0 or >= G belongs to a reader that, in the single total order, loads cur
 * after the swap, so it holds the new snapshot; any other reader is
 * waited for.
 */
#include "snapshot.h"

#include <time.h>

#include "base/sf_err.h"

int sf_snap_init(sf_snap_t *s, unsigned n_slots, void *first,
		 void (*retire)(void *))
{
	if (n_slots > SF_SNAP_MAX_SLOTS)
		return SF_EINVAL;
	atomic_store(&s->cur, first);
	atomic_store(&s->epoch, 1);
	s->n_slots = n_slots;
	s->retire = retire;
	s->waits = 0;
	for (unsigned i = 0; i < SF_SNAP_MAX_SLOTS; i++)
		atomic_store(&s->slots[i].epoch, 0);
	return 0;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t sf_snap_publish(sf_snap_t *s, void *next)
{
	uint64_t t0 = now_us(), g;
	void *old = atomic_exchange(&s->cur, next);

	g = atomic_fetch_add(&s->epoch, 1) + 1;
	for (unsigned i = 0; i < s->n_slots; i++) {
		for (;;) {
			uint64_t e = atomic_load(&s->slots[i].epoch);

			if (e == 0 || e >= g)
				break;
			/* Batches take microseconds; poll gently. */
			nanosleep(&(struct timespec){0, 50000}, NULL);
		}
	}
	s->waits++;
	if (old && old != next && s->retire)
		s->retire(old);
	return now_us() - t0;
}

void sf_snap_fini(sf_snap_t *s)
{
	sf_snap_publish(s, NULL);
}
