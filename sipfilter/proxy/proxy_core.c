/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_core.c - the stateless proxy's SIP behaviour (see proxy_core.h):
 * carries out what admission decided.
 */
#include "proxy_core.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "proxy_resp.h"

/* ------------------------------------------------------------------ */
/* addresses */

static void ip_to_sa(const sf_ip_t *ip, uint16_t port,
		     struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (ip->v4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, ip->a + 12, 4);
		*len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, ip->a, 16);
		*len = sizeof(*s6);
	}
}

static void set_allow(sf_proxy_t *p, size_t t)
{
	const sf_trunk_t *tr = &p->cfg->trunks[t];
	char *o = p->allow[t];
	size_t n = 0, cap = sizeof(p->allow[t]);

	o[0] = '\0';
	for (size_t i = 0; i < tr->n_methods; i++)
		n += (size_t)snprintf(o + n, n < cap ? cap - n : 0, "%s, ",
				      tr->methods[i]);
	if (n < cap)
		snprintf(o + n, cap - n, "ACK, CANCEL, OPTIONS");
}

/* The listener a next hop's requests name in our Via and Record-Route:
 * one of its transport and family, else (TCP, TLS) the UDP one of the
 * family (the connection carries the responses back anyway); -1. */
static int hop_listener(const sf_proxy_t *p, sf_transport_t tp, bool v4)
{
	int l = -1;

	if (tp == SF_TP_TLS)
		l = v4 ? p->tls4 : p->tls6;
	if (tp == SF_TP_TCP || (tp == SF_TP_TLS && l < 0))
		l = v4 ? p->tcp4 : p->tcp6;
	if (l < 0)
		l = v4 ? p->udp4 : p->udp6;
	return l;
}

