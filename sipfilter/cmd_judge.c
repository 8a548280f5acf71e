/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_judge.c - `sipfilter judge`: the verdict for raw SIP messages stored
 * in files, exactly as the proxy would decide for the same bytes.
 *
 * Each file holds one message as received (CRLF line endings).  A file
 * that is not a usable INVITE still gets a verdict line, with the reason
 * (malformed: <scanner error> / not-invite); it is never a crash.  Exit 0
 * when every file was read (whatever the verdicts), 1 if a file could not
 * be read, 2 on usage or config errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf_cmds.h"
#include "sf_explain.h"
#include "sf_load.h"

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
		"assumed.\n",
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
			const sf_verdict_t *v, const sf_call_t *call)
{
	char num[SF_NUM_MAX + 4], act[128];

	if (v->malformed) {
		printf("%s: %s (%s)\n", file, v->rule_name, v->reason);
		return;
	}
	printf("%s: %s", file, sf_explain_action(v, act, sizeof(act)));
	if (v->rule_name[0])
		printf(" by %s", v->rule_name);
	if (v->mode == SF_MODE_MONITOR && v->action != SF_ACT_ALLOW)
		printf(" [monitor: call allowed]");
	printf("; number %s (%s), trunk %s, call-id %.*s\n",
	       v->facts.number.kind != SF_NUM_NONE
		       ? sf_num_format(&v->facts.number, num, sizeof(num))
		       : sf_norm_status_name(v->facts.norm_status),
	       sf_class_name(v->facts.cls), sf_trunk_label(cfg, v->facts.trunk),
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
	bool json = false;
	sf_sip_limits_t lim = {0};
	sf_cfg_t *cfg;
	sf_tables_t *tables;
	sf_sipmsg_t *msg;
	sf_call_t *call;
	sf_verdict_t v;
	char *buf;
	int c, trunk, rc = SF_EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:t:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 't': trunk_name = optarg; break;
		case 's': source = optarg; break;
		case 'T': lim.stream = true; break;
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
	lim.max_message = cfg->serve.max_message;
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
		trunk = sf_cfg_trunk_match(cfg, &ip);
	} else {
		trunk = sf_default_trunk(cfg);
	}

	buf = malloc(JUDGE_MAX_FILE);
	msg = malloc(sizeof(*msg));
	call = malloc(sizeof(*call));
	if (!buf || !msg || !call) {
		fprintf(stderr, "sipfilter: out of memory\n");
		free(buf);
		free(msg);
		free(call);
		rc = SF_EXIT_FAIL;
		goto out;
	}
	sf_identity_global_init();
	for (int i = optind; i < argc; i++) {
		long n = read_file(argv[i], buf, JUDGE_MAX_FILE);

		if (n < 0) {
			fprintf(stderr, "sipfilter: %s: %s\n", argv[i],
				strerror(errno));
			rc = SF_EXIT_FAIL;
			continue;
		}
		sf_engine_judge_raw(cfg, tables, buf, (size_t)n, &lim, trunk,
				    msg, call, &v);
		if (json) {
			char out[8192];
			sf_jw_t w;

			sf_jw_init(&w, out, sizeof(out));
			sf_jw_obj_open(&w);
			sf_jw_str(&w, "file", argv[i]);
			if (v.malformed && v.sip_error != SF_SIP_OK)
				sf_jw_str(&w, "sip_error",
					  sf_sip_error_name(v.sip_error));
			sf_verdict_json(cfg, &v, v.malformed ? NULL : call,
					&w);
			sf_jw_obj_close(&w);
			printf("%s\n", out);
		} else {
			print_words(cfg, argv[i], &v, call);
		}
	}
	free(buf);
	free(msg);
	free(call);
out:
	sf_tables_free(tables);
	sf_cfg_free(cfg);
	return rc;
}
