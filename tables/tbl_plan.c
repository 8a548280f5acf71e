/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_plan.c - the numbering-plan table: loader and longest-prefix match.
 *
 * File format (config/tables/numbering-plan.csv):
 *     prefix,class,min_len,max_len,operator
 * One JudyL maps each prefix (as a length-tagged key, see tbl_int.h) to an
 * entry; a bitmask of the prefix lengths present lets a lookup probe only
 * those lengths, longest first, so a match costs at most a few JudyLGet
 * calls whatever the table size.  A prefix defined twice is an error: with
 * two classes for one range nobody can say which was meant.
 */
#include "tbl_int.h"

#include <stdio.h>
#include <string.h>

#define PLAN_FIELDS "prefix,class,min_len,max_len,operator"

static int parse_len(const sf_tbl_reader_t *r, sf_err_t *err,
		     const sf_tbl_field_t *f, const char *name, uint8_t *out)
{
	unsigned v = 0;

	if (f->v.len == 0)
		return sf_tbl_bad(r, err, f->col, "missing %s (expected %s)",
				  name, PLAN_FIELDS);
	for (size_t i = 0; i < f->v.len; i++) {
		if (!sf_isdigit((unsigned char)f->v.s[i]) || i >= 3)
			return sf_tbl_bad(r, err, f->col,
					  "%s '%.*s' is not a number "
					  "(expected 1..15)", name,
					  (int)(f->v.len < 64 ? f->v.len : 64),
					  f->v.s);
		v = v * 10 + (unsigned)(f->v.s[i] - '0');
	}
	if (v < 1 || v > 15)
		return sf_tbl_bad(r, err, f->col,
				  "%s %u out of range (expected 1..15)", name,
				  v);
	*out = (uint8_t)v;
	return 0;
}

static int bad_class(const sf_tbl_reader_t *r, sf_err_t *err,
		     const sf_tbl_field_t *f)
{
	char names[256] = "";
	const char *best = NULL;
	unsigned best_d = 3;
	size_t used = 0;
	int show = (int)(f->v.len < 64 ? f->v.len : 64);

	if (f->v.len == 0)
		return sf_tbl_bad(r, err, f->col, "missing class (expected %s)",
				  PLAN_FIELDS);
	for (int c = SF_CLASS_UNLISTED + 1; c < SF_CLASS_COUNT; c++) {
		const char *nm = sf_class_name((sf_class_t)c);
		unsigned d = sf_tbl_distance(f->v.s, f->v.len, nm, strlen(nm));
		int w;

		if (d < best_d) {
			best_d = d;
			best = nm;
		}
		w = snprintf(names + used, sizeof(names) - used, "%s%s",
			     used ? ", " : "", nm);
		if (w > 0 && (size_t)w < sizeof(names) - used)
			used += (size_t)w;
	}
	if (f->v.len == 8 && memcmp(f->v.s, "unlisted", 8) == 0)
		return sf_tbl_bad(r, err, f->col,
				  "class 'unlisted' cannot be used in the "
				  "plan (it means no prefix matched; expected "
				  "one of %s)", names);
	if (best)
		return sf_tbl_bad(r, err, f->col,
				  "unknown class '%.*s'; did you mean '%s'? "
				  "(expected one of %s)", show, f->v.s, best,
				  names);
	return sf_tbl_bad(r, err, f->col,
			  "unknown class '%.*s' (expected one of %s)", show,
			  f->v.s, names);
}

static int plan_line(void *ctx, sf_tbl_reader_t *r, sf_str_t line,
		     sf_err_t *err)
{
	sf_tbl_core_t *c = ctx;
	static const char *const names[] = {"prefix", "class", "min_len",
					    "max_len"};
	sf_tbl_field_t f[5];
	int nf = sf_tbl_split(r, line, f, 5, err);
	sf_num_t num;
	sf_tbl_plan_ent_t e = {0};
	unsigned visible;
	int cls, rc;
	uint64_t key;
	PWord_t pv;
	JError_t je;
	void *ents = c->plan_ents;

	if (nf < 0)
		return nf;
	if (nf < 4)
		return sf_tbl_bad(r, err, (unsigned)line.len + 1,
				  "missing field '%s' (expected %s)",
				  names[nf], PLAN_FIELDS);
	rc = sf_tbl_parse_num(r, err, &f[0], false,
			      "the numbering plan (every entry is already a "
			      "prefix)", &num, NULL);
	if (rc < 0)
		return rc;
	cls = sf_class_parse(f[1].v.s, f[1].v.len);
	if (cls <= SF_CLASS_UNLISTED)
		return bad_class(r, err, &f[1]);
	if ((rc = parse_len(r, err, &f[2], "min_len", &e.min_len)) < 0 ||
	    (rc = parse_len(r, err, &f[3], "max_len", &e.max_len)) < 0)
		return rc;
	if (e.min_len > e.max_len)
		return sf_tbl_bad(r, err, f[2].col, "min_len %u > max_len %u",
				  e.min_len, e.max_len);
	visible = num.len - (num.kind == SF_NUM_SHORT ? 1u : 0u);
	if (visible > e.max_len)
		return sf_tbl_bad(r, err, f[0].col,
				  "prefix %.*s has %u digits, more than "
				  "max_len %u", (int)f[0].v.len, f[0].v.s,
				  visible, e.max_len);
	e.cls = (uint8_t)cls;
	e.prefix_len = num.len;
	e.line = r->line_no;
	if (nf == 5 && sf_tbl_strs_intern(&c->plan_strs, f[4].v, &e.op) < 0)
		return sf_err_set(err, SF_ENOMEM, r->path, r->line_no, 0,
				  "out of memory");

	if (sf_tbl_grow(&ents, &c->plan_cap, c->plan_n + 1, sizeof(e)) < 0)
		return sf_err_set(err, SF_ENOMEM, r->path, r->line_no, 0,
				  "out of memory");
	c->plan_ents = ents;
	key = sf_tbl_key(num.d, num.len);
	pv = (PWord_t)JudyLIns(&c->plan, key, &je);
	if (pv == (PWord_t)PPJERR)
		return sf_tbl_judy_err(err, r->path, &je);
	if (*pv) {
		char kbuf[32];

		sf_tbl_key_format(key, kbuf, sizeof(kbuf));
		return sf_tbl_bad(r, err, f[0].col,
				  "duplicate prefix %s (first at line %u)",
				  kbuf, c->plan_ents[*pv - 1].line);
	}
	c->plan_ents[c->plan_n++] = e;
	*pv = c->plan_n;
	c->plan_mask |= 1u << num.len;
	if (num.len <= SF_TBL_DIRECT_LEN) {
		if (!c->plan_direct) {
			c->plan_direct = sf_tbl_malloc(SF_TBL_DIRECT_SLOTS *
						       sizeof(uint32_t));
			if (!c->plan_direct)
				return sf_err_set(err, SF_ENOMEM, r->path,
						  r->line_no, 0,
						  "out of memory");
			memset(c->plan_direct, 0,
			       SF_TBL_DIRECT_SLOTS * sizeof(uint32_t));
		}
		c->plan_direct[sf_tbl_direct_slot(key)] = (uint32_t)c->plan_n;
	}
	return 0;
}

