/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_admit.h - admission: what the edge does with one SIP request, decided
 * once, for every driver.
 *
 * `serve` (per received message), `replay` (per captured INVITE) and
 * `judge` (per message file) all call sf_admit(), so what replay and judge
 * report is what the proxy does.  Admission is a pure function of the
 * edge (config, listeners, key), the table snapshot, the bytes and their
 * source: no I/O, no clock, no allocation.  The order, for a request:
 *
 *  1. strict scan (sf_sip.h); refused -> 400 with a Warning to a known
 *     trunk when Via/From/To/Call-ID/CSeq can still be read, else drop;
 *  2. the ingress trunk by source address (or the one the caller
 *     assumes); top Via must parse (else drop);
 *  3. a case variant of a known method ("invite", "Invite") -> 400: RFC
 *     3261 §7.1 methods are case-sensitive, but a core that compared them
 *     case-insensitively would set up a call no rule judged;
 *  4. loop (§16.3 item 4): one of our Vias carries the routing hash of
 *     this very request -> 482; the same Via with another hash is a
 *     spiral and goes on;
 *  5. the ACK of our own final response (To-tag is ours) is absorbed;
 *     OPTIONS to the proxy itself is answered 200;
 *  6. Max-Forwards (1*DIGIT, leading zeros allowed, over 255 read as
 *     255): unreadable -> 400 (drop from unknown sources), 0 -> 483
 *     (§16.3 item 3);
 *  7. unknown source under `unknown_source: reject`: INVITE -> 403,
 *     anything else dropped;
 *  8. dialog: a request with a To-tag (an empty or valueless tag is no
 *     tag) is in-dialog only when its top Route is our Record-Route and
 *     the token in it verifies (RFC 3261 §16.4, §12.2); our Route is
 *     popped and the request goes to the next Route or the Request-URI,
 *     which must be an address the config names (a trunk source or next
 *     hop), else 403.  Without a valid Route: an INVITE is judged as an
 *     initial INVITE, an ACK goes hop by hop to the trunk's next hop (the
 *     ACK of a non-2xx, §16.11), anything else gets 404 (as Kamailio's
 *     `has_totag()` / `loose_route()` branch does);
 *  9. out of dialog: INVITE is judged; CANCEL goes to the trunk's next
 *     hop (where its INVITE went); a method the trunk lists goes there
 *     too; anything else gets 405 with Allow.  Every Route of an
 *     out-of-dialog request is removed: its only destination is the
 *     trunk's next hop (Kamailio: remove_hf("Route"));
 * 10. identities: an INVITE whose P-Asserted-Identity breaks RFC 3325
 *     §9.1 (three values or more, two of one scheme) is refused 400
 *     from a trunk (dropped from an unknown source): it is not clear
 *     which value the core would believe;
 * 11. the verdict (sf_engine.h) for judged INVITEs: allow / tag /
 *     withhold forward, reject answers.
 *
 * Replay predicts serve: the same edge, snapshot, bytes and source give
 * the same admission.  The key decides in-dialog tokens; a replay without
 * `serve.secret` in the config cannot verify them and judges such
 * requests as initial INVITEs (a serve with another key would do the
 * same).
 */
#ifndef SF_ADMIT_H
#define SF_ADMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/sf_addr.h"
#include "config/sf_config.h"
#include "tables/sf_tables.h"
#include "sf_engine.h"
#include "sf_identity.h"
#include "sf_sip.h"
#include "sf_route.h"
#include "sf_token.h"
#include "sf_via.h"

/* What is done with the message. */
typedef enum sf_outcome {
	SF_OUT_FORWARD = 0,  /* forwarded untouched (beyond routing edits) */
	SF_OUT_TAG,          /* forwarded with the verdict header, verstat */
	SF_OUT_WITHHOLD,     /* forwarded with the caller ID withheld */
	SF_OUT_REJECT,       /* answered with a final response of ours */
	SF_OUT_REFUSE,       /* answered 400 Bad Request (malformed) */
	SF_OUT_DROP,         /* nothing sent (absorbed, or no way back) */
	SF_OUT_ANSWER,       /* answered 200 (OPTIONS to the proxy) */
	SF_OUT_COUNT
} sf_outcome_t;

