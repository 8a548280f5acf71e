/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_allow.c - the per-trunk allow list: loader and lookup.
 *
 * File format (config/tables/allow.csv):
 *     trunk,number_or_prefix[,comment]     (trunk '*' = every trunk)
 * Trunk names come from the config (handed in as plain strings: this layer
 * knows nothing of config).  A name the config does not know is an error,
 * with a "did you mean", because an entry silently attached to no trunk is
 * an exemption that never applies.  There is one set per trunk plus one for
 * '*'; each has a Judy1 of exact numbers and a JudyL of prefixes with a
 * length mask.  Duplicates are harmless and counted once; comments are not
 * stored.
 */
#include "tbl_int.h"

#include <stdio.h>
#include <string.h>

#define ALLOW_FIELDS "trunk,number_or_prefix[,comment]"
#define MAX_TRUNKS 65536

static int bad_trunk(const sf_tbl_reader_t *r, sf_err_t *err,
		     const sf_tbl_field_t *f, const char *const *trunks,
		     size_t n_trunks)
{
	char known[200] = "";
	const char *best = NULL;
	unsigned best_d = 3;
	size_t used = 0;
	int show = (int)(f->v.len < 64 ? f->v.len : 64);

	if (n_trunks == 0)
		return sf_tbl_bad(r, err, f->col,
				  "unknown trunk '%.*s' (no trunks are "
				  "configured; use * for every trunk)",
				  show, f->v.s);
	for (size_t i = 0; i < n_trunks; i++) {
		const char *nm = trunks[i] ? trunks[i] : "";
		unsigned d = sf_tbl_distance(f->v.s, f->v.len, nm, strlen(nm));
		int w;

		if (d < best_d) {
			best_d = d;
			best = nm;
		}
		if (used + 8 >= sizeof(known))
			continue;
		w = snprintf(known + used, sizeof(known) - used, "%s%s",
			     used ? ", " : "", nm);
		if (w < 0)
			continue;
		if ((size_t)w >= sizeof(known) - used)
			snprintf(known + used, sizeof(known) - used, ", ...");
		used = strlen(known);
	}
	if (best)
		return sf_tbl_bad(r, err, f->col,
				  "unknown trunk '%.*s'; did you mean '%s'? "
				  "(trunks: %s, or * for every trunk)", show,
				  f->v.s, best, known);
	return sf_tbl_bad(r, err, f->col,
			  "unknown trunk '%.*s' (trunks: %s, or * for every "
			  "trunk)", show, f->v.s, known);
}

typedef struct allow_ctx {
	sf_tbl_core_t *c;
	const char *const *trunks;
	size_t n_trunks;
} allow_ctx_t;

static int allow_line(void *ctx, sf_tbl_reader_t *r, sf_str_t line,
		      sf_err_t *err)
{
	const allow_ctx_t *x = ctx;
	sf_tbl_core_t *c = x->c;
	const char *const *trunks = x->trunks;
	size_t n_trunks = x->n_trunks;
	sf_tbl_field_t f[3];
	int nf = sf_tbl_split(r, line, f, 3, err);
	sf_tbl_allow_set_t *set = NULL;
	sf_num_t num;
	bool is_prefix;
	uint64_t key;
	JError_t je;
	int rc;

	if (nf < 0)
		return nf;
	if (f[0].v.len == 0)
		return sf_tbl_bad(r, err, f[0].col,
				  "missing trunk (expected %s)", ALLOW_FIELDS);
	if (f[0].v.len == 1 && f[0].v.s[0] == '*') {
		set = &c->allow[0];
	} else {
		for (size_t i = 0; i < n_trunks; i++) {
			if (trunks[i] && strlen(trunks[i]) == f[0].v.len &&
			    memcmp(trunks[i], f[0].v.s, f[0].v.len) == 0) {
				set = &c->allow[1 + i];
				break;
			}
		}
		if (!set)
			return bad_trunk(r, err, &f[0], trunks, n_trunks);
	}
	if (nf < 2)
		return sf_tbl_bad(r, err, (unsigned)line.len + 1,
				  "missing number (expected %s)", ALLOW_FIELDS);
	rc = sf_tbl_parse_num(r, err, &f[1], true, "", &num, &is_prefix);
	if (rc < 0)
		return rc;
	key = sf_tbl_key(num.d, num.len);
	if (is_prefix) {
		PWord_t pv = (PWord_t)JudyLIns(&set->prefix, key, &je);

		if (pv == (PWord_t)PPJERR)
			return sf_tbl_judy_err(err, r->path, &je);
		if (!*pv) {
			*pv = 1;
			c->allow_n++;
			set->mask |= 1u << num.len;
		}
	} else {
		rc = Judy1Set(&set->exact, key, &je);
		if (rc == JERR)
			return sf_tbl_judy_err(err, r->path, &je);
		if (rc == 1)
			c->allow_n++;
	}
	return 0;
}

int sf_tbl_allow_load(sf_tbl_core_t *c, const char *path, sf_str_t text,
		      sf_table_format_t fmt, const char *const *trunks,
		      size_t n_trunks, sf_err_t *err)
{
	allow_ctx_t x = {.c = c, .trunks = trunks, .n_trunks = n_trunks};

	if (n_trunks > MAX_TRUNKS || (n_trunks && !trunks))
		return sf_err_set(err, SF_EINVAL, path, 0, 0,
				  "bad trunk list (%zu trunks)", n_trunks);
	c->allow = sf_tbl_malloc((n_trunks + 1) * sizeof(*c->allow));
	if (!c->allow)
		return sf_err_set(err, SF_ENOMEM, path, 0, 0, "out of memory");
	memset(c->allow, 0, (n_trunks + 1) * sizeof(*c->allow));
	c->n_allow_sets = n_trunks + 1;
	return sf_tbl_load_lines(path, text, fmt, allow_line, &x, NULL, err);
}

size_t sf_tbl_allow_bytes(const sf_tbl_core_t *c)
{
	size_t b = c->n_allow_sets * sizeof(*c->allow);

	for (size_t i = 0; i < c->n_allow_sets; i++)
		b += Judy1MemUsed(c->allow[i].exact) +
		     JudyLMemUsed(c->allow[i].prefix);
	return b;
}

static bool in_set(const sf_tbl_allow_set_t *s, const uint64_t *pfx,
		   unsigned len)
{
	if (s->exact && Judy1Test(s->exact, pfx[len], PJE0) == 1)
		return true;
	return s->prefix && sf_tbl_lpm(s->prefix, s->mask, pfx, len, NULL);
}

bool sf_tbl_allow_lookup(const sf_tbl_core_t *c, int trunk_id,
			 const sf_num_t *n)
{
	uint64_t pfx[SF_NUM_MAX + 1];

	return c->n_allow_sets && sf_tbl_prefixes(n, pfx) &&
	       sf_tbl_allow_lookup_keys(c, trunk_id, pfx, n->len);
}

bool sf_tbl_allow_lookup_keys(const sf_tbl_core_t *c, int trunk_id,
			      const uint64_t pfx[SF_NUM_MAX + 1],
			      unsigned len)
{
	if (!c->n_allow_sets)
		return false;
	if (in_set(&c->allow[0], pfx, len))
		return true;
	if (trunk_id >= 0 && (size_t)trunk_id + 1 < c->n_allow_sets)
		return in_set(&c->allow[trunk_id + 1], pfx, len);
	return false;
}
