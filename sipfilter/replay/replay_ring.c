/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_ring.c - the record ring of `sipfilter replay`: bounded slots
 * over bounded bytes, records in order of first appearance.  See
 * replay_ring.h for the contract.
 */
#include <stdlib.h>
#include <string.h>

#include "replay_ring.h"

int replay_ring_init(replay_ring_t *g, uint32_t slots, uint32_t bytes,
		     uint32_t min_bytes)
{
	memset(g, 0, sizeof(*g));
	g->n_slots = REPLAY_RING_SLOTS;
	if (slots && slots < REPLAY_RING_SLOTS)
		while (g->n_slots > slots)
			g->n_slots /= 2;
	g->n_bytes = REPLAY_RING_BYTES;
	if (bytes && bytes < REPLAY_RING_BYTES)
		g->n_bytes = bytes < min_bytes ? min_bytes : bytes;
	g->slots = calloc(g->n_slots, sizeof(replay_slot_t));
	g->bytes = malloc(g->n_bytes);
	return g->slots && g->bytes ? 0 : -1;
}

void replay_ring_fini(replay_ring_t *g)
{
	free(g->slots);
	free(g->bytes);
	g->slots = NULL;
	g->bytes = NULL;
}

/*
 * The ring is written once and read once, about a window (32 s of
 * capture) later: by then the lines have left the core's caches, and
 * between two records taken out the core works on a whole message, so
 * the hardware prefetcher does not follow.  The next record to take out
 * is fetched when the previous one goes, and the ring ahead of wpos when
 * a record is pushed (the next record is formatted there).
 */
#define PREFETCH_MAX 1024u

static void prefetch_oldest(const replay_ring_t *g)
{
	const replay_slot_t *s = replay_ring_oldest(g);
	uint32_t n = s->len < PREFETCH_MAX ? s->len : PREFETCH_MAX;

	for (uint32_t i = 0; i < n; i += 64)
		__builtin_prefetch(g->bytes + s->off + i, 0);
	if (n)
		__builtin_prefetch(g->bytes + s->off + n - 1, 0);
	__builtin_prefetch(&g->slots[(g->head + 1) & (g->n_slots - 1)], 0);
}

static void prefetch_wpos(const replay_ring_t *g)
{
	uint32_t end = g->wpos + 512u;

	if (end > g->n_bytes)
		end = g->n_bytes;
	for (uint32_t i = g->wpos; i < end; i += 64)
		__builtin_prefetch(g->bytes + i, 1);
}

/* The lines lie in [oldest.off, wpos), wrapped when wpos <= oldest.off;
 * a line never wraps: it goes at wpos, or at 0 when the end is short. */
bool replay_ring_room(const replay_ring_t *g, uint32_t len)
{
	uint32_t o;

	if (replay_ring_empty(g))
		return true;
	if (g->tail - g->head >= g->n_slots)
		return false;
	if (!len)
		return true;
	o = replay_ring_oldest(g)->off;
	if (o < g->wpos)
		return g->wpos + len <= g->n_bytes || len <= o;
	return g->wpos + len <= o;
}

uint64_t replay_ring_push(replay_ring_t *g, uint64_t ts, const char *line,
			  uint32_t len)
{
	replay_slot_t *s = &g->slots[g->tail & (g->n_slots - 1)];
	uint32_t off = g->wpos;

	if (replay_ring_empty(g))
		off = 0;
	else if (len && replay_ring_oldest(g)->off < g->wpos &&
		 g->wpos + len > g->n_bytes)
		off = 0; /* wrap: room() saw len <= oldest.off */
	s->ts = ts;
	s->retrans = 0;
	s->call = UINT32_MAX;
	s->off = off;
	s->len = len;
	if (len && (const char *)g->bytes + off != line)
		memmove(g->bytes + off, line, len); /* line may be in the ring */
	g->wpos = off + len;
	if (g->tail++ == g->head)
		prefetch_oldest(g);
	if (len) /* else wpos did not move: its lines are on their way */
		prefetch_wpos(g);
	return g->tail - 1;
}

void replay_ring_pop(replay_ring_t *g)
{
	g->head++;
	if (replay_ring_empty(g))
		g->wpos = 0;
	else
		prefetch_oldest(g);
}

bool replay_ring_retrans(replay_ring_t *g, uint64_t id)
{
	if (id < g->head || id >= g->tail)
		return false;
	g->slots[id & (g->n_slots - 1)].retrans++;
	return true;
}

char *replay_ring_scratch(replay_ring_t *g, uint32_t need)
{
	uint32_t o;

	if (replay_ring_empty(g))
		return g->n_bytes >= need ? (char *)g->bytes : NULL;
	o = replay_ring_oldest(g)->off;
	if (o < g->wpos) {
		if (g->n_bytes - g->wpos >= need)
			return (char *)g->bytes + g->wpos;
	} else if (o > g->wpos && o - g->wpos >= need) {
		return (char *)g->bytes + g->wpos;
	}
	return NULL;
}
