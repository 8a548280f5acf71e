/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cfg_trunks.c - the `trunks` section: the peers we recognise by source
 * address or by TLS client certificate (client_cert, cfg_tls.c), each
 * with a kind, trust flag and next hop.
 *
 * Trunk order matters (sf_cfg_trunk_match returns the first trunk whose
 * CIDRs contain the source) and trunk indices are bits in rule masks, so
 * every list item gets a slot, even a broken one, and the count is capped
 * at SF_CFG_MAX_TRUNKS.
 */
#include "cfg_int.h"
#include "../base/sf_str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_NAME, K_KIND, K_SOURCES, K_TRUSTED, K_NEXT_HOP, K_METHODS,
       K_CLIENT_CERT, K_HOP_TLS, K_COUNT };

static const char *const trunk_keys[K_COUNT] = {
	[K_NAME] = "name",
	[K_KIND] = "kind",
	[K_SOURCES] = "sources",
	[K_TRUSTED] = "trusted",
	[K_NEXT_HOP] = "next_hop",
	[K_METHODS] = "methods",
	[K_CLIENT_CERT] = "client_cert",
	[K_HOP_TLS] = "next_hop_tls",
};

/* Methods of RFC 3261 and its extensions, as they must be written. */
static const char *const known_methods[] = {
	"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK",
	"SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE",
	"UPDATE",
};
#define N_KNOWN_METHODS (sizeof(known_methods) / sizeof(known_methods[0]))

static bool is_token_char(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || (ch && strchr("-.!%*_+`'~", ch));
}

/* `methods`: tokens; a case variant of a known method is refused, since
 * the proxy answers those 400 (RFC 3261 §7.1: methods are
 * case-sensitive). */
static void load_methods(cfg_ctx_t *c, const cfg_node_t *v, sf_trunk_t *t,
			 const char *label)
{
	char sh[256], all[256];
	size_t n = 0;

	if (!cfg_list_check(c, v, "methods", "SIP methods like INVITE"))
		return;
	cfg_join(all, sizeof(all), known_methods, N_KNOWN_METHODS);
	for (const cfg_node_t *it = cfg_list_first(v); it;
	     it = cfg_list_next(v, it)) {
		size_t i, k;

		cfg_show(it, sh, sizeof(sh));
		for (i = 0; i < it->len && is_token_char((unsigned char)it->s[i]);
		     i++)
			;
		if (!it->len || i < it->len || it->len >= SF_CFG_METHOD_MAX) {
			cfg_err(c, it, "bad method '%s' in %s: a SIP method is "
				"a token of at most %d characters, like INVITE",
				sh, label, SF_CFG_METHOD_MAX - 1);
			continue;
		}
		for (k = 0; k < N_KNOWN_METHODS; k++)
			if (strlen(known_methods[k]) == it->len &&
			    sf_str_ieq_c(sf_str(it->s, it->len),
					 known_methods[k]) &&
			    memcmp(it->s, known_methods[k], it->len))
				break;
		if (k < N_KNOWN_METHODS) {
			cfg_err(c, it, "method '%s' in %s must be written '%s' "
				"(methods are case-sensitive; known ones: %s)",
				sh, label, known_methods[k], all);
			continue;
		}
		for (k = 0; k < n; k++)
			if (!strcmp(t->methods[k], it->s))
				break;
		if (k < n) {
			cfg_err(c, it, "method '%s' is listed twice in %s", sh,
				label);
			continue;
		}
		if (n == SF_CFG_MAX_METHODS) {
			cfg_err(c, it, "too many methods in %s; at most %d",
				label, SF_CFG_MAX_METHODS);
			break;
		}
		memcpy(t->methods[n], it->s, it->len);
		t->methods[n][it->len] = '\0';
		n++;
	}
	t->n_methods = n;
}

static void load_sources(cfg_ctx_t *c, const cfg_node_t *v, sf_trunk_t *t,
			 const char *label)
{
	size_t n = cfg_list_len(v), i = 0;
	char sh[256];

	if (!cfg_list_check(c, v, "sources", "addresses or CIDR blocks"))
		return;
	if (n == 0) {
		cfg_err(c, v, "'sources' of %s is empty; list at least one "
			"address or CIDR block", label);
		return;
	}
	if (n > CFG_MAX_CIDRS) {
		cfg_err(c, v, "%s has %zu sources, at most %u are supported",
			label, n, CFG_MAX_CIDRS);
		return;
	}
	t->cidrs = calloc(n, sizeof(*t->cidrs));
	if (!t->cidrs) {
		c->oom = true;
		return;
	}
	for (const cfg_node_t *it = cfg_list_first(v); it;
	     it = cfg_list_next(v, it)) {
		int rc = sf_cidr_parse(it->s, it->len, &t->cidrs[i]);

		if (rc == SF_ERANGE) {
			cfg_err(c, it, "bad CIDR '%s' in %s: prefix length out "
				"of range", cfg_show(it, sh, sizeof(sh)),
				label);
			continue;
		}
		if (rc < 0) {
			cfg_err(c, it, "bad CIDR '%s' in %s: expected an "
				"address or block like 192.0.2.0/24 or "
				"2001:db8::/32", cfg_show(it, sh, sizeof(sh)),
				label);
			continue;
		}
		i++;
	}
	t->n_cidrs = i;
}

