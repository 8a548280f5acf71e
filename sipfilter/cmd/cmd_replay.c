/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_replay.c - `sipfilter replay`: offline verdicts over pcap/pcapng
 * captures, with the same engine `serve` runs.
 *
 * Inputs (files, directories = their files in name order, "-" = stdin;
 * gzip recognised by content) are merged in timestamp order, decoded by
 * capture/ (link layers, IP reassembly, TCP streams, HEP) and handed to
 * the report side (replay_core.c).  A corrupt or truncated file ends with
 * a clear error; what was read before is still reported, and the exit
 * status is then 1.  Exit 2 for usage and config errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture/sf_capdec.h"
#include "capture/sf_capfile.h"
#include "capture/sf_pcapw.h"
#include "sipfilter/replay/replay.h"
#include "sipfilter/replay/replay_discover.h"
#include "sipfilter/replay/replay_par.h"
#include "replay_inputs.h"
#include "sf_cmds.h"
#include "sipfilter/lib/sf_load.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: sipfilter replay [-c CONFIG] [OPTIONS] FILE|DIR|- ...\n"
		"Per-INVITE verdicts over pcap/pcapng captures (gzip ok), "
		"merged in time order.\n"
		"  -c, --config FILE     config (default %s)\n"
		"  -f, --filter BPF      capture filter, e.g. 'udp port 5060'\n"
		"  -F, --format FMT      jsonl | csv | text (default: jsonl, "
		"text on a terminal)\n"
		"  -o, --output FILE     records to FILE instead of stdout\n"
		"  -s, --summary         print a summary on stderr at the end\n"
		"  -S, --summary-only    no records, only the summary\n"
		"  -j, --jobs N          threads (default 1; 0 = one per CPU); "
		"the output is\n"
		"                        the same whatever N\n"
		"      --html FILE       the summary as one self-contained HTML "
		"page, with charts\n"
		"  -b, --bucket DUR      summary time buckets: 10s, 1m, 1h, 1d "
		"(default 1m)\n"
		"  -d, --diff OTHER.yaml judge every INVITE under OTHER too; "
		"print only the\n"
		"                        calls whose verdict changes and a "
		"transition matrix\n"
		"  -w, --write-pcap FILE write the SIP messages of selected "
		"calls (raw IP pcap)\n"
		"      --select SEL      action=NAME | rule=NAME | all "
		"(default action=reject)\n"
		"      --top N           top presented numbers per rule "
		"(default 5)\n"
		"      --ring-timeout DUR  give up a call with provisional "
		"responses only DUR\n"
		"                        after its INVITE (default 200s)\n"
		"      --call-timeout DUR  give up an answered call without "
		"a BYE DUR after\n"
		"                        its answer (default 4h)\n"
		"  -t, --assume-trunk NAME  every INVITE arrives on trunk NAME "
		"(a capture taken\n"
		"                        elsewhere than at the proxy); default: "
		"by source address,\n"
		"                        as serve does\n"
		"      --max-calls N     calls followed at once for their "
		"outcome (default 65536,\n"
		"                        with 512 bytes of record each: ~800 "
		"bytes of memory a call)\n"
		"      --discover FILE   candidate rows for the substitution "
		"table, with their\n"
		"                        evidence, as commented lines of the "
		"table's format\n"
		"      --discover-thresholds calls=N,fanout=N,travel=DUR,"
		"spray=N,prefix=N\n"
		"                        (default calls=20,fanout=5,travel=10m,"
		"spray=10,prefix=7)\n"
		"      --tz ZONE         summary times and buckets on ZONE's "
		"clock (e.g.\n"
		"                        Asia/Almaty); records stay UTC\n"
		"      --no-hep          do not decapsulate HEPv3\n"
		"      --progress / --no-progress  progress line on stderr "
		"(default: if a tty)\n"
		"Records say what serve would do with each INVITE (applied: "
		"allow, tag,\nwithhold, reject, refuse, drop) and what the "
		"call did in the capture\n(outcome, final_code, "
		"duration_ms, ...).\n"
		"Exit status: 0 ok, 1 unreadable or corrupt capture (after "
		"reporting what was\nread), 2 usage or config error.\n",
		sf_default_config_path());
}

