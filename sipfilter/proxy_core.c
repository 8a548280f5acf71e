/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_core.c - the stateless proxy's SIP behaviour (see proxy_core.h).
 */
#include "proxy_core.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "proxy_resp.h"
#include "proxy_via.h"

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

/* A canonical dotted quad (no leading zeros, each part <= 255) into
 * b[4]; false for anything else, including forms inet_pton would accept
 * (those go the slow way). */
static bool quad_fast(sf_str_t h, uint8_t b[4])
{
	const unsigned char *p = (const unsigned char *)h.s;
	const unsigned char *e = p + h.len;

	if (h.len < 7 || h.len > 15)
		return false;
	for (int i = 0; i < 4; i++) {
		unsigned v, d;

		if (p >= e || (v = (unsigned)*p - '0') > 9)
			return false;
		p++;
		if (p < e && (d = (unsigned)*p - '0') <= 9) {
			if (!v)
				return false; /* leading zero */
			v = v * 10 + d;
			p++;
			if (p < e && (d = (unsigned)*p - '0') <= 9) {
				v = v * 10 + d;
				p++;
				if (v > 255)
					return false;
			}
		}
		b[i] = (uint8_t)v;
		if (i < 3) {
			if (p >= e || *p != '.')
				return false;
			p++;
		}
	}
	return p == e;
}

static bool view_ip(sf_str_t host, sf_ip_t *ip)
{
	uint8_t b[4];

	if (quad_fast(host, b)) {
		sf_ip_from_v4(b, ip);
		return true;
	}
	return host.len > 0 && host.len < 64 &&
	       sf_ip_parse(host.s, host.len, ip) == 0;
}

static bool ip_eq(const sf_ip_t *a, const sf_ip_t *b);

/* Is host (a Via sent-by) the literal address ip? */
static bool host_is_ip(sf_str_t host, const sf_ip_t *ip)
{
	sf_ip_t h;

	return view_ip(host, &h) && ip_eq(&h, ip);
}

static bool ip_eq(const sf_ip_t *a, const sf_ip_t *b)
{
	return memcmp(a->a, b->a, 16) == 0;
}

/* Is host:port one of our listeners?  port 0 = the default 5060. */
static bool is_us(const sf_proxy_t *p, sf_str_t host, uint16_t port)
{
	sf_ip_t ip;

	if (!view_ip(host, &ip))
		return false;
	if (!port)
		port = 5060;
	for (unsigned i = 0; i < p->n_listeners; i++)
		if (p->listeners[i].port == port &&
		    ip_eq(&p->listeners[i].ip, &ip))
			return true;
	return false;
}

