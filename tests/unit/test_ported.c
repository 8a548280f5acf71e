/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_ported.c - mobile number portability: the ported table
 * (tables/tbl_ported.c), its config (`tables.ported`, config/cfg_tables.c)
 * and what the engine makes of it; also the feed-format keys every table's
 * map may carry (separator, header).
 *
 * A number ported to one of our operators is home-mobile and gets the
 * roaming check; a number of our range ported away gets the ported-out
 * class and escapes it; a number nobody ported keeps its plan class.
 * Also: the operator shown is the current one, lengths stay the range's,
 * a ported number outside the plan, later lines win, bad lines name
 * file:line:col, the shrink guard covers the table, and the config's
 * errors (plain path, missing home_operators, unknown out_class).
 */
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sipfilter/engine/sf_engine.h"
#include "sipfilter/lib/sf_load.h"

static const char plan_text[] =
	"7,foreign,11,11,Russia\n"
	"77,domestic-other,11,11,Kazakhstan (other)\n"
	"7701,home-mobile,11,11,Example Mobile\n"
	"7705,domestic-other,11,11,Operator B\n";

static const char ported_text[] =
	"# number,operator[,more]\n"
	"77011110001,Operator B,2024-01-05\n"     /* ours, ported out */
	"77051110002,EXAMPLE MOBILE\n"            /* B's, ported in */
	"77051110003,Operator C\n"                /* B -> C: out */
	"77011110004,Operator B\n"
	"77011110004,Example Mobile\n"            /* ported back: later wins */
	"79991110005,Example Mobile\n";           /* outside the plan */

static const char *const home[] = {"Example Mobile"};

static sf_num_t num(const char *s)
{
	sf_num_t n;

	if (sf_num_parse_key(s, strlen(s), &n) < 0) {
		fprintf(stderr, "test bug: bad number %s\n", s);
		exit(2);
	}
	return n;
}

static sf_tables_t *load(const char *ported, sf_class_t out_class,
			 sf_err_t *err)
{
	sf_tables_src_t src = {0};
	sf_tables_t *t = NULL;

	src.plan = "plan.csv";
	src.plan_text = sf_str(plan_text, strlen(plan_text));
	src.ported = "ported.csv";
	src.ported_text = sf_str(ported, strlen(ported));
	src.home_operators = home;
	src.n_home_operators = 1;
	src.ported_out_class = out_class;
	sf_err_clear(err);
	if (sf_tables_load(&src, &t, err) < 0)
		return NULL;
	return t;
}

static void expect_class(const sf_tables_t *t, const char *number,
			 sf_class_t cls, sf_ported_t ported, const char *op,
			 int line)
{
	sf_num_t n = num(number);
	sf_plan_entry_t e;
	sf_number_facts_t nf;

	memset(&e, 0, sizeof(e));
	if (!sf_tables_plan_lookup(t, &n, &e)) {
		T_FAIL_AT("line %d: %s not classified", line, number);
		return;
	}
	if (e.cls != cls || e.ported != ported ||
	    strcmp(e.operator_name, op) != 0)
		T_FAIL_AT("line %d: %s: got %s ported %s '%s', want %s "
			  "ported %s '%s'", line, number, sf_class_name(e.cls),
			  sf_ported_name(e.ported), e.operator_name,
			  sf_class_name(cls), sf_ported_name(ported), op);
	/* number_facts must say the same */
	sf_tables_number_facts(t, -1, &n, &nf);
	T_TRUE(nf.in_plan);
	T_EQ_INT(nf.plan.cls, cls);
	T_EQ_INT(nf.plan.ported, ported);
	T_EQ_STR(nf.plan.operator_name, op);
}

#define CLS(n, c, p, o) expect_class(t, n, c, p, o, __LINE__)

