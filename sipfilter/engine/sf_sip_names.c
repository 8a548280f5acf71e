/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_sip_names.c - the scanner's name tables: tracked header names (full
 * and RFC 3261 §7.3.3 compact forms) and the scanner's error names.
 */
#include "sf_sip_names.h"

sf_hdr_id_t sf_sip_hdr_id_tok(const char *s, size_t n)
{
	unsigned char c0 = (unsigned char)s[0] | 0x20;

#define IS(lit) name_is(s, lit, n)
	switch (n) {
	case 1: /* RFC 3261 §7.3.3 compact forms */
		if (compact_form(c0) != SF_HDR_OTHER)
			return compact_form(c0);
		break;
	case 2:
		if (IS("to"))
			return SF_HDR_TO;
		break;
	case 3:
		if (IS("via"))
			return SF_HDR_VIA;
		break;
	case 4:
		if (c0 == 'f' && IS("from"))
			return SF_HDR_FROM;
		if (c0 == 'c' && IS("cseq"))
			return SF_HDR_CSEQ;
		break;
	case 5:
		if (IS("route"))
			return SF_HDR_ROUTE;
		break;
	case 7:
		if (c0 == 'c' && IS("call-id"))
			return SF_HDR_CALL_ID;
		if (c0 == 'c' && IS("contact"))
			return SF_HDR_CONTACT;
		if (c0 == 'p' && IS("privacy"))
			return SF_HDR_PRIVACY;
		break;
	case 9:
		if (IS("diversion"))
			return SF_HDR_DIVERSION;
		break;
	case 10:
		if (IS("user-agent"))
			return SF_HDR_USER_AGENT;
		break;
	case 12:
		if (c0 == 'm' && IS("max-forwards"))
			return SF_HDR_MAX_FORWARDS;
		if (c0 == 'c' && IS("content-type"))
			return SF_HDR_CONTENT_TYPE;
		if (c0 == 'r' && IS("record-route"))
			return SF_HDR_RECORD_ROUTE;
		if (c0 == 'h' && IS("history-info"))
			return SF_HDR_HISTORY_INFO;
		break;
	case 14:
		if (IS("content-length"))
			return SF_HDR_CONTENT_LENGTH;
		break;
	case 15:
		if (IS("remote-party-id"))
			return SF_HDR_RPID;
		break;
	case 19:
		if (IS("p-asserted-identity"))
			return SF_HDR_PAI;
		break;
	case 20:
		if (IS("p-preferred-identity"))
			return SF_HDR_PPI;
		break;
	}
#undef IS
	return SF_HDR_OTHER;
}

sf_hdr_id_t sf_sip_hdr_id(const char *s, size_t n)
{
	if (!s || n == 0)
		return SF_HDR_OTHER;
	for (size_t i = 0; i < n; i++)
		if (!is_tok((unsigned char)s[i]))
			return SF_HDR_OTHER;
	return sf_sip_hdr_id_tok(s, n);
}

const char *sf_sip_error_name(sf_sip_error_t e)
{
	static const char *const names[SF_SIP_E_COUNT] = {
	    [SF_SIP_OK] = "ok",
	    [SF_SIP_E_EMPTY] = "empty",
	    [SF_SIP_E_TOO_BIG] = "too-big",
	    [SF_SIP_E_START_LINE] = "start-line",
	    [SF_SIP_E_VERSION] = "version",
	    [SF_SIP_E_HEADER_NAME] = "header-name",
	    [SF_SIP_E_CONTROL_CHAR] = "control-char",
	    [SF_SIP_E_LINE_ENDING] = "line-ending",
	    [SF_SIP_E_LINE_TOO_LONG] = "line-too-long",
	    [SF_SIP_E_TOO_MANY_HEADERS] = "too-many-headers",
	    [SF_SIP_E_NO_END] = "no-end",
	    [SF_SIP_E_DUPLICATE] = "duplicate",
	    [SF_SIP_E_MULTI_VALUE] = "multi-value",
	    [SF_SIP_E_CONTENT_LENGTH] = "content-length",
	    [SF_SIP_E_MISSING] = "missing",
	    [SF_SIP_E_CSEQ] = "cseq",
	    [SF_SIP_E_BAD_VALUE] = "bad-value",
	};

	if ((unsigned)e >= SF_SIP_E_COUNT || !names[e])
		return "?";
	return names[e];
}
