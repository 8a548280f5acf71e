/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_load.c - load the tables a config names (see sf_load.h).
 */
#include "sf_load.h"

#include <stdlib.h>

const char *sf_load_table_path(const sf_cfg_t *cfg, sf_load_table_t t)
{
	const char *p = t == SF_LOAD_PLAN      ? cfg->plan_path
			: t == SF_LOAD_ROAMING ? cfg->roaming_path
			: t == SF_LOAD_SUBST   ? cfg->substitution_path
			: t == SF_LOAD_ALLOW   ? cfg->allow_path
			: t == SF_LOAD_PORTED  ? cfg->ported_path
					       : NULL;

	return p && p[0] ? p : NULL;
}

int sf_load_tables(const sf_cfg_t *cfg, const sf_tables_t *previous,
		   sf_tables_t **out, sf_err_t *err)
{
	return sf_load_tables_at(cfg, NULL, previous, out, err);
}

/* paths[t] when given and the config names table t, else the config's. */
static const char *pick(const sf_cfg_t *cfg, const char *const *paths,
			sf_load_table_t t)
{
	const char *own = sf_load_table_path(cfg, t);

	return own && paths && paths[t] ? paths[t] : own;
}

/* The config's feed format of table t (its values are sf_table_sep_t's
 * and sf_table_header_t's; config/ knows nothing of tables/). */
_Static_assert(SF_TABLE_SEP_COMMA == 1 && SF_TABLE_SEP_SEMICOLON == 2 &&
		       SF_TABLE_HEADER_YES == 1 && SF_TABLE_HEADER_NO == 2 &&
		       SF_LOAD_COUNT == 5,
	       "config's table_fmt values are the tables' formats");
static sf_table_format_t fmt(const sf_cfg_t *cfg, sf_load_table_t t)
{
	sf_table_format_t f = {cfg->table_fmt[t].sep, cfg->table_fmt[t].header};

	return f;
}

int sf_load_tables_at(const sf_cfg_t *cfg, const char *const *paths,
		      const sf_tables_t *previous, sf_tables_t **out,
		      sf_err_t *err)
{
	const char *names[SF_CFG_MAX_TRUNKS];
	const char *home[SF_CFG_MAX_HOME_OPS];
	sf_tables_src_t src = {0};

	for (size_t i = 0; i < cfg->n_trunks && i < SF_CFG_MAX_TRUNKS; i++)
		names[i] = cfg->trunks[i].name;
	src.plan = pick(cfg, paths, SF_LOAD_PLAN);
	src.roaming = pick(cfg, paths, SF_LOAD_ROAMING);
	src.substitution = pick(cfg, paths, SF_LOAD_SUBST);
	src.allow = pick(cfg, paths, SF_LOAD_ALLOW);
	src.ported = pick(cfg, paths, SF_LOAD_PORTED);
	for (size_t i = 0; i < cfg->n_home_operators; i++)
		home[i] = cfg->home_operators[i];
	src.home_operators = home;
	src.n_home_operators = cfg->n_home_operators;
	src.ported_out_class = (sf_class_t)cfg->ported_out_class;
	src.plan_fmt = fmt(cfg, SF_LOAD_PLAN);
	src.roaming_fmt = fmt(cfg, SF_LOAD_ROAMING);
	src.substitution_fmt = fmt(cfg, SF_LOAD_SUBST);
	src.allow_fmt = fmt(cfg, SF_LOAD_ALLOW);
	src.ported_fmt = fmt(cfg, SF_LOAD_PORTED);
	src.trunk_names = names;
	src.n_trunks = cfg->n_trunks;
	src.previous = previous;
	src.max_shrink = previous ? cfg->serve.max_shrink : 1.0;
	return sf_tables_load(&src, out, err);
}

int sf_load_all(const char *path, sf_cfg_t **cfg, sf_tables_t **tables)
{
	sf_diag_t *diag = malloc(sizeof(*diag));
	sf_err_t err;
	int rc;

	*cfg = NULL;
	*tables = NULL;
	if (!diag) {
		fprintf(stderr, "sipfilter: out of memory\n");
		return SF_ENOMEM;
	}
	sf_diag_init(diag);
	rc = sf_cfg_load(path, cfg, diag);
	if (rc < 0) {
		sf_diag_print(diag, stderr);
		free(diag);
		return SF_EPARSE;
	}
	free(diag);
	sf_err_clear(&err);
	rc = sf_load_tables(*cfg, NULL, tables, &err);
	if (rc < 0) {
		sf_err_print(&err, stderr);
		sf_cfg_free(*cfg);
		*cfg = NULL;
		return rc;
	}
	return 0;
}

int sf_default_trunk(const sf_cfg_t *cfg)
{
	for (size_t i = 0; i < cfg->n_trunks; i++)
		if (cfg->trunks[i].kind == SF_TRUNK_INTERNATIONAL)
			return (int)i;
	return cfg->n_trunks ? 0 : -1;
}
