/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_ipfrag.c - bounded IP fragment reassembly (see sf_ipfrag.h).
 *
 * Slots live in one array; a hash over the key finds them and a FIFO list
 * in creation order gives the oldest for timeouts and limit eviction, so
 * every operation is O(fragments per datagram), never O(table).
 * Fragment data is copied (fragments are rare in SIP traffic; the copy is
 * what keeps the bounds honest).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/sf_hash.h"
#include "sf_ipfrag.h"

#define NIL UINT32_MAX
#define MAX_DGRAM 65535u

typedef struct frag {
	uint32_t off, len;
	uint8_t *data;
} frag_t;

typedef struct dgram {
	sf_ipfrag_key_t key;
	bool used;
	uint64_t first_ts;
	uint32_t end;      /* payload length once the last fragment is seen */
	bool have_end;
	uint32_t n;
	uint32_t bytes;
	frag_t *frags;     /* max_fragments entries */
	uint32_t hnext, prev, next;
} dgram_t;

struct sf_ipfrag {
	uint32_t max_d, max_f, max_bytes;
	uint64_t timeout;
	dgram_t *d;
	uint32_t *heads, mask;
	uint32_t free_head;  /* via hnext */
	uint32_t hw;         /* slots [0, hw) were handed out since new/reset */
	uint32_t oldest, newest;
	uint64_t bytes;
	uint8_t *out;        /* reassembly buffer, MAX_DGRAM bytes */
	sf_ipfrag_stats_t st;
};

static uint32_t key_hash(const sf_ipfrag_key_t *k)
{
	uint64_t h = sf_fnv1a64(SF_FNV64_OFFSET, k,
				offsetof(sf_ipfrag_key_t, v6) + 1);

	return (uint32_t)(h ^ (h >> 32));
}

static bool key_eq(const sf_ipfrag_key_t *a, const sf_ipfrag_key_t *b)
{
	return a->id == b->id && a->proto == b->proto && a->v6 == b->v6 &&
	       !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16);
}

sf_ipfrag_t *sf_ipfrag_new(uint32_t max_datagrams, uint32_t max_fragments,
			   uint32_t max_bytes, uint64_t timeout_us)
{
	sf_ipfrag_t *t = calloc(1, sizeof(*t));
	uint32_t nb = 16;

	if (!t)
		return NULL;
	if (!max_datagrams)
		max_datagrams = 1;
	if (!max_fragments)
		max_fragments = 1;
	t->max_d = max_datagrams;
	t->max_f = max_fragments;
	t->max_bytes = max_bytes;
	t->timeout = timeout_us;
	while (nb < 2 * max_datagrams && nb < (1u << 30))
		nb <<= 1;
	t->mask = nb - 1;
	t->d = calloc(max_datagrams, sizeof(*t->d));
	t->heads = malloc(nb * sizeof(*t->heads));
	t->out = malloc(MAX_DGRAM);
	if (!t->d || !t->heads || !t->out) {
		sf_ipfrag_free(t);
		return NULL;
	}
	for (uint32_t i = 0; i < nb; i++)
		t->heads[i] = NIL;
	for (uint32_t i = 0; i < max_datagrams; i++)
		t->d[i].hnext = i + 1 < max_datagrams ? i + 1 : NIL;
	t->free_head = 0;
	t->oldest = t->newest = NIL;
	return t;
}

static void drop(sf_ipfrag_t *t, uint32_t i)
{
	dgram_t *g = &t->d[i];
	uint32_t *pp = &t->heads[key_hash(&g->key) & t->mask];

	while (*pp != NIL && *pp != i)
		pp = &t->d[*pp].hnext;
	if (*pp == i)
		*pp = g->hnext;
	if (g->prev != NIL)
		t->d[g->prev].next = g->next;
	else
		t->oldest = g->next;
	if (g->next != NIL)
		t->d[g->next].prev = g->prev;
	else
		t->newest = g->prev;
	for (uint32_t k = 0; k < g->n; k++)
		free(g->frags[k].data);
	t->bytes -= g->bytes;
	g->n = 0;
	g->bytes = 0;
	g->used = false;
	g->hnext = t->free_head;
	t->free_head = i;
}

void sf_ipfrag_free(sf_ipfrag_t *t)
{
	if (!t)
		return;
	if (t->d) {
		for (uint32_t i = 0; i < t->max_d; i++) {
			for (uint32_t k = 0; k < t->d[i].n; k++)
				free(t->d[i].frags[k].data);
			free(t->d[i].frags);
		}
	}
	free(t->d);
	free(t->heads);
	free(t->out);
	free(t);
}

void sf_ipfrag_flush(sf_ipfrag_t *t)
{
	while (t->oldest != NIL) {
		drop(t, t->oldest);
		t->st.timeout++;
	}
}

void sf_ipfrag_reset(sf_ipfrag_t *t)
{
	sf_ipfrag_flush(t);
	/* Slots at and above hw still chain i -> i + 1 as new() left them. */
	for (uint32_t i = 0; i < t->hw; i++)
		t->d[i].hnext = i + 1 < t->max_d ? i + 1 : NIL;
	t->free_head = 0;
	t->hw = 0;
	t->bytes = 0;
	memset(&t->st, 0, sizeof(t->st));
}

