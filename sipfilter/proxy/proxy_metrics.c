/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_metrics.c - the Prometheus text the metrics thread (proxy_http.c)
 * serves: messages, verdicts, admission, drops, reloads, latency, TLS,
 * the process and the build.  Reads the workers' counters (summed), the
 * reload status (a copy under status_lock) and the counter labels
 * (append-only, read without a lock); writes nothing shared.
 */
#include "proxy_ctl.h"
#include "proxy_journal.h"
#include "proxy_live.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "base/sf_json.h"
#include "proxy_mux.h"
#include "sipfilter/engine/sf_explain.h"
#include "sipfilter/lib/sf_load.h"
#include "sipfilter/engine/sf_normalize.h"

#ifndef SF_VERSION
#define SF_VERSION "0.0.0" /* the Makefile defines it */
#endif

typedef struct mb {
	char *p;
	size_t len, cap;
} mb_t;

static void mput(mb_t *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void mput(mb_t *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->cap - b->len ? (size_t)n
						       : b->cap - b->len;
}

/* INVITE verdicts: only the (trunk, rule, mode) triples that occurred. */
static void metrics_verdicts(mb_t *b, const sf_st_labels_t *l,
			     const sf_wstats_t *sum)
{
	mput(b, "# HELP sipfilter_verdicts_total INVITE verdicts by trunk, "
		 "rule, action and mode.\n# TYPE sipfilter_verdicts_total "
		 "counter\n");
	for (unsigned tr = 0; tr <= SF_CFG_MAX_TRUNKS; tr++)
		for (unsigned r = 0; r < SF_ST_RULE_SLOTS; r++)
			for (unsigned m = 0; m < 2; m++) {
				uint64_t v = sum->verdicts[tr][r][m];

				if (!v)
					continue;
				mput(b, "sipfilter_verdicts_total{trunk=\"%s\","
					 "rule=\"%s\",action=\"%s\",mode=\"%s\"}"
					 " %llu\n", sf_ctl_trunk_label(l, tr),
				     sf_ctl_rule_label(l, r),
				     sf_action_name(sf_ctl_rule_action(l, r)),
				     m ? "monitor" : "enforce",
				     (unsigned long long)v);
			}
}

/* Reloads, the current tables and degraded mode. */
static void metrics_reloads(mb_t *b, const sf_reload_status_t *st)
{
	mput(b, "# HELP sipfilter_reloads_total Reloads of the config and tables by result.\n"
		 "# TYPE sipfilter_reloads_total counter\n"
		 "sipfilter_reloads_total{result=\"ok\"} %llu\n"
		 "sipfilter_reloads_total{result=\"failed\"} %llu\n"
		 "# HELP sipfilter_roaming_updates_total Live roaming changes applied (ctl roaming add/del).\n"
		 "# TYPE sipfilter_roaming_updates_total counter\n"
		 "sipfilter_roaming_updates_total %llu\n"
		 "# HELP sipfilter_last_reload_success 1 when the last reload succeeded, else 0.\n"
		 "# TYPE sipfilter_last_reload_success gauge\n"
		 "sipfilter_last_reload_success %d\n"
		 "# HELP sipfilter_table_generation Generation of the config and tables in use (1 at start, +1 per reload).\n"
		 "# TYPE sipfilter_table_generation gauge\n"
		 "sipfilter_table_generation %llu\n"
		 "# HELP sipfilter_table_loaded_timestamp_seconds Unix time the tables in use were loaded.\n"
		 "# TYPE sipfilter_table_loaded_timestamp_seconds gauge\n"
		 "sipfilter_table_loaded_timestamp_seconds %lld\n"
		 "# HELP sipfilter_degraded 1 when no tables are loaded (calls tagged unverified).\n"
		 "# TYPE sipfilter_degraded gauge\nsipfilter_degraded %d\n",
	     (unsigned long long)st->reloads_ok,
	     (unsigned long long)st->reloads_failed,
	     (unsigned long long)st->roaming_updates, st->last_reload_ok ? 1 : 0,
	     (unsigned long long)st->generation, (long long)st->loaded_at,
	     st->have_tables ? 0 : 1);
	if (st->have_tables) {
		const sf_tables_stats_t *ts = &st->tables;

		mput(b, "# HELP sipfilter_table_rows Rows of each table in use.\n"
		 "# TYPE sipfilter_table_rows gauge\n"
			 "sipfilter_table_rows{table=\"numbering_plan\"} %zu\n"
			 "sipfilter_table_rows{table=\"roaming\"} %zu\n"
			 "sipfilter_table_rows{table=\"substitution\"} %zu\n"
			 "sipfilter_table_rows{table=\"allow\"} %zu\n"
			 "sipfilter_table_rows{table=\"ported\"} %zu\n"
			 "# HELP sipfilter_table_bytes Memory of each table in use, bytes.\n"
		 "# TYPE sipfilter_table_bytes gauge\n"
			 "sipfilter_table_bytes{table=\"numbering_plan\"} %zu\n"
			 "sipfilter_table_bytes{table=\"roaming\"} %zu\n"
			 "sipfilter_table_bytes{table=\"substitution\"} %zu\n"
			 "sipfilter_table_bytes{table=\"allow\"} %zu\n"
			 "sipfilter_table_bytes{table=\"ported\"} %zu\n",
		     ts->plan_rows, ts->roaming_rows, ts->subst_rows,
		     ts->allow_rows, ts->ported_rows, ts->plan_bytes,
		     ts->roaming_bytes, ts->subst_bytes, ts->allow_bytes,
		     ts->ported_bytes);
	}
}

/* The INVITE processing time histogram (cumulative buckets). */
static void metrics_latency(mb_t *b, const sf_wstats_t *sum)
{
	uint64_t cum = 0;

	mput(b, "# HELP sipfilter_invite_processing_seconds Time from "
		 "receipt to verdict and forward, per INVITE.\n"
		 "# TYPE sipfilter_invite_processing_seconds histogram\n");
	for (unsigned i = 0; i < SF_ST_LAT_BUCKETS; i++) {
		cum += sum->lat[i];
		mput(b, "sipfilter_invite_processing_seconds_bucket{le=\"%g\"}"
			 " %llu\n", sf_st_lat_bounds_us[i] / 1e6,
		     (unsigned long long)cum);
	}
	cum += sum->lat[SF_ST_LAT_BUCKETS];
	mput(b, "sipfilter_invite_processing_seconds_bucket{le=\"+Inf\"} "
		 "%llu\nsipfilter_invite_processing_seconds_sum %.9f\n"
		 "sipfilter_invite_processing_seconds_count %llu\n",
	     (unsigned long long)cum, (double)sum->lat_sum_ns / 1e9,
	     (unsigned long long)sum->lat_count);
}

/* The process, as the Prometheus client libraries name it (from /proc:
 * no library), and the build. */
static void metrics_process(mb_t *b, int64_t started_at)
{
	unsigned long long ut = 0, st = 0, rss_pages = 0;
	long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	unsigned fds = 0;
	struct rlimit rl = {0, 0};
	char line[1024];
	FILE *fp = fopen("/proc/self/stat", "r");
	DIR *d;

	if (fp) {
		/* fields 14 and 15 (utime, stime), after "pid (comm) " */
		if (fgets(line, sizeof(line), fp)) {
			const char *p = strrchr(line, ')');

			if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u "
					 "%*u %*u %*u %*u %llu %llu", &ut,
					 &st) != 2)
				ut = st = 0;
		}
		fclose(fp);
	}
	fp = fopen("/proc/self/statm", "r");
	if (fp) {
		if (fscanf(fp, "%*u %llu", &rss_pages) != 1)
			rss_pages = 0;
		fclose(fp);
	}
	d = opendir("/proc/self/fd");
	if (d) {
		for (struct dirent *e; (e = readdir(d));)
			fds += e->d_name[0] != '.';
		closedir(d);
		fds--; /* the directory's own fd */
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	mput(b, "# HELP sipfilter_build_info The running build.\n"
		 "# TYPE sipfilter_build_info gauge\n"
		 "sipfilter_build_info{version=\"%s\"} 1\n"
		 "# HELP process_cpu_seconds_total User and system CPU time "
		 "spent, seconds.\n# TYPE process_cpu_seconds_total counter\n"
		 "process_cpu_seconds_total %.2f\n"
		 "# HELP process_resident_memory_bytes Resident memory, "
		 "bytes.\n# TYPE process_resident_memory_bytes gauge\n"
		 "process_resident_memory_bytes %llu\n"
		 "# HELP process_open_fds Open file descriptors.\n"
		 "# TYPE process_open_fds gauge\nprocess_open_fds %u\n"
		 "# HELP process_max_fds Limit on open file descriptors.\n"
		 "# TYPE process_max_fds gauge\nprocess_max_fds %llu\n"
		 "# HELP process_start_time_seconds Start time of the process, "
		 "Unix seconds.\n# TYPE process_start_time_seconds gauge\n"
		 "process_start_time_seconds %lld\n",
	     SF_VERSION, tick > 0 ? (double)(ut + st) / (double)tick : 0.0,
	     rss_pages * (unsigned long long)(page > 0 ? page : 4096), fds,
	     (unsigned long long)rl.rlim_cur, (long long)started_at);
}

