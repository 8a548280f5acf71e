/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_tables.c - load time, memory and lookup cost of the number tables
 * at the sizes DESIGN.md plans for.
 *
 * Generates table files in a temporary directory (removed at the end),
 * loads them with sf_tables_load() and prints figures; no pass/fail.
 *   - numbering plan: 10^5 prefixes of 1..9 digits;
 *   - roaming: 10^7 numbers, sorted (as a feed would dump them) and the
 *     same numbers shuffled, 2/3 with a visited country;
 *   - substitution: 10^6 and 10^7 entries (5% prefixes), few distinct
 *     sources/reasons.
 * Lookups: 10^6 queries each, prepared beforehand, timed in a loop:
 * longest-prefix match, roaming hit / miss, substitution hit / miss.
 * Load time is the median of 3 when one load takes under 2 s, else 1 run.
 *
 * Sizes: bench_tables [PLAN ROAMING SUBST_SMALL SUBST_BIG], or the
 * environment SF_BENCH_PLAN, SF_BENCH_ROAMING, SF_BENCH_SUBST1,
 * SF_BENCH_SUBST2; SF_BENCH_QUICK=1 divides the defaults by 100.
 * Full size needs ~1 GB of disk in $TMPDIR and ~1 GB of RAM, ~1 minute.
 */
#include "../tables/sf_tables.h"
#include "bench_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NQ 1000000

static char dir[256];
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	return bench_rnd(&rng);
}

