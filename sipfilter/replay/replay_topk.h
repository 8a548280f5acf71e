/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_topk.h - the most frequent presented numbers of one rule, in
 * bounded memory (Space-Saving, Metwally et al. 2005).
 *
 * While at most REPLAY_TOPK distinct numbers have been added the counts
 * are exact (err 0).  After that a new number takes the place of the
 * first entry with the least count c and starts at c + 1 with err c: its
 * true count lies in [count - err, count], every number whose true count
 * exceeds the least count is in the table, and the counts always sum to
 * the number of adds.  A zeroed replay_topk_t is empty.  Not thread-safe.
 */
#ifndef SF_REPLAY_TOPK_H
#define SF_REPLAY_TOPK_H

#include <stdint.h>

#include "base/sf_num.h"

#define REPLAY_TOPK 32

typedef struct replay_topk_ent {
	char num[SF_NUM_MAX + 2];   /* zero-padded */
	uint64_t count, err;
} replay_topk_ent_t;

typedef struct replay_topk {
	replay_topk_ent_t top[REPLAY_TOPK];
	uint64_t hash[REPLAY_TOPK];  /* digest of top[i].num */
	uint8_t tag[REPLAY_TOPK];    /* top byte of hash[i] */
	uint32_t min;                /* once full: bit i set iff top[i] holds
					the least count; 0 = to be recomputed */
	unsigned n;                  /* entries in use */
} replay_topk_t;

/* Counts one occurrence of num: a whole buffer of SF_NUM_MAX + 2 bytes,
 * the number's text zero-padded (so equal numbers are equal buffers). */
void replay_topk_add(replay_topk_t *t, const char num[SF_NUM_MAX + 2]);

/* Copies the entries into out by count, highest first, ties by number
 * (strcmp); returns how many (t->n). */
unsigned replay_topk_sorted(const replay_topk_t *t,
			    replay_topk_ent_t out[REPLAY_TOPK]);

#endif
