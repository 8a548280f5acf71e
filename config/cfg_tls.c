/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cfg_tls.c - the TLS settings: `serve.tls` (the listeners' certificate,
 * key, extra client CAs, cipher and group lists, handshake limits,
 * session tickets), a trunk's `client_cert` (the CA its certificates
 * chain to, the subjectAltName / subject CN patterns that identify it)
 * and its `next_hop_tls` (how a tls: next hop is verified).
 *
 * Only names and files are checked here; whether the PEM files hold
 * usable certificates and whether OpenSSL accepts the cipher strings is
 * for the proxy to say when it builds its TLS context (proxy_tls.c),
 * which names the file too.  Defaults live in cfg_tls_defaults().
 */
#include "cfg_int.h"
#include "sf_certname.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { L_CERT, L_KEY, L_CA, L_CIPHERS, L_SUITES, L_GROUPS, L_MIN_VERSION,
       L_TICKETS, L_HS_TIMEOUT, L_HS_RATE, L_COUNT };

static const char *const tls_keys[L_COUNT] = {
	[L_CERT] = "cert",
	[L_KEY] = "key",
	[L_CA] = "ca",
	[L_CIPHERS] = "ciphers",
	[L_SUITES] = "ciphersuites",
	[L_GROUPS] = "groups",
	[L_MIN_VERSION] = "min_version",
	[L_TICKETS] = "session_tickets",
	[L_HS_TIMEOUT] = "handshake_timeout_ms",
	[L_HS_RATE] = "handshakes_per_second",
};

static const char *const version_names[] = {"1.2", "1.3"};

enum { C_CA, C_CRL, C_SAN, C_SUBJECT, C_COUNT };

static const char *const cert_keys[C_COUNT] = {
	[C_CA] = "ca",
	[C_CRL] = "crl",
	[C_SAN] = "san",
	[C_SUBJECT] = "subject",
};

