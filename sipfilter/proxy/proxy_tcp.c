/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_tcp.c - SIP over TCP: one epoll thread for every TCP listener and
 * connection, with the caps that keep slow or hostile peers from pinning
 * resources (RFC 3261 §18.3 framing by Content-Length only):
 *  - a connection limit (serve.tcp.max_connections) and a per-source
 *    limit for sources no trunk matches (serve.tcp.max_per_source); a
 *    trunk source over the limit takes the slot of the longest-quiet
 *    unknown-source connection; refused connections are accepted and
 *    closed at once; all counted (policy: proxy_admit.h);
 *  - a per-connection buffer of max_message bytes; a stream that cannot
 *    frame within it is closed;
 *  - an idle timeout, a partial-message deadline (slowloris) and, for
 *    unknown sources, a deadline for the first complete message.
 *  - tls: listeners (proxy_tls.h): a cap on handshakes per second
 *    (refused connections are counted), a handshake deadline from
 *    accept, then the trunk by client certificate; the same caps and
 *    timeouts as TCP apply to the decrypted stream.
 * Replies that UDP threads must send over TCP find the connection by peer
 * address under tcp_lock (the connection table's only lock; every use of
 * a connection's SSL object is made under it too, since the senders
 * write on it from their threads).
 * On shutdown (SIGTERM) the thread stops accepting, then handles every
 * complete message already received on its connections (bounded: 500 ms)
 * before it returns, so a message that reached us is forwarded or
 * answered, not lost with the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy_send.h"
#include "proxy_server.h"

#define EV_LISTEN_BASE 0x100000u

static void set_tls_more(sf_server_t *s, sf_tcp_conn_t *c, bool more)
{
	if (c->tls_more != more)
		s->n_tls_more += more ? 1u : (unsigned)-1;
	c->tls_more = more;
}

void sf_tcp_counts(sf_server_t *s, unsigned *all, unsigned *unknown)
{
	*all = __atomic_load_n(&s->n_conns, __ATOMIC_RELAXED);
	*unknown = __atomic_load_n(&s->n_conns_unknown, __ATOMIC_RELAXED);
}

/* A connection we refuse or cut off gets a reset rather than a FIN, so
 * that a flood of them leaves no TIME_WAIT behind on our side. */
static void abort_fd(int fd)
{
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){1, 0},
		   sizeof(struct linger));
	close(fd);
}

/* Closes slot i (with a reset if abort); the caller holds tcp_lock. */
static void conn_close_locked(sf_server_t *s, sf_wstats_t *st, unsigned i,
			      bool abort)
{
	sf_tcp_conn_t *c = &s->conns[i];
	sf_conn_info_t *ci = &s->conn_info[i];

	epoll_ctl(s->tcp_epfd, EPOLL_CTL_DEL, c->fd, NULL);
	if (!abort)
		sf_tls_conn_free(c->ssl); /* close_notify first */
	else
		sf_tls_conn_free_quiet(c->ssl);
	c->ssl = NULL;
	set_tls_more(s, c, false);
	if (abort)
		abort_fd(c->fd);
	else
		close(c->fd);
	c->fd = -1;
	c->used = 0;
	/* a connection to a next hop closed before it was up: what waited
	 * for it is lost, counted */
	SF_ST_ADD(st->drop[SF_DROP_NEXT_HOP_DOWN], c->pend_n);
	free(c->pend);
	c->pend = NULL;
	c->pend_len = c->pend_n = 0;
	c->connecting = c->tcp_up = false;
	sf_conn_count(s, c, ci, -1);
	memset(ci, 0, sizeof(*ci));
	SF_ST_INC(st->tcp_closed);
}

static void conn_close(sf_server_t *s, sf_wstats_t *st, sf_tcp_conn_t *c,
		       bool abort)
{
	pthread_mutex_lock(&s->tcp_lock);
	conn_close_locked(s, st, (unsigned)(c - s->conns), abort);
	pthread_mutex_unlock(&s->tcp_lock);
}


/* Finds a slot for a new connection from peer, closing an unknown-source
 * connection if a trunk source needs its slot, or refuses it (counted).
 * Returns the slot, filled in but for fd, or -1; holds tcp_lock. */
/* Is ip a trunk's address: a source trunk's, or in the sources of a
 * client_cert trunk (its certificate is yet to be seen)? */