static int parse_duration(const char *s, uint64_t *us)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	uint64_t mul = 1000000;

	if (end == s || v == 0)
		return -1;
	if (!strcmp(end, "s") || !*end)
		mul = 1000000;
	else if (!strcmp(end, "m"))
		mul = 60000000ull;
	else if (!strcmp(end, "h"))
		mul = 3600000000ull;
	else if (!strcmp(end, "d"))
		mul = 86400000000ull;
	else
		return -1;
	if (v > UINT64_MAX / mul)
		return -1;
	*us = v * mul;
	return 0;
}

/* ---- options -------------------------------------------------------------- */

/* Everything one run holds; released by cmd_fini whatever happened. */
typedef struct cmd {
	const char *cfg_path, *bpf, *format, *out_path, *diff_path;
	const char *pcap_path, *select, *assume, *html_path, *disc_path;
	replay_disc_opts_t disc;    /* --discover-thresholds */
	bool summary, summary_only, hep;
	int prog;                   /* --progress: 1, --no-progress: 0, -1 */
	unsigned jobs;              /* -j: threads, 1 = none started */
	uint32_t batch[3];          /* -j's batch msgs, bytes, window */
	sf_replay_opts_t ro;
	sf_cfg_t *cfg, *cfg2;
	sf_tables_t *tables, *tables2;
	FILE *out, *pcap_fp;
	sf_pcapw_t *pw;
	sf_replay_t *rp;
	sf_replay_par_t *par;       /* -j N > 1 */
	inputs_t in;
	run_t rn;
} cmd_t;

/* Defaults, and the hidden SIPFILTER_REPLAY_RING="SLOTS:BYTES" (a
 * smaller record ring), SIPFILTER_REPLAY_CALLS="STATES:BYTES" (a
 * smaller call table) and SIPFILTER_REPLAY_BATCH="MSGS:BYTES:WINDOW"
 * (-j's smaller batches and window), for tests. */
static void cmd_init(cmd_t *c)
{
	const char *e = getenv("SIPFILTER_REPLAY_RING");
	unsigned long a, b;

	memset(c, 0, sizeof(*c));
	c->cfg_path = sf_default_config_path();
	c->hep = true;
	c->prog = -1;
	c->jobs = 1;
	c->out = stdout;
	c->ro.bucket_us = 60000000ull;
	c->ro.hold_us = 32000000ull; /* 64*T1, RFC 3261 §17.1.1.2 */
	c->ro.top = 5;
	replay_disc_defaults(&c->disc);
	if (e && sscanf(e, "%lu:%lu", &a, &b) == 2 && a <= UINT32_MAX &&
	    b <= UINT32_MAX) {
		c->ro.ring_slots = (uint32_t)a;
		c->ro.ring_bytes = (uint32_t)b;
	}
	e = getenv("SIPFILTER_REPLAY_CALLS");
	if (e && sscanf(e, "%lu:%lu", &a, &b) == 2 && a <= UINT32_MAX &&
	    b <= UINT32_MAX) {
		c->ro.calls_max = (uint32_t)a;
		c->ro.calls_bytes = (uint32_t)b;
	}
	e = getenv("SIPFILTER_REPLAY_BATCH");
	if (e && sscanf(e, "%u:%u:%u", &c->batch[0], &c->batch[1],
			&c->batch[2]) != 3)
		memset(c->batch, 0, sizeof(c->batch));
}

/* A duration option into *us; false (said) when it is not one. */
static bool duration_opt(const char *name, const char *arg, uint64_t *us)
{
	if (parse_duration(arg, us) == 0)
		return true;
	fprintf(stderr, "sipfilter: bad --%s '%s' (use e.g. 30s, 1m, 1h)\n",
		name, arg);
	return false;
}

/* -j N: 1..PAR_THREADS_MAX threads, 0 = one per CPU.  0, or -1 (said). */
static int jobs_opt(const char *arg, unsigned *jobs)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (end == arg || *end || v > PAR_THREADS_MAX) {
		fprintf(stderr, "sipfilter: bad -j '%s' (0 = one per CPU, or "
			"1 .. %u)\n", arg, PAR_THREADS_MAX);
		return -1;
	}
	if (v == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		v = n < 1 ? 1 : n > PAR_THREADS_MAX ? PAR_THREADS_MAX
						    : (unsigned long)n;
	}
	*jobs = (unsigned)v;
	return 0;
}

