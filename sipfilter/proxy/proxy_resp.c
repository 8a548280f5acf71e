/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_resp.c - stateless responses per RFC 3261 §8.2.6 and our tags.
 */
#include "proxy_resp.h"

#include <stddef.h>
#include <string.h>

#include "base/sf_err.h"
#include "base/sf_phrase.h"
#include "base/sf_edit.h"
#include "sipfilter/engine/sf_via.h"


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

void sf_resp_via_source(sf_edit_t *e, const char *origin, const sf_via_t *v,
			const char *rcv, bool host_is_src, uint16_t sport,
			bool add_rport)
{
	if (v->has_received) {
		/* never the sender's own claim (RFC 3261 §18.2.1) */
		sf_edit_replace(e, (uint32_t)(v->received.s - origin),
				(uint32_t)v->received.len, rcv, strlen(rcv));
	} else if (!host_is_src) {
		uint32_t mk = sf_edit_begin(e);

		sf_edit_put(e, ";received=", 10);
		sf_edit_put(e, rcv, strlen(rcv));
		sf_edit_end(e, mk, (uint32_t)(v->end - origin), 0);
	}
	if (v->has_rport || add_rport) {
		/* RFC 3581 §4: the source port, whatever was written */
		uint32_t mk = sf_edit_begin(e);

		sf_edit_put(e, v->has_rport ? "rport=" : ";rport=",
			    v->has_rport ? 6 : 7);
		sf_edit_put_u(e, sport);
		if (v->has_rport)
			sf_edit_end(e, mk,
				    (uint32_t)(v->rport_param.s - origin),
				    (uint32_t)v->rport_param.len);
		else
			sf_edit_end(e, mk, (uint32_t)(v->end - origin), 0);
	}
}

/* The top Via line with received/rport set from the real source. */
static void copy_top_via(ob_t *b, const sf_sipmsg_t *m, const sf_sip_hdr_t *h,
			 const sf_resp_opts_t *o)
{
	sf_edit_t e;
	sf_via_t v;
	const char *line = m->buf + h->start;
	size_t llen = h->end - h->start;
	long n;

	if (sf_via_parse(h->value, &v) != 0 || !o->received) {
		put(b, line, llen);
		return;
	}
	sf_edit_init(&e);
	sf_resp_via_source(&e, line, &v, o->received, false, o->rport,
			   false);
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
						       sf_status_phrase(o->code);

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
	if (o->to_tag && o->code > 100 &&
	    !(sf_hdr_param(to->value, "tag", &tagv) && tagv.len)) {
		/* RFC 3261 §8.2.6.2: add a To-tag; the value's end is where
		 * the trimmed value stops, before any trailing LWS + CRLF.
		 * An empty or valueless tag is no tag: ours replaces it. */
		const char *ve = to->value.s + to->value.len;
		sf_str_t span;

		if (sf_hdr_param_span(to->value, "tag", &span)) {
			put(&b, m->buf + to->start,
			    (size_t)(span.s - (m->buf + to->start)));
			put(&b, ";tag=", 5);
			put(&b, o->to_tag, SF_TAG_LEN);
			put(&b, span.s + span.len,
			    (size_t)(ve - (span.s + span.len)));
		} else {
			put(&b, m->buf + to->start,
			    (size_t)(ve - (m->buf + to->start)));
			put(&b, ";tag=", 5);
			put(&b, o->to_tag, SF_TAG_LEN);
		}
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
	if (o->allow) {
		puts_c(&b, "Allow: ");
		puts_c(&b, o->allow);
		puts_c(&b, "\r\n");
	}
	puts_c(&b, "Content-Length: 0\r\n\r\n");
	return b.overflow ? -1 : (long)b.len;
}
