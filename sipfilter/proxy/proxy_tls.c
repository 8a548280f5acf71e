/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_tls.c - the OpenSSL side of SIP over TLS (see proxy_tls.h): the
 * server context built from serve.tls, one verification store per
 * client_cert trunk, the non-blocking handshake, read and write of one
 * connection, and who a client certificate says the peer is.
 */
#include "proxy_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "config/sf_certname.h"

struct sf_tls {
	atomic_uint refs;
	uint64_t id;
	SSL_CTX *ctx;                          /* NULL: no tls: listener */
	X509_STORE *store[SF_CFG_MAX_TRUNKS];  /* client_cert trunks' CAs */
	SSL_CTX *hop_ctx[SF_CFG_MAX_TRUNKS];   /* tls: next hops (clients) */
	/* per hop: what its connections were checked against
	 * (sf_tls_hop_fp), and the last session it gave us, offered by the
	 * next connection to it (under hop_sess_lock) */
	uint64_t hop_fp[SF_CFG_MAX_TRUNKS];
	SSL_SESSION *hop_sess[SF_CFG_MAX_TRUNKS];
	struct hop_ref { struct sf_tls *t; unsigned i; } hop_ref[SF_CFG_MAX_TRUNKS];
	/* the expiry gauge: the server certificate (if any), then the
	 * client_cert trunks' CAs */
	char label[SF_CFG_MAX_TRUNKS + 1][SF_CFG_NAME_MAX + 16];
	int64_t not_after[SF_CFG_MAX_TRUNKS + 1];
	unsigned n_certs;
};

static const char *const peer_names[SF_TLS_PEER_COUNT] = {
	[SF_TLS_PEER_TRUNK] = "trunk",
	[SF_TLS_PEER_NONE] = "none",
	[SF_TLS_PEER_UNTRUSTED] = "untrusted",
	[SF_TLS_PEER_EXPIRED] = "expired",
	[SF_TLS_PEER_NAME_MISMATCH] = "name_mismatch",
	[SF_TLS_PEER_SOURCE_MISMATCH] = "source_mismatch",
	[SF_TLS_PEER_REVOKED] = "revoked",
};

static const char *const hs_names[SF_TLS_HS_COUNT] = {
	[SF_TLS_HS_FULL] = "full",
	[SF_TLS_HS_RESUMED] = "resumed",
	[SF_TLS_HS_FAILED] = "failed",
	[SF_TLS_HS_TIMEOUT] = "timeout",
	[SF_TLS_HS_RATE_LIMITED] = "rate_limited",
};

const char *sf_tls_peer_name(sf_tls_peer_t p)
{
	return (unsigned)p < SF_TLS_PEER_COUNT ? peer_names[p] : "?";
}

const char *sf_tls_hs_name(sf_tls_hs_t h)
{
	return (unsigned)h < SF_TLS_HS_COUNT ? hs_names[h] : "?";
}

/* ------------------------------------------------------------------ */
/* building */

/* Ticket keys (name, HMAC and AES keys: 80 bytes), made once per process
 * so that a session resumes across reloads.  They live as long as the
 * process; a restart invalidates every ticket (a full handshake then). */
static unsigned char ticket_keys[80];
static bool ticket_keys_ok;
static pthread_once_t ticket_once = PTHREAD_ONCE_INIT;

static void make_ticket_keys(void)
{
	ticket_keys_ok = RAND_bytes(ticket_keys, sizeof(ticket_keys)) == 1;
}

/* OpenSSL's last error as text ("" when none). */
static const char *ossl_why(char *buf, size_t size)
{
	unsigned long e = ERR_get_error();

	buf[0] = '\0';
	if (e)
		ERR_error_string_n(e, buf, size);
	ERR_clear_error();
	return buf;
}

static int fail(sf_err_t *err, const sf_cfg_t *cfg, const char *what)
{
	char why[256];

	ossl_why(why, sizeof(why));
	return sf_err_set(err, SF_EINVAL, cfg->path, 0, 0, "%s%s%s", what,
			  why[0] ? ": " : "", why);
}

