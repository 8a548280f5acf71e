/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_resp.h - stateless responses built from a request (RFC 3261
 * §8.2.6), and the stateless identifiers the proxy derives from requests.
 *
 * A response copies every Via (the top one with received/rport filled in,
 * §18.2.1 and RFC 3581), From, To, Call-ID and CSeq byte for byte, adds a
 * To-tag when the request had none, optionally a Reason header (RFC 3326)
 * naming the rule that rejected the call, and Content-Length: 0.  Nothing
 * else from the request is echoed, so the response is smaller than any
 * request with a body or the usual extra headers.
 *
 * The To-tag is a hash of the request's Call-ID, From-tag and top Via
 * branch: the ACK for a non-2xx final response carries the same three
 * (§17.1.1.3) plus our tag in To, so any worker, and any identical
 * instance behind a load balancer, recognises "the ACK of our own
 * rejection" without keeping state.
 *
 * Pure, allocation-free, thread-safe.
 */
#ifndef PROXY_RESP_H
#define PROXY_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sf_str.h"
#include "sipfilter/engine/sf_token.h"
#include "sipfilter/engine/sf_via.h"
#include "base/sf_edit.h"
#include "sipfilter/engine/sf_sip.h"

typedef struct sf_resp_opts {
	uint16_t code;            /* 100..699 */
	const char *phrase;       /* reason phrase; NULL/"" = a default */
	const char *reason_text;  /* Reason: SIP;cause=CODE;text="..." or NULL */
	const char *received;     /* IP to add as ;received= to the top Via,
				   * or NULL */
	uint16_t rport;           /* fills a bare ;rport on the top Via; 0 =
				   * leave it */
	const char *warning;      /* Warning: 399 AGENT "TEXT" (RFC 3261
				   * §20.43) or NULL; escaped like reason */
	const char *warn_agent;   /* hostport for the Warning, e.g. our
				   * listener's sent-by */
	const char *to_tag;       /* SF_TAG_LEN bytes: the To-tag to add
				   * when the request has none (an empty or
				   * valueless tag is replaced); NULL = none */
	const char *allow;        /* Allow header value (405) or NULL */
} sf_resp_opts_t;

/*
 * Builds the response to request m into out[0..cap).  Returns its length,
 * or -1 when m is not a request, lacks a mandatory header, or out is too
 * small.  reason_text is escaped (quotes and backslashes, control bytes
 * dropped), so any rule text is safe.
 */
long sf_resp_build(const sf_sipmsg_t *m, const sf_resp_opts_t *o, char *out,
		   size_t cap);

/*
 * Records in e the edits that set received and rport on the Via v from
 * the real source (RFC 3261 §18.2.1, RFC 3581 §4), overwriting whatever
 * the sender wrote: received=rcv replaces a received parameter, or is
 * added when the sent-by host is not the source (host_is_src false);
 * rport=sport replaces an rport parameter (with or without a value), or
 * is added when add_rport (TCP: the answer must find the connection).
 * Offsets are taken relative to origin, the start of what e edits.
 */
void sf_resp_via_source(sf_edit_t *e, const char *origin, const sf_via_t *v,
			const char *rcv, bool host_is_src, uint16_t sport,
			bool add_rport);


#endif
