/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_reload.c - SIGHUP and `ctl reload`: the config file and the
 * tables it names are built aside as one new generation (proxy_gen.h),
 * validated, published, and the old generation retired after a grace
 * period.  Build aside, validate, swap, retire: a config with any error,
 * a table that does not load or shrinks past serve.max_shrink, or a next
 * hop the proxy cannot use leaves the old generation serving, with every
 * diagnostic (file:line:col) in ctl's answer and on the log.  Settings a
 * running server cannot change are kept at their running values and
 * named in warnings ("serve.listen changed: restart to apply"); the rest
 * of the reload applies.
 *
 * Control thread only (the snapshot's single writer).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "proxy_ctl.h"
#include "proxy_journal.h"
#include "proxy_live.h"
#include "sipfilter/lib/sf_load.h"

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends line to s->last_reload_error (newline-separated). */
static void add_error(sf_server_t *s, const char *line)
{
	size_t n = strlen(s->last_reload_error);

	if (n + 2 >= sizeof(s->last_reload_error))
		return;
	snprintf(s->last_reload_error + n, sizeof(s->last_reload_error) - n,
		 "%s%s", n ? "\n" : "", line);
}

/* The config file again into *out; on failure every diagnostic is in
 * s->last_reload_error.  0 or the loader's SF_E*. */
static int load_config(sf_server_t *s, const char *path, sf_cfg_t **out)
{
	sf_diag_t *diag = malloc(sizeof(*diag));
	char line[SF_ERR_MSG_MAX + SF_ERR_FILE_MAX + 64];
	int rc;

	if (!diag) {
		add_error(s, "out of memory");
		return SF_ENOMEM;
	}
	sf_diag_init(diag);
	rc = sf_cfg_load(path, out, diag);
	for (size_t i = 0; rc && i < diag->n; i++) {
		sf_err_format(&diag->items[i], line, sizeof(line));
		add_error(s, line);
	}
	if (rc && diag->dropped) {
		snprintf(line, sizeof(line), "%s: %zu more errors", path,
			 diag->dropped);
		add_error(s, line);
	}
	if (rc && !diag->n)
		add_error(s, "the config does not load");
	free(diag);
	return rc;
}

/*
 * The journal on t: the entries after its roaming file's "# journal-seq:"
 * applied, giving *out (NULL when none), then the entries the file holds
 * dropped from the journal.  *n: entries replayed.
 */
static int journal_onto(sf_server_t *s, const sf_tables_t *t,
			sf_tables_t **out, size_t *n, sf_err_t *err)
{
	uint64_t at = sf_tables_roaming_journal_seq(t);
	char line[600];
	int rc;

	*n = 0;
	*out = NULL;
	if (!s->journal || !t)
		return 0;
	if (at > sf_journal_last(s->journal)) {
		snprintf(line, sizeof(line), "roaming_journal: the roaming file "
			 "says '# journal-seq: %llu' but the journal ends at "
			 "%llu; numbering goes on after %llu",
			 (unsigned long long)at,
			 (unsigned long long)sf_journal_last(s->journal),
			 (unsigned long long)at);
		sf_server_log(s, LOG_WARNING, line);
	}
	rc = sf_journal_replay(s->journal, at, t, out, n, err);
	if (rc)
		return rc;
	if (at && sf_journal_compact(s->journal, at, err)) {
		/* the journal stays whole: it still replays right */
		sf_err_format(err, line, sizeof(line));
		sf_server_log(s, LOG_WARNING, line);
		sf_err_clear(err);
	}
	return 0;
}

int sf_ctl_journal_start(sf_server_t *s, sf_err_t *err)
{
	sf_gen_t *g = sf_server_gen(s), *ng;
	sf_tables_t *t;
	char warn[SF_CFG_PATH_MAX + 200], line[200];
	double t0 = mono_s();
	size_t n;
	int rc;

	if (!s->cfg->roaming_journal[0])
		return 0;
	rc = sf_journal_open(s->cfg->roaming_journal, &s->journal, warn,
			     sizeof(warn), err);
	if (rc)
		return rc;
	if (warn[0])
		sf_server_log(s, LOG_WARNING, warn);
	if (!g->tables)
		return 0;
	rc = journal_onto(s, g->tables, &t, &n, err);
	if (rc || !t)
		return rc;
	sf_tables_set_generation(t, s->status.generation);
	ng = sf_gen_successor(g, t);
	if (!ng) {
		sf_tables_free(t);
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0, "out of memory");
	}
	sf_snap_publish(&s->snap, ng);
	sf_tables_stats(t, &s->status.tables);
	snprintf(line, sizeof(line), "roaming_journal: %zu changes replayed "
		 "(journal at %llu) in %.3f s", n,
		 (unsigned long long)sf_journal_last(s->journal),
		 mono_s() - t0);
	sf_server_log(s, LOG_NOTICE, line);
	return 0;
}

/*
 * Builds the next generation from the config file: *out, or a negative
 * SF_E* with the reasons in s->last_reload_error.  Notes on settings that
 * need a restart go to s->last_reload_notes.
 */
