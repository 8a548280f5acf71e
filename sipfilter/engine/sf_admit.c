/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_admit.c - admission of one request (see sf_admit.h for the order of
 * the checks and the reasons behind each).
 */
#include "sf_admit.h"

#include <stdio.h>
#include <string.h>

#include "base/sf_err.h"
#include "sf_salvage.h"

/* ------------------------------------------------------------------ */
/* names */

static const char *const outcome_names[SF_OUT_COUNT] = {
	[SF_OUT_FORWARD] = "forward", [SF_OUT_TAG] = "tag",
	[SF_OUT_WITHHOLD] = "withhold", [SF_OUT_REJECT] = "reject",
	[SF_OUT_REFUSE] = "refuse", [SF_OUT_DROP] = "drop",
	[SF_OUT_ANSWER] = "answer",
};

static const char *const why_names[SF_WHY_COUNT] = {
	[SF_WHY_VERDICT] = "verdict",
	[SF_WHY_IN_DIALOG] = "in-dialog",
	[SF_WHY_CANCEL] = "cancel",
	[SF_WHY_ACK] = "ack",
	[SF_WHY_METHOD_LISTED] = "method-listed",
	[SF_WHY_ACK_ABSORBED] = "ack-absorbed",
	[SF_WHY_OPTIONS] = "options",
	[SF_WHY_KEEPALIVE] = "keepalive",
	[SF_WHY_UNKNOWN_SOURCE] = "unknown-source",
	[SF_WHY_METHOD_NOT_ALLOWED] = "method-not-allowed",
	[SF_WHY_METHOD_CASE] = "method-case",
	[SF_WHY_NO_DIALOG] = "no-dialog",
	[SF_WHY_FORBIDDEN_TARGET] = "forbidden-target",
	[SF_WHY_LOOP] = "loop",
	[SF_WHY_TOO_MANY_HOPS] = "too-many-hops",
	[SF_WHY_BAD_MAX_FORWARDS] = "bad-max-forwards",
	[SF_WHY_MALFORMED] = "malformed",
	[SF_WHY_BAD_VIA] = "bad-via",
	[SF_WHY_BAD_ROUTE] = "bad-route",
	[SF_WHY_BAD_IDENTITY] = "bad-identity",
	[SF_WHY_NO_NEXT_HOP] = "no-next-hop",
	[SF_WHY_RESPONSE] = "response",
};

static const char *const method_names[SF_M_COUNT] = {
	"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "other",
};

const char *sf_outcome_name(sf_outcome_t o)
{
	return (unsigned)o < SF_OUT_COUNT ? outcome_names[o] : "?";
}

const char *sf_outcome_applied_name(sf_outcome_t o)
{
	return o == SF_OUT_FORWARD ? "allow" : sf_outcome_name(o);
}

const char *sf_trunk_how_name(const sf_admission_t *a)
{
	static const char *const names[SF_HOW_COUNT] = {
		[SF_HOW_SOURCE] = "source",
		[SF_HOW_ASSUMED] = "assumed",
		[SF_HOW_CERT] = "cert",
		[SF_HOW_CERT_SOURCE] = "cert+source",
	};

	if (a->trunk < 0)
		return "none";
	return (unsigned)a->how < SF_HOW_COUNT ? names[a->how] : "?";
}

const char *sf_why_name(sf_why_t w)
{
	return (unsigned)w < SF_WHY_COUNT ? why_names[w] : "?";
}

bool sf_why_find(const char *name)
{
	for (int i = 0; i < SF_WHY_COUNT; i++)
		if (!strcmp(why_names[i], name))
			return true;
	return false;
}

const char *sf_method_name(sf_method_t m)
{
	return (unsigned)m < SF_M_COUNT ? method_names[m] : "?";
}

const char *sf_admission_rule(const sf_admission_t *a)
{
	if (a->judged && a->why == SF_WHY_VERDICT)
		return a->v.rule_name ? a->v.rule_name : "";
	return sf_why_name(a->why);
}

