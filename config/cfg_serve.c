/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cfg_serve.c - the `serve` section: listeners, workers, control socket,
 * metrics, policies and limits of the proxy.
 *
 * The whole section is optional; cfg_serve_defaults() is the single place
 * the defaults are written down (and README.md repeats them).
 */
#include "cfg_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum {
	K_LISTEN, K_WORKERS, K_CONTROL, K_METRICS, K_UNKNOWN, K_NO_TABLES,
	K_MAX_SHRINK, K_MAX_MESSAGE, K_TCP, K_LOG,
	K_SECRET, K_SECRET_FILE, K_TLS,
	K_COUNT
};

static const char *const serve_keys[K_COUNT] = {
	[K_LISTEN] = "listen",
	[K_WORKERS] = "workers",
	[K_CONTROL] = "control_socket",
	[K_METRICS] = "metrics",
	[K_UNKNOWN] = "unknown_source",
	[K_NO_TABLES] = "no_tables",
	[K_MAX_SHRINK] = "max_shrink",
	[K_MAX_MESSAGE] = "max_message",
	[K_TCP] = "tcp",
	[K_LOG] = "log",
	[K_SECRET] = "secret",
	[K_SECRET_FILE] = "secret_file",
	[K_TLS] = "tls",
};

enum {
	T_MAX_CONN, T_IDLE, T_PARTIAL, T_PER_SOURCE, T_UNKNOWN_IDLE, T_COUNT
};

static const char *const tcp_keys[T_COUNT] = {
	[T_MAX_CONN] = "max_connections",
	[T_IDLE] = "idle_timeout_ms",
	[T_PARTIAL] = "partial_timeout_ms",
	[T_PER_SOURCE] = "max_per_source",
	[T_UNKNOWN_IDLE] = "unknown_idle_timeout_ms",
};

static const char *const unknown_names[] = {"reject", "international"};
static const char *const no_tables_names[] = {"refuse", "degraded"};
static const char *const log_names[] = {"stderr", "syslog"};

void cfg_serve_defaults(sf_serve_cfg_t *s)
{
	memset(s, 0, sizeof(*s));
	s->listeners[0].addr.transport = SF_TP_UDP;
	snprintf(s->listeners[0].addr.host, sizeof(s->listeners[0].addr.host),
		 "127.0.0.1");
	s->listeners[0].addr.port = 5060;
	s->listeners[1] = s->listeners[0];
	s->listeners[1].addr.transport = SF_TP_TCP;
	s->n_listeners = 2;
	s->workers = 0;
	s->control_socket[0] = '\0';
	s->metrics_addr[0] = '\0';
	s->unknown_source = SF_UNKNOWN_REJECT;
	s->no_tables = SF_NO_TABLES_REFUSE;
	s->max_shrink = 0.5;
	s->max_message = 16384;
	s->tcp_max_connections = 1024;
	s->tcp_idle_timeout_ms = 60000;
	s->tcp_partial_timeout_ms = 5000;
	s->tcp_max_per_source = 32;
	s->tcp_unknown_idle_timeout_ms = 5000;
	snprintf(s->log_target, sizeof(s->log_target), "stderr");
	cfg_tls_defaults(&s->tls);
}

static void load_listen(cfg_ctx_t *c, const cfg_node_t *v, sf_serve_cfg_t *s)
{
	char sh[256], why[128];
	size_t n = 0;

	if (!cfg_list_check(c, v, "listen", "addresses like udp:0.0.0.0:5060"))
		return;
	if (cfg_list_len(v) == 0) {
		cfg_err(c, v, "'listen' is empty; give at least one address "
			"like \"udp:0.0.0.0:5060\"");
		return;
	}
	for (const cfg_node_t *it = cfg_list_first(v); it;
	     it = cfg_list_next(v, it)) {
		sf_hostport_t hp;
		size_t j;

		if (n == SF_CFG_MAX_LISTENERS) {
			cfg_err(c, it, "too many listen addresses; at most %d",
				SF_CFG_MAX_LISTENERS);
			break;
		}
		if (cfg_hostport_parse(it->s, it->len,
				       CFG_HP_TRANSPORT | CFG_HP_LITERAL_IP,
				       &hp, why, sizeof(why)) < 0) {
			cfg_err(c, it, "bad listen address '%s': %s",
				cfg_show(it, sh, sizeof(sh)), why);
			continue;
		}
		for (j = 0; j < n; j++) {
			const sf_hostport_t *o = &s->listeners[j].addr;

			if (o->transport == hp.transport &&
			    o->port == hp.port && !strcmp(o->host, hp.host))
				break;
		}
		if (j < n) {
			cfg_err(c, it, "listen address '%s' is given twice",
				cfg_show(it, sh, sizeof(sh)));
			continue;
		}
		s->listeners[n++].addr = hp;
	}
	s->n_listeners = n;
}

