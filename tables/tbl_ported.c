/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_ported.c - the ported-numbers table (mobile number portability):
 * loader and the lookup that overrides the numbering plan.
 *
 * File format (config/tables/ported.csv, as a national MNP database
 * exports it):
 *     number,operator[,more fields...]
 * A number's operator is the one it is served by now.  The numbering plan
 * says who a range was allocated to; portability moves single numbers
 * between operators, so a lookup consults this table first: a number
 * ported to one of our own operators (the home_operators the config
 * lists) is ported IN and classed home-mobile; a number ported to anyone
 * else is ported OUT and gets the configured class (domestic-other by
 * default).  Fields after the operator (dates, routing numbers) are
 * ignored.
 *
 * This is a big table (10^7 rows for a market of that size), loaded the
 * way the roaming table is: one JudyL keyed by the number, rows through a
 * sorted batch, the operator interned once (a handful of operators for
 * ten million rows).  The value packs the operator's string offset and
 * the direction: (offset << 2) | 2 | home, so it is never 0.  A number
 * listed twice counts once and the later line wins (a feed that appends
 * changes means the last word).
 */
#include "tbl_int.h"

#include <strings.h>

#define PORTED_FIELDS "number,operator"
#define PORTED_PRESENT ((Word_t)2)
#define PORTED_HOME ((Word_t)1)

typedef struct ported_ctx {
	sf_tbl_core_t *c;
	sf_tbl_batch_t b;
	const char *const *home;
	size_t n_home;
	Pvoid_t home_of; /* load-time: operator offset -> 1 other, 2 home */
} ported_ctx_t;

static int ported_put(void *ctx, uint64_t key, Word_t val)
{
	sf_tbl_core_t *c = ((ported_ctx_t *)ctx)->c;
	PWord_t pv = (PWord_t)JudyLIns(&c->ported, key, PJE0);

	if (pv == (PWord_t)PPJERR)
		return SF_ENOMEM;
	if (!*pv)
		c->ported_n++;
	*pv = val;
	return 0;
}

/* Whether the operator at offset off is one of ours (cached per offset:
 * a feed names few operators). */
static int is_home(ported_ctx_t *p, uint32_t off, bool *home)
{
	PWord_t pv = (PWord_t)JudyLIns(&p->home_of, off, PJE0);
	const char *name;

	if (pv == (PWord_t)PPJERR)
		return SF_ENOMEM;
	if (!*pv) {
		name = sf_tbl_str(&p->c->ported_strs, off);
		*pv = 1;
		for (size_t i = 0; i < p->n_home; i++)
			if (p->home[i] && strcasecmp(p->home[i], name) == 0)
				*pv = 2;
	}
	*home = *pv == 2;
	return 0;
}

static int ported_line(void *ctx, sf_tbl_reader_t *r, sf_str_t line,
		       sf_err_t *err)
{
	ported_ctx_t *p = ctx;
	sf_tbl_field_t f[3];
	int nf = sf_tbl_split(r, line, f, 3, err);
	sf_num_t num;
	uint32_t off;
	bool home;
	int rc;

	if (nf < 0)
		return nf;
	rc = sf_tbl_parse_num(r, err, &f[0], false,
			      "the ported table (entries are single numbers)",
			      &num, NULL);
	if (rc < 0)
		return rc;
	if (num.kind != SF_NUM_E164)
		return sf_tbl_bad(r, err, f[0].col,
				  "short code %.*s cannot be ported "
				  "(expected an E.164 number)",
				  (int)f[0].v.len, f[0].v.s);
	if (nf < 2 || f[1].v.len == 0)
		return sf_tbl_bad(r, err, nf < 2 ? (unsigned)line.len + 1
						 : f[1].col,
				  "missing operator (expected %s)",
				  PORTED_FIELDS);
	if (sf_tbl_strs_intern(&p->c->ported_strs, f[1].v, &off) < 0 ||
	    is_home(p, off, &home) < 0)
		return sf_err_set(err, SF_ENOMEM, r->path, r->line_no, 0,
				  "out of memory");
	rc = sf_tbl_batch_add(&p->b, sf_tbl_key(num.d, num.len),
			      ((Word_t)off << 2) | PORTED_PRESENT |
				      (home ? PORTED_HOME : 0));
	if (rc < 0)
		return sf_err_set(err, rc, r->path, r->line_no, 0,
				  "out of memory");
	return 0;
}

int sf_tbl_ported_load(sf_tbl_core_t *c, const char *path, sf_str_t text,
		       sf_table_format_t fmt, const char *const *home,
		       size_t n_home, sf_class_t out_class, sf_err_t *err)
{
	ported_ctx_t p = {.c = c, .home = home, .n_home = n_home};
	int rc;

	c->ported_out_cls = (uint8_t)(out_class > SF_CLASS_UNLISTED &&
						      out_class < SF_CLASS_COUNT
					      ? out_class
					      : SF_CLASS_DOMESTIC_OTHER);
	p.b.put = ported_put;
	p.b.ctx = &p;
	rc = sf_tbl_load_lines(path, text, fmt, ported_line, &p, &p.b, err);
	JudyLFreeArray(&p.home_of, PJE0);
	if (rc < 0)
		return rc;
	sf_tbl_strs_seal(&c->ported_strs);
	return 0;
}

static const char *const ported_names[SF_PORTED_COUNT] = {
	[SF_PORTED_NONE] = "no",
	[SF_PORTED_IN] = "in",
	[SF_PORTED_OUT] = "out",
};

const char *sf_ported_name(sf_ported_t p)
{
	return (unsigned)p < SF_PORTED_COUNT ? ported_names[p] : "no";
}

size_t sf_tbl_ported_bytes(const sf_tbl_core_t *c)
{
	return JudyLMemUsed(c->ported) + sf_tbl_strs_bytes(&c->ported_strs);
}

bool sf_tbl_ported_apply(const sf_tbl_core_t *c, uint64_t key,
			 unsigned len, bool in_plan, sf_plan_entry_t *out)
{
	PWord_t pv;
	Word_t v;

	if (!c->ported)
		return false;
	pv = (PWord_t)JudyLGet(c->ported, key, PJE0);
	if (!pv || pv == (PWord_t)PPJERR)
		return false;
	v = *pv;
	if (!out)
		return true;
	out->ported = (v & PORTED_HOME) ? SF_PORTED_IN : SF_PORTED_OUT;
	out->cls = (v & PORTED_HOME) ? SF_CLASS_HOME_MOBILE
				     : (sf_class_t)c->ported_out_cls;
	out->operator_name = sf_tbl_str(&c->ported_strs, (uint32_t)(v >> 2));
	if (!in_plan) {
		/* a ported number outside the plan: its own length is its
		 * range's (an E.164 number; no short code is ported) */
		out->min_len = out->max_len = (uint8_t)len;
		out->prefix_len = (uint8_t)len;
	}
	return true;
}