int sf_proxy_init(sf_proxy_t *p, const sf_cfg_t *cfg, const sf_key_t *key,
		  sf_err_t *err)
{
	sf_key_t rnd;
	int rc;

	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->udp4 = p->udp6 = p->tcp4 = p->tcp6 = p->tls4 = p->tls6 = -1;
	if (!key && !cfg->serve.secret_len) {
		if (sf_key_random(&rnd))
			return sf_err_set(err, SF_EIO, NULL, 0, 0,
					  "cannot generate a random key");
		key = &rnd;
	}
	rc = sf_edge_init(&p->edge, cfg, key, err);
	if (rc)
		return rc;
	p->lim_udp = p->edge.lim_udp;
	p->lim_tcp = p->edge.lim_tcp;
	for (unsigned i = 0; i < SF_ST_MAX_RULES; i++)
		p->rule_slot[i] = (uint8_t)i;
	for (unsigned t = 0; t < SF_CFG_MAX_TRUNKS; t++)
		p->trunk_slot[t] = (uint8_t)(t + 1);
	for (size_t i = 0; i < cfg->serve.n_listeners; i++) {
		sf_plisten_t *l = &p->listeners[p->n_listeners];
		char ipbuf[64];

		l->ip = p->edge.ls[i].ip;
		l->tp = p->edge.ls[i].tp;
		l->port = p->edge.ls[i].port;
		ip_to_sa(&l->ip, l->port, &l->sa, &l->salen);
		l->family = l->ip.v4 ? AF_INET : AF_INET6;
		sf_ip_format(&l->ip, ipbuf, sizeof(ipbuf));
		snprintf(l->sentby, sizeof(l->sentby),
			 l->ip.v4 ? "%s:%u" : "[%s]:%u", ipbuf,
			 (unsigned)l->port);
		l->sentby_len = strlen(l->sentby);
		if (l->tp == SF_TP_UDP) {
			if (l->ip.v4 && p->udp4 < 0)
				p->udp4 = (int)p->n_listeners;
			if (!l->ip.v4 && p->udp6 < 0)
				p->udp6 = (int)p->n_listeners;
		} else {
			int *v4 = l->tp == SF_TP_TLS ? &p->tls4 : &p->tcp4;
			int *v6 = l->tp == SF_TP_TLS ? &p->tls6 : &p->tcp6;

			if (l->ip.v4 && *v4 < 0)
				*v4 = (int)p->n_listeners;
			if (!l->ip.v4 && *v6 < 0)
				*v6 = (int)p->n_listeners;
		}
		p->n_listeners++;
	}
	for (size_t t = 0; t < cfg->n_trunks && t < SF_CFG_MAX_TRUNKS; t++) {
		const sf_trunk_t *tr = &cfg->trunks[t];
		sf_phop_t *h = &p->hops[t];

		set_allow(p, t);
		if (!tr->has_next_hop)
			continue;
		if (!p->edge.hop_ok[t])
			return sf_err_set(err, SF_EINVAL, cfg->path, tr->line, 0,
					  "trunk '%s': next hop '%s' must be a "
					  "literal IP address", tr->name,
					  tr->next_hop.host);
		ip_to_sa(&p->edge.hop_ip[t], p->edge.hop_port[t], &h->sa,
			 &h->salen);
		h->tp = tr->next_hop.transport;
		h->listener = hop_listener(p, h->tp, p->edge.hop_ip[t].v4);
		if (h->listener < 0)
			return sf_err_set(err, SF_EINVAL, cfg->path, tr->line, 0,
					  "trunk '%s': no listener of the "
					  "next hop's address family", tr->name);
		h->ok = true;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* answers */

/* Counters for an answer of ours, by status. */
static sf_st_sent_t sent_kind(const sf_admission_t *a)
{
	if (a->why == SF_WHY_VERDICT)
		return SF_SENT_REJECT;
	switch (a->code) {
	case 200: return SF_SENT_OPTIONS_200;
	case 400: return SF_SENT_400;
	case 403: return SF_SENT_403;
	case 404: return SF_SENT_404;
	case 405: return SF_SENT_405;
	case 482: return SF_SENT_482;
	case 483: return SF_SENT_483;
	default: return SF_SENT_REJECT;
	}
}

/*
 * A stateless response to c->msg (§8.2.6), to the request's source: the
 * port is the source port when rport was asked for (or on TCP: the same
 * connection), else the sent-by port (§18.2.2, RFC 3581).
 */
static int reply(sf_pctx_t *c, const sf_pin_t *in, const sf_ip_t *src,
		 uint16_t sport, sf_pout_t *out)
{
	const sf_sipmsg_t *m = &c->msg;
	const sf_admission_t *a = &c->adm;
	const sf_via_t *via = &a->top;
	sf_resp_opts_t o = {0};
	char rcv[64], tag[SF_TAG_LEN];
	sf_str_t ftag = a->from_tag, cid = a->call_id;
	long n;

	if (sf_str_eq(m->method, SF_STR_LIT("ACK")) || !a->top_ok)
		return 0; /* never answer an ACK (RFC 3261 §17.2.1) */
	if (!cid.len) {
		/* a salvaged request: admission read no tags */
		const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, SF_HDR_CALL_ID, 0);

		if (!h)
			return 0;
		cid = h->value;
		sf_msg_tag(m, SF_HDR_FROM, &ftag);
	}
	sf_token_totag(&c->p->edge.key, cid, ftag,
		       via->has_branch ? via->branch : SF_STR_NULL, tag);
	sf_ip_format(src, rcv, sizeof(rcv));
	o.code = a->code;
	o.phrase = a->phrase;
	o.reason_text = a->outcome == SF_OUT_REJECT &&
					a->why != SF_WHY_METHOD_NOT_ALLOWED
				? sf_admission_rule(a)
				: NULL;
	o.received = rcv;
	o.rport = sport;
	o.warning = a->warning[0] ? a->warning : NULL;
	o.warn_agent = c->p->listeners[in->listener].sentby;
	o.to_tag = tag;
	o.allow = a->allow_hdr && a->trunk >= 0 ? c->p->allow[a->trunk]
		  : a->allow_hdr ? "INVITE, ACK, CANCEL, OPTIONS" : NULL;
	n = sf_resp_build(m, &o, out->buf, out->cap);
	if (n < 0) {
		SF_ST_INC(c->st->drop[SF_DROP_TOO_BIG]);
		return 0;
	}
	/* No amplification towards a source we do not know (a forged UDP
	 * source address would make us a reflector). */
	if (a->trunk < 0 && in->tp == SF_TP_UDP && (size_t)n > in->len) {
		SF_ST_INC(c->st->drop[SF_DROP_AMPLIFICATION]);
		return 0;
	}
	out->len = (size_t)n;
	out->tp = in->tp;
	out->reply = true;
	if (!via->has_rport && in->tp == SF_TP_UDP)
		sport = via->port ? via->port : 5060;
	ip_to_sa(src, sport, &out->dst, &out->dstlen);
	out->listener = (int)in->listener;
	SF_ST_INC(c->st->sent[sent_kind(a)]);
	return 1;
}

/* ------------------------------------------------------------------ */
/* responses */

/* Destination from a Via (the one after ours), RFC 3261 §18.2.2. */
static bool via_dest(const sf_proxy_t *p, const sf_via_t *v, sf_pout_t *out)
{
	sf_ip_t ip;
	uint16_t port;

	if (!sf_host_ip(v->has_received ? v->received : v->host, &ip))
		return false;
	port = v->rport_has_value ? v->rport : (v->port ? v->port : 5060);
	ip_to_sa(&ip, port, &out->dst, &out->dstlen);
	/* a TLS Via is answered over TLS or not at all (RFC 5630 §3) */
	out->tp = sf_via_transport(v);
	out->listener = ip.v4 ? p->udp4 : p->udp6;
	return sf_tp_stream(out->tp) || out->listener >= 0;
}

static int handle_response(sf_pctx_t *c, const sf_ip_t *src, sf_pout_t *out)
{
	const sf_sipmsg_t *m = &c->msg;
	const sf_sip_hdr_t *h0 = sf_sip_hdr_nth(m, SF_HDR_VIA, 0);
	sf_via_t top, next;
	sf_why_t why;
	long n;

	if (!sf_admit_response(&c->p->edge, m, src, &top, &next, &why)) {
		SF_ST_INC(c->st->drop[why == SF_WHY_BAD_VIA ? SF_DROP_BAD_VIA
							     : SF_DROP_NOT_OURS]);
		return 0;
	}
	if (!via_dest(c->p, &next, out)) {
		SF_ST_INC(c->st->drop[SF_DROP_UNROUTABLE]);
		return 0;
	}
	sf_edit_init(&c->edit);
	if (top.next) /* "Via: ours, theirs": drop up to the next value */
		sf_edit_replace(&c->edit, (uint32_t)(h0->value.s - m->buf),
				(uint32_t)(top.next - h0->value.s), NULL, 0);
	else
		sf_edit_replace(&c->edit, h0->start, h0->end - h0->start,
				NULL, 0);
	n = sf_edit_apply(&c->edit, m->buf, m->len, out->buf, out->cap);
	if (n < 0) {
		SF_ST_INC(c->st->drop[SF_DROP_TOO_BIG]);
		return 0;
	}
	out->len = (size_t)n;
	out->reply = false;
	SF_ST_INC(c->st->fwd_responses);
	return 1;
}

/* ------------------------------------------------------------------ */
/* forwarding */

static unsigned rule_slot(const sf_proxy_t *p, const sf_verdict_t *v)
{
	if (v->rule >= 0)
		return v->rule < SF_ST_MAX_RULES ? p->rule_slot[v->rule]
						 : SF_ST_RULE_UNVERIFIED;
	if (v->special == SF_SPECIAL_EMERGENCY)
		return SF_ST_RULE_EMERGENCY;
	if (v->special == SF_SPECIAL_UNVERIFIED)
		return SF_ST_RULE_UNVERIFIED;
	return SF_ST_RULE_NONE;
}

/* Where a forwarded request goes, and the listener it leaves by. */
static bool destination(sf_pctx_t *c, sf_pout_t *out)
{
	const sf_proxy_t *p = c->p;
	const sf_admission_t *a = &c->adm;

	if (a->hop_trunk >= 0) {
		const sf_phop_t *h = &p->hops[a->hop_trunk];

		if (!h->ok)
			return false;
		out->dst = h->sa;
		out->dstlen = h->salen;
		out->listener = h->listener;
		out->tp = h->tp;
		out->hop = a->hop_trunk;
		return true;
	}
	ip_to_sa(&a->target, a->target_port, &out->dst, &out->dstlen);
	out->tp = a->target_tp;
	if (out->tp == SF_TP_TLS) {
		/* sips: / transport=tls: over TLS or not at all, never a
		 * silent downgrade (RFC 5630 §3.1.1) */
		out->listener = a->target.v4 ? p->tls4 : p->tls6;
		return out->listener >= 0;
	}
	if (out->tp == SF_TP_TCP)
		out->listener = a->target.v4 ? p->tcp4 : p->tcp6;
	if (out->tp == SF_TP_UDP || out->listener < 0) {
		/* no TCP listener of that family: Via names the UDP one */
		out->listener = a->target.v4 ? p->udp4 : p->udp6;
	}
	return out->listener >= 0;
}

/* Routes: every one removed out of dialog; ours popped in dialog. */
static void edit_routes(sf_pctx_t *c)
{
	const sf_sipmsg_t *m = &c->msg;
	const sf_admission_t *a = &c->adm;

	if (a->strip_routes) {
		for (unsigned i = 0;; i++) {
			const sf_sip_hdr_t *h =
				sf_sip_hdr_nth(m, SF_HDR_ROUTE, i);

			if (!h)
				break;
			sf_edit_replace(&c->edit, h->start, h->end - h->start,
					NULL, 0);
		}
	} else if (a->pop_routes) {
		sf_rvalue_t rv[SF_ROUTE_MAX];
		unsigned n = sf_route_values(m, SF_HDR_ROUTE, rv, SF_ROUTE_MAX);
		uint32_t off, del;

		for (unsigned line = 0;
		     sf_route_pop_range(m, rv, n < SF_ROUTE_MAX ? n
								: SF_ROUTE_MAX,
					a->pop_routes, line, &off, &del);
		     line++)
			sf_edit_replace(&c->edit, off, del, NULL, 0);
	}
}

/* One Record-Route URI of ours: <sip:SENTBY;transport=tcp;lr;sfk=T>. */
static void put_rr(sf_edit_t *e, const sf_plisten_t *l,
		   const char tok[SF_RR_TOKEN_LEN])
{
	sf_edit_put(e, "Record-Route: <sip:", 19);
	sf_edit_put(e, l->sentby, l->sentby_len);
	if (l->tp == SF_TP_TCP)
		sf_edit_put(e, ";transport=tcp", 14);
	else if (l->tp == SF_TP_TLS)
		sf_edit_put(e, ";transport=tls", 14);
	sf_edit_put(e, ";lr;" SF_RR_TOKEN_PARAM "=", 8);
	sf_edit_put(e, tok, SF_RR_TOKEN_LEN);
	sf_edit_put(e, ">\r\n", 3);
}

/*
 * Record-Route (§16.6 item 4) above any already there: the URI the next
 * hop's side reaches us by, then - when the request arrived on another
 * interface or transport - the one the sender's side does (a double
 * Record-Route, as Kamailio's rr module writes it).  The token lets any
 * node recognise the dialog's requests (sf_token.h).
 */
static void edit_record_route(sf_pctx_t *c, const sf_pin_t *in,
			      const sf_plisten_t *ol)
{
	const sf_sipmsg_t *m = &c->msg;
	const sf_plisten_t *il = &c->p->listeners[in->listener];
	const sf_sip_hdr_t *rr = sf_sip_hdr_nth(m, SF_HDR_RECORD_ROUTE, 0);
	char tok[SF_RR_TOKEN_LEN];
	uint32_t mk;

	sf_token_rr(&c->p->edge.key, c->adm.call_id, c->adm.from_tag, tok);
	mk = sf_edit_begin(&c->edit);
	put_rr(&c->edit, ol, tok);
	if (il != ol && (il->tp != ol->tp || il->family != ol->family ||
			 strcmp(il->sentby, ol->sentby)))
		put_rr(&c->edit, il, tok);
	sf_edit_end(&c->edit, mk, rr ? rr->start : m->header_end, 0);
}

/* Our Via on top, with the keyed branch (sf_token.h). */
static void edit_via(sf_pctx_t *c, const sf_plisten_t *ol, sf_transport_t tp)
{
	const sf_sipmsg_t *m = &c->msg;
	const sf_admission_t *a = &c->adm;
	const sf_sip_hdr_t *via0 = sf_sip_hdr_nth(m, SF_HDR_VIA, 0);
	char br[SF_BRANCH_LEN];
	uint32_t mk;

	sf_branch_format(sf_admit_branch_k(&c->p->edge, m, a), a->loop_hash,
			 br);
	mk = sf_edit_begin(&c->edit);
	sf_edit_put(&c->edit,
		    tp == SF_TP_TLS   ? "Via: SIP/2.0/TLS "
		    : tp == SF_TP_TCP ? "Via: SIP/2.0/TCP "
				      : "Via: SIP/2.0/UDP ",
		    17);
	sf_edit_put(&c->edit, ol->sentby, ol->sentby_len);
	sf_edit_put(&c->edit, ";branch=", 8);
	sf_edit_put(&c->edit, br, SF_BRANCH_LEN);
	sf_edit_put(&c->edit, "\r\n", 2);
	sf_edit_end(&c->edit, mk, via0->start, 0);
}

/* Max-Forwards decremented, or added as 70 (§16.6 item 3). */
static void edit_max_forwards(sf_pctx_t *c)
{
	const sf_sipmsg_t *m = &c->msg;
	const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, SF_HDR_MAX_FORWARDS, 0);
	unsigned long v = 0;

	if (!h) {
		sf_edit_insert(&c->edit, m->header_end,
			       "Max-Forwards: 70\r\n", 18);
		return;
	}
	/* admission checked: 1..10 digits, not 0 */
	for (size_t i = 0; i < h->value.len; i++)
		v = v * 10 + (unsigned long)(h->value.s[i] - '0');
	if (v > 255)
		v = 255;
	{
		uint32_t mk = sf_edit_begin(&c->edit);

		sf_edit_put_u(&c->edit, v - 1);
		sf_edit_end(&c->edit, mk, (uint32_t)(h->value.s - m->buf),
			    (uint32_t)h->value.len);
	}
}