static int build_next(sf_server_t *s, const sf_gen_t *cur, bool force,
		      sf_gen_t **out)
{
	sf_cfg_t *cfg = NULL;
	sf_tables_t *nt = NULL, *jt;
	char line[1200];
	sf_err_t err;
	size_t replayed;
	int rc;

	*out = NULL;
	sf_err_clear(&err);
	rc = load_config(s, s->cfg->path, &cfg);
	if (rc)
		return rc;
	sf_gen_keep_restart(cur->cfg, cfg, &s->last_reload_notes);
	/* the shrink guard compares with the tables serving now */
	rc = sf_load_tables(cfg, force ? NULL : cur->tables, &nt, &err);
	if (!rc && !(rc = journal_onto(s, nt, &jt, &replayed, &err)) && jt) {
		sf_tables_free(nt);
		nt = jt;
	}
	if (!rc)
		rc = sf_gen_new(cfg, nt, &s->proxy.edge.key, sf_server_log, s,
				out, &err);
	if (!rc) {
		nt = NULL; /* the generation's */
		(*out)->proxy.edge.cert_peer = sf_tcp_cert_peer;
		(*out)->proxy.edge.cert_peer_arg = s;
		rc = sf_gen_assign_slots(&s->labels, &(*out)->proxy, cfg, &err);
		if (rc) {
			sf_gen_free(*out); /* frees nt, not cfg (not owned) */
			*out = NULL;
		}
	}
	if (rc) {
		sf_err_format(&err, line, sizeof(line));
		add_error(s, line);
		sf_tables_free(nt);
		sf_cfg_free(cfg);
		return rc;
	}
	(*out)->own_cfg = cfg;
	return 0;
}

int sf_ctl_reload(sf_server_t *s)
{
	return sf_ctl_reload_force(s, false);
}

/* The forced reload's log line: rows of each table, before -> after. */
static void log_forced(sf_server_t *s, const sf_tables_stats_t *a,
		       const sf_tables_stats_t *b)
{
	char line[400];

	snprintf(line, sizeof(line), "reload forced past the shrink guard "
		 "(ctl reload --force): rows numbering_plan %zu -> %zu, "
		 "roaming %zu -> %zu, substitution %zu -> %zu, allow %zu -> "
		 "%zu, ported %zu -> %zu", a->plan_rows, b->plan_rows,
		 a->roaming_rows, b->roaming_rows, a->subst_rows,
		 b->subst_rows, a->allow_rows, b->allow_rows, a->ported_rows,
		 b->ported_rows);
	sf_server_log(s, LOG_WARNING, line);
}

int sf_ctl_reload_force(sf_server_t *s, bool force)
{
	sf_gen_t *cur = sf_server_gen(s), *next;
	sf_reload_status_t st = s->status;
	sf_tables_stats_t before;
	double t0 = mono_s();
	char line[900];
	int rc;

	s->last_reload_error[0] = '\0';
	s->last_reload_notes.n = 0;
	sf_tables_stats(cur->tables, &before);
	rc = build_next(s, cur, force, &next);
	st.last_reload_seconds = mono_s() - t0;
	if (rc) {
		const char *p = s->last_reload_error;

		s->last_reload_notes.n = 0; /* nothing was applied */
		st.reloads_failed++;
		st.last_reload_ok = false;
		pthread_mutex_lock(&s->status_lock);
		s->status = st;
		pthread_mutex_unlock(&s->status_lock);
		/* one log line per diagnostic, each greppable on its own */
		while (*p) {
			size_t n = strcspn(p, "\n");

			snprintf(line, sizeof(line), "reload failed, keeping "
				 "generation %llu: %.*s",
				 (unsigned long long)st.generation, (int)n, p);
			sf_server_log(s, LOG_ERR, line);
			p += n + (p[n] == '\n');
		}
		return rc;
	}
	++st.generation;
	if (next->tables)
		sf_tables_set_generation(next->tables, st.generation);
	sf_snap_publish(&s->snap, next); /* cur is freed after this */
	/* the live feed again from the new file's position in the stream */
	sf_live_reset(s->live, sf_tables_roaming_stream_id(next->tables));
	st.reloads_ok++;
	st.last_reload_ok = true;
	st.loaded_at = (int64_t)time(NULL);
	st.have_tables = next->tables != NULL;
	sf_tables_stats(next->tables, &st.tables);
	if (force)
		log_forced(s, &before, &st.tables);
	st.n_certs = sf_tls_expiry_list(next->tls, st.certs, SF_TLS_MAX_CERTS);
	pthread_mutex_lock(&s->status_lock);
	s->status = st;
	pthread_mutex_unlock(&s->status_lock);
	for (unsigned i = 0; i < s->last_reload_notes.n; i++) {
		snprintf(line, sizeof(line), "reload: %s",
			 s->last_reload_notes.msg[i]);
		sf_server_log(s, LOG_WARNING, line);
	}
	snprintf(line, sizeof(line), "reload ok: generation %llu (config and "
		 "tables) in %.3f s%s", (unsigned long long)st.generation,
		 st.last_reload_seconds,
		 s->last_reload_notes.n ? ", some settings need a restart" : "");
	sf_server_log(s, LOG_NOTICE, line);
	return 0;
}
