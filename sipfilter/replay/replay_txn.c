/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_txn.c - transaction keys of INVITEs and the two-generation set of
 * recent keys that folds UDP retransmissions.  See replay_txn.h.
 */
#include <stdlib.h>
#include <string.h>

#include "base/sf_hash.h"
#include "replay_txn.h"

static uint32_t min_phys(uint32_t cap)
{
	return cap < REPLAY_TXN_MIN ? cap : REPLAY_TXN_MIN;
}

int replay_txn_init(replay_txn_set_t *s, uint32_t cap)
{
	memset(s, 0, sizeof(*s));
	for (int g = 0; g < 2; g++) {
		s->e[g] = calloc(cap, sizeof(replay_txn_ent_t));
		if (!s->e[g])
			return -1;
		s->phys[g] = min_phys(cap);
		s->gen[g] = (uint64_t)g + 1; /* calloc'd entries: gen 0 */
	}
	s->tmp = malloc((size_t)(cap / 2 + 1) * sizeof(replay_txn_ent_t));
	if (!s->tmp)
		return -1;
	s->cap = cap;
	return 0;
}

void replay_txn_fini(replay_txn_set_t *s)
{
	for (int g = 0; g < 2; g++)
		free(s->e[g]);
	free(s->tmp);
	memset(s, 0, sizeof(*s));
}

/* Rotation is O(1): the old generation's table gets a new gen number,
 * which empties it without touching its entries. */
static void rotate(replay_txn_set_t *s, uint64_t now)
{
	int old = s->cur ^ 1;

	/* a fresh gen number (64-bit: never wraps) empties the table */
	s->gen[old] = (s->gen[s->cur] > s->gen[old] ? s->gen[s->cur]
						    : s->gen[old]) + 1;
	s->n[old] = 0;
	s->phys[old] = min_phys(s->cap);
	s->cur = old;
	s->since = now;
}

static uint32_t slot_of(uint32_t phys, uint64_t key)
{
	return (uint32_t)(key ^ (key >> 29)) & (phys - 1);
}

uint64_t *replay_txn_find(replay_txn_set_t *s, uint64_t key)
{
	key |= 1;
	for (int k = 0; k < 2; k++) {
		int g = s->cur ^ k;
		replay_txn_ent_t *e = s->e[g];
		uint32_t phys = s->phys[g], i = slot_of(phys, key);
		uint64_t gen = s->gen[g];

		if (!s->n[g])
			continue;
		for (uint32_t probe = 0; probe < phys; probe++) {
			if (e[i].gen != gen)
				break; /* empty */
			if (e[i].key == key)
				return &e[i].val;
			i = (i + 1) & (phys - 1);
		}
	}
	return NULL;
}

/* Doubles the current generation's part of its table: its live entries
 * (at most half of the old part) are taken out, the old part marked
 * empty (gen 0 is never a live gen) and the entries put back under the
 * wider mask.  Entries beyond the old part hold older gens: empty. */
static void grow(replay_txn_set_t *s)
{
	int g = s->cur;
	replay_txn_ent_t *e = s->e[g], *tmp = s->tmp;
	uint32_t phys = s->phys[g], k = 0;
	uint64_t gen = s->gen[g];

	for (uint32_t i = 0; i < phys; i++) {
		if (e[i].gen == gen && k < phys / 2)
			tmp[k++] = e[i];
		e[i].gen = 0;
	}
	phys *= 2;
	s->phys[g] = phys;
	for (uint32_t j = 0; j < k; j++) {
		uint32_t i = slot_of(phys, tmp[j].key);

		while (e[i].gen == gen)
			i = (i + 1) & (phys - 1);
		e[i] = tmp[j];
	}
}

void replay_txn_put(replay_txn_set_t *s, uint64_t key, uint64_t val,
		    uint64_t now, uint64_t max_age)
{
	replay_txn_ent_t *e;
	uint32_t i, phys;

	key |= 1;
	if (s->n[s->cur] >= s->cap / 2 ||
	    (max_age && now > s->since + max_age))
		rotate(s, now);
	if (s->n[s->cur] >= s->phys[s->cur] / 2 && s->phys[s->cur] < s->cap)
		grow(s);
	e = s->e[s->cur];
	phys = s->phys[s->cur];
	i = slot_of(phys, key);
	while (e[i].gen == s->gen[s->cur] && e[i].key != key)
		i = (i + 1) & (phys - 1);
	if (e[i].gen != s->gen[s->cur])
		s->n[s->cur]++;
	e[i].key = key;
	e[i].val = val;
	e[i].gen = s->gen[s->cur];
}

/* The branch of the first Via value, or the whole first value. */
static sf_str_t top_branch(const sf_sipmsg_t *m)
{
	const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, SF_HDR_VIA, 0);
	sf_str_t v;
	size_t i;

	if (!h)
		return SF_STR_NULL;
	v = h->value;
	if (v.len) {
		const char *comma = memchr(v.s, ',', v.len);

		if (comma)
			v.len = (size_t)(comma - v.s);
	}
	for (i = 0; i + 8 <= v.len; i++) {
		const char *semi = memchr(v.s + i, ';', v.len - 7 - i);

		if (!semi)
			break;
		i = (size_t)(semi - v.s);
		if (sf_str_ieq_c(sf_str(v.s + i + 1, 7), "branch=")) {
			size_t b = i + 8, e = b;

			while (e < v.len && v.s[e] != ';' && v.s[e] != ' ' &&
			       v.s[e] != '\t')
				e++;
			return sf_str(v.s + b, e - b);
		}
	}
	return v;
}

uint64_t replay_txn_key(const sf_sipmsg_t *m, sf_str_t cid)
{
	sf_str_t b = top_branch(m);
	uint64_t key;

	key = sf_hash_words(SF_FNV64_OFFSET ^ m->cseq_num, cid.s,
				cid.s ? cid.len : 0);
	return sf_hash_words(key, b.s, b.s ? b.len : 0);
}

uint64_t replay_txn_call_key(sf_str_t call_id)
{
	return sf_hash_words(SF_FNV64_OFFSET, call_id.s,
				 call_id.s ? call_id.len : 0);
}

uint64_t replay_txn_bytes_key(const uint8_t *p, size_t n)
{
	/* a seed of its own: never the key of a well-formed transaction */
	return sf_hash_words(SF_FNV64_OFFSET ^ 0x6d616c666f726d64ull, p, n);
}
