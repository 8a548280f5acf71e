/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_send.h - sending what the proxy core produced (proxy_send.c).
 */
#ifndef SF_PROXY_SEND_H
#define SF_PROXY_SEND_H

#include <stdbool.h>

#include "proxy_server.h"

/* Sends out (from worker w, counting failures in st): UDP from the
 * worker's socket of out->listener, TCP/TLS over the peer's connection,
 * or to a TCP/TLS next hop (out->hop >= 0, gen: the generation out was
 * made with, which the caller holds) over our connection to it, opened
 * if need be (without waiting: the message is queued on it,
 * proxy_hop.c).  A message
 * whose next hop connection died is sent once more on a new one;
 * otherwise a failure is counted, never retried later. */
void sf_server_send_one(sf_server_t *s, const sf_gen_t *gen, unsigned w,
			sf_wstats_t *st, const sf_pout_t *out);

/* Writes buf to the TCP or TLS connection whose peer is dst
 * (non-blocking, TLS waits ~200 ms at most; a peer that does not read,
 * or has gone, has its connection shut).  tp SF_TP_TLS takes only a TLS
 * connection.  hop: NULL = any connection to dst; else only one we
 * opened to a next hop, and for TLS ("" for TCP) the one verified for the
 * trunk named hop under the rules hop_fp (sf_tls_hop_fp) says: one
 * verified under others (before a reload changed them) is shut instead,
 * for the TCP thread to close.  A connection to a next hop still being opened
 * queues buf instead (written when it is up).  Returns 0 (written or
 * queued), -1 when there is no such connection (nothing written), -2
 * when the write failed (the connection is marked dead), -3 when the
 * queue of a connection being opened is full (SF_HOP_PEND_MAX). */
int sf_tcp_send(sf_server_t *s, sf_transport_t tp,
		const struct sockaddr_storage *dst, const char *hop,
		uint64_t hop_fp, const char *buf, size_t len);

/* errno values a UDP socket returns for an earlier message's ICMP
 * error (IP_RECVERR). */
bool sf_send_icmp_errno(int e);

/* Empties fd's error queue (bounded), counting each ICMP error in st as
 * dropped/unreachable. */
void sf_send_drain_errors(int fd, sf_wstats_t *st);

#endif