static void test_classify(void)
{
	sf_err_t err;
	sf_tables_t *t = load(ported_text, SF_CLASS_UNLISTED, &err);
	sf_tables_stats_t st;
	sf_plan_entry_t e;
	sf_num_t n;

	T_TRUE(t != NULL);
	if (!t) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	CLS("77011110001", SF_CLASS_DOMESTIC_OTHER, SF_PORTED_OUT,
	    "Operator B");
	CLS("77051110002", SF_CLASS_HOME_MOBILE, SF_PORTED_IN,
	    "EXAMPLE MOBILE");
	CLS("77051110003", SF_CLASS_DOMESTIC_OTHER, SF_PORTED_OUT,
	    "Operator C");
	CLS("77011110004", SF_CLASS_HOME_MOBILE, SF_PORTED_IN,
	    "Example Mobile");
	CLS("77011119999", SF_CLASS_HOME_MOBILE, SF_PORTED_NONE,
	    "Example Mobile");
	CLS("77051119999", SF_CLASS_DOMESTIC_OTHER, SF_PORTED_NONE,
	    "Operator B");
	/* the range's lengths stay the plan's; outside the plan its own */
	n = num("77051110002");
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_INT(e.min_len, 11);
	T_EQ_INT(e.max_len, 11);
	T_EQ_INT(e.prefix_len, 4);
	n = num("79991110005");
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_INT(e.cls, SF_CLASS_HOME_MOBILE);
	T_EQ_INT(e.ported, SF_PORTED_IN);
	n = num("88881110005");
	T_TRUE(!sf_tables_plan_lookup(t, &n, &e));
	/* a prefix of a ported number is not ported */
	n = num("7701111000");
	T_TRUE(sf_tables_plan_lookup(t, &n, &e));
	T_EQ_INT(e.ported, SF_PORTED_NONE);
	sf_tables_stats(t, &st);
	T_EQ_INT(st.ported_rows, 5);
	T_TRUE(st.ported_bytes > 0);
	sf_tables_free(t);

	/* the configured ported-out class */
	t = load(ported_text, SF_CLASS_FOREIGN, &err);
	T_TRUE(t != NULL);
	if (t)
		CLS("77011110001", SF_CLASS_FOREIGN, SF_PORTED_OUT,
		    "Operator B");
	sf_tables_free(t);
	T_EQ_STR(sf_ported_name(SF_PORTED_NONE), "no");
	T_EQ_STR(sf_ported_name(SF_PORTED_IN), "in");
	T_EQ_STR(sf_ported_name(SF_PORTED_OUT), "out");
}

static void expect_bad(const char *text, unsigned line, unsigned col,
		       const char *msg, int at)
{
	sf_err_t err;
	sf_tables_t *t = load(text, SF_CLASS_UNLISTED, &err);

	if (t) {
		T_FAIL_AT("line %d: loaded", at);
		sf_tables_free(t);
		return;
	}
	if (err.code != SF_EPARSE || err.line != line || err.col != col ||
	    strcmp(err.file, "ported.csv") != 0 || strcmp(err.msg, msg) != 0)
		T_FAIL_AT("line %d: got %s:%u:%u: %s", at, err.file, err.line,
			  err.col, err.msg);
}

static void test_bad_lines(void)
{
	expect_bad("77011110001,B\n77011110002\n", 2, 12,
		   "missing operator (expected number,operator)", __LINE__);
	expect_bad("77011110001,  \n", 1, 13,
		   "missing operator (expected number,operator)", __LINE__);
	expect_bad("short:102,B\n", 1, 1,
		   "short code short:102 cannot be ported (expected an "
		   "E.164 number)", __LINE__);
	expect_bad("7701*,B\n", 1, 5,
		   "a trailing '*' is not allowed in the ported table "
		   "(entries are single numbers)", __LINE__);
	expect_bad("\n\n7701x110001,B\n", 3, 5,
		   "bad character 'x' in number '7701x110001' (expected "
		   "E.164 digits with optional '+', or short:DIGITS)",
		   __LINE__);
}

