/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cfg_tables.c - the `tables` section: which file feeds each table, and
 * the settings that go with a table.
 *
 * Each table is either a file name (`roaming: tables/roaming.csv`) or a
 * map with the file under `file:` and that table's settings beside it.
 * Every table's map may say how its file is written (`separator`: auto,
 * "," or ";"; `header`: auto, true or false; tables/sf_tables.h has the
 * detection rules).  The ported table needs a map: which operators in the MNP export are
 * ours (`home_operators`) decides whether a ported number is ported in or
 * out, and that cannot be guessed.  Every file is resolved against the
 * config's directory and checked to be a readable file here, so `check`
 * names the config line of a missing table.
 */
#include "cfg_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { T_PLAN, T_ROAMING, T_SUBST, T_ALLOW, T_PORTED, T_LIVE, T_JOURNAL,
       T_COUNT };

static const char *const table_keys[T_COUNT] = {
	[T_PLAN] = "numbering_plan",
	[T_ROAMING] = "roaming",
	[T_SUBST] = "substitution",
	[T_ALLOW] = "allow",
	[T_PORTED] = "ported",
	[T_LIVE] = "roaming_live",
	[T_JOURNAL] = "roaming_journal",
};

enum { L_REDIS, L_STREAM, L_COUNT };

static const char *const live_keys[L_COUNT] = {
	[L_REDIS] = "redis",
	[L_STREAM] = "stream",
};

/* tables.roaming_live: {redis: unix:/path | HOST:PORT, stream: KEY} */
static void load_live(cfg_ctx_t *c, const cfg_node_t *n)
{
	sf_cfg_t *cfg = c->cfg;
	const cfg_node_t *v[L_COUNT];
	const char *colon;

	if (!cfg_map_fields(c, n, "roaming_live", "'tables.roaming_live'",
			    "key", live_keys, L_COUNT, v, NULL))
		return;
	if (!v[L_REDIS] || !v[L_STREAM]) {
		cfg_err(c, n, "'tables.roaming_live' needs 'redis' (unix:PATH "
			"or HOST:PORT) and 'stream' (the stream key)");
		return;
	}
	if (!cfg_get_text(c, v[L_REDIS], "redis", cfg->live_redis,
			  sizeof(cfg->live_redis)) ||
	    !cfg_get_text(c, v[L_STREAM], "stream", cfg->live_stream,
			  sizeof(cfg->live_stream)))
		return;
	colon = strrchr(cfg->live_redis, ':');
	if (strncmp(cfg->live_redis, "unix:/", 6) != 0 &&
	    (!colon || colon == cfg->live_redis || !colon[1] ||
	     strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	     atoi(colon + 1) < 1 || atoi(colon + 1) > 65535)) {
		cfg_err(c, v[L_REDIS], "'redis' must be unix:/PATH or "
			"HOST:PORT, got '%s'", cfg->live_redis);
		cfg->live_redis[0] = '\0';
	}
	if (!cfg->live_stream[0] || strpbrk(cfg->live_stream, " \t")) {
		cfg_err(c, v[L_STREAM], "'stream' must be a key without "
			"blanks");
		cfg->live_stream[0] = '\0';
	}
}

/* tables.roaming_journal: PATH, the local journal of `ctl roaming
 * add/del` (sipfilter/proxy/proxy_journal.h).  The file may not exist
 * yet (serve creates it); its directory must. */
static void load_journal(cfg_ctx_t *c, const cfg_node_t *n)
{
	char dir[SF_CFG_PATH_MAX], sh[256], *slash;
	struct stat st;

	if (cfg_node_is_null(n) ||
	    !cfg_path_resolve(c, n, "roaming_journal", c->cfg->roaming_journal))
		return;
	if (c->flags & SF_CFG_SKIP_FILE_CHECKS)
		return;
	cfg_show(n, sh, sizeof(sh));
	snprintf(dir, sizeof(dir), "%s", c->cfg->roaming_journal);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		cfg_err(c, n, "'roaming_journal' %s: its directory does not "
			"exist", sh);
	else if (!stat(c->cfg->roaming_journal, &st) && S_ISDIR(st.st_mode))
		cfg_err(c, n, "'roaming_journal' %s is a directory", sh);
}

/* Keys of a table written as a map. */
enum { K_FILE, K_SEPARATOR, K_HEADER, K_HOME_OPS, K_OUT_CLASS, K_COUNT };

static const char *const map_keys[K_COUNT] = {
	[K_FILE] = "file",
	[K_SEPARATOR] = "separator",
	[K_HEADER] = "header",
	[K_HOME_OPS] = "home_operators",
	[K_OUT_CLASS] = "out_class",
};

/* separator: values, in sf_cfg_table_fmt order (0 = detect) */
static const char *const sep_names[] = {"auto", ",", ";"};
static const char *const header_names[] = {"auto", "true", "false"};

