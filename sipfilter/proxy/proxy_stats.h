/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_stats.h - the proxy's counters: one block per worker thread,
 * summed when read.
 *
 * Each worker increments only its own block, with relaxed atomic
 * load+store (a plain add on x86, no bus lock), so the per-call path has
 * no shared lock and no shared cache line (each block ends in a cache
 * line of padding); the control thread sums the blocks with relaxed
 * loads for `ctl stats` and /metrics.  Counters never carry numbers or
 * addresses, only small enums and config indices.
 */
#ifndef PROXY_STATS_H
#define PROXY_STATS_H

#include <stdint.h>

#include "config/sf_config.h"
#include "sipfilter/engine/sf_admit.h"
#include "sipfilter/engine/sf_sip.h"
#include "proxy_tls.h"

/* Rule slots: config rules 0..SF_ST_MAX_RULES-1, then these. */
#define SF_ST_MAX_RULES 64
enum {
	SF_ST_RULE_NONE = SF_ST_MAX_RULES, /* no rule matched: allow */
	SF_ST_RULE_EMERGENCY,
	SF_ST_RULE_UNVERIFIED,             /* no tables: degraded */
	SF_ST_RULE_UNKNOWN_SOURCE,         /* unknown_source: reject */
	SF_ST_RULE_SLOTS
};

/* Received messages by kind. */
typedef enum sf_st_rx {
	SF_RX_INVITE = 0, SF_RX_ACK, SF_RX_BYE, SF_RX_CANCEL, SF_RX_OPTIONS,
	SF_RX_OTHER, SF_RX_RESPONSE, SF_RX_KEEPALIVE, SF_RX_COUNT
} sf_st_rx_t;

/* Why something was dropped (or answered with an error). */
typedef enum sf_st_drop {
	SF_DROP_PARSE = 0,      /* refused by the scanner (see parse_err) */
	SF_DROP_BAD_VIA,        /* top Via unparseable */
	SF_DROP_NOT_OURS,       /* response whose top Via is not ours */
	SF_DROP_UNROUTABLE,     /* no next hop (name, not an IP; no trunk) */
	SF_DROP_LOOP,           /* our own Via already present */
	SF_DROP_MAX_FORWARDS,   /* answered 483 */
	SF_DROP_AMPLIFICATION,  /* a reply bigger than the request, unverified
				 * source: not sent */
	SF_DROP_TOO_BIG,        /* edited message over the buffer */
	SF_DROP_SEND,           /* sendmsg failed */
	SF_DROP_TCP_LIMIT,      /* connection refused: over the cap */
	SF_DROP_TCP_TIMEOUT,    /* idle or partial-message timeout */
	SF_DROP_TCP_FRAMING,    /* stream can never frame: closed */
	SF_DROP_TCP_NO_CONN,    /* reply for a TCP peer no longer connected */
	SF_DROP_UNSUPPORTED,    /* transport we cannot send on */
	SF_DROP_UNREACHABLE,    /* ICMP error for something we sent (next
				 * hop down: port/host unreachable) */
	SF_DROP_TCP_SOURCE_LIMIT, /* connection refused: its unknown source
				   * is over serve.tcp.max_per_source */
	SF_DROP_TCP_EVICTED,    /* unknown-source connection closed to make
				 * room for a trunk source */
	SF_DROP_CTL_CLIENT,     /* control client closed unanswered: too
				 * slow, too large, or crowded out */
	SF_DROP_HTTP_CLIENT,    /* metrics client, the same */
	SF_DROP_NEXT_HOP_DOWN,  /* a TCP/TLS next hop could not be reached
				 * (after one retry on a new connection) */
	SF_DROP_COUNT
} sf_st_drop_t;

/* Connections to TCP/TLS next hops (proxy_hop.c). */
typedef enum sf_st_hop {
	SF_HOP_CONNECTED = 0,    /* a connection opened (and verified) */
	SF_HOP_CONNECT_FAILED,   /* TCP connect refused or timed out */
	SF_HOP_TLS_FAILED,       /* handshake or certificate check failed */
	SF_HOP_RETRIED,          /* a message resent once on a new
				  * connection after the old one died */
	SF_HOP_RESUMED,          /* of CONNECTED, TLS: the session resumed */
	SF_HOP_COUNT
} sf_st_hop_t;

/* Responses we generated. */
typedef enum sf_st_sent {
	SF_SENT_REJECT = 0, SF_SENT_OPTIONS_200, SF_SENT_400, SF_SENT_403,
	SF_SENT_482, SF_SENT_483, SF_SENT_404, SF_SENT_405, SF_SENT_COUNT
} sf_st_sent_t;

/* Processing-time histogram bounds, microseconds (+Inf last). */
#define SF_ST_LAT_BUCKETS 12
extern const double sf_st_lat_bounds_us[SF_ST_LAT_BUCKETS];

typedef struct sf_wstats {
	uint64_t verdicts[SF_CFG_MAX_TRUNKS + 1][SF_ST_RULE_SLOTS][2];
	uint64_t rx[SF_RX_COUNT];
	uint64_t parse_err[SF_SIP_E_COUNT];
	uint64_t drop[SF_DROP_COUNT];
	uint64_t sent[SF_SENT_COUNT];
	uint64_t why[SF_WHY_COUNT];  /* admissions of requests, by reason */
	uint64_t fwd_requests;
	uint64_t fwd_responses;
	uint64_t acks_absorbed;
	uint64_t tcp_accepted, tcp_closed;
	uint64_t tls_hs[SF_TLS_HS_COUNT];     /* handshakes by result */
	uint64_t tls_peer[SF_TLS_PEER_COUNT]; /* client certificates */
	uint64_t hop[SF_HOP_COUNT];           /* next hop connections */
	uint64_t lat[SF_ST_LAT_BUCKETS + 1];
	uint64_t lat_sum_ns;
	uint64_t lat_count;
	/* Blocks sit side by side in one array: a cache line of distance
	 * keeps one worker's last counters (the latency ones, written per
	 * INVITE) off the line holding the next worker's first ones.
	 * Zero, summed like the rest. */
	uint64_t pad_[8];
} sf_wstats_t;

/* Single-writer increment; readable from other threads. */
#define SF_ST_ADD(field, n)                                                   \
	__atomic_store_n(&(field),                                            \
			 __atomic_load_n(&(field), __ATOMIC_RELAXED) + (n),   \
			 __ATOMIC_RELAXED)
#define SF_ST_INC(field) SF_ST_ADD(field, 1)
#define SF_ST_GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

/* Records one INVITE's processing time in ns. */
void sf_st_latency(sf_wstats_t *s, uint64_t ns);

/* Sums n blocks into *out (out is overwritten). */
void sf_st_sum(const sf_wstats_t *blocks, unsigned n, sf_wstats_t *out);

const char *sf_st_rx_name(sf_st_rx_t k);
const char *sf_st_drop_name(sf_st_drop_t k);
const char *sf_st_sent_name(sf_st_sent_t k);
const char *sf_st_hop_name(sf_st_hop_t k);

#endif