int sf_proxy_init(sf_proxy_t *p, const sf_cfg_t *cfg, sf_err_t *err)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->udp4 = p->udp6 = -1;
	p->default_trunk = -1;
	p->lim_udp.max_message = cfg->serve.max_message;
	p->lim_tcp.max_message = cfg->serve.max_message;
	p->lim_tcp.stream = true;
	for (size_t i = 0; i < cfg->serve.n_listeners; i++) {
		const sf_hostport_t *hp = &cfg->serve.listeners[i].addr;
		sf_plisten_t *l = &p->listeners[p->n_listeners];
		char ipbuf[64];

		if (sf_ip_parse(hp->host, strlen(hp->host), &l->ip))
			return sf_err_set(err, SF_EINVAL, cfg->path, 0, 0,
					  "listener '%s' is not a literal IP "
					  "address", hp->host);
		l->tp = hp->transport;
		l->port = hp->port ? hp->port : 5060;
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
		}
		p->n_listeners++;
	}
	for (size_t t = 0; t < cfg->n_trunks && t < SF_CFG_MAX_TRUNKS; t++) {
		const sf_trunk_t *tr = &cfg->trunks[t];
		sf_phop_t *h = &p->hops[t];
		sf_ip_t ip;

		if (!tr->has_next_hop)
			continue;
		if (tr->next_hop.transport != SF_TP_UDP)
			return sf_err_set(err, SF_EINVAL, cfg->path, tr->line, 0,
					  "trunk '%s': next hop over TCP is not "
					  "supported yet; use udp:", tr->name);
		if (sf_ip_parse(tr->next_hop.host, strlen(tr->next_hop.host),
				&ip))
			return sf_err_set(err, SF_EINVAL, cfg->path, tr->line, 0,
					  "trunk '%s': next hop '%s' must be a "
					  "literal IP address", tr->name,
					  tr->next_hop.host);
		ip_to_sa(&ip, tr->next_hop.port ? tr->next_hop.port : 5060,
			 &h->sa, &h->salen);
		h->listener = ip.v4 ? p->udp4 : p->udp6;
		if (h->listener < 0)
			return sf_err_set(err, SF_EINVAL, cfg->path, tr->line, 0,
					  "trunk '%s': no UDP listener of the "
					  "next hop's address family", tr->name);
		h->ok = true;
		if (p->default_trunk < 0 &&
		    tr->kind == SF_TRUNK_INTERNATIONAL)
			p->default_trunk = (int)t;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* small parsers */

/* sip:/sips: URI -> user presence, host, port.  False if not parseable. */
static bool uri_hostport(sf_str_t uri, bool *has_user, sf_str_t *host,
			 uint16_t *port)
{
	const char *p = uri.s, *e = uri.s + uri.len, *at, *h;

	if (uri.len >= 4 && sf_str_ieq_c(sf_str(p, 4), "sip:"))
		p += 4;
	else if (uri.len >= 5 && sf_str_ieq_c(sf_str(p, 5), "sips:"))
		p += 5;
	else
		return false;
	at = memchr(p, '@', (size_t)(e - p));
	*has_user = at != NULL;
	h = at ? at + 1 : p;
	*port = 0;
	if (h < e && *h == '[') {
		const char *q = memchr(h, ']', (size_t)(e - h));

		if (!q)
			return false;
		*host = sf_str(h + 1, (size_t)(q - h - 1));
		h = q + 1;
	} else {
		const char *q = h;

		while (q < e && *q != ':' && *q != ';' && *q != '?' &&
		       *q != '>')
			q++;
		*host = sf_str(h, (size_t)(q - h));
		h = q;
	}
	if (h < e && *h == ':') {
		unsigned v = 0, n = 0;

		for (h++; h < e && sf_isdigit((unsigned char)*h) && n < 6;
		     h++, n++)
			v = v * 10 + (unsigned)(*h - '0');
		if (!n || v == 0 || v > 65535)
			return false;
		*port = (uint16_t)v;
	}
	return host->len > 0;
}

static sf_st_rx_t rx_kind(const sf_sipmsg_t *m)
{
	if (!m->is_request)
		return SF_RX_RESPONSE;
	if (sf_str_eq(m->method, SF_STR_LIT("INVITE")))
		return SF_RX_INVITE;
	if (sf_str_eq(m->method, SF_STR_LIT("ACK")))
		return SF_RX_ACK;
	if (sf_str_eq(m->method, SF_STR_LIT("BYE")))
		return SF_RX_BYE;
	if (sf_str_eq(m->method, SF_STR_LIT("CANCEL")))
		return SF_RX_CANCEL;
	if (sf_str_eq(m->method, SF_STR_LIT("OPTIONS")))
		return SF_RX_OPTIONS;
	return SF_RX_OTHER;
}

/* Max-Forwards value: -1 absent, -2 malformed. */
static long max_forwards(const sf_sipmsg_t *m, const sf_sip_hdr_t **hp)
{
	const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, SF_HDR_MAX_FORWARDS, 0);
	long v = 0;

	*hp = h;
	if (!h)
		return -1;
	if (h->value.len == 0 || h->value.len > 3)
		return -2;
	for (size_t i = 0; i < h->value.len; i++) {
		if (!sf_isdigit((unsigned char)h->value.s[i]))
			return -2;
		v = v * 10 + (h->value.s[i] - '0');
	}
	return v > 255 ? 255 : v;
}

static bool has_to_tag(const sf_sipmsg_t *m)
{
	const sf_sip_hdr_t *to = sf_sip_hdr_nth(m, SF_HDR_TO, 0);
	sf_str_t t;

	return to && sf_hdr_param(to->value, "tag", &t);
}

/* ------------------------------------------------------------------ */
/* output helpers */

static int reply(sf_pctx_t *c, const sf_pin_t *in, int trunk,
		 const sf_via_t *via, sf_pout_t *out, uint16_t code,
		 const char *phrase, const char *reason, sf_st_sent_t kind,
		 const char *warning)
{
	const sf_sipmsg_t *m = &c->msg;
	sf_resp_opts_t o = {code, phrase, reason, NULL, 0, warning,
			    c->p->listeners[in->listener].sentby};
	char rcv[64];
	sf_ip_t src;
	uint16_t sport = 0;
	long n;

	if (sf_str_eq(m->method, SF_STR_LIT("ACK")))
		return 0; /* never answer an ACK (RFC 3261 §17.2.1) */
	if (sf_ip_from_sockaddr(in->src, &src, &sport))
		return 0;
	sf_ip_format(&src, rcv, sizeof(rcv));
	o.received = rcv;
	o.rport = sport;
	n = sf_resp_build(m, &o, out->buf, out->cap);
	if (n < 0) {
		SF_ST_INC(c->st->drop[SF_DROP_TOO_BIG]);
		return 0;
	}
	/* No amplification towards a source we do not know (a forged UDP
	 * source address would make us a reflector). */
	if (trunk < 0 && in->tp == SF_TP_UDP && (size_t)n > in->len) {
		SF_ST_INC(c->st->drop[SF_DROP_AMPLIFICATION]);
		return 0;
	}
	out->len = (size_t)n;
	out->tp = in->tp;
	out->reply = true;
	/* RFC 3261 §18.2.2 + RFC 3581: to the source address; the port is
	 * the source port when rport was asked for (or on TCP: the same
	 * connection), else the sent-by port. */
	if (!via->has_rport && in->tp == SF_TP_UDP)
		sport = via->port ? via->port : 5060;
	ip_to_sa(&src, sport, &out->dst, &out->dstlen);
	out->listener = (int)in->listener;
	SF_ST_INC(c->st->sent[kind]);
	return 1;
}

