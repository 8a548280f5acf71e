/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_resp.c - stateless responses per RFC 3261 §8.2.6 and our tags.
 */
#include "proxy_resp.h"

#include <stdio.h>

#include "proxy_edit.h"
#include "proxy_via.h"

void sf_hex16(uint64_t h, char out[16])
{
	static const char hx[] = "0123456789abcdef";

	for (int i = 15; i >= 0; i--) {
		out[i] = hx[h & 15];
		h >>= 4;
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
	if (o->rport && v.has_rport && !v.rport_has_value)
		sf_edit_replacef(&e, (uint32_t)(v.rport_param.s - line),
				 (uint32_t)v.rport_param.len, "rport=%u",
				 (unsigned)o->rport);
	if (o->received && !v.has_received)
		sf_edit_replacef(&e, (uint32_t)(v.end - line), 0,
				 ";received=%s", o->received);
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
	char line[96];
	sf_str_t tagv;
	const char *phrase = o->phrase && *o->phrase ? o->phrase :
						       sf_resp_phrase(o->code);

	if (!m->is_request || !to || !via0 || o->code < 100 || o->code > 699 ||
	    !sf_sip_hdr_nth(m, SF_HDR_FROM, 0) ||
	    !sf_sip_hdr_nth(m, SF_HDR_CALL_ID, 0) ||
	    !sf_sip_hdr_nth(m, SF_HDR_CSEQ, 0))
		return -1;
	snprintf(line, sizeof(line), "SIP/2.0 %u ", (unsigned)o->code);
	puts_c(&b, line);
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
		snprintf(line, sizeof(line), "Reason: SIP;cause=%u;text=\"",
			 (unsigned)o->code);
		puts_c(&b, line);
		put_quoted_text(&b, o->reason_text);
		puts_c(&b, "\"\r\n");
	}
	puts_c(&b, "Content-Length: 0\r\n\r\n");
	return b.overflow ? -1 : (long)b.len;
}
