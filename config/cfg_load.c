/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cfg_load.c - sf_cfg_load/sf_cfg_parse: the top level of the schema, the
 * small sections (dialling, identity_order, emergency, tag) and the
 * public lookups.
 *
 * The flow is: read the file (bounded), build the node tree (cfg_yaml.c),
 * fill a zeroed sf_cfg_t with the defaults, walk each section, resolve the
 * trunk names used by rules, then sort this run's diagnostics by position
 * so they read top to bottom like a compiler's.  Any error means no config:
 * the caller never sees a half-checked one.
 */
#include "cfg_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	S_DIALLING, S_IDENTITY, S_TABLES, S_TRUNKS, S_EMERGENCY, S_TAG,
	S_RULES, S_SERVE, S_COUNT
};

static const char *const sections[S_COUNT] = {
	[S_DIALLING] = "dialling",
	[S_IDENTITY] = "identity_order",
	[S_TABLES] = "tables",
	[S_TRUNKS] = "trunks",
	[S_EMERGENCY] = "emergency",
	[S_TAG] = "tag",
	[S_RULES] = "rules",
	[S_SERVE] = "serve",
};

/* --- dialling -------------------------------------------------------------- */

enum { D_CC, D_NP, D_INTL, D_NLEN, D_SHORT, D_COUNT };

static const char *const dialling_keys[D_COUNT] = {
	[D_CC] = "country_code",
	[D_NP] = "national_prefix",
	[D_INTL] = "international_prefixes",
	[D_NLEN] = "national_length",
	[D_SHORT] = "max_short_length",
};

static void load_dialling(cfg_ctx_t *c, const cfg_node_t *n,
			  const cfg_node_t *root)
{
	sf_dialling_t *d = &c->cfg->dialling;
	const cfg_node_t *v[D_COUNT];
	unsigned long u;

	if (!n) {
		cfg_err(c, root, "missing required section 'dialling' (with "
			"country_code and national_length)");
		return;
	}
	if (!cfg_map_fields(c, n, "dialling", "'dialling'", "key",
			    dialling_keys, D_COUNT, v, NULL))
		return;
	if (!v[D_CC])
		cfg_err(c, n, "missing required key 'country_code' in "
			"'dialling', e.g. country_code: \"7\"");
	else
		cfg_get_digits(c, v[D_CC], "country_code", 1, d->country_code,
			       sizeof(d->country_code));
	if (v[D_NP] && !cfg_node_is_null(v[D_NP]) && v[D_NP]->len > 0)
		cfg_get_digits(c, v[D_NP], "national_prefix", 1,
			       d->national_prefix, sizeof(d->national_prefix));
	if (v[D_INTL] && cfg_list_check(c, v[D_INTL], "international_prefixes",
					"digit strings")) {
		const cfg_node_t *l = v[D_INTL];

		for (const cfg_node_t *it = cfg_list_first(l); it;
		     it = cfg_list_next(l, it)) {
			if (d->n_intl_prefixes == SF_CFG_PREFIX_MAX) {
				cfg_err(c, it, "too many "
					"international_prefixes; at most %d",
					SF_CFG_PREFIX_MAX);
				break;
			}
			if (cfg_get_digits(c, it, "international_prefixes", 1,
					   d->intl_prefixes[d->n_intl_prefixes],
					   sizeof(d->intl_prefixes[0])))
				d->n_intl_prefixes++;
		}
	}
	if (!v[D_NLEN])
		cfg_err(c, n, "missing required key 'national_length' in "
			"'dialling' (digits after the country code, e.g. 10)");
	else if (cfg_get_uint(c, v[D_NLEN], "national_length", 4, 14, &u))
		d->national_length = (uint8_t)u;
	if (v[D_SHORT] &&
	    cfg_get_uint(c, v[D_SHORT], "max_short_length", 2, 8, &u))
		d->max_short_length = (uint8_t)u;
}

/* --- identity_order -------------------------------------------------------- */

static void load_identity(cfg_ctx_t *c, const cfg_node_t *n)
{
	sf_cfg_t *cfg = c->cfg;
	const cfg_node_t *seen[SF_CFG_MAX_IDENTITY] = {0};
	size_t k = 0;

	if (!cfg_list_check(c, n, "identity_order", "pai, ppi, rpid, from"))
		return;
	if (cfg_list_len(n) == 0) {
		cfg_err(c, n, "'identity_order' is empty; list where the "
			"caller's number is taken from, e.g. [pai, rpid, "
			"from]");
		return;
	}
	for (const cfg_node_t *it = cfg_list_first(n); it;
	     it = cfg_list_next(n, it)) {
		int s;

		if (!cfg_get_enum(c, it, "identity source",
				  cfg_id_source_names, SF_CFG_MAX_IDENTITY,
				  &s))
			continue;
		if (seen[s]) {
			cfg_err(c, it, "'%s' appears twice in 'identity_order' "
				"(first at line %u, column %u)",
				cfg_id_source_names[s], seen[s]->line,
				seen[s]->col);
			continue;
		}
		seen[s] = it;
		cfg->identity_order[k++] = (sf_id_source_t)s;
	}
	cfg->n_identity_order = k;
}