static void load_tcp(cfg_ctx_t *c, const cfg_node_t *tcp, sf_serve_cfg_t *s)
{
	const cfg_node_t *v[T_COUNT];
	unsigned long u;

	if (!cfg_map_fields(c, tcp, "tcp", "'serve.tcp'", "key", tcp_keys,
			    T_COUNT, v, NULL))
		return;
	if (v[T_MAX_CONN] &&
	    cfg_get_uint(c, v[T_MAX_CONN], "max_connections", 1, 1000000, &u))
		s->tcp_max_connections = (unsigned)u;
	if (v[T_IDLE] &&
	    cfg_get_uint(c, v[T_IDLE], "idle_timeout_ms", 1000, 86400000, &u))
		s->tcp_idle_timeout_ms = (unsigned)u;
	if (v[T_PARTIAL] &&
	    cfg_get_uint(c, v[T_PARTIAL], "partial_timeout_ms", 100, 600000,
			 &u))
		s->tcp_partial_timeout_ms = (unsigned)u;
	if (v[T_PER_SOURCE] &&
	    cfg_get_uint(c, v[T_PER_SOURCE], "max_per_source", 1, 1000000, &u))
		s->tcp_max_per_source = (unsigned)u;
	if (v[T_UNKNOWN_IDLE] &&
	    cfg_get_uint(c, v[T_UNKNOWN_IDLE], "unknown_idle_timeout_ms", 100,
			 86400000, &u))
		s->tcp_unknown_idle_timeout_ms = (unsigned)u;
}

/* The secret's bytes: at least SF_CFG_SECRET_MIN, no control bytes. */
static bool secret_ok(cfg_ctx_t *c, const cfg_node_t *at, const char *s,
		      size_t len, const char *where)
{
	if (len < SF_CFG_SECRET_MIN || len >= SF_CFG_SECRET_MAX) {
		cfg_err(c, at, "%s is %zu bytes; give %d to %d (e.g. the "
			"output of 'openssl rand -hex 32')", where, len,
			SF_CFG_SECRET_MIN, SF_CFG_SECRET_MAX - 1);
		return false;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			cfg_err(c, at, "%s contains control characters", where);
			return false;
		}
	return true;
}

/* serve.secret_file: its first line is the secret. */
static void load_secret_file(cfg_ctx_t *c, const cfg_node_t *n,
			     sf_serve_cfg_t *s)
{
	char path[SF_CFG_PATH_MAX], buf[SF_CFG_SECRET_MAX + 2], sh[256];
	size_t len;
	FILE *f;

	if (!cfg_path_resolve(c, n, "secret_file", path) ||
	    (c->flags & SF_CFG_SKIP_FILE_CHECKS))
		return;
	cfg_show(n, sh, sizeof(sh));
	f = fopen(path, "re");
	if (!f) {
		cfg_err(c, n, "secret_file '%s' cannot be read: %s", sh,
			strerror(errno));
		return;
	}
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	len = strcspn(buf, "\r\n");
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	if (!secret_ok(c, n, buf, len, "the first line of secret_file"))
		return;
	memcpy(s->secret, buf, len);
	s->secret[len] = '\0';
	s->secret_len = len;
}

