/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_sip_value.h - internal to the scanner's files: the checks of the
 * header values the filter relies on (From, To, Call-ID, CSeq), each run
 * once per such header, so out of line.
 */
#ifndef SF_SIP_VALUE_H
#define SF_SIP_VALUE_H

#include "sf_sip.h"

/*
 * From/To: one name-addr or addr-spec (RFC 3261 §20.20, §20.39).  A comma
 * outside a quoted string and <> means a list (SF_SIP_E_MULTI_VALUE); an
 * unterminated quote, a stray or second <>, or LWS inside <> is a value two
 * parsers could split differently (SF_SIP_E_BAD_VALUE; RFC 4475 quotbal,
 * badaspec), as is an empty one.  *bad: the offset in v of the refused
 * byte.  v must lie inside the scanned buffer (16-byte loads may reach
 * before v.s + v.len but never past it).
 */
sf_sip_error_t sf_sip_check_addr(sf_str_t v, size_t *bad);

/* Call-ID = word ["@" word] (§25.1): no LWS and no comma, not empty.
 * SF_SIP_OK or SF_SIP_E_BAD_VALUE with *bad. */
sf_sip_error_t sf_sip_check_callid(sf_str_t v, size_t *bad);

/* CSeq = 1*DIGIT LWS Method (§20.16); the number is below 2^31
 * (§8.1.1.5) and, in a request, the method is the start line's.  Sets
 * m->cseq_num and m->cseq_method.  SF_SIP_OK or SF_SIP_E_CSEQ. */
sf_sip_error_t sf_sip_parse_cseq(sf_str_t v, sf_sipmsg_t *m);

#endif