/* notAfter of x as unix seconds. */
static int64_t not_after(const X509 *x)
{
	struct tm tm;

	if (!x || ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

/* The first certificate of a PEM file's notAfter (0 if none). */
static int64_t file_not_after(const char *path)
{
	FILE *f = fopen(path, "re");
	X509 *x;
	int64_t t;

	if (!f)
		return 0;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	t = not_after(x);
	X509_free(x);
	return t;
}

/* The handshake never fails on the client's certificate, and OpenSSL
 * does not verify it there: who it is is decided afterwards, per trunk,
 * against that trunk's CA (sf_tls_identify), so verifying it against
 * every CA first would only double the cost of a full handshake. */
static int verify_later(X509_STORE_CTX *x, void *arg)
{
	(void)x;
	(void)arg;
	return 1;
}


static int build_ctx(sf_tls_t *t, const sf_cfg_t *cfg, sf_err_t *err)
{
	const sf_tls_cfg_t *c = &cfg->serve.tls;
	bool want_cert = c->ca[0] != '\0';
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	/* the CA names sent in the CertificateRequest (a hint clients use
	 * to pick a certificate) */
	STACK_OF(X509_NAME) *cas = sk_X509_NAME_new_null();
	char what[SF_CFG_PATH_MAX + 64];

	if (!ctx || !cas) {
		sk_X509_NAME_free(cas);
		SSL_CTX_free(ctx);
		return fail(err, cfg, "serve.tls: cannot make a TLS context");
	}
	SSL_CTX_set_client_CA_list(ctx, cas);
	t->ctx = ctx;
	SSL_CTX_set_min_proto_version(ctx, c->tls13_only ? TLS1_3_VERSION
							 : TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
					 SSL_OP_CIPHER_SERVER_PREFERENCE |
					 SSL_OP_NO_COMPRESSION |
					 (c->session_tickets ? 0 : SSL_OP_NO_TICKET));
	if (SSL_CTX_set_cipher_list(ctx, c->ciphers) != 1)
		return fail(err, cfg, "serve.tls.ciphers is refused");
	if (SSL_CTX_set_ciphersuites(ctx, c->ciphersuites) != 1)
		return fail(err, cfg, "serve.tls.ciphersuites is refused");
	if (SSL_CTX_set1_groups_list(ctx, c->groups) != 1)
		return fail(err, cfg, "serve.tls.groups is refused");
	snprintf(what, sizeof(what), "serve.tls.cert '%s' does not load",
		 c->cert);
	if (SSL_CTX_use_certificate_chain_file(ctx, c->cert) != 1)
		return fail(err, cfg, what);
	snprintf(what, sizeof(what), "serve.tls.key '%s' does not load",
		 c->key);
	if (SSL_CTX_use_PrivateKey_file(ctx, c->key, SSL_FILETYPE_PEM) != 1)
		return fail(err, cfg, what);
	if (SSL_CTX_check_private_key(ctx) != 1)
		return fail(err, cfg, "serve.tls.key does not match "
				      "serve.tls.cert");
	snprintf(t->label[t->n_certs], sizeof(t->label[0]), "serve");
	t->not_after[t->n_certs++] = not_after(SSL_CTX_get0_certificate(ctx));
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"sipfilter",
				       9);
	SSL_CTX_set_num_tickets(ctx, 1);
	pthread_once(&ticket_once, make_ticket_keys);
	if (ticket_keys_ok)
		SSL_CTX_set_tlsext_ticket_keys(ctx, ticket_keys,
					       sizeof(ticket_keys));
	if (c->ca[0]) {
		snprintf(what, sizeof(what), "serve.tls.ca '%s' does not load",
			 c->ca);
		if (SSL_CTX_load_verify_locations(ctx, c->ca, NULL) != 1)
			return fail(err, cfg, what);
		SSL_add_file_cert_subjects_to_stack(cas, c->ca);
	}
	for (size_t i = 0; i < cfg->n_trunks && i < SF_CFG_MAX_TRUNKS; i++) {
		const sf_trunk_t *tr = &cfg->trunks[i];

		if (!tr->cert.on)
			continue;
		want_cert = true;
		SSL_add_file_cert_subjects_to_stack(cas, tr->cert.ca);
	}
	ERR_clear_error();
	SSL_CTX_set_verify(ctx, want_cert ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
			   NULL);
	if (want_cert)
		SSL_CTX_set_cert_verify_callback(ctx, verify_later, NULL);
	return 0;
}

/* Guards every sf_tls_t's hop_sess and the hop contexts' app data: a
 * connection outlives its sf_tls_t (it holds the context), and its
 * session ticket may arrive after a reload freed that sf_tls_t. */
static pthread_mutex_t hop_sess_lock = PTHREAD_MUTEX_INITIALIZER;

/* OpenSSL's new-session callback of a hop context: keeps a copy of the
 * session for the hop's next connection (a copy: OpenSSL marks the
 * connection's own session not resumable when the connection ends
 * without a close_notify, as a hop that just closes does).  0: OpenSSL
 * keeps its reference. */
static int hop_new_session(SSL *ssl, SSL_SESSION *sess)
{
	SSL_SESSION *copy = SSL_SESSION_dup(sess);
	struct hop_ref *r;

	pthread_mutex_lock(&hop_sess_lock);
	r = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	if (r && copy) {
		SSL_SESSION_free(r->t->hop_sess[r->i]);
		r->t->hop_sess[r->i] = copy;
		copy = NULL;
	}
	pthread_mutex_unlock(&hop_sess_lock);
	SSL_SESSION_free(copy);
	return 0;
}

/* FNV-1a over n bytes. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* ... over a string and then the file it names (up to 1 MiB). */
static uint64_t fnv_file(uint64_t h, const char *path)
{
	char buf[4096];
	size_t n, total = 0;
	FILE *f;

	h = fnv(h, path, strlen(path) + 1);
	if (!path[0] || !(f = fopen(path, "rb")))
		return h;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && total < (1u << 20)) {
		h = fnv(h, buf, n);
		total += n;
	}
	fclose(f);
	return h;
}