int sf_tbl_plan_load(sf_tbl_core_t *c, const char *path, sf_str_t text,
		     sf_table_format_t fmt, sf_err_t *err)
{
	int rc = sf_tbl_load_lines(path, text, fmt, plan_line, c, NULL, err);

	if (rc < 0)
		return rc;
	sf_tbl_strs_seal(&c->plan_strs);
	sf_tbl_filter_free(&c->plan_filter);
	sf_tbl_filter_build(&c->plan_filter, c->plan, c->plan_n);
	return 0;
}

void sf_tbl_filter_build(sf_tbl_filter_t *f, Pcvoid_t judyl, size_t n)
{
	unsigned bits = SF_TBL_FILTER_MIN_BITS;
	Word_t key = 0;
	PWord_t pv;

	f->w = NULL;
	f->bits = 0;
	while (bits < SF_TBL_FILTER_MAX_BITS && ((size_t)1 << bits) < 16 * n)
		bits++;
	f->w = sf_tbl_malloc(((size_t)1 << bits) / 8);
	if (!f->w)
		return;
	memset(f->w, 0, ((size_t)1 << bits) / 8);
	f->bits = bits;
	for (pv = (PWord_t)JudyLFirst(judyl, &key, PJE0);
	     pv && pv != (PWord_t)PPJERR;
	     pv = (PWord_t)JudyLNext(judyl, &key, PJE0)) {
		size_t b = sf_tbl_filter_bit(f, key);

		f->w[b >> 6] |= 1ull << (b & 63);
	}
}

void sf_tbl_filter_free(sf_tbl_filter_t *f)
{
	sf_tbl_free(f->w);
	f->w = NULL;
	f->bits = 0;
}

size_t sf_tbl_plan_bytes(const sf_tbl_core_t *c)
{
	return JudyLMemUsed(c->plan) + c->plan_cap * sizeof(*c->plan_ents) +
	       (c->plan_direct ? SF_TBL_DIRECT_SLOTS * sizeof(uint32_t) : 0) +
	       (c->plan_filter.w ? ((size_t)1 << c->plan_filter.bits) / 8 : 0) +
	       sf_tbl_strs_bytes(&c->plan_strs);
}

bool sf_tbl_plan_lookup(const sf_tbl_core_t *c, const sf_num_t *n,
			sf_plan_entry_t *out)
{
	uint64_t pfx[SF_NUM_MAX + 1];

	return c->plan && sf_tbl_prefixes(n, pfx) &&
	       sf_tbl_plan_lookup_keys(c, pfx, n->len, out);
}

bool sf_tbl_plan_lookup_keys(const sf_tbl_core_t *c,
			     const uint64_t pfx[SF_NUM_MAX + 1], unsigned len,
			     sf_plan_entry_t *out)
{
	unsigned plen = 0;
	Word_t v;
	const sf_tbl_plan_ent_t *e;

	if (!c->plan)
		return false;
	if (c->plan_direct) {
		/* longer prefixes in the JudyL first, then the short ones
		 * from the direct array, each longest first */
		uint32_t mask = c->plan_mask & (uint32_t)((2u << len) - 1);
		uint32_t longer = mask & ~((2u << SF_TBL_DIRECT_LEN) - 1);

		v = longer ? sf_tbl_lpm_filtered(c->plan, &c->plan_filter,
						 longer, pfx, len, &plen)
			   : 0;
		mask &= (2u << SF_TBL_DIRECT_LEN) - 1;
		while (!v && mask) {
			unsigned l = 31u - (unsigned)__builtin_clz(mask);

			v = c->plan_direct[sf_tbl_direct_slot(pfx[l])];
			plen = l;
			mask &= ~(1u << l);
		}
	} else {
		v = sf_tbl_lpm_filtered(c->plan, &c->plan_filter,
					c->plan_mask, pfx, len, &plen);
	}
	if (!v || v > c->plan_n)
		return false;
	e = &c->plan_ents[v - 1];
	if (out) {
		out->cls = (sf_class_t)e->cls;
		out->min_len = e->min_len;
		out->max_len = e->max_len;
		out->prefix_len = (uint8_t)plen;
		out->operator_name = sf_tbl_str(&c->plan_strs, e->op);
		out->ported = SF_PORTED_NONE;
	}
	return true;
}
