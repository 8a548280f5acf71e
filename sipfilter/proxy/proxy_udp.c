/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_udp.c - UDP worker threads: recvmmsg a batch, handle each message
 * on the snapshot entered for the batch, sendmmsg the results.
 *
 * Each thread owns one SO_REUSEPORT socket of one listener (the kernel
 * spreads datagrams across them by flow hash), its receive and send
 * buffers (allocated once at start), its scratch, counters and snapshot
 * slot.  Nothing on this path allocates or takes a lock, except a reply
 * that must leave over TCP (proxy_send.h).
 *
 * ICMP errors: the sockets have IP_RECVERR, so an unreachable next hop
 * shows up as a pending socket error (returned once by the next
 * send/receive call) plus an entry in the socket's error queue.  Both are
 * consumed here and counted as dropped/unreachable; a send that failed
 * only because of an earlier message's pending error is retried, so one
 * dead next hop never costs another trunk a message.  Nothing is queued:
 * UDP has no backlog to grow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proxy_send.h"
#include "proxy_server.h"

typedef struct udp_bufs {
	struct mmsghdr in[SF_UDP_BATCH];
	struct iovec iov_in[SF_UDP_BATCH];
	struct sockaddr_storage src[SF_UDP_BATCH];
	struct mmsghdr outm[SF_UDP_BATCH];
	struct iovec iov_out[SF_UDP_BATCH];
	sf_pout_t out[SF_UDP_BATCH];
	char *rx;   /* SF_UDP_BATCH * rx_size */
	char *tx;   /* SF_UDP_BATCH * tx_size */
} udp_bufs_t;

/* Sends out[0..n) grouped by socket with sendmmsg. */
static void flush(sf_server_t *s, const sf_gen_t *gen, sf_thread_t *t,
		  udp_bufs_t *b, unsigned n, sf_wstats_t *st)
{
	unsigned i = 0;

	while (i < n) {
		int l = b->out[i].listener;
		unsigned k = 0, j;

		if (sf_tp_stream(b->out[i].tp) || l < 0) {
			sf_server_send_one(s, gen, t->idx, st, &b->out[i]);
			i++;
			continue;
		}
		for (j = i; j < n && b->out[j].tp == SF_TP_UDP &&
			    b->out[j].listener == l; j++, k++) {
			struct msghdr *h = &b->outm[k].msg_hdr;

			b->iov_out[k].iov_base = b->out[j].buf;
			b->iov_out[k].iov_len = b->out[j].len;
			memset(h, 0, sizeof(*h));
			h->msg_name = &b->out[j].dst;
			h->msg_namelen = b->out[j].dstlen;
			h->msg_iov = &b->iov_out[k];
			h->msg_iovlen = 1;
		}
		{
			int fd = s->udp_fd[l][t->idx % s->workers];
			unsigned sent = 0, retries = 0;

			while (sent < k) {
				int r = sendmmsg(fd, b->outm + sent, k - sent,
						 MSG_DONTWAIT);

				if (r <= 0) {
					if (r < 0 && retries++ < 8 &&
					    (errno == EINTR ||
					     sf_send_icmp_errno(errno))) {
						sf_send_drain_errors(fd, st);
						continue;
					}
					/* count the rest as failed */
					SF_ST_ADD(st->drop[SF_DROP_SEND],
						  k - sent);
					break;
				}
				sent += (unsigned)r;
			}
		}
		i = j;
	}
}

void *sf_udp_thread(void *arg)
{
	sf_thread_t *t = arg;
	sf_server_t *s = t->srv;
	sf_wstats_t *st = &s->stats[t->idx];
	size_t rx_size = s->proxy.lim_udp.max_message + 1;
	size_t tx_size = s->proxy.lim_udp.max_message + SF_EDIT_SCRATCH + 512;
	udp_bufs_t *b = calloc(1, sizeof(*b));
	sf_pin_t in;

	if (!b)
		return NULL;
	b->rx = malloc(SF_UDP_BATCH * rx_size);
	b->tx = malloc(SF_UDP_BATCH * tx_size);
	if (!b->rx || !b->tx)
		goto out;
	for (unsigned i = 0; i < SF_UDP_BATCH; i++) {
		b->iov_in[i].iov_base = b->rx + i * rx_size;
		b->iov_in[i].iov_len = rx_size;
		b->out[i].buf = b->tx + i * tx_size;
		b->out[i].cap = tx_size;
	}
	in.tp = SF_TP_UDP;
	in.listener = (unsigned)t->listener;
	for (unsigned i = 0; i < SF_UDP_BATCH; i++) {
		struct msghdr *h = &b->in[i].msg_hdr;

		h->msg_name = &b->src[i];
		h->msg_namelen = sizeof(b->src[i]);
		h->msg_iov = &b->iov_in[i];
		h->msg_iovlen = 1;
	}
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		unsigned nout = 0;
		const sf_gen_t *gen;
		int n;

		n = recvmmsg(t->fd, b->in, SF_UDP_BATCH, MSG_WAITFORONE, NULL);
		if (n < 0 && sf_send_icmp_errno(errno))
			sf_send_drain_errors(t->fd, st);
		if (n <= 0)
			continue; /* timeout (SO_RCVTIMEO) or EINTR: check stop */
		/* one generation (config, tables, proxy) for the batch */
		gen = sf_snap_enter(&s->snap, t->idx);
		t->ctx->p = &gen->proxy;
		for (int i = 0; i < n; i++) {
			sf_pout_t *o = &b->out[nout];
			/* The latency histogram is of INVITEs: the clock is
			 * read only around messages that start so. */
			bool inv = b->in[i].msg_len > 7 &&
				   !memcmp(b->iov_in[i].iov_base, "INVITE ", 7);
			uint64_t t0 = inv ? sf_now_ns() : 0;
			int r;

			in.buf = b->iov_in[i].iov_base;
			in.len = b->in[i].msg_len;
			in.src = (const struct sockaddr *)&b->src[i];
			/* what the kernel wrote, for the next recvmmsg */
			b->in[i].msg_hdr.msg_namelen = sizeof(b->src[i]);
			if (b->in[i].msg_hdr.msg_flags & MSG_TRUNC) {
				SF_ST_INC(st->parse_err[SF_SIP_E_TOO_BIG]);
				SF_ST_INC(st->drop[SF_DROP_PARSE]);
				continue;
			}
			r = sf_proxy_handle(t->ctx, gen->tables, &in, o);
			if (inv && t->ctx->msg.error == SF_SIP_OK &&
			    t->ctx->msg.is_request)
				sf_st_latency(st, sf_now_ns() - t0);
			if (r == 1)
				nout++;
		}
		/* sent inside the generation: a TCP/TLS next hop is
		 * connected with the TLS settings of the config that chose
		 * it */
		if (nout)
			flush(s, gen, t, b, nout, st);
		sf_snap_leave(&s->snap, t->idx);
	}
out:
	free(b->rx);
	free(b->tx);
	free(b);
	return NULL;
}
