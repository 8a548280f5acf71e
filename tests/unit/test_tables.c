/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_tables.c - unit tests of tables/: loading the four table files,
 * lookups (longest prefix, short codes vs E.164, exact vs prefix
 * substitution, allow per trunk and '*', visited country), the exact
 * "file:line:col: reason" of every kind of bad line, I/O errors, the
 * shrink guard, live roaming updates and freeing snapshots in any order,
 * allocation-failure injection (ours via sf_tables_fail_after, Judy's by
 * interposing JudyMalloc), the Judy self-test and a differential test of
 * the roaming set against a sorted array.
 *
 * Fixture files are in tests/fixtures/tables/ (found via $SF_ROOT); files
 * with odd bytes are written to a temporary directory removed at the end.
 */
#include "../../tables/sf_tables.h"
#include "../../base/sf_str.h"
#include "../../tables/tbl_int.h" /* the sorted batch (internal) */
#include "t.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- Judy allocation failure injection ----------------------------------
 * libJudy calls JudyMalloc through its PLT, so defining it here interposes
 * it for this program only.  judy_fail_left: -1 = never fail, else the
 * number of allocations that still succeed. */
static long judy_fail_left = -1;

Word_t JudyMalloc(Word_t words)
{
	if (judy_fail_left == 0)
		return 0;
	if (judy_fail_left > 0)
		judy_fail_left--;
	return (Word_t)malloc(words * sizeof(Word_t));
}

Word_t JudyMallocVirtual(Word_t words)
{
	return JudyMalloc(words);
}

void JudyFree(Pvoid_t p, Word_t words)
{
	(void)words;
	free(p);
}

void JudyFreeVirtual(Pvoid_t p, Word_t words)
{
	(void)words;
	free(p);
}

/* --- helpers ------------------------------------------------------------- */

static char tmpdir[64];
static const char *const trunks[] = {"ipx-carrier-a", "ipx-carrier-b",
				     "domestic"};

static const char *fx(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/tests/fixtures/tables/%s",
		 t_root(), name);
	return buf[i];
}

static const char *tmpf(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	if (!fp || fwrite(data, 1, len, fp) != len) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
	fclose(fp);
}

static sf_num_t num(const char *s)
{
	sf_num_t n;

	if (sf_num_parse_key(s, strlen(s), &n) < 0) {
		fprintf(stderr, "test bug: bad number %s\n", s);
		exit(2);
	}
	return n;
}

static sf_tables_src_t good_src(void)
{
	sf_tables_src_t s = {0};

	s.plan = fx("good-plan.csv");
	s.roaming = fx("good-roaming.csv");
	s.substitution = fx("good-subst.csv");
	s.allow = fx("good-allow.csv");
	s.trunk_names = trunks;
	s.n_trunks = 3;
	s.max_shrink = 1.0;
	return s;
}

static sf_tables_t *load_good(void)
{
	sf_tables_src_t s = good_src();
	sf_tables_t *t = NULL;
	sf_err_t err;
	int rc = sf_tables_load(&s, &t, &err);

	if (rc < 0) {
		sf_err_print(&err, stderr);
		return NULL;
	}
	return t;
}

/* --- good files ---------------------------------------------------------- */

static void test_plan_lookup(void)
{
	sf_tables_t *t = load_good();
	sf_plan_entry_t e;
	sf_num_t n;

	T_TRUE(t != NULL);
	if (!t)
		return;
	n = num("77011234567");
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_INT(e.cls, SF_CLASS_HOME_MOBILE);
	T_EQ_INT(e.prefix_len, 4);
	T_EQ_INT(e.min_len, 11);
	T_EQ_INT(e.max_len, 11);
	T_EQ_STR(e.operator_name, "Example Mobile, our network");

	n = num("77012345678"); /* longest prefix 77012 beats 7701 */
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_INT(e.cls, SF_CLASS_PREMIUM);
	T_EQ_INT(e.prefix_len, 5);

	n = num("+77051234567");
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_INT(e.cls, SF_CLASS_DOMESTIC_OTHER);
	T_EQ_INT(e.prefix_len, 2);

	n = num("79161234567");
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_INT(e.cls, SF_CLASS_FOREIGN);
	T_EQ_STR(e.operator_name, "Russia (shares +7)");

	n = num("77021234567"); /* line with blanks around every field */
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_INT(e.cls, SF_CLASS_HOME_MOBILE);
	T_EQ_INT(e.min_len, 10);
	T_EQ_STR(e.operator_name, "Spaced out");

	/* short code 102 and E.164 "102" are different keys */
	n = num("short:102");
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_INT(e.cls, SF_CLASS_SERVICE);
	T_EQ_STR(e.operator_name, "Police");
	T_EQ_INT(e.min_len, 3);
	T_EQ_INT(e.prefix_len, 4);
	n = num("102");
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_INT(e.cls, SF_CLASS_FOREIGN);
	T_EQ_STR(e.operator_name, "Not a short code");
	n = num("short:103");
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_STR(e.operator_name, "Short services");
	T_EQ_INT(e.prefix_len, 2);
	n = num("short:2");
	T_TRUE(!sf_tables_plan_lookup(t, &n, &e));

	n = num("78001234567");
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_INT(e.cls, SF_CLASS_TOLL_FREE);
	T_EQ_STR(e.operator_name, "");
	n = num("78011234567");
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_STR(e.operator_name, "");

	n = num("441234567890");
	T_TRUE(!sf_tables_plan_lookup(t, &n, &e));
	n = num("7");
	T_TRUE(sf_tables_plan_lookup(t, &n, NULL));
	memset(&n, 0, sizeof(n));
	T_TRUE(!sf_tables_plan_lookup(t, &n, &e));
	sf_tables_free(t);
}

static void test_roaming_lookup(void)
{
	sf_tables_t *t = load_good();
	sf_tables_stats_t st;
	char cc[3] = "x";
	sf_num_t n;

	T_TRUE(t != NULL);
	if (!t)
		return;
	n = num("77011234567");
	T_TRUE(sf_tables_is_roaming(t, &n, cc));
	T_EQ_STR(cc, "TR");
	n = num("77021112233");
	T_TRUE(sf_tables_is_roaming(t, &n, cc));
	T_EQ_STR(cc, "AE"); /* upper-cased */
	n = num("77751230000"); /* listed twice: later line wins */
	T_TRUE(sf_tables_is_roaming(t, &n, cc));
	T_EQ_STR(cc, "DE");
	n = num("77011111111");
	T_TRUE(sf_tables_is_roaming(t, &n, cc));
	T_EQ_STR(cc, "");
	T_TRUE(sf_tables_is_roaming(t, &n, NULL));
	n = num("77011234568");
	strcpy(cc, "x");
	T_TRUE(!sf_tables_is_roaming(t, &n, cc));
	T_EQ_STR(cc, "");
	n = num("7701123456"); /* a prefix of a roaming number is not one */
	T_TRUE(!sf_tables_is_roaming(t, &n, cc));
	n = num("short:102");
	T_TRUE(!sf_tables_is_roaming(t, &n, cc));
	sf_tables_stats(t, &st);
	T_EQ_INT(st.roaming_rows, 4);
	T_EQ_INT(st.plan_rows, 11);
	T_EQ_INT(st.subst_rows, 6);
	T_EQ_INT(st.allow_rows, 3);
	T_TRUE(st.roaming_bytes > 0 && st.plan_bytes > 0);
	T_TRUE(st.subst_bytes > 0 && st.allow_bytes > 0);
	T_EQ_INT(st.generation, 0);
	sf_tables_set_generation(t, 42);
	sf_tables_stats(t, &st);
	T_EQ_INT(st.generation, 42);
	sf_tables_free(t);
}