/* What a connection to trunk i's tls: next hop was checked against:
 * the hop, its CA (file contents), the name, our certificate and key,
 * the suites and versions. */
static uint64_t hop_fp(const sf_cfg_t *cfg, const sf_trunk_t *tr)
{
	const sf_tls_cfg_t *c = &cfg->serve.tls;
	uint64_t h = 1469598103934665603ull;

	h = fnv(h, tr->next_hop.host, strlen(tr->next_hop.host) + 1);
	h = fnv(h, &tr->next_hop.port, sizeof(tr->next_hop.port));
	h = fnv_file(h, tr->hop_tls.ca);
	h = fnv(h, tr->hop_tls.name, strlen(tr->hop_tls.name) + 1);
	h = fnv_file(h, tr->hop_tls.cert);
	h = fnv_file(h, tr->hop_tls.key);
	h = fnv(h, c->ciphers, strlen(c->ciphers) + 1);
	h = fnv(h, c->ciphersuites, strlen(c->ciphersuites) + 1);
	h = fnv(h, c->groups, strlen(c->groups) + 1);
	return fnv(h, &c->tls13_only, sizeof(c->tls13_only)) | 1;
}

/* The client context of trunk i's tls: next hop: TLS 1.2+, serve.tls's
 * suites and groups, its CA, our certificate if it has one. */
