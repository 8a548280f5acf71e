/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_resp.c - stateless responses per RFC 3261 §8.2.6 and our tags.
 */
#include "proxy_resp.h"

#include <stddef.h>
#include <string.h>

#include "../base/sf_err.h"
#include "proxy_edit.h"
#include "proxy_via.h"

void sf_hex16(uint64_t h, char out[16])
{
	static const char hx[] = "0123456789abcdef";

	for (int i = 14; i >= 0; i -= 2) {
		out[i + 1] = hx[h & 15];
		out[i] = hx[(h >> 4) & 15];
		h >>= 8;
	}
}

bool sf_resp_tag(const sf_sipmsg_t *m, char tag[SF_TAG_LEN])
{
	const sf_sip_hdr_t *cid = sf_sip_hdr_nth(m, SF_HDR_CALL_ID, 0);
	const sf_sip_hdr_t *from = sf_sip_hdr_nth(m, SF_HDR_FROM, 0);
	sf_str_t ftag = SF_STR_NULL;
	sf_via_t via;
	uint64_t h = SF_HASH_INIT;

	if (!cid)
		return false;
	h = sf_hash_bytes(h, cid->value.s, cid->value.len);
	if (from && sf_hdr_param(from->value, "tag", &ftag))
		h = sf_hash_bytes(h, ftag.s, ftag.len);
	if (sf_via_nth(m, 0, &via) == 0 && via.has_branch)
		h = sf_hash_bytes(h, via.branch.s, via.branch.len);
	tag[0] = 's';
	tag[1] = 'f';
	sf_hex16(h, tag + 2);
	return true;
}

const char *sf_resp_phrase(uint16_t code)
{
	switch (code) {
	case 100: return "Trying";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 408: return "Request Timeout";
	case 416: return "Unsupported URI Scheme";
	case 482: return "Loop Detected";
	case 483: return "Too Many Hops";
	case 500: return "Server Internal Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 603: return "Decline";
	case 607: return "Unwanted";
	case 608: return "Rejected";
	default: break;
	}
	if (code >= 600) return "Global Failure";
	if (code >= 500) return "Server Error";
	if (code >= 400) return "Request Failure";
	if (code >= 300) return "Redirection";
	if (code >= 200) return "OK";
	return "Trying";
}

typedef struct ob {
	char *p;
	size_t len, cap;
	bool overflow;
} ob_t;

static void put(ob_t *b, const char *s, size_t n)
{
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void puts_c(ob_t *b, const char *s)
{
	put(b, s, strlen(s));
}

/* prefix then a status code (100..699: three digits) */
static void put_code(ob_t *b, const char *prefix, uint16_t code)
{
	char d[3];

	d[0] = (char)('0' + code / 100 % 10);
	d[1] = (char)('0' + code / 10 % 10);
	d[2] = (char)('0' + code % 10);

	puts_c(b, prefix);
	put(b, d, 3);
}

/* Copies the header lines of id verbatim. */
static void copy_hdrs(ob_t *b, const sf_sipmsg_t *m, sf_hdr_id_t id)
{
	for (unsigned i = 0; ; i++) {
		const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, id, i);

		if (!h)
			return;
		put(b, m->buf + h->start, h->end - h->start);
	}
}

/* The top Via line with received/rport filled in (RFC 3261 §18.2.1,
 * RFC 3581 §4). */
