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
 *  - Requests: strict scan, top Via checked, loop check (our own Via
 *    already in the list -> 482), Max-Forwards (0 -> 483; decremented,
 *    added as 70 when absent, RFC 3261 §16.6), the ACK of our own
 *    rejection absorbed, OPTIONS to the proxy answered 200.  Initial
 *    INVITEs (no To-tag) are judged by the engine: reject -> stateless
 *    response with a Reason header; allow/tag/withhold -> forwarded with
 *    edits.  Forwarding adds our Via with a branch derived from the
 *    incoming one (§16.11), received/rport on the previous top Via
 *    (§18.2.1, RFC 3581; rport is always filled for TCP so that the reply
 *    finds the connection), and routes: a Route header (ours popped) wins,
 *    then the source trunk's next hop; from an internal trunk, the
 *    Request-URI.
 *  - Responses: our Via must be on top; it is removed and the response
 *    goes to the next Via (received/rport honoured).
 *  - Bad input: counted; dropped unless a response can be routed to a
 *    known trunk (400); never a reply larger than the request to an
 *    unknown UDP source.
 * Forwarded bytes are the received bytes with byte-range edits
 * (proxy_edit.h): untouched headers pass byte for byte.
 */
#ifndef PROXY_CORE_H
#define PROXY_CORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../config/sf_config.h"
#include "../tables/sf_tables.h"
#include "proxy_edit.h"
#include "proxy_stats.h"
#include "sf_engine.h"
#include "sf_identity.h"
#include "sf_sip.h"

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
	int listener;                 /* UDP listener we send from / name */
} sf_phop_t;

/* Log sink: called for each non-allow verdict line (no newline).  The
 * I/O layer provides it; NULL = no logging. */
typedef void (*sf_plog_fn)(void *arg, int level, const char *line);

/* Server-wide, read-only after sf_proxy_init. */
typedef struct sf_proxy {
	const sf_cfg_t *cfg;
	sf_plisten_t listeners[SF_CFG_MAX_LISTENERS];
	unsigned n_listeners;
	int udp4, udp6;               /* first UDP listener per family, -1 */
	sf_phop_t hops[SF_CFG_MAX_TRUNKS];
	int default_trunk;            /* next hop for unknown sources, -1 */
	sf_sip_limits_t lim_udp, lim_tcp;
	sf_plog_fn log;
	void *log_arg;
} sf_proxy_t;

/* Per-thread scratch: large, reused for every message. */
typedef struct sf_pctx {
	const sf_proxy_t *p;
	sf_wstats_t *st;
	sf_sipmsg_t msg;
	sf_call_t call;
	sf_verdict_t v;
	sf_edit_t edit;
} sf_pctx_t;

typedef struct sf_pin {
	const char *buf;
	size_t len;
	sf_transport_t tp;
	const struct sockaddr *src;
	unsigned listener;            /* index of the receiving listener */
} sf_pin_t;

typedef struct sf_pout {
	char *buf;                    /* caller's buffer */
	size_t cap;
	size_t len;
	sf_transport_t tp;            /* how to send */
	struct sockaddr_storage dst;
	socklen_t dstlen;
	int listener;                 /* UDP: listener socket to send from */
	bool reply;                   /* a response we generated */
} sf_pout_t;

/*
 * Resolves listeners and next hops of cfg into *p (literal IPs only: the
 * proxy never does DNS on its hot path).  Returns 0, or SF_EINVAL with err
 * saying which listener/next hop is unusable (e.g. a TCP next hop, not
 * supported yet).
 */
int sf_proxy_init(sf_proxy_t *p, const sf_cfg_t *cfg, sf_err_t *err);

/*
 * Handles one message.  tables is the snapshot the caller entered (NULL =
 * degraded: no tables).  Returns 1 when *out holds a message to send, 0
 * when nothing is to be sent (absorbed, dropped; counted in c->st).
 * Never fails otherwise; O(message length).
 */
int sf_proxy_handle(sf_pctx_t *c, const sf_tables_t *tables,
		    const sf_pin_t *in, sf_pout_t *out);

/* Formats the log line for a verdict (shared with tests). */
void sf_proxy_log_line(const sf_cfg_t *cfg, const sf_verdict_t *v,
		       const sf_call_t *call, char *buf, size_t size);

#endif