/* Why; stable names (sf_why_name) for logs, counters and records. */
typedef enum sf_why {
	SF_WHY_VERDICT = 0,       /* a judged INVITE: the verdict decided */
	SF_WHY_IN_DIALOG,         /* in-dialog, our Route verified */
	SF_WHY_CANCEL,            /* CANCEL, along its INVITE's path */
	SF_WHY_ACK,               /* ACK of a non-2xx, hop by hop */
	SF_WHY_METHOD_LISTED,     /* an out-of-dialog method the trunk lists */
	SF_WHY_ACK_ABSORBED,      /* the ACK of our own final response */
	SF_WHY_OPTIONS,           /* OPTIONS to the proxy itself */
	SF_WHY_KEEPALIVE,         /* CRLF keep-alive */
	SF_WHY_UNKNOWN_SOURCE,    /* no trunk, unknown_source: reject */
	SF_WHY_METHOD_NOT_ALLOWED,/* 405 */
	SF_WHY_METHOD_CASE,       /* "invite": 400 */
	SF_WHY_NO_DIALOG,         /* To-tag without our Route: 404 */
	SF_WHY_FORBIDDEN_TARGET,  /* in-dialog target not named: 403 */
	SF_WHY_LOOP,              /* 482 */
	SF_WHY_TOO_MANY_HOPS,     /* 483 */
	SF_WHY_BAD_MAX_FORWARDS,  /* 400 */
	SF_WHY_MALFORMED,         /* the scanner refused it */
	SF_WHY_BAD_VIA,           /* top Via unreadable: drop */
	SF_WHY_BAD_ROUTE,         /* a route set we cannot handle: 400 */
	SF_WHY_BAD_IDENTITY,      /* identity headers break RFC 3325 §9.1 */
	SF_WHY_NO_NEXT_HOP,       /* nowhere to forward: drop */
	SF_WHY_RESPONSE,          /* not a request: sf_admit_response */
	SF_WHY_COUNT
} sf_why_t;

/* The request's method, as the proxy counts it. */
typedef enum sf_method {
	SF_M_INVITE = 0, SF_M_ACK, SF_M_BYE, SF_M_CANCEL, SF_M_OPTIONS,
	SF_M_OTHER, SF_M_COUNT
} sf_method_t;

/* A listener as admission sees it: who "we" are. */
typedef struct sf_edge_listener {
	sf_ip_t ip;
	uint16_t port;
	sf_transport_t tp;
	char text[48];           /* the address as we write it (no []) */
	uint8_t text_len;
} sf_edge_listener_t;

/* Read-only after sf_edge_init; shared by every thread. */
typedef struct sf_edge {
	const sf_cfg_t *cfg;     /* borrowed; outlives the edge */
	sf_key_t key;
	bool have_key;           /* false: tokens never verify */
	sf_edge_listener_t ls[SF_CFG_MAX_LISTENERS];
	unsigned n_ls;
	/* next hops, resolved (literal IPs) */
	bool hop_ok[SF_CFG_MAX_TRUNKS];
	sf_ip_t hop_ip[SF_CFG_MAX_TRUNKS];
	uint16_t hop_port[SF_CFG_MAX_TRUNKS];
	int default_trunk;       /* routes unknown sources (policy
				    international): first international
				    trunk with a next hop; -1 */
	sf_sip_limits_t lim_udp, lim_tcp;
	/* Optional (NULL: none; serve sets it, proxy_tcp.c): is ip the
	 * address of a live TLS connection whose client certificate
	 * identified a trunk?  The config names such a peer by certificate
	 * rather than by address (a client_cert trunk without sources).
	 * *port in: the port a URI names (0 = 5060); out: the peer port of
	 * the connection to use (that one when a connection from ip:port
	 * is identified, else another identified one from ip, as Kamailio's
	 * TCP aliases do).  Called from any worker thread. */
	bool (*cert_peer)(void *arg, const sf_ip_t *ip, uint16_t *port);
	void *cert_peer_arg;
} sf_edge_t;

/*
 * Builds the edge of cfg (borrowed for the edge's life).  key: the key to
 * use, or NULL for the config's secret (cfg->serve.secret) when it has
 * one, else none (have_key false).  A next hop that is not a literal IP
 * is left unusable (hop_ok false; sf_proxy_init refuses it).  Returns 0,
 * or SF_EINVAL with err (may be NULL) when a listener is not a literal IP.
 */
int sf_edge_init(sf_edge_t *e, const sf_cfg_t *cfg, const sf_key_t *key,
		 sf_err_t *err);

/* The trunk is matched by source address (sf_admit_in_t.trunk). */
#define SF_TRUNK_BY_SOURCE (-2)

/* How the ingress trunk was recognised; stable names (sf_trunk_how_name)
 * for logs and records: "source", "assumed" (replay --assume-trunk,
 * judge --trunk), "cert" (a TLS client certificate, proxy_tls.c),
 * "cert+source" (a certificate from one of the trunk's sources). */
typedef enum sf_trunk_how {
	SF_HOW_SOURCE = 0,
	SF_HOW_ASSUMED,
	SF_HOW_CERT,
	SF_HOW_CERT_SOURCE,
	SF_HOW_COUNT
} sf_trunk_how_t;

typedef struct sf_admit_in {
	const char *buf;
	size_t len;
	sf_transport_t tp;
	sf_ip_t src;
	uint16_t sport;
	int trunk;             /* SF_TRUNK_BY_SOURCE, a trunk index, or -1 */
	sf_trunk_how_t how;    /* how a given trunk index was found */
	bool no_branch;        /* the caller forwards with branches of its
				  own (libsipfilter's embedders): loop_hash,
				  serve's branch value, is not computed */
} sf_admit_in_t;

