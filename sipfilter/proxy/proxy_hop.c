/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_hop.c - connections we open to next hops over TCP and TLS: one
 * persistent connection per hop, reused for every message, opened on
 * the first message (and again after the hop closed it or died) by the
 * thread that has a message for it.  The connection then lives in the
 * TCP thread's table like an accepted one: the TCP thread reads the
 * responses and in-dialog requests the hop sends back on it, and the
 * idle timeout closes it when it has carried nothing for
 * serve.tcp.idle_timeout_ms.
 *
 * Nobody waits: the sender starts a non-blocking connect and queues its
 * message on the new slot (sf_hop_connect, under hop_lock, so one
 * connection per hop); the TCP thread finishes the connect and the TLS
 * handshake from epoll (sf_hop_progress) and then writes what was
 * queued; messages for the hop meanwhile queue behind it (up to
 * SF_HOP_PEND_MAX bytes, beyond that dropped, counted).  Other calls, to
 * other hops or answered by us, flow on: a black-holed hop costs its own
 * messages, never a thread.  Bounded: connect and handshake together
 * get HOP_CONNECT_MS; a failed hop is not tried again for HOP_RETRY_MS
 * (messages to it fail at once meanwhile, counted next_hop_down).  A
 * tls: hop must present a certificate that chains to next_hop_tls.ca
 * and carries its name (proxy_tls.c): a failed check is counted and the
 * message is never sent in the clear instead (RFC 5630).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy_server.h"

#define HOP_CONNECT_MS 3000 /* connect + TLS handshake */
#define HOP_RETRY_MS 1000

/* A socket connecting (or connected) to sa, or -1. */
static int tcp_connect(const struct sockaddr_storage *sa, socklen_t len)
{
	int fd = socket(sa->ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)sa, len) == 0 ||
	    errno == EINPROGRESS)
		return fd;
	close(fd);
	return -1;
}

/* Adds the connecting fd (and ssl) to the table for the TCP thread,
 * buf/len queued on it.  0, or -1 when the table is full. */
static int adopt(sf_server_t *s, const sf_gen_t *gen, unsigned trunk, int fd,
		 sf_ssl_t *ssl, const char *buf, size_t len)
{
	char *pend = malloc(len ? len : 1);

	const sf_phop_t *h = &gen->proxy.hops[trunk];
	struct epoll_event ev;
	sf_tcp_conn_t *c = NULL;
	sf_conn_info_t *ci;
	sf_ip_t ip;
	unsigned i;
	int tr;

	if (!pend ||
	    sf_ip_from_sockaddr((const struct sockaddr *)&h->sa, &ip, NULL)) {
		free(pend);
		return -1;
	}
	tr = sf_cfg_trunk_match(gen->cfg, &ip);
	pthread_mutex_lock(&s->tcp_lock);
	for (i = 0; i < s->n_conns_max; i++)
		if (s->conns[i].fd < 0 && !s->conn_info[i].in_use)
			break;
	if (i < s->n_conns_max && !s->conns[i].buf)
		s->conns[i].buf = malloc(s->proxy.lim_tcp.max_message);
	if (i == s->n_conns_max || !s->conns[i].buf) {
		pthread_mutex_unlock(&s->tcp_lock);
		free(pend);
		return -1;
	}
	c = &s->conns[i];
	ci = &s->conn_info[i];
	*ci = (sf_conn_info_t){.ip = ip, .in_use = true, .trunk = true,
			       .proven = true, .accepted_ms = sf_now_ms()};
	ci->last_ms = ci->accepted_ms;
	c->fd = fd;
	c->listener = (unsigned)h->listener;
	c->peer = h->sa;
	c->peerlen = h->salen;
	c->used = 0;
	c->ssl = ssl;
	c->tls = ssl != NULL;
	c->tls_more = c->want_write = c->dead = false;
	c->outbound = true;
	snprintf(c->hop_trunk, sizeof(c->hop_trunk), "%s",
		 ssl ? gen->cfg->trunks[trunk].name : "");
	c->trunk = tr;
	c->how = SF_HOW_SOURCE;
	c->tslot = tr >= 0 && tr < SF_CFG_MAX_TRUNKS
			   ? gen->proxy.trunk_slot[tr] : 0;
	c->tls_id = sf_tls_id(gen->tls);
	c->connecting = true;
	c->tcp_up = false;
	c->hop = trunk;
	c->hop_fp = sf_tls_hop_fp(gen->tls, trunk);
	c->connect_end_ms = ci->accepted_ms + HOP_CONNECT_MS;
	memcpy(pend, buf, len);
	c->pend = pend;
	c->pend_len = len;
	c->pend_n = 1;
	sf_conn_count(s, c, ci, 1);
	ev.events = EPOLLIN | EPOLLOUT; /* writable: the connect is done */
	ev.data.u64 = i;
	epoll_ctl(s->tcp_epfd, EPOLL_CTL_ADD, fd, &ev);
	pthread_mutex_unlock(&s->tcp_lock);
	return 0;
}