static void load_secret(cfg_ctx_t *c, const cfg_node_t *sec,
			const cfg_node_t *file, sf_serve_cfg_t *s)
{
	if (sec && file) {
		cfg_err(c, file, "give either 'secret' or 'secret_file', "
			"not both");
		return;
	}
	if (file) {
		load_secret_file(c, file, s);
	} else if (cfg_scalar(c, sec, "secret", "text") &&
		   secret_ok(c, sec, sec->s, sec->len, "'secret'")) {
		memcpy(s->secret, sec->s, sec->len);
		s->secret[sec->len] = '\0';
		s->secret_len = sec->len;
	}
}

void cfg_load_serve(cfg_ctx_t *c, const cfg_node_t *n)
{
	sf_serve_cfg_t *s = &c->cfg->serve;
	const cfg_node_t *v[K_COUNT];
	unsigned long u;
	char sh[256], why[128];
	int e;

	if (!cfg_map_fields(c, n, "serve", "'serve'", "key", serve_keys,
			    K_COUNT, v, NULL))
		return;
	if (v[K_LISTEN])
		load_listen(c, v[K_LISTEN], s);
	if (v[K_WORKERS] &&
	    cfg_get_uint(c, v[K_WORKERS], "workers", 0, 1024, &u))
		s->workers = (unsigned)u;
	/* sun_path is 108 bytes on Linux, NUL included. */
	if (v[K_CONTROL] && !cfg_node_is_null(v[K_CONTROL]))
		cfg_get_text(c, v[K_CONTROL], "control_socket",
			     s->control_socket, 108);
	if (v[K_METRICS] && !cfg_node_is_null(v[K_METRICS]) &&
	    cfg_scalar(c, v[K_METRICS], "metrics", "an address like "
		       "127.0.0.1:9464") && v[K_METRICS]->len > 0) {
		const cfg_node_t *m = v[K_METRICS];
		sf_hostport_t hp;

		if (cfg_hostport_parse(m->s, m->len,
				       CFG_HP_LITERAL_IP | CFG_HP_NEED_PORT,
				       &hp, why, sizeof(why)) < 0)
			cfg_err(c, m, "bad metrics address '%s': %s",
				cfg_show(m, sh, sizeof(sh)), why);
		else
			cfg_get_text(c, m, "metrics", s->metrics_addr,
				     sizeof(s->metrics_addr));
	}
	if (v[K_UNKNOWN] &&
	    cfg_get_enum(c, v[K_UNKNOWN], "unknown_source policy",
			 unknown_names, 2, &e))
		s->unknown_source = (sf_unknown_policy_t)e;
	if (v[K_NO_TABLES] &&
	    cfg_get_enum(c, v[K_NO_TABLES], "no_tables policy",
			 no_tables_names, 2, &e))
		s->no_tables = (sf_no_tables_policy_t)e;
	if (v[K_MAX_SHRINK])
		cfg_get_double(c, v[K_MAX_SHRINK], "max_shrink", 0.0, 1.0,
			       &s->max_shrink);
	if (v[K_MAX_MESSAGE] &&
	    cfg_get_uint(c, v[K_MAX_MESSAGE], "max_message", 1024, 65535, &u))
		s->max_message = (unsigned)u;
	if (v[K_TCP])
		load_tcp(c, v[K_TCP], s);
	if (v[K_LOG] &&
	    cfg_get_enum(c, v[K_LOG], "log target", log_names, 2, &e))
		snprintf(s->log_target, sizeof(s->log_target), "%s",
			 log_names[e]);
	if (v[K_SECRET] || v[K_SECRET_FILE])
		load_secret(c, v[K_SECRET], v[K_SECRET_FILE], s);
	{
		bool tls_listener = false;

		for (size_t i = 0; i < s->n_listeners; i++)
			tls_listener |= s->listeners[i].addr.transport ==
					SF_TP_TLS;
		if (v[K_TLS])
			cfg_load_tls(c, v[K_TLS], &s->tls, tls_listener);
		else if (tls_listener)
			cfg_err(c, v[K_LISTEN], "a tls: listener needs "
				"'serve.tls' with 'cert' and 'key'");
	}
}