/* Destination from a Via (the one after ours), RFC 3261 §18.2.2. */
static bool via_dest(const sf_proxy_t *p, const sf_via_t *v, sf_pout_t *out)
{
	sf_ip_t ip;
	uint16_t port;

	if (!view_ip(v->has_received ? v->received : v->host, &ip))
		return false;
	port = v->rport_has_value ? v->rport : (v->port ? v->port : 5060);
	ip_to_sa(&ip, port, &out->dst, &out->dstlen);
	out->tp = sf_via_is_tcp(v) ? SF_TP_TCP : SF_TP_UDP;
	out->listener = ip.v4 ? p->udp4 : p->udp6;
	return out->tp == SF_TP_TCP || out->listener >= 0;
}

/* ------------------------------------------------------------------ */
/* responses */

static int handle_response(sf_pctx_t *c, sf_pout_t *out)
{
	const sf_sipmsg_t *m = &c->msg;
	const sf_sip_hdr_t *h0 = sf_sip_hdr_nth(m, SF_HDR_VIA, 0), *h1;
	sf_via_t top, next;
	long n;
	int rc;

	if (!h0 || sf_via_parse(h0->value, &top) != 0) {
		SF_ST_INC(c->st->drop[SF_DROP_BAD_VIA]);
		return 0;
	}
	if (!is_us(c->p, top.host, top.port) || !top.has_branch ||
	    top.branch.len < sizeof(SF_BRANCH_PREFIX) - 1 ||
	    memcmp(top.branch.s, SF_BRANCH_PREFIX,
		   sizeof(SF_BRANCH_PREFIX) - 1) != 0) {
		SF_ST_INC(c->st->drop[SF_DROP_NOT_OURS]);
		return 0;
	}
	/* The next Via: the value after ours in the same line, else the
	 * first value of the second Via line (the top is parsed once). */
	if (top.next)
		rc = sf_via_parse(sf_str(top.next, (size_t)(h0->value.s +
							     h0->value.len -
							     top.next)),
				  &next);
	else
		rc = (h1 = sf_sip_hdr_nth(m, SF_HDR_VIA, 1)) != NULL
			     ? sf_via_parse(h1->value, &next)
			     : SF_ENOENT;
	if (rc != 0 || !via_dest(c->p, &next, out)) {
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
/* verdict edits */

static bool name_is(const sf_sip_hdr_t *h, const char *name)
{
	return h->id == SF_HDR_OTHER && sf_str_ieq_c(h->name, name);
}

/* Removes every header line called name (anti-forgery of our tag). */
static void remove_named(sf_pctx_t *c, const char *name)
{
	const sf_sipmsg_t *m = &c->msg;

	for (unsigned i = 0; i < m->n_hdrs; i++)
		if (name_is(&m->hdrs[i], name))
			sf_edit_replace(&c->edit, m->hdrs[i].start,
					m->hdrs[i].end - m->hdrs[i].start,
					NULL, 0);
}

static void remove_id(sf_pctx_t *c, sf_hdr_id_t id)
{
	const sf_sipmsg_t *m = &c->msg;

	for (unsigned i = 0; ; i++) {
		const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, id, i);

		if (!h)
			return;
		sf_edit_replace(&c->edit, h->start, h->end - h->start, NULL, 0);
	}
}

/* Finds "verstat=" inside a URI (case-insensitive). */
static const char *find_verstat(sf_str_t uri)
{
	static const char key[] = ";verstat=";
	size_t k = sizeof(key) - 1;

	for (size_t i = 0; i + k <= uri.len; i++)
		if (sf_str_ieq_c(sf_str(uri.s + i, k), key))
			return uri.s + i;
	return NULL;
}

/* 3GPP TS 24.229 §7.2A.20: verstat as a URI parameter of PAI/From;
 * vs is ";verstat=VALUE". */
static void add_verstat(sf_pctx_t *c, const char *vs)
{
	size_t vsl = strlen(vs);
	const sf_sipmsg_t *m = &c->msg;
	const sf_sip_hdr_t *h = NULL;
	sf_str_t uri;
	bool angle;
	const char *old;

	if (c->call.presented && c->call.presented_source == SF_ID_PAI)
		h = sf_sip_hdr_nth(m, SF_HDR_PAI, 0);
	if (!h)
		h = sf_sip_hdr_nth(m, SF_HDR_FROM, 0);
	if (!h || !sf_hdr_uri(h->value, &uri, &angle))
		return;
	if (!angle && h->id != SF_HDR_PAI)
		return; /* From addr-spec: a param would bind to the header */
	old = find_verstat(uri);
	if (old) {
		/* Replace any upstream claim (it may say "Passed"). */
		const char *e = old + 1, *ue = uri.s + uri.len;

		while (e < ue && *e != ';')
			e++;
		sf_edit_replace(&c->edit, (uint32_t)(old - m->buf),
				(uint32_t)(e - old), vs, (uint32_t)vsl);
		return;
	}
	sf_edit_insert(&c->edit, (uint32_t)(uri.s + uri.len - m->buf), vs,
		       (uint32_t)vsl);
}

/* Withhold (RFC 3323): anonymous From keeping its tag, Privacy: id. */
static void withhold(sf_pctx_t *c)
{
	static const char anon[] =
		"\"Anonymous\" <sip:anonymous@anonymous.invalid>";
	const sf_sipmsg_t *m = &c->msg;
	const sf_sip_hdr_t *f = sf_sip_hdr_nth(m, SF_HDR_FROM, 0);
	sf_str_t uri;
	bool angle;

	if (f && sf_hdr_uri(f->value, &uri, &angle)) {
		const char *params = angle ? uri.s + uri.len + 1
					   : uri.s + uri.len;

		sf_edit_replace(&c->edit, (uint32_t)(f->value.s - m->buf),
				(uint32_t)(params - f->value.s), anon,
				sizeof(anon) - 1);
	}
	remove_id(c, SF_HDR_PRIVACY);
	sf_edit_insert(&c->edit, m->header_end, "Privacy: id\r\n", 13);
}

/* ------------------------------------------------------------------ */
/* logging */

/* A bounded line builder: one verdict line per non-allow call, so no
 * printf (three snprintf calls cost more than the rest of the reject). */
typedef struct lb {
	char *p, *e; /* e: last byte, kept for the NUL */
} lb_t;

static void lb_put(lb_t *b, const char *s, size_t n)
{
	if (n > (size_t)(b->e - b->p))
		n = (size_t)(b->e - b->p);
	memcpy(b->p, s, n);
	b->p += n;
}

static void lb_puts(lb_t *b, const char *s)
{
	lb_put(b, s, strlen(s));
}

/* At most max bytes of v; bytes outside printable ASCII, '"' and '\\'
 * as \xNN. */
static void lb_safe(lb_t *b, sf_str_t v, size_t max)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < v.len && i < max && b->e - b->p >= 4; i++) {
		unsigned char ch = (unsigned char)v.s[i];

		if (ch < 0x21 || ch > 0x7e || ch == '"' || ch == '\\') {
			b->p[0] = '\\';
			b->p[1] = 'x';
			b->p[2] = hx[ch >> 4];
			b->p[3] = hx[ch & 15];
			b->p += 4;
		} else {
			*b->p++ = (char)ch;
		}
	}
}

