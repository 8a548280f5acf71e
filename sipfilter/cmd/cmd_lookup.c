/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_lookup.c - `sipfilter lookup`: explain the verdict for one presented
 * number in plain words (or one JSON object with --json).
 *
 * The number goes through the same normalisation, tables and rules as a
 * live INVITE would; only the SIP parsing is skipped.  NUMBER is the
 * presentation number (From); --network adds a network number
 * (P-Asserted-Identity), and every identity is judged as for a call.
 * Without --trunk the first international trunk is assumed, since that is
 * where spoofed calls arrive, and the output says so.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "sf_cmds.h"
#include "sipfilter/engine/sf_explain.h"
#include "sipfilter/lib/sf_load.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: sipfilter lookup [-c CONFIG] [--trunk NAME] "
		"[--called NUMBER] [--network NUMBER] [--json] NUMBER\n"
		"Explains the verdict for a call presenting NUMBER (as From).\n"
		"  -c, --config FILE  config (default %s)\n"
		"  -t, --trunk NAME   ingress trunk (default: the first "
		"international trunk)\n"
		"  --called NUMBER    the called number (for emergency, MSRN "
		"and CLI=called rules)\n"
		"  --network NUMBER   a network number too (as P-Asserted-"
		"Identity)\n"
		"  --json             one JSON object on stdout\n",
		sf_default_config_path());
}

/* "TYPED -> +E164" or "TYPED (status)" for one identity. */
static void print_id(const char *label, const char *typed,
		     const sf_idfacts_t *x)
{
	char num[SF_NUM_MAX + 4];

	printf("%-10s %s", label, typed);
	if (x && x->number.kind != SF_NUM_NONE)
		printf(" -> %s", sf_num_format(&x->number, num, sizeof(num)));
	else if (x)
		printf(" (%s)", sf_norm_status_name(x->norm_status));
	printf("\n");
}

static void print_words(const sf_cfg_t *cfg, const char *typed,
			const char *network, const sf_verdict_t *v,
			bool trunk_default)
{
	const sf_facts_t *f = &v->facts;
	char num[SF_NUM_MAX + 4], buf[256];

	print_id("number", typed, sf_facts_presentation(f));
	if (network)
		print_id("network", network, sf_facts_network(f));
	if (network && f->decided_by < SF_IDK_COUNT)
		printf("decided by the %s number (%s)%s%s\n",
		       sf_idkind_role(f->decided_by),
		       sf_idkind_name(f->decided_by),
		       f->number.kind != SF_NUM_NONE ? " " : "",
		       f->number.kind != SF_NUM_NONE
			       ? sf_num_format(&f->number, num, sizeof(num))
			       : "");
	printf("trunk      %s (%s)%s\n", sf_trunk_label(cfg, f->trunk),
	       sf_trunk_kind_name(f->trunk_kind),
	       trunk_default ? " [default: first international trunk]" : "");
	if (f->number.kind != SF_NUM_NONE) {
		if (f->in_plan)
			printf("range      %s, %s; length %s\n",
			       sf_class_name(f->cls), f->operator_name,
			       f->length_valid ? "valid" : "INVALID");
		else
			printf("range      not in the numbering plan\n");
		if (f->ported == SF_PORTED_IN)
			printf("ported     in: now served by %s (ours), so "
			       "home-mobile\n", f->operator_name);
		else if (f->ported == SF_PORTED_OUT)
			printf("ported     out: now served by %s, so %s\n",
			       f->operator_name, sf_class_name(f->cls));
		else
			printf("ported     no\n");
		printf("roaming    %s%s%s\n", f->roaming ? "yes" : "no",
		       f->visited[0] ? ", in " : "", f->visited);
		if (f->substitution)
			printf("listed     on the substitution list: %s: %s\n",
			       f->subst_source, f->subst_reason);
		else
			printf("listed     not on the substitution list\n");
		printf("allowed    %s\n", f->allow_listed
						  ? "allow-listed on this trunk"
						  : "not allow-listed");
	}
	if (f->called.kind != SF_NUM_NONE)
		printf("called     %s (%s)%s\n",
		       sf_num_format(&f->called, num, sizeof(num)),
		       sf_class_name(f->called_cls),
		       f->emergency ? ", emergency: never blocked" : "");
	if (v->rule >= 0) {
		const sf_rule_t *r = &cfg->rules[v->rule];

		printf("rule       %s (%s line %u): %s [%s]\n", r->name,
		       cfg->path, r->line,
		       sf_explain_action(v, buf, sizeof(buf)),
		       sf_mode_name(r->mode));
		for (size_t i = 0; i < r->n_conds; i++)
			printf("  because  %s\n",
			       sf_explain_cond(cfg, &r->conds[i], f, buf,
					       sizeof(buf)));
		if (r->n_conds == 0)
			printf("  because  the rule has no conditions\n");
		if (v->reason[0])
			printf("reason     %s\n", v->reason);
	} else if (v->rule_name[0]) {
		printf("rule       %s: %s\n", v->rule_name, v->reason);
	} else {
		printf("rule       none matched\n");
	}
	printf("verdict    %s", sf_explain_action(v, buf, sizeof(buf)));
	if (v->mode == SF_MODE_MONITOR && v->action != SF_ACT_ALLOW)
		printf(" (monitor mode: would %s; the call is allowed)",
		       sf_action_name(v->action));
	printf("\n");
}

int sf_cmd_lookup(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"trunk", required_argument, NULL, 't'},
		{"called", required_argument, NULL, 'C'},
		{"network", required_argument, NULL, 'N'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = sf_default_config_path();
	const char *trunk_name = NULL, *called = NULL, *network = NULL;
	bool json = false;
	sf_cfg_t *cfg;
	sf_tables_t *tables;
	sf_call_t call;
	sf_verdict_t v;
	int c, trunk;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 't': trunk_name = optarg; break;
		case 'C': called = optarg; break;
		case 'N': network = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return SF_EXIT_OK;
		default: usage(stderr); return SF_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return SF_EXIT_USAGE;
	}
	if (sf_load_all(path, &cfg, &tables) < 0)
		return SF_EXIT_USAGE;
	if (trunk_name) {
		trunk = sf_cfg_trunk_find(cfg, trunk_name);
		if (trunk < 0) {
			fprintf(stderr, "sipfilter: no trunk named '%s' in %s\n",
				trunk_name, path);
			sf_tables_free(tables);
			sf_cfg_free(cfg);
			return SF_EXIT_USAGE;
		}
	} else {
		trunk = sf_default_trunk(cfg);
	}
	sf_identity_global_init();
	sf_call_from_identities(cfg, argv[optind], network, called, &call);
	sf_engine_judge(cfg, tables, &call, trunk, &v);
	if (json) {
		char buf[4096];
		sf_jw_t w;

		sf_jw_init(&w, buf, sizeof(buf));
		sf_jw_obj_open(&w);
		sf_jw_str(&w, "input", argv[optind]);
		sf_verdict_json(cfg, &v, NULL, &w);
		sf_jw_obj_close(&w);
		printf("%s\n", buf);
	} else {
		print_words(cfg, argv[optind], network, &v, trunk_name == NULL);
	}
	sf_tables_free(tables);
	sf_cfg_free(cfg);
	return SF_EXIT_OK;
}
