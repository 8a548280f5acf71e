/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_gen.c - generations of config + tables + derived proxy state
 * (see proxy_gen.h), and the one table of settings a reload cannot
 * apply.
 */
#include "proxy_gen.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sf_gen_new(const sf_cfg_t *cfg, sf_tables_t *tables, const sf_key_t *key,
	       sf_plog_fn log, void *log_arg, sf_gen_t **out, sf_err_t *err)
{
	sf_gen_t *g = calloc(1, sizeof(*g));
	int rc;

	*out = NULL;
	if (!g)
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0, "out of memory");
	rc = sf_proxy_init(&g->proxy, cfg, key, err);
	if (!rc)
		rc = sf_tls_new(cfg, &g->tls, err);
	if (rc) {
		free(g);
		return rc;
	}
	g->proxy.log = log;
	g->proxy.log_arg = log_arg;
	g->cfg = cfg;
	g->tables = tables;
	*out = g;
	return 0;
}

sf_gen_t *sf_gen_successor(sf_gen_t *g, sf_tables_t *tables)
{
	sf_gen_t *n = malloc(sizeof(*n));

	if (!n)
		return NULL;
	*n = *g; /* the proxy holds no pointer into the generation itself */
	n->tables = tables;
	sf_tls_ref(n->tls);
	g->own_cfg = NULL;
	return n;
}

void sf_gen_free(sf_gen_t *g)
{
	if (!g)
		return;
	sf_tables_free(g->tables);
	sf_tls_unref(g->tls);
	sf_cfg_free(g->own_cfg);
	free(g);
}

/* ------------------------------------------------------------------ */
/* settings a reload cannot apply */

typedef enum keep_kind {
	KEEP_MEM,     /* compared byte for byte */
	KEEP_STR,     /* a NUL-terminated char array */
	KEEP_LISTEN,  /* the listener list */
	KEEP_SECRET,  /* secret[0..secret_len) */
} keep_kind_t;

#define SERVE(f) offsetof(sf_cfg_t, serve.f), sizeof(((sf_cfg_t *)0)->serve.f)
#define CFG(f) offsetof(sf_cfg_t, f), sizeof(((sf_cfg_t *)0)->f)

/* Why each needs a restart: the sockets, threads and buffers it sizes
 * are made once at start, or (secret) tokens issued under the old key
 * would stop verifying mid-dialog, or (the live roaming feed and the
 * journal) the feed thread and the journal file are opened at start and
 * their positions belong to the running tables. */
static const struct keep_row {
	const char *key;
	size_t off, len;
	keep_kind_t kind;
} keep_rows[] = {
	{"serve.listen", SERVE(listeners), KEEP_LISTEN},
	{"serve.workers", SERVE(workers), KEEP_MEM},
	{"serve.control_socket", SERVE(control_socket), KEEP_STR},
	{"serve.metrics", SERVE(metrics_addr), KEEP_STR},
	{"serve.max_message", SERVE(max_message), KEEP_MEM},
	{"serve.tcp.max_connections", SERVE(tcp_max_connections), KEEP_MEM},
	/* not the TCP timeouts and per-source cap, the TLS handshake
	 * deadline and rate: the TCP thread takes them from the current
	 * generation (proxy_tcp.c limits_from) */
	{"serve.log", SERVE(log_target), KEEP_STR},
	{"serve.secret", SERVE(secret), KEEP_SECRET},
	{"tables.roaming_live.redis", CFG(live_redis), KEEP_STR},
	{"tables.roaming_live.stream", CFG(live_stream), KEEP_STR},
	{"tables.roaming_journal", CFG(roaming_journal), KEEP_STR},
};

static bool listeners_equal(const sf_serve_cfg_t *a, const sf_serve_cfg_t *b)
{
	if (a->n_listeners != b->n_listeners)
		return false;
	for (size_t i = 0; i < a->n_listeners; i++) {
		const sf_hostport_t *x = &a->listeners[i].addr;
		const sf_hostport_t *y = &b->listeners[i].addr;

		if (x->port != y->port || x->transport != y->transport ||
		    strcmp(x->host, y->host))
			return false;
	}
	return true;
}

