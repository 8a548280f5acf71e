/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_sip_scan.c - the strict, bounded, linear SIP message scanner
 * (sf_sip_scan, sf_sip.h): the message-level walk.
 *
 * One left-to-right pass over the bytes.  Each line is delimited by a
 * word-at-a-time search for "special" bytes (controls, DEL): CR ends the
 * line (or starts a fold), HT is allowed, everything else special is
 * refused, so line finding and the control-byte check are the same loop
 * (sf_sip_lex.h).  Header names go through the name table
 * (sf_sip_names.h).  Only the values the filter relies on (From, To,
 * Call-ID, CSeq, Content-Length, Via presence) are looked into
 * (sf_sip_value.h); all other values are delimited and left alone.
 *
 * The per-line helpers here are always_inline: they are one loop split
 * for reading, and the scanner is the engine's hot path (callgrind on
 * perf/bench_engine: 4.40k instructions per message before the split,
 * 4.31k after).
 */
#include "sf_sip_lex.h"
#include "sf_sip_names.h"
#include "sf_sip_value.h"

#define HOT static inline __attribute__((always_inline))

/* "SIP/" 1*DIGIT "." 1*DIGIT, any case, in exactly n bytes: a well-formed
 * version that is not ours (RFC 4475 badvers; a UAS answers 505). */
static bool is_other_version(const char *s, size_t n)
{
	size_t i = 4, d;

	if (n < 7 || !name_is(s, "sip/", 4))
		return false;
	for (d = i; i < n && sf_isdigit((unsigned char)s[i]); i++)
		;
	if (i == d || i >= n || s[i] != '.')
		return false;
	for (d = ++i; i < n && sf_isdigit((unsigned char)s[i]); i++)
		;
	return i > d && i == n;
}

