/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_ctl.c - roaming updates, the control socket and signals (the
 * control thread; reloads themselves are in proxy_reload.c, the metrics
 * text the metrics thread serves in proxy_metrics.c).  The control
 * thread is the only writer of s->status and of the published generation;
 * it takes status_lock to write the status, so the metrics thread reads a
 * consistent copy, and it reads the generation without a read-side
 * section (it is the one that retires them).  Verdict counters are kept
 * by counter slot and named from s->labels (append-only), which the
 * metrics thread reads without a lock.
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

void sf_sd_reloading(void)
{
	struct timespec ts;
	char msg[80];

	/* systemd >= 253 wants MONOTONIC_USEC with RELOADING=1; older ones
	 * ignore it. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL +
			 (unsigned long long)ts.tv_nsec / 1000ULL);
	sf_sd_notify(msg);
}

void sf_sd_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t n;
	int fd;

	if (!path || !*path || (path[0] != '/' && path[0] != '@'))
		return;
	n = strlen(path);
	if (n >= sizeof(sa.sun_path))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0) {
		/* systemd gone: nothing to do */
	}
	close(fd);
}

/* Runs stmt under status_lock: how the control thread writes s->status
 * (its own reads need no lock: it is the only writer). */
#define STATUS_WRITE(s, stmt)                                                \
	do {                                                                 \
		pthread_mutex_lock(&(s)->status_lock);                       \
		stmt;                                                        \
		pthread_mutex_unlock(&(s)->status_lock);                     \
	} while (0)

bool sf_ctl_degraded(sf_server_t *s)
{
	bool have;

	pthread_mutex_lock(&s->status_lock);
	have = s->status.have_tables;
	pthread_mutex_unlock(&s->status_lock);
	return !have;
}

/* ------------------------------------------------------------------ */
/* control requests */

static void tables_json(sf_server_t *s, sf_jw_t *w)
{
	const sf_tables_t *t = sf_server_gen(s)->tables;
	sf_tables_stats_t ts;

	sf_jw_obj_open_key(w, "tables");
	if (t) {
		sf_tables_stats(t, &ts);
		sf_jw_uint(w, "generation", ts.generation);
		sf_jw_uint(w, "plan_rows", ts.plan_rows);
		sf_jw_uint(w, "roaming_rows", ts.roaming_rows);
		sf_jw_uint(w, "substitution_rows", ts.subst_rows);
		sf_jw_uint(w, "allow_rows", ts.allow_rows);
		sf_jw_uint(w, "ported_rows", ts.ported_rows);
		sf_jw_uint(w, "bytes", ts.plan_bytes + ts.roaming_bytes +
					      ts.subst_bytes + ts.allow_bytes +
					      ts.ported_bytes);
	} else {
		sf_jw_bool(w, "degraded", true);
	}
	sf_jw_int(w, "loaded_at", s->status.loaded_at);
	sf_jw_obj_close(w);
	if (s->live)
		sf_live_json(s->live, w);
	if (s->journal)
		sf_journal_json(s->journal, w);
}

/* Counter slot labels (sf_st_labels_t: stable across reloads). */
const char *sf_ctl_rule_label(const sf_st_labels_t *l, unsigned r)
{
	switch (r) {
	case SF_ST_RULE_NONE: return "none";
	case SF_ST_RULE_EMERGENCY:
		return sf_special_name(SF_SPECIAL_EMERGENCY);
	case SF_ST_RULE_UNVERIFIED:
		return sf_special_name(SF_SPECIAL_UNVERIFIED);
	case SF_ST_RULE_UNKNOWN_SOURCE:
		return sf_why_name(SF_WHY_UNKNOWN_SOURCE);
	default:
		return r < atomic_load(&l->n_rules) ? l->rule[r] : "other";
	}
}

/* The slot's rule's own action (what enforce mode applies). */
sf_action_t sf_ctl_rule_action(const sf_st_labels_t *l, unsigned r)
{
	if (r == SF_ST_RULE_UNKNOWN_SOURCE)
		return SF_ACT_REJECT;
	if (r < SF_ST_MAX_RULES && r < atomic_load(&l->n_rules))
		return l->action[r];
	return SF_ACT_ALLOW;
}

