/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_admit.h - who may hold a TCP connection to the proxy, and for how
 * long: the admission and expiry policy of proxy_tcp.c as pure functions
 * over a view of the connection table (no sockets, no clock, no locks),
 * so the decisions are unit-tested on their own
 * (tests/unit/test_proxy_admit.c).
 *
 * Why: the connection cap is global, so idle connections from one
 * unknown source could fill it and lock a trunk out of TCP.  The policy:
 *  - trunk sources never lose to unknown ones: when the table is full and
 *    a trunk source connects, the connection of an unknown source that
 *    has been quiet the longest is closed to make room (one with no
 *    partial message first);
 *  - an unknown source address holds at most max_per_source connections
 *    (an IPv6 source counts per /64: one host can own a whole /64);
 *  - an unknown-source connection must deliver its first complete
 *    message within unknown_idle_ms of connecting; after that, and for
 *    trunk sources, the ordinary idle and partial-message timeouts apply;
 *  - a TLS connection must finish its handshake within handshake_ms of
 *    connecting, whoever it comes from (a slow handshake cannot pin a
 *    slot; until it is done its peer is judged by address only).
 * Trunk sources are bounded by the table size only: they are configured
 * peers, and TCP's handshake means the address is not spoofed.
 */
#ifndef PROXY_ADMIT_H
#define PROXY_ADMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/sf_addr.h"

/* What the policy needs to know about one slot of the table. */
typedef struct sf_conn_info {
	sf_ip_t ip;           /* source address (the port plays no part) */
	bool in_use;
	bool trunk;           /* the source matches a configured trunk */
	bool proven;          /* has sent at least one complete message */
	bool handshaking;     /* TLS: the handshake is not done yet */
	uint64_t accepted_ms; /* when it was accepted */
	uint64_t last_ms;     /* last byte received (accept time at first) */
	uint64_t partial_ms;  /* first byte of the incomplete message; 0 =
			       * no partial message */
} sf_conn_info_t;

typedef struct sf_admit_limits {
	unsigned max_per_source;   /* unknown sources; 0 = no limit */
	uint64_t idle_ms;          /* 0 = none */
	uint64_t partial_ms;       /* 0 = none */
	uint64_t unknown_idle_ms;  /* 0 = none */
	uint64_t handshake_ms;     /* TLS handshake from accept; 0 = none */
} sf_admit_limits_t;

typedef enum sf_admit_verdict {
	SF_ADMIT_OK = 0,        /* take free slot `slot` */
	SF_ADMIT_EVICT,         /* close the connection in `slot`, take it */
	SF_ADMIT_FULL,          /* refuse: table full (counted tcp_limit) */
	SF_ADMIT_SOURCE_LIMIT,  /* refuse: unknown source over its share */
} sf_admit_verdict_t;

typedef struct sf_admit {
	sf_admit_verdict_t verdict;
	unsigned slot;
} sf_admit_t;

/*
 * Decides what to do with a new connection from ip (trunk: whether ip
 * matches a trunk) given the n slots of tab.  Reads tab only.  Victims
 * for SF_ADMIT_EVICT are unknown-source connections: the one with no
 * partial message and the oldest last byte, else the one with the oldest
 * last byte (ties: the lowest slot).
 */
sf_admit_t sf_admit_decide(const sf_conn_info_t *tab, unsigned n,
			   const sf_admit_limits_t *lim, const sf_ip_t *ip,
			   bool trunk);

typedef enum sf_expiry {
	SF_EXPIRE_NONE = 0,
	SF_EXPIRE_PARTIAL,       /* a message started and did not complete */
	SF_EXPIRE_IDLE,          /* nothing received for idle_ms */
	SF_EXPIRE_UNKNOWN_IDLE,  /* unknown source, no message in time */
	SF_EXPIRE_HANDSHAKE,     /* TLS handshake not done in time */
} sf_expiry_t;

/* Whether the connection c must be closed at now_ms, and why. */
sf_expiry_t sf_admit_expired(const sf_conn_info_t *c,
			     const sf_admit_limits_t *lim, uint64_t now_ms);

/* Whether a and b count as the same source for max_per_source: the same
 * IPv4 address, or the same IPv6 /64. */
bool sf_admit_same_source(const sf_ip_t *a, const sf_ip_t *b);

#endif
