/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_core.h - what the stateless proxy does with one SIP message.
 *
 * sf_proxy_handle() is the whole SIP behaviour of `serve`, free of
 * sockets: bytes and a source address in, at most one message and a
 * destination out.  The I/O layers (UDP workers, the TCP thread) call it
 * with per-thread scratch (sf_pctx_t) and the table snapshot they entered,
 * then send what it produced.  Keeping it apart from I/O lets the unit
 * tests drive every branch with real messages and real tables.
 *
 *  - Requests: admission (engine/sf_admit.h, shared with replay and
 *    judge) decides; this file carries the decision out.  Answers are
 *    stateless responses (RFC 3261 §8.2.6) sent per the top Via, with a
 *    keyed To-tag so the ACK is recognised.  Forwarding (§16.6) edits the
 *    message in place: foreign Routes removed (out of dialog) or our own
 *    popped (in dialog, §16.4), received/rport set from the real source
 *    (§18.2.1, RFC 3581), our Via on top with a keyed branch (§16.11,
 *    loop hash §16.3), Record-Route with a token on dialog-forming
 *    requests (§16.6 item 4; twice when the request changes interface or
 *    transport), Max-Forwards decremented, the verdict's edits.  Out of
 *    dialog the destination is the trunk's next hop; in dialog the target
 *    admission checked against the config.
 *  - Responses: only from addresses the config names, only when our Via
 *    is on top and its branch verifies; it is removed and the response
 *    goes to the next Via (received/rport honoured, §18.2.2).
 *  - Bad input: counted; dropped unless a response can be routed to a
 *    known trunk (400); never a reply larger than the request to an
 *    unknown UDP source.
 * Forwarded bytes are the received bytes with byte-range edits
 * (base/sf_edit.h): untouched headers pass byte for byte.
 */
#ifndef PROXY_CORE_H
#define PROXY_CORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config/sf_config.h"
#include "tables/sf_tables.h"
#include "sipfilter/engine/sf_admit.h"
#include "base/sf_edit.h"
#include "proxy_stats.h"
#include "sipfilter/engine/sf_engine.h"
#include "sipfilter/engine/sf_identity.h"
#include "sipfilter/engine/sf_mark.h"
#include "sipfilter/engine/sf_sip.h"

typedef struct sf_plisten {
	sf_transport_t tp;
	int family;                   /* AF_INET / AF_INET6 */
	struct sockaddr_storage sa;
	socklen_t salen;
	sf_ip_t ip;
	uint16_t port;
	char sentby[64];              /* "127.0.0.1:5060", "[::1]:5060" */
	size_t sentby_len;
} sf_plisten_t;

typedef struct sf_phop {
	bool ok;
	struct sockaddr_storage sa;
	socklen_t salen;
	sf_transport_t tp;            /* UDP, or a persistent TCP/TLS
				       * connection (proxy_hop.c) */
	int listener;                 /* UDP: the listener we send from;
				       * TCP/TLS: the one our Via and
				       * Record-Route name */
} sf_phop_t;

/* Log sink: called for each non-allow verdict line (no newline).  The
 * I/O layer provides it; NULL = no logging. */
typedef void (*sf_plog_fn)(void *arg, int level, const char *line);

/* Server-wide, read-only after sf_proxy_init. */
typedef struct sf_proxy {
	const sf_cfg_t *cfg;
	sf_edge_t edge;               /* admission: who we are, the key */
	sf_plisten_t listeners[SF_CFG_MAX_LISTENERS];
	unsigned n_listeners;
	int udp4, udp6;               /* first UDP listener per family, -1 */
	int tcp4, tcp6;               /* first TCP listener per family, -1 */
	int tls4, tls6;               /* first TLS listener per family, -1 */
	sf_phop_t hops[SF_CFG_MAX_TRUNKS];
	/* "INVITE, ACK, CANCEL, OPTIONS" per trunk, for 405's Allow */
	char allow[SF_CFG_MAX_TRUNKS][256];
	sf_sip_limits_t lim_udp, lim_tcp;
	/* The counter slots (proxy_stats.h) of each rule and trunk: rule i
	 * -> i and trunk t -> t + 1 after sf_proxy_init; serve keeps them
	 * stable across reloads (sf_gen_assign_slots), so a count stays
	 * with its rule's name and action when rules move. */
	uint8_t rule_slot[SF_ST_MAX_RULES];
	uint8_t trunk_slot[SF_CFG_MAX_TRUNKS];
	sf_plog_fn log;
	void *log_arg;
} sf_proxy_t;

/* Per-thread scratch: large, reused for every message. */
typedef struct sf_pctx {
	const sf_proxy_t *p;
	sf_wstats_t *st;
	sf_sipmsg_t msg;
	sf_call_t call;
	sf_admission_t adm;           /* the last request's admission */
	sf_edit_t edit;
} sf_pctx_t;

typedef struct sf_pin {
	const char *buf;
	size_t len;
	sf_transport_t tp;
	const struct sockaddr *src;
	unsigned listener;            /* index of the receiving listener */
	/* SF_TP_TLS only: the connection's trunk (proxy_tls.c: by client
	 * certificate, or by source; -1 none) and how it was found.  Other
	 * transports match the trunk by source here. */
	int trunk;
	sf_trunk_how_t how;
} sf_pin_t;

typedef struct sf_pout {
	char *buf;                    /* caller's buffer */
	size_t cap;
	size_t len;
	sf_transport_t tp;            /* how to send */
	struct sockaddr_storage dst;
	socklen_t dstlen;
	int listener;                 /* UDP: listener socket to send from */
	int hop;                      /* a trunk's next hop (its index):
				       * TCP/TLS connect to it if need be;
				       * -1 otherwise */
	bool reply;                   /* a response we generated */
} sf_pout_t;

/*
 * Resolves listeners and next hops of cfg into *p (literal IPs only: the
 * proxy never does DNS on its hot path).  key: the key of branches,
 * To-tags and Record-Route tokens; NULL = the config's serve.secret, or a
 * random one when the config has none.  Returns 0, or SF_EINVAL with err
 * saying which listener/next hop is unusable (not a literal IP, no
 * listener to name in our Via), or SF_EIO when no random key could be
 * made.
 */
int sf_proxy_init(sf_proxy_t *p, const sf_cfg_t *cfg, const sf_key_t *key,
		  sf_err_t *err);

/*
 * Handles one message.  tables is the snapshot the caller entered (NULL =
 * degraded: no tables).  Returns 1 when *out holds a message to send, 0
 * when nothing is to be sent (absorbed, dropped; counted in c->st).
 * Never fails otherwise; O(message length).
 */
int sf_proxy_handle(sf_pctx_t *c, const sf_tables_t *tables,
		    const sf_pin_t *in, sf_pout_t *out);

/* Formats the log line for a verdict (proxy_log.c; shared with tests). */
void sf_proxy_log_line(const sf_cfg_t *cfg, const sf_verdict_t *v,
		       const sf_call_t *call, char *buf, size_t size);

#endif