static int forward(sf_pctx_t *c, const sf_tables_t *tables, const sf_pin_t *in,
		   const sf_ip_t *src, uint16_t sport, sf_pout_t *out)
{
	const sf_sipmsg_t *m = &c->msg;
	const sf_admission_t *a = &c->adm;
	const sf_plisten_t *ol;
	char rcv[64];
	sf_ip_t h;
	long n;

	if (!destination(c, out)) {
		SF_ST_INC(c->st->drop[SF_DROP_UNROUTABLE]);
		return 0;
	}
	ol = &c->p->listeners[out->listener];
	sf_edit_init(&c->edit);
	if (a->method == SF_M_INVITE)
		/* the verdict's edits (sf_mark.h) */
		sf_mark(c->p->cfg, m, a->trunk, a->v.rule_name,
			a->judged ? a->outcome : SF_OUT_FORWARD,
			!tables && a->v.rule < 0, &c->edit);
	edit_routes(c);
	sf_ip_format(src, rcv, sizeof(rcv));
	sf_resp_via_source(&c->edit, m->buf, &a->top, rcv,
			   sf_host_ip(a->top.host, &h) &&
				   !memcmp(h.a, src->a, 16),
			   sport, sf_tp_stream(in->tp));
	edit_via(c, ol, out->tp);
	if (a->record_route)
		edit_record_route(c, in, ol);
	edit_max_forwards(c);
	n = sf_edit_apply(&c->edit, m->buf, m->len, out->buf, out->cap);
	if (n < 0) {
		SF_ST_INC(c->st->drop[SF_DROP_TOO_BIG]);
		return 0;
	}
	out->len = (size_t)n;
	out->reply = false;
	SF_ST_INC(c->st->fwd_requests);
	return 1;
}

