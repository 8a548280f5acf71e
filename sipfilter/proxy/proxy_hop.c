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
 * Bounded: connect waits at most 1 s and the TLS handshake 2 s, so a
 * black-holed hop costs a sender 3 s once, and then (hop_retry_ms)
 * nothing for a second: messages to it fail at once, counted.  A tls:
 * hop must present a certificate that chains to next_hop_tls.ca and
 * carries its name (proxy_tls.c): a failed check is counted and the
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

#define HOP_CONNECT_MS 1000
#define HOP_HANDSHAKE_MS 2000
#define HOP_RETRY_MS 1000

/* A connected socket to sa within HOP_CONNECT_MS, or -1. */
static int tcp_connect(const struct sockaddr_storage *sa, socklen_t len)
{
	int fd = socket(sa->ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, e = 0;
	socklen_t el = sizeof(e);
	struct pollfd p;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)sa, len) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	p = (struct pollfd){fd, POLLOUT, 0};
	if (poll(&p, 1, HOP_CONNECT_MS) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) || e)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* The client handshake on fd within HOP_HANDSHAKE_MS: 0, or -1. */
static int tls_connect(sf_ssl_t *ssl, int fd)
{
	uint64_t end = sf_now_ms() + HOP_HANDSHAKE_MS;

	for (;;) {
		bool resumed, ww;
		int r = sf_tls_handshake(ssl, &resumed, &ww);
		uint64_t now = sf_now_ms();
		struct pollfd p = {fd, ww ? POLLOUT : POLLIN, 0};

		if (r)
			return r > 0 ? 0 : -1;
		if (now >= end || poll(&p, 1, (int)(end - now)) != 1)
			return -1;
	}
}

/* Adds the connected fd (and ssl) to the table for the TCP thread.
 * 0, or -1 when the table is full. */
static int adopt(sf_server_t *s, const sf_gen_t *gen, unsigned trunk, int fd,
		 sf_ssl_t *ssl)
{
	const sf_phop_t *h = &gen->proxy.hops[trunk];
	struct epoll_event ev;
	sf_tcp_conn_t *c = NULL;
	sf_conn_info_t *ci;
	sf_ip_t ip;
	unsigned i;
	int tr;

	if (sf_ip_from_sockaddr((const struct sockaddr *)&h->sa, &ip, NULL))
		return -1;
	tr = sf_cfg_trunk_match(gen->cfg, &ip);
	pthread_mutex_lock(&s->tcp_lock);
	for (i = 0; i < s->n_conns_max; i++)
		if (s->conns[i].fd < 0 && !s->conn_info[i].in_use)
			break;
	if (i < s->n_conns_max && !s->conns[i].buf)
		s->conns[i].buf = malloc(s->proxy.lim_tcp.max_message);
	if (i == s->n_conns_max || !s->conns[i].buf) {
		pthread_mutex_unlock(&s->tcp_lock);
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
	sf_conn_count(s, c, ci, 1);
	ev.events = EPOLLIN;
	ev.data.u64 = i;
	epoll_ctl(s->tcp_epfd, EPOLL_CTL_ADD, fd, &ev);
	pthread_mutex_unlock(&s->tcp_lock);
	return 0;
}

int sf_hop_connect(sf_server_t *s, const sf_gen_t *gen, sf_wstats_t *st,
		   unsigned trunk)
{
	const sf_phop_t *h = &gen->proxy.hops[trunk];
	sf_ssl_t *ssl = NULL;
	int fd;

	if (trunk >= SF_CFG_MAX_TRUNKS || !h->ok || !s->conns ||
	    sf_now_ms() < s->hop_retry_ms[trunk])
		return -1;
	fd = tcp_connect(&h->sa, h->salen);
	if (fd < 0) {
		SF_ST_INC(st->hop[SF_HOP_CONNECT_FAILED]);
		goto fail;
	}
	if (h->tp == SF_TP_TLS &&
	    (!(ssl = sf_tls_hop_new(gen->tls, gen->cfg, trunk, fd)) ||
	     tls_connect(ssl, fd))) {
		SF_ST_INC(st->hop[SF_HOP_TLS_FAILED]);
		goto fail;
	}
	if (adopt(s, gen, trunk, fd, ssl)) {
		SF_ST_INC(st->drop[SF_DROP_TCP_LIMIT]);
		goto fail;
	}
	SF_ST_INC(st->hop[SF_HOP_CONNECTED]);
	s->hop_retry_ms[trunk] = 0;
	return 0;
fail:
	sf_tls_conn_free_quiet(ssl);
	if (fd >= 0)
		close(fd);
	s->hop_retry_ms[trunk] = sf_now_ms() + HOP_RETRY_MS;
	return -1;
}