static void load_table_path(cfg_ctx_t *c, const cfg_node_t *n,
			    const char *key, char *out)
{
	char sh[256];
	struct stat st;

	if (cfg_node_is_null(n))
		return;
	if (!cfg_path_resolve(c, n, key, out))
		return;
	if (c->flags & SF_CFG_SKIP_FILE_CHECKS)
		return;
	cfg_show(n, sh, sizeof(sh));
	if (stat(out, &st) < 0) {
		cfg_err(c, n, "table file '%s' not found: %s", sh,
			strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		cfg_err(c, n, "table file '%s' is a directory", sh);
		return;
	}
	if (access(out, R_OK) < 0)
		cfg_err(c, n, "table file '%s' is not readable: %s", sh,
			strerror(errno));
}

static void load_home_operators(cfg_ctx_t *c, const cfg_node_t *n)
{
	sf_cfg_t *cfg = c->cfg;
	size_t k = 0;

	if (!cfg_list_check(c, n, "home_operators", "operator names"))
		return;
	if (cfg_list_len(n) == 0) {
		cfg_err(c, n, "'home_operators' is empty; name the operators "
			"in the ported file that are ours");
		return;
	}
	for (const cfg_node_t *it = cfg_list_first(n); it;
	     it = cfg_list_next(n, it)) {
		if (k == SF_CFG_MAX_HOME_OPS) {
			cfg_err(c, it, "too many home operators; at most %d",
				SF_CFG_MAX_HOME_OPS);
			break;
		}
		if (cfg_get_text(c, it, "home_operators",
				 cfg->home_operators[k],
				 sizeof(cfg->home_operators[0])))
			k++;
	}
	cfg->n_home_operators = k;
}

/* A table written as a map: file plus its settings. */
static void load_table_map(cfg_ctx_t *c, const cfg_node_t *n, size_t t,
			   char *out)
{
	const cfg_node_t *v[K_COUNT], *kn[K_COUNT];
	char where[64];
	int cls;

	snprintf(where, sizeof(where), "'tables.%s'", table_keys[t]);
	if (!cfg_map_fields(c, n, table_keys[t], where, "key", map_keys,
			    K_COUNT, v, kn))
		return;
	if (!v[K_FILE])
		cfg_err(c, n, "%s needs 'file' (the table's file name)", where);
	else
		load_table_path(c, v[K_FILE], table_keys[t], out);
	if (v[K_SEPARATOR] &&
	    cfg_get_enum(c, v[K_SEPARATOR], "separator", sep_names, 3, &cls))
		c->cfg->table_fmt[t].sep = (uint8_t)cls;
	if (v[K_HEADER] &&
	    cfg_get_enum(c, v[K_HEADER], "header", header_names, 3, &cls))
		c->cfg->table_fmt[t].header = (uint8_t)cls;
	for (size_t k = K_HOME_OPS; k < K_COUNT; k++)
		if (kn[k] && t != T_PORTED)
			cfg_err(c, kn[k], "'%s' is a setting of the ported "
				"table, not of %s", map_keys[k], where);
	if (t != T_PORTED)
		return;
	if (!v[K_HOME_OPS])
		cfg_err(c, n, "%s needs 'home_operators' (the operator names "
			"in the ported file that are ours)", where);
	else
		load_home_operators(c, v[K_HOME_OPS]);
	if (v[K_OUT_CLASS] &&
	    cfg_get_enum(c, v[K_OUT_CLASS], "out_class", sf_class_names + 1,
			 SF_CLASS_COUNT - 1, &cls))
		c->cfg->ported_out_class = cls + 1;
}

void cfg_load_tables(cfg_ctx_t *c, const cfg_node_t *n)
{
	sf_cfg_t *cfg = c->cfg;
	const cfg_node_t *v[T_COUNT], *k[T_COUNT];
	char *dst[T_COUNT] = {cfg->plan_path, cfg->roaming_path,
			      cfg->substitution_path, cfg->allow_path,
			      cfg->ported_path, NULL, NULL};

	cfg->ported_out_class = SF_CLASS_DOMESTIC_OTHER;
	if (!cfg_map_fields(c, n, "tables", "'tables'", "key", table_keys,
			    T_COUNT, v, k))
		return;
	for (size_t i = 0; i < T_COUNT; i++) {
		if (!v[i])
			continue;
		if (i == T_LIVE) {
			cfg->live_line = k[i]->line; /* for its embedders */
			cfg->live_col = k[i]->col;
			load_live(c, v[i]);
		} else if (i == T_JOURNAL) {
			load_journal(c, v[i]);
		} else if (v[i]->kind == CFG_MAP) {
			load_table_map(c, v[i], i, dst[i]);
		} else if (i == T_PORTED && !cfg_node_is_null(v[i])) {
			cfg_err(c, v[i], "'tables.ported' needs its "
				"home_operators: write it as a map, "
				"{file: FILE, home_operators: [NAME, ...]}");
		} else {
			load_table_path(c, v[i], table_keys[i], dst[i]);
		}
	}
	if (v[T_JOURNAL] && v[T_LIVE] && cfg->live_redis[0])
		cfg_err(c, v[T_JOURNAL], "'roaming_journal' and 'roaming_live' "
			"exclude each other: with Redis, `ctl roaming` changes "
			"go to the stream (remove one)");
}