static void test_subst_lookup(void)
{
	sf_tables_t *t = load_good();
	sf_subst_entry_t e;
	sf_num_t n;

	T_TRUE(t != NULL);
	if (!t)
		return;
	n = num("77272500000"); /* exact; a duplicate later is ignored */
	T_TRUE(sf_tables_subst_lookup(t, &n, &e));
	T_TRUE(!e.prefix);
	T_EQ_STR(e.source, "bank");
	T_EQ_STR(e.reason, "Example Bank hotline - inbound only");

	n = num("77272591234"); /* longest prefix 7727259* */
	T_TRUE(sf_tables_subst_lookup(t, &n, &e));
	T_TRUE(e.prefix);
	T_EQ_STR(e.source, "bank");
	T_EQ_STR(e.reason, "Block, inbound only");

	n = num("77271111111"); /* shorter prefix 7727* */
	T_TRUE(sf_tables_subst_lookup(t, &n, &e));
	T_TRUE(e.prefix);
	T_EQ_STR(e.source, "regulator-dno");

	n = num("77272599999"); /* exact beats a covering prefix */
	T_TRUE(sf_tables_subst_lookup(t, &n, &e));
	T_TRUE(!e.prefix);
	T_EQ_STR(e.reason, "exact inside prefix");

	n = num("7727"); /* a prefix covers the number equal to it */
	T_TRUE(sf_tables_subst_lookup(t, &n, &e));
	T_TRUE(e.prefix);

	n = num("short:102");
	T_TRUE(sf_tables_subst_lookup(t, &n, &e));
	T_EQ_STR(e.source, "police");
	n = num("102");
	T_TRUE(!sf_tables_subst_lookup(t, &n, &e));

	n = num("77010000000");
	T_TRUE(sf_tables_subst_lookup(t, &n, &e));
	T_EQ_STR(e.source, "regulator-dno");
	T_EQ_STR(e.reason, "");

	n = num("77011234567");
	T_TRUE(!sf_tables_subst_lookup(t, &n, &e));
	n = num("772");
	T_TRUE(!sf_tables_subst_lookup(t, &n, NULL));
	sf_tables_free(t);
}

static void test_allow_lookup(void)
{
	sf_tables_t *t = load_good();
	sf_num_t a = num("77013330000"), b = num("77019991234");
	sf_num_t s1 = num("short:112"), e1 = num("112");

	T_TRUE(t != NULL);
	if (!t)
		return;
	T_TRUE(sf_tables_allowed(t, 1, &a));  /* ipx-carrier-b */
	T_TRUE(!sf_tables_allowed(t, 0, &a)); /* ipx-carrier-a */
	T_TRUE(!sf_tables_allowed(t, 2, &a));
	T_TRUE(!sf_tables_allowed(t, -1, &a));
	T_TRUE(!sf_tables_allowed(t, 99, &a));
	for (int tr = -1; tr <= 3; tr++)
		T_TRUE(sf_tables_allowed(t, tr, &b)); /* '*' */
	T_TRUE(sf_tables_allowed(t, 2, &s1)); /* short:1* on domestic */
	T_TRUE(!sf_tables_allowed(t, 1, &s1));
	T_TRUE(!sf_tables_allowed(t, 2, &e1)); /* E.164 112 is not short */
	b = num("7701999");
	T_TRUE(sf_tables_allowed(t, -1, &b));
	b = num("770199");
	T_TRUE(!sf_tables_allowed(t, -1, &b));
	sf_tables_free(t);
}

/* sf_tables_number_facts() answers as the four single lookups do, for
 * numbers in and around every table of the good set, on every trunk. */
static void test_number_facts_agree(void)
{
	static const char *const nums[] = {
		"77011234567", "77013330000", "77019991234", "7701999",
		"770199", "77010000000", "772", "short:112", "short:102",
		"112", "4915112345678", "441632960000", "7", "short:1",
	};
	sf_tables_t *t = load_good();

	T_TRUE(t != NULL);
	if (!t)
		return;
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		sf_num_t n = num(nums[i]);

		for (int tr = -1; tr <= 3; tr++) {
			sf_number_facts_t nf;
			sf_plan_entry_t pe;
			sf_subst_entry_t se;
			char cc[3];
			bool in_plan = sf_tables_plan_lookup(t, &n, &pe);
			bool subst = sf_tables_subst_lookup(t, &n, &se);

			sf_tables_number_facts(t, tr, &n, &nf);
			T_EQ_INT(nf.in_plan, in_plan);
			if (in_plan && nf.in_plan) {
				T_EQ_INT(nf.plan.cls, pe.cls);
				T_EQ_INT(nf.plan.min_len, pe.min_len);
				T_EQ_INT(nf.plan.max_len, pe.max_len);
				T_EQ_INT(nf.plan.prefix_len, pe.prefix_len);
				T_EQ_STR(nf.plan.operator_name,
					 pe.operator_name);
			}
			T_EQ_INT(nf.roaming, sf_tables_is_roaming(t, &n, cc));
			if (nf.roaming)
				T_EQ_STR(nf.visited, cc);
			T_EQ_INT(nf.substitution, subst);
			if (subst && nf.substitution) {
				T_EQ_STR(nf.subst.source, se.source);
				T_EQ_STR(nf.subst.reason, se.reason);
				T_EQ_INT(nf.subst.prefix, se.prefix);
			}
			T_EQ_INT(nf.allow_listed, sf_tables_allowed(t, tr, &n));
		}
	}
	{
		sf_number_facts_t nf = {.in_plan = true, .roaming = true};
		sf_num_t n = num("77011234567");

		sf_tables_number_facts(NULL, 0, &n, &nf);
		T_TRUE(!nf.in_plan && !nf.roaming && !nf.substitution &&
		       !nf.allow_listed);
	}
	sf_tables_free(t);
}

