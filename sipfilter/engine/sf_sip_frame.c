/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_sip_frame.c - where a SIP message ends on a stream (sf_sip_frame,
 * sf_sip.h): the header lines up to the empty one, then Content-Length
 * bytes (RFC 3261 §18.3).  A light pass that only finds the end; the
 * scanner judges the message afterwards, and the framing agrees with it
 * on every Content-Length it accepts.
 */
#include "sf_sip_lex.h"

/*
 * Content-Length value as sf_sip_frame() sees it: from just after the
 * colon, LWS, 1*10DIGIT, LWS, then the CRLF that ends the header.  The
 * same bytes pass trim_lws() + parse_digits10() in the scanner.
 */
static bool frame_cl(const char *s, size_t i, size_t hend, uint64_t *out)
{
	size_t d;

	for (;;) {
		if (i < hend && is_wsp((unsigned char)s[i]))
			i++;
		else if (i + 2 < hend && s[i] == '\r' && s[i + 1] == '\n' &&
			 is_wsp((unsigned char)s[i + 2]))
			i += 3;
		else
			break;
	}
	d = i;
	while (i < hend && sf_isdigit((unsigned char)s[i]))
		i++;
	if (!parse_digits10(sf_str(s + d, i - d), out))
		return false;
	for (;;) {
		if (i < hend && is_wsp((unsigned char)s[i]))
			i++;
		else if (i + 2 < hend && s[i] == '\r' && s[i + 1] == '\n' &&
			 is_wsp((unsigned char)s[i + 2]))
			i += 3;
		else
			break;
	}
	return i + 1 < hend && s[i] == '\r' && s[i + 1] == '\n';
}

long sf_sip_frame(const char *buf, size_t len, uint32_t max_message)
{
	size_t cap = max_message ? max_message : SF_SIP_DEFAULT_MAX_MESSAGE;
	size_t skip = 0, pos, lim, cl_at = 0;
	bool have_cl = false;
	uint64_t cl;

	if (!buf)
		return 0;
	while (skip + 1 < len && skip + 2 <= cap && buf[skip] == '\r' &&
	       buf[skip + 1] == '\n')
		skip += 2;
	/* nothing but keep-alives so far (or a cap's worth of them): hand
	 * them over as one unit so they never pile up */
	if (skip && (skip == len || skip + 2 > cap ||
		     (skip + 1 == len && buf[skip] == '\r')))
		return (long)skip;
	if (len == 0 || (len == 1 && buf[0] == '\r'))
		return 0;

	/* walk the header lines; the start line is skipped like any other */
	pos = skip;
	lim = len < cap ? len : cap;
	for (;;) {
		const char *nl = memchr(buf + pos, '\n', lim - pos);
		size_t eol;

		if (!nl)
			return len >= cap ? -1 : 0;
		eol = (size_t)(nl - buf);
		if (eol == pos || buf[eol - 1] != '\r')
			return -1; /* bare LF: scan would refuse it */
		if (eol == pos + 1) {
			pos = eol + 1; /* the empty line */
			break;
		}
		/* Content-Length or l, HCOLON (§7.3.1); the first letter
		 * filters out the other lines cheaply */
		if (pos > skip &&
		    ((buf[pos] | 0x20) == 'l' || (buf[pos] | 0x20) == 'c')) {
			size_t i = pos;

			while (i < eol && is_tok((unsigned char)buf[i]))
				i++;
			if (sf_sip_hdr_id(buf + pos, i - pos) ==
			    SF_HDR_CONTENT_LENGTH) {
				while (i < eol && is_wsp((unsigned char)buf[i]))
					i++;
				if (i < eol && buf[i] == ':') {
					if (have_cl)
						return -1;
					have_cl = true;
					cl_at = i + 1;
				}
			}
		}
		pos = eol + 1;
		if (pos >= lim)
			return len >= cap ? -1 : 0;
	}
	if (!have_cl)
		return -1;
	/* pos - 2 is the empty line's CR: the CL header ends before it */
	if (!frame_cl(buf, cl_at, pos - 2, &cl))
		return -1;
	if (cl > cap || pos + cl > cap)
		return -1;
	if (len < pos + cl)
		return 0;
	return (long)(pos + cl);
}
