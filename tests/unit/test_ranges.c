/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_ranges.c - `import-ranges` (tables/tbl_ranges.c): golden cases
 * (an exact block, a range crossing prefix boundaries, single numbers, a
 * block with a tenth held by someone else, overlaps, gaps, several
 * lengths, classes and operators, the feed shapes of an export) and a
 * property check on random ranges: the rows, loaded as a numbering plan,
 * give every number of the space exactly the label of the range that
 * holds it (the one that starts first where ranges overlap) and match no
 * number outside every range; and never take more rows than aligned
 * blocks would.
 */
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tables/sf_ranges.h"

static char warns[4096];

static void on_warn(void *ctx, const char *msg)
{
	size_t n = strlen(warns);

	(void)ctx;
	snprintf(warns + n, sizeof(warns) - n, "%s\n", msg);
}

/* Imports text; returns the rows as "prefix,class,min,max,op\n"... */
static int import(const char *text, char *out, size_t cap,
		  sf_ranges_result_t *res, sf_err_t *err)
{
	static const char *const home[] = {"Example Mobile"};
	sf_ranges_opts_t o = {0};
	size_t used = 0;

	o.path = "ranges.csv";
	o.text = sf_str(text, strlen(text));
	o.home_operators = home;
	o.n_home_operators = 1;
	o.warn = on_warn;
	warns[0] = '\0';
	out[0] = '\0';
	sf_err_clear(err);
	if (sf_ranges_import(&o, res, err) < 0)
		return -1;
	for (size_t i = 0; i < res->n_rows && used < cap; i++) {
		const sf_plan_row_t *r = &res->rows[i];

		used += (size_t)snprintf(out + used, cap - used,
					 "%s,%s,%u,%u,%s\n", r->prefix,
					 sf_class_name(r->cls), r->min_len,
					 r->max_len, r->operator_name);
	}
	return 0;
}

static void golden(const char *text, const char *rows, const char *warn,
		   int line)
{
	char out[4096];
	sf_ranges_result_t res;
	sf_err_t err;

	if (import(text, out, sizeof(out), &res, &err) < 0) {
		T_FAIL_AT("line %d: refused: %u:%u: %s", line, err.line,
			  err.col, err.msg);
		return;
	}
	if (strcmp(out, rows) != 0)
		T_FAIL_AT("line %d: rows\n%s\nwant\n%s", line, out, rows);
	if (strcmp(warns, warn) != 0)
		T_FAIL_AT("line %d: warnings\n%s\nwant\n%s", line, warns,
			  warn);
	sf_ranges_result_fini(&res);
}

#define GOLDEN(t, r, w) golden(t, r, w, __LINE__)