/* TLS: handshakes by result, client certificates by outcome, the expiry
 * of every configured certificate, and connections by trunk (TCP and
 * TLS; trunk labels are config names, never addresses). */
static void metrics_tls(mb_t *b, sf_server_t *s, const sf_reload_status_t *st,
			const sf_wstats_t *sum)
{
	static const char *const tp[2] = {"tcp", "tls"};
	const sf_st_labels_t *l = &s->labels;
	int64_t now = (int64_t)time(NULL);

	mput(b, "# HELP sipfilter_tls_handshakes_total TLS handshakes by "
		 "result.\n# TYPE sipfilter_tls_handshakes_total counter\n");
	for (unsigned i = 0; i < SF_TLS_HS_COUNT; i++)
		mput(b, "sipfilter_tls_handshakes_total{result=\"%s\"} %llu\n",
		     sf_tls_hs_name(i), (unsigned long long)sum->tls_hs[i]);
	mput(b, "# HELP sipfilter_tls_client_certificates_total What TLS "
		 "client certificates came to (trunk: one identified a "
		 "trunk).\n# TYPE sipfilter_tls_client_certificates_total "
		 "counter\n");
	for (unsigned i = 0; i < SF_TLS_PEER_COUNT; i++)
		mput(b, "sipfilter_tls_client_certificates_total{result=\"%s\"}"
			" %llu\n", sf_tls_peer_name(i),
		     (unsigned long long)sum->tls_peer[i]);
	mput(b, "# HELP sipfilter_tls_certificate_expiry_seconds Seconds "
		 "until a configured certificate expires (negative: "
		 "expired).\n# TYPE sipfilter_tls_certificate_expiry_seconds "
		 "gauge\n");
	for (unsigned i = 0; i < st->n_certs; i++)
		mput(b, "sipfilter_tls_certificate_expiry_seconds"
			"{certificate=\"%s\"} %lld\n", st->certs[i].label,
		     (long long)(st->certs[i].not_after - now));
	mput(b, "# HELP sipfilter_next_hop_connections_total Connections "
		 "opened to TCP/TLS next hops, by result.\n"
		 "# TYPE sipfilter_next_hop_connections_total counter\n");
	for (unsigned i = 0; i < SF_HOP_RETRIED; i++)
		mput(b, "sipfilter_next_hop_connections_total{result=\"%s\"} "
			"%llu\n", sf_st_hop_name(i),
		     (unsigned long long)sum->hop[i]);
	mput(b, "# HELP sipfilter_next_hop_retries_total Messages sent once "
		 "more on a new connection after the next hop's connection "
		 "died.\n# TYPE sipfilter_next_hop_retries_total counter\n"
		 "sipfilter_next_hop_retries_total %llu\n",
	     (unsigned long long)sum->hop[SF_HOP_RETRIED]);
	mput(b, "# HELP sipfilter_next_hop_tls_resumed_total TLS "
		 "connections to next hops that resumed a session.\n"
		 "# TYPE sipfilter_next_hop_tls_resumed_total counter\n"
		 "sipfilter_next_hop_tls_resumed_total %llu\n",
	     (unsigned long long)sum->hop[SF_HOP_RESUMED]);
	mput(b, "# HELP sipfilter_trunk_connections Open TCP and TLS "
		 "connections by trunk (unknown: no trunk matched).\n"
		 "# TYPE sipfilter_trunk_connections gauge\n");
	for (unsigned t = 0; t <= atomic_load(&l->n_trunks); t++)
		for (unsigned k = 0; k < 2; k++)
			mput(b, "sipfilter_trunk_connections{trunk=\"%s\","
				"transport=\"%s\"} %u\n", sf_ctl_trunk_label(l, t),
			     tp[k],
			     __atomic_load_n(&s->conns_by_trunk[t][k],
					     __ATOMIC_RELAXED));
}