/* --tz ZONE: a zone of the system's database (/usr/share/zoneinfo:
 * "Asia/Almaty", "Europe/London", "UTC") becomes the process's TZ, which
 * the summary's times use.  0, or -1 (said). */
static int set_tz(const char *zone)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zone);
	if (!*zone || zone[0] == '/' || strstr(zone, "..") ||
	    stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "sipfilter: --tz: unknown time zone '%s' (a "
			"name under /usr/share/zoneinfo, e.g. Asia/Almaty, "
			"UTC)\n", zone);
		return -1;
	}
	setenv("TZ", zone, 1);
	tzset();
	return 0;
}

/* The command line into c.  Returns -1 to go on, or the exit status. */
static int parse_opts(cmd_t *c, int argc, char **argv)
{
	enum { O_SELECT = 256, O_TOP, O_NOHEP, O_PROGRESS, O_NOPROGRESS,
	       O_RING_TO, O_CALL_TO, O_TZ, O_HTML, O_MAX_CALLS, O_DISCOVER,
	       O_DISC_TH };
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"filter", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, 'F'},
		{"output", required_argument, NULL, 'o'},
		{"summary", no_argument, NULL, 's'},
		{"summary-only", no_argument, NULL, 'S'},
		{"jobs", required_argument, NULL, 'j'},
		{"bucket", required_argument, NULL, 'b'},
		{"diff", required_argument, NULL, 'd'},
		{"write-pcap", required_argument, NULL, 'w'},
		{"select", required_argument, NULL, O_SELECT},
		{"assume-trunk", required_argument, NULL, 't'},
		{"top", required_argument, NULL, O_TOP},
		{"ring-timeout", required_argument, NULL, O_RING_TO},
		{"call-timeout", required_argument, NULL, O_CALL_TO},
		{"tz", required_argument, NULL, O_TZ},
		{"html", required_argument, NULL, O_HTML},
		{"max-calls", required_argument, NULL, O_MAX_CALLS},
		{"discover", required_argument, NULL, O_DISCOVER},
		{"discover-thresholds", required_argument, NULL, O_DISC_TH},
		{"no-hep", no_argument, NULL, O_NOHEP},
		{"progress", no_argument, NULL, O_PROGRESS},
		{"no-progress", no_argument, NULL, O_NOPROGRESS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:f:F:o:sSj:b:d:w:t:h", opts,
				NULL)) != -1) {
		switch (o) {
		case 'c': c->cfg_path = optarg; break;
		case 'f': c->bpf = optarg; break;
		case 'F': c->format = optarg; break;
		case 'o': c->out_path = optarg; break;
		case 's': c->summary = true; break;
		case 'S': c->summary_only = true; break;
		case 'j':
			if (jobs_opt(optarg, &c->jobs) < 0)
				return SF_EXIT_USAGE;
			break;
		case 'b':
			if (!duration_opt("bucket", optarg, &c->ro.bucket_us))
				return SF_EXIT_USAGE;
			break;
		case O_RING_TO:
			if (!duration_opt("ring-timeout", optarg,
					  &c->ro.ring_timeout_us))
				return SF_EXIT_USAGE;
			break;
		case O_HTML: c->html_path = optarg; break;
		case O_DISCOVER: c->disc_path = optarg; break;
		case O_DISC_TH: {
			char bad[128];

			if (replay_disc_parse(optarg, &c->disc, bad,
					      sizeof(bad)) < 0) {
				fprintf(stderr, "sipfilter: bad "
					"--discover-thresholds part '%s' (use "
					"calls=N,fanout=N,travel=DUR,spray=N,"
					"prefix=N)\n", bad);
				return SF_EXIT_USAGE;
			}
			break;
		}
		case O_MAX_CALLS: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || v < 1024 || v > (1ul << 23)) {
				fprintf(stderr, "sipfilter: bad --max-calls '%s' "
					"(1024 .. 8388608)\n", optarg);
				return SF_EXIT_USAGE;
			}
			c->ro.calls_max = (uint32_t)v;
			c->ro.calls_bytes = (uint32_t)(v * 512);
			break;
		}
		case O_TZ:
			if (set_tz(optarg) < 0)
				return SF_EXIT_USAGE;
			c->ro.tz = optarg;
			break;
		case O_CALL_TO:
			if (!duration_opt("call-timeout", optarg,
					  &c->ro.call_timeout_us))
				return SF_EXIT_USAGE;
			break;
		case 'd': c->diff_path = optarg; break;
		case 'w': c->pcap_path = optarg; break;
		case O_SELECT: c->select = optarg; break;
		case 't': c->assume = optarg; break;
		case O_TOP: c->ro.top = (unsigned)atoi(optarg); break;
		case O_NOHEP: c->hep = false; break;
		case O_PROGRESS: c->prog = 1; break;
		case O_NOPROGRESS: c->prog = 0; break;
		case 'h': usage(stdout); return SF_EXIT_OK;
		default: usage(stderr); return SF_EXIT_USAGE;
		}
	}
	return -1;
}