static bool trunk_address(const sf_cfg_t *cfg, const sf_ip_t *ip)
{
	if (sf_cfg_trunk_match(cfg, ip) >= 0)
		return true;
	for (size_t i = 0; i < cfg->n_trunks; i++)
		if (cfg->trunks[i].cert.on && cfg->trunks[i].n_cidrs &&
		    sf_cfg_trunk_source_ok(&cfg->trunks[i], ip))
			return true;
	return false;
}

static int admit_locked(sf_server_t *s, const sf_gen_t *gen, sf_wstats_t *st,
			const struct sockaddr_storage *peer, bool tls)
{
	const sf_cfg_t *cfg = gen->cfg;
	sf_tcp_conn_t *c;
	sf_ip_t ip;
	bool trunk;
	sf_admit_t a;
	int t;

	if (sf_ip_from_sockaddr((const struct sockaddr *)peer, &ip, NULL))
		memset(&ip, 0, sizeof(ip)); /* not IP: matches no trunk */
	t = sf_cfg_trunk_match(cfg, &ip);
	trunk = t >= 0 || (tls && trunk_address(cfg, &ip));
	a = sf_admit_decide(s->conn_info, s->n_conns_max, &s->admit, &ip,
			    trunk);
	switch (a.verdict) {
	case SF_ADMIT_SOURCE_LIMIT:
		SF_ST_INC(st->drop[SF_DROP_TCP_SOURCE_LIMIT]);
		return -1;
	case SF_ADMIT_FULL:
		SF_ST_INC(st->drop[SF_DROP_TCP_LIMIT]);
		return -1;
	case SF_ADMIT_EVICT:
		SF_ST_INC(st->drop[SF_DROP_TCP_EVICTED]);
		conn_close_locked(s, st, a.slot, true);
		break;
	case SF_ADMIT_OK:
		break;
	}
	if (!s->conns[a.slot].buf)
		s->conns[a.slot].buf = malloc(s->proxy.lim_tcp.max_message);
	if (!s->conns[a.slot].buf) {
		SF_ST_INC(st->drop[SF_DROP_TCP_LIMIT]);
		return -1;
	}
	s->conn_info[a.slot] = (sf_conn_info_t){
		.ip = ip, .in_use = true, .trunk = trunk,
		.accepted_ms = sf_now_ms(), .handshaking = tls,
	};
	s->conn_info[a.slot].last_ms = s->conn_info[a.slot].accepted_ms;
	c = &s->conns[a.slot];
	c->tls = tls;
	c->tls_more = c->want_write = c->outbound = c->dead = false;
	c->hop_trunk[0] = '\0';
	c->ssl = NULL;
	/* over TLS the trunk is known after the handshake */
	c->trunk = tls ? -1 : t;
	c->how = SF_HOW_SOURCE;
	c->tslot = c->trunk >= 0 && c->trunk < SF_CFG_MAX_TRUNKS
			   ? gen->proxy.trunk_slot[c->trunk] : 0;
	c->tls_id = 0;
	return (int)a.slot;
}

/* The connection limits and timeouts of cfg (at start, and the TCP
 * thread's own copy of the current generation's after a reload). */
static void limits_from(sf_server_t *s, const sf_cfg_t *cfg)
{
	s->admit.max_per_source = cfg->serve.tcp_max_per_source;
	s->admit.idle_ms = cfg->serve.tcp_idle_timeout_ms;
	s->admit.partial_ms = cfg->serve.tcp_partial_timeout_ms;
	s->admit.unknown_idle_ms = cfg->serve.tcp_unknown_idle_timeout_ms;
	s->admit.handshake_ms = cfg->serve.tls.handshake_timeout_ms;
	s->hs_rate = cfg->serve.tls.handshakes_per_second;
}

/* handshakes_per_second: takes a token, or false when there is none. */
static bool hs_token(sf_server_t *s)
{
	unsigned rate = s->hs_rate;
	uint64_t now = sf_now_ns();

	if (!rate)
		return true;
	s->hs_tokens += (double)(now - s->hs_refill_ns) * 1e-9 * rate;
	s->hs_refill_ns = now;
	if (s->hs_tokens > rate)
		s->hs_tokens = rate; /* a burst of one second's worth */
	if (s->hs_tokens < 1.0)
		return false;
	s->hs_tokens -= 1.0;
	return true;
}