void sf_proxy_log_line(const sf_cfg_t *cfg, const sf_verdict_t *v,
		       const sf_call_t *call, char *buf, size_t size)
{
	lb_t b = {buf, buf + (size ? size - 1 : 0)};
	char num[SF_NUM_MAX + 2], code[8];
	size_t cn = sizeof(code);
	unsigned cv = v->code;
	const char *trunk = v->facts.trunk >= 0 &&
					    (size_t)v->facts.trunk < cfg->n_trunks
				    ? cfg->trunks[v->facts.trunk].name
				    : "(unknown)";

	if (!size)
		return;
	do {
		code[--cn] = (char)('0' + cv % 10);
		cv /= 10;
	} while (cv && cn);
	lb_puts(&b, "verdict call-id=\"");
	if (call)
		lb_safe(&b, call->call_id, 128);
	lb_puts(&b, "\" presented=\"");
	if (call && call->presented)
		lb_safe(&b, call->presented->uri, 128);
	lb_puts(&b, "\" number=");
	lb_puts(&b, v->facts.number.kind ? sf_num_format(&v->facts.number,
							 num, sizeof(num))
					 : "-");
	lb_puts(&b, " trunk=");
	lb_puts(&b, trunk);
	lb_puts(&b, " rule=");
	lb_puts(&b, v->rule_name && *v->rule_name ? v->rule_name : "-");
	lb_puts(&b, " action=");
	lb_puts(&b, sf_action_name(v->action));
	lb_puts(&b, " mode=");
	lb_puts(&b, sf_mode_name(v->mode));
	lb_puts(&b, " applied=");
	lb_puts(&b, sf_action_name(v->applied));
	lb_puts(&b, " code=");
	lb_put(&b, code + cn, sizeof(code) - cn);
	*b.p = '\0';
}