static void test_empty_and_null_paths(void)
{
	sf_tables_src_t s = {0};
	sf_tables_t *t = NULL;
	sf_tables_stats_t st;
	sf_err_t err;
	sf_num_t n = num("77011234567");

	/* no files at all: every table empty, lookups false */
	T_EQ_INT(sf_tables_load(&s, &t, &err), 0);
	T_TRUE(t != NULL);
	T_TRUE(!sf_tables_plan_lookup(t, &n, NULL));
	T_TRUE(!sf_tables_is_roaming(t, &n, NULL));
	T_TRUE(!sf_tables_subst_lookup(t, &n, NULL));
	T_TRUE(!sf_tables_allowed(t, 0, &n));
	sf_tables_free(t);

	write_file(tmpf("empty.csv"), "", 0);
	write_file(tmpf("comments.csv"), "# only\n\n   \n\t# comments\n",
		   strlen("# only\n\n   \n\t# comments\n"));
	s.plan = tmpf("empty.csv");
	s.roaming = tmpf("comments.csv");
	s.substitution = tmpf("empty.csv");
	s.allow = tmpf("comments.csv");
	T_EQ_INT(sf_tables_load(&s, &t, &err), 0);
	sf_tables_stats(t, &st);
	T_EQ_INT(st.plan_rows + st.roaming_rows + st.subst_rows +
		 st.allow_rows, 0);
	sf_tables_free(t);
	sf_tables_free(NULL);
	T_EQ_INT(sf_tables_load(NULL, &t, &err), SF_EINVAL);
	T_TRUE(t == NULL);
}

static void test_crlf_and_no_final_newline(void)
{
	/* CRLF line ends are fine; a last line without any line end is a
	 * feed cut mid-write ("77011234568" could have been "7701123456"
	 * and still parse), so it is refused with its line number. */
	static const char plan[] =
		"# crlf\r\n7701,home-mobile,11,11,Op A\r\n\r\n"
		"7702,home-fixed,11,11,Op B\r\n";
	static const char roam[] = "77011234567,tr\r\n77011234568\r\n";
	static const char cut[] = "77011234567,tr\r\n7701123";
	sf_tables_src_t s = {0};
	sf_tables_t *t = NULL;
	sf_plan_entry_t e;
	sf_err_t err;
	sf_num_t n;
	char cc[3];

	write_file(tmpf("crlf-plan.csv"), plan, sizeof(plan) - 1);
	write_file(tmpf("crlf-roam.csv"), roam, sizeof(roam) - 1);
	s.plan = tmpf("crlf-plan.csv");
	s.roaming = tmpf("crlf-roam.csv");
	T_EQ_INT(sf_tables_load(&s, &t, &err), 0);
	if (!t)
		return;
	n = num("77011234567");
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_STR(e.operator_name, "Op A");
	T_TRUE(sf_tables_is_roaming(t, &n, cc));
	T_EQ_STR(cc, "TR");
	n = num("77021234567");
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_STR(e.operator_name, "Op B");
	n = num("77011234568");
	T_TRUE(sf_tables_is_roaming(t, &n, cc));
	sf_tables_free(t);

	write_file(tmpf("cut-roam.csv"), cut, sizeof(cut) - 1);
	s.roaming = tmpf("cut-roam.csv");
	t = NULL;
	T_EQ_INT(sf_tables_load(&s, &t, &err), SF_EPARSE);
	T_TRUE(t == NULL);
	T_EQ_INT(err.line, 2);
	T_CONTAINS(err.msg, "cut short");
}

/* Tables given as text (sf_tables_src_t *_text) load exactly as the same
 * bytes from a file do, and errors name the given path and line. */
static void test_text_sources(void)
{
	static const char roam[] = "77011234567,tr\r\n\n# c\n77011234568\n";
	static const char cut[] = "77011234567,tr\r\n7701123";
	sf_tables_src_t f = good_src(), m = good_src();
	const char *const *paths[4] = {&f.plan, &f.roaming, &f.substitution,
				       &f.allow};
	sf_str_t *texts[4] = {&m.plan_text, &m.roaming_text,
			      &m.substitution_text, &m.allow_text};
	char *bufs[4] = {0};
	sf_tables_t *a = NULL, *b = NULL;
	sf_tables_stats_t sa, sb;
	sf_err_t err;
	sf_num_t n;
	char cc[3];

	for (int i = 0; i < 4; i++) {
		FILE *fp = fopen(*paths[i], "rb");
		long len;

		T_TRUE(fp != NULL);
		if (!fp)
			return;
		fseek(fp, 0, SEEK_END);
		len = ftell(fp);
		rewind(fp);
		bufs[i] = malloc((size_t)len + 1);
		T_EQ_INT(fread(bufs[i], 1, (size_t)len, fp), len);
		fclose(fp);
		*texts[i] = sf_str(bufs[i], (size_t)len);
	}
	m.plan = m.roaming = m.substitution = m.allow = "/nonexistent/x.csv";
	T_EQ_INT(sf_tables_load(&f, &a, &err), 0);
	T_EQ_INT(sf_tables_load(&m, &b, &err), 0);
	if (a && b) {
		sf_tables_stats(a, &sa);
		sf_tables_stats(b, &sb);
		T_EQ_INT(sa.plan_rows, sb.plan_rows);
		T_EQ_INT(sa.roaming_rows, sb.roaming_rows);
		T_EQ_INT(sa.subst_rows, sb.subst_rows);
		T_EQ_INT(sa.allow_rows, sb.allow_rows);
	}
	sf_tables_free(a);
	sf_tables_free(b);
	for (int i = 0; i < 4; i++)
		free(bufs[i]);

	memset(&m, 0, sizeof(m));
	m.roaming = "feed:roaming";
	m.roaming_text = sf_str(roam, sizeof(roam) - 1);
	b = NULL;
	T_EQ_INT(sf_tables_load(&m, &b, &err), 0);
	n = num("77011234568");
	T_TRUE(b && sf_tables_is_roaming(b, &n, cc));
	sf_tables_free(b);
	m.roaming_text = sf_str(cut, sizeof(cut) - 1);
	b = NULL;
	T_EQ_INT(sf_tables_load(&m, &b, &err), SF_EPARSE);
	T_TRUE(b == NULL);
	T_EQ_STR(err.file, "feed:roaming");
	T_EQ_INT(err.line, 2);
	T_CONTAINS(err.msg, "cut short");
	m.roaming_text = sf_str(cut, 0); /* empty, not "no text" */
	T_EQ_INT(sf_tables_load(&m, &b, &err), 0);
	sf_tables_free(b);
}

/* --- bad files ----------------------------------------------------------- */

enum { PLAN, ROAM, SUBST, ALLOW };

static void expect_bad(int which, const char *path, int code,
		       unsigned line, unsigned col, const char *msg)
{
	sf_tables_src_t s = {0};
	sf_tables_t *t = (sf_tables_t *)&s; /* must be reset to NULL */
	sf_err_t err;
	char want[1024], got[1024];
	int rc;

	s.trunk_names = trunks;
	s.n_trunks = 3;
	if (which == PLAN)
		s.plan = path;
	else if (which == ROAM)
		s.roaming = path;
	else if (which == SUBST)
		s.substitution = path;
	else
		s.allow = path;
	sf_err_clear(&err);
	rc = sf_tables_load(&s, &t, &err);
	T_EQ_INT(rc, code);
	T_TRUE(t == NULL);
	if (rc == 0)
		sf_tables_free(t);
	if (line && col)
		snprintf(want, sizeof(want), "%s:%u:%u: error: %s", path, line,
			 col, msg);
	else if (line)
		snprintf(want, sizeof(want), "%s:%u: error: %s", path, line,
			 msg);
	else
		snprintf(want, sizeof(want), "%s: error: %s", path, msg);
	sf_err_format(&err, got, sizeof(got));
	T_EQ_STR(got, want);
}

