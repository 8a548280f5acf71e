/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_overlay.c - the live roaming overlay: a persistent (immutable,
 * shared) hash trie of the numbers whose roaming state differs from the
 * loaded file.
 *
 * Each live update must give readers a new snapshot without touching the
 * one they may be reading.  The overlay used to be a sorted array copied
 * whole on every update: O(changes) per update, which took `ctl roaming`
 * from 200k updates/s to under 3k/s at 10^5 live changes.  Here an update
 * copies only the path from the root to the changed key (path copying);
 * every other node is shared with the previous snapshot by reference
 * count.  The trie branches 64 ways on 6 bits of a bijective mix of the
 * key (a bijection: two keys always part within 64 bits, so there are no
 * collisions to handle and the depth is at most 11); nodes hold only the
 * slots present (a 64-bit bitmap says which), so with k changes an update
 * copies about log64(k) nodes: the same few kilobytes at 10^3 changes as
 * at 10^6.  Lookups follow as many pointers.
 *
 * A batch of updates (sf_tbl_ovl_set_owned, the live feed's) copies a
 * path only the first time it touches it: nodes made by the batch carry
 * its owner token, are reachable from the batch's own new root only, and
 * later updates of the same batch change them in place (Clojure's
 * transients).  Path copying with its reference counting on every child
 * of a copied node was 60% of the time of a feed applying 10^6 entries.
 * A token is never used again, so a node of a finished batch is shared
 * like any other.
 *
 * Reference counts are atomic: snapshots sharing nodes are freed by
 * whichever thread retires them, in any order.  Allocation failures
 * return SF_ENOMEM and leave nothing behind.
 */
#include "tbl_int.h"

#include <string.h>

typedef struct slot {
	uint64_t key;
	Word_t val;
	sf_tbl_ovl_t *child; /* non-NULL: a subtrie, key/val unused */
} slot_t;

struct sf_tbl_ovl {
	atomic_size_t refs;
	uint64_t bitmap;
	unsigned n, cap;
	uint32_t owner; /* the batch that made it, 0 = none */
	slot_t s[];
};

/* The batch making nodes on this thread (0: single updates). */
static _Thread_local uint32_t cur_owner;
static atomic_uint_fast32_t next_token = 1;

#define MAX_DEPTH 11

static uint64_t mix(uint64_t x)
{
	/* splitmix64's finaliser: a bijection on 64 bits */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static unsigned idx_of(uint64_t h, unsigned depth)
{
	return (unsigned)(h >> (6 * depth)) & 63u;
}

/* Position of bit i among the set bits of bm. */
static unsigned pos_of(uint64_t bm, unsigned i)
{
	return (unsigned)__builtin_popcountll(bm & ((1ull << i) - 1));
}

static sf_tbl_ovl_t *node_new(unsigned n)
{
	/* a batch's nodes get room to grow in place */
	unsigned cap = cur_owner && n < 64 ? (n < 4 ? 4 : n + n / 2) : n;
	sf_tbl_ovl_t *x;

	if (cap > 64)
		cap = 64;
	x = sf_tbl_malloc(sizeof(*x) + cap * sizeof(slot_t));
	if (!x)
		return NULL;
	atomic_init(&x->refs, 1);
	x->bitmap = 0;
	x->n = n;
	x->cap = cap;
	x->owner = cur_owner;
	return x;
}

void sf_tbl_ovl_ref(sf_tbl_ovl_t *x)
{
	if (x)
		atomic_fetch_add_explicit(&x->refs, 1, memory_order_relaxed);
}

void sf_tbl_ovl_unref(sf_tbl_ovl_t *x)
{
	if (!x || atomic_fetch_sub_explicit(&x->refs, 1,
					    memory_order_acq_rel) != 1)
		return;
	for (unsigned i = 0; i < x->n; i++)
		sf_tbl_ovl_unref(x->s[i].child);
	sf_tbl_free(x);
}

bool sf_tbl_ovl_get(const sf_tbl_ovl_t *x, uint64_t key, Word_t *val)
{
	uint64_t h = mix(key);

	for (unsigned d = 0; x && d < MAX_DEPTH; d++) {
		unsigned i = idx_of(h, d);
		const slot_t *s;

		if (!(x->bitmap & (1ull << i)))
			return false;
		s = &x->s[pos_of(x->bitmap, i)];
		if (!s->child) {
			if (s->key != key)
				return false;
			*val = s->val;
			return true;
		}
		x = s->child;
	}
	return false;
}

/* A copy of x with slot i replaced by (or, with ins, inserted as) ns, or
 * removed (del); the other children gain a reference. */
static sf_tbl_ovl_t *copy_with(const sf_tbl_ovl_t *x, unsigned i,
			       const slot_t *ns, bool ins, bool del)
{
	unsigned n = x->n + (ins ? 1 : 0) - (del ? 1 : 0);
	unsigned p = pos_of(x->bitmap, i), k = 0;
	sf_tbl_ovl_t *y = node_new(n);

	if (!y)
		return NULL;
	y->bitmap = ins ? x->bitmap | (1ull << i)
		    : del ? x->bitmap & ~(1ull << i)
			  : x->bitmap;
	for (unsigned j = 0; j < x->n; j++) {
		if (j == p && ins)
			y->s[k++] = *ns;
		if (j == p && !ins) {
			if (!del)
				y->s[k++] = *ns;
			continue;
		}
		y->s[k] = x->s[j];
		sf_tbl_ovl_ref(y->s[k].child);
		k++;
	}
	if (ins && p == x->n)
		y->s[k++] = *ns;
	return y;
}

/* A node holding the two leaves a and b at depth d. */
static sf_tbl_ovl_t *pair(const slot_t *a, uint64_t ha, const slot_t *b,
			  uint64_t hb, unsigned d)
{
	unsigned ia = idx_of(ha, d), ib = idx_of(hb, d);
	sf_tbl_ovl_t *y;

	if (ia != ib) {
		y = node_new(2);
		if (!y)
			return NULL;
		y->bitmap = (1ull << ia) | (1ull << ib);
		y->s[ia < ib ? 0 : 1] = *a;
		y->s[ia < ib ? 1 : 0] = *b;
		return y;
	}
	y = node_new(1);
	if (!y)
		return NULL;
	y->bitmap = 1ull << ia;
	y->s[0].key = 0;
	y->s[0].val = 0;
	y->s[0].child = pair(a, ha, b, hb, d + 1);
	if (!y->s[0].child) {
		sf_tbl_free(y);
		return NULL;
	}
	return y;
}

/* Sets (del: removes) key in x at depth d; *out is a new reference (NULL:
 * empty).  *delta: +1 added, -1 removed, 0 replaced or nothing.  *prev
 * (prev may be NULL) gets key's value before, when it had one. */
static int set(const sf_tbl_ovl_t *x, uint64_t h, uint64_t key, Word_t val,
	       bool del, unsigned d, sf_tbl_ovl_t **out, int *delta,
	       Word_t *prev)
{
	slot_t ns = {.key = key, .val = val, .child = NULL};
	unsigned i = idx_of(h, d);
	const slot_t *s;

	*delta = 0;
	if (!x || !(x->bitmap & (1ull << i))) {
		if (del) {
			sf_tbl_ovl_ref((sf_tbl_ovl_t *)x);
			*out = (sf_tbl_ovl_t *)x;
			return 0;
		}
		if (!x) {
			*out = node_new(1);
			if (!*out)
				return SF_ENOMEM;
			(*out)->bitmap = 1ull << i;
			(*out)->s[0] = ns;
		} else if (!(*out = copy_with(x, i, &ns, true, false))) {
			return SF_ENOMEM;
		}
		*delta = 1;
		return 0;
	}
	s = &x->s[pos_of(x->bitmap, i)];
	if (!s->child && s->key == key) {
		if (prev)
			*prev = s->val;
		*delta = del ? -1 : 0;
		if (del && x->n == 1) {
			*out = NULL;
			return 0;
		}
		*out = copy_with(x, i, &ns, false, del);
		return *out ? 0 : SF_ENOMEM;
	}
	if (!s->child) { /* another key in the slot */
		if (del) {
			sf_tbl_ovl_ref((sf_tbl_ovl_t *)x);
			*out = (sf_tbl_ovl_t *)x;
			return 0;
		}
		ns.child = pair(s, mix(s->key), &ns, h, d + 1);
		if (!ns.child)
			return SF_ENOMEM;
		*delta = 1;
	} else {
		int rc = set(s->child, h, key, val, del, d + 1, &ns.child,
			     delta, prev);

		if (rc < 0)
			return rc;
		if (!ns.child) { /* the subtrie emptied */
			if (x->n == 1) {
				*out = NULL;
				return 0;
			}
			*out = copy_with(x, i, &ns, false, true);
			return *out ? 0 : SF_ENOMEM;
		}
	}
	*out = copy_with(x, i, &ns, false, false);
	if (!*out) {
		sf_tbl_ovl_unref(ns.child);
		return SF_ENOMEM;
	}
	return 0;
}

int sf_tbl_ovl_set(const sf_tbl_ovl_t *root, uint64_t key, Word_t val,
		   bool del, sf_tbl_ovl_t **out, int *delta)
{
	return set(root, mix(key), key, val, del, 0, out, delta, NULL);
}

uint32_t sf_tbl_ovl_token(void)
{
	uint32_t t;

	do /* 0 means "no batch" */
		t = (uint32_t)atomic_fetch_add(&next_token, 1);
	while (!t);
	return t;
}

/* x is the batch's own: insert ns as slot i in place (growing x, which
 * may move: *out). */
static int own_insert(sf_tbl_ovl_t *x, unsigned i, const slot_t *ns,
		      sf_tbl_ovl_t **out)
{
	unsigned p = pos_of(x->bitmap, i);

	if (x->n == x->cap) {
		unsigned cap = x->cap * 2 > 64 ? 64 : x->cap * 2;
		sf_tbl_ovl_t *y = sf_tbl_realloc(x, sizeof(*x) +
							cap * sizeof(slot_t));

		if (!y)
			return SF_ENOMEM;
		x = y;
		x->cap = cap;
	}
	memmove(&x->s[p + 1], &x->s[p], (x->n - p) * sizeof(slot_t));
	x->s[p] = *ns;
	x->n++;
	x->bitmap |= 1ull << i;
	*out = x;
	return 0;
}

/* x is the batch's own: slot i removed in place (x freed when empty). */
static void own_remove(sf_tbl_ovl_t *x, unsigned i, sf_tbl_ovl_t **out)
{
	unsigned p = pos_of(x->bitmap, i);

	memmove(&x->s[p], &x->s[p + 1], (x->n - p - 1) * sizeof(slot_t));
	x->n--;
	x->bitmap &= ~(1ull << i);
	if (!x->n) {
		sf_tbl_free(x);
		x = NULL;
	}
	*out = x;
}

/* set() for a batch: nodes owned by it change in place and are consumed
 * (*out replaces x); others are copied as set() does. */
static int tset(sf_tbl_ovl_t *x, uint64_t h, uint64_t key, Word_t val,
		bool del, unsigned d, sf_tbl_ovl_t **out, int *delta,
		Word_t *prev)
{
	slot_t ns = {.key = key, .val = val, .child = NULL};
	unsigned i = idx_of(h, d);
	slot_t *s;
	int rc;

	if (!x || x->owner != cur_owner)
		return set(x, h, key, val, del, d, out, delta, prev);
	*delta = 0;
	*out = x;
	if (!(x->bitmap & (1ull << i))) {
		if (del)
			return 0;
		*delta = 1;
		return own_insert(x, i, &ns, out);
	}
	s = &x->s[pos_of(x->bitmap, i)];
	if (!s->child && s->key == key) {
		*prev = s->val;
		if (!del) {
			s->val = val;
			return 0;
		}
		*delta = -1;
		own_remove(x, i, out);
		return 0;
	}
	if (!s->child) {
		if (del)
			return 0;
		ns.child = pair(s, mix(s->key), &ns, h, d + 1);
		if (!ns.child)
			return SF_ENOMEM;
		*s = ns;
		*delta = 1;
		return 0;
	} else {
		sf_tbl_ovl_t *c = s->child, *r;
		bool owned = c->owner == cur_owner;

		rc = tset(c, h, key, val, del, d + 1, &r, delta, prev);
		if (rc < 0)
			return rc;
		if (!owned)
			sf_tbl_ovl_unref(c); /* the slot's reference */
		if (!r)
			own_remove(x, i, out);
		else
			s->child = r;
	}
	return 0;
}

int sf_tbl_ovl_set_owned(sf_tbl_ovl_t *root, uint32_t token, uint64_t key,
			 Word_t val, bool del, sf_tbl_ovl_t **out, int *delta,
			 Word_t *prev)
{
	int rc;

	cur_owner = token;
	rc = tset(root, mix(key), key, val, del, 0, out, delta, prev);
	cur_owner = 0;
	return rc;
}

size_t sf_tbl_ovl_slot_bytes(void)
{
	return sizeof(slot_t);
}