static unsigned rule_slot(const sf_verdict_t *v)
{
	if (v->rule >= 0)
		return v->rule < SF_ST_MAX_RULES ? (unsigned)v->rule
						 : SF_ST_RULE_UNVERIFIED;
	if (v->rule_name && !strcmp(v->rule_name, "emergency"))
		return SF_ST_RULE_EMERGENCY;
	if (v->rule_name && !strcmp(v->rule_name, "unverified"))
		return SF_ST_RULE_UNVERIFIED;
	return SF_ST_RULE_NONE;
}

/* ------------------------------------------------------------------ */
/* requests */

/* Does v contain our branch prefix anywhere?  memchr for its first byte
 * (a Via value usually holds one 'z', in the magic cookie) instead of
 * memmem, whose set-up costs more than the whole scan here. */
static bool has_our_prefix(sf_str_t v)
{
	const size_t n = sizeof(SF_BRANCH_PREFIX) - 1;
	const char *p = v.s, *e = v.s + v.len;

	while ((size_t)(e - p) >= n) {
		const char *z = memchr(p, 'z', (size_t)(e - p) - n + 1);

		if (!z)
			return false;
		if (!memcmp(z, SF_BRANCH_PREFIX, n))
			return true;
		p = z + 1;
	}
	return false;
}

static uint64_t branch_hash(const sf_sipmsg_t *m, const sf_via_t *top)
{
	uint64_t h = SF_HASH_INIT;

	if (top->branch.len > 7 && !memcmp(top->branch.s, "z9hG4bK", 7))
		return sf_hash_bytes(h, top->branch.s, top->branch.len);
	/* RFC 2543 peer: hash what identifies the transaction (§16.11). */
	{
		const sf_sip_hdr_t *cid = sf_sip_hdr_nth(m, SF_HDR_CALL_ID, 0);
		const sf_sip_hdr_t *from = sf_sip_hdr_nth(m, SF_HDR_FROM, 0);
		sf_str_t ftag = SF_STR_NULL;
		char cs[12];
		int n = snprintf(cs, sizeof(cs), "%u", (unsigned)m->cseq_num);

		h = sf_hash_bytes(h, top->host.s, top->host.len);
		h = sf_hash_bytes(h, top->branch.s, top->branch.len);
		if (cid)
			h = sf_hash_bytes(h, cid->value.s, cid->value.len);
		if (from && sf_hdr_param(from->value, "tag", &ftag))
			h = sf_hash_bytes(h, ftag.s, ftag.len);
		h = sf_hash_bytes(h, cs, (size_t)n);
		h = sf_hash_bytes(h, m->ruri.s, m->ruri.len);
	}
	return h;
}

/* Chooses the next hop.  Returns false when none. */
static bool route(sf_pctx_t *c, int trunk, sf_pout_t *out)
{
	const sf_proxy_t *p = c->p;
	const sf_sipmsg_t *m = &c->msg;
	const sf_sip_hdr_t *r = sf_sip_hdr_nth(m, SF_HDR_ROUTE, 0);
	sf_str_t uri, host;
	bool angle, user;
	uint16_t port;
	sf_ip_t ip;

	if (r && sf_hdr_uri(r->value, &uri, &angle) &&
	    uri_hostport(uri, &user, &host, &port)) {
		if (is_us(p, host, port)) {
			/* Pop our own Route (loose routing, §16.4): the
			 * whole line when it is the only value. */
			const char *q = angle ? uri.s + uri.len + 1
					      : uri.s + uri.len;
			const char *e = r->value.s + r->value.len;

			while (q < e && *q != ',')
				q++;
			if (q < e) {
				q++;
				while (q < e && (*q == ' ' || *q == '\t'))
					q++;
				sf_edit_replace(&c->edit,
						(uint32_t)(r->value.s - m->buf),
						(uint32_t)(q - r->value.s),
						NULL, 0);
				if (sf_hdr_uri(sf_str(q, (size_t)(e - q)),
					       &uri, &angle) &&
				    uri_hostport(uri, &user, &host, &port))
					goto have_route;
			} else {
				sf_edit_replace(&c->edit, r->start,
						r->end - r->start, NULL, 0);
				r = sf_sip_hdr_nth(m, SF_HDR_ROUTE, 1);
				if (r && sf_hdr_uri(r->value, &uri, &angle) &&
				    uri_hostport(uri, &user, &host, &port))
					goto have_route;
			}
		} else {
			goto have_route;
		}
	}
	if (trunk >= 0 && (size_t)trunk < p->cfg->n_trunks &&
	    p->cfg->trunks[trunk].kind == SF_TRUNK_INTERNAL &&
	    uri_hostport(m->ruri, &user, &host, &port) &&
	    !is_us(p, host, port))
		goto have_route;
	if (trunk < 0)
		trunk = p->default_trunk;
	if (trunk < 0 || trunk >= SF_CFG_MAX_TRUNKS || !p->hops[trunk].ok)
		return false;
	out->dst = p->hops[trunk].sa;
	out->dstlen = p->hops[trunk].salen;
	out->listener = p->hops[trunk].listener;
	out->tp = SF_TP_UDP;
	return true;
have_route:
	if (!view_ip(host, &ip))
		return false;
	ip_to_sa(&ip, port ? port : 5060, &out->dst, &out->dstlen);
	out->listener = ip.v4 ? p->udp4 : p->udp6;
	out->tp = SF_TP_UDP;
	return out->listener >= 0;
}