typedef struct sf_admission {
	sf_outcome_t outcome;
	sf_why_t why;
	sf_method_t method;
	bool is_response;      /* not a request: see sf_admit_response */
	int trunk;             /* ingress trunk, -1 unknown */
	sf_trunk_how_t how;    /* how it was recognised (trunk >= 0) */
	uint16_t code;         /* REJECT/REFUSE/ANSWER: the status */
	const char *phrase;    /* its reason phrase ("" = the default) */
	char warning[96];      /* REFUSE: the Warning text, "" = none */
	bool allow_hdr;        /* 405: add Allow (the trunk's methods) */
	/* judged INVITEs */
	bool judged;           /* v holds the verdict */
	sf_verdict_t v;
	sf_sip_error_t sip_error; /* MALFORMED: the scanner's reason */
	/* forwarding (FORWARD, TAG, WITHHOLD) */
	bool record_route;     /* a dialog-forming request: Record-Route */
	bool strip_routes;     /* out of dialog: remove every Route */
	unsigned pop_routes;   /* in-dialog: our values on top of Route */
	int hop_trunk;         /* -1: in-dialog, go to target; else the next
				  hop of this trunk */
	sf_ip_t target;        /* in-dialog destination */
	uint16_t target_port;
	sf_transport_t target_tp;
	uint32_t loop_hash;    /* L of our branch (set when forwarded,
				  unless the input said no_branch) */
	sf_via_t top;          /* the top Via (parsed when reached) */
	bool top_ok;
	/* read once per request (views into the message; empty if absent) */
	sf_str_t call_id, from_tag, to_tag;
} sf_admission_t;

/*
 * Admits the request in in->buf.  msg and call are the caller's scratch
 * (large; reused), filled as far as admission got: a->judged says the
 * call was extracted and judged.  tables NULL = no usable tables
 * (degraded; the verdict tags calls unverified).  Always fills *a; never
 * fails.  O(message length).
 */
void sf_admit(const sf_edge_t *e, const sf_tables_t *tables,
	      const sf_admit_in_t *in, sf_sipmsg_t *msg, sf_call_t *call,
	      sf_admission_t *a);

/* The same for a message the caller has already scanned successfully
 * into msg (with the edge's limits for in->tp). */
void sf_admit_scanned(const sf_edge_t *e, const sf_tables_t *tables,
		      const sf_admit_in_t *in, sf_sipmsg_t *msg,
		      sf_call_t *call, sf_admission_t *a);

/*
 * A response: accepted (returns true) only from an address the config
 * names (a trunk source or a next hop), or with src NULL from a sender
 * the caller knows already (serve: a TLS connection identified by its
 * client certificate, which the config names instead of an address),
 * when its top Via is ours (one of
 * our listeners, our branch shape) and the branch's K part verifies
 * against the Via below it (RFC 3261 §16.7: we sent that request).  On
 * true, *top is our Via, *next the Via to send it on to (§18.2.2) and
 * *why is SF_WHY_RESPONSE; on false *why says what failed
 * (SF_WHY_BAD_VIA, SF_WHY_UNKNOWN_SOURCE, SF_WHY_FORBIDDEN_TARGET for a
 * branch that does not verify).
 */
bool sf_admit_response(const sf_edge_t *e, const sf_sipmsg_t *msg,
		       const sf_ip_t *src, sf_via_t *top, sf_via_t *next,
		       sf_why_t *why);

/* The K part of our branch for the request a was admitted from (its top
 * Via, Call-ID, From-tag and CSeq number). */
uint64_t sf_admit_branch_k(const sf_edge_t *e, const sf_sipmsg_t *msg,
			   const sf_admission_t *a);

/* Is host:port (port 0 = 5060) one of our listeners, written as we write
 * it (our Vias and Record-Routes)?  A host in another spelling is not
 * recognised as ours, which only ever costs the writer: a response or an
 * in-dialog request that is then not ours is dropped or judged. */
bool sf_edge_is_us(const sf_edge_t *e, sf_str_t host, uint16_t port);

/* Is ip:port (port 0 = 5060) one of our listeners, by address? */
bool sf_edge_is_us_ip(const sf_edge_t *e, const sf_ip_t *ip, uint16_t port);

/* Is ip an address the config names: inside a trunk's sources (a
 * client_cert trunk's too), or a next hop? */
bool sf_edge_named(const sf_edge_t *e, const sf_ip_t *ip);

/* The From-tag or To-tag (non-empty) of a request; false when absent,
 * empty or valueless ("tag=", "tag"). */
bool sf_msg_tag(const sf_sipmsg_t *m, sf_hdr_id_t id, sf_str_t *tag);

/* Names: "forward", "tag", ... and "verdict", "in-dialog", ...;
 * sf_outcome_applied_name gives replay's `applied` vocabulary
 * (allow/tag/withhold/reject/refuse/drop/answer). */
const char *sf_outcome_name(sf_outcome_t o);
const char *sf_outcome_applied_name(sf_outcome_t o);
const char *sf_why_name(sf_why_t w);
bool sf_why_find(const char *name); /* is name one of the why names? */
const char *sf_method_name(sf_method_t m);
/* "source", "assumed", "cert", "cert+source"; "none" for no trunk. */
const char *sf_trunk_how_name(const sf_admission_t *a);

/* The rule name to report for an admission: the verdict's rule name for
 * judged calls, else the why name. */
const char *sf_admission_rule(const sf_admission_t *a);

#endif