const char *sf_ctl_trunk_label(const sf_st_labels_t *l, unsigned slot)
{
	return slot == 0 || slot > atomic_load(&l->n_trunks) ? "unknown"
							     : l->trunk[slot];
}


/* TLS handshakes and client certificates, next hop connections. */
static void stats_tls_json(sf_jw_t *w, const sf_wstats_t *sum)
{
	sf_jw_obj_open_key(w, "tls_handshakes");
	for (unsigned i = 0; i < SF_TLS_HS_COUNT; i++)
		sf_jw_uint(w, sf_tls_hs_name(i), sum->tls_hs[i]);
	sf_jw_obj_close(w);
	sf_jw_obj_open_key(w, "tls_client_certificates");
	for (unsigned i = 0; i < SF_TLS_PEER_COUNT; i++)
		sf_jw_uint(w, sf_tls_peer_name(i), sum->tls_peer[i]);
	sf_jw_obj_close(w);
	sf_jw_obj_open_key(w, "next_hop");
	for (unsigned i = 0; i < SF_HOP_COUNT; i++)
		sf_jw_uint(w, sf_st_hop_name(i), sum->hop[i]);
	sf_jw_obj_close(w);
}

/*
 * Does `ctl stats` list rule slot r under "rules"?  The current config's
 * rules always; an older slot (a rule since removed, or whose action
 * changed) when it counted something and no current rule has its name
 * (its counts stay in the totals either way).
 */
static bool rule_listed(const sf_gen_t *g, const sf_st_labels_t *l,
			unsigned r, bool counted)
{
	const sf_cfg_t *cfg = g->cfg;

	if (r >= SF_ST_MAX_RULES)
		return true;
	for (size_t i = 0; i < cfg->n_rules && i < SF_ST_MAX_RULES; i++)
		if (g->proxy.rule_slot[i] == r)
			return true;
	if (!counted || r >= atomic_load(&l->n_rules))
		return false;
	for (size_t i = 0; i < cfg->n_rules; i++)
		if (!strcmp(cfg->rules[i].name, l->rule[r]))
			return false;
	return true;
}