static int build_hop_ctx(sf_tls_t *t, const sf_cfg_t *cfg, size_t i,
			 sf_err_t *err)
{
	const sf_trunk_t *tr = &cfg->trunks[i];
	const sf_tls_cfg_t *c = &cfg->serve.tls;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char what[SF_CFG_PATH_MAX + 128];

	if (!ctx)
		return fail(err, cfg, "next_hop_tls: cannot make a context");
	t->hop_ctx[i] = ctx;
	SSL_CTX_set_min_proto_version(ctx, c->tls13_only ? TLS1_3_VERSION
							 : TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
					 SSL_OP_NO_COMPRESSION);
	snprintf(what, sizeof(what), "trunk '%s': serve.tls cipher or "
		 "group lists are refused for its next hop", tr->name);
	if (SSL_CTX_set_cipher_list(ctx, c->ciphers) != 1 ||
	    SSL_CTX_set_ciphersuites(ctx, c->ciphersuites) != 1 ||
	    SSL_CTX_set1_groups_list(ctx, c->groups) != 1)
		return fail(err, cfg, what);
	snprintf(what, sizeof(what), "trunk '%s': next_hop_tls.ca '%s' does "
		 "not load", tr->name, tr->hop_tls.ca);
	if (SSL_CTX_load_verify_locations(ctx, tr->hop_tls.ca, NULL) != 1)
		return fail(err, cfg, what);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	/* resumption: the hop's last session, kept by hop_new_session */
	t->hop_ref[i] = (struct hop_ref){t, (unsigned)i};
	t->hop_fp[i] = hop_fp(cfg, tr);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
					       SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, hop_new_session);
	pthread_mutex_lock(&hop_sess_lock);
	SSL_CTX_set_app_data(ctx, &t->hop_ref[i]);
	pthread_mutex_unlock(&hop_sess_lock);
	if (tr->hop_tls.cert[0]) {
		snprintf(what, sizeof(what), "trunk '%s': next_hop_tls.cert "
			 "'%s' or its key does not load", tr->name,
			 tr->hop_tls.cert);
		if (SSL_CTX_use_certificate_chain_file(ctx, tr->hop_tls.cert) !=
			    1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, tr->hop_tls.key,
						SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(ctx) != 1)
			return fail(err, cfg, what);
	}
	return 0;
}

/* Trunk i's client_cert.crl into its store, checked for the leaf (a
 * stale or missing CRL of the issuer fails verification: closed). */
static int load_crl(sf_tls_t *t, const sf_cfg_t *cfg, size_t i,
		    sf_err_t *err)
{
	const sf_trunk_t *tr = &cfg->trunks[i];
	X509_LOOKUP *lu = X509_STORE_add_lookup(t->store[i],
						X509_LOOKUP_file());
	char why[256];

	if (lu && X509_load_crl_file(lu, tr->cert.crl, X509_FILETYPE_PEM) >= 1) {
		X509_STORE_set_flags(t->store[i], X509_V_FLAG_CRL_CHECK);
		return 0;
	}
	ossl_why(why, sizeof(why));
	sf_tls_unref(t);
	return sf_err_set(err, SF_EINVAL, cfg->path, tr->line, 0,
			  "trunk '%s': client_cert.crl '%s' does not load "
			  "(PEM CRLs)%s%s", tr->name, tr->cert.crl,
			  why[0] ? ": " : "", why);
}

int sf_tls_new(const sf_cfg_t *cfg, sf_tls_t **out, sf_err_t *err)
{
	static atomic_uint_fast64_t next_id = 1;
	bool listener = false;
	sf_tls_t *t;
	int rc;

	*out = NULL;
	if (!sf_cfg_uses_tls(cfg))
		return 0;
	t = calloc(1, sizeof(*t));
	if (!t)
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0, "out of memory");
	atomic_init(&t->refs, 1);
	t->id = atomic_fetch_add(&next_id, 1);
	for (size_t i = 0; i < cfg->serve.n_listeners; i++)
		listener |= cfg->serve.listeners[i].addr.transport == SF_TP_TLS;
	if (listener && (rc = build_ctx(t, cfg, err))) {
		sf_tls_unref(t);
		return rc;
	}
	for (size_t i = 0; i < cfg->n_trunks && i < SF_CFG_MAX_TRUNKS; i++) {
		const sf_trunk_t *tr = &cfg->trunks[i];

		if (tr->has_next_hop && tr->next_hop.transport == SF_TP_TLS &&
		    (rc = build_hop_ctx(t, cfg, i, err))) {
			sf_tls_unref(t);
			return rc;
		}
		if (!tr->cert.on)
			continue;
		t->store[i] = X509_STORE_new();
		if (!t->store[i] ||
		    X509_STORE_load_file(t->store[i], tr->cert.ca) != 1) {
			char why[256];

			ossl_why(why, sizeof(why));
			sf_tls_unref(t);
			return sf_err_set(err, SF_EINVAL, cfg->path, tr->line,
					  0, "trunk '%s': client_cert.ca '%s' "
					  "does not load%s%s", tr->name,
					  tr->cert.ca, why[0] ? ": " : "",
					  why);
		}
		if (tr->cert.crl[0] && (rc = load_crl(t, cfg, i, err)))
			return rc;
		snprintf(t->label[t->n_certs], sizeof(t->label[0]),
			 "trunk/%s/ca", tr->name);
		t->not_after[t->n_certs++] = file_not_after(tr->cert.ca);
	}
	*out = t;
	return 0;
}

