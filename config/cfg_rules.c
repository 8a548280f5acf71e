/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cfg_rules.c - the `rules` section: ordered rules, their `when`
 * conditions, actions and reject responses.
 *
 * Conditions keep the order they are written in.  Set-valued conditions
 * become bit masks here (classes, trunk kinds, identity states); trunk
 * names are only recorded, because the trunks section may come later in
 * the file, and resolved by cfg_resolve_trunk_refs once everything is
 * read.
 */
#include "cfg_int.h"
#include "../base/sf_phrase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	K_NAME, K_DESCRIPTION, K_WHEN, K_ACTION, K_CODE, K_PHRASE, K_REASON,
	K_MODE, K_COUNT
};

static const char *const rule_keys[K_COUNT] = {
	[K_NAME] = "name",
	[K_DESCRIPTION] = "description",
	[K_WHEN] = "when",
	[K_ACTION] = "action",
	[K_CODE] = "code",
	[K_PHRASE] = "phrase",
	[K_REASON] = "reason",
	[K_MODE] = "mode",
};

static void add_tref(cfg_ctx_t *c, size_t rule, size_t cond,
		     const cfg_node_t *node)
{
	if (c->n_trefs == c->cap_trefs) {
		size_t cap = c->cap_trefs ? c->cap_trefs * 2 : 16;
		cfg_tref_t *p = realloc(c->trefs, cap * sizeof(*p));

		if (!p) {
			c->oom = true;
			return;
		}
		c->trefs = p;
		c->cap_trefs = cap;
	}
	c->trefs[c->n_trefs++] = (cfg_tref_t){rule, cond, node};
}

/* One condition of ridx, by the type its row in sf_conds.h gives. */
static void load_cond(cfg_ctx_t *c, size_t ridx, sf_cond_kind_t kind,
		      const cfg_node_t *v, const char *label)
{
	sf_rule_t *r = &c->cfg->rules[ridx];
	const char *cname = cfg_cond_names[kind];
	sf_cond_t *cd = &r->conds[r->n_conds];
	const char *const *names = NULL;
	const char *what = NULL;
	size_t count = 0;
	bool ok = true;
	int e;

	cd->kind = kind;
	switch (sf_cond_type(kind)) {
	case SF_CT_SCOPE:
		if (cfg_get_enum(c, v, "identities", cfg_scope_names,
				 SF_SCOPE_COUNT, &e))
			r->scope = (sf_scope_t)e;
		return;
	case SF_CT_BOOL:
		if (cfg_get_bool(c, v, cname, &cd->value))
			r->n_conds++;
		return;
	case SF_CT_KINDS:
		names = cfg_trunk_kind_names;
		count = SF_TRUNK_KIND_COUNT;
		what = "trunk kind";
		break;
	case SF_CT_CLASSES:
	case SF_CT_CLASS_MASK:
		names = sf_class_names;
		count = SF_CLASS_COUNT;
		what = "class";
		break;
	case SF_CT_STATES:
		names = cfg_ident_state_names;
		count = 3;
		what = "identity state";
		break;
	case SF_CT_TRUNKS: /* names resolved once the trunks are read */
		break;
	}
	if (!cfg_list_check(c, v, cname, "names"))
		return;
	if (cfg_list_len(v) == 0) {
		cfg_err(c, v, "condition '%s' in %s has no values and could "
			"never match; list at least one", cname, label);
		return;
	}
	for (const cfg_node_t *it = cfg_list_first(v); it;
	     it = cfg_list_next(v, it)) {
		int i;

		if (sf_cond_type(kind) == SF_CT_TRUNKS) {
			add_tref(c, ridx, r->n_conds, it);
			continue;
		}
		if (cfg_get_enum(c, it, what, names, count, &i))
			cd->mask |= 1ull << i;
		else
			ok = false;
	}
	if (ok)
		r->n_conds++;
}

static void load_when(cfg_ctx_t *c, size_t ridx, const cfg_node_t *when,
		      const char *label)
{
	const cfg_node_t *v[SF_COND_COUNT], *kn[SF_COND_COUNT];

	if (!cfg_map_fields(c, when, "when", label, "condition",
			    cfg_cond_names, SF_COND_COUNT, v, kn))
		return;
	if (!when || cfg_node_is_null(when))
		return;
	/* Walk the map again to keep the written order of the conditions. */
	for (const cfg_node_t *k = when->first; k && k->next;
	     k = k->next->next) {
		for (size_t i = 0; i < SF_COND_COUNT; i++) {
			if (kn[i] == k) {
				load_cond(c, ridx, (sf_cond_kind_t)i, v[i],
					  label);
				break;
			}
		}
	}
}

