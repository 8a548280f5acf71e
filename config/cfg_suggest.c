/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cfg_suggest.c - "did you mean" suggestions for config keys and values.
 *
 * Uses the optimal-string-alignment form of the Damerau-Levenshtein
 * distance (insert, delete, substitute, swap two neighbours), which catches
 * the usual typos ("roamng", "rejcet", "pia").  Inputs are bounded to 64
 * bytes so the table stays on the stack and the work per call is small.
 */
#include "cfg_int.h"

#include <string.h>

#define DIST_MAX_LEN 64
#define DIST_FAR 1000u

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;

	return m < c ? m : c;
}

/*
 * The distance, or DIST_FAR as soon as it is sure to exceed limit (most
 * candidates cfg_suggest compares are far from the word).  With m(i) the
 * smallest value of row i: a cell comes from the row above, its left
 * neighbour (back to d[i][0] = i) or, by a swap, two rows up plus one, so
 * m(i+1) >= min(m(i), m(i-1) + 1, i + 1); and m(i) <= m(i-1) + 1 and
 * m(i) <= i.  Once m(i) > limit, then m(i-1) + 1 > limit and i + 1 >
 * limit, so every later row (and the answer) is past the limit too.
 */
static unsigned distance_within(const char *a, size_t alen, const char *b,
				size_t blen, unsigned limit)
{
	unsigned d[DIST_MAX_LEN + 1][DIST_MAX_LEN + 1];
	size_t i, j;

	if (alen > DIST_MAX_LEN || blen > DIST_MAX_LEN)
		return DIST_FAR;
	for (i = 0; i <= alen; i++)
		d[i][0] = (unsigned)i;
	for (j = 0; j <= blen; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= alen; i++) {
		unsigned row_min = d[i][0];

		for (j = 1; j <= blen; j++) {
			unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;

			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
				       d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
			if (d[i][j] < row_min)
				row_min = d[i][j];
		}
		if (row_min > limit)
			return DIST_FAR;
	}
	return d[alen][blen];
}

unsigned cfg_edit_distance(const char *a, size_t alen, const char *b,
			   size_t blen)
{
	return distance_within(a, alen, b, blen, DIST_FAR);
}

const char *cfg_suggest(const char *word, size_t len,
			const char *const *cands, size_t n)
{
	const char *best = NULL;
	unsigned best_d = DIST_FAR;

	for (size_t i = 0; i < n; i++) {
		size_t cl;
		unsigned d, limit;

		if (!cands[i])
			continue;
		cl = strlen(cands[i]);
		/* Two edits on a three-letter word is a different word. */
		limit = cl <= 3 ? 1 : 2;
		/* The distance is at least the difference in length: skip
		 * the table for words that cannot be close (most of them). */
		if ((len > cl ? len - cl : cl - len) > limit)
			continue;
		d = distance_within(word, len, cands[i], cl, limit);
		if (d <= limit && d < best_d) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
}

/* Appends n bytes of s at *off, as far as they fit before the last byte
 * of buf (kept for the NUL); false when they did not all fit. */
static bool put(char *buf, size_t size, size_t *off, const char *s, size_t n)
{
	size_t room = size - 1 - *off, k = n < room ? n : room;

	memcpy(buf + *off, s, k);
	*off += k;
	return k == n;
}

/* Writes what snprintf(buf + off, size - off, "%s%s", sep, cand) per
 * candidate wrote (so a list cut by size ends cut), without a format
 * string: in error messages about many keys this was a tenth of the
 * loader's time. */
void cfg_join(char *buf, size_t size, const char *const *cands, size_t n)
{
	size_t off = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		bool fit;

		if (!cands[i])
			continue;
		fit = (off == 0 || put(buf, size, &off, ", ", 2)) &&
		      put(buf, size, &off, cands[i], strlen(cands[i]));
		buf[off] = '\0';
		if (!fit)
			return;
	}
}