static const char *path(const char *name)
{
	static char buf[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static FILE *create(const char *name)
{
	FILE *fp = fopen(path(name), "w");

	if (!fp) {
		fprintf(stderr, "cannot create %s: %s\n", path(name),
			strerror(errno));
		exit(2);
	}
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	return fp;
}

/* Writes v as decimal digits + suffix; faster than fprintf at 10^7 rows. */
static void put_num(FILE *fp, uint64_t v, const char *suffix)
{
	char b[48];
	int n = 0, m;

	do {
		b[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (m = 0; m < n / 2; m++) {
		char c = b[m];

		b[m] = b[n - 1 - m];
		b[n - 1 - m] = c;
	}
	fwrite(b, 1, (size_t)n, fp);
	fputs(suffix, fp);
}

static size_t env_size(const char *name, size_t dflt, int argc, char **argv,
		       int pos)
{
	const char *s = pos < argc ? argv[pos] : getenv(name);

	if (s && *s)
		return (size_t)strtoull(s, NULL, 10);
	if (getenv("SF_BENCH_QUICK") && atoi(getenv("SF_BENCH_QUICK")))
		return dflt / 100;
	return dflt;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Loads src, median of 3 when cheap.  Returns the last snapshot. */
static sf_tables_t *timed_load(const char *what, sf_tables_src_t *src,
			       double *secs)
{
	double t[3];
	int runs = 0;
	sf_tables_t *tb = NULL;
	sf_err_t err;

	for (runs = 0; runs < 3; runs++) {
		double t0 = bench_now();

		sf_tables_free(tb);
		tb = NULL;
		if (sf_tables_load(src, &tb, &err) < 0) {
			fprintf(stderr, "%s: ", what);
			sf_err_print(&err, stderr);
			exit(2);
		}
		t[runs] = bench_now() - t0;
		if (t[runs] > 2.0) {
			runs++;
			break;
		}
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_d);
	*secs = t[runs / 2];
	printf("%-34s load %7.3f s (%s of %d)\n", what, *secs,
	       runs > 1 ? "median" : "single run", runs);
	return tb;
}

static void row(const char *what, size_t rows, size_t bytes, double secs)
{
	printf("%-34s %10zu rows %9.1f MiB %6.1f B/row %6.0f ns/row\n", what,
	       rows, bytes / 1048576.0, rows ? (double)bytes / rows : 0.0,
	       rows ? secs * 1e9 / rows : 0.0);
}

typedef bool (*lookup_fn)(const sf_tables_t *, const sf_num_t *);

static bool lk_plan(const sf_tables_t *t, const sf_num_t *n)
{
	sf_plan_entry_t e;

	return sf_tables_plan_lookup(t, n, &e);
}

static bool lk_roam(const sf_tables_t *t, const sf_num_t *n)
{
	char cc[3];

	return sf_tables_is_roaming(t, n, cc);
}

static bool lk_subst(const sf_tables_t *t, const sf_num_t *n)
{
	sf_subst_entry_t e;

	return sf_tables_subst_lookup(t, n, &e);
}

static void timed_lookups(const char *what, const sf_tables_t *t,
			  const sf_num_t *q, size_t nq, lookup_fn fn)
{
	size_t hits = 0;
	double t0 = bench_now();

	for (size_t i = 0; i < nq; i++)
		hits += fn(t, &q[i]);
	printf("  %-32s %7.1f ns/op  (%zu of %zu hit)\n", what,
	       (bench_now() - t0) * 1e9 / (double)nq, hits, nq);
}

static void bench_plan(size_t n)
{
	sf_tables_src_t src = {0};
	sf_tables_t *t;
	sf_tables_stats_t st;
	sf_num_t *q = malloc(NQ * sizeof(*q));
	FILE *fp = create("plan.csv");
	double secs;

	/* nine zones, then n prefixes "7" + i on 5..8 more digits */
	for (int z = 1; z <= 9; z++)
		fprintf(fp, "%d,foreign,8,15,Zone %d\n", z, z);
	for (size_t i = 0; i < n; i++) {
		int w = 5 + (int)(i % 4);

		fprintf(fp, "7%0*zu,home-mobile,11,11,Operator %zu\n", w,
			i % 100000, i % 50);
	}
	fclose(fp);
	src.plan = path("plan.csv");
	t = timed_load("numbering plan", &src, &secs);
	sf_tables_stats(t, &st);
	row("numbering plan", st.plan_rows, st.plan_bytes, secs);
	for (size_t i = 0; i < NQ; i++)
		q[i] = bench_num(70000000000ULL + rnd() % 10000000000ULL);
	timed_lookups("plan LPM (random 7xxxxxxxxxx)", t, q, NQ, lk_plan);
	sf_tables_free(t);
	free(q);
	unlink(path("plan.csv"));
}

static void bench_roaming(size_t n)
{
	sf_tables_src_t src = {0};
	sf_tables_t *t;
	sf_tables_stats_t st;
	uint64_t *keys = malloc((n ? n : 1) * sizeof(*keys)), v;
	sf_num_t *q = malloc(NQ * sizeof(*q));
	FILE *fp;
	double secs, t0;
	size_t m;

	if (!keys || !q)
		exit(2);
	v = 77010000000ULL;
	for (size_t i = 0; i < n; i++) {
		v += 1 + rnd() % 3;
		keys[i] = v;
	}
	t0 = bench_now();
	fp = create("roaming.csv");
	for (size_t i = 0; i < n; i++)
		put_num(fp, keys[i], i % 3 ? ",TR\n" : "\n");
	fclose(fp);
	printf("(generated %zu roaming rows in %.1f s)\n", n, bench_now() - t0);

	src.roaming = path("roaming.csv");
	t = timed_load("roaming, sorted file", &src, &secs);
	sf_tables_stats(t, &st);
	row("roaming, sorted file", st.roaming_rows, st.roaming_bytes, secs);
	for (size_t i = 0; i < NQ && n; i++)
		q[i] = bench_num(keys[rnd() % n]);
	timed_lookups("roaming hit", t, q, n ? NQ : 0, lk_roam);
	m = 0;
	while (m < NQ && n) {
		uint64_t x = keys[0] + rnd() % (keys[n - 1] - keys[0] + 1);

		if (!bsearch(&x, keys, n, sizeof(*keys), cmp_u64))
			q[m++] = bench_num(x);
	}
	timed_lookups("roaming miss (inside the range)", t, q, m, lk_roam);
	{
		sf_tables_t *u = NULL, *prev;
		sf_err_t err;
		double t1 = bench_now();
		int k;

		/* 1000 live updates on top of the full table */
		prev = t;
		for (k = 0; k < 1000; k++) {
			sf_num_t x = bench_num(78000000000ULL + (uint64_t)k);

			if (sf_tables_roaming_update(prev, &x, true, "FR", &u,
						     &err) < 0)
				break;
			if (prev != t)
				sf_tables_free(prev);
			prev = u;
		}
		printf("  %-32s %7.1f us/op  (overlay %zu after %d)\n",
		       "live update (growing overlay)",
		       (bench_now() - t1) * 1e6 / k, sf_tables_roaming_overlay(prev),
		       k);
		for (size_t i = 0; i < NQ && n; i++)
			q[i] = bench_num(keys[rnd() % n]);
		timed_lookups("roaming hit via 1000-entry overlay", prev, q,
			      n ? NQ : 0, lk_roam);
		if (prev != t)
			sf_tables_free(prev);
	}
	sf_tables_free(t);
	unlink(path("roaming.csv"));

	/* the same rows in random order */
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd() % i;
		uint64_t x = keys[i - 1];

		keys[i - 1] = keys[j];
		keys[j] = x;
	}
	fp = create("roaming-shuffled.csv");
	for (size_t i = 0; i < n; i++)
		put_num(fp, keys[i], i % 3 ? ",TR\n" : "\n");
	fclose(fp);
	src.roaming = path("roaming-shuffled.csv");
	t = timed_load("roaming, shuffled file", &src, &secs);
	sf_tables_stats(t, &st);
	row("roaming, shuffled file", st.roaming_rows, st.roaming_bytes,
	    secs);
	sf_tables_free(t);
	unlink(path("roaming-shuffled.csv"));
	free(keys);
	free(q);
}

static void bench_subst(size_t n, const char *label)
{
	static const char *const sources[] = {"bank", "police", "regulator-dno",
					      "operator", "customer-report"};
	sf_tables_src_t src = {0};
	sf_tables_t *t;
	sf_tables_stats_t st;
	sf_num_t *q = malloc(NQ * sizeof(*q));
	uint64_t *exact = malloc((n ? n : 1) * sizeof(*exact)), v;
	size_t ne = 0;
	FILE *fp = create("subst.csv");
	char suffix[128];
	double secs;

	if (!q || !exact)
		exit(2);
	v = 77000000000ULL;
	for (size_t i = 0; i < n; i++) {
		unsigned r = (unsigned)(rnd() % 100);

		v += 1 + rnd() % 50;
		snprintf(suffix, sizeof(suffix), ",%s,Reason number %u\n",
			 sources[r % 5], r % 20);
		if (r < 5) { /* a prefix: drop the last 3 digits */
			put_num(fp, v / 1000, "*");
			fputs(suffix, fp);
		} else {
			put_num(fp, v, suffix);
			exact[ne++] = v;
		}
	}
	fclose(fp);
	src.substitution = path("subst.csv");
	t = timed_load(label, &src, &secs);
	sf_tables_stats(t, &st);
	row(label, st.subst_rows, st.subst_bytes, secs);
	for (size_t i = 0; i < NQ && ne; i++)
		q[i] = bench_num(exact[rnd() % ne]);
	timed_lookups("substitution hit (exact)", t, q, ne ? NQ : 0,
		      lk_subst);
	for (size_t i = 0; i < NQ; i++)
		q[i] = bench_num(79000000000ULL + rnd() % 1000000000ULL);
	timed_lookups("substitution miss", t, q, NQ, lk_subst);
	sf_tables_free(t);
	free(q);
	free(exact);
	unlink(path("subst.csv"));
}

int main(int argc, char **argv)
{
	size_t plan = env_size("SF_BENCH_PLAN", 100000, argc, argv, 1);
	size_t roam = env_size("SF_BENCH_ROAMING", 10000000, argc, argv, 2);
	size_t s1 = env_size("SF_BENCH_SUBST1", 1000000, argc, argv, 3);
	size_t s2 = env_size("SF_BENCH_SUBST2", 10000000, argc, argv, 4);
	const char *tmp = getenv("TMPDIR");
	char label[64];
	double t0 = bench_now(), ts;
	sf_err_t err;

	snprintf(dir, sizeof(dir), "%s/sf_bench_tables_XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	printf("bench_tables: plan %zu, roaming %zu, substitution %zu and "
	       "%zu rows; files in %s\n", plan, roam, s1, s2, dir);
	ts = bench_now();
	if (sf_tables_selftest(&err) < 0)
		sf_err_print(&err, stderr);
	printf("%-34s %7.3f s\n", "Judy self-test", bench_now() - ts);
	bench_plan(plan);
	bench_roaming(roam);
	snprintf(label, sizeof(label), "substitution %zu", s1);
	bench_subst(s1, label);
	snprintf(label, sizeof(label), "substitution %zu", s2);
	bench_subst(s2, label);
	if (rmdir(dir) != 0)
		fprintf(stderr, "could not remove %s: %s\n", dir,
			strerror(errno));
	printf("total %.1f s\n", bench_now() - t0);
	return 0;
}
