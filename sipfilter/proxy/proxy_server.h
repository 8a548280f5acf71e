/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_server.h - the running `serve` process: sockets, threads, the
 * published generation (config + tables + derived proxy state,
 * proxy_gen.h), counters, reload state.
 *
 * Threads: one UDP thread per (worker, UDP listener), each with its own
 * SO_REUSEPORT socket, recvmmsg/sendmmsg batches and its own scratch,
 * counters and snapshot slot; one TCP thread (epoll) for every TCP
 * listener and connection; the metrics thread (proxy_http.c: the HTTP
 * endpoint, which only reads); the main thread runs the control socket,
 * signals and reloads (so reloads and roaming updates are serialised by
 * construction).  Locks: the TCP connection table's (taken when a UDP
 * thread must send a reply over a TCP connection, and by the TCP thread
 * when it opens, writes or closes connections) and status_lock (the
 * reload status the control thread writes and the metrics thread
 * reads); the UDP per-call path takes none.
 */
#ifndef PROXY_SERVER_H
#define PROXY_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config/sf_config.h"
#include "tables/sf_tables.h"
#include "proxy_admit.h"
#include "proxy_core.h"
#include "proxy_gen.h"
#include "proxy_stats.h"
#include "sipfilter/lib/snapshot.h"

#define SF_UDP_BATCH 32
#define SF_MAX_THREADS 128

typedef struct sf_server sf_server_t;

typedef struct sf_thread {
	sf_server_t *srv;
	unsigned idx;         /* index in srv->threads = snapshot slot = stats */
	int listener;         /* UDP listener index, -1 for the TCP thread */
	int fd;               /* the UDP socket */
	pthread_t th;
	bool started;
	sf_pctx_t *ctx;
} sf_thread_t;

#define SF_HOP_PEND_MAX (64u * 1024u)

/* One TCP connection; its timing and source facts are in the parallel
 * conn_info[] slot (proxy_admit.h), which the admission policy reads. */
typedef struct sf_tcp_conn {
	int fd;               /* -1 = free slot */
	unsigned listener;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	char *buf;
	size_t used;
	/* TLS (proxy_tls.h): ssl is NULL on plain TCP */
	sf_ssl_t *ssl;
	bool tls;             /* accepted on a tls: listener */
	bool tls_more;        /* OpenSSL holds bytes epoll cannot see */
	bool want_write;      /* the handshake waits for POLLOUT */
	uint64_t tls_id;      /* sf_tls_id of the TLS state trunk was
			       * identified with (a reload re-identifies) */
	/* the trunk: by source at accept; over TLS by certificate after
	 * the handshake */
	int trunk;            /* index in the identifying config, -1 */
	sf_trunk_how_t how;
	uint8_t tslot;        /* its counter slot (0 = unknown source) */
	bool outbound;        /* we opened it, to a next hop (proxy_hop.c) */
	/* outbound TLS: the trunk whose next_hop_tls checked it (two
	 * trunks may reach one address under different names: a
	 * connection verified for one is never used for the other) */
	char hop_trunk[SF_CFG_NAME_MAX];
	bool dead;            /* the peer has gone: no more writes; the TCP
			       * thread closes it */
	/* outbound, being opened (proxy_hop.c): the TCP thread drives the
	 * connect and the TLS handshake from epoll; senders queue their
	 * messages in pend meanwhile (written once it is up, dropped and
	 * counted if it fails or connect_end_ms passes) */
	bool connecting;      /* pend holds at most SF_HOP_PEND_MAX bytes */
	bool tcp_up;          /* connecting: the TCP connect is done */
	unsigned hop;         /* outbound: the trunk whose next hop it is */
	uint64_t hop_fp;      /* outbound TLS: sf_tls_hop_fp it was made
			       * under */
	uint64_t connect_end_ms;
	char *pend;
	size_t pend_len;
	unsigned pend_n;
} sf_tcp_conn_t;

/* What reloads and roaming updates leave behind, for `ctl stats` and
 * /metrics. */
typedef struct sf_reload_status {
	uint64_t generation;       /* config + tables, 1 at start */
	uint64_t reloads_ok, reloads_failed, roaming_updates;
	bool last_reload_ok;
	double last_reload_seconds;
	int64_t loaded_at;         /* unix time of the current tables */
	bool have_tables;          /* false: degraded */
	sf_tables_stats_t tables;  /* of the current snapshot */
	/* the current generation's configured certificates (expiry) */
	sf_cert_expiry_t certs[SF_TLS_MAX_CERTS];
	unsigned n_certs;
} sf_reload_status_t;

