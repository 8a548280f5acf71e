/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_ranges.c - range export -> the fewest numbering-plan prefixes (see
 * sf_ranges.h).
 *
 * The numbers of one length form a 10-ary trie: a node is a prefix, its
 * children the prefix with one more digit.  After overlaps are clipped
 * and touching ranges with the same label (class, operator) merged, each
 * number has a label or none.  A node whose numbers all share one label
 * (or are all outside every range) is uniform and needs no look below.
 * For the others, cost(node, I) - the fewest prefixes in the subtree when
 * the nearest prefix above gives label I (or none) - is
 *     min( sum over children of cost(child, I),            no prefix here
 *          1 + sum over children of cost(child, Y) )      prefix Y here
 * where a prefix is only possible when no number below is outside the
 * ranges (it would match them).  A uniform node costs 0 when I is its
 * label, else 1.  Only labels present below a node can win there, so each
 * node keeps costs for those, for "none" and for "any other label".
 * Uniform nodes are not expanded: the work follows the range boundaries
 * (at most 15 levels of 10 children each per boundary), not the numbers.
 * Rows are then emitted top-down by the same rule, recomputing the costs
 * of the children at each level (15 levels: a bounded factor).
 */
#include "sf_ranges.h"
#include "tbl_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define INF ((uint64_t)1 << 60)

typedef struct range {
	uint64_t from, to;
	uint32_t label; /* 1-based index in labels */
	uint8_t len;
	unsigned line;
} range_t;

typedef struct label {
	sf_class_t cls;
	uint32_t op; /* offset in strs */
} label_t;

typedef struct imp {
	const sf_ranges_opts_t *o;
	sf_tbl_strs_t strs;
	label_t *labels;
	size_t n_labels, labels_cap;
	range_t *r;
	size_t n, cap;
	sf_plan_row_t *rows;
	size_t n_rows, rows_cap;
	/* the group being solved */
	const range_t *g;
	size_t ng;
	unsigned len;
	int rc;
} imp_t;