static void test_golden(void)
{
	/* an exact block */
	GOLDEN("77010000000,77019999999,Example Mobile\n",
	       "7701,home-mobile,11,11,Example Mobile\n", "");
	/* crossing prefix boundaries: 7701250..7703499 */
	GOLDEN("7701250,7703499,foreign,Zone\n",
	       "770125,foreign,7,7,Zone\n770126,foreign,7,7,Zone\n"
	       "770127,foreign,7,7,Zone\n770128,foreign,7,7,Zone\n"
	       "770129,foreign,7,7,Zone\n77013,foreign,7,7,Zone\n"
	       "77014,foreign,7,7,Zone\n77015,foreign,7,7,Zone\n"
	       "77016,foreign,7,7,Zone\n77017,foreign,7,7,Zone\n"
	       "77018,foreign,7,7,Zone\n77019,foreign,7,7,Zone\n"
	       "7702,foreign,7,7,Zone\n77030,foreign,7,7,Zone\n"
	       "77031,foreign,7,7,Zone\n77032,foreign,7,7,Zone\n"
	       "77033,foreign,7,7,Zone\n77034,foreign,7,7,Zone\n",
	       "");
	/* single numbers */
	GOLDEN("1234,1234,service,Hotline\n5678,5678,premium\n",
	       "1234,service,4,4,Hotline\n5678,premium,4,4,\n",
	       "ranges.csv:2: gap: 1235-5677 (between line 1's range and "
	       "this one) is in no range\n");
	/* a block with its last tenth elsewhere: 2 rows, not 10 */
	GOLDEN("number;to;holder\n"
	       "77010000000;77018999999;Example Mobile\n"
	       "77019000000;77019999999;Operator B\n",
	       "7701,home-mobile,11,11,Example Mobile\n"
	       "77019,domestic-other,11,11,Operator B\n", "");
	/* nine of ten with one hole: nine rows (nothing may cover it) */
	GOLDEN("550,589,foreign,X\n600,609,foreign,X\n",
	       "55,foreign,3,3,X\n56,foreign,3,3,X\n57,foreign,3,3,X\n"
	       "58,foreign,3,3,X\n60,foreign,3,3,X\n",
	       "ranges.csv:2: gap: 590-599 (between line 1's range and "
	       "this one) is in no range\n");
	/* an overlap: the range starting first keeps the shared numbers */
	GOLDEN("\xef\xbb\xbf\"from\",\"to\",\"holder\"\n"
	       "\"500\",\"549\",\"Operator B\"\n540,599,\"Operator C\"\n",
	       "5,domestic-other,3,3,Operator B\n"
	       "55,domestic-other,3,3,Operator C\n"
	       "56,domestic-other,3,3,Operator C\n"
	       "57,domestic-other,3,3,Operator C\n"
	       "58,domestic-other,3,3,Operator C\n"
	       "59,domestic-other,3,3,Operator C\n",
	       "ranges.csv:3: range 540-599 overlaps line 2's (500-549); the "
	       "numbers both claim stay with line 2\n");
	/* nothing but comments and a header: no rows (found by fuzz_tables
	 * under UBSan: qsort was given the NULL of an empty range list) */
	GOLDEN("# export of 2026-12-01\nfrom,to,holder\n", "", "");
	/* two lengths, one prefix: one row over both lengths */
	GOLDEN("7700000,7709999,service,S\n77000000,77099999,service,S\n",
	       "770,service,7,8,S\n", "");
}

static void test_errors(void)
{
	char out[256];
	sf_ranges_result_t res;
	sf_err_t err;

	/* no ranges at all: no rows (fuzz_tables found qsort given NULL) */
	T_EQ_INT(import("# nothing\n", out, sizeof(out), &res, &err), 0);
	T_EQ_INT(res.n_rows, 0);
	sf_ranges_result_fini(&res);

	T_EQ_INT(import("7701,770,x\n", out, sizeof(out), &res, &err), -1);
	T_EQ_INT(err.line, 1);
	T_EQ_INT(err.col, 6);
	T_EQ_STR(err.msg, "'to' has 3 digits and 'from' 4: a range is of "
			  "one length");
	T_EQ_INT(import("7709,7701,x\n", out, sizeof(out), &res, &err), -1);
	T_EQ_STR(err.msg, "'to' is below 'from'");
	T_EQ_INT(import("7701,7709\n", out, sizeof(out), &res, &err), -1);
	T_EQ_INT(err.col, 10);
	T_EQ_INT(import("7701,77x9,a\n", out, sizeof(out), &res, &err), -1);
	T_EQ_INT(err.col, 8);
	T_EQ_INT(import("7700000,7709999,service,S\n"
			"77000000,77099999,foreign,F\n", out, sizeof(out),
			&res, &err), -1);
	T_CONTAINS(err.msg, "prefix 770 is needed for 7-digit and 8-digit");
}

static uint64_t rng = 12345;

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

/* Random ranges over the numbers of len digits (first digit not 0); the
 * rows loaded as a plan must give back exactly the labels. */
