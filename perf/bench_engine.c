/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_engine.c - raw bytes to verdict on one core, with tables at
 * realistic size, against a full libosip2 parse of the same messages.
 *
 * Builds a temporary config (the example rules) whose tables are generated
 * at scale: 10^5 numbering-plan prefixes, SF_BENCH_ROAMING roaming numbers
 * (default 10^6) and SF_BENCH_SUBST substitution entries (default 10^6).
 * Then times sf_engine_judge_raw over a mix of ~900-byte INVITEs with SDP
 * (home, roaming, foreign, spoofed, substitution), and osip_message_parse +
 * osip_message_free of the same messages in the same run, and prints
 * verdicts/s, ns/verdict and the ratio.  Also the worst case: CPU for
 * crafted messages up to the size cap, as a ratio to the typical INVITE.
 * Figures only; no pass/fail.  Medians of 5 runs.
 */
#include <osipparser2/osip_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sipfilter/engine/sf_engine.h"
#include "sipfilter/lib/sf_load.h"

#define N_MSG 1024

static double now_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median5(double v[5])
{
	qsort(v, 5, sizeof(double), cmp_double);
	return v[2];
}

static long envl(const char *name, long def)
{
	const char *s = getenv(name);

	return s && *s ? atol(s) : def;
}

/* Generates the tables; returns the temp dir. */
static void gen_tables(const char *dir, long n_roam, long n_subst)
{
	char p[600];
	FILE *fp;
	double t0 = now_wall();

	snprintf(p, sizeof(p), "%s/numbering-plan.csv", dir);
	fp = fopen(p, "w");
	/* Country-level rows, the example's home ranges, then 10^5 rows of
	 * 7-digit foreign prefixes (like a real international plan). */
	fprintf(fp, "1,foreign,11,11,NANP\n7,foreign,11,11,RU\n"
		    "77,domestic-other,11,11,KZ\n771,home-fixed,11,11,KZ fixed\n"
		    "772,home-fixed,11,11,KZ fixed\n7701,home-mobile,11,11,Home\n"
		    "7702,home-mobile,11,11,Home\n7705,domestic-other,11,11,B\n"
		    "7709,home-msrn,11,11,MSRN\n7799,unallocated,11,11,Res\n"
		    "short:102,service,3,3,Police\nshort:112,service,3,3,Emerg\n");
	for (long i = 0; i < 100000; i++)
		fprintf(fp, "%ld,foreign,8,15,Carrier %ld\n", 2000000 + i * 7,
			i % 500);
	fclose(fp);

	snprintf(p, sizeof(p), "%s/roaming.csv", dir);
	fp = fopen(p, "w");
	for (long i = 0; i < n_roam; i++)
		fprintf(fp, "7701%07ld,TR\n", i * 7 % 10000000);
	fclose(fp);

	snprintf(p, sizeof(p), "%s/substitution.csv", dir);
	fp = fopen(p, "w");
	for (long i = 0; i < n_subst; i++)
		fprintf(fp, "7727%07ld,bank,inbound only\n", i * 3 % 10000000);
	fprintf(fp, "7710*,police,prefix block\n");
	fclose(fp);

	snprintf(p, sizeof(p), "%s/allow.csv", dir);
	fp = fopen(p, "w");
	fprintf(fp, "*,7701999*,test numbers\n");
	fclose(fp);
	printf("generated tables in %.2f s (%ld roaming, %ld substitution)\n",
	       now_wall() - t0, n_roam, n_subst);
}

static int make_config(const char *dir, const char *root)
{
	char src[600], dst[600], line[1024];
	FILE *in, *out;
	int in_tables = 0;

	snprintf(src, sizeof(src), "%s/config/sipfilter.yaml", root);
	snprintf(dst, sizeof(dst), "%s/bench.yaml", dir);
	in = fopen(src, "r");
	out = fopen(dst, "w");
	if (!in || !out)
		return -1;
	/* Same rules and trunks; tables point at the generated files. */
	while (fgets(line, sizeof(line), in)) {
		if (!strncmp(line, "tables:", 7)) {
			in_tables = 1;
			fputs("tables:\n  numbering_plan: numbering-plan.csv\n"
			      "  roaming: roaming.csv\n"
			      "  substitution: substitution.csv\n"
			      "  allow: allow.csv\n", out);
			continue;
		}
		if (in_tables && line[0] == ' ')
			continue;
		in_tables = 0;
		fputs(line, out);
	}
	fclose(in);
	fclose(out);
	return 0;
}

