/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cfg_fields.c - typed access to the node tree, with the error messages.
 *
 * Every check of a single value lives here so that the same mistake gets
 * the same sentence wherever it is made: "'x' must be an integer, got
 * 'ten'", "unknown key 'roamng' in 'tables'; did you mean 'roaming'?".
 * Each getter reports its own problem at the node's position and returns
 * false; callers just skip the field and carry on, so one run shows as
 * many mistakes as possible.
 */
#include "cfg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/sf_str.h"

void cfg_err(cfg_ctx_t *c, const cfg_node_t *at, const char *fmt, ...)
{
	va_list ap;

	/* Formatted once, into the record (and not at all past the cap). */
	va_start(ap, fmt);
	sf_diag_vadd(c->diag, SF_EPARSE, c->name, at ? at->line : 0,
		     at ? at->col : 0, fmt, ap);
	va_end(ap);
	c->nerr++;
}

const char *cfg_show(const cfg_node_t *n, char *buf, size_t size)
{
	size_t o = 0, i;
	const size_t keep = 60;

	if (size < 8)
		return "";
	for (i = 0; i < n->len && i < keep && o + 5 < size; i++) {
		unsigned char ch = (unsigned char)n->s[i];

		if (ch < 0x20 || ch == 0x7f || ch == '\'' || ch == '\\') {
			snprintf(buf + o, size - o, "\\x%02x", ch);
			o += 4;
		} else {
			buf[o++] = (char)ch;
		}
	}
	if (i < n->len && o + 4 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

const char *cfg_desc(const cfg_node_t *n, char *buf, size_t size)
{
	char tmp[256];

	if (!n || cfg_node_is_null(n))
		return "nothing";
	if (n->kind == CFG_SEQ)
		return "a list";
	if (n->kind == CFG_MAP)
		return "a map";
	snprintf(buf, size, "'%s'", cfg_show(n, tmp, sizeof(tmp)));
	return buf;
}

bool cfg_map_fields(cfg_ctx_t *c, const cfg_node_t *map, const char *what,
		    const char *where, const char *noun,
		    const char *const *keys, size_t nkeys,
		    const cfg_node_t **vals, const cfg_node_t **keynodes)
{
	const cfg_node_t *firsts[32];
	char d[96], sh[256];

	if (nkeys > 32)
		nkeys = 32;

	for (size_t i = 0; i < nkeys; i++) {
		vals[i] = NULL;
		firsts[i] = NULL;
		if (keynodes)
			keynodes[i] = NULL;
	}
	if (!map || cfg_node_is_null(map))
		return true;
	if (map->kind != CFG_MAP) {
		cfg_err(c, map, "'%s' must be a map of keys and values, got %s",
			what, cfg_desc(map, d, sizeof(d)));
		return false;
	}
	for (const cfg_node_t *k = map->first; k && k->next;
	     k = k->next->next) {
		const cfg_node_t *v = k->next;
		size_t i;

		if (k->kind != CFG_SCALAR) {
			cfg_err(c, k, "keys%s%s must be plain words, got %s",
				where ? " in " : "", where ? where : "",
				cfg_desc(k, d, sizeof(d)));
			continue;
		}
		for (i = 0; i < nkeys; i++)
			if (strlen(keys[i]) == k->len &&
			    memcmp(keys[i], k->s, k->len) == 0)
				break;
		if (i == nkeys) {
			const char *sug = NULL;
			char list[512];

			/* Past the diag cap the message is only counted, so
			 * skip the search for a suggestion. */
			if (c->diag->n < SF_DIAG_MAX)
				sug = cfg_suggest(k->s, k->len, keys, nkeys);

			cfg_show(k, sh, sizeof(sh));
			if (sug) {
				cfg_err(c, k, "unknown %s '%s'%s%s; did you "
					"mean '%s'?", noun, sh,
					where ? " in " : "", where ? where : "",
					sug);
			} else {
				cfg_join(list, sizeof(list), keys, nkeys);
				cfg_err(c, k, "unknown %s '%s'%s%s; expected "
					"one of %s", noun, sh,
					where ? " in " : "", where ? where : "",
					list);
			}
			continue;
		}
		if (firsts[i]) {
			char at[48];

			if (firsts[i]->line == k->line)
				snprintf(at, sizeof(at), "line %u, column %u",
					 k->line, firsts[i]->col);
			else
				snprintf(at, sizeof(at), "line %u",
					 firsts[i]->line);
			cfg_err(c, k, "duplicate %s '%s'%s%s (first at %s); "
				"remove one of them", noun, keys[i],
				where ? " in " : "", where ? where : "", at);
			continue;
		}
		firsts[i] = k;
		vals[i] = v;
		if (keynodes)
			keynodes[i] = k;
	}
	return true;
}

bool cfg_list_check(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		    const char *of)
{
	char d[96];

	if (!n || cfg_node_is_null(n) || n->kind == CFG_SCALAR)
		return true;
	if (n->kind == CFG_MAP) {
		cfg_err(c, n, "'%s' must be a list of %s, got a map", what, of);
		return false;
	}
	/* Report every bad item; iteration skips them, so the good items
	 * are still checked. */
	for (const cfg_node_t *i = n->first; i; i = i->next)
		if (i->kind != CFG_SCALAR || cfg_node_is_null(i))
			cfg_err(c, i, "'%s' must be a list of %s; this item "
				"is %s", what, of, cfg_desc(i, d, sizeof(d)));
	return true;
}

static bool list_item_ok(const cfg_node_t *i)
{
	return i->kind == CFG_SCALAR && !cfg_node_is_null(i);
}

const cfg_node_t *cfg_list_first(const cfg_node_t *list)
{
	const cfg_node_t *i;

	if (!list || cfg_node_is_null(list))
		return NULL;
	if (list->kind == CFG_SCALAR)
		return list;
	if (list->kind != CFG_SEQ)
		return NULL;
	for (i = list->first; i && !list_item_ok(i); i = i->next)
		;
	return i;
}

const cfg_node_t *cfg_list_next(const cfg_node_t *list,
				const cfg_node_t *item)
{
	const cfg_node_t *i;

	if (list->kind != CFG_SEQ)
		return NULL;
	for (i = item->next; i && !list_item_ok(i); i = i->next)
		;
	return i;
}

size_t cfg_list_len(const cfg_node_t *list)
{
	if (!list || cfg_node_is_null(list))
		return 0;
	if (list->kind == CFG_SEQ)
		return list->n;
	return list->kind == CFG_SCALAR ? 1 : 0;
}

bool cfg_scalar(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		const char *expect)
{
	char d[96];

	if (n->kind == CFG_SCALAR && !cfg_node_is_null(n))
		return true;
	cfg_err(c, n, "'%s' must be %s, got %s", what, expect,
		cfg_desc(n, d, sizeof(d)));
	return false;
}

bool cfg_get_uint(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		  unsigned long min, unsigned long max, unsigned long *out)
{
	char d[96];
	unsigned long v = 0;
	size_t i = 0;
	bool neg = false;

	if (!cfg_scalar(c, n, what, "an integer"))
		return false;
	if (n->s[0] == '-' || n->s[0] == '+') {
		neg = n->s[0] == '-';
		i = 1;
	}
	if (i == n->len)
		goto bad;
	for (; i < n->len; i++) {
		if (!sf_isdigit((unsigned char)n->s[i]))
			goto bad;
		if (v > 1000000000000UL)
			break; /* far out of any range we use */
		v = v * 10 + (unsigned long)(n->s[i] - '0');
	}
	if (neg || i < n->len || v < min || v > max) {
		cfg_err(c, n, "'%s' must be between %lu and %lu, got %s", what,
			min, max, cfg_desc(n, d, sizeof(d)));
		return false;
	}
	*out = v;
	return true;
bad:
	cfg_err(c, n, "'%s' must be an integer, got %s", what,
		cfg_desc(n, d, sizeof(d)));
	return false;
}

bool cfg_get_bool(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		  bool *out)
{
	char d[96];
	sf_str_t v;

	if (!cfg_scalar(c, n, what, "true or false"))
		return false;
	v = sf_str(n->s, n->len);
	if (sf_str_ieq_c(v, "true") || sf_str_ieq_c(v, "yes")) {
		*out = true;
		return true;
	}
	if (sf_str_ieq_c(v, "false") || sf_str_ieq_c(v, "no")) {
		*out = false;
		return true;
	}
	cfg_err(c, n, "'%s' must be true or false, got %s", what,
		cfg_desc(n, d, sizeof(d)));
	return false;
}

bool cfg_get_double(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		    double min, double max, double *out)
{
	char d[96];
	double v = 0, scale = 1;
	size_t i = 0, digits = 0;
	bool dot = false;

	if (!cfg_scalar(c, n, what, "a number"))
		return false;
	/* Plain decimal only, parsed by hand: strtod depends on the locale. */
	for (; i < n->len; i++) {
		char ch = n->s[i];

		if (ch == '.' && !dot) {
			dot = true;
		} else if (sf_isdigit((unsigned char)ch) && digits < 15) {
			digits++;
			if (dot) {
				scale /= 10;
				v += (ch - '0') * scale;
			} else {
				v = v * 10 + (ch - '0');
			}
		} else {
			break;
		}
	}
	if (i < n->len || digits == 0) {
		if (n->s[0] == '-' && n->len > 1) {
			cfg_err(c, n, "'%s' must be between %g and %g, got %s",
				what, min, max, cfg_desc(n, d, sizeof(d)));
			return false;
		}
		cfg_err(c, n, "'%s' must be a decimal number like 0.5, got %s",
			what, cfg_desc(n, d, sizeof(d)));
		return false;
	}
	if (v < min || v > max) {
		cfg_err(c, n, "'%s' must be between %g and %g, got %s", what,
			min, max, cfg_desc(n, d, sizeof(d)));
		return false;
	}
	*out = v;
	return true;
}

bool cfg_get_text(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		  char *buf, size_t size)
{
	if (!cfg_scalar(c, n, what, "text"))
		return false;
	if (n->len >= size) {
		cfg_err(c, n, "'%s' is too long (%zu bytes, at most %zu)", what,
			n->len, size - 1);
		return false;
	}
	for (size_t i = 0; i < n->len; i++) {
		unsigned char ch = (unsigned char)n->s[i];

		if (ch < 0x20 || ch == 0x7f) {
			cfg_err(c, n, "'%s' must not contain control "
				"characters or line breaks", what);
			return false;
		}
	}
	memcpy(buf, n->s, n->len);
	buf[n->len] = '\0';
	return true;
}

bool cfg_get_digits(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		    size_t minlen, char *buf, size_t size)
{
	char d[96];
	size_t i;

	if (!cfg_scalar(c, n, what, "a string of digits"))
		return false;
	for (i = 0; i < n->len; i++)
		if (!sf_isdigit((unsigned char)n->s[i]))
			break;
	if (i < n->len) {
		cfg_err(c, n, "'%s' must be digits only, got %s", what,
			cfg_desc(n, d, sizeof(d)));
		return false;
	}
	if (n->len < minlen || n->len >= size) {
		cfg_err(c, n, "'%s' must have %zu to %zu digits, got %s", what,
			minlen, size - 1, cfg_desc(n, d, sizeof(d)));
		return false;
	}
	memcpy(buf, n->s, n->len);
	buf[n->len] = '\0';
	return true;
}

bool cfg_get_enum(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		  const char *const *names, size_t count, int *out)
{
	char list[512], sh[256];
	const char *sug;

	if (n->kind != CFG_SCALAR || cfg_node_is_null(n)) {
		char d[96];

		cfg_join(list, sizeof(list), names, count);
		cfg_err(c, n, "%s must be one of %s, got %s", what, list,
			cfg_desc(n, d, sizeof(d)));
		return false;
	}
	for (size_t i = 0; i < count; i++) {
		if (names[i] && strlen(names[i]) == n->len &&
		    memcmp(names[i], n->s, n->len) == 0) {
			*out = (int)i;
			return true;
		}
	}
	cfg_join(list, sizeof(list), names, count);
	cfg_show(n, sh, sizeof(sh));
	sug = c->diag->n < SF_DIAG_MAX ?
		      cfg_suggest(n->s, n->len, names, count) : NULL;
	if (sug)
		cfg_err(c, n, "unknown %s '%s'; expected one of %s; did you "
			"mean '%s'?", what, sh, list, sug);
	else
		cfg_err(c, n, "unknown %s '%s'; expected one of %s", what, sh,
			list);
	return false;
}

bool cfg_get_name(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		  char *buf, size_t size)
{
	char d[96];

	if (!cfg_scalar(c, n, what, "a name"))
		return false;
	if (n->len == 0) {
		cfg_err(c, n, "'%s' must not be empty", what);
		return false;
	}
	if (n->len >= size) {
		cfg_err(c, n, "'%s' is too long (%zu bytes, at most %zu)", what,
			n->len, size - 1);
		return false;
	}
	for (size_t i = 0; i < n->len; i++) {
		unsigned char ch = (unsigned char)n->s[i];

		if (!sf_isalpha(ch) && !sf_isdigit(ch) && ch != '_' &&
		    ch != '.' && ch != '-') {
			cfg_err(c, n, "'%s' may contain only letters, digits, "
				"'_', '.' and '-', got %s", what,
				cfg_desc(n, d, sizeof(d)));
			return false;
		}
	}
	memcpy(buf, n->s, n->len);
	buf[n->len] = '\0';
	return true;
}

void cfg_item_label(const cfg_node_t *map, size_t idx, const char *what,
		    char *buf, size_t size)
{
	char sh[96];

	for (const cfg_node_t *k = map->first; k && k->next;
	     k = k->next->next) {
		const cfg_node_t *v = k->next;

		if (k->kind == CFG_SCALAR && k->len == 4 &&
		    !memcmp(k->s, "name", 4) && v->kind == CFG_SCALAR &&
		    !cfg_node_is_null(v) && v->len > 0) {
			snprintf(buf, size, "%s '%s'", what,
				 cfg_show(v, sh, sizeof(sh)));
			return;
		}
	}
	snprintf(buf, size, "%s #%zu", what, idx + 1);
}

/* A file name at key, resolved against the config file's folder. */
bool cfg_path_resolve(cfg_ctx_t *c, const cfg_node_t *n, const char *key,
		      char *out)
{
	char raw[SF_CFG_PATH_MAX];
	int w;

	if (!cfg_get_text(c, n, key, raw, sizeof(raw)))
		return false;
	if (raw[0] == '\0') {
		cfg_err(c, n, "'%s' is empty; give a file name or remove the "
			"key", key);
		return false;
	}
	if (memchr(n->s, '\0', n->len)) {
		cfg_err(c, n, "'%s' contains a NUL byte", key);
		return false;
	}
	if (raw[0] == '/' || !c->base_dir || !c->base_dir[0])
		w = snprintf(out, SF_CFG_PATH_MAX, "%s", raw);
	else
		w = snprintf(out, SF_CFG_PATH_MAX, "%s/%s", c->base_dir, raw);
	if (w < 0 || w >= SF_CFG_PATH_MAX) {
		out[0] = '\0';
		cfg_err(c, n, "path of '%s' is too long once resolved (over "
			"%d bytes)", key, SF_CFG_PATH_MAX - 1);
		return false;
	}
	return true;
}