/* The Reason header carries the text in a quoted-string (RFC 3326 §2). */
static bool quotable(cfg_ctx_t *c, const cfg_node_t *n, const char *what)
{
	if (memchr(n->s, '"', n->len) || memchr(n->s, '\\', n->len)) {
		cfg_err(c, n, "'%s' must not contain '\"' or '\\' (it is sent "
			"in a SIP Reason header)", what);
		return false;
	}
	return true;
}

static void load_rule(cfg_ctx_t *c, const cfg_node_t *map, size_t idx)
{
	sf_cfg_t *cfg = c->cfg;
	sf_rule_t *r = &cfg->rules[idx];
	const cfg_node_t *v[K_COUNT];
	char label[128], d[96];
	int act = -1, mode;
	unsigned long code;

	r->line = map->line;
	if (map->kind != CFG_MAP) {
		cfg_err(c, map, "each item of 'rules' must be a map with name, "
			"when and action, got %s", cfg_desc(map, d, sizeof(d)));
		return;
	}
	cfg_item_label(map, idx, "rule", label, sizeof(label));
	cfg_map_fields(c, map, "rules", label, "key", rule_keys, K_COUNT, v,
		       NULL);

	if (!v[K_NAME]) {
		cfg_err(c, map, "missing required key 'name' in %s", label);
	} else if (cfg_get_name(c, v[K_NAME], "name", r->name,
				sizeof(r->name))) {
		for (size_t j = 0; j < idx; j++) {
			if (!strcmp(cfg->rules[j].name, r->name)) {
				cfg_err(c, v[K_NAME], "duplicate rule name "
					"'%s' (first defined at line %u); rule "
					"names must be unique", r->name,
					cfg->rules[j].line);
				break;
			}
		}
	}
	if (v[K_DESCRIPTION] && !cfg_node_is_null(v[K_DESCRIPTION]))
		cfg_get_text(c, v[K_DESCRIPTION], "description",
			     r->description, sizeof(r->description));

	load_when(c, idx, v[K_WHEN], label);

	if (!v[K_ACTION])
		cfg_err(c, map, "missing required key 'action' in %s; one of "
			"allow, tag, reject, withhold", label);
	else if (cfg_get_enum(c, v[K_ACTION], "action", cfg_action_names,
			      SF_ACT_COUNT, &act))
		r->action = (sf_action_t)act;

	if (v[K_CODE]) {
		if (act >= 0 && act != SF_ACT_REJECT)
			cfg_err(c, v[K_CODE], "'code' is only used with action "
				"'reject', but %s has action '%s'; remove it",
				label, cfg_action_names[act]);
		else if (cfg_get_uint(c, v[K_CODE], "code", 400, 699, &code))
			r->code = (uint16_t)code;
	}
	if (v[K_PHRASE]) {
		if (act >= 0 && act != SF_ACT_REJECT)
			cfg_err(c, v[K_PHRASE], "'phrase' is only used with "
				"action 'reject', but %s has action '%s'; "
				"remove it", label, cfg_action_names[act]);
		else
			cfg_get_text(c, v[K_PHRASE], "phrase", r->phrase,
				     sizeof(r->phrase));
	}
	if (act == SF_ACT_REJECT) {
		if (!r->code)
			r->code = 603;
		if (!r->phrase[0])
			snprintf(r->phrase, sizeof(r->phrase), "%s",
				 sf_status_phrase(r->code));
	}

	if (v[K_REASON] && !cfg_node_is_null(v[K_REASON])) {
		if (quotable(c, v[K_REASON], "reason"))
			cfg_get_text(c, v[K_REASON], "reason", r->reason,
				     sizeof(r->reason));
	} else {
		/* Default to the description, made safe to quote. */
		for (size_t i = 0; r->description[i]; i++)
			r->reason[i] = r->description[i] == '"' ||
						       r->description[i] == '\\' ?
					       '\'' :
					       r->description[i];
	}

	if (v[K_MODE] && cfg_get_enum(c, v[K_MODE], "mode", cfg_mode_names, 2,
				      &mode))
		r->mode = (sf_mode_t)mode;
}