/* --format (default: text on a terminal, JSON lines otherwise) and
 * --summary-only.  Returns -1 to go on, or the exit status. */
static int set_format(cmd_t *c)
{
	sf_replay_opts_t *ro = &c->ro;

	if (!c->format)
		ro->format = isatty(STDOUT_FILENO) && !c->out_path
				     ? SF_REPLAY_TEXT : SF_REPLAY_JSONL;
	else if (!strcmp(c->format, "jsonl") || !strcmp(c->format, "json"))
		ro->format = SF_REPLAY_JSONL;
	else if (!strcmp(c->format, "csv"))
		ro->format = SF_REPLAY_CSV;
	else if (!strcmp(c->format, "text"))
		ro->format = SF_REPLAY_TEXT;
	else {
		fprintf(stderr, "sipfilter: unknown --format '%s' (jsonl, csv, "
			"text)\n", c->format);
		return SF_EXIT_USAGE;
	}
	if (c->summary_only) {
		ro->format = SF_REPLAY_NONE;
		c->summary = true;
	}
	return -1;
}

/* What the options need besides each other: inputs, --select's pcap.
 * Returns -1 to go on, or the exit status. */
static int check_args(cmd_t *c, int argc, char **argv)
{
	if (optind >= argc) {
		fprintf(stderr, "sipfilter: replay needs at least one capture "
			"file\n");
		usage(stderr);
		return SF_EXIT_USAGE;
	}
	if (set_format(c) >= 0)
		return SF_EXIT_USAGE;
	if (c->select && !c->pcap_path) {
		fprintf(stderr, "sipfilter: --select needs --write-pcap\n");
		return SF_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		if (replay_inputs_expand(&c->in, argv[i]) < 0) {
			fprintf(stderr, "sipfilter: out of memory\n");
			return SF_EXIT_FAIL;
		}
	}
	return -1;
}

/* ---- selectors ------------------------------------------------------------- */

/* --assume-trunk: the trunk's index in each config.  0, or -1 (said). */
static int set_assume(cmd_t *c)
{
	sf_replay_opts_t *ro = &c->ro;

	ro->assume_trunk = ro->assume_trunk2 = SF_TRUNK_BY_SOURCE;
	if (!c->assume)
		return 0;
	ro->assume_trunk = sf_cfg_trunk_find(c->cfg, c->assume);
	ro->assume_trunk2 = c->cfg2 ? sf_cfg_trunk_find(c->cfg2, c->assume)
				    : -1;
	if (ro->assume_trunk < 0 || (c->cfg2 && ro->assume_trunk2 < 0)) {
		fprintf(stderr, "sipfilter: --assume-trunk: no trunk named "
			"'%s' in %s\n", c->assume,
			ro->assume_trunk < 0 ? c->cfg->path : c->cfg2->path);
		return -1;
	}
	return 0;
}

/* --select (default action=reject): an applied action, a rule (a name
 * the config does not know is only warned about: admission's reasons are
 * rules too) or all.  0, or -1 (said). */
static int set_select(cmd_t *c)
{
	const char *sel = c->select ? c->select : "action=reject";
	sf_replay_opts_t *ro = &c->ro;

	ro->select = SF_SEL_NONE;
	if (!strcmp(sel, "all")) {
		ro->select = SF_SEL_ALL;
	} else if (!strncmp(sel, "action=", 7)) {
		int a = sf_word_find(sel + 7);

		if (a >= 0) {
			ro->select = SF_SEL_ACTION;
			ro->select_action = (sf_word_t)a;
		}
	} else if (!strncmp(sel, "rule=", 5)) {
		ro->select = SF_SEL_RULE;
		snprintf(ro->select_rule, sizeof(ro->select_rule), "%s",
			 sel + 5);
		if (sf_cfg_rule_find(c->cfg, sel + 5) < 0 &&
		    sf_special_find(sel + 5) == SF_SPECIAL_NONE &&
		    !sf_why_find(sel + 5))
			fprintf(stderr, "sipfilter: warning: no rule '%s' in "
				"%s\n", sel + 5, c->cfg_path);
	}
	if (ro->select == SF_SEL_NONE) {
		fprintf(stderr, "sipfilter: bad --select '%s' (use "
			"action=allow|tag|reject|withhold|refuse|drop, "
			"rule=NAME or all)\n", sel);
		return -1;
	}
	return 0;
}