/* ------------------------------------------------------------------ */
/* requests */

static void count_verdict(sf_pctx_t *c)
{
	const sf_proxy_t *p = c->p;
	const sf_verdict_t *v = &c->adm.v;
	int trunk = c->adm.trunk;
	unsigned tslot = trunk >= 0 && trunk < SF_CFG_MAX_TRUNKS
				 ? p->trunk_slot[trunk] : 0;

	SF_ST_INC(c->st->verdicts[tslot][rule_slot(p, v)]
				 [v->mode == SF_MODE_MONITOR]);
	if (v->action != SF_ACT_ALLOW && p->log) {
		char line[768];

		size_t n;

		sf_proxy_log_line(p->cfg, v, &c->call, line, sizeof(line));
		/* how the trunk was recognised (source, cert, ...) */
		n = strlen(line);
		snprintf(line + n, sizeof(line) - n, " match=%s",
			 sf_trunk_how_name(&c->adm));
		p->log(p->log_arg,
		       v->applied == SF_ACT_REJECT ? LOG_NOTICE : LOG_INFO,
		       line);
	}
}

/* The drop counter that stands for an admission reason. */
static sf_st_drop_t drop_kind(sf_why_t w)
{
	switch (w) {
	case SF_WHY_BAD_VIA: return SF_DROP_BAD_VIA;
	case SF_WHY_NO_NEXT_HOP: return SF_DROP_UNROUTABLE;
	case SF_WHY_UNKNOWN_SOURCE: return SF_DROP_UNROUTABLE;
	case SF_WHY_BAD_MAX_FORWARDS:
	case SF_WHY_MALFORMED:
	case SF_WHY_METHOD_CASE: return SF_DROP_PARSE;
	default: return SF_DROP_COUNT;
	}
}