/* ------------------------------------------------------------------ */
/* the edge */

int sf_edge_init(sf_edge_t *e, const sf_cfg_t *cfg, const sf_key_t *key,
		 sf_err_t *err)
{
	memset(e, 0, sizeof(*e));
	e->cfg = cfg;
	e->default_trunk = -1;
	e->lim_udp.max_message = cfg->serve.max_message;
	e->lim_tcp.max_message = cfg->serve.max_message;
	e->lim_tcp.stream = true;
	if (key) {
		e->key = *key;
		e->have_key = true;
	} else if (cfg->serve.secret_len) {
		sf_key_from_secret(cfg->serve.secret, cfg->serve.secret_len,
				   &e->key);
		e->have_key = true;
	}
	for (size_t i = 0; i < cfg->serve.n_listeners; i++) {
		const sf_hostport_t *hp = &cfg->serve.listeners[i].addr;
		sf_edge_listener_t *l = &e->ls[e->n_ls];

		if (sf_ip_parse(hp->host, strlen(hp->host), &l->ip))
			return sf_err_set(err, SF_EINVAL, cfg->path, 0, 0,
					  "listener '%s' is not a literal IP "
					  "address", hp->host);
		l->port = hp->port ? hp->port : 5060;
		l->tp = hp->transport;
		sf_ip_format(&l->ip, l->text, sizeof(l->text));
		l->text_len = (uint8_t)strlen(l->text);
		e->n_ls++;
	}
	for (size_t t = 0; t < cfg->n_trunks && t < SF_CFG_MAX_TRUNKS; t++) {
		const sf_trunk_t *tr = &cfg->trunks[t];

		if (!tr->has_next_hop)
			continue;
		if (sf_ip_parse(tr->next_hop.host, strlen(tr->next_hop.host),
				&e->hop_ip[t]))
			continue; /* a name: the proxy refuses it at start */
		e->hop_port[t] = tr->next_hop.port ? tr->next_hop.port : 5060;
		e->hop_ok[t] = true;
		if (e->default_trunk < 0 && tr->kind == SF_TRUNK_INTERNATIONAL)
			e->default_trunk = (int)t;
	}
	return 0;
}

static bool ip_eq(const sf_ip_t *a, const sf_ip_t *b)
{
	return memcmp(a->a, b->a, 16) == 0;
}

bool sf_edge_is_us(const sf_edge_t *e, sf_str_t host, uint16_t port)
{
	if (!port)
		port = 5060;
	for (unsigned i = 0; i < e->n_ls; i++)
		if (e->ls[i].port == port && host.len == e->ls[i].text_len &&
		    sf_str_ieq_c(host, e->ls[i].text))
			return true;
	return false;
}

bool sf_edge_is_us_ip(const sf_edge_t *e, const sf_ip_t *ip, uint16_t port)
{
	if (!port)
		port = 5060;
	for (unsigned i = 0; i < e->n_ls; i++)
		if (e->ls[i].port == port && ip_eq(&e->ls[i].ip, ip))
			return true;
	return false;
}

bool sf_edge_named(const sf_edge_t *e, const sf_ip_t *ip)
{
	/* next hops first: most responses come from them */
	for (size_t t = 0; t < e->cfg->n_trunks && t < SF_CFG_MAX_TRUNKS; t++)
		if (e->hop_ok[t] && ip_eq(&e->hop_ip[t], ip))
			return true;
	if (sf_cfg_trunk_match(e->cfg, ip) >= 0)
		return true;
	/* a client_cert trunk's sources are named too (a response or an
	 * in-dialog request may go there) */
	for (size_t t = 0; t < e->cfg->n_trunks; t++)
		if (e->cfg->trunks[t].cert.on && e->cfg->trunks[t].n_cidrs &&
		    sf_cfg_trunk_source_ok(&e->cfg->trunks[t], ip))
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* small readers */

bool sf_msg_tag(const sf_sipmsg_t *m, sf_hdr_id_t id, sf_str_t *tag)
{
	const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, id, 0);

	return h && sf_hdr_param(h->value, "tag", tag) && tag->len > 0;
}