static void stats_json(sf_server_t *s, sf_jw_t *w)
{
	const sf_gen_t *g = sf_server_gen(s);
	const sf_st_labels_t *l = &s->labels;
	sf_wstats_t *sum = malloc(sizeof(*sum));
	uint64_t act[SF_ACT_COUNT] = {0}, applied[SF_ACT_COUNT] = {0};
	uint64_t monitor = 0;
	unsigned conns, unknown;

	if (!sum) {
		sf_jw_bool(w, "ok", false);
		sf_jw_str(w, "error", "out of memory");
		return;
	}
	sf_st_sum(s->stats, s->n_stats, sum);
	sf_jw_bool(w, "ok", true);
	sf_jw_int(w, "uptime", (long long)(time(NULL) - s->started_at));
	sf_jw_uint(w, "workers", s->workers);
	sf_jw_uint(w, "threads", s->n_threads);
	tables_json(s, w);
	sf_jw_obj_open_key(w, "reloads");
	sf_jw_uint(w, "ok", s->status.reloads_ok);
	sf_jw_uint(w, "failed", s->status.reloads_failed);
	sf_jw_bool(w, "last_ok", s->status.last_reload_ok);
	sf_jw_str(w, "last_error", s->last_reload_error);
	sf_jw_uint(w, "roaming_updates", s->status.roaming_updates);
	sf_jw_obj_close(w);
	sf_jw_obj_open_key(w, "received");
	for (unsigned i = 0; i < SF_RX_COUNT; i++)
		sf_jw_uint(w, sf_st_rx_name(i), sum->rx[i]);
	sf_jw_obj_close(w);
	sf_jw_uint(w, "forwarded_requests", sum->fwd_requests);
	sf_jw_uint(w, "forwarded_responses", sum->fwd_responses);
	sf_jw_uint(w, "acks_absorbed", sum->acks_absorbed);
	sf_jw_obj_open_key(w, "sent");
	for (unsigned i = 0; i < SF_SENT_COUNT; i++)
		sf_jw_uint(w, sf_st_sent_name(i), sum->sent[i]);
	sf_jw_obj_close(w);
	sf_jw_obj_open_key(w, "dropped");
	for (unsigned i = 0; i < SF_DROP_COUNT; i++)
		sf_jw_uint(w, sf_st_drop_name(i), sum->drop[i]);
	sf_jw_obj_close(w);
	sf_jw_obj_open_key(w, "parse_errors");
	for (unsigned i = 1; i < SF_SIP_E_COUNT; i++)
		sf_jw_uint(w, sf_sip_error_name(i), sum->parse_err[i]);
	sf_jw_obj_close(w);
	sf_jw_obj_open_key(w, "admission");
	for (unsigned i = 0; i < SF_WHY_COUNT; i++)
		sf_jw_uint(w, sf_why_name((sf_why_t)i), sum->why[i]);
	sf_jw_obj_close(w);
	sf_jw_obj_open_key(w, "rules");
	for (unsigned r = 0; r < SF_ST_RULE_SLOTS; r++) {
		uint64_t en = 0, mo = 0;

		for (unsigned t = 0; t <= SF_CFG_MAX_TRUNKS; t++) {
			en += sum->verdicts[t][r][0];
			mo += sum->verdicts[t][r][1];
		}
		act[sf_ctl_rule_action(l, r)] += en + mo;
		applied[sf_ctl_rule_action(l, r)] += en;
		applied[SF_ACT_ALLOW] += mo;
		monitor += mo;
		if (!rule_listed(g, l, r, en || mo))
			continue;
		sf_jw_obj_open_key(w, sf_ctl_rule_label(l, r));
		sf_jw_str(w, "action", sf_action_name(sf_ctl_rule_action(l, r)));
		sf_jw_uint(w, "enforce", en);
		sf_jw_uint(w, "monitor", mo);
		sf_jw_obj_close(w);
	}
	sf_jw_obj_close(w);
	sf_jw_obj_open_key(w, "verdicts");
	for (unsigned a = 0; a < SF_ACT_COUNT; a++)
		sf_jw_uint(w, sf_action_name(a), act[a]);
	sf_jw_uint(w, "monitor", monitor);
	sf_jw_obj_close(w);
	sf_jw_obj_open_key(w, "applied");
	for (unsigned a = 0; a < SF_ACT_COUNT; a++)
		sf_jw_uint(w, sf_action_name(a), applied[a]);
	sf_jw_obj_close(w);
	sf_jw_obj_open_key(w, "trunks");
	for (unsigned t = 0; t <= atomic_load(&l->n_trunks); t++) {
		uint64_t ta[SF_ACT_COUNT] = {0};

		for (unsigned r = 0; r < SF_ST_RULE_SLOTS; r++) {
			ta[sf_ctl_rule_action(l, r)] += sum->verdicts[t][r][0];
			ta[SF_ACT_ALLOW] += sum->verdicts[t][r][1];
		}
		sf_jw_obj_open_key(w, sf_ctl_trunk_label(l, t));
		for (unsigned a = 0; a < SF_ACT_COUNT; a++)
			sf_jw_uint(w, sf_action_name(a), ta[a]);
		sf_jw_obj_close(w);
	}
	sf_jw_obj_close(w);
	sf_tcp_counts(s, &conns, &unknown);
	sf_jw_obj_open_key(w, "tcp");
	sf_jw_uint(w, "connections", conns);
	sf_jw_uint(w, "unknown_connections", unknown);
	sf_jw_uint(w, "accepted", sum->tcp_accepted);
	sf_jw_uint(w, "closed", sum->tcp_closed);
	sf_jw_obj_close(w);
	stats_tls_json(w, sum);
	sf_jw_obj_open_key(w, "latency");
	sf_jw_uint(w, "count", sum->lat_count);
	sf_jw_double(w, "mean_us", sum->lat_count
					   ? (double)sum->lat_sum_ns / 1000.0 /
						     (double)sum->lat_count
					   : 0.0);
	sf_jw_obj_close(w);
	free(sum);
}