static void do_accept(sf_server_t *s, sf_thread_t *t, sf_wstats_t *st,
		      unsigned li)
{
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		int fd = accept4(s->tcp_listen_fd[li], (struct sockaddr *)&peer,
				 &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev;
		const sf_gen_t *gen;
		sf_tcp_conn_t *c;
		int slot;

		bool tls = s->proxy.listeners[li].tp == SF_TP_TLS;

		if (fd < 0)
			return;
		if (tls && !hs_token(s)) {
			SF_ST_INC(st->tls_hs[SF_TLS_HS_RATE_LIMITED]);
			abort_fd(fd);
			continue;
		}
		/* the trunks of the current generation say who is known */
		gen = sf_snap_enter(&s->snap, t->idx);
		pthread_mutex_lock(&s->tcp_lock);
		slot = admit_locked(s, gen, st, &peer, tls);
		if (slot >= 0 && tls &&
		    !(s->conns[slot].ssl = sf_tls_conn_new(gen->tls, fd))) {
			SF_ST_INC(st->tls_hs[SF_TLS_HS_FAILED]);
			memset(&s->conn_info[slot], 0, sizeof(sf_conn_info_t));
			slot = -1;
		}
		sf_snap_leave(&s->snap, t->idx);
		if (slot < 0) {
			pthread_mutex_unlock(&s->tcp_lock);
			abort_fd(fd);
			continue;
		}
		c = &s->conns[slot];
		c->fd = fd;
		c->listener = li;
		c->peer = peer;
		c->peerlen = pl;
		c->used = 0;
		sf_conn_count(s, c, &s->conn_info[slot], 1);
		ev.events = EPOLLIN;
		ev.data.u64 = (uint64_t)slot;
		epoll_ctl(s->tcp_epfd, EPOLL_CTL_ADD, fd, &ev);
		pthread_mutex_unlock(&s->tcp_lock);
		SF_ST_INC(st->tcp_accepted);
	}
}

/* Who the peer of an established TLS connection is, under the TLS
 * state and config of gen (after the handshake, and again when a reload
 * brought other trunks or CAs). */
static void identify(sf_server_t *s, sf_wstats_t *st, const sf_gen_t *gen,
		     sf_tcp_conn_t *c, bool count)
{
	sf_conn_info_t *ci = &s->conn_info[c - s->conns];
	sf_trunk_how_t how;
	sf_tls_peer_t peer;
	int tr;

	pthread_mutex_lock(&s->tcp_lock);
	tr = sf_tls_identify(gen->tls, gen->cfg, c->ssl, &ci->ip, &how, &peer);
	sf_conn_count(s, c, ci, -1);
	c->trunk = tr;
	c->how = how;
	c->tslot = tr >= 0 && tr < SF_CFG_MAX_TRUNKS
			   ? gen->proxy.trunk_slot[tr] : 0;
	c->tls_id = sf_tls_id(gen->tls);
	ci->trunk = tr >= 0;
	sf_conn_count(s, c, ci, 1);
	pthread_mutex_unlock(&s->tcp_lock);
	if (count)
		SF_ST_INC(st->tls_peer[peer]);
}

/* Advances a TLS handshake.  true when it is done (the connection is
 * identified and may have data waiting), false when it waits or was
 * closed. */
static bool do_handshake(sf_server_t *s, sf_thread_t *t, sf_wstats_t *st,
			 sf_tcp_conn_t *c)
{
	sf_conn_info_t *ci = &s->conn_info[c - s->conns];
	bool resumed = false, ww = false;
	const sf_gen_t *gen;
	int r;

	pthread_mutex_lock(&s->tcp_lock);
	r = sf_tls_handshake(c->ssl, &resumed, &ww);
	pthread_mutex_unlock(&s->tcp_lock);
	if (r < 0) {
		/* not TLS (plain SIP on a TLS port), a version or cipher we
		 * refuse, a reset */
		SF_ST_INC(st->tls_hs[SF_TLS_HS_FAILED]);
		conn_close(s, st, c, true);
		return false;
	}
	if (ww != c->want_write) {
		struct epoll_event ev = {
			.events = EPOLLIN | (ww ? EPOLLOUT : 0),
			.data.u64 = (uint64_t)(c - s->conns),
		};

		epoll_ctl(s->tcp_epfd, EPOLL_CTL_MOD, c->fd, &ev);
		c->want_write = ww;
	}
	if (r == 0)
		return false;
	SF_ST_INC(st->tls_hs[resumed ? SF_TLS_HS_RESUMED : SF_TLS_HS_FULL]);
	ci->handshaking = false;
	ci->last_ms = sf_now_ms();
	gen = sf_snap_enter(&s->snap, t->idx);
	identify(s, st, gen, c, true);
	sf_snap_leave(&s->snap, t->idx);
	return true;
}

/* Reads what the socket (or OpenSSL) has: >0 bytes, 0 = nothing now, -1
 * = the connection is over. */
