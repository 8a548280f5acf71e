/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_tls.h - SIP over TLS at the edge with OpenSSL 3 (RFC 3261
 * §26.2.1, RFC 5630): the server context of the tls: listeners, and who a
 * client certificate says the peer is.  No cryptography is written here;
 * OpenSSL does the protocol, the verification and the session tickets.
 *
 * One sf_tls_t per generation (proxy_gen.h), built from its config: the
 * client contexts of tls: next hops (CA, expected name), the server
 * SSL_CTX (TLS 1.2 and 1.3 only, serve.tls ciphers / ciphersuites /
 * groups, certificate and key, a client certificate requested whenever
 * some trunk has a client_cert or serve.tls.ca is set), one X509_STORE
 * per client_cert trunk, and the expiry of every configured certificate
 * (for /metrics).  A reload builds a new one; connections keep the
 * SSL_CTX they were accepted with (OpenSSL counts references), so
 * replacing certificates never drops an established connection.  Session
 * ticket keys are made once per process, so a ticket issued before a
 * reload still resumes after it.
 *
 * Identification (sf_tls_identify), after the handshake: the first trunk
 * in config order with a client_cert whose sources (if it lists any)
 * contain the peer address, whose CA the peer's chain verifies against
 * (purpose: TLS client; expiry checked) and one of whose san/subject
 * patterns a name of the certificate matches (config/sf_certname.h).  No
 * such trunk: the trunk by source address as for TCP (client_cert trunks
 * excluded), else an unknown source.  The handshake itself never fails
 * on a certificate: a peer with a wrong, expired or unmatched one is an
 * unknown source, and what went wrong is counted (sf_tls_peer_t).
 *
 * Thread-safety: an sf_tls_t is read-only once built; sf_tls_ref/unref
 * are atomic.  One SSL object must not be used by two threads at once:
 * the TCP thread and the senders serialise on the server's tcp_lock.
 */
#ifndef PROXY_TLS_H
#define PROXY_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/sf_config.h"
#include "sipfilter/engine/sf_admit.h"

typedef struct sf_tls sf_tls_t;
typedef struct ssl_st sf_ssl_t; /* OpenSSL's SSL */

/* What a peer's certificate came to; counted, stable names. */
typedef enum sf_tls_peer {
	SF_TLS_PEER_TRUNK = 0,     /* matched a client_cert trunk */
	SF_TLS_PEER_NONE,          /* no certificate sent */
	SF_TLS_PEER_UNTRUSTED,     /* chains to no client_cert trunk's CA */
	SF_TLS_PEER_EXPIRED,       /* expired (or not yet valid) */
	SF_TLS_PEER_NAME_MISMATCH, /* a trunk's CA, none of its names */
	SF_TLS_PEER_SOURCE_MISMATCH, /* from outside that trunk's sources */
	SF_TLS_PEER_REVOKED,       /* a trunk's CA, listed in its crl */
	SF_TLS_PEER_COUNT
} sf_tls_peer_t;

/* Handshakes by result; stable names. */
typedef enum sf_tls_hs {
	SF_TLS_HS_FULL = 0,      /* completed, full handshake */
	SF_TLS_HS_RESUMED,       /* completed, session resumed (ticket) */
	SF_TLS_HS_FAILED,        /* protocol error (plain TCP, bad version) */
	SF_TLS_HS_TIMEOUT,       /* not done within handshake_timeout_ms */
	SF_TLS_HS_RATE_LIMITED,  /* refused: over handshakes_per_second */
	SF_TLS_HS_COUNT
} sf_tls_hs_t;

const char *sf_tls_peer_name(sf_tls_peer_t p);
const char *sf_tls_hs_name(sf_tls_hs_t h);

/*
 * Builds the TLS state of cfg into *out: NULL (and 0) when cfg uses no
 * TLS.  Returns 0, or SF_EINVAL with err naming the config file, the
 * setting and OpenSSL's reason (a certificate or key that does not load
 * or match, a cipher list OpenSSL refuses, an unreadable CA file), or
 * SF_ENOMEM.  Control thread.
 */