static void load_trunk(cfg_ctx_t *c, const cfg_node_t *map, size_t idx)
{
	sf_cfg_t *cfg = c->cfg;
	sf_trunk_t *t = &cfg->trunks[idx];
	const cfg_node_t *v[K_COUNT];
	char label[128], sh[256], why[128], d[96];
	int kind;

	t->line = map->line;
	if (map->kind != CFG_MAP) {
		cfg_err(c, map, "each item of 'trunks' must be a map with "
			"name, kind and sources, got %s",
			cfg_desc(map, d, sizeof(d)));
		return;
	}
	cfg_item_label(map, idx, "trunk", label, sizeof(label));
	cfg_map_fields(c, map, "trunks", label, "key", trunk_keys, K_COUNT, v,
		       NULL);

	if (!v[K_NAME]) {
		cfg_err(c, map, "missing required key 'name' in %s", label);
	} else if (cfg_get_name(c, v[K_NAME], "name", t->name,
				sizeof(t->name))) {
		for (size_t j = 0; j < idx; j++) {
			if (!strcmp(cfg->trunks[j].name, t->name)) {
				cfg_err(c, v[K_NAME], "duplicate trunk name "
					"'%s' (first defined at line %u); "
					"trunk names must be unique", t->name,
					cfg->trunks[j].line);
				break;
			}
		}
	}

	if (!v[K_KIND])
		cfg_err(c, map, "missing required key 'kind' in %s; one of "
			"international, domestic, roaming-partner, internal",
			label);
	else if (cfg_get_enum(c, v[K_KIND], "trunk kind",
			      cfg_trunk_kind_names, SF_TRUNK_KIND_COUNT,
			      &kind))
		t->kind = (sf_trunk_kind_t)kind;

	if (v[K_CLIENT_CERT])
		cfg_load_client_cert(c, v[K_CLIENT_CERT], t, label);
	if (!v[K_SOURCES] && !v[K_CLIENT_CERT])
		cfg_err(c, map, "missing required key 'sources' in %s; list "
			"the addresses or CIDR blocks it sends from (or give "
			"it a client_cert)", label);
	else if (v[K_SOURCES])
		load_sources(c, v[K_SOURCES], t, label);

	if (v[K_TRUSTED])
		cfg_get_bool(c, v[K_TRUSTED], "trusted", &t->trusted);

	/* RFC 3261 §16: an interconnect sends calls; everything else
	 * out of dialog is refused unless the operator lists it. */
	snprintf(t->methods[0], sizeof(t->methods[0]), "INVITE");
	t->n_methods = 1;
	if (v[K_METHODS] && !cfg_node_is_null(v[K_METHODS]))
		load_methods(c, v[K_METHODS], t, label);

	if (v[K_NEXT_HOP] && !cfg_node_is_null(v[K_NEXT_HOP]) &&
	    cfg_scalar(c, v[K_NEXT_HOP], "next_hop",
		       "an address like udp:192.0.2.1:5060")) {
		const cfg_node_t *nh = v[K_NEXT_HOP];

		if (cfg_hostport_parse(nh->s, nh->len, CFG_HP_TRANSPORT,
				       &t->next_hop, why, sizeof(why)) < 0)
			cfg_err(c, nh, "bad next_hop '%s' in %s: %s",
				cfg_show(nh, sh, sizeof(sh)), label, why);
		else
			t->has_next_hop = true;
	}
	if (v[K_HOP_TLS])
		cfg_load_hop_tls(c, v[K_HOP_TLS], t, label);
	if (t->has_next_hop && t->next_hop.transport == SF_TP_TLS &&
	    !v[K_HOP_TLS])
		cfg_err(c, v[K_NEXT_HOP], "next_hop '%s' in %s is tls: give "
			"'next_hop_tls' with the 'ca' its certificate must "
			"chain to", cfg_show(v[K_NEXT_HOP], sh, sizeof(sh)),
			label);
}

void cfg_load_trunks(cfg_ctx_t *c, const cfg_node_t *n)
{
	sf_cfg_t *cfg = c->cfg;
	char d[96];
	size_t count, i = 0;

	if (!n || cfg_node_is_null(n))
		return;
	if (n->kind != CFG_SEQ) {
		cfg_err(c, n, "'trunks' must be a list of trunks (\"- name: "
			"...\"), got %s", cfg_desc(n, d, sizeof(d)));
		return;
	}
	count = n->n;
	if (count > SF_CFG_MAX_TRUNKS)
		count = SF_CFG_MAX_TRUNKS;
	if (count == 0)
		return;
	cfg->trunks = calloc(count, sizeof(*cfg->trunks));
	if (!cfg->trunks) {
		c->oom = true;
		return;
	}
	for (const cfg_node_t *it = n->first; it; it = it->next, i++) {
		if (i == SF_CFG_MAX_TRUNKS) {
			cfg_err(c, it, "too many trunks (%zu); at most %d are "
				"supported", n->n, SF_CFG_MAX_TRUNKS);
			break;
		}
		cfg->n_trunks = i + 1;
		load_trunk(c, it, i);
	}
}