void cfg_load_rules(cfg_ctx_t *c, const cfg_node_t *n)
{
	sf_cfg_t *cfg = c->cfg;
	char d[96];
	size_t count, i = 0;

	if (!n || cfg_node_is_null(n))
		return;
	if (n->kind != CFG_SEQ) {
		cfg_err(c, n, "'rules' must be a list of rules (\"- name: "
			"...\"), got %s", cfg_desc(n, d, sizeof(d)));
		return;
	}
	count = n->n < SF_CFG_MAX_RULES ? n->n : SF_CFG_MAX_RULES;
	if (count == 0)
		return;
	cfg->rules = calloc(count, sizeof(*cfg->rules));
	if (!cfg->rules) {
		c->oom = true;
		return;
	}
	for (const cfg_node_t *it = n->first; it; it = it->next, i++) {
		if (i == SF_CFG_MAX_RULES) {
			cfg_err(c, it, "too many rules (%zu); at most %d are "
				"supported", n->n, SF_CFG_MAX_RULES);
			break;
		}
		cfg->n_rules = i + 1;
		load_rule(c, it, i);
	}
}

void cfg_compile_rules(cfg_ctx_t *c)
{
	for (size_t k = 0; k < c->cfg->n_rules; k++) {
		sf_rule_t *r = &c->cfg->rules[k];

		r->n_call_masks = r->n_id_masks = 0;
		r->id_union = 0;
		r->per_identity = false;
		for (size_t i = 0; i < r->n_conds; i++) {
			sf_cond_t *cd = &r->conds[i];
			unsigned fb = sf_cond_fbit(cd->kind) % 64;

			/* the feature-word mask (sf_conds.h) */
			cd->fmask = sf_cond_type(cd->kind) == SF_CT_BOOL
					    ? 1ull << (fb + cd->value)
					    : cd->mask << fb;
			if (sf_cond_level(cd->kind) == SF_CL_IDENTITY) {
				r->id_masks[r->n_id_masks++] = cd->fmask;
				r->id_union |= cd->fmask;
				r->per_identity = true;
			} else {
				r->call_words[r->n_call_masks] =
					(uint8_t)(sf_cond_fbit(cd->kind) / 64);
				r->call_masks[r->n_call_masks++] = cd->fmask;
			}
		}
	}
}

void cfg_resolve_trunk_refs(cfg_ctx_t *c)
{
	sf_cfg_t *cfg = c->cfg;
	const char *names[SF_CFG_MAX_TRUNKS];
	char list[512], sh[256];

	if (c->n_trefs == 0)
		return;
	for (size_t i = 0; i < cfg->n_trunks; i++)
		names[i] = cfg->trunks[i].name[0] ? cfg->trunks[i].name : NULL;
	cfg_join(list, sizeof(list), names, cfg->n_trunks);
	for (size_t i = 0; i < c->n_trefs; i++) {
		const cfg_tref_t *t = &c->trefs[i];
		sf_rule_t *r = &cfg->rules[t->rule];
		const cfg_node_t *n = t->node;
		int idx = -1;

		for (size_t j = 0; j < cfg->n_trunks; j++) {
			if (names[j] && strlen(names[j]) == n->len &&
			    !memcmp(names[j], n->s, n->len)) {
				idx = (int)j;
				break;
			}
		}
		if (idx >= 0) {
			r->conds[t->cond].mask |= 1ull << idx;
			continue;
		}
		cfg_show(n, sh, sizeof(sh));
		{
			const char *sug = c->diag->n < SF_DIAG_MAX ?
				cfg_suggest(n->s, n->len, names,
					    cfg->n_trunks) : NULL;
			char rl[96];

			snprintf(rl, sizeof(rl), "%s", r->name[0] ? r->name :
								   "?");
			if (sug)
				cfg_err(c, n, "unknown trunk '%s' in rule "
					"'%s'; did you mean '%s'?", sh, rl,
					sug);
			else if (list[0])
				cfg_err(c, n, "unknown trunk '%s' in rule "
					"'%s'; the trunks are %s", sh, rl,
					list);
			else
				cfg_err(c, n, "unknown trunk '%s' in rule "
					"'%s'; no trunks are defined", sh, rl);
		}
	}
}