#define CLASSES                                                            \
	"home-mobile, home-fixed, home-msrn, domestic-other, service, "    \
	"premium, toll-free, foreign, unallocated"
#define BADCHAR "(expected E.164 digits with optional '+', or short:DIGITS)"

static void test_bad_lines(void)
{
	expect_bad(PLAN, fx("bad-plan-class.csv"), SF_EPARSE, 3, 6,
		   "unknown class 'home-mobil'; did you mean 'home-mobile'? "
		   "(expected one of " CLASSES ")");
	expect_bad(PLAN, fx("bad-plan-unlisted.csv"), SF_EPARSE, 2, 6,
		   "class 'unlisted' cannot be used in the plan (it means no "
		   "prefix matched; expected one of " CLASSES ")");
	expect_bad(PLAN, fx("bad-plan-minmax.csv"), SF_EPARSE, 1, 18,
		   "min_len 12 > max_len 11");
	expect_bad(PLAN, fx("bad-plan-dup.csv"), SF_EPARSE, 4, 1,
		   "duplicate prefix 7701 (first at line 2)");
	expect_bad(PLAN, fx("bad-plan-dup-short.csv"), SF_EPARSE, 2, 1,
		   "duplicate prefix short:102 (first at line 1)");
	expect_bad(PLAN, fx("bad-plan-char.csv"), SF_EPARSE, 1, 3,
		   "bad character 'O' in number '77O1' " BADCHAR);
	expect_bad(PLAN, fx("bad-plan-zero.csv"), SF_EPARSE, 1, 1,
		   "number '0701' starts with 0 (E.164 numbers never do; "
		   "write short codes as short:DIGITS)");
	expect_bad(PLAN, fx("bad-plan-missing.csv"), SF_EPARSE, 1, 20,
		   "missing field 'max_len' (expected "
		   "prefix,class,min_len,max_len,operator)");
	expect_bad(PLAN, fx("bad-plan-lenword.csv"), SF_EPARSE, 1, 21,
		   "max_len 'x1' is not a number (expected 1..15)");
	expect_bad(PLAN, fx("bad-plan-lenzero.csv"), SF_EPARSE, 1, 18,
		   "min_len 0 out of range (expected 1..15)");
	expect_bad(PLAN, fx("bad-plan-star.csv"), SF_EPARSE, 1, 5,
		   "a trailing '*' is not allowed in the numbering plan "
		   "(every entry is already a prefix)");
	expect_bad(PLAN, fx("bad-plan-long.csv"), SF_EPARSE, 1, 1,
		   "number '1234567890123456' has 16 digits (at most 15)");
	expect_bad(PLAN, fx("bad-plan-prefixlen.csv"), SF_EPARSE, 1, 1,
		   "prefix 77012 has 5 digits, more than max_len 4");
	expect_bad(ROAM, fx("bad-roaming-cc.csv"), SF_EPARSE, 2, 13,
		   "visited country 'TUR' is not an ISO 3166 alpha-2 code "
		   "(two letters)");
	expect_bad(ROAM, fx("bad-roaming-short.csv"), SF_EPARSE, 1, 1,
		   "short code short:102 cannot be a roaming subscriber "
		   "(expected an E.164 number)");
	expect_bad(ROAM, fx("bad-roaming-prefix.csv"), SF_EPARSE, 1, 5,
		   "a trailing '*' is not allowed in the roaming table "
		   "(entries are single numbers)");
	expect_bad(ROAM, fx("bad-roaming-plus.csv"), SF_EPARSE, 1, 1,
		   "number '+' has no digits");
	expect_bad(SUBST, fx("bad-subst-nosource.csv"), SF_EPARSE, 1, 12,
		   "missing source (expected number_or_prefix,source,reason)");
	expect_bad(SUBST, fx("bad-subst-emptysource.csv"), SF_EPARSE, 1, 13,
		   "missing source (expected number_or_prefix,source,reason)");
	expect_bad(SUBST, fx("bad-subst-short.csv"), SF_EPARSE, 1, 1,
		   "number 'short:' has no digits");
	expect_bad(SUBST, fx("bad-subst-star.csv"), SF_EPARSE, 1, 1,
		   "a lone '*' is not a prefix (give at least one digit)");
	expect_bad(ALLOW, fx("bad-allow-trunk.csv"), SF_EPARSE, 2, 1,
		   "unknown trunk 'ipx-carier-b'; did you mean "
		   "'ipx-carrier-b'? (trunks: ipx-carrier-a, ipx-carrier-b, "
		   "domestic, or * for every trunk)");
	expect_bad(ALLOW, fx("bad-allow-trunk2.csv"), SF_EPARSE, 1, 1,
		   "unknown trunk 'nosuchtrunkatall' (trunks: ipx-carrier-a, "
		   "ipx-carrier-b, domestic, or * for every trunk)");
	expect_bad(ALLOW, fx("bad-allow-missing.csv"), SF_EPARSE, 1, 9,
		   "missing number (expected "
		   "trunk,number_or_prefix[,comment])");
	expect_bad(ALLOW, fx("bad-allow-notrunk.csv"), SF_EPARSE, 1, 1,
		   "missing trunk (expected trunk,number_or_prefix[,comment])");
}

static void test_bad_bytes(void)
{
	static const char nul[] = "77011234567\n7701\0" "1234568\n";
	char *big;
	size_t n = 70000;

	write_file(tmpf("nul.csv"), nul, sizeof(nul) - 1);
	expect_bad(ROAM, tmpf("nul.csv"), SF_EPARSE, 2, 5, "NUL byte in line");

	big = malloc(n + 32);
	if (!big)
		return;
	memcpy(big, "77011234567\n", 12);
	memset(big + 12, '7', n);
	big[12 + n] = '\n';
	write_file(tmpf("long.csv"), big, n + 13);
	expect_bad(ROAM, tmpf("long.csv"), SF_EPARSE, 2, 0,
		   "line longer than 65536 bytes");
	/* the same when the over-long line is the last, unterminated one */
	write_file(tmpf("long2.csv"), big, n + 12);
	expect_bad(ROAM, tmpf("long2.csv"), SF_EPARSE, 2, 0,
		   "line longer than 65536 bytes");
	free(big);
	write_file(tmpf("ctl.csv"), "7701\x01\n", 6);
	expect_bad(ROAM, tmpf("ctl.csv"), SF_EPARSE, 1, 5,
		   "bad byte 0x01 in number '7701\x01' " BADCHAR);
}

