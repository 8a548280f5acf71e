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
#include <dirent.h>
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
#include "sf_cmds.h"
#include "sipfilter/lib/sf_load.h"

#define MERGE_MAX 256  /* files open at once; more are merged in groups */

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

/* ---- inputs ------------------------------------------------------------ */

typedef struct inputs {
	char **paths;
	size_t n, cap;
} inputs_t;

static int add_path(inputs_t *in, const char *p)
{
	if (in->n == in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 16;
		char **np = realloc(in->paths, cap * sizeof(*np));

		if (!np)
			return -1;
		in->paths = np;
		in->cap = cap;
	}
	in->paths[in->n] = strdup(p);
	return in->paths[in->n++] ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory contributes its regular files (not dotfiles), sorted. */
static int expand(inputs_t *in, const char *p)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	size_t first = in->n;

	if (strcmp(p, "-") == 0 || stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
		return add_path(in, p);
	d = opendir(p);
	if (!d)
		return add_path(in, p); /* the open error is reported later */
	while ((e = readdir(d)) != NULL) {
		char full[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(full, sizeof(full), "%s/%s", p, e->d_name);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		    add_path(in, full) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	qsort(in->paths + first, in->n - first, sizeof(char *), cmp_str);
	return 0;
}

/* ---- merge ----------------------------------------------------------------- */

typedef struct src {
	sf_capfile_t *f;
	sf_cap_pkt_t pkt;
	size_t idx;
} src_t;

static bool before(const src_t *a, const src_t *b)
{
	return a->pkt.ts_us < b->pkt.ts_us ||
	       (a->pkt.ts_us == b->pkt.ts_us && a->idx < b->idx);
}

static void sift_down(src_t *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < n && before(&h[l], &h[m]))
			m = l;
		if (l + 1 < n && before(&h[l + 1], &h[m]))
			m = l + 1;
		if (m == i)
			return;
		src_t t = h[i];

		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

typedef struct run {
	sf_capdec_t *dec;
	bool progress;
	uint64_t total_bytes, done_bytes;
	struct timespec t0, last;
	uint64_t last_pkts;
	int rc;
	int bad_lt[8];
	size_t n_bad_lt;
	bool stdin_used;
} run_t;

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress(run_t *rn, src_t *h, size_t n, bool force)
{
	struct timespec now;
	uint64_t done = rn->done_bytes, pk;
	double el, rate;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && secs(&rn->last, &now) < 0.5)
		return;
	rn->last = now;
	for (size_t i = 0; i < n; i++)
		done += sf_capfile_offset(h[i].f);
	pk = sf_capdec_get(rn->dec, SF_CD_PACKETS);
	el = secs(&rn->t0, &now);
	rate = el > 0 ? (double)pk / el : 0;
	fprintf(stderr, "\r\033[Kreplay: %.1f MB", (double)done / 1e6);
	if (rn->total_bytes) {
		double frac = (double)done / (double)rn->total_bytes;

		fprintf(stderr, " of %.1f MB (%.0f%%)",
			(double)rn->total_bytes / 1e6, frac * 100);
		if (frac > 0.01 && frac < 1)
			fprintf(stderr, ", ETA %.0fs", el / frac - el);
	}
	fprintf(stderr, ", %llu packets, %.0f packets/s",
		(unsigned long long)pk, rate);
	fflush(stderr);
}

static void note_linktype(run_t *rn, int lt)
{
	for (size_t i = 0; i < rn->n_bad_lt; i++)
		if (rn->bad_lt[i] == lt)
			return;
	if (rn->n_bad_lt < 8)
		rn->bad_lt[rn->n_bad_lt++] = lt;
}

static int open_one(run_t *rn, const char *path, const char *bpf,
		    sf_capfile_t **f)
{
	sf_err_t err;
	char lt[160];

	sf_err_clear(&err);
	if (!strcmp(path, "-")) {
		if (rn->stdin_used) {
			fprintf(stderr, "sipfilter: '-' (stdin) given twice\n");
			rn->rc = SF_EXIT_USAGE;
			return -1;
		}
		rn->stdin_used = true;
	}
	if (sf_capfile_open(path, f, &err) < 0) {
		fprintf(stderr, "sipfilter: ");
		sf_err_print(&err, stderr);
		rn->rc = SF_EXIT_FAIL;
		return -1;
	}
	if (sf_capfile_format(*f) == SF_CAPFILE_PCAP &&
	    !sf_capdec_linktype_supported(sf_capfile_linktype(*f))) {
		fprintf(stderr, "sipfilter: %s: unsupported link type %s\n",
			path, sf_capfile_linktype_name(sf_capfile_linktype(*f),
						       lt, sizeof(lt)));
		sf_capfile_close(*f);
		rn->rc = SF_EXIT_FAIL;
		return -1;
	}
	if (bpf && sf_capfile_set_filter(*f, bpf, &err) < 0) {
		fprintf(stderr, "sipfilter: ");
		sf_err_print(&err, stderr);
		sf_capfile_close(*f);
		rn->rc = SF_EXIT_USAGE;
		return -2;
	}
	return 0;
}

/* Reads the next packet of h[0]; on end or error closes it. */
static bool advance(run_t *rn, src_t *s)
{
	sf_err_t err;
	int rc;

	err.code = 0; /* filled in full only on an error */
	err.file[0] = err.msg[0] = 0;
	err.line = err.col = 0;
	rc = sf_capfile_next(s->f, &s->pkt, &err);
	if (rc == 1)
		return true;
	if (rc < 0) {
		if (rn->progress)
			fprintf(stderr, "\r\033[K");
		fprintf(stderr, "sipfilter: ");
		sf_err_print(&err, stderr);
		fprintf(stderr, "sipfilter: %s: stopped there; results "
			"include the packets before that point\n",
			sf_capfile_name(s->f));
		rn->rc = SF_EXIT_FAIL;
	}
	rn->done_bytes += sf_capfile_size(s->f) ? sf_capfile_size(s->f)
						: sf_capfile_offset(s->f);
	sf_capfile_close(s->f);
	s->f = NULL;
	return false;
}

/* Merges paths[0..n) (n <= MERGE_MAX).  Returns -2 on a usage error. */
static int merge_group(run_t *rn, char **paths, size_t n, const char *bpf)
{
	src_t h[MERGE_MAX];
	size_t k = 0;
	uint64_t since = 0;

	for (size_t i = 0; i < n; i++) {
		int rc = open_one(rn, paths[i], bpf, &h[k].f);

		if (rc == -2) {
			for (size_t j = 0; j < k; j++)
				sf_capfile_close(h[j].f);
			return -2;
		}
		if (rc < 0)
			continue;
		h[k].idx = i;
		if (advance(rn, &h[k]))
			k++;
	}
	for (size_t i = k / 2; i-- > 0;)
		sift_down(h, k, i);
	while (k) {
		if (!sf_capdec_linktype_supported(h[0].pkt.linktype))
			note_linktype(rn, h[0].pkt.linktype);
		sf_capdec_packet(rn->dec, &h[0].pkt);
		if (rn->progress && ++since >= 8192) {
			since = 0;
			progress(rn, h, k, false);
		}
		if (!advance(rn, &h[0]))
			h[0] = h[--k];
		sift_down(h, k, 0);
	}
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
	sf_replay_opts_t ro;
	sf_cfg_t *cfg, *cfg2;
	sf_tables_t *tables, *tables2;
	FILE *out, *pcap_fp;
	sf_pcapw_t *pw;
	sf_replay_t *rp;
	inputs_t in;
	run_t rn;
} cmd_t;

/* Defaults, and the hidden SIPFILTER_REPLAY_RING="SLOTS:BYTES" (a
 * smaller record ring) and SIPFILTER_REPLAY_CALLS="STATES:BYTES" (a
 * smaller call table), for tests. */
static void cmd_init(cmd_t *c)
{
	const char *e = getenv("SIPFILTER_REPLAY_RING");
	unsigned long a, b;

	memset(c, 0, sizeof(*c));
	c->cfg_path = sf_default_config_path();
	c->hep = true;
	c->prog = -1;
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
	while ((o = getopt_long(argc, argv, "c:f:F:o:sSb:d:w:t:h", opts,
				NULL)) != -1) {
		switch (o) {
		case 'c': c->cfg_path = optarg; break;
		case 'f': c->bpf = optarg; break;
		case 'F': c->format = optarg; break;
		case 'o': c->out_path = optarg; break;
		case 's': c->summary = true; break;
		case 'S': c->summary_only = true; break;
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
		if (expand(&c->in, argv[i]) < 0) {
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
	c->rn.dec = c->rp ? sf_capdec_new(&lim, sf_replay_on_msg,
					  sf_replay_frame, c->rp)
			  : NULL;
	if (!c->rn.dec) {
		fprintf(stderr, "sipfilter: out of memory\n");
		return -1;
	}
	return 0;
}

/* Every input through the decoder, MERGE_MAX files at a time.  0, or
 * -2 on a usage error (a bad BPF filter). */
static int run_inputs(cmd_t *c)
{
	run_t *rn = &c->rn;

	rn->progress = c->prog >= 0 ? c->prog == 1 : isatty(STDERR_FILENO);
	for (size_t i = 0; i < c->in.n; i++) {
		struct stat st;

		if (strcmp(c->in.paths[i], "-") &&
		    stat(c->in.paths[i], &st) == 0)
			rn->total_bytes += (uint64_t)st.st_size;
	}
	clock_gettime(CLOCK_MONOTONIC, &rn->t0);
	rn->last = rn->t0;
	for (size_t i = 0; i < c->in.n; i += MERGE_MAX) {
		size_t n = c->in.n - i < MERGE_MAX ? c->in.n - i : MERGE_MAX;

		if (merge_group(rn, c->in.paths + i, n, c->bpf) == -2)
			return -2;
	}
	sf_capdec_finish(rn->dec);
	if (rn->progress) {
		progress(rn, NULL, 0, true);
		fprintf(stderr, "\n");
	}
	return 0;
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