void cfg_tls_defaults(sf_tls_cfg_t *t)
{
	memset(t, 0, sizeof(*t));
	/* TLS 1.2: forward-secret AEAD suites only (Mozilla "intermediate") */
	snprintf(t->ciphers, sizeof(t->ciphers), "%s",
		 "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
		 "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
		 "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
	snprintf(t->ciphersuites, sizeof(t->ciphersuites), "%s",
		 "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
		 "TLS_CHACHA20_POLY1305_SHA256");
	snprintf(t->groups, sizeof(t->groups), "%s",
		 "X25519:P-256:P-384");
	t->session_tickets = true;
	t->handshake_timeout_ms = 3000;
	t->handshakes_per_second = 200;
}

/* A PEM file the proxy will read: resolved, and (unless file checks are
 * off) present and readable. */
static void tls_file(cfg_ctx_t *c, const cfg_node_t *n, const char *key,
		     char *out)
{
	char sh[256];
	struct stat st;

	if (!cfg_path_resolve(c, n, key, out) ||
	    (c->flags & SF_CFG_SKIP_FILE_CHECKS))
		return;
	cfg_show(n, sh, sizeof(sh));
	if (stat(out, &st) < 0 || access(out, R_OK) < 0)
		cfg_err(c, n, "%s file '%s' cannot be read: %s", key, sh,
			strerror(errno));
	else if (S_ISDIR(st.st_mode))
		cfg_err(c, n, "%s file '%s' is a directory", key, sh);
}

void cfg_load_tls(cfg_ctx_t *c, const cfg_node_t *n, sf_tls_cfg_t *t,
		  bool have_listener)
{
	const cfg_node_t *v[L_COUNT];
	unsigned long u;
	int e;

	if (!cfg_map_fields(c, n, "tls", "'serve.tls'", "key", tls_keys,
			    L_COUNT, v, NULL))
		return;
	if (v[L_CERT])
		tls_file(c, v[L_CERT], "cert", t->cert);
	if (v[L_KEY])
		tls_file(c, v[L_KEY], "key", t->key);
	if (v[L_CA])
		tls_file(c, v[L_CA], "ca", t->ca);
	if (v[L_CIPHERS])
		cfg_get_text(c, v[L_CIPHERS], "ciphers", t->ciphers,
			     sizeof(t->ciphers));
	if (v[L_SUITES])
		cfg_get_text(c, v[L_SUITES], "ciphersuites", t->ciphersuites,
			     sizeof(t->ciphersuites));
	if (v[L_GROUPS])
		cfg_get_text(c, v[L_GROUPS], "groups", t->groups,
			     sizeof(t->groups));
	if (v[L_MIN_VERSION] &&
	    cfg_get_enum(c, v[L_MIN_VERSION], "TLS version", version_names, 2,
			 &e))
		t->tls13_only = e == 1;
	if (v[L_TICKETS])
		cfg_get_bool(c, v[L_TICKETS], "session_tickets",
			     &t->session_tickets);
	if (v[L_HS_TIMEOUT] &&
	    cfg_get_uint(c, v[L_HS_TIMEOUT], "handshake_timeout_ms", 100,
			 60000, &u))
		t->handshake_timeout_ms = (unsigned)u;
	if (v[L_HS_RATE] &&
	    cfg_get_uint(c, v[L_HS_RATE], "handshakes_per_second", 0, 1000000,
			 &u))
		t->handshakes_per_second = (unsigned)u;
	if (have_listener && (!t->cert[0] || !t->key[0]))
		cfg_err(c, n, "'serve.tls' needs 'cert' and 'key' for the "
			"tls: listeners");
}

/* san / subject: a list of patterns (sf_cert_name_match). */
static size_t load_patterns(cfg_ctx_t *c, const cfg_node_t *v,
			    const char *key, const char *label,
			    char out[][SF_CFG_CERT_NAME_MAX])
{
	char why[128], sh[256];
	size_t n = 0;

	if (!cfg_list_check(c, v, key, "name patterns like "
			    "\"sbc*.carrier.example\""))
		return 0;
	for (const cfg_node_t *it = cfg_list_first(v); it;
	     it = cfg_list_next(v, it)) {
		if (n == SF_CFG_MAX_CERT_NAMES) {
			cfg_err(c, it, "too many '%s' patterns in %s; at most "
				"%d", key, label, SF_CFG_MAX_CERT_NAMES);
			break;
		}
		if (!sf_cert_pattern_check(it->s, it->len, why, sizeof(why))) {
			cfg_err(c, it, "bad %s pattern '%s' in %s: %s", key,
				cfg_show(it, sh, sizeof(sh)), label, why);
			continue;
		}
		memcpy(out[n], it->s, it->len);
		out[n][it->len] = '\0';
		n++;
	}
	return n;
}

void cfg_load_client_cert(cfg_ctx_t *c, const cfg_node_t *n, sf_trunk_t *t,
			  const char *label)
{
	const cfg_node_t *v[C_COUNT];

	if (!cfg_map_fields(c, n, "client_cert", label, "key", cert_keys,
			    C_COUNT, v, NULL))
		return;
	t->cert.on = true;
	if (!v[C_CA])
		cfg_err(c, n, "missing required key 'ca' in the client_cert of "
			"%s: the CA its certificates chain to", label);
	else
		tls_file(c, v[C_CA], "ca", t->cert.ca);
	if (v[C_CRL])
		tls_file(c, v[C_CRL], "crl", t->cert.crl);
	if (v[C_SAN])
		t->cert.n_san = load_patterns(c, v[C_SAN], "san", label,
					      t->cert.san);
	if (v[C_SUBJECT])
		t->cert.n_subject = load_patterns(c, v[C_SUBJECT], "subject",
						  label, t->cert.subject);
	if (!v[C_SAN] && !v[C_SUBJECT])
		cfg_err(c, n, "the client_cert of %s needs 'san' or "
			"'subject': a CA alone would admit every certificate "
			"it ever signed", label);
}

enum { H_CA, H_NAME, H_CERT, H_KEY, H_COUNT };

static const char *const hop_keys[H_COUNT] = {
	[H_CA] = "ca",
	[H_NAME] = "name",
	[H_CERT] = "cert",
	[H_KEY] = "key",
};

void cfg_load_hop_tls(cfg_ctx_t *c, const cfg_node_t *n, sf_trunk_t *t,
		      const char *label)
{
	const cfg_node_t *v[H_COUNT];

	if (!cfg_map_fields(c, n, "next_hop_tls", label, "key", hop_keys,
			    H_COUNT, v, NULL))
		return;
	if (!t->has_next_hop || t->next_hop.transport != SF_TP_TLS)
		cfg_err(c, n, "'next_hop_tls' in %s is for a tls: next_hop",
			label);
	if (!v[H_CA])
		cfg_err(c, n, "missing required key 'ca' in the next_hop_tls "
			"of %s: the CA the next hop's certificate chains to",
			label);
	else
		tls_file(c, v[H_CA], "ca", t->hop_tls.ca);
	if (v[H_NAME])
		cfg_get_text(c, v[H_NAME], "name", t->hop_tls.name,
			     sizeof(t->hop_tls.name));
	if (v[H_CERT])
		tls_file(c, v[H_CERT], "cert", t->hop_tls.cert);
	if (v[H_KEY])
		tls_file(c, v[H_KEY], "key", t->hop_tls.key);
	if (!v[H_CERT] != !v[H_KEY])
		cfg_err(c, n, "the next_hop_tls of %s needs both 'cert' and "
			"'key', or neither", label);
}

bool sf_cfg_uses_tls(const sf_cfg_t *cfg)
{
	for (size_t i = 0; i < cfg->serve.n_listeners; i++)
		if (cfg->serve.listeners[i].addr.transport == SF_TP_TLS)
			return true;
	for (size_t i = 0; i < cfg->n_trunks; i++)
		if (cfg->trunks[i].cert.on ||
		    (cfg->trunks[i].has_next_hop &&
		     cfg->trunks[i].next_hop.transport == SF_TP_TLS))
			return true;
	return false;
}
