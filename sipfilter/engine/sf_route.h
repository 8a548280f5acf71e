/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_route.h - what the proxy reads from SIP and SIPS URIs and from route
 * sets (Route, Record-Route): host, port, transport and parameters, and
 * the list of route values with where each one sits in the message.
 *
 * Deliberately narrow: the proxy only ever sends to literal IP addresses
 * (no DNS on the hot path), so a URI that is not "sip[s]:[user@]IP[:port]
 * [;params][?headers]" - or that has more than one '@', which two parsers
 * could read differently - is simply not usable for routing.
 *
 * Views point into the caller's buffer.  Pure, allocation-free,
 * thread-safe.
 */
#ifndef SF_ROUTE_H
#define SF_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/sf_addr.h"
#include "base/sf_str.h"
#include "config/sf_config.h"
#include "sf_sip.h"

typedef struct sf_uri_hp {
	bool sips;
	bool has_user;
	sf_str_t host;      /* without [] for IPv6 */
	uint16_t port;      /* 0 when absent */
	sf_str_t params;    /* ";a=b;lr..." up to '?' or the end; may be empty */
} sf_uri_hp_t;

/* Parses a sip:/sips: URI (scheme any case).  Returns false for other
 * schemes, a second '@', an empty host, a bad port or bad brackets. */
bool sf_uri_hostport(sf_str_t uri, sf_uri_hp_t *out);

/* Finds URI parameter name (case-insensitive) in params (";a=b;c").
 * Returns true and its value (empty for a bare parameter). */
bool sf_uri_param(sf_str_t params, const char *name, sf_str_t *val);

/* The URI's host as an IP address; false when it is not a literal IP. */
bool sf_uri_ip(const sf_uri_hp_t *u, sf_ip_t *ip);

/* The transport a URI asks for: TLS for sips: or transport=tls (RFC
 * 5630), TCP for transport=tcp, else UDP. */
sf_transport_t sf_uri_transport(const sf_uri_hp_t *u);

/* A canonical dotted quad or any inet_pton form of host into *ip. */
bool sf_host_ip(sf_str_t host, sf_ip_t *ip);

/* One value of a route set (Route or Record-Route). */
typedef struct sf_rvalue {
	const sf_sip_hdr_t *hdr; /* the header line it is on */
	unsigned pos;            /* 0 = first value on that line */
	sf_str_t value;          /* the whole value, trimmed */
	sf_str_t uri;            /* the URI inside <>; empty if none */
} sf_rvalue_t;

#define SF_ROUTE_MAX 16

/*
 * The values of every id header (SF_HDR_ROUTE or SF_HDR_RECORD_ROUTE) in
 * order, split on commas outside quotes and <>: at most max into out.
 * Returns how many exist (possibly more than max).
 */
unsigned sf_route_values(const sf_sipmsg_t *m, sf_hdr_id_t id,
			 sf_rvalue_t *out, unsigned max);

/*
 * The byte range to delete so that the first n values of list (as
 * returned by sf_route_values, n <= count) disappear: the range
 * (off, del) covers whole lines, plus the leading part of the last line when it keeps
 * values.  Ranges are reported one per call: call with line = 0, 1, ...
 * until it returns false.
 */
bool sf_route_pop_range(const sf_sipmsg_t *m, const sf_rvalue_t *list,
			unsigned count, unsigned n, unsigned line,
			uint32_t *off, uint32_t *del);

#endif
