/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_gen.h - one generation of what `serve` judges calls with: the
 * config, the tables loaded for it and the proxy state derived from it
 * (the edge admission reads, the resolved next hops, the Allow lists).
 *
 * A generation is what the server publishes through its snapshot
 * (sipfilter/lib/snapshot.h): a worker enters it once per batch and
 * handles every message of the batch with that config and those tables,
 * so a reload never shows a worker a new rule beside an old table, and a
 * call in flight finishes on the generation it started with.  The old
 * generation is freed, config and tables together, after the same grace
 * period.
 *
 * Some settings size sockets, threads or buffers made once at start
 * (listeners, workers, the control socket...): a reload cannot apply them.
 * sf_gen_keep_restart() keeps their running values in the new config and
 * names each one that changed, so the operator is told to restart rather
 * than left believing the change took effect.
 *
 * Thread-safety: built and freed by the control thread; read-only once
 * published.
 */
#ifndef PROXY_GEN_H
#define PROXY_GEN_H

#include <stdatomic.h>
#include <stdbool.h>

#include "config/sf_config.h"
#include "tables/sf_tables.h"
#include "proxy_core.h"
#include "proxy_stats.h"
#include "proxy_tls.h"

typedef struct sf_gen {
	const sf_cfg_t *cfg;   /* what this generation judges with */
	sf_cfg_t *own_cfg;     /* == cfg when the generation frees it, else
				* NULL (the first config is the caller's) */
	sf_tables_t *tables;   /* owned; NULL = degraded (no tables) */
	sf_proxy_t proxy;      /* derived from cfg (proxy.cfg == cfg) */
	sf_tls_t *tls;         /* TLS context and trunk CAs of cfg (a
				* reference); NULL when cfg uses no TLS */
} sf_gen_t;

/*
 * Builds a generation of cfg (borrowed: set own_cfg to hand it over) and
 * tables (owned by the generation on success; still the caller's on
 * failure).  key: the key of branches, To-tags and Record-Route tokens
 * (NULL = the config's secret, or a random one; a reload passes the
 * running generation's, so tokens issued before it still verify).
 * log/log_arg: the proxy's log sink.  Returns 0 with *out, or what
 * sf_proxy_init or sf_tls_new returns (err names the trunk and its line,
 * or the TLS file and OpenSSL's reason), or SF_ENOMEM.
 */
int sf_gen_new(const sf_cfg_t *cfg, sf_tables_t *tables, const sf_key_t *key,
	       sf_plog_fn log, void *log_arg, sf_gen_t **out, sf_err_t *err);

/*
 * The generation that follows g with other tables and the same config (a
 * roaming update): a copy of g whose config ownership moves from g to
 * the result, so g can be retired without freeing it.  tables is owned by
 * the result.  NULL when out of memory (nothing changed then).
 */
sf_gen_t *sf_gen_successor(sf_gen_t *g, sf_tables_t *tables);

/* Frees the tables, the config when owned, and g.  NULL is a no-op. */
void sf_gen_free(sf_gen_t *g);

/*
 * The names behind the counter slots (proxy_stats.h), for `ctl stats`
 * and /metrics.  A rule's slot is its (name, action), a trunk's its name:
 * what was counted under "reject" stays "reject" after a reload makes the
 * rule tag, and a count follows its rule when rules are reordered.
 * Append-only: a slot, once named, keeps its name for the life of the
 * process; n_rules and n_trunks are stored (release) after the names they
 * cover, so the metrics thread reads them without a lock.
 */
typedef struct sf_st_labels {
	char rule[SF_ST_MAX_RULES][SF_CFG_NAME_MAX];
	sf_action_t action[SF_ST_MAX_RULES];
	char trunk[SF_CFG_MAX_TRUNKS + 1][SF_CFG_NAME_MAX]; /* [0]: unknown */
	_Atomic unsigned n_rules;    /* slots 0..n_rules-1 named */
	_Atomic unsigned n_trunks;   /* slots 1..n_trunks named */
} sf_st_labels_t;

/*
 * Sets p->rule_slot and p->trunk_slot for cfg from the slots in l, naming
 * new slots for rules and trunks not seen before.  Returns 0, or SF_EINVAL
 * with err when the slots are used up (more than SF_ST_MAX_RULES distinct
 * rule names and actions, or SF_CFG_MAX_TRUNKS trunk names, since start):
 * nothing visible changes then.  Control thread (the only writer of l).
 */
int sf_gen_assign_slots(sf_st_labels_t *l, sf_proxy_t *p, const sf_cfg_t *cfg,
			sf_err_t *err);

/* What a reload could not apply. */
#define SF_GEN_MAX_NOTES 16
typedef struct sf_restart_notes {
	unsigned n;
	char msg[SF_GEN_MAX_NOTES][96]; /* "serve.listen changed: restart to
					 * apply" */
} sf_restart_notes_t;

/*
 * For every setting that cannot change in a running server: when next
 * differs from running, copies running's value into next and adds a note
 * naming the key.  Returns the number of notes.  Pure; next is modified.
 */
unsigned sf_gen_keep_restart(const sf_cfg_t *running, sf_cfg_t *next,
			     sf_restart_notes_t *notes);

#endif