static void copy_top_via(ob_t *b, const sf_sipmsg_t *m, const sf_sip_hdr_t *h,
			 const sf_resp_opts_t *o)
{
	sf_edit_t e;
	sf_via_t v;
	const char *line = m->buf + h->start;
	size_t llen = h->end - h->start;
	long n;

	if (sf_via_parse(h->value, &v) != 0) {
		put(b, line, llen);
		return;
	}
	sf_edit_init(&e);
	if (o->rport && v.has_rport && !v.rport_has_value) {
		uint32_t mk = sf_edit_begin(&e);

		sf_edit_put(&e, "rport=", 6);
		sf_edit_put_u(&e, o->rport);
		sf_edit_end(&e, mk, (uint32_t)(v.rport_param.s - line),
			    (uint32_t)v.rport_param.len);
	}
	if (o->received && !v.has_received) {
		uint32_t mk = sf_edit_begin(&e);

		sf_edit_put(&e, ";received=", 10);
		sf_edit_put(&e, o->received, strlen(o->received));
		sf_edit_end(&e, mk, (uint32_t)(v.end - line), 0);
	}
	if (b->overflow || b->cap - b->len < llen + 128) {
		b->overflow = true;
		return;
	}
	n = sf_edit_apply(&e, line, llen, b->p + b->len, b->cap - b->len);
	if (n < 0) {
		b->overflow = true;
		return;
	}
	b->len += (size_t)n;
}

static void put_quoted_text(ob_t *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == '"' || c == '\\')
			put(b, "\\", 1);
		put(b, s, 1);
	}
}

long sf_resp_build(const sf_sipmsg_t *m, const sf_resp_opts_t *o, char *out,
		   size_t cap)
{
	const sf_sip_hdr_t *to = sf_sip_hdr_nth(m, SF_HDR_TO, 0);
	const sf_sip_hdr_t *via0 = sf_sip_hdr_nth(m, SF_HDR_VIA, 0);
	ob_t b = {out, 0, cap, false};
	sf_str_t tagv;
	const char *phrase = o->phrase && *o->phrase ? o->phrase :
						       sf_resp_phrase(o->code);

	if (!m->is_request || !to || !via0 || o->code < 100 || o->code > 699 ||
	    !sf_sip_hdr_nth(m, SF_HDR_FROM, 0) ||
	    !sf_sip_hdr_nth(m, SF_HDR_CALL_ID, 0) ||
	    !sf_sip_hdr_nth(m, SF_HDR_CSEQ, 0))
		return -1;
	put_code(&b, "SIP/2.0 ", o->code);
	put(&b, " ", 1);
	for (const char *p = phrase; *p; p++)
		if ((unsigned char)*p >= 0x20 && *p != 0x7f)
			put(&b, p, 1);
	put(&b, "\r\n", 2);
	copy_top_via(&b, m, via0, o);
	for (unsigned i = 1; ; i++) {
		const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, SF_HDR_VIA, i);

		if (!h)
			break;
		put(&b, m->buf + h->start, h->end - h->start);
	}
	copy_hdrs(&b, m, SF_HDR_FROM);
	if (!sf_hdr_param(to->value, "tag", &tagv) && o->code > 100) {
		/* RFC 3261 §8.2.6.2: add a To-tag; the value's end is where
		 * the trimmed value stops, before any trailing LWS + CRLF. */
		size_t vend = (size_t)(to->value.s + to->value.len - m->buf);
		char tag[SF_TAG_LEN];

		if (!sf_resp_tag(m, tag))
			return -1;
		put(&b, m->buf + to->start, vend - to->start);
		put(&b, ";tag=", 5);
		put(&b, tag, SF_TAG_LEN);
		put(&b, "\r\n", 2);
	} else {
		copy_hdrs(&b, m, SF_HDR_TO);
	}
	copy_hdrs(&b, m, SF_HDR_CALL_ID);
	copy_hdrs(&b, m, SF_HDR_CSEQ);
	if (o->reason_text) {
		put_code(&b, "Reason: SIP;cause=", o->code);
		put(&b, ";text=\"", 7);
		put_quoted_text(&b, o->reason_text);
		puts_c(&b, "\"\r\n");
	}
	if (o->warning && o->warn_agent) {
		puts_c(&b, "Warning: 399 ");
		puts_c(&b, o->warn_agent);
		puts_c(&b, " \"");
		put_quoted_text(&b, o->warning);
		puts_c(&b, "\"\r\n");
	}
	puts_c(&b, "Content-Length: 0\r\n\r\n");
	return b.overflow ? -1 : (long)b.len;
}

/* ------------------------------------------------------------------ */
/* salvage */