/* --- emergency, tag ---------------------------------------------------------- */

static void load_emergency(cfg_ctx_t *c, const cfg_node_t *n)
{
	sf_cfg_t *cfg = c->cfg;
	size_t k = 0;

	if (!cfg_list_check(c, n, "emergency", "numbers"))
		return;
	if (cfg_list_len(n) == 0) {
		cfg_err(c, n, "'emergency' is empty; emergency calls must "
			"never be blocked, list their numbers (e.g. \"112\")");
		return;
	}
	for (const cfg_node_t *it = cfg_list_first(n); it;
	     it = cfg_list_next(n, it)) {
		if (k == SF_CFG_MAX_EMERGENCY) {
			cfg_err(c, it, "too many emergency numbers; at most %d",
				SF_CFG_MAX_EMERGENCY);
			break;
		}
		if (cfg_get_digits(c, it, "emergency", 1, cfg->emergency[k],
				   sizeof(cfg->emergency[0])))
			k++;
	}
	cfg->n_emergency = k;
}

enum { G_HEADER, G_VERSTAT, G_COUNT };

static const char *const tag_keys[G_COUNT] = {
	[G_HEADER] = "header",
	[G_VERSTAT] = "verstat",
};

/* RFC 3261 §25.1 token characters. */
static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') &&
		    !(ch >= '0' && ch <= '9') && !strchr("-.!%*_+`'~", ch))
			return false;
	}
	return true;
}

static void load_tag(cfg_ctx_t *c, const cfg_node_t *n)
{
	sf_tag_cfg_t *t = &c->cfg->tag;
	const cfg_node_t *v[G_COUNT];
	char buf[sizeof(t->header)], sh[256];

	if (!cfg_map_fields(c, n, "tag", "'tag'", "key", tag_keys, G_COUNT, v,
			    NULL))
		return;
	if (v[G_HEADER] &&
	    cfg_get_text(c, v[G_HEADER], "header", buf, sizeof(buf))) {
		if (!is_token(buf))
			cfg_err(c, v[G_HEADER], "'header' must be a SIP header "
				"name (letters, digits, '-', '.'), got '%s'",
				cfg_show(v[G_HEADER], sh, sizeof(sh)));
		else
			memcpy(t->header, buf, sizeof(buf));
	}
	if (v[G_VERSTAT])
		cfg_get_bool(c, v[G_VERSTAT], "verstat", &t->verstat);
}

/* --- driver ---------------------------------------------------------------- */

static void set_defaults(sf_cfg_t *cfg)
{
	cfg->dialling.max_short_length = 6;
	cfg->identity_order[0] = SF_ID_PAI;
	cfg->identity_order[1] = SF_ID_RPID;
	cfg->identity_order[2] = SF_ID_FROM;
	cfg->n_identity_order = 3;
	snprintf(cfg->tag.header, sizeof(cfg->tag.header), "X-Sipfilter");
	cfg->tag.verstat = true;
	snprintf(cfg->emergency[0], sizeof(cfg->emergency[0]), "112");
	cfg->n_emergency = 1;
	cfg_serve_defaults(&cfg->serve);
}

static int cmp_err(const sf_err_t *a, const sf_err_t *b)
{
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return 0;
}

/* Stable insertion sort of the items this run added (at most 32). */
static void sort_diag(sf_diag_t *d, size_t from)
{
	for (size_t i = from + 1; i < d->n; i++) {
		sf_err_t tmp = d->items[i];
		size_t j = i;

		while (j > from && cmp_err(&d->items[j - 1], &tmp) > 0) {
			d->items[j] = d->items[j - 1];
			j--;
		}
		d->items[j] = tmp;
	}
}

static void walk(cfg_ctx_t *c, const cfg_node_t *root)
{
	const cfg_node_t *v[S_COUNT];
	char d[96];

	if (!root || cfg_node_is_null(root)) {
		sf_diag_add(c->diag, SF_EPARSE, c->name, 1, 1,
			    "the config is empty; it needs at least a "
			    "'dialling' section");
		c->nerr++;
		return;
	}
	if (root->kind != CFG_MAP) {
		cfg_err(c, root, "the config must be a map of sections "
			"(dialling, trunks, rules, ...), got %s",
			cfg_desc(root, d, sizeof(d)));
		return;
	}
	cfg_map_fields(c, root, "config", NULL, "section", sections, S_COUNT,
		       v, NULL);
	load_dialling(c, v[S_DIALLING], root);
	if (v[S_IDENTITY])
		load_identity(c, v[S_IDENTITY]);
	if (v[S_TABLES])
		cfg_load_tables(c, v[S_TABLES]);
	cfg_load_trunks(c, v[S_TRUNKS]);
	if (v[S_EMERGENCY])
		load_emergency(c, v[S_EMERGENCY]);
	if (v[S_TAG])
		load_tag(c, v[S_TAG]);
	cfg_load_rules(c, v[S_RULES]);
	if (v[S_SERVE])
		cfg_load_serve(c, v[S_SERVE]);
	cfg_resolve_trunk_refs(c);
	cfg_compile_rules(c);
}

