/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_feeds.c - table files as feeds write them (tables/tbl_fields.c):
 * every shape against the plain file it stands for - a header row
 * (detected and declared), a UTF-8 byte order mark, ';' separators
 * (detected and declared), RFC 4180 quoted fields with separators and
 * doubled quotes inside, CRLF - for each of the five tables; and the
 * exact file:line:col of each bad shape (a quote left open, text after a
 * closing quote, a declared separator the file does not use, a header
 * where none is declared, a bad number inside quotes after a BOM).
 */
#include "t.h"

#include <stdio.h>
#include <string.h>

#include "tables/sf_tables.h"

enum { PLAN, ROAM, SUBST, ALLOW, PORTED };

static const char *const trunks[] = {"ipx-a", "ipx-b"};
static const char *const home[] = {"Example Mobile"};

static int load(int which, const char *text, sf_table_format_t fmt,
		sf_tables_t **t, sf_err_t *err)
{
	sf_tables_src_t src = {0};
	sf_str_t v = sf_str(text, strlen(text));
	const char *name = "feed.csv";

	src.trunk_names = trunks;
	src.n_trunks = 2;
	src.home_operators = home;
	src.n_home_operators = 1;
	switch (which) {
	case PLAN: src.plan = name, src.plan_text = v, src.plan_fmt = fmt;
		break;
	case ROAM: src.roaming = name, src.roaming_text = v;
		src.roaming_fmt = fmt;
		break;
	case SUBST: src.substitution = name, src.substitution_text = v;
		src.substitution_fmt = fmt;
		break;
	case ALLOW: src.allow = name, src.allow_text = v, src.allow_fmt = fmt;
		break;
	default: src.ported = name, src.ported_text = v, src.ported_fmt = fmt;
	}
	*t = NULL;
	sf_err_clear(err);
	return sf_tables_load(&src, t, err);
}

static sf_num_t num(const char *s)
{
	sf_num_t n;

	sf_num_parse_key(s, strlen(s), &n);
	return n;
}

/* What a loaded table says about the probe numbers, as one string. */
static void describe(int which, const sf_tables_t *t, char *out, size_t cap)
{
	static const char *const probes[] = {"77011234567", "77021112233",
					     "77051110002", "102"};
	sf_tables_stats_t st;
	size_t used = 0;

	sf_tables_stats(t, &st);
	used += (size_t)snprintf(out, cap, "rows %zu/%zu/%zu/%zu/%zu;",
				 st.plan_rows, st.roaming_rows, st.subst_rows,
				 st.allow_rows, st.ported_rows);
	for (size_t i = 0; i < 4 && used < cap; i++) {
		sf_num_t n = num(probes[i]);
		sf_plan_entry_t pe = {0};
		sf_subst_entry_t se = {0};
		char cc[3] = "";

		if (i == 3)
			n = num("short:102");
		switch (which) {
		case PLAN:
		case PORTED:
			if (sf_tables_plan_lookup(t, &n, &pe))
				used += (size_t)snprintf(
					out + used, cap - used, " %s:%s/%s",
					probes[i], sf_class_name(pe.cls),
					pe.operator_name);
			break;
		case ROAM:
			if (sf_tables_is_roaming(t, &n, cc))
				used += (size_t)snprintf(out + used,
							 cap - used, " %s:%s",
							 probes[i], cc);
			break;
		case SUBST:
			if (sf_tables_subst_lookup(t, &n, &se))
				used += (size_t)snprintf(
					out + used, cap - used, " %s:%s/%s",
					probes[i], se.source, se.reason);
			break;
		default:
			if (sf_tables_allowed(t, 1, &n))
				used += (size_t)snprintf(out + used,
							 cap - used, " %s",
							 probes[i]);
		}
	}
}

/* The feed text must load to what the plain text loads to. */
static void same(int which, const char *plain, const char *feed,
		 sf_table_format_t fmt, int line)
{
	sf_table_format_t none = {0};
	sf_tables_t *a, *b;
	sf_err_t err;
	char da[512], db[512];

	if (load(which, plain, none, &a, &err) < 0) {
		T_FAIL_AT("line %d: plain text refused: %s", line, err.msg);
		return;
	}
	if (load(which, feed, fmt, &b, &err) < 0) {
		T_FAIL_AT("line %d: feed refused: %s:%u:%u: %s", line,
			  err.file, err.line, err.col, err.msg);
		sf_tables_free(a);
		return;
	}
	describe(which, a, da, sizeof(da));
	describe(which, b, db, sizeof(db));
	if (strcmp(da, db) != 0)
		T_FAIL_AT("line %d: plain '%s' != feed '%s'", line, da, db);
	sf_tables_free(a);
	sf_tables_free(b);
}

#define AUTO ((sf_table_format_t){0, 0})
#define SEMI ((sf_table_format_t){SF_TABLE_SEP_SEMICOLON, 0})
#define COMMA ((sf_table_format_t){SF_TABLE_SEP_COMMA, 0})
#define HDR ((sf_table_format_t){0, SF_TABLE_HEADER_YES})
#define NOHDR ((sf_table_format_t){0, SF_TABLE_HEADER_NO})
#define SAME(w, p, f, fmt) same(w, p, f, fmt, __LINE__)
#define BOM "\xef\xbb\xbf"