static const char sdp[] =
	"v=0\r\no=- 4242 4242 IN IP4 192.0.2.10\r\ns=-\r\n"
	"c=IN IP4 192.0.2.10\r\nt=0 0\r\n"
	"m=audio 30000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n";

static int make_invite(char *buf, size_t cap, int i, const char *cli,
		       const char *pai)
{
	return snprintf(buf, cap,
		"INVITE sip:+7702%07d@ims.example.kz;user=phone SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-%08x-%d;rport\r\n"
		"Max-Forwards: 69\r\n"
		"From: \"Caller\" <sip:%s@carrier.example.net;user=phone>;tag=f%08x\r\n"
		"To: <sip:+7702%07d@ims.example.kz;user=phone>\r\n"
		"Call-ID: %08x-%d@198.51.100.7\r\n"
		"CSeq: 1 INVITE\r\n"
		"Contact: <sip:%s@198.51.100.7:5060;transport=udp>\r\n"
		"P-Asserted-Identity: <sip:%s@carrier.example.net;user=phone>\r\n"
		"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE\r\n"
		"Supported: 100rel, timer\r\nSession-Expires: 1800\r\n"
		"User-Agent: Carrier-SBC/4.2\r\n"
		"Content-Type: application/sdp\r\n"
		"Content-Length: %zu\r\n\r\n%s",
		i * 37 % 10000000, (unsigned)i * 2654435761u, i, cli,
		(unsigned)i * 40503u, i * 37 % 10000000,
		(unsigned)i * 2246822519u, i, cli, pai, sizeof(sdp) - 1, sdp);
}