static int judge(sf_pctx_t *c, const sf_tables_t *tables, const sf_pin_t *in,
		 int trunk, const sf_via_t *top, sf_pout_t *out, bool *fwd)
{
	const sf_proxy_t *p = c->p;
	sf_verdict_t *v = &c->v;
	unsigned tslot = trunk >= 0 ? (unsigned)trunk + 1 : 0, rslot;

	*fwd = true;
	if (trunk < 0 && p->cfg->serve.unknown_source == SF_UNKNOWN_REJECT) {
		SF_ST_INC(c->st->verdicts[0][SF_ST_RULE_UNKNOWN_SOURCE][0]);
		*fwd = false;
		return reply(c, in, trunk, top, out, 403, "Forbidden",
			     "unknown-source", SF_SENT_403, NULL);
	}
	sf_call_extract(p->cfg, &c->msg, &c->call);
	sf_engine_judge(p->cfg, tables, &c->call, trunk, v);
	rslot = rule_slot(v);
	SF_ST_INC(c->st->verdicts[tslot][rslot][v->mode == SF_MODE_MONITOR]);
	if (v->action != SF_ACT_ALLOW && p->log) {
		char line[768];

		sf_proxy_log_line(p->cfg, v, &c->call, line, sizeof(line));
		p->log(p->log_arg,
		       v->applied == SF_ACT_REJECT ? LOG_NOTICE : LOG_INFO,
		       line);
	}
	switch (v->applied) {
	case SF_ACT_REJECT:
		*fwd = false;
		return reply(c, in, trunk, top, out, v->code ? v->code : 603,
			     v->phrase, v->rule_name, SF_SENT_REJECT, NULL);
	case SF_ACT_TAG: {
		const char *hn = p->cfg->tag.header[0] ? p->cfg->tag.header
						       : "X-Sipfilter";

		/* Degraded (no tables): not a suspect, just unchecked;
		 * verstat says so (3GPP TS 24.229: No-TN-Validation). */
		bool unv = !tables && v->rule < 0;

		if (unv)
			sf_edit_replacef(&c->edit, c->msg.header_end, 0,
					 "%s: unverified;reason=no-tables\r\n",
					 hn);
		else
			sf_edit_replacef(&c->edit, c->msg.header_end, 0,
					 "%s: suspect;rule=%s\r\n", hn,
					 v->rule_name);
		if (p->cfg->tag.verstat)
			add_verstat(c, unv ? ";verstat=No-TN-Validation"
					   : ";verstat=TN-Validation-Failed");
		break;
	}
	case SF_ACT_WITHHOLD:
		withhold(c);
		break;
	default:
		break;
	}
	return 0;
}

