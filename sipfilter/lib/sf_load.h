/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_load.h - glue between config and tables: load the table files a
 * config names, as one snapshot.
 *
 * Every driver (check, lookup, judge, serve, replay) loads tables the same
 * way, so this lives once here rather than in each command.
 */
#ifndef SF_LOAD_H
#define SF_LOAD_H

#include "config/sf_config.h"
#include "tables/sf_tables.h"

/*
 * Loads the tables named in cfg into a new snapshot *out (caller frees
 * with sf_tables_free).  previous (may be NULL) arms the reload shrink
 * guard with cfg->serve.max_shrink.  Returns 0 or a negative SF_E* with err
 * filled (file:line for a bad row).
 */
int sf_load_tables(const sf_cfg_t *cfg, const sf_tables_t *previous,
		   sf_tables_t **out, sf_err_t *err);

/* The tables a config may name, in this order everywhere. */
typedef enum sf_load_table {
	SF_LOAD_PLAN = 0, SF_LOAD_ROAMING, SF_LOAD_SUBST, SF_LOAD_ALLOW,
	SF_LOAD_PORTED, SF_LOAD_COUNT
} sf_load_table_t;

/* The file cfg names for table t, or NULL when it names none. */
const char *sf_load_table_path(const sf_cfg_t *cfg, sf_load_table_t t);

/*
 * sf_load_tables, reading table t from paths[t] instead of the config's
 * file when paths (may be NULL) and paths[t] are not NULL and the config
 * names that table (a copy of the same file: libsipfilter's
 * sipfilter_reload_from).
 */
int sf_load_tables_at(const sf_cfg_t *cfg, const char *const *paths,
		      const sf_tables_t *previous, sf_tables_t **out,
		      sf_err_t *err);

/*
 * Loads config path and its tables.  On a config error prints every
 * diagnostic on stderr and returns SF_EPARSE; on a table error prints it
 * and returns its code.  On success *cfg and *tables are the caller's.
 */
int sf_load_all(const char *path, sf_cfg_t **cfg, sf_tables_t **tables);

/* The trunk assumed when a command names none: the first international
 * trunk (where spoofed calls arrive), else the first trunk, else -1. */
int sf_default_trunk(const sf_cfg_t *cfg);

#endif