static void trial(unsigned len, unsigned n_ranges)
{
	static const char *const ops[] = {"A", "B", "C"};
	static const sf_class_t cls[] = {SF_CLASS_FOREIGN, SF_CLASS_SERVICE,
					 SF_CLASS_PREMIUM};
	unsigned space = 1, lo = 1;
	struct { unsigned a, b, k; } r[64];
	char *text = malloc(64 * 64), *plan, out[1];
	size_t used = 0, pu = 0;
	int *want;
	sf_ranges_result_t res;
	sf_tables_src_t src = {0};
	sf_tables_t *t = NULL;
	sf_err_t err;
	unsigned bad = 0;

	for (unsigned i = 0; i < len; i++)
		space *= 10;
	lo = space / 10;
	want = calloc(space, sizeof(*want));
	for (unsigned i = 0; i < n_ranges; i++) {
		unsigned a = lo + rnd(space - lo), w = 1 + rnd(space / 8);
		unsigned b = a + w >= space ? space - 1 : a + w;

		if (rnd(4) == 0)
			b = a; /* a single number */
		r[i].a = a;
		r[i].b = b;
		r[i].k = rnd(3);
		used += (size_t)snprintf(text + used, 64 * 64 - used,
					 "%u,%u,%s,%s\n", a, b,
					 sf_class_name(cls[r[i].k]),
					 ops[r[i].k]);
	}
	/* expected: the range with the smallest (from, line) holding it */
	for (unsigned x = lo; x < space; x++) {
		int best = -1;

		for (unsigned i = 0; i < n_ranges; i++)
			if (r[i].a <= x && x <= r[i].b &&
			    (best < 0 || r[i].a < r[best].a))
				best = (int)i;
		want[x] = best < 0 ? -1 : (int)r[best].k;
	}
	if (import(text, out, 0, &res, &err) < 0) {
		T_FAIL_AT("len %u: refused: %s", len, err.msg);
		goto out;
	}
	T_TRUE(res.n_rows <= res.n_blocks);
	plan = malloc(res.n_rows * 64 + 1);
	for (size_t i = 0; i < res.n_rows; i++)
		pu += (size_t)sprintf(plan + pu, "%s,%s,%u,%u,%s\n",
				      res.rows[i].prefix,
				      sf_class_name(res.rows[i].cls),
				      res.rows[i].min_len, res.rows[i].max_len,
				      res.rows[i].operator_name);
	src.plan = "plan.csv";
	src.plan_text = sf_str(plan, pu);
	if (sf_tables_load(&src, &t, &err) < 0) {
		T_FAIL_AT("plan refused: %u: %s", err.line, err.msg);
		free(plan);
		sf_ranges_result_fini(&res);
		goto out;
	}
	for (unsigned x = lo; x < space; x++) {
		char d[16];
		sf_num_t n;
		sf_plan_entry_t e;
		bool hit;

		snprintf(d, sizeof(d), "%u", x);
		sf_num_parse_key(d, strlen(d), &n);
		hit = sf_tables_plan_lookup(t, &n, &e);
		if (want[x] < 0 ? hit
				: !hit || e.cls != cls[want[x]] ||
					  strcmp(e.operator_name,
						 ops[want[x]]) != 0) {
			if (bad++ < 3)
				T_FAIL_AT("len %u: number %u: got %s %s, want "
					  "%s", len, x,
					  hit ? sf_class_name(e.cls) : "-",
					  hit ? e.operator_name : "",
					  want[x] < 0 ? "no match"
						      : ops[want[x]]);
		}
	}
	sf_tables_free(t);
	free(plan);
	sf_ranges_result_fini(&res);
out:
	free(text);
	free(want);
}

static void test_property(void)
{
	for (int i = 0; i < 60; i++)
		trial(2 + (unsigned)i % 4, 1 + (unsigned)rnd(12));
}

int main(void)
{
	T_RUN(test_golden);
	T_RUN(test_errors);
	T_RUN(test_property);
	return T_DONE();
}