size_t sf_metrics_render(sf_server_t *s, char *buf, size_t size)
{
	sf_wstats_t *sum = malloc(sizeof(*sum));
	sf_reload_status_t st;
	mb_t b = {buf, 0, size};
	unsigned conns, unknown;

	if (!sum || !size) {
		free(sum);
		return 0;
	}
	pthread_mutex_lock(&s->status_lock);
	st = s->status;
	pthread_mutex_unlock(&s->status_lock);
	sf_st_sum(s->stats, s->n_stats, sum);
	mput(&b, "# HELP sipfilter_messages_received_total SIP messages "
		 "received, by kind.\n# TYPE sipfilter_messages_received_total "
		 "counter\n");
	for (unsigned i = 0; i < SF_RX_COUNT; i++)
		mput(&b, "sipfilter_messages_received_total{kind=\"%s\"} %llu\n",
		     sf_st_rx_name(i), (unsigned long long)sum->rx[i]);
	metrics_verdicts(&b, &s->labels, sum);
	mput(&b, "# HELP sipfilter_parse_errors_total Messages the strict scanner refused, by reason.\n"
		 "# TYPE sipfilter_parse_errors_total counter\n");
	for (unsigned i = 1; i < SF_SIP_E_COUNT; i++)
		mput(&b, "sipfilter_parse_errors_total{reason=\"%s\"} %llu\n",
		     sf_sip_error_name(i),
		     (unsigned long long)sum->parse_err[i]);
	mput(&b, "# HELP sipfilter_dropped_total Messages dropped without an answer, by reason.\n"
		 "# TYPE sipfilter_dropped_total counter\n");
	for (unsigned i = 0; i < SF_DROP_COUNT; i++)
		mput(&b, "sipfilter_dropped_total{reason=\"%s\"} %llu\n",
		     sf_st_drop_name(i), (unsigned long long)sum->drop[i]);
	mput(&b, "# HELP sipfilter_admission_total Requests by what "
		 "admission decided (reason).\n"
		 "# TYPE sipfilter_admission_total counter\n");
	for (unsigned i = 0; i < SF_WHY_COUNT; i++)
		mput(&b, "sipfilter_admission_total{reason=\"%s\"} %llu\n",
		     sf_why_name((sf_why_t)i), (unsigned long long)sum->why[i]);
	mput(&b, "# HELP sipfilter_responses_sent_total Responses of our own sent, by kind.\n"
		 "# TYPE sipfilter_responses_sent_total counter\n");
	for (unsigned i = 0; i < SF_SENT_COUNT; i++)
		mput(&b, "sipfilter_responses_sent_total{kind=\"%s\"} %llu\n",
		     sf_st_sent_name(i), (unsigned long long)sum->sent[i]);
	mput(&b, "# HELP sipfilter_forwarded_total Messages forwarded, requests and responses.\n"
		 "# TYPE sipfilter_forwarded_total counter\n"
		 "sipfilter_forwarded_total{kind=\"request\"} %llu\n"
		 "sipfilter_forwarded_total{kind=\"response\"} %llu\n"
		 "# HELP sipfilter_acks_absorbed_total ACKs of our own final responses, absorbed.\n"
		 "# TYPE sipfilter_acks_absorbed_total counter\n"
		 "sipfilter_acks_absorbed_total %llu\n",
	     (unsigned long long)sum->fwd_requests,
	     (unsigned long long)sum->fwd_responses,
	     (unsigned long long)sum->acks_absorbed);
	metrics_reloads(&b, &st);
	if (s->live || s->journal) {
		char live[2048];

		if (s->live && sf_live_metrics(s->live, live, sizeof(live)))
			mput(&b, "%s", live);
		if (s->journal &&
		    sf_journal_metrics(s->journal, live, sizeof(live)))
			mput(&b, "%s", live);
	}
	sf_tcp_counts(s, &conns, &unknown);
	mput(&b, "# HELP sipfilter_tcp_connections TCP connections open.\n"
		 "# TYPE sipfilter_tcp_connections gauge\n"
		 "sipfilter_tcp_connections %u\n"
		 "# HELP sipfilter_tcp_unknown_connections TCP connections "
		 "from sources no trunk matches.\n"
		 "# TYPE sipfilter_tcp_unknown_connections gauge\n"
		 "sipfilter_tcp_unknown_connections %u\n"
		 "# HELP sipfilter_uptime_seconds Seconds since serve started.\n"
		 "# TYPE sipfilter_uptime_seconds gauge\n"
		 "sipfilter_uptime_seconds %lld\n",
	     conns, unknown, (long long)(time(NULL) - s->started_at));
	metrics_tls(&b, s, &st, sum);
	metrics_latency(&b, sum);
	metrics_process(&b, s->started_at);
	free(sum);
	return b.len;
}

