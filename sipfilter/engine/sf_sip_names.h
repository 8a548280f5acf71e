/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_sip_names.h - internal to the scanner's files: the header-name
 * table.  sf_sip_hdr_id_tok() (sf_sip_names.c) is the reference: a switch
 * on (length, first letter) before one case-insensitive compare.
 * match_known() is the scanner's fast path on little-endian machines: it
 * recognises a tracked name a word at a time without walking it first,
 * and is static inline here because the scanner has one call site for it
 * per header line.  The two must agree (the fuzz target checks that they
 * do).
 */
#ifndef SF_SIP_NAMES_H
#define SF_SIP_NAMES_H

#include "sf_sip_lex.h"

/* The id of the header name s[0..n), n >= 1 token bytes (the caller has
 * checked them); SF_HDR_OTHER when it is not tracked. */
sf_hdr_id_t sf_sip_hdr_id_tok(const char *s, size_t n);

/* The header a one-letter name (lower-cased) stands for, RFC 3261
 * §7.3.3 compact forms; SF_HDR_OTHER for any other letter. */
static inline sf_hdr_id_t compact_form(unsigned char c0)
{
	switch (c0) {
	case 'v': return SF_HDR_VIA;
	case 'f': return SF_HDR_FROM;
	case 't': return SF_HDR_TO;
	case 'i': return SF_HDR_CALL_ID;
	case 'l': return SF_HDR_CONTENT_LENGTH;
	case 'c': return SF_HDR_CONTENT_TYPE;
	case 'm': return SF_HDR_CONTACT;
	}
	return SF_HDR_OTHER;
}

#if SF_LE
/*
 * p[0..L) equals lit ignoring the case of letters only (a '-' must be a
 * '-': a plain "| 0x20" would let CR pass for it).  lit is lower case and
 * padded with NULs (see KNOWN); p must be readable for L rounded up to 8.
 * The fold mask is computed from the literal, so it is a constant.
 */
static inline bool ieq_word(const unsigned char *p, const char *lit, size_t L)
{
	for (size_t i = 0; i < L; i += 8) {
		uint64_t lw = ld8(lit + i);
		uint64_t d = (ld8(p + i) | ((lw & (ONES * 0x40)) >> 1)) ^ lw;

		if (L - i < 8)
			d &= (1ULL << (8 * (L - i))) - 1;
		if (d)
			return false;
	}
	return true;
}

#define KNOWN(lit, ID)                                                         \
	do {                                                                   \
		if (ieq_word(p, lit "\0\0\0\0\0\0\0\0", sizeof(lit) - 1) &&    \
		    !is_tok(p[sizeof(lit) - 1])) {                             \
			*nlen = sizeof(lit) - 1;                               \
			return ID;                                             \
		}                                                              \
	} while (0)

/*
 * The scanner's fast path: recognises a tracked header name at p without
 * first walking the name byte by byte.  Needs 24 readable bytes at p.
 * Returns the id with *nlen set, or SF_HDR_OTHER with *nlen = 0 when the
 * name (if any) is not tracked; must agree with hdr_id_tok() (the fuzz
 * target checks that it does).
 */
static inline sf_hdr_id_t match_known(const unsigned char *p, size_t *nlen)
{
	unsigned char c0 = p[0] | 0x20;

	*nlen = 0;
	if (!is_tok(p[1])) {
		sf_hdr_id_t id = compact_form(c0);

		*nlen = id == SF_HDR_OTHER ? 0 : 1;
		return id;
	}
	switch (c0) {
	case 'v':
		KNOWN("via", SF_HDR_VIA);
		break;
	case 'f':
		KNOWN("from", SF_HDR_FROM);
		break;
	case 't':
		KNOWN("to", SF_HDR_TO);
		break;
	case 'c':
		KNOWN("cseq", SF_HDR_CSEQ);
		KNOWN("call-id", SF_HDR_CALL_ID);
		KNOWN("contact", SF_HDR_CONTACT);
		KNOWN("content-length", SF_HDR_CONTENT_LENGTH);
		KNOWN("content-type", SF_HDR_CONTENT_TYPE);
		break;
	case 'm':
		KNOWN("max-forwards", SF_HDR_MAX_FORWARDS);
		break;
	case 'r':
		KNOWN("route", SF_HDR_ROUTE);
		KNOWN("record-route", SF_HDR_RECORD_ROUTE);
		KNOWN("remote-party-id", SF_HDR_RPID);
		break;
	case 'p':
		KNOWN("p-asserted-identity", SF_HDR_PAI);
		KNOWN("p-preferred-identity", SF_HDR_PPI);
		KNOWN("privacy", SF_HDR_PRIVACY);
		break;
	case 'd':
		KNOWN("diversion", SF_HDR_DIVERSION);
		break;
	case 'h':
		KNOWN("history-info", SF_HDR_HISTORY_INFO);
		break;
	case 'u':
		KNOWN("user-agent", SF_HDR_USER_AGENT);
		break;
	}
	return SF_HDR_OTHER;
}
#undef KNOWN
#endif


#endif
