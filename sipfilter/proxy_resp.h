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

#include "../base/sf_str.h"
#include "sf_sip.h"

/* Our To-tags: "sf" + 16 hex digits. */
#define SF_TAG_LEN 18
/* Our branches: "z9hG4bKsf" + 16 hex digits (RFC 3261 §8.1.1.7 cookie). */
#define SF_BRANCH_PREFIX "z9hG4bKsf"
#define SF_BRANCH_LEN (9 + 16)

/* 64-bit FNV-1a over len bytes, continuing from h (start: SF_HASH_INIT). */
#define SF_HASH_INIT 0xcbf29ce484222325ULL
static inline uint64_t sf_hash_bytes(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	/* Separator, so ("ab","c") and ("a","bc") differ. */
	h ^= 0xff;
	h *= 0x100000001b3ULL;
	return h;
}

/* Writes 16 lower-case hex digits of h into out (no NUL). */
void sf_hex16(uint64_t h, char out[16]);

/*
 * Computes our To-tag for request m into tag[SF_TAG_LEN] (no NUL).
 * Returns false when m lacks the fields (no Call-ID).
 */
bool sf_resp_tag(const sf_sipmsg_t *m, char tag[SF_TAG_LEN]);

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
 * Salvage of a request the strict scanner refused, just enough to answer
 * it 400 (RFC 3261 §8.2.6, §16.3): reads buf[0..len) line by line (CRLF
 * only, at most SF_SIP_MAX_HEADERS lines, never past len, never past the
 * first blank line) and fills the request line and the Via, From, To,
 * Call-ID and CSeq lines of *m (the other fields are left zero).  Returns
 * 0 when the start line is a well-formed SIP/2.0 request line and each of
 * those five headers is present with a clean value (printable bytes or
 * tabs, not folded; From/To/Call-ID/CSeq once each) and the top Via
 * parses; SF_EPARSE otherwise (then no response must be built).  The
 * views point into buf.  O(len), allocation-free.
 */
int sf_resp_salvage(const char *buf, size_t len, sf_sipmsg_t *m);

/* Default reason phrase for a code ("Bad Request", ...), never NULL. */
const char *sf_resp_phrase(uint16_t code);

#endif