static void test_io_errors(void)
{
	sf_tables_src_t s = {0};
	sf_tables_t *t = NULL;
	sf_err_t err;

	expect_bad(PLAN, tmpf("does-not-exist.csv"), SF_EIO, 0, 0,
		   "cannot open: No such file or directory");
	s.roaming = tmpf("does-not-exist.csv");
	T_EQ_INT(sf_tables_load(&s, &t, &err), SF_EIO);
	T_EQ_INT(err.sys_errno, ENOENT);
	expect_bad(SUBST, tmpdir, SF_EIO, 0, 0,
		   "cannot read: Is a directory");
}

static void test_unknown_trunk_no_trunks(void)
{
	sf_tables_src_t s = {0};
	sf_tables_t *t = NULL;
	sf_err_t err;

	s.allow = fx("good-allow.csv");
	T_EQ_INT(sf_tables_load(&s, &t, &err), SF_EPARSE);
	T_EQ_STR(err.msg, "unknown trunk 'ipx-carrier-b' (no trunks are "
			  "configured; use * for every trunk)");
	T_EQ_INT(err.line, 2);
}

/* --- shrink guard -------------------------------------------------------- */

static void write_roaming(const char *name, int rows)
{
	FILE *fp = fopen(tmpf(name), "w");

	if (!fp)
		exit(2);
	for (int i = 0; i < rows; i++)
		fprintf(fp, "7701%07d,TR\n", i);
	fclose(fp);
}

static void test_shrink_guard(void)
{
	sf_tables_src_t s = {0};
	sf_tables_t *prev = NULL, *t = NULL, *u = NULL;
	sf_err_t err;
	char buf[1024];
	sf_num_t n;

	write_roaming("r10.csv", 10);
	write_roaming("r5.csv", 5);
	write_roaming("r4.csv", 4);
	s.roaming = tmpf("r10.csv");
	T_EQ_INT(sf_tables_load(&s, &prev, &err), 0);
	if (!prev)
		return;
	s.previous = prev;
	s.max_shrink = 0.5;
	s.roaming = tmpf("r4.csv");
	T_EQ_INT(sf_tables_load(&s, &t, &err), SF_ESHRINK);
	T_TRUE(t == NULL);
	sf_err_format(&err, buf, sizeof(buf));
	snprintf(buf + 512, 512, "%s: error: roaming table would shrink from "
		 "10 to 4 rows; max_shrink 0.50 requires at least 5",
		 tmpf("r4.csv"));
	T_EQ_STR(buf, buf + 512);

	s.roaming = tmpf("r5.csv");
	T_EQ_INT(sf_tables_load(&s, &t, &err), 0);
	sf_tables_free(t);
	t = NULL;

	/* a NULL path empties the table: also refused */
	s.roaming = NULL;
	T_EQ_INT(sf_tables_load(&s, &t, &err), SF_ESHRINK);
	s.max_shrink = 1.0; /* guard off */
	T_EQ_INT(sf_tables_load(&s, &t, &err), 0);
	sf_tables_free(t);
	t = NULL;
	s.max_shrink = 0.0; /* no shrink at all */
	s.roaming = tmpf("r10.csv");
	T_EQ_INT(sf_tables_load(&s, &t, &err), 0);
	sf_tables_free(t);
	t = NULL;
	s.max_shrink = 1.5;
	T_EQ_INT(sf_tables_load(&s, &t, &err), SF_EINVAL);
	s.max_shrink = 0.0 / 0.0;
	T_EQ_INT(sf_tables_load(&s, &t, &err), SF_EINVAL);

	/* the guard counts live roaming additions of the previous snapshot */
	n = num("77019999999");
	T_EQ_INT(sf_tables_roaming_update(prev, &n, true, "FR", &u, &err), 0);
	s.previous = u;
	s.max_shrink = 0.0;
	T_EQ_INT(sf_tables_load(&s, &t, &err), SF_ESHRINK);
	T_EQ_STR(err.msg, "roaming table would shrink from 11 to 10 rows; "
			  "max_shrink 0.00 requires at least 11");
	sf_tables_free(prev);
	sf_tables_free(u);
}

static sf_num_t num_of(uint64_t v);

/* --- live roaming updates ------------------------------------------------ */

static void test_roaming_update(void)
{
	sf_tables_t *base = load_good(), *t1 = NULL, *t2 = NULL, *t3 = NULL;
	sf_tables_t *t4 = NULL, *t5 = NULL;
	sf_tables_stats_t st;
	sf_plan_entry_t pe;
	sf_err_t err;
	sf_num_t a = num("77019998888"), b = num("77011234567");
	char cc[3];

	T_TRUE(base != NULL);
	if (!base)
		return;
	T_EQ_INT(sf_tables_roaming_update(base, &a, true, "fr", &t1, &err), 0);
	T_TRUE(sf_tables_is_roaming(t1, &a, cc));
	T_EQ_STR(cc, "FR");
	T_TRUE(!sf_tables_is_roaming(base, &a, cc));
	T_EQ_INT(sf_tables_roaming_overlay(t1), 1);

	T_EQ_INT(sf_tables_roaming_update(t1, &b, false, NULL, &t2, &err), 0);
	T_TRUE(!sf_tables_is_roaming(t2, &b, cc));
	T_TRUE(sf_tables_is_roaming(t1, &b, cc));
	T_TRUE(sf_tables_is_roaming(base, &b, cc));
	T_TRUE(sf_tables_is_roaming(t2, &a, cc));
	T_EQ_INT(sf_tables_roaming_overlay(t2), 2);

	/* back to the file's state: drops out of the overlay */
	T_EQ_INT(sf_tables_roaming_update(t2, &b, true, "TR", &t3, &err), 0);
	T_EQ_INT(sf_tables_roaming_overlay(t3), 1);
	T_TRUE(sf_tables_is_roaming(t3, &b, cc));
	T_EQ_STR(cc, "TR");
	/* same number, other country: an overlay entry again */
	T_EQ_INT(sf_tables_roaming_update(t3, &b, true, NULL, &t4, &err), 0);
	T_EQ_INT(sf_tables_roaming_overlay(t4), 2);
	T_TRUE(sf_tables_is_roaming(t4, &b, cc));
	T_EQ_STR(cc, "");
	/* deleting a number that is not roaming changes nothing */
	a = num("77010000001");
	T_EQ_INT(sf_tables_roaming_update(t4, &a, false, NULL, &t5, &err), 0);
	T_EQ_INT(sf_tables_roaming_overlay(t5), 2);

	sf_tables_stats(base, &st);
	T_EQ_INT(st.roaming_rows, 4);
	sf_tables_stats(t1, &st);
	T_EQ_INT(st.roaming_rows, 5);
	sf_tables_stats(t2, &st);
	T_EQ_INT(st.roaming_rows, 4);
	sf_tables_stats(t3, &st);
	T_EQ_INT(st.roaming_rows, 5);
	sf_tables_stats(t5, &st);
	T_EQ_INT(st.roaming_rows, 5);
	T_EQ_INT(st.plan_rows, 11);

	/* bad arguments */
	sf_tables_free(t1);
	t1 = NULL;
	a = num("short:102");
	T_EQ_INT(sf_tables_roaming_update(t5, &a, true, NULL, &t1, &err),
		 SF_EINVAL);
	T_TRUE(t1 == NULL);
	a = num("77011112222");
	T_EQ_INT(sf_tables_roaming_update(t5, &a, true, "TUR", &t1, &err),
		 SF_EINVAL);
	T_EQ_INT(sf_tables_roaming_update(NULL, &a, true, NULL, &t1, &err),
		 SF_EINVAL);

	/* free the base first: the derived snapshots keep the shared core */
	sf_tables_free(base);
	T_TRUE(sf_tables_plan_lookup(t5, &b, &pe));
	T_TRUE(sf_tables_is_roaming(t5, &b, cc));
	T_EQ_STR(pe.operator_name, "Example Mobile, our network");
	sf_tables_free(t3);
	T_TRUE(sf_tables_subst_lookup(t5, &(sf_num_t){0}, NULL) == false);
	sf_tables_free(t5);
	sf_tables_free(t4);
	T_TRUE(sf_tables_is_roaming(t2, &(sf_num_t){0}, NULL) == false);
	sf_tables_free(t2);

	/* and the other order: derived first, base last */
	base = load_good();
	a = num("77019998888");
	T_EQ_INT(sf_tables_roaming_update(base, &a, true, "FR", &t1, &err), 0);
	T_EQ_INT(sf_tables_roaming_update(t1, &b, false, NULL, &t2, &err), 0);
	sf_tables_free(t1);
	sf_tables_free(t2);
	T_TRUE(sf_tables_plan_lookup(base, &b, &pe));
	sf_tables_free(base);
}