int sf_cfg_parse_flags(const char *name, const char *text, size_t len,
		       const char *base_dir, unsigned flags, sf_cfg_t **out,
		       sf_diag_t *diag)
{
	cfg_ctx_t c;
	cfg_tree_t *tree = NULL;
	size_t first = diag->n;
	int rc;

	*out = NULL;
	if (!name)
		name = "<config>";
	rc = cfg_tree_parse(name, text, len, diag, &tree);
	if (rc < 0)
		return rc == SF_ENOMEM ? SF_ENOMEM : SF_EPARSE;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.base_dir = base_dir;
	c.flags = flags;
	c.diag = diag;
	c.cfg = calloc(1, sizeof(*c.cfg));
	if (!c.cfg) {
		cfg_tree_free(tree);
		return sf_diag_add(diag, SF_ENOMEM, name, 0, 0,
				   "out of memory");
	}
	snprintf(c.cfg->path, sizeof(c.cfg->path), "%s", name);
	set_defaults(c.cfg);
	walk(&c, cfg_tree_root(tree));
	free(c.trefs);
	cfg_tree_free(tree);

	if (c.oom) {
		sf_diag_add(diag, SF_ENOMEM, name, 0, 0, "out of memory");
		sf_cfg_free(c.cfg);
		return SF_ENOMEM;
	}
	if (c.nerr) {
		sort_diag(diag, first);
		sf_cfg_free(c.cfg);
		return SF_EPARSE;
	}
	*out = c.cfg;
	return 0;
}

int sf_cfg_parse(const char *name, const char *text, size_t len,
		 const char *base_dir, sf_cfg_t **out, sf_diag_t *diag)
{
	return sf_cfg_parse_flags(name, text, len, base_dir, 0, out, diag);
}

int sf_cfg_load(const char *path, sf_cfg_t **out, sf_diag_t *diag)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash;
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		sf_err_t err;

		sf_err_set(&err, SF_EIO, path, 0, 0, "cannot open the config: "
			   "%s", strerror(e));
		err.sys_errno = e;
		sf_diag_push(diag, &err);
		return SF_EIO;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return sf_diag_add(diag, SF_EIO, path, 0, 0,
				   "the config is not a regular file");
	}
	if (st.st_size > (off_t)CFG_MAX_FILE) {
		close(fd);
		return sf_diag_add(diag, SF_EIO, path, 0, 0,
				   "file is larger than %u bytes; is this "
				   "really the config?", CFG_MAX_FILE);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return sf_diag_add(diag, SF_ENOMEM, path, 0, 0,
				   "out of memory");
	}
	/* Read at most the size fstat gave plus one byte, so a file that
	 * grows while we read cannot make us read without bound. */
	while (got <= (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			free(buf);
			return sf_diag_add(diag, SF_EIO, path, 0, 0,
					   "cannot read the config: %s",
					   strerror(e));
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got > (size_t)st.st_size) {
		free(buf);
		return sf_diag_add(diag, SF_EIO, path, 0, 0,
				   "the config changed while being read");
	}

	slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	/* Absolute, so the paths stay valid if the daemon changes dir. */
	if (realpath(dir, real))
		snprintf(dir, sizeof(dir), "%s", real);
	rc = sf_cfg_parse(path, buf, got, dir, out, diag);
	free(buf);
	return rc;
}

void sf_cfg_free(sf_cfg_t *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_trunks; i++)
		free(cfg->trunks[i].cidrs);
	free(cfg->trunks);
	free(cfg->rules);
	free(cfg);
}

int sf_cfg_trunk_find(const sf_cfg_t *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_trunks; i++)
		if (!strcmp(cfg->trunks[i].name, name))
			return (int)i;
	return -1;
}

int sf_cfg_trunk_match(const sf_cfg_t *cfg, const sf_ip_t *ip)
{
	for (size_t i = 0; i < cfg->n_trunks; i++) {
		const sf_trunk_t *t = &cfg->trunks[i];

		if (t->cert.on)
			continue; /* its certificate, not its address */
		for (size_t j = 0; j < t->n_cidrs; j++)
			if (sf_cidr_match(&t->cidrs[j], ip))
				return (int)i;
	}
	return -1;
}

bool sf_cfg_trunk_source_ok(const sf_trunk_t *t, const sf_ip_t *ip)
{
	if (!t->n_cidrs)
		return true;
	for (size_t j = 0; j < t->n_cidrs; j++)
		if (sf_cidr_match(&t->cidrs[j], ip))
			return true;
	return false;
}

int sf_cfg_rule_find(const sf_cfg_t *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_rules; i++)
		if (!strcmp(cfg->rules[i].name, name))
			return (int)i;
	return -1;
}