struct sf_server {
	/* The config serve started with (the caller's): what the sockets,
	 * threads and buffers were made from.  Calls are judged with the
	 * current generation's config (sf_server_gen), which a reload
	 * replaces; the settings both share are the restart-only ones. */
	const sf_cfg_t *cfg;
	/* The proxy of the start config: the socket layout (listeners),
	 * the message limits and the token key every generation reuses. */
	sf_proxy_t proxy;
	/* Publishes sf_gen_t: one reader slot per worker thread (the
	 * control thread is the writer; the metrics thread reads only
	 * counters, s->status and s->labels). */
	sf_snap_t snap;
	/* The names of the counter slots, stable across reloads (written by
	 * the control thread, read by it and the metrics thread). */
	sf_st_labels_t labels;
	atomic_bool stop;
	unsigned workers;
	/* UDP: fds[listener][worker] */
	int udp_fd[SF_CFG_MAX_LISTENERS][SF_MAX_THREADS];
	/* TCP */
	int tcp_listen_fd[SF_CFG_MAX_LISTENERS];
	int tcp_epfd;
	pthread_mutex_t tcp_lock;
	sf_tcp_conn_t *conns;
	sf_conn_info_t *conn_info; /* n_conns_max, slot i describes conns[i] */
	sf_admit_limits_t admit;
	unsigned n_conns_max;
	/* Written under tcp_lock with atomic stores, read by the control and
	 * metrics threads with atomic loads (sf_tcp_counts). */
	unsigned n_conns;
	unsigned n_conns_unknown; /* of them, from sources no trunk matches */
	/* open connections by trunk counter slot and transport (0 TCP,
	 * 1 TLS); same rules as n_conns */
	unsigned conns_by_trunk[SF_CFG_MAX_TRUNKS + 1][2];
	/* handshakes_per_second (hs_rate, the current generation's): a
	 * token bucket of the TCP thread */
	unsigned hs_rate;
	double hs_tokens;
	uint64_t hs_refill_ns;
	unsigned n_tls_more;  /* connections with tls_more set */
	/* next hops over TCP/TLS: connecting is serialised (one connection
	 * per hop); after a failed attempt a hop is not tried again until
	 * hop_retry_ms (messages to it fail fast, counted) */
	pthread_mutex_t hop_lock;
	uint64_t hop_retry_ms[SF_CFG_MAX_TRUNKS];
	/* threads; stats[i] belongs to threads[i] */
	sf_thread_t threads[SF_MAX_THREADS];
	unsigned n_threads;
	sf_wstats_t *stats;   /* n_stats blocks: the threads', then the
			       * control and the metrics thread's */
	unsigned n_stats;
	pthread_t http_th;    /* the metrics thread (proxy_http.c) */
	bool http_started;
	/* reload state: the control thread writes it (under status_lock)
	 * and reads it freely; other threads read it under status_lock */
	pthread_mutex_t status_lock;
	sf_reload_status_t status;
	char last_reload_error[4096]; /* control thread only: every
				       * diagnostic, one per line */
	sf_restart_notes_t last_reload_notes; /* control thread only */
	int64_t started_at;
	/* logging */
	bool use_syslog;
	bool level_prefix;
	/* the control socket and the metrics listener (-1: off), opened by
	 * sf_server_new for the control loop and the metrics thread */
	int ctl_fd;
	dev_t ctl_dev;          /* the control socket file we created, */
	ino_t ctl_ino;          /* the only one we ever unlink */
	int metrics_fd;
	/* the live roaming feed (proxy_live.h), NULL when not configured:
	 * started and freed by the serve command around the control loop;
	 * read by the control and the metrics thread */
	struct sf_live *live;
	/* the local roaming journal (proxy_journal.h), NULL when not
	 * configured: opened by sf_ctl_journal_start, freed by the serve
	 * command; the control thread writes it, the metrics thread reads
	 * its counters */
	struct sf_journal *journal;
	bool built; /* the snapshot and the locks exist (sf_server_free) */
};

/* Counts connection c (described by ci) in or out of the gauges: d is 1
 * or -1.  Under tcp_lock. */
static inline void sf_conn_count(sf_server_t *s, const sf_tcp_conn_t *c,
				 const sf_conn_info_t *ci, int d)
{
	unsigned *bt = &s->conns_by_trunk[c->tslot][c->tls];

	__atomic_store_n(&s->n_conns, s->n_conns + (unsigned)d,
			 __ATOMIC_RELAXED);
	__atomic_store_n(bt, *bt + (unsigned)d, __ATOMIC_RELAXED);
	if (!ci->trunk)
		__atomic_store_n(&s->n_conns_unknown,
				 s->n_conns_unknown + (unsigned)d,
				 __ATOMIC_RELAXED);
}

/* Monotonic nanoseconds and milliseconds. */
static inline uint64_t sf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t sf_now_ms(void)
{
	return sf_now_ns() / 1000000u;
}

/* The counters of the control thread and of the metrics thread (after
 * the worker threads' in s->stats). */
static inline sf_wstats_t *sf_server_ctl_stats(sf_server_t *s)
{
	return &s->stats[s->n_stats - 2];
}

static inline sf_wstats_t *sf_server_http_stats(sf_server_t *s)
{
	return &s->stats[s->n_stats - 1];
}