sf_tls_t *sf_tls_ref(sf_tls_t *t)
{
	if (t)
		atomic_fetch_add(&t->refs, 1);
	return t;
}

void sf_tls_unref(sf_tls_t *t)
{
	if (!t || atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	SSL_CTX_free(t->ctx); /* connections hold their own reference */
	pthread_mutex_lock(&hop_sess_lock);
	for (unsigned i = 0; i < SF_CFG_MAX_TRUNKS; i++) {
		if (t->hop_ctx[i])
			SSL_CTX_set_app_data(t->hop_ctx[i], NULL);
		SSL_SESSION_free(t->hop_sess[i]);
	}
	pthread_mutex_unlock(&hop_sess_lock);
	for (unsigned i = 0; i < SF_CFG_MAX_TRUNKS; i++) {
		X509_STORE_free(t->store[i]);
		SSL_CTX_free(t->hop_ctx[i]);
	}
	free(t);
}

uint64_t sf_tls_id(const sf_tls_t *t)
{
	return t ? t->id : 0;
}

uint64_t sf_tls_hop_fp(const sf_tls_t *t, unsigned trunk)
{
	return t && trunk < SF_CFG_MAX_TRUNKS ? t->hop_fp[trunk] : 0;
}

unsigned sf_tls_expiry_list(const sf_tls_t *t, sf_cert_expiry_t *out,
			    unsigned max)
{
	unsigned n = 0;

	for (; t && n < t->n_certs && n < max; n++) {
		snprintf(out[n].label, sizeof(out[n].label), "%s", t->label[n]);
		out[n].not_after = t->not_after[n];
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* one connection */

sf_ssl_t *sf_tls_conn_new(const sf_tls_t *t, int fd)
{
	SSL *ssl;

	if (!t || !t->ctx)
		return NULL;
	ssl = SSL_new(t->ctx);
	if (!ssl)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_accept_state(ssl);
	return ssl;
}

sf_ssl_t *sf_tls_hop_new(const sf_tls_t *t, const sf_cfg_t *cfg,
			 unsigned trunk, int fd)
{
	const sf_trunk_t *tr;
	const char *name;
	unsigned char ip[16];
	bool is_ip;
	SSL *ssl;

	if (!t || trunk >= cfg->n_trunks || trunk >= SF_CFG_MAX_TRUNKS ||
	    !t->hop_ctx[trunk])
		return NULL;
	tr = &cfg->trunks[trunk];
	name = tr->hop_tls.name[0] ? tr->hop_tls.name : tr->next_hop.host;
	is_ip = inet_pton(AF_INET, name, ip) == 1 ||
		inet_pton(AF_INET6, name, ip) == 1;
	ssl = SSL_new(t->hop_ctx[trunk]);
	if (!ssl)
		return NULL;
	/* the name the certificate must carry (RFC 5922 §7: the SIP
	 * domain; here the configured one); SNI only for a DNS name */
	if (SSL_set_fd(ssl, fd) != 1 ||
	    (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name)
		   : SSL_set1_host(ssl, name)) != 1 ||
	    (!is_ip && SSL_set_tlsext_host_name(ssl, name) != 1)) {
		SSL_free(ssl);
		ERR_clear_error();
		return NULL;
	}
	pthread_mutex_lock(&hop_sess_lock);
	if (t->hop_sess[trunk]) /* resumed if the hop still knows it */
		SSL_set_session(ssl, t->hop_sess[trunk]);
	pthread_mutex_unlock(&hop_sess_lock);
	SSL_set_connect_state(ssl);
	return ssl;
}

void sf_tls_conn_free(sf_ssl_t *ssl)
{
	if (!ssl)
		return;
	if (SSL_is_init_finished(ssl))
		SSL_shutdown(ssl); /* close_notify if the socket takes it */
	SSL_free(ssl);
	ERR_clear_error();
}

void sf_tls_conn_free_quiet(sf_ssl_t *ssl)
{
	SSL_free(ssl);
	ERR_clear_error();
}

int sf_tls_handshake(sf_ssl_t *ssl, bool *resumed, bool *want_write)
{
	int r = SSL_do_handshake(ssl);

	*want_write = false;
	if (r == 1) {
		*resumed = SSL_session_reused(ssl) == 1;
		return 1;
	}
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return 0;
	case SSL_ERROR_WANT_WRITE:
		*want_write = true;
		return 0;
	default:
		ERR_clear_error();
		return -1;
	}
}

ssize_t sf_tls_read(sf_ssl_t *ssl, char *buf, size_t len, bool *more)
{
	int r = SSL_read(ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);

	*more = false;
	if (r > 0) {
		*more = SSL_has_pending(ssl) == 1;
		return r;
	}
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return 0;
	default: /* close_notify, a reset, a protocol error */
		ERR_clear_error();
		return -1;
	}
}