static sf_str_t call_id(const sf_sipmsg_t *m)
{
	const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, SF_HDR_CALL_ID, 0);

	return h ? h->value : SF_STR_NULL;
}

/* RFC 3261 methods and extensions that a proxy is likely to meet; a case
 * variant of any of them is refused (§7.1). */
static const char *const known_methods[] = {
	"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK",
	"SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE",
	"UPDATE",
};

static sf_method_t classify(sf_str_t method, bool *case_variant)
{
	*case_variant = false;
	for (size_t i = 0; i < sizeof(known_methods) / sizeof(*known_methods);
	     i++) {
		const char *k = known_methods[i];

		if (method.len != strlen(k) || !sf_str_ieq_c(method, k))
			continue;
		if (memcmp(method.s, k, method.len)) {
			*case_variant = true;
			return SF_M_OTHER;
		}
		return i < SF_M_OTHER ? (sf_method_t)i : SF_M_OTHER;
	}
	return SF_M_OTHER;
}

/* Max-Forwards value: -1 absent, -2 malformed (RFC 3261 §20.22). */
static long max_forwards(const sf_sipmsg_t *m)
{
	const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, SF_HDR_MAX_FORWARDS, 0);
	long v = 0;

	if (!h)
		return -1;
	/* 1*DIGIT: leading zeros are fine (RFC 4475 wsinv: "0068") */
	if (h->value.len == 0 || h->value.len > 10)
		return -2;
	for (size_t i = 0; i < h->value.len; i++) {
		if (!sf_isdigit((unsigned char)h->value.s[i]))
			return -2;
		v = v * 10 + (h->value.s[i] - '0');
	}
	return v > 255 ? 255 : v;
}

static bool method_listed(const sf_trunk_t *t, sf_str_t method)
{
	for (size_t i = 0; i < t->n_methods; i++)
		if (sf_str_eq(method, sf_str_c(t->methods[i])))
			return true;
	return false;
}

/* Methods that create a dialog (RFC 3261 §12, RFC 6665, RFC 3515). */
static bool dialog_forming(sf_str_t method)
{
	return sf_str_eq(method, SF_STR_LIT("INVITE")) ||
	       sf_str_eq(method, SF_STR_LIT("SUBSCRIBE")) ||
	       sf_str_eq(method, SF_STR_LIT("REFER"));
}

/* ------------------------------------------------------------------ */
/* loops (RFC 3261 §16.3 item 4, §16.6 item 8) */

