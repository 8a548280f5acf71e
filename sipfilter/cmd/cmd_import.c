/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_import.c - `sipfilter import-ranges`: a regulator's range export
 * (from,to,class_or_operator[,operator]) to numbering-plan rows on
 * stdout, the fewest prefixes that cover exactly those ranges
 * (tables/sf_ranges.h); overlaps and gaps warned on stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf_cmds.h"
#include "tables/sf_ranges.h"

#define MAX_HOME 16
#define MAX_WARN 50 /* warnings printed; the rest are counted */

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: sipfilter import-ranges [--class CLASS] [--home "
		"OPERATOR]... [--separator auto|,|;] [--header "
		"auto|true|false] [--quiet] FILE\n"
		"Turns a range export, one range a line as "
		"from,to,class_or_operator[,operator],\n"
		"into numbering-plan rows (prefix,class,min_len,max_len,"
		"operator) on stdout:\n"
		"the fewest prefixes whose longest-prefix match covers "
		"exactly those ranges.\n"
		"  --class CLASS      class of rows naming an operator "
		"(default domestic-other)\n"
		"  --home OPERATOR    an operator that is ours: its rows are "
		"home-mobile\n"
		"  --separator, --header   how FILE is written (default: "
		"detected)\n"
		"  --quiet            no summary line on stderr\n"
		"Overlaps and gaps are warned about on stderr.  Exit 0, or 2 "
		"with file:line:col.\n"
		"Classes: %s\n", sf_class_all_names());
}

typedef struct warn_state {
	size_t n;
} warn_state_t;

static void on_warn(void *ctx, const char *msg)
{
	warn_state_t *w = ctx;

	if (w->n++ < MAX_WARN)
		fprintf(stderr, "warning: %s\n", msg);
}

static int parse_fmt(const char *sep, const char *hdr, sf_table_format_t *f)
{
	f->sep = !sep || !strcmp(sep, "auto") ? SF_TABLE_SEP_AUTO
		 : !strcmp(sep, ",")          ? SF_TABLE_SEP_COMMA
		 : !strcmp(sep, ";")          ? SF_TABLE_SEP_SEMICOLON
					      : 255;
	f->header = !hdr || !strcmp(hdr, "auto") ? SF_TABLE_HEADER_AUTO
		    : !strcmp(hdr, "true")        ? SF_TABLE_HEADER_YES
		    : !strcmp(hdr, "false")       ? SF_TABLE_HEADER_NO
						  : 255;
	return f->sep == 255 || f->header == 255 ? -1 : 0;
}

int sf_cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"class", required_argument, NULL, 'C'},
		{"home", required_argument, NULL, 'H'},
		{"separator", required_argument, NULL, 's'},
		{"header", required_argument, NULL, 'r'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *home[MAX_HOME], *sep = NULL, *hdr = NULL;
	sf_ranges_opts_t o = {0};
	sf_ranges_result_t res;
	warn_state_t w = {0};
	bool quiet = false;
	sf_err_t err;
	int c, cls;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			cls = sf_class_parse(optarg, strlen(optarg));
			if (cls <= SF_CLASS_UNLISTED) {
				fprintf(stderr, "sipfilter import-ranges: "
					"unknown class '%s' (classes: %s)\n",
					optarg, sf_class_all_names());
				return SF_EXIT_USAGE;
			}
			o.default_class = (sf_class_t)cls;
			break;
		case 'H':
			if (o.n_home_operators == MAX_HOME) {
				fprintf(stderr, "sipfilter import-ranges: at "
					"most %d --home\n", MAX_HOME);
				return SF_EXIT_USAGE;
			}
			home[o.n_home_operators++] = optarg;
			break;
		case 's': sep = optarg; break;
		case 'r': hdr = optarg; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return SF_EXIT_OK;
		default: usage(stderr); return SF_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || parse_fmt(sep, hdr, &o.fmt) < 0) {
		usage(stderr);
		return SF_EXIT_USAGE;
	}
	o.path = argv[optind];
	o.home_operators = home;
	o.warn = on_warn;
	o.warn_ctx = &w;
	sf_err_clear(&err);
	if (sf_ranges_import(&o, &res, &err) < 0) {
		sf_err_print(&err, stderr);
		return err.code == SF_ENOMEM ? SF_EXIT_FAIL : SF_EXIT_USAGE;
	}
	if (w.n > MAX_WARN)
		fprintf(stderr, "(%zu more warnings not shown)\n",
			w.n - MAX_WARN);
	printf("# prefix,class,min_len,max_len,operator  (sipfilter "
	       "import-ranges %s)\n", o.path);
	for (size_t i = 0; i < res.n_rows; i++) {
		const sf_plan_row_t *r = &res.rows[i];

		printf("%s,%s,%u,%u,%s\n", r->prefix, sf_class_name(r->cls),
		       r->min_len, r->max_len, r->operator_name);
	}
	if (!quiet)
		fprintf(stderr, "%s: %zu ranges, %llu numbers -> %zu "
			"prefixes (aligned blocks would take %zu); %zu "
			"overlaps, %zu gaps\n", o.path, res.n_ranges,
			(unsigned long long)res.numbers, res.n_rows,
			res.n_blocks, res.n_overlaps, res.n_gaps);
	sf_ranges_result_fini(&res);
	return fflush(stdout) == 0 ? SF_EXIT_OK : SF_EXIT_FAIL;
}