/* ---- outputs --------------------------------------------------------------- */

/* --write-pcap's file (raw IP).  Returns -1 to go on, or the exit
 * status. */
static int open_pcap(cmd_t *c)
{
	sf_err_t err;

	c->pcap_fp = fopen(c->pcap_path, "wb");
	if (!c->pcap_fp) {
		fprintf(stderr, "sipfilter: %s: %s\n", c->pcap_path,
			strerror(errno));
		return SF_EXIT_FAIL;
	}
	if (sf_pcapw_open(c->pcap_fp, SF_CAPFILE_PCAP, 101, &c->pw, &err) <
	    0) {
		fprintf(stderr, "sipfilter: %s: cannot write\n", c->pcap_path);
		return SF_EXIT_FAIL;
	}
	c->ro.pcap = c->pw;
	return -1;
}

/* The configs, the selectors that name their parts, and the outputs.
 * Returns -1 to go on, or the exit status. */
static int prepare(cmd_t *c)
{
	int rc;

	sf_identity_global_init();
	if (sf_load_all(c->cfg_path, &c->cfg, &c->tables) < 0)
		return SF_EXIT_USAGE;
	if (c->diff_path && sf_load_all(c->diff_path, &c->cfg2, &c->tables2) < 0)
		return SF_EXIT_USAGE;
	c->ro.cfg = c->cfg;
	c->ro.tables = c->tables;
	c->ro.cfg2 = c->cfg2;
	c->ro.tables2 = c->tables2;
	if (set_assume(c) < 0)
		return SF_EXIT_USAGE;
	if (c->pcap_path) {
		if (set_select(c) < 0)
			return SF_EXIT_USAGE;
		if ((rc = open_pcap(c)) >= 0)
			return rc;
	}
	if (c->out_path && c->ro.format != SF_REPLAY_NONE) {
		FILE *f = fopen(c->out_path, "w");

		if (!f) {
			fprintf(stderr, "sipfilter: %s: %s\n", c->out_path,
				strerror(errno));
			return SF_EXIT_FAIL;
		}
		c->out = f;
	}
	c->ro.out = c->out;
	if (c->disc_path)
		c->ro.discover = &c->disc;
	return -1;
}

/* ---- running ----------------------------------------------------------------- */

/* The replay state and the decoder feeding it.  0, or -1 (said). */
static int start(cmd_t *c)
{
	sf_capdec_limits_t lim;

	c->rp = sf_replay_new(&c->ro);
	sf_capdec_limits_default(&lim);
	lim.hep = c->hep;
	if (c->cfg->serve.max_message > lim.tcp_max_buffer / 2)
		lim.tcp_max_buffer = c->cfg->serve.max_message * 2;
	if (c->rp && c->jobs > 1) {
		c->par = sf_replay_par_new(c->rp, c->jobs, c->batch[0],
					   c->batch[1], c->batch[2]);
		c->rn.dec = c->par ? sf_capdec_new(&lim, sf_replay_par_on_msg,
						   sf_replay_par_frame, c->par)
				   : NULL;
	} else if (c->rp) {
		c->rn.dec = sf_capdec_new(&lim, sf_replay_on_msg,
					  sf_replay_frame, c->rp);
	}
	if (!c->rn.dec) {
		fprintf(stderr, "sipfilter: out of memory\n");
		return -1;
	}
	return 0;
}

/* Every input through the decoder; with -j, every message then through
 * the ordered stage (also after a bad BPF filter: what -j 1 would have
 * printed by then is printed).  0, or -2 on a usage error. */