static void test_shapes(void)
{
	static const char plan[] =
		"77,domestic-other,11,11,Other\n"
		"7701,home-mobile,11,11,Example Mobile; ours, \"main\"\n"
		"short:102,service,3,3,Police\n";
	static const char roam[] = "77011234567,TR\n77021112233\n";
	static const char subst[] =
		"77011234567,bank,inbound only, never calls\n"
		"7705*,regulator,block\n";
	static const char allow[] = "ipx-b,77011234567,centre\n"
				    "*,7702*,tests\n";
	static const char ported[] = "77051110002,Example Mobile\n"
				     "77011234567,Operator B\n";

	/* header rows, detected and declared */
	SAME(PLAN, plan,
	     "prefix,class,min_len,max_len,operator\n"
	     "77,domestic-other,11,11,Other\n"
	     "7701,home-mobile,11,11,Example Mobile; ours, \"main\"\n"
	     "short:102,service,3,3,Police\n", AUTO);
	SAME(ROAM, roam, "# feed\nnumber,visited\n77011234567,TR\n"
			 "77021112233\n", AUTO);
	SAME(ROAM, roam, "MSISDN,Страна\n77011234567,TR\n77021112233\n",
	     AUTO);
	SAME(ROAM, roam, "n,c\n77011234567,TR\n77021112233\n", HDR);
	SAME(ROAM, roam, "whatever\n77011234567,TR\n77021112233\n", HDR);
	SAME(ALLOW, allow, "trunk,number,comment\n"
			   "ipx-b,77011234567,centre\n*,7702*,tests\n", AUTO);
	/* an allow row starts with a name but has a number second */
	SAME(ALLOW, allow, allow, AUTO);
	/* BOM, CRLF, ';' detected and declared, quotes */
	SAME(ROAM, roam, BOM "77011234567,TR\r\n77021112233\r\n", AUTO);
	SAME(ROAM, roam, BOM "number;country\r\n77011234567;TR\r\n"
			 "77021112233\r\n", AUTO);
	SAME(ROAM, roam, "77021112233\n77011234567;TR\n", SEMI);
	SAME(ROAM, roam, "\"77011234567\",\"TR\"\n\"77021112233\"\n", AUTO);
	SAME(ROAM, roam, "\"+77011234567\" ; \"TR\"\n77021112233\n", AUTO);
	SAME(PLAN, plan,
	     BOM "\"prefix\";\"class\";\"min\";\"max\";\"operator\"\n"
	     "77;domestic-other;11;11;Other\n"
	     "\"7701\";\"home-mobile\";11;11;"
	     "\"Example Mobile; ours, \"\"main\"\"\"\n"
	     "short:102;service;3;3;Police\n", AUTO);
	SAME(PLAN, plan,
	     "77,domestic-other,11,11,\"Other\"\n"
	     "7701,\"home-mobile\",\"11\",11,"
	     "\"Example Mobile; ours, \"\"main\"\"\"\n"
	     "short:102,service,3,3,Police\n", COMMA);
	/* an unquoted last field keeps its quotes and separators */
	SAME(SUBST, subst, "77011234567,bank,inbound only, never calls\n"
			   "7705*,regulator,block\n", AUTO);
	SAME(SUBST, subst, "number;source;reason\n"
			   "77011234567;bank;\"inbound only, never calls\"\n"
			   "\"7705*\";regulator;block\n", AUTO);
	SAME(PORTED, ported, "number;operator;date\n"
			     "77051110002;\"Example Mobile\";2024-01-01\n"
			     "77011234567;\"Operator B\";\"2024-01-02\"\n",
	     AUTO);
}

static void bad(int which, const char *text, sf_table_format_t fmt,
		unsigned line, unsigned col, const char *msg, int at)
{
	sf_tables_t *t;
	sf_err_t err;

	if (load(which, text, fmt, &t, &err) == 0) {
		T_FAIL_AT("line %d: loaded", at);
		sf_tables_free(t);
		return;
	}
	if (err.line != line || err.col != col || strcmp(err.msg, msg) != 0)
		T_FAIL_AT("line %d: got feed.csv:%u:%u: %s, want %u:%u: %s",
			  at, err.line, err.col, err.msg, line, col, msg);
}

#define BAD(w, text, fmt, l, c, m) bad(w, text, fmt, l, c, m, __LINE__)

static void test_bad_shapes(void)
{
	BAD(ROAM, "77011234567,\"TR\n", AUTO, 1, 13,
	    "quoted field is not closed (a '\"' inside a quoted field is "
	    "written \"\")");
	BAD(PLAN, "\"7701\"x,home-mobile,11,11,A\n", AUTO, 1, 7,
	    "text after the closing quote of a quoted field");
	BAD(ROAM, "77011234567;TR\n", COMMA, 1, 12,
	    "bad character ';' in number '77011234567;TR' (expected E.164 "
	    "digits with optional '+', or short:DIGITS)");
	BAD(ROAM, "number,country\n77011234567,TR\n", NOHDR, 1, 1,
	    "bad character 'n' in number 'number' (expected E.164 digits "
	    "with optional '+', or short:DIGITS)");
	BAD(ROAM, BOM "number;country\n77011234567;TR\n\"7701x\";TR\n", AUTO,
	    3, 6,
	    "bad character 'x' in number '7701x' (expected E.164 digits "
	    "with optional '+', or short:DIGITS)");
	BAD(PORTED, "number;operator\n77051110002;\"\"\n", AUTO, 2, 14,
	    "missing operator (expected number,operator)");
	/* one field of letters is no header: a bad row */
	BAD(ROAM, "number\n77011234567\n", AUTO, 1, 1,
	    "bad character 'n' in number 'number' (expected E.164 digits "
	    "with optional '+', or short:DIGITS)");
}

int main(void)
{
	T_RUN(test_shapes);
	T_RUN(test_bad_shapes);
	return T_DONE();
}