/* Finds "key=value" among words; returns value or NULL. */
static const char *opt(char **words, int n, const char *key)
{
	size_t k = strlen(key);

	for (int i = 0; i < n; i++)
		if (!strncmp(words[i], key, k) && words[i][k] == '=')
			return words[i] + k + 1;
	return NULL;
}

static int fail(sf_jw_t *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(sf_jw_t *w, const char *fmt, ...)
{
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sf_jw_bool(w, "ok", false);
	sf_jw_str(w, "error", msg);
	return -1;
}

static int do_lookup(sf_server_t *s, char **words, int n, sf_jw_t *w)
{
	const char *tn = opt(words, n, "trunk");
	const char *called = opt(words, n, "called");
	const sf_gen_t *g = sf_server_gen(s);
	sf_call_t *call = calloc(1, sizeof(*call));
	sf_verdict_t *v = calloc(1, sizeof(*v));
	int trunk = -1, rc = 0;

	if (!call || !v) {
		rc = fail(w, "out of memory");
		goto out;
	}
	if (n < 2) {
		rc = fail(w, "usage: lookup NUMBER [trunk=NAME] [called=NUMBER]");
		goto out;
	}
	if (tn && (trunk = sf_cfg_trunk_find(g->cfg, tn)) < 0) {
		rc = fail(w, "unknown trunk '%s'", tn);
		goto out;
	}
	sf_call_from_numbers(g->cfg, words[1], called ? called : "", call);
	sf_engine_judge(g->cfg, g->tables, call, trunk, v);
	sf_jw_bool(w, "ok", true);
	sf_verdict_json(g->cfg, v, NULL, w);
out:
	free(call);
	free(v);
	return rc;
}

/* nt (made from the serving generation's tables) published as the
 * successor generation, n roaming changes counted; *ts its stats.
 * Returns 0, or -1 when out of memory (nt freed, nothing published). */
static int publish_roaming(sf_server_t *s, sf_tables_t *nt, size_t n,
			   sf_tables_stats_t *ts)
{
	sf_gen_t *ng;

	sf_tables_set_generation(nt, s->status.generation);
	ng = sf_gen_successor(sf_server_gen(s), nt);
	if (!ng) {
		sf_tables_free(nt);
		return -1;
	}
	sf_snap_publish(&s->snap, ng); /* retires the old: ng owns its cfg */
	sf_tables_stats(nt, ts);
	STATUS_WRITE(s, (s->status.roaming_updates += n,
			 s->status.tables = *ts));
	return 0;
}

/* With tables.roaming_live: the change goes to the stream, and comes
 * back to this node (as to every other) through the feed. */
static int roaming_via_stream(sf_server_t *s, const sf_num_t *num, bool add,
			      const char *visited, sf_jw_t *w)
{
	char digits[SF_NUM_MAX + 2], id[SF_TABLES_STREAM_ID_MAX], why[300];

	if (visited && (strlen(visited) != 2 || !sf_isalpha((unsigned char)
							    visited[0]) ||
			!sf_isalpha((unsigned char)visited[1])))
		return fail(w, "visited country '%.8s' is not an ISO 3166 "
			    "alpha-2 code (two letters)", visited);
	snprintf(digits, sizeof(digits), "%.*s", (int)num->len, num->d);
	if (sf_live_publish(s->live, add, digits, add ? visited : NULL, id,
			    sizeof(id), why, sizeof(why)))
		return fail(w, "roaming update not published: %s", why);
	sf_jw_bool(w, "ok", true);
	sf_jw_str(w, "number", digits);
	sf_jw_bool(w, "roaming", add);
	sf_jw_str(w, "stream_id", id);
	sf_jw_str(w, "via", "redis");
	return 0;
}

static int do_roaming(sf_server_t *s, char **words, int n, sf_jw_t *w)
{
	sf_gen_t *g = sf_server_gen(s);
	const sf_tables_t *cur = g->tables;
	const char *visited = opt(words, n, "visited");
	sf_tables_t *nt = NULL;
	sf_tables_stats_t ts;
	sf_num_t num;
	sf_err_t err;
	bool add;
	char buf[SF_NUM_MAX + 2], why[SF_CFG_PATH_MAX + 100];
	uint64_t seq = 0;

	if (n < 3 || (strcmp(words[1], "add") && strcmp(words[1], "del")))
		return fail(w, "usage: roaming add|del NUMBER [visited=CC]");
	add = !strcmp(words[1], "add");
	if (sf_normalize_text(&g->cfg->dialling, words[2], &num) !=
		    SF_NORM_OK ||
	    num.kind != SF_NUM_E164)
		return fail(w, "'%s' is not a telephone number", words[2]);
	if (s->live)
		return roaming_via_stream(s, &num, add, visited, w);
	if (!cur)
		return fail(w, "no tables loaded (degraded mode)");
	sf_err_clear(&err);
	if (sf_tables_roaming_update(cur, &num, add, visited, &nt, &err)) {
		char msg[600];

		sf_err_format(&err, msg, sizeof(msg));
		return fail(w, "roaming update failed: %s", msg);
	}
	/* journalled before it is applied and acknowledged */
	if (s->journal && sf_journal_append(s->journal, add, &num, visited,
					    &seq, why, sizeof(why))) {
		sf_tables_free(nt);
		return fail(w, "roaming update not journalled, not applied: %s",
			    why);
	}
	if (publish_roaming(s, nt, 1, &ts))
		return fail(w, "out of memory");
	sf_jw_bool(w, "ok", true);
	sf_jw_str(w, "number", sf_num_format(&num, buf, sizeof(buf)));
	sf_jw_bool(w, "roaming", add);
	sf_jw_uint(w, "roaming_rows", ts.roaming_rows);
	/* where the change lasts: the journal (and its position), or this
	 * process's memory until the next reload */
	sf_jw_str(w, "via", s->journal ? "journal" : "memory");
	if (s->journal)
		sf_jw_uint(w, "journal_seq", seq);
	return 0;
}

/* One entry of `roaming many`: add=NUMBER[/CC] or del=NUMBER into *c.
 * Returns NULL or what is wrong with it. */
static const char *many_entry(const sf_cfg_t *cfg, char *p,
			      sf_roaming_change_t *c)
{
	char *cc;

	memset(c, 0, sizeof(*c));
	c->add = !strncmp(p, "add=", 4);
	if (!c->add && strncmp(p, "del=", 4))
		return "expected add=NUMBER[/CC] or del=NUMBER";
	cc = strchr(p + 4, '/');
	if (cc) {
		*cc++ = '\0';
		if (!c->add)
			return "a del takes no country";
		if (strlen(cc) != 2 || !sf_isalpha((unsigned char)cc[0]) ||
		    !sf_isalpha((unsigned char)cc[1]))
			return "the visited country is not an ISO 3166 alpha-2 "
			       "code (two letters)";
		c->visited[0] = (char)(cc[0] & ~0x20);
		c->visited[1] = (char)(cc[1] & ~0x20);
	}
	if (sf_normalize_text(&cfg->dialling, p + 4, &c->num) != SF_NORM_OK ||
	    c->num.kind != SF_NUM_E164)
		return "not a telephone number";
	return NULL;
}

/*
 * roaming many add=N[/CC] del=N ...: the changes of one request applied
 * together: checked first (one bad entry refuses them all, naming it),
 * journalled with one write, applied as one batch and published as one
 * snapshot before the answer.  With roaming_live each goes to the stream.
 */
static int do_roaming_many(sf_server_t *s, char *rest, sf_jw_t *w)
{
	const sf_gen_t *g = sf_server_gen(s);
	sf_roaming_change_t ch[SF_CTL_MANY_MAX];
	char why[SF_CFG_PATH_MAX + 100], id[SF_TABLES_STREAM_ID_MAX] = "";
	char digits[SF_NUM_MAX + 2], *save = NULL;
	size_t n = 0, applied = 0;
	uint64_t seq = 0;
	sf_tables_t *nt = NULL;
	sf_tables_stats_t ts;
	sf_err_t err;

	for (char *p = strtok_r(rest, " \t\r\n", &save); p;
	     p = strtok_r(NULL, " \t\r\n", &save)) {
		const char *bad = n < SF_CTL_MANY_MAX
					  ? many_entry(g->cfg, p, &ch[n])
					  : "too many entries";

		if (bad)
			return fail(w, "roaming many: entry %zu '%.32s': %s; "
				    "nothing applied", n + 1, p, bad);
		n++;
	}
	if (!n)
		return fail(w, "usage: roaming many add=NUMBER[/CC] "
			    "del=NUMBER ...");
	for (size_t i = 0; s->live && i < n; i++) {
		snprintf(digits, sizeof(digits), "%.*s", (int)ch[i].num.len,
			 ch[i].num.d);
		if (sf_live_publish(s->live, ch[i].add, digits, ch[i].visited,
				    id, sizeof(id), why, sizeof(why)))
			return fail(w, "roaming many: entry %zu not published "
				    "(the %zu before it were): %s", i + 1, i,
				    why);
	}
	if (!s->live && !g->tables)
		return fail(w, "no tables loaded (degraded mode)");
	sf_err_clear(&err);
	if (!s->live &&
	    sf_tables_roaming_update_many(g->tables, ch, n, &nt, &applied,
					  &err))
		return fail(w, "roaming update failed: out of memory");
	if (nt && s->journal &&
	    sf_journal_append_many(s->journal, ch, n, &seq, why, sizeof(why))) {
		sf_tables_free(nt);
		return fail(w, "roaming update not journalled, not applied: %s",
			    why);
	}
	if (nt && publish_roaming(s, nt, applied, &ts))
		return fail(w, "out of memory");
	sf_jw_bool(w, "ok", true);
	sf_jw_uint(w, "changes", n);
	sf_jw_str(w, "via", s->live ? "redis" : s->journal ? "journal"
							   : "memory");
	if (s->live)
		sf_jw_str(w, "stream_id", id);
	else
		sf_jw_uint(w, "roaming_rows", ts.roaming_rows);
	if (s->journal)
		sf_jw_uint(w, "journal_seq", seq);
	return 0;
}

/* Reloads and answers: ok with the new generation and, when some
 * settings need a restart, "warnings"; or the error, every diagnostic
 * one per line, with the generation kept. */
static int reload_json(sf_server_t *s, sf_jw_t *w, bool force)
{
	int rc = sf_ctl_reload_force(s, force) ? -1 : 0;

	sf_jw_bool(w, "ok", rc == 0);
	if (force)
		sf_jw_bool(w, "forced", true);
	if (rc)
		sf_jw_str(w, "error", s->last_reload_error);
	sf_jw_uint(w, "generation", s->status.generation);
	if (!rc) {
		sf_jw_double(w, "seconds", s->status.last_reload_seconds);
		tables_json(s, w);
	}
	sf_jw_arr_open(w, "warnings");
	for (unsigned i = 0; i < s->last_reload_notes.n; i++)
		sf_jw_str(w, NULL, s->last_reload_notes.msg[i]);
	sf_jw_arr_close(w);
	return rc;
}

int sf_ctl_exec(sf_server_t *s, const char *line, char *buf, size_t size)
{
	char copy[1024];
	char *words[16];
	int n = 0, rc = 0;
	sf_jw_t w;

	snprintf(copy, sizeof(copy), "%s", line);
	sf_jw_init(&w, buf, size);
	sf_jw_obj_open(&w);
	if (!strncmp(copy, "roaming many ", 13)) {
		rc = do_roaming_many(s, copy + 13, &w);
		goto out;
	}
	for (char *p = strtok(copy, " \t\r\n"); p && n < 16;
	     p = strtok(NULL, " \t\r\n"))
		words[n++] = p;
	if (n == 0) {
		rc = fail(&w, "empty request");
	} else if (!strcmp(words[0], "reload") &&
		   (n == 1 || (n == 2 && !strcmp(words[1], "force=1")))) {
		sf_sd_reloading();
		rc = reload_json(s, &w, n == 2);
		sf_sd_notify("READY=1");
	} else if (!strcmp(words[0], "stats")) {
		stats_json(s, &w);
	} else if (!strcmp(words[0], "lookup")) {
		rc = do_lookup(s, words, n, &w);
	} else if (!strcmp(words[0], "roaming")) {
		rc = do_roaming(s, words, n, &w);
	} else if (!strcmp(words[0], "ping")) {
		sf_jw_bool(&w, "ok", true);
	} else {
		rc = fail(&w, "unknown command '%s' (reload, stats, lookup, "
			      "roaming, ping)", words[0]);
	}
out:
	sf_jw_obj_close(&w);
	if (w.overflow)
		snprintf(buf, size, "{\"ok\":false,\"error\":\"answer too "
				    "large\"}");
	else if (w.len < size)
		buf[w.len] = '\0';
	return rc;
}

/* ------------------------------------------------------------------ */
/* loop */

static size_t ctl_answer(void *arg, char *req, size_t len, char *out,
			 size_t cap)
{
	size_t n;

	(void)len;
	sf_ctl_exec(arg, req, out, cap - 1);
	n = strlen(out);
	out[n++] = '\n';
	return n;
}

static void on_signal(sf_server_t *s, int sig_fd, bool *stop)
{
	struct signalfd_siginfo si;

	if (read(sig_fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo != SIGHUP) {
		*stop = true;
		return;
	}
	sf_sd_reloading();
	sf_ctl_reload(s);
	sf_sd_notify("READY=1");
}

/* Entries of the live feed: applied on the current generation and
 * published as one successor. */
static void live_apply(sf_server_t *s)
{
	sf_gen_t *g = sf_server_gen(s);
	sf_tables_t *nt = NULL;
	sf_tables_stats_t ts;
	size_t n = sf_live_apply(s->live, &g->cfg->dialling, g->tables, &nt);

	if (n && publish_roaming(s, nt, n, &ts))
		sf_server_log(s, LOG_ERR, "roaming_live: out of memory; "
			      "entries not applied");
}

void sf_ctl_loop(sf_server_t *s, int ctl_fd, int sig_fd)
{
	sf_mux_t m;
	struct pollfd *p;
	bool stop = false;

	if (sf_mux_init(&m, ctl_fd, SF_CTL_MAX_CLIENTS, SF_CTL_MAX_REQUEST,
			SF_CTL_DEADLINE_MS, "\n", 1 << 20))
		return;
	m.handler = ctl_answer;
	m.keep_alive = true;
	m.arg = s;
	m.st = sf_server_ctl_stats(s);
	m.drop = SF_DROP_CTL_CLIENT;
	p = calloc(sf_mux_max_fds(&m) + 2, sizeof(*p));
	while (p && !stop && !atomic_load(&s->stop)) {
		int timeout = 1000, r;
		unsigned n;

		p[0] = (struct pollfd){sig_fd, POLLIN, 0};
		p[1] = (struct pollfd){sf_live_fd(s->live), POLLIN, 0};
		n = sf_mux_poll_set(&m, p + 2, &timeout);
		r = poll(p, n + 2, timeout);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && (p[0].revents & POLLIN))
			on_signal(s, sig_fd, &stop);
		if (r > 0 && (p[1].revents & POLLIN))
			live_apply(s);
		if (r < 0)
			memset(p, 0, (n + 2) * sizeof(*p));
		sf_mux_dispatch(&m, p + 2);
		/* one fdatasync for the round's roaming changes */
		sf_journal_sync(s->journal);
	}
	free(p);
	sf_mux_fini(&m);
}