static void test_shrink(void)
{
	sf_err_t err;
	sf_tables_t *prev = load(ported_text, SF_CLASS_UNLISTED, &err);
	sf_tables_src_t src = {0};
	sf_tables_t *t = NULL;
	static const char one[] = "77011110001,B\n";

	T_TRUE(prev != NULL);
	src.plan = "plan.csv";
	src.plan_text = sf_str(plan_text, strlen(plan_text));
	src.ported = "ported.csv";
	src.ported_text = sf_str(one, strlen(one));
	src.previous = prev;
	src.max_shrink = 0.5;
	sf_err_clear(&err);
	T_EQ_INT(sf_tables_load(&src, &t, &err), SF_ESHRINK);
	T_CONTAINS(err.msg, "ported table would shrink from 5 to 1 rows");
	src.max_shrink = 1.0;
	T_EQ_INT(sf_tables_load(&src, &t, &err), 0);
	sf_tables_free(t);
	sf_tables_free(prev);
}

/* --- config and engine ---------------------------------------------------- */

static char dir[64];

static void put(const char *name, const char *text)
{
	char p[256];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fp = fopen(p, "w");
	if (!fp) {
		perror(p);
		exit(2);
	}
	fputs(text, fp);
	fclose(fp);
}

static const char cfg_head[] =
	"dialling: {country_code: \"7\", national_prefix: \"8\", "
	"international_prefixes: [\"810\"], national_length: 10}\n"
	"trunks:\n"
	"  - {name: intl, kind: international, sources: [\"127.0.0.2\"], "
	"next_hop: \"udp:127.0.0.1:5070\"}\n"
	"emergency: [\"112\"]\n"
	"rules:\n"
	"  - name: home-mobile-not-roaming\n"
	"    when: {trunk_kind: [international], class: [home-mobile], "
	"roaming: false}\n"
	"    action: reject\n"
	"    code: 603\n"
	"  - name: other-from-abroad\n"
	"    when: {trunk_kind: [international], class: [domestic-other]}\n"
	"    action: tag\n";

static int parse(const char *tables_yaml, sf_cfg_t **cfg, sf_diag_t *diag)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", cfg_head, tables_yaml);
	sf_diag_init(diag);
	return sf_cfg_parse("t.yaml", text, strlen(text), dir, cfg, diag);
}

static void expect_cfg_error(const char *tables_yaml, const char *want)
{
	sf_cfg_t *cfg = NULL;
	sf_diag_t *diag = malloc(sizeof(*diag));
	char buf[2048] = "";
	FILE *fp;

	T_TRUE(parse(tables_yaml, &cfg, diag) < 0);
	fp = fmemopen(buf, sizeof(buf) - 1, "w");
	sf_diag_print(diag, fp);
	fclose(fp);
	T_CONTAINS(buf, want);
	sf_cfg_free(cfg);
	free(diag);
}

static void verdict(const sf_cfg_t *cfg, const sf_tables_t *t,
		    const char *number, const char *rule, sf_ported_t ported,
		    int line)
{
	sf_call_t call;
	sf_verdict_t v;

	sf_call_from_numbers(cfg, number, "+77019999999", &call);
	sf_engine_judge(cfg, t, &call, 0, &v);
	if (strcmp(v.rule_name, rule) != 0 || v.facts.ported != (int)ported)
		T_FAIL_AT("line %d: %s: rule '%s' ported %s, want '%s' %s",
			  line, number, v.rule_name,
			  sf_ported_name((sf_ported_t)v.facts.ported), rule,
			  sf_ported_name(ported));
}