/* Decimal text of v; returns its length (no printf on the hot path). */
static size_t dec(long v, char buf[24])
{
	char t[24];
	size_t n = 0, i = 0;
	unsigned long u = v < 0 ? (unsigned long)-v : (unsigned long)v;

	do {
		t[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[i++] = '-';
	while (n)
		buf[i++] = t[--n];
	return i;
}

/* L: what decides where this request goes.  No method, so CANCEL and
 * the ACK of a non-2xx share the INVITE's value (§16.11). */
static uint32_t loop_hash(const sf_sipmsg_t *m, const sf_admission_t *a)
{
	const sf_sip_hdr_t *r = sf_sip_hdr_nth(m, SF_HDR_ROUTE, 0);
	char cs[24], tr[24];
	sf_str_t parts[6];
	int trunk = a->trunk;

	parts[0] = m->ruri;
	parts[1] = a->call_id;
	parts[2] = a->from_tag;
	parts[3] = sf_str(cs, dec((long)m->cseq_num, cs));
	parts[4] = sf_str(tr, dec(trunk, tr));
	parts[5] = r ? r->value : SF_STR_NULL;
	return (uint32_t)sf_token_hash_public(parts, 6);
}

/* Does v contain our branch prefix anywhere?  One memchr for its first
 * byte per Via line in the normal case. */
static bool has_our_prefix(sf_str_t v)
{
	const size_t n = SF_BRANCH_PREFIX_LEN;
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

/* True when one of our Vias (at most the first 32 values) carries this
 * request's L.  L is only computed when such a Via is there at all. */
static bool is_loop(const sf_edge_t *e, const sf_sipmsg_t *m,
		    sf_admission_t *a)
{
	unsigned seen = 0;
	bool have_l = false;

	for (unsigned h = 0; seen < 32; h++) {
		const sf_sip_hdr_t *vh = sf_sip_hdr_nth(m, SF_HDR_VIA, h);
		sf_str_t rest;
		sf_via_t v;

		if (!vh)
			break;
		if (!has_our_prefix(vh->value)) {
			seen++;
			continue;
		}
		rest = vh->value;
		while (seen++ < 32 && sf_via_parse(rest, &v) == 0) {
			if (v.has_branch && sf_branch_is_ours(v.branch) &&
			    sf_edge_is_us(e, v.host, v.port)) {
				if (!have_l) {
					a->loop_hash = loop_hash(m, a);
					have_l = true;
				}
				if (sf_branch_get_l(v.branch) == a->loop_hash)
					return true;
			}
			if (!v.next)
				break;
			rest = sf_str(v.next, (size_t)(rest.s + rest.len -
						       v.next));
		}
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* our Record-Route (RFC 3261 §16.4, §16.12) */

/* Is rv one of our Record-Route URIs with a token for this dialog?  The
 * token was made over the dialog-forming request's From-tag, which is
 * this request's From-tag or To-tag, depending on the direction. */
/* The tokens for this request's From-tag and To-tag, computed when first
 * needed (the To-tag's only for requests in the callee's direction). */
typedef struct rr_tokens {
	char from[SF_RR_TOKEN_LEN], to[SF_RR_TOKEN_LEN];
	unsigned have; /* bit 0: from, bit 1: to */
} rr_tokens_t;

static bool route_is_ours(const sf_edge_t *e, const sf_rvalue_t *rv,
			  const sf_admission_t *a, rr_tokens_t *t)
{
	sf_uri_hp_t u;
	sf_str_t v;

	if (!rv->uri.len || !sf_uri_hostport(rv->uri, &u) ||
	    !sf_edge_is_us(e, u.host, u.port) ||
	    !sf_uri_param(u.params, "lr", &v) ||
	    !sf_uri_param(u.params, SF_RR_TOKEN_PARAM, &v) ||
	    v.len != SF_RR_TOKEN_LEN)
		return false;
	if (!(t->have & 1)) {
		sf_token_rr(&e->key, a->call_id, a->from_tag, t->from);
		t->have |= 1;
	}
	if (!memcmp(v.s, t->from, SF_RR_TOKEN_LEN))
		return true;
	if (!(t->have & 2)) {
		sf_token_rr(&e->key, a->call_id, a->to_tag, t->to);
		t->have |= 2;
	}
	return !memcmp(v.s, t->to, SF_RR_TOKEN_LEN);
}

/*
 * In-dialog routing: how many of the top Route values are ours (0 = the
 * request is not in one of our dialogs), and the target after them.
 * Returns false (with *why) when the route set cannot be handled or the
 * target is not one the config names.
 */
static bool dialog_route(const sf_edge_t *e, const sf_sipmsg_t *m,
			 sf_admission_t *a, sf_why_t *why)
{
	sf_rvalue_t rv[SF_ROUTE_MAX];
	unsigned n, k;
	sf_str_t target;
	sf_uri_hp_t u;
	rr_tokens_t tok = {{0}, {0}, 0};

	a->pop_routes = 0;
	if (!sf_sip_hdr_nth(m, SF_HDR_ROUTE, 0) || !e->have_key)
		return true;
	n = sf_route_values(m, SF_HDR_ROUTE, rv, SF_ROUTE_MAX);
	if (n > SF_ROUTE_MAX) {
		*why = SF_WHY_BAD_ROUTE;
		return false;
	}
	/* ours on top: one value, or two (an interface or transport change
	 * is recorded twice, as Kamailio's double Record-Route) */
	for (k = 0; k < n && k < 2 && route_is_ours(e, &rv[k], a, &tok); k++)
		;
	if (!k)
		return true;
	a->pop_routes = k;
	target = k < n ? rv[k].uri : m->ruri;
	if (!target.len || !sf_uri_hostport(target, &u) ||
	    !sf_uri_ip(&u, &a->target) ||
	    sf_edge_is_us_ip(e, &a->target, u.port)) {
		*why = SF_WHY_FORBIDDEN_TARGET;
		return false;
	}
	a->target_port = u.port ? u.port : 5060;
	a->target_tp = sf_uri_transport(&u);
	if (sf_edge_named(e, &a->target))
		return true;
	/* a peer named by its certificate: over its own TLS connection
	 * (RFC 3261 §18.1.1 connection reuse; never a new one, never UDP) */
	if (e->cert_peer &&
	    e->cert_peer(e->cert_peer_arg, &a->target, &a->target_port)) {
		a->target_tp = SF_TP_TLS;
		return true;
	}
	*why = SF_WHY_FORBIDDEN_TARGET;
	return false;
}

/* ------------------------------------------------------------------ */
/* outcomes */

static void set_reply(sf_admission_t *a, sf_outcome_t o, sf_why_t why,
		      uint16_t code, const char *phrase)
{
	a->outcome = o;
	a->why = why;
	a->code = code;
	a->phrase = phrase ? phrase : "";
}

static void set_drop(sf_admission_t *a, sf_why_t why)
{
	set_reply(a, SF_OUT_DROP, why, 0, NULL);
}

/* Forwarded along the trunk's next hop (initial, CANCEL, ACK). */
static void set_hop(const sf_edge_t *e, sf_admission_t *a, sf_outcome_t o,
		    sf_why_t why)
{
	int t = a->trunk >= 0 ? a->trunk : e->default_trunk;

	if (t < 0 || t >= SF_CFG_MAX_TRUNKS || !e->hop_ok[t]) {
		set_drop(a, SF_WHY_NO_NEXT_HOP);
		return;
	}
	a->outcome = o;
	a->why = why;
	a->hop_trunk = t;
	a->strip_routes = true;
}

/* What every forwarded request needs for our branch. */
static void set_forwarded(const sf_sipmsg_t *m, sf_admission_t *a)
{
	/* In dialog the route set decides, not us: no retargeting, so no
	 * spiral to tell from a loop; Max-Forwards ends a looping one. */
	if ((a->outcome == SF_OUT_FORWARD || a->outcome == SF_OUT_TAG ||
	     a->outcome == SF_OUT_WITHHOLD) && a->why != SF_WHY_IN_DIALOG)
		a->loop_hash = loop_hash(m, a);
}

static void judge(const sf_edge_t *e, const sf_tables_t *tables,
		  const sf_sipmsg_t *m, sf_call_t *call, sf_admission_t *a)
{
	static const sf_outcome_t of[SF_ACT_COUNT] = {
		[SF_ACT_ALLOW] = SF_OUT_FORWARD, [SF_ACT_TAG] = SF_OUT_TAG,
		[SF_ACT_REJECT] = SF_OUT_REJECT,
		[SF_ACT_WITHHOLD] = SF_OUT_WITHHOLD,
	};
	sf_verdict_t *v = &a->v;

	sf_call_extract(e->cfg, m, call);
	if (call->pai_malformed) {
		/* RFC 3325 §9.1: one sip/sips and one tel value at most;
		 * which of several would the core believe? */
		if (a->trunk >= 0)
			set_reply(a, SF_OUT_REFUSE, SF_WHY_BAD_IDENTITY, 400,
				  NULL);
		else
			set_drop(a, SF_WHY_BAD_IDENTITY);
		snprintf(a->warning, sizeof(a->warning),
			 "P-Asserted-Identity: at most one sip and one tel "
			 "value (RFC 3325 9.1)");
		return;
	}
	sf_engine_judge(e->cfg, tables, call, a->trunk, v);
	a->judged = true;
	if (v->applied == SF_ACT_REJECT) {
		set_reply(a, SF_OUT_REJECT, SF_WHY_VERDICT,
			  v->code ? v->code : 603, v->phrase);
		return;
	}
	set_hop(e, a, of[v->applied], SF_WHY_VERDICT);
	a->record_route = true;
}

/* A request the scanner refused: 400 to a known trunk when the answer
 * can be routed, never for an ACK (§17.2.1), else dropped. */
static void malformed(const sf_admit_in_t *in, int trunk, sf_sipmsg_t *m,
		      sf_admission_t *a)
{
	sf_sip_error_t why = m->error;

	a->sip_error = why;
	set_drop(a, why == SF_SIP_E_EMPTY ? SF_WHY_KEEPALIVE
					  : SF_WHY_MALFORMED);
	if (why == SF_SIP_E_EMPTY || why == SF_SIP_E_TOO_BIG || trunk < 0)
		return;
	if (sf_salvage(in->buf, in->len, m) == 0 &&
	    !sf_str_eq(m->method, SF_STR_LIT("ACK")) &&
	    sf_via_nth(m, 0, &a->top) == 0) {
		a->top_ok = true;
		set_reply(a, SF_OUT_REFUSE, SF_WHY_MALFORMED, 400, NULL);
		snprintf(a->warning, sizeof(a->warning),
			 "malformed request: %s", sf_sip_error_name(why));
	}
	m->error = why;
}

static void admission_clear(sf_admission_t *a)
{
	a->outcome = SF_OUT_DROP;
	a->why = SF_WHY_MALFORMED;
	a->method = SF_M_OTHER;
	a->is_response = false;
	a->trunk = -1;
	a->how = SF_HOW_SOURCE;
	a->code = 0;
	a->phrase = "";
	a->warning[0] = '\0';
	a->allow_hdr = false;
	a->judged = false;
	a->sip_error = SF_SIP_OK;
	a->record_route = false;
	a->strip_routes = false;
	a->pop_routes = 0;
	a->hop_trunk = -1;
	a->target_port = 0;
	a->target_tp = SF_TP_UDP;
	a->loop_hash = 0;
	a->top_ok = false;
	a->call_id = a->from_tag = a->to_tag = SF_STR_NULL;
}

static int ingress_trunk(const sf_edge_t *e, const sf_admit_in_t *in,
			 sf_trunk_how_t *how)
{
	*how = SF_HOW_SOURCE;
	if (in->trunk == SF_TRUNK_BY_SOURCE)
		return sf_cfg_trunk_match(e->cfg, &in->src);
	*how = in->how;
	if (in->trunk >= 0 && (size_t)in->trunk < e->cfg->n_trunks)
		return in->trunk;
	return -1;
}

void sf_admit(const sf_edge_t *e, const sf_tables_t *tables,
	      const sf_admit_in_t *in, sf_sipmsg_t *msg, sf_call_t *call,
	      sf_admission_t *a)
{
	const sf_sip_limits_t *lim =
		sf_tp_stream(in->tp) ? &e->lim_tcp : &e->lim_udp;

	if (sf_sip_scan(in->buf, in->len, lim, msg) != 0) {
		admission_clear(a);
		a->trunk = ingress_trunk(e, in, &a->how);
		malformed(in, a->trunk, msg, a);
		return;
	}
	sf_admit_scanned(e, tables, in, msg, call, a);
}

/* Steps 8 and 9 of sf_admit.h: dialog and method. */
static void route_request(const sf_edge_t *e, const sf_tables_t *tables,
			  const sf_sipmsg_t *m, sf_call_t *call,
			  sf_admission_t *a)
{
	const sf_trunk_t *t = NULL;
	sf_why_t why;
	int tt = a->trunk >= 0 ? a->trunk : e->default_trunk;

	if (tt >= 0)
		t = &e->cfg->trunks[tt];
	if (a->to_tag.len) {
		if (!dialog_route(e, m, a, &why)) {
			set_reply(a, SF_OUT_REJECT, why,
				  why == SF_WHY_BAD_ROUTE ? 400 : 403, NULL);
			return;
		}
		if (a->pop_routes) {
			a->outcome = SF_OUT_FORWARD;
			a->why = SF_WHY_IN_DIALOG;
			return;
		}
		if (a->method == SF_M_INVITE) {
			judge(e, tables, m, call, a);
		} else if (a->method == SF_M_ACK) {
			set_hop(e, a, SF_OUT_FORWARD, SF_WHY_ACK);
		} else {
			/* Kamailio's default: sl_send_reply("404",
			 * "Not here") */
			set_reply(a, SF_OUT_REJECT, SF_WHY_NO_DIALOG, 404,
				  "Not Here");
		}
		return;
	}
	switch (a->method) {
	case SF_M_INVITE:
		judge(e, tables, m, call, a);
		return;
	case SF_M_CANCEL:
		set_hop(e, a, SF_OUT_FORWARD, SF_WHY_CANCEL);
		return;
	case SF_M_ACK:
		set_drop(a, SF_WHY_NO_DIALOG); /* an ACK always has a To-tag */
		return;
	default:
		break;
	}
	if (t && method_listed(t, m->method)) {
		set_hop(e, a, SF_OUT_FORWARD, SF_WHY_METHOD_LISTED);
		a->record_route = a->outcome == SF_OUT_FORWARD &&
				  dialog_forming(m->method);
		return;
	}
	set_reply(a, SF_OUT_REJECT, SF_WHY_METHOD_NOT_ALLOWED, 405, NULL);
	a->allow_hdr = true;
}

void sf_admit_scanned(const sf_edge_t *e, const sf_tables_t *tables,
		      const sf_admit_in_t *in, sf_sipmsg_t *msg,
		      sf_call_t *call, sf_admission_t *a)
{
	const sf_sipmsg_t *m = msg;
	const sf_sip_hdr_t *via0;
	bool variant;
	long mf;

	admission_clear(a);
	if (!m->is_request) {
		/* routed by Via, never by source: sf_admit_response */
		a->is_response = true;
		set_drop(a, SF_WHY_RESPONSE);
		return;
	}
	a->trunk = ingress_trunk(e, in, &a->how);
	a->method = classify(m->method, &variant);
	via0 = sf_sip_hdr_nth(m, SF_HDR_VIA, 0);
	if (!via0 || sf_via_parse(via0->value, &a->top) != 0) {
		set_drop(a, SF_WHY_BAD_VIA);
		return;
	}
	a->top_ok = true;
	a->call_id = call_id(m);
	sf_msg_tag(m, SF_HDR_FROM, &a->from_tag);
	sf_msg_tag(m, SF_HDR_TO, &a->to_tag);
	if (variant) {
		if (a->trunk >= 0)
			set_reply(a, SF_OUT_REFUSE, SF_WHY_METHOD_CASE, 400,
				  NULL);
		else
			set_drop(a, SF_WHY_METHOD_CASE);
		snprintf(a->warning, sizeof(a->warning),
			 "method names are case-sensitive (RFC 3261 7.1)");
		return;
	}
	if (is_loop(e, m, a)) {
		set_reply(a, SF_OUT_REJECT, SF_WHY_LOOP, 482, NULL);
		return;
	}
	if (a->method == SF_M_ACK) {
		char tag[SF_TAG_LEN];

		if (e->have_key && a->to_tag.len == SF_TAG_LEN &&
		    a->to_tag.s[0] == 's' && a->to_tag.s[1] == 'f') {
			sf_token_totag(&e->key, a->call_id, a->from_tag,
				       a->top.branch, tag);
			if (!memcmp(a->to_tag.s, tag, SF_TAG_LEN)) {
				set_drop(a, SF_WHY_ACK_ABSORBED);
				return;
			}
		}
	}
	if (a->method == SF_M_OPTIONS && !sf_sip_hdr_nth(m, SF_HDR_ROUTE, 0)) {
		sf_uri_hp_t u;

		if (sf_uri_hostport(m->ruri, &u) && !u.has_user &&
		    sf_edge_is_us(e, u.host, u.port)) {
			set_reply(a, SF_OUT_ANSWER, SF_WHY_OPTIONS, 200, "OK");
			return;
		}
	}
	mf = max_forwards(m);
	if (mf == -2) {
		if (a->trunk >= 0)
			set_reply(a, SF_OUT_REFUSE, SF_WHY_BAD_MAX_FORWARDS,
				  400, "Bad Max-Forwards");
		else
			set_drop(a, SF_WHY_BAD_MAX_FORWARDS);
		return;
	}
	if (mf == 0) {
		set_reply(a, SF_OUT_REJECT, SF_WHY_TOO_MANY_HOPS, 483, NULL);
		return;
	}
	if (a->trunk < 0 &&
	    e->cfg->serve.unknown_source == SF_UNKNOWN_REJECT) {
		if (a->method == SF_M_INVITE)
			set_reply(a, SF_OUT_REJECT, SF_WHY_UNKNOWN_SOURCE, 403,
				  "Forbidden");
		else
			set_drop(a, SF_WHY_UNKNOWN_SOURCE);
		return;
	}
	route_request(e, tables, m, call, a);
	if (!in->no_branch)
		set_forwarded(m, a);
}

uint64_t sf_admit_branch_k(const sf_edge_t *e, const sf_sipmsg_t *m,
			   const sf_admission_t *a)
{
	sf_branch_in_t bi;

	bi.branch = a->top.has_branch ? a->top.branch : SF_STR_NULL;
	bi.host = a->top.host;
	bi.port = a->top.port;
	bi.call_id = a->call_id;
	bi.from_tag = a->from_tag;
	bi.cseq = m->cseq_num;
	return sf_branch_k(&e->key, &bi);
}

bool sf_admit_response(const sf_edge_t *e, const sf_sipmsg_t *m,
		       const sf_ip_t *src, sf_via_t *topv, sf_via_t *next,
		       sf_why_t *why)
{
	const sf_sip_hdr_t *h0 = sf_sip_hdr_nth(m, SF_HDR_VIA, 0), *h1;
	sf_branch_in_t bi;
	sf_via_t top;
	int rc;

	if (!h0 || sf_via_parse(h0->value, &top) != 0) {
		*why = SF_WHY_BAD_VIA;
		return false;
	}
	if (src && !sf_edge_named(e, src)) {
		*why = SF_WHY_UNKNOWN_SOURCE;
		return false;
	}
	if (!top.has_branch || !sf_branch_is_ours(top.branch) ||
	    !sf_edge_is_us(e, top.host, top.port)) {
		*why = SF_WHY_FORBIDDEN_TARGET;
		return false;
	}
	/* The next Via: after ours in the same line, else the first value
	 * of the second Via line. */
	if (top.next)
		rc = sf_via_parse(sf_str(top.next, (size_t)(h0->value.s +
							     h0->value.len -
							     top.next)),
				  next);
	else if ((h1 = sf_sip_hdr_nth(m, SF_HDR_VIA, 1)) != NULL)
		rc = sf_via_parse(h1->value, next);
	else
		rc = SF_ENOENT;
	if (rc) {
		*why = SF_WHY_BAD_VIA;
		return false;
	}
	memset(&bi, 0, sizeof(bi));
	bi.branch = next->has_branch ? next->branch : SF_STR_NULL;
	bi.host = next->host;
	bi.port = next->port;
	bi.call_id = call_id(m);
	sf_msg_tag(m, SF_HDR_FROM, &bi.from_tag);
	bi.cseq = m->cseq_num;
	if (!e->have_key ||
	    sf_branch_k(&e->key, &bi) != sf_branch_get_k(top.branch)) {
		*why = SF_WHY_FORBIDDEN_TARGET;
		return false;
	}
	*topv = top;
	*why = SF_WHY_RESPONSE;
	return true;
}