int sf_tls_new(const sf_cfg_t *cfg, sf_tls_t **out, sf_err_t *err);

/* Another reference (NULL-safe); dropped with sf_tls_unref, the last
 * one frees.  Any thread. */
sf_tls_t *sf_tls_ref(sf_tls_t *t);
void sf_tls_unref(sf_tls_t *t);

/* A number that differs between two sf_tls_t built from different
 * configs (a connection identified under one is identified again under
 * the next). */
uint64_t sf_tls_id(const sf_tls_t *t);

/* What trunk's tls: next hop connections are checked against under t
 * (its CA and certificate files' contents, name, suites: a hash, never
 * 0), or 0 when it has none: a connection made under another value was
 * verified by other rules and is not to be used (a reload changed them).
 */
uint64_t sf_tls_hop_fp(const sf_tls_t *t, unsigned trunk);

/* A server-side SSL for the accepted socket fd, or NULL (out of memory).
 * It holds its own reference to the context. */
sf_ssl_t *sf_tls_conn_new(const sf_tls_t *t, int fd);

/* A client SSL on fd, connected to the tls: next hop of trunk (cfg is
 * the config t was built from), checking the hop's certificate against
 * next_hop_tls.ca and its name (next_hop_tls.name, else the hop's
 * address); NULL when the trunk has no such hop or out of memory.  It
 * offers the last session the hop gave under t (resumption: a new
 * session replaces it as it arrives).  The handshake is the caller's
 * (sf_tls_handshake). */
sf_ssl_t *sf_tls_hop_new(const sf_tls_t *t, const sf_cfg_t *cfg,
			 unsigned trunk, int fd);

/* Closes the TLS layer (a close_notify when it can be sent at once) and
 * frees ssl; NULL is a no-op.  The caller closes the socket. */
void sf_tls_conn_free(sf_ssl_t *ssl);

/* The same without a close_notify (a connection cut off). */
void sf_tls_conn_free_quiet(sf_ssl_t *ssl);

/* Advances the handshake.  1 = done (*resumed says how), 0 = call again
 * when the socket is readable (*want_write: or writable), -1 = failed. */
int sf_tls_handshake(sf_ssl_t *ssl, bool *resumed, bool *want_write);

/* Reads up to len bytes.  >0 bytes, 0 = nothing now, -1 = closed or
 * failed.  *more: OpenSSL holds further bytes already read from the
 * socket (epoll will not say so: call again). */
ssize_t sf_tls_read(sf_ssl_t *ssl, char *buf, size_t len, bool *more);

/* Writes all of buf, waiting at most ~200 ms in total for the socket.
 * 0, or -1 (the connection should be shut). */
int sf_tls_write_all(sf_ssl_t *ssl, int fd, const char *buf, size_t len);

/*
 * The trunk the peer of an established ssl is (see above), from ip;
 * *how says how it was found, *peer what the certificate came to.
 * Returns the trunk index or -1.  Pure apart from OpenSSL's reading of
 * the certificate; t may be NULL (no client_cert trunks).
 */
int sf_tls_identify(const sf_tls_t *t, const sf_cfg_t *cfg,
		    const sf_ssl_t *ssl, const sf_ip_t *ip,
		    sf_trunk_how_t *how, sf_tls_peer_t *peer);

/* One configured certificate, for the expiry gauge. */
#define SF_TLS_MAX_CERTS (SF_CFG_MAX_TRUNKS + 1)
typedef struct sf_cert_expiry {
	char label[SF_CFG_NAME_MAX + 16]; /* "serve", "trunk/NAME/ca" */
	int64_t not_after;                /* unix seconds; 0 unknown */
} sf_cert_expiry_t;

/* The configured certificates (the server's, then each client_cert
 * trunk's CA, the first in its file) into out[0..max); returns how many
 * (0 for t NULL). */
unsigned sf_tls_expiry_list(const sf_tls_t *t, sf_cert_expiry_t *out,
			    unsigned max);

#endif