/* The current generation, for the control thread (the only writer: it
 * needs no read-side section).  Never NULL once sf_server_new succeeded. */
static inline sf_gen_t *sf_server_gen(sf_server_t *s)
{
	return sf_snap_current(&s->snap);
}

/* What `serve` takes besides the config. */
typedef struct sf_serve_opts {
	unsigned workers; /* UDP worker threads per listener; 0: take
			   * serve.workers (0 there: one per core) */
} sf_serve_opts_t;

/*
 * Builds the server for cfg: the proxy, the tables (loaded now; when they
 * do not load, serve.no_tables says whether to run degraded, with a
 * warning on the log, or to refuse), the counters and the snapshot, and
 * every socket (UDP and TCP listeners, the control socket, the metrics
 * listener).  No thread is started: see sf_server_start and
 * sf_http_start, then sf_ctl_loop.  cfg is borrowed and must outlive the
 * server; opts may be NULL.
 *
 * Returns 0 with *out, or a negative SF_E* with err filled and *out NULL:
 * SF_EINVAL when cfg cannot be served (the proxy refuses it, or no table
 * loads and serve.no_tables is refuse: err then keeps the table's
 * file:line:col and says it refuses to start), SF_ENOMEM, or SF_EIO when
 * a socket cannot be opened.  Not thread-safe; sets process state once
 * (openlog when logging to syslog, libosip2's global init).
 */
int sf_server_new(const sf_cfg_t *cfg, const sf_serve_opts_t *opts,
		  sf_server_t **out, sf_err_t *err);

/* Stops the threads if any run (sf_server_stop), closes every socket
 * (removing the control socket's path) and frees the server and the
 * tables it holds.  NULL is a no-op. */
void sf_server_free(sf_server_t *s);

/* Records the current snapshot's sizes in s->status (after the first
 * tables are published, before the metrics thread starts; reloads and
 * roaming updates do it themselves).  Control thread. */
void sf_server_status_refresh(sf_server_t *s);

/* Opens UDP sockets (one per worker and UDP listener, SO_REUSEPORT) and
 * TCP listening sockets.  Returns 0 or SF_EIO with err. */
int sf_server_bind(sf_server_t *s, sf_err_t *err);

/* Starts the UDP and TCP threads.  Returns 0 or SF_EIO. */
int sf_server_start(sf_server_t *s, sf_err_t *err);

/* Sets stop, joins the threads (the metrics thread too, if started),
 * closes sockets. */
void sf_server_stop(sf_server_t *s);

/* The number of open TCP connections and how many of them come from
 * sources no trunk matches (any thread). */
void sf_tcp_counts(sf_server_t *s, unsigned *all, unsigned *unknown);

/* The edge's cert_peer hook (sf_admit.h; arg: the sf_server_t): is
 * there an inbound TLS connection from ip, its handshake done, whose
 * client certificate identified a trunk?  *port: in, the port wanted;
 * out, the peer port of the one to use (ip:*port itself when identified,
 * else the first identified one from ip).  Takes tcp_lock.  In proxy_send.c,
 * beside sf_tcp_send. */
bool sf_tcp_cert_peer(void *arg, const sf_ip_t *ip, uint16_t *port);

/* Creates the TCP epoll set and connection table (after bind).  0/-1. */
int sf_tcp_setup(sf_server_t *s);

/*
 * Starts a connection to the next hop of trunk (an index in gen's
 * config; TCP, or TLS checked per its next_hop_tls) without waiting: a
 * non-blocking connect, the slot added to the connection table with
 * buf/len (the message for the hop) queued, for the TCP thread to finish
 * (sf_hop_progress).  A hop that failed is not tried again for 1 s.
 * Returns 0 (queued), or -1 (counted in st->hop; nothing queued).  The
 * caller holds hop_lock, not tcp_lock.
 */
int sf_hop_connect(sf_server_t *s, const sf_gen_t *gen, sf_wstats_t *st,
		   unsigned trunk, const char *buf, size_t len);

/* The TCP thread, on an event of a connecting slot c: advances the
 * connect, then the TLS handshake (the hop's certificate checked); when
 * up, writes the queued messages.  1 when the connection is up (and may
 * be read), 0 while it waits, -1 when it failed (counted; the caller
 * closes it, which counts its queued messages next_hop_down). */
int sf_hop_progress(sf_server_t *s, sf_wstats_t *st, sf_tcp_conn_t *c);

/* The TCP thread's sweep: is c a connection to a next hop still not up
 * after its deadline (connect and handshake together: 3 s)?  true:
 * counted as failed, the caller closes it. */
bool sf_hop_expired(sf_server_t *s, sf_wstats_t *st, const sf_tcp_conn_t *c,
		    uint64_t now_ms);

/* Thread bodies. */
void *sf_udp_thread(void *arg);
void *sf_tcp_thread(void *arg);

/* Log sink for proxy_core (stderr with <N> prefixes, or syslog). */
void sf_server_log(void *arg, int level, const char *line);

#endif
