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
 * Replies that UDP threads must send over TCP find the connection by peer
 * address under tcp_lock (the connection table's only lock).
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

static void count_conns(sf_server_t *s, const sf_conn_info_t *ci, int d)
{
	__atomic_store_n(&s->n_conns, s->n_conns + (unsigned)d,
			 __ATOMIC_RELAXED);
	if (!ci->trunk)
		__atomic_store_n(&s->n_conns_unknown,
				 s->n_conns_unknown + (unsigned)d,
				 __ATOMIC_RELAXED);
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
	if (abort)
		abort_fd(c->fd);
	else
		close(c->fd);
	c->fd = -1;
	c->used = 0;
	count_conns(s, ci, -1);
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
static int admit_locked(sf_server_t *s, const sf_cfg_t *cfg, sf_wstats_t *st,
			const struct sockaddr_storage *peer)
{
	sf_ip_t ip;
	bool trunk;
	sf_admit_t a;

	if (sf_ip_from_sockaddr((const struct sockaddr *)peer, &ip, NULL))
		memset(&ip, 0, sizeof(ip)); /* not IP: matches no trunk */
	trunk = sf_cfg_trunk_match(cfg, &ip) >= 0;
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
		.accepted_ms = sf_now_ms(),
	};
	s->conn_info[a.slot].last_ms = s->conn_info[a.slot].accepted_ms;
	return (int)a.slot;
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

		if (fd < 0)
			return;
		/* the trunks of the current generation say who is known */
		gen = sf_snap_enter(&s->snap, t->idx);
		pthread_mutex_lock(&s->tcp_lock);
		slot = admit_locked(s, gen->cfg, st, &peer);
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
		count_conns(s, &s->conn_info[slot], 1);
		ev.events = EPOLLIN;
		ev.data.u64 = (uint64_t)slot;
		epoll_ctl(s->tcp_epfd, EPOLL_CTL_ADD, fd, &ev);
		pthread_mutex_unlock(&s->tcp_lock);
		SF_ST_INC(st->tcp_accepted);
	}
}

/* Reads what is there and handles every complete message. */
static void do_read(sf_server_t *s, sf_thread_t *t, sf_wstats_t *st,
		    sf_tcp_conn_t *c, sf_pout_t *out)
{
	size_t cap = s->proxy.lim_tcp.max_message;
	size_t budget = 1u << 20; /* fairness: level-triggered epoll */
	sf_conn_info_t *ci = &s->conn_info[c - s->conns];

	for (;;) {
		ssize_t r;

		if (!budget)
			return;

		if (c->used >= cap) {
			SF_ST_INC(st->drop[SF_DROP_TCP_FRAMING]);
			conn_close(s, st, c, false);
			return;
		}
		r = recv(c->fd, c->buf + c->used, cap - c->used, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_close(s, st, c, false);
			return;
		}
		if (r < 0)
			break;
		budget = (size_t)r < budget ? budget - (size_t)r : 0;
		c->used += (size_t)r;
		ci->last_ms = sf_now_ms();
		if (!ci->partial_ms)
			ci->partial_ms = ci->last_ms;
		for (;;) {
			long fl = sf_sip_frame(c->buf, c->used, (uint32_t)cap);
			sf_pin_t in;
			const sf_gen_t *gen;

			if (fl < 0) {
				SF_ST_INC(st->drop[SF_DROP_TCP_FRAMING]);
				conn_close(s, st, c, false);
				return;
			}
			if (fl == 0)
				break;
			in.buf = c->buf;
			in.len = (size_t)fl;
			in.tp = SF_TP_TCP;
			in.src = (const struct sockaddr *)&c->peer;
			in.listener = c->listener;
			gen = sf_snap_enter(&s->snap, t->idx);
			t->ctx->p = &gen->proxy;
			if (sf_proxy_handle(t->ctx, gen->tables, &in, out) == 1)
				sf_server_send_one(s, t->idx, st, out);
			sf_snap_leave(&s->snap, t->idx);
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
		if (s->conns[i].fd < 0 ||
		    sf_admit_expired(&s->conn_info[i], &s->admit, now) ==
			    SF_EXPIRE_NONE)
			continue;
		SF_ST_INC(st->drop[SF_DROP_TCP_TIMEOUT]);
		conn_close(s, st, &s->conns[i], false);
	}
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

		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			uint64_t d = evs[i].data.u64;

			if (d < s->n_conns_max && s->conns[d].fd >= 0)
				do_read(s, t, st, &s->conns[d], out);
		}
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
		int n = epoll_wait(s->tcp_epfd, evs, 64, 100);
		uint64_t now;

		for (int i = 0; i < n; i++) {
			uint64_t d = evs[i].data.u64;

			if (d >= EV_LISTEN_BASE)
				do_accept(s, t, st,
					  (unsigned)(d - EV_LISTEN_BASE));
			else if (d < s->n_conns_max && s->conns[d].fd >= 0)
				do_read(s, t, st, &s->conns[d], &out);
		}
		now = sf_now_ms();
		if (now - last_sweep >= 100) {
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
	s->admit.max_per_source = s->cfg->serve.tcp_max_per_source;
	s->admit.idle_ms = s->cfg->serve.tcp_idle_timeout_ms;
	s->admit.partial_ms = s->cfg->serve.tcp_partial_timeout_ms;
	s->admit.unknown_idle_ms = s->cfg->serve.tcp_unknown_idle_timeout_ms;
	for (unsigned i = 0; i < s->n_conns_max; i++) {
		s->conns[i].fd = -1;
		s->conns[i].buf = NULL;
	}
	return 0;
}