static ssize_t conn_recv(sf_server_t *s, sf_tcp_conn_t *c, size_t room)
{
	ssize_t r;
	bool more;

	if (!c->ssl) {
		r = recv(c->fd, c->buf + c->used, room, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			return -1;
		return r < 0 ? 0 : r;
	}
	pthread_mutex_lock(&s->tcp_lock);
	r = sf_tls_read(c->ssl, c->buf + c->used, room, &more);
	set_tls_more(s, c, r > 0 && more);
	pthread_mutex_unlock(&s->tcp_lock);
	return r;
}

/* Handles one framed message of fl bytes at the head of c->buf. */
static void handle_one(sf_server_t *s, sf_thread_t *t, sf_wstats_t *st,
		       sf_tcp_conn_t *c, long fl, sf_pout_t *out)
{
	sf_pin_t in;
	const sf_gen_t *gen;

	in.buf = c->buf;
	in.len = (size_t)fl;
	in.tp = c->tls ? SF_TP_TLS : SF_TP_TCP;
	in.src = (const struct sockaddr *)&c->peer;
	in.listener = c->listener;
	gen = sf_snap_enter(&s->snap, t->idx);
	/* a reload since: who the peer is, again (not a next hop we
	 * connected to: its certificate is a server's, checked already) */
	if (c->tls && !c->outbound && c->tls_id != sf_tls_id(gen->tls))
		identify(s, st, gen, c, false);
	in.trunk = c->trunk;
	in.how = c->how;
	t->ctx->p = &gen->proxy;
	if (sf_proxy_handle(t->ctx, gen->tables, &in, out) == 1)
		sf_server_send_one(s, gen, t->idx, st, out);
	sf_snap_leave(&s->snap, t->idx);
}

/* Reads what is there and handles every complete message. */
static void do_read(sf_server_t *s, sf_thread_t *t, sf_wstats_t *st,
		    sf_tcp_conn_t *c, sf_pout_t *out)
{
	size_t cap = s->proxy.lim_tcp.max_message;
	size_t budget = 1u << 20; /* fairness: level-triggered epoll */
	sf_conn_info_t *ci = &s->conn_info[c - s->conns];

	if (c->ssl && ci->handshaking && !do_handshake(s, t, st, c))
		return;
	if (c->connecting) {
		int r = sf_hop_progress(s, st, c);

		if (r < 0)
			conn_close(s, st, c, true);
		if (r <= 0)
			return;
	}
	for (;;) {
		ssize_t r;

		if (!budget)
			return; /* tls_more (if set) brings us back */

		if (c->used >= cap) {
			SF_ST_INC(st->drop[SF_DROP_TCP_FRAMING]);
			conn_close(s, st, c, false);
			return;
		}
		r = conn_recv(s, c, cap - c->used);
		if (r < 0) {
			conn_close(s, st, c, false);
			return;
		}
		if (r == 0)
			break;
		budget = (size_t)r < budget ? budget - (size_t)r : 0;
		c->used += (size_t)r;
		ci->last_ms = sf_now_ms();
		if (!ci->partial_ms)
			ci->partial_ms = ci->last_ms;
		for (;;) {
			long fl = sf_sip_frame(c->buf, c->used, (uint32_t)cap);

			if (fl < 0) {
				SF_ST_INC(st->drop[SF_DROP_TCP_FRAMING]);
				conn_close(s, st, c, false);
				return;
			}
			if (fl == 0)
				break;
			handle_one(s, t, st, c, fl, out);
			memmove(c->buf, c->buf + fl, c->used - (size_t)fl);
			c->used -= (size_t)fl;
			ci->partial_ms = c->used ? ci->last_ms : 0;
			ci->proven = true;
		}
	}
}

static void sweep(sf_server_t *s, sf_wstats_t *st)
{
	uint64_t now = sf_now_ms();

	for (unsigned i = 0; i < s->n_conns_max; i++) {
		sf_expiry_t e;

		if (s->conns[i].fd < 0)
			continue;
		if (s->conns[i].connecting) {
			if (sf_hop_expired(s, st, &s->conns[i], now))
				conn_close(s, st, &s->conns[i], true);
			continue;
		}
		e = sf_admit_expired(&s->conn_info[i], &s->admit, now);
		if (e == SF_EXPIRE_NONE)
			continue;
		if (e == SF_EXPIRE_HANDSHAKE)
			SF_ST_INC(st->tls_hs[SF_TLS_HS_TIMEOUT]);
		SF_ST_INC(st->drop[SF_DROP_TCP_TIMEOUT]);
		conn_close(s, st, &s->conns[i], e == SF_EXPIRE_HANDSHAKE);
	}
}

/* TLS connections whose bytes OpenSSL has already taken from the socket
 * (a read cut short by the fairness budget): epoll will not report
 * them. */
static void read_tls_more(sf_server_t *s, sf_thread_t *t, sf_wstats_t *st,
			  sf_pout_t *out)
{
	for (unsigned i = 0; i < s->n_conns_max && s->n_tls_more; i++)
		if (s->conns[i].fd >= 0 && s->conns[i].tls_more)
			do_read(s, t, st, &s->conns[i], out);
}

/* Shutdown: no new connections; finish the messages already here. */
static void drain(sf_server_t *s, sf_thread_t *t, sf_wstats_t *st,
		  sf_pout_t *out)
{
	uint64_t end = sf_now_ms() + 500;

	for (unsigned li = 0; li < s->proxy.n_listeners; li++)
		if (s->tcp_listen_fd[li] >= 0)
			epoll_ctl(s->tcp_epfd, EPOLL_CTL_DEL,
				  s->tcp_listen_fd[li], NULL);
	while (sf_now_ms() < end) {
		struct epoll_event evs[64];
		int n = epoll_wait(s->tcp_epfd, evs, 64, 0);

		if (n <= 0 && !s->n_tls_more)
			return;
		for (int i = 0; i < n; i++) {
			uint64_t d = evs[i].data.u64;

			if (d < s->n_conns_max && s->conns[d].fd >= 0)
				do_read(s, t, st, &s->conns[d], out);
		}
		read_tls_more(s, t, st, out);
	}
}

void *sf_tcp_thread(void *arg)
{
	sf_thread_t *t = arg;
	sf_server_t *s = t->srv;
	sf_wstats_t *st = &s->stats[t->idx];
	sf_pout_t out;
	struct epoll_event evs[64];
	uint64_t last_sweep = 0;

	out.cap = s->proxy.lim_tcp.max_message + SF_EDIT_SCRATCH + 512;
	out.buf = malloc(out.cap);
	if (!out.buf)
		return NULL;
	while (!atomic_load(&s->stop)) {
		int n = epoll_wait(s->tcp_epfd, evs, 64,
				   s->n_tls_more ? 0 : 100);
		uint64_t now;

		for (int i = 0; i < n; i++) {
			uint64_t d = evs[i].data.u64;

			if (d >= EV_LISTEN_BASE)
				do_accept(s, t, st,
					  (unsigned)(d - EV_LISTEN_BASE));
			else if (d < s->n_conns_max && s->conns[d].fd >= 0)
				do_read(s, t, st, &s->conns[d], &out);
		}
		read_tls_more(s, t, st, &out);
		now = sf_now_ms();
		if (now - last_sweep >= 100) {
			/* a reload's limits apply within a sweep period */
			const sf_gen_t *gen = sf_snap_enter(&s->snap, t->idx);

			limits_from(s, gen->cfg);
			sf_snap_leave(&s->snap, t->idx);
			sweep(s, st);
			last_sweep = now;
		}
	}
	drain(s, t, st, &out);
	free(out.buf);
	return NULL;
}

int sf_tcp_setup(sf_server_t *s)
{
	s->tcp_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->tcp_epfd < 0)
		return -1;
	for (unsigned li = 0; li < s->proxy.n_listeners; li++) {
		struct epoll_event ev;

		if (s->tcp_listen_fd[li] < 0)
			continue;
		ev.events = EPOLLIN;
		ev.data.u64 = EV_LISTEN_BASE + li;
		if (epoll_ctl(s->tcp_epfd, EPOLL_CTL_ADD, s->tcp_listen_fd[li],
			      &ev))
			return -1;
	}
	s->n_conns_max = s->cfg->serve.tcp_max_connections
				 ? s->cfg->serve.tcp_max_connections : 1024;
	s->conns = calloc(s->n_conns_max, sizeof(*s->conns));
	s->conn_info = calloc(s->n_conns_max, sizeof(*s->conn_info));
	if (!s->conns || !s->conn_info)
		return -1;
	limits_from(s, s->cfg);
	s->hs_tokens = s->hs_rate;
	s->hs_refill_ns = sf_now_ns();
	for (unsigned i = 0; i < s->n_conns_max; i++) {
		s->conns[i].fd = -1;
		s->conns[i].buf = NULL;
	}
	return 0;
}
