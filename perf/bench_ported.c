/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_ported.c - the ported-numbers table against the roaming table at
 * the same size (10^7 numbers by default): load time, bytes per row (Judy
 * and strings, as `check` reports them), the process's peak RSS while
 * loading, and the cost of a classification with and without it.
 *
 * Both files hold the same numbers (7701/7705 ranges, ascending with
 * random gaps, as an export would dump them; then the same rows shuffled).
 * The roaming rows carry a visited country on 2 of 3 rows, the ported
 * rows one of five operators (one of them ours) and a date, as an MNP
 * export does.  Each load runs in a child process of its own so that
 * peak RSS (ru_maxrss) is that load's alone.  Figures only, no pass/fail.
 *
 *   bench_ported [N]        (or SF_BENCH_PORTED; SF_BENCH_QUICK=1: N/100)
 * Needs ~2 x 250 MB of disk in $TMPDIR and ~1 GB of RAM at 10^7.
 */
#include "../tables/sf_tables.h"
#include "bench_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[256];
static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint64_t rnd(void)
{
	return bench_rnd(&rng);
}

static const char *path(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void put_num(FILE *fp, uint64_t v, const char *suffix)
{
	char b[24];
	int n = 0;

	do {
		b[sizeof(b) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite(b + sizeof(b) - n, 1, (size_t)n, fp);
	fputs(suffix, fp);
}

static const char *const operators[] = {
	",Example Mobile,2024-01-15\n", ",Operator B,2024-02-01\n",
	",Operator C,2023-11-30\n", ",Operator D,2024-03-09\n",
	",Operator E,2022-07-04\n",
};

static void write_files(const uint64_t *keys, size_t n, const char *roam,
			const char *ported)
{
	FILE *r = fopen(path(roam), "w"), *p = fopen(path(ported), "w");

	if (!r || !p) {
		fprintf(stderr, "cannot write in %s: %s\n", dir,
			strerror(errno));
		exit(2);
	}
	setvbuf(r, NULL, _IOFBF, 1 << 20);
	setvbuf(p, NULL, _IOFBF, 1 << 20);
	for (size_t i = 0; i < n; i++) {
		put_num(r, keys[i], i % 3 ? ",TR\n" : "\n");
		put_num(p, keys[i], operators[keys[i] % 5]);
	}
	fclose(r);
	fclose(p);
}

static const char plan_text[] =
	"77,domestic-other,11,11,Kazakhstan\n"
	"7701,home-mobile,11,11,Example Mobile\n"
	"7705,domestic-other,11,11,Operator B\n";

/* In a child: loads one table, prints time, rows, bytes, peak RSS;
 * with lookups, times 10^6 classifications of loaded numbers. */
static void load_child(const char *label, const char *file, bool ported,
		       const uint64_t *keys, size_t n, bool lookups)
{
	static const char *const home[] = {"Example Mobile"};
	sf_tables_src_t src = {0};
	sf_tables_t *t = NULL;
	sf_tables_stats_t st;
	struct rusage ru0, ru;
	sf_err_t err;
	double t0, secs;
	size_t rows, bytes;
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid > 0) {
		waitpid(pid, &status, 0);
		return;
	}
	src.plan = "plan";
	src.plan_text = sf_str(plan_text, strlen(plan_text));
	if (ported) {
		src.ported = path(file);
		src.home_operators = home;
		src.n_home_operators = 1;
	} else {
		src.roaming = path(file);
	}
	getrusage(RUSAGE_SELF, &ru0);
	t0 = bench_now();
	if (sf_tables_load(&src, &t, &err) < 0) {
		sf_err_print(&err, stderr);
		_exit(2);
	}
	secs = bench_now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	sf_tables_stats(t, &st);
	rows = ported ? st.ported_rows : st.roaming_rows;
	bytes = ported ? st.ported_bytes : st.roaming_bytes;
	printf("%-26s %9zu rows  load %6.2f s  %5.0f ns/row  %6.1f MiB  "
	       "%5.1f B/row  peak RSS +%.0f MiB\n", label, rows, secs,
	       secs * 1e9 / (double)(rows ? rows : 1), bytes / 1048576.0,
	       (double)bytes / (double)(rows ? rows : 1),
	       (double)(ru.ru_maxrss - ru0.ru_maxrss) / 1024.0);
	if (lookups && n) {
		enum { NQ = 1000000 };
		sf_num_t *q = malloc(NQ * sizeof(*q));
		sf_plan_entry_t e;
		size_t hit = 0;

		for (size_t i = 0; q && i < NQ; i++)
			q[i] = bench_num(keys[rnd() % n]);
		t0 = bench_now();
		for (size_t i = 0; q && i < NQ; i++)
			hit += sf_tables_plan_lookup(t, &q[i], &e) &&
			       e.ported != SF_PORTED_NONE;
		printf("  classify a number (plan%s): %.1f ns/op (%zu of %d "
		       "ported)\n", ported ? " + ported" : " only",
		       (bench_now() - t0) * 1e9 / NQ, hit, (int)NQ);
		free(q);
	}
	fflush(stdout);
	sf_tables_free(t);
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : getenv("SF_BENCH_PORTED");
	const char *tmp = getenv("TMPDIR");
	size_t n = s && *s ? (size_t)strtoull(s, NULL, 10) : 10000000;
	uint64_t *keys, v = 77010000000ULL;

	if (!(s && *s) && getenv("SF_BENCH_QUICK") &&
	    atoi(getenv("SF_BENCH_QUICK")))
		n /= 100;
	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return 2;
	snprintf(dir, sizeof(dir), "%s/sf_bench_ported_XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		v += 1 + rnd() % 3;
		if (i == n / 2)
			v = 77050000000ULL; /* half in another range */
		keys[i] = v;
	}
	printf("bench_ported: %zu numbers, files in %s\n", n, dir);
	fflush(stdout);
	write_files(keys, n, "roaming.csv", "ported.csv");
	load_child("roaming, sorted", "roaming.csv", false, keys, n, true);
	load_child("ported, sorted", "ported.csv", true, keys, n, true);
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd() % i;
		uint64_t x = keys[i - 1];

		keys[i - 1] = keys[j];
		keys[j] = x;
	}
	write_files(keys, n, "roaming-shuffled.csv", "ported-shuffled.csv");
	load_child("roaming, shuffled", "roaming-shuffled.csv", false, keys,
		   n, false);
	load_child("ported, shuffled", "ported-shuffled.csv", true, keys, n,
		   false);
	unlink(path("roaming.csv"));
	unlink(path("ported.csv"));
	unlink(path("roaming-shuffled.csv"));
	unlink(path("ported-shuffled.csv"));
	rmdir(dir);
	free(keys);
	return 0;
}