static int run_inputs(cmd_t *c)
{
	int rc;

	c->rn.progress = c->prog >= 0 ? c->prog == 1 : isatty(STDERR_FILENO);
	rc = replay_run_inputs(&c->rn, &c->in, c->bpf);
	if (c->par)
		sf_replay_par_drain(c->par);
	return rc;
}

/* --html: the report page (a failed write is exit status 1). */
static void write_html(cmd_t *c)
{
	FILE *f = fopen(c->html_path, "w");

	if (!f) {
		fprintf(stderr, "sipfilter: %s: %s\n", c->html_path,
			strerror(errno));
		c->rn.rc = SF_EXIT_FAIL;
		return;
	}
	sf_replay_html_page(c->rp, c->rn.dec, c->in.paths, c->in.n, f);
	if (ferror(f) | (fclose(f) != 0)) {
		fprintf(stderr, "sipfilter: %s: write failed\n", c->html_path);
		c->rn.rc = SF_EXIT_FAIL;
	}
}

/* --discover: the candidate rows (a failed write is exit status 1). */
static void write_discover(cmd_t *c)
{
	FILE *f = fopen(c->disc_path, "w");
	unsigned n;

	if (!f) {
		fprintf(stderr, "sipfilter: %s: %s\n", c->disc_path,
			strerror(errno));
		c->rn.rc = SF_EXIT_FAIL;
		return;
	}
	n = sf_replay_discover_print(c->rp, f);
	if (ferror(f) | (fclose(f) != 0)) {
		fprintf(stderr, "sipfilter: %s: write failed\n", c->disc_path);
		c->rn.rc = SF_EXIT_FAIL;
		return;
	}
	fprintf(stderr, "sipfilter: %u candidate substitution rows in %s\n",
		n, c->disc_path);
}

/* The pending records, warnings about skipped link types, the summary,
 * and a failed write as exit status 1. */
static void finish(cmd_t *c)
{
	sf_replay_flush(c->rp);
	for (size_t i = 0; i < c->rn.n_bad_lt; i++) {
		char lt[160];

		fprintf(stderr, "sipfilter: warning: packets on interfaces of "
			"unsupported link type %s were skipped\n",
			sf_capfile_linktype_name(c->rn.bad_lt[i], lt,
						 sizeof(lt)));
	}
	if (c->summary)
		sf_replay_summary(c->rp, c->rn.dec, stderr);
	if (c->html_path)
		write_html(c);
	if (c->disc_path)
		write_discover(c);
	if (sf_replay_write_error(c->rp)) {
		fprintf(stderr, "sipfilter: writing the output failed\n");
		c->rn.rc = SF_EXIT_FAIL;
	}
}

/* Closes the outputs (a failed close is exit status 1) and frees
 * everything; returns the exit status. */
static int cmd_fini(cmd_t *c)
{
	int rc = c->rn.rc;

	if (c->pw && sf_pcapw_close(c->pw) < 0) {
		fprintf(stderr, "sipfilter: %s: write failed\n", c->pcap_path);
		rc = SF_EXIT_FAIL;
	}
	if (c->pcap_fp && fclose(c->pcap_fp) != 0 && rc == SF_EXIT_OK)
		rc = SF_EXIT_FAIL;
	if (c->out != stdout && fclose(c->out) != 0 && rc == SF_EXIT_OK)
		rc = SF_EXIT_FAIL;
	sf_capdec_free(c->rn.dec);
	sf_replay_par_free(c->par);
	sf_replay_free(c->rp);
	sf_tables_free(c->tables);
	sf_tables_free(c->tables2);
	sf_cfg_free(c->cfg);
	sf_cfg_free(c->cfg2);
	for (size_t i = 0; i < c->in.n; i++)
		free(c->in.paths[i]);
	free(c->in.paths);
	return rc;
}

/* ---- main ---------------------------------------------------------------- */

int sf_cmd_replay(int argc, char **argv)
{
	cmd_t c;
	int rc;

	cmd_init(&c);
	if ((rc = parse_opts(&c, argc, argv)) >= 0 ||
	    (rc = check_args(&c, argc, argv)) >= 0) {
		c.rn.rc = rc;
		return cmd_fini(&c);
	}
	if ((rc = prepare(&c)) >= 0) {
		c.rn.rc = rc;
	} else if (start(&c) < 0) {
		c.rn.rc = SF_EXIT_FAIL;
	} else if (run_inputs(&c) == 0) {
		finish(&c);
	}
	return cmd_fini(&c);
}