/* Carries out the admission of a request (c->adm). */
static int handle_request(sf_pctx_t *c, const sf_tables_t *tables,
			  const sf_pin_t *in, const sf_ip_t *src,
			  uint16_t sport, sf_pout_t *out)
{
	const sf_admission_t *a = &c->adm;

	SF_ST_INC(c->st->why[a->why]);
	if (a->judged)
		count_verdict(c);
	else if (a->why == SF_WHY_UNKNOWN_SOURCE && a->method == SF_M_INVITE)
		SF_ST_INC(c->st->verdicts[0][SF_ST_RULE_UNKNOWN_SOURCE][0]);
	switch (a->outcome) {
	case SF_OUT_FORWARD:
	case SF_OUT_TAG:
	case SF_OUT_WITHHOLD:
		return forward(c, tables, in, src, sport, out);
	case SF_OUT_REJECT:
	case SF_OUT_REFUSE:
	case SF_OUT_ANSWER:
		if (a->why == SF_WHY_LOOP)
			SF_ST_INC(c->st->drop[SF_DROP_LOOP]);
		else if (a->why == SF_WHY_TOO_MANY_HOPS)
			SF_ST_INC(c->st->drop[SF_DROP_MAX_FORWARDS]);
		else if (a->outcome == SF_OUT_REFUSE)
			SF_ST_INC(c->st->drop[SF_DROP_PARSE]);
		return reply(c, in, src, sport, out);
	default:
		if (a->why == SF_WHY_ACK_ABSORBED)
			SF_ST_INC(c->st->acks_absorbed);
		else if (drop_kind(a->why) != SF_DROP_COUNT)
			SF_ST_INC(c->st->drop[drop_kind(a->why)]);
		return 0;
	}
}

