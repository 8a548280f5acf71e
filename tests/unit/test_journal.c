/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_journal.c - the local roaming journal (sipfilter/proxy/
 * proxy_journal.c) on real files in a temporary directory: appends
 * numbered from 1 and replayed after a position on a loaded roaming table
 * (adds, deletes, visited countries; nothing at or before the position);
 * numbering survives reopening; a torn last line is cut off with a warning
 * and the next append is well formed; a bad line in the middle, a
 * sequence number that goes back, a bad op or number each refuse to open
 * naming file:line:col; compaction drops the entries a roaming file holds
 * and numbering goes on above them (also past the journal's end); the
 * "# journal-seq:" comment of a roaming file; and an append costs the
 * same with 10^5 entries in the journal as with none.
 */
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sipfilter/proxy/proxy_journal.h"

static char dir[64], path[128];

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	fputs(text, f);
	fclose(f);
}

static char *read_all(const char *p)
{
	static char buf[4096];
	FILE *f = fopen(p, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static sf_num_t num(const char *digits)
{
	sf_num_t n;

	sf_num_parse_key(digits, strlen(digits), &n);
	return n;
}

static sf_tables_t *roaming(const char *text)
{
	sf_tables_src_t src = {0};
	sf_tables_t *t = NULL;
	sf_err_t err;

	src.roaming = "roaming.csv";
	src.roaming_text = sf_str(text, strlen(text));
	if (sf_tables_load(&src, &t, &err) < 0) {
		sf_err_print(&err, stderr);
		exit(2);
	}
	return t;
}

static bool roams(const sf_tables_t *t, const char *digits, char *cc)
{
	sf_num_t n = num(digits);
	char v[3] = "";
	bool r = sf_tables_is_roaming(t, &n, v);

	if (cc)
		memcpy(cc, v, 3);
	return r;
}

static void fresh(void)
{
	unlink(path);
}

static void test_append_replay(void)
{
	sf_journal_t *j = NULL;
	sf_tables_t *t = roaming("77010000001\n77010000002,DE\n"), *nt;
	sf_num_t a = num("77010000003"), d = num("77010000001");
	char warn[256], why[128], cc[3];
	uint64_t seq = 0;
	size_t n;
	sf_err_t err;

	fresh();
	T_EQ_INT(sf_journal_open(path, &j, warn, sizeof(warn), &err), 0);
	T_EQ_STR(warn, "");
	T_EQ_INT(sf_journal_append(j, true, &a, "FR", &seq, why, sizeof(why)),
		 0);
	T_EQ_INT(seq, 1);
	T_EQ_INT(sf_journal_append(j, false, &d, NULL, &seq, why, sizeof(why)),
		 0);
	T_EQ_INT(seq, 2);
	T_EQ_STR(read_all(path), "1 add +77010000003 FR\n2 del +77010000001\n");
	T_EQ_INT(sf_journal_replay(j, 0, t, &nt, &n, &err), 0);
	T_EQ_INT(n, 2);
	T_TRUE(nt && roams(nt, "77010000003", cc) && !strcmp(cc, "FR"));
	T_TRUE(nt && !roams(nt, "77010000001", NULL));
	T_TRUE(nt && roams(nt, "77010000002", NULL));
	T_TRUE(roams(t, "77010000001", NULL)); /* the base stays */
	sf_tables_free(nt);
	/* after 1: only the del */
	T_EQ_INT(sf_journal_replay(j, 1, t, &nt, &n, &err), 0);
	T_EQ_INT(n, 1);
	T_TRUE(nt && !roams(nt, "77010000003", NULL));
	T_TRUE(nt && !roams(nt, "77010000001", NULL));
	sf_tables_free(nt);
	/* after the end: nothing */
	T_EQ_INT(sf_journal_replay(j, 2, t, &nt, &n, &err), 0);
	T_TRUE(nt == NULL && n == 0);
	sf_journal_free(j);
	/* reopened: numbering goes on */
	T_EQ_INT(sf_journal_open(path, &j, warn, sizeof(warn), &err), 0);
	T_EQ_INT(sf_journal_last(j), 2);
	T_EQ_INT(sf_journal_entries(j), 2);
	T_EQ_INT(sf_journal_append(j, true, &d, "", &seq, why, sizeof(why)), 0);
	T_EQ_INT(seq, 3);
	/* a country as typed ("tr") is written as the tables keep it, so
	 * the journal still opens */
	T_EQ_INT(sf_journal_append(j, true, &a, "tr", &seq, why, sizeof(why)),
		 0);
	sf_journal_free(j);
	T_EQ_INT(sf_journal_open(path, &j, warn, sizeof(warn), &err), 0);
	T_CONTAINS(read_all(path), "4 add +77010000003 TR\n");
	T_EQ_INT(sf_journal_last(j), 4);
	sf_journal_free(j);
	sf_tables_free(t);
}

static void test_torn_tail(void)
{
	sf_journal_t *j = NULL;
	sf_num_t a = num("77010000009");
	char warn[256], why[128];
	uint64_t seq;
	sf_err_t err;

	write_file(path, "1 add +77010000003\n2 del +7701000");
	T_EQ_INT(sf_journal_open(path, &j, warn, sizeof(warn), &err), 0);
	T_CONTAINS(warn, ":2: roaming journal: the last line has no end of line");
	T_EQ_INT(sf_journal_last(j), 1);
	T_EQ_INT(sf_journal_append(j, true, &a, NULL, &seq, why, sizeof(why)),
		 0);
	T_EQ_INT(seq, 2);
	T_EQ_STR(read_all(path), "1 add +77010000003\n2 add +77010000009\n");
	sf_journal_free(j);
}

/* Opening text fails with SF_EPARSE at line:col, message containing msg. */
static void bad(const char *text, unsigned line, unsigned col,
		const char *msg)
{
	sf_journal_t *j = NULL;
	char warn[256], want[300];
	sf_err_t err;

	write_file(path, text);
	sf_err_clear(&err);
	T_EQ_INT(sf_journal_open(path, &j, warn, sizeof(warn), &err),
		 SF_EPARSE);
	T_TRUE(j == NULL);
	T_EQ_STR(err.file, path);
	T_EQ_INT(err.line, line);
	T_EQ_INT(err.col, col);
	snprintf(want, sizeof(want), "%s", msg);
	T_CONTAINS(err.msg, want);
	sf_journal_free(j);
}

static void test_corrupt(void)
{
	bad("1 add +77010000003\nxx\n3 del +77010000001\n", 2, 1,
	    "sequence number");
	bad("1 add +77010000003\n1 del +77010000001\n", 2, 1,
	    "not above the one before (1)");
	bad("# base: 10\n5 del +77010000001\n", 2, 1,
	    "not above the one before (10)");
	bad("1 put +77010000003\n", 1, 3, "'add' or 'del'");
	bad("1 add 77010000003\n", 1, 7, "E.164");
	bad("1 add +7701000000312345\n", 1, 8, "1 to 15 digits");
	bad("1 add +77010000003 fr\n", 1, 19, "visited country");
	bad("1 del +77010000003 FR\n", 1, 19, "end of the line");
	/* a whole last line that does not parse is corrupt, not torn */
	bad("1 add +77010000003\n2 add +x\n", 2, 8, "E.164");
}

static void test_compact(void)
{
	sf_journal_t *j = NULL;
	sf_num_t a = num("77010000005");
	char warn[256], why[128];
	uint64_t seq;
	sf_err_t err;

	write_file(path, "1 add +77010000003\n2 del +77010000001\n"
			 "3 add +77010000004 TR\n");
	T_EQ_INT(sf_journal_open(path, &j, warn, sizeof(warn), &err), 0);
	T_EQ_INT(sf_journal_compact(j, 2, &err), 0);
	T_EQ_STR(read_all(path), "# base: 2\n3 add +77010000004 TR\n");
	T_EQ_INT(sf_journal_entries(j), 1);
	T_EQ_INT(sf_journal_compact(j, 1, &err), 0); /* below: a no-op */
	T_EQ_STR(read_all(path), "# base: 2\n3 add +77010000004 TR\n");
	T_EQ_INT(sf_journal_append(j, true, &a, NULL, &seq, why, sizeof(why)),
		 0);
	T_EQ_INT(seq, 4);
	/* a file beyond the journal's end: numbering goes on after it */
	T_EQ_INT(sf_journal_compact(j, 9, &err), 0);
	T_EQ_STR(read_all(path), "# base: 9\n");
	T_EQ_INT(sf_journal_append(j, true, &a, NULL, &seq, why, sizeof(why)),
		 0);
	T_EQ_INT(seq, 10);
	sf_journal_free(j);
	T_EQ_INT(sf_journal_open(path, &j, warn, sizeof(warn), &err), 0);
	T_EQ_INT(sf_journal_last(j), 10);
	sf_journal_free(j);
}

static void test_file_position(void)
{
	sf_tables_t *t = roaming("# stream-id: 5-0\n# journal-seq: 42\n"
				 "77010000001\n");

	T_EQ_INT(sf_tables_roaming_journal_seq(t), 42);
	T_EQ_STR(sf_tables_roaming_stream_id(t), "5-0");
	sf_tables_free(t);
	t = roaming("77010000001\n# journal-seq: 42\n"); /* after the rows */
	T_EQ_INT(sf_tables_roaming_journal_seq(t), 0);
	sf_tables_free(t);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1000 appends: seconds taken. */
static double appends_1000(sf_journal_t *j, unsigned from)
{
	char digits[24], why[128];
	double t0 = now_s();
	uint64_t seq;
	sf_num_t n;

	for (unsigned i = 0; i < 1000; i++) {
		snprintf(digits, sizeof(digits), "7702%07u", from + i);
		n = num(digits);
		sf_journal_append(j, i & 1, &n, NULL, &seq, why, sizeof(why));
	}
	return now_s() - t0;
}

static void test_cost_flat(void)
{
	sf_journal_t *j = NULL;
	char warn[256];
	double first, last;
	sf_err_t err;

	fresh();
	T_EQ_INT(sf_journal_open(path, &j, warn, sizeof(warn), &err), 0);
	first = appends_1000(j, 0);
	for (unsigned k = 1; k < 100; k++)
		appends_1000(j, k * 1000);
	last = appends_1000(j, 100000);
	T_EQ_INT(sf_journal_entries(j), 101000);
	fprintf(stderr, "    1000 appends: %.2f ms at 0 entries, %.2f ms at "
		"10^5\n", first * 1e3, last * 1e3);
	T_TRUE(last < first * 10 + 0.005);
	sf_journal_free(j);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sf-journal-XXXXXX");
	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/roaming.journal", dir);
	T_RUN(test_append_replay);
	T_RUN(test_torn_tail);
	T_RUN(test_corrupt);
	T_RUN(test_compact);
	T_RUN(test_file_position);
	T_RUN(test_cost_flat);
	unlink(path);
	rmdir(dir);
	return T_DONE();
}