static int handle_request(sf_pctx_t *c, const sf_tables_t *tables,
			  const sf_pin_t *in, int trunk, sf_st_rx_t kind,
			  sf_pout_t *out)
{
	const sf_proxy_t *p = c->p;
	const sf_sipmsg_t *m = &c->msg;
	const sf_sip_hdr_t *via0 = sf_sip_hdr_nth(m, SF_HDR_VIA, 0);
	const sf_sip_hdr_t *mfh;
	sf_via_t top, v;
	sf_ip_t src;
	uint16_t sport = 0;
	long mf, n;
	bool fwd;
	char tag[SF_TAG_LEN];
	char bh[16];
	const sf_plisten_t *ol;

	if (!via0 || sf_via_parse(via0->value, &top) != 0 ||
	    sf_ip_from_sockaddr(in->src, &src, &sport)) {
		SF_ST_INC(c->st->drop[SF_DROP_BAD_VIA]);
		return 0;
	}
	/* Loop: our own Via already in the list (RFC 3261 §16.3 item 4;
	 * we never spiral, so any occurrence is a loop).  Only Via lines
	 * that contain our branch prefix at all are parsed, each once, so
	 * the normal case costs one memchr per Via line. */
	for (unsigned h = 0, seen = 0; seen < 16; h++) {
		const sf_sip_hdr_t *vh = sf_sip_hdr_nth(m, SF_HDR_VIA, h);
		sf_str_t rest;

		if (!vh)
			break;
		if (!has_our_prefix(vh->value)) {
			seen++;
			continue;
		}
		rest = vh->value;
		while (seen++ < 16 && sf_via_parse(rest, &v) == 0) {
			if (v.has_branch && v.branch.len >= SF_BRANCH_LEN &&
			    !memcmp(v.branch.s, SF_BRANCH_PREFIX,
				    sizeof(SF_BRANCH_PREFIX) - 1) &&
			    is_us(p, v.host, v.port)) {
				SF_ST_INC(c->st->drop[SF_DROP_LOOP]);
				return reply(c, in, trunk, &top, out, 482,
					     NULL, NULL, SF_SENT_482, NULL);
			}
			if (!v.next)
				break;
			rest = sf_str(v.next, (size_t)(rest.s + rest.len -
						       v.next));
		}
	}
	/* The ACK of our own rejection ends here (§17.2.1: ACK for a
	 * non-2xx is hop-by-hop; we were the UAS of that transaction). */
	if (kind == SF_RX_ACK) {
		const sf_sip_hdr_t *to = sf_sip_hdr_nth(m, SF_HDR_TO, 0);
		sf_str_t tv;

		if (to && sf_hdr_param(to->value, "tag", &tv) &&
		    tv.len == SF_TAG_LEN && sf_resp_tag(m, tag) &&
		    !memcmp(tv.s, tag, SF_TAG_LEN)) {
			SF_ST_INC(c->st->acks_absorbed);
			return 0;
		}
	}
	/* OPTIONS to the proxy itself: a health probe (no user part, our
	 * address, no Route). */
	if (kind == SF_RX_OPTIONS && !sf_sip_hdr_nth(m, SF_HDR_ROUTE, 0)) {
		sf_str_t host;
		bool user;
		uint16_t port;

		if (uri_hostport(m->ruri, &user, &host, &port) && !user &&
		    is_us(p, host, port))
			return reply(c, in, trunk, &top, out, 200, "OK", NULL,
				     SF_SENT_OPTIONS_200, NULL);
	}
	mf = max_forwards(m, &mfh);
	if (mf == -2) {
		SF_ST_INC(c->st->drop[SF_DROP_PARSE]);
		return trunk >= 0 ? reply(c, in, trunk, &top, out, 400,
					  "Bad Max-Forwards", NULL,
					  SF_SENT_400, NULL)
				  : 0;
	}
	if (mf == 0) {
		SF_ST_INC(c->st->drop[SF_DROP_MAX_FORWARDS]);
		return reply(c, in, trunk, &top, out, 483, NULL, NULL,
			     SF_SENT_483, NULL);
	}
	/* Unknown sources may only send what the policy lets through. */
	if (trunk < 0 && p->cfg->serve.unknown_source == SF_UNKNOWN_REJECT &&
	    kind != SF_RX_INVITE) {
		SF_ST_INC(c->st->drop[SF_DROP_UNROUTABLE]);
		return 0;
	}
	sf_edit_init(&c->edit);
	if (kind == SF_RX_INVITE && !has_to_tag(m)) {
		int r = judge(c, tables, in, trunk, &top, out, &fwd);

		if (!fwd)
			return r;
	}
	if (!route(c, trunk, out)) {
		SF_ST_INC(c->st->drop[SF_DROP_UNROUTABLE]);
		return 0;
	}
	ol = &p->listeners[out->listener];
	/* §18.2.1 received, RFC 3581 rport on the previous top Via.  The
	 * per-message edits are written piecewise (no printf). */
	if (!top.has_received && !host_is_ip(top.host, &src)) {
		char ipb[64];
		uint32_t mk = sf_edit_begin(&c->edit);

		sf_ip_format(&src, ipb, sizeof(ipb));
		sf_edit_put(&c->edit, ";received=", 10);
		sf_edit_put(&c->edit, ipb, strlen(ipb));
		sf_edit_end(&c->edit, mk, (uint32_t)(top.end - m->buf), 0);
	}
	if ((top.has_rport && !top.rport_has_value) ||
	    (!top.has_rport && in->tp == SF_TP_TCP)) {
		uint32_t mk = sf_edit_begin(&c->edit);

		if (top.has_rport) {
			sf_edit_put(&c->edit, "rport=", 6);
			sf_edit_put_u(&c->edit, sport);
			sf_edit_end(&c->edit, mk,
				    (uint32_t)(top.rport_param.s - m->buf),
				    (uint32_t)top.rport_param.len);
		} else {
			sf_edit_put(&c->edit, ";rport=", 7);
			sf_edit_put_u(&c->edit, sport);
			sf_edit_end(&c->edit, mk, (uint32_t)(top.end - m->buf),
				    0);
		}
	}
	/* Our Via on top, with a branch derived from the incoming one. */
	sf_hex16(branch_hash(m, &top), bh);
	{
		uint32_t mk = sf_edit_begin(&c->edit);

		sf_edit_put(&c->edit, "Via: SIP/2.0/UDP ", 17);
		sf_edit_put(&c->edit, ol->sentby, ol->sentby_len);
		sf_edit_put(&c->edit, ";branch=" SF_BRANCH_PREFIX,
			    8 + sizeof(SF_BRANCH_PREFIX) - 1);
		sf_edit_put(&c->edit, bh, 16);
		sf_edit_put(&c->edit, "\r\n", 2);
		sf_edit_end(&c->edit, mk, via0->start, 0);
	}
	if (mfh) {
		uint32_t mk = sf_edit_begin(&c->edit);

		sf_edit_put_u(&c->edit, (unsigned long)(mf - 1));
		sf_edit_end(&c->edit, mk, (uint32_t)(mfh->value.s - m->buf),
			    (uint32_t)mfh->value.len);
	} else {
		sf_edit_insert(&c->edit, via0->start, "Max-Forwards: 70\r\n",
			       18);
	}
	if (kind == SF_RX_INVITE && p->cfg->tag.header[0])
		remove_named(c, p->cfg->tag.header);
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

/*
 * A request the scanner refused: 400 with a Warning naming the scanner's
 * reason when the source is a known trunk and the request still shows a
 * usable Via, From, To, Call-ID and CSeq (RFC 3261 §8.2.6: enough to
 * route and match the response); otherwise nothing (already counted).
 * Never to an unknown source, so a forged UDP source cannot turn us into
 * a reflector, and never for an ACK (§17.2.1).  c->msg keeps the scan
 * error for the caller.
 */
static int bad_request(sf_pctx_t *c, const sf_pin_t *in, sf_pout_t *out)
{
	sf_sipmsg_t *m = &c->msg;
	sf_sip_error_t why = m->error;
	uint32_t where = m->error_offset;
	sf_via_t top;
	sf_ip_t src;
	uint16_t sport;
	char text[96];
	int trunk, r = 0;

	if (why == SF_SIP_E_TOO_BIG || why == SF_SIP_E_EMPTY ||
	    sf_ip_from_sockaddr(in->src, &src, &sport))
		return 0;
	trunk = sf_cfg_trunk_match(c->p->cfg, &src);
	if (trunk < 0)
		return 0;
	if (sf_resp_salvage(in->buf, in->len, m) == 0 &&
	    sf_via_nth(m, 0, &top) == 0) {
		snprintf(text, sizeof(text), "malformed request: %s",
			 sf_sip_error_name(why));
		r = reply(c, in, trunk, &top, out, 400, NULL, NULL,
			  SF_SENT_400, text);
	}
	m->error = why;
	m->error_offset = where;
	return r;
}

int sf_proxy_handle(sf_pctx_t *c, const sf_tables_t *tables,
		    const sf_pin_t *in, sf_pout_t *out)
{
	const sf_sip_limits_t *lim = in->tp == SF_TP_TCP ? &c->p->lim_tcp
							 : &c->p->lim_udp;
	sf_sipmsg_t *m = &c->msg;
	sf_st_rx_t kind;
	sf_ip_t src;
	uint16_t sport;
	int trunk;

	out->len = 0;
	out->reply = false;
	if (sf_sip_scan(in->buf, in->len, lim, m) != 0) {
		if (m->error == SF_SIP_E_EMPTY) {
			SF_ST_INC(c->st->rx[SF_RX_KEEPALIVE]);
			return 0;
		}
		SF_ST_INC(c->st->parse_err[m->error < SF_SIP_E_COUNT
						   ? m->error : 0]);
		SF_ST_INC(c->st->drop[SF_DROP_PARSE]);
		return bad_request(c, in, out);
	}
	kind = rx_kind(m);
	SF_ST_INC(c->st->rx[kind]);
	if (kind == SF_RX_RESPONSE)
		return handle_response(c, out); /* routed by Via, not trunk */
	if (sf_ip_from_sockaddr(in->src, &src, &sport))
		return 0;
	trunk = sf_cfg_trunk_match(c->p->cfg, &src);
	return handle_request(c, tables, in, trunk, kind, out);
}