int sf_proxy_handle(sf_pctx_t *c, const sf_tables_t *tables,
		    const sf_pin_t *in, sf_pout_t *out)
{
	static const sf_st_rx_t rx[SF_M_COUNT] = {
		SF_RX_INVITE, SF_RX_ACK, SF_RX_BYE, SF_RX_CANCEL,
		SF_RX_OPTIONS, SF_RX_OTHER,
	};
	sf_admission_t *a = &c->adm;
	sf_admit_in_t ai = {in->buf, in->len, in->tp, {{0}, 0}, 0,
			    SF_TRUNK_BY_SOURCE, SF_HOW_SOURCE, false};

	out->len = 0;
	out->reply = false;
	out->hop = -1;
	if (sf_ip_from_sockaddr(in->src, &ai.src, &ai.sport))
		return 0;
	if (in->tp == SF_TP_TLS) {
		ai.trunk = in->trunk;
		ai.how = in->how;
	}
	sf_admit(&c->p->edge, tables, &ai, &c->msg, &c->call, a);
	if (a->why == SF_WHY_KEEPALIVE) {
		SF_ST_INC(c->st->rx[SF_RX_KEEPALIVE]);
		return 0;
	}
	if (a->sip_error != SF_SIP_OK) {
		/* the scanner refused it; admission salvaged what it could */
		SF_ST_INC(c->st->parse_err[a->sip_error < SF_SIP_E_COUNT
						   ? a->sip_error : 0]);
		SF_ST_INC(c->st->drop[SF_DROP_PARSE]);
		SF_ST_INC(c->st->why[a->why]);
		return a->outcome == SF_OUT_REFUSE
			       ? reply(c, in, &ai.src, ai.sport, out)
			       : 0;
	}
	if (a->is_response) {
		SF_ST_INC(c->st->rx[SF_RX_RESPONSE]);
		/* a TLS peer its certificate identified is named by it */
		return handle_response(c, in->tp == SF_TP_TLS &&
					       ai.trunk >= 0 &&
					       (ai.how == SF_HOW_CERT ||
						ai.how == SF_HOW_CERT_SOURCE)
					       ? NULL : &ai.src, out);
	}
	SF_ST_INC(c->st->rx[rx[a->method]]);
	return handle_request(c, tables, in, &ai.src, ai.sport, out);
}