int main(int argc, char **argv)
{
	long n_roam = envl("SF_BENCH_ROAMING", 1000000);
	long n_subst = envl("SF_BENCH_SUBST", 1000000);
	long iters = envl("SF_BENCH_ITERS", 200);
	const char *root = getenv("SF_ROOT") ? getenv("SF_ROOT") : ".";
	char dir[] = "/tmp/sf-bench-engine-XXXXXX";
	char path[700];
	static char msgs[N_MSG][2048];
	static int lens[N_MSG];
	sf_cfg_t *cfg;
	sf_tables_t *tables;
	sf_sipmsg_t *m = malloc(sizeof(*m));
	sf_call_t *call = malloc(sizeof(*call));
	sf_verdict_t v;
	sf_sip_limits_t lim = {0};
	double runs[5], t0, t_engine, t_osip;
	long counts[SF_ACT_COUNT] = {0}, total_len = 0, two_ids = 0;
	int trunk;

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir) || !m || !call)
		return 1;
	gen_tables(dir, n_roam, n_subst);
	make_config(dir, root);
	snprintf(path, sizeof(path), "%s/bench.yaml", dir);
	t0 = now_wall();
	if (sf_load_all(path, &cfg, &tables) < 0)
		return 1;
	printf("loaded config + tables in %.2f s\n", now_wall() - t0);
	sf_identity_global_init();
	parser_init();
	trunk = sf_cfg_trunk_find(cfg, "ipx-carrier-a");
	lim.max_message = cfg->serve.max_message;

	/* The mix: mostly legitimate foreign callers, some roaming home
	 * subscribers, ~10 % spoofed home numbers and substitution hits. */
	for (int i = 0; i < N_MSG; i++) {
		char cli[32], pai[32];

		switch (i % 10) {
		case 0: snprintf(cli, sizeof(cli), "+7701%07d", (i * 7 + 3) % 10000000); break;
		case 1: snprintf(cli, sizeof(cli), "+7701%07d", i * 7 % 10000000); break;
		case 2: snprintf(cli, sizeof(cli), "+7727%07d", i * 3 % 10000000); break;
		default: snprintf(cli, sizeof(cli), "+%ld%06d", 2000000 + (long)(i % 5000) * 7, i); break;
		}
		/* Two identities in every other INVITE: the carrier asserts
		 * another number than the one the caller presents (both are
		 * judged); the others present one number in From and PAI. */
		if ((i / 10) % 2)
			snprintf(pai, sizeof(pai), "+%ld%06d",
				 2000000 + (long)((i + 17) % 5000) * 7, i + 1);
		else
			snprintf(pai, sizeof(pai), "%s", cli);
		if (strcmp(pai, cli))
			two_ids++;
		lens[i] = make_invite(msgs[i], sizeof(msgs[i]), i, cli, pai);
		total_len += lens[i];
		sf_engine_judge_raw(cfg, tables, msgs[i], (size_t)lens[i], &lim,
				    trunk, m, call, &v);
		counts[v.applied]++;
	}
	printf("message mix: %d INVITEs, mean %ld bytes, %ld%% with two "
	       "distinct identities (PAI != From); verdicts: allow %ld, "
	       "tag %ld, reject %ld, withhold %ld\n", N_MSG,
	       total_len / N_MSG, two_ids * 100 / N_MSG,
	       counts[SF_ACT_ALLOW], counts[SF_ACT_TAG],
	       counts[SF_ACT_REJECT], counts[SF_ACT_WITHHOLD]);

	for (int r = 0; r < 5; r++) {
		t0 = now_cpu();
		for (long it = 0; it < iters; it++)
			for (int i = 0; i < N_MSG; i++)
				sf_engine_judge_raw(cfg, tables, msgs[i],
						    (size_t)lens[i], &lim, trunk,
						    m, call, &v);
		runs[r] = (now_cpu() - t0) / ((double)iters * N_MSG);
	}
	t_engine = median5(runs);
	for (int r = 0; r < 5; r++) {
		long n = iters / 10 ? iters / 10 : 1;

		t0 = now_cpu();
		for (long it = 0; it < n; it++)
			for (int i = 0; i < N_MSG; i++) {
				osip_message_t *om;

				osip_message_init(&om);
				osip_message_parse(om, msgs[i], (size_t)lens[i]);
				osip_message_free(om);
			}
		runs[r] = (now_cpu() - t0) / ((double)n * N_MSG);
	}
	t_osip = median5(runs);
	printf("engine: raw bytes -> verdict  %8.0f ns/verdict  %10.0f verdicts/s/core (median of 5)\n",
	       t_engine * 1e9, 1 / t_engine);
	printf("libosip2 osip_message_parse   %8.0f ns/message  %10.0f messages/s/core\n",
	       t_osip * 1e9, 1 / t_osip);
	printf("ratio: engine is %.1fx faster than a full libosip2 parse\n",
	       t_osip / t_engine);

	/* Worst case: crafted messages up to the size cap. */
	if (!getenv("SF_BENCH_NO_WORST")) {
		static char big[70000];
		const char *names[] = {"many unknown headers", "long From params",
				       "folded headers", "long lines"};
		unsigned cap = cfg->serve.max_message;

		for (int kind = 0; kind < 4; kind++) {
			int n = snprintf(big, sizeof(big),
				"INVITE sip:+77021234567@x SIP/2.0\r\n"
				"Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK-w\r\n"
				"To: <sip:+77021234567@x>\r\nCall-ID: w@x\r\n"
				"CSeq: 1 INVITE\r\nMax-Forwards: 70\r\n");
			if (kind == 1) {
				n += snprintf(big + n, sizeof(big) - n, "From: <sip:+77011234500@x>;tag=1");
				while ((unsigned)n < cap - 200)
					n += snprintf(big + n, sizeof(big) - n, ";p%d=v", n);
				n += snprintf(big + n, sizeof(big) - n, "\r\n");
			} else {
				n += snprintf(big + n, sizeof(big) - n, "From: <sip:+77011234500@x>;tag=1\r\n");
			}
			while ((unsigned)n < cap - 200) {
				if (kind == 0 || kind == 1)
					n += snprintf(big + n, sizeof(big) - n, "X-H%d: v\r\n", n);
				else if (kind == 2)
					n += snprintf(big + n, sizeof(big) - n, "P-Asserted-Identity: <sip:+77011234500@x>\r\n  ;a=b\r\n  ;c=d\r\n");
				else {
					n += snprintf(big + n, sizeof(big) - n, "X-Long: ");
					for (int k = 0; k < 4000 && (unsigned)n < cap - 210; k++)
						big[n++] = 'a';
					n += snprintf(big + n, sizeof(big) - n, "\r\n");
				}
			}
			n += snprintf(big + n, sizeof(big) - n, "Content-Length: 0\r\n\r\n");
			for (int r = 0; r < 5; r++) {
				long k = 2000;
				t0 = now_cpu();
				for (long it = 0; it < k; it++)
					sf_engine_judge_raw(cfg, tables, big, (size_t)n, &lim, trunk, m, call, &v);
				runs[r] = (now_cpu() - t0) / k;
			}
			double w = median5(runs);
			printf("worst case %-22s %6d bytes: %8.0f ns  (%5.1fx typical; %s)\n",
			       names[kind], n, w * 1e9, w / t_engine,
			       v.malformed ? sf_sip_error_name(v.sip_error) : v.rule_name);
		}
	}
	sf_tables_free(tables);
	sf_cfg_free(cfg);
	free(m);
	free(call);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	return 0;
}