static void test_engine(void)
{
	sf_cfg_t *cfg = NULL;
	sf_diag_t *diag = malloc(sizeof(*diag));
	sf_tables_t *t = NULL;
	sf_err_t err;

	put("plan.csv", plan_text);
	put("ported.csv", ported_text);
	put("roaming.csv", "77051110002,TR\n");
	put("empty.csv", "");
	if (parse("tables:\n  numbering_plan: plan.csv\n"
		  "  ported: {file: ported.csv, home_operators: "
		  "[\"Example Mobile\"]}\n", &cfg, diag) < 0) {
		sf_diag_print(diag, stderr);
		T_FAIL_AT("config refused");
		free(diag);
		return;
	}
	T_EQ_INT(cfg->n_home_operators, 1);
	T_EQ_INT(cfg->ported_out_class, SF_CLASS_DOMESTIC_OTHER);
	sf_err_clear(&err);
	T_EQ_INT(sf_load_tables(cfg, NULL, &t, &err), 0);
	/* ours, ported out: no roaming check, the other-operator rule */
	verdict(cfg, t, "+77011110001", "other-from-abroad", SF_PORTED_OUT,
		__LINE__);
	/* B's, ported in, not roaming: rejected like our own */
	verdict(cfg, t, "+77051110002", "home-mobile-not-roaming",
		SF_PORTED_IN, __LINE__);
	/* not ported: the plan decides */
	verdict(cfg, t, "+77011112222", "home-mobile-not-roaming",
		SF_PORTED_NONE, __LINE__);
	verdict(cfg, t, "+77051112222", "other-from-abroad", SF_PORTED_NONE,
		__LINE__);
	sf_tables_free(t);
	sf_cfg_free(cfg);

	/* ported in and roaming: allowed */
	cfg = NULL;
	T_EQ_INT(parse("tables:\n  numbering_plan: plan.csv\n"
		       "  roaming: roaming.csv\n"
		       "  ported: {file: ported.csv, home_operators: "
		       "[\"Example Mobile\"], out_class: foreign}\n",
		       &cfg, diag), 0);
	if (cfg) {
		T_EQ_INT(cfg->ported_out_class, SF_CLASS_FOREIGN);
		T_EQ_INT(sf_load_tables(cfg, NULL, &t, &err), 0);
		verdict(cfg, t, "+77051110002", "", SF_PORTED_IN, __LINE__);
		verdict(cfg, t, "+77011110001", "", SF_PORTED_OUT, __LINE__);
		sf_tables_free(t);
	}
	sf_cfg_free(cfg);
	free(diag);

	expect_cfg_error("tables:\n  ported: ported.csv\n",
			 "t.yaml:14:11: error: 'tables.ported' needs its "
			 "home_operators");
	expect_cfg_error("tables:\n  ported: {file: ported.csv}\n",
			 "t.yaml:14:11: error: 'tables.ported' needs "
			 "'home_operators'");
	expect_cfg_error("tables:\n  ported: {file: ported.csv, "
			 "home_operators: [x], out_class: domestic}\n",
			 "unknown out_class 'domestic'");
	expect_cfg_error("tables:\n  roaming: {file: empty.csv, "
			 "home_operators: [x]}\n",
			 "'home_operators' is a setting of the ported table, "
			 "not of 'tables.roaming'");
	expect_cfg_error("tables:\n  roaming: {file: empty.csv, "
			 "separator: \"|\"}\n",
			 "unknown separator '|'; expected one of auto, ,, ;");
	expect_cfg_error("tables:\n  roaming: {file: empty.csv, "
			 "header: maybe}\n",
			 "unknown header 'maybe'; expected one of auto, true, "
			 "false");
	cfg = NULL;
	T_EQ_INT(parse("tables:\n  roaming: {file: empty.csv, separator: "
		       "\";\", header: true}\n  allow: {file: empty.csv, "
		       "header: false}\n", &cfg, diag = malloc(sizeof(*diag))),
		 0);
	if (cfg) {
		T_EQ_INT(cfg->table_fmt[1].sep, 2);
		T_EQ_INT(cfg->table_fmt[1].header, 1);
		T_EQ_INT(cfg->table_fmt[3].header, 2);
		T_EQ_INT(cfg->table_fmt[0].sep, 0);
	}
	sf_cfg_free(cfg);
	free(diag);
	expect_cfg_error("tables:\n  ported: {home_operators: [x]}\n",
			 "'tables.ported' needs 'file'");
	expect_cfg_error("tables:\n  ported: {file: nosuch.csv, "
			 "home_operators: [x]}\n",
			 "table file 'nosuch.csv' not found");
}

int main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/sf-ported-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	T_RUN(test_classify);
	T_RUN(test_bad_lines);
	T_RUN(test_shrink);
	T_RUN(test_engine);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return T_DONE();
}