/* Snapshots sharing one core, freed concurrently from several threads:
 * the last one out frees the core exactly once (ASan checks). */
enum { FREE_THREADS = 4, PER_THREAD = 16 };

static void *free_some(void *arg)
{
	sf_tables_t **snaps = arg;

	for (int i = 0; i < PER_THREAD; i++)
		sf_tables_free(snaps[i]);
	return NULL;
}

static void test_free_from_threads(void)
{
	sf_tables_t *snaps[FREE_THREADS * PER_THREAD];
	sf_tables_t *base = load_good();
	pthread_t th[FREE_THREADS];
	sf_err_t err;

	if (!base)
		return;
	for (int round = 0; round < 20; round++) {
		sf_tables_t *prev = base;

		for (int i = 0; i < FREE_THREADS * PER_THREAD; i++) {
			sf_num_t n = num_of(77015550000ULL + (uint64_t)i);

			T_EQ_INT(sf_tables_roaming_update(prev, &n, true, NULL,
							  &snaps[i], &err), 0);
			prev = snaps[i];
		}
		if (round == 19) { /* last round: the base goes first */
			sf_tables_free(base);
			base = NULL;
		}
		for (int k = 0; k < FREE_THREADS; k++)
			pthread_create(&th[k], NULL, free_some,
				       snaps + k * PER_THREAD);
		for (int k = 0; k < FREE_THREADS; k++)
			pthread_join(th[k], NULL);
	}
}

/* --- allocation failures ------------------------------------------------- */

static void test_alloc_failures(void)
{
	sf_tables_src_t s = good_src();
	sf_tables_t *t = NULL, *u = NULL;
	sf_err_t err;
	long n, fails = 0;
	int rc;
	sf_num_t a = num("77019998888");

	for (n = 0; n < 10000; n++) {
		t = (sf_tables_t *)&s;
		sf_tables_fail_after(n);
		rc = sf_tables_load(&s, &t, &err);
		sf_tables_fail_after(-1);
		if (rc == 0)
			break;
		fails++;
		if (rc != SF_ENOMEM || t != NULL) {
			T_FAIL_AT("fail_after(%ld): rc %d (%s), t %p", n, rc,
				  err.msg, (void *)t);
			break;
		}
	}
	T_TRUE(rc == 0 && t != NULL);
	T_TRUE(fails >= 10); /* every loader was exercised */
	for (n = 0; t && n < 100; n++) {
		sf_tables_fail_after(n);
		rc = sf_tables_roaming_update(t, &a, true, "FR", &u, &err);
		sf_tables_fail_after(-1);
		if (rc == 0)
			break;
		T_EQ_INT(rc, SF_ENOMEM);
		T_TRUE(u == NULL);
	}
	T_TRUE(u != NULL && n >= 2);
	sf_tables_free(u);
	sf_tables_free(t);
}

static void test_judy_alloc_failures(void)
{
	sf_tables_src_t s = good_src();
	sf_tables_t *t = NULL;
	sf_err_t err;
	long n, fails = 0;
	int rc = -1;

	for (n = 0; n < 10000; n++) {
		t = NULL;
		judy_fail_left = n;
		rc = sf_tables_load(&s, &t, &err);
		judy_fail_left = -1;
		if (rc == 0)
			break;
		fails++;
		if (rc != SF_ENOMEM || t != NULL) {
			T_FAIL_AT("judy fail after %ld: rc %d (%s)", n, rc,
				  err.msg);
			break;
		}
	}
	T_TRUE(rc == 0 && fails >= 5);
	sf_tables_free(t);
	judy_fail_left = 0;
	rc = sf_tables_selftest(&err);
	judy_fail_left = -1;
	T_EQ_INT(rc, SF_ENOMEM);
}

/* --- the embedder's allocator (sf_tables_set_alloc) ----------------------- */

/* Blocks carry a 16-byte header with a magic word, so a block that did
 * not come from us (or a heap block handed to our free) is caught. */
#define EMB_MAGIC 0x5f7461626c65ULL
static long emb_live, emb_allocs, emb_scratch_on, emb_scratch_calls;

static void *emb_malloc(size_t n)
{
	uint64_t *p = malloc(n + 16);

	if (!p)
		return NULL;
	p[0] = EMB_MAGIC;
	emb_live++;
	emb_allocs++;
	return p + 2;
}

static void emb_free(void *q)
{
	uint64_t *p = q;

	if (!q)
		return;
	if (p[-2] != EMB_MAGIC) {
		T_FAIL_AT("a block not from the embedder's allocator freed");
		return;
	}
	p[-2] = 0;
	emb_live--;
	free(p - 2);
}

static void *emb_realloc(void *q, size_t n)
{
	uint64_t *p = q;

	if (!q)
		return emb_malloc(n);
	if (p[-2] != EMB_MAGIC) {
		T_FAIL_AT("a block not from the embedder's allocator grown");
		return NULL;
	}
	p = realloc(p - 2, n + 16);
	return p ? p + 2 : NULL;
}

static void emb_scratch(bool on)
{
	if (on == (emb_scratch_on != 0))
		T_FAIL_AT("scratch hook not bracketed");
	emb_scratch_on = on;
	emb_scratch_calls++;
}

