/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_strings.c - string interning for table text (operator names,
 * substitution sources and reasons).
 *
 * A million substitution rows typically share a handful of sources and
 * reasons; storing each distinct string once in an arena and keeping a
 * 32-bit offset per row costs bytes, not a million copies.  Duplicates are
 * found with a JudyL index keyed by a 64-bit hash of the text, which
 * exists only while loading.  (Not JudySL: libJudy 1.0.5's JudySLIns leaks
 * a node when an allocation fails inside it, which the allocation-failure
 * test caught.)  A one-entry
 * cache skips even that for runs of rows with the same text, which is the
 * common shape of a generated feed.
 */
#include "base/sf_hash.h"
#include "tbl_int.h"

#include <string.h>

int sf_tbl_strs_init(sf_tbl_strs_t *s)
{
	memset(s, 0, sizeof(*s));
	s->arena = sf_tbl_malloc(64);
	if (!s->arena)
		return SF_ENOMEM;
	s->cap = 64;
	s->arena[0] = '\0';
	s->len = 1;
	return 0;
}

/* FNV-1a, 64 bits: the index key.  Not a defence against crafted
 * collisions, and it need not be: a collision only costs a second copy. */
static uint64_t hash(sf_str_t v)
{
	return sf_fnv1a64(SF_FNV64_OFFSET, v.s, v.len);
}

int sf_tbl_strs_intern(sf_tbl_strs_t *s, sf_str_t v, uint32_t *off)
{
	const char *old;
	size_t at;
	PWord_t pv;
	JError_t je;
	void *arena = s->arena;

	if (v.len == 0) {
		*off = 0;
		return 0;
	}
	old = s->arena + s->last_off;
	if (strlen(old) == v.len && memcmp(old, v.s, v.len) == 0) {
		*off = s->last_off;
		return 0;
	}
	if (s->len + v.len + 1 > UINT32_MAX)
		return SF_ERANGE;
	/* Room first, so that a failure leaves no index entry behind. */
	if (sf_tbl_grow(&arena, &s->cap, s->len + v.len + 1, 1) < 0)
		return SF_ENOMEM;
	s->arena = arena;
	sf_tbl_scratch_judy(true);
	pv = (PWord_t)JudyLIns(&s->index, hash(v), &je);
	sf_tbl_scratch_judy(false);
	if (pv == (PWord_t)PPJERR)
		return SF_ENOMEM;
	if (*pv) {
		old = s->arena + *pv;
		if (strlen(old) == v.len && memcmp(old, v.s, v.len) == 0) {
			s->last_off = (uint32_t)*pv;
			*off = s->last_off;
			return 0;
		}
		/* hash collision: store a copy that the index does not find */
	}
	at = s->len;
	memcpy(s->arena + at, v.s, v.len);
	s->arena[at + v.len] = '\0';
	s->len += v.len + 1;
	if (!*pv)
		*pv = at;
	s->last_off = (uint32_t)at;
	*off = s->last_off;
	return 0;
}

void sf_tbl_strs_seal(sf_tbl_strs_t *s)
{
	char *p;

	JudyLFreeArray(&s->index, PJE0);
	s->index = NULL;
	if (s->arena && s->cap > s->len) {
		p = sf_tbl_realloc(s->arena, s->len);
		if (p) {
			s->arena = p;
			s->cap = s->len;
		}
	}
}

void sf_tbl_strs_fini(sf_tbl_strs_t *s)
{
	JudyLFreeArray(&s->index, PJE0);
	sf_tbl_free(s->arena);
	memset(s, 0, sizeof(*s));
}

size_t sf_tbl_strs_bytes(const sf_tbl_strs_t *s)
{
	return s->cap;
}