int sf_tls_write_all(sf_ssl_t *ssl, int fd, const char *buf, size_t len)
{
	unsigned waited_ms = 0;

	while (len) {
		int r = SSL_write(ssl, buf, len > INT32_MAX ? INT32_MAX
							    : (int)len);
		struct pollfd p = {fd, 0, 0};

		if (r > 0) {
			buf += r;
			len -= (size_t)r;
			continue;
		}
		switch (SSL_get_error(ssl, r)) {
		case SSL_ERROR_WANT_WRITE:
			p.events = POLLOUT;
			break;
		case SSL_ERROR_WANT_READ:
			p.events = POLLIN;
			break;
		default:
			ERR_clear_error();
			return -1;
		}
		/* the same buffer must be offered again (SSL_write(3)) */
		if (waited_ms >= 200 || poll(&p, 1, 50) < 0)
			return -1;
		waited_ms += 50;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* who the peer is */

/* The names of x (SAN DNS, URI, IP as text; subject CNs) into *n, views
 * into x, *gens and ipbuf (which the caller frees / owns). */
static void peer_names_of(X509 *x, GENERAL_NAMES **gens, sf_peer_names_t *n,
			  char ipbuf[][48])
{
	X509_NAME *subj = X509_get_subject_name(x);
	int idx = -1;

	memset(n, 0, sizeof(*n));
	*gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; *gens && i < sk_GENERAL_NAME_num(*gens) &&
			n->n_san < SF_CERT_MAX_NAMES; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(*gens, i);
		const ASN1_STRING *s = NULL;

		if (g->type == GEN_DNS)
			s = g->d.dNSName;
		else if (g->type == GEN_URI)
			s = g->d.uniformResourceIdentifier;
		if (s) {
			n->san[n->n_san] = (const char *)ASN1_STRING_get0_data(s);
			n->san_len[n->n_san++] = (size_t)ASN1_STRING_length(s);
		} else if (g->type == GEN_IPADD) {
			int l = ASN1_STRING_length(g->d.iPAddress);
			const unsigned char *d =
				ASN1_STRING_get0_data(g->d.iPAddress);

			if ((l != 4 && l != 16) ||
			    !inet_ntop(l == 4 ? AF_INET : AF_INET6, d,
				       ipbuf[n->n_san], 48))
				continue;
			n->san[n->n_san] = ipbuf[n->n_san];
			n->san_len[n->n_san] = strlen(ipbuf[n->n_san]);
			n->n_san++;
		}
	}
	while (subj && n->n_cn < 4 &&
	       (idx = X509_NAME_get_index_by_NID(subj, NID_commonName, idx)) >=
		       0) {
		const ASN1_STRING *s =
			X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx));

		n->cn[n->n_cn] = (const char *)ASN1_STRING_get0_data(s);
		n->cn_len[n->n_cn++] = (size_t)ASN1_STRING_length(s);
	}
}

