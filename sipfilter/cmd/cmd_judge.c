/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_judge.c - `sipfilter judge`: what the proxy does with raw SIP
 * messages stored in files - the same admission (sf_admit.h) and verdict
 * for the same bytes from the same trunk.
 *
 * Each file holds one message as received (CRLF line endings).  Every
 * file gets a line: a judged INVITE its verdict, anything else what
 * admission decided and why (refuse: malformed, reject 405: method not
 * allowed, allow: in-dialog, ...); never a crash.  Exit 0 when every file
 * was read (whatever the outcome), 1 if a file could not be read, 2 on
 * usage or config errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf_cmds.h"
#include "sipfilter/engine/sf_explain.h"
#include "sipfilter/lib/sf_load.h"

#define JUDGE_MAX_FILE (256 * 1024)

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: sipfilter judge [-c CONFIG] [--trunk NAME | --source IP] "
		"[--tcp] [--json] MESSAGE_FILE...\n"
		"Prints the verdict for each raw SIP message file.\n"
		"  -c, --config FILE  config (default %s)\n"
		"  -t, --trunk NAME   ingress trunk\n"
		"  -s, --source IP    pick the trunk by source address, as the "
		"proxy does\n"
		"  --tcp              apply stream rules (Content-Length "
		"required)\n"
		"  --json             one JSON object per file\n"
		"Without --trunk/--source the first international trunk is "
		"assumed.\n"
		"The answer is what serve does with the same bytes from that "
		"trunk: admission\n(method, dialog, Max-Forwards, malformed "
		"input), then the verdict.\n",
		sf_default_config_path());
}

/* Reads a whole file (bounded).  Returns bytes or -1 with errno. */
static long read_file(const char *path, char *buf, size_t cap)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (!fp)
		return -1;
	n = fread(buf, 1, cap, fp);
	if (ferror(fp)) {
		fclose(fp);
		errno = EIO;
		return -1;
	}
	if (n == cap && fgetc(fp) != EOF) {
		fclose(fp);
		errno = EFBIG;
		return -1;
	}
	fclose(fp);
	return (long)n;
}

static void print_words(const sf_cfg_t *cfg, const char *file,
			const sf_admission_t *a, const sf_call_t *call)
{
	const sf_verdict_t *v = &a->v;
	char num[SF_NUM_MAX + 4], act[128];
	sf_report_t r;

	sf_report_of(a, &r);
	if (!a->judged) {
		if (r.code)
			printf("%s: %s %u by %s (%s)\n", file,
			       sf_word_name(r.applied), r.code, r.rule,
			       r.reason);
		else
			printf("%s: %s by %s (%s)\n", file,
			       sf_word_name(r.applied), r.rule, r.reason);
		return;
	}
	printf("%s: %s", file, sf_explain_action(v, act, sizeof(act)));
	if (v->rule_name[0])
		printf(" by %s", v->rule_name);
	if (v->mode == SF_MODE_MONITOR && v->action != SF_ACT_ALLOW)
		printf(" [monitor: call allowed]");
	if (a->why != SF_WHY_VERDICT)
		printf(" [%s: %s]", sf_word_name(r.applied), r.rule);
	printf("; number %s (%s%s%s%s), trunk %s, call-id %.*s\n",
	       v->facts.number.kind != SF_NUM_NONE
		       ? sf_num_format(&v->facts.number, num, sizeof(num))
		       : sf_norm_status_name(v->facts.norm_status),
	       sf_class_name(v->facts.cls),
	       v->facts.ported == SF_PORTED_IN    ? ", ported in"
	       : v->facts.ported == SF_PORTED_OUT ? ", ported out"
						  : "",
	       v->facts.decided_by < SF_IDK_COUNT ? ", from " : "",
	       sf_idkind_name(v->facts.decided_by),
	       sf_trunk_label(cfg, v->facts.trunk),
	       (int)call->call_id.len, call->call_id.s ? call->call_id.s : "");
	if (v->reason[0] && v->rule >= 0)
		printf("  reason: %s\n", v->reason);
}

int sf_cmd_judge(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"trunk", required_argument, NULL, 't'},
		{"source", required_argument, NULL, 's'},
		{"tcp", no_argument, NULL, 'T'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = sf_default_config_path();
	const char *trunk_name = NULL, *source = NULL;
	bool json = false, tcp = false;
	sf_cfg_t *cfg;
	sf_tables_t *tables;
	sf_sipmsg_t *msg;
	sf_call_t *call;
	sf_admission_t *a;
	sf_edge_t *edge;
	sf_admit_in_t in;
	char *buf;
	int c, trunk, rc = SF_EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:t:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 't': trunk_name = optarg; break;
		case 's': source = optarg; break;
		case 'T': tcp = true; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return SF_EXIT_OK;
		default: usage(stderr); return SF_EXIT_USAGE;
		}
	}
	if (optind >= argc || (trunk_name && source)) {
		usage(stderr);
		return SF_EXIT_USAGE;
	}
	if (sf_load_all(path, &cfg, &tables) < 0)
		return SF_EXIT_USAGE;
	memset(&in, 0, sizeof(in));
	if (trunk_name) {
		trunk = sf_cfg_trunk_find(cfg, trunk_name);
		if (trunk < 0) {
			fprintf(stderr, "sipfilter: no trunk named '%s' in %s\n",
				trunk_name, path);
			rc = SF_EXIT_USAGE;
			goto out;
		}
	} else if (source) {
		sf_ip_t ip;

		if (sf_ip_parse(source, strlen(source), &ip) < 0) {
			fprintf(stderr, "sipfilter: bad --source address '%s'\n",
				source);
			rc = SF_EXIT_USAGE;
			goto out;
		}
		in.src = ip;
		trunk = sf_cfg_trunk_match(cfg, &ip);
	} else {
		trunk = sf_default_trunk(cfg);
	}

	buf = malloc(JUDGE_MAX_FILE);
	msg = malloc(sizeof(*msg));
	call = malloc(sizeof(*call));
	a = malloc(sizeof(*a));
	edge = malloc(sizeof(*edge));
	if (!buf || !msg || !call || !a || !edge ||
	    sf_edge_init(edge, cfg, NULL, NULL) < 0) {
		fprintf(stderr, "sipfilter: out of memory\n");
		rc = SF_EXIT_FAIL;
		goto done;
	}
	in.tp = tcp ? SF_TP_TCP : SF_TP_UDP;
	in.sport = 5060;
	in.trunk = trunk;
	in.how = trunk_name ? SF_HOW_ASSUMED : SF_HOW_SOURCE;
	sf_identity_global_init();
	for (int i = optind; i < argc; i++) {
		long n = read_file(argv[i], buf, JUDGE_MAX_FILE);

		if (n < 0) {
			fprintf(stderr, "sipfilter: %s: %s\n", argv[i],
				strerror(errno));
			rc = SF_EXIT_FAIL;
			continue;
		}
		in.buf = buf;
		in.len = (size_t)n;
		sf_admit(edge, tables, &in, msg, call, a);
		if (json) {
			char out[8192];
			sf_jw_t w;

			sf_jw_init(&w, out, sizeof(out));
			sf_jw_obj_open(&w);
			sf_jw_str(&w, "file", argv[i]);
			sf_admission_json(cfg, a, a->judged ? call : NULL, &w);
			sf_jw_obj_close(&w);
			printf("%s\n", out);
		} else {
			print_words(cfg, argv[i], a, call);
		}
	}
done:
	free(buf);
	free(msg);
	free(call);
	free(a);
	free(edge);
out:
	sf_tables_free(tables);
	sf_cfg_free(cfg);
	return rc;
}