const sf_ipfrag_stats_t *sf_ipfrag_stats(const sf_ipfrag_t *t)
{
	return &t->st;
}

static uint32_t lookup_or_new(sf_ipfrag_t *t, const sf_ipfrag_key_t *k,
			      uint64_t ts)
{
	uint32_t h = key_hash(k) & t->mask, i;
	dgram_t *g;

	for (i = t->heads[h]; i != NIL; i = t->d[i].hnext)
		if (key_eq(&t->d[i].key, k))
			return i;
	if (t->free_head == NIL) {
		drop(t, t->oldest);
		t->st.limit++;
	}
	i = t->free_head;
	g = &t->d[i];
	t->free_head = g->hnext;
	if (i >= t->hw)
		t->hw = i + 1;
	memset(&g->key, 0, sizeof(g->key));
	g->key = *k;
	g->used = true;
	g->first_ts = ts;
	g->have_end = false;
	g->end = 0;
	g->n = 0;
	g->bytes = 0;
	g->hnext = t->heads[h];
	t->heads[h] = i;
	g->next = NIL;
	g->prev = t->newest;
	if (t->newest != NIL)
		t->d[t->newest].next = i;
	else
		t->oldest = i;
	t->newest = i;
	return i;
}

/* Complete when the last fragment is known and [0, end) is covered. */
static bool complete(const dgram_t *g)
{
	uint32_t covered = 0;

	if (!g->have_end)
		return false;
	for (uint32_t k = 0; k < g->n; k++) { /* frags are sorted by off */
		if (g->frags[k].off > covered)
			return false;
		if (g->frags[k].off + g->frags[k].len > covered)
			covered = g->frags[k].off + g->frags[k].len;
	}
	return covered == g->end;
}

int sf_ipfrag_add(sf_ipfrag_t *t, const sf_ipfrag_key_t *k, uint64_t ts_us,
		  uint32_t off, const uint8_t *data, uint32_t len, bool more,
		  const uint8_t **out, uint32_t *out_len)
{
	sf_ipfrag_key_t key;
	uint32_t i, pos;
	dgram_t *g;
	uint8_t *copy;

	/* Expire by capture time; a clock going backwards expires nothing. */
	while (t->oldest != NIL &&
	       t->d[t->oldest].first_ts + t->timeout < ts_us) {
		drop(t, t->oldest);
		t->st.timeout++;
	}
	memset(&key, 0, sizeof(key));
	memcpy(key.src, k->src, 16);
	memcpy(key.dst, k->dst, 16);
	key.id = k->id;
	key.proto = k->proto;
	key.v6 = k->v6;
	i = lookup_or_new(t, &key, ts_us);
	g = &t->d[i];
	if (!g->frags) { /* allocated on first use, kept for reuse */
		g->frags = calloc(t->max_f, sizeof(frag_t));
		if (!g->frags) {
			drop(t, i);
			t->st.limit++;
			return SF_FRAG_DROPPED;
		}
	}

	if ((uint64_t)off + len > MAX_DGRAM || (more && (len == 0 ||
	    len % 8)) || (g->have_end && (off + len > g->end ||
	    (!more && off + len != g->end))) ||
	    (!more && !g->have_end && g->n &&
	     g->frags[g->n - 1].off + g->frags[g->n - 1].len > off + len)) {
		drop(t, i);
		t->st.bogus++;
		return SF_FRAG_DROPPED;
	}
	/* Overlaps: an exact duplicate is ignored, anything else is fatal. */
	for (pos = 0; pos < g->n; pos++) {
		frag_t *f = &g->frags[pos];

		if (off < f->off + f->len && f->off < off + len) {
			if (f->off == off && f->len == len &&
			    !memcmp(f->data, data, len))
				return SF_FRAG_PENDING;
			drop(t, i);
			t->st.overlap++;
			return SF_FRAG_DROPPED;
		}
	}
	if (g->n >= t->max_f || len > t->max_bytes) {
		drop(t, i);
		t->st.limit++;
		return SF_FRAG_DROPPED;
	}
	while (t->bytes + len > t->max_bytes && t->oldest != i) {
		drop(t, t->oldest);
		t->st.limit++;
	}
	if (t->bytes + len > t->max_bytes) {
		drop(t, i);
		t->st.limit++;
		return SF_FRAG_DROPPED;
	}
	copy = malloc(len ? len : 1);
	if (!copy) {
		drop(t, i);
		t->st.limit++;
		return SF_FRAG_DROPPED;
	}
	if (len)
		memcpy(copy, data, len);
	for (pos = 0; pos < g->n && g->frags[pos].off < off; pos++)
		;
	memmove(&g->frags[pos + 1], &g->frags[pos],
		(g->n - pos) * sizeof(frag_t));
	g->frags[pos] = (frag_t){off, len, copy};
	g->n++;
	g->bytes += len;
	t->bytes += len;
	if (!more) {
		g->have_end = true;
		g->end = off + len;
	}
	if (!complete(g))
		return SF_FRAG_PENDING;
	for (uint32_t f = 0; f < g->n; f++)
		memcpy(t->out + g->frags[f].off, g->frags[f].data,
		       g->frags[f].len);
	*out = t->out;
	*out_len = g->end;
	drop(t, i);
	t->st.reassembled++;
	return SF_FRAG_DONE;
}
