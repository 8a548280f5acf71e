/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_ring.h - the record ring: formatted records waiting for the end
 * of their retransmission window, in order of first appearance.
 *
 * A ring of slots (one per record: its capture time, retransmission
 * count and place) over a ring of bytes (the formatted lines).  Both are
 * bounded: when a record does not fit, the caller takes the oldest out
 * first (replay prints it early).  Records are numbered by a 64-bit
 * sequence (the id push returns), so a later retransmission can find its
 * record while it is still in the ring, and knows it is gone otherwise.
 * Not thread-safe; no I/O: taking a record out is the caller's job.
 */
#ifndef SF_REPLAY_RING_H
#define SF_REPLAY_RING_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_RING_SLOTS 16384u      /* default and maximum; power of 2 */
#define REPLAY_RING_BYTES (8u << 20)  /* default and maximum */

typedef struct replay_slot {
	uint64_t ts;        /* capture time of the record's first message */
	uint32_t retrans;   /* retransmissions folded into it */
	uint32_t off, len;  /* its line in the byte ring; len 0 = no line */
	uint32_t call;      /* the caller's (replay: its call state);
			       UINT32_MAX after push */
} replay_slot_t;

typedef struct replay_ring {
	replay_slot_t *slots;
	uint8_t *bytes;
	uint32_t n_slots;   /* power of two */
	uint32_t n_bytes;
	uint64_t head, tail; /* sequence numbers: oldest, next to push */
	uint32_t wpos;      /* where the next line goes */
} replay_ring_t;

/*
 * Allocates a ring of slots records (rounded down to a power of two, at
 * least 1) and bytes bytes (at least min_bytes); 0, or a value above the
 * default, means the default (REPLAY_RING_SLOTS, REPLAY_RING_BYTES).
 * min_bytes must be at least the longest line ever pushed.  Returns 0, or
 * -1 on ENOMEM (the ring is then safe to fini).
 */
int replay_ring_init(replay_ring_t *g, uint32_t slots, uint32_t bytes,
		     uint32_t min_bytes);
void replay_ring_fini(replay_ring_t *g);

static inline bool replay_ring_empty(const replay_ring_t *g)
{
	return g->head == g->tail;
}

/* The oldest record; the ring must not be empty.  Its line is
 * g->bytes[off .. off+len). */
static inline const replay_slot_t *replay_ring_oldest(const replay_ring_t *g)
{
	return &g->slots[g->head & (g->n_slots - 1)];
}

/* True if a record of len bytes can be pushed without taking the oldest
 * out first (a free slot, and len contiguous free bytes). */
bool replay_ring_room(const replay_ring_t *g, uint32_t len);

/*
 * Appends a record (capture time ts, line[0..len), retransmissions 0) and
 * returns its id.  replay_ring_room(g, len) must be true.  line may point
 * into the ring (replay_ring_scratch): it is moved into place if needed.
 */
uint64_t replay_ring_push(replay_ring_t *g, uint64_t ts, const char *line,
			  uint32_t len);

/* The slot of record id, which must be in the ring. */
static inline replay_slot_t *replay_ring_slot(replay_ring_t *g, uint64_t id)
{
	return &g->slots[id & (g->n_slots - 1)];
}

/* Drops the oldest record (the ring must not be empty). */
void replay_ring_pop(replay_ring_t *g);

/* Counts a retransmission on record id: true if it is still in the ring,
 * false (nothing counted) once it has been taken out. */
bool replay_ring_retrans(replay_ring_t *g, uint64_t id);

/*
 * Free ring space of at least need contiguous bytes where the next record
 * can be formatted in place (so that push has nothing to copy), or NULL.
 * Writing there takes nothing out: the bytes are free; push still decides
 * the record's place.
 */
char *replay_ring_scratch(replay_ring_t *g, uint32_t need);

#endif