static bool row_equal(const struct keep_row *r, const sf_cfg_t *a,
		      const sf_cfg_t *b)
{
	const char *x = (const char *)a + r->off, *y = (const char *)b + r->off;

	switch (r->kind) {
	case KEEP_STR:
		return strncmp(x, y, r->len) == 0;
	case KEEP_LISTEN:
		return listeners_equal(&a->serve, &b->serve);
	case KEEP_SECRET:
		return a->serve.secret_len == b->serve.secret_len &&
		       memcmp(x, y, a->serve.secret_len) == 0;
	case KEEP_MEM:
		break;
	}
	return memcmp(x, y, r->len) == 0;
}

unsigned sf_gen_keep_restart(const sf_cfg_t *running, sf_cfg_t *next,
			     sf_restart_notes_t *notes)
{
	notes->n = 0;
	for (size_t i = 0; i < sizeof(keep_rows) / sizeof(keep_rows[0]); i++) {
		const struct keep_row *r = &keep_rows[i];

		if (row_equal(r, running, next))
			continue;
		memcpy((char *)next + r->off, (const char *)running + r->off,
		       r->len);
		if (r->kind == KEEP_LISTEN)
			next->serve.n_listeners = running->serve.n_listeners;
		if (r->kind == KEEP_SECRET)
			next->serve.secret_len = running->serve.secret_len;
		if (notes->n < SF_GEN_MAX_NOTES)
			snprintf(notes->msg[notes->n++],
				 sizeof(notes->msg[0]),
				 "%s changed: restart to apply", r->key);
	}
	return notes->n;
}

/* ------------------------------------------------------------------ */
/* counter slots */

int sf_gen_assign_slots(sf_st_labels_t *l, sf_proxy_t *p, const sf_cfg_t *cfg,
			sf_err_t *err)
{
	unsigned nr = atomic_load(&l->n_rules), nt = atomic_load(&l->n_trunks);

	for (size_t i = 0; i < cfg->n_rules && i < SF_ST_MAX_RULES; i++) {
		const sf_rule_t *r = &cfg->rules[i];
		unsigned j = 0;

		while (j < nr && (l->action[j] != r->action ||
				  strcmp(l->rule[j], r->name)))
			j++;
		if (j == SF_ST_MAX_RULES)
			return sf_err_set(err, SF_EINVAL, cfg->path, r->line, 0,
					  "rule '%s': the %d counter slots "
					  "(distinct rule names and actions "
					  "since start) are used up; restart "
					  "to apply", r->name, SF_ST_MAX_RULES);
		if (j == nr) {
			snprintf(l->rule[j], sizeof(l->rule[j]), "%s", r->name);
			l->action[j] = r->action;
			nr++;
		}
		p->rule_slot[i] = (uint8_t)j;
	}
	for (size_t t = 0; t < cfg->n_trunks && t < SF_CFG_MAX_TRUNKS; t++) {
		const char *name = cfg->trunks[t].name;
		unsigned j = 1;

		while (j <= nt && strcmp(l->trunk[j], name))
			j++;
		if (j > SF_CFG_MAX_TRUNKS)
			return sf_err_set(err, SF_EINVAL, cfg->path,
					  cfg->trunks[t].line, 0,
					  "trunk '%s': the %d counter slots "
					  "(distinct trunk names since start) "
					  "are used up; restart to apply",
					  name, SF_CFG_MAX_TRUNKS);
		if (j > nt) {
			snprintf(l->trunk[j], sizeof(l->trunk[j]), "%s", name);
			nt++;
		}
		p->trunk_slot[t] = (uint8_t)j;
	}
	atomic_store(&l->n_rules, nr);
	atomic_store(&l->n_trunks, nt);
	return 0;
}
