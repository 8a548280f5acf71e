/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_roaming_updates.c - live roaming updates (sf_tables_roaming_update)
 * as live changes pile up: the update rate and the lookup cost at 0, 10^4,
 * 3*10^4, 6*10^4, 10^5, 3*10^5 and 10^6 live changes on top of a loaded
 * roaming table, each update publishing a new snapshot and retiring the
 * previous one, as `serve` does for `ctl roaming add`.
 *
 * Bounded: the rate at a checkpoint is measured over 5000 updates; the run
 * stops at 10^6 changes or after SF_BENCH_SECONDS (default 60) seconds,
 * whichever comes first (an update cost that grows with the changes never
 * reaches the last checkpoints; that is the finding).  Figures only.
 *   bench_roaming_updates [BASE_ROWS]   (default 10^6; SF_BENCH_QUICK=1: /100)
 */
#include "../tables/sf_tables.h"
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A base table of n numbers 7701xxxxxxx in memory. */
static sf_tables_t *base_table(size_t n)
{
	size_t cap = n * 16 + 1;
	char *text = malloc(cap), *p = text;
	sf_tables_src_t src = {0};
	sf_tables_t *t = NULL;
	sf_err_t err;

	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%llu,TR\n",
			     (unsigned long long)(77010000000ULL + i * 3));
	src.roaming = "roaming.csv";
	src.roaming_text = sf_str(text, (size_t)(p - text));
	if (sf_tables_load(&src, &t, &err) < 0) {
		sf_err_print(&err, stderr);
		exit(2);
	}
	free(text);
	return t;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	return bench_rnd(&rng);
}

int main(int argc, char **argv)
{
	static const size_t marks[] = {0, 10000, 30000, 60000, 100000,
				       300000, 1000000};
	size_t base = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10)
			       : 1000000;
	double limit = getenv("SF_BENCH_SECONDS")
			       ? atof(getenv("SF_BENCH_SECONDS"))
			       : 60.0;
	sf_tables_t *t, *u;
	sf_num_t *q = malloc(200000 * sizeof(*q));
	sf_err_t err;
	size_t done = 0;
	double t0;

	if (argc <= 1 && getenv("SF_BENCH_QUICK") &&
	    atoi(getenv("SF_BENCH_QUICK")))
		base /= 100;
	t = base_table(base);
	printf("bench_roaming_updates: %zu roaming rows loaded; updates are "
	       "adds of distinct new numbers (each one more live change)\n",
	       base);
	printf("%12s %14s %14s %12s\n", "live changes", "updates/s",
	       "us/update", "lookup ns");
	t0 = bench_now();
	for (size_t m = 0; m < sizeof(marks) / sizeof(marks[0]); m++) {
		double s, secs, ls;
		size_t hits = 0;
		enum { WINDOW = 5000, NQ = 200000 };

		/* grow to the mark, as fast as the updates go */
		while (done < marks[m] && bench_now() - t0 < limit) {
			sf_num_t x = bench_num(78000000000ULL + done * 7);

			if (sf_tables_roaming_update(t, &x, true, "FR", &u,
						     &err) < 0)
				return 2;
			sf_tables_free(t);
			t = u;
			done++;
		}
		if (done < marks[m]) {
			printf("%12zu %14s (stopped: %.0f s limit reached at "
			       "%zu changes)\n", marks[m], "-", limit, done);
			break;
		}
		s = bench_now();
		for (size_t i = 0; i < WINDOW; i++, done++) {
			sf_num_t x = bench_num(78000000000ULL + done * 7);

			if (sf_tables_roaming_update(t, &x, true, "FR", &u,
						     &err) < 0)
				return 2;
			sf_tables_free(t);
			t = u;
		}
		secs = bench_now() - s;
		for (size_t i = 0; i < NQ; i++)
			q[i] = bench_num(rnd() % 2 ? 77010000000ULL +
							  (rnd() % base) * 3
						: 78000000000ULL +
							  (rnd() % done) * 7);
		ls = bench_now();
		for (size_t i = 0; i < NQ; i++) {
			char cc[3];

			hits += sf_tables_is_roaming(t, &q[i], cc);
		}
		printf("%12zu %14.0f %14.2f %12.1f\n", marks[m],
		       WINDOW / secs, secs * 1e6 / WINDOW,
		       (bench_now() - ls) * 1e9 / NQ);
		if (hits != NQ)
			printf("  (lookups missed: %zu of %d)\n", NQ - hits,
			       (int)NQ);
		fflush(stdout);
	}
	printf("overlay %zu numbers, %.1f s in all\n",
	       sf_tables_roaming_overlay(t), bench_now() - t0);
	sf_tables_free(t);
	free(q);
	return 0;
}