static bool tchar(unsigned char c)
{
	/* RFC 3261 §25.1 token characters. */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("-.!%*_+`'~", c));
}

/* Printable ASCII, tab or (UTF-8) high bytes: what we may echo. */
static bool clean(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

static bool salvage_start(const char *s, size_t n, sf_sipmsg_t *m)
{
	size_t i = 0, j;

	while (i < n && i < 32 && tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i >= n || s[i] != ' ')
		return false;
	m->method = sf_str(s, i);
	j = ++i;
	while (i < n && s[i] != ' ' && (unsigned char)s[i] > 0x20 &&
	       s[i] != 0x7f)
		i++;
	if (i == j || i >= n)
		return false;
	m->ruri = sf_str(s + j, i - j);
	return n - i == 8 && !memcmp(s + i, " SIP/2.0", 8);
}

int sf_resp_salvage(const char *buf, size_t len, sf_sipmsg_t *m)
{
	const char *p = buf, *e = buf + len, *nl;
	bool last_kept = false;
	sf_via_t via;

	memset(m, 0, offsetof(sf_sipmsg_t, hdrs));
	m->n_hdrs = 0;
	for (unsigned i = 0; i < SF_HDR_COUNT; i++) {
		m->first[i] = -1;
		m->count[i] = 0;
	}
	m->buf = buf;
	m->is_request = true;
	nl = memchr(p, '\n', (size_t)(e - p));
	if (!nl || nl == p || nl[-1] != '\r' ||
	    !salvage_start(p, (size_t)(nl - 1 - p), m))
		return SF_EPARSE;
	m->start_line_end = (uint32_t)(nl + 1 - buf);
	for (p = nl + 1; p < e; p = nl + 1) {
		const char *le, *colon, *ne, *vs, *ve;
		sf_hdr_id_t id;
		sf_sip_hdr_t *h;

		nl = memchr(p, '\n', (size_t)(e - p));
		if (!nl || nl == p || nl[-1] != '\r')
			break; /* bare LF or cut short: stop reading */
		le = nl - 1;
		if (le == p)
			break; /* the blank line */
		if (*p == ' ' || *p == '\t') {
			/* A fold: a kept header would be incomplete. */
			if (last_kept)
				return SF_EPARSE;
			continue;
		}
		last_kept = false;
		colon = memchr(p, ':', (size_t)(le - p));
		if (!colon)
			continue;
		ne = colon;
		while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		id = sf_sip_hdr_id(p, (size_t)(ne - p));
		if (id != SF_HDR_VIA && id != SF_HDR_FROM && id != SF_HDR_TO &&
		    id != SF_HDR_CALL_ID && id != SF_HDR_CSEQ)
			continue;
		vs = colon + 1;
		while (vs < le && (*vs == ' ' || *vs == '\t'))
			vs++;
		ve = le;
		while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (ve == vs || !clean(p, (size_t)(le - p)) ||
		    (id != SF_HDR_VIA && m->count[id]) ||
		    m->n_hdrs >= SF_SIP_MAX_HEADERS)
			return SF_EPARSE;
		h = &m->hdrs[m->n_hdrs];
		h->id = id;
		h->name = sf_str(p, (size_t)(ne - p));
		h->value = sf_str(vs, (size_t)(ve - vs));
		h->start = (uint32_t)(p - buf);
		h->end = (uint32_t)(nl + 1 - buf);
		if (m->first[id] < 0)
			m->first[id] = (int16_t)m->n_hdrs;
		m->count[id]++;
		m->n_hdrs++;
		last_kept = true;
	}
	if (!m->count[SF_HDR_VIA] || !m->count[SF_HDR_FROM] ||
	    !m->count[SF_HDR_TO] || !m->count[SF_HDR_CALL_ID] ||
	    !m->count[SF_HDR_CSEQ] ||
	    sf_via_parse(m->hdrs[m->first[SF_HDR_VIA]].value, &via) != 0)
		return SF_EPARSE;
	return 0;
}