static void warn(imp_t *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(imp_t *m, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!m->o->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m->o->warn(m->o->warn_ctx, msg);
}

static uint64_t pow10u(unsigned k)
{
	uint64_t p = 1;

	while (k--)
		p *= 10;
	return p;
}

/* --- reading ------------------------------------------------------------ */

static int label_of(imp_t *m, sf_class_t cls, uint32_t op, uint32_t *out)
{
	void *a = m->labels;

	for (size_t i = m->n_labels; i-- > 0;)
		if (m->labels[i].cls == cls && m->labels[i].op == op) {
			*out = (uint32_t)i + 1;
			return 0;
		}
	if (sf_tbl_grow(&a, &m->labels_cap, m->n_labels + 1,
			sizeof(*m->labels)) < 0)
		return SF_ENOMEM;
	m->labels = a;
	m->labels[m->n_labels].cls = cls;
	m->labels[m->n_labels].op = op;
	*out = (uint32_t)++m->n_labels;
	return 0;
}

static int parse_end(const sf_tbl_reader_t *r, const sf_tbl_field_t *f,
		     const char *what, uint64_t *v, unsigned *len,
		     sf_err_t *err)
{
	sf_num_t n;
	int rc = sf_tbl_parse_num(r, err, f, false, "a range export", &n,
				  NULL);

	if (rc < 0)
		return rc;
	if (n.kind != SF_NUM_E164)
		return sf_tbl_bad(r, err, f->col, "'%s' must be an E.164 "
				  "number, not a short code", what);
	*v = 0;
	for (unsigned i = 0; i < n.len; i++)
		*v = *v * 10 + (unsigned)(n.d[i] - '0');
	*len = n.len;
	return 0;
}

static int range_line(void *ctx, sf_tbl_reader_t *r, sf_str_t line,
		      sf_err_t *err)
{
	imp_t *m = ctx;
	sf_tbl_field_t f[4];
	int nf = sf_tbl_split(r, line, f, 4, err), cls;
	unsigned la, lb;
	uint64_t a, b;
	uint32_t op = 0, lab;
	range_t *x;
	void *arr = m->r;
	int rc;

	if (nf < 0)
		return nf;
	if (nf < 3 || f[2].v.len == 0)
		return sf_tbl_bad(r, err, nf < 3 ? (unsigned)line.len + 1
						 : f[2].col,
				  "missing field (expected "
				  "from,to,class_or_operator[,operator])");
	if ((rc = parse_end(r, &f[0], "from", &a, &la, err)) < 0 ||
	    (rc = parse_end(r, &f[1], "to", &b, &lb, err)) < 0)
		return rc;
	if (la != lb)
		return sf_tbl_bad(r, err, f[1].col, "'to' has %u digits and "
				  "'from' %u: a range is of one length", lb,
				  la);
	if (a > b)
		return sf_tbl_bad(r, err, f[1].col, "'to' is below 'from'");
	cls = sf_class_parse(f[2].v.s, f[2].v.len);
	if (cls > SF_CLASS_UNLISTED) {
		if (nf == 4 &&
		    sf_tbl_strs_intern(&m->strs, f[3].v, &op) < 0)
			return sf_err_set(err, SF_ENOMEM, r->path, r->line_no,
					  0, "out of memory");
	} else {
		const char *name;

		if (sf_tbl_strs_intern(&m->strs, f[2].v, &op) < 0)
			return sf_err_set(err, SF_ENOMEM, r->path, r->line_no,
					  0, "out of memory");
		name = sf_tbl_str(&m->strs, op);
		cls = m->o->default_class > SF_CLASS_UNLISTED
			      ? (int)m->o->default_class
			      : SF_CLASS_DOMESTIC_OTHER;
		for (size_t i = 0; i < m->o->n_home_operators; i++)
			if (strcasecmp(m->o->home_operators[i], name) == 0)
				cls = SF_CLASS_HOME_MOBILE;
	}
	if (label_of(m, (sf_class_t)cls, op, &lab) < 0 ||
	    sf_tbl_grow(&arr, &m->cap, m->n + 1, sizeof(*m->r)) < 0)
		return sf_err_set(err, SF_ENOMEM, r->path, r->line_no, 0,
				  "out of memory");
	m->r = arr;
	x = &m->r[m->n++];
	x->from = a;
	x->to = b;
	x->len = (uint8_t)la;
	x->label = lab;
	x->line = r->line_no;
	return 0;
}

static int cmp_range(const void *pa, const void *pb)
{
	const range_t *a = pa, *b = pb;

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* Sorted by (length, from): clips overlaps (the range starting first
 * keeps the numbers), merges touching ranges of one label, counts gaps. */
static void normalise(imp_t *m, sf_ranges_result_t *res)
{
	size_t k = 0;
	const char *p = m->o->path;

	if (m->n) /* qsort's array may not be NULL, even for 0 rows */
		qsort(m->r, m->n, sizeof(*m->r), cmp_range);
	for (size_t i = 0; i < m->n; i++) {
		range_t x = m->r[i];
		range_t *prev = k ? &m->r[k - 1] : NULL;

		if (prev && prev->len == x.len && x.from <= prev->to) {
			res->n_overlaps++;
			warn(m, "%s:%u: range %llu-%llu overlaps line %u's "
			     "(%llu-%llu); the numbers both claim stay with "
			     "line %u", p, x.line,
			     (unsigned long long)x.from,
			     (unsigned long long)x.to, prev->line,
			     (unsigned long long)prev->from,
			     (unsigned long long)prev->to, prev->line);
			if (x.to <= prev->to)
				continue;
			x.from = prev->to + 1;
		}
		if (prev && prev->len == x.len && prev->to + 1 < x.from) {
			res->n_gaps++;
			warn(m, "%s:%u: gap: %llu-%llu (between line %u's range "
			     "and this one) is in no range", p, x.line,
			     (unsigned long long)(prev->to + 1),
			     (unsigned long long)(x.from - 1), prev->line);
		}
		if (prev && prev->len == x.len && prev->to + 1 == x.from &&
		    prev->label == x.label) {
			prev->to = x.to;
			continue;
		}
		m->r[k++] = x;
	}
	m->n = k;
	for (size_t i = 0; i < m->n; i++)
		res->numbers += m->r[i].to - m->r[i].from + 1;
}

/* Aligned decimal blocks covering [a, b]: what the ranges cost without
 * longest-prefix match. */
static size_t blocks(uint64_t a, uint64_t b, unsigned len)
{
	size_t n = 0;

	while (a <= b) {
		unsigned k = 0;

		while (k < len && a % pow10u(k + 1) == 0 &&
		       a + pow10u(k + 1) - 1 <= b)
			k++;
		n++;
		if (a + pow10u(k) - 1 == UINT64_MAX)
			break;
		a += pow10u(k);
	}
	return n;
}

/* --- the trie ------------------------------------------------------------ */

typedef struct cmap {
	uint32_t *lab;
	uint64_t *cost;
	size_t n;
	uint64_t none, other;
	bool has_none; /* numbers below are in no range */
} cmap_t;

static void cmap_free(cmap_t *c)
{
	sf_tbl_free(c->lab);
	sf_tbl_free(c->cost);
	memset(c, 0, sizeof(*c));
}

static uint64_t cost_of(const cmap_t *c, uint32_t label)
{
	if (!label)
		return c->none;
	for (size_t i = 0; i < c->n; i++)
		if (c->lab[i] == label)
			return c->cost[i];
	return c->other;
}

static uint64_t sat(uint64_t a, uint64_t b)
{
	return a + b >= INF ? INF : a + b;
}

/* The ranges of the group that meet [lo, hi]: [*i0, *i1). */
static void meeting(const imp_t *m, uint64_t lo, uint64_t hi, size_t *i0,
		    size_t *i1)
{
	size_t a = 0, b = m->ng;

	while (a < b) { /* first range with to >= lo */
		size_t mid = a + (b - a) / 2;

		if (m->g[mid].to < lo)
			a = mid + 1;
		else
			b = mid;
	}
	*i0 = a;
	while (a < m->ng && m->g[a].from <= hi)
		a++;
	*i1 = a;
}

/* Uniform node: its label, 0 for none; -1 when not uniform. */
static long uniform(const imp_t *m, uint64_t lo, uint64_t hi)
{
	size_t i0, i1;

	meeting(m, lo, hi, &i0, &i1);
	if (i0 == i1)
		return 0;
	if (i1 - i0 == 1 && m->g[i0].from <= lo && m->g[i0].to >= hi)
		return m->g[i0].label;
	return -1;
}

static int solve(imp_t *m, unsigned depth, uint64_t p, cmap_t *out);

/* Children's maps of a non-uniform node. */
static int children(imp_t *m, unsigned depth, uint64_t p, cmap_t ch[10])
{
	memset(ch, 0, 10 * sizeof(*ch));
	for (unsigned d = 0; d < 10; d++)
		if (solve(m, depth + 1, p * 10 + d, &ch[d]) < 0)
			return SF_ENOMEM;
	return 0;
}

static int add_label(cmap_t *c, uint32_t l)
{
	uint32_t *lab;

	for (size_t i = 0; i < c->n; i++)
		if (c->lab[i] == l)
			return 0;
	lab = sf_tbl_realloc(c->lab, (c->n + 1) * sizeof(*lab));
	if (!lab)
		return SF_ENOMEM;
	c->lab = lab;
	c->lab[c->n++] = l;
	return 0;
}

/* Combines the children: fills out's costs; best and best_label: the
 * cheapest prefix here (INF when none is possible). */
static int combine(const cmap_t ch[10], bool root, cmap_t *out,
		   uint64_t *best, uint32_t *best_label)
{
	memset(out, 0, sizeof(*out));
	for (unsigned d = 0; d < 10; d++) {
		out->has_none |= ch[d].has_none;
		for (size_t i = 0; i < ch[d].n; i++)
			if (add_label(out, ch[d].lab[i]) < 0)
				return SF_ENOMEM;
	}
	out->cost = sf_tbl_malloc((out->n ? out->n : 1) * sizeof(uint64_t));
	if (!out->cost)
		return SF_ENOMEM;
	*best = INF;
	*best_label = 0;
	for (size_t i = 0; i < out->n; i++) {
		uint64_t a = 0;

		for (unsigned d = 0; d < 10; d++)
			a = sat(a, cost_of(&ch[d], out->lab[i]));
		out->cost[i] = a;
		if (!out->has_none && !root && sat(a, 1) < *best) {
			*best = sat(a, 1);
			*best_label = out->lab[i];
		}
	}
	out->none = out->other = 0;
	for (unsigned d = 0; d < 10; d++) {
		out->none = sat(out->none, ch[d].none);
		out->other = sat(out->other, ch[d].other);
	}
	for (size_t i = 0; i < out->n; i++)
		if (*best < out->cost[i])
			out->cost[i] = *best;
	if (*best < out->none)
		out->none = *best;
	if (*best < out->other)
		out->other = *best;
	return 0;
}

static int solve(imp_t *m, unsigned depth, uint64_t p, cmap_t *out)
{
	uint64_t span = pow10u(m->len - depth), best;
	long u = uniform(m, p * span, p * span + span - 1);
	cmap_t ch[10];
	uint32_t bl;
	int rc;

	memset(out, 0, sizeof(*out));
	if (u == 0) {
		out->has_none = true;
		out->other = INF;
		return 0;
	}
	if (u > 0) {
		out->lab = sf_tbl_malloc(sizeof(*out->lab));
		out->cost = sf_tbl_malloc(sizeof(*out->cost));
		if (!out->lab || !out->cost) {
			cmap_free(out);
			return SF_ENOMEM;
		}
		out->lab[0] = (uint32_t)u;
		out->cost[0] = 0;
		out->n = 1;
		out->none = out->other = 1;
		return 0;
	}
	rc = children(m, depth, p, ch);
	if (rc == 0)
		rc = combine(ch, depth == 0, out, &best, &bl);
	for (unsigned d = 0; d < 10; d++)
		cmap_free(&ch[d]);
	if (rc < 0)
		cmap_free(out);
	return rc;
}

static int emit_row(imp_t *m, unsigned depth, uint64_t p, uint32_t label)
{
	void *a = m->rows;
	sf_plan_row_t *row;

	if (sf_tbl_grow(&a, &m->rows_cap, m->n_rows + 1, sizeof(*m->rows)) <
	    0)
		return SF_ENOMEM;
	m->rows = a;
	row = &m->rows[m->n_rows++];
	snprintf(row->prefix, sizeof(row->prefix), "%0*llu", (int)depth,
		 (unsigned long long)p);
	row->min_len = row->max_len = (uint8_t)m->len;
	row->cls = m->labels[label - 1].cls;
	/* the label rides in operator_name's place until merge_rows (the
	 * arena may still move) */
	row->operator_name = (const char *)(uintptr_t)label;
	return 0;
}

/* Emits the rows of the subtree when the prefix above gives label in. */
static int emit(imp_t *m, unsigned depth, uint64_t p, uint32_t in)
{
	uint64_t span = pow10u(m->len - depth), best;
	long u = uniform(m, p * span, p * span + span - 1);
	cmap_t ch[10], self;
	uint32_t bl, next = in;
	int rc;

	if (u == 0)
		return 0;
	if (u > 0 && depth == 0)
		return SF_EINVAL; /* every number of a length: no prefix */
	if (u > 0)
		return (uint32_t)u == in ? 0 : emit_row(m, depth, p,
							(uint32_t)u);
	rc = children(m, depth, p, ch);
	if (rc == 0)
		rc = combine(ch, depth == 0, &self, &best, &bl);
	if (rc == 0) {
		uint64_t stay = 0;

		for (unsigned d = 0; d < 10; d++)
			stay = sat(stay, cost_of(&ch[d], in));
		if (best < stay) {
			rc = emit_row(m, depth, p, bl);
			next = bl;
		}
		cmap_free(&self);
	}
	for (unsigned d = 0; d < 10; d++)
		cmap_free(&ch[d]);
	for (unsigned d = 0; d < 10 && rc == 0; d++)
		rc = emit(m, depth + 1, p * 10 + d, next);
	return rc;
}

static int cmp_row(const void *pa, const void *pb)
{
	const sf_plan_row_t *a = pa, *b = pb;
	int c = strcmp(a->prefix, b->prefix);

	return c ? c : (a->min_len > b->min_len) - (a->min_len < b->min_len);
}

/* One row per prefix: the same prefix for several lengths with one label
 * becomes one row over those lengths; with two labels it is an error. */
static int merge_rows(imp_t *m, sf_err_t *err)
{
	size_t k = 0;

	if (m->n_rows)
		qsort(m->rows, m->n_rows, sizeof(*m->rows), cmp_row);
	for (size_t i = 0; i < m->n_rows; i++) {
		sf_plan_row_t *prev = k ? &m->rows[k - 1] : NULL;

		if (prev && strcmp(prev->prefix, m->rows[i].prefix) == 0) {
			if (prev->operator_name != m->rows[i].operator_name ||
			    prev->max_len + 1 != m->rows[i].min_len)
				return sf_err_set(
					err, SF_EINVAL, m->o->path, 0, 0,
					"prefix %s is needed for %u-digit and "
					"%u-digit ranges of different holders "
					"(or lengths that are not next to each "
					"other); one plan row cannot say both",
					prev->prefix, prev->max_len,
					m->rows[i].min_len);
			prev->max_len = m->rows[i].max_len;
			continue;
		}
		m->rows[k++] = m->rows[i];
	}
	m->n_rows = k;
	for (size_t i = 0; i < m->n_rows; i++) {
		uint32_t l = (uint32_t)(uintptr_t)m->rows[i].operator_name;

		m->rows[i].operator_name =
			sf_tbl_str(&m->strs, m->labels[l - 1].op);
	}
	return 0;
}

int sf_ranges_import(const sf_ranges_opts_t *o, sf_ranges_result_t *res,
		     sf_err_t *err)
{
	imp_t *m;
	int rc;

	memset(res, 0, sizeof(*res));
	m = sf_tbl_malloc(sizeof(*m));
	if (!m)
		return sf_err_set(err, SF_ENOMEM, o->path, 0, 0,
				  "out of memory");
	memset(m, 0, sizeof(*m));
	m->o = o;
	rc = sf_tbl_strs_init(&m->strs);
	if (rc == 0)
		rc = sf_tbl_load_lines(o->path, o->text, o->fmt, range_line, m,
				       NULL, err);
	if (rc == 0) {
		res->n_ranges = m->n;
		normalise(m, res);
		for (size_t i = 0; i < m->n; i++)
			res->n_blocks += blocks(m->r[i].from, m->r[i].to,
						m->r[i].len);
	}
	for (size_t i = 0; rc == 0 && i < m->n;) {
		size_t j = i;

		while (j < m->n && m->r[j].len == m->r[i].len)
			j++;
		m->g = m->r + i;
		m->ng = j - i;
		m->len = m->r[i].len;
		rc = emit(m, 0, 0, 0);
		if (rc < 0)
			sf_err_set(err, rc, o->path, 0, 0, "%s",
				   rc == SF_ENOMEM ? "out of memory"
						   : "the ranges cover every "
						     "number of a length; no "
						     "prefix can say that");
		i = j;
	}
	if (rc == 0)
		rc = merge_rows(m, err);
	sf_tbl_free(m->r);
	sf_tbl_free(m->labels);
	if (rc < 0) {
		sf_tbl_free(m->rows);
		sf_tbl_strs_fini(&m->strs);
		sf_tbl_free(m);
		memset(res, 0, sizeof(*res));
		return rc;
	}
	res->rows = m->rows;
	res->n_rows = m->n_rows;
	res->priv = m;
	return 0;
}

void sf_ranges_result_fini(sf_ranges_result_t *res)
{
	imp_t *m = res->priv;

	if (m) {
		sf_tbl_free(m->rows);
		sf_tbl_strs_fini(&m->strs);
		sf_tbl_free(m);
	}
	memset(res, 0, sizeof(*res));
}