/* Does x (with the untrusted chain the peer sent) verify against store
 * as a TLS client certificate?  X509_V_OK or OpenSSL's reason. */
static int verify(X509_STORE *store, X509 *x, STACK_OF(X509) *chain)
{
	X509_STORE_CTX *vc = X509_STORE_CTX_new();
	int rc = X509_V_ERR_UNSPECIFIED;

	if (!vc)
		return rc;
	if (X509_STORE_CTX_init(vc, store, x, chain) == 1) {
		X509_STORE_CTX_set_purpose(vc, X509_PURPOSE_SSL_CLIENT);
		rc = X509_verify_cert(vc) == 1 ? X509_V_OK
					       : X509_STORE_CTX_get_error(vc);
	}
	X509_STORE_CTX_free(vc);
	ERR_clear_error();
	return rc;
}

/* Which failure says most about a certificate that matched no trunk. */
static void worse(sf_tls_peer_t *peer, sf_tls_peer_t p)
{
	static const int rank[SF_TLS_PEER_COUNT] = {
		/* the nearer it came to a trunk, the more it says */
		[SF_TLS_PEER_UNTRUSTED] = 1,
		[SF_TLS_PEER_EXPIRED] = 2,
		[SF_TLS_PEER_NAME_MISMATCH] = 3,
		[SF_TLS_PEER_SOURCE_MISMATCH] = 4,
		[SF_TLS_PEER_REVOKED] = 5,
	};

	if (rank[p] > rank[*peer])
		*peer = p;
}

int sf_tls_identify(const sf_tls_t *t, const sf_cfg_t *cfg,
		    const sf_ssl_t *ssl, const sf_ip_t *ip,
		    sf_trunk_how_t *how, sf_tls_peer_t *peer)
{
	X509 *x = ssl ? SSL_get0_peer_certificate(ssl) : NULL;
	STACK_OF(X509) *chain = ssl ? SSL_get_peer_cert_chain(ssl) : NULL;
	GENERAL_NAMES *gens = NULL;
	sf_peer_names_t names;
	char ipbuf[SF_CERT_MAX_NAMES][48];
	int found = -1;

	*how = SF_HOW_SOURCE;
	*peer = x ? SF_TLS_PEER_UNTRUSTED : SF_TLS_PEER_NONE;
	if (x && t) {
		peer_names_of(x, &gens, &names, ipbuf);
		for (size_t i = 0; i < cfg->n_trunks && i < SF_CFG_MAX_TRUNKS;
		     i++) {
			const sf_trunk_t *tr = &cfg->trunks[i];
			int v;

			if (!tr->cert.on || !t->store[i])
				continue;
			v = verify(t->store[i], x, chain);
			if (v == X509_V_ERR_CERT_HAS_EXPIRED ||
			    v == X509_V_ERR_CERT_NOT_YET_VALID) {
				worse(peer, SF_TLS_PEER_EXPIRED);
				continue;
			}
			if (v == X509_V_ERR_CERT_REVOKED) {
				worse(peer, SF_TLS_PEER_REVOKED);
				continue;
			}
			if (v != X509_V_OK)
				continue; /* not this trunk's CA */
			if (!sf_cert_names_match(tr, &names)) {
				worse(peer, SF_TLS_PEER_NAME_MISMATCH);
				continue;
			}
			if (!sf_cfg_trunk_source_ok(tr, ip)) {
				worse(peer, SF_TLS_PEER_SOURCE_MISMATCH);
				continue;
			}
			found = (int)i;
			*how = tr->n_cidrs ? SF_HOW_CERT_SOURCE : SF_HOW_CERT;
			*peer = SF_TLS_PEER_TRUNK;
			break;
		}
		GENERAL_NAMES_free(gens);
	}
	if (found < 0)
		found = sf_cfg_trunk_match(cfg, ip);
	return found;
}
