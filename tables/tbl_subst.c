/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_subst.c - the known-substitution / do-not-originate table: loader
 * and lookup.
 *
 * File format (config/tables/substitution.csv):
 *     number_or_prefix,source,reason      (trailing '*' = prefix)
 * Exact numbers and prefixes live in two JudyL arrays; a lookup tries the
 * exact number first, then the longest prefix (lengths from a bitmask, as
 * in the plan).  The value is an index into a table of interned
 * (source, reason) pairs, so 10^7 rows that share a few reasons cost one
 * JudyL slot each plus a few bytes of text in total.
 *
 * The same number listed twice is counted once and the first line wins:
 * lists are often concatenated from several sources in priority order.
 * Rows go through a sorted batch (tbl_batch.c), so an unsorted 10^7-row
 * list loads nearly as fast as a sorted one.
 */
#include "tbl_int.h"

#define SUBST_FIELDS "number_or_prefix,source,reason"

static int pair_of(sf_tbl_core_t *c, uint32_t src, uint32_t why,
		   Word_t *id, const char *path, sf_err_t *err)
{
	Word_t k = ((Word_t)src << 32) | why;
	PWord_t pv;
	JError_t je;
	void *pairs = c->pairs;

	if (c->n_pairs && c->pairs[c->n_pairs - 1].source == src &&
	    c->pairs[c->n_pairs - 1].reason == why) {
		*id = c->n_pairs - 1;
		return 0;
	}
	if (sf_tbl_grow(&pairs, &c->pairs_cap, c->n_pairs + 1,
			sizeof(*c->pairs)) < 0)
		return sf_err_set(err, SF_ENOMEM, path, 0, 0, "out of memory");
	c->pairs = pairs;
	sf_tbl_scratch_judy(true);
	pv = (PWord_t)JudyLIns(&c->pair_index, k, &je);
	sf_tbl_scratch_judy(false);
	if (pv == (PWord_t)PPJERR)
		return sf_tbl_judy_err(err, path, &je);
	if (!*pv) {
		c->pairs[c->n_pairs].source = src;
		c->pairs[c->n_pairs].reason = why;
		*pv = ++c->n_pairs;
	}
	*id = *pv - 1;
	return 0;
}

/* Batch keys carry the prefix flag in bit 63 (keys use bits 0..60). */
#define PREFIX_BIT ((uint64_t)1 << 63)

static int subst_put(void *ctx, uint64_t key, Word_t val)
{
	sf_tbl_core_t *c = ctx;
	bool is_prefix = key & PREFIX_BIT;
	PWord_t pv;

	key &= ~PREFIX_BIT;
	pv = (PWord_t)JudyLIns(is_prefix ? &c->subst_prefix : &c->subst_exact,
			       key, PJE0);
	if (pv == (PWord_t)PPJERR)
		return SF_ENOMEM;
	if (!*pv) { /* the first line wins */
		*pv = val;
		c->subst_n++;
		if (is_prefix)
			c->subst_mask |= 1u << (key >> 56);
	}
	return 0;
}

typedef struct subst_ctx {
	sf_tbl_core_t *c;
	sf_tbl_batch_t b;
} subst_ctx_t;

static int subst_line(void *ctx, sf_tbl_reader_t *r, sf_str_t line,
		      sf_err_t *err)
{
	sf_tbl_core_t *c = ((subst_ctx_t *)ctx)->c;
	sf_tbl_batch_t *b = &((subst_ctx_t *)ctx)->b;
	sf_tbl_field_t f[3];
	int nf = sf_tbl_split(r, line, f, 3, err);
	sf_num_t num;
	bool is_prefix;
	uint32_t src, why = 0;
	Word_t pair = 0;
	uint64_t key;
	int rc;

	if (nf < 0)
		return nf;
	rc = sf_tbl_parse_num(r, err, &f[0], true, "", &num, &is_prefix);
	if (rc < 0)
		return rc;
	if (nf < 2 || f[1].v.len == 0)
		return sf_tbl_bad(r, err, nf < 2 ? (unsigned)line.len + 1
						 : f[1].col,
				  "missing source (expected %s)",
				  SUBST_FIELDS);
	if (sf_tbl_strs_intern(&c->subst_strs, f[1].v, &src) < 0 ||
	    (nf == 3 && sf_tbl_strs_intern(&c->subst_strs, f[2].v, &why) < 0))
		return sf_err_set(err, SF_ENOMEM, r->path, r->line_no, 0,
				  "out of memory");
	rc = pair_of(c, src, why, &pair, r->path, err);
	if (rc < 0)
		return rc;
	key = sf_tbl_key(num.d, num.len) | (is_prefix ? PREFIX_BIT : 0);
	rc = sf_tbl_batch_add(b, key, pair + 1);
	if (rc < 0)
		return sf_err_set(err, rc, r->path, r->line_no, 0,
				  "out of memory");
	return 0;
}

int sf_tbl_subst_load(sf_tbl_core_t *c, const char *path, sf_str_t text,
		      sf_table_format_t fmt, sf_err_t *err)
{
	subst_ctx_t x = {.c = c, .b = {.put = subst_put, .ctx = c}};
	int rc = sf_tbl_load_lines(path, text, fmt, subst_line, &x, &x.b, err);

	if (rc < 0)
		return rc;
	JudyLFreeArray(&c->pair_index, PJE0);
	c->pair_index = NULL;
	sf_tbl_strs_seal(&c->subst_strs);
	return 0;
}

size_t sf_tbl_subst_bytes(const sf_tbl_core_t *c)
{
	return JudyLMemUsed(c->subst_exact) + JudyLMemUsed(c->subst_prefix) +
	       c->pairs_cap * sizeof(*c->pairs) +
	       sf_tbl_strs_bytes(&c->subst_strs);
}

bool sf_tbl_subst_lookup(const sf_tbl_core_t *c, const sf_num_t *n,
			 sf_subst_entry_t *out)
{
	uint64_t pfx[SF_NUM_MAX + 1];

	return sf_tbl_prefixes(n, pfx) &&
	       sf_tbl_subst_lookup_keys(c, pfx, n->len, out);
}

bool sf_tbl_subst_lookup_keys(const sf_tbl_core_t *c,
			      const uint64_t pfx[SF_NUM_MAX + 1],
			      unsigned len, sf_subst_entry_t *out)
{
	PWord_t pv;
	Word_t v = 0;
	bool prefix = false;

	if (c->subst_exact) {
		pv = (PWord_t)JudyLGet(c->subst_exact, pfx[len], PJE0);
		if (pv && pv != (PWord_t)PPJERR)
			v = *pv;
	}
	if (!v && c->subst_prefix) {
		v = sf_tbl_lpm(c->subst_prefix, c->subst_mask, pfx, len, NULL);
		prefix = v != 0;
	}
	if (!v || v > c->n_pairs)
		return false;
	if (out) {
		out->prefix = prefix;
		const sf_tbl_pair_t *p = &c->pairs[v - 1];

		out->source = sf_tbl_str(&c->subst_strs, p->source);
		out->reason = sf_tbl_str(&c->subst_strs, p->reason);
	}
	return true;
}
