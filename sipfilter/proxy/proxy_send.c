/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_send.c - the way out: one message to its destination, over UDP
 * from the worker's own socket of the listener it leaves by, or over TCP
 * or TLS through the connection the peer holds (found by address under
 * tcp_lock), or to a TCP/TLS next hop over the connection we keep to it
 * (opened, and reopened once for a message whose connection died, by
 * proxy_hop.c; messages wait in its queue while it is being opened).  ICMP errors that UDP reports on a later call are drained
 * and counted here, for the sending and the receiving side alike.  The
 * UDP and TCP threads both send through this file, so neither needs the
 * other.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proxy_send.h"

static bool same_peer(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a,
					 *y = (const void *)b;
		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a,
					  *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
	}
	return false;
}

/* Writes all of buf or fails; the socket is non-blocking, a peer that
 * does not read gets its connection closed rather than stalling us. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Has the peer of c gone (closed its side, reset)?  A write would still
 * succeed into the socket buffer and the message be lost. */
static bool peer_gone(const sf_tcp_conn_t *c)
{
	struct pollfd p = {c->fd, POLLRDHUP, 0};

	return poll(&p, 1, 0) == 1 &&
	       (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Queues buf on connection c, not yet up: 0, or -3 when its queue is
 * full.  Under tcp_lock. */
static int queue(sf_tcp_conn_t *c, const char *buf, size_t len)
{
	char *p;

	if (len > SF_HOP_PEND_MAX - c->pend_len ||
	    !(p = realloc(c->pend, c->pend_len + len)))
		return -3;
	memcpy(p + c->pend_len, buf, len);
	c->pend = p;
	c->pend_len += len;
	c->pend_n++;
	return 0;
}

int sf_tcp_send(sf_server_t *s, sf_transport_t tp,
		const struct sockaddr_storage *dst, const char *hop,
		uint64_t hop_fp, const char *buf, size_t len)
{
	int rc = -1;

	if (!s->conns)
		return -1;
	pthread_mutex_lock(&s->tcp_lock);
	for (unsigned i = 0; i < s->n_conns_max; i++) {
		sf_tcp_conn_t *c = &s->conns[i];

		if (c->fd < 0 || c->dead || !same_peer(&c->peer, dst) ||
		    (hop && (!c->outbound || strcmp(c->hop_trunk, hop))))
			continue;
		if (hop && c->ssl && c->hop_fp != hop_fp) {
			/* verified by rules a reload has changed: closed (by
			 * the TCP thread), a new one is checked by the new */
			c->dead = true;
			shutdown(c->fd, SHUT_RDWR);
			continue;
		}
		if (c->connecting) { /* queued until it is up */
			rc = queue(c, buf, len);
			break;
		}
		/* TLS is never downgraded to plain TCP (RFC 5630), and no
		 * SIP goes over a handshake not yet done */
		if ((tp == SF_TP_TLS && !c->ssl) ||
		    (c->ssl && s->conn_info[i].handshaking))
			continue;
		if (peer_gone(c) ||
		    (c->ssl ? sf_tls_write_all(c->ssl, c->fd, buf, len)
			    : write_all(c->fd, buf, len))) {
			/* the TCP thread closes it; nobody writes to it */
			c->dead = true;
			shutdown(c->fd, SHUT_RDWR);
			rc = -2;
		} else {
			rc = 0;
		}
		break;
	}
	pthread_mutex_unlock(&s->tcp_lock);
	return rc;
}

bool sf_tcp_cert_peer(void *arg, const sf_ip_t *ip, uint16_t *port)
{
	sf_server_t *s = arg;
	uint16_t want = *port ? *port : 5060;
	bool found = false;

	if (!s->conns)
		return false;
	pthread_mutex_lock(&s->tcp_lock);
	for (unsigned i = 0; i < s->n_conns_max; i++) {
		const sf_tcp_conn_t *c = &s->conns[i];
		sf_ip_t pip;
		uint16_t pport;

		if (c->fd < 0 || c->dead || !c->ssl || c->outbound ||
		    s->conn_info[i].handshaking || c->trunk < 0 ||
		    (c->how != SF_HOW_CERT && c->how != SF_HOW_CERT_SOURCE) ||
		    sf_ip_from_sockaddr((const struct sockaddr *)&c->peer,
					&pip, &pport) ||
		    memcmp(pip.a, ip->a, sizeof(pip.a)))
			continue;
		found = true;
		*port = pport;
		if (pport == want)
			break; /* else another of ip's, until ip:want turns up */
	}
	pthread_mutex_unlock(&s->tcp_lock);
	return found;
}

/*
 * To a next hop over TCP/TLS: the connection to it, or queued on it
 * while it is being opened, or a new one started with the message
 * queued (connects are serialised by hop_lock, so one connection per
 * hop; none of this waits for the network); when the connection turns
 * out dead, the message goes once more on a new one.  Fails cleanly,
 * counted (next_hop_down).
 */
static void hop_send(sf_server_t *s, const sf_gen_t *gen, sf_wstats_t *st,
		     const sf_pout_t *out)
{
	/* a TLS connection serves the trunk it was verified for */
	const char *hop = out->tp == SF_TP_TLS
				  ? gen->cfg->trunks[out->hop].name : "";
	uint64_t fp = sf_tls_hop_fp(gen->tls, (unsigned)out->hop);
	int r = sf_tcp_send(s, out->tp, &out->dst, hop, fp, out->buf,
			    out->len);

	if (r == 0)
		return;
	if (r == -2)
		SF_ST_INC(st->hop[SF_HOP_RETRIED]);
	if (r != -3) {
		pthread_mutex_lock(&s->hop_lock);
		/* another sender may have started one meanwhile */
		r = sf_tcp_send(s, out->tp, &out->dst, hop, fp, out->buf,
				out->len);
		if (r == -1 || r == -2)
			r = sf_hop_connect(s, gen, st, (unsigned)out->hop,
					   out->buf, out->len);
		pthread_mutex_unlock(&s->hop_lock);
	}
	if (r)
		SF_ST_INC(st->drop[SF_DROP_NEXT_HOP_DOWN]);
}

bool sf_send_icmp_errno(int e)
{
	return e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH ||
	       e == EHOSTDOWN || e == EPROTO || e == EMSGSIZE;
}

void sf_send_drain_errors(int fd, sf_wstats_t *st)
{
	for (unsigned i = 0; i < 256; i++) {
		char ctl[512], data[64];
		struct iovec iov = {data, sizeof(data)};
		struct msghdr h = {0};

		h.msg_iov = &iov;
		h.msg_iovlen = 1;
		h.msg_control = ctl;
		h.msg_controllen = sizeof(ctl);
		if (recvmsg(fd, &h, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
		SF_ST_INC(st->drop[SF_DROP_UNREACHABLE]);
	}
}

void sf_server_send_one(sf_server_t *s, const sf_gen_t *gen, unsigned w,
			sf_wstats_t *st, const sf_pout_t *out)
{
	int fd;

	if (sf_tp_stream(out->tp) && out->hop >= 0 && gen) {
		hop_send(s, gen, st, out);
		return;
	}
	if (sf_tp_stream(out->tp)) {
		if (sf_tcp_send(s, out->tp, &out->dst, NULL, 0, out->buf,
				out->len))
			SF_ST_INC(st->drop[SF_DROP_TCP_NO_CONN]);
		return;
	}
	if (out->listener < 0) {
		SF_ST_INC(st->drop[SF_DROP_UNSUPPORTED]);
		return;
	}
	fd = s->udp_fd[out->listener][w % s->workers];
	for (unsigned tries = 0; ; tries++) {
		if (sendto(fd, out->buf, out->len, MSG_DONTWAIT,
			   (const struct sockaddr *)&out->dst,
			   out->dstlen) >= 0)
			return;
		if (errno == EINTR && tries < 4)
			continue;
		if (!sf_send_icmp_errno(errno) || tries >= 4)
			break;
		/* An earlier message's ICMP error, reported now. */
		sf_send_drain_errors(fd, st);
	}
	SF_ST_INC(st->drop[SF_DROP_SEND]);
}