/* Request-Line = Method SP Request-URI SP SIP-Version CRLF (§7.1, §25.1). */
static sf_sip_error_t parse_request_line(const char *s, size_t n,
					 sf_sipmsg_t *m, size_t *bad)
{
	size_t i = 0, u;

	while (i < n && is_tok((unsigned char)s[i]))
		i++;
	if (i == 0 || i >= n || s[i] != ' ') {
		*bad = i;
		return SF_SIP_E_START_LINE;
	}
	m->method = sf_str(s, i);
	u = ++i;
	/* absoluteURI / SIP-URI both start with scheme ":" (RFC 3986 §3.1) */
	if (i >= n || !sf_isalpha((unsigned char)s[i])) {
		*bad = i;
		return SF_SIP_E_START_LINE;
	}
	while (i < n && (sf_isalpha((unsigned char)s[i]) ||
			 sf_isdigit((unsigned char)s[i]) || s[i] == '+' ||
			 s[i] == '-' || s[i] == '.'))
		i++;
	if (i >= n || s[i] != ':') {
		*bad = i;
		return SF_SIP_E_START_LINE;
	}
	/* visible ASCII only: SP ends the URI, and anything else needs
	 * escaping (§19.1.1, §25.1).  The line scanner has already refused
	 * controls other than HT, and DEL. */
	{
		const char *sp = memchr(s + i, ' ', n - i);
		size_t e = sp ? (size_t)(sp - s) : n;

		for (; i + 8 <= e; i += 8) {
			uint64_t x = ld8(s + i);

			if ((x & HIGHS) ||
			    (zero_bytes(x ^ (ONES * '\t')) & HIGHS))
				break;
		}
		while (i < e && (unsigned char)s[i] < 0x80 && s[i] != '\t')
			i++;
		if (i != e || !sp) {
			*bad = i;
			return SF_SIP_E_START_LINE;
		}
	}
	m->ruri = sf_str(s + u, i - u);
	i++;
	if (n - i == 7 && memcmp(s + i, "SIP/2.0", 7) == 0)
		return SF_SIP_OK;
	*bad = i;
	return is_other_version(s + i, n - i) ? SF_SIP_E_VERSION
					      : SF_SIP_E_START_LINE;
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF (§7.2). */
static sf_sip_error_t parse_status_line(const char *s, size_t n, sf_sipmsg_t *m,
					size_t *bad)
{
	unsigned st;

	if (n < 8 || memcmp(s, "SIP/2.0 ", 8) != 0) {
		const char *sp = memchr(s, ' ', n);

		*bad = 0;
		if (sp && is_other_version(s, (size_t)(sp - s)))
			return SF_SIP_E_VERSION;
		return SF_SIP_E_START_LINE;
	}
	*bad = 8;
	if (n < 12 || !sf_isdigit((unsigned char)s[8]) ||
	    !sf_isdigit((unsigned char)s[9]) ||
	    !sf_isdigit((unsigned char)s[10]) || s[11] != ' ')
		return SF_SIP_E_START_LINE; /* RFC 4475 bigcode */
	st = (unsigned)(s[8] - '0') * 100 + (unsigned)(s[9] - '0') * 10 +
	     (unsigned)(s[10] - '0');
	if (st < 100 || st > 699)
		return SF_SIP_E_START_LINE;
	m->status = (uint16_t)st;
	/* the line scanner already refused controls other than HT */
	m->phrase = sf_str(s + 12, n - 12);
	return SF_SIP_OK;
}

static int fail(sf_sipmsg_t *m, sf_sip_error_t e, size_t where)
{
	m->error = e;
	m->error_offset = (uint32_t)where;
	return -1;
}

/* Every field of m as "nothing scanned yet". */
HOT void msg_reset(sf_sipmsg_t *m, const char *buf)
{
	m->buf = buf;
	m->len = 0;
	m->skipped = 0;
	m->is_request = false;
	m->method = m->ruri = m->phrase = m->cseq_method = m->body =
	    SF_STR_NULL;
	m->status = 0;
	m->start_line_end = 0;
	m->n_hdrs = 0;
	memset(m->first, 0xff, sizeof(m->first));
	memset(m->count, 0, sizeof(m->count));
	m->cseq_num = 0;
	m->content_length = -1;
	m->header_end = m->body_start = 0;
	m->error = SF_SIP_OK;
	m->error_offset = 0;
}

/* The start line (no folding): a request or a status line.  0 with *pos
 * just past its CRLF, or -1 (fail). */
HOT int scan_start_line(const unsigned char *b, size_t end, sf_sipmsg_t *m,
			size_t *pos)
{
	size_t cr, where = 0, bad = 0;
	sf_sip_error_t e;

	e = find_eol(b, 0, end, false, &cr, &where);
	if (e != SF_SIP_OK)
		return fail(m, e, where);
	if (cr >= 4 && memcmp(b, "SIP/", 4) == 0) {
		m->is_request = false;
		e = parse_status_line((const char *)b, cr, m, &bad);
	} else {
		m->is_request = true;
		e = parse_request_line((const char *)b, cr, m, &bad);
	}
	if (e != SF_SIP_OK)
		return fail(m, e, bad);
	*pos = cr + 2;
	m->start_line_end = (uint32_t)*pos;
	return 0;
}

/*
 * The header name at pos and its id: *nlen token bytes (0: none), *i at
 * the byte after the name.  Tracked names are matched a word at a time
 * where the machine allows it, else walked and looked up.
 */
HOT sf_hdr_id_t scan_name(const unsigned char *b, size_t pos, size_t end,
			  size_t *nlen, size_t *i)
{
	sf_hdr_id_t id = SF_HDR_OTHER;

	*nlen = 0;
	*i = pos;
#if SF_LE
	{
		/* the last few bytes are read NUL-padded: NUL is not a token
		 * byte, so a name ends where the buffer does (one call site,
		 * so match_known stays inlined) */
		unsigned char pad[24];
		const unsigned char *np = b + pos;

		if (end - pos < 24) {
			memset(pad, 0, sizeof(pad));
			memcpy(pad, b + pos, end - pos);
			np = pad;
		}
		id = match_known(np, nlen);
	}
#endif
	if (*nlen) {
		*i = pos + *nlen;
		return id;
	}
	while (*i < end && is_tok(b[*i]))
		(*i)++;
	*nlen = *i - pos;
#if !SF_LE
	if (*nlen)
		id = sf_sip_hdr_id_tok((const char *)b + pos, *nlen);
#endif
	/* with SF_LE, tracked names were matched above */
	return id;
}

/* What is wrong at b[i], where the colon after a header name should be:
 * a control byte is reported as such wherever it is; CRLF without a
 * colon, a space inside the name or any other non-token byte is a bad
 * name. */
static sf_sip_error_t no_colon(const unsigned char *b, size_t i, size_t end)
{
	unsigned char c = b[i];

	if (c == '\n' || (c == '\r' && (i + 1 >= end || b[i + 1] != '\n')))
		return SF_SIP_E_LINE_ENDING;
	if (c != '\r' && c != '\t' && is_special(c))
		return SF_SIP_E_CONTROL_CHAR;
	return SF_SIP_E_HEADER_NAME;
}

/*
 * The value checks of a tracked header (id) with value v at voff, the
 * header starting at pos: singletons (§20; RFC 4475 multi01, mcl01) and
 * the values the filter relies on.  0, or -1 (fail).
 */
HOT int check_value(sf_sipmsg_t *m, sf_hdr_id_t id, sf_str_t v, size_t voff,
		    size_t pos, uint32_t cap)
{
	sf_sip_error_t e = SF_SIP_OK;
	size_t bad = 0;
	uint64_t cl;

	switch (id) {
	case SF_HDR_FROM:
	case SF_HDR_TO:
	case SF_HDR_CALL_ID:
	case SF_HDR_CSEQ:
	case SF_HDR_MAX_FORWARDS:
	case SF_HDR_CONTENT_LENGTH:
		if (m->count[id])
			return fail(m, SF_SIP_E_DUPLICATE, pos);
		break;
	default:
		break;
	}
	switch (id) {
	case SF_HDR_FROM:
	case SF_HDR_TO:
		e = sf_sip_check_addr(v, &bad);
		break;
	case SF_HDR_CALL_ID:
		e = sf_sip_check_callid(v, &bad);
		break;
	case SF_HDR_VIA:
		if (v.len == 0)
			e = SF_SIP_E_BAD_VALUE;
		break;
	case SF_HDR_CSEQ:
		e = sf_sip_parse_cseq(v, m);
		break;
	case SF_HDR_CONTENT_LENGTH:
		if (!parse_digits10(v, &cl) || cl > cap)
			e = SF_SIP_E_CONTENT_LENGTH;
		else
			m->content_length = (int64_t)cl;
		break;
	default:
		break;
	}
	if (e != SF_SIP_OK)
		return fail(m, e, voff + bad);
	return 0;
}

/*
 * One header field (§7.3) at pos: name, colon, value up to its CRLF
 * (folds included), recorded in m->hdrs.  0 with *next at the following
 * line, or -1 (fail).
 */
HOT int scan_header(const unsigned char *b, size_t pos, size_t end,
		    uint32_t cap, sf_sipmsg_t *m, size_t *next)
{
	size_t i, nlen, colon, cr, where = 0;
	sf_sip_hdr_t *h;
	sf_hdr_id_t id;
	sf_sip_error_t e;
	sf_str_t v;

	id = scan_name(b, pos, end, &nlen, &i);
	while (i < end && is_wsp(b[i]))
		i++;
	if (i >= end)
		return fail(m, SF_SIP_E_NO_END, i);
	if (nlen == 0 || b[i] != ':')
		return fail(m, no_colon(b, i, end), i);
	colon = i;
	e = find_eol(b, colon + 1, end, true, &cr, &where);
	if (e != SF_SIP_OK)
		return fail(m, e, e == SF_SIP_E_LINE_TOO_LONG ? pos : where);
	if (cr - pos > SF_SIP_MAX_LINE)
		return fail(m, SF_SIP_E_LINE_TOO_LONG, pos);
	if (m->n_hdrs >= SF_SIP_MAX_HEADERS)
		return fail(m, SF_SIP_E_TOO_MANY_HEADERS, pos);

	v = trim_lws((const char *)b + colon + 1, cr - colon - 1);
	h = &m->hdrs[m->n_hdrs];
	h->id = id;
	h->name = sf_str((const char *)b + pos, nlen);
	h->value = v;
	h->start = (uint32_t)pos;
	h->end = (uint32_t)(cr + 2);
	if (id != SF_HDR_OTHER) {
		if (check_value(m, id, v, (size_t)(v.s - (const char *)b), pos,
				cap))
			return -1;
		if (m->first[id] < 0)
			m->first[id] = (int16_t)m->n_hdrs;
		m->count[id]++;
	}
	m->n_hdrs++;
	*next = cr + 2;
	return 0;
}

/*
 * After the empty line at pos: the mandatory headers and where the body
 * ends (Content-Length, else the datagram's end; end is relative to
 * m->buf).  0, or -1 (fail).
 */
HOT int scan_end(sf_sipmsg_t *m, size_t pos, size_t end, bool stream)
{
	m->header_end = (uint32_t)pos;
	m->body_start = (uint32_t)(pos + 2);

	/* §8.1.1 / §8.2.2.1: the mandatory headers (RFC 4475 insuf) */
	if (!m->count[SF_HDR_VIA] || !m->count[SF_HDR_FROM] ||
	    !m->count[SF_HDR_TO] || !m->count[SF_HDR_CALL_ID] ||
	    !m->count[SF_HDR_CSEQ])
		return fail(m, SF_SIP_E_MISSING, pos);

	if (m->content_length >= 0) {
		/* §18.3: more than what arrived is an error, less ends the
		 * message there (RFC 4475 clerr, dblreq) */
		if ((uint64_t)m->content_length > end - m->body_start)
			return fail(
			    m, SF_SIP_E_CONTENT_LENGTH,
			    m->first[SF_HDR_CONTENT_LENGTH] >= 0
				? m->hdrs[m->first[SF_HDR_CONTENT_LENGTH]].start
				: pos);
		m->len = m->body_start + (uint32_t)m->content_length;
	} else if (stream) {
		/* §18.3: mandatory on stream transports */
		return fail(m, SF_SIP_E_CONTENT_LENGTH, pos);
	} else {
		m->len = (uint32_t)end;
	}
	m->body = sf_str(m->buf + m->body_start, m->len - m->body_start);
	return 0;
}

int sf_sip_scan(const char *buf, size_t len, const sf_sip_limits_t *lim,
		sf_sipmsg_t *m)
{
	const unsigned char *b;
	uint32_t cap = lim && lim->max_message ? lim->max_message
					       : SF_SIP_DEFAULT_MAX_MESSAGE;
	bool stream = lim && lim->stream;
	size_t skip = 0, end, pos;

	msg_reset(m, buf);
	if (len > cap)
		return fail(m, SF_SIP_E_TOO_BIG, cap);
	if (!buf)
		return fail(m, SF_SIP_E_EMPTY, 0);

	/* Keep-alive CRLFs before the start line (RFC 5626 §4.4.1;
	 * RFC 3261 §7.5 asks to ignore them). */
	while (skip + 1 < len && buf[skip] == '\r' && buf[skip + 1] == '\n')
		skip += 2;
	if (skip == len)
		return fail(m, SF_SIP_E_EMPTY, 0);
	b = (const unsigned char *)buf + skip;
	end = len - skip;
	m->buf = buf + skip;
	m->skipped = (uint32_t)skip;

	if (scan_start_line(b, end, m, &pos))
		return -1;
	/* header fields (§7.3) up to the empty line */
	for (;;) {
		if (pos >= end)
			return fail(m, SF_SIP_E_NO_END, pos);
		if (b[pos] == '\r') {
			if (pos + 1 >= end)
				return fail(m, SF_SIP_E_NO_END, pos);
			if (b[pos + 1] != '\n')
				return fail(m, SF_SIP_E_LINE_ENDING, pos);
			break;
		}
		if (scan_header(b, pos, end, cap, m, &pos))
			return -1;
	}
	return scan_end(m, pos, end, stream);
}

const sf_sip_hdr_t *sf_sip_hdr_nth(const sf_sipmsg_t *m, sf_hdr_id_t id,
				   unsigned i)
{
	if (!m || id <= SF_HDR_OTHER || id >= SF_HDR_COUNT ||
	    m->first[id] < 0 || i >= m->count[id])
		return NULL;
	for (unsigned k = (unsigned)m->first[id]; k < m->n_hdrs; k++) {
		if (m->hdrs[k].id == id) {
			if (i == 0)
				return &m->hdrs[k];
			i--;
		}
	}
	return NULL;
}

bool sf_sip_is_invite(const sf_sipmsg_t *m)
{
	return m && m->is_request && m->error == SF_SIP_OK &&
	       sf_str_eq(m->method, SF_STR_LIT("INVITE"));
}
