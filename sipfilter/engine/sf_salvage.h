/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_salvage.h - what can still be read of a request the strict scanner
 * refused, so that the edge can answer it 400 instead of dropping it when
 * the answer can be routed (RFC 3261 §8.2.6, §16.3).
 *
 * Part of admission: `serve` answers from what this finds, and `replay`
 * and `judge` report "refuse" or "drop" from the same finding.
 */
#ifndef SF_SALVAGE_H
#define SF_SALVAGE_H

#include <stddef.h>

#include "sf_sip.h"

/*
 * Reads buf[0..len) line by line (CRLF only, at most SF_SIP_MAX_HEADERS
 * lines, never past len, never past the first blank line) and fills the
 * request line and the Via, From, To, Call-ID and CSeq lines of *m (the
 * other fields are left zero).  Returns 0 when the start line is a
 * well-formed SIP/2.0 request line and each of those five headers is
 * present with a clean value (printable bytes or tabs, not folded;
 * From/To/Call-ID/CSeq once each) and the top Via parses; SF_EPARSE
 * otherwise (then no response must be built).  The views point into buf.
 * O(len), allocation-free.
 */
int sf_salvage(const char *buf, size_t len, sf_sipmsg_t *m);

#endif