static void test_embedder_alloc(void)
{
	sf_tables_alloc_t a = {emb_malloc, emb_realloc, emb_free, emb_scratch};
	sf_tables_t *t, *d = NULL;
	sf_num_t n;
	sf_err_t err;

	sf_tables_set_alloc(&a);
	t = load_good();
	T_TRUE(t != NULL);
	/* the core, the snapshot, the plan's arrays, two string arenas */
	T_TRUE(emb_allocs >= 5);
	T_TRUE(emb_scratch_calls >= 2 && !emb_scratch_on);
	T_EQ_INT(sf_num_parse_key("77015550000", 11, &n), 0);
	T_EQ_INT(sf_tables_roaming_update(t, &n, true, "DE", &d, &err), 0);
	T_TRUE(sf_tables_is_roaming(d, &n, NULL));
	sf_tables_free(t);
	sf_tables_free(d);
	T_EQ_INT(emb_live, 0); /* every block back, none freed twice */
	sf_tables_set_alloc(NULL);
	t = load_good(); /* the C library's again */
	T_TRUE(t != NULL);
	sf_tables_free(t);
	T_EQ_INT(emb_live, 0);
}

/* --- self-test and differential test ------------------------------------- */

static void test_selftest(void)
{
	sf_err_t err;

	sf_err_clear(&err);
	T_EQ_INT(sf_tables_selftest(&err), 0);
	T_EQ_STR(err.msg, "");
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool in_ref(const uint64_t *ref, size_t n, uint64_t v)
{
	return bsearch(&v, ref, n, sizeof(*ref), cmp_u64) != NULL;
}

static sf_num_t num_of(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return num(buf);
}

typedef struct occ {
	uint64_t key;
	uint32_t line;
} occ_t;

static int cmp_occ(const void *a, const void *b)
{
	const occ_t *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Country written on line i of the differential file ("" on every 3rd). */
static void country_of(uint32_t i, char cc[3])
{
	if (i % 3 == 0) {
		cc[0] = '\0';
		return;
	}
	cc[0] = (char)('A' + i % 26);
	cc[1] = (char)('A' + (i / 26) % 26);
	cc[2] = '\0';
}

/* 100k random 11-digit numbers (with duplicates, unsorted, the later line
 * setting the country) against a sorted array; then 2000 random live
 * updates mirrored in the array. */
static void test_roaming_differential(void)
{
	enum { N = 100000, Q = 100000, U = 2000 };
	uint64_t *keys = malloc(N * sizeof(*keys));
	uint64_t *ref = malloc((N + U) * sizeof(*ref));
	uint32_t *last = malloc(N * sizeof(*last));
	occ_t *occ = malloc(N * sizeof(*occ));
	uint8_t *present;
	sf_tables_src_t s = {0};
	sf_tables_t *t = NULL;
	sf_tables_stats_t st;
	sf_err_t err;
	size_t nref = 0, mism = 0, bad_cc = 0;
	char cc[3], want[3];
	FILE *fp;

	if (!keys || !ref || !last || !occ)
		exit(2);
	fp = fopen(tmpf("diff.csv"), "w");
	if (!fp)
		exit(2);
	for (uint32_t i = 0; i < N; i++) {
		/* a narrow range so duplicates and neighbours occur */
		keys[i] = 77010000000ULL + rnd() % 5000000;
		country_of(i, cc);
		fprintf(fp, "%llu%s%s\n", (unsigned long long)keys[i],
			cc[0] ? "," : "", cc);
		occ[i].key = keys[i];
		occ[i].line = i;
	}
	fclose(fp);
	qsort(occ, N, sizeof(*occ), cmp_occ);
	for (size_t i = 0; i < N; i++) {
		if (!nref || occ[i].key != ref[nref - 1])
			ref[nref++] = occ[i].key;
		last[nref - 1] = occ[i].line; /* the later line wins */
	}

	s.roaming = tmpf("diff.csv");
	T_EQ_INT(sf_tables_load(&s, &t, &err), 0);
	if (!t)
		goto out;
	sf_tables_stats(t, &st);
	T_EQ_INT(st.roaming_rows, nref);
	for (size_t i = 0; i < Q; i++) {
		uint64_t v = i % 2 ? keys[rnd() % N]
				   : 77010000000ULL + rnd() % 6000000;
		sf_num_t n = num_of(v);

		if (sf_tables_is_roaming(t, &n, NULL) != in_ref(ref, nref, v))
			mism++;
	}
	T_EQ_INT(mism, 0);
	for (size_t j = 0; j < nref; j++) {
		sf_num_t n = num_of(ref[j]);

		country_of(last[j], want);
		if (!sf_tables_is_roaming(t, &n, cc) || strcmp(cc, want))
			bad_cc++;
	}
	T_EQ_INT(bad_cc, 0);

	/* live updates: candidates are the loaded numbers plus new ones */
	present = calloc(N + U, 1);
	if (!present)
		exit(2);
	for (size_t i = 0; i < U; i++)
		ref[nref + i] = 77020000000ULL + i * 7;
	for (size_t i = 0; i < nref; i++)
		present[i] = 1;
	for (size_t i = 0; i < U; i++) {
		size_t j = rnd() % (nref + U);
		bool add = rnd() % 2;
		sf_num_t n = num_of(ref[j]);
		sf_tables_t *u = NULL;

		if (sf_tables_roaming_update(t, &n, add, "GB", &u, &err) < 0) {
			T_FAIL_AT("update %zu failed: %s", i, err.msg);
			break;
		}
		sf_tables_free(t);
		t = u;
		present[j] = add;
	}
	mism = 0;
	size_t want_rows = 0;
	for (size_t j = 0; j < nref + U; j++) {
		sf_num_t n = num_of(ref[j]);

		want_rows += present[j];
		if (sf_tables_is_roaming(t, &n, NULL) != (bool)present[j])
			mism++;
	}
	T_EQ_INT(mism, 0);
	sf_tables_stats(t, &st);
	T_EQ_INT(st.roaming_rows, want_rows);
	T_TRUE(sf_tables_roaming_overlay(t) <= U);
	free(present);
out:
	sf_tables_free(t);
	free(keys);
	free(ref);
	free(last);
	free(occ);
}

/* The sorted batch behind the big loaders, over several batches: rows must
 * reach put() in ascending key order within a batch, equal keys in the
 * order they were added (stability), none lost. */
typedef struct batch_check {
	size_t calls, disorder;
	uint64_t prev_key;
	Word_t prev_val;
	bool have_prev;
} batch_check_t;

static int batch_put(void *ctx, uint64_t key, Word_t val)
{
	batch_check_t *bc = ctx;

	if (bc->have_prev && (key < bc->prev_key ||
			      (key == bc->prev_key && val < bc->prev_val)))
		bc->disorder++;
	bc->have_prev = true;
	bc->prev_key = key;
	bc->prev_val = val;
	bc->calls++;
	return 0;
}

static void test_sorted_batches(void)
{
	batch_check_t bc = {0};
	sf_tbl_batch_t b = {.put = batch_put, .ctx = &bc};
	size_t n = SF_TBL_BATCH * 2 + 12345, flushes = 0;

	for (size_t i = 0; i < n; i++) {
		/* high bytes vary too, so every radix pass runs */
		uint64_t k = (rnd() % 1000) | ((rnd() % 3) << 56) |
			     ((rnd() % 2) << 63);
		size_t before = bc.calls;

		if (sf_tbl_batch_add(&b, k, i) < 0) {
			T_FAIL_AT("batch_add failed at %zu", i);
			break;
		}
		if (bc.calls != before) {
			flushes++;
			bc.have_prev = false; /* order holds within a batch */
		}
	}
	T_EQ_INT(sf_tbl_batch_flush(&b), 0);
	sf_tbl_batch_fini(&b);
	T_EQ_INT(bc.calls, n);
	T_EQ_INT(bc.disorder, 0);
	T_EQ_INT(flushes, 2);
}

/* Random lines built from table-ish tokens and random bytes: every load
 * must end in 0 or SF_EPARSE with a line number, never crash (ASan/UBSan
 * watch), and a failed load must leave no snapshot. */
static void test_random_garbage(void)
{
	static const char *const tok[] = {
		"7701", "+7702", "short:102", "short:", "0", "*", ",", " ",
		"\t", "home-mobile", "service", "11", "99", "TR", "#", "\r",
		"ipx-carrier-a", "domestic", "bank", "1234567890123456789",
		"+", "x", "\n", "\n", "\n", "\xff", "7701*", "unlisted"};
	char buf[512];
	int counts[2] = {0, 0};

	for (int iter = 0; iter < 400; iter++) {
		size_t len = 0;
		int ntok = (int)(rnd() % 40);
		sf_tables_src_t s = {0};
		sf_tables_t *t = (sf_tables_t *)&s;
		sf_err_t err;
		int rc;

		for (int i = 0; i < ntok; i++) {
			const char *w = tok[rnd() % (sizeof(tok) /
						     sizeof(*tok))];
			size_t wl = strlen(w);

			if (rnd() % 8 == 0) {
				buf[len++] = (char)(rnd() % 256);
			} else if (len + wl < sizeof(buf) - 2) {
				memcpy(buf + len, w, wl);
				len += wl;
			}
		}
		write_file(tmpf("garbage.csv"), buf, len);
		s.trunk_names = trunks;
		s.n_trunks = 3;
		switch (iter % 4) {
		case 0: s.plan = tmpf("garbage.csv"); break;
		case 1: s.roaming = tmpf("garbage.csv"); break;
		case 2: s.substitution = tmpf("garbage.csv"); break;
		default: s.allow = tmpf("garbage.csv"); break;
		}
		rc = sf_tables_load(&s, &t, &err);
		if (rc == 0) {
			counts[0]++;
			sf_tables_free(t);
		} else {
			counts[1]++;
			if (rc != SF_EPARSE || t != NULL || err.line == 0 ||
			    err.msg[0] == '\0') {
				T_FAIL_AT("garbage %d: rc %d line %u '%s'",
					  iter, rc, err.line, err.msg);
				break;
			}
		}
	}
	T_TRUE(counts[0] > 0 && counts[1] > 0); /* both outcomes reached */
}

/* Longest-prefix match of the plan (short prefixes from the direct array,
 * longer ones from the JudyL) against a brute-force scan, on random plans
 * with prefixes of 1..7 digits and with long prefixes only. */
static void test_plan_lpm_differential(void)
{
	enum { NP = 400, NQ = 20000 };
	static char pfx[NP][8];
	char *csv = malloc(NP * 48), line[64];
	uint64_t seed = 12345;

	for (int round = 0; round < 2; round++) {
		sf_tables_src_t src = {0};
		sf_tables_t *t = NULL;
		sf_err_t err;
		size_t len = 0;
		int np = 0;

		for (int i = 0; i < NP; i++) {
			unsigned pl;
			bool dup = false;

			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			pl = round ? 5 + (unsigned)(seed >> 60) % 3
				   : 1 + (unsigned)(seed >> 59) % 7;
			for (unsigned k = 0; k < pl; k++) {
				seed = seed * 6364136223846793005ull + 1;
				/* few distinct digits: many nested prefixes */
				pfx[np][k] = (char)('7' + (seed >> 62) % 3);
			}
			pfx[np][pl] = 0;
			for (int j = 0; j < np; j++)
				dup |= !strcmp(pfx[j], pfx[np]);
			if (dup)
				continue;
			len += (size_t)snprintf(csv + len, NP * 48 - len,
						"%s,foreign,1,15,op%d\n",
						pfx[np], np);
			np++;
		}
		write_file(tmpf("lpm-plan.csv"), csv, len);
		src.plan = tmpf("lpm-plan.csv");
		src.max_shrink = 1.0;
		T_EQ_INT(sf_tables_load(&src, &t, &err), 0);
		if (!t)
			break;
		for (int q = 0; q < NQ; q++) {
			sf_plan_entry_t e;
			sf_num_t n;
			int best = -1;
			unsigned ql;
			bool hit;

			seed = seed * 6364136223846793005ull + 1;
			ql = 1 + (unsigned)(seed >> 60) % 12;
			for (unsigned k = 0; k < ql; k++) {
				seed = seed * 6364136223846793005ull + 1;
				line[k] = (char)('7' + (seed >> 62) % 3);
			}
			line[ql] = 0;
			for (int j = 0; j < np; j++) {
				size_t pl = strlen(pfx[j]);

				if (pl <= ql && !memcmp(pfx[j], line, pl) &&
				    (best < 0 || pl > strlen(pfx[best])))
					best = j;
			}
			n = num(line);
			hit = sf_tables_plan_lookup(t, &n, &e);
			T_EQ_INT(hit, best >= 0);
			if (hit && best >= 0) {
				char op[16];

				snprintf(op, sizeof(op), "op%d", best);
				T_EQ_STR(e.operator_name, op);
				T_EQ_INT(e.prefix_len, strlen(pfx[best]));
			}
			if (t_cur_failed) {
				fprintf(stderr, "    round %d number %s\n",
					round, line);
				break;
			}
		}
		sf_tables_free(t);
	}
	free(csv);
}

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sf_test_tables_XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	T_RUN(test_plan_lookup);
	T_RUN(test_roaming_lookup);
	T_RUN(test_subst_lookup);
	T_RUN(test_allow_lookup);
	T_RUN(test_number_facts_agree);
	T_RUN(test_empty_and_null_paths);
	T_RUN(test_crlf_and_no_final_newline);
	T_RUN(test_text_sources);
	T_RUN(test_bad_lines);
	T_RUN(test_bad_bytes);
	T_RUN(test_io_errors);
	T_RUN(test_unknown_trunk_no_trunks);
	T_RUN(test_shrink_guard);
	T_RUN(test_roaming_update);
	T_RUN(test_free_from_threads);
	T_RUN(test_alloc_failures);
	T_RUN(test_judy_alloc_failures);
	T_RUN(test_embedder_alloc);
	T_RUN(test_selftest);
	T_RUN(test_roaming_differential);
	T_RUN(test_sorted_batches);
	T_RUN(test_random_garbage);
	T_RUN(test_plan_lpm_differential);
	if (nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return T_DONE();
}
