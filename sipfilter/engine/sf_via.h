/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_via.h - a small strict parser for Via header values (RFC 3261
 * §20.42, §18.2, RFC 3581), and header-parameter helpers for From/To.
 *
 * The proxy needs exactly these facts from a Via: transport, sent-by host
 * and port, and the branch, received and rport parameters, plus byte
 * offsets so that received/rport can be inserted in place.  libosip2 would
 * parse the whole message for that; this reads one value, left to right,
 * bounded by its length, and refuses anything unusual (quoted parameter
 * values, empty hosts, ports over 65535) rather than guessing.
 *
 * Views point into the caller's buffer.  Pure, allocation-free,
 * thread-safe.
 */
#ifndef SF_VIA_H
#define SF_VIA_H

#include <stdbool.h>
#include <stdint.h>

#include "base/sf_str.h"
#include "config/sf_config.h"
#include "sf_sip.h"

typedef struct sf_via {
	sf_str_t transport;  /* "UDP", "TCP", ... as written */
	sf_str_t host;       /* sent-by host, without [] for IPv6 */
	uint16_t port;       /* sent-by port; 0 when absent */
	bool has_branch;
	sf_str_t branch;
	bool has_received;
	sf_str_t received;
	bool has_rport;
	bool rport_has_value;
	uint16_t rport;      /* value when rport_has_value */
	sf_str_t rport_param; /* the whole "rport[=N]" text, for replacing */
	const char *end;     /* just past the last parameter of this value */
	const char *next;    /* start of the next via-parm in the same header
			      * (after the comma), or NULL */
} sf_via_t;

/*
 * Parses the via-parm at the start of v.  Returns 0 and fills *out, or
 * SF_EPARSE.  Reads no byte outside v.  Folded whitespace (CRLF SP) counts
 * as LWS.
 */
int sf_via_parse(sf_str_t v, sf_via_t *out);

/*
 * The i-th via-parm of the message (0 = top), across Via headers and
 * comma-separated values.  Returns 0, SF_ENOENT when there are fewer, or
 * SF_EPARSE when one of the first i+1 values does not parse.  O(i * value
 * length).
 */
int sf_via_nth(const sf_sipmsg_t *m, unsigned i, sf_via_t *out);

/* True if the transport names TCP (case-insensitive). */
bool sf_via_is_tcp(const sf_via_t *v);

/* The transport a Via names: TLS, TCP, or UDP for anything else (a
 * response to a TLS Via goes back over TLS, never UDP: RFC 5630). */
sf_transport_t sf_via_transport(const sf_via_t *v);

/*
 * Finds header parameter name (case-insensitive, e.g. "tag") in a
 * From/To/Contact value: parameters after the closing '>' of a name-addr,
 * or after the first ';' of an addr-spec.  Returns true and its value
 * view (possibly empty).  Quoted display names and <> are skipped.
 */
bool sf_hdr_param(sf_str_t value, const char *name, sf_str_t *val);

/* The same parameter's whole text, from its ';' to the end of its value
 * (";tag=abc", ";tag=", ";tag"), for replacing it. */
bool sf_hdr_param_span(sf_str_t value, const char *name, sf_str_t *span);

/*
 * The URI of a name-addr or addr-spec value: the text between < and >,
 * or for an addr-spec everything up to the first ';' (header params) or
 * the end.  *angle tells which form it was (for a name-addr uri.s + uri.len
 * is the '>').  Returns false when malformed.
 */
bool sf_hdr_uri(sf_str_t value, sf_str_t *uri, bool *angle);

#endif