int sf_hop_connect(sf_server_t *s, const sf_gen_t *gen, sf_wstats_t *st,
		   unsigned trunk, const char *buf, size_t len)
{
	const sf_phop_t *h = &gen->proxy.hops[trunk];
	sf_ssl_t *ssl = NULL;
	int fd;

	if (trunk >= SF_CFG_MAX_TRUNKS || !h->ok || !s->conns ||
	    sf_now_ms() < __atomic_load_n(&s->hop_retry_ms[trunk],
					  __ATOMIC_RELAXED))
		return -1;
	fd = tcp_connect(&h->sa, h->salen);
	if (fd < 0) {
		SF_ST_INC(st->hop[SF_HOP_CONNECT_FAILED]);
		goto fail;
	}
	if (h->tp == SF_TP_TLS &&
	    !(ssl = sf_tls_hop_new(gen->tls, gen->cfg, trunk, fd))) {
		SF_ST_INC(st->hop[SF_HOP_TLS_FAILED]);
		goto fail;
	}
	if (adopt(s, gen, trunk, fd, ssl, buf, len)) {
		SF_ST_INC(st->drop[SF_DROP_TCP_LIMIT]);
		goto fail;
	}
	return 0;
fail:
	sf_tls_conn_free_quiet(ssl);
	if (fd >= 0)
		close(fd);
	__atomic_store_n(&s->hop_retry_ms[trunk], sf_now_ms() + HOP_RETRY_MS,
			 __ATOMIC_RELAXED);
	return -1;
}

/* A connection that did not come up: counted, the hop left alone for
 * HOP_RETRY_MS; the caller closes it (which counts what waited). */
static void hop_failed(sf_server_t *s, sf_wstats_t *st,
		       const sf_tcp_conn_t *c, sf_st_hop_t why)
{
	SF_ST_INC(st->hop[why]);
	if (c->hop < SF_CFG_MAX_TRUNKS)
		__atomic_store_n(&s->hop_retry_ms[c->hop],
				 sf_now_ms() + HOP_RETRY_MS, __ATOMIC_RELAXED);
}

/* Writes the queued messages of a connection now up; 0 or -1.  Under
 * tcp_lock. */
static int flush_pending(sf_tcp_conn_t *c)
{
	const char *p = c->pend;
	size_t left = c->pend_len;
	int rc = 0;

	if (c->ssl) {
		rc = sf_tls_write_all(c->ssl, c->fd, p, left);
	} else {
		while (left) {
			ssize_t w = send(c->fd, p, left,
					 MSG_DONTWAIT | MSG_NOSIGNAL);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = -1; /* SF_HOP_PEND_MAX fits a socket */
				break;
			}
			p += w;
			left -= (size_t)w;
		}
	}
	free(c->pend);
	c->pend = NULL;
	c->pend_len = 0;
	return rc;
}

/* Is the non-blocking connect of c done: 1 yes, 0 not yet, -1 failed. */
static int connect_done(const sf_tcp_conn_t *c)
{
	struct pollfd p = {c->fd, POLLOUT, 0};
	int e = 0;
	socklen_t el = sizeof(e);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) || e)
		return -1;
	if (poll(&p, 1, 0) != 1)
		return 0;
	return (p.revents & (POLLERR | POLLHUP)) ? -1 : 1;
}

/* sf_hop_progress under tcp_lock. */
static int progress_locked(sf_server_t *s, sf_wstats_t *st, sf_tcp_conn_t *c)
{
	struct epoll_event ev = {.data.u64 = (uint64_t)(c - s->conns)};
	bool resumed = false, ww = false;
	int r;

	if (!c->tcp_up) {
		r = connect_done(c);
		if (r < 0)
			hop_failed(s, st, c, SF_HOP_CONNECT_FAILED);
		if (r <= 0)
			return r;
		c->tcp_up = true;
	}
	if (c->ssl) {
		r = sf_tls_handshake(c->ssl, &resumed, &ww);
		if (r < 0)
			hop_failed(s, st, c, SF_HOP_TLS_FAILED);
		if (r < 0)
			return -1;
		ev.events = EPOLLIN | (ww ? EPOLLOUT : 0);
		if (r == 0) {
			epoll_ctl(s->tcp_epfd, EPOLL_CTL_MOD, c->fd, &ev);
			return 0;
		}
		if (resumed)
			SF_ST_INC(st->hop[SF_HOP_RESUMED]);
	}
	if (flush_pending(c))
		return -1; /* the close counts pend_n */
	c->pend_n = 0;
	c->connecting = false;
	ev.events = EPOLLIN;
	epoll_ctl(s->tcp_epfd, EPOLL_CTL_MOD, c->fd, &ev);
	SF_ST_INC(st->hop[SF_HOP_CONNECTED]);
	if (c->hop < SF_CFG_MAX_TRUNKS)
		__atomic_store_n(&s->hop_retry_ms[c->hop], 0,
				 __ATOMIC_RELAXED);
	return 1;
}

int sf_hop_progress(sf_server_t *s, sf_wstats_t *st, sf_tcp_conn_t *c)
{
	int r;

	pthread_mutex_lock(&s->tcp_lock);
	r = progress_locked(s, st, c);
	pthread_mutex_unlock(&s->tcp_lock);
	return r;
}

bool sf_hop_expired(sf_server_t *s, sf_wstats_t *st, const sf_tcp_conn_t *c,
		    uint64_t now_ms)
{
	if (!c->connecting || now_ms < c->connect_end_ms)
		return false;
	hop_failed(s, st, c,
		   c->tcp_up && c->ssl ? SF_HOP_TLS_FAILED
				       : SF_HOP_CONNECT_FAILED);
	return true;
}
