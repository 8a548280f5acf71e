/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_topk.c - Space-Saving top-k of presented numbers, with a digest
 * and a one-byte tag per entry so that a hit costs a few word compares
 * instead of 32 string compares.  See replay_topk.h.
 */
#include <stdlib.h>
#include <string.h>

#include "replay_topk.h"

#include "base/sf_hash.h"

_Static_assert(REPLAY_TOPK == 32, "tag_match and min use 32-bit masks");

/* Digest of a whole zero-padded number buffer (as stored in top[].num). */
static uint64_t num_digest(const char num[SF_NUM_MAX + 2])
{
	return sf_hash_words(0, num, SF_NUM_MAX + 2);
}

/* Bits i (i < REPLAY_TOPK) of the entries whose tag is tg: the tags are
 * compared eight at a time (exact zero-byte test, so no false bits). */
static uint32_t tag_match(const replay_topk_t *t, uint8_t tg)
{
	const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
	uint32_t m = 0;

	for (unsigned k = 0; k < REPLAY_TOPK; k += 8) {
		uint64_t x;

		memcpy(&x, t->tag + k, 8);
		x ^= 0x0101010101010101ull * tg;
		x = ~(((x & low7) + low7) | x | low7); /* 0x80 in zero bytes */
		/* gather the eight high bits, byte j -> bit j */
		m |= (uint32_t)(((x >> 7) * 0x0102040810204080ull) >> 56) << k;
	}
	return t->n < REPLAY_TOPK ? m & ((1u << t->n) - 1) : m;
}

/* The entries holding the least count (Space-Saving replaces the first). */
static uint32_t min_mask(const replay_topk_t *t)
{
	uint64_t least = t->top[0].count;
	uint32_t m = 1;

	for (unsigned i = 1; i < REPLAY_TOPK; i++) {
		if (t->top[i].count < least) {
			least = t->top[i].count;
			m = 0;
		}
		if (t->top[i].count == least)
			m |= 1u << i;
	}
	return m;
}

/* A fixed-size compare confirms a digest hit.  Once the table is full a
 * miss replaces the first entry with the least count (as a linear scan
 * would): min holds those entries; counts only grow, so an entry leaves
 * the set when it is counted and the set is recomputed only when it
 * empties. */
void replay_topk_add(replay_topk_t *t, const char num[SF_NUM_MAX + 2])
{
	uint64_t d = num_digest(num);
	uint32_t cand = tag_match(t, (uint8_t)(d >> 56));
	unsigned i;

	while (cand) {
		i = (unsigned)__builtin_ctz(cand);
		cand &= cand - 1;
		if (t->hash[i] == d &&
		    !memcmp(t->top[i].num, num, sizeof(t->top[i].num))) {
			t->top[i].count++;
			t->min &= ~(1u << i);
			return;
		}
	}
	if (t->n < REPLAY_TOPK) {
		replay_topk_ent_t *e = &t->top[t->n];

		t->tag[t->n] = (uint8_t)(d >> 56);
		t->hash[t->n++] = d;
		memcpy(e->num, num, sizeof(e->num));
		e->count = 1;
		e->err = 0;
		t->min = 0;
		return;
	}
	if (!t->min)
		t->min = min_mask(t);
	i = (unsigned)__builtin_ctz(t->min);
	t->min &= ~(1u << i);
	memcpy(t->top[i].num, num, sizeof(t->top[i].num));
	t->hash[i] = d;
	t->tag[i] = (uint8_t)(d >> 56);
	t->top[i].err = t->top[i].count;
	t->top[i].count++;
}

static int cmp_ent(const void *a, const void *b)
{
	const replay_topk_ent_t *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->num, y->num);
}

unsigned replay_topk_sorted(const replay_topk_t *t,
			    replay_topk_ent_t out[REPLAY_TOPK])
{
	memcpy(out, t->top, t->n * sizeof(replay_topk_ent_t));
	qsort(out, t->n, sizeof(replay_topk_ent_t), cmp_ent);
	return t->n;
}
